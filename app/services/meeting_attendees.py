""""Also attending": what happens to a meeting's other attendees in this org, in plain words.

Salesforce relates several people to one event only where the org has Shared Activities on; the push
then relates the other contacts, and elsewhere names them in the meeting's description
(``app/sync/push/kinds/meeting_people.py``).  The meeting editor says which before Push, from the
org's describe of EventRelation (the client keeps it for the session).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from app.salesforce.errors import SalesforceError
from app.sync.connection import NotConnected
from app.sync.push.kinds.meeting_people import EVENT_RELATION, shared_in

if TYPE_CHECKING:
    from app.salesforce.client import SalesforceClient

log = logging.getLogger(__name__)

ClientFactory = Callable[[], Awaitable["SalesforceClient"]]

SHARED_WORDS = ("Your Salesforce relates a meeting to several people: each contact added here is linked to "
                "the meeting. A lead can't share a meeting with contacts there, so a lead added here is named "
                "in the meeting's description instead.")
NOT_SHARED_WORDS = ("Your Salesforce relates a meeting to one person only, so the people added here are not "
                    "linked to it: they are named in the meeting's description (“Also attending: …”).")
UNKNOWN_WORDS = ("Salesforce can't be asked just now. If your org relates a meeting to several people, the "
                 "contacts added here are linked to it; otherwise they are named in its description.")

__all__ = ["NOT_SHARED_WORDS", "SHARED_WORDS", "UNKNOWN_WORDS", "AttendeeSharing", "SharingLoad"]


@dataclass(frozen=True)
class SharingLoad:
    shared: bool | None  # None: the org could not be asked
    words: str


class AttendeeSharing:
    """``client``: the connection's live client (None: nothing to ask)."""

    def __init__(self, client: ClientFactory | None) -> None:
        self.client = client

    async def load(self) -> SharingLoad:
        """What becomes of the other attendees in this org; never raises for an org that can't answer."""
        if self.client is None:
            return SharingLoad(None, UNKNOWN_WORDS)
        try:
            described = await (await self.client()).describe(EVENT_RELATION)
        except (NotConnected, SalesforceError) as exc:
            log.info("could not read EventRelation: %s", type(exc).__name__)
            return SharingLoad(None, UNKNOWN_WORDS)
        shared = shared_in(described)
        return SharingLoad(shared, SHARED_WORDS if shared else NOT_SHARED_WORDS)
