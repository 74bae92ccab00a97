"""A meeting-prep book (``DemoOrg(meeting_clients=N)``, ``--meeting-clients N``): the shape of the
client-history benchmark (issue 14) instead of the ordinary scattering of activities and notes.

``N`` clients each have one meeting in the next two weeks, a past meeting or two, about five notes
(ContentNotes linked to the client and its owner, and some classic Notes) and about ten tasks, open
and closed.  Everyone else has only past meetings and a few tasks, so exactly the ``N`` clients
have a meeting in the next 14 days.  Note bodies name a custodian and an account's last digits, so a
search for one word finds a handful of notes rather than thousands.
"""

from __future__ import annotations

import base64
import html

from app.demo_org.data.pools import NOTE_TITLES
from app.demo_org.data.seeder import DAY, Seeder, add_meeting, add_task
from app.demo_org.data.store import Record

CUSTODIANS = ("Schwab", "Fidelity", "Vanguard", "Pershing", "TD Ameritrade", "Raymond James", "LPL")


def meeting_book(s: Seeder, people: list[Record], clients: int, *, enhanced_notes: bool) -> None:
    today = s.now - s.now % DAY
    chosen = s.rng.sample(people, min(clients, len(people)))
    chosen_ids = {c["Id"] for c in chosen}
    for contact in chosen:
        add_meeting(s, contact, today + s.between(1, 14) * DAY)  # 1–13 days ahead: within the next 14
        for _ in range(s.between(1, 3)):
            add_meeting(s, contact, today - s.between(7, 330) * DAY)
        for _ in range(s.between(4, 7)):
            if enhanced_notes and s.rng.random() < 0.6:
                _content_note(s, contact)
            else:
                _classic_note(s, contact)
        for _ in range(s.between(8, 13)):
            add_task(s, contact, today + s.between(-300, 45) * DAY, today)
    others = [p for p in people if p["Id"] not in chosen_ids]
    for _ in range(len(others) // 8 if others else 0):
        add_meeting(s, s.pick(others), today - s.between(1, 365) * DAY)
    for _ in range(len(others) // 16 if others else 0):
        add_task(s, s.pick(others), today + s.between(-300, 45) * DAY, today)


def _paragraphs(s: Seeder) -> list[str]:
    paragraphs = s.rng.sample(s.pools.sentences, s.between(1, 4))
    paragraphs.append(f"Account ending {s.between(1000, 10000)} at {s.pick(CUSTODIANS)}.")
    return paragraphs


def _classic_note(s: Seeder, contact: Record) -> None:
    s.add("Note", s.past(1, 365), OwnerId=contact["OwnerId"], ParentId=contact["Id"], Title=s.pick(NOTE_TITLES),
          Body=" ".join(_paragraphs(s)), IsPrivate=False)


def _content_note(s: Seeder, contact: Record) -> None:
    paragraphs = _paragraphs(s)
    data = "".join(f"<p>{html.escape(p, quote=False)}</p>" for p in paragraphs).encode()
    created = s.past(1, 365)
    note = s.add("ContentNote", created, created, Content=base64.b64encode(data).decode(),
                 TextPreview=" ".join(paragraphs)[:255], Title=s.pick(NOTE_TITLES), OwnerId=contact["OwnerId"],
                 FileType="SNOTE", FileExtension="snote", ContentSize=len(data),
                 LatestPublishedVersionId=s.ids.new("068"))
    twin = s.templates["ContentDocument"].copy()
    twin.update({k: note[k] for k in twin})
    s.store.tables["ContentDocument"][note["Id"]] = twin
    for entity, share in ((note["OwnerId"], "I"), (contact["Id"], "V")):
        link = s.add("ContentDocumentLink", created, created, ContentDocumentId=note["Id"], LinkedEntityId=entity,
                     ShareType=share, Visibility="AllUsers")
        link.pop("CreatedDate", None)
