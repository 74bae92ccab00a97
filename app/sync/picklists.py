"""The org's Task Status and Priority values, for the task editor and for complete task payloads.

Orgs rename, add and reorder these, and the defaults differ per org, so they are read from the
``TaskStatus`` / ``TaskPriority`` objects rather than assumed
(https://developer.salesforce.com/docs/atlas.en-us.object_reference.meta/object_reference/sforce_api_objects_taskstatus.htm)
and cached per connection so the editor works offline.
"""

from __future__ import annotations

from app.salesforce import soql
from app.salesforce.client import SalesforceClient
from app.store import Database
from app.store import tasks as tasks_repo
from app.store.tasks import TaskPicklists


async def fetch(client: SalesforceClient) -> TaskPicklists:
    """Two queries; values by the org's sort order, ``ApiName`` being what the API accepts."""
    statuses = await client.query_list(soql.select(
        ["ApiName", "MasterLabel", "IsDefault", "IsClosed", "SortOrder"], "TaskStatus", order_by=["SortOrder"]))
    priorities = await client.query_list(soql.select(
        ["ApiName", "MasterLabel", "IsDefault", "SortOrder"], "TaskPriority", order_by=["SortOrder"]))

    def value(record: dict[str, object]) -> str:
        return str(record.get("ApiName") or record.get("MasterLabel") or "")

    return TaskPicklists(
        statuses=tuple(value(r) for r in statuses),
        priorities=tuple(value(r) for r in priorities),
        default_status=next((value(r) for r in statuses if r.get("IsDefault")), None),
        default_priority=next((value(r) for r in priorities if r.get("IsDefault")), None),
        closed_statuses=tuple(value(r) for r in statuses if r.get("IsClosed")),
    )


async def refresh(client: SalesforceClient, db: Database, connection_id: int) -> TaskPicklists:
    lists = await fetch(client)
    await db.run(lambda s: tasks_repo.save_picklists(s, connection_id, lists))
    return lists


async def cached_or_fetch(client: SalesforceClient, db: Database, connection_id: int) -> TaskPicklists:
    lists = await db.run(lambda s: tasks_repo.picklists(s, connection_id))
    if lists.statuses and lists.priorities:
        return lists
    return await refresh(client, db, connection_id)
