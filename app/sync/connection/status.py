"""How the org connection is doing, in words an advisor reads: the status badge's value and its rules.

Pure values and functions (no I/O), so the UI can import them to show a status and tests can build
one; :class:`app.sync.connection.manager.ConnectionManager` is the one that decides and reports it.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Literal

from app.salesforce.errors import DeadlineExceeded, NetworkError, OutcomeUnknown

State = Literal["connected", "needs_attention", "not_connected"]


@dataclass(frozen=True)
class ConnectionStatus:
    state: State
    reason: str = ""
    fix: str = ""
    offline: bool = False
    # Offline because a request got no answer within its deadline (Salesforce frozen, not unreachable).
    not_answering: bool = False

    @property
    def label(self) -> str:
        if self.state == "connected":
            if self.offline:
                return "Not answering" if self.not_answering else "Offline"
            return "Connected"
        return "Needs attention" if self.state == "needs_attention" else "Not connected"


NOT_ANSWERING_REASON = "Salesforce isn't answering."
NOT_ANSWERING_FIX = ("Your work is kept here. Notebridge waits, then tries again by itself, and checks before "
                     "sending anything twice.")
DEADLINE_CODE = "DEADLINE_EXCEEDED"


def unanswered(exc: BaseException) -> bool:
    """A request that got no answer within its deadline (``Deadlines`` in the Salesforce client):
    it counts as "Salesforce isn't answering", not as a refusal."""
    return isinstance(exc, DeadlineExceeded) or (
        isinstance(exc, OutcomeUnknown | NetworkError) and exc.error_code == DEADLINE_CODE)


def offline_status(current: ConnectionStatus, exc: BaseException) -> ConnectionStatus:
    """The status after a transient failure ``exc``: still signed in, offline, and why."""
    if unanswered(exc):
        return ConnectionStatus("connected", NOT_ANSWERING_REASON, NOT_ANSWERING_FIX, True, True)
    if current.state == "connected" and not current.not_answering:
        return replace(current, offline=True)
    return ConnectionStatus("connected", "Salesforce cannot be reached right now.", "Notebridge will retry by itself.",
                            True)


NOT_CONNECTED = ConnectionStatus("not_connected", "Salesforce is not connected yet.",
                                 "Open Settings and choose Connect Salesforce.")
DISCONNECTED = ConnectionStatus("not_connected", "You disconnected Salesforce. Your clients and drafts are kept.",
                                "Choose Reconnect to sign in again.")


class NotConnected(RuntimeError):
    def __init__(self, status: ConnectionStatus) -> None:
        super().__init__(status.reason)
        self.status = status


class NeedsAttention(NotConnected):
    """The connection exists but cannot be used until the advisor acts (e.g. signs in again)."""
