"""The SOQL the pull sends.  Built with ``app.salesforce.soql`` only: user text and Ids are always
quoted literals, field names are validated constants.

Ordering: every people/event query is ``ORDER BY SystemModstamp, Id``.  The pair is unique and
monotonic for a record that changes (``SystemModstamp`` only moves forward), so the last record of a
committed page is a resume point: "everything after (stamp, id)" can be asked again with a fresh
query when Salesforce has forgotten the query locator (locators expire after ~15 minutes idle and
an org keeps a limited number open — see "Query" in the REST API guide,
https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_query.htm).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from app.salesforce import soql
from app.sync.pull.records import RecordKey

ORDER = ("SystemModstamp", "Id")
IDS_PER_QUERY = 300  # keeps "Id IN (…)" well under the ~16 KB URI limit after URL encoding

_AUDIT = ("OwnerId", "LastModifiedDate", "SystemModstamp", "IsDeleted")
CONTACT_FIELDS = (
    "Id", "FirstName", "LastName", "Name", "Email", "Phone", "MobilePhone", "Title", "AccountId",
    "Account.Name", "MailingStreet", "MailingCity", "MailingState", "MailingPostalCode", "MailingCountry",
    *_AUDIT,
)
LEAD_FIELDS = (
    "Id", "FirstName", "LastName", "Name", "Email", "Phone", "MobilePhone", "Title", "Company", "Street",
    "City", "State", "PostalCode", "Country", "Status", "IsConverted", "ConvertedContactId",
    "ConvertedAccountId", *_AUDIT,
)
ACCOUNT_FIELDS = (
    "Id", "Name", "Type", "Phone", "BillingStreet", "BillingCity", "BillingState", "BillingPostalCode",
    "BillingCountry", *_AUDIT,
)
# Only in orgs with person accounts enabled (checked with describe before asking for them).
PERSON_ACCOUNT_FIELDS = ("IsPersonAccount", "FirstName", "LastName", "PersonEmail", "PersonMobilePhone")
EVENT_FIELDS = (
    "Id", "Subject", "StartDateTime", "EndDateTime", "IsAllDayEvent", "Location", "WhoId", "WhatId",
    "Description", *_AUDIT,
)
USER_FIELDS = ("Id", "Name", "Email", "Username", "IsActive", "SystemModstamp")
# Households beyond a Contact's own Account, in orgs with "Contacts to Multiple Accounts" (checked first).
RELATION_FIELDS = ("Id", "AccountId", "ContactId", "Account.Name", "Contact.Name", "Roles", "IsDirect", "IsActive",
                   "SystemModstamp", "IsDeleted")

# What pick-mode search shows in its result list.
SEARCH_FIELDS = {
    "Contact": ("Id", "Name", "Email", "Phone", "Title", "Account.Name", "MailingCity"),
    "Lead": ("Id", "Name", "Email", "Phone", "Title", "Company", "City"),
    "Account": ("Id", "Name", "Phone", "Type", "BillingCity"),
}


def _and(*conditions: str | None) -> str | None:
    parts = [c for c in conditions if c]
    if not parts:
        return None
    if len(parts) == 1:
        return parts[0]
    return " AND ".join(f"({p})" if " OR " in p else p for p in parts)


def after(key: RecordKey | None) -> str | None:
    """Records strictly after ``key`` in (SystemModstamp, Id) order."""
    if key is None:
        return None
    return soql.fmt(
        "SystemModstamp > {} OR (SystemModstamp = {} AND Id > {})", key.modstamp, key.modstamp, key.sf_id
    )


def changed_since(since: datetime | None) -> str | None:
    return soql.fmt("SystemModstamp >= {}", since) if since is not None else None


def ids_in(sf_ids: Sequence[str]) -> str:
    return soql.fmt("Id IN {}", list(sf_ids))


def people(
    sobject: str,
    fields: Sequence[str],
    *,
    resume: RecordKey | None = None,
    since: datetime | None = None,
    sf_ids: Sequence[str] | None = None,
    owner_id: str | None = None,
    where: str | None = None,
) -> str:
    """``where``: the compiled filter rules (``app.sync.pull.filters``), already one parenthesised condition."""
    owned = soql.fmt("OwnerId = {}", owner_id) if owner_id else None
    where = _and(ids_in(sf_ids) if sf_ids else None, owned, where, changed_since(since), after(resume))
    return soql.select(fields, sobject, where=where, order_by=ORDER)


def events_in_window(
    start: datetime,
    end: datetime,
    *,
    resume: RecordKey | None = None,
    people_ids: Sequence[str] | None = None,
) -> str:
    """Meetings in [start, end] — for the given people (pick mode, new people) or for everyone
    (the store keeps only those linked to someone in the workspace)."""
    window = soql.fmt("StartDateTime >= {} AND StartDateTime <= {}", start, end)
    linked = (
        soql.fmt("WhoId IN {} OR WhatId IN {}", list(people_ids), list(people_ids))
        if people_ids else "WhoId != null OR WhatId != null"
    )
    return soql.select(EVENT_FIELDS, "Event", where=_and(window, linked, after(resume)), order_by=ORDER)


def events_changed(
    since: datetime, old_end: datetime, new_end: datetime, *, resume: RecordKey | None = None
) -> str:
    """Events changed since ``since`` (any date: an edit may move one out of the window) plus those
    the sliding window newly covers (an unchanged meeting that is now within 90 days)."""
    slid = soql.fmt(
        "SystemModstamp >= {} OR (StartDateTime > {} AND StartDateTime <= {})", since, old_end, new_end
    )
    return soql.select(EVENT_FIELDS, "Event", where=_and(slid, after(resume)), order_by=ORDER)


def account_relations(*, since: datetime | None = None, resume: RecordKey | None = None) -> str:
    """AccountContactRelation rows changed since ``since`` (all of them without), in resume order."""
    return soql.select(RELATION_FIELDS, "AccountContactRelation", where=_and(changed_since(since), after(resume)),
                       order_by=ORDER)


def active_users() -> str:
    return soql.select(USER_FIELDS, "User", where="IsActive = true", order_by=("Id",))


def remote_search(sobject: str, text: str, limit: int = 50) -> str:
    """Pick mode: find records by name or e-mail containing ``text``, matched literally
    (``%`` and ``_`` escaped, quotes escaped: "O'Brien" and "100%" mean themselves)."""
    fields = SEARCH_FIELDS[sobject]
    if sobject == "Account":
        where = soql.fmt("Name LIKE {:like}", text)
    else:
        where = soql.fmt("Name LIKE {:like} OR Email LIKE {:like}", text, text)
    return soql.select(fields, sobject, where=where, order_by=("Name", "Id"), limit=limit)


def count_people(sobject: str, *, owner_id: str | None = None) -> str:
    """``SELECT COUNT() FROM …``: how many records a pull of ``sobject`` would bring (one API call,
    no records). https://developer.salesforce.com/docs/atlas.en-us.soql_sosl.meta/soql_sosl/sforce_api_calls_soql_select_count.htm
    """
    owned = soql.fmt("OwnerId = {}", owner_id) if owner_id else None
    # sobject is a validated name; COUNT() is the one non-field select item soql.select does not take.
    statement = f"SELECT COUNT() FROM {soql.field(sobject)}"  # noqa: S608
    return f"{statement} WHERE {owned}" if owned else statement
