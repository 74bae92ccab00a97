"""Every request of a push passes this gate: the API budget first, and a whole-request failure
(offline, limit, sign-in) turned into a stop of the run.

One instance per run.  Only this module decides which Salesforce errors stop a run; the protocol
and the kind handlers ask it (:meth:`ApiGate.stop_if_fatal`) and handle the rest item by item.
"""

from __future__ import annotations

from collections.abc import Awaitable
from datetime import timedelta
from typing import TypeVar

from app.salesforce.client import SalesforceClient
from app.salesforce.errors import (
    SESSION_POLICY_FIX,
    SESSION_POLICY_REASON,
    ConcurrentLimitExceeded,
    NetworkError,
    OutcomeUnknown,
    RequestLimitExceeded,
    RestSessionRefused,
    SalesforceError,
    ServerUnavailable,
    SessionExpired,
    UnreadableResponse,
)
from app.salesforce.oauth_errors import OAuthError
from app.salesforce.response_check import in_short
from app.store.types import utcnow
from app.sync.push.base import (
    BUSY_REASON,
    NOT_ANSWERING_REASON,
    OFFLINE_REASON,
    SIGNED_OUT_REASON,
    UNREADABLE_REASON,
    StopRun,
)
from app.sync.push.budget import ApiBudget
from app.sync.push.status import PushStatus

T = TypeVar("T")
BUSY_RETRY = timedelta(minutes=1)  # the org's long requests finish within minutes; the budget is untouched


class ApiGate:
    """Spends API calls against the budget and stops the run on whole-request trouble."""

    def __init__(self, client: SalesforceClient, budget: ApiBudget, retry_after: timedelta) -> None:
        self.client = client
        self.budget = budget
        self.retry_after = retry_after

    async def spend(self, calls: int) -> None:
        """Before ``calls`` more requests: stop with ``budget`` if they would dip into the reserve."""
        self.budget.update(self.client.api_usage)
        decision = self.budget.check(calls, utcnow())
        if decision.recheck:
            await self.call(self.client.limits())  # one call to read today's usage again
            self.budget.update(self.client.api_usage)
            decision = self.budget.check(calls, utcnow())
        if not decision.ok:
            raise StopRun(PushStatus.BUDGET, "API_BUDGET", decision.reason, decision.retry_at)

    async def call(self, awaitable: Awaitable[T]) -> T:
        """Await a helper request (a query, the picklists); connectivity, budget and auth stop the run."""
        try:
            return await awaitable
        except SalesforceError as exc:
            self.stop_if_fatal(exc)
            raise

    def stop_if_fatal(self, exc: SalesforceError) -> None:
        """Raise the :class:`StopRun` for an error that no other request of this run would escape."""
        now = utcnow()
        if isinstance(exc, ConcurrentLimitExceeded):  # not the daily allowance: the budget stays as it is
            raise StopRun(PushStatus.BUSY, exc.error_code, BUSY_REASON, now + BUSY_RETRY) from exc
        if isinstance(exc, RestSessionRefused):  # a new sign-in would be refused the same way
            raise StopRun(PushStatus.SESSION_POLICY, exc.error_code,
                          f"{SESSION_POLICY_REASON} {SESSION_POLICY_FIX}", None) from exc
        if isinstance(exc, RequestLimitExceeded):
            decision = self.budget.note_limit_exceeded(now)
            raise StopRun(PushStatus.BUDGET, exc.error_code, decision.reason, decision.retry_at) from exc
        if isinstance(exc, SessionExpired | OAuthError):
            raise StopRun(PushStatus.SIGNED_OUT, "SIGNED_OUT", SIGNED_OUT_REASON, None) from exc
        if isinstance(exc, NetworkError | ServerUnavailable | OutcomeUnknown):
            # DEADLINE_EXCEEDED: no answer within the client's deadline — Salesforce is frozen, not gone.
            reason = NOT_ANSWERING_REASON if exc.error_code == "DEADLINE_EXCEEDED" else OFFLINE_REASON
            raise StopRun(PushStatus.OFFLINE, exc.error_code, reason, now + self.retry_after) from exc
        if isinstance(exc, UnreadableResponse):
            # An unreadable answer proves nothing (least of all "not found"): hold the items, try later.
            reason = UNREADABLE_REASON.format(what=in_short(exc.problem))
            raise StopRun(PushStatus.OFFLINE, exc.error_code, reason, now + self.retry_after) from exc

    def stop_for(self, exc: SalesforceError) -> StopRun:
        """The stop for an error no step handled: push() never raises for Salesforce trouble."""
        try:
            self.stop_if_fatal(exc)
        except StopRun as stop:
            return stop
        reason = f"Salesforce refused a request: {exc.message} Notebridge tries again later."
        return StopRun(PushStatus.OFFLINE, exc.error_code, reason, utcnow() + self.retry_after)

    def offline(self) -> StopRun:
        """No answer after retrying a request that is safe to repeat."""
        return StopRun(PushStatus.OFFLINE, "NETWORK_ERROR", OFFLINE_REASON, utcnow() + self.retry_after)


__all__ = ["ApiGate"]
