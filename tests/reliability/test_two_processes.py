"""Two Notebridge processes on one data folder never both push (reliability issue ``two_processes``).

Real processes throughout: push engines and the GUI's start-up decision run in their own Python
processes (``two_processes_child.py``), the real app runs as ``python -m app``, all against one
workspace file and, for pushes, one demo org over HTTP.  Each process gets its own ``TMPDIR``, which
used to move the single-instance lock out of the other's sight.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import queue
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from app.demo_org import DemoOrg
from app.store import Database, outbox_views
from app.store.workspace_lock import holder_pid
from tests.integration.push.conftest import PushEnv, make_env
from tests.support.qt_loop import until

CHILD = Path(__file__).with_name("two_processes_child.py")
ROOT = Path(__file__).resolve().parents[2]
LINE_TIMEOUT = 60.0  # generous: a busy 2-core machine starting many interpreters at once


class Child:
    """A child process whose stdout lines arrive on a queue (read by a thread, so waits can time out)."""

    def __init__(self, args: list[str], *, tmpdir: Path, home: Path | None = None) -> None:
        tmpdir.mkdir(parents=True, exist_ok=True)
        env = {**os.environ, "TMPDIR": str(tmpdir), "QT_QPA_PLATFORM": "offscreen",
               "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
        if home is not None:
            env["NOTEBRIDGE_HOME"] = str(home)
        self.tmpdir = tmpdir
        self.is_app = home is not None
        self.stderr_path = tmpdir / f"stderr-{time.monotonic_ns()}.txt"
        self._stderr = self.stderr_path.open("w")
        self.proc = subprocess.Popen(args, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self._stderr,
                                     text=True, env=env, cwd=str(ROOT))
        self._lines: queue.Queue[str | None] = queue.Queue()
        threading.Thread(target=self._pump, daemon=True).start()

    @classmethod
    def script(cls, *args: str, tmpdir: Path) -> Child:
        return cls([sys.executable, str(CHILD), *args], tmpdir=tmpdir)

    @classmethod
    def app(cls, home: Path, *args: str, tmpdir: Path) -> Child:
        return cls([sys.executable, "-m", "app", *args], tmpdir=tmpdir, home=home)

    def _pump(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self._lines.put(line.rstrip("\n"))
        self._lines.put(None)

    @property
    def pid(self) -> int:
        return self.proc.pid

    def line(self, timeout: float = LINE_TIMEOUT) -> str:
        try:
            got = self._lines.get(timeout=timeout)
        except queue.Empty:
            raise AssertionError(f"no output from {self.proc.args} within {timeout}s; "
                                 f"stderr: {self.stderr()}") from None
        if got is None:
            raise AssertionError(f"{self.proc.args} ended (rc={self.proc.poll()}); stderr: {self.stderr()}")
        return got

    async def aline(self, timeout: float = LINE_TIMEOUT) -> str:
        return await asyncio.to_thread(self.line, timeout)

    def send(self, text: str) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write(text)
        self.proc.stdin.flush()

    def let_go(self) -> None:
        """Close stdin: the child stops holding what it holds and ends."""
        if self.proc.stdin is not None and not self.proc.stdin.closed:
            with contextlib.suppress(OSError):
                self.proc.stdin.close()

    def wait(self, timeout: float = LINE_TIMEOUT) -> int:
        return self.proc.wait(timeout=timeout)

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait()

    def stderr(self) -> str:
        self._stderr.flush()
        return self.stderr_path.read_text(errors="replace")[-3000:]

    def close(self) -> None:
        self.let_go()
        if self.is_app and self.proc.poll() is None:
            self.proc.terminate()  # the app window does not read stdin
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.kill()
        self._stderr.close()


@pytest.fixture
def children() -> Iterator[list[Child]]:
    started: list[Child] = []
    try:
        yield started
    finally:
        for child in started:
            child.close()


@pytest.fixture
async def env(tmp_path: Path) -> AsyncIterator[PushEnv]:
    """A demo org and a workspace in a data folder; this test process never claims the workspace."""
    with DemoOrg(contacts=12, seed=5) as org:
        db = await Database.open(tmp_path / "data" / "workspace.sqlite3")
        try:
            pushed = await make_env(org, db)
            async with pushed.client:
                yield pushed
        finally:
            await db.close()


def _push_args(env: PushEnv, token: str) -> list[str]:
    return ["push", str(env.db.path), env.org.base_url, token, str(env.connection_id)]


async def _start_together(started: list[Child]) -> None:
    for child in started:
        assert await child.aline() == "ready"
    for child in started:
        child.send("go\n")


async def test_two_processes_push_engines_on_one_workspace_create_each_item_once(
    env: PushEnv, tmp_path: Path, children: list[Child],
) -> None:
    env.org.faults.set_latency(20)  # the winner is still pushing when the other tries
    people = [c for c in env.contacts if c.source_object == "Contact"]
    tasks = [await env.task(people[n % 4], subject=f"Shared task {n}", status="Not Started", priority="Normal")
             for n in range(60)]
    notes = [await env.note(people[n % 4], title=f"Shared note {n}") for n in range(12)]
    await env.queue("task", *(t.id for t in tasks))
    await env.queue("note", *(n.id for n in notes))
    token = env.org.mint_tokens()["access_token"]

    # Two engines, two TMPDIRs, one data folder, started at the same instant.
    engines = [Child.script(*_push_args(env, token), tmpdir=tmp_path / f"tmp-{n}") for n in range(2)]
    children.extend(engines)
    await _start_together(engines)
    results = {child.pid: await child.aline() for child in engines}
    winners = [pid for pid, line in results.items() if line.startswith("pushed ")]
    losers = [pid for pid, line in results.items() if line.startswith("refused ")]
    assert len(winners) == 1 and len(losers) == 1, results
    assert results[winners[0]] == "pushed 72 done"
    refusal = results[losers[0]]
    assert "Notebridge is already open on this workspace" in refusal
    assert f"(process {winners[0]})" in refusal

    # A third process that skips the engine and goes to the store cannot take rows either, even
    # with rows queued; they stay queued for the writer.
    late = [await env.task(people[0], subject=f"Late task {n}", status="Not Started", priority="Normal")
            for n in range(3)]
    late_rows = await env.queue("task", *(t.id for t in late))
    taker = Child.script("take", str(env.db.path), str(env.connection_id), tmpdir=tmp_path / "tmp-taker")
    children.append(taker)
    await _start_together([taker])
    taken = await taker.aline()
    assert taken.startswith("refused ") and "already open on this workspace" in taken, taken
    for row in late_rows:
        assert (await env.outbox(row.id)).state == "queued"
        assert (await env.outbox(row.id)).sent_at is None

    # Every item is in the org exactly once.
    subjects = Counter(t["Subject"] for t in env.live("Task") if t["Subject"].startswith("Shared task"))
    titles = Counter(n["Title"] for n in env.live("ContentNote") if n["Title"].startswith("Shared note"))
    assert subjects == Counter(f"Shared task {n}" for n in range(60))
    assert titles == Counter(f"Shared note {n}" for n in range(12))
    assert not [t for t in env.live("Task") if t["Subject"].startswith("Late task")]
    counts = await env.db.run(lambda s: outbox_views.counts(s, env.connection_id))
    assert counts.needs_attention == 0 and counts.pending == 3  # only the late tasks


async def test_two_processes_kill_9_of_the_pusher_leaves_no_stale_lock(
    env: PushEnv, tmp_path: Path, children: list[Child],
) -> None:
    env.org.faults.set_latency(60)
    people = [c for c in env.contacts if c.source_object == "Contact"]
    tasks = [await env.task(people[n % 4], subject=f"Crash task {n}", status="Not Started", priority="Normal")
             for n in range(40)]
    await env.queue("task", *(t.id for t in tasks))
    token = env.org.mint_tokens()["access_token"]

    first = Child.script(*_push_args(env, token), tmpdir=tmp_path / "tmp-first")
    children.append(first)
    await _start_together([first])

    def mid_push() -> bool:
        return any(t["Subject"].startswith("Crash task") for t in env.live("Task"))

    await until(mid_push, "the first push to create something", timeout=LINE_TIMEOUT)
    assert holder_pid(env.db.path) == first.pid
    first.kill()  # kill -9 while it holds the workspace (and likely mid-request)

    # The next process starts at once: no stale lock to wait out, detect or delete.
    env.org.faults.set_latency(0)
    second = Child.script(*_push_args(env, token), tmpdir=tmp_path / "tmp-second")
    children.append(second)
    await _start_together([second])
    result = await second.aline()
    assert result.startswith("pushed ") and result.endswith(" done"), (result, second.stderr())

    # ...and the guard still holds after the crash: a third is refused while the second lives.
    third = Child.script(*_push_args(env, token), tmpdir=tmp_path / "tmp-third")
    children.append(third)
    await _start_together([third])
    refusal = await third.aline()
    assert refusal.startswith("refused ") and f"(process {second.pid})" in refusal, refusal

    subjects = Counter(t["Subject"] for t in env.live("Task") if t["Subject"].startswith("Crash task"))
    assert subjects == Counter(f"Crash task {n}" for n in range(40))


def test_two_processes_twenty_simultaneous_launches_exactly_one_wins(tmp_path: Path, children: list[Child]) -> None:
    database = tmp_path / "data" / "workspace.sqlite3"
    database.parent.mkdir(parents=True)
    tmpdirs = [tmp_path / "tmp-a", tmp_path / "tmp-b"]  # half the launches cannot see the others' sockets
    launches = [Child.script("launch", str(database), tmpdir=tmpdirs[n % 2]) for n in range(20)]
    children.extend(launches)
    for child in launches:
        assert child.line() == "ready"
    for child in launches:
        child.send("go\n")
    outcomes = {child.pid: child.line() for child in launches}

    firsts = [child for child in launches if outcomes[child.pid] == "first"]
    assert len(firsts) == 1, Counter(outcomes.values())
    winner = firsts[0]
    assert holder_pid(database) == winner.pid
    for child in launches:
        if child is winner:
            continue
        # Its own TMPDIR decides only whether it can raise the first window, never whether it is first.
        expected = "raised" if child.tmpdir == winner.tmpdir else "unreachable"
        assert outcomes[child.pid] == expected, (child.tmpdir, winner.tmpdir, outcomes[child.pid])
        assert child.wait() == 0

    # The losers removed nothing: a later launch still reaches the winner's socket.
    late = Child.script("launch", str(database), tmpdir=winner.tmpdir)
    children.append(late)
    assert late.line() == "ready"
    late.send("go\n")
    assert late.line() == "raised"
    raised = sum(1 for child in launches if outcomes[child.pid] == "raised") + 1
    winner.let_go()
    assert winner.line() == f"raise-requests {raised}"
    assert winner.wait() == 0

    # Once the winner has gone, the next launch is first.
    after = Child.script("launch", str(database), tmpdir=tmpdirs[1])
    children.append(after)
    assert after.line() == "ready"
    after.send("go\n")
    assert after.line() == "first"


def test_two_processes_real_app_windows_never_both_open_a_workspace(
    tmp_path: Path, children: list[Child],
) -> None:
    home = tmp_path / "home"
    database = home / "data" / "workspace.sqlite3"

    def holder_is(child: Child) -> bool:
        if child.proc.poll() is not None:
            raise AssertionError(f"the app exited (rc={child.proc.returncode}): {child.stderr()}")
        return holder_pid(database) == child.pid

    def wait_until_holder(child: Child) -> None:
        deadline = time.monotonic() + LINE_TIMEOUT
        while not holder_is(child):
            assert time.monotonic() < deadline, f"the app never took the workspace: {child.stderr()}"
            time.sleep(0.05)

    first = Child.app(home, tmpdir=tmp_path / "tmp-a")
    children.append(first)
    wait_until_holder(first)

    # Same TMPDIR: the second launch raises the first window and exits.
    same = Child.app(home, tmpdir=tmp_path / "tmp-a")
    children.append(same)
    assert same.wait() == 0, same.stderr()
    assert "already running; its window has been brought to the front" in same.line()

    # Another TMPDIR cannot reach the first, and still does not open the workspace: it says so.
    other = Child.app(home, tmpdir=tmp_path / "tmp-b")
    children.append(other)
    assert other.wait() == 1
    assert f"Notebridge is already open on this workspace (process {first.pid})" in other.stderr()
    assert holder_is(first)

    # doctor only reads, so it runs while the app is open and says the workspace is in use.
    doctor = subprocess.run([sys.executable, "-m", "app", "doctor"], capture_output=True, text=True,
                            timeout=LINE_TIMEOUT, cwd=str(ROOT), check=False,
                            env={**os.environ, "NOTEBRIDGE_HOME": str(home), "TMPDIR": str(tmp_path / "tmp-b")})
    assert doctor.returncode == 0, doctor.stdout + doctor.stderr
    assert f"[ ok ] Workspace in use: Notebridge is open on this workspace (process {first.pid})" in doctor.stdout

    # A crash of the first (its socket left behind in tmp-a) never blocks the next start there, and
    # the next one is guarded in turn: raised from its TMPDIR, refused plainly from another.
    first.kill()
    again = Child.app(home, tmpdir=tmp_path / "tmp-a")
    children.append(again)
    wait_until_holder(again)
    raised = Child.app(home, tmpdir=tmp_path / "tmp-a")
    children.append(raised)
    assert raised.wait() == 0, raised.stderr()
    assert "its window has been brought to the front" in raised.line()
    refused = Child.app(home, tmpdir=tmp_path / "tmp-b")
    children.append(refused)
    assert refused.wait() == 1
    assert f"already open on this workspace (process {again.pid})" in refused.stderr()
    assert holder_is(again)
