"""API calls per kind in the push benchmark (:mod:`benchmarks.push`), against each kind's minimum.

Every request the client makes is counted against the kind whose group is being sent (the engine
sends one kind's groups at a time, through that kind's handler's ``send``: its describe, its batches,
the lookups after a lost answer).  Requests made outside any kind's ``send`` — the API version
discovery, reconciling what an earlier run left "sending", the household links at the end — are
counted as ``run``.

The minimum of a kind is the collections calls its items need at 200 records a call: ⌈n/200⌉, and
twice that for notes (the ContentNotes, then their links).
"""

from __future__ import annotations

import copy
import math
from collections import Counter
from collections.abc import Mapping
from typing import Any

from app.salesforce.client import SalesforceClient
from app.store.kinds import ItemKind
from app.store.outbox import PushWork
from app.sync.push.kinds import HANDLERS, DraftHandler, KindHandler
from app.sync.push.run import PushRun

BATCH = 200  # records per collections call (sObject Collections' limit)
RUN = "run"  # requests made outside any kind's send
VERSIONS = "/services/data"  # the API versions resource: asked once per client (the org does not count it)


def minimum(kind: ItemKind, n: int) -> int:
    """The fewest collections calls ``n`` items of ``kind`` can take."""
    return (2 if kind == ItemKind.NOTE else 1) * math.ceil(n / BATCH)


class CallsByKind:
    """Counts the client's requests by the kind being sent (see the module's docstring)."""

    def __init__(self) -> None:
        self.calls: Counter[str] = Counter()
        self._current = RUN

    def install(self, client: SalesforceClient) -> None:
        """Wrap ``client.request`` (after any other wrapper, so each request is counted once)."""
        original = client.request

        async def request(method: str, path: str, **kwargs: Any) -> Any:
            version_discovery = path.rstrip("/") == VERSIONS  # once per client, whichever kind asks first
            self.calls[RUN if version_discovery else self._current] += 1
            return await original(method, path, **kwargs)

        client.request = request  # type: ignore[method-assign]

    def handlers(self, handlers: Mapping[ItemKind, KindHandler] = HANDLERS) -> dict[ItemKind, KindHandler]:
        """Copies of the registry's handlers whose ``send`` marks the kind being sent."""
        counted: dict[ItemKind, KindHandler] = {}
        for kind, handler in handlers.items():
            if not isinstance(handler, DraftHandler):
                counted[kind] = handler
                continue
            twin = copy.copy(handler)
            original = handler.send

            async def send(group: str, chunk: list[PushWork], run: PushRun, _kind: ItemKind = kind,
                           _send: Any = original) -> list[int]:
                self._current = _kind.value
                try:
                    return list(await _send(group, chunk, run))
                finally:
                    self._current = RUN

            twin.send = send  # type: ignore[method-assign]
            counted[kind] = twin
        return counted

    def report(self, counts: Mapping[ItemKind, int], server_calls: int) -> dict[str, Any]:
        """Per kind: items, calls, minimum and their ratio; plus ``run`` and what the org counted
        that the client did not send itself (retries inside one request)."""
        kinds: dict[str, Any] = {}
        for kind, n in counts.items():
            if not n:
                continue
            least, calls = minimum(kind, n), self.calls.get(kind.value, 0)
            kinds[kind.value] = {"items": n, "api_calls": calls, "minimum": least,
                                 "calls_vs_minimum": round(calls / least, 2)}
        return {"by_kind": kinds, "run_calls": self.calls.get(RUN, 0),
                "uncounted_calls": server_calls - sum(self.calls.values())}


__all__ = ["BATCH", "CallsByKind", "minimum"]
