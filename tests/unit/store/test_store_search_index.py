"""Tidying the search index after a big sync: the b-trees are merged in steps, and search finds
exactly what it found before."""

from __future__ import annotations

from app.store import Database, contacts, search_index
from app.sync.pull.search_upkeep import rows_written, tidy_search_index
from tests.unit.store.test_store_contacts import person

QUERIES = ["jo", "smith", "a", "555 12", "example.com", "zürich", "kate moss", "003"]


async def answers(db: Database, cid: int) -> dict[str, list[str]]:
    def search_all(conn: object) -> dict[str, list[str]]:
        return {q: [h.contact.sf_id for h in contacts.search(conn, cid, q, 100)] for q in QUERIES}  # type: ignore[arg-type]

    return await db.read(search_all)


async def test_a_sync_in_many_transactions_is_merged_in_steps_and_search_is_unchanged(db: Database, cid: int) -> None:
    for batch in range(30):  # one FTS5 b-tree per transaction
        rows = [person(f"003{batch:04d}{n:08d}AAA", f"Jo{n}", f"Smith{batch}", email=f"p{batch}.{n}@example.com",
                       phone=f"(555) 12{batch:02d}-{n:04d}", mailing_city="Zürich") for n in range(40)]
        await db.run(lambda s, rows=rows: contacts.upsert_many(s, cid, rows))
    before = await answers(db, cid)
    assert any(before.values())

    steps = await tidy_search_index(db, step_pages=2)
    assert steps >= 2  # it took more than one step, and stopped by itself
    assert await db.run(lambda s: search_index.merge_step(s, 2, first=True)) is False  # nothing left
    assert await answers(db, cid) == before


async def test_an_empty_index_needs_one_step_and_cancelling_or_closing_stops_it() -> None:
    import asyncio
    from pathlib import Path
    from tempfile import TemporaryDirectory

    with TemporaryDirectory() as folder:
        db = await Database.open(Path(folder) / "empty.db")
        try:
            assert await tidy_search_index(db) == 1
            stop = asyncio.Event()
            stop.set()
            assert await tidy_search_index(db, cancel=stop) == 0
        finally:
            await db.close()
        assert await tidy_search_index(db) == 0  # closed under it (shutdown): ends quietly


def test_only_people_count_towards_a_big_sync() -> None:
    counts = {"Contact.written": 4000, "Lead.written": 900, "Account.written": 100, "Event.written": 9000,
              "User.written": 50, "Contact.deleted": 7}
    assert rows_written(counts) == 5000
