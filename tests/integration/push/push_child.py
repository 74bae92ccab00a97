"""A Notebridge push in its own process, for the kill -9 test: ``push_child.py DB BASE_URL TOKEN CONN``.

Runs the real engine with small batches and prints one line per batch, so the test can kill it at
chosen moments (mid-request included) and check what Salesforce ends up with.
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

from app.salesforce.client import SalesforceClient
from app.store import Database
from app.sync.progress import SyncProgress
from app.sync.push.engine import PushEngine, PushSettings


async def main(db_path: str, base_url: str, token: str, connection_id: int) -> None:
    db = await Database.open(Path(db_path))

    def progress(p: SyncProgress) -> None:
        print(f"progress {p.done} {p.api_calls}", flush=True)

    async with SalesforceClient(base_url, token, max_retries=0) as client:
        engine = PushEngine(client, db, connection_id, PushSettings(batch_size=4, composite_max_notes=2),
                            on_progress=progress)
        print("started", flush=True)
        report = await engine.push()
        print(f"done {report.status} {report.pushed}", flush=True)
    await db.close()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])))
