"""``SalesforceClient``: the REST API as the sync engines use it.

Query paging, sObject CRUD and upsert, sObject Collections (200 per call, per-record results),
Composite (≤ 25 subrequests with references), describe (cached), limits and replication
(updated/deleted). Authentication, retries and usage tracking live in ``session.RestSession``.
REST reference: https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_list.htm
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Callable, Iterable, Mapping, Sequence
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

import httpx

from app.salesforce.errors import MultipleMatches, SalesforceError, UnreadableResponse
from app.salesforce.limits import ApiUsage, usage_from_limits
from app.salesforce.page_json import parse_page
from app.salesforce.paging import PagingGuard
from app.salesforce.response_check import (
    check_composite,
    check_query_page,
    check_save_results,
    diagnose,
    expect_object,
    unknown_outcome,
)
from app.salesforce.results import (
    CompositeResult,
    DeletedRecord,
    DeletedRecords,
    QueryPage,
    SaveResult,
    UpdatedRecords,
)
from app.salesforce.session import RefreshHook, RestSession, json_of
from app.salesforce.transport import Deadlines
from app.salesforce.versions import MAX_API_VERSION

__all__ = ["CompositeResult", "QueryPage", "RefreshHook", "SalesforceClient", "SaveResult"]

COLLECTION_LIMIT = 200  # sObject Collections: ≤ 200 records per call
COMPOSITE_LIMIT = 25  # Composite: ≤ 25 subrequests per call
MAX_URI_LENGTH = 16_000  # Salesforce rejects URIs past ~16,384 characters
_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,79}$")
_ID = re.compile(r"^[A-Za-z0-9]{15}(?:[A-Za-z0-9]{3})?$")


def _check_name(sobject: str) -> str:
    if not _NAME.match(sobject or ""):
        raise ValueError(f"not an sObject or field name: {sobject!r}")
    return sobject


def _check_id(record_id: str) -> str:
    if not _ID.match(record_id or ""):
        raise ValueError(f"not a Salesforce Id: {record_id!r}")
    return record_id


def _body(fields: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in fields.items() if k not in ("attributes", "Id")}


def _datetime_param(value: datetime) -> str:
    if value.tzinfo is None:
        raise ValueError("use timezone-aware datetimes (UTC) for Salesforce date ranges")
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S+00:00")


def _range(start: datetime, end: datetime) -> dict[str, str]:
    return {"start": _datetime_param(start), "end": _datetime_param(end)}


def _chunks(items: Sequence[Any], size: int) -> Iterable[tuple[int, Sequence[Any]]]:
    for start in range(0, len(items), size):
        yield start, items[start : start + size]


class SalesforceClient(RestSession):
    """An authenticated Salesforce org. Use ``async with``; pass ``refresh=`` to stay signed in.

    Counters for budgets and tests: ``api_calls`` (requests that count against the org's daily limit),
    ``refresh_count``, ``retry_count``; ``api_usage`` is the org's own (used, max).
    """

    def __init__(
        self,
        instance_url: str,
        access_token: str,
        *,
        api_version: str | None = None,
        refresh: RefreshHook | None = None,
        ca_file: str | None = None,
        max_retries: int = 4,
        retry_backoff: float = 0.5,
        retry_backoff_max: float = 30.0,
        timeout: httpx.Timeout | float | None = None,
        max_api_version: str = MAX_API_VERSION,
        on_usage: Callable[[ApiUsage], None] | None = None,
        deadlines: Deadlines | None = None,
    ) -> None:
        super().__init__(
            instance_url, access_token, api_version=api_version, refresh=refresh, ca_file=ca_file,
            max_retries=max_retries, retry_backoff=retry_backoff, retry_backoff_max=retry_backoff_max,
            timeout=timeout, max_api_version=max_api_version, on_usage=on_usage, deadlines=deadlines,
        )
        self._describe_cache: dict[str, dict[str, Any]] = {}
        self._global_describe: dict[str, Any] | None = None

    async def __aenter__(self) -> SalesforceClient:
        return self

    # -- query --------------------------------------------------------------------------------------

    async def query_page(
        self, soql: str, *, include_deleted: bool = False, batch_size: int | None = None
    ) -> QueryPage:
        """The first page of a query. ``include_deleted`` uses ``queryAll`` (deleted and archived)."""
        path = await self.data_path("queryAll/" if include_deleted else "query/")
        if len(self.instance_url) + len(path) + len(quote(soql)) + 3 > MAX_URI_LENGTH:
            raise ValueError("this query is too long for Salesforce; select fewer fields or split it")
        resp = await self.request("GET", path, params={"q": soql}, headers=self._batch_header(batch_size))
        return await _query_page(resp)

    async def query_more(self, next_records_url: str, *, batch_size: int | None = None) -> QueryPage:
        if not next_records_url.startswith("/services/data/"):
            raise ValueError(f"unexpected nextRecordsUrl: {next_records_url!r}")
        resp = await self.request("GET", next_records_url, headers=self._batch_header(batch_size))
        page = await _query_page(resp)
        PagingGuard.check_step(next_records_url, page)
        return page

    async def query(
        self, soql: str, include_deleted: bool = False, *, batch_size: int | None = None
    ) -> AsyncIterator[dict[str, Any]]:
        """Every record of a query, following ``nextRecordsUrl`` across pages (``PagingLoop`` if the
        pages lead back to one already read, or bring more records than the query counted)."""
        page = await self.query_page(soql, include_deleted=include_deleted, batch_size=batch_size)
        guard = PagingGuard(page)
        while True:
            for record in page.records:
                yield record
            if page.done or not page.next_records_url:
                return
            url = guard.next_url(page)
            page = await self.query_more(url, batch_size=batch_size)
            guard.add(page)

    async def query_list(self, soql: str, include_deleted: bool = False) -> list[dict[str, Any]]:
        return [record async for record in self.query(soql, include_deleted)]

    @staticmethod
    def _batch_header(batch_size: int | None) -> dict[str, str]:
        if batch_size is None:
            return {}
        # Sforce-Query-Options batchSize: 200–2000; a hint, Salesforce may return fewer.
        return {"Sforce-Query-Options": f"batchSize={max(200, min(2000, int(batch_size)))}"}

    # -- single records -----------------------------------------------------------------------------

    async def create(self, sobject: str, fields: Mapping[str, Any]) -> str:
        """Create one record; returns its Id. Not retried once sent (``OutcomeUnknown`` if lost)."""
        path = await self.data_path(f"sobjects/{_check_name(sobject)}/")
        resp = await self.request("POST", path, json_body=_body(fields), idempotent=False)
        try:
            data = expect_object(json_of(resp), "the new record", ("id",))
        except UnreadableResponse as exc:
            raise unknown_outcome(exc) from None
        result = SaveResult.from_json(data)
        if not result.id:
            raise SalesforceError("Salesforce did not return the new record's Id.", status=resp.status_code)
        return result.id

    async def retrieve(
        self, sobject: str, record_id: str, fields: Sequence[str] | None = None
    ) -> dict[str, Any]:
        path = await self.data_path(f"sobjects/{_check_name(sobject)}/{_check_id(record_id)}")
        params = {"fields": ",".join(_check_name(f) for f in fields)} if fields else None
        resp = await self.request("GET", path, params=params)
        return expect_object(json_of(resp), "a record", ("attributes",))

    async def blob(self, sobject: str, record_id: str, field_name: str) -> bytes:
        """A blob field's data (``ContentNote.Content``, ``ContentVersion.VersionData``): queries return
        only its URL, one GET per record brings the bytes.
        https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/dome_sobject_blob_retrieve.htm"""
        path = await self.data_path(f"sobjects/{_check_name(sobject)}/{_check_id(record_id)}/{_check_name(field_name)}")
        resp = await self.request("GET", path)
        return resp.content

    async def update(self, sobject: str, record_id: str, fields: Mapping[str, Any]) -> None:
        path = await self.data_path(f"sobjects/{_check_name(sobject)}/{_check_id(record_id)}")
        await self.request("PATCH", path, json_body=_body(fields))

    async def delete(self, sobject: str, record_id: str) -> None:
        path = await self.data_path(f"sobjects/{_check_name(sobject)}/{_check_id(record_id)}")
        await self.request("DELETE", path, gone_ok_after_retry=True)

    async def upsert(
        self, sobject: str, external_id_field: str, external_id: str, fields: Mapping[str, Any]
    ) -> SaveResult:
        """Create or update by external ID (idempotent, so safely retried). ``created`` says which."""
        value = quote(str(external_id), safe="")
        if not value:
            raise ValueError("an external ID value is required")
        name, key = _check_name(sobject), _check_name(external_id_field)
        path = await self.data_path(f"sobjects/{name}/{key}/{value}")
        body = {k: v for k, v in _body(fields).items() if k != external_id_field}
        resp = await self.request("PATCH", path, json_body=body)
        if resp.status_code == 300:
            raise MultipleMatches(
                f"More than one {sobject} has {external_id_field} = {external_id}.", status=300
            )
        if resp.status_code == 204 or not resp.content:
            return SaveResult(None, True, [], None)
        data = expect_object(json_of(resp), "the saved record")
        result = SaveResult.from_json(data)
        created = result.created if result.created is not None else resp.status_code == 201
        return SaveResult(result.id, True, [], created)

    # -- sObject Collections ------------------------------------------------------------------------

    async def create_many(
        self, records: Sequence[Mapping[str, Any]], *, all_or_none: bool = False
    ) -> list[SaveResult]:
        """Create records of any types (each carries ``attributes.type``), 200 per call.

        Results are in request order. A failure of a whole call raises with ``partial_results`` set to
        the results of the calls that completed; a lost response raises ``OutcomeUnknown``.
        """
        prepared = [self._typed(r, need_id=False) for r in records]
        return await self._collection("POST", prepared, all_or_none, idempotent=False)

    async def update_many(
        self, records: Sequence[Mapping[str, Any]], *, all_or_none: bool = False
    ) -> list[SaveResult]:
        """Update records (each with ``attributes.type`` and ``Id``), 200 per call."""
        prepared = [self._typed(r, need_id=True) for r in records]
        return await self._collection("PATCH", prepared, all_or_none, idempotent=True)

    async def delete_many(self, ids: Sequence[str], *, all_or_none: bool = False) -> list[SaveResult]:
        results: list[SaveResult] = []
        path = await self.data_path("composite/sobjects")
        for _start, chunk in _chunks([_check_id(i) for i in ids], COLLECTION_LIMIT):
            params = {"ids": ",".join(chunk), "allOrNone": str(all_or_none).lower()}
            try:
                resp = await self.request("DELETE", path, params=params)
            except SalesforceError as exc:
                exc.partial_results = results
                raise
            results.extend(self._save_results(resp, len(chunk), results, idempotent=True))
        return results

    @staticmethod
    def _typed(record: Mapping[str, Any], *, need_id: bool) -> dict[str, Any]:
        attributes = record.get("attributes")
        sobject = attributes.get("type") if isinstance(attributes, Mapping) else None
        if not sobject:
            raise ValueError("each record needs attributes.type, e.g. {'attributes': {'type': 'Task'}, ...}")
        _check_name(str(sobject))
        if need_id:
            _check_id(str(record.get("Id") or ""))
        out = {k: v for k, v in record.items() if k != "attributes" and (need_id or k != "Id")}
        return {"attributes": {"type": sobject}, **out}

    async def _collection(
        self, method: str, records: list[dict[str, Any]], all_or_none: bool, *, idempotent: bool
    ) -> list[SaveResult]:
        results: list[SaveResult] = []
        path = await self.data_path("composite/sobjects")
        for _start, chunk in _chunks(records, COLLECTION_LIMIT):
            try:
                resp = await self.request(
                    method, path, json_body={"allOrNone": all_or_none, "records": list(chunk)},
                    idempotent=idempotent,
                )
            except SalesforceError as exc:
                exc.partial_results = results
                raise
            results.extend(self._save_results(resp, len(chunk), results, idempotent=idempotent))
        return results

    @staticmethod
    def _save_results(
        resp: httpx.Response, expected: int, earlier: list[SaveResult], *, idempotent: bool
    ) -> list[SaveResult]:
        """One result per record sent, or an error: a short or shapeless answer must not be read as
        failures (a create would then be sent again although Salesforce may have saved it)."""
        try:
            items = check_save_results(json_of(resp), expected)
        except UnreadableResponse as exc:
            error: SalesforceError = exc if idempotent else unknown_outcome(exc)
            error.partial_results = earlier
            raise error from None
        return [SaveResult.from_json(item) for item in items]

    # -- Composite ----------------------------------------------------------------------------------

    async def composite(
        self, subrequests: Sequence[Mapping[str, Any]], *, all_or_none: bool = False
    ) -> list[CompositeResult]:
        """Up to 25 subrequests in one API call; later ones may use ``@{refId.id}`` references.

        Each subrequest: ``{"method", "url", "referenceId", "body"?}``; a ``url`` not starting with
        ``/services/`` is taken as relative to the data root (``sobjects/Task``).
        """
        if not subrequests:
            return []
        if len(subrequests) > COMPOSITE_LIMIT:
            raise ValueError(f"a composite request takes at most {COMPOSITE_LIMIT} subrequests")
        root = await self.data_path("")
        prepared = []
        for sub in subrequests:
            method, url, ref = str(sub["method"]).upper(), str(sub["url"]), str(sub["referenceId"])
            item: dict[str, Any] = {
                "method": method, "referenceId": ref,
                "url": url if url.startswith("/services/") else root + url.lstrip("/"),
            }
            if sub.get("body") is not None:
                item["body"] = sub["body"]
            prepared.append(item)
        idempotent = all(item["method"] in ("GET", "PATCH", "DELETE") for item in prepared)
        resp = await self.request(
            "POST", await self.data_path("composite"), idempotent=idempotent,
            json_body={"allOrNone": all_or_none, "compositeRequest": prepared},
        )
        try:
            items = check_composite(json_of(resp), len(prepared))
        except UnreadableResponse as exc:
            raise exc if idempotent else unknown_outcome(exc) from None
        return [CompositeResult.from_json(item) for item in items]

    def sobject_url(self, sobject: str, record_id: str | None = None) -> str:
        """A composite-relative URL: ``sobjects/Task`` or ``sobjects/Task/00T…`` (or ``@{ref.id}``)."""
        tail = f"/{record_id}" if record_id else ""
        if record_id and not record_id.startswith("@{"):
            _check_id(record_id)
        return f"sobjects/{_check_name(sobject)}{tail}"

    # -- metadata, limits, replication ----------------------------------------------------------------

    async def describe(self, sobject: str) -> dict[str, Any]:
        key = _check_name(sobject).lower()
        if key not in self._describe_cache:
            resp = await self.request("GET", await self.data_path(f"sobjects/{sobject}/describe"))
            self._describe_cache[key] = expect_object(json_of(resp), "a description", ("fields",))
        return self._describe_cache[key]

    @property
    def cached_global_describe(self) -> dict[str, Any] | None:
        """The global describe if this client has already read it (free to consult), else None."""
        return self._global_describe

    async def describe_global(self) -> dict[str, Any]:
        if self._global_describe is None:
            resp = await self.request("GET", await self.data_path("sobjects"))
            self._global_describe = expect_object(json_of(resp), "the list of objects", ("sobjects",))
        return self._global_describe

    async def limits(self) -> dict[str, Any]:
        resp = await self.request("GET", await self.data_path("limits"))
        data = expect_object(json_of(resp), "the org's limits")
        from_body, from_header = usage_from_limits(data), self.usage
        if from_body is not None and from_header is not None:  # the body has no per-app or burst figures
            from_body = replace(from_body, bursts=from_header.bursts, per_app=from_header.per_app,
                                app_name=from_header.app_name)
        self._note_usage(from_body or from_header)
        return data

    async def get_updated(self, sobject: str, start: datetime, end: datetime) -> UpdatedRecords:
        """Ids changed in [start, end] (≤ 30 days back; seconds are ignored by Salesforce)."""
        path = await self.data_path(f"sobjects/{_check_name(sobject)}/updated/")
        resp = await self.request("GET", path, params=_range(start, end))
        data = expect_object(json_of(resp), "changed records", ("ids",))
        return UpdatedRecords([str(i) for i in data.get("ids", [])], data.get("latestDateCovered"))

    async def get_deleted(self, sobject: str, start: datetime, end: datetime) -> DeletedRecords:
        """Records deleted in [start, end] (≤ 15 days back)."""
        path = await self.data_path(f"sobjects/{_check_name(sobject)}/deleted/")
        resp = await self.request("GET", path, params=_range(start, end))
        data = expect_object(json_of(resp), "deleted records", ("deletedRecords",))
        records = [
            DeletedRecord(str(r.get("id")), r.get("deletedDate"))
            for r in data.get("deletedRecords", []) if isinstance(r, dict) and r.get("id")
        ]
        return DeletedRecords(records, data.get("earliestDateAvailable"), data.get("latestDateCovered"))


async def _query_page(resp: httpx.Response) -> QueryPage:
    """A checked page of query results: never ``{}`` read as "no rows"."""
    try:
        data = await parse_page(resp.content)
    except ValueError:  # not JSON, cut off, invalid UTF-8 (all ValueErrors)
        raise diagnose(resp.content, resp.headers.get("content-type", ""), status=resp.status_code) from None
    return QueryPage.from_json(check_query_page(data))

