"""Typo-tolerant name search on a real workspace file: one typo finds the name, below exact and
prefix matches; the index follows renames, deletions, forgetting a connection, and the migration
fills it for contacts written before it existed."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from sqlalchemy import create_engine, text
from sqlmodel import Session

from app.store import Database, contacts, fuzzy_index, fuzzy_text
from app.store.contacts import MatchTier, SearchHit
from app.store.migrate import alembic_config
from app.store.models import Connection
from tests.unit.store.store_helpers import add_connection
from tests.unit.store.test_fuzzy_text import one_edit
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
        command.upgrade(alembic_config(conn), "0010_history")  # the revision before the fuzzy index
        insert(conn, "connection", id=1)
        insert(conn, "contact", connection_id=1, sf_id="003A", name="Helen Ramírez",
               account_name="Ramírez Household", is_deleted=0)
        insert(conn, "contact", connection_id=1, sf_id="003B", name="Gone Person", is_deleted=1)
        command.upgrade(alembic_config(conn), "0011_fuzzy_names")
    engine.dispose()
    raw = sqlite3.connect(path)
    try:
        assert fuzzy_index.similar_words(raw, 1, "hellen") == ["helen"]
        assert fuzzy_index.similar_words(raw, 1, "ramierz") == ["ramirez"]
        assert fuzzy_index.similar_words(raw, 1, "persn") == []  # a deleted contact's words stay out
    finally:
        raw.close()


# ------------------------------------------------------------------ ranking, as a property
NAME_LETTERS = "aehlnrst"
name_word = st.text(alphabet=NAME_LETTERS, min_size=4, max_size=7)


@pytest.fixture(scope="module")
def migrated(tmp_path_factory: pytest.TempPathFactory) -> Iterator[sqlite3.Connection]:
    """One workspace file at head; each example gets a connection of its own in it."""
    path = tmp_path_factory.mktemp("fuzzy") / "ws.db"
    engine = create_engine(f"sqlite:///{path}")
    with engine.begin() as conn:
        command.upgrade(alembic_config(conn), "head")
    engine.dispose()
    raw = sqlite3.connect(path, isolation_level=None)
    try:
        yield raw
    finally:
        raw.close()


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.data(), st.lists(st.tuples(name_word, name_word), min_size=1, max_size=12))
def test_fuzzy_ranking_is_exact_then_prefix_then_similar_names(
    migrated: sqlite3.Connection, data: st.DataObject, names: list[tuple[str, str]],
) -> None:
    # Any word, or one of the names with a typo (so that the similar tier has work to do).
    typed = data.draw(st.one_of(name_word, st.sampled_from([w for pair in names for w in pair]).flatmap(one_edit)))
    raw = migrated
    with raw:
        cid = raw.execute("SELECT coalesce(max(id), 0) + 1 FROM connection").fetchone()[0]
        values: dict[str, Any] = {"id": cid, "org_id": f"00D{cid:012d}"}
        for _, name, type_, notnull, default, pk in raw.execute("PRAGMA table_info(connection)").fetchall():
            if notnull and default is None and not pk and name not in values:
                values[name] = 0 if type_.upper() in ("INTEGER", "BOOLEAN") else "2026-01-01"
        raw.execute(f"INSERT INTO connection ({', '.join(values)}) VALUES ({', '.join('?' for _ in values)})",  # noqa: S608
                    list(values.values()))
    assert cid is not None
    rows = [person(f"003{i:015d}", first.capitalize(), last.capitalize(), name=f"{first} {last}".title())
            for i, (first, last) in enumerate(names)]
    raw.execute("BEGIN")
    contacts.write_prepared(raw, contacts.prepare(cid, rows))  # type: ignore[arg-type]  # the raw-connection path
    raw.execute("COMMIT")

    hits = contacts.search(raw, cid, typed, 50)
    tiers = [hit.tier for hit in hits]
    assert tiers == sorted(tiers)
    for hit in hits:
        words = hit.contact.name.lower().split()
        if hit.tier == MatchTier.SIMILAR:
            assert any(fuzzy_text.within_one_edit(typed, w) for w in words)
        else:
            assert any(w.startswith(typed) for w in words)
    found = {hit.contact.sf_id for hit in hits}
    ordinary = [r for r in rows if any(w.startswith(typed) for w in r["name"].lower().split())]
    looked_up = fuzzy_text.query_word(typed) is not None  # three letters or fewer: never a typo
    close = [r for r in rows if looked_up and r not in ordinary
             and any(fuzzy_text.within_one_edit(typed, w) for w in r["name"].lower().split())]
    assert {r["sf_id"] for r in ordinary} <= found  # exact and prefix matches are never crowded out
    event(f"similar names found: {bool(close) and len(ordinary) < 5}")
    if len(ordinary) < 5:  # few ordinary matches: every name one typo away fills in below them
        assert {r["sf_id"] for r in close} <= found
    else:
        assert MatchTier.SIMILAR not in tiers
