"""The words a push run and the push loop end in, as enums.

``StrEnum`` because they leave the process as text: a run's status is the ``outcome`` of its row in
the sync log (``app.store.sync_log``), which the Settings page maps to words, and tests and callers
compare them with the plain strings they always were ("done", "offline" …).
"""

from __future__ import annotations

from enum import StrEnum


class PushStatus(StrEnum):
    """How one :meth:`PushEngine.push` run ended (``PushReport.status``)."""

    DONE = "done"              # everything due was settled (pushed, needs attention or held)
    NOTHING = "nothing"        # nothing was due
    OFFLINE = "offline"        # no answer / Salesforce down: items wait, the loop probes with backoff
    BUDGET = "budget"          # API limit or our reserve reached: items wait until the budget recovers
    BUSY = "busy"              # the org's concurrent long-request limit: items wait a minute (not the budget)
    SESSION_POLICY = "session_policy"  # the app's session policy refuses the REST API: an admin must change it
    SIGNED_OUT = "signed_out"  # the sign-in was refused: items wait until the advisor signs in again
    CANCELLED = "cancelled"    # the caller cancelled: items stay as they were

    @property
    def is_stop(self) -> bool:
        """The run stopped early (its sync-log row carries an error code ``PUSH_<STATUS>``)."""
        return self not in (PushStatus.DONE, PushStatus.NOTHING)


class LoopState(StrEnum):
    """What the background push loop is doing right now (``LoopStatus.state``)."""

    IDLE = "idle"
    SENDING = "sending"
    OFFLINE = "offline"
    BUDGET = "budget"
    BUSY = "busy"
    SIGNED_OUT = "signed_out"
    SESSION_POLICY = "session_policy"


class Settled(StrEnum):
    """How one item was settled in a run: the ``outcome`` of its sync-log row."""

    PUSHED = "pushed"
    NEEDS_ATTENTION = "needs_attention"
    WAITING = "waiting"


__all__ = ["LoopState", "PushStatus", "Settled"]
