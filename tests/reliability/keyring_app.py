"""Notebridge's sign-in, sync and disconnect in a process of its own, for the keyring end-to-end test.

``python -m tests.reliability.keyring_app PHASE`` from the repository root, with a JSON object on
stdin: the demo org's address, its consumer key, the advisor's username and password for the browser
stand-in, and ``report`` (where to write what the crash dialog would show). The keyring is whatever
``keyring`` finds in the environment the test gives this process — exactly as on a desktop. Phases:

- ``sign-in``: sign in through the browser flow (the wizard's code path), then ``work``; exits cleanly.
- ``work``: a restart: the saved sign-in comes back from the keyring, a pull, a note pushed, the sync
  log exported as the Settings page does, a setting saved, a bug's traceback full of secrets reported
  through the crash hooks — then a hard crash (SIGABRT) with the workspace still open.
- ``disconnect``: a restart after that crash: the previous crash is reported, the sign-in is tested
  for real, a second note is pushed, then Disconnect (revoke, remove the secrets).

Prints one line ``result {json}`` (never a secret: the test scans this output too).
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import resource
import sys
from pathlib import Path
from typing import Any

from app import crash, secrets
from app.logs import setup_logging
from app.paths import AppPaths, paths
from app.salesforce.auth import sign_in
from app.store import Database, sync_log
from app.store import contacts as contacts_repo
from app.store import notes as notes_repo
from app.store import outbox as outbox_repo
from app.store import settings as settings_repo
from app.sync.connection import CONSUMER_SECRET, REFRESH_TOKEN, ConnectionManager
from app.sync.pull.engine import PullEngine
from app.sync.pull.types import PullPreferences
from app.sync.push.engine import PushEngine
from app.ui.settings import log_export
from tests.support.browser_by_http import approve_in_browser_async

SYNC_LOG_EXPORT = "sync-log.csv"
CRASH_HEADLINE = "Something went wrong inside Notebridge."


def _start(report: Path) -> tuple[AppPaths, str | None]:
    """What the GUI's start-up does before the window: folders, DEBUG log file, crash hooks."""
    app_paths = paths().ensure()
    setup_logging(app_paths.log_file, level=logging.DEBUG)
    previous = crash.install(app_paths.crash_file)

    def show(headline: str, details: str) -> None:  # the crash dialog's text, as "copy details" gives it
        with report.open("a", encoding="utf-8") as out:
            out.write(f"{headline}\n{details}\n\n")

    crash.set_reporter(show)
    if previous:
        show("Notebridge closed unexpectedly last time. Nothing you saved was lost.", previous)
    return app_paths, previous


async def _sign_in(manager: ConnectionManager, job: dict[str, Any]) -> None:
    async def browser(url: str) -> None:
        await approve_in_browser_async(url, job["username"], job["password"], follow=True)

    result = await sign_in(job["login_url"], job["consumer_key"], None, job["callback_urls"], browser, 30)
    await manager.save_sign_in(result, login_url=result.login_url, consumer_key=job["consumer_key"],
                               consumer_secret=None)


async def _push_note(manager: ConnectionManager, db: Database, title: str) -> dict[str, Any]:
    active = manager.active
    assert active is not None
    cid = active.connection_id

    def write(session: Any) -> int:
        person = contacts_repo.page(session, cid, 0, 1)[0]
        note = notes_repo.create(session, cid, contact_id=person.id, title=title,
                                 body_markdown="Discussed the **rollover**.")
        outbox_repo.enqueue(session, "note", note.id)
        return note.id

    note_id = await db.run(write)
    report = await PushEngine(await manager.client(), db, cid).push()
    return {"note_id": note_id, "push_status": report.status, "pushed": report.pushed}


async def _work(manager: ConnectionManager, db: Database, app_paths: AppPaths) -> dict[str, Any]:
    active = manager.active
    assert active is not None
    pulled = await PullEngine(await manager.client(), db, active.connection_id, PullPreferences()).run(full=True)
    out: dict[str, Any] = {"pull_ok": pulled.ok, **await _push_note(manager, db, "Quarterly review")}
    # Settings → Sync log → Export: the same rows and CSV the page writes.
    rows = await db.run(lambda s: sync_log.entries(s, active.connection_id))
    app_paths.exports.mkdir(parents=True, exist_ok=True)
    export = app_paths.exports / SYNC_LOG_EXPORT
    export.write_text(log_export.csv_text(rows, active.instance_url), encoding="utf-8", newline="")
    await db.run(lambda s: settings_repo.put(s, active.connection_id, "sync.interval_minutes", 15))
    out["log_rows"] = len(rows)
    return out


async def _report_a_bug(manager: ConnectionManager) -> None:
    """A bug whose message carries every secret this process holds, escaping to the crash hooks."""
    active = manager.active
    assert active is not None
    client = await manager.client()
    refresh_token = await secrets.aload_secret(active.secret_key, REFRESH_TOKEN)
    consumer_secret = await secrets.aload_secret(active.secret_key, CONSUMER_SECRET)
    headers = {"Authorization": f"Bearer {client._token}"}  # what a careless f-string would show
    try:
        raise RuntimeError(f"unexpected reply to {headers}; refresh with {refresh_token} "
                           f"and {consumer_secret}; token {client._token}")
    except RuntimeError:
        sys.excepthook(*sys.exc_info())  # type: ignore[arg-type]


async def _phase(phase: str, job: dict[str, Any]) -> dict[str, Any]:
    app_paths, previous = _start(Path(job["report"]))
    out: dict[str, Any] = {"previous_crash": bool(previous)}
    db = await Database.open(app_paths.database)
    manager = ConnectionManager(db)
    if phase == "sign-in":
        await _sign_in(manager, job)
        out.update(session_only=manager.session_only, keyring_problem=manager.keyring_problem)
        out.update(await _work(manager, db, app_paths))
    else:
        await manager.load_active()
        out.update(state=manager.status.state, fix=manager.status.fix)
        if manager.status.state != "connected":
            await manager.aclose()
            await db.close()
            return out
        if phase == "work":
            out.update(await _work(manager, db, app_paths))
            await _report_a_bug(manager)
            _hard_crash(out)
        out["tested"] = (await manager.test_connection()).state
        out.update(await _push_note(manager, db, "Follow-up call"))
        await manager.disconnect()
        out["after_disconnect"] = manager.status.state
    await manager.aclose()
    await db.close()
    crash.uninstall()
    return out


def _hard_crash(out: dict[str, Any]) -> None:
    """Die like a segfault in a native library would: no clean-up, the workspace (and its WAL) left open."""
    print("result " + json.dumps(out), flush=True)
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))  # faulthandler's report, not a core file
    os.abort()


if __name__ == "__main__":
    result = asyncio.run(_phase(sys.argv[1], json.loads(sys.stdin.read())))
    print("result " + json.dumps(result), flush=True)
