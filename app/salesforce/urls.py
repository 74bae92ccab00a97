"""Salesforce addresses: what an advisor pastes, turned into the one URL the app talks to.

Advisors copy whatever is in their browser's address bar — a Lightning page, a Setup page, a bare
host, sometimes wrapped in quotes. This module turns all of those into the org's My Domain URL (or a
login host) and explains, in plain words, why anything else is refused. It is also the single home of
the OAuth endpoint paths so no other module builds Salesforce URLs by hand.
"""

from __future__ import annotations

import ipaddress
import re
from urllib.parse import urlsplit

LOGIN_PRODUCTION = "https://login.salesforce.com"
LOGIN_SANDBOX = "https://test.salesforce.com"

# Hosts an advisor's browser shows that belong to Salesforce. My Domain formats:
# https://help.salesforce.com/s/articleView?id=sf.domain_name_formats.htm
_SALESFORCE_SUFFIXES = (
    "salesforce.com",
    "force.com",
    "salesforce-setup.com",
    "visualforce.com",
    "cloudforce.com",
    "database.com",
    "salesforce.mil",
    "crmforce.mil",
    "sfcrmproducts.cn",
)
# Host suffix rewrites: the Lightning UI, Setup and Visualforce live on sibling domains of the org's
# My Domain, which is the only one that serves the REST API and OAuth for that org.
_REWRITES = (
    (".lightning.force.com", ".my.salesforce.com"),
    (".my.salesforce-setup.com", ".my.salesforce.com"),
    (".lightning.crmforce.mil", ".my.salesforce.mil"),
    (".my.salesforce-setup.mil", ".my.salesforce.mil"),
)
# Marketing sites and bare suffixes: Salesforce, but not anybody's org.
_NOT_AN_ORG = {
    "salesforce.com",
    "www.salesforce.com",
    "my.salesforce.com",
    "force.com",
    "lightning.force.com",
    "help.salesforce.com",
    "developer.salesforce.com",
    "trailhead.salesforce.com",
}
_LOCAL_HOSTS = {"localhost", "127.0.0.1", "::1"}
_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")
_VISUALFORCE = re.compile(
    r"^([a-z0-9-]+?)--c\.((?:sandbox\.|develop\.|scratch\.)?)(?:vf\.force|visualforce)\.com$"
)
_QUOTES = "\"'`<>“”‘’«»"

EXAMPLE = "acme.my.salesforce.com"


class NotSalesforceHost(ValueError):
    """The address is well-formed but not a Salesforce domain.

    Custom domains (a CNAME to Salesforce) are legitimate, so the wizard offers "use anyway": it
    calls ``normalize_instance_url(text, allow_custom=True)`` or uses ``.normalized`` directly.
    """

    def __init__(self, message: str, normalized: str) -> None:
        super().__init__(message)
        self.normalized = normalized


def is_local_host(host: str) -> bool:
    """True for the loopback names the demo org uses (plain http is allowed only for these)."""
    host = host.strip("[]").lower()
    if host in _LOCAL_HOSTS:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def is_salesforce_host(host: str) -> bool:
    host = host.lower().rstrip(".")
    return any(host == s or host.endswith("." + s) for s in _SALESFORCE_SUFFIXES)


def _clean(text: str) -> str:
    text = (text or "").strip()
    # Quotes (straight, curly, angle brackets from e-mail clients) may wrap the pasted address, even
    # nested: '"https://…"'.
    while len(text) >= 2 and text[0] in _QUOTES and text[-1] in _QUOTES:
        text = text[1:-1].strip()
    return text.strip(_QUOTES + " ")


def _rewrite_host(host: str) -> str:
    for suffix, replacement in _REWRITES:
        if host.endswith(suffix):
            return host[: -len(suffix)] + replacement
    # Visualforce pages: acme--c.vf.force.com, acme--uat--c.sandbox.vf.force.com,
    # acme--c.visualforce.com → the org's My Domain.
    m = _VISUALFORCE.match(host)
    if m:
        return f"{m.group(1)}.{m.group(2)}my.salesforce.com"
    return host


