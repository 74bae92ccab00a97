"""The workspace page's widgets, how they are arranged, and how a decided ``PageView`` is shown.

Split from ``page.py`` along its seam: this module builds the search row, the list/detail splitter,
the empty and loading states and the status line into the page's widget, and applies what
``states.decide`` chose.  ``WorkspacePage`` (page.py) owns one ``WorkspaceLayout`` (composition, not
a base class: the layout holds widgets and no state, so nothing private is shared between the files)
and its helpers wire the widgets to the use cases.  Object names here are what tests, the screenshot
script and the remembered layout (app/ui/window_layout.py: "workspaceSplitter") find them by.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListView,
    QMenu,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from app.services.events import Events
from app.services.workspace import Database
from app.ui.widgets.empty_state import EmptyState
from app.ui.widgets.inline_message import InlineMessage
from app.ui.workspace.detail import ContactDetail
from app.ui.workspace.history_hits import HistoryHitsView
from app.ui.workspace.list_delegate import ContactDelegate
from app.ui.workspace.list_model import ContactListModel
from app.ui.workspace.list_view import ContactListView
from app.ui.workspace.search_box import SearchBox
from app.ui.workspace.states import Body, PageView

ADD_PERSON_KEYS = "Ctrl+Shift+N"


class WorkspaceLayout:
    """``WorkspaceLayout(host, db, model, events)`` builds the page's widgets into ``host`` and keeps
    them as attributes (``search``, ``list_view``, ``detail`` …); ``show_view`` applies a decision."""

    def __init__(self, host: QWidget, db: Database, model: ContactListModel, events: Events) -> None:
        self.host = host  # the page: the widgets' parent, and the parent of the dialogs its helpers open
        self.search = SearchBox()
        self.add_person_button = QPushButton("Add a person…")
        self.add_person_button.setObjectName("workspaceAddPerson")
        self.add_person_button.setToolTip(
            f"Add a new client or prospect now; they go to Salesforce with your next push ({ADD_PERSON_KEYS})")
        self.sync_button = QPushButton("Sync now")
        self.sync_button.setObjectName("syncNow")
        self.pick_button = QPushButton("Add from Salesforce…")
        self.pick_button.setObjectName("pickFromSalesforce")
        self.more_button = QToolButton()
        self.more_button.setText("More")
        self.more_button.setObjectName("workspaceMore")
        self.more_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        menu = QMenu(self.more_button)
        self.full_action = menu.addAction("Re-sync everything")
        self.stop_action = menu.addAction("Stop syncing")
        self.toggle_action = menu.addAction("Keep clients updated from Salesforce")
        self.toggle_action.setCheckable(True)
        self.pick_action = menu.addAction("Only sync clients I add (pick mode)")
        self.pick_action.setCheckable(True)
        self.more_button.setMenu(menu)

        top = QHBoxLayout()
        top.addWidget(self.search, 1)
        top.addWidget(self.add_person_button)
        top.addWidget(self.pick_button)
        top.addWidget(self.sync_button)
        top.addWidget(self.more_button)
        self.banner = InlineMessage(name="workspaceBanner")
        self.status_label = QLabel()
        self.status_label.setObjectName("workspaceStatus")

        self.list_view = ContactListView()
        self.list_view.setObjectName("contactList")
        self.list_view.setAccessibleName("Clients")
        self.list_view.setModel(model)
        self.list_view.setItemDelegate(ContactDelegate(self.list_view))
        self.list_view.setSelectionMode(QListView.SelectionMode.SingleSelection)
        self.detail = ContactDetail(db, events=events)
        self.no_results = EmptyState(name="noResults", illustration=None, title="No clients match",
                                     text="", action="Search Salesforce…")
        self.no_results_add = QPushButton("Add a new person…")
        self.no_results_add.setObjectName("noResultsAddPerson")
        box = self.no_results.layout()
        assert isinstance(box, QVBoxLayout)  # EmptyState's: picture, title, text, button, stretch
        box.insertWidget(box.count() - 1, self.no_results_add, 0, Qt.AlignmentFlag.AlignHCenter)
        self.list_stack = QStackedWidget()
        self.list_stack.addWidget(self.list_view)
        self.list_stack.addWidget(self.no_results)
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.setObjectName("workspaceSplitter")
        self.history_hits = HistoryHitsView(db)
        left = QWidget()
        left_column = QVBoxLayout(left)
        left_column.setContentsMargins(0, 0, 0, 0)
        left_column.addWidget(self.list_stack, 1)
        left_column.addWidget(self.history_hits)
        self.splitter.addWidget(left)
        self.splitter.addWidget(self.detail)
        self.splitter.setStretchFactor(0, 2)
        self.splitter.setStretchFactor(1, 3)
        self.splitter.setSizes([380, 560])

        self.empty = EmptyState(
            name="workspaceNoClients", illustration="illustrations/connect.svg",
            title="Connect Salesforce to see your clients",
            text="Notebridge copies your clients from Salesforce so you can find them instantly and write "
                 "notes even when you are offline.", action="Connect Salesforce…")
        self.loading = EmptyState(name="workspaceLoading", illustration="illustrations/wizard-sync.svg",
                                  title="Fetching your clients from Salesforce…",
                                  text="You can start searching as soon as the first clients arrive.")
        self.body = QStackedWidget()
        self.body.addWidget(self.splitter)
        self.body.addWidget(self.empty)
        self.body.addWidget(self.loading)

        layout = QVBoxLayout(host)
        layout.setContentsMargins(12, 12, 12, 6)
        layout.setSpacing(8)
        layout.addLayout(top)
        layout.addWidget(self.banner)
        layout.addWidget(self.body, 1)
        layout.addWidget(self.status_label)

        # Ctrl+K is a window-wide shortcut (app/ui/shell.py); "/" and Ctrl+Shift+N work while the
        # workspace has focus.
        self.search_shortcut = self._shortcut("/")
        self.add_person_shortcut = self._shortcut(ADD_PERSON_KEYS)

    # ------------------------------------------------------------------------- what is shown
    def show_view(self, view: PageView) -> None:
        """Apply the decision of ``states.decide`` to the widgets."""
        self.pick_button.setVisible(view.show_pick_button)
        self.add_person_button.setEnabled(view.add_person_enabled)
        self.add_person_shortcut.setEnabled(view.add_person_enabled)
        self.sync_button.setEnabled(view.sync_enabled)
        if view.banner is None:
            self.banner.clear()
        else:
            link = (view.banner.link[0].value, view.banner.link[1]) if view.banner.link else None
            self.banner.show_message(view.banner.level, view.banner.text, fix=view.banner.fix, link=link)
        if view.empty is not None:
            self.empty.setProperty("kind", view.empty.action.value)
            self.empty.title_label.setText(view.empty.title)
            self.empty.text_label.setText(view.empty.text)
            if self.empty.button is not None:
                self.empty.button.setVisible(view.empty.button is not None)
                if view.empty.button:
                    self.empty.button.setText(view.empty.button)
        self.body.setCurrentWidget({Body.LIST: self.splitter, Body.EMPTY: self.empty,
                                    Body.LOADING: self.loading}[view.body])
        if view.no_results is not None:
            self.no_results.title_label.setText(view.no_results.title)
            self.no_results.text_label.setText(view.no_results.text)
            if self.no_results.button is not None:
                self.no_results.button.setVisible(view.no_results.offer_salesforce_search)
            self.no_results_add.setVisible(view.no_results.add_person is not None)
            self.no_results_add.setText(view.no_results.add_person or "")
            self.list_stack.setCurrentWidget(self.no_results)
            self.detail.clear()  # whoever was open before is not a match
        else:
            self.list_stack.setCurrentWidget(self.list_view)
        self.status_label.setText(view.status)

    def describe_state(self) -> dict[str, object]:
        """What the page shows, in words (tests and the screenshot script)."""
        body = self.body.currentWidget()
        return {"body": body.objectName() if body is not None else "", "empty_kind": self.empty.property("kind"),
                "banner": self.banner.plain_text(), "status": self.status_label.text()}

    def _shortcut(self, keys: str) -> QShortcut:
        shortcut = QShortcut(QKeySequence(keys), self.host)
        shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        return shortcut
