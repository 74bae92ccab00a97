"""Editor windows and the launcher the rest of the app uses to open them.

    launcher = EditorLauncher(ctx.db, connection_id, events=bus,  # queueing publishes ItemStateChanged
                              client=connections.client)           # the org's task values, when not cached
    await launcher.open_note_editor(contact_id)        # a new note for a client (Ctrl+N)
    await launcher.open_note(note_id)                  # an existing note
    await launcher.open_task_editor(contact_id)        # a new task
    await launcher.open_task(task_id)
    await launcher.open_activity_editor(kind, contact_id)  # "Log a call", "New meeting" … for a client
    await launcher.open_activity(kind, draft_id)

Each editor lives in its own top-level window (advisors keep a note open next to the client's
record).  Closing a window saves first: the close is held back until the text is on disk.  If the
save fails the window stays open and says why, offering "Copy text" and "Save as file…"; only an
explicit "Close without saving" closes over unsaved text.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine
from typing import Any

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtGui import QCloseEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import QVBoxLayout, QWidget

from app.services.activities import Activities, FieldType, activity_form
from app.services.drafts import Drafts, ItemKind, WriteFailure
from app.services.email_log import EmailLog, ParsedEmail
from app.services.events import Events
from app.services.meeting_attendees import AttendeeSharing
from app.services.picklist_choices import PicklistChoices
from app.services.task_choices import ClientFactory, TaskChoices, TaskChoicesLoad, complete
from app.services.workspace import Database
from app.ui import aio
from app.ui.editor.activity_editor import ActivityEditor
from app.ui.editor.email_editor import EmailEditor
from app.ui.editor.note_editor import NoteEditor
from app.ui.editor.task_editor import TaskEditor
from app.ui.editor.unsaved_panel import UnsavedPanel

log = logging.getLogger(__name__)

CHOICES_WAIT = 3.0  # seconds a new task waits for the org's status/priority values before showing


def _loop_running() -> bool:
    """False while the app is quitting (the loop has stopped): no new work is started then."""
    try:
        return asyncio.get_event_loop().is_running()
    except RuntimeError:
        return False


class EditorWindow(QWidget):
    closed = Signal()

    def __init__(self, editor: NoteEditor | TaskEditor | ActivityEditor, title: str) -> None:
        super().__init__(None, Qt.WindowType.Window)
        self.setObjectName("editorWindow")
        self.setWindowTitle(title)
        self.editor = editor
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.unsaved = UnsavedPanel(editor.as_text, title, self)
        layout.addWidget(self.unsaved)
        layout.addWidget(editor)
        self.resize(720, 640)
        self._closing: asyncio.Task[None] | None = None
        self._discarded = False
        self.unsaved.discard_requested.connect(self._discard_and_close)
        self.unsaved.retry_requested.connect(aio.slot(self._retry))
        editor.autosave.recovered.connect(self.unsaved.hide)
        editor.autosave.save_failed.connect(self._on_save_failed)
        QShortcut(QKeySequence(QKeySequence.StandardKey.Close), self).activated.connect(self.close)

    def closeEvent(self, event: QCloseEvent) -> None:
        if self._discarded or not self.editor.autosave.dirty:
            super().closeEvent(event)
            self.editor.detach()
            self.closed.emit()
            return
        event.ignore()  # save first; close only once the text is on disk
        if self._closing is None or self._closing.done():
            self._closing = aio.start(self._save_then_close(), name="editor-close")

    @property
    def discarded(self) -> bool:
        """The advisor closed it without saving ("Close without saving")."""
        return self._discarded

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.ActivationChange and not self.isActiveWindow():
            self.editor.autosave.flush_soon()  # the advisor went to another window or program

    async def save_or_explain(self) -> bool:
        """Save now; True once the text is on disk (or the advisor chose to discard it).  If the
        save fails the window comes to the front saying why, with Copy text / Save as file…."""
        await self.editor.autosave.flush()
        if self._discarded or not self.editor.autosave.dirty:
            return True
        self.unsaved.show_failure(self.editor.autosave.last_failure)
        self.show()
        self.raise_()
        self.activateWindow()
        return False

    async def _save_then_close(self) -> None:
        if await self.save_or_explain():  # never close over unsaved text
            self.close()

    def _on_save_failed(self, failure: WriteFailure) -> None:
        if self.unsaved.isVisible() and failure.problem is not self.unsaved.shown_problem:
            self.unsaved.show_failure(failure)  # a retry failed for a new reason

    async def _retry(self) -> None:
        await self.editor.autosave.flush()
        if not self.editor.autosave.dirty:
            self.unsaved.hide()

    def _discard_and_close(self) -> None:
        """The advisor chose to close without saving (after copying the text, say)."""
        log.warning("editor closed without saving by the advisor's choice")
        self._discarded = True
        self.editor.autosave.abandon()
        self.close()


class EditorLauncher:
    def __init__(self, db: Database, connection_id: int, *, on_queued: Callable[[], None] | None = None,
                 events: Events | None = None, client: ClientFactory | None = None) -> None:
        """``client``: the connection's live client, to fetch the org's task values the first time."""
        self.db = db
        self.drafts = Drafts(db, events)
        self.choices = TaskChoices(db, client)
        self.connection_id = connection_id
        self.on_queued = on_queued or (lambda: None)
        self.windows: list[EditorWindow] = []
        self._forgetting: set[asyncio.Task[bool]] = set()  # empty drafts of closed windows being dropped
        self.choices_loading: asyncio.Task[TaskChoicesLoad] | None = None  # the org's task values, asked

    # -- notes ----------------------------------------------------------------------------------------
    async def open_note_editor(self, contact_id: int, *, event_id: int | None = None) -> EditorWindow:
        """A new draft note for a client — on disk before the window shows."""
        note = await self.drafts.new_note(self.connection_id, contact_id, event_id=event_id)
        return await self.open_note(note.id)

    async def open_note(self, note_id: int) -> EditorWindow:
        context = await self.drafts.note_context(note_id)
        note, name = context.note, context.client_name
        editor = NoteEditor(self.db, note, client_name=name, events=context.events, drafts=self.drafts)
        editor.queued.connect(lambda _id: self.on_queued())
        editor.task_requested.connect(aio.slot(self._task_from_note))
        window = self._show(editor, f"Note — {name}" if name else "Note")
        QShortcut(QKeySequence(QKeySequence.StandardKey.New), window).activated.connect(
            aio.slot(self._new_note_like(note.contact_id)))
        return window

    def _new_note_like(self, contact_id: int | None) -> Callable[[], Coroutine[Any, Any, None]]:
        async def new() -> None:
            if contact_id is not None:
                await self.open_note_editor(contact_id)

        return new

    async def _task_from_note(self, note_id: int, text: str) -> None:
        await self._wait_for_choices()
        task = await self.drafts.task_from_action_item(self.connection_id, note_id, text)
        await self.open_task(task.id)

    # -- tasks ----------------------------------------------------------------------------------------
    async def open_task_editor(self, contact_id: int | None = None) -> EditorWindow:
        """A new task, about the client (a person or a household account) or no one yet."""
        await self._wait_for_choices()  # so a first task starts with the org's default status/priority
        task = await self.drafts.new_task(self.connection_id, contact_id)
        return await self.open_task(task.id)

    async def open_task(self, task_id: int) -> EditorWindow:
        context = await self.drafts.task_context(task_id)
        editor = TaskEditor(
            self.db, context.task, picklists=context.picklists, users=context.users,
            person_name=context.person_name, person_is_lead=context.person_is_lead,
            account_name=context.account_name, drafts=self.drafts)
        editor.queued.connect(lambda _id: self.on_queued())
        name = context.person_name
        window = self._show(editor, f"Task — {name}" if name else "Task")
        editor.person_changed.connect(lambda _id: window.setWindowTitle(f"Task — {editor.person.text()}"))
        # Not cached yet (or cached before the reminder was asked about): asked while the window is open.
        if not complete(context.picklists) or context.picklists.reminders is None:
            loading = self._load_choices()
            if loading.done():
                self._apply_choices(editor, loading)
            else:
                if not complete(context.picklists):  # the reminder alone is asked for quietly
                    editor.show_choices_loading()
                loading.add_done_callback(lambda done: self._apply_choices(editor, done))
        return window

    def _load_choices(self) -> asyncio.Task[TaskChoicesLoad]:
        """One fetch of the org's task values at a time, shared by every window that waits for it."""
        if self.choices_loading is None or self.choices_loading.done():
            self.choices_loading = aio.start(self.choices.load(self.connection_id), name="task-choices")
        return self.choices_loading

    async def _wait_for_choices(self) -> None:
        """Before a new task: its default status/priority come from the org's values, so wait a
        moment for them when they are not cached; a slow org does not hold the window back longer
        (the values fill in when they arrive)."""
        if complete(await self.choices.cached(self.connection_id)):
            return
        await asyncio.wait({self._load_choices()}, timeout=CHOICES_WAIT)

    @staticmethod
    def _apply_choices(editor: TaskEditor, loading: asyncio.Task[TaskChoicesLoad]) -> None:
        if loading.cancelled() or loading.exception() is not None or not aio.alive(editor):
            return  # quitting, or a failure the loop's handler already reports
        load = loading.result()
        editor.set_choices(load.lists, load.problem)

    # -- calls, meetings … (any kind with a form) ---------------------------------------------------------
    async def open_activity_editor(self, kind: ItemKind, contact_id: int) -> EditorWindow:
        """A new call, meeting … for a client — on disk before the window shows."""
        draft = await Activities(self.db, self.drafts.events).new(self.connection_id, ItemKind(kind), contact_id)
        return await self.open_activity(draft.kind, draft.id)

    async def open_activity(self, kind: ItemKind, draft_id: int) -> EditorWindow:
        form = activity_form(kind)
        if form is None:
            raise ValueError(f"{kind!r} is not an activity kind")
        context = await Activities(self.db, self.drafts.events).context(draft_id)
        editor_class = EmailEditor if form.imports_email else ActivityEditor  # the form says, not the kind
        editor = editor_class(self.db, context.draft, form=form, person_name=context.person_name,
                              drafts=self.drafts)
        editor.queued.connect(lambda _id: self.on_queued())
        for field in form.fields:
            if field.picklist is not None and not context.draft.remote_id:  # the org's values, asked now
                aio.start(self._fill_picklist(editor, field.name, *field.picklist), name="picklist-choices")
            if field.type == FieldType.PEOPLE and not context.draft.remote_id:  # what the org does with them
                aio.start(self._fill_sharing(editor), name="attendee-sharing")
        name = context.person_name
        return self._show(editor, f"{form.noun} — {name}" if name else form.noun)

    async def open_email(self, parsed: ParsedEmail, contact_id: int | None = None) -> EditorWindow:
        """A dropped email: a new email draft filled from it, on ``contact_id`` or, with none, on the
        client its address matches (none: the editor says so and the draft is on no one yet)."""
        draft, _match = await EmailLog(self.db, self.drafts.events).log(self.connection_id, parsed, contact_id)
        return await self.open_activity(draft.kind, draft.id)

    async def _fill_picklist(self, editor: ActivityEditor, name: str, sobject: str, field_name: str) -> None:
        load = await PicklistChoices(self.choices.client).load(sobject, field_name)
        if aio.alive(editor):
            editor.set_picklist(name, load.values, load.default, load.problem)

    async def _fill_sharing(self, editor: ActivityEditor) -> None:
        load = await AttendeeSharing(self.choices.client).load()
        if aio.alive(editor):
            editor.set_sharing(load.words)

    def _show(self, editor: NoteEditor | TaskEditor | ActivityEditor, title: str) -> EditorWindow:
        window = EditorWindow(editor, title)
        self.windows.append(window)
        window.closed.connect(lambda: self._closed(window))
        window.show()
        editor.focus_first_field()
        return window

    def _closed(self, window: EditorWindow) -> None:
        if window in self.windows:
            self.windows.remove(window)
        if not window.discarded and not window.editor.autosave.dirty and _loop_running():
            editor = window.editor  # on disk as shown: an empty draft is not kept
            task = aio.start(self.drafts.forget_if_empty(self.connection_id, editor.KIND, editor.draft.id),
                             name="forget-empty-draft")
            self._forgetting.add(task)
            task.add_done_callback(self._forgetting.discard)

    async def settled(self) -> None:
        """Wait for the clean-up of windows already closed (an empty draft being dropped), so nothing
        of theirs is still running when the workspace closes."""
        if self._forgetting:
            await asyncio.wait(list(self._forgetting))

    async def save_all(self) -> bool:
        """Before the advisor quits: True if every editor's text is on disk; otherwise the editors
        that could not save are brought forward, saying why."""
        results = [await window.save_or_explain() for window in list(self.windows)]
        return all(results)

    async def close_all(self) -> None:
        """At quit (also on SIGTERM/SIGINT): everything typed is saved before the database closes."""
        await self.settled()
        for window in list(self.windows):
            await window.editor.autosave.flush()
            if window.editor.autosave.dirty:
                log.error("quitting with an editor whose text could not be saved: %s",
                          window.editor.autosave.last_failure)
