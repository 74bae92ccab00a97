"""sObject resources: describe, basic info, rows (get/create/update/delete), upsert by external ID,
blob fields, and the ``updated`` / ``deleted`` replication resources.

See https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_sobject_basic_info.htm,
…/resources_sobject_retrieve.htm, …/dome_upsert.htm, …/resources_getupdated.htm, …/resources_getdeleted.htm
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from app.demo_org import ids, timefmt
from app.demo_org.data import rules
from app.demo_org.data.dml import Dml
from app.demo_org.data.schema import SObjectType
from app.demo_org.data.store import Record
from app.demo_org.errors import SfError, not_found
from app.demo_org.rest.call import Call, Result
from app.demo_org.rest.describe import object_describe, sobject_summary

MAX_REPLICATION_IDS = 600_000
UPDATED_WINDOW_DAYS, DELETED_WINDOW_DAYS = 30, 15


def record_json(record: Record, sobject: SObjectType, version: str, fields: list[str] | None = None) -> dict:
    """A record as the sObject Rows resource returns it (blob fields as URLs)."""
    url = f"/services/data/v{version}/sobjects/{sobject.name}/{record['Id']}"
    out: dict[str, Any] = {"attributes": {"type": sobject.name, "url": url}}
    for f in sobject.fields:
        if fields is not None and f.name not in fields:
            continue
        value = record.get(f.name)
        out[f.name] = f"{url}/{f.name}" if f.type == "base64" and value is not None else value
    return out


class Records:
    def __init__(self, dml: Dml) -> None:
        self.dml = dml
        self.store = dml.store
        self.schema = dml.schema

    def sobject(self, name: str) -> SObjectType:
        sobject = self.schema.get(name)
        if sobject is None:
            raise not_found()
        return sobject

    def _record_types(self, sobject: SObjectType) -> list[dict[str, Any]]:
        """The object's active record types, as rows of RecordType."""
        if "RecordType" not in self.schema:
            return []
        with self.store.lock:
            return [dict(r) for r in self.store.table("RecordType").values()
                    if not r["IsDeleted"] and r["IsActive"] and r["SobjectType"] == sobject.name]

    def route(self, call: Call) -> Result:
        """``parts`` = ["sobjects", Type, …]."""
        parts = call.parts
        sobject = self.sobject(parts[1])
        rest = parts[2:]
        if not rest:
            return self.basic(call, sobject)
        if rest == ["describe"]:
            _allow(call, "GET")
            return Result(200, object_describe(sobject, call.version, self._record_types(sobject)))
        if rest[0] in ("updated", "deleted") and len(rest) == 1:
            _allow(call, "GET")
            return self.replication(call, sobject, rest[0])
        if len(rest) == 1:
            return self.row(call, sobject, rest[0])
        if len(rest) == 2 and ids.is_valid(rest[0]):
            _allow(call, "GET")
            return self.blob(sobject, rest[0], rest[1])
        if len(rest) == 2:
            return self.by_external_id(call, sobject, rest[0], rest[1])
        raise not_found()

    def basic(self, call: Call, sobject: SObjectType) -> Result:
        _allow(call, "GET", "POST")
        if call.method == "GET":
            return Result(200, {"objectDescribe": sobject_summary(sobject, call.version), "recentItems": []})
        body = _object_body(call.body)
        with self.store.lock:
            new_id = self.dml.create(sobject.name, body, call.user_id)
        return Result(201, {"id": new_id, "success": True, "errors": []})

    def row(self, call: Call, sobject: SObjectType, record_id: str) -> Result:
        _allow(call, "GET", "PATCH", "DELETE")
        if not ids.is_valid(record_id):
            if call.method == "GET" and record_id and sobject.field(record_id) is None:
                raise not_found(f"Provided external ID field does not exist or is not accessible: {record_id}")
            raise SfError("MALFORMED_ID", f"{sobject.name} ID: id value of incorrect type: {record_id}", 400, ["Id"])
        owner = self.store.type_of_id(record_id)
        if owner != sobject.name and {owner, sobject.name} != {"ContentDocument", "ContentNote"}:
            raise SfError("MALFORMED_ID", f"{sobject.name} ID: id value of incorrect type: {record_id}", 400, ["Id"])
        with self.store.lock:
            if call.method == "GET":
                _, record = self.dml.live(record_id, sobject.name)
                wanted = call.params.get("fields")
                fields = None
                if wanted:
                    fields = []
                    for name in wanted.split(","):
                        found = sobject.field(name.strip())
                        if found is None:
                            raise SfError("INVALID_FIELD", f"No such column '{name.strip()}' on sobject of type "
                                          f"{sobject.name}")
                        fields.append(found.name)
                return Result(200, record_json(record, sobject, call.version, fields))
            if call.method == "PATCH":
                self.dml.update(sobject.name, record_id, _object_body(call.body), call.user_id)
            else:
                self.dml.delete(record_id, sobject.name)
        return Result(204)

    def blob(self, sobject: SObjectType, record_id: str, field_name: str) -> Result:
        field = sobject.field(field_name)
        if field is None or field.type != "base64":
            raise not_found()
        with self.store.lock:
            _, record = self.dml.live(record_id, sobject.name)
            data = rules.content_of({"Content": record.get(field.name)})
        return Result(200, raw=data, content_type="text/html;charset=UTF-8" if sobject.name == "ContentNote"
                      else "application/octetstream")

    def by_external_id(self, call: Call, sobject: SObjectType, field_name: str, value: str) -> Result:
        _allow(call, "GET", "PATCH", "DELETE")
        field = sobject.field(field_name)
        if field is None or not field.external_id:
            raise not_found(f"Provided external ID field does not exist or is not accessible: {field_name}")
        base = f"/services/data/v{call.version}/sobjects/{sobject.name}/"
        with self.store.lock:
            if call.method == "PATCH":
                outcome = self.dml.upsert(sobject.name, field.name, value, _object_body(call.body), call.user_id)
                if isinstance(outcome, list):
                    return Result(300, [base + i for i in outcome])
                record_id, created = outcome
                if created:
                    return Result(201, {"id": record_id, "success": True, "errors": [], "created": True})
                if call.api_version < 46.0:  # before API 46 an upsert-update answered 204
                    return Result(204)
                return Result(200, {"id": record_id, "success": True, "errors": [], "created": False})
            matches = [r for r in self.store.by_external_id(sobject.name, field.name, value) if not r["IsDeleted"]]
            if not matches:
                raise not_found()
            if len(matches) > 1:
                return Result(300, [base + r["Id"] for r in matches])
            if call.method == "DELETE":
                self.dml.delete(matches[0]["Id"], sobject.name)
                return Result(204)
            return Result(200, record_json(matches[0], sobject, call.version))

    def replication(self, call: Call, sobject: SObjectType, kind: str) -> Result:
        if not sobject.replicateable:
            raise SfError("INVALID_TYPE", f"Replication is not enabled for {sobject.name}")
        start, end = _window(call.params.get("start"), call.params.get("end"))
        now = timefmt.utcnow().replace(second=0)
        days = UPDATED_WINDOW_DAYS if kind == "updated" else DELETED_WINDOW_DAYS
        if start < now - dt.timedelta(days=days):
            raise SfError("INVALID_REPLICATION_DATE", f"startDate can not be more than {days} days ago")
        covered = min(end, now)
        low, high = timefmt.format_datetime(start), timefmt.format_datetime(covered)
        with self.store.lock:
            rows = [r for r in self.store.table(sobject.name).values()
                    if low <= r["SystemModstamp"] < high and r["IsDeleted"] == (kind == "deleted")]
        if len(rows) > MAX_REPLICATION_IDS:
            raise SfError("EXCEEDED_ID_LIMIT", "record limit reached. cannot submit more than 600000 records")
        if kind == "updated":
            return Result(200, {"ids": [r["Id"] for r in rows], "latestDateCovered": high})
        earliest = timefmt.format_datetime(now - dt.timedelta(days=DELETED_WINDOW_DAYS))
        return Result(200, {"deletedRecords": [{"id": r["Id"], "deletedDate": r["SystemModstamp"]} for r in rows],
                            "earliestDateAvailable": earliest, "latestDateCovered": high})


def _window(start: str | None, end: str | None) -> tuple[dt.datetime, dt.datetime]:
    """Parse start/end; seconds are ignored (truncated), as Salesforce documents."""
    if not start or not end:
        raise SfError("MISSING_ARGUMENT", "The start and end parameters are required")
    try:
        low, high = timefmt.parse_datetime(start), timefmt.parse_datetime(end)
    except ValueError:
        raise SfError("INVALID_REPLICATION_DATE", f"Invalid date format: start={start}, end={end}") from None
    low, high = low.replace(second=0, microsecond=0), high.replace(second=0, microsecond=0)
    if high <= low:
        raise SfError("INVALID_REPLICATION_DATE", "EndDate must be after startDate")
    return low, high


def _object_body(body: Any) -> dict[str, Any]:
    if body is None:
        return {}
    if not isinstance(body, dict):
        raise SfError("JSON_PARSER_ERROR", "Cannot deserialize instance of SObject from START_ARRAY value")
    return body


def _allow(call: Call, *methods: str) -> None:
    if call.method not in methods:
        allowed = ",".join(methods)
        raise SfError("METHOD_NOT_ALLOWED", f"HTTP Method '{call.method}' not allowed. Allowed are {allowed}", 405)
