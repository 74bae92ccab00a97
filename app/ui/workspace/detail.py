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
from PySide6.QtWidgets import QLabel, QStackedWidget, QVBoxLayout, QWidget

from app.services.clients import ClientDetail, ClientDirectory
from app.services.drafts import ItemKind
from app.services.events import Events, ItemStateChanged
from app.services.workspace import Database
from app.ui import aio
from app.ui.widgets.empty_state import EmptyState
from app.ui.workspace.detail_card import ClientCard
from app.ui.workspace.household import HouseholdView


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
        self.card = ClientCard(db)  # the client shown (index 3): its widgets, built and rendered there
        card = self.card  # its widgets keep the names the shell and tests know them by
        self.name_label, self.read_only_label, self.fields = card.name_label, card.read_only_label, card.fields
        self.open_button, self.note_button, self.task_button = card.open_button, card.note_button, card.task_button
        self.activity_buttons, self.timeline = card.activity_buttons, card.timeline
        self.household_view, self.meetings_view = card.household_view, card.meetings_view
        self.work_view = card.work_view
        self._wire_card()
        self.stack.addWidget(self.card)
        self.household = HouseholdView(db)  # a household opened from the client view (index 4)
        self.household.open_contact.connect(self.open_contact)
        self.household.open_note_requested.connect(self.open_note_requested)
        self.household.open_task_requested.connect(self.open_task_requested)
        self.household.back_requested.connect(self._back_to_client)
        self.stack.addWidget(self.household)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.stack)

    def _wire_card(self) -> None:
        """The card's buttons and links to what they do (the card only shows; this panel acts)."""
        self.read_only_label.linkActivated.connect(self._converted_link)
        self.open_button.clicked.connect(self.open_in_salesforce)
        self.note_button.clicked.connect(self._new_note)
        self.task_button.clicked.connect(self.new_task)
        for kind, button in self.activity_buttons.items():
            button.clicked.connect(lambda _checked=False, kind=kind: self.new_activity(kind))
        self.household_view.linkActivated.connect(self._household_link)
        self.meetings_view.linkActivated.connect(self._meeting_link)
        self.work_view.linkActivated.connect(self._work_link)
        self.timeline.open_note_requested.connect(self.open_note_requested)
        self.timeline.open_task_requested.connect(self.open_task_requested)
        self.timeline.open_activity_requested.connect(self.open_activity_requested)

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
        self.card.show_client(data, self.salesforce_url)
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
                self.card.show_client(data, self.salesforce_url)
                await self.timeline.show_client(cid, contact_id, refresh=False)
            if not self._refresh_again:
                return

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
