"""The Outbox page: everything owed to Salesforce, its state in words, and what to do about it.

States: Queued → Sending → Pushed (Open in Salesforce) / Needs attention (Salesforce's message and the
fix) / Waiting (the reason and the next try).  Push one, push all; resolve conflicts side by side;
attach an item whose client was deleted to another client.

Wiring (the app shell):

    page = OutboxPage(ctx.db, connection_id, instance_url=conn.instance_url, loop=push.loop, events=bus)
    window.set_page("outbox", page)
    page.attention_count_changed.connect(lambda n: flag_sidebar(window, n))
    page.new_task_requested.connect(lambda: launcher.open_task_editor(None))  # "New task"
    bus.subscribe(PushStatusChanged, lambda e: page.set_loop_status(e.status))  # re-reads the list

The status bar's "3 waiting · sending 2…" comes from the loop's own status on the bus (the shell),
not from this page: one source, so the two can never disagree.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from datetime import datetime
from typing import Any

from PySide6.QtCore import Qt, QUrl, Signal
from PySide6.QtGui import QDesktopServices, QShowEvent
from PySide6.QtWidgets import (
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.services.drafts import Drafts, ItemKind
from app.services.events import Events
from app.services.outbox import Outbox, OutboxCounts, OutboxEntry
from app.services.outbox_sync import LoopStatus
from app.services.sync_settings import NO_CLIENT_CODE
from app.services.workspace import Database
from app.ui import aio
from app.ui.outbox.attach_dialog import AttachDialog
from app.ui.outbox.conflict_view import ConflictView
from app.ui.outbox.drafts_section import DraftsSection
from app.ui.widgets.empty_state import EmptyState
from app.ui.widgets.inline_message import InlineMessage
from app.ui.widgets.status_badge import StatusBadge
from app.wording import counted, plural

STATE_TEXT = {"queued": ("Queued", "idle"), "sending": ("Sending…", "busy"), "pushed": ("Pushed", "ok"),
              "failed": ("Needs attention", "error"), "waiting": ("Waiting", "warn")}


def state_words(entry: OutboxEntry) -> tuple[str, str]:
    row = entry.outbox
    if row.state == "failed" and row.last_error_code == "CONFLICT":
        return "Conflict", "error"
    return STATE_TEXT.get(row.state, (row.state, "idle"))


def detail_words(entry: OutboxEntry, now: datetime | None = None) -> str:
    row = entry.outbox
    if row.state == "waiting":
        when = f" Next try {_when(row.next_try_at, now)}." if row.next_try_at else ""
        return f"{row.last_error_message or 'Waiting.'}{when}"
    if row.state == "failed":
        return row.last_error_message or row.last_error_code or ""
    if row.state == "pushed":
        return row.notice or "In Salesforce."
    if row.state == "sending" and row.outcome_unknown:
        return "Checking whether Salesforce saved it before sending again."
    return row.notice or ""


def _when(value: datetime, now: datetime | None) -> str:
    local = value.astimezone()
    if now is not None and (value - now).total_seconds() < 90:
        return "in a moment"
    return f"at {local.strftime('%H:%M')}"


_KIND_WORDS = {ItemKind.NOTE: "Note", ItemKind.TASK: "Task"}


def item_label(entry: OutboxEntry) -> str:
    """The Item column: "Note: …", "Task: …", and for a person the store's "New person: Name"."""
    kind = ItemKind(entry.outbox.kind)
    if kind is ItemKind.PERSON:
        return entry.title
    return f"{_KIND_WORDS.get(kind, kind.value.capitalize())}: {entry.title}"


def flag_sidebar(window: Any, count: int) -> None:
    """Mark the Outbox section in the main window's sidebar when items need attention."""
    for row in range(window.sidebar.count()):
        item = window.sidebar.item(row)
        if item.data(Qt.ItemDataRole.UserRole) == "outbox":
            item.setText(f"Outbox  ⚠ {count}" if count else "Outbox")
            verb = plural(count, "needs", "need")
            item.setToolTip(f"{counted(count, 'item')} {verb} your attention" if count else "")


