"""Changing what syncs is all or nothing: where clients live (the connection row) and the pull settings
that go with it are written in one transaction, so a failure (or a crash) halfway keeps neither."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from app.demo_org import DemoOrg
from app.services import sync_choices
from app.services.sync_choices import SyncChoicesService
from app.store import Database
from app.sync.connection import ConnectionManager
from tests.integration.settings.settings_env import pulled_workspace


@pytest.fixture
async def signed_in_org(tmp_path: Path) -> AsyncIterator[tuple[DemoOrg, Database, ConnectionManager]]:
    async with pulled_workspace(tmp_path / "ws.db", contacts=20, seed=9) as opened:
        yield opened


async def test_sync_choices_apply_writes_the_connection_and_the_settings_together(
        signed_in_org: tuple[DemoOrg, Database, ConnectionManager], monkeypatch: pytest.MonkeyPatch) -> None:
    _org, db, manager = signed_in_org
    service = SyncChoicesService(db, manager)
    cid = manager.active.connection_id  # type: ignore[union-attr]  # pulled_workspace leaves one signed in
    before = await service.load(cid)
    wanted = before.with_changes(include_leads=not before.include_leads, interval_minutes=45)

    def fails_halfway(*_args: Any) -> None:
        raise OSError("disk full")  # what a full disk does between the two writes

    monkeypatch.setattr(sync_choices, "_write", fails_halfway)
    with pytest.raises(OSError, match="disk full"):
        await service.apply(wanted)
    assert await service.load(cid) == before, "neither half was kept"

    monkeypatch.undo()
    saved = await service.apply(wanted)
    assert (saved.include_leads, saved.interval_minutes) == (wanted.include_leads, 45)
    assert await SyncChoicesService(db, manager).load(cid) == saved
