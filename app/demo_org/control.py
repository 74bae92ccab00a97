"""``/__demo__/…``: the run-time controls over HTTP, for an org running as a subprocess.

``GET /__demo__/info``, ``GET /__demo__/stats``, ``GET /__demo__/records/<sObject>`` and
``POST /__demo__/<command>`` with a JSON object of keyword arguments, where <command> is one of the
names in ``OrgCore.controls`` (the same names as the ``DemoOrg`` methods, e.g. ``fail_next``
``{"n": 2, "status": 503}``).
Answers ``{"ok": true, "result": …}``; bad input gives 400 ``{"ok": false, "error": "…"}``. Never under
``/services/`` so it cannot be mistaken for (or counted as) Salesforce API traffic.

Every control needs ``Authorization: Bearer <control_token>`` (the ``control_token`` of ``info()``, which
the CLI prints in its one JSON line): the controls reveal the org's secrets and can make it misbehave,
and anything on the machine can reach a localhost port. Without it: 401.
"""

from __future__ import annotations

import hmac
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from app.demo_org.errors import SfError
from app.demo_org.http_types import Request, Response, json_response


@dataclass(frozen=True)
class Controls:
    """What the org exposes to its controls; the org builds it (``OrgCore.controls``), so this module
    only speaks HTTP and never needs the org's class."""

    token: str
    info: Callable[[], Any]
    stats: Callable[[], Any]
    records: Callable[[str], Any]
    commands: Mapping[str, Callable[..., Any]]


def _authorised(controls: Controls, request: Request) -> bool:
    scheme, _, token = (request.header("Authorization") or "").partition(" ")
    return scheme.lower() == "bearer" and hmac.compare_digest(token.strip().encode(), controls.token.encode())


def handle_control(controls: Controls, request: Request) -> Response:
    if not _authorised(controls, request):
        response = json_response(401, {"ok": False, "error": "the demo org's controls need "
                                       "'Authorization: Bearer <control_token>' (see info())"})
        response.headers["WWW-Authenticate"] = 'Bearer realm="demo-org-controls"'
        return response
    parts = [p for p in request.path.split("/") if p][1:]
    try:
        if request.method == "GET" and parts == ["info"]:
            return json_response(200, controls.info())
        if request.method == "GET" and parts == ["stats"]:
            return json_response(200, controls.stats())
        if request.method == "GET" and len(parts) == 2 and parts[0] == "records":
            return json_response(200, controls.records(parts[1]))
        commands = controls.commands
        if request.method == "POST" and len(parts) == 1 and parts[0] in commands:
            kwargs = request.json() or {}
            if not isinstance(kwargs, dict):
                raise ValueError("the body must be a JSON object of keyword arguments")
            result = commands[parts[0]](**kwargs)
            return json_response(200, {"ok": True, "result": result})
    except (TypeError, ValueError, KeyError) as error:
        return json_response(400, {"ok": False, "error": str(error)})
    except SfError as error:
        return json_response(400, {"ok": False, "error": error.message, "errorCode": error.error_code})
    return json_response(404, {"ok": False, "error": f"unknown control: {request.method} {request.path}",
                               "commands": sorted(controls.commands)})
