"""Small reliability defects, each reproduced on real parts: the real search on a real workspace file
and the real ``notebridge connect`` subprocess against the demo org over HTTP."""

from __future__ import annotations

import asyncio
import contextlib
import os
import sqlite3
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.demo_org import DemoOrg
from app.store import Database, contacts
from app.store.search_text import parse_query
from tests.integration.salesforce.sf_org import make_org
from tests.integration.test_cli import run_app
from tests.reliability.fault_helpers import tmpfs
from tests.support.browser_by_http import approve_in_browser
from tests.unit.store.store_helpers import add_connection
from tests.unit.store.test_store_contacts import PEOPLE

# ------------------------------------------------------------------------------------ search


def _filled_workspace(path: Path) -> int:
    async def fill() -> int:
        db = await Database.open(path)
        try:
            cid = await add_connection(db)
            await db.run(lambda s: contacts.upsert_many(s, cid, PEOPLE))
            return cid
        finally:
            await db.close()

    return asyncio.run(fill())


@pytest.fixture(scope="module")
def searchable(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[sqlite3.Connection, int]]:
    path = tmp_path_factory.mktemp("search") / "workspace.db"
    cid = _filled_workspace(path)
    conn = sqlite3.connect(path, isolation_level=None)
    yield conn, cid
    conn.close()


@pytest.mark.parametrize("typed", ["\ud800", "jo\udc00", "\udfff smith", "555\ud83d", "\ud83d\ude00 jo"])
def test_search_with_a_lone_surrogate_answers_instead_of_raising(
        searchable: tuple[sqlite3.Connection, int], typed: str) -> None:
    conn, cid = searchable
    hits = contacts.search(conn, cid, typed)
    without = typed.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "ignore")
    assert [h.contact.sf_id for h in hits] == [h.contact.sf_id for h in contacts.search(conn, cid, without)]


def test_search_surrogate_pair_split_in_two_is_joined_into_its_character() -> None:
    assert parse_query("zo\ud83d\ude00").key == parse_query("zo\U0001f600").key


_TYPED = st.text(
    st.one_of(
        st.characters(min_codepoint=0xD800, max_codepoint=0xDFFF),  # surrogates, paired or not
        st.characters(exclude_categories=()),  # anything at all, control characters included
        st.sampled_from("jo smith 555-() @.'\"*^:ëØ\x00\t"),  # what search syntax is made of
    ),
    max_size=240,
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(typed=_TYPED)
def test_search_any_typed_text_never_raises(searchable: tuple[sqlite3.Connection, int], typed: str) -> None:
    conn, cid = searchable
    hits = contacts.search(conn, cid, typed, 20)
    assert len(hits) <= 20
    assert all(hit.contact.sf_id for hit in hits)


# ------------------------------------------------------------------------- notebridge connect


def _connect(org: DemoOrg, home: Path, env_extra: dict[str, str] | None = None,
             before_approving: Callable[[], None] | None = None) -> tuple[int, str, str, bool]:
    """Run `notebridge connect` as an admin would; approve in the browser if it asks.  Returns
    (exit status, stdout, stderr, whether it asked for the sign-in)."""
    port = org.callback_urls[0].split(":")[2].split("/")[0]
    env = dict(os.environ, NOTEBRIDGE_HOME=str(home), **(env_extra or {}))
    process = subprocess.Popen(
        [sys.executable, "-m", "app", "connect", "--login-url", org.login_url, "--consumer-key", org.consumer_key,
         "--consumer-secret-stdin", "--port", port, "--no-browser", "--timeout", "60"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
    )
    try:
        assert process.stdin is not None and process.stdout is not None and process.stderr is not None
        process.stdin.write(org.consumer_secret + "\n")
        process.stdin.close()
        first = process.stdout.readline()
        asked = first.startswith("Open this URL to sign in: ")
        if asked:
            if before_approving is not None:
                before_approving()
            approve_in_browser(first.removeprefix("Open this URL to sign in: ").strip(), org.username,
                               org.password, follow=True)
        process.wait(timeout=60)
        return process.returncode, first + process.stdout.read(), process.stderr.read(), asked
    finally:
        if process.poll() is None:
            process.kill()


def _saved_connections(home: Path) -> list[tuple[str, str]]:
    path = home / "data" / "workspace.sqlite3"
    if not path.exists():
        return []
    conn = sqlite3.connect(path)
    try:
        return conn.execute("SELECT username, status FROM connection").fetchall()
    except sqlite3.OperationalError:  # never migrated
        return []
    finally:
        conn.close()


def test_connect_without_a_working_keyring_says_nothing_was_saved_and_exits_non_zero(tmp_path: Path) -> None:
    home = tmp_path / "home"
    with make_org(contacts=5) as org:
        code, out, err, asked = _connect(org, home, {"PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"})
    assert code != 0
    assert "Not connected: nothing was saved" in err and "keyring" in err and "What to do:" in err
    assert "Traceback" not in err and "Connected as" not in out
    assert not asked, "checked before the advisor signs in for nothing"
    assert org.consumer_secret not in out + err


def test_connect_with_a_workspace_it_cannot_open_says_why_and_exits_non_zero(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    with make_org(contacts=5) as org:
        assert run_app("doctor", home=home).returncode == 0  # a workspace exists
        holder = sqlite3.connect(home / "data" / "workspace.sqlite3")  # another program holds it
        try:
            holder.execute("PRAGMA locking_mode = EXCLUSIVE")
            holder.execute("BEGIN EXCLUSIVE")
            holder.execute("COMMIT")
            code, out, err, asked = _connect(org, home)
        finally:
            holder.close()
    assert code != 0
    assert "Not connected: nothing was saved, because the workspace cannot be opened" in err
    assert "Close the other program" in err and "Traceback" not in err
    assert not asked and "Connected as" not in out


def test_connect_when_the_workspace_cannot_be_written_after_sign_in_says_so(tmp_path: Path) -> None:
    home = tmp_path / "home"
    with tmpfs(home / "data", "2m") as data, make_org(contacts=5) as org:

        def fill_the_disk() -> None:  # while the advisor is in the browser
            with contextlib.suppress(OSError), (data / "filler").open("wb") as filler:
                while True:
                    filler.write(b"\0" * 16384)
                    filler.flush()

        code, out, err, asked = _connect(org, home, before_approving=fill_the_disk)
        (data / "filler").unlink()
        saved = _saved_connections(home)
    assert asked
    assert code != 0, out + err
    assert "Not connected: nothing was saved, because you signed in, but the workspace could not be written" in err
    assert "full" in err and "Free some space" in err and "Traceback" not in err
    assert "Connected as" not in out
    assert saved == []


