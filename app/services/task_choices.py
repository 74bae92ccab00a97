""""Task choices": the org's Task Status and Priority values for the task editor.

A first task on a new connection found the cache empty and the editor offered nothing to choose: the
pull fills the cache (``app.sync.picklists``), but a task can be started before a pull has run, or
offline.  So the editor asks here: the cached lists when they are there, otherwise one fetch from the
org (cached for next time); a cache written before the org was asked about the Task reminder
(``TaskPicklists.reminders`` None) is asked again once, when the org can be reached.  When neither
works the answer says so in the advisor's words; the task is still sent, with Status and Priority
left unset, and the push fills in the org's defaults, which Salesforce accepts (both fields have defaults on every org:
https://developer.salesforce.com/docs/atlas.en-us.object_reference.meta/object_reference/sforce_api_objects_task.htm).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING

from app.salesforce.errors import (
    AccessDenied,
    NetworkError,
    RequestLimitExceeded,
    SalesforceError,
    ServerUnavailable,
    SessionExpired,
)
from app.store import tasks as tasks_repo
from app.store.tasks import TaskPicklists
from app.sync import picklists
from app.sync.connection import NeedsAttention, NotConnected

if TYPE_CHECKING:
    from app.salesforce.client import SalesforceClient
    from app.store.db import Database

log = logging.getLogger(__name__)

ClientFactory = Callable[[], Awaitable["SalesforceClient"]]

__all__ = ["ChoicesSource", "ClientFactory", "TaskChoices", "TaskChoicesLoad", "TaskPicklists"]


class ChoicesSource(StrEnum):
    CACHED = "cached"        # read from the workspace
    FETCHED = "fetched"      # asked the org just now (and cached)
    UNAVAILABLE = "unavailable"  # neither: the editor says why; the push fills in the org's defaults


@dataclass(frozen=True)
class TaskChoicesLoad:
    lists: TaskPicklists
    source: ChoicesSource
    problem: str = ""  # plain words when ``source`` is UNAVAILABLE


def complete(lists: TaskPicklists) -> bool:
    return bool(lists.statuses and lists.priorities)


class TaskChoices:
    """``client``: the connection's live client (``ConnectionManager.client``); None: cache only."""

    def __init__(self, db: Database, client: ClientFactory | None = None) -> None:
        self.db = db
        self.client = client

    async def cached(self, connection_id: int) -> TaskPicklists:
        return await self.db.run(lambda s: tasks_repo.picklists(s, connection_id))

    async def load(self, connection_id: int) -> TaskChoicesLoad:
        """The cached lists, else fetched from the org; never raises for an org that can't answer."""
        lists = await self.cached(connection_id)
        if complete(lists) and (lists.reminders is not None or self.client is None):
            return TaskChoicesLoad(lists, ChoicesSource.CACHED)
        if self.client is None:
            return TaskChoicesLoad(lists, ChoicesSource.UNAVAILABLE, _words(None))
        try:
            fetched = await picklists.refresh(await self.client(), self.db, connection_id)
        except (NotConnected, SalesforceError) as exc:
            log.info("task picklists not loaded: %s", type(exc).__name__)
            if complete(lists):  # cached before reminders were asked about: the values still serve
                return TaskChoicesLoad(lists, ChoicesSource.CACHED)
            return TaskChoicesLoad(lists, ChoicesSource.UNAVAILABLE, _words(exc))
        if not complete(fetched):
            return TaskChoicesLoad(fetched, ChoicesSource.UNAVAILABLE, _words(None))
        return TaskChoicesLoad(fetched, ChoicesSource.FETCHED)


_AFTER = (" Your task is kept and sent as usual: Salesforce gives it your org's default status and "
          "priority.")


def _words(error: BaseException | None) -> str:
    if isinstance(error, (NetworkError, ServerUnavailable)):
        cause = "Salesforce can't be reached right now, so your org's status and priority values could " \
                "not be loaded."
    elif isinstance(error, (SessionExpired, NeedsAttention)):
        cause = "Your Salesforce sign-in needs renewing, so your org's status and priority values could " \
                "not be loaded."
    elif isinstance(error, RequestLimitExceeded):
        cause = "Your org has used its Salesforce API allowance for today, so its status and priority " \
                "values could not be loaded."
    elif isinstance(error, AccessDenied):
        cause = "Your Salesforce user may not read the org's status and priority values."
    else:
        cause = "Your org's status and priority values are not in Notebridge yet."
    return cause + _AFTER
