"""Property tests: any text the client quotes reads back as the same text in the demo org's SOQL parser.

The two sides share no code (the client's escaper in app/salesforce/soql.py, the org's lexer in
app/demo_org/soql/lexer.py each follow Salesforce's escape table on their own), so agreement on
arbitrary strings is a real check of both.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from app.demo_org.soql.lexer import SoqlError
from app.demo_org.soql.parser import Compare, InList, Like, Literal, parse
from app.salesforce import soql

FUZZ = settings(max_examples=200, deadline=None)
# Anything a str can hold, lone surrogates and private-use characters included, with SOQL's
# troublemakers made likely.
_AWKWARD = st.sampled_from([*"\\'\"%_\n\r\t\b\f\x00\x1f\x7f\u2028\ue000\ue001", "\\u0041", "\\n", "''"])
TEXT = st.lists(st.one_of(st.characters(), _AWKWARD), max_size=40).map("".join)


_LIKE_QUERIES = {
    "contains": "SELECT Id FROM Contact WHERE Name LIKE {:contains}",
    "prefix": "SELECT Id FROM Contact WHERE Name LIKE {:prefix}",
    "suffix": "SELECT Id FROM Contact WHERE Name LIKE {:suffix}",
    "exact": "SELECT Id FROM Contact WHERE Name LIKE {:exact}",
}


# SOQL's keywords (those the docs forbid as aliases, plus the clause words ORDER and OFFSET):
# https://developer.salesforce.com/docs/atlas.en-us.soql_sosl.meta/soql_sosl/sforce_api_calls_soql_alias.htm
_KEYWORDS = frozenset({
    "AND", "ASC", "DESC", "EXCLUDES", "FIRST", "FROM", "GROUP", "HAVING", "IN", "INCLUDES", "LAST", "LIKE",
    "LIMIT", "NOT", "NULL", "NULLS", "OR", "SELECT", "USING", "WHERE", "WITH", "ORDER", "OFFSET", "FOR",
})


def _where(query: str) -> object:
    return parse(query).where


def _like_regex(pattern: Literal) -> re.Pattern[str]:
    """What the demo org's LIKE means: its unescaped ``%`` any run, ``_`` one character."""
    parts = []
    for at, ch in enumerate(str(pattern.value)):
        if at in pattern.wildcards:
            parts.append(".*" if ch == "%" else ".")
        else:
            parts.append(re.escape(ch))
    return re.compile("".join(parts), re.DOTALL)


@FUZZ
@given(TEXT)
def test_fuzz_quoted_string_reads_back_unchanged(text: str) -> None:
    where = _where(soql.fmt("SELECT Id FROM Contact WHERE LastName = {}", text))
    assert isinstance(where, Compare) and where.value.kind == "string"
    assert where.value.value == text


@FUZZ
@given(st.lists(TEXT, min_size=1, max_size=5))
def test_fuzz_in_list_reads_back_unchanged(texts: list[str]) -> None:
    where = _where(soql.fmt("SELECT Id FROM Contact WHERE Email NOT IN {}", texts))
    assert isinstance(where, InList) and where.negate
    assert [v.value for v in where.values] == texts


@FUZZ
@given(TEXT, st.sampled_from(sorted(_LIKE_QUERIES)), TEXT, TEXT)
def test_fuzz_like_pattern_matches_the_text_literally(text: str, mode: str, before: str, after: str) -> None:
    where = _where(soql.fmt(_LIKE_QUERIES[mode], text))
    assert isinstance(where, Like)
    regex = _like_regex(where.pattern)
    assert regex.fullmatch(text)
    around = {"contains": before + text + after, "prefix": text + after, "suffix": before + text,
              "exact": text}[mode]
    assert regex.fullmatch(around)
    if mode == "exact":  # the advisor's % and _ are characters, never wildcards
        if "%" in text:
            assert not regex.fullmatch(text.replace("%", ""))
        if "_" in text:
            assert not regex.fullmatch(text.replace("_", "Z"))


@FUZZ
@given(st.one_of(
    st.integers(),
    st.floats(allow_nan=False, allow_infinity=False),
    st.decimals(allow_nan=False, allow_infinity=False),
    st.booleans(),
    st.none(),
))
def test_fuzz_scalar_literals_parse(value: object) -> None:
    where = _where(soql.fmt("SELECT Id FROM Contact WHERE Amount__c = {}", value))
    assert isinstance(where, Compare)
    literal = where.value
    if value is None:
        assert literal.kind == "null"
    elif isinstance(value, bool):
        assert literal.kind == "boolean" and literal.value is value
    else:
        assert literal.kind == "number"
        assert Decimal(str(literal.value)) == Decimal(str(value)) or float(literal.value) == float(value)


@FUZZ
@given(st.datetimes(min_value=datetime(1700, 1, 1), max_value=datetime(4000, 1, 1),
                    timezones=st.sampled_from([UTC, timezone(timedelta(hours=-7)), timezone(timedelta(hours=5,
                                                                                                       minutes=30))])),
       st.dates(min_value=date(1700, 1, 1), max_value=date(4000, 1, 1)))
def test_fuzz_date_and_datetime_literals_parse(moment: datetime, day: date) -> None:
    where = _where(soql.fmt("SELECT Id FROM Event WHERE StartDateTime >= {} AND ActivityDate = {}", moment, day))
    first, second = where.items  # type: ignore[attr-defined]
    assert first.value.kind == "datetime"
    parsed = datetime.strptime(first.value.value, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    assert parsed == moment.replace(microsecond=0)
    assert second.value.kind == "date" and date.fromisoformat(second.value.value) == day


@FUZZ
@given(st.text(max_size=30))
@example("Name\n")  # found: re.match with "$" let a trailing newline through
def test_fuzz_field_accepts_only_what_parses_as_a_field(name: str) -> None:
    try:
        checked = soql.field(name)
    except ValueError:
        return
    if name.upper() in _KEYWORDS:
        return  # a keyword, not an identifier: field() takes names from code, never these
    query = parse(soql.select([checked], "Contact"))
    if checked.upper().startswith("COUNT("):
        assert query.count or query.count_field is not None
    else:
        assert [f.text for f in query.fields] == [name]


@FUZZ
@given(TEXT)
def test_fuzz_unquoted_text_is_never_a_working_injection(text: str) -> None:
    """Whatever the text, the quoted form is one string token: the WHERE clause has one comparison."""
    query = soql.fmt("SELECT Id FROM Contact WHERE LastName = {} LIMIT 5", text)
    try:
        parsed = parse(query)
    except SoqlError as exc:  # pragma: no cover - a failure here is the defect being hunted
        pytest.fail(f"{query!r}: {exc.detail}")
    assert isinstance(parsed.where, Compare) and parsed.limit == 5
