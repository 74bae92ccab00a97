"""Fixtures for the store tests: a real workspace file in tmp_path, opened through the real API."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from app.store import Database
from tests.unit.store.store_helpers import add_connection


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    database = await Database.open(tmp_path / "workspace" / "notebridge.db")
    try:
        yield database
    finally:
        await database.close()


@pytest.fixture
async def cid(db: Database) -> int:
    return await add_connection(db)
