"""The workspace page: search, the client list, the detail panel, and the sync controls.

It never blocks the UI: every read is an awaited use case (``app.services``) and sync runs on the
scheduler; progress and results arrive as Qt signals.  Whatever state the workspace is in —
never connected, first sync running, offline, disconnected, sync off, nothing found — the page
says so in words and offers the next step.
"""

from __future__ import annotations

from PySide6.QtCore import QItemSelectionModel, QModelIndex, Qt, Signal
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

from app.services.client_sync import ClientSync, PullResult, PullScheduler, PullSettings, SyncProgress
from app.services.connection_status import subscribe_status
from app.services.events import Events, SyncFinished, SyncProgressed, Unsubscribe
from app.services.sync_settings import SyncSettings
from app.services.workspace import Database
from app.sync.connection import ConnectionManager, ConnectionStatus
from app.ui import aio
from app.ui.widgets.empty_state import EmptyState
from app.ui.widgets.inline_message import InlineMessage
from app.ui.workspace.detail import ContactDetail
from app.ui.workspace.list_delegate import ContactDelegate
from app.ui.workspace.list_model import ContactIdRole, ContactListModel
from app.ui.workspace.list_view import ContactListView
from app.ui.workspace.pick_dialog import PickDialog
from app.ui.workspace.resync import ResyncProgress, confirm_resync
from app.ui.workspace.search_box import SearchBox
from app.ui.workspace.states import Body, EmptyAction, PageFacts, PageView, decide


