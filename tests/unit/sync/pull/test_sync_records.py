"""Salesforce query records → workspace rows: valid records map, malformed ones raise MalformedRecord only.

Record shapes as the REST query resource returns them: ``attributes`` with ``type`` and ``url``,
18-character Ids, datetimes as ``2013-05-07T22:07:19.000+0000``, a parent's fields nested under the
relationship name (``"Account": {"attributes": …, "Name": …}`` or ``null``), null for empty fields
(/work/shared/reference/salesforce-api-notes.md; "Query" in the REST API guide).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.sync.pull import records as rec
from app.sync.pull.queries import (
    ACCOUNT_FIELDS,
    CONTACT_FIELDS,
    EVENT_FIELDS,
    LEAD_FIELDS,
    PERSON_ACCOUNT_FIELDS,
    USER_FIELDS,
)
from app.sync.pull.records import MalformedRecord, RecordKey

Mapper = Callable[[dict[str, Any]], dict[str, Any]]
STAMP = "2024-03-01T17:02:11.000+0000"
CONTACT_ID, ACCOUNT_ID, OWNER_ID = "0035g00000ABCdeAAH", "0015g00000XYZabAAD", "0055g00000OWNabAAA"


def _attributes(sobject: str, sf_id: str) -> dict[str, str]:
    return {"type": sobject, "url": f"/services/data/v62.0/sobjects/{sobject}/{sf_id}"}


CONTACT = {
    "attributes": _attributes("Contact", CONTACT_ID), "Id": CONTACT_ID, "FirstName": "Maria", "LastName": "Chen",
    "Name": "Maria Chen", "Email": "maria.chen@example.com", "Phone": "(415) 555-0100", "MobilePhone": None,
    "Title": "CFO", "AccountId": ACCOUNT_ID,
    "Account": {"attributes": _attributes("Account", ACCOUNT_ID), "Name": "Chen Household"},
    "MailingStreet": "1 Market St\nSuite 200", "MailingCity": "San Francisco", "MailingState": "CA",
    "MailingPostalCode": "94105", "MailingCountry": "United States", "OwnerId": OWNER_ID,
    "LastModifiedDate": "2024-03-01T17:02:10.000+0000", "SystemModstamp": STAMP, "IsDeleted": False,
}
LEAD = {
    "attributes": _attributes("Lead", "00Q5g00000LEADaAAA"), "Id": "00Q5g00000LEADaAAA", "FirstName": "Sam",
    "LastName": "Ortiz", "Name": "Sam Ortiz", "Email": "sam@ortiz.example", "Phone": None, "MobilePhone": None,
    "Title": None, "Company": "Ortiz Dental", "Street": None, "City": "Austin", "State": "TX", "PostalCode": None,
    "Country": None, "Status": "Open - Not Contacted", "IsConverted": False, "ConvertedContactId": None,
    "ConvertedAccountId": None, "OwnerId": OWNER_ID, "LastModifiedDate": STAMP, "SystemModstamp": STAMP,
    "IsDeleted": False,
}
CONVERTED_LEAD = {**LEAD, "Status": "Closed - Converted", "IsConverted": True,
                  "ConvertedContactId": CONTACT_ID, "ConvertedAccountId": ACCOUNT_ID}
PERSON_ACCOUNT = {
    "attributes": _attributes("Account", "0015g00000PERSaAAA"), "Id": "0015g00000PERSaAAA", "Name": "Ana Silva",
    "Type": None, "Phone": "+1 212 555 0199", "BillingStreet": "5 Park Ave", "BillingCity": "New York",
    "BillingState": "NY", "BillingPostalCode": "10016", "BillingCountry": "US", "IsPersonAccount": True,
    "FirstName": "Ana", "LastName": "Silva", "PersonEmail": "ana@silva.example", "PersonMobilePhone": None,
    "OwnerId": OWNER_ID, "LastModifiedDate": STAMP, "SystemModstamp": STAMP, "IsDeleted": False,
}
HOUSEHOLD = {**PERSON_ACCOUNT, "Id": ACCOUNT_ID, "Name": "Chen Household", "Type": "Household",
             "IsPersonAccount": False, "FirstName": None, "LastName": None, "PersonEmail": None}
EVENT = {
    "attributes": _attributes("Event", "00U5g00000EVNTaAAA"), "Id": "00U5g00000EVNTaAAA", "Subject": "Annual review",
    "StartDateTime": "2024-03-05T16:00:00.000+0000", "EndDateTime": "2024-03-05T17:00:00.000+0000",
    "IsAllDayEvent": False, "Location": "Office", "WhoId": CONTACT_ID, "WhatId": ACCOUNT_ID,
    "Description": "Agenda:\r\n1. Portfolio", "OwnerId": OWNER_ID, "LastModifiedDate": STAMP, "SystemModstamp": STAMP,
    "IsDeleted": False,
}
USER = {"attributes": _attributes("User", OWNER_ID), "Id": OWNER_ID, "Name": "Alex Morgan",
        "Email": "alex@advisors.example", "Username": "alex@advisors.example.prod", "IsActive": True,
        "SystemModstamp": STAMP}

MAPPERS: dict[str, tuple[Mapper, dict[str, Any], tuple[str, ...]]] = {
    "contact": (rec.contact_row, CONTACT, CONTACT_FIELDS),
    "lead": (rec.lead_row, CONVERTED_LEAD, LEAD_FIELDS),
    "person account": (rec.account_person_row, PERSON_ACCOUNT, (*ACCOUNT_FIELDS, *PERSON_ACCOUNT_FIELDS)),
    "account": (rec.account_row, HOUSEHOLD, (*ACCOUNT_FIELDS, "IsPersonAccount")),
    "event": (rec.event_row, EVENT, EVENT_FIELDS),
    "user": (rec.user_row, USER, USER_FIELDS),
}


def _at(text: str) -> datetime:
    return datetime.fromisoformat(text)


def test_sync_contact_row() -> None:
    assert rec.contact_row(CONTACT) == {
        "sf_id": CONTACT_ID, "source_object": "Contact", "first_name": "Maria", "last_name": "Chen",
        "name": "Maria Chen", "email": "maria.chen@example.com", "phone": "(415) 555-0100", "mobile_phone": None,
        "title": "CFO", "account_sf_id": ACCOUNT_ID, "account_name": "Chen Household",
        "mailing_street": "1 Market St\nSuite 200", "mailing_city": "San Francisco", "mailing_state": "CA",
        "mailing_postal_code": "94105", "mailing_country": "United States", "owner_id": OWNER_ID,
        # Salesforce's own UTC text is kept as it is (the store re-slices it without parsing).
        "last_modified": "2024-03-01T17:02:10.000+0000", "system_modstamp": STAMP, "is_deleted": False,
        "read_only": False, "lead_status": None, "is_converted": False, "converted_contact_id": None,
        "converted_account_id": None}


def test_sync_contact_row_without_account_and_with_a_number_for_a_phone() -> None:
    row = rec.contact_row({**CONTACT, "AccountId": None, "Account": None, "Phone": 4155550100})
    assert row["account_sf_id"] is None and row["account_name"] is None
    assert row["phone"] == "4155550100"  # a careless integration stored a number; still a phone


def test_sync_lead_rows_open_and_converted() -> None:
    open_lead = rec.lead_row(LEAD)
    assert open_lead["source_object"] == "Lead" and open_lead["account_name"] == "Ortiz Dental"
    assert open_lead["lead_status"] == "Open - Not Contacted" and open_lead["mailing_city"] == "Austin"
    assert not open_lead["read_only"] and open_lead["converted_contact_id"] is None
    converted = rec.lead_row(CONVERTED_LEAD)
    # A converted lead cannot be updated (CANNOT_UPDATE_CONVERTED_LEAD): read-only, pointing at its contact.
    assert converted["read_only"] and converted["is_converted"]
    assert converted["converted_contact_id"] == CONTACT_ID and converted["account_sf_id"] == ACCOUNT_ID


def test_sync_account_rows_person_and_household() -> None:
    person = rec.account_person_row(PERSON_ACCOUNT)
    assert (person["first_name"], person["last_name"], person["email"]) == ("Ana", "Silva", "ana@silva.example")
    assert person["account_sf_id"] == person["sf_id"] and person["account_name"] == "Ana Silva"
    assert person["system_modstamp"] == datetime(2024, 3, 1, 17, 2, 11, tzinfo=UTC)
    household = rec.account_person_row(HOUSEHOLD)
    assert household["first_name"] is None and household["email"] is None and household["name"] == "Chen Household"
    mirror = rec.account_row(HOUSEHOLD)
    assert mirror["type"] == "Household" and not mirror["is_person_account"]
    assert (mirror["billing_city"], mirror["owner_id"]) == ("New York", OWNER_ID)
    assert rec.account_row({**HOUSEHOLD, "Name": None})["name"] == ""


def test_sync_event_and_user_rows() -> None:
    event = rec.event_row(EVENT)
    assert event["start_at"] == datetime(2024, 3, 5, 16, 0, tzinfo=UTC)
    assert event["end_at"] == datetime(2024, 3, 5, 17, 0, tzinfo=UTC)
    assert (event["who_id"], event["what_id"], event["is_all_day"]) == (CONTACT_ID, ACCOUNT_ID, False)
    assert rec.event_row({**EVENT, "Subject": None, "WhatId": ""})["subject"] == ""
    user = rec.user_row(USER)
    assert user == {"sf_id": OWNER_ID, "name": "Alex Morgan", "email": "alex@advisors.example",
                    "username": "alex@advisors.example.prod", "is_active": True,
                    "system_modstamp": datetime(2024, 3, 1, 17, 2, 11, tzinfo=UTC)}
    assert rec.user_row({**USER, "SystemModstamp": None})["system_modstamp"] is None


@pytest.mark.parametrize(("text", "expected"), [
    ("2024-03-01T17:02:11.000+0000", datetime(2024, 3, 1, 17, 2, 11, tzinfo=UTC)),
    ("2024-03-01T17:02:11Z", datetime(2024, 3, 1, 17, 2, 11, tzinfo=UTC)),
    ("2024-03-01T12:02:11.000-0500", datetime(2024, 3, 1, 17, 2, 11, tzinfo=UTC)),
    (" 2024-03-01T17:02:11.000+00:00 ", datetime(2024, 3, 1, 17, 2, 11, tzinfo=UTC)),
    ("2024-03-01T17:02:11", datetime(2024, 3, 1, 17, 2, 11, tzinfo=UTC)),  # no zone: Salesforce means UTC
])
def test_sync_timestamps_read_as_utc(text: str, expected: datetime) -> None:
    stamp = rec.timestamp({"Id": CONTACT_ID, "SystemModstamp": text}, "SystemModstamp")
    assert stamp == expected and stamp is not None and stamp.tzinfo == UTC


def test_sync_record_key_and_deleted_flag() -> None:
    assert rec.record_key(CONTACT) == RecordKey(datetime(2024, 3, 1, 17, 2, 11, tzinfo=UTC), CONTACT_ID)
    assert rec.is_deleted({**CONTACT, "IsDeleted": True})
    assert not rec.is_deleted(CONTACT) and not rec.is_deleted({**CONTACT, "IsDeleted": "true"})


# -- malformed fields ---------------------------------------------------------------------------------------

BAD_VALUES: list[tuple[str, str, Any]] = [
    ("contact", "FirstName", {"first": "Maria"}),
    ("contact", "Email", ["maria@example.com"]),
    ("contact", "Phone", True),
    ("contact", "AccountId", "Chen Household"),
    ("contact", "AccountId", 15),
    ("contact", "Account", "Chen Household"),
    ("contact", "Account", {"attributes": _attributes("Account", ACCOUNT_ID), "Name": False}),
    ("contact", "OwnerId", "005 bad id 00000"),
    ("contact", "OwnerId", OWNER_ID + "\n"),
    ("contact", "LastModifiedDate", "yesterday"),
    ("contact", "LastModifiedDate", 1709312531),
    ("contact", "SystemModstamp", None),
    ("contact", "SystemModstamp", "2024-02-30T17:02:11.000+0000"),
    ("contact", "SystemModstamp", "0001-01-01T00:30:00.000+0100"),  # before year 1 in UTC
    ("contact", "SystemModstamp", "9999-12-31T23:30:00-0100"),  # after year 9999 in UTC
    ("lead", "IsConverted", "true"),
    ("lead", "ConvertedContactId", "not an id"),
    ("lead", "ConvertedAccountId", 0),
    ("lead", "Company", {"Name": "Ortiz Dental"}),
    ("lead", "Status", ["Open"]),
    ("person account", "IsPersonAccount", 1),
    ("person account", "PersonEmail", {"email": "ana@silva.example"}),
    ("person account", "Name", False),
    ("person account", "BillingCity", ["New York"]),
    ("account", "IsPersonAccount", "false"),
    ("account", "Type", True),
    ("account", "OwnerId", ["005"]),
    ("event", "StartDateTime", "next Tuesday"),
    ("event", "EndDateTime", 0),
    ("event", "IsAllDayEvent", "no"),
    ("event", "WhoId", "003"),
    ("event", "Description", {"text": "Agenda"}),
    ("user", "IsActive", 1),
    ("user", "Username", False),
    ("user", "SystemModstamp", "2024-03-01 at noon"),
]


@pytest.mark.parametrize(("kind", "name", "value"), BAD_VALUES)
def test_sync_each_malformed_field_raises_malformed_record_with_the_id(kind: str, name: str, value: Any) -> None:
    mapper, good, _fields = MAPPERS[kind]
    with pytest.raises(MalformedRecord) as raised:
        mapper({**good, name: value})
    assert raised.value.sf_id == good["Id"]  # logged and kept in the sync log, so the admin can find it
    assert name in raised.value.reason


@pytest.mark.parametrize("kind", sorted(MAPPERS))
@pytest.mark.parametrize("bad_id", [None, "", "003", 3, CONTACT_ID + "\n", CONTACT_ID[:15] + " ", "0035g00000ABCde-AH"])
def test_sync_a_record_without_a_readable_id_is_malformed(kind: str, bad_id: Any) -> None:
    mapper, good, _fields = MAPPERS[kind]
    with pytest.raises(MalformedRecord) as raised:
        mapper({**good, "Id": bad_id})
    assert raised.value.sf_id is None and "record without an Id" in str(raised.value)


def test_sync_converted_lead_ids_are_read_only_when_converted() -> None:
    # An open lead's ConvertedContactId is not used, so its shape does not matter.
    assert rec.lead_row({**LEAD, "ConvertedContactId": "junk"})["converted_contact_id"] is None


@pytest.mark.parametrize("kind", sorted(MAPPERS))
def test_sync_every_mapper_gives_the_same_keys_for_full_and_minimal_records(kind: str) -> None:
    mapper, good, _fields = MAPPERS[kind]
    minimal = {"Id": good["Id"], "SystemModstamp": STAMP}
    assert list(mapper(good)) == list(mapper(minimal)) == list(mapper({**minimal, "Phone": 5}))


def test_sync_people_mappers_share_one_row_shape() -> None:
    # Contacts, leads and person accounts go to one people table.
    keys = set(rec.contact_row(CONTACT))
    assert set(rec.lead_row(LEAD)) == set(rec.lead_row(CONVERTED_LEAD)) == keys
    assert set(rec.account_person_row(PERSON_ACCOUNT)) == set(rec.account_person_row(HOUSEHOLD)) == keys


# -- properties: any JSON a broken org or proxy might send ------------------------------------------------------

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=30),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=6)
ids = st.one_of(st.sampled_from([CONTACT_ID, ACCOUNT_ID, OWNER_ID, CONTACT_ID[:15]]),
                st.text(alphabet="0123456789ABCabc\n ", min_size=14, max_size=19))
offsets = st.timedeltas(min_value=timedelta(hours=-23, minutes=-59), max_value=timedelta(hours=23, minutes=59))
stamps = st.one_of(
    st.builds(lambda d, off: d.replace(tzinfo=timezone(off)).isoformat(), st.datetimes(), offsets),
    st.builds(lambda d: d.strftime("%Y-%m-%dT%H:%M:%S.000+0000"), st.datetimes(min_value=datetime(1000, 1, 1))),
    st.text(alphabet="0123456789-:T.+Z ", max_size=30))


def _field_values(name: str) -> st.SearchStrategy[Any]:
    if name == "Id" or name.endswith("Id"):
        return st.one_of(ids, json_values)
    if name.endswith(("Date", "DateTime", "Modstamp")):
        return st.one_of(stamps, json_values)
    if name.startswith("Is"):
        return st.one_of(st.booleans(), json_values)
    return json_values


@pytest.mark.parametrize("kind", sorted(MAPPERS))
@settings(max_examples=150, deadline=None)
@given(data=st.data())
def test_sync_mappers_on_any_json_map_or_raise_malformed_record_only(kind: str, data: st.DataObject) -> None:
    mapper, good, fields = MAPPERS[kind]
    names = sorted({name.split(".")[0] for name in fields} | {"attributes"})
    record = data.draw(st.fixed_dictionaries({}, optional={name: _field_values(name) for name in names}))
    try:
        row = mapper(record)
    except MalformedRecord as exc:
        problem: MalformedRecord | None = exc
    else:
        problem = None
    if problem is not None:
        assert problem.sf_id is None or problem.sf_id == record.get("Id")
        return
    assert list(row) == list(mapper(good))
    assert row["sf_id"] == record["Id"] and len(row["sf_id"]) in (15, 18) and row["sf_id"].isalnum()
    for column, value in row.items():
        assert value is None or isinstance(value, str | bool | datetime), (column, value)
        if isinstance(value, datetime):
            assert value.tzinfo == UTC