class OutboxPage(QWidget):
    attention_count_changed = Signal(int)
    new_task_requested = Signal()  # "New task": a task on its own (the editor offers choosing a client)

    def __init__(self, db: Database, connection_id: int, *, instance_url: str = "", loop: Any = None,
                 open_item: Callable[[ItemKind, int], object] | None = None, events: Events | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("outboxPage")
        self.db = db
        self.outbox = Outbox(db, events)  # its decisions publish ItemStateChanged
        self.connection_id = connection_id
        self.instance_url = instance_url.rstrip("/")
        self.loop = loop
        self.open_item = open_item
        self.entries: list[OutboxEntry] = []
        self.counts = OutboxCounts()

        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 12, 16, 12)
        top = QHBoxLayout()
        heading = QLabel("<h2 style='margin:0'>Outbox</h2>")
        top.addWidget(heading)
        self.summary = QLabel()
        self.summary.setObjectName("outboxSummary")
        top.addWidget(self.summary, 1)
        self.new_task_button = QPushButton("New task")
        self.new_task_button.setObjectName("outboxNewTask")
        self.new_task_button.setToolTip("A follow-up to send to Salesforce as a Task (Ctrl+T)")
        self.new_task_button.clicked.connect(self.new_task_requested)
        top.addWidget(self.new_task_button)
        self.push_selected = QPushButton("Push selected")
        self.push_selected.setObjectName("outboxPushSelected")
        self.push_all = QPushButton("Push all")
        self.push_all.setObjectName("outboxPushAll")
        self.push_all.setToolTip("Queue every ready draft and retry everything waiting (Ctrl+Enter)")
        top.addWidget(self.push_selected)
        top.addWidget(self.push_all)
        layout.addLayout(top)
        # Unsent drafts first: what the advisor may still open, push or discard (its own use cases).
        self.drafts = DraftsSection(Drafts(db, self.outbox.events), connection_id, open_item=open_item)
        layout.addWidget(self.drafts)

        self.stack = QStackedWidget()
        self.empty = EmptyState(name="outboxEmpty", illustration="illustrations/outbox-empty.svg",
                                title="Nothing waiting to go to Salesforce",
                                text="Notes and tasks you push appear here until Salesforce has them. If you "
                                "are offline, they wait here safely and go out when you are back online.")
        self.stack.addWidget(self.empty)
        splitter = QSplitter(Qt.Orientation.Vertical)
        self.tree = QTreeWidget()
        self.tree.setObjectName("outboxList")
        self.tree.setHeaderLabels(["State", "Item", "Client", "Details"])
        self.tree.setRootIsDecorated(False)
        self.tree.setAlternatingRowColors(True)
        self.tree.setUniformRowHeights(True)
        header = self.tree.header()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        header.resizeSection(1, 260)
        splitter.addWidget(self.tree)
        splitter.addWidget(self._build_detail())
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        self.stack.addWidget(splitter)
        layout.addWidget(self.stack, 1)

        self.tree.currentItemChanged.connect(lambda *_: self._show_detail())
        self.tree.itemDoubleClicked.connect(lambda *_: self._open_current())
        self.push_all.clicked.connect(aio.slot(self.push_everything))
        self.push_selected.clicked.connect(aio.slot(self.push_current))
        self.conflict.choice.connect(aio.slot(self.resolve))

    def _build_detail(self) -> QWidget:
        panel = QWidget()
        panel.setObjectName("outboxDetail")
        box = QVBoxLayout(panel)
        box.setContentsMargins(0, 8, 0, 0)
        row = QHBoxLayout()
        self.detail_badge = StatusBadge("", "idle")
        self.detail_title = QLabel()
        self.detail_title.setObjectName("outboxDetailTitle")
        self.detail_title.setWordWrap(True)
        row.addWidget(self.detail_badge)
        row.addWidget(self.detail_title, 1)
        self.open_sf = QPushButton("Open in Salesforce")
        self.open_sf.setObjectName("outboxOpenInSalesforce")
        self.open_sf.clicked.connect(self._open_in_salesforce)
        self.edit = QPushButton("Edit")
        self.edit.setObjectName("outboxEdit")
        self.edit.clicked.connect(self._open_current)
        self.attach = QPushButton("Attach to another client…")
        self.attach.setObjectName("outboxAttach")
        self.attach.clicked.connect(aio.slot(self.attach_to_other))
        for button in (self.edit, self.attach, self.open_sf):
            row.addWidget(button)
        box.addLayout(row)
        self.message = InlineMessage(name="outboxMessage")
        box.addWidget(self.message)
        self.conflict = ConflictView()
        box.addWidget(self.conflict)
        box.addStretch(1)
        return panel

    # -- data -----------------------------------------------------------------------------------------
    async def refresh(self) -> None:
        view = await self.outbox.view(self.connection_id)
        if not aio.alive(self.tree):  # the page was replaced (e.g. a new connection) while the read ran
            return
        self.set_entries(view.entries, view.counts)

    def set_entries(self, entries: list[OutboxEntry], counts: OutboxCounts) -> None:
        current = self.current_entry()
        keep = current.outbox.id if current else None
        self.entries, self.counts = entries, counts
        self.tree.clear()
        now = datetime.now().astimezone()
        for entry in entries:
            words, _kind = state_words(entry)
            flag = "⚠ " if entry.outbox.state == "failed" else ""
            item = QTreeWidgetItem([f"{flag}{words}", item_label(entry), entry.client_name or "—",
                                    detail_words(entry, now)])
            item.setData(0, Qt.ItemDataRole.UserRole, entry.outbox.id)
            item.setToolTip(3, detail_words(entry, now))
            self.tree.addTopLevelItem(item)
            if entry.outbox.id == keep:
                self.tree.setCurrentItem(item)
        first = self.tree.topLevelItem(0)
        if self.tree.currentItem() is None and first is not None:
            self.tree.setCurrentItem(first)
        self.stack.setCurrentIndex(1 if entries else 0)
        pushed = sum(1 for e in entries if e.outbox.state == "pushed")
        self.summary.setText(f"{counts.pending} to send · {counts.needs_attention} need attention · "
                             f"{pushed} pushed this week")
        self.push_selected.setEnabled(bool(entries))
        self._show_detail()
        self.attention_count_changed.emit(counts.needs_attention)

    def set_loop_status(self, status: LoopStatus) -> None:
        """Connect the push loop's ``on_status`` here: the list is read again (states move)."""
        if not aio.alive(self.tree):  # a status that arrives after the page is gone has nothing to show
            return
        aio.start(self.refresh(), name="outbox-refresh")

    def current_entry(self) -> OutboxEntry | None:
        item = self.tree.currentItem()
        if item is None:
            return None
        outbox_id = item.data(0, Qt.ItemDataRole.UserRole)
        return next((e for e in self.entries if e.outbox.id == outbox_id), None)

    def _show_detail(self) -> None:
        entry = self.current_entry()
        self.conflict.setVisible(False)
        self.message.clear()
        if entry is None:
            self.detail_title.setText("")
            self.detail_badge.set_status("", "idle")
            for button in (self.open_sf, self.attach, self.edit):
                button.setVisible(False)
            return
        row = entry.outbox
        words, kind = state_words(entry)
        self.detail_badge.set_status(words, kind)
        self.detail_title.setText(f"<b>{_esc(entry.title)}</b> — {_esc(entry.client_name or 'no client')}")
        remote = row.remote_id if row.state == "pushed" else None
        self.open_sf.setVisible(bool(remote and self.instance_url))
        self.edit.setVisible(self.open_item is not None)
        self.attach.setVisible((row.state == "failed" and row.last_error_code == "ENTITY_IS_DELETED"
                                and not (isinstance(row.conflict, dict) and row.conflict.get("deleted")))
                               or (row.state == "waiting" and row.last_error_code == NO_CLIENT_CODE))
        if row.state == "failed":
            self.message.show_message("error", row.last_error_message or "", fix=row.last_error_hint or "")
            if isinstance(row.conflict, dict):
                self.conflict.setVisible(True)
                aio.start(self._fill_conflict(entry), name="outbox-conflict")
        elif row.state == "waiting":
            self.message.show_message("warn", detail_words(entry, datetime.now().astimezone()))
        elif row.notice:
            self.message.show_message("info" if row.state != "pushed" else "ok", row.notice)

    async def _fill_conflict(self, entry: OutboxEntry) -> None:
        row = entry.outbox
        mine = await self.outbox.my_version(row.kind, row.item_id)
        if aio.alive(self.conflict):
            self.conflict.show_conflict(mine, row.conflict)

    # -- actions --------------------------------------------------------------------------------------
    async def push_everything(self) -> None:
        result = await self.outbox.push_all(self.connection_id)
        if result.refused:
            self.message.show_message(
                "warn", f"{counted(len(result.refused), 'draft')} {plural(len(result.refused), 'is', 'are')} not ready "
                "(a title is missing or too long) and stayed drafts.", fix="Open them to see what to fix.")
        self._wake()
        await self.refresh()

    async def push_current(self) -> None:
        entry = self.current_entry()
        if entry is None:
            return
        await self.outbox.retry_now(self.connection_id, [entry.outbox.id])
        self._wake()
        await self.refresh()

    async def resolve(self, choice: str) -> None:
        entry = self.current_entry()
        if entry is None:
            return
        await self.outbox.resolve_conflict(self.connection_id, entry.outbox.id, choice)  # type: ignore[arg-type]
        self._wake()
        await self.refresh()

    async def attach_to_other(self) -> None:
        entry = self.current_entry()
        if entry is None:
            return
        dialog = AttachDialog(self.db, self.connection_id, self)
        if await aio.run_dialog(dialog) and dialog.chosen is not None:
            await self.outbox.attach_to_client(self.connection_id, entry.outbox.id, dialog.chosen)
            self._wake()
            await self.refresh()

    def _open_in_salesforce(self) -> None:
        entry = self.current_entry()
        if entry is not None and entry.outbox.remote_id and self.instance_url:
            QDesktopServices.openUrl(QUrl(f"{self.instance_url}/{entry.outbox.remote_id}"))

    def _open_current(self) -> None:
        entry = self.current_entry()
        if entry is not None and self.open_item is not None:
            result = self.open_item(entry.outbox.kind, entry.outbox.item_id)
            if isinstance(result, Coroutine):
                aio.start(result, name="outbox-open")

    def _wake(self) -> None:
        if self.loop is not None:
            self.loop.wake()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        aio.start(self.refresh(), name="outbox-refresh")


def _esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
