"""Which REST API version to speak: the org's newest, but never newer than we have tested.

Salesforce keeps old versions working for years, while a new version can change behaviour; pinning a
maximum keeps Notebridge's requests stable when orgs upgrade. Versions list:
https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_versions.htm
(``GET /services/data/`` — no authentication, and it does not count against the API limit).
"""

from __future__ import annotations

import re
from typing import Any

MAX_API_VERSION = "66.0"  # Spring '26
MIN_API_VERSION = "46.0"  # upsert answers 200 {"created": false} from 46.0 on
_VERSION = re.compile(r"^\d{2,3}\.\d$")


def version_key(version: str) -> tuple[int, int]:
    major, _, minor = version.partition(".")
    return int(major), int(minor or 0)


def is_version(text: str) -> bool:
    return bool(_VERSION.match(text))


def pick_version(available: Any, max_version: str = MAX_API_VERSION) -> str | None:
    """The newest version in a ``/services/data/`` answer that is ≤ ``max_version`` (None if none)."""
    if not isinstance(available, list):
        return None
    found = []
    for item in available:
        version = str(item.get("version", "")) if isinstance(item, dict) else ""
        if is_version(version) and version_key(version) <= version_key(max_version):
            found.append(version)
    if not found:
        return None
    best = max(found, key=version_key)
    return best if version_key(best) >= version_key(MIN_API_VERSION) else None


def version_from_rest_url(url: str | None) -> str | None:
    """``…/services/data/v62.0/`` → ``62.0``; identity answers often carry a literal ``{version}``."""
    m = re.search(r"/services/data/v(\d{2,3}\.\d)", url or "")
    return m.group(1) if m else None
