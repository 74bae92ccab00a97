""""Picklist choices": the org's active values of one picklist field, for a form's PICKLIST field.

A new opportunity's stage must be one of the org's *active* stages; the editor offers them, read
from the org's describe (the client keeps it for the session).  Offline or signed out, the editor
says so in plain words and keeps "the org's default stage", which the push fills in when it sends.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from app.salesforce.errors import SalesforceError
from app.sync.connection import NotConnected
from app.sync.org_picklists import active_values

if TYPE_CHECKING:
    from app.salesforce.client import SalesforceClient

log = logging.getLogger(__name__)

ClientFactory = Callable[[], Awaitable["SalesforceClient"]]
UNAVAILABLE = ("Salesforce can't be reached just now, so its list isn't shown. Leave it on the org's "
               "default: Notebridge fills it in when it sends.")

__all__ = ["PicklistChoices", "PicklistLoad"]


@dataclass(frozen=True)
class PicklistLoad:
    values: tuple[str, ...]
    default: str | None
    problem: str = ""  # plain words when the org could not be asked


class PicklistChoices:
    """``client``: the connection's live client (None: nothing to ask, the problem says so)."""

    def __init__(self, client: ClientFactory | None) -> None:
        self.client = client

    async def load(self, sobject: str, field_name: str) -> PicklistLoad:
        """The field's active values; never raises for an org that can't answer."""
        if self.client is None:
            return PicklistLoad((), None, UNAVAILABLE)
        try:
            facts = await active_values(await self.client(), sobject, field_name)
        except (NotConnected, SalesforceError) as exc:
            log.info("could not read %s.%s values: %s", sobject, field_name, type(exc).__name__)
            return PicklistLoad((), None, UNAVAILABLE)
        return PicklistLoad(facts.values, facts.default)
