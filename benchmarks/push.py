"""Push benchmark: the app's real push engine against the demo org, versus one request per record.

    python -m benchmarks.push --notes 1000 --tasks 1000 --calls 1000 --emails 1000 --meetings 1000 \
        --opportunities 1000 --latency-ms 100 --json out.json

Both runs lose the response of 5 % of their writes after Salesforce committed them (the demo org's
drop-after-commit fault, on every 20th write), which is what makes duplicates possible.  Reported
per run: ``items, api_calls, seconds, duplicates, max_stall_ms`` (the longest the asyncio loop was
blocked, measured by a 5 ms ticker, with the app's start-up switches applied: ``app.runtime``),
``stalls_over_50ms`` (how often it was over the target), plus ``writes`` and ``dropped``.  The engine run also reports
``collections_minimum`` (⌈tasks/200⌉ + 2·⌈notes/200⌉: notes and their links, + ⌈n/200⌉ per activity
kind: calls, emails, meetings, opportunities — :mod:`benchmarks.push_activities`) and the ratio to it,
and the same per kind (``by_kind``, :mod:`benchmarks.push_calls`).  ``--probe-stalls`` prints what
ran during the longest stalls (:mod:`benchmarks.stall_probe`).

The baseline is what a simple client does: ``POST`` each record (and each note's link) on its own,
16 in flight, and re-send a create whose answer was lost — so its duplicates show what
reconciliation prevents.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import math
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from contextlib import nullcontext
from pathlib import Path
from typing import Any

from sqlmodel import select

from app.runtime import tune_for_responsiveness
from app.salesforce.client import SalesforceClient
from app.salesforce.errors import OutcomeUnknown, SalesforceError
from app.store import Database
from app.store import contacts as contacts_repo
from app.store import notes as notes_repo
from app.store import outbox as outbox_repo
from app.store import tasks as tasks_repo
from app.store.kinds import ItemKind
from app.store.models import Connection, Contact
from app.sync import picklists
from app.sync.push import mapping as push_mapping
from app.sync.push.engine import PushEngine, PushSettings
from benchmarks import push_activities
from benchmarks.push_calls import CallsByKind
from benchmarks.stall_probe import StallProbe
from benchmarks.workspace import OrgProcess

DROP_EVERY = 20  # 5 % of writes
WRITE_METHODS = frozenset({"POST", "PATCH"})


class RemoteOrg:
    """The demo org in its own process (as Salesforce is: its work must not share our GIL, or the
    loop-stall figure would measure the fake server), driven through its ``/__demo__`` controls."""

    def __init__(self, latency_ms: float) -> None:
        self.proc = OrgProcess(contacts=100, latency_ms=latency_ms, seed=11)
        info = self.proc.info
        self.base_url = self.login_url = str(info["base_url"])
        self.consumer_key, self.username = str(info["consumer_key"]), str(info["username"])
        self.ca_file: str | None = info.get("ca_file")
        tokens = self.mint_tokens()
        self.org_id, self.user_id = tokens["id"].rstrip("/").split("/")[-2:]

    def mint_tokens(self) -> dict[str, str]:
        return dict(self.proc.command("mint_tokens"))

    def drop_after_commit(self, n: int) -> None:
        self.proc.command("drop_after_commit", n=n)

    def records(self, sobject: str) -> list[dict[str, Any]]:
        return list(self.proc.control.get(f"/records/{sobject}").json())

    def api_calls(self) -> int:
        return self.proc.api_calls()

    def reset_stats(self) -> None:
        self.proc.command("reset_stats")

    def close(self) -> None:
        self.proc.close()


class FaultyWrites:
    """Arms the org's drop-after-commit fault before every ``DROP_EVERY``-th write request."""

    def __init__(self, org: RemoteOrg) -> None:
        self.org = org
        self.writes = 0
        self.dropped = 0

    def install(self, client: SalesforceClient) -> None:
        original = client.request

        async def request(method: str, path: str, **kwargs: Any) -> Any:
            if method.upper() in WRITE_METHODS:
                self.writes += 1
                if self.writes % DROP_EVERY == 1:
                    self.dropped += 1
                    await asyncio.to_thread(self.org.drop_after_commit, 1)
            return await original(method, path, **kwargs)

        client.request = request  # type: ignore[method-assign]


