"""Where one connection's secrets are filed in the keyring: a slot of its own, per workspace connection.

Secrets used to be filed by ``org_id:user_id``. Two data folders signed in to the same org as the same
user then shared one entry, so disconnecting one signed the other out (and it claimed "You
disconnected Salesforce" while its own database still said connected). Now each connection row gets
a random slot id, kept in that workspace's settings (not a secret), and its secrets live under
``connection:<slot>``.

Entries filed the old way are moved once per connection: read the old entry, write it under the new
key, and delete the old one only after the write succeeded — a keyring that refuses the write leaves
the old entry where it was, and the move is tried again next start.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterable
from typing import Any

from app import secrets
from app.store import Database
from app.store import settings as settings_rows

log = logging.getLogger(__name__)

SLOT_SETTING = "sign_in.keyring_slot"
MOVED_SETTING = "sign_in.keyring_moved"  # set once the old org:user entries were moved (or there were none)
PREFIX = "connection:"


def key_for(slot: str) -> str:
    return f"{PREFIX}{slot}"


def legacy_key(org_id: str, user_id: str) -> str:
    """How secrets were filed before slots (shared by every workspace on the same org user)."""
    return f"{org_id}:{user_id}"


async def slot_of(db: Database, connection_id: int) -> tuple[str, bool]:
    """(this connection's slot, whether its old entries still need moving); makes the slot on first use."""

    def read_or_make(session: Any) -> tuple[str, bool]:
        slot = settings_rows.get(session, connection_id, SLOT_SETTING)
        if not isinstance(slot, str) or not slot:
            slot = uuid.uuid4().hex
            settings_rows.put(session, connection_id, SLOT_SETTING, slot)
        moved = bool(settings_rows.get(session, connection_id, MOVED_SETTING, False))
        return slot, not moved

    return await db.run(read_or_make)


async def mark_moved(db: Database, connection_id: int) -> None:
    await db.run(lambda session: settings_rows.put(session, connection_id, MOVED_SETTING, True))


async def move_legacy(old_key: str, new_key: str, kinds: Iterable[str]) -> bool:
    """Move each kind from ``old_key`` to ``new_key``; True when nothing is left to move.

    Never loses a secret: the old entry is deleted only after the new one was written and read back.
    An entry already under the new key wins (it is newer); the old one is then just removed.
    """
    done = True
    for kind in kinds:
        try:
            old = await secrets.aload_secret(old_key, kind)
            if old is None:
                continue
            if await secrets.aload_secret(new_key, kind) is None:
                await secrets.astore_secret(new_key, kind, old)
                if await secrets.aload_secret(new_key, kind) != old:
                    log.warning("the keyring did not keep the moved %s; the old entry stays", kind)
                    done = False
                    continue
            await secrets.adelete_secret(old_key, kind)
        except secrets.SecretStoreUnavailable as exc:
            log.warning("could not move the %s to its own keyring entry yet: %s", kind, exc)
            done = False
    return done
