"""The setup wizard's use cases: its draft (kept as the advisor types) and the choices it saves.

Sign-in itself is :mod:`app.services.sign_in`, shared with ``notebridge connect``; the first sync
is :mod:`app.services.first_sync`; the choices of the Preferences page are saved by
:mod:`app.services.sync_choices`, the use case Settings → Sync also uses.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from app.store import wizard_state
from app.store.wizard_state import WizardDraft, draft_secret_key

if TYPE_CHECKING:
    from app.store.db import Database

__all__ = ["WizardDraft", "clear_draft", "draft_secret_key", "load_draft", "save_draft",
           "saved_choices"]


async def load_draft(db: Database) -> WizardDraft | None:
    return await wizard_state.aload_draft(db)


async def save_draft(db: Database, draft: WizardDraft) -> None:
    """One transaction; raises what the store raised (a full disk), for the wizard to say so."""
    await wizard_state.asave_draft(db, draft)


async def clear_draft(db: Database) -> None:
    await wizard_state.aclear_draft(db)


async def saved_choices(db: Database, connection_id: int, extra_keys: Mapping[str, str]) -> dict[str, Any]:
    """What the Preferences page saved for this connection, as draft values (reopening keeps them)."""
    return await db.run(lambda session: wizard_state.saved_connection_preferences(session, connection_id,
                                                                                  extra_keys))
