"""Upgrading: a workspace an older Notebridge left (oldest schema, drafts, queued notes and tasks) is
opened by today's start-up, keeps every draft and queued item, and they reach the demo org exactly once."""

from __future__ import annotations

from pathlib import Path

from app.context import AppContext
from app.demo_org import DemoOrg
from app.paths import AppPaths
from app.salesforce.auth import TokenRefresher
from app.salesforce.client import SalesforceClient
from app.services.drafts import Drafts
from app.services.outbox import Outbox
from app.store import upgrade
from app.store.migrate import head_revision
from app.sync.push.engine import PushEngine, PushSettings
from tests.support.old_workspace import OLDEST_REVISION, make_old_workspace


def _paths(home: Path) -> AppPaths:
    return AppPaths(data=home / "data", config=home / "config", logs=home / "logs", cache=home / "cache",
                    runtime=home / "run")


def _client(org: DemoOrg) -> SalesforceClient:
    tokens = org.mint_tokens()
    refresher = TokenRefresher(org.login_url, org.consumer_key, tokens["refresh_token"], ca_file=org.ca_file)
    return SalesforceClient(tokens["instance_url"], tokens["access_token"], refresh=refresher, ca_file=org.ca_file,
                            retry_backoff=0.01, retry_backoff_max=0.05, max_retries=2)


def _titles(org: DemoOrg, sobject: str, field: str, prefix: str) -> list[str]:
    return sorted(r[field] for r in org.records(sobject) if not r.get("IsDeleted") and r[field].startswith(prefix))


async def test_upgrade_from_the_oldest_schema_keeps_every_draft_and_queued_item_and_pushes_them_once(
        tmp_path: Path) -> None:
    app_paths = _paths(tmp_path / "home")
    with DemoOrg(contacts=6, seed=11) as org:
        old = make_old_workspace(app_paths.database, org, drafts=2, queued=3)

        context = await AppContext.open(app_paths)  # today's start-up: migrates the old file
        try:
            db = context.db
            assert db.schema_version() == head_revision() != OLDEST_REVISION
            assert db.upgrade_backup is not None and db.upgrade_backup.is_file()

            drafts = await Drafts(db).list_drafts(old.connection_id)
            assert sorted(d.title for d in drafts) == sorted(old.draft_notes + old.draft_tasks)
            view = await Outbox(db).view(old.connection_id)
            assert view.counts.queued == len(old.queued_notes) + len(old.queued_tasks)
            assert sorted(e.title for e in view.entries) == sorted(old.queued_notes + old.queued_tasks)

            async with _client(org) as client:
                engine = PushEngine(client, db, old.connection_id, PushSettings())
                report = await engine.push()
                assert report.pushed == len(old.queued_notes) + len(old.queued_tasks)
                again = await PushEngine(client, db, old.connection_id, PushSettings()).push()
                assert again.pushed == 0

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
