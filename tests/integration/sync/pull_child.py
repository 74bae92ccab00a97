"""A pull in its own process, so a test can kill it mid-sync (``python -m tests.integration.sync.pull_child``).

Arguments: workspace path, instance URL, access token, connection id.  Prints ``committed <n>``
after each page is on disk, so the test knows when to pull the plug.
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

from app.salesforce.client import SalesforceClient
from app.store import Database
from app.sync.progress import SyncProgress
from app.sync.pull.engine import PullEngine
from app.sync.pull.types import PullPreferences


async def main(path: str, instance_url: str, token: str, connection_id: int) -> None:
    db = await Database.open(Path(path))

    def progress(p: SyncProgress) -> None:
        if p.object == "Contact" and p.done:
            print(f"committed {p.done}", flush=True)

    async with SalesforceClient(instance_url, token) as client:
        result = await PullEngine(client, db, connection_id, PullPreferences(), on_progress=progress).run()
    print(f"finished {result.outcome}", flush=True)
    await db.close()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])))
