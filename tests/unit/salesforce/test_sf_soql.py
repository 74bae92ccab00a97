"""User text never reaches SOQL unescaped."""

from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal

import pytest

from app.salesforce import soql


@pytest.mark.parametrize(
    ("value", "literal"),
    [
        ("O'Brien", r"'O\'Brien'"),
        ('say "hi"', r"""'say \"hi\"'"""),
        ("back\\slash", r"'back\\slash'"),
        ("line1\nline2\r\n", r"'line1\nline2\r\n'"),
        ("tab\there", r"'tab\there'"),
        ("bell\bform\f", r"'bell\bform\f'"),
        ("nul\x00esc\x1b", r"'nul\u0000esc\u001b'"),
        ("50% off_sale", "'50% off_sale'"),  # % and _ are only special inside LIKE
        ("Zoë 日本", "'Zoë 日本'"),
        ("' OR Name != '", r"'\' OR Name != \''"),
        (None, "null"),
        (True, "true"),
        (False, "false"),
        (42, "42"),
        (-1.5, "-1.5"),
        (1e-7, "0.0000001"),
        (Decimal("12.50"), "12.50"),
        (date(2024, 2, 29), "2024-02-29"),
        (datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC), "2024-01-02T03:04:05Z"),
        (datetime(2024, 1, 2, 5, 4, 5, tzinfo=timezone(timedelta(hours=2))), "2024-01-02T03:04:05Z"),
        (["a'b", "c"], r"('a\'b', 'c')"),
        (("003000000000001",), "('003000000000001')"),
    ],
)
def test_quote(value: object, literal: str) -> None:
    assert soql.quote(value) == literal


@pytest.mark.parametrize("bad", [float("nan"), float("inf"), datetime(2024, 1, 1), [], object()])
def test_quote_refuses_values_without_a_safe_literal(bad: object) -> None:
    with pytest.raises((ValueError, TypeError)):
        soql.quote(bad)


def test_like_escapes_wildcards_in_user_text() -> None:
    assert soql.like("50%_off") == r"'%50\%\_off%'"
    assert soql.like("Ter", "prefix") == "'Ter%'"
    assert soql.like("son", "suffix") == "'%son'"
    assert soql.like("a'b\\", "exact") == r"'a\'b\\'"


def test_fmt_quotes_every_placeholder() -> None:
    q = soql.fmt(
        "SELECT Id FROM Contact WHERE LastName = {} AND Email LIKE {:like} AND Id IN {ids} AND {:field} = {}",
        "O'Hara", "a_b%", "Account.Name", None, ids=["003A", "003B"],
    )
    assert q == (
        r"SELECT Id FROM Contact WHERE LastName = 'O\'Hara' AND Email LIKE '%a\_b\%%' "
        "AND Id IN ('003A', '003B') AND Account.Name = null"
    )


@pytest.mark.parametrize("template", ["{!r}", "{:>10}", "{:field}"])
def test_fmt_refuses_conversions_and_unknown_specs(template: str) -> None:
    with pytest.raises(ValueError, match=r"not allowed|unknown SOQL placeholder|not a SOQL field"):
        soql.fmt(template, "x) OR (Name != null")


def test_select_builder() -> None:
    where = soql.fmt("SystemModstamp > {} AND Name LIKE {:prefix}", datetime(2024, 5, 1, tzinfo=UTC), "Sm")
    q = soql.select(
        ["Id", "Name", "Account.Name"], "Contact", where=where,
        order_by=["SystemModstamp ASC", "Id", "Name desc nulls last"], limit=2000, offset=10,
    )
    assert q == (
        "SELECT Id, Name, Account.Name FROM Contact WHERE SystemModstamp > 2024-05-01T00:00:00Z "
        "AND Name LIKE 'Sm%' ORDER BY SystemModstamp ASC, Id, Name DESC NULLS LAST LIMIT 2000 OFFSET 10"
    )
    assert soql.select(["COUNT()"], "Contact") == "SELECT COUNT() FROM Contact"


@pytest.mark.parametrize("bad", ["Name, (SELECT Id FROM x)", "Id FROM User --", "", "1abc", "Name;"])
def test_select_refuses_anything_but_names(bad: str) -> None:
    with pytest.raises(ValueError, match="not a SOQL field name"):
        soql.select([bad], "Contact")
    with pytest.raises(ValueError, match="not a SOQL field name"):
        soql.select(["Id"], bad)
    with pytest.raises(ValueError, match=r"not a SOQL field name|not an ORDER BY item"):
        soql.select(["Id"], "Contact", order_by=[bad])
