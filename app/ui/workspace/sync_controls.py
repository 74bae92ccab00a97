"""The workspace page's sync controls, and what the page knows of the running sync.

Split from ``page.py``: "Sync now", "Add from Salesforce…" (pick mode's dialog), the More menu
(Re-sync everything, Stop syncing, and its two shortcuts to Settings → Sync choices), and the
progress and result the pull reports on the bus (``syncing``, ``last_progress``, ``last_result``,
which ``states.decide`` turns into words).  The sync itself runs on the scheduler, never here.
"""

from __future__ import annotations

from app.services.client_sync import ClientSync, PullResult, PullSettings, SyncProgress
from app.services.events import Events, SyncProgressed
from app.services.sync_choices import SyncChoicesService
from app.services.workspace import Database
from app.sync.connection import ConnectionManager
from app.ui import aio
from app.ui.workspace.hooks import PageHooks
from app.ui.workspace.layout import WorkspaceLayout
from app.ui.workspace.list_model import ContactListModel
from app.ui.workspace.pick_dialog import PickDialog
from app.ui.workspace.resync import ResyncProgress, confirm_resync
from app.ui.workspace.scope import WorkspaceScope


class SyncControls:
    """``wire()`` once; ``on_progress``/``on_result`` hear the pull (the page subscribes them)."""

    def __init__(self, page: PageHooks, ui: WorkspaceLayout, model: ContactListModel, scope: WorkspaceScope,
                 sync: ClientSync | None, events: Events, db: Database,
                 connections: ConnectionManager | None) -> None:
        self.page = page
        self.ui = ui
        self.model = model
        self.scope = scope
        self.sync = sync
        self.events = events
        self.db = db
        self.connections = connections
        self.syncing = False
        self.last_progress: SyncProgress | None = None
        self.last_result: PullResult | None = None
        self.pick_dialog: PickDialog | None = None

    def wire(self) -> None:
        ui = self.ui
        ui.sync_button.clicked.connect(lambda: aio.start(self.sync_now(), name="sync-now"))
        ui.pick_button.clicked.connect(lambda: aio.start(self.open_pick_dialog(), name="pick-dialog"))
        ui.full_action.triggered.connect(lambda: aio.start(self.resync_everything(), name="sync-full"))
        ui.stop_action.triggered.connect(self.stop)
        ui.toggle_action.toggled.connect(lambda on: aio.start(self.set_contacts_enabled(on), name="sync-toggle"))
        ui.pick_action.toggled.connect(lambda on: aio.start(self.set_pick_mode(on), name="pick-mode"))
        ui.no_results.action_clicked.connect(lambda: aio.start(self.open_pick_dialog(), name="pick-dialog"))

    def show_choices(self, settings: PullSettings | None) -> None:
        """The More menu's two check marks follow the org's settings (without writing them back)."""
        for action, value in ((self.ui.toggle_action, settings.contacts_enabled if settings else True),
                              (self.ui.pick_action, settings.pick_mode if settings else False)):
            action.blockSignals(True)
            action.setChecked(value)
            action.blockSignals(False)

    # ------------------------------------------------------------------------------ asking
    async def sync_now(self, *, full: bool = False) -> PullResult | None:
        if self.sync is None:
            self.page.ask_to_connect()
            return None
        self.syncing = True
        self.page.update_state()
        return await self.sync.sync_now(full=full)

    async def resync_everything(self) -> PullResult | None:
        """Ask first, then show the full re-sync's progress as a bar with counts (``resync``)."""
        if self.sync is None:
            self.page.ask_to_connect()
            return None
        if not await aio.run_dialog(confirm_resync(self.model.total, self.ui.host)):
            return None
        window = ResyncProgress(self.ui.host)
        window.stop_button.clicked.connect(self.stop)
        unsubscribe = self.events.subscribe(SyncProgressed, lambda e: window.show_progress(e.progress))
        window.show()
        try:
            return await self.sync_now(full=True)
        finally:
            unsubscribe()
            window.close()
            window.deleteLater()

    def stop(self) -> None:
        if self.sync is not None:
            self.sync.pause()

    async def set_contacts_enabled(self, on: bool) -> None:
        """The More menu's shortcut to the Settings → Sync choice (the same use case writes both)."""
        await self._change_choice(contacts_enabled=on)

    async def set_pick_mode(self, on: bool) -> None:
        """The More menu's shortcut to the Settings → Sync choice (the same use case writes both)."""
        await self._change_choice(pick_mode=on)

    async def _change_choice(self, **change: bool) -> None:
        connection_id = self.scope.connection_id
        if self.sync is None or connection_id is None or self.connections is None:
            return
        service = SyncChoicesService(self.db, self.connections, self.events)
        current = await service.load(connection_id)
        await service.apply(current.with_changes(**change))  # the bus brings the list and menu up to date
        await self.page.refresh_settings()
        self.page.update_state()

    async def open_pick_dialog(self) -> PullResult | None:
        if self.sync is None:
            self.page.ask_to_connect()
            return None
        dialog = PickDialog(self.sync.search_salesforce, self.sync.import_picked, self.ui.host,
                            initial_text=self.ui.search.text())
        self.pick_dialog = dialog
        await aio.run_dialog(dialog)
        self.pick_dialog = None
        return dialog.result_of_import

    # ----------------------------------------------------------------------------- hearing
    def on_progress(self, progress: SyncProgress) -> None:
        self.syncing = True
        self.last_progress = progress
        ui = self.ui
        if ui.body.currentWidget() is ui.loading:
            ui.loading.text_label.setText(progress.message)
            if self.model.rowCount() == 0 and progress.done:
                aio.start(self._first_rows(), name="first-rows")

    async def _first_rows(self) -> None:
        if not self.model.query and self.model.rowCount() == 0:
            await self.model.reload()
            self.page.update_state()

    def on_result(self, result: PullResult) -> None:
        self.last_result = result
        aio.start(self._after_sync(), name="after-sync")

    async def _after_sync(self) -> None:
        """The list and the open client re-read; only then is the sync over for the page (so
        nothing looking at ``syncing`` sees the half-synced list the first rows came from)."""
        try:
            await self.page.requery()
            data = self.ui.detail.data
            if data is not None:
                await self.ui.detail.show_contact(data.contact.id)
        finally:
            self.syncing = False
            self.page.update_state()
