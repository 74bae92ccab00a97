"""Settings: one JSON value per key, per connection (``connection_id``) or app-wide (``None``).

    interval = await db.run(lambda s: settings.get(s, cid, "sync.interval_minutes", 30))
    await db.run(lambda s: settings.put(s, cid, "sync.interval_minutes", 15))

Settings are plain preferences.  They are never a place for a secret: keys that name one
(token, secret, password …) and values shaped like a Salesforce access token are refused, so a
slip in calling code fails loudly in development instead of writing a credential to disk.
"""

from __future__ import annotations

import json
import re
from typing import Any

from sqlalchemy import ColumnElement, select
from sqlmodel import Session, col

from app.store.models import Setting
from app.store.tables import table_of
from app.store.types import utcnow

MAX_KEY_LENGTH = 200
_SECRET_KEY = re.compile(r"token|secret|password|passwd|authorization|credential", re.IGNORECASE)
# An access token / session id: the org id (00D + 12 or 15 characters), "!", then the opaque part.
ACCESS_TOKEN_SHAPE = re.compile(r"\b00D[A-Za-z0-9]{12,15}![A-Za-z0-9._\-]{20,}")


def get(session: Session, connection_id: int | None, key: str, default: Any = None) -> Any:
    row = _row(session, connection_id, _checked_key(key))
    return default if row is None else row.value


def put(session: Session, connection_id: int | None, key: str, value: Any) -> None:
    """Set ``key`` to ``value`` (anything JSON can hold: None, bool, numbers, str, lists, dicts)."""
    key = _checked_key(key)
    _check_value(key, value)
    row = _row(session, connection_id, key)
    if row is None:
        row = Setting(connection_id=connection_id, key=key)
    row.value = value
    row.updated_at = utcnow()
    session.add(row)
    session.flush()


def delete(session: Session, connection_id: int | None, key: str) -> bool:
    """Remove ``key``; True when it existed."""
    row = _row(session, connection_id, _checked_key(key))
    if row is None:
        return False
    session.delete(row)
    session.flush()
    return True


def get_all(session: Session, connection_id: int | None) -> dict[str, Any]:
    """Every setting in one scope, e.g. for a settings screen or a support bundle."""
    stmt = select(Setting).where(_scope(connection_id)).order_by(col(Setting.key))
    return {row.key: row.value for row in session.execute(stmt).scalars()}


def _scope(connection_id: int | None) -> ColumnElement[bool]:
    column = table_of(Setting).c.connection_id
    return column.is_(None) if connection_id is None else column == connection_id


def _row(session: Session, connection_id: int | None, key: str) -> Setting | None:
    stmt = select(Setting).where(_scope(connection_id), col(Setting.key) == key)
    return session.execute(stmt).scalars().first()


def _checked_key(key: str) -> str:
    if not isinstance(key, str) or not key.strip() or len(key) > MAX_KEY_LENGTH:
        raise ValueError(f"a setting key must be a non-empty string of at most {MAX_KEY_LENGTH} characters")
    if _SECRET_KEY.search(key):
        raise ValueError(f"setting {key!r} looks like a secret; secrets belong in the keyring (app.secrets)")
    return key


def _check_value(key: str, value: Any) -> None:
    try:
        text = json.dumps(value, allow_nan=False)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"setting {key!r} must be plain JSON data: {exc}") from exc
    if ACCESS_TOKEN_SHAPE.search(text):
        raise ValueError(
            f"setting {key!r} holds what looks like an access token; secrets belong in the keyring"
        )
