"""JSON with comments (JSONC), for the one file an admin writes by hand: ``notebridge.json``.

JSON has no comments, and a setup file nobody can annotate is one nobody dares to change, so the
managed config accepts ``// line`` and ``/* block */`` comments outside strings, and a trailing comma
before ``}`` or ``]`` (what VS Code's JSONC mode allows).  Everything else is plain JSON, parsed by
:func:`json.loads`.  Tools that can only write strict JSON use the other convention instead: keys that
start with ``_`` (``"_comment": "..."``) are ignored by the config reader.
"""

from __future__ import annotations

import json
from typing import Any


class JsoncError(ValueError):
    """The text is not JSON (with comments); ``str()`` says where, in line and column."""

    def __init__(self, message: str, line: int, column: int) -> None:
        super().__init__(f"{message} (line {line}, column {column})")
        self.line = line
        self.column = column


def strip_comments(text: str) -> str:
    """``text`` with comments and trailing commas replaced by spaces (line numbers stay the same)."""
    out: list[str] = []
    i, n = 0, len(text)
    pending_comma: int | None = None  # index in out of a comma that may turn out to be trailing
    while i < n:
        ch = text[i]
        if ch == '"':
            end = _string_end(text, i)
            out.append(text[i:end])
            pending_comma = None
            i = end
        elif text.startswith("//", i):
            end = text.find("\n", i)
            end = n if end == -1 else end
            out.append(" " * (end - i))
            i = end
        elif text.startswith("/*", i):
            end = text.find("*/", i + 2)
            if end == -1:
                raise JsoncError("A /* comment is never closed with */", *_position(text, i))
            out.append("".join(c if c == "\n" else " " for c in text[i:end + 2]))
            i = end + 2
        elif ch == ",":
            pending_comma = len(out)
            out.append(ch)
            i += 1
        elif ch in "}]":
            if pending_comma is not None:
                out[pending_comma] = " "
            pending_comma = None
            out.append(ch)
            i += 1
        else:
            if not ch.isspace():
                pending_comma = None
            out.append(ch)
            i += 1
    return "".join(out)


def loads(text: str) -> Any:
    """Parse JSONC text; raises :class:`JsoncError` (with line and column) when it is not valid."""
    plain = strip_comments(text)
    try:
        return json.loads(plain)
    except json.JSONDecodeError as exc:
        raise JsoncError(exc.msg, exc.lineno, exc.colno) from None
    except RecursionError:
        raise JsoncError("The file is nested too deeply to be a Notebridge setup file", 1, 1) from None


def _string_end(text: str, start: int) -> int:
    """Index just past the JSON string starting at ``start`` (or the end of the text if unclosed)."""
    i = start + 1
    while i < len(text):
        if text[i] == "\\":
            i += 2
            continue
        if text[i] == '"':
            return i + 1
        if text[i] == "\n":  # JSON strings cannot span lines; let json.loads report it
            return i
        i += 1
    return len(text)


def _position(text: str, index: int) -> tuple[int, int]:
    line = text.count("\n", 0, index) + 1
    column = index - (text.rfind("\n", 0, index) + 1) + 1
    return line, column
