"""Pools of realistic values, drawn from Faker once per org and then combined by a seeded RNG.

Calling Faker per record costs ~100 µs per value, which would make a 100,000-contact org take minutes
to seed; drawing a few hundred values per kind once and combining them with ``random.Random(seed)``
keeps seeding well under the 15-second budget while the data still looks like an advisor's book.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass

from faker import Faker

MEETING_SUBJECTS = (
    "Annual review", "Portfolio rebalance discussion", "Retirement income planning", "Estate planning check-in",
    "Insurance coverage review", "Introductory meeting", "College savings plan", "Tax-loss harvesting review",
    "Beneficiary update", "Quarterly check-in",
)
TASK_SUBJECTS = (
    "Send rollover paperwork", "Follow up on beneficiary forms", "Prepare quarterly review deck",
    "Call about RMD schedule", "Update risk questionnaire", "Email 529 plan comparison",
    "Confirm meeting time", "Review trust documents", "Request account statements", "Send birthday card",
)
LOCATIONS = ("Office – Conference Room A", "Zoom", "Client's home", "Phone call", "Office – Suite 300")
NOTE_TITLES = (
    "Meeting recap", "Call notes", "Risk tolerance discussion", "Family update", "Goals and priorities",
    "Cash-flow review", "Follow-up items",
)
_TOPICS = (
    "the retirement timeline", "their risk tolerance", "the college fund for the kids", "the rollover from "
    "the old 401(k)", "long-term care insurance", "required minimum distributions", "charitable giving",
    "the mortgage refinance", "a planned home renovation", "the estate plan",
)
_ACTIONS = (
    "Agreed to revisit next quarter.", "Client will send the latest statements.", "We will model two scenarios.",
    "No changes for now.", "Needs spouse's input before deciding.", "Asked for a written summary.",
)


@dataclass(frozen=True)
class Pools:
    first_female: tuple[str, ...]
    first_male: tuple[str, ...]
    last: tuple[str, ...]
    streets: tuple[str, ...]
    places: tuple[tuple[str, str, str], ...]  # (city, state, postal code)
    titles: tuple[str, ...]
    companies: tuple[str, ...]
    domains: tuple[str, ...]
    sentences: tuple[str, ...]


@functools.lru_cache(maxsize=8)
def build_pools(seed: int) -> Pools:
    """Pools for a seed (cached: they are immutable, and tests start many small orgs)."""
    fake = Faker("en_US")
    fake.seed_instance(seed)

    def unique(draw: Callable[[], str], count: int, max_len: int = 255) -> tuple[str, ...]:
        values: dict[str, None] = {}
        for _ in range(count * 3):
            value = draw()
            if len(value) <= max_len:
                values[value] = None
            if len(values) >= count:
                break
        return tuple(values)

    places = tuple((fake.city(), fake.state_abbr(include_territories=False), fake.zipcode()) for _ in range(150))
    sentences = tuple(
        f"Discussed {t}. {a}" for t in _TOPICS for a in _ACTIONS
    )
    return Pools(
        first_female=unique(fake.first_name_female, 200, 40),
        first_male=unique(fake.first_name_male, 200, 40),
        last=unique(fake.last_name, 400, 80),
        streets=unique(fake.street_address, 400, 255),
        places=places,
        titles=unique(fake.job, 120, 128),
        companies=unique(fake.company, 80, 255),
        domains=("example.com", "example.org", "example.net", "mail.example.com"),
        sentences=sentences,
    )
