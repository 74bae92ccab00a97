"""Upgrading: a workspace an older Notebridge left (each older schema, drafts, queued notes and tasks, a
setting, the sign-in in the keyring) is opened by today's start-up, keeps all of it, and the queued items
reach the demo org exactly once."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic.script import ScriptDirectory

from app import secrets
from app.context import AppContext
from app.demo_org import DemoOrg
from app.paths import AppPaths
from app.services.drafts import Drafts
from app.services.outbox import Outbox
from app.services.sync_settings import SyncSettings
from app.store import upgrade
from app.store.migrate import alembic_config, head_revision
from app.sync.connection import REFRESH_TOKEN, ConnectionManager
from app.sync.keyring_slot import legacy_key
from app.sync.push.engine import PushEngine, PushSettings
from tests.support.old_workspace import OLDEST_REVISION, SETTING_VALUE, make_old_workspace


def _paths(home: Path) -> AppPaths:
    return AppPaths(data=home / "data", config=home / "config", logs=home / "logs", cache=home / "cache",
                    runtime=home / "run")


def _older_revisions() -> list[str]:
    """Every released schema between the oldest and the newest: an upgrade may start from any of them."""
    script = ScriptDirectory.from_config(alembic_config())
    newest_first = [rev.revision for rev in script.walk_revisions()]
    return [rev for rev in reversed(newest_first) if rev not in (OLDEST_REVISION, head_revision())]


def _titles(org: DemoOrg, sobject: str, field: str, prefix: str) -> list[str]:
    return sorted(r[field] for r in org.records(sobject) if not r.get("IsDeleted") and r[field].startswith(prefix))


@pytest.mark.parametrize("revision", [OLDEST_REVISION, *_older_revisions()])
async def test_upgrade_keeps_every_draft_queued_item_and_the_sign_in_and_pushes_them_once(
        tmp_path: Path, revision: str) -> None:
    app_paths = _paths(tmp_path / "home")
    with DemoOrg(contacts=6, seed=11) as org:
        old = make_old_workspace(app_paths.database, org, revision=revision, drafts=2, queued=3)
        # The old app filed the sign-in under the org and user (before per-workspace keyring slots).
        await secrets.astore_secret(legacy_key(org.org_id, org.user_id), REFRESH_TOKEN,
                                    org.mint_tokens()["refresh_token"])

        context = await AppContext.open(app_paths)  # today's start-up: migrates the old file
        try:
            db = context.db
            assert db.schema_version() == head_revision() != OLDEST_REVISION
            assert db.upgrade_backup is not None and db.upgrade_backup.is_file()

            drafts = await Drafts(db).list_drafts(old.connection_id)
            assert sorted(d.title for d in drafts) == sorted(old.draft_notes + old.draft_tasks)
            kept_settings = await SyncSettings(db).push(old.connection_id)
            assert (kept_settings.attach_to, kept_settings.api_reserve_percent) == (
                SETTING_VALUE["attach_to"], SETTING_VALUE["api_reserve_percent"])
            view = await Outbox(db).view(old.connection_id)
            assert view.counts.queued == len(old.queued_notes) + len(old.queued_tasks)
            assert sorted(e.title for e in view.entries) == sorted(old.queued_notes + old.queued_tasks)

            connections = ConnectionManager(db)  # the sign-in kept in the keyring, as the app loads it
            try:
                active = await connections.load_active()
                assert active is not None and active.connection_id == old.connection_id
                client = await connections.client()
                report = await PushEngine(client, db, old.connection_id, PushSettings()).push()
                assert report.pushed == len(old.queued_notes) + len(old.queued_tasks), report
                again = await PushEngine(client, db, old.connection_id, PushSettings()).push()
                assert again.pushed == 0
            finally:
                await connections.aclose()
            assert await secrets.aload_secret(legacy_key(org.org_id, org.user_id), REFRESH_TOKEN) is None  # moved

            # Exactly once each in the org; drafts stay on this computer.
            assert _titles(org, "ContentNote", "Title", "Review before the upgrade") == sorted(old.queued_notes)
            assert _titles(org, "Task", "Subject", "Call back before the upgrade") == sorted(old.queued_tasks)
            assert sorted(d.title for d in await Drafts(db).list_drafts(old.connection_id)) == sorted(
                old.draft_notes + old.draft_tasks)
            assert (await Outbox(db).view(old.connection_id)).counts.queued == 0
            kept = db.upgrade_backup
        finally:
            await context.aclose()

    # The copy stays until the next successful start, which removes it.
    assert kept.is_file() and upgrade.backups(app_paths.database) == [kept]
    context = await AppContext.open(app_paths)
    try:
        assert context.db.upgrade_backup is None
        assert upgrade.backups(app_paths.database) == []
    finally:
        await context.aclose()
