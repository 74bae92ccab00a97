"""The demo workspace: sign in to the built-in demo org and fill the workspace, with no one asked anything.

It is the sequence a real org goes through, not a shortcut around it: ``sign_in`` (authorization code
with PKCE through the loopback callback, token exchange, identity, the connection saved with its
secrets in the keyring), then the wizard's first sync (``pull_first_sync``: the pull engine). Only the
browser step differs: the demo org pre-authorizes its own demo app ("Admin approved users are
pre-authorized"), so ``open_without_browser`` plays that step and nothing is shown. Whether the org
approves is the org's decision; an org that wants a page answers ``NeedsBrowser``.

"Reset demo data" forgets the demo connection and everything made in it (made-up clients, drafts,
notes), without the export a real org's Forget writes: nothing in the demo is anyone's real work.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from app.salesforce.unattended import NeedsBrowser, open_without_browser
from app.services import sign_in as sign_in_service
from app.services.first_sync import PullResult, SyncProgress, pull_first_sync
from app.store import forget as forget_rows
from app.store.forget import ForgetSummary
from app.sync import forget as forget_mod

if TYPE_CHECKING:
    from app.services.events import Events
    from app.store.db import Database
    from app.sync.connection import ConnectionManager, OrgConnection

__all__ = ["DemoOpened", "DemoOrgAddress", "ForgetSummary", "NeedsBrowser", "open_demo", "reset_demo",
           "what_reset_deletes"]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class DemoOrgAddress:
    """Where the running demo org is and which app to sign in as (what the org announces about itself)."""

    login_url: str
    consumer_key: str
    consumer_secret: str | None = field(default=None, repr=False)
    callback_urls: tuple[str, ...] = ()
    ca_file: str | None = None

    @classmethod
    def from_info(cls, info: Mapping[str, Any]) -> DemoOrgAddress:
        """From the org's announcement (``DemoOrg.info()``, the CLI's JSON line)."""
        return cls(login_url=str(info["login_url"]), consumer_key=str(info["consumer_key"]),
                   consumer_secret=str(info["consumer_secret"]) if info.get("consumer_secret") else None,
                   callback_urls=tuple(str(url) for url in info.get("callback_urls") or ()),
                   ca_file=str(info["ca_file"]) if info.get("ca_file") else None)


@dataclass(frozen=True)
class DemoOpened:
    connection: OrgConnection
    first_sync: PullResult


async def open_demo(
    db: Database, connections: ConnectionManager, demo: DemoOrgAddress, *, events: Events | None = None,
    on_progress: Callable[[SyncProgress], None] | None = None,
) -> DemoOpened:
    """Sign in to the demo org (again, if this workspace was connected to it before) and pull its clients.

    The demo org's tokens live as long as its process, so every start signs in afresh; the saved
    connection (same org, same user) keeps its id, so what was made in the demo stays. Raises what a
    sign-in raises (``NeedsBrowser`` when the org wants a page) and ``RuntimeError`` when the first
    sync did not finish.
    """
    opener = open_without_browser(demo.ca_file)
    callbacks = demo.callback_urls or sign_in_service.DEFAULT_CALLBACK_URLS
    request = sign_in_service.SignInRequest(demo.login_url, demo.consumer_key, demo.consumer_secret, callbacks,
                                            sign_in_service.SIGN_IN_TIMEOUT, ca_file=demo.ca_file)
    connection = await sign_in_service.sign_in(db, connections, request, opener, events=events)
    result = await pull_first_sync(db, connections)(on_progress or (lambda _progress: None), asyncio.Event())
    if not result.ok:
        raise RuntimeError(result.message)
    log.info("demo workspace ready: %s", result.message)
    return DemoOpened(connection, result)


async def what_reset_deletes(db: Database, connections: ConnectionManager) -> ForgetSummary | None:
    """What "Reset demo data" would delete (None: there is nothing to reset)."""
    active = connections.active or await connections.load_active()
    return None if active is None else await forget_mod.preview(db, active.connection_id)


async def reset_demo(db: Database, connections: ConnectionManager) -> None:
    """Forget the demo connection and every row made in it; nothing is exported (it is all made up)."""
    active = connections.active or await connections.load_active()
    if active is None:
        return
    await connections.disconnect()
    cid = active.connection_id
    await db.run(lambda session: forget_rows.delete_everything(session, cid))
    await connections.load_active()
    log.info("demo data reset (connection %d)", cid)
