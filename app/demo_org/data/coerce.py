"""Turning JSON input values into stored field values, with Salesforce's error codes for bad input.

The order and wording mirror what a real org answers (e.g. ``Last Name: data value too large: …
(max length=80)``), because clients map these errors to fix hints for the user and tests check that.
See https://developer.salesforce.com/docs/atlas.en-us.api.meta/api/sforce_api_calls_concepts_core_data_objects.htm
"""

from __future__ import annotations

import base64
import binascii
import re
from typing import Any

from app.demo_org import ids, timefmt
from app.demo_org.data.schema import Field, SObjectType
from app.demo_org.data.store import Store
from app.demo_org.errors import SaveError, SfError

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def label(field: Field) -> str:
    """A human label for messages ("Last Name"), derived like Salesforce's default labels."""
    if field.label:
        return field.label
    name = field.name[:-2] if field.name.endswith("Id") and field.type == "reference" else field.name
    words = re.sub(r"(?<=[a-z])(?=[A-Z])", " ", name)
    return words + (" ID" if field.type == "reference" else "")


def _parser_error(field: Field, value: Any, kind: str) -> SfError:
    token = "VALUE_STRING" if isinstance(value, str) else "VALUE_NUMBER_INT" if isinstance(value, int) \
        else "VALUE_TRUE" if value is True else "VALUE_FALSE" if value is False else "START_OBJECT"
    return SfError("JSON_PARSER_ERROR",
                   f"Cannot deserialize instance of {kind} from {token} value {value} or request may be "
                   f"missing a required field", 400, [field.name])


def canonical_fields(sobject: SObjectType, body: dict[str, Any]) -> dict[str, tuple[Field, Any]]:
    """Map input keys to canonical fields; unknown keys -> INVALID_FIELD (like a real org)."""
    out: dict[str, tuple[Field, Any]] = {}
    for key, value in body.items():
        if key == "attributes":
            continue
        field = sobject.field(key)
        if field is None:
            raise SaveError("INVALID_FIELD", f"No such column '{key}' on sobject of type {sobject.name}")
        out[field.name] = (field, value)
    return out


def coerce(field: Field, value: Any, store: Store) -> Any:
    """Validate one value for one field and return what is stored. Raises SfError."""
    if value is None:
        return None
    kind = field.type
    if field.is_string or kind == "id":
        if isinstance(value, bool) or not isinstance(value, (str, int, float)):
            raise _parser_error(field, value, "String")
        text = str(value)
        if text == "":
            return None  # Salesforce stores empty strings as null
        if field.length and len(text) > field.length:  # rule string-too-long (status codes page, above)
            shown = text if len(text) <= 60 else text[:57] + "..."
            raise SaveError("STRING_TOO_LONG", f"{label(field)}: data value too large: {shown} "
                          f"(max length={field.length})", 400, [field.name])
        if kind == "email" and not _EMAIL.match(text):
            raise SaveError("INVALID_EMAIL_ADDRESS", f"{label(field)}: invalid email address: {text}", 400,
                          [field.name])
        # Rule picklist-restricted: a restricted picklist takes only its own values. Task Status and
        # Priority are read from TaskStatus/TaskPriority (object reference, TaskStatus:
        # https://developer.salesforce.com/docs/atlas.en-us.object_reference.meta/object_reference/sforce_api_objects_taskstatus.htm);
        # whether an org refuses other values is not documented per org, so the demo is strict.
        # The error's wording: https://michaelwelburn.com/2014/08/22/discovering-salesforce-contentdocumentlink-sharetype-picklist-values/
        if kind == "picklist" and field.restricted and text not in field.picklist_values():
            raise SaveError("INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST",
                          f"{label(field)}: bad value for restricted picklist field: {text}", 400,
                          [field.name])
        return text
    if kind == "boolean":
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.lower() in ("true", "false"):
            return value.lower() == "true"
        raise _parser_error(field, value, "boolean")
    if kind in ("int", "double", "currency", "percent"):
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise _parser_error(field, value, "int" if kind == "int" else "double")
        if kind == "int":
            if isinstance(value, float) and not value.is_integer():
                raise _parser_error(field, value, "int")
            return int(value)
        return float(value)
    if kind == "date":
        try:
            return timefmt.format_date(timefmt.parse_date(value))
        except (ValueError, AttributeError, TypeError):
            raise _parser_error(field, value, "date") from None
    if kind == "datetime":
        try:
            parsed = timefmt.parse_datetime(value)
        except (ValueError, AttributeError, TypeError):
            raise _parser_error(field, value, "datetime") from None
        return timefmt.format_datetime(parsed.replace(microsecond=0))
    if kind == "reference":
        return _reference(field, value, store)
    if kind == "base64":
        if not isinstance(value, str):
            raise _parser_error(field, value, "base64")
        try:
            base64.b64decode(value, validate=True)
        except (binascii.Error, ValueError):
            raise SaveError("INVALID_FIELD", f"{label(field)}: invalid base64 data", 400,
                          [field.name]) from None
        return value
    raise AssertionError(f"unhandled field type {kind}")


def _reference(field: Field, value: Any, store: Store) -> str:
    """Rule lookup-types: an Id of the wrong object for a lookup → FIELD_INTEGRITY_EXCEPTION "<label>: id
    value of incorrect type" (WhoId: Contact or Lead; WhatId: not a person — the demo has Accounts only:
    https://www.salesforceben.com/what-is-the-difference-between-whoid-and-whatid/); a deleted or missing
    target → ENTITY_IS_DELETED / INVALID_CROSS_REFERENCE_KEY (rule deleted-target, status codes page)."""
    if not isinstance(value, str) or not ids.is_valid(value):
        raise SaveError("MALFORMED_ID", f"{label(field)}: id value of incorrect type: {value}", 400,
                      [field.name])
    id18 = ids.to18(value)
    target_type = store.type_of_id(id18)
    allowed = set(field.reference_to)
    if "ContentDocument" in allowed:
        allowed.add("ContentNote")
    if target_type not in allowed:
        raise SaveError("FIELD_INTEGRITY_EXCEPTION", f"{label(field)}: id value of incorrect type: {value}",
                      400, [field.name])
    found = store.find(id18)
    if found is None:
        raise SaveError("INVALID_CROSS_REFERENCE_KEY", "invalid cross reference id", 400, [field.name])
    target_sobject, target = found
    if target["IsDeleted"]:
        raise SaveError("ENTITY_IS_DELETED", "entity is deleted", 400, [field.name])
    if target_sobject == "Lead" and target.get("IsConverted"):
        raise SaveError("CANNOT_UPDATE_CONVERTED_LEAD", "cannot reference converted lead", 400, [field.name])
    return id18
