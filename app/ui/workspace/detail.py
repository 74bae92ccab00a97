"""The contact detail panel: who they are, how to reach them, and what happened with them.

Name, title, account/household, clickable e-mail and phone numbers, address, owner, last modified,
**Open in Salesforce** (``<instance>/<Id>``), the household's other members (each opens them; the
household's name opens the household view, ``household``), meetings (upcoming first, then past), and the
advisor's notes and tasks for this person, local and pushed.  A converted lead is shown read-only
with a link to the contact it became.

Meetings are things to act on: each offers "Write the meeting note" (a new note already tied to the
meeting, so a Client-tagged note goes into its description with no choosing in the editor), or
"Open the meeting note" once there is one.  "New meeting" is a hook: ``new_meeting_requested`` is
emitted by :meth:`ContactDetail.new_meeting` for whoever creates Events to connect.
"""

from __future__ import annotations

import asyncio

import shiboken6
from PySide6.QtCore import Qt, QUrl, Signal
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from app.services.activities import activity_forms_offered
from app.services.clients import ClientDetail, ClientDirectory
from app.services.drafts import ItemKind
from app.services.events import Events, ItemStateChanged
from app.services.workspace import Database
from app.ui import aio
from app.ui.widgets.empty_state import EmptyState
from app.ui.workspace.detail_html import e as _e
from app.ui.workspace.detail_html import extras_html, meetings_html, phone_href, when, work_html
from app.ui.workspace.household import HouseholdView, households_html
from app.ui.workspace.timeline import TimelineView


