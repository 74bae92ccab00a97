"""Errors the demo org reports, in the two families Salesforce uses.

REST errors travel as a JSON *array* of ``{"message","errorCode","fields"}``; inside sObject
Collections results the same error uses ``statusCode`` instead of ``errorCode``. OAuth endpoints use a
JSON object ``{"error","error_description"}``. Keeping one exception per family lets every handler raise
and lets the HTTP layer pick the right shape.
See https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/errorcodes.htm
"""

from __future__ import annotations

from typing import Any


class SfError(Exception):
    """A REST API error: HTTP status, Salesforce errorCode, message and the fields involved.

    ``fields`` is sent only where Salesforce sends it: on save errors (``SaveError``, and every error
    inside collection/create results) and where a field is named explicitly. Request-level errors —
    ``INVALID_SESSION_ID``, query errors, ``NOT_FOUND``, ``REQUEST_LIMIT_EXCEEDED`` — have no ``fields``
    key at all, e.g. ``[{"message":"Session expired or invalid","errorCode":"INVALID_SESSION_ID"}]``
    (https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/errorcodes.htm and the
    examples of https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/dome_query.htm).
    """

    def __init__(self, error_code: str, message: str, status: int = 400, fields: list[str] | None = None):
        super().__init__(f"{error_code}: {message}")
        self.error_code = error_code
        self.message = message
        self.status = status
        self.fields: list[str] | None = None if fields is None else list(fields)

    def rest_body(self) -> list[dict[str, Any]]:
        item: dict[str, Any] = {"message": self.message, "errorCode": self.error_code}
        if self.fields is not None:
            item["fields"] = self.fields
        return [item]

    def save_error(self) -> dict[str, Any]:
        """The per-record shape used in create/collection results (note: ``statusCode``); always has
        ``fields``, empty when no field is to blame."""
        return {"statusCode": self.error_code, "message": self.message, "fields": list(self.fields or [])}


class SaveError(SfError):
    """A record failed validation on create/update/delete (DML): Salesforce names the fields, even as
    ``"fields": []`` when none is to blame."""

    def __init__(self, error_code: str, message: str, status: int = 400, fields: list[str] | None = None):
        super().__init__(error_code, message, status, list(fields or []))


class OAuthError(Exception):
    """An OAuth endpoint error: ``{"error","error_description"}`` with an HTTP status."""

    def __init__(self, error: str, description: str, status: int = 400):
        super().__init__(f"{error}: {description}")
        self.error = error
        self.description = description
        self.status = status

    def body(self) -> dict[str, str]:
        return {"error": self.error, "error_description": self.description}


def not_found(message: str = "The requested resource does not exist") -> SfError:
    return SfError("NOT_FOUND", message, 404)


def invalid_session() -> SfError:
    return SfError("INVALID_SESSION_ID", "Session expired or invalid", 401)


def session_not_for_rest() -> SfError:
    """A live session the app's settings keep from the REST API: the token lacks the ``api`` scope, or
    the app's session policy wants a high-assurance session. Refreshing gives the same answer.
    https://help.salesforce.com/s/articleView?id=005226515&type=1 ("401 Unauthorized — This session is
    not valid for use with the REST API", cause: the app is missing the "Manage user data via APIs" scope).
    """
    return SfError("INVALID_SESSION_ID", "This session is not valid for use with the REST API", 401)
