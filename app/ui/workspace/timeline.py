"""The client's history timeline in the detail panel: the advisor's meeting-prep view.

Shown at once from the workspace (so it works on the plane), with "as of 08:14 today"; when a
Salesforce connection is available the client's history is then brought up to date in the
background (``ClientHistory.refresh``) and the timeline redrawn, never blocking the screen.

Everything from Salesforce is shown as escaped text: the list is rich text built only from
``html.escape``d values, and a whole note opens as *plain text* in a read-only viewer, so a note's
markup can never run scripts or load remote images.
"""

from __future__ import annotations

import asyncio
import html
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any

import shiboken6
from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPlainTextEdit, QPushButton, QVBoxLayout, QWidget

from app.services.history import ClientHistory, EntryKind, RefreshOutcome, Timeline, TimelineEntry
from app.services.workspace import Database
from app.ui import aio
from app.ui.widgets.rich_text_view import RichTextView

ClientSource = Callable[[], Awaitable[Any]]  # ConnectionManager.client
# A client must stay open this long before its history is refreshed: arrowing through the list
# costs no API calls, only the client the advisor stops at does.
REFRESH_AFTER_SECONDS = 1.0


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


def as_of_words(moment: datetime | None, now: datetime | None = None) -> str:
    """ "as of 08:14 today", "as of yesterday 17:02", "as of 3 Dec 2026, 09:30" (local time)."""
    if moment is None:
        return "Salesforce history not on this computer yet — it comes with the next sync while online."
    local = moment.astimezone()
    today = (now or datetime.now().astimezone()).date()
    clock = local.strftime("%H:%M")
    if local.date() == today:
        return f"as of {clock} today"
    if (today - local.date()).days == 1:
        return f"as of yesterday {clock}"
    return f"as of {local.day} {local:%b %Y}, {clock}"


_LABELS = {EntryKind.NOTE: "Note", EntryKind.TASK: "Task", EntryKind.CALL: "Call", EntryKind.EMAIL: "Email",
           EntryKind.MEETING: "Meeting", EntryKind.OPPORTUNITY: "Opportunity",
           EntryKind.LOCAL_NOTE: "Note in Notebridge", EntryKind.LOCAL_TASK: "Task in Notebridge"}
_TASK_LIKE = (EntryKind.TASK, EntryKind.CALL, EntryKind.EMAIL)


def _label(entry: TimelineEntry) -> str:
    if entry.kind is EntryKind.LOCAL_ACTIVITY:
        noun = (entry.item_kind.value if entry.item_kind else "item").capitalize()
        return f"{noun} in Notebridge"
    return _LABELS[entry.kind]


def _is_deal(entry: TimelineEntry) -> bool:
    return entry.kind is EntryKind.OPPORTUNITY or (entry.kind is EntryKind.LOCAL_ACTIVITY
                                                   and entry.item_kind is not None and entry.item_kind == "opportunity")


def _day(entry: TimelineEntry) -> str:
    if (entry.kind in (*_TASK_LIKE, EntryKind.LOCAL_TASK) or _is_deal(entry)) and entry.due:
        return f"{entry.due.day} {entry.due:%b %Y}"
    if entry.when is None:
        return ""
    local = entry.when.astimezone()
    if entry.kind is EntryKind.MEETING:
        return f"{local.day} {local:%b %Y}, {local:%H:%M}"
    return f"{local.day} {local:%b %Y}"


def _money(amount: float | None) -> str:
    return f"${amount:,.0f}" if amount is not None else ""


def entry_html(entry: TimelineEntry) -> str:
    """One line of the timeline; every value escaped."""
    day = _day(entry)
    title = _e(entry.title)
    if entry.history_id is not None and entry.kind is EntryKind.NOTE:
        title = f'<a href="hist:{entry.history_id}">{title}</a>'
    elif entry.local_id is not None and entry.item_kind is not None and entry.kind in _LOCAL:
        title = f'<a href="{_e(entry.item_kind.value)}:{entry.local_id}">{title}</a>'
    label = _label(entry)
    facts: list[str] = []
    if entry.kind in _TASK_LIKE:
        facts += [entry.status or "", f"due {day}" if entry.due else "no due date",
                  f"assigned to {entry.person}" if entry.person else ""]
    elif _is_deal(entry):
        facts += [entry.status or "", _money(entry.amount), f"closes {day}" if day else ""]
    else:
        facts += [day, entry.location or "", f"by {entry.person}" if entry.person else ""]
        if entry.kind in _LOCAL:
            facts.append(entry.status or "")
    marks = []
    if entry.is_overdue:
        marks.append('<b style="color:#c62828">Overdue</b>')
    if entry.is_archived:
        marks.append("<i>archived</i>")
    if entry.from_notebridge:
        marks.append("written in Notebridge")
    line = f"<b>{_e(label)}</b> · {title}"
    details = " · ".join(_e(f) for f in facts if f)
    extra = " · ".join(marks)
    preview = f'<br><span style="color:gray">{_e(entry.preview)}</span>' if entry.preview else ""
    return f"<li>{line}{' — ' + details if details else ''}{' · ' + extra if extra else ''}{preview}</li>"


