"""Size and start-up of the frozen bundle (issue 15): what an advisor downloads and waits for.

    python -m benchmarks.startup --json out.json [--runs 3] [--contacts 100000]

* **bundle_mb** — the installed bundle, dist/notebridge (apparent size, MiB: what `du -m` shows);
* **deb_mb** — dist/notebridge_<version>_amd64.deb (built with packaging/linux/build-deb if missing);
* **cold_start_ms** — process start → main window shown (the app's log says "main window shown"),
  offscreen, a fresh empty workspace each run;
* **warm_start_100k_ms** — process start → first search answered, in a workspace of ``--contacts``
  contacts (seeded once through the store's own bulk write, with its search index), started with
  ``--search`` so the first query the list runs is a search; the app logs "start-up search answered".
  Warm: the same workspace file each run, so the OS has it cached after the first (which is dropped).

Each run is stopped with SIGTERM (the app's clean quit) once the line appears; the medians are reported.
The bundle is built with PyInstaller (build.spec) if missing. Targets: bundle ≤ 150 MB, warm start
≤ 2,000 ms. Measured here, never asserted in tests.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
BUNDLE = ROOT / "dist" / "notebridge"
TARGETS = {"bundle_mb": 150.0, "warm_start_100k_ms": 2000.0}
SHOWN = "main window shown"
ANSWERED = "start-up search answered"
# Nothing listens here: the app's connection check and sync fail at once, and no traffic leaves the machine.
NOWHERE = "https://127.0.0.1:9"


def note(text: str) -> None:
    print(f"[startup] {text}", file=sys.stderr, flush=True)


def tree_mib(path: Path) -> float:
    return sum(p.lstat().st_size for p in path.rglob("*") if not p.is_dir()) / 2**20


def ensure_bundle() -> None:
    if (BUNDLE / "notebridge").is_file():
        return
    note("no bundle yet: pyinstaller build.spec")
    subprocess.run([sys.executable, "-m", "PyInstaller", "--noconfirm", "--log-level", "WARN", "build.spec"],
                   cwd=ROOT, check=True)


def ensure_deb() -> Path:
    debs = sorted((ROOT / "dist").glob("notebridge_*_amd64.deb"))
    if not debs:
        note("no .deb yet: packaging/linux/build-deb")
        subprocess.run([sys.executable, str(ROOT / "packaging" / "linux" / "build-deb")], cwd=ROOT, check=True)
        debs = sorted((ROOT / "dist").glob("notebridge_*_amd64.deb"))
    return debs[-1]


def time_until(home: Path, line: str, extra: list[str], deadline_s: float = 120.0) -> float:
    """Milliseconds from starting the bundle to `line` in its log; then it is asked to quit (SIGTERM)."""
    log = home / "logs" / "notebridge.log"
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "NOTEBRIDGE_HOME": str(home)}
    offset = log.stat().st_size if log.exists() else 0
    started = time.perf_counter()
    proc = subprocess.Popen([str(BUNDLE / "notebridge"), *extra], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        while time.perf_counter() - started < deadline_s:
            if log.exists():
                with log.open("rb") as handle:
                    handle.seek(offset)
                    if line.encode() in handle.read():
                        elapsed = (time.perf_counter() - started) * 1000
                        break
            if proc.poll() is not None:
                err = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
                raise RuntimeError(f"the app exited ({proc.returncode}) before '{line}': {err[-2000:]}")
            time.sleep(0.005)
        else:
            raise RuntimeError(f"no '{line}' within {deadline_s} s")
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    return elapsed


def _people(count: int, seed: int) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    first = ["Ana", "Ben", "Chloé", "David", "Emma", "Farid", "Grace", "Hiro", "Ines", "Jonas", "Kara", "Liam",
             "Maya", "Noah", "Olga", "Priya", "Quinn", "Rosa", "Sven", "Tara", "Uma", "Victor", "Wen", "Yusuf"]
    last = ["Smith", "García", "Nguyen", "Müller", "Rossi", "Kowalski", "Okafor", "Tanaka", "Dubois", "Silva",
            "Johansson", "Murphy", "Cohen", "Khan", "Novak", "Larsen", "Moreau", "Fischer", "Park", "Costa"]
    rows = []
    for index in range(count):
        f, surname = rng.choice(first), f"{rng.choice(last)}{index % 997}"
        rows.append({
            "sf_id": f"003{index:015d}", "first_name": f, "last_name": surname, "name": f"{f} {surname}",
            "email": f"{f.lower()}.{index}@example.com", "phone": f"+1 555 {index % 1000:03d} {index % 10000:04d}",
            "mobile_phone": None, "title": "Client",
        })
    return rows


async def _seed(database: Path, contacts: int, seed: int) -> None:
    from app.store import Database
    from app.store import contacts as contact_rows
    from app.store.models import Connection

    db = await Database.open(database)
    try:
        def add_connection(session: Any) -> int:
            row = Connection(org_id="00D000000000001AAA", user_id="005000000000001AAA", username="bench@example.com",
                             instance_url=NOWHERE, login_url=NOWHERE, api_version="62.0", consumer_key="bench")
            session.add(row)
            session.flush()
            return int(row.id)

        cid = await db.run(add_connection)
        people = _people(contacts, seed)
        for start in range(0, len(people), 5000):
            batch = people[start:start + 5000]
            await db.run(lambda session, batch=batch: contact_rows.upsert_many(session, cid, batch))
    finally:
        await db.close()


def seed_workspace(home: Path, contacts: int, seed: int) -> None:
    """A workspace in `home` (as NOTEBRIDGE_HOME lays it out) with one connection and `contacts` people."""
    started = time.perf_counter()
    database = home / "data" / "workspace.sqlite3"
    database.parent.mkdir(parents=True)
    asyncio.run(_seed(database, contacts, seed))
    note(f"seeded {contacts} contacts in {time.perf_counter() - started:.1f} s")


def run(runs: int, contacts: int, seed: int) -> dict[str, Any]:
    ensure_bundle()
    results: dict[str, Any] = {"bundle_mb": round(tree_mib(BUNDLE), 1)}
    deb = ensure_deb()
    results["deb_mb"] = round(deb.stat().st_size / 2**20, 1)
    with tempfile.TemporaryDirectory(prefix="nb-startup-") as scratch:
        cold = []
        for number in range(runs):
            cold.append(time_until(Path(scratch) / f"cold{number}", SHOWN, []))
            note(f"cold start {number + 1}: {cold[-1]:.0f} ms")
        results["cold_start_ms"] = round(statistics.median(cold))
        results["cold_start_runs_ms"] = [round(x) for x in cold]

        home = Path(scratch) / "warm"
        seed_workspace(home, contacts, seed)
        warm = []
        for number in range(runs + 1):  # the first run only warms the OS cache
            elapsed = time_until(home, ANSWERED, ["--search", "Smith"])
            note(f"warm start {number}: {elapsed:.0f} ms" + (" (warm-up, not counted)" if number == 0 else ""))
            if number:
                warm.append(elapsed)
        results["warm_start_100k_ms"] = round(statistics.median(warm))
        results["warm_start_runs_ms"] = [round(x) for x in warm]
        results["contacts"] = contacts
    results["targets"] = TARGETS
    results["met"] = {key: results[key] <= limit for key, limit in TARGETS.items()}
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Size and start-up of the frozen bundle.")
    parser.add_argument("--json", type=Path, help="write the results here")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--contacts", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=15)
    args = parser.parse_args(argv)
    results = run(args.runs, args.contacts, args.seed)
    text = json.dumps(results, indent=2)
    print(text)
    if args.json:
        args.json.write_text(text + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
