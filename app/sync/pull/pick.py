"""Pick mode's Salesforce search: find people in the org to import, without syncing everyone.

The search text is the advisor's, so it goes into SOQL only as a quoted LIKE literal (``%``/``_``
escaped, quotes escaped — see ``app.salesforce.soql``): "O'Brien" finds O'Brien, "100%" finds the
literal text, and nothing typed can change the query.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from app.salesforce.client import SalesforceClient
from app.store import Database, people
from app.sync.pull import queries as q
from app.sync.pull.records import MalformedRecord, record_id
from app.sync.pull.types import PullPreferences, RemoteMatch

MIN_SEARCH_CHARS = 2
MAX_RESULTS = 50


async def search_salesforce(
    client: SalesforceClient,
    db: Database,
    connection_id: int,
    preferences: PullPreferences,
    text: str,
    *,
    limit: int = 25,
) -> list[RemoteMatch]:
    """People in Salesforce whose name (or e-mail) contains ``text``: one query per object kind."""
    text = " ".join((text or "").split())
    if len(text) < MIN_SEARCH_CHARS:
        return []
    limit = max(1, min(limit, MAX_RESULTS))
    matches: list[RemoteMatch] = []
    for sobject in preferences.people_objects:
        page = await client.query_page(q.remote_search(sobject, text, limit))
        for record in page.records:
            match = _match(sobject, record)
            if match is not None:
                matches.append(match)
    local = await db.run(lambda s: people.existing_sf_ids(s, connection_id, [m.sf_id for m in matches]))
    return [_with_local(m, m.sf_id in local) for m in matches]


def _match(sobject: str, record: Mapping[str, Any]) -> RemoteMatch | None:
    try:
        sf_id = record_id(record)
    except MalformedRecord:
        return None
    account = record.get("Account")
    account_name = account.get("Name") if isinstance(account, Mapping) else None
    company = record.get("Company") if sobject == "Lead" else account_name
    city = record.get("MailingCity") or record.get("City") or record.get("BillingCity")
    detail = " · ".join(str(part) for part in (company, city) if part) or None
    return RemoteMatch(
        sf_id=sf_id, object=sobject, name=str(record.get("Name") or ""),
        email=_str(record.get("Email")), phone=_str(record.get("Phone")), detail=detail, in_workspace=False,
    )


def _str(value: Any) -> str | None:
    return str(value) if isinstance(value, str | int) and value != "" else None


def _with_local(match: RemoteMatch, local: bool) -> RemoteMatch:
    if not local:
        return match
    return RemoteMatch(match.sf_id, match.object, match.name, match.email, match.phone, match.detail, True)

