"""Typo-tolerant name search through the "search clients" use case, on a workspace pulled from the
demo org: a seeded name with one typo is found below the ordinary matches, and the index follows
what later pulls bring (a colleague renames a client, another client is deleted)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from app.demo_org import DemoOrg
from app.services.clients import ClientDirectory, MatchTier, SearchHit
from app.store import Database
from app.sync.connection import ConnectionManager
from app.sync.pull.engine import PullEngine
from app.sync.pull.types import PullPreferences
from tests.integration.settings.settings_env import connect, make_org, pull


@dataclass
class Synced:
    org: DemoOrg
    db: Database
    manager: ConnectionManager
    cid: int
    clients: ClientDirectory

    async def search(self, typed: str) -> list[SearchHit]:
        return await self.clients.search(self.cid, typed, 100)

    async def pull_changes(self) -> None:
        """An incremental pull, as the scheduler runs after a colleague's change."""
        client = await self.manager.client()
        result = await PullEngine(client, self.db, self.cid, PullPreferences()).run()
        assert result.ok, result.message


@pytest.fixture
async def synced(tmp_path: Path) -> AsyncIterator[Synced]:
    with make_org(contacts=40, seed=14) as org:
        db = await Database.open(tmp_path / "ws.db")
        manager, connection = await connect(org, db)
        try:
            await pull(manager, db)
            yield Synced(org, db, manager, connection.connection_id, ClientDirectory(db))
        finally:
            await manager.aclose()
            await db.close()


def live_contacts(org: DemoOrg) -> list[dict[str, Any]]:
    return [r for r in org.records("Contact") if not r["IsDeleted"]]


def doubled(word: str) -> str:
    """A "hellen" typo: the third letter typed twice."""
    return word[:3] + word[2] + word[3:]


def swapped(word: str) -> str:
    """A "ramierz" typo: two letters near the end swapped."""
    return word[:-3] + word[-2] + word[-3] + word[-1]


def tiers_of(hits: list[SearchHit], contact_sf_id: str) -> list[MatchTier]:
    return [hit.tier for hit in hits if hit.contact.sf_id == contact_sf_id]


def pick(org: DemoOrg, field: str, typo: Any, *, besides: str = "") -> dict[str, Any]:
    """A seeded contact whose ``field`` is a plain word of 5+ letters whose typo (``typo``) is not
    the start of anyone's name, so the contact can only come back as a similar name."""
    people = live_contacts(org)
    names = [f"{p['FirstName']} {p['LastName']}".lower() for p in people]
    for person in people:
        word = (person[field] or "").lower()
        if person["Id"] == besides or len(word) < 5 or not word.isalpha() or typo(word) == word:
            continue
        wrong = typo(word)
        if not any(w.startswith(wrong) for name in names for w in name.split()):
            return person
    raise AssertionError(f"the seeded org has no contact with a usable {field}")


async def test_fuzzy_seeded_names_with_one_typo_are_found_below_ordinary_matches(synced: Synced) -> None:
    for field, typo in (("FirstName", doubled), ("LastName", swapped)):
        person = pick(synced.org, field, typo)
        typed = typo(person[field].lower())
        hits = await synced.search(typed)
        assert tiers_of(hits, person["Id"]) == [MatchTier.SIMILAR], (typed, person[field])
        tiers = [hit.tier for hit in hits]
        assert tiers == sorted(tiers)
        # The name as it is spelt finds them as an ordinary match, never as a similar one.
        exact = await synced.search(person[field])
        assert tiers_of(exact, person["Id"]) and MatchTier.SIMILAR not in tiers_of(exact, person["Id"])
    # The first name right and the surname with a typo: that person, and no one with another first name.
    person = pick(synced.org, "LastName", swapped)
    both = await synced.search(f"{person['FirstName']} {swapped(person['LastName'].lower())}")
    assert tiers_of(both, person["Id"]) == [MatchTier.SIMILAR]
    assert all(hit.contact.name.lower().startswith(person["FirstName"].lower()) for hit in both)


async def test_fuzzy_index_follows_a_pulled_rename_and_a_pulled_deletion(synced: Synced) -> None:
    # First names: the demo org's households are named after surnames ("Willis Household"), and a
    # household's name rightly keeps finding its members after one of them is renamed.
    person = pick(synced.org, "FirstName", doubled)
    old_typo = doubled(person["FirstName"].lower())
    assert tiers_of(await synced.search(old_typo), person["Id"]) == [MatchTier.SIMILAR]

    synced.org.update_record("Contact", person["Id"], {"FirstName": "Quillfeather"})
    await synced.pull_changes()
    assert tiers_of(await synced.search(old_typo), person["Id"]) == []
    assert tiers_of(await synced.search("quilfeather"), person["Id"]) == [MatchTier.SIMILAR]

    doomed = pick(synced.org, "FirstName", doubled, besides=person["Id"])
    typo = doubled(doomed["FirstName"].lower())
    assert tiers_of(await synced.search(typo), doomed["Id"]) == [MatchTier.SIMILAR]
    synced.org.delete_record(doomed["Id"])
    await synced.pull_changes()
    assert tiers_of(await synced.search(typo), doomed["Id"]) == []
