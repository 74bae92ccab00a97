"""``/services/data``: version list, authentication, the daily API limit, and routing to resources.

Every call except the version list needs a valid access token (else 401 INVALID_SESSION_ID), counts
against the org's daily limit and carries ``Sforce-Limit-Info: api-usage=N/M``; past the limit the org
answers 403 REQUEST_LIMIT_EXCEEDED. See
https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/headers_api_usage.htm
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable

from app.demo_org.clock import OrgClock
from app.demo_org.data.dml import Dml
from app.demo_org.errors import SfError, invalid_session, not_found, session_not_for_rest
from app.demo_org.http_types import Request, Response, json_response, no_content, sf_error_response
from app.demo_org.rest.call import WRITE_METHODS, Call, Result
from app.demo_org.rest.composite import Collections, Composite
from app.demo_org.rest.describe import global_describe
from app.demo_org.rest.query import QueryService, batch_size
from app.demo_org.rest.records import Records

OLDEST_VERSION, LATEST_VERSION = 20, 66  # v66.0 = Spring '26
_VERSIONED = re.compile(r"^/services/data/v(\d+\.\d)(/.*)?$")


def release_label(major: int) -> str:
    """v66 = Spring '26; three releases a year (Spring, Summer, Winter — Winter is named for next year)."""
    steps = major - LATEST_VERSION
    season = ("Spring", "Summer", "Winter")[steps % 3]
    year = 26 + steps // 3 + (1 if season == "Winter" else 0)
    return f"{season} '{year:02d}"


def versions() -> list[dict[str, str]]:
    return [{"label": release_label(v), "url": f"/services/data/v{v}.0", "version": f"{v}.0"}
            for v in range(OLDEST_VERSION, LATEST_VERSION + 1)]


class ApiUsage:
    """The org's daily API request counter, and the connected app's own quota if it has one (thread-safe).

    ``Sforce-Limit-Info: api-usage=25/5000; per-app-api-usage=17/250(appName=sample-connected-app)``:
    the per-app part only when the app has a quota ("If there is no limit quota information, this
    field isn't returned"), https://developer.salesforce.com/docs/atlas.en-us.214.0.api_rest.meta/
    api_rest/headers_api_usage.htm. The demo reports the app's quota but does not enforce it: the docs
    do not say what a call past it is answered.
    """

    def __init__(self, limit: int, app_limit: int | None = None, app_name: str = "Notebridge") -> None:
        self.limit = limit
        self.used = 0
        self.calls = 0  # calls counted since the last stats reset
        self.app_limit = app_limit
        self.app_used = 0
        self.app_name = app_name
        self._lock = threading.Lock()

    def take(self) -> tuple[bool, str]:
        """Count one call; returns (allowed, header value)."""
        with self._lock:
            if self.used >= self.limit:
                return False, self._header()
            self.used += 1
            self.calls += 1
            self.app_used += 1
            return True, self._header()

    def _header(self) -> str:
        value = f"api-usage={self.used}/{self.limit}"
        if self.app_limit is not None:
            value += f"; per-app-api-usage={self.app_used}/{self.app_limit}(appName={self.app_name})"
        return value

    def set_used(self, used: int) -> None:
        with self._lock:
            self.used = max(0, int(used))

    def set_app_used(self, used: int) -> None:
        with self._lock:
            self.app_used = max(0, int(used))


