"""The embedded demo org behind `notebridge --demo` and the wizard's "Try the demo org".

The demo org serves from its own threads, so it never blocks our loop; starting it (seeding) runs in a
worker thread too. It prefers a fixed port so a saved demo connection keeps pointing at the same
address across runs (the org is deterministic for a seed; its tokens are per process, so each start
signs in afresh — see ``app.services.demo_workspace``).

The org is started with its app's Permitted Users policy set to "Admin approved users are
pre-authorized", as a company's admin would set it for its own advisors: the org then approves the
sign-in without a login or "Allow" page. That is the org's setting, applied on its side only.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from typing import Any

from app.demo_org import DemoOrg

log = logging.getLogger(__name__)

PREFERRED_PORT = 47615
DEMO_CONTACTS = 1000


class EmbeddedDemo:
    def __init__(self, *, contacts: int = DEMO_CONTACTS) -> None:
        self.contacts = contacts
        self.org: DemoOrg | None = None
        self._lock = asyncio.Lock()

    async def start(self) -> Mapping[str, Any]:
        """Start once; later calls return the same org's values (what the wizard fills in)."""
        async with self._lock:
            if self.org is None:
                self.org = await asyncio.to_thread(self._start_blocking)
                log.info("demo org running at %s", self.org.base_url)
            return self.org.info()

    def _start_blocking(self) -> DemoOrg:
        try:
            return DemoOrg(contacts=self.contacts, seed=1, port=PREFERRED_PORT, pre_authorized=True).start()
        except OSError:  # the preferred port is taken (e.g. another demo): any free port works
            return DemoOrg(contacts=self.contacts, seed=1, port=0, pre_authorized=True).start()

    async def stop(self) -> None:
        if self.org is not None:
            org, self.org = self.org, None
            await asyncio.to_thread(org.stop)
