"""The soak's processes: the demo org, the workspace it starts from, and the "app" children it kills.

A child's stdout is read on a thread into a list of ``(monotonic time, line)`` and into the
:class:`Journal` — every line the child printed before it was killed counts as acknowledged (a line
in the pipe survives the SIGKILL), so the journal knows what the workspace must hold.
"""

from __future__ import annotations

import asyncio
import compileall
import json
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from benchmarks.workspace import OrgProcess

ROOT = Path(__file__).resolve().parents[1]
HEAD_STEP_BACK = "0004_settings"  # the newest migration's parent: the soak steps one migration back


def compile_app() -> None:
    """Compile the app's modules to bytecode once, as installing the app does (pip, the frozen bundle).
    Without it, under ``PYTHONDONTWRITEBYTECODE`` every restart compiled the ~140 app modules it imports
    from source — 0.6–0.8 s of each start that no advisor's app spends.  The files go to the (ignored) __pycache__."""
    for folder in ("app", "benchmarks"):
        compileall.compile_dir(ROOT / folder, quiet=1)


class SoakOrg:
    """The demo org in its own process: killing the app never kills the org."""

    def __init__(self, contacts: int, seed: int) -> None:
        self.proc = OrgProcess(contacts=contacts, latency_ms=0, seed=seed)
        info = self.proc.info
        self.base_url = str(info["base_url"])
        self.consumer_key = str(info["consumer_key"])
        self.username = str(info["username"])
        self.ca_file: str | None = info.get("ca_file")
        self.control_token = str(info["control_token"])

    def command(self, name: str, **kwargs: Any) -> Any:
        return self.proc.command(name, **kwargs)

    def mint_tokens(self) -> dict[str, str]:
        return dict(self.command("mint_tokens"))

    def records(self, sobject: str) -> list[dict[str, Any]]:
        return list(self.proc.control.get(f"/records/{sobject}").json())

    def close(self) -> None:
        self.proc.close()


@dataclass
class Journal:
    """What the children acknowledged: typed text saved, items queued."""

    saved: dict[tuple[str, int], tuple[str, int]] = field(default_factory=dict)  # (kind, id) -> (key, chars)
    queued: dict[tuple[str, int], str] = field(default_factory=dict)  # (kind, id) -> key
    lock: threading.Lock = field(default_factory=threading.Lock)

    def feed(self, line: str) -> None:
        parts = line.split()
        with self.lock:
            if parts[0] == "saved" and len(parts) == 5:
                kind, draft_id, key, chars = parts[1], int(parts[2]), parts[3], int(parts[4])
                old = self.saved.get((kind, draft_id), (key, 0))[1]
                self.saved[(kind, draft_id)] = (key, max(old, chars))
            elif parts[0] == "queued" and len(parts) == 4:
                self.queued[(parts[1], int(parts[2]))] = parts[3]


class Child:
    """One ``benchmarks.soak_child`` process; its settings go in on stdin (tokens never on argv)."""

    def __init__(self, org: SoakOrg, db: Path, connection_id: int, run: int, role: str, seed: int,
                 journal: Journal, log: IO[str] | None = None) -> None:
        tokens = org.mint_tokens()
        settings = {"db": str(db), "base_url": org.base_url, "consumer_key": org.consumer_key,
                    "access_token": tokens["access_token"], "refresh_token": tokens["refresh_token"],
                    "ca_file": org.ca_file, "connection_id": connection_id, "run": run, "role": role, "seed": seed}
        env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
        self.started = time.monotonic()
        self.proc = subprocess.Popen([sys.executable, "-m", "benchmarks.soak_child"], cwd=ROOT, env=env, text=True,
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=log if log is not None else subprocess.DEVNULL)
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.proc.stdin.write(json.dumps(settings) + "\n")
        self.proc.stdin.flush()
        self.lines: list[tuple[float, str]] = []
        self.journal = journal
        self._cond = threading.Condition()
        self._reader = threading.Thread(target=self._read, args=(self.proc.stdout,), daemon=True)
        self._reader.start()

    def _read(self, stream: IO[str]) -> None:
        for raw in stream:
            line = raw.strip()
            if not line:
                continue
            self.journal.feed(line)
            with self._cond:
                self.lines.append((time.monotonic(), line))
                self._cond.notify_all()
        with self._cond:
            self.lines.append((time.monotonic(), "<eof>"))
            self._cond.notify_all()

    def _find(self, prefix: str, after: float) -> tuple[float, str] | None:
        return next(((t, line) for t, line in self.lines if t >= after and line.startswith(prefix)), None)

    def wait_for(self, prefix: str, timeout: float, after: float = 0.0) -> bool:
        """Wait until the child prints a line starting with ``prefix`` at or after ``after``."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while self._find(prefix, after) is None:
                if self.lines and self.lines[-1][1] == "<eof>":
                    return False
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._cond.wait(min(left, 0.5))
            return True

    def has_seen(self, prefix: str) -> bool:
        with self._cond:
            return self._find(prefix, 0.0) is not None

    def seen_before(self, prefixes: tuple[str, ...], when: float) -> bool:
        with self._cond:
            return any(t <= when and line.startswith(prefixes) for t, line in self.lines)

    def seen_at(self, prefix: str) -> float:
        with self._cond:
            found = self._find(prefix, 0.0)
        assert found is not None
        return found[0]

    def first_at(self, prefixes: tuple[str, ...]) -> float | None:
        """When the child first printed a line starting with one of ``prefixes`` (None: never)."""
        with self._cond:
            return next((t for t, line in self.lines if line.startswith(prefixes)), None)

    def kill(self) -> None:
        """SIGKILL, then read what it printed before it died."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
        self.wait_exit(timeout=30)

    def wait_exit(self, timeout: float) -> None:
        try:
            self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self._reader.join(timeout=10)
        if self.proc.stdin is not None:
            self.proc.stdin.close()


def new_workspace(org: SoakOrg, folder: Path) -> tuple[Path, int]:
    """A workspace (in a folder with a space and non-ASCII letters) with the org's connection in it."""
    from app.store import Database
    from app.store.models import Connection

    data = folder / "Données du conseiller"
    data.mkdir()
    path = data / "workspace.sqlite3"
    tokens = org.mint_tokens()
    org_id, user_id = tokens["id"].rstrip("/").split("/")[-2:]

    async def setup() -> int:
        db = await Database.open(path)

        def add(session: Any) -> int:
            conn = Connection(org_id=org_id, user_id=user_id, username=org.username, instance_url=org.base_url,
                              login_url=org.base_url, api_version="66.0", consumer_key=org.consumer_key)
            session.add(conn)
            session.flush()
            assert conn.id is not None
            return conn.id

        connection_id = await db.run(add)
        await db.close()
        return connection_id

    return path, asyncio.run(setup())


def step_schema_back(db: Path) -> bool:
    """Undo the newest migration (when the workspace is at the newest schema), so the next start migrates.
    Runs only while no child is alive.  Returns whether it stepped back."""
    from alembic import command
    from sqlalchemy import create_engine

    from app.store import migrate

    with sqlite3.connect(db) as conn:
        current = conn.execute("SELECT version_num FROM alembic_version").fetchone()
    if current is None or current[0] != migrate.head_revision():
        return False  # a start killed mid-migration left it behind already
    engine = create_engine(f"sqlite:///{db}")
    try:
        with engine.begin() as conn:
            command.downgrade(migrate.alembic_config(conn), HEAD_STEP_BACK)
    finally:
        engine.dispose()
    return True
