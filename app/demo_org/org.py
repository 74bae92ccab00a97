"""``DemoOrg``: a Salesforce-compatible org on localhost, for tests, demos and benchmarks.

Construct it with the options you need (data is seeded in the constructor), then ``start()`` it or use
it as a context manager. It serves from its own threads, so it works the same from synchronous tests,
asyncio code and a Qt application. All controls are thread-safe and take effect immediately.

    with DemoOrg(contacts=200) as org:
        tokens = org.mint_tokens()            # or sign in through org.login_url like a real client
        ...                                   # talk to org.base_url over HTTP
        org.faults.fail_next(2, status=503)   # misbehave on purpose
"""

from __future__ import annotations

import threading
from types import TracebackType
from typing import Any

from app.demo_org.core import OrgCore
from app.demo_org.faults import Faults
from app.demo_org.server import HttpServer
from app.demo_org.settings import OrgSettings


class DemoOrg:
    def __init__(self, contacts: int = 500, seed: int = 1, latency_ms: float = 0, api_limit: int = 100_000,
                 token_ttl: float | None = None, require_secret: bool = False, enhanced_notes: bool = True,
                 person_accounts: bool = False, tls: bool = False, host: str = "127.0.0.1", port: int = 0,
                 callback_urls: list[str] | None = None, rotate_refresh_tokens: bool = False,
                 pre_authorized: bool = False, contacts_to_multiple_accounts: bool = False,
                 app_api_limit: int | None = None, missing_fields: tuple[str, ...] = (),
                 classic_notes: bool = True, task_reminders: bool = True,
                 required_fields: tuple[str, ...] = (), meeting_clients: int = 0,
                 shared_activities: bool = False) -> None:
        settings = OrgSettings(contacts=contacts, seed=seed, latency_ms=latency_ms, api_limit=api_limit,
                               app_api_limit=app_api_limit,
                               token_ttl=token_ttl, require_secret=require_secret, enhanced_notes=enhanced_notes,
                               person_accounts=person_accounts, tls=tls, host=host, port=port,
                               rotate_refresh_tokens=rotate_refresh_tokens, pre_authorized=pre_authorized,
                               contacts_to_multiple_accounts=contacts_to_multiple_accounts,
                               missing_fields=tuple(missing_fields), classic_notes=classic_notes,
                               task_reminders=task_reminders, required_fields=tuple(required_fields),
                               meeting_clients=meeting_clients, shared_activities=shared_activities)
        if callback_urls is not None:
            settings.callback_urls = list(callback_urls)
        self.settings = settings
        self._core = OrgCore(settings)
        self._server: HttpServer | None = None

    # -- lifecycle ---------------------------------------------------------------------------------
    def start(self) -> DemoOrg:
        if self._server is not None:
            return self
        server = HttpServer(self._core, self.settings.host, self.settings.port, self.settings.tls)
        self._core.base_url = server.base_url
        self._core.ca_file = server.ca_file
        server.start()
        self._server = server
        # Sort the big tables in sync order in the background, so the first full pull of a large org
        # does not pay for a 100,000-row sort on its first page.
        threading.Thread(target=self._core.rest.queries.index.warm, name="demo-org-warm-up", daemon=True).start()
        return self

    def warm_up(self) -> None:
        """Pre-sort the big tables now (``start()`` also does it in the background). Blocks until done;
        benchmarks call it so the first page they time is not the one that pays for the sort."""
        self._core.rest.queries.index.warm()

    def stop(self) -> None:
        self._core.faults.thaw()  # a request held by a freeze lets go of its server thread
        if self._server is not None:
            self._server.stop()
            self._server = None
            self._core.ca_file = None

    def __enter__(self) -> DemoOrg:
        return self.start()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()

    @property
    def running(self) -> bool:
        return self._server is not None

    # -- connection details --------------------------------------------------------------------------
    def _require_running(self) -> None:
        if self._server is None:
            raise RuntimeError("the demo org is not running: call start() or use it as a context manager")

    @property
    def base_url(self) -> str:
        """The instance URL, e.g. ``http://127.0.0.1:54321`` (``https://localhost:PORT`` with TLS)."""
        self._require_running()
        return self._core.base_url

    @property
    def login_url(self) -> str:
        """The login host — the same server: it is both the login host and the instance."""
        return self.base_url

    @property
    def port(self) -> int:
        self._require_running()
        assert self._server is not None
        return self._server.port

    consumer_key = property(lambda self: self._core.credentials.consumer_key)
    consumer_secret = property(lambda self: self._core.credentials.consumer_secret)
    username = property(lambda self: self._core.credentials.username)
    password = property(lambda self: self._core.credentials.password)
    org_id = property(lambda self: self._core.seeded.org_id, doc="The 18-character Organization Id.")
    user_id = property(lambda self: self._core.seeded.advisor_id, doc="The advisor (signed-in user) Id.")

    @property
    def callback_urls(self) -> list[str]:
        return list(self._core.oauth.config.callback_urls)

    @property
    def ca_file(self) -> str | None:
        """PEM of the throwaway CA (TLS only) — clients must trust it explicitly."""
        return self._core.ca_file

    @property
    def faults(self) -> Faults:
        return self._core.faults

    @property
    def control_token(self) -> str:
        """What ``/__demo__`` requests send as ``Authorization: Bearer <control_token>``."""
        return self._core.control_token

    def info(self) -> dict[str, Any]:
        """The dict the CLI prints as its JSON line."""
        self._require_running()
        return self._core.info()

    # -- controls ----------------------------------------------------------------------------------
    def expire_access_tokens(self) -> None:
        """End every session now: the next API call with any existing token gets 401 INVALID_SESSION_ID."""
        self._core.expire_access_tokens()

    def advance_clock(self, seconds: float) -> None:
        """Let ``seconds`` pass for the org's time-based rules: a query cursor idle for 15 minutes is
        gone (its next page answers 400 INVALID_QUERY_LOCATOR)."""
        self._core.advance_clock(seconds)

    def open_cursors(self) -> int:
        """Query cursors the org holds open now (at most 10 per user)."""
        return self._core.open_cursors()

    def refuse_rest_sessions(self, refuse: bool = True) -> None:
        """The app's session policy now keeps every session from the REST API (401 "This session is not
        valid for use with the REST API"), refreshed ones too, until called with ``False``."""
        self._core.refuse_rest_sessions(refuse)

    def concurrent_limit_next(self, n: int, kind: str = "long_txn") -> None:
        """The next ``n`` REST calls meet the org's concurrent long-request limit: 403
        REQUEST_LIMIT_EXCEEDED "ConcurrentPerOrgLongTxn Limit exceeded." (``kind="long_txn"``) or
        "ConcurrentRequests (Concurrent API Requests) Limit exceeded." (``kind="requests"``)."""
        self._core.concurrent_limit_next(n, kind)

    def revoke_refresh_tokens(self) -> None:
        """Revoke every refresh token: the next refresh answers invalid_grant (re-authorisation needed)."""
        self._core.revoke_refresh_tokens()

    def expire_auth_codes(self) -> None:
        """Make every unredeemed authorization code expired."""
        self._core.expire_auth_codes()

    def set_api_usage(self, used: int, app_used: int | None = None) -> None:
        """Set today's API usage (e.g. near or over ``api_limit``), and the app's own (``app_api_limit``)."""
        self._core.set_api_usage(used, app_used)

    def enable_validation_rule(self, sobject: str, field: str | None, message: str) -> None:
        """Every create/update of ``sobject`` now fails with FIELD_CUSTOM_VALIDATION_EXCEPTION."""
        self._core.enable_validation_rule(sobject, field, message)

    def remove_field(self, sobject: str, field: str) -> None:
        """An admin deletes ``field`` of ``sobject`` (or hides it): describe drops it, SOQL naming it fails."""
        self._core.remove_field(sobject, field)

    def clear_validation_rules(self) -> None:
        self._core.clear_validation_rules()

    def delete_record(self, record_id: str) -> None:
        """Delete a record as someone else would (soft delete; an Account takes its Contacts)."""
        self._core.delete_record(record_id)

    def convert_lead(self, lead_id: str) -> str:
        """Convert a lead (new household Account + Contact); returns the new Contact Id."""
        return self._core.convert_lead(lead_id)

    def set_callback_urls(self, urls: list[str]) -> None:
        self._core.set_callback_urls(urls)

    def stats(self) -> dict[str, Any]:
        """``{"api_calls", "api_usage", "api_limit", "requests": [{"method","path","status","ms"}, …],
        "code_exchanges": [{"pkce": bool}, …]}`` (one entry per authorization code redeemed)."""
        return self._core.stats()

    def reset_stats(self) -> None:
        self._core.reset_stats()

    def records(self, sobject: str) -> list[dict[str, Any]]:
        """Copies of all stored records of a type, deleted ones included (``IsDeleted`` set)."""
        return self._core.records(sobject)

    def update_record(self, sobject: str, record_id: str, fields: dict[str, Any]) -> None:
        """Change a record server-side, as a colleague; bumps ``SystemModstamp``."""
        self._core.update_record(sobject, record_id, fields)

    def create_record(self, sobject: str, fields: dict[str, Any]) -> str:
        """Create a record server-side, as a colleague; returns its Id."""
        return self._core.create_record(sobject, fields)

    def mint_tokens(self, scope: str = "api refresh_token") -> dict[str, str]:
        """A token response (access + refresh token) without the browser sign-in."""
        self._require_running()
        return self._core.mint_tokens(scope)

    def issued_tokens(self) -> list[str]:
        """Every authorization code, access token and refresh token handed out so far (expired and revoked
        ones included): what a leak check searches a client's files for."""
        return self._core.issued_tokens()
