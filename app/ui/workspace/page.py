"""The workspace page: search, the client list, the detail panel, and the sync controls.

It never blocks the UI: every read is an awaited use case (``app.services``) and sync runs on the
scheduler; progress and results arrive as Qt signals.  Whatever state the workspace is in —
never connected, first sync running, offline, disconnected, sync off, nothing found — the page
says so in words and offers the next step.
"""

from __future__ import annotations

import asyncio
import logging

from PySide6.QtCore import QItemSelectionModel, QModelIndex, Qt, Signal
from PySide6.QtWidgets import QWidget

from app.services.client_sync import ClientSync, PullResult, PullScheduler, PullSettings, SyncProgress
from app.services.connection_status import subscribe_status
from app.services.events import Events, ProspectSettingsChanged, SyncFinished, SyncProgressed, Unsubscribe
from app.services.prospects import person_from_search
from app.services.sync_choices import SyncChoicesChanged, SyncChoicesService
from app.services.sync_settings import ProspectPreferences, SyncSettings
from app.services.workspace import Database, WorkspaceLockedError
from app.sync.connection import ConnectionManager, ConnectionStatus
from app.ui import aio
from app.ui.settings.prospects import NewPersonDialog
from app.ui.workspace.layout import WorkspaceLayout
from app.ui.workspace.list_model import ContactIdRole, ContactListModel
from app.ui.workspace.pick_dialog import PickDialog
from app.ui.workspace.resync import ResyncProgress, confirm_resync
from app.ui.workspace.states import EmptyAction, PageFacts, decide, shown_objects

log = logging.getLogger(__name__)
LOCKED_RETRY_S = 2.0  # how often a start blocked by another program's lock on the workspace tries again


