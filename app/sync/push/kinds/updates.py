"""Updating records we pushed before, after a conflict check — shared by every kind that updates.

Salesforce's current version is read first (:mod:`app.sync.push.conflicts`): deleted there → the
item needs attention ("Save as new"); already what we would send (a lost answer) → done without a
request; changed there since our last push → a conflict for the advisor; otherwise sent.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from app.store.outbox import PushWork
from app.sync.push import conflicts as push_conflicts
from app.sync.push.conflicts import RemoteVersion
from app.sync.push.ledger import Sent
from app.sync.push.run import PushRun


@dataclass(frozen=True)
class Update:
    """What one item's update sends, and what it is compared as."""

    record: dict[str, Any]             # with "Id" and "attributes"
    mine: str                          # fingerprint comparable with ``RemoteVersion.fingerprint``
    held: dict[str, Any] | None = None  # the record as Salesforce will hold it (fields not sent kept)
    # A field outside the fingerprint (a Task's reminder) differs from Salesforce's: send even when the
    # fingerprints match.  Such fields never raise a conflict: the fingerprint (and so every stored
    # ``last_pushed_hash``) stays what it was before the org let us write them.
    unfingerprinted_change: bool = False


BuildUpdate = Callable[[PushWork, str, RemoteVersion], Update]
AfterUpdate = Callable[[PushWork, dict[str, Any], PushRun], None]


def jsonable(values: dict[str, Any]) -> dict[str, Any]:
    return {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in values.items()}


async def update_checked(run: PushRun, chunk: list[PushWork], sobject: str, build: BuildUpdate,
                         after: AfterUpdate | None = None, *, read_calls: int = 1,
                         extra_fields: tuple[str, ...] = ()) -> list[int]:
    """Update ``chunk`` (records of ``sobject``); ``after(w, held)`` runs for each item pushed.
    ``extra_fields``: also read, into ``RemoteVersion.shown``, outside the fingerprint."""
    ledger = run.ledger
    await run.gate.spend(read_calls)
    remote = await run.gate.call(push_conflicts.fetch(run.client, sobject, [w.item.remote_id or "" for w in chunk],
                                                      extra_fields=extra_fields))
    to_send: list[Sent] = []
    held: dict[int, dict[str, Any]] = {}  # outbox id → the record as Salesforce will hold it
    for w in chunk:
        remote_id = w.item.remote_id or ""
        theirs = remote[remote_id]
        plan = build(w, remote_id, theirs)
        if plan.held is not None:
            held[w.outbox.id] = plan.held
        if not theirs.exists:
            ledger.failed(w, "ENTITY_IS_DELETED", "This record was deleted in Salesforce.",
                          "Use “Save as new” to push it again as a new record.", conflict={"deleted": True})
        elif theirs.fingerprint == plan.mine and not plan.unfingerprinted_change:
            if after is not None:
                after(w, held.get(w.outbox.id, {}), run)
            ledger.pushed(w, remote_id, sobject, plan.mine)  # already there (e.g. a lost response)
        elif w.item.last_pushed_hash and theirs.fingerprint != w.item.last_pushed_hash:
            ledger.report.conflicts += 1
            ledger.failed(w, "CONFLICT", "Changed in Salesforce since your last push.",
                          "Compare both versions, then keep yours, take Salesforce's, or save yours as new.",
                          conflict={"theirs": theirs.shown, "theirs_hash": theirs.fingerprint,
                                    "changes": jsonable(theirs.changes), "sobject": sobject})
        else:
            to_send.append(Sent(w, plan.record, plan.mine))
    if not to_send:
        return []
    answer = await run.protocol.send(to_send, lambda: run.client.update_many([s.record for s in to_send]),
                                     creates=False)
    if answer.results is None:
        return answer.retry
    retry: list[int] = []
    for s, result in zip(to_send, answer.results, strict=True):
        if result.success:
            if after is not None:
                after(s.work, held.get(s.outbox_id, {}), run)
            ledger.pushed(s.work, s.record["Id"], sobject, s.fp)
        else:
            retry += await run.protocol.item_failed(s.work, result.errors)
    return retry


__all__ = ["AfterUpdate", "BuildUpdate", "Update", "jsonable", "update_checked"]
