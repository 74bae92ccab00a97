"""The wizard draft in the workspace: saved, read back, forgiving of damage, never a secret."""

from __future__ import annotations

import json

from sqlmodel import Session, select

from app.store import Database
from app.store.models import Setting
from app.store.wizard_state import (
    WIZARD_DRAFT_KEY,
    WizardDraft,
    aclear_draft,
    aload_draft,
    asave_draft,
    draft_secret_key,
)


async def test_draft_round_trip_and_clear(db: Database) -> None:
    assert await aload_draft(db) is None
    draft = WizardDraft(page="credentials", path="key", org_kind="mydomain", org_address="acme",
                        consumer_key="3MVGkey", has_secret=True, preferences={"note_type": "Note"})
    await asave_draft(db, draft)
    draft.page = "sign_in"
    await asave_draft(db, draft)  # an update, not a second row
    loaded = await aload_draft(db)
    assert loaded == draft

    def rows(session: Session) -> list[Setting]:
        return list(session.exec(select(Setting).where(Setting.key == WIZARD_DRAFT_KEY)).all())

    stored = await db.run(rows)
    assert len(stored) == 1 and stored[0].connection_id is None
    await aclear_draft(db)
    assert await aload_draft(db) is None


async def test_a_damaged_draft_falls_back_field_by_field(db: Database) -> None:
    def write(session: Session) -> None:
        session.add(Setting(connection_id=None, key=WIZARD_DRAFT_KEY, value={
            "draft_id": "abc", "page": 7, "path": "hacker", "org_kind": "mydomain", "org_address": "acme",
            "has_secret": "yes", "connection_id": "1", "preferences": ["x"], "future_field": 1,
        }))

    await db.run(write)
    draft = await aload_draft(db)
    assert draft is not None
    assert (draft.draft_id, draft.page, draft.path, draft.org_kind, draft.org_address) == (
        "abc", "welcome", "admin", "mydomain", "acme")
    assert draft.has_secret is False and draft.connection_id is None and draft.preferences == {}


def test_a_draft_never_holds_the_secret_itself() -> None:
    draft = WizardDraft(consumer_key="3MVGkey", has_secret=True)
    text = json.dumps(draft.to_json())
    assert "secret" not in text.replace("has_secret", "")
    assert draft_secret_key(draft.draft_id) == f"wizard-draft-{draft.draft_id}"
    assert WizardDraft.from_json(None).page == "welcome"