_LOCAL = (EntryKind.LOCAL_NOTE, EntryKind.LOCAL_TASK, EntryKind.LOCAL_ACTIVITY)


def deleted_html(timeline: Timeline) -> str:
    """Items pushed from here that someone deleted in Salesforce: not on the timeline, copy kept."""
    gone = timeline.deleted_in_salesforce
    if not gone:
        return ""
    names = ", ".join(f"“{_e(e.title)}”" for e in gone[:10]) + (" …" if len(gone) > 10 else "")
    return (f"<p><i>Deleted in Salesforce since you sent {'it' if len(gone) == 1 else 'them'}: {names}. "
            "Your copy is kept in Notebridge, in this client's list of what you wrote, marked so.</i></p>")


def timeline_html(timeline: Timeline) -> str:
    if timeline.empty:
        return "<i>No notes, tasks, meetings or opportunities for this client yet.</i>" + deleted_html(timeline)
    parts = []
    for title, entries in (("Open tasks", timeline.open_tasks), ("Upcoming", timeline.upcoming),
                           ("Open opportunities", timeline.opportunities), ("Past", timeline.past)):
        if entries:
            parts.append(f"<b>{_e(title)}</b><ul>{''.join(entry_html(e) for e in entries[:100])}</ul>")
    parts.append(deleted_html(timeline))
    if any(e.is_archived for e in timeline.past):
        parts.append("<p><i>Activities older than a year are archived in Salesforce; they are shown here "
                     "as Notebridge fetched them, marked “archived”.</i></p>")
    return "".join(parts)


