"""Item 13: what the advisor searched for starts the new person (pure: no widgets, no database)."""

from __future__ import annotations

import pytest

from app.services.prospects import NewPerson, person_from_search


@pytest.mark.parametrize(("typed", "person"), [
    ("Priya Raman", NewPerson("Priya", "Raman")),
    ("  Mary  Jo   Bell ", NewPerson("Mary Jo", "Bell")),
    ("Raman", NewPerson("", "Raman")),
    ("priya@example.org", NewPerson("", "", email="priya@example.org")),
    ("+1 476 496 3197", NewPerson("", "", phone="+1 476 496 3197")),
    ("", NewPerson("", "")),
    ("555 Holdings", NewPerson("555", "Holdings")),
])
def test_add_person_prefill_from_search(typed: str, person: NewPerson) -> None:
    assert person_from_search(typed) == person