class WorkspacePage(WorkspaceLayout):
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
        self._unsubscribe: list[Unsubscribe] = [
            self.events.subscribe(SyncProgressed, lambda e: self._on_progress(e.progress)),
            self.events.subscribe(SyncFinished, lambda e: self._on_result(e.result)),
            # New people become Leads (or Contacts) from now on: the list shows that object too.
            self.events.subscribe(ProspectSettingsChanged, lambda _e: aio.start(self._prospects_changed(),
                                                                                name="workspace-prospects")),
            # Settings → Sync changed what syncs (where clients live, Leads, pick mode …): the list and
            # the More menu follow at once.
            self.events.subscribe(SyncChoicesChanged, lambda _e: aio.start(self._prospects_changed(),
                                                                           name="workspace-sync-choices")),
        ]
        self.settings: PullSettings | None = None
        self.prospects: ProspectPreferences | None = None
        self.person_dialog: NewPersonDialog | None = None
        self.connection_id: int | None = None
        self._fixed = (connection_id, instance_url)
        self.syncing = False
        self.last_progress: SyncProgress | None = None
        self.last_result: PullResult | None = None
        self.pick_dialog: PickDialog | None = None
        self._started = False

        self.model = ContactListModel(db, None, self)
        self._build(db, self.model, self.events)
        self.model.failed.connect(lambda text: self.banner.show_message("error", text))
        self._wire()
        self._update_state()

    # --------------------------------------------------------------------------------- wiring
    def _wire(self) -> None:
        """Connect the widgets ``WorkspaceLayout`` built to what the page does."""
        self.search.textChanged.connect(self._search_changed)
        self.search.navigate.connect(self.move_current)
        self.search.open_requested.connect(self.open_current)
        self.sync_button.clicked.connect(lambda: aio.start(self.sync_now(), name="sync-now"))
        self.pick_button.clicked.connect(lambda: aio.start(self.open_pick_dialog(), name="pick-dialog"))
        self.add_person_button.clicked.connect(self._add_person_clicked)
        self.add_person_shortcut.activated.connect(self._add_person_clicked)
        self.no_results_add.clicked.connect(self._add_person_clicked)
        self.search_shortcut.activated.connect(self.focus_search)
        self.full_action.triggered.connect(lambda: aio.start(self.resync_everything(), name="sync-full"))
        self.stop_action.triggered.connect(self.stop_sync)
        self.toggle_action.toggled.connect(lambda on: aio.start(self.set_contacts_enabled(on), name="sync-toggle"))
        self.pick_action.toggled.connect(lambda on: aio.start(self.set_pick_mode(on), name="pick-mode"))
        self.banner.link_activated.connect(self._banner_link)
        self.list_view.activated.connect(self._open_index)
        self.list_view.selectionModel().currentChanged.connect(lambda current, _previous: self._open_index(current))
        self.detail.timeline.set_online_source(self.connections.client if self.connections is not None else None)
        self.history_hits.open_hit.connect(
            lambda contact_id, history_id: aio.start(self._open_hit(contact_id, history_id), name="open-hit"))
        self.detail.open_contact.connect(lambda contact_id: aio.start(self.detail.show_contact(contact_id)))
        self.detail.new_note_requested.connect(self.new_note_requested)
        self.detail.new_activity_requested.connect(self.new_activity_requested)
        self.detail.open_activity_requested.connect(self.open_activity_requested)
        self.detail.new_task_requested.connect(self.new_task_requested)
        self.detail.meeting_note_requested.connect(self.meeting_note_requested)
        self.detail.open_note_requested.connect(self.open_note_requested)
        self.detail.open_task_requested.connect(self.open_task_requested)
        self.no_results.action_clicked.connect(lambda: aio.start(self.open_pick_dialog(), name="pick-dialog"))
        self.empty.action_clicked.connect(self._empty_action)

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
        if self._own_scheduler and self.sync is not None and self.connection_id is not None:
            self.sync.start()  # a scheduler handed in is started (and stopped) by its owner

    @property
    def scheduler(self) -> PullScheduler | None:
        return self.sync.scheduler if self.sync is not None else None

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
        active = self.connections.active if self.connections is not None else None
        instance_url: str | None
        if active is not None:
            self.connection_id, instance_url = active.connection_id, active.instance_url
        else:
            self.connection_id, instance_url = self._fixed if self.connections is None else (None, None)
        self.detail.set_connection(self.connection_id, instance_url)
        if self.connection_id is not None:
            cid = self.connection_id
            current = await SyncSettings(self.db).load(cid)
            self.settings, self.prospects = current.pull, current.prospects
        else:
            self.settings, self.prospects = None, None
        self._sync_menu()
        self.model.set_connection(self.connection_id, self._source_objects())
        await self._requery()
        self._update_state()

    def _source_objects(self) -> tuple[str, ...] | None:
        if self.settings is None:
            return None
        new_people_as = self.prospects.create_as if self.prospects is not None else ""
        return shown_objects(self.settings.client_object, self.settings.include_leads, new_people_as)

    def _sync_menu(self) -> None:
        settings = self.settings
        for action, value in ((self.toggle_action, settings.contacts_enabled if settings else True),
                              (self.pick_action, settings.pick_mode if settings else False)):
            action.blockSignals(True)
            action.setChecked(value)
            action.blockSignals(False)

    async def _open_hit(self, contact_id: int, history_id: int) -> None:
        """A note or task found by the search: its client, with the note open."""
        self.detail.timeline.pending_note = history_id  # opened as soon as the client's timeline is shown
        await self.detail.show_contact(contact_id)

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
        await self.history_hits.search(self.connection_id, text)  # the second group, after the people

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

    def new_task_for_current(self) -> bool:
        """Ctrl+T: ask for a task about the client on screen; False when there is none (or it is read-only)."""
        return self.detail.new_task()

    # ---------------------------------------------------------------------------- new person
    def _add_person_clicked(self) -> None:
        aio.start(self.add_person(), name="add-person")

    def new_person_dialog(self) -> NewPersonDialog | None:
        """Settings' "Add a person" dialog, prefilled from the search box; None when not connected."""
        if self.connections is None or self.connection_id is None:
            return None
        dialog = NewPersonDialog(self.db, self.connection_id, self.prospects or ProspectPreferences(),
                                 events=self.events, parent=self)
        dialog.prefill(person_from_search(self.search.text()))
        dialog.open_existing.connect(lambda contact_id: aio.start(self.show_person(contact_id)))
        return dialog

    async def add_person(self) -> int | None:
        """The button, Ctrl+Shift+N and the no-results offer: add someone, then show them at once."""
        dialog = self.new_person_dialog()
        if dialog is None:
            self.connect_requested.emit()
            return None
        self.person_dialog = dialog
        try:
            await aio.run_dialog(dialog)
        finally:
            self.person_dialog = None
        if dialog.contact_id is not None:
            person = dialog.person()
            await self.show_person(dialog.contact_id, search=f"{person.first_name} {person.last_name}")
        return dialog.contact_id

    async def show_person(self, contact_id: int, *, search: str | None = None) -> None:
        """Open ``contact_id``; with ``search``, the list first shows what that finds (the new person)."""
        if search is not None:
            await self.refresh_settings()
            self.search.blockSignals(True)
            self.search.setText(" ".join(search.split()))
            self.search.blockSignals(False)
            await self.model.search(self.search.text())
            self._update_state()
        for row in range(self.model.rowCount()):
            if self.model.index(row).data(ContactIdRole) == contact_id:
                self.list_view.setCurrentIndex(self.model.index(row))
                break
        await self.detail.show_contact(contact_id)

    async def refresh_settings(self) -> None:
        """Re-read what new people are created as (changed in Settings), and so what the list shows."""
        if self.connection_id is None:
            return
        current = await SyncSettings(self.db).load(self.connection_id)
        self.settings, self.prospects = current.pull, current.prospects
        self._sync_menu()
        self.model.set_connection(self.connection_id, self._source_objects())

    async def _prospects_changed(self) -> None:
        await self.refresh_settings()
        await self._requery()
        self._update_state()

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
        """The More menu's shortcut to the Settings → Sync choice (the same use case writes both)."""
        await self._change_choice(contacts_enabled=on)

    async def set_pick_mode(self, on: bool) -> None:
        """The More menu's shortcut to the Settings → Sync choice (the same use case writes both)."""
        await self._change_choice(pick_mode=on)

    async def _change_choice(self, **change: bool) -> None:
        if self.sync is None or self.connection_id is None or self.connections is None:
            return
        service = SyncChoicesService(self.db, self.connections, self.events)
        current = await service.load(self.connection_id)
        await service.apply(current.with_changes(**change))  # the bus brings the list and menu up to date
        await self.refresh_settings()
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
            last_result=self.last_result,
            can_add_person=self.connections is not None and self.connection_id is not None)

    def _update_state(self) -> None:
        self.show_view(decide(self._facts()))

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
