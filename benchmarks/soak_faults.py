"""The org misbehaving during the soak, on a thread of the driver, through the demo org's controls.

Every 1–2 s one of (weights 5:2:1:1): latency jitter (0–120 ms on every request), a write whose
answer is lost after it committed, a burst of 1–3 503s, every access token expired (the app must
refresh); and about once a minute an API-limit spell (usage set past the app's reserve for 5 s, then
back to 0).
"""

from __future__ import annotations

import random
import threading
import time
from collections import Counter
from typing import TYPE_CHECKING

import httpx

if TYPE_CHECKING:
    from benchmarks.soak_procs import SoakOrg

API_LIMIT = 1_000_000  # benchmarks.workspace.OrgProcess starts the org with this daily allowance
SPELL_SECONDS = 5.0
SPELL_EVERY = 60.0
SPELL_AFTERGLOW = 4.0  # the app looks at its budget again 3 s after a pause (soak_child)


class FaultSpells:
    def __init__(self, org: SoakOrg, rng: random.Random) -> None:
        self.org, self.rng = org, rng
        self.counts: Counter[str] = Counter()
        self._stop = threading.Event()
        self._spell_until = 0.0
        self._spell_ended = -SPELL_AFTERGLOW
        self._next_spell = time.monotonic() + rng.uniform(15, SPELL_EVERY)
        self._control = httpx.Client(base_url=f"{org.base_url}/__demo__", verify=org.ca_file or True,
                                     trust_env=False, timeout=30,
                                     headers={"Authorization": f"Bearer {org.control_token}"})
        self._thread = threading.Thread(target=self._run, name="soak-faults", daemon=True)
        self._thread.start()

    def _command(self, name: str, **kwargs: object) -> None:
        self._control.post(f"/{name}", json=kwargs).raise_for_status()

    def _run(self) -> None:
        while not self._stop.wait(self.rng.uniform(1.0, 2.0)):
            now = time.monotonic()
            if self._spell_until and now >= self._spell_until:
                self._command("set_api_usage", used=0)
                self._spell_until, self._spell_ended = 0.0, now
            if not self._spell_until and now >= self._next_spell:
                self._command("set_api_usage", used=API_LIMIT - 1000)
                self._spell_until = now + SPELL_SECONDS
                self._next_spell = now + SPELL_EVERY * self.rng.uniform(0.7, 1.3)
                self.counts["api_limit_spell"] += 1
                continue
            fault = self.rng.choices(("latency", "drop", "burst", "expire"), weights=(5, 2, 1, 1))[0]
            if fault == "latency":
                self._command("set_latency", ms=self.rng.uniform(0, 120))
            elif fault == "drop":
                self._command("drop_after_commit", n=1)
            elif fault == "burst":
                self._command("fail_next", n=self.rng.randint(1, 3), status=503)
            else:
                self._command("expire_access_tokens")
            self.counts[fault] += 1

    @property
    def limit_spell(self) -> bool:
        """Whether an API-limit spell is on, or ended too recently for the app to have noticed."""
        return bool(self._spell_until) or time.monotonic() < self._spell_ended + SPELL_AFTERGLOW

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=10)
        self._command("clear_faults")
        self._command("set_api_usage", used=0)
        self._control.close()

    def summary(self) -> dict[str, int]:
        return {"latency_jitter_changes": self.counts["latency"], "dropped_after_commit": self.counts["drop"],
                "503_bursts": self.counts["burst"], "tokens_expired": self.counts["expire"],
                "api_limit_spells": self.counts["api_limit_spell"]}
