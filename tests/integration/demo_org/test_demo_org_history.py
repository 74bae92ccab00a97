# ruff: noqa: S608 - strings built here are SOQL sent to the demo org, not SQL
"""The demo org's history rules, over real HTTP: what a client reading notes, tasks, meetings and
opportunities meets in a real org (ContentDocumentLink filter, semi-joins, archived activities)."""

from __future__ import annotations

import base64
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from app.demo_org import DemoOrg


def _query(api: httpx.Client, soql: str, *, all_rows: bool = False) -> httpx.Response:
    return api.get("/queryAll" if all_rows else "/query", params={"q": soql})


def _records(api: httpx.Client, soql: str, *, all_rows: bool = False) -> list[dict[str, Any]]:
    response = _query(api, soql, all_rows=all_rows)
    assert response.status_code == 200, response.text
    return list(response.json()["records"])


@pytest.mark.parametrize("where", ["", " WHERE ShareType = 'V'", " WHERE LinkedEntityId != null",
                                   " WHERE LinkedEntityId NOT IN ('003000000000001AAA')"])
def test_history_content_document_link_refuses_an_unfiltered_query(api: httpx.Client, where: str) -> None:
    response = _query(api, f"SELECT Id, ContentDocumentId FROM ContentDocumentLink{where}")
    assert response.status_code == 400
    [error] = response.json()
    assert error["errorCode"] == "MALFORMED_QUERY"
    assert "ContentDocumentLink requires a filter" in error["message"]


def test_history_content_document_link_by_in_list_and_semi_join(api: httpx.Client, org: DemoOrg) -> None:
    contact_ids = sorted({link["LinkedEntityId"] for link in org.records("ContentDocumentLink")
                          if link["LinkedEntityId"].startswith("003")})
    assert len(contact_ids) >= 3
    chosen = contact_ids[:3]
    listed = _records(api, "SELECT ContentDocumentId, LinkedEntityId FROM ContentDocumentLink "
                           f"WHERE LinkedEntityId IN ({', '.join(repr(i) for i in chosen)})")
    assert listed and {row["LinkedEntityId"] for row in listed} <= set(chosen)
    last_names = {c["LastName"] for c in org.records("Contact") if c["Id"] in chosen}
    names = ", ".join("'" + n.replace("'", "\\'") + "'" for n in last_names)
    joined = _records(api, "SELECT ContentDocumentId, LinkedEntityId FROM ContentDocumentLink WHERE LinkedEntityId "
                           f"IN (SELECT Id FROM Contact WHERE LastName IN ({names}))")
    assert {row["ContentDocumentId"] for row in listed} <= {row["ContentDocumentId"] for row in joined}
    # A semi-join on a field that is not an Id is refused, as in Salesforce.
    bad = _query(api, "SELECT Id FROM Contact WHERE Id IN (SELECT LastName FROM Contact)")
    assert bad.status_code == 400 and bad.json()[0]["errorCode"] == "INVALID_FIELD"


def test_history_content_note_body_is_a_blob_url(api: httpx.Client, org: DemoOrg) -> None:
    note = org.records("ContentNote")[0]
    [row] = _records(api, f"SELECT Id, Title, Content, TextPreview FROM ContentNote WHERE Id = '{note['Id']}'")
    assert row["Content"].endswith(f"/ContentNote/{note['Id']}/Content")
    body = api.get(row["Content"].split("/v62.0", 1)[1])
    assert body.status_code == 200
    assert body.content == base64.b64decode(note["Content"])


def test_history_classic_note_has_parent_and_body(api: httpx.Client) -> None:
    rows = _records(api, "SELECT Id, ParentId, Title, Body FROM Note LIMIT 5")
    assert rows and all(r["ParentId"] and r["Body"] for r in rows)


def test_history_archived_activities_only_in_query_all(api: httpx.Client, org: DemoOrg) -> None:
    archived = [t for t in org.records("Task") + org.records("Event") if t["IsArchived"]]
    assert archived
    ids = ", ".join(repr(r["Id"]) for r in archived)
    for sobject in ("Task", "Event"):
        plain = _records(api, f"SELECT Id FROM {sobject} WHERE Id IN ({ids})")
        everything = _records(api, f"SELECT Id, IsArchived FROM {sobject} WHERE Id IN ({ids})", all_rows=True)
        assert plain == []
        assert everything and all(r["IsArchived"] for r in everything)


def test_history_polymorphic_who_and_what(api: httpx.Client) -> None:
    rows = _records(api, "SELECT Id, Who.Type, What.Type, WhoId FROM Task WHERE WhoId != null LIMIT 20")
    assert rows and {r["Who"]["Type"] for r in rows} <= {"Contact", "Lead"}
    assert {r["What"]["Type"] for r in rows if r["What"]} <= {"Account", "Opportunity"}


def test_history_opportunities_on_an_account(api: httpx.Client) -> None:
    rows = _records(api, "SELECT Id, Name, StageName, Amount, CloseDate, IsClosed, AccountId FROM Opportunity")
    assert rows and any(not r["IsClosed"] for r in rows) and any(r["IsClosed"] for r in rows)
    account = rows[0]["AccountId"]
    mine = _records(api, f"SELECT Id FROM Opportunity WHERE AccountId = '{account}' AND IsClosed = false")
    assert all(r["Id"] in {x["Id"] for x in rows if x["AccountId"] == account} for r in mine)


def test_history_meeting_book_seeds_exactly_the_clients_meeting_soon() -> None:
    """``meeting_clients``: the benchmark's book — N clients meet in the next 14 days, each with
    notes of both kinds and about ten tasks; nobody else has a meeting ahead.  Over HTTP, a
    semi-join on ContentDocumentLink finds one client's ContentNotes, as the history pull asks."""
    with DemoOrg(contacts=400, seed=2, meeting_clients=40) as org:
        now, end = datetime.now(UTC), datetime.now(UTC) + timedelta(days=14)
        starts = [(e["WhoId"], datetime.fromisoformat(e["StartDateTime"].replace("+0000", "+00:00")))
                  for e in org.records("Event")]
        soon = {who for who, start in starts if start > now}
        assert len(soon) == 40 and all(start <= end for who, start in starts if start > now)
        tasks = [t["WhoId"] for t in org.records("Task") if t["WhoId"] in soon]
        classic = [n["ParentId"] for n in org.records("Note") if n["ParentId"] in soon]
        links = [link for link in org.records("ContentDocumentLink") if link["LinkedEntityId"] in soon]
        assert 8 * 40 <= len(tasks) <= 13 * 40 and {*tasks} == soon
        assert 4 * 40 <= len(classic) + len(links) <= 7 * 40 and classic and links
        client = links[0]["LinkedEntityId"]
        token = org.mint_tokens()["access_token"]
        with httpx.Client(base_url=f"{org.base_url}/services/data/v62.0", trust_env=False,
                          headers={"Authorization": f"Bearer {token}"}) as api:
            found = _records(api, "SELECT Id FROM ContentNote WHERE Id IN (SELECT ContentDocumentId FROM "
                                  f"ContentDocumentLink WHERE LinkedEntityId IN ('{client}'))")
        assert {r["Id"] for r in found} == {x["ContentDocumentId"] for x in links if x["LinkedEntityId"] == client}
