"""What a firm's ``notebridge.json`` may say, checked field by field with typed models (pydantic).

An admin pre-configures every advisor's install with one file: the org's login URL, the consumer
key of the firm's app, optionally the callback port registered for it, and default preferences. The
reader never fails: any JSON value gives either a usable :class:`ManagedConfig` or problems that each
name a field, in words the advisor can pass on to IT.

* ``login_url`` and ``consumer_key`` are required: without them the file cannot shorten the wizard,
  so the advisor goes the full way (the valid one of the two is still offered as a prefill).
* Everything else is optional; a bad optional value is named and ignored (the default is used),
  so a typo in a preference never takes the shortened wizard away.
* Unknown keys are named (a misspelt ``prefrences`` would otherwise be silently ignored); keys that
  start with ``_`` are comments and skipped.
* No secret is ever read from the file: anyone who can use the computer can read it. A key that
  names a secret (``consumer_secret``, ``password``, ``token`` …) is refused with a message and its
  value is dropped unread. PKCE sign-in needs no consumer secret; an org whose app still requires
  one gets it typed into the wizard, which keeps it in the system keychain.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from app.salesforce import urls
from app.services.managed.presets import ManagedSync, check_sync
from app.services.setup import CLIENT_OBJECTS, RECORD_SCOPES, SYNC_INTERVALS
from app.services.sync_settings import ATTACH_CHOICES, NOTE_TYPES, RESERVE_RANGE

REQUIRED = ("login_url", "consumer_key")
MAX_KEY_LENGTH = 256
MAX_DELAY_MINUTES = 24 * 60
MIN_PORT, MAX_PORT = 1024, 65535  # below 1024 needs administrator rights to listen on
SECRET_NAME = re.compile(r"secret|password|passwd|token|private[_ -]?key|credential", re.IGNORECASE)
WHOLE_FILE = "(the whole file)"


def _one_of(value: Any, allowed: tuple[Any, ...]) -> Any:
    if value is not None and value not in allowed:
        raise ValueError("must be one of " + ", ".join(_shown(a) for a in allowed))
    return value


def _shown(value: Any) -> str:
    return f'"{value}"' if isinstance(value, str) else str(value)


def clean_login_url(value: str) -> str:
    """The address to sign in at: login.salesforce.com, test.salesforce.com or the org's My Domain.
    The admin knows their firm's own domain, so a custom domain is accepted as it is."""
    text = value.strip()
    if not text:
        raise ValueError("is empty: put your org's sign-in address here, for example https://login.salesforce.com "
                         f"or https://{urls.EXAMPLE}")
    return urls.normalize_instance_url(text, allow_custom=True)


def clean_consumer_key(value: str) -> str:
    text = value.strip()
    if not text:
        raise ValueError("is empty: paste the Consumer Key of your firm's app in Salesforce here")
    if len(text) > MAX_KEY_LENGTH or any(c.isspace() or not c.isprintable() for c in text):
        raise ValueError("is not a consumer key: it must be one word of letters, digits and punctuation, "
                         "as Salesforce shows it under Consumer Key")
    return text


class _Section(BaseModel):
    # strict: "true" is not true and 30.0 is not 30 — the file says exactly what it means.
    model_config = ConfigDict(strict=True, extra="forbid", frozen=True)


class ManagedPreferences(_Section):
    """The wizard's Preferences page, chosen by the firm (None: the wizard's own default)."""

    note_type: str | None = None
    client_object: str | None = None
    include_leads: bool | None = None
    contact_sync: bool | None = None
    sync_interval_minutes: int | None = None
    record_scope: str | None = None

    _note = field_validator("note_type")(lambda v: _one_of(v, NOTE_TYPES))
    _client = field_validator("client_object")(lambda v: _one_of(v, CLIENT_OBJECTS))
    _interval = field_validator("sync_interval_minutes")(lambda v: _one_of(v, SYNC_INTERVALS))
    _scope = field_validator("record_scope")(lambda v: _one_of(v, RECORD_SCOPES))

    def as_draft(self) -> dict[str, Any]:
        """The values the firm chose, in the wizard draft's words (only those it chose)."""
        return {k: v for k, v in self.model_dump().items() if v is not None}


