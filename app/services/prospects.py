""""Add a new person": a prospect the advisor met, into the workspace now and to Salesforce later."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from app.services.events import Events, ItemStateChanged
from app.store import prospects as prospect_rows
from app.store.kinds import ItemKind
from app.store.prospects import NewPerson, SameEmail

if TYPE_CHECKING:
    from app.store.db import Database

__all__ = ["NewPerson", "People", "SameEmail", "person_from_search"]

_PHONE_CHARS = set("0123456789 ()+-./")


def person_from_search(text: str) -> NewPerson:
    """What the advisor searched for, as the start of a new person: an e-mail address goes to
    E-mail, a phone number to Phone, words to the name (the last word is the last name, which
    Salesforce requires).  The household is left to the dialog, which suggests one."""
    text = " ".join((text or "").split())
    if not text:
        return NewPerson("", "")
    if "@" in text and " " not in text:
        return NewPerson("", "", email=text)
    if set(text) <= _PHONE_CHARS and sum(ch.isdigit() for ch in text) >= 3:
        return NewPerson("", "", phone=text)
    first, _, last = text.rpartition(" ")
    return NewPerson(first, last)


class People:
    def __init__(self, db: Database, events: Events | None = None) -> None:
        self.db = db
        self.events = events or Events()

    async def same_email(self, connection_id: int, email: str) -> list[SameEmail]:
        """People already in the workspace with this e-mail (to offer opening them instead)."""
        return await self.db.run(lambda s: prospect_rows.same_email(s, connection_id, email))

    async def add(self, connection_id: int, person: NewPerson, create_as: str, *, queue: bool = True) -> int:
        """Add the person and (``queue``) put them in the outbox, in one transaction; returns the contact id.

        Raises ``ValueError`` with the advisor's words when the person is not valid.
        """
        def add(session: Any) -> int:  # in the workspace and in the outbox, or neither
            contact_id = prospect_rows.create(session, connection_id, person, create_as)
            if queue:
                prospect_rows.enqueue(session, contact_id)
            return contact_id

        contact_id = await self.db.run(add)
        if queue:
            self.events.publish(ItemStateChanged(connection_id, ItemKind.PERSON, contact_id, "queued"))
        return contact_id
