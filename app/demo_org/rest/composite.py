"""sObject Collections (≤200 records per call) and Composite (≤25 subrequests, ``@{ref.field}``).

Collections results come back in request order; their errors use ``statusCode``. With
``allOrNone`` every change of the call is rolled back when one record fails, and the records that
would have succeeded report ALL_OR_NONE_OPERATION_ROLLED_BACK. In Composite with ``allOrNone`` the
whole request is rolled back and every other subrequest reports PROCESSING_HALTED; without it, only
subrequests that reference a failed one are halted. A composite request counts as one API call.
See https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_composite_sobjects_collections.htm
and https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_composite_composite.htm
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs, urlsplit

from app.demo_org import ids
from app.demo_org.data.dml import Dml
from app.demo_org.errors import SfError, not_found
from app.demo_org.rest.call import Call, Result
from app.demo_org.rest.records import record_json

MAX_RECORDS, MAX_SUBREQUESTS = 200, 25
# Retrieve by Ids with a POST body: "The request retrieves up to 2,000 records of the same object type"
# https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_composite_sobjects_collections_retrieve_post.htm
# (a GET is bounded only by the URI, ~800 Ids).
MAX_RETRIEVE_IDS = 2000
ROLLED_BACK = {"statusCode": "ALL_OR_NONE_OPERATION_ROLLED_BACK", "fields": [],
               "message": "Record rolled back because not all records were valid and the request was using "
                          "AllOrNone header"}
HALTED_MESSAGE = "The transaction was rolled back since another operation in the same transaction failed."
_REFERENCE = re.compile(r"@\{([A-Za-z0-9_]+)((?:\.[A-Za-z0-9_]+|\[\d+\])*)\}")
_SUBREQUEST_URL = re.compile(r"^/services/data/v(\d+\.\d)(/[^?]*)?$")
Dispatch = Callable[[Call], Result]


def _truthy(value: Any) -> bool:
    return value is True or str(value).lower() == "true"


class Collections:
    def __init__(self, dml: Dml) -> None:
        self.dml = dml
        self.store = dml.store

    def route(self, call: Call) -> Result:
        """``parts`` = ["composite", "sobjects", …]."""
        rest = call.parts[2:]
        if not rest and call.method in ("POST", "PATCH"):
            return self.save(call)
        if not rest and call.method == "DELETE":
            return self.delete(call)
        if len(rest) == 1 and call.method == "GET":
            return self.retrieve(call, rest[0])
        if len(rest) == 1 and call.method == "POST":
            return self.retrieve_posted(call, rest[0])
        if len(rest) == 2 and call.method == "PATCH":
            return self.save(call, upsert=(rest[0], rest[1]))
        raise not_found()

    def _records(self, call: Call) -> tuple[list[Any], bool]:
        body = call.body if isinstance(call.body, dict) else None
        if body is None or not isinstance(body.get("records"), list):
            raise SfError("JSON_PARSER_ERROR", "The request body must contain a 'records' array")
        if len(body["records"]) > MAX_RECORDS:
            raise SfError("EXCEEDED_ID_LIMIT", "record limit reached. cannot submit more than 200 records into "
                          "this call")
        return body["records"], call.force_all_or_none or _truthy(body.get("allOrNone", False))

    def save(self, call: Call, upsert: tuple[str, str] | None = None) -> Result:
        records, all_or_none = self._records(call)
        results: list[dict[str, Any]] = []
        with self.store.transaction() as tx:
            for item in records:
                results.append(self._save_one(call, item, upsert))
            if all_or_none and not all(r["success"] for r in results):
                tx.rollback()
                for result in results:
                    if result["success"]:
                        result.update(success=False, errors=[dict(ROLLED_BACK)])
                        result.pop("created", None)
                        if call.method == "POST":
                            result.pop("id", None)
        return Result(200, results)

    def _save_one(self, call: Call, item: Any, upsert: tuple[str, str] | None) -> dict[str, Any]:
        record_id = None
        try:
            if not isinstance(item, dict):
                raise SfError("JSON_PARSER_ERROR", "Each record must be a JSON object")
            attributes = item.get("attributes") or {}
            type_name = attributes.get("type") if isinstance(attributes, dict) else None
            if upsert is not None:
                type_name = upsert[0]
            if not type_name:
                raise SfError("INVALID_TYPE", "sObject type '' is not supported: each record needs "
                              "attributes.type")
            fields = {k: v for k, v in item.items() if k not in ("attributes", "id", "Id")}
            if upsert is not None:
                sobject = self.dml.sobject(type_name)
                key_field = sobject.field(upsert[1])
                key = next((v for k, v in item.items() if key_field and k.lower() == key_field.name.lower()), None)
                if key_field is None or not key_field.external_id:
                    raise SfError("INVALID_FIELD", f"Provided external ID field does not exist or is not "
                                  f"accessible: {upsert[1]}")
                if key is None:
                    raise SfError("REQUIRED_FIELD_MISSING", f"Required fields are missing: [{key_field.name}]",
                                  400, [key_field.name])
                outcome = self.dml.upsert(type_name, key_field.name, str(key), fields, call.user_id)
                if isinstance(outcome, list):
                    raise SfError("DUPLICATE_EXTERNAL_ID", f"{key_field.name}: more than one record found for "
                                  f"external id field: {outcome}", 400, [key_field.name])
                record_id, created = outcome
                return {"id": record_id, "success": True, "errors": [], "created": created}
            if call.method == "POST":
                if "id" in item or "Id" in item:
                    raise SfError("INVALID_FIELD_FOR_INSERT_UPDATE", "cannot specify Id in an insert call", 400,
                                  ["Id"])
                record_id = self.dml.create(type_name, fields, call.user_id)
            else:
                record_id = item.get("id") or item.get("Id")
                if not record_id:
                    raise SfError("MISSING_ARGUMENT", "Id not specified in an update call", 400, ["Id"])
                if not ids.is_valid(record_id):
                    raise SfError("MALFORMED_ID", f"{type_name} ID: id value of incorrect type: {record_id}",
                                  400, ["Id"])
                record_id = ids.to18(record_id)
                self.dml.update(type_name, record_id, fields, call.user_id)
            return {"id": record_id, "success": True, "errors": []}
        except SfError as error:
            result: dict[str, Any] = {"success": False, "errors": [error.save_error()]}
            if record_id is not None and call.method != "POST":
                result = {"id": record_id, **result}
            return result

    def delete(self, call: Call) -> Result:
        raw_ids = [i for i in (call.params.get("ids") or "").split(",") if i]
        if not raw_ids:
            raise SfError("MISSING_ARGUMENT", "The ids parameter is required")
        if len(raw_ids) > MAX_RECORDS:
            raise SfError("EXCEEDED_ID_LIMIT", "record limit reached. cannot submit more than 200 records into "
                          "this call")
        all_or_none = call.force_all_or_none or _truthy(call.params.get("allOrNone", "false"))
        results: list[dict[str, Any]] = []
        with self.store.transaction() as tx:
            for raw in raw_ids:
                try:
                    if not ids.is_valid(raw):
                        raise SfError("MALFORMED_ID", f"malformed id {raw}", 400, [])
                    found = self.store.find(raw)
                    if found is None:
                        raise SfError("INVALID_CROSS_REFERENCE_KEY", "invalid cross reference id", 400, [])
                    self.dml.delete(raw)
                    results.append({"id": ids.to18(raw), "success": True, "errors": []})
                except SfError as error:
                    results.append({"id": raw, "success": False, "errors": [error.save_error()]})
            if all_or_none and not all(r["success"] for r in results):
                tx.rollback()
                for result in results:
                    if result["success"]:
                        result.update(success=False, errors=[dict(ROLLED_BACK)])
        return Result(200, results)

    def retrieve(self, call: Call, type_name: str) -> Result:
        wanted = [f for f in (call.params.get("fields") or "").split(",") if f]
        raw_ids = [i for i in (call.params.get("ids") or "").split(",") if i]
        return self._retrieve(call, type_name, wanted, raw_ids)

    def retrieve_posted(self, call: Call, type_name: str) -> Result:
        """``POST /composite/sobjects/{type}`` with ``{"ids": [...], "fields": [...]}``: the same answer
        as the GET, for up to 2,000 Ids."""
        body = call.body if isinstance(call.body, dict) else None
        if body is None:
            raise SfError("JSON_PARSER_ERROR", "The request body must be a JSON object with 'ids' and 'fields'")
        raw_ids, wanted = body.get("ids"), body.get("fields")
        if not isinstance(raw_ids, list) or not isinstance(wanted, list) \
                or not all(isinstance(v, str) for v in (*raw_ids, *wanted)):
            raise SfError("JSON_PARSER_ERROR", "'ids' and 'fields' must be arrays of strings")
        if len(raw_ids) > MAX_RETRIEVE_IDS:
            raise SfError("EXCEEDED_ID_LIMIT", f"cannot retrieve more than {MAX_RETRIEVE_IDS} records in one call")
        result = self._retrieve(call, type_name, wanted, raw_ids)
        result.read_only = True
        return result

    def _retrieve(self, call: Call, type_name: str, wanted: list[str], raw_ids: list[str]) -> Result:
        sobject = self.dml.schema.get(type_name)
        if sobject is None:
            raise not_found()
        if not wanted or not raw_ids:
            raise SfError("MISSING_ARGUMENT", "The ids and fields parameters are required")
        fields = []
        for name in wanted:
            found = sobject.field(name)
            if found is None:
                raise SfError("INVALID_FIELD", f"No such column '{name}' on sobject of type {sobject.name}")
            fields.append(found.name)
        out: list[Any] = []
        with self.store.lock:
            for raw in raw_ids:
                hit = self.store.find(raw) if ids.is_valid(raw) else None
                ok = hit is not None and not hit[1]["IsDeleted"] and hit[0] == sobject.name
                out.append(record_json(hit[1], sobject, call.version, fields) if hit is not None and ok else None)
        return Result(200, out)


class Composite:
    def __init__(self, dml: Dml, dispatch: Dispatch) -> None:
        self.store = dml.store
        self.dispatch = dispatch

    def run(self, call: Call) -> Result:
        if call.method != "POST":
            raise SfError("METHOD_NOT_ALLOWED", f"HTTP Method '{call.method}' not allowed. Allowed are POST", 405)
        body = call.body if isinstance(call.body, dict) else {}
        subrequests = body.get("compositeRequest")
        if not isinstance(subrequests, list) or not subrequests:
            raise SfError("JSON_PARSER_ERROR", "'compositeRequest' is a required field.")
        if len(subrequests) > MAX_SUBREQUESTS:
            raise SfError("INVALID_BATCH_SIZE", f"Maximum number of subrequests ({MAX_SUBREQUESTS}) exceeded")
        seen: set[str] = set()
        for sub in subrequests:
            ref = sub.get("referenceId") if isinstance(sub, dict) else None
            if not ref:
                raise SfError("JSON_PARSER_ERROR", "'referenceId' is a required field.")
            if not re.fullmatch(r"[A-Za-z0-9_]+", ref) or ref in seen:
                raise SfError("INVALID_INPUT", f"Invalid or duplicate referenceId: {ref}")
            seen.add(ref)
        all_or_none = _truthy(body.get("allOrNone", False))
        outputs: dict[str, Any] = {}
        responses: list[dict[str, Any]] = []
        with self.store.transaction() as tx:
            for index, sub in enumerate(subrequests):
                response = self._one(call, sub, outputs, all_or_none)
                responses.append(response)
                if response["httpStatusCode"] < 400:
                    outputs[sub["referenceId"]] = response["body"]
                elif all_or_none:
                    tx.rollback()
                    halted = {"body": [{"errorCode": "PROCESSING_HALTED", "message": HALTED_MESSAGE}],
                              "httpHeaders": {}, "httpStatusCode": 400}
                    for other in responses[:-1]:
                        other.update({**halted, "referenceId": other["referenceId"]})
                    responses += [{**halted, "referenceId": s["referenceId"]} for s in subrequests[index + 1:]]
                    break
        return Result(200, {"compositeResponse": responses})

    def _one(self, call: Call, sub: dict[str, Any], outputs: dict[str, Any], all_or_none: bool) -> dict[str, Any]:
        ref = sub["referenceId"]
        try:
            url = _substitute(str(sub.get("url", "")), outputs)
            body = _substitute(sub.get("body"), outputs)
            split = urlsplit(url)
            match = _SUBREQUEST_URL.match(split.path)
            tail = (match.group(2) or "").strip("/") if match else ""
            nested = tail.split("/")[0] == "composite" and not tail.startswith("composite/sobjects")
            if not match or nested:
                raise SfError("INVALID_INPUT", f"Invalid subrequest url: {url}")
            params = {k: v[0] for k, v in parse_qs(split.query, keep_blank_values=True).items()}
            headers = {**call.headers, **(sub.get("httpHeaders") or {})}
            sub_call = Call(str(sub.get("method", "GET")).upper(), match.group(1),
                            [p for p in (match.group(2) or "").split("/") if p], params, body, call.user_id,
                            headers, force_all_or_none=all_or_none)
            result = self.dispatch(sub_call)
        except SfError as error:
            return {"body": error.rest_body(), "httpHeaders": {}, "httpStatusCode": error.status, "referenceId": ref}
        headers = dict(result.headers)
        status = result.status
        if all_or_none and isinstance(result.payload, list) and any(
                isinstance(r, dict) and r.get("success") is False for r in result.payload):
            status = 400  # a collection that rolled back fails the all-or-none composite request
        if result.status == 201 and isinstance(result.payload, dict) and "id" in result.payload:
            type_name = sub_call.parts[1] if len(sub_call.parts) > 1 else ""
            headers.setdefault("Location", f"/services/data/v{sub_call.version}/sobjects/{type_name}/"
                                           f"{result.payload['id']}")
        return {"body": result.payload, "httpHeaders": headers, "httpStatusCode": status, "referenceId": ref}


def _substitute(value: Any, outputs: dict[str, Any]) -> Any:
    """Replace ``@{ref.path}`` references with values from earlier subrequest results."""
    if isinstance(value, dict):
        return {k: _substitute(v, outputs) for k, v in value.items()}
    if isinstance(value, list):
        return [_substitute(v, outputs) for v in value]
    if not isinstance(value, str) or "@{" not in value:
        return value
    whole = _REFERENCE.fullmatch(value)
    if whole:
        return _lookup(whole, outputs)
    return _REFERENCE.sub(lambda m: str(_lookup(m, outputs)), value)


def _lookup(match: re.Match[str], outputs: dict[str, Any]) -> Any:
    ref, path = match.group(1), match.group(2)
    expression = match.group(0)[2:-1]
    if ref not in outputs:
        raise SfError("PROCESSING_HALTED", f"Invalid reference specified. No value for {expression} found in "
                      f"{ref}. Provided referenceId ('{ref}') must be an earlier, successful subrequest.", 400)
    value = outputs[ref]
    for name, index in re.findall(r"\.([A-Za-z0-9_]+)|\[(\d+)\]", path):
        try:
            value = value[int(index)] if index else value[name]
        except (KeyError, IndexError, TypeError):
            raise SfError("PROCESSING_HALTED", f"Invalid reference specified. No value for {expression} found "
                          f"in {ref}.", 400) from None
    return value
