""""Add a person…" on the workspace page: the button, Ctrl+Shift+N and the no-results offer.

Split from ``page.py``.  Settings' new-person dialog, prefilled from the search box; once the person
is added the page shows them at once (the list searched for their name, their details open).
"""

from __future__ import annotations

from app.services.events import Events
from app.services.prospects import person_from_search
from app.services.sync_settings import ProspectPreferences
from app.services.workspace import Database
from app.sync.connection import ConnectionManager
from app.ui import aio
from app.ui.settings.prospects import NewPersonDialog
from app.ui.workspace.hooks import PageHooks
from app.ui.workspace.layout import WorkspaceLayout
from app.ui.workspace.scope import WorkspaceScope


class AddPerson:
    """``wire()`` once; ``dialog`` is the open dialog while the advisor fills it in, else None."""

    def __init__(self, page: PageHooks, ui: WorkspaceLayout, scope: WorkspaceScope, db: Database,
                 connections: ConnectionManager | None, events: Events) -> None:
        self.page = page
        self.ui = ui
        self.scope = scope
        self.db = db
        self.connections = connections
        self.events = events
        self.dialog: NewPersonDialog | None = None

    def wire(self) -> None:
        for signal in (self.ui.add_person_button.clicked, self.ui.add_person_shortcut.activated,
                       self.ui.no_results_add.clicked):
            signal.connect(self.clicked)

    def clicked(self) -> None:
        aio.start(self.add(), name="add-person")

    def new_dialog(self) -> NewPersonDialog | None:
        """Settings' "Add a person" dialog, prefilled from the search box; None when not connected."""
        connection_id = self.scope.connection_id
        if self.connections is None or connection_id is None:
            return None
        dialog = NewPersonDialog(self.db, connection_id, self.scope.prospects or ProspectPreferences(),
                                 events=self.events, parent=self.ui.host)
        dialog.prefill(person_from_search(self.ui.search.text()))
        dialog.open_existing.connect(lambda contact_id: aio.start(self.page.show_person(contact_id)))
        return dialog

    async def add(self) -> int | None:
        """Add someone, then show them at once; without a connection, ask for one."""
        dialog = self.new_dialog()
        if dialog is None:
            self.page.ask_to_connect()
            return None
        self.dialog = dialog
        try:
            await aio.run_dialog(dialog)
        finally:
            self.dialog = None
        if dialog.contact_id is not None:
            person = dialog.person()
            await self.page.show_person(dialog.contact_id, search=f"{person.first_name} {person.last_name}")
        return dialog.contact_id