def normalize_instance_url(text: str, *, allow_custom: bool = False) -> str:
    """Return ``https://host`` (or ``http://localhost:port`` for the demo org) for a pasted address.

    Raises ``ValueError`` whose message can be shown to an advisor as is; ``NotSalesforceHost`` (a
    ``ValueError``) when only the domain is unfamiliar and ``allow_custom`` would accept it.
    """
    cleaned = _clean(text)
    if not cleaned:
        raise ValueError(f"Enter your Salesforce address, for example {EXAMPLE}.")
    if any(ch.isspace() for ch in cleaned):
        raise ValueError(
            f"“{cleaned[:80]}” is not a web address. Copy the address from your browser while you are "
            f"signed in to Salesforce, for example https://{EXAMPLE}."
        )
    if "://" not in cleaned:
        if re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*:(?!\d)", cleaned):
            raise ValueError("Salesforce addresses start with https:// — this one starts differently.")
        cleaned = "https://" + cleaned.lstrip("/")
    try:
        parts = urlsplit(cleaned)
        port = parts.port
    except ValueError:
        raise ValueError(f"“{cleaned[:80]}” is not a web address, for example https://{EXAMPLE}.") from None
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").rstrip(".")
    if scheme not in ("http", "https"):
        raise ValueError("Salesforce addresses start with https:// — this one starts differently.")
    if not host:
        raise ValueError(f"“{cleaned[:80]}” has no host name. A Salesforce address looks like {EXAMPLE}.")
    if parts.username or parts.password:
        raise ValueError("The address contains a user name or password. Paste only the web address.")

    if is_local_host(host):
        # The demo org: plain http on the loopback interface is the one exception to https-only.
        shown = f"[{host}]" if ":" in host else host
        return f"{scheme}://{shown}" + (f":{port}" if port else "")
    if scheme == "http":
        raise ValueError(
            "Salesforce only works over a secure connection. Use the address that starts with https://."
        )
    labels = host.split(".")
    if len(labels) < 2 or not all(_LABEL.match(label) for label in labels) or labels[-1].isdigit():
        raise ValueError(f"“{host}” is not a valid web address. A Salesforce address looks like {EXAMPLE}.")

    host = _rewrite_host(host)
    if host in _NOT_AN_ORG:
        raise ValueError(
            f"{host} is Salesforce's public website, not your organisation's address. Sign in to "
            f"Salesforce and copy the address of any page, for example https://{EXAMPLE}."
        )
    suffix = f":{port}" if port and port != 443 else ""
    normalized = f"https://{host}{suffix}"
    if not is_salesforce_host(host) and not allow_custom:
        raise NotSalesforceHost(
            f"{host} does not look like a Salesforce address (those end in .salesforce.com or "
            "force.com). If your company signs in to Salesforce through its own domain, choose "
            "“Use anyway”.",
            normalized,
        )
    return normalized


def is_login_host(url: str) -> bool:
    host = (urlsplit(url).hostname or "").lower()
    return host in ("login.salesforce.com", "test.salesforce.com")


# -- OAuth and REST endpoints (paths are fixed by Salesforce) ---------------------------------------

def authorize_endpoint(login_url: str) -> str:
    return login_url.rstrip("/") + "/services/oauth2/authorize"


def token_endpoint(login_url: str) -> str:
    return login_url.rstrip("/") + "/services/oauth2/token"


def revoke_endpoint(login_url: str) -> str:
    return login_url.rstrip("/") + "/services/oauth2/revoke"


def userinfo_endpoint(base_url: str) -> str:
    return base_url.rstrip("/") + "/services/oauth2/userinfo"


def versions_endpoint(instance_url: str) -> str:
    return instance_url.rstrip("/") + "/services/data/"


def data_root(api_version: str) -> str:
    """The path prefix of every REST resource for a version: ``/services/data/v66.0``."""
    return f"/services/data/v{api_version}"


def same_origin(a: str, b: str) -> bool:
    pa, pb = urlsplit(a), urlsplit(b)
    return (pa.scheme, pa.hostname, pa.port) == (pb.scheme, pb.hostname, pb.port)