class ContactDetail(QWidget):
    """``await show_contact(id)``; signals ask the shell to open the editor."""

    open_contact = Signal(int)  # e.g. a converted lead's contact
    new_note_requested = Signal(int)
    new_activity_requested = Signal(str, int)  # (ItemKind, contact id): "Log a call", "New meeting" …
    new_task_requested = Signal(int)             # the client's id: a new task about them
    meeting_note_requested = Signal(int, int)    # the client's id, the meeting's (Event) id
    new_meeting_requested = Signal(int)          # the client's id: see new_meeting()
    open_note_requested = Signal(int)
    open_task_requested = Signal(int)
    open_activity_requested = Signal(str, int)  # (ItemKind, draft id): a logged call, meeting …

    def __init__(self, db: Database, parent: QWidget | None = None, *, events: Events | None = None) -> None:
        """``events``: the app's bus; a note or task of the shown client that is created, queued or
        settled by the push shows its new state here without choosing the client again."""
        super().__init__(parent)
        self.setObjectName("contactDetail")
        self.db = db
        self.clients = ClientDirectory(db)
        self.connection_id: int | None = None
        self.instance_url: str | None = None
        self.data: ClientDetail | None = None
        self._request = 0
        self._refreshing: asyncio.Task[None] | None = None
        self._refresh_again = False
        if events is not None:
            unsubscribe = events.subscribe(ItemStateChanged, self._item_state_changed)
            self.destroyed.connect(lambda *_: unsubscribe())

        self.stack = QStackedWidget()
        self.placeholder = EmptyState(
            name="detailPlaceholder", illustration=None, title="Pick a client",
            text="Search or scroll the list, then choose a client to see their details, meetings and notes.")
        self.loading = QLabel("Loading…")
        self.loading.setObjectName("detailLoading")
        self.loading.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.error = EmptyState(name="detailError", illustration=None, title="This client could not be shown",
                                text="")
        self.stack.addWidget(self.placeholder)
        self.stack.addWidget(self.loading)
        self.stack.addWidget(self.error)
        self.stack.addWidget(self._build_card())
        self.household = HouseholdView(db)  # a household opened from the client view (index 4)
        self.household.open_contact.connect(self.open_contact)
        self.household.open_note_requested.connect(self.open_note_requested)
        self.household.open_task_requested.connect(self.open_task_requested)
        self.household.back_requested.connect(self._back_to_client)
        self.stack.addWidget(self.household)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.stack)

    # -------------------------------------------------------------------------------- building
    def _build_card(self) -> QWidget:
        scroll = QScrollArea()
        scroll.setObjectName("detailCard")
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        body = QWidget()
        column = QVBoxLayout(body)
        column.setContentsMargins(20, 16, 20, 16)
        column.setSpacing(10)

        self.name_label = QLabel()
        self.name_label.setObjectName("detailName")
        font = self.name_label.font()
        font.setPointSizeF(font.pointSizeF() * 1.5)
        font.setBold(True)
        self.name_label.setFont(font)
        self.name_label.setWordWrap(True)
        self.name_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.subtitle_label = QLabel()
        self.subtitle_label.setObjectName("detailSubtitle")
        self.subtitle_label.setWordWrap(True)
        self.read_only_label = QLabel()
        self.read_only_label.setObjectName("detailReadOnly")
        self.read_only_label.setWordWrap(True)
        self.read_only_label.setTextFormat(Qt.TextFormat.RichText)
        self.read_only_label.linkActivated.connect(self._converted_link)

        buttons = QHBoxLayout()
        self.open_button = QPushButton("Open in Salesforce")
        self.open_button.setObjectName("openInSalesforce")
        self.open_button.clicked.connect(self.open_in_salesforce)
        self.note_button = QPushButton("New note")
        self.note_button.setObjectName("newNote")
        self.note_button.setProperty("class", "primary")
        self.note_button.clicked.connect(self._new_note)
        self.task_button = QPushButton("New task")
        self.task_button.setObjectName("newTask")
        self.task_button.setToolTip("A follow-up for this client, sent to Salesforce as a Task (Ctrl+T)")
        self.task_button.clicked.connect(self.new_task)
        buttons.addWidget(self.note_button)
        buttons.addWidget(self.task_button)
        buttons.addWidget(self.open_button)
        buttons.addStretch(1)
        # One action per activity kind, on a row of their own under "New note" (its form names it: "Log a
        # call" …): on one row with the rest they ran past the panel's edge and hid "Open in Salesforce".
        activity_row = QHBoxLayout()
        self.activity_buttons: dict[str, QPushButton] = {}
        for form in activity_forms_offered():
            button = QPushButton(form.action)
            button.setObjectName(f"new_{form.kind.value}")
            if form.shortcut:
                button.setToolTip(f"{form.action} for this client ({form.shortcut})")
            button.clicked.connect(lambda _checked=False, kind=form.kind: self.new_activity(kind))
            activity_row.addWidget(button)
            self.activity_buttons[form.kind.value] = button
        activity_row.addStretch(1)

        grid = QGridLayout()
        grid.setHorizontalSpacing(16)
        grid.setVerticalSpacing(6)
        self.fields: dict[str, QLabel] = {}
        for row, (key, label) in enumerate((
            ("email", "E-mail"), ("phone", "Phone"), ("mobile", "Mobile"), ("address", "Address"),
            ("owner", "Owner"), ("modified", "Last modified"),
        )):
            caption = QLabel(label)
            caption.setObjectName(f"detailCaption_{key}")
            value = QLabel()
            value.setObjectName(f"detail_{key}")
            value.setWordWrap(True)
            value.setTextFormat(Qt.TextFormat.RichText)
            value.setOpenExternalLinks(True)
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextBrowserInteraction)
            grid.addWidget(caption, row, 0, Qt.AlignmentFlag.AlignTop)
            grid.addWidget(value, row, 1)
            self.fields[key] = value
        grid.setColumnStretch(1, 1)

        self.household_label = self._section_label("Household")
        self.household_view = QLabel()
        self.household_view.setObjectName("detailHousehold")
        self.household_view.setWordWrap(True)
        self.household_view.setTextFormat(Qt.TextFormat.RichText)
        self.household_view.linkActivated.connect(self._household_link)
        self.meetings_label = self._section_label("Meetings")
        self.meetings_view = QLabel()
        self.meetings_view.setObjectName("detailMeetings")
        self.meetings_view.setWordWrap(True)
        self.meetings_view.setTextFormat(Qt.TextFormat.RichText)
        self.meetings_view.setTextInteractionFlags(Qt.TextInteractionFlag.TextBrowserInteraction)
        self.meetings_view.linkActivated.connect(self._meeting_link)
        self.work_label = self._section_label("Notes, tasks, calls, meetings and emails")
        self.work_view = QLabel()
        self.work_view.setObjectName("detailWork")
        self.work_view.setWordWrap(True)
        self.work_view.setTextFormat(Qt.TextFormat.RichText)
        self.work_view.linkActivated.connect(self._work_link)

        # The Salesforce history (its own module); once a client's history is on this computer it
        # includes the meetings and Notebridge's own notes and tasks, so the two lists below step aside.
        self.timeline = TimelineView(self.db)
        self.timeline.open_note_requested.connect(self.open_note_requested)
        self.timeline.open_task_requested.connect(self.open_task_requested)
        self.timeline.history_shown.connect(self._history_shown)

        for widget in (self.name_label, self.subtitle_label, self.read_only_label):
            column.addWidget(widget)
        column.addLayout(buttons)
        column.addLayout(activity_row)
        column.addLayout(grid)
        self.extras_view = QLabel()
        self.extras_view.setObjectName("detailExtras")
        self.extras_view.setWordWrap(True)
        self.extras_view.setTextFormat(Qt.TextFormat.RichText)
        self.extras_view.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        column.addWidget(self.extras_view)
        shown_in_order: tuple[QWidget, ...] = (self.household_label, self.household_view, self.timeline,
                                               self.meetings_label, self.meetings_view, self.work_label,
                                               self.work_view)
        for section in shown_in_order:
            column.addWidget(section)
        column.addStretch(1)
        scroll.setWidget(body)
        return scroll

    @staticmethod
    def _section_label(text: str) -> QLabel:
        label = QLabel(text)
        font = label.font()
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.15)
        label.setFont(font)
        return label

    # --------------------------------------------------------------------------------- showing
    def set_connection(self, connection_id: int | None, instance_url: str | None) -> None:
        self.connection_id = connection_id
        self.instance_url = instance_url.rstrip("/") if instance_url else None
        self.open_button.setEnabled(self._can_open())

    def clear(self) -> None:
        self._request += 1
        self.data = None
        self.timeline.clear()
        self.stack.setCurrentWidget(self.placeholder)

    def _history_shown(self, shown: bool) -> None:
        for widget in (self.meetings_label, self.meetings_view, self.work_label, self.work_view):
            widget.setVisible(not shown)

    async def show_contact(self, contact_id: int) -> ClientDetail | None:
        cid = self.connection_id
        if cid is None:
            self.clear()
            return None
        self._request += 1
        request = self._request
        self.stack.setCurrentWidget(self.loading)
        try:
            data = await self.clients.open(cid, contact_id)
        except Exception as exc:
            if request == self._request:
                self.error.text_label.setText(f"Notebridge could not read this client from your workspace ({exc}).")
                self.stack.setCurrentWidget(self.error)
            return None
        if request != self._request:  # the advisor has moved on to someone else
            return data
        if data is None:
            self.error.text_label.setText("This client is no longer in your workspace.")
            self.stack.setCurrentWidget(self.error)
            return None
        self.data = data
        self._render(data)
        self.stack.setCurrentIndex(3)
        aio.start(self.timeline.show_client(cid, contact_id), name="client-timeline")
        return data

    def _item_state_changed(self, event: ItemStateChanged) -> None:
        if self.data is None or event.connection_id != self.connection_id \
                or event.kind == ItemKind.PERSON:
            return
        if self._refreshing is not None and not self._refreshing.done():
            self._refresh_again = True  # a burst (a run settling many items) costs one more read
            return
        self._refreshing = aio.start(self._refresh(), name="contact-detail-refresh")

    async def _refresh(self) -> None:
        """Re-read the shown client in place (no "Loading…" flash); a newer choice wins."""
        while self.data is not None and self.connection_id is not None:
            self._refresh_again = False
            request, cid, contact_id = self._request, self.connection_id, self.data.contact.id
            data = await self.clients.open(cid, contact_id)
            if request == self._request and data is not None and shiboken6.isValid(self):
                self.data = data
                self._render(data)
                await self.timeline.show_client(cid, contact_id, refresh=False)
            if not self._refresh_again:
                return

    def _render(self, data: ClientDetail) -> None:
        c = data.contact
        self.name_label.setText(c.name or "(no name)")
        kind = {"Lead": "Lead", "Account": "Household / account"}.get(c.source_object)
        outside = "Outside your filter — kept for your drafts" if data.outside_filter else None
        self.subtitle_label.setText(" · ".join(p for p in (kind, c.title, c.account_name, outside) if p))
        if c.read_only:
            target = data.converted_to
            link = (f' It became <a href="contact:{target.id}">{_e(target.name)}</a>.' if target
                    else "")
            self.read_only_label.setText(
                "<b>Converted lead — read-only.</b> Salesforce no longer accepts changes to it." + link)
            self.read_only_label.show()
        else:
            self.read_only_label.hide()
        self.fields["email"].setText(
            f'<a href="mailto:{_e(c.email)}">{_e(c.email)}</a>' if c.email else "—")
        for key, number in (("phone", c.phone), ("mobile", c.mobile_phone)):
            self.fields[key].setText(f'<a href="{_e(phone_href(number))}">{_e(number)}</a>' if number else "—")
        address_lines = [c.mailing_street, " ".join(p for p in (c.mailing_city, c.mailing_state,
                                                                c.mailing_postal_code) if p), c.mailing_country]
        self.fields["address"].setText("<br>".join(_e(p) for p in address_lines if p) or "—")
        self.fields["owner"].setText(_e(data.owner_name or c.owner_id or "—"))
        self.fields["modified"].setText(_e(when(c.last_modified)) if c.last_modified else "—")
        self.open_button.setEnabled(self._can_open())
        self.open_button.setToolTip(self.salesforce_url or "Connect Salesforce to open records there")
        self.note_button.setEnabled(not c.read_only)
        self.task_button.setEnabled(not c.read_only)
        for button in self.activity_buttons.values():
            button.setEnabled(not c.read_only)
        self.extras_view.setText(extras_html(data))
        self.extras_view.setVisible(bool(data.extras))
        self.household_view.setText(households_html(data.households))
        self.meetings_view.setText(meetings_html(data))
        self.work_view.setText(work_html(data))

    # --------------------------------------------------------------------------------- actions
    @property
    def salesforce_url(self) -> str | None:
        if self.data is None or not self.instance_url:
            return None
        return f"{self.instance_url}/{self.data.contact.sf_id}"

    def _can_open(self) -> bool:
        return bool(self.instance_url) and self.data is not None

    def open_in_salesforce(self) -> None:
        url = self.salesforce_url
        if url:
            QDesktopServices.openUrl(QUrl(url))

    def _new_note(self) -> None:
        if self.data is not None:
            self.new_note_requested.emit(self.data.contact.id)

    def new_activity(self, kind: str) -> bool:
        """Ask for a new call, meeting … with the client on screen; False when there is none (or read-only)."""
        if self.data is None or self.data.contact.read_only:
            return False
        self.new_activity_requested.emit(str(kind), self.data.contact.id)
        return True

    def new_task(self) -> bool:
        """"New task" (and Ctrl+T): a task about the client on screen; False when none can take one."""
        if self.data is None or self.data.contact.read_only:
            return False
        self.new_task_requested.emit(self.data.contact.id)
        return True

    def write_meeting_note(self, event_id: int) -> bool:
        """A new note tied to one of the shown client's meetings; False when that is not possible."""
        data = self.data
        if data is None or data.contact.read_only or all(e.id != event_id for e in data.upcoming + data.past):
            return False
        self.meeting_note_requested.emit(data.contact.id, event_id)
        return True

    def new_meeting(self) -> bool:
        """The hook for "New meeting": asks for an Event about the client on screen (whoever builds
        meetings connects ``new_meeting_requested``); False when no client can take one."""
        if self.data is None or self.data.contact.read_only:
            return False
        self.new_meeting_requested.emit(self.data.contact.id)
        return True

    def _meeting_link(self, href: str) -> None:
        kind, _, number = href.partition(":")
        if not number.isdigit():
            return
        if kind == "meeting":
            self.write_meeting_note(int(number))
        elif kind == ItemKind.NOTE:
            self.open_note_requested.emit(int(number))

    def _converted_link(self, href: str) -> None:
        if href.startswith("contact:"):
            self.open_contact.emit(int(href.split(":", 1)[1]))

    def _household_link(self, href: str) -> None:
        kind, _, target = href.partition(":")
        if kind == "contact" and target.isdigit():
            self.open_contact.emit(int(target))
        elif kind == "household" and target:
            aio.start(self.show_household(target), name="household-view")

    async def show_household(self, account_sf_id: str) -> None:
        """The household view in place of the client (Back returns to them)."""
        if self.connection_id is None:
            return
        self._request += 1
        await self.household.show_household(self.connection_id, account_sf_id)
        self.stack.setCurrentWidget(self.household)

    def _back_to_client(self) -> None:
        if self.data is not None:
            self.stack.setCurrentIndex(3)
        else:
            self.clear()

    def _work_link(self, href: str) -> None:
        kind, _, number = href.partition(":")
        if kind == "contact" and number.isdigit():  # a converted lead's contact
            self.open_contact.emit(int(number))
        elif number.isdigit() and kind == ItemKind.NOTE:
            self.open_note_requested.emit(int(number))
        elif number.isdigit() and kind == ItemKind.TASK:
            self.open_task_requested.emit(int(number))
        elif number.isdigit():
            self.open_activity_requested.emit(kind, int(number))
