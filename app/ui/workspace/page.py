"""The workspace page: search, the client list, the detail panel, and the sync controls.

It never blocks the UI: every read is an awaited use case (``app.services``) and sync runs on the
scheduler; progress and results arrive as Qt signals.  Whatever state the workspace is in —
never connected, first sync running, offline, disconnected, sync off, nothing found — the page
says so in words and offers the next step.

The page is put together by composition, each part in its own module with one job: the widgets
(``layout.WorkspaceLayout``), which org and preferences (``scope.WorkspaceScope``), search and the
list (``list_search.ListSearch``), the sync controls (``sync_controls.SyncControls``) and "Add a
person…" (``add_person.AddPerson``).  The parts ask the page through ``hooks.PageHooks``; the page
owns the lifecycle and the one decision of what is shown (``states.decide``).
"""

from __future__ import annotations

import asyncio
import logging

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QWidget

from app.services.client_sync import ClientSync, PullResult, PullScheduler, PullSettings, SyncProgress
from app.services.connection_status import subscribe_status
from app.services.events import Events, ProspectSettingsChanged, SyncFinished, SyncProgressed, Unsubscribe
from app.services.sync_choices import SyncChoicesChanged
from app.services.sync_settings import ProspectPreferences
from app.services.workspace import Database, WorkspaceLockedError
from app.sync.connection import ConnectionManager, ConnectionStatus
from app.ui import aio
from app.ui.settings.prospects import NewPersonDialog
from app.ui.workspace.add_person import AddPerson
from app.ui.workspace.layout import WorkspaceLayout
from app.ui.workspace.list_model import ContactListModel
from app.ui.workspace.list_search import ListSearch
from app.ui.workspace.pick_dialog import PickDialog
from app.ui.workspace.scope import WorkspaceScope
from app.ui.workspace.states import EmptyAction, PageFacts, decide
from app.ui.workspace.sync_controls import SyncControls

log = logging.getLogger(__name__)
LOCKED_RETRY_S = 2.0  # how often a start blocked by another program's lock on the workspace tries again


