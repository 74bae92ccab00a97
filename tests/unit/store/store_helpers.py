"""Helpers shared by the store tests (importable, unlike conftest)."""

from __future__ import annotations

from sqlmodel import Session

from app.store import Database
from app.store.models import Connection


def make_connection(org: str = "00D000000000001", user: str = "005000000000001") -> Connection:
    return Connection(
        org_id=org,
        user_id=user,
        username=f"{user}@example.com",
        display_name="Alex Advisor",
        instance_url="https://example.my.salesforce.com",
        login_url="https://login.salesforce.com",
        api_version="62.0",
        consumer_key="3MVG9public-client-id",
    )


async def add_connection(db: Database, org: str = "00D000000000001", user: str = "005000000000001") -> int:
    def insert(session: Session) -> int:
        row = make_connection(org, user)
        session.add(row)
        session.flush()
        assert row.id is not None
        return row.id

    return await db.run(insert)
