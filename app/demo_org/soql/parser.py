"""Recursive-descent parser for the SOQL subset.

Grammar (keywords case-insensitive)::

    query      := SELECT items FROM name [WHERE cond] [ORDER BY order (, order)*] [LIMIT n] [OFFSET n]
    items      := item (, item)*          item := COUNT ( [field] ) | field | ( subquery )
    subquery   := SELECT field (, field)* FROM childRelationship [WHERE cond] [ORDER BY …] [LIMIT n]
    cond       := term (AND term)* | term (OR term)*      -- mixing AND/OR needs parentheses, as in SOQL
    term       := NOT term | ( cond ) | field op value | field [NOT] IN ( value, … ) | field LIKE string
    value      := string | number | date | datetime | TRUE | FALSE | NULL | DATE_KEYWORD[:n]
    order      := field [ASC|DESC] [NULLS FIRST|LAST]

A parent-to-child subquery (``SELECT Id, (SELECT Subject FROM Tasks) FROM Contact``) is one level deep
here (``app.demo_org.soql.children`` answers it), and a semi-join ``field IN (SELECT Id FROM …)`` is a
term of its own. Anything else (GROUP BY, TYPEOF, bind variables, a subquery inside a subquery) is
reported as MALFORMED_QUERY — loud failure is better than silently answering a query the org does not
really understand.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from app.demo_org.soql.lexer import SoqlError, Token, tokenize

DATE_KEYWORDS = frozenset({
    "TODAY", "YESTERDAY", "TOMORROW", "LAST_N_DAYS", "NEXT_N_DAYS", "LAST_90_DAYS", "NEXT_90_DAYS",
    "THIS_MONTH", "THIS_YEAR",
})
_CLAUSE_WORDS = ("WHERE", "ORDER", "LIMIT", "OFFSET", "GROUP", "HAVING", "WITH", "FOR", "USING")


@dataclass(frozen=True)
class FieldRef:
    path: tuple[str, ...]
    pos: int

    @property
    def text(self) -> str:
        return ".".join(self.path)


@dataclass(frozen=True)
class Literal:
    kind: str  # string, number, date, datetime, boolean, null, keyword
    value: object
    pos: int
    arg: int | None = None  # the n of LAST_N_DAYS:n
    wildcards: frozenset[int] = frozenset()  # strings: where LIKE wildcards are (see lexer)


@dataclass(frozen=True)
class Compare:
    field: FieldRef
    op: str
    value: Literal


@dataclass(frozen=True)
class InList:
    field: FieldRef
    values: tuple[Literal, ...]
    negate: bool


@dataclass(frozen=True)
class SemiJoin:
    """``field [NOT] IN (SELECT Id FROM Object [WHERE …])``: a semi-join (or anti-join) on an Id or
    reference field; the inner query selects exactly one Id/reference field, as SOQL requires.
    https://developer.salesforce.com/docs/atlas.en-us.soql_sosl.meta/soql_sosl/sforce_api_calls_soql_select_comparisonoperators.htm"""

    field: FieldRef
    inner: Query
    negate: bool


@dataclass(frozen=True)
class Like:
    field: FieldRef
    pattern: Literal


@dataclass(frozen=True)
class BoolOp:
    op: str  # AND, OR
    items: tuple[object, ...]


@dataclass(frozen=True)
class Not:
    item: object


@dataclass(frozen=True)
class OrderItem:
    field: FieldRef
    descending: bool = False
    nulls_first: bool | None = None


@dataclass
class Query:
    sobject: str
    sobject_pos: int
    fields: list[FieldRef] = field(default_factory=list)
    count: bool = False  # COUNT()
    count_field: FieldRef | None = None  # COUNT(field)
    where: object | None = None
    order: list[OrderItem] = field(default_factory=list)
    limit: int | None = None
    offset: int | None = None
    subqueries: list[SubQuery] = field(default_factory=list)  # parent-to-child, in select order


