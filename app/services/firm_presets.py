"""What the firm's managed configuration last set for this connection's filters and field mappings.

Kept per connection in the workspace (settings key ``FIRM_PRESETS_KEY``) by
``app.services.managed.sync_presets`` when it applies the firm's presets, and read by the What to sync
and Fields use cases: a part the firm **locked** cannot be changed by the advisor (the screens say
"Set by your firm"), and an unlocked one is only replaced by a newer firm preset while it is still as
the firm left it (an advisor's own change wins). The value, as stored::

    {"locked": true, "filters": {"Contact": <ObjectFilter json>}, "fields": {"Contact": <FieldMapping json>}}
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from app.store import settings as settings_rows

FIRM_PRESETS_KEY = "sync.firm_presets"
SET_BY_FIRM = "Set by your firm. Ask your firm's IT to change it."


class PresetPart(StrEnum):
    FILTERS = "filters"
    FIELDS = "fields"


def firm_presets(session: Any, connection_id: int) -> dict[str, Any]:
    value = settings_rows.get(session, connection_id, FIRM_PRESETS_KEY)
    return value if isinstance(value, dict) else {}


def applied(session: Any, connection_id: int, part: PresetPart, sobject: str) -> Any:
    """The value the firm last set for ``sobject`` (None when it set none)."""
    found = firm_presets(session, connection_id).get(part.value)
    return found.get(sobject) if isinstance(found, dict) else None


def is_locked(session: Any, connection_id: int, part: PresetPart, sobject: str) -> bool:
    """True when the firm set ``part`` of ``sobject`` and locked it."""
    return bool(firm_presets(session, connection_id).get("locked")) and applied(
        session, connection_id, part, sobject) is not None


class SetByFirm(ValueError):
    """The advisor tried to change a setting the firm locked (the message is for the screen)."""

    def __init__(self) -> None:
        super().__init__(SET_BY_FIRM)
