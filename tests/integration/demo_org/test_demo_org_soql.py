"""The SOQL subset: tokenizer, parser and evaluation against a small seeded org (no HTTP)."""
# ruff: noqa: S608 - the strings built here are SOQL under test (fixture Ids and names), not SQL

from __future__ import annotations

import datetime as dt
import itertools

import pytest

from app.demo_org.core import OrgCore
from app.demo_org.settings import OrgSettings
from app.demo_org.soql import SoqlError, parse
from app.demo_org.soql.evaluate import compile_query
from app.demo_org.soql.lexer import tokenize
from app.demo_org.soql.parser import BoolOp, Compare, InList, Like, Not
from app.demo_org.soql.project import make_projector
from app.demo_org.soql.resolve import Resolver


# -- tokenizer / parser -----------------------------------------------------------------------------
def test_string_escapes() -> None:
    token = tokenize(r"'O\'Brien \\ \n \% \_ \u00e9'")[0]
    assert token.value == "O'Brien \\ \n % _ é"
    assert token.wildcards == frozenset()  # escaped: a literal % and _
    token = tokenize(r"'a%\%_\ue000'")[0]
    assert token.value == "a%%_\ue000" and token.wildcards == {1, 3}


def test_bad_escape_and_unterminated_string_are_malformed() -> None:
    for text in (r"SELECT Id FROM Contact WHERE Name = 'a\d'", "SELECT Id FROM Contact WHERE Name = 'abc"):
        with pytest.raises(SoqlError) as caught:
            parse(text)
        assert caught.value.code == "MALFORMED_QUERY"


@pytest.mark.parametrize("literal", ["2024-01-01T00:00:00Z", "2024-01-01T00:00:00+0000", "2024-01-01T00:00:00+00:00",
                                     "2024-01-01T00:00:00.000+0000", "2023-12-31T19:00:00-05:00"])
def test_datetime_literal_forms(literal: str) -> None:
    query = parse(f"SELECT Id FROM Contact WHERE CreatedDate >= {literal}")
    assert isinstance(query.where, Compare)
    assert query.where.value.kind == "datetime"


def test_datetime_without_zone_is_malformed() -> None:
    with pytest.raises(SoqlError):
        parse("SELECT Id FROM Contact WHERE CreatedDate > 2024-01-01T00:00:00")


def test_full_statement_shape() -> None:
    query = parse("select Id, Account.Name from Contact where (LastName like 'S%' or Email = null) and "
                  "not Id in ('003Hs0000001000IAA') order by LastName desc nulls last, Id limit 10 offset 5")
    assert query.sobject == "Contact"
    assert [f.path for f in query.fields] == [("Id",), ("Account", "Name")]
    assert isinstance(query.where, BoolOp) and query.where.op == "AND"
    inner, negated = query.where.items
    assert isinstance(inner, BoolOp) and inner.op == "OR" and isinstance(inner.items[0], Like)
    assert isinstance(negated, Not) and isinstance(negated.item, InList)
    assert [(o.field.text, o.descending, o.nulls_first) for o in query.order] == [
        ("LastName", True, False), ("Id", False, None)]
    assert (query.limit, query.offset) == (10, 5)


def test_mixing_and_or_without_parentheses_is_rejected_with_position() -> None:
    text = "SELECT Id FROM Contact WHERE LastName = 'a' AND FirstName = 'b' OR Email = 'c'"
    with pytest.raises(SoqlError) as caught:
        parse(text)
    message = caught.value.message(text)
    assert "unexpected token: OR" in message
    assert f"Row:1:Column:{text.index(' OR ') + 2}" in message


@pytest.mark.parametrize("text", [
    "", "SELECT FROM Contact", "SELECT Id Contact", "SELECT Id FROM", "SELECT Id FROM Contact WHERE",
    "SELECT Id FROM Contact LIMIT x", "SELECT Id FROM Contact WHERE Id IN (SELECT Id, Name FROM Contact)",
    "SELECT COUNT(), Id FROM Contact", "SELECT Id FROM Contact GROUP BY Id", "SELECT Id FROM Contact WHERE Name = :x",
])
def test_malformed_queries(text: str) -> None:
    with pytest.raises(SoqlError) as caught:
        parse(text)
    assert caught.value.code == "MALFORMED_QUERY"


# -- evaluation ----------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def core() -> OrgCore:
    core = OrgCore(OrgSettings(contacts=60, seed=11))
    contacts = core.store.table("Contact")
    first = next(iter(contacts.values()))
    first.update(LastName="O'Brien", FirstName="100% Sure", Email=None, Title="a_b")
    second = list(contacts.values())[1]
    second.update(MailingStreet="\ue000\ue001")  # private-use characters, as any text may hold
    return core


