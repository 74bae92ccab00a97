"""Client history, measured (issue 14): meeting-prep prefetch, opening a client, searching notes.

    python -m benchmarks.history --contacts 100000 --meeting-clients 2000 --latency-ms 100 --json out.json

The demo org runs in its own process over HTTPS (as in ``benchmarks/workspace.py``), seeded as a
meeting-prep book (``--meeting-clients``): that many clients have a meeting in the next 14 days, each
with ~5 notes (ContentNotes and classic Notes) and ~10 tasks; nobody else meets soon.  Then, in this
process, on a qasync loop with the real ``WorkspacePage`` on screen (offscreen), a real SQLite file in
a temp dir:

* the app's ``PullEngine`` syncs contacts, users and meetings (not measured here: see workspace.py);
* **prefetch** — the use case ``ClientHistory.prefetch`` (what the scheduler's meeting-prep step runs:
  ``app/sync/pull/history_prefetch.py`` → ``HistoryPuller``) with a 14-day window and owned clients
  off, so exactly the meeting clients are fetched; API calls as the org counted them, wall time, and
  the longest event-loop stall seen by a 5 ms ``QTimer`` on the same loop; then the same prefetch
  again with nothing changed (the incremental cost);
* **open a client** — click to timeline painted: ``ClientDetail.show_contact`` of the real detail
  panel until its ``TimelineView`` has drawn the stored timeline (``history_shown``) and the loop has
  turned once to paint, for clients with history; the use case ``ClientHistory.timeline`` alone too;
* **note search** — what each keystroke in the search box runs for the second group:
  ``ClientHistory.search(…, MAX_HITS)`` (as ``HistoryHitsView.search`` calls it), for every prefix of
  2+ letters of words typed (common topics, custodians, an account's last digits, task subjects,
  words found nowhere); the widget's whole ``search`` (query and redraw) apart;
* **typo-tolerant names** — ``contacts.search`` with one typo, as in workspace.py (its similar-names
  tier), on the same 100,000 contacts.

Targets (issue 14): prefetch of 2,000 clients ≤ 60 API calls and ≤ 30 s; open p95 ≤ 50 ms; note
search and typo search p95 ≤ 15 ms; stall ≤ 50 ms.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import os
import random
import shutil
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from benchmarks.workspace import OrgProcess, note, open_workspace, print_rows, rss_mb, typo_queries

TARGETS = {"history_api_calls": 60, "history_seconds": 30.0, "open_client_ms_p95": 50.0,
           "search_notes_p95_ms": 15.0, "fuzzy_search_p95_ms": 15.0, "max_stall_ms": 50.0}
TOPICS = ("beneficiary", "rollover", "retirement", "insurance", "distributions", "charitable", "refinance",
          "renovation", "statements", "spouse", "scenarios", "quarter")
CUSTODIANS = ("Schwab", "Fidelity", "Vanguard", "Pershing")
SUBJECTS = ("RMD schedule", "paperwork", "trust documents", "birthday card", "risk questionnaire")
ABSENT = ("zebra", "xylophone", "qwerty")


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[max(0, int(len(ordered) * 0.95) - 1)] if ordered else 0.0


class StallProbe:
    """A 5 ms ``QTimer`` on the loop: the longest gap between its ticks, less 5 ms, is the stall."""

    def __init__(self) -> None:
        from PySide6.QtCore import QElapsedTimer, QTimer

        self.clock = QElapsedTimer()
        self.clock.start()
        self.gaps: list[float] = []
        self.last = self.clock.nsecsElapsed()
        self.timer = QTimer()
        self.timer.setInterval(5)
        self.timer.timeout.connect(self._tick)

    def _tick(self) -> None:
        now = self.clock.nsecsElapsed()
        self.gaps.append((now - self.last) / 1e6)
        self.last = now

    def start(self) -> None:
        self.gaps.clear()
        self.last = self.clock.nsecsElapsed()
        self.timer.start()

    def stop(self) -> tuple[float, float]:
        """(max stall, p99 stall) in ms."""
        self.timer.stop()
        gaps = sorted(self.gaps)
        if not gaps:
            return 0.0, 0.0
        return max(0.0, gaps[-1] - 5.0), max(0.0, gaps[int(len(gaps) * 0.99)] - 5.0)


def keystrokes(words: list[str]) -> list[tuple[str, str]]:
    """Every prefix of 2+ letters of each word, as the box sends them while it is typed."""
    return [(word, word[:end]) for word in words for end in range(2, len(word) + 1)]


async def _prefetch(org: OrgProcess, tokens: dict[str, Any], db: Any, cid: int, out: dict[str, Any]) -> None:
    from app.salesforce.client import SalesforceClient
    from app.services.history import ClientHistory, PrefetchPreferences
    from app.sync.pull.engine import PullEngine
    from app.sync.pull.search_upkeep import tidy_search_index
    from app.sync.pull.types import PullPreferences

    async with SalesforceClient(tokens["instance_url"], tokens["access_token"], ca_file=org.ca_file) as client:
        await client.ensure_api_version()
        note("syncing contacts, users and meetings (not measured here)")
        started = time.perf_counter()
        first = await PullEngine(client, db, cid, PullPreferences()).run()
        out["contact_sync_seconds"] = time.perf_counter() - started
        out["meetings_synced"] = first.counts.get("Event.written", 0)
        await tidy_search_index(db)  # what the scheduler does after a big sync, before searches

        async def reach() -> SalesforceClient:
            return client

        history = ClientHistory(db, client=reach)
        await history.save_prefetch_preferences(cid, PrefetchPreferences(window_days=14, owned_clients=False))
        note("meeting-prep prefetch")
        probe = StallProbe()
        collections: list[float] = []  # full (generation 2) collections during the prefetch, ms
        began: list[float] = []

        def collected(phase: str, info: dict[str, int]) -> None:
            if info.get("generation") == 2:
                if phase == "start":
                    began[:] = [time.perf_counter()]
                elif began:
                    collections.append((time.perf_counter() - began[0]) * 1000)

        await asyncio.sleep(0.2)
        org.command("reset_stats")
        gc.callbacks.append(collected)
        probe.start()
        started = time.perf_counter()
        try:
            report = await history.prefetch(cid)
        finally:
            gc.callbacks.remove(collected)
        out["history_seconds"] = time.perf_counter() - started
        out["max_stall_ms"], out["stall_p99_ms"] = probe.stop()
        out["full_collections"], out["longest_collection_ms"] = len(collections), max(collections, default=0.0)
        out["history_api_calls"] = org.api_calls()
        out["history_clients"] = report.clients
        out["history_written"] = report.written
        out["history_paused"] = report.paused
        out["history_report_api_calls"] = report.api_calls
        note(f"prefetch: {report.clients:,} clients, {out['history_api_calls']} calls, "
             f"{out['history_seconds']:.2f} s")
        org.command("reset_stats")
        started = time.perf_counter()
        again = await history.prefetch(cid)
        out["incremental_history_seconds"] = time.perf_counter() - started
        out["incremental_history_api_calls"] = org.api_calls()
        out["incremental_history_clients"] = again.clients
        out["clients_with_history"] = await history.clients_with_history(cid)


async def _open_clients(page: Any, db: Any, cid: int, ids: list[int], out: dict[str, Any]) -> None:
    from app.services.history import ClientHistory

    timeline = page.detail.timeline
    waiting: list[asyncio.Future[bool]] = []

    def shown(has_history: bool) -> None:
        if waiting and not waiting[0].done():
            waiting[0].set_result(has_history)

    timeline.history_shown.connect(shown)
    painted: list[float] = []
    entries = with_history = 0
    for contact_id in ids:
        waiting[:] = [asyncio.get_running_loop().create_future()]
        started = time.perf_counter()
        await page.detail.show_contact(contact_id)
        with_history += await asyncio.wait_for(waiting[0], 30)
        await asyncio.sleep(0)  # the loop turn in which Qt paints the panel
        painted.append((time.perf_counter() - started) * 1000)
        shown_now = timeline.timeline
        if shown_now is not None:
            entries += sum(len(part) for part in (shown_now.open_tasks, shown_now.upcoming, shown_now.past,
                                                  shown_now.opportunities))
    timeline.history_shown.disconnect(shown)
    service = ClientHistory(db)
    read: list[float] = []
    detail: list[float] = []  # the rest of the client view: "open client" (contact, households, drafts)
    for contact_id in ids:
        started = time.perf_counter()
        await service.timeline(cid, contact_id)
        read.append((time.perf_counter() - started) * 1000)
        started = time.perf_counter()
        await page.detail.clients.open(cid, contact_id)
        detail.append((time.perf_counter() - started) * 1000)
    out.update(open_client_ms_p50=statistics.median(painted), open_client_ms_p95=p95(painted),
               open_client_ms_max=max(painted), opens=len(ids), open_mean_entries=entries / len(ids),
               opened_with_history=with_history, timeline_read_ms_p50=statistics.median(read),
               timeline_read_ms_p95=p95(read), detail_read_ms_p50=statistics.median(detail),
               detail_read_ms_p95=p95(detail))


async def _search_notes(page: Any, db: Any, cid: int, digits: list[str], count: int, rng: random.Random,
                        out: dict[str, Any]) -> None:
    from app.services.history import ClientHistory
    from app.ui.workspace.history_hits import MAX_HITS

    words = [*TOPICS, *CUSTODIANS, *SUBJECTS, *ABSENT, *digits]
    typed: list[tuple[str, str]] = []
    while len(typed) < count:
        typed += keystrokes([rng.choice(words)])
    typed = typed[:count]
    service = ClientHistory(db)
    timings: dict[str, list[float]] = {}
    hits = 0
    for word, text in typed:
        started = time.perf_counter()
        found = await service.search(cid, text, MAX_HITS)
        kind = "absent" if word in ABSENT else "digits" if word.isdigit() else "custodian" \
            if word in CUSTODIANS else "task subject" if word in SUBJECTS else "topic"
        timings.setdefault(kind, []).append((time.perf_counter() - started) * 1000)
        hits += len(found)
    every = [t for values in timings.values() for t in values]
    on_screen: list[float] = []
    for _word, text in typed[:200]:
        started = time.perf_counter()
        await page.history_hits.search(cid, text)
        await asyncio.sleep(0)
        on_screen.append((time.perf_counter() - started) * 1000)
    out.update(search_notes_p50_ms=statistics.median(every), search_notes_p95_ms=p95(every),
               search_notes_by_kind_p95_ms={k: p95(v) for k, v in timings.items()},
               search_notes_queries=len(every), search_notes_mean_hits=hits / len(every),
               search_notes_on_screen_p95_ms=p95(on_screen))


async def _fuzzy(page: Any, db: Any, cid: int, total: int, count: int, rng: random.Random,
                 out: dict[str, Any]) -> None:
    from app.store import contacts
    from app.ui.workspace.list_model import SEARCH_LIMIT

    sample = await db.run(lambda s: contacts.page(s, cid, 0, 500)) + await db.run(
        lambda s: contacts.page(s, cid, total // 2, 500))
    sources = page.model.source_objects
    timings: list[float] = []
    found = 0
    for word, typo in typo_queries(sample, count, rng):
        started = time.perf_counter()
        hits = await db.read(lambda c, t=typo: contacts.search(c, cid, t, SEARCH_LIMIT, source_objects=sources))
        timings.append((time.perf_counter() - started) * 1000)
        found += any(word in (hit.contact.name or "").lower().split() for hit in hits)
    out.update(fuzzy_search_p50_ms=statistics.median(timings), fuzzy_search_p95_ms=p95(timings),
               fuzzy_queries=len(timings), fuzzy_found_share=found / len(timings))


async def measure(org: OrgProcess, folder: Path, *, opens: int, searches: int) -> dict[str, Any]:
    from app.runtime import tune_for_responsiveness
    from app.store import contacts

    out: dict[str, Any] = {}
    tokens = org.command("mint_tokens")
    tune_for_responsiveness()  # what the GUI does once start-up is done
    db, page, cid = await open_workspace(folder, tokens)
    try:
        await _prefetch(org, tokens, db, cid, out)
        out["contacts"] = await db.run(lambda s: contacts.count(s, cid))

        def facts(c: Any) -> tuple[list[int], dict[str, int], list[str]]:
            ids = [r[0] for r in c.execute(
                "SELECT c.id FROM contact c JOIN history_state h ON h.connection_id = c.connection_id "
                "AND h.client_sf_id = c.sf_id WHERE c.connection_id = ? ORDER BY c.id", (cid,))]
            kinds = dict(c.execute("SELECT kind, count(*) FROM history_item WHERE connection_id = ? "
                                   "AND NOT is_deleted GROUP BY kind", (cid,)).fetchall())
            digits = [r[0] for r in c.execute(
                "SELECT substr(preview, instr(preview, 'Account ending ') + 15, 4) FROM history_item "
                "WHERE connection_id = ? AND preview LIKE '%Account ending %' LIMIT 40", (cid,))]
            return ids, kinds, digits

        with_history, kinds, digits = await db.read(facts)
        out["history_rows_by_kind"] = kinds
        out["searchable_rows"] = sum(n for k, n in kinds.items() if k in ("note", "content_note", "task"))
        rng = random.Random(14)
        await page.refresh()
        note(f"opening {opens} clients")
        chosen = rng.sample(with_history, min(opens, len(with_history))) if with_history else []
        if chosen:
            await _open_clients(page, db, cid, chosen, out)
        note(f"searching notes ({searches} keystrokes)")
        await _search_notes(page, db, cid, digits, searches, rng, out)
        note("typo-tolerant name search")
        await _fuzzy(page, db, cid, out["contacts"], max(50, searches // 2), rng, out)
        out["rss_mb"] = rss_mb()
    finally:
        await page.detail.timeline.aclose()
        page.close()
        await db.close()
    return out


def run(contacts: int, meeting_clients: int, latency_ms: float, seed: int, opens: int,
        searches: int) -> dict[str, Any]:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    import qasync
    from PySide6.QtWidgets import QApplication

    folder = Path(tempfile.mkdtemp(prefix="notebridge-history-bench-"))
    os.environ.setdefault("NOTEBRIDGE_HOME", str(folder / "home"))
    note(f"seeding a demo org: {contacts:,} contacts, {meeting_clients:,} meeting soon")
    org = OrgProcess(contacts, latency_ms, seed, ("--meeting-clients", str(meeting_clients)))
    try:
        app = QApplication.instance() or QApplication([])
        app.setQuitOnLastWindowClosed(False)
        loop = qasync.QEventLoop(app)
        asyncio.set_event_loop(loop)
        with loop:
            ours = loop.run_until_complete(measure(org, folder, opens=opens, searches=searches))
    finally:
        org.close()
        shutil.rmtree(folder, ignore_errors=True)
    rounded: Callable[[Any], Any] = lambda v: round(v, 3) if isinstance(v, float) else v  # noqa: E731
    keys = ("history_clients", "history_api_calls", "history_seconds", "open_client_ms_p95",
            "search_notes_p95_ms", "fuzzy_search_p95_ms", "max_stall_ms")
    results: dict[str, Any] = {"contacts": ours["contacts"], "meeting_clients": meeting_clients,
                               "latency_ms": latency_ms, **{k: rounded(ours.get(k, 0.0)) for k in keys},
                               "load_average": list(os.getloadavg())}
    results["details"] = {k: rounded(v) if not isinstance(v, dict) else {i: rounded(j) for i, j in v.items()}
                          for k, v in ours.items() if k not in keys}
    results["details"]["org_seed_seconds"] = round(org.seed_seconds, 2)
    results["meets_targets"] = {k: results[k] <= target for k, target in TARGETS.items()}
    return results


def print_table(results: dict[str, Any]) -> None:
    rows = [("contacts", f"{results['contacts']:,}", ""),
            ("clients meeting in 14 days", f"{results['meeting_clients']:,}", ""),
            ("history clients fetched", f"{results['history_clients']:,}", "")]
    rows += [(k, results[k], f"≤ {t}") for k, t in TARGETS.items()]
    print_rows(rows, results["meets_targets"])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.history", description=__doc__.splitlines()[0])
    parser.add_argument("--contacts", type=int, default=100_000)
    parser.add_argument("--meeting-clients", type=int, default=2_000,
                        help="clients with a meeting in the next 14 days (each ~5 notes, ~10 tasks)")
    parser.add_argument("--latency-ms", type=float, default=100)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--opens", type=int, default=200, help="clients opened")
    parser.add_argument("--searches", type=int, default=500, help="note-search keystrokes")
    parser.add_argument("--json", type=Path, default=None, help="write the figures here")
    args = parser.parse_args(argv)
    results = run(args.contacts, args.meeting_clients, args.latency_ms, args.seed, args.opens, args.searches)
    print_table(results)
    if args.json:
        args.json.write_text(json.dumps(results, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
