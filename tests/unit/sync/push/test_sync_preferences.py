"""Push preferences: every setting explains itself, and stored values are read tolerantly."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.sync.push.preferences import (
    ProspectPreferences,
    PushPreferences,
    explain,
    lead_source_problem,
    to_push_settings,
    validate,
)


@pytest.mark.parametrize("prefs", [PushPreferences, ProspectPreferences])
def test_sync_explain_gives_every_setting_its_one_line(
        prefs: type[PushPreferences] | type[ProspectPreferences]) -> None:
    for f in dataclasses.fields(prefs):
        text = explain(prefs, f.name)
        assert text and text == text.strip() and "\n" not in text
        assert text.endswith(".")  # a sentence for the advisor, not a code


def test_sync_explain_names_what_the_setting_does() -> None:
    assert explain(PushPreferences, "note_title_template") == (
        "The title notes get in Salesforce; {title} is the title you typed.")
    assert "other apps" in explain(PushPreferences, "api_reserve_percent")
    assert "Lead Source" in explain(ProspectPreferences, "lead_source")


def test_sync_explain_refuses_a_setting_that_does_not_exist() -> None:
    with pytest.raises(KeyError):
        explain(PushPreferences, "push_events")
    with pytest.raises(KeyError):
        explain(ProspectPreferences, "auto_push")  # a PushPreferences field, not a prospects one


def test_sync_preferences_round_trip_through_json() -> None:
    prefs = PushPreferences(auto_push=True, auto_push_delay_minutes=30, attach_to="contact",
                            note_title_template="{meeting_type}: {contact} — {date}", api_reserve_percent=25)
    again = PushPreferences.from_json(prefs.to_json(), note_type="ContentNote")
    assert again == prefs and validate(again) == []
    assert "note_type" not in prefs.to_json()  # the note type lives on the connection row
    assert again.reserve_fraction == 0.25 and again.auto_push_idle_seconds == 1800.0


def test_sync_preferences_bad_stored_values_fall_back_to_defaults() -> None:
    d = PushPreferences()
    read = PushPreferences.from_json({
        "auto_push": "yes", "auto_push_delay_minutes": True, "api_reserve_percent": 80, "attach_to": "household",
        "note_title_template": "{date:%Y}", "task_title_template": "{subject", "push_notes": None,
    }, note_type="Attachment")
    assert read == d


@settings(deadline=None)
@given(st.dictionaries(st.sampled_from([f.name for f in dataclasses.fields(PushPreferences)] + ["other"]),
                       st.recursive(st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
                                    lambda inner: st.lists(inner, max_size=3), max_leaves=5)),
       st.one_of(st.none(), st.text(max_size=12), st.sampled_from(["ContentNote", "Note"])))
def test_sync_preferences_from_any_json_are_valid(values: dict[str, Any], note_type: str | None) -> None:
    assert validate(PushPreferences.from_json(values, note_type=note_type)) == []


def test_sync_lead_source_fits_the_picklist() -> None:
    assert lead_source_problem("Notebridge") == ""
    assert lead_source_problem("   ") == "Enter a Lead Source (for example Notebridge)."
    assert lead_source_problem("x" * 41) == "Salesforce keeps at most 40 characters here; this is 41."
    assert ProspectPreferences.from_json({"create_as": "Account", "lead_source": "x" * 41}) == ProspectPreferences()
    assert ProspectPreferences.from_json({"create_as": "Lead", "lead_source": "Seminar"}) == ProspectPreferences(
        "Lead", "Seminar")


def test_sync_to_push_settings_carries_what_the_engine_honours() -> None:
    settings = to_push_settings(PushPreferences(push_tasks=False, note_type="Note", api_reserve_percent=20),
                                prospects=ProspectPreferences("Lead", "Seminar"))
    assert settings.push_tasks is False and settings.note_type == "Note"
    assert settings.reserve_fraction == 0.2
    assert settings.new_people_as == "Lead" and settings.lead_source == "Seminar"
