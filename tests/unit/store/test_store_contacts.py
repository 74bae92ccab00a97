"""Contacts repository on a real workspace file: idempotent bulk upsert, soft delete, the lazy list
and search as the advisor types (accents, apostrophes, phone fragments, e-mails, ranking)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pytest
from sqlalchemy import text
from sqlmodel import Session

from app.store import Database, contacts
from app.store.contacts import MatchTier, SearchHit
from tests.unit.store.store_helpers import add_connection

FIELDS = ("sf_id", "source_object", "first_name", "last_name", "name", "email", "phone", "mobile_phone",
          "title", "account_sf_id", "account_name", "mailing_city", "system_modstamp")


def person(sf_id: str, first: str | None, last: str | None, **extra: Any) -> dict[str, Any]:
    row: dict[str, Any] = dict.fromkeys(FIELDS)
    row.update(sf_id=sf_id, source_object="Contact", first_name=first, last_name=last,
               system_modstamp="2024-01-02T03:04:05.000+0000")
    row.update(extra)
    return row


PEOPLE = [
    person("003000000000001AAA", "Conan", "O'Brien", email="conan@late.example", phone="(555) 123-4567",
           account_name="O'Brien Household", mailing_city="Boston"),
    person("003000000000002AAA", "Zoë", "Saldaña", email="zoe@example.org", mobile_phone="+1 617 555 0101",
           mailing_city="Zürich"),
    person("003000000000003AAA", "John", "Smith", email="john.smith@example.com", phone="555.987.6543"),
    person("003000000000004AAA", "Jo", "Malone", email="jo@perfume.example"),
    person("003000000000005AAA", "Joanna", "Adams", email="ja@example.com",
           account_name="Adams Family Trust"),
    person("003000000000006AAA", "Mary Jo", "Bell", email="mjb@example.net"),
    person("003000000000007AAA", "Jane", "Smithers", email="jane.doe@example.com"),
    person("003000000000008AAA", "Kate", "Moss", account_name="Smith Family Office"),
    person("001000000000009AAA", None, None, name="Smith", source_object="Account",
           account_name=None, phone="617-555-0199"),
    person("00Q000000000010AAA", "Andy", "Lead", source_object="Lead", account_name="Acme Corp",
           email="andy@acme.example"),
]


async def load(db: Database, cid: int, rows: Sequence[dict[str, Any]] = PEOPLE) -> None:
    await db.run(lambda s: contacts.upsert_many(s, cid, rows))


async def search(db: Database, cid: int, text_: str, limit: int = 50, **kw: Any) -> list[SearchHit]:
    return await db.run(lambda s: contacts.search(s, cid, text_, limit, **kw))


async def names(db: Database, cid: int, text_: str, **kw: Any) -> list[str]:
    return [hit.contact.name for hit in await search(db, cid, text_, **kw)]


async def fts_rows(db: Database) -> tuple[int, int]:
    def count(session: Session) -> tuple[int, int]:
        words = session.execute(text("SELECT count(*) FROM contact_fts")).scalar_one()
        phones = session.execute(text("SELECT count(*) FROM contact_phone_fts")).scalar_one()
        return int(words), int(phones)

    return await db.run(count)


# ------------------------------------------------------------------------------------- upserts
async def test_the_same_page_twice_creates_no_duplicates(db: Database, cid: int) -> None:
    await load(db, cid)
    await load(db, cid)
    assert await db.run(lambda s: contacts.count(s, cid)) == len(PEOPLE)
    assert await fts_rows(db) == (len(PEOPLE), 4)  # four people have a phone or mobile
    assert [h.contact.sf_id for h in await search(db, cid, "conan")] == ["003000000000001AAA"]


async def test_a_page_with_the_same_record_twice_keeps_the_last_version(db: Database, cid: int) -> None:
    first = person("003X", "Old", "Name")
    second = person("003X", "New", "Name")
    await load(db, cid, [first, second])
    row = await db.run(lambda s: contacts.get_by_sf_id(s, cid, "003X"))
    assert row is not None and row.name == "New Name"
    assert await fts_rows(db) == (1, 0)


async def test_an_update_changes_fields_and_the_search_index(db: Database, cid: int) -> None:
    await load(db, cid)
    changed = person("003000000000003AAA", "Johnny", "Smythe", email="johnny@example.com",
                     phone="(212) 555-0000", title="CFO")
    await load(db, cid, [changed])
    row = await db.run(lambda s: contacts.get_by_sf_id(s, cid, "003000000000003AAA"))
    assert row is not None
    assert (row.name, row.title, row.email) == ("Johnny Smythe", "CFO", "johnny@example.com")
    assert "John Smith" not in await names(db, cid, "john smith")
    assert await names(db, cid, "smythe") == ["Johnny Smythe"]
    assert await names(db, cid, "212 555") == ["Johnny Smythe"]
    assert await names(db, cid, "987 6543") == []


async def test_columns_a_page_does_not_carry_are_left_alone(db: Database, cid: int) -> None:
    await load(db, cid)
    await load(db, cid, [{"sf_id": "003000000000001AAA", "title": "Host"}])
    row = await db.run(lambda s: contacts.get_by_sf_id(s, cid, "003000000000001AAA"))
    assert row is not None
    assert (row.title, row.name, row.email, row.phone) == ("Host", "Conan O'Brien", "conan@late.example",
                                                           "(555) 123-4567")
    assert await names(db, cid, "555 123") == ["Conan O'Brien"]


async def test_a_name_is_built_from_its_parts_when_salesforce_sends_none(db: Database, cid: int) -> None:
    await load(db, cid, [person("003Y", "  Ada ", "Lovelace")])
    row = await db.run(lambda s: contacts.get_by_sf_id(s, cid, "003Y"))
    assert row is not None and row.name == "Ada Lovelace"


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        ([{"first_name": "No", "last_name": "Id", "name": None}], "need an sf_id"),
        ([{"sf_id": "003A", "password": "x"}], "unknown contact fields"),
        ([{"sf_id": "003A", "first_name": "Half"}], "together"),
        ([{"sf_id": "003A", "phone": "555"}], "together"),
        ([{"sf_id": "003A", "title": "a"}, {"sf_id": "003B", "email": "b@x"}], "different keys"),
        ([{"sf_id": "  ", "title": "a"}], "invalid sf_id"),
        ([{"sf_id": 3, "title": "a"}], "invalid sf_id"),
        ([{"sf_id": "003A", "source_object": "Opportunity"}], "source_object"),
        ([{"sf_id": "003A", "system_modstamp": "yesterday"}], "Invalid isoformat"),
    ],
)
async def test_bad_rows_are_refused_and_nothing_is_written(
    db: Database, cid: int, rows: list[dict[str, Any]], message: str
) -> None:
    good = person("003Z", "Good", "Row")
    with pytest.raises(ValueError, match=message):
        await db.run(lambda s: (contacts.upsert_many(s, cid, [good]), contacts.upsert_many(s, cid, rows)))
    assert await db.run(lambda s: contacts.count(s, cid)) == 0
    assert await fts_rows(db) == (0, 0)


async def test_an_empty_page_is_a_no_op(db: Database, cid: int) -> None:
    assert await db.run(lambda s: contacts.upsert_many(s, cid, [])) == 0


async def test_deleted_contacts_leave_search_and_list_but_keep_their_row(db: Database, cid: int) -> None:
    await load(db, cid)
    gone = "003000000000001AAA"
    assert await db.run(lambda s: contacts.mark_deleted(s, cid, [gone, "003_not_there", ""])) == 1
    assert await db.run(lambda s: contacts.mark_deleted(s, cid, [gone])) == 0  # already deleted

    assert await names(db, cid, "obrien") == []
    assert await names(db, cid, "555 123") == []
    assert await db.run(lambda s: contacts.count(s, cid)) == len(PEOPLE) - 1
    listed = await db.run(lambda s: contacts.page(s, cid, 0, 100))
    assert gone not in {c.sf_id for c in listed}
    row = await db.run(lambda s: contacts.get_by_sf_id(s, cid, gone))
    assert row is not None and row.is_deleted  # notes keep their link
    assert await fts_rows(db) == (len(PEOPLE) - 1, 3)

    # Undeleted in Salesforce: the next sync brings it back.
    await load(db, cid, [{**PEOPLE[0], "is_deleted": False}])
    assert await names(db, cid, "obrien") == ["Conan O'Brien"]


# ------------------------------------------------------------------------------- list and detail
async def test_page_is_ordered_by_last_name_and_reads_a_window(db: Database, cid: int) -> None:
    await load(db, cid)
    everyone = await db.run(lambda s: contacts.page(s, cid, 0, 500))
    assert [c.name for c in everyone][:4] == ["Joanna Adams", "Mary Jo Bell", "Andy Lead", "Jo Malone"]
    assert len(everyone) == len(PEOPLE)
    window = await db.run(lambda s: contacts.page(s, cid, 2, 3))
    assert window == everyone[2:5]
    assert await db.run(lambda s: contacts.page(s, cid, 500, 10)) == []
    with pytest.raises(ValueError, match="limit"):
        await db.run(lambda s: contacts.page(s, cid, 0, 0))
    with pytest.raises(ValueError, match="offset"):
        await db.run(lambda s: contacts.page(s, cid, -1, 10))


async def test_source_filters_select_leads_or_accounts(db: Database, cid: int) -> None:
    await load(db, cid)
    assert await db.run(lambda s: contacts.count(s, cid, source_objects=["Lead"])) == 1
    leads = await db.run(lambda s: contacts.page(s, cid, 0, 50, source_objects=["Lead"]))
    assert [c.name for c in leads] == ["Andy Lead"]
    assert await names(db, cid, "smith", source_objects=["Account"]) == ["Smith"]
    with pytest.raises(ValueError, match="unknown source"):
        await search(db, cid, "smith", source_objects=["Case"])


async def test_a_list_window_filtered_by_type_is_read_from_the_index_alone(db: Database, cid: int) -> None:
    """Deep in a 100,000-client list the window query skips tens of thousands of rows; each skipped
    row read from the table instead of the index cost ~80 ms a block (a list that froze as it scrolled)."""
    await load(db, cid)
    statements: list[str] = []

    def traced_page(session: Session) -> list[contacts.ContactSummary]:
        raw = session.connection().connection.driver_connection
        raw.set_trace_callback(statements.append)
        try:
            return contacts.page(session, cid, 3, 2, source_objects=["Contact", "Lead"])
        finally:
            raw.set_trace_callback(None)

    assert [c.name for c in await db.run(traced_page)] == ["Jo Malone", "Kate Moss"]
    (query,) = [sql for sql in statements if "OFFSET" in sql]
    plan = await db.run(lambda s: [row[-1] for row in s.execute(text("EXPLAIN QUERY PLAN " + query)).all()])
    assert any("COVERING INDEX ix_contact_live_sort" in step for step in plan), plan
    assert not any("RIGHT PART OF ORDER BY" in step for step in plan), plan  # the order comes from the index


async def test_get_returns_the_full_record_only_for_its_own_connection(db: Database, cid: int) -> None:
    await load(db, cid)
    hit = (await search(db, cid, "zoe"))[0]
    full = await db.run(lambda s: contacts.get(s, cid, hit.contact.id))
    assert full is not None and full.mailing_city == "Zürich" and full.mobile_phone == "+1 617 555 0101"
    other = await add_connection(db, org="00D000000000002")
    assert await db.run(lambda s: contacts.get(s, other, hit.contact.id)) is None
    assert await db.run(lambda s: contacts.get(s, cid, 999_999)) is None


async def test_workspaces_of_different_orgs_never_mix(db: Database, cid: int) -> None:
    other = await add_connection(db, org="00D000000000002")
    await load(db, cid)
    await load(db, other, [person("003000000000001AAA", "Someone", "Else", phone="(555) 123-4567")])
    assert await names(db, cid, "555 123") == ["Conan O'Brien"]
    assert await names(db, other, "555 123") == ["Someone Else"]
    assert await db.run(lambda s: contacts.count(s, other)) == 1
    assert await names(db, other, "conan") == []


# --------------------------------------------------------------------------------------- search
@pytest.mark.parametrize(
    "typed", ["O'Brien", "o'brien", "obrien", "OBRIEN", "brien", "O'B", "o’brien", "conan o"]
)
async def test_apostrophes_in_names_do_not_get_in_the_way(db: Database, cid: int, typed: str) -> None:
    await load(db, cid)
    assert (await names(db, cid, typed))[0] == "Conan O'Brien"


@pytest.mark.parametrize("typed", ["zoe", "Zoë", "ZOE", "zoe saldana", "saldana", "zurich", "ZÜRICH"])
async def test_accents_are_ignored(db: Database, cid: int, typed: str) -> None:
    await load(db, cid)
    assert await names(db, cid, typed) == ["Zoë Saldaña"]


@pytest.mark.parametrize(
    ("typed", "who"),
    [
        ("555 123", "Conan O'Brien"),
        ("(555) 123-4567", "Conan O'Brien"),
        ("5551234567", "Conan O'Brien"),
        ("123-45", "Conan O'Brien"),
        ("4567", "Conan O'Brien"),
        ("987.65", "John Smith"),
        ("617 555 0101", "Zoë Saldaña"),  # mobile numbers count too
        ("+1 617", "Zoë Saldaña"),
    ],
)
async def test_phone_fragments_match_whatever_the_punctuation(
    db: Database, cid: int, typed: str, who: str
) -> None:
    await load(db, cid)
    assert (await names(db, cid, typed))[0] == who


async def test_a_whole_phone_number_ranks_exact(db: Database, cid: int) -> None:
    await load(db, cid)
    hits = await search(db, cid, "555-123-4567")
    assert [(h.contact.name, h.tier) for h in hits] == [("Conan O'Brien", MatchTier.EXACT)]
    hits = await search(db, cid, "555 12")
    assert [(h.contact.name, h.tier) for h in hits] == [("Conan O'Brien", MatchTier.PREFIX)]
    hits = await search(db, cid, "123 456")
    assert [(h.contact.name, h.tier) for h in hits] == [("Conan O'Brien", MatchTier.OTHER)]


async def test_a_digits_query_can_match_names_and_numbers_together(db: Database, cid: int) -> None:
    holdings = person("001HOLD", None, None, name="555 Holdings", source_object="Account")
    await load(db, cid, [*PEOPLE, holdings])
    hits = await search(db, cid, "555")
    by_tier = {tier: {h.contact.name for h in hits if h.tier == tier} for tier in MatchTier}
    assert by_tier[MatchTier.PREFIX] == {"555 Holdings", "Conan O'Brien", "John Smith"}
    assert by_tier[MatchTier.OTHER] == {"Zoë Saldaña", "Smith"}  # 555 inside their numbers
    assert [h.tier for h in hits] == sorted(h.tier for h in hits)


async def test_prefixes_match_as_you_type(db: Database, cid: int) -> None:
    await load(db, cid)
    typed = ""
    for letter in "Joann":
        typed += letter
        assert "Joanna Adams" in await names(db, cid, typed), typed
    assert set(await names(db, cid, "jo")) >= {"Jo Malone", "Joanna Adams", "John Smith", "Mary Jo Bell"}


async def test_exact_ranks_before_prefix_before_other(db: Database, cid: int) -> None:
    await load(db, cid)
    hits = await search(db, cid, "smith")
    tiers = [(h.contact.name, h.tier) for h in hits]
    assert tiers == [
        ("Smith", MatchTier.EXACT),  # the household account named exactly "Smith"
        ("John Smith", MatchTier.PREFIX),  # surname is "smith"
        ("Jane Smithers", MatchTier.PREFIX),  # surname starts with "smith"
        ("Kate Moss", MatchTier.OTHER),  # only her account mentions Smith
    ]
    ordered = await names(db, cid, "jo")
    # Whole-word "Jo" before longer names, and a middle name ("Mary Jo") after every prefix match.
    assert ordered.index("Jo Malone") < ordered.index("Joanna Adams") < ordered.index("Mary Jo Bell")
    assert ordered.index("John Smith") < ordered.index("Mary Jo Bell")
    assert (await search(db, cid, "jo malone"))[0].tier == MatchTier.EXACT


async def test_email_search_whole_prefix_and_parts(db: Database, cid: int) -> None:
    await load(db, cid)
    hits = await search(db, cid, "Jane.Doe@Example.com")
    assert (hits[0].contact.name, hits[0].tier) == ("Jane Smithers", MatchTier.EXACT)
    assert (await search(db, cid, "jane.doe@exa"))[0].tier == MatchTier.PREFIX
    assert (await names(db, cid, "jane.doe@exa"))[0] == "Jane Smithers"
    assert set(await names(db, cid, "example.com")) == {"John Smith", "Joanna Adams", "Jane Smithers"}
    assert await names(db, cid, "perfume") == ["Jo Malone"]


async def test_account_household_and_city_are_searchable(db: Database, cid: int) -> None:
    await load(db, cid)
    assert await names(db, cid, "household") == ["Conan O'Brien"]
    assert await names(db, cid, "family trust") == ["Joanna Adams"]
    assert await names(db, cid, "boston") == ["Conan O'Brien"]
    assert await names(db, cid, "acme") == ["Andy Lead"]


@pytest.mark.parametrize(
    "typed",
    ['"', "*", "AND", "OR NOT", "NEAR(jo", "name:jo", "email : x", "-", "'", "((", ")", "^jo", "jo*",
     "\x00", "\u202e", "🙂", "a" * 5000, "%", "_", "555", "12", "@", "   ", ""],
)
async def test_any_input_is_safe(db: Database, cid: int, typed: str) -> None:
    await load(db, cid)
    hits = await search(db, cid, typed)
    assert isinstance(hits, list)
    assert len({h.contact.id for h in hits}) == len(hits)


async def test_fts_syntax_is_taken_literally(db: Database, cid: int) -> None:
    await load(db, cid)
    assert await names(db, cid, "AND") == ["Andy Lead"]  # a word, not the AND operator
    assert await names(db, cid, "") == []
    assert await names(db, cid, "   ") == []


async def test_limit_is_respected_and_checked(db: Database, cid: int) -> None:
    await load(db, cid)
    assert len(await search(db, cid, "j", limit=2)) == 2
    with pytest.raises(ValueError, match="limit"):
        await search(db, cid, "j", limit=0)
    with pytest.raises(ValueError, match="limit"):
        await search(db, cid, "j", limit=10_000)


async def test_many_matches_are_returned_in_tier_order_without_duplicates(db: Database, cid: int) -> None:
    rows = [person(f"003{i:015d}", f"Jo{chr(97 + i % 26)}", f"Surname{i}", email=f"p{i}@jo.example",
                   phone=f"555-01{i:02d}") for i in range(300)]
    await load(db, cid, rows)
    hits = await search(db, cid, "jo", limit=120)
    assert len(hits) == 120
    assert len({h.contact.id for h in hits}) == 120
    assert [h.tier for h in hits] == sorted(h.tier for h in hits)
    phone_hits = await search(db, cid, "555 01", limit=500)
    assert len(phone_hits) == 300


async def test_reindex_rebuilds_the_search_columns_and_index(db: Database, cid: int) -> None:
    await load(db, cid)

    def damage(session: Session) -> None:
        session.execute(text("UPDATE contact SET name_key = '', search_name = 'x', search_phone = ''"))
        session.execute(text("DELETE FROM contact_fts"))

    await db.run(damage)
    assert await names(db, cid, "zoe") == []
    assert await db.run(lambda s: contacts.reindex(s)) == len(PEOPLE)
    assert await names(db, cid, "zoe") == ["Zoë Saldaña"]
    assert await names(db, cid, "555 123") == ["Conan O'Brien"]
    assert await fts_rows(db) == (len(PEOPLE), 4)


@pytest.mark.parametrize("typed", ["+1 476 496 3197", "+14764963197", "001 476 496 3197", "011 1 476 496 3197",
                                   "(476) 496-3197", "476.496.3197"])
async def test_phone_search_finds_one_client_in_any_form(db: Database, cid: int, typed: str) -> None:
    """Item 24: "+1 476 496 3197" found nothing while "(476) 496-3197" worked."""
    rows = [person("003PHONE1", "Ada", "Byron", phone="(476) 496-3197"),
            person("003PHONE2", "Basil", "Brush", mobile_phone="+44 20 7946 0958"),
            person("003PHONE3", "Cy", "Twombly", phone="+1 999 476 4963")]  # shares digits, not the number
    await load(db, cid, rows)
    hits = await search(db, cid, typed)
    assert [(h.contact.name, h.tier) for h in hits] == [("Ada Byron", MatchTier.EXACT)]


@pytest.mark.parametrize("typed", ["+44 20 7946 0958", "0044 20 7946 0958", "020 7946 0958", "+44 20 79"])
async def test_phone_search_finds_a_uk_number_stored_internationally(db: Database, cid: int, typed: str) -> None:
    await load(db, cid, [person("003PHONE2", "Basil", "Brush", mobile_phone="+44 20 7946 0958"),
                         person("003PHONE1", "Ada", "Byron", phone="(476) 496-3197")])
    assert await names(db, cid, typed) == ["Basil Brush"]