class ManagedPush(_Section):
    """Settings → Sending, chosen by the firm (None: Notebridge's default)."""

    auto_push: bool | None = None
    auto_push_delay_minutes: int | None = Field(default=None, ge=1, le=MAX_DELAY_MINUTES)
    push_notes: bool | None = None
    push_tasks: bool | None = None
    meeting_summaries: bool | None = None
    attach_to: str | None = None
    api_reserve_percent: int | None = Field(default=None, ge=RESERVE_RANGE[0], le=RESERVE_RANGE[1])

    _attach = field_validator("attach_to")(lambda v: _one_of(v, ATTACH_CHOICES))

    def chosen(self) -> dict[str, Any]:
        return {k: v for k, v in self.model_dump().items() if v is not None}


class ManagedConfig(_Section):
    """A usable managed config: the wizard needs only Welcome → Sign in → First sync."""

    login_url: str
    consumer_key: str
    callback_port: int | None = Field(default=None, ge=MIN_PORT, le=MAX_PORT)
    preferences: ManagedPreferences = ManagedPreferences()
    push: ManagedPush = ManagedPush()
    sync: ManagedSync = ManagedSync()  # filter rules and field mappings (``presets``), checked on their own

    _login = field_validator("login_url")(clean_login_url)
    _key = field_validator("consumer_key")(clean_consumer_key)

    @property
    def callback_urls(self) -> tuple[str, ...] | None:
        """The one callback the firm registered, or None for the wizard's default pair."""
        return (f"http://localhost:{self.callback_port}/callback",) if self.callback_port else None


@dataclass(frozen=True)
class ConfigProblem:
    """One thing wrong in the file: the field (dotted, e.g. ``push.attach_to``) and what to do."""

    field: str
    message: str
    blocking: bool = False  # True: the file cannot be used at all (a required field)

    def sentence(self) -> str:
        return f"{self.field}: {self.message}" if self.field != WHOLE_FILE else self.message


@dataclass(frozen=True)
class ManagedSetup:
    """What the file at ``source`` gave: a usable config (maybe with ignored parts), or problems only."""

    source: Path
    config: ManagedConfig | None
    problems: tuple[ConfigProblem, ...] = ()
    prefill: Mapping[str, str] = field(default_factory=dict)  # valid required fields of an unusable file

    @property
    def usable(self) -> bool:
        return self.config is not None

    def headline(self) -> str:
        """What happened, in one short sentence that names the file ("" when nothing was wrong)."""
        if not self.problems:
            return ""
        return (f"Your firm's setup file {self.source} could not be used." if self.config is None
                else f"Parts of your firm's setup file {self.source} were ignored.")

    def details(self) -> str:
        """Each problem, naming its field."""
        return " ".join(p.sentence().rstrip(".") + "." for p in self.problems)

    def explanation(self) -> str:
        """The problems, in one paragraph that names the file."""
        return f"{self.headline()} {self.details()}".strip()


def parse(value: Any, source: Path) -> ManagedSetup:
    """Check a parsed JSON value. Never raises: problems come back named by field."""
    if not isinstance(value, dict):
        return ManagedSetup(source, None, (ConfigProblem(
            WHOLE_FILE, "The file must hold one JSON object: { \"login_url\": …, \"consumer_key\": … }.",
            blocking=True),))
    problems: list[ConfigProblem] = []
    data = _without_comments_and_secrets(value, "", problems)
    presets = ManagedSync()
    if "sync" in data:  # lists of rules: checked piece by piece (``presets``), not by the model
        presets, found = check_sync(data.pop("sync"))
        problems.extend(ConfigProblem(name, message) for name, message in found)
    for _ in range(64):  # each round drops at least one bad optional key; a file has few
        try:
            config = ManagedConfig.model_validate(data)
        except ValidationError as exc:
            blocking = _record(exc, data, problems)
            if blocking:
                return ManagedSetup(source, None, tuple(problems), _prefill(data, problems))
            continue
        return ManagedSetup(source, config.model_copy(update={"sync": presets}), tuple(problems))
    return ManagedSetup(source, None, (*problems, ConfigProblem(WHOLE_FILE, "The file has too many problems.", True)))


