"""The opportunity handler's pure parts, the form's new field types, and the Sending preferences
(no store, no Salesforce)."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.store import activity_forms
from app.store.kinds import ItemKind
from app.sync.org_picklists import picklist_facts
from app.sync.push.kinds import draft_handlers
from app.sync.push.kinds.opportunity import OPPORTUNITY_LOOKUP, opportunity_record
from app.sync.push.preferences import PushPreferences, to_push_settings
from app.sync.push.reconcile import SentCreate
from app.sync.push.title_templates import check_template, render_template
from tests.unit.sync.push.push_fixtures import WHEN
from tests.unit.sync.push.test_push_activity_handlers import activity, work

DEAL = {"name": "IRA rollover", "stage": "", "close_date": "2027-03-31", "amount": 250000, "note": " Old 401(k) "}
DESCRIBE = {"fields": [{"name": "StageName", "picklistValues": [
    {"value": "Qualification", "active": False, "defaultValue": False},
    {"value": "Prospecting", "active": True, "defaultValue": False},
    {"value": "Proposal", "active": True, "defaultValue": False}]}]}


def test_opportunity_record_takes_the_orgs_default_stage_when_none_was_chosen() -> None:
    facts = picklist_facts(DESCRIBE, "StageName")
    assert facts.values == ("Prospecting", "Proposal") and facts.default == "Prospecting"  # inactive left out
    record = opportunity_record(DEAL, name="Chen Household - IRA rollover", account_id="001A", owner_id="005A",
                                default_stage=facts.default)
    assert record == {"attributes": {"type": "Opportunity"}, "Name": "Chen Household - IRA rollover",
                      "AccountId": "001A", "StageName": "Prospecting", "CloseDate": "2027-03-31",
                      "Amount": 250000.0, "OwnerId": "005A", "Description": "Old 401(k)"}
    chosen = opportunity_record({**DEAL, "stage": "Proposal", "amount": None}, name="x", account_id="001A",
                                owner_id=None, default_stage="Prospecting")
    assert chosen["StageName"] == "Proposal" and "Amount" not in chosen and "OwnerId" not in chosen


def test_opportunity_with_a_default_flagged_in_describe_uses_it() -> None:
    flagged = {"fields": [{"name": "StageName", "picklistValues": [
        {"value": "Prospecting", "active": True}, {"value": "Proposal", "active": True, "defaultValue": True}]}]}
    assert picklist_facts(flagged, "StageName").default == "Proposal"
    assert picklist_facts({"fields": []}, "StageName").default is None


def test_opportunity_problems_an_empty_name_no_account_and_a_title_too_long() -> None:
    handler = draft_handlers()[ItemKind.OPPORTUNITY]
    assert handler.problems(work(ItemKind.OPPORTUNITY, DEAL)) == []
    unnamed = handler.problems(work(ItemKind.OPPORTUNITY, {**DEAL, "name": " "}))
    assert [p.field for p in unnamed] == ["name"] and "Salesforce needs it" in unnamed[0].message
    lead = handler.problems(work(ItemKind.OPPORTUNITY, DEAL, what_id=None))
    assert "household or account" in lead[0].message
    long = handler.problems(work(ItemKind.OPPORTUNITY, DEAL, sent_title="x" * 121))
    assert [p.field for p in long] == ["title"] and "allows 120" in long[0].message


def test_opportunity_lost_create_is_found_only_with_every_field_equal() -> None:
    sent = opportunity_record(DEAL, name="IRA rollover", account_id="001A", owner_id="005A",
                              default_stage="Prospecting")
    item = SentCreate(1, "k", WHEN, sent)
    found = {**sent, "Amount": 250000, "CloseDate": "2027-03-31", "Id": "006A"}
    assert OPPORTUNITY_LOOKUP.plausible(item, "", found)
    assert not OPPORTUNITY_LOOKUP.plausible(item, "", {**found, "AccountId": "001B"})
    assert not OPPORTUNITY_LOOKUP.plausible(item, "", {**found, "Amount": 250001})


def test_opportunity_form_checks_dates_and_amounts() -> None:
    cleaned = activity_forms.clean(ItemKind.OPPORTUNITY, {"name": "IRA", "amount": 12.345, "close_date": "2027-01-02"})
    assert cleaned["amount"] == 12.35 and cleaned["close_date"] == "2027-01-02" and cleaned["stage"] == ""
    for bad in ({"amount": -1}, {"amount": "ten"}, {"amount": float("nan")}, {"close_date": "soon"}):
        with pytest.raises(ValueError, match=r"Amount|Close date"):
            activity_forms.clean(ItemKind.OPPORTUNITY, bad)
    assert activity_forms.problems(ItemKind.OPPORTUNITY, {**cleaned, "close_date": None}) == [
        ("close_date", "Choose a date: “Close date” is empty.")]


def test_sending_settings_round_trip_and_reach_the_engine() -> None:
    prefs = PushPreferences(activities_off=(ItemKind.CALL,),
                            activity_title_templates={ItemKind.OPPORTUNITY: "{name} ({contact})"})
    stored: dict[str, Any] = prefs.to_json()
    assert PushPreferences.from_json(stored) == replace(prefs, note_type="ContentNote")
    settings = to_push_settings(prefs)
    assert settings.activities_off == frozenset({ItemKind.CALL})
    assert settings.activity_title_templates == {ItemKind.OPPORTUNITY: "{name} ({contact})"}
    # Hand-edited junk falls back to the defaults: every kind on, the default templates.
    junk = PushPreferences.from_json({"activities_off": ["person", 3, "note"], "activity_title_templates": {
        "opportunity": "{nope}", "call": 7, "meeting": "{subject} @ {location}"}})
    assert junk.activities_off == () and junk.activity_title_templates == {ItemKind.MEETING: "{subject} @ {location}"}
    assert PushPreferences().activities_off == ()  # on by default


WORDS = st.text(alphabet=st.characters(categories=["L", "N"]) | st.just(" "), max_size=40)


@given(WORDS, WORDS)
def test_sending_settings_opportunity_default_template_never_leaves_a_dangling_separator(name: str,
                                                                                       account: str) -> None:
    assert check_template("{account} - {name}", ItemKind.OPPORTUNITY).ok
    text = render_template("{account} - {name}", {"name": name, "account": account})
    n, a = " ".join(name.split()), " ".join(account.split())
    assert text == (f"{a} - {n}" if a and n else a or n)


def test_sending_settings_activity_title_values_include_the_form_and_the_client() -> None:
    from app.store.push_context import ItemContext
    from app.sync.push.prepare import activity_title_values

    deal = activity(ItemKind.OPPORTUNITY, DEAL)
    values = activity_title_values(deal, ItemContext("Maria Chen", "Chen Household", "001A"), "Alex")
    assert (values["name"], values["contact"], values["account"], values["advisor"]) == \
        ("IRA rollover", "Maria Chen", "Chen Household", "Alex")
    assert render_template("{account} - {name}", values) == "Chen Household - IRA rollover"
