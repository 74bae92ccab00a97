"""The org itself, without sockets: data, OAuth, REST, faults, usage and the run-time controls.

``OrgCore.handle`` maps a ``Request`` to a ``Response``; the server adds transport concerns (latency,
injected failures, dropped connections, timing). The control methods here back both the in-process
``DemoOrg`` API and the ``/__demo__`` HTTP endpoints, so a subprocess org can be steered exactly like an
in-process one.
"""

from __future__ import annotations

import copy
import gc
import re
import secrets
import sys
import threading
import traceback
from collections import deque
from typing import Any

from app.demo_org import ids, record_page
from app.demo_org.clock import OrgClock
from app.demo_org.control import Controls, handle_control
from app.demo_org.data.dml import Dml
from app.demo_org.data.objects import build_schema
from app.demo_org.data.seed import seed
from app.demo_org.data.store import Store
from app.demo_org.errors import SfError
from app.demo_org.faults import Faults
from app.demo_org.http_types import Request, Response, html_response, json_response
from app.demo_org.oauth.flow import OAuthConfig, OAuthService
from app.demo_org.rest.router import ApiUsage, RestApi
from app.demo_org.settings import OrgSettings, credentials_for

_IDENTITY = re.compile(r"^/id/([A-Za-z0-9]{15,18})/([A-Za-z0-9]{15,18})/?$")
_BROWSER_PAGES = ("/services/oauth2/authorize",)
MAX_STATS = 200_000
FREEZE_FROM_CONTACTS = 20_000


