"""A failed record's Salesforce errors → fix it, wait, or re-target, in words for the advisor.

Error shapes as Salesforce sends them (sObject Collections: ``statusCode``; Composite: ``errorCode``),
https://developer.salesforce.com/docs/atlas.en-us.api.meta/api/sforce_api_calls_concepts_core_data_objects.htm#statuscode
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.salesforce.errors import ErrorDetail
from app.store.kinds import ItemKind
from app.sync.push.errors import ATTACH_HINT, ItemOutcome, classify, describe_error_codes


def _errors(*items: dict[str, Any]) -> list[ErrorDetail]:
    return [ErrorDetail.from_json(item) for item in items]


def test_sync_validation_rule_message_is_shown_verbatim_with_what_to_change() -> None:
    outcome = classify(_errors({"statusCode": "FIELD_CUSTOM_VALIDATION_EXCEPTION",
                                "message": "Enter the client's risk profile first.", "fields": []}), what="task")
    assert outcome == ItemOutcome(
        "needs_attention", "FIELD_CUSTOM_VALIDATION_EXCEPTION", "Enter the client's risk profile first.",
        "This is a rule set by your Salesforce admin. Change the task so it passes, then push again.")


@pytest.mark.parametrize("field", ["WhoId", "WhatId", "ParentId", "LinkedEntityId"])
@pytest.mark.parametrize("code", ["ENTITY_IS_DELETED", "INVALID_CROSS_REFERENCE_KEY"])
def test_sync_deleted_client_asks_to_attach_elsewhere(field: str, code: str) -> None:
    outcome = classify(_errors({"statusCode": code, "message": "entity is deleted", "fields": [field]}))
    assert (outcome.action, outcome.code, outcome.hint) == ("needs_attention", "ENTITY_IS_DELETED", ATTACH_HINT)
    assert outcome.message == "entity is deleted"


def test_sync_bad_cross_reference_elsewhere_is_not_called_a_deleted_client() -> None:
    outcome = classify(_errors({"statusCode": "INVALID_CROSS_REFERENCE_KEY",
                                "message": "invalid cross reference id", "fields": ["OwnerId"]}))
    assert (outcome.action, outcome.code) == ("needs_attention", "INVALID_CROSS_REFERENCE_KEY")
    assert outcome.hint == "Edit the note if needed, then push again."


def test_sync_converted_lead_is_retargeted() -> None:
    outcome = classify(_errors({"errorCode": "CANNOT_UPDATE_CONVERTED_LEAD",
                                "message": "cannot reference converted lead", "fields": ["WhoId"]}))
    assert outcome.action == "retarget" and outcome.code == "CANNOT_UPDATE_CONVERTED_LEAD"


@pytest.mark.parametrize("code", ["UNABLE_TO_LOCK_ROW", "PROCESSING_HALTED", "SERVER_UNAVAILABLE",
                                  "unable_to_lock_row"])
def test_sync_salesforce_hiccups_are_retried(code: str) -> None:
    outcome = classify(_errors({"errorCode": code, "message": "unable to obtain exclusive access"}))
    assert outcome.action == "retry" and outcome.code == code.upper()
    assert outcome.hint == "Salesforce was busy; Notebridge will try again."


@pytest.mark.parametrize("code", ["INSUFFICIENT_ACCESS_OR_READONLY", "INSUFFICIENT_ACCESS_ON_CROSS_REFERENCE_ENTITY",
                                  "INVALID_FIELD_FOR_INSERT_UPDATE", "INVALID_TYPE"])
def test_sync_missing_permission_sends_the_advisor_to_the_admin(code: str) -> None:
    outcome = classify(_errors({"statusCode": code, "message": "insufficient access rights on object id"}))
    assert outcome.action == "needs_attention"
    assert outcome.hint == "Your Salesforce user is not allowed to do this. Ask your Salesforce admin for access."


@pytest.mark.parametrize("code", ["STRING_TOO_LONG", "REQUIRED_FIELD_MISSING", "MALFORMED_ID"])
def test_sync_data_problems_ask_to_edit_the_item(code: str) -> None:
    outcome = classify(_errors({"statusCode": code, "message": "Subject: data value too large",
                                "fields": ["Subject"]}), what="task")
    assert outcome == ItemOutcome("needs_attention", code, "Subject: data value too large",
                                  "Edit the task to fix this, then push again.")


def test_sync_no_reason_given_is_retried_and_a_missing_message_shows_the_code() -> None:
    assert classify([]) == ItemOutcome("retry", "UNKNOWN_ERROR", "Salesforce gave no reason.",
                                       "Notebridge will try again.")
    outcome = classify(_errors({"statusCode": "DUPLICATES_DETECTED"}))
    assert outcome.message == "DUPLICATES_DETECTED" and outcome.action == "needs_attention"


def test_sync_the_first_error_names_the_cause() -> None:
    outcome = classify(_errors({"errorCode": "REQUIRED_FIELD_MISSING", "message": "Required fields are missing"},
                               {"errorCode": "UNABLE_TO_LOCK_ROW", "message": "locked"}))
    assert outcome.action == "needs_attention" and outcome.code == "REQUIRED_FIELD_MISSING"


def test_sync_describe_error_codes() -> None:
    assert describe_error_codes(_errors({"errorCode": "A"}, {"statusCode": "B"})) == "A, B"
    assert describe_error_codes([]) == "UNKNOWN_ERROR"


error_items = st.lists(st.fixed_dictionaries(
    {"statusCode": st.one_of(st.sampled_from(["ENTITY_IS_DELETED", "UNABLE_TO_LOCK_ROW", "STRING_TOO_LONG"]),
                             st.text(max_size=30))},
    optional={"message": st.text(max_size=40),
              "fields": st.lists(st.sampled_from(["WhoId", "WhatId", "Subject", "OwnerId"]), max_size=3)}),
    max_size=3)


@settings(deadline=None)
@given(error_items, st.sampled_from(["note", "task"]))
def test_sync_any_error_list_gets_an_outcome_with_a_hint(items: list[dict[str, Any]], what: str) -> None:
    outcome = classify(_errors(*items), what=what)
    assert outcome.action in ("needs_attention", "retry", "retarget")
    assert outcome.hint and outcome.message
    if items and items[0].get("message"):
        assert outcome.message == items[0]["message"]  # the org's words, verbatim


def test_fidelity_write_restricted_picklist_names_the_field_and_the_refused_value() -> None:
    outcome = classify(_errors({"errorCode": "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST",
                                "message": "Status: bad value for restricted picklist field: Waiting",
                                "fields": ["Status"]}), what=ItemKind.TASK)
    assert outcome.action == "needs_attention"
    assert outcome.message == "Status: bad value for restricted picklist field: Waiting"  # the org's words stay
    assert "does not offer 'Waiting' for Status" in outcome.hint
    assert "Open the task, choose a Status from the list" in outcome.hint


@pytest.mark.parametrize(("message", "refused", "switch_to"), [
    ("entity type Note does not support create", "classic notes", "Enhanced Notes"),
    ("entity type ContentNote does not support create", "Enhanced Notes", "classic notes"),
])
def test_fidelity_write_note_type_refused_says_which_to_switch_to(message: str, refused: str, switch_to: str) -> None:
    outcome = classify(_errors({"errorCode": "INVALID_TYPE_FOR_OPERATION", "message": message}), what=ItemKind.NOTE)
    assert outcome.action == "needs_attention"
    assert f"does not allow {refused}" in outcome.hint and f"switch the note type to {switch_to}" in outcome.hint
