"""What one push run hands to its kind handlers: the client, the store, the settings and the run's
collaborators.  Built by :class:`app.sync.push.engine.PushEngine` at the start of each run."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from app.salesforce.client import SalesforceClient
from app.store import Database
from app.sync.push.base import PushSettings
from app.sync.push.gate import ApiGate
from app.sync.push.ledger import Ledger

if TYPE_CHECKING:
    from app.sync.push.protocol import ExactlyOnce
    from app.sync.push.run_log import RunLog


@dataclass
class PushRun:
    client: SalesforceClient
    db: Database
    connection_id: int
    settings: PushSettings
    gate: ApiGate
    ledger: Ledger
    protocol: ExactlyOnce
    log: RunLog
    user_id: str = ""             # the signed-in Salesforce user (owner of what we create)
    note_type: str = "ContentNote"  # how new notes are created: "ContentNote" or classic "Note"


__all__ = ["PushRun"]
