"""Counts and durations read as people write them (issue 21: "1 changed contacts", "within
0.0833333 minutes"), and no message in the app hand-writes a plural again."""

from __future__ import annotations

import ast
import asyncio
import re
from pathlib import Path
from types import SimpleNamespace

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.salesforce.oauth_errors import sign_in_timeout
from app.services import sync_effects
from app.services.sync_choices import SyncChoices
from app.store.outbox_views import OutboxCounts
from app.store.salvage import SalvageReport
from app.sync.connection import NOT_CONNECTED
from app.sync.pull.people import PeopleSpec
from app.sync.push.loop import status_text
from app.wording import counted, duration, plural

APP = Path(__file__).resolve().parents[2] / "app"


@pytest.mark.parametrize(("count", "singular", "plural_form", "expected"), [
    (0, "changed contact", None, "0 changed contacts"),
    (1, "changed contact", None, "1 changed contact"),
    (2, "changed contact", None, "2 changed contacts"),
    (1250, "record", None, "1,250 records"),
    (1, "entry", "entries", "1 entry"),
    (3, "entry", "entries", "3 entries"),
    (1, "new person", "new people", "1 new person"),
    (2, "new person", "new people", "2 new people"),
])
def test_wording_counted_table(count: int, singular: str, plural_form: str | None, expected: str) -> None:
    assert counted(count, singular, plural_form) == expected


@given(st.integers(min_value=0, max_value=10**9), st.from_regex(r"[a-z]{1,10}( [a-z]{1,10})?", fullmatch=True))
def test_wording_counted_agrees_with_its_number(count: int, noun: str) -> None:
    text = counted(count, noun)
    number, _, words = text.partition(" ")
    assert int(number.replace(",", "")) == count
    assert words == (noun if count == 1 else noun + "s")
    assert plural(count, "is", "are") == ("is" if count == 1 else "are")


@pytest.mark.parametrize(("seconds", "expected"), [
    (5, "5 seconds"),
    (1, "1 second"),
    (0, "0 seconds"),
    (0.5, "0.5 seconds"),
    (0.96, "1 second"),
    (59.6, "1 minute"),
    (60, "1 minute"),
    (90, "1 minute 30 seconds"),
    (120, "2 minutes"),
    (300, "5 minutes"),
    (3600, "1 hour"),
    (7500, "2 hours 5 minutes"),
])
def test_wording_duration_table(seconds: float, expected: str) -> None:
    assert duration(seconds) == expected


@given(st.floats(min_value=0, max_value=10**7, allow_nan=False))
def test_wording_duration_reads_as_people_write_it(seconds: float) -> None:
    text = duration(seconds)
    parts = re.findall(r"([\d,]+(?:\.\d)?) (hour|minute|second)(s?)", text)
    assert " ".join(f"{a} {u}{s}" for a, u, s in parts) == text, text
    units = [u for _, u, _ in parts]
    assert units == sorted(units, key=["hour", "minute", "second"].index) and len(set(units)) == len(units)
    for amount, _unit, s in parts:
        assert (s == "") == (amount == "1"), text  # "1 minute", "2 minutes", "0.5 seconds"
    total = sum(float(a.replace(",", "")) * {"hour": 3600, "minute": 60, "second": 1}[u] for a, u, _ in parts)
    if 0 < seconds < 0.1:
        assert text == "0.1 seconds"  # never "0 seconds" for a time that is not nothing
    else:
        assert abs(total - seconds) <= (0.05 if seconds < 1 else 0.5), text


def test_wording_duration_refuses_what_is_not_a_duration() -> None:
    for bad in (-1.0, float("nan"), float("inf")):
        with pytest.raises(ValueError, match="not a duration"):
            duration(bad)


def test_wording_sign_in_timeout_says_seconds_as_people_do() -> None:
    assert "within 5 seconds." in sign_in_timeout(5).message
    assert "within 5 minutes." in sign_in_timeout(300).message
    assert "minutes" not in sign_in_timeout(5).message


def test_wording_messages_that_count_agree_with_their_number() -> None:
    spec = PeopleSpec("Contact", "contacts", (), lambda record: {})  # type: ignore[arg-type,return-value]
    assert spec.counted(1, "changed") == "1 changed contact"
    assert spec.counted(2000, "changed") == "2,000 changed contacts"
    one = SalvageReport(kept_at=Path("x"), drafts=1, outbox=0, people=1, rows=2).sentence()
    assert "saved 1 draft and 1 new person from it" in one
    many = SalvageReport(kept_at=Path("x"), drafts=2, outbox=0, people=3, rows=5).sentence()
    assert "saved 2 drafts and 3 new people from it" in many
    assert status_text(OutboxCounts(needs_attention=1)) == "1 needs attention"
    assert status_text(OutboxCounts(needs_attention=2)) == "2 need attention"


def test_wording_no_message_in_the_app_hand_writes_a_plural() -> None:
    """"item(s)", "check(s)": a count's noun is chosen by ``app.wording``, never left to the reader."""
    offenders = []
    for path in sorted(APP.rglob("*.py")):
        if "demo_org" in path.parts:  # the demo org has its own words (it shares no code with the app)
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        docstrings = {id(node.body[0].value) for node in ast.walk(tree)
                      if isinstance(node, (ast.Module, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))
                      and node.body and isinstance(node.body[0], ast.Expr)
                      and isinstance(node.body[0].value, ast.Constant)}
        for node in ast.walk(tree):
            if (isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings
                    and re.search(r"[a-z]\((s|es)\)", node.value)):
                offenders.append(f"{path.relative_to(APP.parent)}:{node.lineno}: {node.value!r}")
    assert offenders == []


def test_wording_sync_settings_lines_agree_with_their_number() -> None:
    """Settings → Sync offers 30+ days and 15+ minutes, but the store accepts 1: still "1 day", "1 minute"."""
    offline = SimpleNamespace(status=NOT_CONNECTED, active=None)  # what describe reads; nothing is counted
    effect = asyncio.run(sync_effects.describe(offline, SyncChoices(), SyncChoices(event_window_days=1)))  # type: ignore[arg-type]
    assert "Meetings from 1 day back to 1 day ahead" in effect.text
    assert sync_effects.interval_words(1) == "every 1 minute"
    assert sync_effects._about(1, "contacts") == "about 1 contact"
    assert sync_effects._about(2500, "contacts") == "about 2,500 contacts"


def test_wording_no_count_in_the_app_picks_its_own_plural_ending() -> None:
    """``f"{n} minute{'s' if n != 1 else ''}"`` and friends: four of these lived on after the helper
    came; each is now ``counted``/``plural``, and new ones are caught here."""
    pattern = re.compile(r"""(['"])s\1 if [^\n]*!= 1|\+ \(?(['"])s\2 if""")
    offenders = [f"{path.relative_to(APP.parent)}:{number}: {line.strip()}"
                 for path in sorted(APP.rglob("*.py")) if "demo_org" not in path.parts
                 for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
                 if pattern.search(line)]
    assert offenders == []