class TimelineView(QWidget):
    """``await show_client(connection_id, contact_id)``; signals ask the shell to open local items."""

    open_note_requested = Signal(int)
    open_task_requested = Signal(int)
    open_activity_requested = Signal(str, int)  # (ItemKind, draft id): a call, meeting … logged here
    history_shown = Signal(bool)  # True when the client has Salesforce history on this computer

    def __init__(self, db: Database, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("clientTimeline")
        self.history = ClientHistory(db)
        self.timeline: Timeline | None = None
        self._shown: tuple[int, int] | None = None
        self._refresh: asyncio.Task[None] | None = None
        self._refreshes: set[asyncio.Task[None]] = set()  # earlier clients' refreshes may still run
        self._closed = False
        self.pending_note: int | None = None  # a note to open once the next client is shown (search hit)
        # The debounce is a Qt timer owned by this widget (not an asyncio sleep): it dies with the widget,
        # and it never starts a refresh unless the event loop is running.
        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(int(REFRESH_AFTER_SECONDS * 1000))
        self._debounce.timeout.connect(self._start_refresh)

        self.heading = QLabel("History")
        font = self.heading.font()
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.15)
        self.heading.setFont(font)
        self.as_of = QLabel()
        self.as_of.setObjectName("timelineAsOf")
        self.as_of.setWordWrap(True)
        self.updating = QLabel("Updating from Salesforce…")
        self.updating.setObjectName("timelineUpdating")
        self.updating.hide()
        self.view = RichTextView()
        self.view.setObjectName("timelineEntries")
        self.view.linkActivated.connect(self._link)

        self.note_title = QLabel()
        self.note_title.setObjectName("timelineNoteTitle")
        self.note_title.setWordWrap(True)
        self.note_title.setTextFormat(Qt.TextFormat.PlainText)
        self.note_text = QPlainTextEdit()  # plain text only: no HTML, no scripts, no remote images
        self.note_text.setObjectName("timelineNoteText")
        self.note_text.setReadOnly(True)
        self.note_close = QPushButton("Close note")
        self.note_close.setObjectName("timelineNoteClose")
        self.note_close.clicked.connect(self.close_note)
        self.note_panel = QWidget()
        panel = QVBoxLayout(self.note_panel)
        panel.setContentsMargins(0, 0, 0, 0)
        head = QHBoxLayout()
        head.addWidget(self.note_title, 1)
        head.addWidget(self.note_close)
        panel.addLayout(head)
        panel.addWidget(self.note_text)
        self.note_panel.hide()

        top = QHBoxLayout()
        top.addWidget(self.heading)
        top.addWidget(self.as_of, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(top)
        layout.addWidget(self.updating)
        layout.addWidget(self.note_panel)
        layout.addWidget(self.view)

    def set_online_source(self, client: ClientSource | None) -> None:
        """How to reach Salesforce for the background refresh (None: show what is stored only)."""
        self.history.client = client

    async def show_client(self, connection_id: int, contact_id: int, *, refresh: bool = True) -> Timeline | None:
        """Show the stored timeline now; then, if online, refresh it in the background."""
        if not shiboken6.isValid(self):  # started for a client view that closed before it ran
            return None
        self._shown = (connection_id, contact_id)
        self.close_note()
        timeline = await self.history.timeline(connection_id, contact_id)
        if self._shown != (connection_id, contact_id) or not shiboken6.isValid(self):
            return timeline
        self._render(timeline)
        if self.pending_note is not None:
            note, self.pending_note = self.pending_note, None
            await self.open_note(note)
        if refresh and self.history.client is not None and not self._closed:
            self._debounce.start()  # restarted by the next client: only the one the advisor stays on
        return timeline

    async def aclose(self, grace_seconds: float = 10.0) -> None:
        """Closing the page: start no more refreshes, and let running ones finish (bounded) rather
        than cut them off mid-request."""
        self._closed = True
        if shiboken6.isValid(self._debounce):  # a test's (or a window's) teardown may have deleted us first
            self._debounce.stop()
        running = [t for t in self._refreshes if not t.done()]
        if running:
            await asyncio.wait(running, timeout=grace_seconds)

    @property
    def refreshing(self) -> asyncio.Task[None] | None:
        return self._refresh

    def _start_refresh(self) -> None:
        shown = self._shown
        if shown is None or self._closed or not asyncio.get_event_loop().is_running():
            return
        # A refresh of an earlier client is left to finish (it only redraws its own client):
        # cancelling an HTTP request half-way gains nothing and leaves the connection to clean up.
        self._refresh = aio.start(self._refresh_in_background(*shown), name="client-history-refresh")
        self._refreshes.add(self._refresh)
        self._refresh.add_done_callback(self._refreshes.discard)

    async def _refresh_in_background(self, connection_id: int, contact_id: int) -> None:
        self.updating.show()
        try:
            outcome = await self.history.refresh(connection_id, contact_id)
        finally:
            if shiboken6.isValid(self):
                self.updating.hide()
        if outcome is RefreshOutcome.REFRESHED and self._shown == (connection_id, contact_id) \
                and shiboken6.isValid(self):
            timeline = await self.history.timeline(connection_id, contact_id)
            if self._shown == (connection_id, contact_id) and shiboken6.isValid(self):
                self._render(timeline)

    def _render(self, timeline: Timeline | None) -> None:
        self.timeline = timeline
        if timeline is None:
            self.view.setText("")
            self.as_of.setText("")
            self.history_shown.emit(False)
            return
        self.as_of.setText(as_of_words(timeline.as_of))
        self.view.setText(timeline_html(timeline))
        self.history_shown.emit(timeline.as_of is not None)

    def clear(self) -> None:
        self._shown = None
        self._debounce.stop()
        self.close_note()
        self._render(None)

    # ------------------------------------------------------------------------------ the whole note
    async def open_note(self, history_id: int) -> None:
        shown = self._shown
        if shown is None:
            return
        note = await self.history.note_text(shown[0], history_id)
        if note is None or self._shown != shown or not shiboken6.isValid(self):
            return
        self.note_title.setText(note.title)
        self.note_text.setPlainText(
            note.text if note.text is not None
            else "The whole note is not on this computer yet. It is fetched when you open this client online.")
        self.note_panel.show()

    def close_note(self) -> None:
        self.note_panel.hide()
        self.note_text.clear()

    def _link(self, href: str) -> None:
        kind, _, number = href.partition(":")
        if not number.isdigit():
            return
        if kind == "hist":
            aio.start(self.open_note(int(number)), name="client-history-note")
        elif kind == "note":
            self.open_note_requested.emit(int(number))
        elif kind == "task":
            self.open_task_requested.emit(int(number))
        else:
            self.open_activity_requested.emit(kind, int(number))
