""""Log an email": reading a pasted or dropped email, finding its client, and filling an email draft.

The draft itself is an ordinary activity draft (``ItemKind.EMAIL``, its form in
:mod:`app.store.activity_forms`): saved, queued and pushed like a call.  What is particular to an
email lives here: the fields a parsed email fills (:func:`email_fields`), and which client it is
about — the workspace's people whose email address is the sender's or a recipient's, the sender
first (Salesforce's own Email to Salesforce matches the To and Cc addresses against the standard
Email field the same way: https://help.salesforce.com/s/articleView?id=sales.email_my_email_2_sfdc_considerations.htm).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from app.services.email_parse import (
    MSG_WORDS,
    Attachment,
    EmailUnreadable,
    ParsedEmail,
    parse_eml,
    parse_file,
    parse_text,
)
from app.services.events import Events, ItemStateChanged
from app.store import activities as activities_repo
from app.store import contacts
from app.store.activities import ActivityDraftValue
from app.store.email_text import attachment_line
from app.store.kinds import ItemKind

if TYPE_CHECKING:
    from app.store.db import Database

__all__ = [
    "MSG_WORDS", "Attachment", "ClientMatch", "EmailLog", "EmailUnreadable", "ParsedEmail", "attachment_line",
    "email_fields", "parse_eml", "parse_file", "parse_text",
]


@dataclass(frozen=True)
class ClientMatch:
    """A workspace person whose address is on the email."""

    contact_id: int
    name: str
    email: str


def email_fields(parsed: ParsedEmail) -> dict[str, Any]:
    """The email draft's form fields for a parsed email (the sent time only when the email has one)."""
    fields: dict[str, Any] = {
        "subject": parsed.subject, "sender": parsed.sender, "to": parsed.to, "cc": parsed.cc,
        "body": parsed.body,
        "attachments": [{"name": a.name, "size": a.size} for a in parsed.attachments],
    }
    if parsed.sent is not None:
        fields["sent"] = parsed.sent.isoformat()
    return fields


def _matches(session: Any, connection_id: int, addresses: tuple[str, ...]) -> list[ClientMatch]:
    found = contacts.by_emails(session, connection_id, addresses)
    order = {a: i for i, a in enumerate(addresses)}
    found.sort(key=lambda c: (order.get((c.email or "").strip().casefold(), len(order)), c.id or 0))
    return [ClientMatch(c.id or 0, c.name or c.email or "", c.email or "") for c in found]


class EmailLog:
    """The use cases behind "Log an email", for one workspace."""

    def __init__(self, db: Database, events: Events | None = None) -> None:
        self.db = db
        self.events = events or Events()

    async def match(self, connection_id: int, addresses: tuple[str, ...]) -> list[ClientMatch]:
        """The clients the email is from or to: the sender's first, then To and Cc, in order."""
        if not addresses:
            return []
        return await self.db.run(lambda s: _matches(s, connection_id, addresses))

    async def log(self, connection_id: int, parsed: ParsedEmail,
                  contact_id: int | None = None) -> tuple[ActivityDraftValue, ClientMatch | None]:
        """A new email draft filled from ``parsed``, on the given client — or, with none given, on the
        client the email is from or to (none when no address is a client's).  One transaction."""
        def create(s: Any) -> tuple[ActivityDraftValue, ClientMatch | None]:
            match = None
            if contact_id is None:
                found = _matches(s, connection_id, parsed.addresses)
                match = found[0] if found else None
            chosen = contact_id if contact_id is not None else (match.contact_id if match else None)
            draft = activities_repo.create(s, connection_id, ItemKind.EMAIL, contact_id=chosen,
                                           fields=email_fields(parsed))
            return draft, match

        draft, match = await self.db.run(create)
        self.events.publish(ItemStateChanged(connection_id, ItemKind.EMAIL, draft.id, draft.state))
        return draft, match

    async def set_client(self, draft_id: int, contact_id: int) -> ActivityDraftValue:
        """Log the email on another client (the one its address matched), before it is pushed."""
        draft = await self.db.run(lambda s: activities_repo.set_client(s, draft_id, contact_id))
        self.events.publish(ItemStateChanged(draft.connection_id, ItemKind.EMAIL, draft.id, draft.state))
        return draft
