"""One Notebridge process on a shared workspace, for tests/reliability/test_two_processes.py.

``two_processes_child.py MODE DB [BASE_URL TOKEN CONN]`` — prints ``ready`` once imported and opened,
waits for a ``go`` line on stdin (so several children start at the same instant), does its one thing,
prints one result line, then keeps what it holds until stdin closes (so the test decides when it ends).

Modes:
  push    run the real push engine (prints ``pushed N`` or ``refused <message>``)
  take    skip the engine and take outbox rows through the store directly, as a buggy caller would
          (prints ``took N`` or ``refused <message>``)
  launch  the GUI's start-up decision, ``SingleInstance.claim`` (prints ``first`` / ``raised`` /
          ``unreachable``; the first also prints ``raise-requests N`` when it ends)
"""

from __future__ import annotations

import asyncio
import sys
import threading
from pathlib import Path


def _wait_for_go() -> None:
    print("ready", flush=True)
    line = sys.stdin.readline()
    if line.strip() != "go":
        sys.exit(3)


async def push(db_path: Path, base_url: str, token: str, connection_id: int) -> None:
    from app.salesforce.client import SalesforceClient
    from app.store import Database, WorkspaceBusyError
    from app.sync.push.engine import PushEngine, PushSettings

    db = await Database.open(db_path)
    async with SalesforceClient(base_url, token, max_retries=0) as client:
        engine = PushEngine(client, db, connection_id, PushSettings(batch_size=10, composite_max_notes=2))
        await asyncio.to_thread(_wait_for_go)
        try:
            report = await engine.push()
        except WorkspaceBusyError as exc:
            print(f"refused {exc}", flush=True)
        else:
            print(f"pushed {report.pushed} {report.status}", flush=True)
        await asyncio.to_thread(sys.stdin.read)  # hold the workspace until the test lets go
    await db.close()


async def take(db_path: Path, connection_id: int) -> None:
    from app.store import Database, NotWorkspaceWriterError, outbox_bulk
    from app.store import outbox as outbox_repo
    from app.store.types import utcnow

    db = await Database.open(db_path)
    await asyncio.to_thread(_wait_for_go)
    refusals = []
    try:
        work = await db.run(lambda s: outbox_repo.due(s, connection_id, utcnow()))
        print(f"took {len(work)}", flush=True)
    except NotWorkspaceWriterError as exc:
        refusals.append(str(exc))
    try:  # even with ids known from elsewhere, marking rows "sending" is refused
        await db.run(lambda s: outbox_bulk.mark_sending(s, [(1, {"record": {}})]))
        print("took 1", flush=True)
    except NotWorkspaceWriterError as exc:
        refusals.append(str(exc))
    if len(refusals) == 2:
        print(f"refused {refusals[0]}", flush=True)
    await asyncio.to_thread(sys.stdin.read)
    await db.close()


def launch(db_path: Path) -> None:
    from PySide6.QtCore import QCoreApplication, QTimer

    from app.ui.single_instance import Launch, SingleInstance

    app = QCoreApplication([])
    instance = SingleInstance(db_path.parent, db_path)
    _wait_for_go()
    outcome = instance.claim()
    print({Launch.FIRST: "first", Launch.RAISED: "raised", Launch.UNREACHABLE: "unreachable"}[outcome],
          flush=True)
    if outcome is not Launch.FIRST:
        return  # a second launch goes away at once, as the app does
    raises = 0

    def raised() -> None:
        nonlocal raises
        raises += 1

    instance.raise_requested.connect(raised)
    done = threading.Event()
    threading.Thread(target=lambda: (sys.stdin.read(), done.set()), daemon=True).start()
    poll = QTimer()
    poll.timeout.connect(lambda: done.is_set() and app.quit())
    poll.start(20)
    app.exec()
    print(f"raise-requests {raises}", flush=True)
    instance.release()


if __name__ == "__main__":
    mode, db = sys.argv[1], Path(sys.argv[2])
    if mode == "push":
        asyncio.run(push(db, sys.argv[3], sys.argv[4], int(sys.argv[5])))
    elif mode == "take":
        asyncio.run(take(db, int(sys.argv[3])))
    elif mode == "launch":
        launch(db)
    else:
        sys.exit(f"unknown mode {mode}")
