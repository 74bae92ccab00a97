"""Settings' API use panel shows Notebridge's own per-app allowance where the org gives the app one
(``per-app-api-usage`` in ``Sforce-Limit-Info``), read from a real client talking to the demo org."""

from __future__ import annotations

from pathlib import Path

from app.store import Database
from app.sync.usage_recorder import UsageRecorder
from app.ui.settings.usage_panel import usage_words
from tests.integration.settings.settings_env import connect, make_org


async def test_fidelity_usage_panel_shows_the_apps_own_allowance(tmp_path: Path) -> None:
    with make_org(contacts=5, seed=2, api_limit=20_000, app_api_limit=1_000) as org:
        db = await Database.open(tmp_path / "ws.db")
        manager, connection = await connect(org, db)
        try:
            recorder = UsageRecorder(db, connection.connection_id)
            client = await manager.client()
            org.set_api_usage(5_000, app_used=249)
            await client.limits()
            assert await recorder.observe(client)
            summary = await recorder.summary(0.1)
        finally:
            await manager.aclose()
            await db.close()
    assert summary.app_usage == (250, 1_000)
    headline, _reserve = usage_words(summary)
    assert "Your org has used 5,001 of its 20,000 daily API calls" in headline
    assert "its own allowance: 250 of 1,000 calls used today (25%)" in headline


async def test_fidelity_usage_panel_without_a_per_app_quota_says_nothing_of_it(tmp_path: Path) -> None:
    with make_org(contacts=5, seed=2, api_limit=20_000) as org:
        db = await Database.open(tmp_path / "ws.db")
        manager, connection = await connect(org, db)
        try:
            recorder = UsageRecorder(db, connection.connection_id)
            client = await manager.client()
            await client.limits()
            assert await recorder.observe(client)
            summary = await recorder.summary(0.1)
        finally:
            await manager.aclose()
            await db.close()
    assert summary.app_usage is None
    assert "own allowance" not in usage_words(summary)[0]
