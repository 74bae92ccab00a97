"""Salesforce Id checksum and the demo org's Id generator."""

from __future__ import annotations

import pytest

from app.demo_org import ids


@pytest.mark.parametrize(("id15", "id18"), [
    ("00558000001N0Ke", "00558000001N0KeAAK"),  # published example (sfc converter README)
    ("001000000000000", "001000000000000AAA"),
    ("AAAAAAAAAAAAAAA", "AAAAAAAAAAAAAAA555"),  # all upper: every bit set -> '5' (index 31)
    ("aaaaaaaaaaaaaaa", "aaaaaaaaaaaaaaaAAA"),
    ("A0000B0000C0000", "A0000B0000C0000BBB"),  # first char of each chunk upper -> bit 0
    ("0000A0000A0000A", "0000A0000A0000AQQQ"),  # last char of each chunk upper -> bit 4 = 16 = 'Q'
])
def test_checksum_matches_the_salesforce_algorithm(id15: str, id18: str) -> None:
    assert ids.checksum(id15) == id18[15:]
    assert ids.to18(id15) == id18
    assert ids.to18(id18) == id18


@pytest.mark.parametrize("bad", [
    "", "003", "003Hs000000100", "003Hs0000001000IA", "003Hs0000001000IAAX", "003Hs00000010-0IAA",
    "00558000001N0KeAAA",  # right length, wrong suffix (the Id was altered)
    "00558000001n0KeAAK",  # case changed in the first 15 -> suffix no longer matches
    None, 12345,
])
def test_rejects_malformed_ids(bad: object) -> None:
    assert not ids.is_valid(bad)
    with pytest.raises(ValueError, match="Id"):
        ids.to18(bad)  # type: ignore[arg-type]


def test_generator_is_deterministic_ordered_and_valid() -> None:
    first, second = ids.IdFactory(), ids.IdFactory()
    made = [first.new("003") for _ in range(5000)]
    assert made == [second.new("003") for _ in range(5000)]
    assert len(set(made)) == len(made)
    assert made == sorted(made), "Ids of one prefix sort in creation order"
    assert all(ids.to18(i[:15]) == i for i in made)
    assert all(i.startswith("003") for i in made)
    assert first.new("001").startswith("001")