class WorkspacePage(QWidget):
    """``WorkspacePage(db, connections)`` then ``start()``; ``await aclose()`` at shutdown."""

    connect_requested = Signal()
    new_note_requested = Signal(int)
    open_note_requested = Signal(int)
    open_task_requested = Signal(int)

    def __init__(
        self,
        db: Database,
        connections: ConnectionManager | None,
        *,
        scheduler: PullScheduler | None = None,
        sync: ClientSync | None = None,
        events: Events | None = None,
        connection_id: int | None = None,
        instance_url: str | None = None,
        parent: QWidget | None = None,
    ) -> None:
        """``connection_id``/``instance_url``: show that workspace when there is no connection
        manager (a read-only look at a workspace file: tools, the benchmark, screenshots).

        ``sync``: the pull of the shell's connection, reporting on ``events`` (the shell starts and
        closes it).  Without one the page wraps ``scheduler`` (or makes its own) on ``events``."""
        super().__init__(parent)
        self.setObjectName("workspacePage")
        self.db = db
        self.connections = connections
        self.events = sync.events if sync is not None else events or Events()
        self._own_scheduler = sync is None and scheduler is None and connections is not None
        self._own_sync = sync is None
        if sync is None and connections is not None:
            sync = ClientSync(db, connections, self.events, scheduler=scheduler)
        self.sync = sync
        self._unsubscribe: list[Unsubscribe] = [
            self.events.subscribe(SyncProgressed, lambda e: self._on_progress(e.progress)),
            self.events.subscribe(SyncFinished, lambda e: self._on_result(e.result)),
        ]
        self.settings: PullSettings | None = None
        self.connection_id: int | None = None
        self._fixed = (connection_id, instance_url)
        self.syncing = False
        self.last_progress: SyncProgress | None = None
        self.last_result: PullResult | None = None
        self.pick_dialog: PickDialog | None = None
        self._started = False

        self.model = ContactListModel(db, None, self)
        self.model.failed.connect(lambda text: self.banner.show_message("error", text))
        self._build()
        self._update_state()

    # --------------------------------------------------------------------------------- layout
    def _build(self) -> None:
        self.search = SearchBox()
        self.search.textChanged.connect(self._search_changed)
        self.search.navigate.connect(self.move_current)
        self.search.open_requested.connect(self.open_current)
        self.sync_button = QPushButton("Sync now")
        self.sync_button.setObjectName("syncNow")
        self.sync_button.clicked.connect(lambda: aio.start(self.sync_now(), name="sync-now"))
        self.pick_button = QPushButton("Add from Salesforce…")
        self.pick_button.setObjectName("pickFromSalesforce")
        self.pick_button.clicked.connect(lambda: aio.start(self.open_pick_dialog(), name="pick-dialog"))
        self.more_button = QToolButton()
        self.more_button.setText("More")
        self.more_button.setObjectName("workspaceMore")
        self.more_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        menu = QMenu(self.more_button)
        self.full_action = menu.addAction("Re-sync everything")
        self.full_action.triggered.connect(lambda: aio.start(self.resync_everything(), name="sync-full"))
        self.stop_action = menu.addAction("Stop syncing")
        self.stop_action.triggered.connect(self.stop_sync)
        self.toggle_action = menu.addAction("Keep clients updated from Salesforce")
        self.toggle_action.setCheckable(True)
        self.toggle_action.toggled.connect(lambda on: aio.start(self.set_contacts_enabled(on), name="sync-toggle"))
        self.pick_action = menu.addAction("Only sync clients I add (pick mode)")
        self.pick_action.setCheckable(True)
        self.pick_action.toggled.connect(lambda on: aio.start(self.set_pick_mode(on), name="pick-mode"))
        self.more_button.setMenu(menu)

        top = QHBoxLayout()
        top.addWidget(self.search, 1)
        top.addWidget(self.pick_button)
        top.addWidget(self.sync_button)
        top.addWidget(self.more_button)
        self.banner = InlineMessage(name="workspaceBanner")
        self.banner.link_activated.connect(self._banner_link)
        self.status_label = QLabel()
        self.status_label.setObjectName("workspaceStatus")

        self.list_view = ContactListView()
        self.list_view.setObjectName("contactList")
        self.list_view.setAccessibleName("Clients")
        self.list_view.setModel(self.model)
        self.list_view.setItemDelegate(ContactDelegate(self.list_view))
        self.list_view.setSelectionMode(QListView.SelectionMode.SingleSelection)
        self.list_view.activated.connect(self._open_index)
        self.list_view.selectionModel().currentChanged.connect(lambda current, _previous: self._open_index(current))
        self.detail = ContactDetail(self.db)
        self.detail.open_contact.connect(lambda contact_id: aio.start(self.detail.show_contact(contact_id)))
        self.detail.new_note_requested.connect(self.new_note_requested)
        self.detail.open_note_requested.connect(self.open_note_requested)
        self.detail.open_task_requested.connect(self.open_task_requested)
        self.no_results = EmptyState(name="noResults", illustration=None, title="No clients match",
                                     text="", action="Search Salesforce…")
        self.no_results.action_clicked.connect(lambda: aio.start(self.open_pick_dialog(), name="pick-dialog"))
        self.list_stack = QStackedWidget()
        self.list_stack.addWidget(self.list_view)
        self.list_stack.addWidget(self.no_results)
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.setObjectName("workspaceSplitter")
        self.splitter.addWidget(self.list_stack)
        self.splitter.addWidget(self.detail)
        self.splitter.setStretchFactor(0, 2)
        self.splitter.setStretchFactor(1, 3)
        self.splitter.setSizes([380, 560])

        self.empty = EmptyState(
            name="workspaceNoClients", illustration="illustrations/connect.svg",
            title="Connect Salesforce to see your clients",
            text="Notebridge copies your clients from Salesforce so you can find them instantly and write "
                 "notes even when you are offline.", action="Connect Salesforce…")
        self.empty.action_clicked.connect(self._empty_action)
        self.loading = EmptyState(name="workspaceLoading", illustration="illustrations/wizard-sync.svg",
                                  title="Fetching your clients from Salesforce…",
                                  text="You can start searching as soon as the first clients arrive.")
        self.body = QStackedWidget()
        self.body.addWidget(self.splitter)
        self.body.addWidget(self.empty)
        self.body.addWidget(self.loading)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 12, 12, 6)
        layout.setSpacing(8)
        layout.addLayout(top)
        layout.addWidget(self.banner)
        layout.addWidget(self.body, 1)
        layout.addWidget(self.status_label)

        # Ctrl+K is a window-wide shortcut (app/ui/shell.py); "/" works while the workspace has focus.
        for keys in ("/",):
            shortcut = QShortcut(QKeySequence(keys), self)
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            shortcut.activated.connect(self.focus_search)

    # ------------------------------------------------------------------------------ lifecycle
    def start(self) -> None:
        """Load the workspace and begin periodic sync (call once the page is in the window)."""
        aio.start(self.initialise(), name="workspace-start")

    async def initialise(self) -> None:
        if self.connections is not None and not self._started:
            self._started = True
            if self.connections.active is None:
                await self.connections.load_active()
            self._unsubscribe.append(subscribe_status(self.connections, self.events, self._on_status))
        await self.refresh()
        if self._own_scheduler and self.sync is not None and self.connection_id is not None:
            self.sync.start()  # a scheduler handed in is started (and stopped) by its owner

    @property
    def scheduler(self) -> PullScheduler | None:
        return self.sync.scheduler if self.sync is not None else None

    async def aclose(self) -> None:
        for unsubscribe in self._unsubscribe:
            unsubscribe()
        self._unsubscribe.clear()
        if self.sync is not None and self._own_sync:
            if self._own_scheduler:
                await self.sync.aclose()
            else:
                self.sync.detach()

    async def refresh(self) -> None:
        """Re-read which org, its preferences and the list (after connecting or changing settings)."""
        active = self.connections.active if self.connections is not None else None
        instance_url: str | None
        if active is not None:
            self.connection_id, instance_url = active.connection_id, active.instance_url
        else:
            self.connection_id, instance_url = self._fixed if self.connections is None else (None, None)
        self.detail.set_connection(self.connection_id, instance_url)
        if self.connection_id is not None:
            cid = self.connection_id
            self.settings = await SyncSettings(self.db).pull(cid)
        else:
            self.settings = None
        self._sync_menu()
        self.model.set_connection(self.connection_id, self._source_objects())
        await self._requery()
        self._update_state()

    def _source_objects(self) -> tuple[str, ...] | None:
        if self.settings is None:
            return None
        return (self.settings.client_object, "Lead") if self.settings.include_leads else (self.settings.client_object,)

    def _sync_menu(self) -> None:
        settings = self.settings
        for action, value in ((self.toggle_action, settings.contacts_enabled if settings else True),
                              (self.pick_action, settings.pick_mode if settings else False)):
            action.blockSignals(True)
            action.setChecked(value)
            action.blockSignals(False)

    # -------------------------------------------------------------------------------- search
    def focus_search(self) -> None:
        self.search.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search.selectAll()

    def _search_changed(self, text: str) -> None:
        aio.start(self._run_search(text), name="workspace-search")

    async def _run_search(self, text: str) -> None:
        await self.model.search(text)
        if text.strip() and self.model.rowCount() > 0:
            self.list_view.setCurrentIndex(self.model.index(0))
        self._update_state()

    async def _requery(self) -> None:
        """Show the list again for what the search box says now (it is the truth, not the model)."""
        text = self.search.text()
        if text.strip():
            await self.model.search(text)
        else:
            await self.model.reload()

    def move_current(self, delta: int) -> None:
        rows = self.model.rowCount()
        if rows == 0:
            return
        current = self.list_view.currentIndex()
        row = 0 if not current.isValid() and delta > 0 else max(0, min(rows - 1, current.row() + delta))
        index = self.model.index(row)
        self.list_view.selectionModel().setCurrentIndex(
            index, QItemSelectionModel.SelectionFlag.ClearAndSelect)
        self.list_view.scrollTo(index)

    def open_current(self) -> None:
        if not self.list_view.currentIndex().isValid():
            self.move_current(1)
        self._open_index(self.list_view.currentIndex())

    def _open_index(self, index: QModelIndex) -> None:
        if not index.isValid():
            return
        contact_id = index.data(ContactIdRole)
        if contact_id is None:  # not loaded yet: load the row, then open it
            aio.start(self._open_row(index.row()), name="open-row")
            return
        aio.start(self.detail.show_contact(int(contact_id)), name="contact-detail")

    async def _open_row(self, row: int) -> None:
        summary = await self.model.load_row(row)
        if summary is not None:
            await self.detail.show_contact(summary.id)

    def new_note_for_current(self) -> bool:
        """Ctrl+N: ask for a note about the client on screen; False when there is none (or it is read-only)."""
        data = self.detail.data
        if data is None or data.contact.read_only:
            return False
        self.new_note_requested.emit(data.contact.id)
        return True

    # ---------------------------------------------------------------------------------- sync
    async def sync_now(self, *, full: bool = False) -> PullResult | None:
        if self.sync is None:
            self.connect_requested.emit()
            return None
        self.syncing = True
        self._update_state()
        return await self.sync.sync_now(full=full)

    async def resync_everything(self) -> PullResult | None:
        """Ask first, then show the full re-sync's progress as a bar with counts (``resync``)."""
        if self.sync is None:
            self.connect_requested.emit()
            return None
        if not await aio.run_dialog(confirm_resync(self.model.total, self)):
            return None
        window = ResyncProgress(self)
        window.stop_button.clicked.connect(self.stop_sync)
        unsubscribe = self.events.subscribe(SyncProgressed, lambda e: window.show_progress(e.progress))
        window.show()
        try:
            return await self.sync_now(full=True)
        finally:
            unsubscribe()
            window.close()
            window.deleteLater()

    def stop_sync(self) -> None:
        if self.sync is not None:
            self.sync.pause()

    async def set_contacts_enabled(self, on: bool) -> None:
        if self.sync is None or self.connection_id is None:
            return
        self.settings = await self.sync.change_settings(contacts_enabled=on)
        self._update_state()

    async def set_pick_mode(self, on: bool) -> None:
        if self.sync is None or self.connection_id is None:
            return
        self.settings = await self.sync.change_settings(pick_mode=on)
        self._update_state()

    async def open_pick_dialog(self) -> PullResult | None:
        if self.sync is None:
            self.connect_requested.emit()
            return None
        dialog = PickDialog(self.sync.search_salesforce, self.sync.import_picked, self,
                            initial_text=self.search.text())
        self.pick_dialog = dialog
        await aio.run_dialog(dialog)
        self.pick_dialog = None
        return dialog.result_of_import

    def _on_progress(self, progress: SyncProgress) -> None:
        self.syncing = True
        self.last_progress = progress
        if self.body.currentWidget() is self.loading:
            self.loading.text_label.setText(progress.message)
            if self.model.rowCount() == 0 and progress.done:
                aio.start(self._first_rows(), name="first-rows")

    async def _first_rows(self) -> None:
        if not self.model.query and self.model.rowCount() == 0:
            await self.model.reload()
            self._update_state()

    def _on_result(self, result: PullResult) -> None:
        self.last_result = result
        aio.start(self._after_sync(), name="after-sync")

    async def _after_sync(self) -> None:
        """The list and the open client re-read; only then is the sync over for the page (so
        nothing looking at ``syncing`` sees the half-synced list the first rows came from)."""
        try:
            await self._requery()
            data = self.detail.data
            if data is not None:
                await self.detail.show_contact(data.contact.id)
        finally:
            self.syncing = False
            self._update_state()

    def _on_status(self, _status: ConnectionStatus) -> None:
        self._update_state()

    # ------------------------------------------------------------------------- what is shown
    def _facts(self) -> PageFacts:
        settings = self.settings
        return PageFacts(
            connection_id=self.connection_id,
            status=self.connections.status if self.connections is not None else None,
            contacts_enabled=settings.contacts_enabled if settings is not None else True,
            pick_mode=bool(settings and settings.pick_mode),
            can_sync=self.sync is not None,
            total=self.model.total, searching=self.model.searching, shown=self.model.rowCount(),
            query=self.model.query, syncing=self.syncing,
            progress_message=self.last_progress.message if self.last_progress is not None else None,
            last_result=self.last_result)

    def _update_state(self) -> None:
        self._show(decide(self._facts()))

    def _show(self, view: PageView) -> None:
        self.pick_button.setVisible(view.show_pick_button)
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
            self.list_stack.setCurrentWidget(self.no_results)
        else:
            self.list_stack.setCurrentWidget(self.list_view)
        self.status_label.setText(view.status)

    def _empty_action(self) -> None:
        action = EmptyAction(self.empty.property("kind"))
        if action is EmptyAction.CONNECT:
            self.connect_requested.emit()
        elif action is EmptyAction.PICK:
            aio.start(self.open_pick_dialog(), name="pick-dialog")
        elif action is EmptyAction.ENABLE:
            self.toggle_action.setChecked(True)
        else:
            aio.start(self.sync_now(), name="sync-now")

    def _banner_link(self, href: str) -> None:
        if href == "connect":
            self.connect_requested.emit()

    def describe_state(self) -> dict[str, object]:
        """What the page shows, in words (tests and the screenshot script)."""
        body = self.body.currentWidget()
        return {"body": body.objectName() if body is not None else "", "empty_kind": self.empty.property("kind"),
                "banner": self.banner.plain_text(), "status": self.status_label.text()}