def run(core: OrgCore, text: str, *, include_deleted: bool = False) -> list[dict]:
    query = parse(text)
    sobject = core.schema.get(query.sobject)
    resolver = Resolver(core.store)
    plan = compile_query(query, resolver, sobject, today=dt.date.today())
    rows = plan.run(core.store.table(sobject.name).values(), include_deleted=include_deleted)
    project = make_projector(plan.columns, resolver, sobject.name, "62.0")
    return [project(r) for r in rows]


def test_like_is_case_insensitive_with_wildcards_and_escapes(core: OrgCore) -> None:
    rows = run(core, "SELECT LastName FROM Contact WHERE LastName LIKE 'o\\'b%'")
    assert [r["LastName"] for r in rows] == ["O'Brien"]
    assert run(core, r"SELECT Id FROM Contact WHERE FirstName LIKE '100\% %'")
    assert not run(core, r"SELECT Id FROM Contact WHERE FirstName LIKE '100\%'")
    assert run(core, "SELECT Id FROM Contact WHERE Title LIKE 'a_b'")
    assert run(core, r"SELECT Id FROM Contact WHERE Title LIKE 'a\_b'")
    assert not run(core, r"SELECT Id FROM Contact WHERE Title LIKE 'a\_c'")


def test_private_use_characters_are_text_not_escaped_wildcards(core: OrgCore) -> None:
    """Found by tests/unit/salesforce/test_soql_fuzz.py: the lexer once marked \\% and \\_ with U+E000 and
    U+E001, so text holding those characters compared as % and _."""
    assert len(run(core, "SELECT Id FROM Contact WHERE MailingStreet = '\ue000\ue001'")) == 1
    assert len(run(core, "SELECT Id FROM Contact WHERE MailingStreet LIKE '\ue000%'")) == 1
    assert not run(core, "SELECT Id FROM Contact WHERE MailingStreet = '%_'")
    assert not run(core, "SELECT Id FROM Contact WHERE Title LIKE '\ue000%'")
    assert not run(core, "SELECT Id FROM Contact WHERE Title LIKE 'a\ue001b'")


def test_equality_on_text_ignores_case_and_null_is_a_value(core: OrgCore) -> None:
    everyone = run(core, "SELECT Id FROM Contact")
    assert len(run(core, "SELECT Id FROM Contact WHERE LastName = 'o''brien'".replace("''", "\\'"))) == 1
    without_email = run(core, "SELECT Id FROM Contact WHERE Email = null")
    with_email = run(core, "SELECT Id FROM Contact WHERE Email != null")
    assert len(without_email) >= 1
    assert len(without_email) + len(with_email) == len(everyone)
    not_x = run(core, "SELECT Id FROM Contact WHERE Email != 'x@example.com'")
    assert len(not_x) == len(everyone), "!= keeps rows whose value is null"


def test_relationship_fields_nest_and_filter(core: OrgCore) -> None:
    rows = run(core, "SELECT Id, Account.Name, Account.Owner.Name, Owner.Alias FROM Contact LIMIT 3")
    assert rows[0]["attributes"]["type"] == "Contact"
    assert rows[0]["Account"]["attributes"]["type"] == "Account"
    assert rows[0]["Account"]["Name"].endswith("Household")
    assert rows[0]["Account"]["Owner"]["Name"]
    name = rows[0]["Account"]["Name"]
    filtered = run(core, f"SELECT Id FROM Contact WHERE Account.Name = '{name}'")
    assert rows[0]["Id"] in {r["Id"] for r in filtered}
    polymorphic = run(core, "SELECT Who.Name, Who.Type, What.Name FROM Task LIMIT 1")[0]
    assert polymorphic["Who"]["attributes"]["type"] == "Name"
    assert polymorphic["Who"]["Type"] == "Contact"


def test_order_by_multiple_keys_and_nulls(core: OrgCore) -> None:
    rows = run(core, "SELECT LastName, FirstName FROM Contact ORDER BY LastName DESC, FirstName ASC")
    keys = [(r["LastName"].lower(), (r["FirstName"] or "").lower()) for r in rows]
    for before, after in itertools.pairwise(keys):
        assert before[0] > after[0] or (before[0] == after[0] and before[1] <= after[1])
    assert len({k[0] for k in keys}) < len(keys), "the seed has households sharing a last name"
    titles = [r["Title"] for r in run(core, "SELECT Title FROM Contact ORDER BY Title")]
    assert titles[0] is None, "nulls sort first by default"
    titles_last = [r["Title"] for r in run(core, "SELECT Title FROM Contact ORDER BY Title NULLS LAST")]
    assert titles_last[-1] is None and titles_last[0] is not None
    desc_first = [r["Title"] for r in run(core, "SELECT Title FROM Contact ORDER BY Title DESC NULLS FIRST")]
    assert desc_first[0] is None and desc_first[-1] is not None


