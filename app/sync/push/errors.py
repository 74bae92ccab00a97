"""What a per-record Salesforce error means for the advisor: fix it, wait, or re-target.

Error codes: https://developer.salesforce.com/docs/atlas.en-us.api.meta/api/sforce_api_calls_concepts_core_data_objects.htm#statuscode
Messages from the org are shown verbatim (a validation rule's message is the admin's instruction to
the advisor); the hint says what to do in Notebridge.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from app.salesforce.errors import ErrorDetail
from app.store.kinds import ItemKind


class Action(StrEnum):
    """What a per-record error means for the item."""

    NEEDS_ATTENTION = "needs_attention"  # the advisor fixes something, then pushes again
    RETRY = "retry"  # Salesforce was busy or gave no reason: try again by itself
    RETARGET = "retarget"  # the Lead was converted: send to its Contact instead

# Salesforce-side hiccups: the same record will very likely go through on the next attempt.
TRANSIENT = frozenset({
    "UNABLE_TO_LOCK_ROW", "SERVER_UNAVAILABLE", "REQUEST_RUNNING_TOO_LONG", "QUERY_TIMEOUT",
    "PROCESSING_HALTED", "UNKNOWN_ERROR", "TXN_SECURITY_METERING_ERROR",
})
ATTACH_HINT = "The client was deleted in Salesforce. Attach this to another client, then push again."


@dataclass(frozen=True)
class ItemOutcome:
    action: Action
    code: str
    message: str
    hint: str


def classify(errors: Sequence[ErrorDetail], *, what: ItemKind = ItemKind.NOTE) -> ItemOutcome:
    """Decide from a failed record's errors (the first error names the cause)."""
    if not errors:
        return ItemOutcome(Action.RETRY, "UNKNOWN_ERROR", "Salesforce gave no reason.", "Notebridge will try again.")
    first = errors[0]
    code, message = first.error_code.upper(), first.message or first.error_code
    if code == "CANNOT_UPDATE_CONVERTED_LEAD":
        return ItemOutcome(Action.RETARGET, code, message, "The lead was converted; re-targeting to the new contact.")
    if code in ("ENTITY_IS_DELETED", "INVALID_CROSS_REFERENCE_KEY") and _about_parent(first):
        return ItemOutcome(Action.NEEDS_ATTENTION, "ENTITY_IS_DELETED", message, ATTACH_HINT)
    if code == "ENTITY_IS_DELETED":
        return ItemOutcome(Action.NEEDS_ATTENTION, code, message, ATTACH_HINT)
    if code == "FIELD_CUSTOM_VALIDATION_EXCEPTION":
        return ItemOutcome(
            Action.NEEDS_ATTENTION, code, message,
            f"This is a rule set by your Salesforce admin. Change the {what} so it passes, then push again.")
    if code == "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST":
        return ItemOutcome(Action.NEEDS_ATTENTION, code, message, _picklist_hint(first, what))
    if code == "INVALID_TYPE_FOR_OPERATION" and what is ItemKind.NOTE:
        return ItemOutcome(Action.NEEDS_ATTENTION, code, message, _note_type_hint(message))
    if code in TRANSIENT:
        return ItemOutcome(Action.RETRY, code, message, "Salesforce was busy; Notebridge will try again.")
    if code.startswith("INSUFFICIENT_ACCESS") or code in ("INVALID_TYPE", "INVALID_FIELD_FOR_INSERT_UPDATE"):
        return ItemOutcome(
            Action.NEEDS_ATTENTION, code, message,
            "Your Salesforce user is not allowed to do this. Ask your Salesforce admin for access.")
    if code == "REQUIRED_FIELD_MISSING" and any(f.endswith("__c") for f in first.fields):
        return ItemOutcome(Action.NEEDS_ATTENTION, code, message, _custom_required_hint(first, what))
    if code in ("STRING_TOO_LONG", "REQUIRED_FIELD_MISSING", "FIELD_INTEGRITY_EXCEPTION", "INVALID_EMAIL_ADDRESS",
                "MALFORMED_ID"):
        return ItemOutcome(Action.NEEDS_ATTENTION, code, message, f"Edit the {what} to fix this, then push again.")
    return ItemOutcome(Action.NEEDS_ATTENTION, code, message, f"Edit the {what} if needed, then push again.")


# Salesforce names the field by its API name in ``fields``; the words an advisor sees in the editor.
_FIELD_WORDS = {"Status": "Status", "Priority": "Priority", "Subject": "Subject", "LeadSource": "Lead Source",
                "ShareType": "sharing", "Visibility": "visibility", "StageName": "Stage"}


def _picklist_hint(detail: ErrorDetail, what: ItemKind) -> str:
    """A restricted picklist takes only the org's own values (the demo org is strict here too, see
    docs/salesforce-fidelity.md, rule picklist-restricted): name the field and the value refused."""
    field = next(iter(detail.fields), "")
    words = _FIELD_WORDS.get(field, field or "a field")
    value = detail.message.rsplit(": ", 1)[-1].strip() if ": " in detail.message else ""
    refused = f" '{value}'" if value else " this value"
    return (f"Your Salesforce org does not offer{refused} for {words} (your admin may have changed the list). "
            f"Open the {what}, choose a {words} from the list Notebridge shows, then push again.")


def _custom_required_hint(detail: ErrorDetail, what: ItemKind) -> str:
    """A custom field an admin made required (rule required-fields): Notebridge's form does not have it,
    so editing the item cannot fix it — say which field and who can."""
    names = ", ".join(f.removesuffix("__c").replace("_", " ") for f in detail.fields if f.endswith("__c"))
    return (f"Your Salesforce admin made “{names}” required on every {what}, and Notebridge does not fill it "
            f"in. Ask your admin to give it a default value (or make it optional), then push again; or create "
            f"this {what} in Salesforce and discard it here. Nothing was sent.")


def _note_type_hint(message: str) -> str:
    """The org refuses creating the kind of note this connection writes (classic Notes switched off,
    or Notes — Enhanced Notes — not turned on): rule classic-notes-off / enhanced-notes-off."""
    classic = "type Note " in message  # "entity type Note does not support create" (not ContentNote)
    kind, other = ("classic notes", "Enhanced Notes") if classic else ("Enhanced Notes", "classic notes")
    return (f"Your Salesforce org does not allow {kind}. In Settings → Push, switch the note type to {other}, "
            "then push again; or ask your Salesforce admin to allow them.")


def _about_parent(detail: ErrorDetail) -> bool:
    return any(f in ("ParentId", "WhoId", "WhatId", "LinkedEntityId") for f in detail.fields)


def describe_error_codes(errors: Sequence[ErrorDetail]) -> str:
    return ", ".join(e.error_code for e in errors) or "UNKNOWN_ERROR"
