"""Turning a parsed query into a plan: a row predicate, a sort, offset/limit, and the columns to project.

Values are compared the way Salesforce compares them: text case-insensitively, Ids exactly after
15→18 normalisation, dates and datetimes as instants (stored strings in one canonical format compare
correctly as strings), date keywords such as ``LAST_N_DAYS:30`` as UTC day ranges, and ``null`` as an
ordinary value (``Email != 'x'`` includes rows whose Email is null). Type mismatches and unfilterable
fields (long text areas, base64) are refused with INVALID_FIELD, as a real org does.
See https://developer.salesforce.com/docs/atlas.en-us.soql_sosl.meta/soql_sosl/sforce_api_calls_soql_select_comparisonoperators.htm
"""

from __future__ import annotations

import datetime as dt
import operator
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from app.demo_org import ids, timefmt
from app.demo_org.data.schema import Field, SObjectType
from app.demo_org.data.store import Record
from app.demo_org.soql.lexer import SoqlError
from app.demo_org.soql.parser import BoolOp, Compare, InList, Like, Literal, Not, Query, SemiJoin
from app.demo_org.soql.resolve import Resolved, Resolver

Predicate = Callable[[Record], bool]
MAX_OFFSET = 2000
_SOAP_KIND = {"datetime": "dateTime", "date": "date", "boolean": "boolean", "int": "number",
              "double": "number", "currency": "number", "percent": "number"}


@dataclass
class Plan:
    sobject: SObjectType
    columns: list[Resolved]
    predicate: Predicate | None = None
    order: list[tuple[Callable[[Record], Any], bool, bool]] = field(default_factory=list)
    limit: int | None = None
    offset: int = 0
    count: bool = False
    count_column: Resolved | None = None
    # ORDER BY on non-null fixed-width fields (Id, SystemModstamp …) in one direction sorts on a single
    # concatenated string: several times faster than tuple keys, and sync queries always look like that.
    fast_key: Callable[[Record], str] | None = None

    def filter(self, rows: Iterable[Record], *, include_deleted: bool = False) -> list[Record]:
        """Rows matching WHERE (deleted rows dropped unless ``include_deleted``); keeps input order."""
        predicate = self.predicate
        if include_deleted:
            return [r for r in rows if predicate(r)] if predicate else list(rows)
        if predicate:
            return [r for r in rows if not r["IsDeleted"] and predicate(r)]
        return [r for r in rows if not r["IsDeleted"]]

    def sort(self, rows: list[Record]) -> None:
        """Sort in place by ORDER BY (stable, so equal keys keep their input order)."""
        if self.fast_key is not None:
            rows.sort(key=self.fast_key, reverse=self.order[0][1])
            return
        for getter, descending, nulls_first in reversed(self.order):
            null_rank = (0 if nulls_first else 2) if not descending else (2 if nulls_first else 0)

            def key(record: Record, getter: Callable[[Record], Any] = getter, rank: int = null_rank) -> Any:
                value = getter(record)
                return (rank, 0) if value is None else (1, value)

            rows.sort(key=key, reverse=descending)

    def window(self, rows: list[Record]) -> list[Record]:
        """OFFSET then LIMIT."""
        end = None if self.limit is None else self.offset + self.limit
        return rows[self.offset:end] if (self.offset or end is not None) else rows

    def run(self, rows: Iterable[Record], *, include_deleted: bool = False) -> list[Record]:
        selected = self.filter(rows, include_deleted=include_deleted)
        self.sort(selected)
        return self.window(selected)


