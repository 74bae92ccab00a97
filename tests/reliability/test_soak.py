"""The soak, short: the app killed with SIGKILL again and again against a faulty org loses and doubles
nothing (``benchmarks/soak.py``; the 10-minute figures are in the README) — and the defect it found."""

from __future__ import annotations

import contextlib
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

from sqlmodel import select

from app.demo_org import DemoOrg
from app.services.prospects import NewPerson, People
from app.store import Database, outbox_views
from app.store import notes as notes_repo
from app.store.models import Contact
from app.sync.pull.engine import PullEngine
from app.sync.pull.types import PullPreferences
from tests.integration.push.conftest import make_env

ROOT = Path(__file__).resolve().parents[2]


def test_soak_short_run_kills_often_and_loses_or_doubles_nothing(tmp_path: Path) -> None:
    out = tmp_path / "soak.json"
    proc = subprocess.run(
        [sys.executable, "-m", "benchmarks.soak", "--minutes", "0.4", "--contacts", "2500", "--quiet",
         "--json", str(out)], cwd=ROOT, capture_output=True, text=True, timeout=240)
    assert out.exists(), proc.stderr[-3000:]
    result = json.loads(out.read_text(encoding="utf-8"))
    assert result["kills"] >= 5, result
    assert result["items"] >= 5, result  # something was queued, so "0 lost" means something
    assert result["drafts_checked"] >= 3, result
    assert (result["duplicates"], result["lost"], result["drafts_lost"]) == (0, 0, 0), result["details"]
    assert result["drained"], result
    assert result["details"]["outbox_states"].keys() <= {"pushed"}, result["details"]
    second = result["second_process"]
    assert second["pushed"] == 0 and second["claimed"] == 0 and second["refused"] == second["started"], second


class Killed(BaseException):
    """Stands for SIGKILL: nothing after the request runs (a BaseException, so no handler settles it)."""


async def test_soak_new_person_synced_in_before_its_lost_answer_is_looked_up(tmp_path: Path) -> None:
    """Found by the soak: a new person's create reached Salesforce, the app died before reading the
    answer, and after the restart the sync brought the person in under their real Id before the push
    looked the lost create up.  Settling then put the same Id on the advisor's row too: a UNIQUE
    error on every push, for good — the whole outbox stuck."""
    with DemoOrg(contacts=12, seed=5) as org:
        db = await Database.open(tmp_path / "workspace.db")
        try:
            env = await make_env(org, db)
            async with env.client:
                person = NewPerson("Pat", "Soakfound", email="pat.soakfound@example.com",
                                   account_name="Soakfound Household")
                contact_id = await People(db).add(env.connection_id, person, "Contact")
                note = await db.run(lambda s: notes_repo.create(
                    s, env.connection_id, contact_id=contact_id, title="About Pat", body_markdown="Met Pat."))
                await env.queue("note", note.id)

                original = env.client.request

                async def request(method: str, path: str, **kwargs: Any) -> Any:
                    answer = await original(method, path, **kwargs)
                    if method == "POST" and "sobjects/Contact" in str(kwargs.get("json_body")):
                        raise Killed  # Salesforce created the person; the answer is never read
                    return answer

                env.client.request = request  # type: ignore[method-assign]
                with contextlib.suppress(Killed):
                    await env.push()
                env.client.request = original  # type: ignore[method-assign]
                created = [r for r in env.live("Contact") if r["LastName"] == "Soakfound"]
                assert len(created) == 1  # the create did reach Salesforce

                # "Restart": the sync runs first and writes the person under the real Id.
                await PullEngine(env.client, db, env.connection_id, PullPreferences(include_events=False)).run()
                report = await env.push()

                assert report.needs_attention == 0 and report.waiting == 0, report
                rows = await db.run(lambda s: list(s.exec(select(Contact).where(
                    Contact.connection_id == env.connection_id, Contact.last_name == "Soakfound")).all()))
                assert [(r.id, r.sf_id) for r in rows] == [(contact_id, created[0]["Id"])]
                assert [r for r in env.live("Contact") if r["LastName"] == "Soakfound"] == created
                stored = await env.get_note(note.id)
                assert stored.state == "pushed" and stored.contact_id == contact_id
                assert [link["LinkedEntityId"] for link in env.links_to(stored.remote_id or "")
                        if not link["LinkedEntityId"].startswith("005")] == [created[0]["Id"]]
                counts = await db.run(lambda s: outbox_views.counts(s, env.connection_id))
                assert counts.pending == 0 and counts.needs_attention == 0
        finally:
            await db.close()
