"""The registry: one handler per :class:`~app.store.kinds.ItemKind`, in the order a run sends them.

New people first (notes and tasks about them then reach the record Salesforce just created), then
notes, then tasks, then logged calls, meetings, emails and new opportunities.  The engine and the
protocol look handlers up here and never switch on a kind.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from app.store.kinds import ItemKind
from app.sync.push.kinds.base import DraftHandler, KindHandler
from app.sync.push.kinds.call import CallHandler
from app.sync.push.kinds.email import EmailHandler
from app.sync.push.kinds.meeting import MeetingHandler
from app.sync.push.kinds.note import NoteHandler
from app.sync.push.kinds.opportunity import OpportunityHandler
from app.sync.push.kinds.person import PersonHandler
from app.sync.push.kinds.task import TaskHandler

HANDLERS: Mapping[ItemKind, KindHandler] = MappingProxyType({
    ItemKind.PERSON: PersonHandler(),
    ItemKind.NOTE: NoteHandler(),
    ItemKind.TASK: TaskHandler(),
    ItemKind.CALL: CallHandler(),
    ItemKind.MEETING: MeetingHandler(),
    ItemKind.EMAIL: EmailHandler(),
    ItemKind.OPPORTUNITY: OpportunityHandler(),
})


def draft_handlers(handlers: Mapping[ItemKind, KindHandler] = HANDLERS) -> dict[ItemKind, DraftHandler]:
    """The handlers of kinds pushed as outbox work items (all but those that only ``push_ahead``)."""
    return {kind: h for kind, h in handlers.items() if isinstance(h, DraftHandler)}


__all__ = ["HANDLERS", "DraftHandler", "KindHandler", "draft_handlers"]
