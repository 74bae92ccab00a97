"""What a kind of outbox item must say about itself so the push can send it exactly once.

The push engine and the exactly-once protocol never ask *what* an item is; they ask its handler
(registered per :class:`~app.store.kinds.ItemKind` in :mod:`app.sync.push.kinds`):

* ``sobjects`` — the Salesforce objects it writes;
* ``push_ahead`` — work done before any outbox item of the run (new people: notes about them follow);
* ``groups`` / ``group_of`` — how its items group into requests, in the order the run sends them;
* ``problems`` — Salesforce limits the draft breaks (nothing is sent, the advisor edits it);
* ``send`` — build the payloads of one group and send them through ``run.protocol``;
* ``lookups`` — how :mod:`app.sync.push.reconcile` finds a create whose answer was lost;
* ``settle_found`` — what settles when such a lookup finds the record;
* ``lead_id`` — the person it is about, for re-targeting a converted Lead.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import ClassVar

from app.store.kinds import ItemKind
from app.store.outbox import PushWork
from app.sync.push.ledger import Ledger, Sent
from app.sync.push.limits import LimitProblem
from app.sync.push.reconcile import LookupSpec
from app.sync.push.run import PushRun


class KindHandler(ABC):
    """One kind of item Notebridge creates in Salesforce."""

    kind: ClassVar[ItemKind]
    sobjects: ClassVar[tuple[str, ...]] = ()
    groups: ClassVar[tuple[str, ...]] = ()     # request groups, in the order a run sends them
    lookups: ClassVar[tuple[LookupSpec, ...]] = ()

    async def push_ahead(self, run: PushRun) -> None:  # noqa: B027 - most kinds have nothing to do first
        """Work before the run's outbox items are taken (default: none)."""


class DraftHandler(KindHandler):
    """A kind whose drafts are outbox work items (``PushWork``): notes, tasks …"""

    @abstractmethod
    def problems(self, w: PushWork) -> list[LimitProblem]:
        """Salesforce limits this item breaks as prepared (empty: it may be sent)."""

    @abstractmethod
    def group_of(self, w: PushWork, run: PushRun) -> str:
        """The request group (one of ``groups``) this item goes in."""

    @abstractmethod
    async def send(self, group: str, chunk: list[PushWork], run: PushRun) -> list[int]:
        """Send one chunk of a group; returns the outbox ids to send again in this run."""

    @abstractmethod
    def lead_id(self, w: PushWork) -> str | None:
        """The Salesforce Id of the person the item is about (a Lead may have been converted)."""

    @abstractmethod
    def record_object(self, w: PushWork, run: PushRun) -> str:
        """The object this item is (or would be) in Salesforce, for the sync log."""

    def keeps_target(self, w: PushWork) -> bool:
        """True when the item must stay where it is even if its Lead was converted (default: never)."""
        return False

    def edited_since(self, s: Sent, sobject: str) -> bool:
        """Was the draft edited after ``s`` was built?  (Default: the store's ``updated_at`` check says.)"""
        return False

    def settle_found(self, s: Sent, remote_id: str, sobject: str, ledger: Ledger) -> bool:
        """A lost create was found in Salesforce: settle it.  True: it still needs sending (e.g. a link)."""
        ledger.pushed(s.work, remote_id, sobject, s.fp, edited=self.edited_since(s, sobject))
        return False


__all__ = ["DraftHandler", "KindHandler"]