def compile_query(query: Query, resolver: Resolver, sobject: SObjectType, *,
                  today: dt.date | None = None, parent_filtered: bool = False) -> Plan:
    """``parent_filtered``: a parent-to-child subquery, whose rows the parent's Id already filters."""
    today = today or timefmt.utcnow().date()
    columns = [resolver.resolve(sobject, ref) for ref in query.fields]
    plan = Plan(sobject, columns, count=query.count)
    if query.count_field is not None:
        plan.count_column = resolver.resolve(sobject, query.count_field)
    if sobject.name == "ContentDocumentLink" and not parent_filtered and not _filters_link(query.where):
        raise SoqlError("MALFORMED_QUERY", "Implementation restriction: ContentDocumentLink requires a filter by a "
                        "single Id on ContentDocumentId or LinkedEntityId using the equals operator or multiple "
                        "Id's using the IN operator.", query.sobject_pos)
    if query.where is not None:
        plan.predicate = _Compiler(resolver, sobject, today).node(query.where)
    for item in query.order:
        resolved = resolver.resolve(sobject, item.field)
        _check_usable(resolved.field, "sorted", item.field.pos)
        getter = resolved.getter
        if resolved.field.is_string:
            getter = _lowered(getter)
        nulls_first = True if item.nulls_first is None else item.nulls_first
        plan.order.append((getter, item.descending, nulls_first))
    plan.fast_key = _fast_key(query, resolver, sobject)
    if query.offset is not None and query.offset > MAX_OFFSET:
        raise SoqlError("NUMBER_OUTSIDE_VALID_RANGE", f"Maximum SOQL offset allowed is {MAX_OFFSET}")
    plan.limit, plan.offset = query.limit, query.offset or 0
    return plan


_FIXED_WIDTH = {"id", "datetime", "date"}


def _fast_key(query: Query, resolver: Resolver, sobject: SObjectType) -> Callable[[Record], str] | None:
    if not query.order or len({item.descending for item in query.order}) != 1:
        return None
    names = []
    for item in query.order:
        resolved = resolver.resolve(sobject, item.field)
        if resolved.steps or resolved.field.nillable or resolved.field.type not in _FIXED_WIDTH:
            return None
        names.append(resolved.field.name)
    if len(names) == 1:
        name = names[0]
        return lambda record: record[name]
    if len(names) == 2:  # the sync shape (SystemModstamp, Id): keep the per-row key as cheap as possible
        first, second = names
        return lambda record: record[first] + record[second]
    getter = operator.itemgetter(*names)
    return lambda record: "".join(getter(record))


def _lowered(getter: Callable[[Record], Any]) -> Callable[[Record], Any]:
    def get(record: Record) -> Any:
        value = getter(record)
        return value.lower() if value is not None else None
    return get


def _filters_link(node: object) -> bool:
    if isinstance(node, BoolOp) and node.op == "AND":
        return any(_filters_link(item) for item in node.items)
    targets = ("contentdocumentid", "linkedentityid")
    if isinstance(node, Compare):
        return node.op == "=" and node.field.text.lower() in targets
    if isinstance(node, InList | SemiJoin):
        # A semi-join on LinkedEntityId counts as a filter ("LinkedEntityId IN (SELECT Id FROM Contact …)").
        return not node.negate and node.field.text.lower() in targets
    return False


def _check_usable(fld: Field, verb: str, pos: int) -> None:
    if fld.type == "base64" or (fld.type == "textarea" and fld.length > 255):
        raise SoqlError("INVALID_FIELD", f"field '{fld.name}' can not be {verb} in a query call", pos)


def _direct_compare(name: str, op: str, value: Any, lowered: bool) -> Predicate:
    """One closure per row instead of three: WHERE clauses on plain fields dominate query time."""
    if lowered:
        tests: dict[str, Predicate] = {
            "=": lambda r: (v := r[name]) is not None and v.lower() == value,
            "!=": lambda r: (v := r[name]) is None or v.lower() != value,
            "<": lambda r: (v := r[name]) is not None and v.lower() < value,
            "<=": lambda r: (v := r[name]) is not None and v.lower() <= value,
            ">": lambda r: (v := r[name]) is not None and v.lower() > value,
            ">=": lambda r: (v := r[name]) is not None and v.lower() >= value,
        }
    else:
        tests = {
            "=": lambda r: r[name] == value,
            "!=": lambda r: r[name] != value,
            "<": lambda r: (v := r[name]) is not None and v < value,
            "<=": lambda r: (v := r[name]) is not None and v <= value,
            ">": lambda r: (v := r[name]) is not None and v > value,
            ">=": lambda r: (v := r[name]) is not None and v >= value,
        }
    return tests[op]


