"""What the workspace page's helpers may ask of the page (``WorkspacePage`` implements it).

The helpers (``list_search``, ``sync_controls``, ``add_person``) each own one piece of the page; what
crosses between them goes through the page, the one owner of what is shown, by this typed interface
rather than by reaching into each other's attributes.
"""

from __future__ import annotations

from typing import Protocol


class PageHooks(Protocol):
    def update_state(self) -> None:
        """Decide again what the page shows (``states.decide``) and show it."""

    def ask_to_connect(self) -> None:
        """Nothing to sync or add to without a connection: ask the shell to connect."""

    async def requery(self) -> None:
        """Show the list again for what the search box says now."""

    async def refresh_settings(self) -> None:
        """Re-read the org's sync preferences, and with them what the list and the More menu show."""

    async def show_person(self, contact_id: int, *, search: str | None = None) -> None:
        """Open a client; with ``search`` the list first shows what that finds."""
