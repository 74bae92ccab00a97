"""The "app" process of the soak (``benchmarks/soak.py``): the real use cases and engines on one data folder.

Reads one JSON line of settings on stdin, then runs until killed.  It reports on stdout, one line per
event, so the driver can kill it at a chosen moment and knows what was acknowledged before the kill:

    phase start                 imports done, about to open the workspace
    phase migrate               the workspace's schema is behind: opening it migrates
    opened due=N                open (migrated); N items were due in the outbox
    phase push / moved          an outbox item settled (``moved``: the first one since this start)
    phase pull-page             a sync page was written
    saved KIND ID KEY N         a draft's first N typed characters are saved (the save returned)
    queued KIND ID KEY          the item is in the outbox (the transaction returned)

Roles: ``main`` (types, queues, pushes, syncs), ``second`` (a second launch on the same folder: must be
refused the workspace and never push; prints ``refused …`` and ``second-done pushes=N``) and ``drain``
(no typing: push until the outbox is empty, print ``drained pending=N attention=N``).

The text typed into draft KEY is ``typed_text(KEY)``, so the driver can check what a draft must hold.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import random
import sqlite3
import sys
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

from app.salesforce.client import SalesforceClient
from app.salesforce.oauth import refresh_access_token
from app.services.drafts import Drafts
from app.services.events import Events, PushFinished, PushStatusChanged
from app.services.outbox_sync import OutboxSync
from app.services.prospects import NewPerson, People
from app.store import Database, WorkspaceBusyError, migrate, outbox_views
from app.store.kinds import ItemKind
from app.store.models import Connection, Contact
from app.store.notes import NoteDraft
from app.store.prospects import PROVISIONAL_PREFIX
from app.store.types import utcnow
from app.sync.progress import SyncProgress
from app.sync.pull.engine import PullEngine
from app.sync.pull.types import PullPreferences
from app.sync.push.budget import ApiBudget
from app.sync.push.engine import PushReport

WORDS = ("plan", "rollover", "estate", "trust", "college", "savings", "annuity", "risk", "income", "review",
         "beneficiary", "tax", "Roth", "IRA", "meeting", "follow-up", "déjà", "naïve", "café", "€100")
SAVE_EVERY = 0.25  # seconds between autosaves while typing (the app: after a pause, ≤ 2 s behind)
KEYSTROKE = 0.03


def typed_text(key: str, length: int = 400) -> str:
    """What is typed into the draft ``key`` (the same text every time, so the driver can check it)."""
    rng = random.Random(key)
    out = ""
    while len(out) < length:
        out += rng.choice(WORDS) + (".\n" if rng.random() < 0.1 else " ")
    return out[:length]


def say(line: str) -> None:
    print(line, flush=True)


@dataclass(frozen=True)
class Settings:
    db: Path
    base_url: str
    consumer_key: str
    access_token: str
    refresh_token: str
    ca_file: str | None
    connection_id: int
    run: int
    role: str
    seed: int


def _schema_behind(db: Path) -> bool:
    """Whether opening the workspace will migrate it (read without taking any lock)."""
    if not db.exists():
        return False
    try:
        with sqlite3.connect(f"{db.as_uri()}?mode=ro", uri=True) as conn:
            row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
    except sqlite3.Error:
        return True
    return row is None or row[0] != migrate.head_revision()


class App:
    def __init__(self, cfg: Settings, db: Database, api_version: str | None = None) -> None:
        self.cfg, self.db = cfg, db
        self.events = Events()
        self.drafts = Drafts(db, self.events)
        self.people = People(db, self.events)
        self.rng = random.Random(cfg.seed)
        self.refresh_token = cfg.refresh_token
        self.client = SalesforceClient(cfg.base_url, cfg.access_token, api_version=api_version, refresh=self._refresh,
                                       ca_file=cfg.ca_file)
        self.moved = False
        self.pushes = 0

    async def _refresh(self) -> str:
        tokens = await refresh_access_token(self.cfg.base_url, self.cfg.consumer_key, self.refresh_token,
                                            ca_file=self.cfg.ca_file)
        if tokens.refresh_token:
            self.refresh_token = tokens.refresh_token
        return tokens.access_token

    async def _client(self) -> SalesforceClient:
        return self.client

    def _progress(self, progress: SyncProgress) -> None:
        if progress.done <= 0:
            return
        if not self.moved:
            self.moved = True
            say("moved")
        say("phase push")

    def _report(self, report: PushReport) -> None:
        self.pushes += report.pushed
        say(f"report {report.status} pushed={report.pushed} reconciled={report.reconciled} calls={report.api_calls} "
            f"reason={report.reason!r}")

    def outbox(self) -> OutboxSync:
        # The API-limit spell lasts seconds in the soak: look at the budget again after 3 s, not 30 min.
        sync = OutboxSync(self.db, self.cfg.connection_id, self._client, self.events,
                          budget=ApiBudget(recheck=timedelta(seconds=3)), on_progress=self._progress)
        self.events.subscribe(PushFinished, lambda event: self._report(event.report))
        self.events.subscribe(PushStatusChanged, lambda event: say(f"status {event.status.state}"))
        return sync

    # -- the advisor ------------------------------------------------------------------------------------
    async def people_ids(self) -> list[int]:
        def read(session: Any) -> list[int]:
            from sqlmodel import col, select
            rows = session.exec(select(Contact.id).where(
                col(Contact.connection_id) == self.cfg.connection_id, col(Contact.source_object) == "Contact",
                col(Contact.sf_id).not_like(f"{PROVISIONAL_PREFIX}%")).limit(200)).all()
            return [int(r) for r in rows]
        return await self.db.run(read)

    async def type_into(self, kind: ItemKind, draft_id: int, key: str, start: int) -> None:
        """Type the draft's text a few characters at a time, saving as the editor's autosave does."""
        text = typed_text(key, self.rng.randint(60, 260))
        field = "body_markdown" if kind == ItemKind.NOTE else "description"
        n, last_save = start, asyncio.get_running_loop().time()
        while n < len(text):
            n = min(len(text), n + self.rng.randint(1, 4))
            await asyncio.sleep(KEYSTROKE)
            now = asyncio.get_running_loop().time()
            if now - last_save >= SAVE_EVERY or n == len(text):
                await self.drafts.save(kind, draft_id, {field: text[:n]})
                say(f"saved {kind} {draft_id} {key} {n}")
                last_save = now

    async def one_draft(self, kind: ItemKind, key: str, contacts: list[int]) -> None:
        contact = self.rng.choice(contacts)
        if kind == ItemKind.NOTE:
            draft_id = (await self.drafts.new_note(self.cfg.connection_id, contact)).id
            await self.drafts.save(kind, draft_id, {"title": f"Soak note {key}"})
        else:
            draft_id = (await self.drafts.new_task(self.cfg.connection_id, contact)).id
            await self.drafts.save(kind, draft_id, {"subject": f"Soak task {key}", "status": "Not Started",
                                                    "priority": "Normal"})
        say(f"created {kind} {draft_id} {key}")
        await self.type_into(kind, draft_id, key, 0)
        await self.queue(kind, draft_id, key)

    async def queue(self, kind: ItemKind, draft_id: int, key: str) -> None:
        result = await self.drafts.queue_for_push(kind, [draft_id])
        if result.queued:
            say(f"queued {kind} {draft_id} {key}")
        else:
            say(f"refused-queue {kind} {draft_id} {key} {result}")

    async def finish_left_drafts(self) -> None:
        """Drafts a kill left half-typed: type on where the workspace says they stopped, then queue."""
        drafts = await self.db.run(lambda s: outbox_views.idle_drafts(s, self.cfg.connection_id, utcnow()))
        for draft in drafts:
            if isinstance(draft, NoteDraft):
                kind, title, typed = ItemKind.NOTE, draft.title, draft.body_markdown
            else:
                kind, title, typed = ItemKind.TASK, draft.subject, draft.description or ""
            if not title.startswith("Soak "):
                continue
            key = title.split()[-1]
            await self.type_into(kind, draft.id, key, len(typed))
            await self.queue(kind, draft.id, key)

    async def typist(self) -> None:
        contacts = await self.people_ids()
        while not contacts:  # a fresh workspace: wait for the first sync
            await asyncio.sleep(0.2)
            contacts = await self.people_ids()
        await self.finish_left_drafts()
        n = 0
        while True:
            n += 1
            key = f"{self.cfg.run}x{n}"
            if n % 4 == 0:
                person = NewPerson(first_name="Pat", last_name=f"Soak{key}", email=f"soak{key}@example.com",
                                   account_name=f"Soak{key} Household")
                contact_id = await self.people.add(self.cfg.connection_id, person, "Contact")
                say(f"queued person {contact_id} {key}")
                await asyncio.sleep(0.2)
            else:
                await self.one_draft(ItemKind.NOTE if n % 2 else ItemKind.TASK, key, contacts)

    async def syncer(self) -> None:
        def page(progress: SyncProgress) -> None:
            if progress.done > 0:
                say("phase pull-page")

        prefs = PullPreferences(include_events=False)
        if await self.people_ids():  # as the app's scheduler: the first sync a little after start-up
            await asyncio.sleep(2.0)
        while True:
            engine = PullEngine(self.client, self.db, self.cfg.connection_id, prefs, on_progress=page)
            await engine.run(full=not await self.people_ids() or self.rng.random() < 0.3)
            await asyncio.sleep(self.rng.uniform(3, 6))


async def main_role(cfg: Settings) -> None:
    if _schema_behind(cfg.db):
        say("phase migrate")
    db = await Database.open(cfg.db)
    db.claim_writer()  # as the GUI does at launch: this process is the workspace's one writer
    due = await db.run(lambda s: outbox_views.has_due(s, cfg.connection_id, utcnow()))
    say(f"opened due={int(due)}")
    # As the app's connection manager: the client uses the API version stored with the connection.
    api_version = await db.run(lambda s: s.get(Connection, cfg.connection_id).api_version)
    app = App(cfg, db, api_version)
    sync = app.outbox()
    sync.start()
    if cfg.role == "drain":
        while True:
            await asyncio.sleep(0.5)
            counts = await db.run(lambda s: outbox_views.counts(s, cfg.connection_id))
            if counts.pending == 0:
                say(f"drained pending=0 attention={counts.needs_attention}")
                break
            sync.wake()
        await sync.aclose()
        await app.client.aclose()
        await db.close()
        return
    await asyncio.gather(app.typist(), app.syncer())


async def second_role(cfg: Settings) -> None:
    """A second launch on the same folder: the workspace must refuse it, and it must never push."""
    db = await Database.open(cfg.db)
    try:
        db.claim_writer()
    except WorkspaceBusyError as exc:
        say(f"refused {exc}")
    else:
        say("claimed")  # wrong: the main process holds the workspace
    app = App(cfg, db)
    sync = app.outbox()
    sync.start()
    sync.wake()
    await asyncio.sleep(1.5)
    say(f"second-done pushes={app.pushes} runs={sync.loop.runs}")
    await sync.aclose()
    await app.client.aclose()
    await db.close()


class FaultLines(logging.Handler):
    """The client's own words for a fault it met (a retry, a lost answer, a refresh): one line each,
    ``fault push …`` when the push loop's task met it, ``fault other …`` otherwise (the background
    sync), so the driver can tell when the org first turned the push away (``soak_recovery.py``)."""

    WORDS = ("retry", "response lost", "access token expired", "no time left")

    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage()
        if any(word in message for word in self.WORDS):
            try:
                task = asyncio.current_task()
            except RuntimeError:
                task = None
            who = "push" if task is not None and task.get_name() == "push-loop" else "other"
            say(f"fault {who} {message}")


class AppLines(logging.Handler):
    """Every INFO line of the push and the client (``log NAME: MESSAGE``): what a restart did between
    the process start and the outbox moving again (a retry, a refresh, a reconcile, a settle wait)."""

    def emit(self, record: logging.LogRecord) -> None:
        say(f"log {record.name.removeprefix('app.')}: {record.getMessage()}")


def main() -> None:
    session_log = logging.getLogger("app.salesforce.session")
    session_log.setLevel(logging.INFO)
    session_log.addHandler(FaultLines())
    app_log = logging.getLogger("app")
    app_log.setLevel(logging.INFO)
    app_log.addHandler(AppLines())
    if os.environ.get("NOTEBRIDGE_SOAK_DEBUG"):
        logging.basicConfig(level=logging.DEBUG, stream=sys.stderr,
                            format=f"%(relativeCreated)6d {os.getpid()} %(name)s %(message)s")
    raw = json.loads(sys.stdin.readline())
    cfg = Settings(**{**raw, "db": Path(raw["db"])})
    say("phase start")
    asyncio.run(second_role(cfg) if cfg.role == "second" else main_role(cfg))


if __name__ == "__main__":
    main()
