"""New tasks go to the assignee chosen in the wizard, else to the signed-in advisor."""

from __future__ import annotations

from pathlib import Path

from app.store import Database
from app.store import connections as connection_rows
from app.store import settings as settings_repo
from app.store import tasks as tasks_repo


async def test_default_assignee_prefers_the_chosen_colleague(tmp_path: Path) -> None:
    db = await Database.open(tmp_path / "ws.sqlite3")
    try:
        row = await db.run(lambda s: connection_rows.save_sign_in(
            s, org_id="00D000000000001AAA", user_id="005000000000001AAA", username="a@b.example",
            instance_url="https://acme.my.salesforce.com", login_url="https://login.salesforce.com",
            api_version="66.0", consumer_key="3MVG9key"))
        cid = row.id
        assert await db.run(lambda s: tasks_repo.default_assignee(s, cid)) == "005000000000001AAA"
        await db.run(lambda s: settings_repo.put(s, cid, tasks_repo.DEFAULT_ASSIGNEE_SETTING, "005000000000002AAA"))
        assert await db.run(lambda s: tasks_repo.default_assignee(s, cid)) == "005000000000002AAA"
        assert await db.run(lambda s: tasks_repo.default_assignee(s, cid + 1)) is None
    finally:
        await db.close()
