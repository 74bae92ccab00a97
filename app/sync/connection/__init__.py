"""The one owner of "the org we are connected to": its saved facts, its secrets and its live client.

Import from here (``from app.sync.connection import ConnectionManager, ConnectionStatus,
OrgConnection``); the UI may import this package for its value types.  Inside:

- ``status.py``: the status badge's value (``ConnectionStatus``) and its rules, pure;
- ``org.py``: the saved facts of the org (``OrgConnection``), a frozen value;
- ``sign_in_secrets.py``: the refresh token and consumer secret, in the keyring or in memory;
- ``manager.py``: ``ConnectionManager``, which signs in, refreshes tokens, builds the one client
  and reports the status to its listeners.
"""

from __future__ import annotations

from app.sync.connection.manager import ConnectionManager
from app.sync.connection.org import OrgConnection
from app.sync.connection.sign_in_secrets import CONSUMER_SECRET, REFRESH_TOKEN
from app.sync.connection.status import (
    DEADLINE_CODE,
    NOT_CONNECTED,
    ConnectionStatus,
    NeedsAttention,
    NotConnected,
    State,
)

__all__ = [
    "CONSUMER_SECRET", "DEADLINE_CODE", "NOT_CONNECTED", "REFRESH_TOKEN", "ConnectionManager", "ConnectionStatus",
    "NeedsAttention", "NotConnected", "OrgConnection", "State",
]
