"""The words Settings → Sync shows before a change (pure logic, offline: no count is asked).

Any pair of choices: one line per changed choice, in plain words, never a number that was not
counted, and always the promise that drafts and the Outbox stay."""

from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass

from hypothesis import given, settings
from hypothesis import strategies as st

from app.services import sync_effects
from app.services.sync_choices import CLIENT_OBJECTS, EVENT_WINDOWS, SYNC_INTERVALS, RecordScope, SyncChoices
from app.services.sync_effects import KEPT, Change, changes_between
from app.sync.connection import NOT_CONNECTED, ConnectionStatus


@dataclass
class _Offline:
    """Just what ``describe`` reads of the connection manager: signed out, so nothing is counted."""

    status: ConnectionStatus = NOT_CONNECTED
    active: None = None


choices = st.builds(
    SyncChoices, client_object=st.sampled_from(CLIENT_OBJECTS), include_leads=st.booleans(),
    record_scope=st.sampled_from(list(RecordScope)), pick_mode=st.booleans(), contacts_enabled=st.booleans(),
    interval_minutes=st.sampled_from(SYNC_INTERVALS), include_events=st.booleans(),
    event_window_days=st.sampled_from(EVENT_WINDOWS),
    default_assignee_id=st.one_of(st.none(), st.just("005000000000002AAA")))


@settings(max_examples=200, deadline=None)
@given(before=choices, after=choices)
def test_sync_settings_effect_words_for_any_change(before: SyncChoices, after: SyncChoices) -> None:
    effect = asyncio.run(sync_effects.describe(_Offline(), before, after))  # type: ignore[arg-type]
    assert effect.changes == changes_between(before, after)
    assert len(effect.lines) == len(effect.changes), "one line per change"
    assert effect.records is None, "offline: nothing was counted"
    for line in effect.lines:
        assert line and "None" not in line and not re.search(r"about \d", line) and "_" not in line
    assert effect.text.endswith(KEPT)
    if Change.CLIENT_OBJECT in effect.changes:
        assert f"Switching to {sync_effects.OBJECT_WORDS[after.client_object]}" in effect.text


def test_sync_settings_no_change_has_no_lines() -> None:
    effect = asyncio.run(sync_effects.describe(_Offline(), SyncChoices(), SyncChoices()))  # type: ignore[arg-type]
    assert effect.changes == () and effect.lines == ()