def _day_range(literal: Literal, today: dt.date) -> tuple[dt.date, dt.date]:
    """SOQL date keywords as [start, end) UTC days.
    https://developer.salesforce.com/docs/atlas.en-us.soql_sosl.meta/soql_sosl/sforce_api_calls_soql_select_dateformats.htm"""
    day = dt.timedelta(days=1)
    word, n = literal.value, literal.arg or 0
    if word == "TODAY":
        return today, today + day
    if word == "YESTERDAY":
        return today - day, today
    if word == "TOMORROW":
        return today + day, today + 2 * day
    if word in ("LAST_N_DAYS", "LAST_90_DAYS"):
        n = 90 if word == "LAST_90_DAYS" else n
        return today - n * day, today + day
    if word in ("NEXT_N_DAYS", "NEXT_90_DAYS"):
        n = 90 if word == "NEXT_90_DAYS" else n
        return today + day, today + (n + 1) * day
    if word == "THIS_MONTH":
        start = today.replace(day=1)
        return start, (start + 32 * day).replace(day=1)
    start = today.replace(month=1, day=1)  # THIS_YEAR
    return start, start.replace(year=start.year + 1)


class _Compiler:
    def __init__(self, resolver: Resolver, sobject: SObjectType, today: dt.date) -> None:
        self.resolver, self.sobject, self.today = resolver, sobject, today

    def node(self, node: object) -> Predicate:
        if isinstance(node, BoolOp):
            parts = [self.node(item) for item in node.items]
            if node.op == "AND":
                return lambda r: all(p(r) for p in parts)
            return lambda r: any(p(r) for p in parts)
        if isinstance(node, Not):
            inner = self.node(node.item)
            return lambda r: not inner(r)
        if isinstance(node, Compare):
            return self.compare(node)
        if isinstance(node, InList):
            return self.in_list(node)
        if isinstance(node, SemiJoin):
            return self.semi_join(node)
        assert isinstance(node, Like)
        return self.like(node)

    def _field(self, ref: Any) -> Resolved:
        resolved = self.resolver.resolve(self.sobject, ref)
        _check_usable(resolved.field, "filtered", ref.pos)
        return resolved

    def value(self, fld: Field, literal: Literal) -> Any:
        """A literal as a stored value of this field's type, or INVALID_FIELD on a type mismatch."""
        kind = fld.type
        if literal.kind == "null":
            return None
        if kind in ("id", "reference"):
            if literal.kind != "string":
                raise self._mismatch(fld, literal)
            try:
                return ids.to18(literal.value)
            except ValueError:
                raise SoqlError("INVALID_QUERY_FILTER_OPERATOR", f"invalid ID field: {literal.value}") from None
        if fld.is_string:
            if literal.kind != "string":
                raise self._mismatch(fld, literal)
            return str(literal.value).lower()
        expected = {"boolean": "boolean", "date": "date", "datetime": "datetime"}.get(kind, "number")
        if literal.kind != expected:
            raise self._mismatch(fld, literal)
        if kind == "datetime":
            return timefmt.format_datetime(timefmt.parse_datetime(str(literal.value)))
        return literal.value

    def _mismatch(self, fld: Field, literal: Literal) -> SoqlError:
        if fld.is_string or fld.type in ("id", "reference"):
            return SoqlError("INVALID_FIELD", f"value of filter criterion for field '{fld.name}' must be of type "
                             "string and should be enclosed in quotes", literal.pos)
        kind = _SOAP_KIND.get(fld.type, fld.type)
        return SoqlError("INVALID_FIELD", f"value of filter criterion for field '{fld.name}' must be of type "
                         f"{kind} and should not be enclosed in quotes", literal.pos)

    def compare(self, node: Compare) -> Predicate:
        resolved = self._field(node.field)
        fld, get, op = resolved.field, resolved.getter, node.op
        if node.value.kind == "keyword":
            if fld.type not in ("date", "datetime"):
                raise self._mismatch(fld, node.value)
            return self._range(get, op, fld.type, node.value)
        value = self.value(fld, node.value)
        if value is None:
            if op not in ("=", "!="):
                raise SoqlError("MALFORMED_QUERY", f"invalid operator on null: {op}", node.value.pos)
            return (lambda r: get(r) is None) if op == "=" else (lambda r: get(r) is not None)
        if not resolved.steps:
            return _direct_compare(fld.name, op, value, fld.is_string)
        if fld.is_string:
            get = _lowered(get)
        if op == "=":
            return lambda r: get(r) == value
        if op == "!=":
            return lambda r: get(r) != value
        compare = {"<": lambda a: a < value, "<=": lambda a: a <= value,
                   ">": lambda a: a > value, ">=": lambda a: a >= value}[op]

        def ordered(record: Record) -> bool:
            current = get(record)
            return current is not None and compare(current)
        return ordered

    def _range(self, get: Callable[[Record], Any], op: str, kind: str, literal: Literal) -> Predicate:
        start_day, end_day = _day_range(literal, self.today)
        suffix = "T00:00:00.000+0000" if kind == "datetime" else ""
        start, end = start_day.isoformat() + suffix, end_day.isoformat() + suffix
        tests: dict[str, Callable[[Any], bool]] = {
            "=": lambda v: start <= v < end, "!=": lambda v: not start <= v < end,
            "<": lambda v: v < start, "<=": lambda v: v < end, ">": lambda v: v >= end, ">=": lambda v: v >= start,
        }
        test = tests[op]

        def in_range(record: Record) -> bool:
            value = get(record)
            return (op == "!=") if value is None else test(value)
        return in_range

    def in_list(self, node: InList) -> Predicate:
        resolved = self._field(node.field)
        values = {self.value(resolved.field, literal) for literal in node.values}
        get = _lowered(resolved.getter) if resolved.field.is_string else resolved.getter
        if node.negate:
            return lambda r: get(r) not in values
        return lambda r: get(r) in values

    def semi_join(self, node: SemiJoin) -> Predicate:
        """Runs the inner query once, now, and tests membership in its Ids (deleted rows excluded).
        Both sides must be Id or reference fields, as in Salesforce ("semi join sub selects can only
        query id fields")."""
        resolved = self._field(node.field)
        if resolved.field.type not in ("id", "reference"):
            raise SoqlError("INVALID_FIELD", f"semi join sub selects are only allowed on id fields, cannot use: "
                            f"'{resolved.field.name}'", node.field.pos)
        inner_type = self.resolver.schema.get(node.inner.sobject)
        if inner_type is None:
            raise SoqlError("INVALID_TYPE", f"sObject type '{node.inner.sobject}' is not supported.",
                            node.inner.sobject_pos)
        inner = compile_query(node.inner, self.resolver, inner_type, today=self.today)
        column = inner.columns[0]
        if column.field.type not in ("id", "reference"):
            raise SoqlError("INVALID_FIELD", f"semi join sub selects can only query id fields, cannot use: "
                            f"'{column.field.name}'", node.inner.fields[0].pos)
        with self.resolver.store.lock:
            rows = inner.filter(self.resolver.store.table(inner_type.name).values())
        values = {v for v in map(column.getter, rows) if v is not None}
        get = resolved.getter
        if node.negate:
            return lambda r: get(r) not in values
        return lambda r: get(r) in values

    def like(self, node: Like) -> Predicate:
        resolved = self._field(node.field)
        if not resolved.field.is_string:
            raise SoqlError("INVALID_FIELD", f"invalid operator on field '{resolved.field.name}': LIKE",
                            node.field.pos)
        parts = []
        wildcards = node.pattern.wildcards
        for at, char in enumerate(str(node.pattern.value)):
            if at in wildcards:
                parts.append(".*" if char == "%" else ".")
            else:
                parts.append(re.escape(char))
        regex = re.compile("".join(parts), re.IGNORECASE | re.DOTALL)
        get = resolved.getter

        def matches(record: Record) -> bool:
            value = get(record)
            return value is not None and regex.fullmatch(value) is not None
        return matches
