"""The query layer's sorted-table shortcuts must give exactly what a plain filter+sort gives, before and
after writes (updates, inserts, deletes, rolled-back inserts)."""
# ruff: noqa: S608 - strings built here are SOQL under test, not SQL

from __future__ import annotations

import pytest

from app.demo_org.core import OrgCore
from app.demo_org.errors import SfError
from app.demo_org.settings import OrgSettings
from app.demo_org.soql import parse
from app.demo_org.soql.evaluate import compile_query
from app.demo_org.soql.resolve import Resolver


def served_ids(core: OrgCore, soql: str, *, include_deleted: bool = False) -> list[str]:
    page = core.rest.queries.run(soql, "62.0", include_deleted=include_deleted, batch=2000)
    ids = [r["Id"] for r in page["records"]]
    while not page["done"]:
        page = core.rest.queries.more(page["nextRecordsUrl"].rsplit("/", 1)[1], "62.0")
        ids += [r["Id"] for r in page["records"]]
    return ids


def expected_ids(core: OrgCore, soql: str, *, include_deleted: bool = False) -> list[str]:
    query = parse(soql)
    sobject = core.schema.get(query.sobject)
    plan = compile_query(query, Resolver(core.store), sobject)
    plan.fast_key = None  # the general multi-pass sort, no shortcuts
    rows = plan.filter(list(core.store.table(sobject.name).values()), include_deleted=include_deleted)
    plan.sort(rows)
    return [r["Id"] for r in plan.window(rows)]


@pytest.fixture
def core() -> OrgCore:
    core = OrgCore(OrgSettings(contacts=300, seed=13))
    core.rest.queries.index.warm()
    return core


def queries(core: OrgCore) -> list[str]:
    stamps = sorted(r["SystemModstamp"] for r in core.store.table("Contact").values())
    middle = stamps[len(stamps) // 2]
    iso = middle.replace(".000+0000", "Z")
    return [
        "SELECT Id FROM Contact ORDER BY SystemModstamp, Id",
        f"SELECT Id FROM Contact WHERE SystemModstamp > {iso} ORDER BY SystemModstamp, Id",
        f"SELECT Id FROM Contact WHERE SystemModstamp >= {iso} ORDER BY SystemModstamp, Id",
        f"SELECT Id FROM Contact WHERE SystemModstamp >= {middle[:10]}T00:00:00+00:00 ORDER BY SystemModstamp, Id",
        "SELECT Id FROM Contact ORDER BY SystemModstamp DESC, Id DESC",
        "SELECT Id FROM Contact WHERE LastName != null ORDER BY LastName, Id",
        "SELECT Id FROM Contact ORDER BY Id LIMIT 50 OFFSET 10",
    ]


def check_all(core: OrgCore) -> None:
    for soql in queries(core):
        assert served_ids(core, soql) == expected_ids(core, soql), soql
        assert served_ids(core, soql, include_deleted=True) == expected_ids(core, soql, include_deleted=True), soql


def test_shortcuts_match_plain_evaluation_through_writes(core: OrgCore) -> None:
    check_all(core)
    advisor = core.seeded.advisor_id
    contacts = list(core.store.table("Contact").values())
    with core.store.lock:
        for record in contacts[:5]:  # updates move rows to the end of the SystemModstamp order
            core.dml.update("Contact", record["Id"], {"Title": "Moved"}, advisor)
        core.dml.create("Contact", {"LastName": "Appended"}, advisor)
        core.dml.delete(contacts[10]["Id"])
    check_all(core)
    with core.store.transaction() as tx:  # a rolled-back insert removes a row from the table
        core.dml.create("Contact", {"LastName": "Rolled Back"}, advisor)
        tx.rollback()
    check_all(core)
    core.update_record("Contact", contacts[20]["Id"], {"LastName": "Aardvark"})
    check_all(core)


def test_many_writes_fall_back_to_a_full_sort(core: OrgCore) -> None:
    check_all(core)
    with core.store.lock:
        for record in list(core.store.table("Contact").values())[:120]:
            core.dml.update("Contact", record["Id"], {"Title": "Bulk"}, core.seeded.advisor_id)
    check_all(core)


def test_failing_create_leaves_no_trace(core: OrgCore) -> None:
    before = served_ids(core, queries(core)[0])
    with core.store.lock, pytest.raises(SfError):
        core.dml.create("Contact", {"FirstName": "No last name"}, core.seeded.advisor_id)
    assert served_ids(core, queries(core)[0]) == before


def test_lookups_by_id_and_external_id_match_plain_evaluation(core: OrgCore) -> None:
    advisor = core.seeded.advisor_id
    with core.store.lock:
        keys = [core.dml.create("Task", {"Subject": f"Push {i}", "External_Id__c": f"NB-{i}"}, advisor)
                for i in range(6)]
        core.dml.update("Task", keys[0], {"External_Id__c": "nb-renamed"}, advisor)
        core.dml.delete(keys[1])
    with core.store.transaction() as tx:
        core.dml.create("Task", {"Subject": "Gone", "External_Id__c": "NB-ROLLED"}, advisor)
        tx.rollback()
    some = [r["Id"] for r in list(core.store.table("Contact").values())[:3]]
    cases = [
        "SELECT Id FROM Task WHERE External_Id__c = 'nb-2'",
        "SELECT Id FROM Task WHERE External_Id__c IN ('NB-2', 'nb-3', 'NB-0', 'NB-RENAMED', 'nb-1', 'nb-rolled')",
        "SELECT Id FROM Task WHERE External_Id__c IN ('NB-2', 'NB-4') AND Subject = 'Push 4' ORDER BY Id DESC",
        "SELECT Id FROM Task WHERE External_Id__c = 'missing'",
        f"SELECT Id FROM Contact WHERE Id IN ('{some[0]}', '{some[1][:15]}', '{some[2]}') ORDER BY LastName",
        f"SELECT Id FROM Contact WHERE Id = '{some[0][:15]}' AND LastName != null",
        f"SELECT Id FROM Task WHERE Id IN ('{keys[1]}', '{keys[2]}')",
    ]
    for soql in cases:
        assert served_ids(core, soql) == expected_ids(core, soql), soql
        assert served_ids(core, soql, include_deleted=True) == expected_ids(core, soql, include_deleted=True), soql
    assert served_ids(core, cases[0]) == [keys[2]]
    assert served_ids(core, "SELECT Id FROM Task WHERE External_Id__c = 'NB-1'", include_deleted=True) == [keys[1]]
    assert served_ids(core, "SELECT Id FROM Task WHERE External_Id__c = 'NB-0'") == []
    assert core.rest.dml.upsert("Task", "External_Id__c", "nb-rolled", {"Subject": "Again"}, advisor)[1] is True
