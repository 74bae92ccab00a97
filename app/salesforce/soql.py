"""SOQL literals and a small query builder, so user text never reaches a query unescaped.

Escapes: https://developer.salesforce.com/docs/atlas.en-us.soql_sosl.meta/soql_sosl/sforce_api_calls_soql_select_quotedstringescapes.htm
(``\\n \\r \\t \\b \\f \\" \\' \\\\``, ``\\uXXXX``, and inside LIKE only ``\\%`` and ``\\_``). Literal formats
for dates and datetimes: https://developer.salesforce.com/docs/atlas.en-us.soql_sosl.meta/soql_sosl/sforce_api_calls_soql_select_dateformats.htm

    soql.fmt("SELECT Id FROM Contact WHERE LastName = {} AND Email LIKE {:like}", name, text)
"""

from __future__ import annotations

import math
import re
import string
from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any, Literal

_ESCAPES = {
    "\\": "\\\\",
    "'": "\\'",
    '"': '\\"',
    "\n": "\\n",
    "\r": "\\r",
    "\t": "\\t",
    "\b": "\\b",
    "\f": "\\f",
}
_FIELD = re.compile(r"^[A-Za-z][A-Za-z0-9_]*(?:\.[A-Za-z][A-Za-z0-9_]*)*$")
_FUNCTION = re.compile(r"^(?:COUNT\(\)|COUNT\(Id\))$", re.IGNORECASE)

LikeMode = Literal["contains", "prefix", "suffix", "exact"]


def escape(text: str, *, like: bool = False) -> str:
    """The inside of a quoted SOQL string (no surrounding quotes)."""
    out = []
    for ch in str(text):
        if ch in _ESCAPES:
            out.append(_ESCAPES[ch])
        elif like and ch in "%_":
            out.append("\\" + ch)
        elif ord(ch) < 0x20 or ord(ch) == 0x7F:
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(ch)
    return "".join(out)


def quote(value: Any) -> str:
    """A SOQL literal for a Python value: strings quoted and escaped, dates/datetimes in SOQL format,
    ``None`` → ``null``, booleans, numbers, and sequences as an ``IN`` list ``('a', 'b')``."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float | Decimal):
        if isinstance(value, float) and not math.isfinite(value):
            raise ValueError("SOQL has no literal for NaN or infinity")
        return format(Decimal(str(value)), "f")
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise ValueError("SOQL datetimes need a time zone; use an aware datetime (UTC)")
        return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, str):
        return "'" + escape(value) + "'"
    if isinstance(value, Iterable):
        items = [quote(v) for v in value]
        if not items:
            raise ValueError("an IN list needs at least one value")
        return "(" + ", ".join(items) + ")"
    raise TypeError(f"no SOQL literal for {type(value).__name__}")


def like(text: str, mode: LikeMode = "contains") -> str:
    """A quoted LIKE pattern that matches ``text`` literally (``%`` and ``_`` in it are escaped)."""
    body = escape(text, like=True)
    pattern = {"contains": f"%{body}%", "prefix": f"{body}%", "suffix": f"%{body}", "exact": body}[mode]
    return f"'{pattern}'"


def field(name: str) -> str:
    """A field or relationship path (``Account.Name``), validated — never user text."""
    if not (_FIELD.fullmatch(name) or _FUNCTION.fullmatch(name)):  # not match: "$" lets "Name\n" in
        raise ValueError(f"not a SOQL field name: {name!r}")
    return name


_LIKE_SPECS: dict[str, LikeMode] = {
    "like": "contains", "contains": "contains", "prefix": "prefix", "suffix": "suffix", "exact": "exact"}


class _Formatter(string.Formatter):
    def format_field(self, value: Any, format_spec: str) -> str:
        if format_spec == "":
            return quote(value)
        mode = _LIKE_SPECS.get(format_spec)
        if mode is not None:
            return like(str(value), mode)
        if format_spec == "field":
            return field(str(value))
        raise ValueError(f"unknown SOQL placeholder format {format_spec!r}")

    def convert_field(self, value: Any, conversion: str | None) -> Any:
        if conversion is not None:
            raise ValueError("conversions (!r, !s) are not allowed in SOQL templates")
        return value


_formatter = _Formatter()


def fmt(template: str, /, *args: Any, **kwargs: Any) -> str:
    """Fill ``{}`` placeholders with quoted literals: ``{}`` any value, ``{:like}`` / ``{:prefix}`` …
    a LIKE pattern, ``{:field}`` a validated field name. The template itself must be a constant."""
    return _formatter.format(template, *args, **kwargs)


def select(
    fields: Sequence[str],
    sobject: str,
    *,
    where: str | None = None,
    order_by: Sequence[str] = (),
    limit: int | None = None,
    offset: int | None = None,
) -> str:
    """``SELECT … FROM … [WHERE …] [ORDER BY …] [LIMIT n] [OFFSET n]``.

    ``where`` should come from ``fmt``; ``order_by`` items are ``Field`` or ``Field DESC [NULLS LAST]``.
    """
    if not fields:
        raise ValueError("select at least one field")
    # Every piece is a validated name or a literal from fmt(), so building by string is safe here.
    parts = [f"SELECT {', '.join(field(f) for f in fields)} FROM {field(sobject)}"]  # noqa: S608
    if where:
        parts.append(f"WHERE {where}")
    if order_by:
        parts.append("ORDER BY " + ", ".join(_order_item(o) for o in order_by))
    if limit is not None:
        parts.append(f"LIMIT {int(limit)}")
    if offset is not None:
        parts.append(f"OFFSET {int(offset)}")
    return " ".join(parts)


_ORDER = re.compile(r"^(\S+)(?:\s+(ASC|DESC))?(?:\s+NULLS\s+(FIRST|LAST))?$", re.IGNORECASE)


def _order_item(item: str) -> str:
    m = _ORDER.match(item.strip())
    if not m:
        raise ValueError(f"not an ORDER BY item: {item!r}")
    out = field(m.group(1))
    if m.group(2):
        out += " " + m.group(2).upper()
    if m.group(3):
        out += " NULLS " + m.group(3).upper()
    return out
