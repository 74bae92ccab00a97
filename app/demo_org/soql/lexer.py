"""SOQL tokenizer.

String literals use SOQL's escapes (``\\'``, ``\\\\``, ``\\n`` …, and ``\\%`` / ``\\_`` which mean a literal
``%`` / ``_`` inside LIKE). A string token's value is the text itself, escapes resolved; the positions
of the *unescaped* ``%``/``_`` travel beside it (``wildcards``) so the LIKE compiler can tell them from
literal ones. (Marking escaped ones with stand-in characters instead would misread text that holds
those characters itself.)
Date and datetime literals are unquoted (``2024-01-01``, ``2024-01-01T00:00:00Z``, ``…+00:00`` or
``…+0000``). See https://developer.salesforce.com/docs/atlas.en-us.soql_sosl.meta/soql_sosl/sforce_api_calls_soql_select_quotedstringescapes.htm
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_ESCAPES = {"n": "\n", "t": "\t", "b": "\b", "f": "\f", "r": "\r", '"': '"', "'": "'", "\\": "\\",
            "%": "%", "_": "_"}

_TOKEN = re.compile(r"""
    (?P<ws>\s+)
  | (?P<datetime>\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,3})?(?:Z|[+-]\d{2}:?\d{2})?)
  | (?P<date>\d{4}-\d{2}-\d{2})
  | (?P<number>[+-]?(?:\d+(?:\.\d*)?|\.\d+))
  | (?P<ident>[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*)
  | (?P<string>')
  | (?P<op>!=|<>|<=|>=|=|<|>)
  | (?P<punct>[(),:])
""", re.VERBOSE)


class SoqlError(Exception):
    """A query error with Salesforce's code (MALFORMED_QUERY, INVALID_FIELD, …) and a position."""

    def __init__(self, code: str, detail: str, pos: int | None = None):
        super().__init__(detail)
        self.code = code
        self.detail = detail
        self.pos = pos

    def message(self, text: str) -> str:
        """Salesforce's layout: the offending line, a caret, ``ERROR at Row:r:Column:c``, the reason."""
        if self.pos is None:
            return self.detail
        before = text[: self.pos]
        row = before.count("\n") + 1
        line_start = before.rfind("\n") + 1
        column = self.pos - line_start
        line_end = text.find("\n", self.pos)
        line = text[line_start: line_end if line_end >= 0 else len(text)]
        return f"\n{line}\n{' ' * column}^\nERROR at Row:{row}:Column:{column + 1}\n{self.detail}"


@dataclass(frozen=True)
class Token:
    kind: str  # ident, string, number, date, datetime, op, punct, eof
    value: str
    pos: int
    wildcards: frozenset[int] = frozenset()  # strings: indexes in value of unescaped % and _

    def is_word(self, *words: str) -> bool:
        return self.kind == "ident" and self.value.upper() in words


def tokenize(text: str) -> list[Token]:
    tokens: list[Token] = []
    pos = 0
    while pos < len(text):
        match = _TOKEN.match(text, pos)
        if match is None:
            raise SoqlError("MALFORMED_QUERY", f"unexpected token: '{text[pos]}'", pos)
        kind = match.lastgroup or ""
        if kind == "string":
            value, wildcards, end = _read_string(text, pos)
            tokens.append(Token("string", value, pos, wildcards))
            pos = end
            continue
        if kind == "datetime" and not re.search(r"(Z|[+-]\d{2}:?\d{2})$", match.group()):
            raise SoqlError("MALFORMED_QUERY", f"line 1:{pos} no viable alternative at character ' '", pos)
        if kind != "ws":
            tokens.append(Token(kind, match.group(), pos))
        pos = match.end()
    tokens.append(Token("eof", "<EOF>", len(text)))
    return tokens


def _read_string(text: str, start: int) -> tuple[str, frozenset[int], int]:
    out: list[str] = []
    wildcards: set[int] = set()
    pos = start + 1
    while pos < len(text):
        char = text[pos]
        if char == "'":
            return "".join(out), frozenset(wildcards), pos + 1
        if char in "%_":
            wildcards.add(len(out))
        if char == "\\":
            if pos + 1 >= len(text):
                break
            code = text[pos + 1]
            if code in "uU" and re.match(r"[0-9a-fA-F]{4}", text[pos + 2: pos + 6]):
                out.append(chr(int(text[pos + 2: pos + 6], 16)))
                pos += 6
                continue
            replacement = _ESCAPES.get(code) or _ESCAPES.get(code.lower())
            if replacement is None:
                raise SoqlError("MALFORMED_QUERY", f"Invalid string literal '{text[start + 1: pos + 2]}'. "
                                f"Illegal character sequence '\\{code}' in string literal.", start)
            out.append(replacement)
            pos += 2
            continue
        out.append(char)
        pos += 1
    raise SoqlError("MALFORMED_QUERY", "unexpected token: <EOF>: unterminated string literal", start)
