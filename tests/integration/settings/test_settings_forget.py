"""Forget this org: unsent drafts exported first (and only then anything deleted), the sign-in revoked
and removed from the keyring, the org's rows gone — against the demo org and a real workspace file."""

from __future__ import annotations

import os
import sqlite3
import stat
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from app import secrets
from app.demo_org import DemoOrg
from app.salesforce.auth import TokenRefresher
from app.salesforce.oauth_errors import OAuthError
from app.store import Database
from app.store import notes as notes_repo
from app.store import prospects as prospect_rows
from app.store.prospects import NewPerson
from app.sync import forget
from app.sync.connection import REFRESH_TOKEN, ConnectionManager
from tests.integration.settings.settings_env import connect, drafts, first_contacts, make_org, pull


@pytest.fixture
async def env(tmp_path: Path) -> AsyncIterator[tuple[DemoOrg, Database, ConnectionManager, Path]]:
    with make_org(contacts=25, seed=7) as org:
        path = tmp_path / "ws.db"
        db = await Database.open(path)
        manager, _ = await connect(org, db)
        try:
            await pull(manager, db)
            yield org, db, manager, path
        finally:
            await manager.aclose()
            await db.close()


def _count(path: Path, sql: str) -> int:
    with sqlite3.connect(path) as raw:
        return int(raw.execute(sql).fetchone()[0])


async def test_forget_exports_unsent_drafts_then_deletes_the_org(
    env: tuple[DemoOrg, Database, ConnectionManager, Path], tmp_path: Path,
) -> None:
    org, db, manager, path = env
    connection = manager.active
    assert connection is not None
    cid = connection.connection_id
    people = await first_contacts(db, cid)
    written = await drafts(db, cid, people)
    await db.run(lambda s: prospect_rows.create(s, cid, NewPerson("Nia", "Okafor", "nia@example.com", "",
                                                                  "Okafor Family"), "Contact"))
    refresh_token = await secrets.aload_secret(connection.secret_key, REFRESH_TOKEN)
    assert refresh_token

    summary = await forget.preview(db, cid)
    assert summary.clients >= 25 and summary.notes == 3 and summary.tasks == 1 and summary.unsent == 3
    assert summary.log_entries == 1 and summary.new_people == 1

    exports = tmp_path / "exports"
    result = await forget.forget(db, manager, exports_dir=exports)

    assert result.export_path is not None and result.export_path.parent == exports
    text = result.export_path.read_text(encoding="utf-8")
    for expected in ("Estate planning", "Talked about the **trust** for the grandchildren.", "Rollover call",
                     "Send trust documents", "Attach the draft trust.", people[0].name, connection.org_id,
                     "Nia Okafor (e-mail nia@example.com, household Okafor Family)"):
        assert expected in text
    assert "Already sent" not in text  # it is in Salesforce
    if os.name == "posix":
        assert stat.S_IMODE(result.export_path.stat().st_mode) == 0o600
    assert result.summary == summary

    for table in ("connection", "contact", "note", "task", "outbox_item", "sync_log", "setting", "event"):
        assert _count(path, f"SELECT count(*) FROM {table}") == 0, table  # noqa: S608 - fixed names
    assert _count(path, "SELECT count(*) FROM contact_fts") == 0
    assert await secrets.aload_secret(connection.secret_key, REFRESH_TOKEN) is None
    with pytest.raises(OAuthError):  # revoked at Salesforce, not just forgotten here
        await TokenRefresher(org.login_url, org.consumer_key, refresh_token)()
    assert manager.active is None and manager.status.state == "not_connected"
    assert await db.run(lambda s: notes_repo.get(s, written.draft_note.id)) is None


async def test_nothing_is_deleted_when_the_export_cannot_be_written(
    env: tuple[DemoOrg, Database, ConnectionManager, Path], tmp_path: Path,
) -> None:
    _org, db, manager, path = env
    connection = manager.active
    assert connection is not None
    people = await first_contacts(db, connection.connection_id)
    await drafts(db, connection.connection_id, people)
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the exports folder should be")
    with pytest.raises(OSError, match=r"not-a-folder|File exists|Not a directory"):
        await forget.forget(db, manager, exports_dir=blocker)
    assert _count(path, "SELECT count(*) FROM note") == 3
    assert _count(path, "SELECT count(*) FROM connection") == 1
    assert await secrets.aload_secret(connection.secret_key, REFRESH_TOKEN) is not None
    assert manager.status.state == "connected"


async def test_with_nothing_unsent_no_file_is_written_and_a_second_export_never_overwrites(
    env: tuple[DemoOrg, Database, ConnectionManager, Path], tmp_path: Path,
) -> None:
    _org, db, manager, _path = env
    connection = manager.active
    assert connection is not None
    exports = tmp_path / "exports"
    assert await forget.export_unsent(db, connection, exports) is None
    people = await first_contacts(db, connection.connection_id)
    await drafts(db, connection.connection_id, people)
    first = await forget.export_unsent(db, connection, exports)
    again = await forget.export_unsent(db, connection, exports)
    assert first is not None and again is not None and first != again and again.exists() and first.exists()
    result = await forget.forget(db, manager, exports_dir=exports)
    assert result.export_path is not None and len(list(exports.iterdir())) == 3
    with pytest.raises(LookupError):
        await forget.forget(db, manager, exports_dir=exports)


async def test_forget_exports_unsent_calls_and_meetings_then_deletes_them(
    env: tuple[DemoOrg, Database, ConnectionManager, Path], tmp_path: Path,
) -> None:
    from app.store import activities as activities_repo
    from app.store.kinds import ItemKind

    _org, db, manager, path = env
    connection = manager.active
    assert connection is not None
    cid = connection.connection_id
    person = (await first_contacts(db, cid))[0]
    await db.run(lambda s: activities_repo.create(
        s, cid, ItemKind.CALL, contact_id=person.id,
        fields={"outcome": "Wants the rollover", "note": "Call back Friday.", "when": "2026-12-04T09:00:00+00:00"}))

    summary = await forget.preview(db, cid)
    assert summary.unsent_activities == 1 and summary.unsent == 0  # no note or task: named apart
    from app.ui.settings.confirm import forget_lines
    lines = forget_lines(connection, summary)
    assert any(line.startswith("1 call, meeting or email logged here and not yet in Salesforce") for line in lines)
    assert not any("note or task not yet" in line for line in lines)

    result = await forget.forget(db, manager, exports_dir=tmp_path / "exports")

    assert result.export_path is not None
    text = result.export_path.read_text(encoding="utf-8")
    for expected in ("## Calls, meetings and emails (1)", "Call: Outbound call — Wants the rollover",
                     "Call back Friday.", "- Duration (minutes): 5", person.name):
        assert expected in text
    assert _count(path, "SELECT count(*) FROM activity_draft") == 0
    assert _count(path, "SELECT count(*) FROM connection") == 0
