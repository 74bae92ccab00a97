"""Pulling households beyond a Contact's own Account: AccountContactRelation, where the org has it.

Only orgs with "Contacts to Multiple Accounts" have the object.  Whether this org has it is read from
a global describe the client already holds (the wizard's and Settings' note-type checks read one), and
remembered per connection, so the pull itself never spends a call on finding out; an explicit full
re-sync asks when nothing is known yet.  Relations are few and small, so one change feed does:
``queryAll`` since the last position (deleted relations arrive with ``IsDeleted``), and a full pull
reads them all again.
https://developer.salesforce.com/docs/atlas.en-us.object_reference.meta/object_reference/sforce_api_objects_accountcontactrelation.htm
"""

from __future__ import annotations

from app.salesforce.results import QueryPage
from app.store import settings as settings_rows
from app.store import sync_state
from app.sync.pull import queries as q
from app.sync.pull.base import PullContext, key_of
from app.sync.pull.pages import PAGE_SIZE
from app.sync.pull.writes import CursorPlan, PageResult, max_key, relations_page

RELATION_OBJECT = "AccountContactRelation"
RELATION_CURSOR = "AccountContactRelation"
HAS_RELATIONS_SETTING = "org.has_account_contact_relation"  # what the last global describe said


def lists_relations(described: dict[str, object]) -> bool:
    sobjects = described.get("sobjects")
    return isinstance(sobjects, list) and any(
        isinstance(entry, dict) and entry.get("name") == RELATION_OBJECT and entry.get("queryable", True)
        for entry in sobjects)


class HouseholdPulls:
    """AccountContactRelation rows, where the org has the object."""

    def __init__(self, ctx: PullContext) -> None:
        self.ctx = ctx

    async def _has_account_relations(self, *, full: bool) -> bool:
        cid = self.ctx.connection_id
        described = self.ctx.client.cached_global_describe
        if described is None:
            known = await self.ctx.db.run(lambda s: settings_rows.get(s, cid, HAS_RELATIONS_SETTING))
            if isinstance(known, bool):
                return known
            if not full:
                return False  # not known yet: the next describe anyone reads (or a full re-sync) tells
            described = await self.ctx.client.describe_global()
        has = lists_relations(described)
        await self.ctx.db.run(lambda s: settings_rows.put(s, cid, HAS_RELATIONS_SETTING, has))
        return has

    async def pull_account_relations(self, *, full: bool) -> None:
        if not await self._has_account_relations(full=full):
            return
        cid = self.ctx.connection_id
        cursor = None if full else await self.ctx.db.run(lambda s: sync_state.get_cursor(s, cid, RELATION_CURSOR))
        since = (cursor.last_modstamp - self.ctx.overlap) if cursor is not None and cursor.last_modstamp else None
        hwm = key_of(cursor) if cursor is not None else None
        page = await self.ctx.client.query_page(q.account_relations(since=since), include_deleted=since is not None,
                                                batch_size=PAGE_SIZE)

        async def write(page: QueryPage, last: bool) -> PageResult:
            nonlocal hwm
            result = await self.ctx.db.run(relations_page(cid, page.records, CursorPlan(RELATION_CURSOR, floor=hwm)))
            hwm = max_key(hwm, result.last_key)
            self.ctx.tally.page(RELATION_OBJECT, result)
            return result

        await self.ctx.walk(page, write)
