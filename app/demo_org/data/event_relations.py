"""EventRelation: the people related to an Event, and the org's "Shared Activities" switch.

EventRelation exists in every org; without Shared Activities it holds only invitees, and an event is
related to one contact or lead (its ``WhoId``).  With Shared Activities on, a row with
``IsParent = true`` relates the event to a contact or lead: "An event can be related to up to 50
contacts or one lead"; the fields ``IsParent``, ``IsWhat`` and ``AccountId`` are there only then
(the field reference of an org without it lists neither).  Salesforce keeps the event's ``WhoId`` as
one of those rows itself.
Object reference, EventRelation:
https://developer.salesforce.com/docs/platform/object-reference/references/standard-objects/object-eventrelation.html
Field reference (an org without Shared Activities):
https://developer.salesforce.com/docs/atlas.en-us.sfFieldRef.meta/sfFieldRef/salesforce_field_reference_EventRelation.htm

Rules here (docs/salesforce-fidelity.md): rule event-relation-duplicate and rule event-relation-people.
What error text a real org gives for a second relation or a 51st contact is not documented, so the
demo is strict: DUPLICATE_VALUE and FIELD_INTEGRITY_EXCEPTION naming RelationId.
"""

from __future__ import annotations

from typing import Any

from app.demo_org.data.schema import Field, Picklist, SObjectType
from app.demo_org.data.store import Record, Store
from app.demo_org.errors import SaveError
from app.demo_org.ids import KEY_PREFIXES

MAX_CONTACTS = 50
STATUSES = ("New", "Accepted", "Declined")


def _ref(name: str, relationship: str, *to: str, **kw: Any) -> Field:
    return Field(name, "reference", 18, reference_to=to, relationship=relationship, **kw)


def _ro(name: str, type_: str, length: int = 0) -> Field:
    return Field(name, type_, length, nillable=False, defaulted=True, createable=False, updateable=False)


def event_relation(*, shared_activities: bool) -> SObjectType:
    """The object as this org describes it (``IsParent``/``IsWhat``/``AccountId`` only when shared)."""
    fields = [
        _ro("Id", "id", 18), _ro("IsDeleted", "boolean"), _ro("CreatedDate", "datetime"),
        _ref("CreatedById", "CreatedBy", "User", nillable=False, defaulted=True, createable=False, updateable=False),
        _ro("LastModifiedDate", "datetime"),
        _ref("LastModifiedById", "LastModifiedBy", "User", nillable=False, defaulted=True, createable=False,
             updateable=False),
        _ro("SystemModstamp", "datetime"),
        _ref("EventId", "Event", "Event", nillable=False, updateable=False),
        _ref("RelationId", "Relation", "Contact", "Lead", "User", nillable=False, updateable=False),
        Field("IsInvitee", "boolean", nillable=False, defaulted=True),
        Field("Status", "picklist", 40, defaulted=True, restricted=True,
              picklist=tuple(Picklist(v, v == "New") for v in STATUSES)),
        Field("Response", "string", 255),
    ]
    if shared_activities:
        fields += [Field("IsParent", "boolean", nillable=False, defaulted=True),
                   Field("IsWhat", "boolean", nillable=False, defaulted=True),
                   _ref("AccountId", "Account", "Account", createable=False, updateable=False)]
    return SObjectType("EventRelation", "Event Relation", "Event Relations", KEY_PREFIXES["EventRelation"], fields)


def _live(store: Store, event_id: str) -> list[Record]:
    return [r for r in store.table("EventRelation").values() if r["EventId"] == event_id and not r["IsDeleted"]]


def check(record: Record, store: Store, *, shared_activities: bool) -> None:
    """The rules of one new EventRelation against the event's others."""
    event = store.table("Event").get(record["EventId"])
    if event is None or event["IsDeleted"]:
        raise SaveError("ENTITY_IS_DELETED", "entity is deleted", 400, ["EventId"])
    others = _live(store, record["EventId"])
    if any(r["RelationId"] == record["RelationId"] for r in others):  # rule event-relation-duplicate
        raise SaveError("DUPLICATE_VALUE", f"duplicate value found: RelationId duplicates value on record with id: "
                        f"{record['RelationId']}", 400, ["RelationId"])
    kind = store.type_of_id(record["RelationId"])
    if record.get("IsParent") or record.get("IsWhat"):
        if not shared_activities:  # the fields do not exist then; kept for a direct store write
            raise SaveError("INVALID_FIELD", "No such column 'IsParent' on sobject of type EventRelation", 400)
        if record.get("IsParent") and kind not in ("Contact", "Lead"):  # rule event-relation-people
            raise SaveError("FIELD_INTEGRITY_EXCEPTION",
                            "Relation ID: only a contact or a lead can be related to an event as a person", 400,
                            ["RelationId"])
        parents = [store.type_of_id(r["RelationId"]) for r in others if r.get("IsParent")]
        if record.get("IsParent"):
            if (kind == "Lead" and parents) or (kind == "Contact" and "Lead" in parents):
                raise SaveError("FIELD_INTEGRITY_EXCEPTION", "Relation ID: an event can be related to up to "
                                "50 contacts or one lead, not both", 400, ["RelationId"])
            if kind == "Contact" and parents.count("Contact") >= MAX_CONTACTS:
                raise SaveError("FIELD_INTEGRITY_EXCEPTION", "Relation ID: an event can be related to at most "
                                "50 contacts", 400, ["RelationId"])


def who_relation(event: Record, store: Store) -> Record | None:
    """With Shared Activities on, the row Salesforce keeps for an event's ``WhoId`` (None without one)."""
    who = event.get("WhoId")
    if not who or store.type_of_id(who) not in ("Contact", "Lead"):
        return None
    return {"EventId": event["Id"], "RelationId": who, "IsParent": True, "IsWhat": False, "IsInvitee": False,
            "Status": None, "Response": None, "AccountId": None}


__all__ = ["MAX_CONTACTS", "check", "event_relation", "who_relation"]