def test_sorting_by_system_modstamp_and_id_is_a_total_order(core: OrgCore) -> None:
    rows = run(core, "SELECT Id, SystemModstamp FROM Contact ORDER BY SystemModstamp, Id")
    assert [(r["SystemModstamp"], r["Id"]) for r in rows] == sorted((r["SystemModstamp"], r["Id"]) for r in rows)
    desc = run(core, "SELECT Id, SystemModstamp FROM Contact ORDER BY SystemModstamp DESC, Id DESC")
    assert [r["Id"] for r in desc] == [r["Id"] for r in rows][::-1]


def test_dates_datetimes_and_keywords(core: OrgCore) -> None:
    everyone = run(core, "SELECT Id FROM Contact")
    assert run(core, "SELECT Id FROM Contact WHERE CreatedDate < 2100-01-01T00:00:00Z") == everyone
    assert run(core, "SELECT Id FROM Contact WHERE CreatedDate > 2100-01-01T00:00:00+0000") == []
    assert run(core, "SELECT Id FROM Contact WHERE Birthdate < 2100-01-01") == everyone
    upcoming = run(core, "SELECT Id, StartDateTime FROM Event WHERE StartDateTime > TODAY")
    past = run(core, "SELECT Id FROM Event WHERE StartDateTime < TODAY")
    today = run(core, "SELECT Id FROM Event WHERE StartDateTime = TODAY")
    assert len(upcoming) + len(past) + len(today) == len(run(core, "SELECT Id FROM Event"))
    assert upcoming and past
    assert run(core, "SELECT Id FROM Event WHERE StartDateTime = NEXT_N_DAYS:60") == run(
        core, "SELECT Id FROM Event WHERE StartDateTime > TODAY")


def test_in_not_in_booleans_numbers_limit_offset(core: OrgCore) -> None:
    ids = [r["Id"] for r in run(core, "SELECT Id FROM Contact ORDER BY Id LIMIT 3")]
    assert len(ids) == 3
    picked = run(core, f"SELECT Id FROM Contact WHERE Id IN ('{ids[0]}', '{ids[1][:15]}')")
    assert {r["Id"] for r in picked} == {ids[0], ids[1]}
    rest = run(core, f"SELECT Id FROM Contact WHERE Id NOT IN ('{ids[0]}')")
    assert ids[0] not in {r["Id"] for r in rest}
    assert run(core, "SELECT Id FROM Contact ORDER BY Id LIMIT 2 OFFSET 1") == [
        {"attributes": r["attributes"], "Id": r["Id"]} for r in run(core, "SELECT Id FROM Contact ORDER BY Id")[1:3]]
    opted = run(core, "SELECT Id FROM Contact WHERE HasOptedOutOfEmail = false")
    assert 0 < len(opted) <= len(run(core, "SELECT Id FROM Contact"))
    assert run(core, "SELECT Id FROM Event WHERE DurationInMinutes >= 30 AND DurationInMinutes <= 90") == \
        run(core, "SELECT Id FROM Event")


@pytest.mark.parametrize(("text", "code"), [
    ("SELECT Nope FROM Contact", "INVALID_FIELD"),
    ("SELECT Account.Nope FROM Contact", "INVALID_FIELD"),
    ("SELECT Nope.Name FROM Contact", "INVALID_FIELD"),
    ("SELECT Id FROM Contact WHERE CreatedDate > '2024-01-01'", "INVALID_FIELD"),
    ("SELECT Id FROM Contact WHERE LastName = 5", "INVALID_FIELD"),
    ("SELECT Id FROM Contact WHERE Description = 'x'", "INVALID_FIELD"),  # long text area: not filterable
    ("SELECT Id FROM Contact WHERE Id = 'abc'", "INVALID_QUERY_FILTER_OPERATOR"),
    ("SELECT Id FROM Contact OFFSET 2001", "NUMBER_OUTSIDE_VALID_RANGE"),
    ("SELECT Id FROM ContentDocumentLink", "MALFORMED_QUERY"),
    ("SELECT Id FROM ContentDocumentLink WHERE ShareType = 'V'", "MALFORMED_QUERY"),
])
def test_query_errors(core: OrgCore, text: str, code: str) -> None:
    with pytest.raises(SoqlError) as caught:
        run(core, text)
    assert caught.value.code == code
    assert caught.value.message(text)


def test_content_document_link_query_with_a_filter(core: OrgCore) -> None:
    note = next(iter(core.store.table("ContentNote").values()))
    links = run(core, f"SELECT Id, LinkedEntityId, ShareType FROM ContentDocumentLink "
                      f"WHERE ContentDocumentId = '{note['Id']}'")
    assert len(links) == 2
    assert {link["ShareType"] for link in links} == {"I", "V"}


def test_count(core: OrgCore) -> None:
    query = parse("SELECT COUNT() FROM Contact WHERE Email != null")
    assert query.count
    assert parse("SELECT COUNT(Id) FROM Contact").count_field is not None
