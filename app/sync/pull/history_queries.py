"""The SOQL of the history pull, built with ``app.salesforce.soql`` only (Ids are quoted literals).

Every query names a *set* of clients (``WhoId IN (…)``), never one client, so history for N clients
costs about N / ``IDS_PER_QUERY`` queries per object.  Each is ``ORDER BY SystemModstamp, Id`` and
sent through ``queryAll`` so deleted rows (to remove) and archived activities (older than a year,
which ``query`` leaves out) come too:
https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_queryall.htm
ContentDocumentLink must be filtered on ``LinkedEntityId`` or ``ContentDocumentId`` (= or IN):
https://developer.salesforce.com/docs/atlas.en-us.object_reference.meta/object_reference/sforce_api_objects_contentdocumentlink.htm
ContentNotes are asked for with a semi-join on those links (``Id IN (SELECT ContentDocumentId FROM
ContentDocumentLink WHERE LinkedEntityId IN (…))``: an Id on the left, an Id/reference selected on the
right, the link's filter inside), so a batch of people costs one ContentNote query plus paging, not
one per few hundred documents:
https://developer.salesforce.com/docs/atlas.en-us.soql_sosl.meta/soql_sosl/sforce_api_calls_soql_select_comparisonoperators.htm
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from app.salesforce import soql
from app.sync.pull.queries import IDS_PER_QUERY, ORDER

__all__ = ["IDS_PER_QUERY", "content_notes_linked_to", "events", "links", "notes", "opportunities", "tasks"]

_AUDIT = ("OwnerId", "CreatedDate", "SystemModstamp", "IsDeleted")
# TaskSubtype (Task, Email, Call …; API 37.0 and later) tells a logged call or email from a plain task.
TASK_FIELDS = ("Id", "WhoId", "Subject", "ActivityDate", "Status", "IsClosed", "IsArchived", "Description",
               "TaskSubtype", *_AUDIT)
EVENT_FIELDS = ("Id", "WhoId", "Subject", "StartDateTime", "Location", "IsArchived", "Description", *_AUDIT)
NOTE_FIELDS = ("Id", "ParentId", "Title", "Body", *_AUDIT)
CONTENT_NOTE_FIELDS = ("Id", "Title", "TextPreview", *_AUDIT)
LINK_FIELDS = ("Id", "ContentDocumentId", "LinkedEntityId")
OPPORTUNITY_FIELDS = ("Id", "AccountId", "Name", "StageName", "Amount", "CloseDate", "IsClosed", "OwnerId",
                      "SystemModstamp", "IsDeleted")


def _where(in_field: str, ids: Sequence[str], since: datetime | None) -> str:
    where = soql.fmt("{:field} IN {}", in_field, list(ids))
    return where + soql.fmt(" AND SystemModstamp >= {}", since) if since is not None else where


def tasks(who_ids: Sequence[str], since: datetime | None) -> str:
    return soql.select(TASK_FIELDS, "Task", where=_where("WhoId", who_ids, since), order_by=ORDER)


def events(who_ids: Sequence[str], since: datetime | None) -> str:
    return soql.select(EVENT_FIELDS, "Event", where=_where("WhoId", who_ids, since), order_by=ORDER)


def notes(parent_ids: Sequence[str], since: datetime | None) -> str:
    return soql.select(NOTE_FIELDS, "Note", where=_where("ParentId", parent_ids, since), order_by=ORDER)


def links(entity_ids: Sequence[str]) -> str:
    """Every live link of these people (no date filter: a link that is gone means "unshared")."""
    return soql.select(LINK_FIELDS, "ContentDocumentLink", where=_where("LinkedEntityId", entity_ids, None),
                       order_by=("Id",))


def content_notes_linked_to(entity_ids: Sequence[str], since: datetime | None) -> str:
    """The ContentNotes linked to any of these people, in one query (a semi-join on their links)."""
    links_of = soql.select(("ContentDocumentId",), "ContentDocumentLink",
                           where=_where("LinkedEntityId", entity_ids, None))
    where = f"Id IN ({links_of})"
    if since is not None:
        where += soql.fmt(" AND SystemModstamp >= {}", since)
    return soql.select(CONTENT_NOTE_FIELDS, "ContentNote", where=where, order_by=ORDER)


def opportunities(account_ids: Sequence[str], since: datetime | None) -> str:
    """All of the accounts' opportunities (closed ones too, so one that closes leaves the timeline)."""
    return soql.select(OPPORTUNITY_FIELDS, "Opportunity", where=_where("AccountId", account_ids, since),
                       order_by=ORDER)