class WorkspacePage(QWidget):
    """``WorkspacePage(db, connections)`` then ``start()``; ``await aclose()`` at shutdown."""

    connect_requested = Signal()
    new_note_requested = Signal(int)
    new_activity_requested = Signal(str, int)  # (ItemKind, contact id), from the client view
    open_activity_requested = Signal(str, int)  # (ItemKind, draft id)
    new_task_requested = Signal(int)           # a client's id (the client view's "New task", Ctrl+T)
    meeting_note_requested = Signal(int, int)  # a client's id, one of their meetings' id
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
        self._started = False

        self.model = ContactListModel(db, None, self)
        self.ui = WorkspaceLayout(self, db, self.model, self.events)
        self.scope = WorkspaceScope(db, connections, (connection_id, instance_url))
        self.list_search = ListSearch(self, self.ui, self.model, self.scope)
        self.sync_controls = SyncControls(self, self.ui, self.model, self.scope, sync, self.events, db, connections)
        self.adding = AddPerson(self, self.ui, self.scope, db, connections, self.events)
        # The widgets others find by name (the shell, tests, the screenshot script) stay the page's.
        ui = self.ui
        self.search, self.list_view, self.detail = ui.search, ui.list_view, ui.detail
        self.history_hits = ui.history_hits
        self.banner, self.status_label, self.empty, self.loading = ui.banner, ui.status_label, ui.empty, ui.loading
        self.no_results, self.no_results_add, self.list_stack = ui.no_results, ui.no_results_add, ui.list_stack
        self.add_person_button, self.pick_button, self.sync_button = (ui.add_person_button, ui.pick_button,
                                                                      ui.sync_button)
        self.full_action, self.stop_action = ui.full_action, ui.stop_action
        self.toggle_action, self.pick_action = ui.toggle_action, ui.pick_action

        self._unsubscribe: list[Unsubscribe] = [
            self.events.subscribe(SyncProgressed, lambda e: self.sync_controls.on_progress(e.progress)),
            self.events.subscribe(SyncFinished, lambda e: self.sync_controls.on_result(e.result)),
            # New people become Leads (or Contacts) from now on: the list shows that object too.
            self.events.subscribe(ProspectSettingsChanged, lambda _e: aio.start(self._prospects_changed(),
                                                                                name="workspace-prospects")),
            # Settings → Sync changed what syncs (where clients live, Leads, pick mode …): the list and
            # the More menu follow at once.
            self.events.subscribe(SyncChoicesChanged, lambda _e: aio.start(self._prospects_changed(),
                                                                           name="workspace-sync-choices")),
        ]
        self.model.failed.connect(lambda text: self.banner.show_message("error", text))
        self._wire()
        self.update_state()

    def _wire(self) -> None:
        """Connect the widgets to the parts that own them, and the client view to the page's signals."""
        self.list_search.wire()
        self.sync_controls.wire()
        self.adding.wire()
        self.banner.link_activated.connect(self._banner_link)
        self.empty.action_clicked.connect(self._empty_action)
        detail = self.detail
        detail.timeline.set_online_source(self.connections.client if self.connections is not None else None)
        detail.open_contact.connect(lambda contact_id: aio.start(detail.show_contact(contact_id)))
        detail.new_note_requested.connect(self.new_note_requested)
        detail.new_activity_requested.connect(self.new_activity_requested)
        detail.open_activity_requested.connect(self.open_activity_requested)
        detail.new_task_requested.connect(self.new_task_requested)
        detail.meeting_note_requested.connect(self.meeting_note_requested)
        detail.open_note_requested.connect(self.open_note_requested)
        detail.open_task_requested.connect(self.open_task_requested)

    # ------------------------------------------------------------------------------ lifecycle
    def start(self) -> None:
        """Load the workspace and begin periodic sync (call once the page is in the window)."""
        aio.start(self.initialise(), name="workspace-start")

    async def initialise(self) -> None:
        """Load the page and start syncing; a workspace another program holds is waited for, not given up."""
        while True:
            try:
                await self._initialise_once()
                return
            except WorkspaceLockedError:
                if not aio.alive(self):
                    return
                log.warning("workspace page: the workspace file is held by another program; trying again")
                await asyncio.sleep(LOCKED_RETRY_S)

    async def _initialise_once(self) -> None:
        if self.connections is not None and not self._started:
            if self.connections.active is None:
                await self.connections.load_active()
            self._started = True
            self._unsubscribe.append(subscribe_status(self.connections, self.events, self._on_status))
        await self.refresh()
        if self._own_scheduler and self.sync is not None and self.scope.connection_id is not None:
            self.sync.start()  # a scheduler handed in is started (and stopped) by its owner

    async def aclose(self) -> None:
        for unsubscribe in self._unsubscribe:
            unsubscribe()
        self._unsubscribe.clear()
        await self.detail.timeline.aclose()
        if self.sync is not None and self._own_sync:
            if self._own_scheduler:
                await self.sync.aclose()
            else:
                self.sync.detach()

    async def refresh(self) -> None:
        """Re-read which org, its preferences and the list (after connecting or changing settings)."""
        self.scope.resolve()
        self.detail.set_connection(self.scope.connection_id, self.scope.instance_url)
        await self.scope.reload_preferences()
        self._follow_preferences()
        await self.requery()
        self.update_state()

    async def refresh_settings(self) -> None:
        """Re-read what new people are created as (changed in Settings), and so what the list shows."""
        if await self.scope.reload_preferences():
            self._follow_preferences()

    def _follow_preferences(self) -> None:
        self.sync_controls.show_choices(self.scope.settings)
        self.model.set_connection(self.scope.connection_id, self.scope.source_objects())

    async def _prospects_changed(self) -> None:
        await self.refresh_settings()
        await self.requery()
        self.update_state()

    def _on_status(self, _status: ConnectionStatus) -> None:
        self.update_state()

    # ------------------------------------------------------------------ what the parts hold
    @property
    def scheduler(self) -> PullScheduler | None:
        return self.sync.scheduler if self.sync is not None else None

    @property
    def connection_id(self) -> int | None:
        return self.scope.connection_id

    @property
    def settings(self) -> PullSettings | None:
        return self.scope.settings

    @property
    def prospects(self) -> ProspectPreferences | None:
        return self.scope.prospects

    @property
    def syncing(self) -> bool:
        return self.sync_controls.syncing

    @property
    def last_progress(self) -> SyncProgress | None:
        return self.sync_controls.last_progress

    @property
    def last_result(self) -> PullResult | None:
        return self.sync_controls.last_result

    @property
    def pick_dialog(self) -> PickDialog | None:
        return self.sync_controls.pick_dialog

    @property
    def person_dialog(self) -> NewPersonDialog | None:
        return self.adding.dialog

    @person_dialog.setter
    def person_dialog(self, dialog: NewPersonDialog | None) -> None:
        self.adding.dialog = dialog

    # ----------------------------------------------------------------- what the page offers
    def focus_search(self) -> None:
        self.list_search.focus()

    def move_current(self, delta: int) -> None:
        self.list_search.move_current(delta)

    def open_current(self) -> None:
        self.list_search.open_current()

    async def _run_search(self, text: str) -> None:
        await self.list_search.run(text)

    async def requery(self) -> None:
        await self.list_search.requery()

    def new_note_for_current(self) -> bool:
        """Ctrl+N: ask for a note about the client on screen; False when there is none (or it is read-only)."""
        data = self.detail.data
        if data is None or data.contact.read_only:
            return False
        self.new_note_requested.emit(data.contact.id)
        return True

    def new_task_for_current(self) -> bool:
        """Ctrl+T: ask for a task about the client on screen; False when there is none (or it is read-only)."""
        return self.detail.new_task()

    def new_person_dialog(self) -> NewPersonDialog | None:
        """Settings' "Add a person" dialog, prefilled from the search box; None when not connected."""
        return self.adding.new_dialog()

    async def add_person(self) -> int | None:
        """The button, Ctrl+Shift+N and the no-results offer: add someone, then show them at once."""
        return await self.adding.add()

    async def show_person(self, contact_id: int, *, search: str | None = None) -> None:
        """Open ``contact_id``; with ``search``, the list first shows what that finds (the new person)."""
        if search is not None:
            await self.refresh_settings()
        await self.list_search.show(contact_id, search=search)

    async def sync_now(self, *, full: bool = False) -> PullResult | None:
        return await self.sync_controls.sync_now(full=full)

    async def resync_everything(self) -> PullResult | None:
        return await self.sync_controls.resync_everything()

    def stop_sync(self) -> None:
        self.sync_controls.stop()

    async def set_contacts_enabled(self, on: bool) -> None:
        await self.sync_controls.set_contacts_enabled(on)

    async def set_pick_mode(self, on: bool) -> None:
        await self.sync_controls.set_pick_mode(on)

    async def open_pick_dialog(self) -> PullResult | None:
        return await self.sync_controls.open_pick_dialog()

    def _on_progress(self, progress: SyncProgress) -> None:
        """The pull's progress (the benchmark hands this to its engine directly)."""
        self.sync_controls.on_progress(progress)

    def _source_objects(self) -> tuple[str, ...] | None:
        return self.scope.source_objects()

    # ------------------------------------------------------------------------- what is shown
    def _facts(self) -> PageFacts:
        settings, sync = self.scope.settings, self.sync_controls
        return PageFacts(
            connection_id=self.scope.connection_id,
            status=self.connections.status if self.connections is not None else None,
            contacts_enabled=settings.contacts_enabled if settings is not None else True,
            pick_mode=bool(settings and settings.pick_mode),
            can_sync=self.sync is not None,
            total=self.model.total, searching=self.model.searching, shown=self.model.rowCount(),
            query=self.model.query, syncing=sync.syncing,
            progress_message=sync.last_progress.message if sync.last_progress is not None else None,
            last_result=sync.last_result,
            can_add_person=self.scope.can_add_person)

    def update_state(self) -> None:
        """Decide what the page shows from the facts (``states.decide``) and show it."""
        self.ui.show_view(decide(self._facts()))

    _update_state = update_state  # the name tests (and older callers) use

    def describe_state(self) -> dict[str, object]:
        """What the page shows, in words (tests and the screenshot script)."""
        return self.ui.describe_state()

    def ask_to_connect(self) -> None:
        self.connect_requested.emit()

    def _empty_action(self) -> None:
        action = EmptyAction(self.empty.property("kind"))
        if action is EmptyAction.CONNECT:
            self.ask_to_connect()
        elif action is EmptyAction.PICK:
            aio.start(self.open_pick_dialog(), name="pick-dialog")
        elif action is EmptyAction.ENABLE:
            self.toggle_action.setChecked(True)
        else:
            aio.start(self.sync_now(), name="sync-now")

    def _banner_link(self, href: str) -> None:
        if href == "connect":
            self.ask_to_connect()
