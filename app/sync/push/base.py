"""The push's shared vocabulary: its settings, its report, and how a run stops.

No behaviour lives here; the parts that act are composed by :class:`app.sync.push.engine.PushEngine`:
:mod:`~app.sync.push.gate` (API budget and whole-request failures), :mod:`~app.sync.push.ledger`
(settling items), :mod:`~app.sync.push.protocol` (exactly once: record, send, reconcile) and one
handler per kind (:mod:`app.sync.push.kinds`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum

from app.store.kinds import ItemKind
from app.sync.push.budget import DEFAULT_RESERVE_FRACTION
from app.sync.push.status import PushStatus

BATCH = 200
OFFLINE_REASON = "Salesforce can't be reached (offline?). Notebridge keeps trying and sends these by itself."
NOT_ANSWERING_REASON = ("Salesforce isn't answering. Notebridge waits, then tries again by itself and checks "
                        "before sending anything twice.")
SIGNED_OUT_REASON = "Salesforce signed Notebridge out. Sign in again in Settings; your notes wait here."
BUSY_REASON = ("Salesforce is busy: too many long requests are running in your org at once. This is not your "
               "daily API allowance. Notebridge sends these by itself in a minute.")
UNREADABLE_REASON = ("Salesforce's answer could not be read ({what}). Nothing is lost or sent twice; "
                     "Notebridge tries again by itself.")


class UnmatchedEmail(StrEnum):
    """A logged email whose addresses match no client in Salesforce (Settings → Sending)."""

    HOLD = "hold"                # only when the client exists: it waits in the Outbox, saying how to fix it
    CREATE_LEAD = "create_lead"  # also create a Lead for the address, once, and log the email on it


@dataclass(frozen=True)
class PushSettings:
    note_type: str | None = None            # None: the connection's preference
    reserve_fraction: float = DEFAULT_RESERVE_FRACTION
    task_key_field: str | None = None       # an external-ID text field on Task for the outbox key
    batch_size: int = BATCH
    composite_max_notes: int = 12           # 2 subrequests per note, ≤ 25 per Composite call
    retry_after: timedelta = timedelta(seconds=30)
    # How long after ``sent_at`` a lookup that finds nothing proves nothing was created: a request
    # whose sender died or gave up may still be running in Salesforce and commit a moment later.
    reconcile_settle: timedelta = timedelta(seconds=2)
    # The advisor's choices in Settings → Sending (app.sync.push.preferences; applied by app.sync.push.placement).
    push_notes: bool = True                 # off: notes wait in the Outbox ("turned off in Settings")
    push_tasks: bool = True
    meeting_summaries: bool = True          # off: Client-tagged meeting notes go as ordinary notes
    attach_to: str | None = None            # None = as drafted; "contact" | "account" | "both"
    note_title_template: str = "{title}"
    task_title_template: str = "{subject}"
    # Activity kinds (calls, meetings, opportunities …) turned off: their items wait in the Outbox.
    activities_off: frozenset[ItemKind] = frozenset()
    # Activity kind → title template (app.sync.push.title_templates.ACTIVITY_TEMPLATES); absent: its default.
    activity_title_templates: Mapping[ItemKind, str] = field(default_factory=dict)
    new_people_as: str = "Contact"          # people added in Notebridge: "Contact" (+ Account) or "Lead"
    unmatched_email: UnmatchedEmail = UnmatchedEmail.HOLD
    lead_source: str = "Notebridge"


@dataclass
class PushReport:
    status: PushStatus = PushStatus.DONE
    pushed: int = 0
    needs_attention: int = 0
    waiting: int = 0
    reconciled: int = 0
    retargeted: int = 0
    conflicts: int = 0
    api_calls: int = 0
    reason: str = ""
    error_code: str = ""  # why the run stopped (e.g. DEADLINE_EXCEEDED: Salesforce did not answer in time)
    next_try_at: datetime | None = None
    notices: list[str] = field(default_factory=list)
    # (kind, draft id, new state) of every item settled in the run, in order, so the use case can tell
    # every open view (editor windows, the client view) that the item moved; see ``SettledItems``.
    settled: list[tuple[ItemKind, int, str]] = field(default_factory=list)


class StopRun(Exception):
    """The run stops here (offline, budget, signed out, cancelled); open items wait with ``reason``."""

    def __init__(self, status: PushStatus, code: str, reason: str, retry_at: datetime | None) -> None:
        super().__init__(reason)
        self.status, self.code, self.reason, self.retry_at = status, code, reason, retry_at


__all__ = ["BATCH", "BUSY_REASON", "NOT_ANSWERING_REASON", "OFFLINE_REASON", "SIGNED_OUT_REASON",
           "UNREADABLE_REASON", "PushReport", "PushSettings", "StopRun", "UnmatchedEmail"]
