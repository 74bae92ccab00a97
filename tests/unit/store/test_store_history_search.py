"""Searching synced notes and tasks through the trigram index (migration 0013): the same answers as
the ``LIKE`` scan it replaced — mid-word, any case, wildcards as characters, two letters too — and
the index follows every write (insert, changed title, body fetched later, row deleted)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import create_engine, text
from sqlmodel import Session

from app.store import Database, history_search
from app.store import history as store
from app.store.models import Contact
from tests.unit.store.store_helpers import add_connection

T0 = datetime(2026, 11, 1, tzinfo=UTC)


def _row(sf_id: str, client: str, kind: store.HistoryKind, title: str, preview: str = "", body: str | None = None,
         day: int = 0) -> dict[str, Any]:
    return {"sf_id": sf_id, "client_sf_id": client, "kind": kind.value, "title": title, "preview": preview,
            "body": body, "occurs_at": T0 + timedelta(days=day), "due_date": None, "status": None,
            "is_closed": False, "is_archived": False, "amount": None, "owner_id": None,
            "system_modstamp": T0 + timedelta(days=day)}


async def _client(db: Database, cid: int, sf_id: str = "003000000000001AAA") -> str:
    def add(session: Session) -> None:
        session.add(Contact(connection_id=cid, sf_id=sf_id, name="Helen Ramirez"))

    await db.run(add)
    return sf_id


async def _search(db: Database, cid: int, words: str, limit: int = 50) -> list[int]:
    return [h.history_id for h in await db.read(lambda c: history_search.search(c, cid, words, limit))]


def _like_scan(session: Session, cid: int, words: str, limit: int) -> list[int]:
    """The search as it was before the index: a plain scan, the reference the index must agree with."""
    words = words.strip()
    if len(words) < 2:
        return []
    pattern = "%" + words.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    return [r[0] for r in session.connection().execute(text(
        "SELECT h.id FROM history_item h JOIN contact c ON c.connection_id = h.connection_id "
        "AND c.sf_id = h.client_sf_id WHERE h.connection_id = :cid AND NOT h.is_deleted AND NOT c.is_deleted "
        "AND h.kind IN ('content_note', 'note', 'task', 'call', 'email') "
        "AND (lower(h.title) LIKE lower(:p) ESCAPE '\\' "
        "OR lower(h.preview) LIKE lower(:p) ESCAPE '\\' OR lower(h.body) LIKE lower(:p) ESCAPE '\\') "
        "ORDER BY h.occurs_at DESC LIMIT :limit"), {"cid": cid, "p": pattern, "limit": limit})]


async def test_history_search_finds_letters_mid_word_in_any_case_newest_first(db: Database, cid: int) -> None:
    client = await _client(db, cid)
    rows = [_row("0691", client, store.HistoryKind.CONTENT_NOTE, "Call notes", "Talked about the ROLLOVER", day=1),
            _row("00T1", client, store.HistoryKind.TASK, "Send rollover paperwork", day=3),
            _row("00U1", client, store.HistoryKind.EVENT, "Rollover meeting", day=4),  # meetings are not searched
            _row("0021", client, store.HistoryKind.NOTE, "Family update", "Nothing to do", day=2),
            _row("00T2", client, store.HistoryKind.CALL, "Call: rollover questions", day=-1),  # calls and emails
            _row("00T3", client, store.HistoryKind.EMAIL, "Email: Rollover forms", day=-2)]  # are searched too
    await db.run(lambda s: store.upsert(s, cid, rows))
    ids = {r[1]: r[0] for r in await db.read(lambda c: c.execute("SELECT id, sf_id FROM history_item").fetchall())}
    assert await _search(db, cid, "ollove") == [ids["00T1"], ids["0691"], ids["00T2"], ids["00T3"]]
    assert await _search(db, cid, "rOlLoVeR pap") == [ids["00T1"]]
    assert await _search(db, cid, "ro") == [ids["00T1"], ids["0691"], ids["00T2"], ids["00T3"]]  # walked, not looked up
    assert await _search(db, cid, "zebra") == []


async def test_history_search_index_follows_changes_bodies_and_deletions(db: Database, cid: int) -> None:
    client = await _client(db, cid)
    await db.run(lambda s: store.upsert(s, cid, [_row("0691", client, store.HistoryKind.CONTENT_NOTE, "Beneficiary")]))
    assert len(await _search(db, cid, "beneficiary")) == 1
    # The title changed in Salesforce: the old word goes, the new one is found.
    await db.run(lambda s: store.upsert(s, cid, [_row("0691", client, store.HistoryKind.CONTENT_NOTE, "Trust review")]))
    assert await _search(db, cid, "beneficiary") == []
    assert len(await _search(db, cid, "trust rev")) == 1
    # The whole note, fetched when the client was opened, is searched too.
    await db.run(lambda s: store.set_body(s, cid, "0691", "Discussed the Pershing account ending 4821."))
    assert len(await _search(db, cid, "4821")) == 1
    await db.run(lambda s: store.mark_deleted(s, cid, ["0691"]))
    assert await _search(db, cid, "4821") == []
    # Rows removed with their connection leave the index consistent (FTS5's own check).
    await db.run(lambda s: s.connection().execute(text("DELETE FROM history_item")))
    await db.run(lambda s: s.connection().execute(
        text("INSERT INTO history_fts (history_fts, rank) VALUES ('integrity-check', 1)")))


async def test_history_search_migration_indexes_rows_already_in_the_workspace(tmp_path: Path) -> None:
    """A workspace synced before 0013 finds its notes at once after the upgrade."""
    path = tmp_path / "notebridge.db"
    db = await Database.open(path)
    cid = await add_connection(db)
    client = await _client(db, cid)
    await db.run(lambda s: store.upsert(s, cid, [_row("0021", client, store.HistoryKind.NOTE, "Estate plan")]))

    def back_to_0012(session: Session) -> None:
        connection = session.connection()
        for statement in ("DROP TRIGGER history_fts_insert", "DROP TRIGGER history_fts_delete",
                          "DROP TRIGGER history_fts_update", "DROP TABLE history_fts",
                          "DROP INDEX ix_history_item_recent",
                          "UPDATE alembic_version SET version_num = '0012_sync_log_step'"):
            connection.execute(text(statement))

    await db.run(back_to_0012)
    await db.close()
    db = await Database.open(path)
    try:
        assert len(await _search(db, cid, "state pl")) == 1
    finally:
        await db.close()


WORDS = st.text(alphabet="abAB é É%_\"'\\", min_size=0, max_size=12)


@pytest.fixture(scope="module")
def migrated(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, int, str]:
    """One workspace made by the real migrations, with a connection and a client."""
    path = tmp_path_factory.mktemp("history-search") / "notebridge.db"

    async def make() -> tuple[int, str]:
        db = await Database.open(path)
        try:
            cid = await add_connection(db)
            return cid, await _client(db, cid)
        finally:
            await db.close()

    cid, client = asyncio.run(make())
    return path, cid, client


@settings(max_examples=150, deadline=None)
@given(texts=st.lists(st.tuples(WORDS, WORDS, st.one_of(st.none(), WORDS)), min_size=1, max_size=12),
       query=WORDS)
def test_history_search_answers_exactly_as_the_like_scan(migrated: tuple[Path, int, str],
                                                         texts: list[tuple[str, str, str | None]], query: str) -> None:
    path, cid, client = migrated
    kinds = (store.HistoryKind.NOTE, store.HistoryKind.TASK, store.HistoryKind.CONTENT_NOTE)
    rows = [_row(f"r{i}", client, kinds[i % 3], title, preview, body, day=i)
            for i, (title, preview, body) in enumerate(texts)]
    engine = create_engine(f"sqlite:///{path}")
    try:
        with Session(engine) as session:
            session.connection().execute(text("DELETE FROM history_item"))
            store.upsert(session, cid, rows)
            found = [h.history_id for h in history_search.search(session, cid, query, 50)]
            assert found == _like_scan(session, cid, query, 50)
            session.commit()
    finally:
        engine.dispose()
