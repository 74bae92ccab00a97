"""The contact detail panel: who they are, how to reach them, and what happened with them.

Name, title, account/household, clickable e-mail and phone numbers, address, owner, last modified,
**Open in Salesforce** (``<instance>/<Id>``), meetings (upcoming first, then past), and the
advisor's notes and tasks for this person, local and pushed.  A converted lead is shown read-only
with a link to the contact it became.
"""

from __future__ import annotations

import asyncio
import html
from datetime import datetime

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

from app.services.clients import ClientDetail, ClientDirectory, EventSummary
from app.services.drafts import ItemKind
from app.services.events import Events, ItemStateChanged
from app.services.workspace import Database
from app.ui import aio
from app.ui.widgets.empty_state import EmptyState
from app.ui.workspace.timeline import TimelineView

_STATE_WORDS = {
    "draft": "Draft", "queued": "Waiting to push", "sending": "Pushing…", "pushed": "In Salesforce",
    "needs_attention": "Needs attention", "waiting": "Waiting to retry",
}


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


def phone_href(phone: str) -> str:
    digits = "".join(ch for ch in phone if ch.isdigit())
    return f"tel:{'+' if phone.strip().startswith('+') else ''}{digits}"


def _when(moment: datetime | None, *, all_day: bool = False) -> str:
    if moment is None:
        return "No date"
    local = moment.astimezone()
    return local.strftime("%a %d %b %Y") if all_day else local.strftime("%a %d %b %Y, %H:%M")


class ContactDetail(QWidget):
    """``await show_contact(id)``; signals ask the shell to open the editor."""

    open_contact = Signal(int)  # e.g. a converted lead's contact
    new_note_requested = Signal(int)
    open_note_requested = Signal(int)
    open_task_requested = Signal(int)

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
        buttons.addWidget(self.note_button)
        buttons.addWidget(self.open_button)
        buttons.addStretch(1)

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

        self.meetings_label = self._section_label("Meetings")
        self.meetings_view = QLabel()
        self.meetings_view.setObjectName("detailMeetings")
        self.meetings_view.setWordWrap(True)
        self.meetings_view.setTextFormat(Qt.TextFormat.RichText)
        self.work_label = self._section_label("Notes and tasks")
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
        column.addLayout(grid)
        column.addWidget(self.timeline)
        for widget in (self.meetings_label, self.meetings_view, self.work_label, self.work_view):
            column.addWidget(widget)
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
                or event.kind not in (ItemKind.NOTE, ItemKind.TASK):
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
        self.subtitle_label.setText(" · ".join(p for p in (kind, c.title, c.account_name) if p))
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
        self.fields["modified"].setText(_e(_when(c.last_modified)) if c.last_modified else "—")
        self.open_button.setEnabled(self._can_open())
        self.open_button.setToolTip(self.salesforce_url or "Connect Salesforce to open records there")
        self.note_button.setEnabled(not c.read_only)
        self.meetings_view.setText(self._meetings_html(data))
        self.work_view.setText(self._work_html(data))

    def _meetings_html(self, data: ClientDetail) -> str:
        if not data.upcoming and not data.past:
            return "<i>No meetings in the last or next 90 days.</i>"
        parts = []
        for title, items in (("Upcoming", data.upcoming), ("Past", data.past)):
            if not items:
                continue
            rows = "".join(f"<li>{self._meeting(e)}</li>" for e in items[:50])
            parts.append(f"<b>{title}</b><ul>{rows}</ul>")
        return "".join(parts)

    @staticmethod
    def _meeting(event: EventSummary) -> str:
        where = f" — {_e(event.location)}" if event.location else ""
        return f"{_e(_when(event.start_at, all_day=event.is_all_day))}: {_e(event.subject or 'Meeting')}{where}"

    @staticmethod
    def _notes_go_to(data: ClientDetail) -> str:
        """A converted lead takes no new notes (New note is greyed out): say where they go instead."""
        target = data.converted_to
        if target is not None:
            return (f'New notes about this person go to <a href="contact:{target.id}">{_e(target.name)}</a>, '
                    "the contact this lead became.")
        return ("New notes about this person go to the contact this lead became in Salesforce; it is not in "
                "your workspace yet (Sync now brings it here).")

    @classmethod
    def _work_html(cls, data: ClientDetail) -> str:
        where = f"<p>{cls._notes_go_to(data)}</p>" if data.contact.read_only else ""
        if not data.notes and not data.tasks:
            if where:
                return f"<i>No notes or tasks for this lead.</i>{where}"
            return "<i>No notes or tasks for this client yet. Choose “New note” to write one.</i>"
        rows = []
        for note in data.notes:
            state = _STATE_WORDS.get(note.state, note.state)
            rows.append((note.updated_at, f'<li><a href="note:{note.id}">{_e(note.title or "Untitled note")}</a>'
                                          f" — note, {_e(state)}, {_e(_when(note.updated_at))}</li>"))
        for task in data.tasks:
            state = _STATE_WORDS.get(task.state, task.state)
            due = f", due {task.due_date:%d %b %Y}" if task.due_date else ""
            rows.append((task.updated_at, f'<li><a href="task:{task.id}">{_e(task.subject or "Untitled task")}</a>'
                                          f" — task{_e(due)}, {_e(state)}</li>"))
        rows.sort(key=lambda pair: pair[0], reverse=True)
        return "<ul>" + "".join(html_row for _, html_row in rows) + "</ul>" + where

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

    def _converted_link(self, href: str) -> None:
        if href.startswith("contact:"):
            self.open_contact.emit(int(href.split(":", 1)[1]))

    def _work_link(self, href: str) -> None:
        kind, _, number = href.partition(":")
        if kind == "contact" and number.isdigit():  # a converted lead's contact
            self.open_contact.emit(int(number))
        elif number.isdigit():
            (self.open_note_requested if kind == ItemKind.NOTE else self.open_task_requested).emit(int(number))