class Stats:
    """Per-request timings, as the org measured them (handler time, excluding injected latency)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._requests: deque[dict[str, Any]] = deque(maxlen=MAX_STATS)

    def record(self, entry: dict[str, Any]) -> None:
        with self._lock:
            self._requests.append(entry)

    def snapshot(self) -> list[dict[str, Any]]:
        with self._lock:
            return list(self._requests)

    def reset(self) -> None:
        with self._lock:
            self._requests.clear()


class OrgCore:
    def __init__(self, settings: OrgSettings) -> None:
        self.settings = settings
        self.credentials = credentials_for(settings.seed)
        self.schema = build_schema(person_accounts=settings.person_accounts, enhanced_notes=settings.enhanced_notes,
                                   account_contact_relations=settings.contacts_to_multiple_accounts,
                                   missing_fields=settings.missing_fields, classic_notes=settings.classic_notes,
                                   task_reminders=settings.task_reminders, required_fields=settings.required_fields,
                                   shared_activities=settings.shared_activities)
        self.store = Store(self.schema)
        self.ids = ids.IdFactory()
        self.seeded = seed(self.store, self.ids, contacts=settings.contacts, seed=settings.seed,
                           person_accounts=settings.person_accounts, enhanced_notes=settings.enhanced_notes,
                           account_contact_relations=settings.contacts_to_multiple_accounts,
                           username=self.credentials.username, meeting_clients=settings.meeting_clients)
        self.dml = Dml(self.store, self.schema, self.ids, person_accounts=settings.person_accounts,
                       shared_activities=settings.shared_activities)
        if settings.contacts >= FREEZE_FROM_CONTACTS:
            # A big seed is ~10^6 long-lived dicts and strings; without this every full collection of the
            # cyclic GC walks all of them (~0.1 s pauses in the middle of serving pages). Records hold no
            # reference cycles, so they are still freed by reference counting when the org goes away.
            gc.collect()
            gc.freeze()
        advisor = self.store.table("User")[self.seeded.advisor_id]
        self.base_url = ""
        self.ca_file: str | None = None
        # Whoever starts the org gets this (``info()``, the CLI's JSON line) and sends it to /__demo__;
        # anything else that can reach the port cannot steer or read the org.
        self.control_token = secrets.token_urlsafe(32)
        self.oauth = OAuthService(OAuthConfig(
            consumer_key=self.credentials.consumer_key, consumer_secret=self.credentials.consumer_secret,
            username=self.credentials.username, password=self.credentials.password, user_id=self.seeded.advisor_id,
            org_id=self.seeded.org_id, display_name=advisor["Name"], email=advisor["Email"],
            callback_urls=list(settings.callback_urls), require_secret=settings.require_secret,
            rotate_refresh_tokens=settings.rotate_refresh_tokens, secure_cookies=settings.tls,
            pre_authorized=settings.pre_authorized,
        ), lambda: self.base_url, settings.token_ttl)
        self.usage = ApiUsage(settings.api_limit, settings.app_api_limit)
        # The app's session policy in the org ("High assurance session required"): every live session is
        # refused by the REST API until an admin changes it (``refuse_rest_sessions``).
        self.rest_sessions_refused = False
        self.clock = OrgClock()  # time-based rules (idle query cursors); tests move it with advance_clock
        self.rest = RestApi(self.dml, self.usage, self.oauth.tokens.rest_user, self.oauth.identity_url,
                            session_refused=self._session_refused, clock=self.clock)
        self.faults = Faults(settings.latency_ms)
        self.requests = Stats()

    # -- routing -----------------------------------------------------------------------------------
    @staticmethod
    def is_api_path(path: str) -> bool:
        """Paths where injected latency/failures apply: the API, not the sign-in pages or controls."""
        return (path.startswith("/services/") and not path.startswith(_BROWSER_PAGES)) or path.startswith("/id/")

    def handle(self, request: Request) -> Response:
        try:
            return self._route(request)
        except SfError as error:
            return json_response(error.status, error.rest_body())
        except Exception:  # a bug in the demo org must not look like a network failure to the client
            traceback.print_exc(file=sys.stderr)
            return json_response(500, [{"errorCode": "UNKNOWN_EXCEPTION",
                                        "message": "An unexpected error occurred in the demo org."}])

    def _route(self, request: Request) -> Response:
        path = request.path
        if path.startswith("/services/data"):
            return self.rest.handle(request)
        if path.rstrip("/") == "/services/oauth2/authorize":
            return self.oauth.authorize(request)
        if path.rstrip("/") == "/services/oauth2/token":
            return self.oauth.token(request)
        if path.rstrip("/") == "/services/oauth2/revoke":
            return self.oauth.revoke(request)
        if path.rstrip("/") == "/services/oauth2/userinfo":
            return self.oauth.userinfo(request)
        match = _IDENTITY.match(path)
        if match:
            return self.oauth.identity(request, match.group(1), match.group(2))
        if path.startswith("/__demo__/"):
            return handle_control(self.controls(), request)
        if path == "/":
            return html_response(200, "<!DOCTYPE html><html><head><title>Notebridge Demo Org</title></head><body>"
                                      "<h1>Notebridge Demo Org</h1><p>A Salesforce-compatible org for demos and "
                                      "tests. Sign in through <code>/services/oauth2/authorize</code>.</p>"
                                      "</body></html>")
        page = record_page.handle(path, self.store, self.store.lock)
        if page is not None:
            return page
        return json_response(404, [{"errorCode": "NOT_FOUND", "message": "The requested resource does not exist"}])

    # -- controls (the in-process API and /__demo__ share these) ---------------------------------------
    def controls(self) -> Controls:
        """The ``/__demo__`` commands: the same names as the ``DemoOrg`` methods."""
        faults = self.faults
        return Controls(token=self.control_token, info=self.info, stats=self.stats, records=self.records, commands={
            "fail_next": faults.fail_next, "drop_after_commit": faults.drop_after_commit,
            "set_latency": faults.set_latency, "clear_faults": faults.clear,
            "freeze": faults.freeze, "thaw": faults.thaw,
            "fail_token_next": faults.fail_token_next, "garble_next": faults.garble_next,
            "expire_access_tokens": self.expire_access_tokens, "refuse_rest_sessions": self.refuse_rest_sessions,
            "concurrent_limit_next": self.concurrent_limit_next, "advance_clock": self.advance_clock,
            "revoke_refresh_tokens": self.revoke_refresh_tokens,
            "expire_auth_codes": self.expire_auth_codes, "set_api_usage": self.set_api_usage,
            "enable_validation_rule": self.enable_validation_rule,
            "clear_validation_rules": self.clear_validation_rules,
            "delete_record": self.delete_record, "convert_lead": self.convert_lead,
            "set_callback_urls": self.set_callback_urls, "reset_stats": self.reset_stats,
            "update_record": self.update_record, "remove_field": self.remove_field,
            "create_record": self.create_record, "mint_tokens": self.mint_tokens,
        })

    def info(self) -> dict[str, Any]:
        return {"base_url": self.base_url, "login_url": self.base_url,
                "consumer_key": self.credentials.consumer_key, "consumer_secret": self.credentials.consumer_secret,
                "username": self.credentials.username, "password": self.credentials.password,
                "callback_urls": list(self.oauth.config.callback_urls), "ca_file": self.ca_file,
                "control_token": self.control_token}

    def _session_refused(self, token: str) -> bool:
        tokens = self.oauth.tokens
        if tokens.access_grant(token) is None:
            return False  # expired or unknown: plain "Session expired or invalid"
        return self.rest_sessions_refused or tokens.scope_keeps_from_rest(token)

    def advance_clock(self, seconds: float) -> None:
        self.clock.advance(seconds)

    def open_cursors(self) -> int:
        return self.rest.queries.cursors.count()

    def refuse_rest_sessions(self, refuse: bool = True) -> None:
        self.rest_sessions_refused = bool(refuse)

    def concurrent_limit_next(self, n: int, kind: str = "long_txn") -> None:
        self.faults.concurrent_limit_next(n, kind)

    def expire_access_tokens(self) -> None:
        self.oauth.tokens.expire_all_access()

    def revoke_refresh_tokens(self) -> None:
        self.oauth.tokens.revoke_all_refresh()

    def expire_auth_codes(self) -> None:
        self.oauth.tokens.expire_codes()

    def set_api_usage(self, used: int, app_used: int | None = None) -> None:
        self.usage.set_used(used)
        if app_used is not None:
            self.usage.set_app_used(app_used)

    def enable_validation_rule(self, sobject: str, field: str | None, message: str) -> None:
        name = self.dml.sobject(sobject).name
        canonical = None
        if field:
            found = self.schema.require(name).field(field)
            if found is None:
                raise ValueError(f"no field {field} on {name}")
            canonical = found.name
        with self.store.lock:
            self.dml.validation_rules.setdefault(name, []).append((canonical, message))

    def remove_field(self, sobject: str, field: str) -> None:
        """Delete (or hide) a field in the org, as an admin would mid-life."""
        with self.store.lock:
            self.schema.require(sobject).remove_field(field)

    def clear_validation_rules(self) -> None:
        with self.store.lock:
            self.dml.validation_rules.clear()

    def delete_record(self, record_id: str) -> None:
        with self.store.lock:
            self.dml.delete(record_id)

    def convert_lead(self, lead_id: str) -> str:
        with self.store.transaction() as tx:
            try:
                return self.dml.convert_lead(lead_id, self.seeded.advisor_id)
            except SfError:
                tx.rollback()
                raise

    def set_callback_urls(self, urls: list[str]) -> None:
        self.oauth.config.callback_urls[:] = [str(u) for u in urls]

    def stats(self) -> dict[str, Any]:
        cursors = self.rest.queries.cursors
        return {"api_calls": self.usage.calls, "api_usage": self.usage.used, "api_limit": self.usage.limit,
                "cursors": {"open": cursors.count(), "released": cursors.released, "expired": cursors.expired},
                "requests": self.requests.snapshot(), "code_exchanges": list(self.oauth.code_exchanges)}

    def reset_stats(self) -> None:
        self.usage.calls = 0
        self.requests.reset()

    def records(self, sobject: str) -> list[dict[str, Any]]:
        name = self.dml.sobject(sobject).name
        with self.store.lock:
            return [copy.copy(r) for r in self.store.table(name).values()]

    def update_record(self, sobject: str, record_id: str, fields: dict[str, Any]) -> None:
        colleague = self.seeded.user_ids[1] if len(self.seeded.user_ids) > 1 else self.seeded.advisor_id
        with self.store.lock:
            self.dml.server_update(sobject, ids.to18(record_id), fields, colleague)

    def create_record(self, sobject: str, fields: dict[str, Any]) -> str:
        """A record created by someone else in the org (full validation, acting as a colleague)."""
        colleague = self.seeded.user_ids[1] if len(self.seeded.user_ids) > 1 else self.seeded.advisor_id
        with self.store.lock:
            return self.dml.create(sobject, fields, colleague)

    def mint_tokens(self, scope: str = "api refresh_token") -> dict[str, str]:
        return self.oauth.mint(scope)

    def issued_tokens(self) -> list[str]:
        return self.oauth.tokens.issued()
