"""Title templates: what the advisor may write, what a note or task is then called in Salesforce."""

from __future__ import annotations

import string

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.sync.push.limits import NOTE_TITLE_MAX, TASK_SUBJECT_MAX
from app.sync.push.title_templates import (
    NOTE_PLACEHOLDERS,
    TASK_PLACEHOLDERS,
    check_template,
    placeholders,
    render_template,
)

MEETING = {"title": "Annual review", "contact": "Maria Chen", "account": "Chen Household",
           "date": "2026-05-10", "meeting_type": "Meeting", "meeting": "Annual review with Maria",
           "advisor": "Alex Morgan"}
SEPARATORS = " -–—:·|,;/"


@pytest.mark.parametrize(("template", "values", "title"), [
    ("{title}", MEETING, "Annual review"),
    ("{meeting_type}: {contact} — {date}", MEETING, "Meeting: Maria Chen — 2026-05-10"),
    # A missing value takes no separator with it and leaves none dangling.
    ("{meeting_type}: {contact} — {date}", {**MEETING, "meeting_type": None}, "Maria Chen — 2026-05-10"),
    ("{meeting_type}: {contact} — {date}", {**MEETING, "contact": ""}, "Meeting — 2026-05-10"),
    ("{title} | {meeting} | {contact}", {**MEETING, "meeting": None}, "Annual review | Maria Chen"),
    ("{title} | {meeting} | {contact}", {**MEETING, "meeting": None, "contact": None}, "Annual review"),
    ("{contact} - {title}", {"title": "Annual review"}, "Annual review"),
    ("{title} ({contact})", {**MEETING, "contact": None}, "Annual review"),
    ("{title} [{account}] {date}", {**MEETING, "account": "  "}, "Annual review 2026-05-10"),
    ("{title} ({contact})", MEETING, "Annual review (Maria Chen)"),
    # Whitespace inside a value (a name typed over two lines) becomes one space.
    ("{contact}: {title}", {**MEETING, "contact": "Maria\n   Chen\t"}, "Maria Chen: Annual review"),
    ("{{draft}} {title}", MEETING, "{draft} Annual review"),
    ("Review: {title}", MEETING, "Review: Annual review"),
    ("{meeting_type}: {contact}", {}, ""),
])
def test_sync_render_template_fills_values_and_tidies_gaps(template: str, values: dict[str, str | None],
                                                           title: str) -> None:
    assert render_template(template, values) == title


@pytest.mark.parametrize(("template", "problem"), [
    ("", "The template is empty. Use {title}"),
    ("   ", "The template is empty. Use {title}"),
    ("{title", "A { or } has no partner. Write {{ or }} for a brace itself."),
    ("title}", "A { or } has no partner. Write {{ or }} for a brace itself."),
    ("{date:%Y} {title}", "Write {date} without anything after the name."),
    ("{title!r}", "Write {title} without anything after the name."),
    ("{client} {title}", "Unknown placeholder {client}. You can use {title}, {contact}, {account}, {date}, "
                         "{meeting_type}, {meeting}, {advisor}."),
    ("{} {0} {title.upper}", "Unknown placeholder {}, {0}, {title.upper}. You can use {title}, {contact}, "
                             "{account}, {date}, {meeting_type}, {meeting}, {advisor}."),
    ("{subject}", "Unknown placeholder {subject}. You can use {title}, {contact}, {account}, {date}, "
                  "{meeting_type}, {meeting}, {advisor}."),
])
def test_sync_check_template_refuses_with_a_message_that_says_which(template: str, problem: str) -> None:
    check = check_template(template, "note")
    assert not check.ok
    assert problem in check.problems
    assert check.preview == ""


def test_sync_check_template_names_each_unknown_placeholder_once() -> None:
    check = check_template("{who} {who} {subject}", "task")
    assert check.problems == (
        "Unknown placeholder {who}. You can use {subject}, {contact}, {account}, {date}, {due_date}, {advisor}.",)


