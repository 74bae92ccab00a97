"""Typo-tolerant name search on a real workspace file: one typo finds the name, below exact and
prefix matches; the index follows renames, deletions, forgetting a connection, and the migration
fills it for contacts written before it existed."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

from alembic import command
from sqlalchemy import create_engine, text
from sqlmodel import Session

from app.store import Database, contacts, fuzzy_index, fuzzy_text
from app.store.contacts import MatchTier, SearchHit
from app.store.migrate import alembic_config
from app.store.models import Connection
from tests.unit.store.store_helpers import add_connection
from tests.unit.store.test_store_contacts import person


def people() -> list[dict[str, Any]]:
    return [
        person("003000000000001AAA", "Helen", "Ramirez", account_name="Ramirez Household"),
        person("003000000000002AAA", "Helena", "Brooks"),
        person("003000000000003AAA", "Ellen", "Hart"),
        person("003000000000004AAA", "Hellenic", "Shipping"),
        person("003000000000005AAA", "Bo", "Li", account_name="Ramirez Household"),
        person("003000000000006AAA", "Mark", "Twain"),
    ]


async def search(db: Database, cid: int, typed: str, limit: int = 50) -> list[SearchHit]:
    return await db.read(lambda c: contacts.search(c, cid, typed, limit))


async def found(db: Database, cid: int, typed: str) -> list[tuple[str, MatchTier]]:
    return [(hit.contact.name, hit.tier) for hit in await search(db, cid, typed)]


async def test_fuzzy_one_typo_finds_the_name_as_a_similar_match(db: Database, cid: int) -> None:
    await db.run(lambda s: contacts.upsert_many(s, cid, people()))
    # "hellen": prefix of Hellenic (found as usual), one edit from Helen and Ellen (similar, below).
    assert await found(db, cid, "hellen") == [
        ("Hellenic Shipping", MatchTier.PREFIX),
        ("Ellen Hart", MatchTier.SIMILAR),
        ("Helen Ramirez", MatchTier.SIMILAR),
    ]
    # A transposed surname finds the person first, then the household's other member.
    assert await found(db, cid, "ramierz") == [
        ("Helen Ramirez", MatchTier.SIMILAR), ("Bo Li", MatchTier.SIMILAR),
    ]
    assert await found(db, cid, "helen ramierz") == [("Helen Ramirez", MatchTier.SIMILAR)]
    assert await found(db, cid, "twian") == [("Mark Twain", MatchTier.SIMILAR)]


async def test_fuzzy_exact_and_prefix_come_first_and_enough_of_them_leave_typos_out(
    db: Database, cid: int,
) -> None:
    hellen = person("003000000000007AAA", "Hellen", "Ward")
    await db.run(lambda s: contacts.upsert_many(s, cid, [*people(), hellen]))
    # Helen and Helena start with it; Hellen is one edit away; Ellen is two (h deleted, l added).
    assert await found(db, cid, "helen") == [
        ("Helen Ramirez", MatchTier.PREFIX), ("Helena Brooks", MatchTier.PREFIX),
        ("Hellen Ward", MatchTier.SIMILAR),
    ]
    many = [person(f"0030000000001{i:02d}AAA", "Helen", f"Ng{i:02d}x") for i in range(6)]
    await db.run(lambda s: contacts.upsert_many(s, cid, many))
    assert MatchTier.SIMILAR not in {tier for _, tier in await found(db, cid, "helen")}
    # Short words are not looked up for typos ("hele" would be one edit from "helen" and "hale").
    await db.run(lambda s: contacts.mark_deleted(s, cid, [p["sf_id"] for p in many]))
    assert await found(db, cid, "hele") == [
        ("Helen Ramirez", MatchTier.PREFIX), ("Helena Brooks", MatchTier.PREFIX),
    ]


async def test_fuzzy_index_follows_a_rename_and_a_deletion(db: Database, cid: int) -> None:
    await db.run(lambda s: contacts.upsert_many(s, cid, people()))
    renamed = person("003000000000006AAA", "Mark", "Twining")
    await db.run(lambda s: contacts.upsert_many(s, cid, [renamed]))
    assert await found(db, cid, "twian") == []
    assert await found(db, cid, "twinning") == [("Mark Twining", MatchTier.SIMILAR)]
    await db.run(lambda s: contacts.mark_deleted(s, cid, ["003000000000001AAA", "003000000000005AAA"]))
    assert await found(db, cid, "ramierz") == []
    assert ("Helen Ramirez", MatchTier.SIMILAR) not in await found(db, cid, "hellen")
    # The rebuild keeps exactly the live contacts' words.
    await db.run(lambda s: contacts.reindex(s, cid))
    words = await db.read(lambda c: {r[0] for r in c.execute("SELECT word FROM name_variant")})
    assert "twining" in words
    assert not {"ramirez", "twain", "household"} & words


async def test_fuzzy_words_stay_with_their_connection_and_go_with_it(db: Database, cid: int) -> None:
    other = await add_connection(db, org="00D000000000002")
    await db.run(lambda s: contacts.upsert_many(s, cid, people()))
    assert await found(db, other, "hellen") == []
    assert await db.read(lambda c: fuzzy_index.similar_words(c, other, "hellen")) == []

    def forget(session: Session) -> None:
        session.delete(session.get(Connection, cid))

    await db.run(forget)
    left = await db.read(lambda c: c.execute("SELECT count(*) FROM name_variant").fetchone()[0])
    assert left == 0


async def test_fuzzy_a_page_writes_each_new_word_once(db: Database, cid: int) -> None:
    await db.run(lambda s: contacts.upsert_many(s, cid, people()))
    before = await db.read(lambda c: c.execute("SELECT count(*) FROM name_variant").fetchone()[0])
    words = {"helen", "ramirez", "household", "helena", "brooks", "ellen", "hart", "hellenic", "shipping",
             "mark", "twain"}  # "Bo" and "Li" are too short
    assert before == sum(len(fuzzy_text.variants(w)) for w in words)
    assert await db.run(lambda s: fuzzy_index.remember(s, cid, ["helen", "twain"])) == 0
    await db.run(lambda s: contacts.upsert_many(s, cid, people()))
    after = await db.read(lambda c: c.execute("SELECT count(*) FROM name_variant").fetchone()[0])
    assert after == before


def insert(conn: Any, table: str, **values: Any) -> None:
    """A row as the schema of that revision takes it: required columns not given get a blank."""
    for _, name, type_, notnull, default, pk in conn.execute(text(f"PRAGMA table_info({table})")):
        if notnull and default is None and not pk and name not in values:
            values[name] = 0 if type_.upper() in ("INTEGER", "BOOLEAN") else "2026-01-01"
    names = ", ".join(values)
    conn.execute(text(f"INSERT INTO {table} ({names}) VALUES ({', '.join(':' + n for n in values)})"), values)  # noqa: S608 (names from PRAGMA)


def test_fuzzy_migration_fills_the_index_for_existing_contacts(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    engine = create_engine(f"sqlite:///{path}")
    with engine.begin() as conn:
        command.upgrade(alembic_config(conn), "0006_households")
        insert(conn, "connection", id=1)
        insert(conn, "contact", connection_id=1, sf_id="003A", name="Helen Ramírez",
               account_name="Ramírez Household", is_deleted=0)
        insert(conn, "contact", connection_id=1, sf_id="003B", name="Gone Person", is_deleted=1)
        command.upgrade(alembic_config(conn), "0007_fuzzy_names")
    engine.dispose()
    raw = sqlite3.connect(path)
    try:
        assert fuzzy_index.similar_words(raw, 1, "hellen") == ["helen"]
        assert fuzzy_index.similar_words(raw, 1, "ramierz") == ["ramirez"]
        assert fuzzy_index.similar_words(raw, 1, "persn") == []  # a deleted contact's words stay out
    finally:
        raw.close()
