"""Which org the workspace page shows, and that org's sync preferences.

Split from ``page.py``: the page's one source for "connected to what, showing which objects".  The
connection is resolved on connecting or at start (``resolve``) and the preferences re-read then and
whenever Settings change them (``reload_preferences``); everything else on the page reads them here.
"""

from __future__ import annotations

from app.services.client_sync import PullSettings
from app.services.sync_settings import ProspectPreferences, SyncSettings
from app.services.workspace import Database
from app.sync.connection import ConnectionManager
from app.ui.workspace.states import shown_objects


class WorkspaceScope:
    """``fixed`` is the ``(connection_id, instance_url)`` shown when there is no connection manager
    (a read-only look at a workspace file: tools, the benchmark, screenshots)."""

    def __init__(self, db: Database, connections: ConnectionManager | None,
                 fixed: tuple[int | None, str | None]) -> None:
        self.db = db
        self.connections = connections
        self.fixed = fixed
        self.connection_id: int | None = None
        self.instance_url: str | None = None
        self.settings: PullSettings | None = None
        self.prospects: ProspectPreferences | None = None

    def resolve(self) -> None:
        """Which org: the active connection, else the fixed one (only without a connection manager)."""
        active = self.connections.active if self.connections is not None else None
        if active is not None:
            self.connection_id, self.instance_url = active.connection_id, active.instance_url
        else:
            self.connection_id, self.instance_url = self.fixed if self.connections is None else (None, None)
        if self.connection_id is None:
            self.settings, self.prospects = None, None

    async def reload_preferences(self) -> bool:
        """Re-read what syncs and what new people are created as; False when no org is shown."""
        if self.connection_id is None:
            return False
        current = await SyncSettings(self.db).load(self.connection_id)
        self.settings, self.prospects = current.pull, current.prospects
        return True

    def source_objects(self) -> tuple[str, ...] | None:
        """The Salesforce objects the list shows (clients, Leads, and what new people become)."""
        if self.settings is None:
            return None
        new_people_as = self.prospects.create_as if self.prospects is not None else ""
        return shown_objects(self.settings.client_object, self.settings.include_leads, new_people_as)

    @property
    def can_add_person(self) -> bool:
        return self.connections is not None and self.connection_id is not None
