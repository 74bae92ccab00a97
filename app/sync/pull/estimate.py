"""How many records a change of what syncs would bring: one ``COUNT()`` query per object.

Settings → Sync says what a change costs before it is applied ("about 12,400 records"); a count is
cheap (one API call, no rows) and never touches the workspace.
"""

from __future__ import annotations

from app.salesforce.client import SalesforceClient
from app.sync.pull import queries as q


async def count_records(client: SalesforceClient, sobjects: tuple[str, ...], *, owner_id: str | None = None) -> int:
    """Records of ``sobjects`` (owned by ``owner_id`` when given) that a full pull would read."""
    total = 0
    for sobject in sobjects:
        page = await client.query_page(q.count_people(sobject, owner_id=owner_id))
        total += page.total_size
    return total
