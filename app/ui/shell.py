"""Composes the running app: the main window, its pages, and the engines behind them.

One place decides what exists when: with no connection the pages show their empty states; once the
wizard connects (or a saved connection loads) the workspace, outbox, pull and push are built for that
connection, and torn down again when the advisor switches org. The engines report on one event bus
(``app.services.events``); this module subscribes and turns what they say into status-bar text, the
sidebar flag and the usage readout.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from PySide6.QtCore import QMimeData
from PySide6.QtGui import QKeySequence, QShortcut

from app.context import AppContext
from app.salesforce import auth
from app.services import managed
from app.services.activities import activity_form, activity_forms_offered
from app.services.client_sync import ClientSync, SyncProgress
from app.services.drafts import ItemKind
from app.services.events import Events, PushFinished, PushStatusChanged, SyncFinished, SyncProgressed
from app.services.outbox_sync import LoopStatus, OutboxSync
from app.sync.connection import ConnectionManager, OrgConnection
from app.ui import aio
from app.ui.demo import EmbeddedDemo
from app.ui.editor.email_drop import EmailDropTarget, log_dropped_email
from app.ui.editor.window import EditorLauncher
from app.ui.main_window import MainWindow
from app.ui.outbox import OutboxPage, flag_sidebar
from app.ui.settings import SettingsPage, bind_status_badge
from app.ui.settings.reconnect_dialog import ReconnectDialog
from app.ui.shortcuts import NEW_TASK_KEYS
from app.ui.wizard import SetupWizard
from app.ui.wizard.controller import open_in_browser
from app.ui.workspace import WorkspacePage

log = logging.getLogger(__name__)


class Shell:
    def __init__(self, window: MainWindow, context: AppContext, connections: ConnectionManager,
                 demo: EmbeddedDemo, *, connect_real: Callable[[], None] | None = None,
                 open_demo_workspace: Callable[[], None] | None = None) -> None:
        """``connect_real``: in the demo workspace, what "connect" means (leave for the real workspace and
        its wizard). ``open_demo_workspace``: what the wizard's "Try the demo org" does (leave for the demo
        workspace)."""
        self.window = window
        self.connect_real = connect_real
        self.open_demo_workspace = open_demo_workspace
        self.context = context
        self.db = context.db
        self.connections = connections
        self.demo = demo
        self.events = Events()  # one bus for every page and engine of this window
        self.sync: ClientSync | None = None
        self.push: OutboxSync | None = None
        self.push_connection_id: int | None = None  # the connection the pages and engines are built for
        self.workspace: WorkspacePage | None = None
        self.outbox: OutboxPage | None = None
        self._first_search: str | None = None
        self.editors: EditorLauncher | None = None
        self._wizard: SetupWizard | None = None
        self._last_wizard: SetupWizard | None = None
        self._reconnect: ReconnectDialog | None = None
        self.open_url: Callable[[str], object] = open_in_browser  # the system browser; tests replace it
        bind_status_badge(connections, window.set_connection_status, self.events)
        # An .eml dropped anywhere else on the window is logged on the client its addresses match.
        EmailDropTarget(window).dropped.connect(lambda mime: self._email_dropped(mime, on_client=False))
        window.connect_requested.connect(self.open_wizard)
        self.events.subscribe(SyncProgressed, lambda e: self._on_sync_progress(e.progress))
        self.events.subscribe(SyncFinished, lambda _e: self._refresh_usage())
        self.events.subscribe(PushStatusChanged, lambda e: self._on_push_status(e.status))
        self.events.subscribe(PushFinished, lambda _e: self._refresh_usage())
        self.settings = SettingsPage(self.db, connections, open_item=self._open_item,
                                     open_person=self._open_person, before_forget=self.detach,
                                     exports_dir=context.paths.exports, events=self.events)
        self.settings.reconnect_requested.connect(self.reconnect)
        self.settings.forgotten.connect(lambda _result: aio.start(self._after_forget(), name="after forget"))
        self.settings.push_preferences_changed.connect(self._apply_push_preferences)
        self.settings.prospect_preferences_changed.connect(self._apply_push_preferences)
        window.set_page("settings", self.settings)
        context.on_close("settings page", self.settings.aclose)  # its usage timer must not outlive the database
        QShortcut(QKeySequence("Ctrl+K"), window).activated.connect(self._focus_search)
        QShortcut(QKeySequence(QKeySequence.StandardKey.New), window).activated.connect(self._new_note)
        for form in activity_forms_offered():  # Ctrl+L: log a call with the client on screen …
            if form.shortcut:
                QShortcut(QKeySequence(form.shortcut), window).activated.connect(
                    lambda kind=form.kind: self._new_activity(kind))
        QShortcut(QKeySequence(NEW_TASK_KEYS), window).activated.connect(self._new_task)

    # -- connection ------------------------------------------------------------------------------
    async def start(self, *, open_wizard: bool = False, attach_saved: bool = True, search: str | None = None) -> None:
        """``attach_saved=False``: the caller signs in itself (the demo), so a saved connection waits.
        ``search``: the client list's first query (``notebridge --search TEXT``), instead of the whole list."""
        self._first_search = search
        active = await self.connections.load_active()
        await self.settings.start()
        if active is not None and attach_saved:
            await self.attach(active)
            aio.start(self._first_check(), name="first connection check")
        elif open_wizard:
            self.open_wizard()

    async def _first_check(self) -> None:
        """Ask Salesforce once, then (online) apply the firm's current sync presets, if it has a file."""
        status = await self.connections.test_connection()
        if status.state != "connected" or status.offline:
            return  # applied at the next start (the advisor's settings stay as they are meanwhile)
        try:
            await managed.apply_sync_presets_at_start(self.db, self.connections, self.events)
        except Exception:  # the workspace closed under it: nothing was half-saved (each save is one transaction)
            log.warning("the firm's sync presets were not applied at start", exc_info=True)

    def open_wizard(self) -> None:
        if self.connect_real is not None:  # the demo workspace: a real org is set up in the real one
            self.connect_real()
            return
        if self._wizard is not None and self._wizard.isVisible():
            self._wizard.raise_()
            self._wizard.activateWindow()
            return
        aio.start(self._run_wizard(), name="setup wizard")

    async def _run_wizard(self) -> None:
        # "Try the demo org" leaves for the demo workspace; the wizard itself is only ever for a real org.
        wizard = SetupWizard(self.db, self.connections, open_demo_workspace=self.open_demo_workspace,
                             open_url=self.open_url, events=self.events, parent=self.window)
        self._wizard = self._last_wizard = wizard
        wizard.connected.connect(lambda connection: aio.start(self.attach(connection), name="attach"))
        await aio.run_dialog(wizard)
        self._wizard = None

    async def close_dialogs(self) -> None:
        """Before the workspace closes under them (switching workspace): the wizard keeps its draft first."""
        wizard = self._wizard or self._last_wizard
        if wizard is None or not aio.alive(wizard):
            return
        if wizard.isVisible():
            wizard.reject()
        if wizard.finished_work is not None:
            await wizard.finished_work
        self._wizard = self._last_wizard = None
        wizard.deleteLater()

    def reconnect(self) -> None:
        """Reconnect: with a connection, one browser sign-in (same org, key, preferences); else the wizard."""
        if self.connections.active is None:
            self.open_wizard()
            return
        if self._reconnect is not None and aio.alive(self._reconnect) and self._reconnect.isVisible():
            self._reconnect.raise_()
            self._reconnect.activateWindow()
            return
        aio.start(self._run_reconnect(), name="reconnect")

    async def _run_reconnect(self) -> None:
        active = self.connections.active
        callback_urls = auth.DEFAULT_CALLBACK_URLS
        org = self.demo.org
        if org is not None and active is not None and active.login_url.rstrip("/") == org.login_url.rstrip("/"):
            callback_urls = tuple(org.info()["callback_urls"])  # the demo org's app has its own callbacks
        dialog = ReconnectDialog(self.db, self.connections, open_url=self.open_url, callback_urls=callback_urls,
                                 events=self.events, parent=self.window)
        dialog.setup_requested.connect(self.open_wizard)
        self._reconnect = dialog
        try:
            await aio.run_dialog(dialog)
        finally:
            self._reconnect = None
        connection = dialog.connection
        dialog.deleteLater()
        if connection is None:
            return
        if self.push is not None and self.push_connection_id == connection.connection_id:
            # The same workspace: its pages and engines stay; they resume with the fresh sign-in.
            self.window.statusBar().showMessage("Signed in to Salesforce again.", 5000)
            if self.workspace is not None:
                aio.start(self.workspace.sync_now(), name="sync after reconnect")
        else:
            await self.attach(connection)

    # -- pages and engines for one connection ----------------------------------------------------
    async def attach(self, connection: OrgConnection) -> None:
        """Build the workspace, outbox and engines for `connection` (replacing any previous ones)."""
        await self.detach()
        self.push_connection_id = connection.connection_id
        self.sync = ClientSync(self.db, self.connections, self.events)
        self.push = await OutboxSync.for_connection(self.db, connection.connection_id, self.connections.client,
                                                    self.events, self.connections)
        # Queueing wakes the push (the bus); the client fetches the org's task values when not cached.
        self.editors = EditorLauncher(self.db, connection.connection_id, events=self.events,
                                      client=self.connections.client)
        self.workspace = WorkspacePage(self.db, self.connections, sync=self.sync)
        self.workspace.new_note_requested.connect(aio.slot(self.editors.open_note_editor))
        self.workspace.new_activity_requested.connect(aio.slot(self.editors.open_activity_editor))
        self.workspace.open_activity_requested.connect(aio.slot(self.editors.open_activity))
        # The client view's "New meeting" hook: the same meeting editor as its own action.
        self.workspace.detail.new_meeting_requested.connect(
            lambda contact_id: self._new_activity_for(ItemKind.MEETING, contact_id))
        self.workspace.new_task_requested.connect(aio.slot(self.editors.open_task_editor))
        # An .eml dropped on the client view is logged on that client (on the window: see __init__).
        EmailDropTarget(self.workspace.detail).dropped.connect(lambda mime: self._email_dropped(mime, on_client=True))
        self.workspace.meeting_note_requested.connect(self._meeting_note)
        self.workspace.open_note_requested.connect(aio.slot(self.editors.open_note))
        self.workspace.open_task_requested.connect(aio.slot(self.editors.open_task))
        self.workspace.connect_requested.connect(self.reconnect)
        self.window.set_page("workspace", self.workspace)
        self.outbox = OutboxPage(self.db, connection.connection_id, instance_url=connection.instance_url,
                                 loop=self.push.loop, open_item=self._open_item, events=self.events)
        self.outbox.attention_count_changed.connect(lambda count: flag_sidebar(self.window, count))
        self.outbox.new_task_requested.connect(lambda: self._open_task_editor(None))
        self.window.set_page("outbox", self.outbox)
        if self._first_search:
            aio.start(self._open_with_search(self.workspace, self._first_search), name="workspace-start")
            self._first_search = None
        else:
            self.workspace.start()
        self.sync.start()
        self.push.start()
        self.context.on_close("engines", self.detach)

    async def _open_with_search(self, page: WorkspacePage, text: str) -> None:
        """The workspace's first list is what ``text`` finds: the search box is what its first load reads."""
        page.search.blockSignals(True)
        page.search.setText(" ".join(text.split()))
        page.search.blockSignals(False)
        await page.initialise()
        # Counts only, never the text (it may be a client's name). benchmarks/startup.py waits for this line.
        log.info("start-up search answered: %d clients", page.model.rowCount())

    async def detach(self) -> None:
        if self.editors is not None:  # first: what the advisor typed matters more than the engines
            await self.editors.close_all()
            self.editors = None
        if self.sync is not None:
            await self.sync.aclose()
            self.sync = None
        if self.push is not None:
            await self.push.aclose()
            self.push = None
        if self.workspace is not None:
            await self.workspace.aclose()

    async def _after_forget(self) -> None:
        await self.clear()

    async def clear(self) -> None:
        """The org is gone (forgotten, or the demo reset): back to the empty states, ready to connect."""
        await self.detach()
        fresh = MainWindow()  # borrow its empty pages rather than duplicating their wording here
        for key in ("workspace", "outbox"):
            self.window.set_page(key, fresh.page(key))
        fresh.deleteLater()
        self.workspace = None
        self.outbox = None
        flag_sidebar(self.window, 0)

    def _apply_push_preferences(self, *_changed: object) -> None:
        if self.push is None or self.connections.active is None:
            return
        aio.start(self.push.apply_saved_preferences(), name="apply push preferences")

    def _email_dropped(self, mime: object, *, on_client: bool) -> None:
        workspace, editors = self.workspace, self.editors
        if workspace is None or editors is None or not isinstance(mime, QMimeData):
            return
        shown = workspace.detail.data
        contact_id = shown.contact.id if on_client and shown is not None and not shown.contact.read_only else None
        aio.start(log_dropped_email(mime, editors, contact_id,
                                    lambda words: self.window.statusBar().showMessage(words, 10_000)),
                  name="log a dropped email")

    def _open_item(self, kind: ItemKind, item_id: int) -> None:
        if kind == ItemKind.PERSON:
            self._open_person(item_id)
        elif self.editors is None:
            return
        elif kind == ItemKind.NOTE:
            aio.start(self.editors.open_note(item_id))
        elif activity_form(kind) is not None:
            aio.start(self.editors.open_activity(kind, item_id))
        else:
            aio.start(self.editors.open_task(item_id))

    def _open_person(self, contact_id: int) -> None:
        if self.workspace is not None:
            self.window.show_section("workspace")
            aio.start(self.workspace.detail.show_contact(contact_id), name="open person")

    # -- status bar ------------------------------------------------------------------------------
    def show_sync_progress(self, progress: SyncProgress) -> None:
        """Progress of a pull outside the scheduler (the demo's first sync) in the status bar."""
        self._on_sync_progress(progress)

    def _on_sync_progress(self, progress: SyncProgress) -> None:
        if progress.total is None and progress.done == 0 and not progress.message:
            self.window.set_sync_progress("")
            return
        if progress.total and progress.done >= progress.total:
            self.window.set_sync_progress(progress.message)  # finished: the text stays, the bar goes
            return
        self.window.set_sync_progress(progress.message, progress.done, progress.total or 0)

    def _on_push_status(self, status: LoopStatus) -> None:
        if self.outbox is not None and aio.alive(self.outbox):
            self.outbox.set_loop_status(status)
        if not (self.sync and self.sync.busy):
            self.window.set_sync_progress(status.text)
        self._refresh_usage()

    def _refresh_usage(self) -> None:
        usage = self.connections.api_usage
        if usage is not None:
            self.window.set_api_usage(*usage)
        if self.sync is not None and not self.sync.busy:
            self.window.sync_progress.setVisible(False)

    # -- shortcuts -------------------------------------------------------------------------------
    def _focus_search(self) -> None:
        if self.workspace is not None:
            self.window.show_section("workspace")
            self.workspace.focus_search()

    def _new_activity_for(self, kind: ItemKind, contact_id: int) -> None:
        if self.editors is not None:
            aio.start(self.editors.open_activity_editor(kind, contact_id), name=f"new {kind}")

    def _new_activity(self, kind: ItemKind) -> None:
        """Ctrl+L …: a new call (or other activity) with the client on screen."""
        form = activity_form(kind)
        if form is None:
            return
        if self.workspace is None or not self.workspace.detail.new_activity(kind):
            self.window.statusBar().showMessage(
                f"Open a client first, then press {form.shortcut} ({form.action.lower()}).", 5000)
    def _new_task(self) -> None:
        """Ctrl+T: a task about the client on screen; with none on screen, a task on its own (the
        editor offers "Choose a client…")."""
        workspace = self.workspace
        if workspace is None or self.editors is None:
            self.window.statusBar().showMessage("Connect Salesforce first, then press Ctrl+T for a new task.", 5000)
            return
        if workspace.new_task_for_current():
            return
        if workspace.detail.data is not None:  # a converted lead: Salesforce takes no new tasks for it
            self.window.statusBar().showMessage(
                "This lead was converted; open the contact it became for a new task.", 5000)
            return
        self._open_task_editor(None)

    def _open_task_editor(self, contact_id: int | None) -> None:
        if self.editors is not None:
            aio.start(self.editors.open_task_editor(contact_id), name="new task")

    def _meeting_note(self, contact_id: int, event_id: int) -> None:
        """"Write the meeting note": a new note already tied to the meeting."""
        if self.editors is not None:
            aio.start(self.editors.open_note_editor(contact_id, event_id=event_id), name="meeting note")

    def _new_note(self) -> None:
        """Ctrl+N: a new note for the client on screen (the editor's own Ctrl+N covers its window)."""
        if self.workspace is None or not self.workspace.new_note_for_current():
            self.window.statusBar().showMessage("Open a client first, then press Ctrl+N for a new note.", 5000)
