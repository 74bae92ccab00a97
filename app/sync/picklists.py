"""The org's Task Status and Priority values, for the task editor and for complete task payloads.

Orgs rename, add and reorder these, and the defaults differ per org, so they are read from the
``TaskStatus`` / ``TaskPriority`` objects rather than assumed
(https://developer.salesforce.com/docs/atlas.en-us.object_reference.meta/object_reference/sforce_api_objects_taskstatus.htm)
and cached per connection so the editor works offline.

With them goes whether the org lets this user write the Task's reminder (``IsReminderSet`` and
``ReminderDateTime``): both are standard fields, but field-level security can hide them, and a write
naming a hidden field fails.  The Task describe says which fields this user sees and may write
(https://developer.salesforce.com/docs/atlas.en-us.object_reference.meta/object_reference/sforce_api_objects_task.htm,
https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_sobject_describe.htm).
"""

from __future__ import annotations

from typing import Any

from app.salesforce import soql
from app.salesforce.client import SalesforceClient
from app.salesforce.errors import AccessDenied, NotFound
from app.store import Database
from app.store import tasks as tasks_repo
from app.store.tasks import TaskPicklists


async def fetch(client: SalesforceClient) -> TaskPicklists:
    """Two queries and the Task describe; values by the org's sort order, ``ApiName`` being what the
    API accepts."""
    statuses = await client.query_list(soql.select(
        ["ApiName", "MasterLabel", "IsDefault", "IsClosed", "SortOrder"], "TaskStatus", order_by=["SortOrder"]))
    priorities = await client.query_list(soql.select(
        ["ApiName", "MasterLabel", "IsDefault", "SortOrder"], "TaskPriority", order_by=["SortOrder"]))

    def value(record: dict[str, object]) -> str:
        return str(record.get("ApiName") or record.get("MasterLabel") or "")

    try:
        reminders = writable_reminder(await client.describe("Task"))
    except (AccessDenied, NotFound):  # this user may not describe Task: no reminder to offer
        reminders = False

    return TaskPicklists(
        statuses=tuple(value(r) for r in statuses),
        priorities=tuple(value(r) for r in priorities),
        default_status=next((value(r) for r in statuses if r.get("IsDefault")), None),
        default_priority=next((value(r) for r in priorities if r.get("IsDefault")), None),
        closed_statuses=tuple(value(r) for r in statuses if r.get("IsClosed")),
        reminders=reminders,
    )


REMINDER_FIELDS = ("IsReminderSet", "ReminderDateTime")


def writable_reminder(describe: dict[str, Any]) -> bool:
    """Both reminder fields are in the Task describe, and this user may set them on create and update."""
    fields = {str(f.get("name")): f for f in describe.get("fields") or () if isinstance(f, dict)}
    return all(name in fields and fields[name].get("createable") and fields[name].get("updateable")
               for name in REMINDER_FIELDS)


async def refresh(client: SalesforceClient, db: Database, connection_id: int) -> TaskPicklists:
    lists = await fetch(client)
    await db.run(lambda s: tasks_repo.save_picklists(s, connection_id, lists))
    return lists


async def cached_or_fetch(client: SalesforceClient, db: Database, connection_id: int, *,
                          need_reminders: bool = False) -> TaskPicklists:
    """``need_reminders``: a cache from before the reminder was asked about is fetched again."""
    lists = await db.run(lambda s: tasks_repo.picklists(s, connection_id))
    if lists.statuses and lists.priorities and not (need_reminders and lists.reminders is None):
        return lists
    return await refresh(client, db, connection_id)
