"""The saved facts of the org a workspace is connected to, as one frozen value (never an ORM row)."""

from __future__ import annotations

from dataclasses import dataclass

from app.store.models import Connection
from app.sync import keyring_slot


@dataclass(frozen=True)
class OrgConnection:
    connection_id: int
    org_id: str
    org_name: str
    instance_url: str
    login_url: str
    user_id: str
    username: str
    display_name: str
    api_version: str
    consumer_key: str
    note_type: str
    client_object: str
    keyring_slot: str = ""  # this workspace connection's own keyring entry (see app/sync/keyring_slot.py)

    @property
    def secret_key(self) -> str:
        """Where this connection's secrets are filed in the keyring (stable across reconnects).

        Per workspace connection, never per org user: two data folders on the same org each keep
        their own sign-in, so disconnecting one does not sign the other out.
        """
        if self.keyring_slot:
            return keyring_slot.key_for(self.keyring_slot)
        return keyring_slot.legacy_key(self.org_id, self.user_id)


def org_connection(row: Connection) -> OrgConnection:
    """The value of a saved connection row (its keyring slot is filled in by the manager)."""
    assert row.id is not None  # a row read back from the workspace always has its id
    return OrgConnection(
        connection_id=row.id,
        org_id=row.org_id,
        org_name=row.org_name or "",
        instance_url=row.instance_url,
        login_url=row.login_url,
        user_id=row.user_id,
        username=row.username,
        display_name=row.display_name,
        api_version=row.api_version,
        consumer_key=row.consumer_key,
        note_type=row.note_type,
        client_object=row.client_object,
    )
