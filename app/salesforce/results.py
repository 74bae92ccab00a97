"""Typed results of REST calls, parsed defensively from Salesforce's JSON."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from app.salesforce.errors import ErrorDetail, details_from_data


@dataclass(frozen=True)
class SaveResult:
    """The outcome of one record in an sObject Collections, create or upsert call.

    Failed items carry no ``id`` (create) and their errors use ``statusCode``; ``ErrorDetail``
    normalises both spellings into ``error_code``.
    """

    id: str | None
    success: bool
    errors: list[ErrorDetail] = field(default_factory=list)
    created: bool | None = None

    @classmethod
    def from_json(cls, item: Any) -> SaveResult:
        if not isinstance(item, dict):
            missing = ErrorDetail("UNKNOWN_ERROR", "Salesforce returned no result for this record")
            return cls(None, False, [missing])
        raw_errors = item.get("errors") or []
        if isinstance(raw_errors, dict):
            raw_errors = [raw_errors]
        errors = [ErrorDetail.from_json(e) for e in raw_errors]
        success = bool(item.get("success", not errors))
        created = item.get("created")
        return cls(item.get("id") or None, success, errors, created if isinstance(created, bool) else None)

    @property
    def error_code(self) -> str | None:
        return self.errors[0].error_code if self.errors else None

    @property
    def message(self) -> str:
        return "; ".join(e.message for e in self.errors)


@dataclass(frozen=True)
class QueryPage:
    records: list[dict[str, Any]]
    total_size: int
    done: bool
    next_records_url: str | None

    @classmethod
    def from_json(cls, data: Any) -> QueryPage:
        if not isinstance(data, dict):
            data = {}
        records = data.get("records") or []
        next_url = data.get("nextRecordsUrl") or None
        return cls(
            records=[r for r in records if isinstance(r, dict)],
            total_size=int(data.get("totalSize") or 0),
            done=bool(data.get("done", next_url is None)),
            next_records_url=str(next_url) if next_url else None,
        )


@dataclass(frozen=True)
class CompositeResult:
    """One subresponse of a Composite request, in request order."""

    reference_id: str
    status: int
    body: Any
    headers: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_json(cls, item: Any) -> CompositeResult:
        if not isinstance(item, dict):
            return cls("", 0, None)
        return cls(
            reference_id=str(item.get("referenceId") or ""),
            status=int(item.get("httpStatusCode") or 0),
            body=item.get("body"),
            headers=dict(item.get("httpHeaders") or {}),
        )

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300

    @property
    def id(self) -> str | None:
        return str(self.body["id"]) if isinstance(self.body, dict) and self.body.get("id") else None

    @property
    def errors(self) -> list[ErrorDetail]:
        """``[]`` on success; with ``allOrNone`` the untouched siblings report ``PROCESSING_HALTED``."""
        if self.ok:
            return []
        return details_from_data(self.body) or [
            ErrorDetail(f"HTTP_{self.status}", "The subrequest failed without details")
        ]


@dataclass(frozen=True)
class UpdatedRecords:
    ids: list[str]
    latest_date_covered: str | None


@dataclass(frozen=True)
class DeletedRecord:
    id: str
    deleted_date: str | None


@dataclass(frozen=True)
class DeletedRecords:
    records: list[DeletedRecord]
    earliest_date_available: str | None
    latest_date_covered: str | None
