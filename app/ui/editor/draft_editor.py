"""What the note and the task editor share: saving as you type, the state line ("Draft · saved"),
the limits banner that turns Push off (never cutting text), and Push itself (button, Ctrl+Enter).

One base class so the two cannot drift apart: before it, the task editor never showed a failed
save, which the note editor did.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import shiboken6
from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QApplication, QBoxLayout, QHBoxLayout, QLabel, QPushButton, QWidget

from app.services.drafts import Drafts, ItemKind, LimitProblem, WriteFailure
from app.services.events import ItemStateChanged
from app.services.workspace import Database
from app.ui import aio
from app.ui.editor.autosave import Autosaver
from app.ui.widgets.inline_message import InlineMessage

STATE_LABELS = {
    "draft": "Draft", "queued": "Queued", "sending": "Sending…", "pushed": "Pushed",
    "needs_attention": "Needs attention", "waiting": "Waiting",
}
PUSH_KEYS = ("Ctrl+Return", "Ctrl+Enter")


class DraftEditor(QWidget):
    """Subclasses build their fields, then call :meth:`_start`; they implement ``values``,
    ``_fill`` (draft → fields) and ``_limits`` (update the counters, return the problems), and may
    override ``_sync_fields``."""

    saved = Signal(object)  # the draft after each save
    queued = Signal(int)    # its id, once it is in the outbox

    KIND: ItemKind  # the outbox kind: a class attribute (note, task), or per editor (the activity editor)

    def __init__(self, db: Database, draft: Any, parent: QWidget | None = None, *,
                 drafts: Drafts | None = None) -> None:
        """``drafts``: the use cases on the app's event bus (queueing then wakes the push by itself)."""
        super().__init__(parent)
        self.db = db
        self.drafts = drafts or Drafts(db)
        self.draft = draft
        self._loading = True

    def _finish(self, layout: QBoxLayout, problems: InlineMessage, *, state_name: str, push_name: str,
                beside_push: tuple[QWidget, ...] = ()) -> None:
        """The footer every editor ends with — its state on the left, ``beside_push`` and Push on the
        right — then autosave and the Push shortcut (``_start``)."""
        footer = QHBoxLayout()
        state_label = QLabel()
        state_label.setObjectName(state_name)
        footer.addWidget(state_label, 1)
        for widget in beside_push:
            footer.addWidget(widget)
        push_button = QPushButton("Push to Salesforce")
        push_button.setObjectName(push_name)
        push_button.setToolTip("Push now (Ctrl+Enter)")
        footer.addWidget(push_button)
        layout.addLayout(footer)
        self._start(state_label, problems, push_button)

    def _start(self, state_label: QLabel, problems: InlineMessage, push_button: QPushButton) -> None:
        self.state_label = state_label
        self.problems = problems
        self.push_button = push_button
        self.autosave = Autosaver(self._save, self.values, self)
        self.autosave.saved.connect(self._on_saved)
        self.autosave.save_failed.connect(self._show_failure)
        self.autosave.recovered.connect(self._update_limits)
        self.autosave.dirty_changed.connect(self._show_state)
        app = QApplication.instance()
        if isinstance(app, QApplication):  # any field losing focus saves, whichever field it is
            app.focusChanged.connect(self._focus_changed)
        self._load()
        # The item's state as the push (or the Outbox page) moves it: "Queued" → "Pushed" here too.
        self._unsubscribe = self.drafts.events.subscribe(ItemStateChanged, self._item_state_changed)
        self.destroyed.connect(lambda *_: self._unsubscribe())
        push_button.clicked.connect(aio.slot(self.push))
        for keys in PUSH_KEYS:
            QShortcut(QKeySequence(keys), self,
                      context=Qt.ShortcutContext.WidgetWithChildrenShortcut).activated.connect(aio.slot(self.push))

    # -- for subclasses -------------------------------------------------------------------------------
    def values(self) -> dict[str, Any]:
        raise NotImplementedError

    def _fill(self, draft: Any) -> None:
        raise NotImplementedError

    def _limits(self) -> list[LimitProblem]:
        raise NotImplementedError

    def as_text(self) -> str:
        """Everything typed, as plain text, for "Copy text" and "Save as file…" when saving fails."""
        raise NotImplementedError

    def _sync_fields(self) -> None:
        """Keep fields that depend on others in step (after loading and after every edit)."""

    # -- shared ---------------------------------------------------------------------------------------
    def _load(self) -> None:
        self._loading = True
        self._fill(self.draft)
        self._loading = False
        self._sync_fields()
        self._update_limits()
        self._show_state(False)

    async def _save(self, values: dict[str, Any]) -> Any:
        return await self.drafts.save(self.KIND, self.draft.id, values)  # "save draft": one transaction

    def _changed(self, *_args: object) -> None:
        if self._loading:
            return
        self._sync_fields()
        self._update_limits()
        self.autosave.changed()

    def _on_saved(self, draft: Any) -> None:
        self.draft = draft
        self.saved.emit(draft)
        self._show_state(self.autosave.dirty)

    def _show_state(self, dirty: bool) -> None:
        state = STATE_LABELS.get(self.draft.state, self.draft.state)
        self.state_label.setText(f"{state} · saving…" if dirty else f"{state} · saved")

    def detach(self) -> None:
        """The window closed: stop following the item (nothing is shown any more)."""
        self._unsubscribe()

    def _item_state_changed(self, event: ItemStateChanged) -> None:
        if event.kind == self.KIND and event.item_id in (self.draft.id, None) \
                and event.connection_id == self.draft.connection_id:
            aio.start(self._refresh_state(), name="editor-state")

    async def _refresh_state(self) -> None:
        """Re-read the state only: the fields stay as typed (they may be ahead of the disk)."""
        fresh = await self.drafts.get(self.KIND, self.draft.id)
        if fresh is None or not shiboken6.isValid(self) or fresh.state == self.draft.state:
            return
        self.draft = replace(self.draft, state=fresh.state)
        self._show_state(self.autosave.dirty)

    def _focus_changed(self, old: QWidget | None, new: QWidget | None) -> None:
        """Focus left one of our fields (for another field, another window or another program)."""
        if old is not None and old is not new and self.isAncestorOf(old):
            self.autosave.flush_soon()

    def _show_failure(self, failure: WriteFailure) -> None:
        self.problems.show_message(
            "error", f"Could not save your changes: {failure.cause} What you typed is still here.",
            fix=f"{failure.fix} Notebridge keeps trying by itself.")

    def _update_limits(self) -> None:
        problems = self._limits()
        if self.autosave.last_failure is not None:  # a failed save matters more than a limit
            self._show_failure(self.autosave.last_failure)
        elif problems:
            self.problems.show_message("warn", " ".join(p.message for p in problems),
                                       fix="Push is off until this is fixed; nothing is cut off.")
        else:
            self.problems.clear()
        self.push_button.setEnabled(not problems)

    async def push(self) -> bool:
        """Save, then queue for Salesforce.  False (and the reason shown) if a limit is broken."""
        await self.autosave.flush()
        if self.autosave.dirty:  # what is on screen is not on disk: pushing would send an older text
            return False          # the failure is already shown, with what to do
        draft_id = self.draft.id
        result = await self.drafts.queue_for_push(self.KIND, [draft_id])
        if draft_id in result.refused:
            self.problems.show_message("error", " ".join(p.message for p in result.refused[draft_id]))
            return False
        fresh = await self.drafts.get(self.KIND, draft_id)
        if fresh is not None:
            self.draft = fresh
        self._show_state(False)
        self.queued.emit(draft_id)
        return True