@dataclass
class SubQuery:
    """``(SELECT … FROM Tasks …)`` in a select list: ``query.sobject`` is the child relationship name."""

    query: Query
    pos: int


class _Parser:
    def __init__(self, text: str) -> None:
        self.tokens = tokenize(text)
        self.index = 0

    @property
    def tok(self) -> Token:
        return self.tokens[self.index]

    def advance(self) -> Token:
        token = self.tokens[self.index]
        self.index += 1
        return token

    def fail(self, token: Token | None = None) -> SoqlError:
        token = token or self.tok
        return SoqlError("MALFORMED_QUERY", f"unexpected token: {_show(token)}", token.pos)

    def expect_word(self, word: str) -> Token:
        if not self.tok.is_word(word):
            raise self.fail()
        return self.advance()

    def expect_punct(self, char: str) -> None:
        if not (self.tok.kind == "punct" and self.tok.value == char):
            raise self.fail()
        self.advance()

    def at_punct(self, char: str) -> bool:
        return self.tok.kind == "punct" and self.tok.value == char

    # -- statement -------------------------------------------------------------------------------
    def query(self, nested: bool = False) -> Query:
        self.expect_word("SELECT")
        fields: list[FieldRef] = []
        subqueries: list[SubQuery] = []
        count, count_field = False, None
        while True:
            if self.at_punct("(") and self.tokens[self.index + 1].is_word("SELECT"):
                start = self.advance()
                if nested:
                    raise SoqlError("MALFORMED_QUERY", "a subquery inside a subquery is not supported by this "
                                    "demo org", start.pos)
                subqueries.append(SubQuery(self.query(nested=True), start.pos))
            elif self.tok.is_word("COUNT") and self.tokens[self.index + 1].value == "(":
                self.advance()
                self.expect_punct("(")
                if self.at_punct(")"):
                    count = True
                else:
                    count_field = self.field_ref()
                self.expect_punct(")")
            elif self.tok.kind == "ident" and not self.tok.is_word("FROM"):
                fields.append(self.field_ref())
            else:
                raise self.fail()
            if not self.at_punct(","):
                break
            self.advance()
        if count and (fields or count_field):
            raise SoqlError("MALFORMED_QUERY", "COUNT() cannot be combined with other fields", self.tok.pos)
        self.expect_word("FROM")
        if self.tok.kind != "ident" or "." in self.tok.value:
            raise self.fail()
        name = self.advance()
        if count and subqueries:
            raise SoqlError("MALFORMED_QUERY", "COUNT() cannot be combined with a subquery", name.pos)
        query = Query(name.value, name.pos, fields, count, count_field, subqueries=subqueries)
        if self.tok.is_word("WHERE"):
            self.advance()
            query.where = self.condition()
        if self.tok.is_word("ORDER"):
            self.advance()
            self.expect_word("BY")
            query.order.append(self.order_item())
            while self.at_punct(","):
                self.advance()
                query.order.append(self.order_item())
        if self.tok.is_word("LIMIT"):
            self.advance()
            query.limit = self.integer()
        if self.tok.is_word("OFFSET"):
            self.advance()
            query.offset = self.integer()
        if nested:
            self.expect_punct(")")
        elif self.tok.kind != "eof":
            raise self.fail()
        return query

    def integer(self) -> int:
        token = self.advance()
        if token.kind != "number" or not token.value.isdigit():
            raise self.fail(token)
        return int(token.value)

    def field_ref(self) -> FieldRef:
        token = self.advance()
        if token.kind != "ident" or token.value.upper() in _CLAUSE_WORDS:
            raise self.fail(token)
        return FieldRef(tuple(token.value.split(".")), token.pos)

    def order_item(self) -> OrderItem:
        ref = self.field_ref()
        descending = False
        if self.tok.is_word("ASC", "DESC"):
            descending = self.advance().value.upper() == "DESC"
        nulls_first = None
        if self.tok.is_word("NULLS"):
            self.advance()
            if not self.tok.is_word("FIRST", "LAST"):
                raise self.fail()
            nulls_first = self.advance().value.upper() == "FIRST"
        return OrderItem(ref, descending, nulls_first)

    # -- conditions --------------------------------------------------------------------------------
    def condition(self) -> object:
        first = self.term()
        if not self.tok.is_word("AND", "OR"):
            return first
        op = self.tok.value.upper()
        items = [first]
        while self.tok.is_word("AND", "OR"):
            if self.tok.value.upper() != op:
                raise self.fail()  # SOQL requires parentheses when mixing AND and OR
            self.advance()
            items.append(self.term())
        return BoolOp(op, tuple(items))

    def term(self) -> object:
        if self.tok.is_word("NOT"):
            self.advance()
            return Not(self.term())
        if self.at_punct("("):
            self.advance()
            inner = self.condition()
            self.expect_punct(")")
            return inner
        ref = self.field_ref()
        token = self.tok
        if token.kind == "op":
            self.advance()
            return Compare(ref, "!=" if token.value == "<>" else token.value, self.value())
        if token.is_word("LIKE"):
            self.advance()
            pattern = self.value()
            if pattern.kind != "string":
                raise SoqlError("MALFORMED_QUERY", "LIKE requires a string literal", pattern.pos)
            return Like(ref, pattern)
        negate = False
        if token.is_word("NOT"):
            self.advance()
            negate = True
        if self.tok.is_word("IN"):
            self.advance()
            self.expect_punct("(")
            if self.tok.is_word("SELECT"):
                return SemiJoin(ref, self.sub_select(), negate)
            values = [self.value()]
            while self.at_punct(","):
                self.advance()
                values.append(self.value())
            self.expect_punct(")")
            return InList(ref, tuple(values), negate)
        raise self.fail()

    def sub_select(self) -> Query:
        """The inner query of a semi-join: ``SELECT field FROM name [WHERE cond]`` then ``)``."""
        self.expect_word("SELECT")
        selected = self.field_ref()
        if self.at_punct(","):
            raise SoqlError("MALFORMED_QUERY", "semi join sub-selects can only select one field", self.tok.pos)
        self.expect_word("FROM")
        if self.tok.kind != "ident" or "." in self.tok.value:
            raise self.fail()
        name = self.advance()
        inner = Query(name.value, name.pos, [selected])
        if self.tok.is_word("WHERE"):
            self.advance()
            inner.where = self.condition()
        if self.at_punct("(") or not self.at_punct(")"):
            raise self.fail()
        self.advance()
        return inner

    def value(self) -> Literal:
        token = self.advance()
        if token.kind == "string":
            return Literal("string", token.value, token.pos, wildcards=token.wildcards)
        if token.kind == "number":
            number = float(token.value)
            return Literal("number", int(number) if number.is_integer() and "." not in token.value else number,
                           token.pos)
        if token.kind in ("date", "datetime"):
            return Literal(token.kind, token.value, token.pos)
        if token.kind == "ident":
            word = token.value.upper()
            if word in ("TRUE", "FALSE"):
                return Literal("boolean", word == "TRUE", token.pos)
            if word == "NULL":
                return Literal("null", None, token.pos)
            if word in DATE_KEYWORDS:
                arg = None
                if word in ("LAST_N_DAYS", "NEXT_N_DAYS"):
                    self.expect_punct(":")
                    arg = self.integer()
                return Literal("keyword", word, token.pos, arg)
        raise self.fail(token)


def _show(token: Token) -> str:
    return "<EOF>" if token.kind == "eof" else token.value if token.kind != "string" else f"'{token.value}'"


def parse(text: str) -> Query:
    """Parse one SOQL statement; raises SoqlError (MALFORMED_QUERY) with the failing position."""
    return _Parser(text).query()
