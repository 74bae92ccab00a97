"""The pull's side of filter rules: which WHERE a people query carries, and what a filter change costs.

A filter change does not start the pull again. The records the new filter keeps and the old did not
are fetched (``new AND NOT old``), the Ids the old kept and the new does not are asked for
(``old AND NOT new``) and leave the workspace — unless drafts or queued items are about them
(``app.store.filter_scope``) — so the calls a change costs follow the size of the change, not of the
book. Each incremental pull with a filter also asks which changed records stopped matching it (an edit
in Salesforce can move a person out), one more ``SELECT Id`` query.

The WHERE applied last is kept per cursor (``sync.filter_applied.<cursor key>``), so a rule whose
meaning moves by itself ("a meeting in the next 30 days") is re-applied as a small change each day.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any, Protocol

from app.salesforce import soql
from app.salesforce.results import QueryPage
from app.store import filter_scope, settings
from app.sync.pull import filters as flt_mod
from app.sync.pull import queries as q
from app.sync.pull.base import PullContext
from app.sync.pull.estimate import filter_context
from app.sync.pull.pages import PAGE_SIZE
from app.sync.pull.records import RowMapper
from app.sync.pull.writes import CursorPlan, PageResult, people_page


class PeopleSpec(Protocol):
    """What this needs of ``app.sync.pull.people.PeopleSpec`` (which imports this module)."""

    @property
    def sobject(self) -> str: ...
    @property
    def fields(self) -> tuple[str, ...]: ...
    @property
    def mapper(self) -> RowMapper: ...
    @property
    def mirror_accounts(self) -> bool: ...

log = logging.getLogger(__name__)

APPLIED_KEY = "sync.filter_applied.{}"
UNSET = "\0unset"  # no filter was ever applied to this cursor


class FilteredPulls:
    """The WHERE each people query carries this run, and bringing the workspace to a changed filter."""

    def __init__(self, ctx: PullContext) -> None:
        self.ctx = ctx
        self._wheres: dict[str, str | None] = {}

    async def prepare(self) -> None:
        """Resolve the rules about "me" once per run (a role query, a meetings query) and compile."""
        self._wheres = {}
        filters = [f for f in self.ctx.prefs.filters if not f.empty]
        if not filters:
            return
        user_id = self.ctx.prefs.user_id or self.ctx.prefs.owner_id
        if not user_id:
            raise flt_mod.FilterError("Filter rules need the signed-in Salesforce user.")
        context = await filter_context(self.ctx.client, user_id, filters, now=self.ctx.now())
        for flt in filters:
            self._wheres[flt.sobject] = flt_mod.compile_where(flt, context)

    def where_for(self, sobject: str) -> str | None:
        return self._wheres.get(sobject)

    async def applied(self, key: str) -> str | None:
        cid = self.ctx.connection_id
        value = await self.ctx.db.run(lambda s: settings.get(s, cid, APPLIED_KEY.format(key), UNSET))
        return value if isinstance(value, str) or value is None else UNSET

    async def save_applied(self, key: str, where: str | None) -> None:
        cid = self.ctx.connection_id
        await self.ctx.db.run(lambda s: settings.put(s, cid, APPLIED_KEY.format(key), where))

    async def apply_change(self, spec: PeopleSpec, key: str) -> None:
        """Bring the workspace from the filter applied last to this run's, in proportion to the change."""
        where = self.where_for(spec.sobject)
        old = await self.applied(key)
        if old == UNSET:
            old = None  # a workspace synced before filters existed kept everything
        if old == where:
            return
        added = flt_mod.difference(where, old)
        if added:
            await self._fetch_added(spec, added)
        removed = flt_mod.difference(old, where)
        if removed:
            await self.drop(spec, removed)
        await self.save_applied(key, where)

    async def _fetch_added(self, spec: PeopleSpec, where: str) -> None:
        cid = self.ctx.connection_id
        soql_text = soql.select(spec.fields, spec.sobject, where=where, order_by=q.ORDER)
        page = await self.ctx.client.query_page(soql_text, batch_size=PAGE_SIZE)

        async def write(page: QueryPage, last: bool) -> PageResult:
            result = await self.ctx.db.run(people_page(cid, spec.sobject, page.records, spec.mapper, CursorPlan(None),
                                                       mirror_accounts=spec.mirror_accounts, detect_new=True))
            seen = result.seen_ids
            await self.ctx.db.run(lambda s: filter_scope.back_in_filter(s, cid, seen))
            self.ctx.tally.page(spec.sobject, result)
            self.ctx.tally.add("filter_added", len(page.records))
            return result

        await self.ctx.walk(page, write)

    async def drop(self, spec: PeopleSpec, where: str, *, since: datetime | None = None) -> None:
        """Records matching ``where`` (changed since ``since``) leave the workspace, or stay marked."""
        cid = self.ctx.connection_id
        condition = q._and(q.changed_since(since), where)
        records = await self.ctx.client.query_list(soql.select(("Id",), spec.sobject, where=condition))
        ids = [r["Id"] for r in records if isinstance(r.get("Id"), str)]
        if not ids:
            return
        left: Any = await self.ctx.db.run(lambda s: filter_scope.leave_filter(s, cid, ids))
        self.ctx.tally.add("filter_removed", left.removed)
        self.ctx.tally.add("filter_kept", left.kept)
        log.info("%s: %d left the filter, %d kept for local work", spec.sobject, left.removed, left.kept)

    async def drop_changed_out(self, spec: PeopleSpec, since: datetime | None) -> None:
        """Incremental: records changed since ``since`` that the filter no longer keeps."""
        where = self.where_for(spec.sobject)
        if where is not None:
            await self.drop(spec, f"NOT {where}", since=since)
