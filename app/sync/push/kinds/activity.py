"""What every kind drafted in the generic activity table shares: one object, created once, never updated.

A call or a meeting is logged after the fact: it goes to Salesforce as one create, through the
exactly-once protocol like everything else (payload and ``sent_at`` committed first, a lost answer
looked up with the object's shared :class:`~app.sync.push.reconcile.LookupSpec`).  Once pushed it is
changed in Salesforce, not here (``app.store.activities.save`` refuses it), so an "update" only
reaches a handler if someone queued a pushed activity by hand: it is settled as needing attention
with what to do, and nothing is sent.

A kind's handler is a subclass that says which object it writes and what its payload is; fields the
org's describe does not list as createable are left out (orgs without Salesforce CRM Call Center
lack the call fields, for one), so a missing optional field never fails a push.
"""

from __future__ import annotations

from abc import abstractmethod
from dataclasses import dataclass
from typing import Any, ClassVar

from app.store import activity_forms
from app.store.activities import ActivityDraftValue
from app.store.outbox import PushWork
from app.sync.push import mapping as push_mapping
from app.sync.push.kinds.base import DraftHandler
from app.sync.push.ledger import Sent
from app.sync.push.limits import LimitProblem
from app.sync.push.pace import Pacer
from app.sync.push.run import PushRun

ALREADY_PUSHED = "ALREADY_PUSHED"


def activity_of(w: PushWork) -> ActivityDraftValue:
    assert w.activity is not None
    return w.activity


async def createable_fields(run: PushRun, sobject: str) -> frozenset[str]:
    """The fields of ``sobject`` this org lets us set on create (describe; the client caches it)."""
    describe = await run.gate.call(run.client.describe(sobject))
    return frozenset(str(f.get("name")) for f in describe.get("fields", [])
                     if isinstance(f, dict) and f.get("createable"))


@dataclass(frozen=True)
class OrgFacts:
    """What a payload may depend on: the object's createable fields, and the kind's own facts."""

    fields: frozenset[str]
    facts: dict[str, Any]


class ActivityHandler(DraftHandler):
    """A kind whose drafts live in ``activity_draft`` and are sent as creates of ``sobject``."""

    sobject: ClassVar[str]
    optional: ClassVar[frozenset[str]] = frozenset()  # fields sent only when the org has them
    title_max: ClassVar[int | None] = 255  # Salesforce's length for the title sent (Subject 255, Name 120)

    @property
    def create_group(self) -> str:
        return self.sobject

    @property
    def update_group(self) -> str:
        return f"update:{self.sobject}"

    # -- what the kind says -----------------------------------------------------------------------------
    @abstractmethod
    def payload(self, w: PushWork, run: PushRun, org: OrgFacts) -> dict[str, Any]:
        """The record as created (with ``attributes.type``), every field the kind may send; fields in
        ``optional`` the org lacks are dropped after."""

    async def org_facts(self, run: PushRun, fields: frozenset[str]) -> dict[str, Any]:
        """What the payload needs from the org besides its fields (default: nothing), read once a chunk."""
        return {}

    async def chunk_facts(self, chunk: list[PushWork], run: PushRun) -> dict[str, Any]:
        """What the payloads of this chunk need from the workspace or the org (default: nothing)."""
        return {}

    def follows_up(self, w: PushWork) -> bool:
        """True when the created record needs more records after it (a meeting's other attendees):
        the item is then recorded as created, and :meth:`follow_up` settles it."""
        return False

    async def follow_up(self, created: list[tuple[PushWork, str]], run: PushRun) -> list[int]:
        """The second step of items created but not done (default: none has one)."""
        return []

    def rules(self, activity: ActivityDraftValue) -> list[LimitProblem]:
        """Salesforce rules of the kind beyond the form's lengths (default: none)."""
        return []

    # -- DraftHandler -----------------------------------------------------------------------------------
    def problems(self, w: PushWork) -> list[LimitProblem]:
        activity = activity_of(w)
        found = [LimitProblem(name, words) for name, words in activity_forms.problems(activity.kind, activity.fields)]
        title = activity.sent_title
        if title is not None and self.title_max is not None and len(title) > self.title_max:
            found.append(LimitProblem("title", f"The title from your template in Settings → Sending is {len(title)} "
                                               f"characters; Salesforce allows {self.title_max}. Shorten the "
                                               "template or what you typed — nothing is cut off."))
        return found + self.rules(activity)

    def group_of(self, w: PushWork, run: PushRun) -> str:
        return self.update_group if activity_of(w).remote_id else self.create_group

    def lead_id(self, w: PushWork) -> str | None:
        return activity_of(w).who_id

    def record_object(self, w: PushWork, run: PushRun) -> str:
        return self.sobject

    async def send(self, group: str, chunk: list[PushWork], run: PushRun) -> list[int]:
        if group == self.update_group:
            noun = activity_forms.form_of(self.kind).noun.lower()
            for w in chunk:
                run.ledger.failed(w, ALREADY_PUSHED, f"This {noun} is in Salesforce already.",
                                  f"Change the {noun} in Salesforce. Nothing was sent.")
            return []
        have = await createable_fields(run, self.sobject)
        org = OrgFacts(have, {**await self.org_facts(run, have), **await self.chunk_facts(chunk, run)})
        sent = []
        pacer = Pacer()  # 200 payloads and fingerprints: the loop gets turns (app.sync.push.pace)
        for w in chunk:
            await pacer.turn()
            record = {k: v for k, v in self.payload(w, run, org).items()
                      if k == "attributes" or k in have or k not in self.optional}
            sent.append(Sent(w, record, push_mapping.sent_fingerprint(record)))
        answer = await run.protocol.send(sent, lambda: run.client.create_many([s.record for s in sent]))
        if answer.results is None:
            return answer.retry
        retry: list[int] = []
        created: list[tuple[PushWork, str]] = []
        for s, result in zip(sent, answer.results, strict=True):
            if result.success and result.id and self.follows_up(s.work):
                run.ledger.created(s, result.id)
                created.append((s.work, result.id))
            elif result.success and result.id:
                run.ledger.pushed(s.work, result.id, self.sobject, s.fp)
            else:
                retry += await run.protocol.item_failed(s.work, result.errors)
        if created:
            await run.ledger.flush()  # the record is Salesforce's now: a crash from here never re-creates it
            retry += await self.follow_up(created, run)
        return retry


__all__ = ["ALREADY_PUSHED", "ActivityHandler", "OrgFacts", "activity_of", "createable_fields"]