class StallMeter:
    """The longest time the event loop could not run a 5 ms ticker on time — and how many times it
    was over 50 ms (the target), a figure a single unlucky moment on a shared machine moves less."""

    def __init__(self) -> None:
        self.max_ms = 0.0
        self.over_50 = 0
        self._task: asyncio.Task[None] | None = None

    async def _tick(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            start = loop.time()
            await asyncio.sleep(0.005)
            late = (loop.time() - start - 0.005) * 1000
            self.max_ms = max(self.max_ms, late)
            self.over_50 += late > 50

    def __enter__(self) -> StallMeter:
        self._task = asyncio.get_running_loop().create_task(self._tick())
        return self

    def __exit__(self, *exc: object) -> None:
        if self._task is not None:
            self._task.cancel()


def _settle_heap() -> None:
    """As the app does once start-up is done (:func:`app.runtime.tune_for_responsiveness`: the 1 ms
    switch interval, collect, freeze), then collect and freeze again so the drafts just created here
    are not walked by every full collection of the run either."""
    tune_for_responsiveness()
    gc.collect()
    gc.freeze()


def _client(org: RemoteOrg) -> SalesforceClient:
    tokens = org.mint_tokens()
    return SalesforceClient(tokens["instance_url"], tokens["access_token"], ca_file=org.ca_file,
                            retry_backoff=0.05, retry_backoff_max=0.5, timeout=60)


def _duplicates(org: RemoteOrg, sobject: str, field: str, prefix: str) -> tuple[int, int]:
    """(distinct items present, extra copies) among records whose ``field`` starts with ``prefix``."""
    counts = Counter(r[field] for r in org.records(sobject) if not r.get("IsDeleted")
                     and str(r.get(field) or "").startswith(prefix))
    return len(counts), sum(n - 1 for n in counts.values())


async def _workspace(org: RemoteOrg, path: Path) -> tuple[Database, int, list[Contact]]:
    db = await Database.open(path)
    rows = [{"sf_id": r["Id"], "source_object": "Contact", "first_name": r.get("FirstName"),
             "last_name": r.get("LastName"), "name": r.get("Name"), "account_sf_id": r.get("AccountId")}
            for r in org.records("Contact") if not r.get("IsDeleted")]

    def setup(session: Any) -> tuple[int, list[Contact]]:
        conn = Connection(org_id=org.org_id, user_id=org.user_id, username=org.username, instance_url=org.base_url,
                          login_url=org.login_url, api_version="66.0", consumer_key=org.consumer_key)
        session.add(conn)
        session.flush()
        contacts_repo.upsert_many(session, conn.id, rows)
        people = list(session.exec(select(Contact).where(
            Contact.connection_id == conn.id)).all())
        return conn.id, people

    connection_id, people = await db.run(setup)
    return db, connection_id, people


async def run_engine(notes: int, tasks: int, latency_ms: float, workdir: Path,
                     activities: dict[ItemKind, int] | None = None, probe: bool = False) -> dict[str, Any]:
    activities = activities or {}
    org = RemoteOrg(latency_ms)
    try:
        db, connection_id, people = await _workspace(org, workdir / "engine.db")

        def drafts(session: Any) -> None:
            note_ids, task_ids = [], []
            for n in range(notes):
                person = people[n % len(people)]
                note_ids.append(notes_repo.create(
                    session, connection_id, contact_id=person.id, title=f"Bench note {n}",
                    body_markdown=f"## Summary\n\nMet **{person.name}** about the plan #{n}.\n\n- Action {n}").id)
            for n in range(tasks):
                person = people[n % len(people)]
                task_ids.append(tasks_repo.create(session, connection_id, contact_id=person.id,
                                                  subject=f"Bench task {n}", status="Not Started",
                                                  priority="Normal").id)
            outbox_repo.enqueue_many(session, ItemKind.NOTE, note_ids)
            outbox_repo.enqueue_many(session, ItemKind.TASK, task_ids)
            push_activities.make_drafts(session, connection_id, people, activities)

        await db.run(drafts)
        async with _client(org) as client:  # what the pull leaves in a workspace: the org's Task lists
            await picklists.refresh(client, db, connection_id)
        org.reset_stats()
        faults = FaultyWrites(org)
        by_kind = CallsByKind()
        async with _client(org) as client:
            faults.install(client)
            by_kind.install(client)
            engine = PushEngine(client, db, connection_id, PushSettings(), handlers=by_kind.handlers())
            _settle_heap()
            with StallMeter() as stall, (StallProbe() if probe else nullcontext()) as watch:
                start = time.perf_counter()
                report = await engine.push()
                runs = 1
                while report.status == "done" and report.pushed and runs < 5:
                    follow = await engine.push()  # anything re-queued within the run is already done
                    if follow.status == "nothing":
                        break
                    runs += 1
                seconds = time.perf_counter() - start
        if watch is not None:
            print(json.dumps(watch.report(), indent=1), file=sys.stderr)
        await db.close()
        present_n, dup_n = _duplicates(org, "ContentNote", "Title", "Bench note ")
        present_t, dup_t = _duplicates(org, "Task", "Subject", "Bench task ")
        bench_docs = {r["Id"] for r in org.records("ContentNote") if str(r.get("Title")).startswith("Bench note ")}
        links = sum(1 for r in org.records("ContentDocumentLink") if not r.get("IsDeleted")
                    and r["ContentDocumentId"] in bench_docs and not str(r["LinkedEntityId"]).startswith("005"))
        minimum = math.ceil(tasks / 200) + 2 * math.ceil(notes / 200) + push_activities.minimum_calls(activities)
        api_calls = org.api_calls()
        logged = push_activities.counted(org.records, activities)
        return {
            "items": notes + tasks + sum(activities.values()), "api_calls": api_calls, "seconds": round(seconds, 2),
            "duplicates": dup_n + dup_t + max(0, links - notes) + logged["duplicates"],
            "max_stall_ms": round(stall.max_ms, 1), "stalls_over_50ms": stall.over_50,
            "missing": (notes - present_n) + (tasks - present_t) + max(0, notes - links) + logged["missing"],
            "writes": faults.writes,
            "dropped": faults.dropped, "reconciled": report.reconciled, "collections_minimum": minimum,
            "calls_vs_minimum": round(api_calls / minimum, 2) if minimum else None,
            **by_kind.report({ItemKind.NOTE: notes, ItemKind.TASK: tasks, **activities}, api_calls),
        }
    finally:
        org.close()


async def run_baseline(notes: int, tasks: int, latency_ms: float, concurrency: int = 16,
                       activities: dict[ItemKind, int] | None = None) -> dict[str, Any]:
    activities = activities or {}
    org = RemoteOrg(latency_ms)
    try:
        people = [r for r in org.records("Contact") if not r.get("IsDeleted")]
        org.reset_stats()
        faults = FaultyWrites(org)
        gate = asyncio.Semaphore(concurrency)
        async with _client(org) as client:
            faults.install(client)

            async def create(sobject: str, fields: dict[str, Any]) -> str:
                while True:  # a naive client: a lost answer means "try again"
                    try:
                        return await client.create(sobject, fields)
                    except OutcomeUnknown:
                        continue
                    except SalesforceError as exc:
                        if exc.error_code == "DUPLICATE_VALUE":  # the link was made the first time
                            return ""
                        raise

            async def one_note(n: int) -> None:
                async with gate:
                    person = people[n % len(people)]
                    draft = notes_repo.NoteDraft(0, "", 0, None, person["Id"], None, None, f"Bench note {n}",
                                                 f"Met about the plan #{n}.", (), None, "draft", None, None, None,
                                                 None, None)  # type: ignore[arg-type]
                    record = push_mapping.content_note_record(draft)
                    doc = await create("ContentNote", {k: v for k, v in record.items() if k != "attributes"})
                    await create("ContentDocumentLink", {"ContentDocumentId": doc, "LinkedEntityId": person["Id"],
                                                         "ShareType": "V", "Visibility": "AllUsers"})

            async def one_task(n: int) -> None:
                async with gate:
                    person = people[n % len(people)]
                    await create("Task", {"Subject": f"Bench task {n}", "WhoId": person["Id"],
                                          "Status": "Not Started", "Priority": "Normal"})

            with_account = [p for p in people if p.get("AccountId")]

            async def one_activity(bench: push_activities.BenchKind, n: int) -> None:
                async with gate:
                    pool = with_account if bench.needs_account else people
                    await create(bench.sobject, bench.baseline_record(n, pool[n % len(pool)]))

            jobs: list[Callable[[], Awaitable[None]]] = [lambda n=n: one_note(n) for n in range(notes)]
            jobs += [lambda n=n: one_task(n) for n in range(tasks)]
            jobs += [lambda b=b, n=n: one_activity(b, n) for b in push_activities.KINDS
                     for n in range(activities.get(b.kind, 0))]
            _settle_heap()
            with StallMeter() as stall:
                start = time.perf_counter()
                await asyncio.gather(*(job() for job in jobs), return_exceptions=False)
                seconds = time.perf_counter() - start
        _present_n, dup_n = _duplicates(org, "ContentNote", "Title", "Bench note ")
        _present_t, dup_t = _duplicates(org, "Task", "Subject", "Bench task ")
        logged = push_activities.counted(org.records, activities)
        return {"items": notes + tasks + sum(activities.values()), "api_calls": org.api_calls(),
                "seconds": round(seconds, 2), "duplicates": dup_n + dup_t + logged["duplicates"],
                "max_stall_ms": round(stall.max_ms, 1), "writes": faults.writes,
                "dropped": faults.dropped, "concurrency": concurrency}
    finally:
        org.close()


async def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--notes", type=int, default=1000)
    parser.add_argument("--tasks", type=int, default=1000)
    parser.add_argument("--calls", type=int, default=1000, help="logged calls (Tasks, TaskSubtype Call)")
    parser.add_argument("--emails", type=int, default=1000, help="logged emails (Tasks, TaskSubtype Email)")
    parser.add_argument("--meetings", type=int, default=1000, help="meetings (Events)")
    parser.add_argument("--opportunities", type=int, default=1000, help="new opportunities")
    parser.add_argument("--latency-ms", type=float, default=100.0)
    parser.add_argument("--json", type=Path, default=None, help="write the figures here")
    parser.add_argument("--no-baseline", action="store_true", help="skip the one-request-per-record run")
    parser.add_argument("--probe-stalls", action="store_true", help="sample what runs during stalls (stderr)")
    args = parser.parse_args(argv)
    activities = {ItemKind.CALL: args.calls, ItemKind.EMAIL: args.emails, ItemKind.MEETING: args.meetings,
                  ItemKind.OPPORTUNITY: args.opportunities}
    with tempfile.TemporaryDirectory(prefix="notebridge-bench-") as tmp:
        engine = await run_engine(args.notes, args.tasks, args.latency_ms, Path(tmp), activities, args.probe_stalls)
    result: dict[str, Any] = {"notes": args.notes, "tasks": args.tasks, "calls": args.calls, "emails": args.emails,
                              "meetings": args.meetings, "opportunities": args.opportunities,
                              "latency_ms": args.latency_ms,
                              "drop_after_commit": f"every {DROP_EVERY}th write (5%)", "push": engine}
    if not args.no_baseline:
        result["baseline"] = await run_baseline(args.notes, args.tasks, args.latency_ms, activities=activities)
    text = json.dumps(result, indent=2)
    print(text)
    if args.json:
        args.json.write_text(text + "\n", encoding="utf-8")
    return result


if __name__ == "__main__":
    outcome = asyncio.run(main())
    sys.exit(0 if outcome["push"]["duplicates"] == 0 and outcome["push"]["missing"] == 0 else 1)