class RestApi:
    def __init__(self, dml: Dml, usage: ApiUsage, user_for_token: Callable[[str], str | None],
                 identity_url: Callable[[str], str], session_refused: Callable[[str], bool] = lambda _t: False,
                 clock: OrgClock | None = None) -> None:
        self.dml = dml
        self.usage = usage
        self.user_for_token = user_for_token
        self.session_refused = session_refused  # a live token the app's session policy keeps from REST
        self.identity_url = identity_url
        self.records = Records(dml)
        self.queries = QueryService(dml.store, dml.ids, clock)
        self.collections = Collections(dml)
        self.composite = Composite(dml, self.dispatch)

    def handle(self, request: Request) -> Response:
        path = request.path
        if path in ("/services/data", "/services/data/"):
            if request.method != "GET":
                return sf_error_response(SfError("METHOD_NOT_ALLOWED", "HTTP Method not allowed. Allowed are GET",
                                                 405))
            return json_response(200, versions())
        match = _VERSIONED.match(path)
        if not match or not OLDEST_VERSION <= float(match.group(1)) < LATEST_VERSION + 1 \
                or not match.group(1).endswith(".0"):
            return sf_error_response(not_found())
        token = self._bearer(request)
        if token and self.session_refused(token):
            return sf_error_response(session_not_for_rest())
        user_id = self.user_for_token(token) if token else None
        if user_id is None:
            return sf_error_response(invalid_session())
        allowed, usage = self.usage.take()
        headers = {"Sforce-Limit-Info": usage}
        if not allowed:
            return sf_error_response(SfError("REQUEST_LIMIT_EXCEEDED", "TotalRequests Limit exceeded.", 403), headers)
        try:
            body = request.json() if request.method in WRITE_METHODS else None
            call = Call(request.method, match.group(1), [p for p in (match.group(2) or "").split("/") if p],
                        {k: v[0] for k, v in request.query.items()}, body, user_id, request.headers)
            result = self.dispatch(call)
        except SfError as error:
            return sf_error_response(error, headers)
        headers.update(result.headers)
        if result.raw is not None:
            response = Response(result.status, result.raw, result.content_type, headers)
        elif result.status == 204:
            response = no_content(headers)
        else:
            response = json_response(result.status, result.payload, headers)
        response.committed_write = request.method in WRITE_METHODS and response.ok and not result.read_only
        return response

    @staticmethod
    def _bearer(request: Request) -> str | None:
        header = request.header("Authorization") or ""
        scheme, _, token = header.partition(" ")
        if scheme.lower() not in ("bearer", "oauth") or not token.strip():
            return None
        return token.strip()

    def dispatch(self, call: Call) -> Result:
        """Route one authenticated call (top-level or a composite subrequest)."""
        parts = call.parts
        head = parts[0] if parts else ""
        if not parts:
            _only_get(call)
            return Result(200, self.resources(call))
        if head == "limits" and len(parts) == 1:
            _only_get(call)
            return Result(200, self.limits())
        if head == "sobjects":
            if len(parts) == 1:
                _only_get(call)
                return Result(200, global_describe(self.dml.schema, call.version))
            return self.records.route(call)
        if head in ("query", "queryAll"):
            _only_get(call)
            if len(parts) == 2:
                return Result(200, self.queries.more(parts[1], call.version, call.user_id))
            if len(parts) == 1:
                batch = batch_size(call.headers.get("Sforce-Query-Options"))
                return Result(200, self.queries.run(call.params.get("q"), call.version,
                                                    include_deleted=head == "queryAll", batch=batch,
                                                    user_id=call.user_id))
        if head == "composite":
            if len(parts) == 1:
                return self.composite.run(call)
            if parts[1] == "sobjects":
                return self.collections.route(call)
        raise not_found()

    def resources(self, call: Call) -> dict[str, str]:
        base = f"/services/data/v{call.version}"
        names = ("tooling", "metadata", "eclair", "folders", "chatter", "tabs", "appMenu", "quickActions",
                 "queryAll", "commerce", "wave", "search", "identity", "composite", "parameterizedSearch", "theme",
                 "nouns", "recent", "licensing", "limits", "process", "async-queries", "query", "jobs", "analytics",
                 "sobjects", "actions", "support", "connect", "uiapi")
        out = {name: f"{base}/{name}" for name in names}
        out["identity"] = self.identity_url(call.user_id)
        return out

    def limits(self) -> dict[str, dict[str, int]]:
        used, limit = self.usage.used, self.usage.limit
        return {
            "DailyApiRequests": {"Max": limit, "Remaining": max(0, limit - used)},
            "DailyAsyncApexExecutions": {"Max": 250000, "Remaining": 250000},
            "DailyBulkApiBatches": {"Max": 15000, "Remaining": 15000},
            "DailyBulkV2QueryJobs": {"Max": 10000, "Remaining": 10000},
            "DataStorageMB": {"Max": 1024, "Remaining": 1000},
            "FileStorageMB": {"Max": 10240, "Remaining": 10200},
            "SingleEmail": {"Max": 5000, "Remaining": 5000},
        }


def _only_get(call: Call) -> None:
    if call.method != "GET":
        raise SfError("METHOD_NOT_ALLOWED", f"HTTP Method '{call.method}' not allowed. Allowed are GET", 405)