def test_sync_check_template_previews_on_given_values_and_warns_when_the_typed_title_is_left_out() -> None:
    good = check_template("{contact}: {title}", "note", MEETING)
    assert good.ok and good.preview == "Maria Chen: Annual review" and good.warnings == ()
    no_title = check_template("{contact} — {date}", "note", MEETING)
    assert no_title.ok and no_title.preview == "Maria Chen — 2026-05-10"
    assert no_title.warnings == ("The title you type is not in this template, so it will not reach Salesforce.",)
    no_subject = check_template("Call {contact}", "task", MEETING)
    assert no_subject.warnings == (
        "The subject you type is not in this template, so it will not reach Salesforce.",)


@pytest.mark.parametrize(("kind", "own", "limit", "what"), [
    ("note", "title", NOTE_TITLE_MAX, "note titles"),
    ("task", "subject", TASK_SUBJECT_MAX, "task subjects"),
])
def test_sync_check_template_warns_when_the_example_passes_salesforce_s_limit(
        kind: str, own: str, limit: int, what: str) -> None:
    at_limit = check_template("x" * (limit - 5) + f"{{{own}}}", kind, {own: "abcde"})
    assert at_limit.ok and len(at_limit.preview) == limit and at_limit.warnings == ()
    over = check_template("x" * (limit - 4) + f"{{{own}}}", kind, {own: "abcde"})
    assert over.ok  # still allowed: only such an item waits until shortened
    assert over.warnings == (f"Salesforce allows {limit} characters for {what}; this example has {limit + 1}, "
                             "so such an item would wait until shortened.",)


def test_sync_placeholders_per_kind() -> None:
    assert placeholders("note") == NOTE_PLACEHOLDERS and "title" in NOTE_PLACEHOLDERS
    assert placeholders("task") == TASK_PLACEHOLDERS and "due_date" in TASK_PLACEHOLDERS
    assert "subject" not in NOTE_PLACEHOLDERS and "title" not in TASK_PLACEHOLDERS
    with pytest.raises(ValueError, match="unknown template kind"):
        placeholders("event")


# -- properties: any text the advisor can type --------------------------------------------------------------

values_strategy = st.dictionaries(st.sampled_from(sorted({*NOTE_PLACEHOLDERS, *TASK_PLACEHOLDERS})),
                                  st.one_of(st.none(), st.text(max_size=30)))


@settings(deadline=None)
@given(st.text(max_size=60), st.sampled_from(["note", "task"]), values_strategy)
def test_sync_any_template_text_is_checked_without_raising(template: str, kind: str,
                                                           values: dict[str, str | None]) -> None:
    check = check_template(template, kind, {k: v or "" for k, v in values.items()})
    if check.ok:
        # What passes the check renders for any values, as a tidy one-line title.
        title = render_template(template, values)
        assert "\x00" not in title
        assert title == title.strip(SEPARATORS)
        assert "  " not in title and "\n" not in title
        assert check.preview == render_template(template, {k: v or "" for k, v in values.items()})
    else:
        assert check.problems and check.preview == ""


words = st.text(alphabet=string.ascii_letters + string.digits, min_size=1, max_size=12)


@settings(deadline=None)
@given(st.lists(st.tuples(st.sampled_from(sorted(NOTE_PLACEHOLDERS)), st.one_of(st.none(), words)),
                min_size=1, max_size=5),
       st.lists(st.sampled_from([" ", " - ", " — ", ": ", " | ", ", ", " / "]), min_size=5, max_size=5))
def test_sync_render_keeps_every_given_value_in_order_and_drops_missing_ones(
        parts: list[tuple[str, str | None]], separators: list[str]) -> None:
    # Each placeholder once, so each value has its own slot.
    slots = dict(parts)
    names = list(slots)
    template = "".join(f"{{{name}}}" + separators[i] for i, name in enumerate(names))
    title = render_template(template, slots)
    present = [slots[name] for name in names if slots[name]]
    tokens = [t for t in title.replace(",", " ").replace(":", " ").split() if t not in SEPARATORS]
    assert tokens == present
    if not present:
        assert title == ""
