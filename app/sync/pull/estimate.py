"""How many records a change of what syncs would bring: one ``COUNT()`` query per object.

Settings → Sync says what a change costs before it is applied ("about 12,400 records"); a count is
cheap (one API call, no rows) and never touches the workspace.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from app.salesforce import soql
from app.salesforce.client import SalesforceClient
from app.sync.pull import filters as flt_mod
from app.sync.pull import queries as q
from app.sync.pull.filters import FilterContext, ObjectFilter, RuleKind


async def count_records(client: SalesforceClient, sobjects: tuple[str, ...], *, owner_id: str | None = None) -> int:
    """Records of ``sobjects`` (owned by ``owner_id`` when given) that a full pull would read."""
    total = 0
    for sobject in sobjects:
        page = await client.query_page(q.count_people(sobject, owner_id=owner_id))
        total += page.total_size
    return total


async def filter_context(client: SalesforceClient, user_id: str, filters: Iterable[ObjectFilter], *,
                         now: datetime | None = None) -> FilterContext:
    """What the rules about "me" need, asked once for all ``filters``: the user's role (one query, only
    for "my team") and the people met in each meeting window (one query per window and object)."""
    filters = list(filters)
    kinds = {r.kind for f in filters for g in f.groups for r in g.rules}
    role_id = None
    if RuleKind.OWNER_IN_MY_ROLE in kinds:
        page = await client.query_page(soql.fmt("SELECT UserRoleId FROM User WHERE Id = {}", user_id))
        role = page.records[0].get("UserRoleId") if page.records else None
        role_id = role if isinstance(role, str) and role else None
    start = now or datetime.now(UTC)
    meetings: dict[int, tuple[str, ...]] = {}
    for flt in filters:
        windows = {r.days for g in flt.groups for r in g.rules if r.kind is RuleKind.MEETING_SOON}
        for days in sorted(windows):
            records = await client.query_list(flt_mod.meeting_people(flt.sobject, user_id, start,
                                                                     start + timedelta(days=days)))
            meetings[days] = flt_mod.people_of(flt.sobject, records)
    return FilterContext(user_id, role_id, meetings)


@dataclass(frozen=True)
class FilterCount:
    """A preview of one object's filter: how many records it keeps of all the advisor can see."""

    sobject: str
    kept: int
    total: int


async def count_where(client: SalesforceClient, sobject: str, where: str | None) -> int:
    statement = f"SELECT COUNT() FROM {soql.field(sobject)}"  # noqa: S608 - a validated name
    page = await client.query_page(f"{statement} WHERE {where}" if where else statement)
    return page.total_size


async def preview_filter(client: SalesforceClient, flt: ObjectFilter, ctx: FilterContext) -> FilterCount:
    """Two ``COUNT()`` calls: the records the filter keeps, and all the advisor can see."""
    where = flt_mod.compile_where(flt, ctx)
    total = await count_where(client, flt.sobject, None)
    kept = total if where is None else await count_where(client, flt.sobject, where)
    return FilterCount(flt.sobject, kept, total)
