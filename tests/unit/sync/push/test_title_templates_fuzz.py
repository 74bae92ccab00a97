"""Property tests for title templates (app/sync/push/title_templates.py).

Anything typed into the template box gets an answer (problems, or a preview) without raising; a
template that passes renders for any values; with every value present it is plain ``str.format``
with whitespace tidied; with values missing no separator dangles at the ends and nothing of a
present value is lost.
"""

from __future__ import annotations

import string

from hypothesis import example, given, settings
from hypothesis import strategies as st

from app.sync.push.title_templates import NOTE_PLACEHOLDERS, TASK_PLACEHOLDERS, check_template, render_template

FUZZ = settings(max_examples=200, deadline=None)

_TIDY = " -–—:·|,;/"
KIND = st.sampled_from(["note", "task"])
_LITERAL = st.one_of(st.text(max_size=6), st.sampled_from([" — ", ": ", " - ", ", ", " | ", "{{", "}}", " ", "/",
                                                            "\x00", "\t", "\n"]))
_FIELD = st.sampled_from(sorted(set(NOTE_PLACEHOLDERS) | set(TASK_PLACEHOLDERS)))
VALUE = st.one_of(st.none(), st.just(""), st.just("  "), st.text(max_size=12),
                  st.sampled_from(["Maria Chen", "Chen Household", "2026-05-10", "- x -", "a\x00b", "{title}"]))


@st.composite
def template(draw: st.DrawFn, kind: str) -> str:
    fields = sorted(NOTE_PLACEHOLDERS if kind == "note" else TASK_PLACEHOLDERS)
    parts = []
    for _ in range(draw(st.integers(1, 5))):
        parts.append(draw(_LITERAL).replace("{", "{{").replace("}", "}}") if draw(st.booleans()) else
                     "{" + draw(st.sampled_from(fields)) + "}")
    return "".join(parts)


@st.composite
def kind_template_values(draw: st.DrawFn) -> tuple[str, str, dict[str, str | None]]:
    kind = draw(KIND)
    names = NOTE_PLACEHOLDERS if kind == "note" else TASK_PLACEHOLDERS
    return kind, draw(template(kind)), {name: draw(VALUE) for name in names}


def _tidy(text: str) -> str:
    return " ".join(text.split()).strip(_TIDY)


@FUZZ
@given(st.one_of(st.text(max_size=40), st.lists(st.one_of(_LITERAL, _FIELD.map(lambda f: "{" + f + "}"),
                                                          st.sampled_from(["{", "}", "{0}", "{}", "{date:%Y}",
                                                                           "{contact!r}", "{a.b}", "{x[0]}"])),
                                                max_size=6).map("".join)), KIND)
def test_fuzz_any_typed_template_gets_an_answer(typed: str, kind: str) -> None:
    check = check_template(typed, kind)
    assert check.ok == (not check.problems)
    if check.ok:
        assert isinstance(check.preview, str) and typed.strip()
    else:
        assert check.preview == "" and all(isinstance(p, str) and p for p in check.problems)


@FUZZ
@given(kind_template_values())
@example(("note", "{title} - \x00 - {contact}", {"title": "A", "contact": "B"}))
def test_fuzz_with_every_value_present_it_is_str_format_tidied(case: tuple[str, str, dict[str, str | None]]) -> None:
    kind, text, values = case
    assert check_template(text, kind).ok or not text.strip()
    present = {name: (value or "").replace("\x00", "") for name, value in values.items()}
    if not all(" ".join(v.split()) for v in present.values()):
        return  # covered by the next property
    filled = text.replace("\x00", "").format(**{name: " ".join(v.split()) for name, v in present.items()})
    expected = _tidy(filled)  # NULs are dropped wherever they are: they mean nothing in a title
    assert render_template(text, values) == expected


@FUZZ
@given(kind_template_values())
def test_fuzz_missing_values_leave_no_dangling_separator(case: tuple[str, str, dict[str, str | None]]) -> None:
    _kind, text, values = case
    title = render_template(text, values)
    assert "\x00" not in title
    assert title == title.strip(_TIDY)
    assert "  " not in title and "\n" not in title and "\t" not in title
    for name in {n for _l, n, _s, _c in string.Formatter().parse(text) if n}:
        value = " ".join((values.get(name) or "").replace("\x00", "").split()).strip(_TIDY)
        assert value in title, (name, value, title)
