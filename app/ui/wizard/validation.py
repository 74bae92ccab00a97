"""Checks for what the advisor types into the wizard, in plain words. No Qt: tested on its own.

Every check returns a ``Check`` whose ``message`` can be shown as is, and whose ``value`` is the
cleaned input (outer spaces and quotes removed) that the wizard should use. ``error`` blocks Next;
``warn`` is shown but lets the advisor go on (we can be wrong about unusual but valid values).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal
from urllib.parse import urlsplit

from app.salesforce import urls

Level = Literal["ok", "info", "warn", "error"]

_QUOTES = "\"'`<>“”‘’«»"
# Consumer keys and secrets are drawn from this set; anything else came along with the paste.
_KEY_CHARS = re.compile(r"[^A-Za-z0-9._~+/=-]")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s.]+(?:\.[^@\s.]+)+$")
_LABEL_PREFIXES = ("consumer key", "consumer secret", "client id", "client secret", "key:", "secret:")
# Salesforce consumer keys start with 3MVG; secrets are 64 hex characters (newer apps) or a long
# number (older ones). These shapes are how we notice a swap.
KEY_PREFIX = "3MVG"


@dataclass(frozen=True)
class Check:
    level: Level
    message: str = ""
    value: str = ""

    @property
    def ok(self) -> bool:
        return self.level != "error"


@dataclass(frozen=True)
class OrgCheck:
    level: Level
    message: str
    login_url: str | None
    custom_domain: bool = False  # a well-formed non-Salesforce domain: "Use anyway" may accept it

    @property
    def ok(self) -> bool:
        return self.login_url is not None


def clean_pasted(text: str) -> str:
    """Remove what surrounds a pasted value: spaces, line breaks and quotes (even nested)."""
    text = (text or "").strip()
    while len(text) >= 2 and text[0] in _QUOTES and text[-1] in _QUOTES:
        text = text[1:-1].strip()
    return text.strip(_QUOTES + " \t\r\n")


def looks_like_key(value: str) -> bool:
    return value.startswith(KEY_PREFIX) and len(value) >= 40


def looks_like_secret(value: str) -> bool:
    return bool(re.fullmatch(r"[0-9]{15,25}", value) or re.fullmatch(r"[0-9A-Fa-f]{64}", value))


def pasted_twice(value: str) -> bool:
    """A key followed by itself ("3MVG…3MVG…"): pasting into a box that already held the key.
    Only a string made of two copies of a key-shaped value counts, so a real key never trips it."""
    half, odd = divmod(len(value), 2)
    return not odd and value[:half] == value[half:] and looks_like_key(value[:half])


def _common_problems(value: str, what: str, *, other: str, other_what: str) -> Check | None:
    lowered = value.lower()
    if any(lowered.startswith(prefix) for prefix in _LABEL_PREFIXES):
        return Check("error", f"Paste only the {what} itself, without its label in front.", value)
    if any(ch.isspace() for ch in value):
        return Check(
            "error",
            f"The {what} has a space or line break in the middle — it was probably copied together "
            f"with other text. Copy only the {what}, in one piece.",
            value,
        )
    if other and value == other:
        return Check(
            "error",
            f"The {what} and the {other_what} are the same — one of them was pasted twice. "
            f"The key starts with {KEY_PREFIX}; the secret is the other value.",
            value,
        )
    bad = _KEY_CHARS.search(value)
    if bad:
        return Check(
            "error",
            f"The {what} contains “{bad.group(0)}”, which never appears in one. Copy it again from the "
            "app's OAuth settings in Salesforce.",
            value,
        )
    return None


def check_consumer_key(text: str, secret_text: str = "", *, expect_salesforce_shape: bool = True) -> Check:
    """The Consumer Key (required). ``secret_text`` lets us spot the two pasted the wrong way round."""
    key, secret = clean_pasted(text), clean_pasted(secret_text)
    if not key:
        return Check("error", "Enter the Consumer Key. It is required to sign in.", key)
    problem = _common_problems(key, "key", other=secret, other_what="secret")
    if problem:
        return problem
    if pasted_twice(key):
        return Check(
            "error",
            "The Consumer Key was pasted twice in a row. Clear the box and paste it once.",
            key,
        )
    if secret and looks_like_secret(key) and looks_like_key(secret):
        return Check(
            "error",
            f"The key and the secret look swapped: the Consumer Key starts with {KEY_PREFIX} and is the "
            "longer value. Put it in Consumer Key and the other one in Consumer Secret.",
            key,
        )
    if looks_like_secret(key):
        return Check(
            "warn",
            f"This looks like a Consumer Secret rather than the key (keys start with {KEY_PREFIX}). "
            "Check that you copied the Consumer Key.",
            key,
        )
    if expect_salesforce_shape and not key.startswith(KEY_PREFIX):
        return Check(
            "warn",
            f"Salesforce consumer keys start with {KEY_PREFIX}. Check that you copied the whole "
            "Consumer Key.",
            key,
        )
    return Check("ok", "", key)


def check_consumer_secret(text: str, key_text: str = "") -> Check:
    """The Consumer Secret (optional: only for apps that require it)."""
    secret, key = clean_pasted(text), clean_pasted(key_text)
    if not secret:
        return Check("info", "Leave this empty unless the app requires a secret.", "")
    problem = _common_problems(secret, "secret", other=key, other_what="key")
    if problem:
        return problem
    if looks_like_key(secret) and not looks_like_key(key):
        return Check(
            "error",
            f"This looks like the Consumer Key (it starts with {KEY_PREFIX}), not the secret. Put it in "
            "Consumer Key above.",
            secret,
        )
    return Check("ok", "", secret)


def check_email(text: str) -> Check:
    email = clean_pasted(text)
    if email.lower().startswith("mailto:"):
        email = email[len("mailto:"):]
    if not email:
        return Check("error", "Enter your email address; Salesforce requires a contact email for the app.", "")
    if not _EMAIL.match(email):
        return Check("error", f"“{email[:80]}” is not an email address, for example jane@example.com.", email)
    return Check("ok", "", email)


def check_org(kind: str, address: str, *, allow_custom: bool = False) -> OrgCheck:
    """Which address to sign in at, for the advisor's choice on the "Your org" page."""
    if kind == "production":
        return OrgCheck("ok", f"We'll use {urls.LOGIN_PRODUCTION}", urls.LOGIN_PRODUCTION)
    if kind == "sandbox":
        return OrgCheck("ok", f"We'll use {urls.LOGIN_SANDBOX}", urls.LOGIN_SANDBOX)
    if not clean_pasted(address):
        return OrgCheck("info", f"Enter your My Domain address, for example {urls.EXAMPLE}.", None)
    try:
        normalized = urls.normalize_instance_url(address, allow_custom=allow_custom)
    except urls.NotSalesforceHost as exc:
        return OrgCheck("warn", str(exc), None, custom_domain=True)
    except ValueError as exc:
        return OrgCheck("error", str(exc), None)
    host = urlsplit(normalized).hostname or ""
    if urls.is_local_host(host):
        return OrgCheck("ok", f"We'll use {normalized} (the demo org on this computer)", normalized)
    if not urls.is_salesforce_host(host):
        return OrgCheck("ok", f"We'll use {normalized} (your company's own domain)", normalized,
                        custom_domain=True)
    return OrgCheck("ok", f"We'll use {normalized}", normalized)