def _without_comments_and_secrets(value: dict[Any, Any], prefix: str, problems: list[ConfigProblem]) -> dict[str, Any]:
    clean: dict[str, Any] = {}
    for key, item in value.items():
        name = f"{prefix}{key}"
        if not isinstance(key, str) or key.startswith("_"):
            continue  # "_comment": the strict-JSON way to annotate the file
        if SECRET_NAME.search(key):
            problems.append(ConfigProblem(name, (
                "Notebridge never reads a secret from this file (anyone who can use this computer can read it), "
                "so it was ignored. Remove it. Signing in needs no consumer secret; if your firm's app in "
                "Salesforce requires one, each advisor types it in the setup wizard, which keeps it in the "
                "computer's keychain.")))
            continue
        clean[key] = _without_comments_and_secrets(item, f"{name}.", problems) if isinstance(item, dict) else item
    return clean


def _record(exc: ValidationError, data: dict[str, Any], problems: list[ConfigProblem]) -> bool:
    """Add a problem per error and drop the bad optional keys from ``data``; True if a required one failed."""
    blocking = False
    for error in exc.errors():
        loc = tuple(str(part) for part in error["loc"])
        name = ".".join(part or '""' for part in loc) if loc else WHOLE_FILE
        is_required = bool(loc) and loc[0] in REQUIRED
        message = _message(error)
        if is_required and error["type"] != "extra_forbidden":
            blocking = True
            problems.append(ConfigProblem(name, message, blocking=True))
            continue
        ignored = " It was ignored." if error["type"] == "extra_forbidden" else " It was ignored; the default is used."
        problems.append(ConfigProblem(name, message + ignored))
        _drop(data, loc)
    return blocking


def _drop(data: dict[str, Any], loc: tuple[str, ...]) -> None:
    target: Any = data
    for part in loc[:-1]:
        target = target.get(part) if isinstance(target, dict) else None
    if isinstance(target, dict) and loc:
        target.pop(loc[-1], None)
    elif loc:
        data.pop(loc[0], None)


_MESSAGES = {
    "missing": "is missing.",
    "extra_forbidden": "is not a setting Notebridge knows (a spelling mistake?).",
    "bool_type": "must be true or false (without quotes).",
    "int_type": "must be a whole number (without quotes).",
    "string_type": "must be text in double quotes.",
    "model_type": "must be a group of settings in { }.",
    "dict_type": "must be a group of settings in { }.",
}


def _message(error: Mapping[str, Any]) -> str:
    kind = str(error.get("type", ""))
    if kind in _MESSAGES:
        text = _MESSAGES[kind]
        if kind == "missing" and error["loc"] and error["loc"][0] == "login_url":
            text += " Put your org's sign-in address here, for example https://login.salesforce.com."
        elif kind == "missing" and error["loc"] and error["loc"][0] == "consumer_key":
            text += " Paste the Consumer Key of your firm's app in Salesforce here."
        return text
    ctx = error.get("ctx") or {}
    if kind in ("greater_than_equal", "less_than_equal"):
        return _range_message(tuple(str(p) for p in error["loc"]))
    if kind == "value_error" and "error" in ctx:
        return str(ctx["error"]).rstrip(".") + "."
    return str(error.get("msg", "is not valid")).rstrip(".") + "."


def _range_message(loc: tuple[str, ...]) -> str:
    ranges = {"callback_port": (MIN_PORT, MAX_PORT), "auto_push_delay_minutes": (1, MAX_DELAY_MINUTES),
              "api_reserve_percent": RESERVE_RANGE}
    low, high = ranges.get(loc[-1] if loc else "", (None, None))
    return f"must be between {low} and {high}." if low is not None else "is out of range."


def _prefill(data: dict[str, Any], problems: list[ConfigProblem]) -> dict[str, str]:
    """The required fields that were fine, so the full wizard can start from them."""
    bad = {p.field for p in problems if p.blocking}
    out: dict[str, str] = {}
    for name, clean in (("login_url", clean_login_url), ("consumer_key", clean_consumer_key)):
        value = data.get(name)
        if name in bad or not isinstance(value, str):
            continue
        try:
            out[name] = clean(value)
        except ValueError:
            continue
    return out
