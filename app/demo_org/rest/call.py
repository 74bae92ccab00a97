"""One REST call after authentication: what composite subrequests and top-level requests share.

Composite runs its subrequests through the same routes as top-level requests; both are expressed as a
``Call`` (method, version, path segments, parameters, parsed JSON body, acting user) producing a
``Result`` (status, JSON payload or raw bytes, headers).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

WRITE_METHODS = frozenset({"POST", "PATCH", "PUT", "DELETE"})


@dataclass
class Call:
    method: str
    version: str
    parts: list[str]
    params: dict[str, str]
    body: Any
    user_id: str
    headers: Mapping[str, str] = field(default_factory=dict)
    force_all_or_none: bool = False  # set for collections inside an allOrNone composite request

    @property
    def api_version(self) -> float:
        return float(self.version)


@dataclass
class Result:
    status: int
    payload: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    raw: bytes | None = None
    content_type: str | None = None
    read_only: bool = False  # a POST that only reads (collections retrieve): never a "committed write"
