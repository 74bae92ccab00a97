"""The objects of the demo org and their fields, modelled on an advisor's Salesforce org.

Lengths, picklists, requiredness and create/update permissions follow the Salesforce Object Reference
(https://developer.salesforce.com/docs/atlas.en-us.object_reference.meta/object_reference/) so that the
errors a real org raises (STRING_TOO_LONG, REQUIRED_FIELD_MISSING, restricted picklists …) come out the
same here. ``External_Id__c`` is a custom external-ID field on the main objects, as an org set up for
an integration would have, so upsert-by-external-ID has something to key on.
"""

from __future__ import annotations

from typing import Any

from app.demo_org.data.schema import Field, Picklist, Schema, SObjectType
from app.demo_org.ids import KEY_PREFIXES

# Org picklists for Task (their values are also rows of TaskStatus / TaskPriority).
TASK_STATUSES: tuple[tuple[str, bool, bool], ...] = (  # (value, is_default, is_closed)
    ("Not Started", True, False),
    ("In Progress", False, False),
    ("Completed", False, True),
    ("Waiting on someone else", False, False),
    ("Deferred", False, False),
)
TASK_PRIORITIES: tuple[tuple[str, bool, bool], ...] = (  # (value, is_default, is_high)
    ("High", False, True),
    ("Normal", True, False),
    ("Low", False, False),
)
LEAD_STATUSES = (
    "Open - Not Contacted", "Working - Contacted", "Closed - Converted", "Closed - Not Converted",
)
LEAD_CONVERTED_STATUS = "Closed - Converted"
OPPORTUNITY_STAGES: tuple[tuple[str, str], ...] = (  # (stage, "open" / "won" / "lost"), the default sales process
    ("Prospecting", "open"), ("Qualification", "open"), ("Needs Analysis", "open"), ("Proposal/Price Quote", "open"),
    ("Negotiation/Review", "open"), ("Closed Won", "won"), ("Closed Lost", "lost"),
)
PARENTABLE = ("Account", "Contact", "Lead")  # what the demo org allows as a Note/What/link parent


_SOURCES = tuple(Picklist(v) for v in ("Referral", "Web", "Event", "Seminar", "Other"))
_SALUTATIONS = tuple(Picklist(v) for v in ("Mr.", "Ms.", "Mrs.", "Dr.", "Prof."))


def _pl(*values: str, default: str | None = None) -> tuple[Picklist, ...]:
    return tuple(Picklist(v, v == default) for v in values)


def _s(name: str, length: int, **kw: Any) -> Field:
    return Field(name, "string", length, **kw)


def _ref(name: str, relationship: str, *to: str, **kw: Any) -> Field:
    return Field(name, "reference", 18, reference_to=to, relationship=relationship, **kw)


def _readonly(name: str, type_: str, length: int = 0, **kw: Any) -> Field:
    return Field(name, type_, length, createable=False, updateable=False, **kw)


def _ext_id() -> Field:
    return _s("External_Id__c", 255, label="External Id", external_id=True, unique=True, custom=True)


def _system(*, audit: bool = True) -> list[Field]:
    fields = [
        _readonly("Id", "id", 18, nillable=False, defaulted=True),
        _readonly("IsDeleted", "boolean", nillable=False, defaulted=True),
    ]
    if audit:
        fields += [
            _readonly("CreatedDate", "datetime", nillable=False, defaulted=True),
            _ref("CreatedById", "CreatedBy", "User", createable=False, updateable=False, nillable=False,
                 defaulted=True),
            _readonly("LastModifiedDate", "datetime", nillable=False, defaulted=True),
            _ref("LastModifiedById", "LastModifiedBy", "User", createable=False, updateable=False,
                 nillable=False, defaulted=True),
        ]
    fields.append(_readonly("SystemModstamp", "datetime", nillable=False, defaulted=True))
    return fields


def _archived() -> Field:
    """Activities older than a year are archived: ``query`` leaves them out, ``queryAll`` returns them.
    https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_queryall.htm"""
    return _readonly("IsArchived", "boolean", nillable=False, defaulted=True)


def _owner(updateable: bool = True) -> Field:
    return _ref("OwnerId", "Owner", "User", nillable=False, defaulted=True, updateable=updateable)


def _obj(name: str, plural: str, fields: list[Field], **kw: Any) -> SObjectType:
    return SObjectType(name, name if name != "ContentNote" else "Note", plural, KEY_PREFIXES[name],
                       fields, **kw)


def _address(prefix: str) -> list[Field]:
    return [
        Field(f"{prefix}Street", "textarea", 255), _s(f"{prefix}City", 40), _s(f"{prefix}State", 80),
        _s(f"{prefix}PostalCode", 20), _s(f"{prefix}Country", 80),
    ]


def build_schema(*, person_accounts: bool = False, enhanced_notes: bool = True) -> Schema:
    """The org's schema; person accounts and Enhanced Notes change which fields/objects exist."""
    account_person = [
        _s("FirstName", 40), _s("LastName", 80), Field("PersonEmail", "email", 80),
        Field("PersonMobilePhone", "phone", 40), Field("PersonBirthdate", "date"),
        _readonly("IsPersonAccount", "boolean", nillable=False, defaulted=True),
        _ref("PersonContactId", "PersonContact", "Contact", createable=False, updateable=False),
    ] if person_accounts else []
    contact_person = [_readonly("IsPersonAccount", "boolean", nillable=False, defaulted=True)] \
        if person_accounts else []
    types = [
        _obj("Organization", "Organizations", [
            *_system(), _s("Name", 80, nillable=False), _s("OrganizationType", 40),
            Field("IsSandbox", "boolean", nillable=False), _s("InstanceName", 5), _s("TimeZoneSidKey", 40),
        ], createable=False, updateable=False, deletable=False, replicateable=False),
        _obj("User", "Users", [
            *_system(), _s("Username", 80, nillable=False), _s("FirstName", 40),
            _s("LastName", 80, nillable=False),
            _readonly("Name", "string", 121, calculated=True), _s("Alias", 8, nillable=False),
            Field("Email", "email", 128, nillable=False), _s("Title", 80), Field("Phone", "phone", 40),
            Field("IsActive", "boolean", nillable=False, defaulted=True), _s("TimeZoneSidKey", 40),
            _s("UserType", 40),
        ], createable=False, updateable=False, deletable=False),
        _obj("Account", "Accounts", [
            *_system(), _s("Name", 255, nillable=False), *account_person,
            Field("Type", "picklist", 255, picklist=_pl("Household", "Prospect", "Client", "Former Client")),
            Field("Phone", "phone", 40), Field("Website", "url", 255),
            Field("Industry", "picklist", 255,
                  picklist=_pl("Finance", "Healthcare", "Technology", "Education", "Retail", "Other")),
            *_address("Billing"), Field("Description", "textarea", 32000), _s("AccountNumber", 40),
            Field("AnnualRevenue", "currency"), _ref("ParentId", "Parent", "Account"), _owner(), _ext_id(),
        ]),
        _obj("Contact", "Contacts", [
            *_system(), _ref("AccountId", "Account", "Account"),
            Field("Salutation", "picklist", 40, picklist=_SALUTATIONS),
            _s("FirstName", 40), _s("LastName", 80, nillable=False),
            _readonly("Name", "string", 121, calculated=True), _s("Title", 128), Field("Email", "email", 80),
            Field("Phone", "phone", 40), Field("MobilePhone", "phone", 40), Field("HomePhone", "phone", 40),
            Field("Birthdate", "date"), *_address("Mailing"),
            Field("LeadSource", "picklist", 255, picklist=_SOURCES),
            Field("Description", "textarea", 32000), _ref("ReportsToId", "ReportsTo", "Contact"),
            Field("HasOptedOutOfEmail", "boolean", nillable=False, defaulted=True),
            Field("DoNotCall", "boolean", nillable=False, defaulted=True),
            _readonly("LastActivityDate", "date"), *contact_person, _owner(), _ext_id(),
        ]),
        _obj("Lead", "Leads", [
            *_system(), Field("Salutation", "picklist", 40, picklist=_SALUTATIONS),
            _s("FirstName", 40), _s("LastName", 80, nillable=False),
            _readonly("Name", "string", 121, calculated=True), _s("Company", 255, nillable=False),
            _s("Title", 128), Field("Email", "email", 80), Field("Phone", "phone", 40),
            Field("MobilePhone", "phone", 40), *_address(""),
            Field("Status", "picklist", 255, nillable=False, defaulted=True, restricted=True,
                  picklist=_pl(*LEAD_STATUSES, default=LEAD_STATUSES[0])),
            Field("LeadSource", "picklist", 255, picklist=_SOURCES),
            Field("Rating", "picklist", 255, picklist=_pl("Hot", "Warm", "Cold")),
            Field("Description", "textarea", 32000),
            _readonly("IsConverted", "boolean", nillable=False, defaulted=True),
            _readonly("ConvertedDate", "date"),
            _ref("ConvertedAccountId", "ConvertedAccount", "Account", createable=False, updateable=False),
            _ref("ConvertedContactId", "ConvertedContact", "Contact", createable=False, updateable=False),
            _owner(), _ext_id(),
        ]),
        _obj("Event", "Events", [
            *_system(), Field("Subject", "combobox", 255,
                              picklist=_pl("Call", "Email", "Meeting", "Send Letter/Quote", "Other")),
            Field("StartDateTime", "datetime"), Field("EndDateTime", "datetime"),
            _readonly("ActivityDateTime", "datetime"), _readonly("ActivityDate", "date"),
            Field("DurationInMinutes", "int"),
            Field("IsAllDayEvent", "boolean", nillable=False, defaulted=True),
            _s("Location", 255), Field("Description", "textarea", 32000),
            Field("ShowAs", "picklist", 40, picklist=_pl("Busy", "Free", "OutOfOffice", default="Busy"),
                  defaulted=True),
            _ref("WhoId", "Who", "Contact", "Lead"), _ref("WhatId", "What", "Account", "Opportunity"),
            _archived(), _owner(), _ext_id(),
        ]),
        _obj("Task", "Tasks", [
            *_system(), Field("Subject", "combobox", 255,
                              picklist=_pl("Call", "Send Letter", "Send Quote", "Other")),
            Field("ActivityDate", "date"),
            Field("Status", "picklist", 40, nillable=False, defaulted=True, restricted=True,
                  picklist=tuple(Picklist(v, d) for v, d, _ in TASK_STATUSES)),
            Field("Priority", "picklist", 40, nillable=False, defaulted=True, restricted=True,
                  picklist=tuple(Picklist(v, d) for v, d, _ in TASK_PRIORITIES)),
            _readonly("IsClosed", "boolean", nillable=False, defaulted=True, calculated=True),
            _readonly("IsHighPriority", "boolean", nillable=False, defaulted=True, calculated=True),
            Field("Description", "textarea", 32000),
            Field("TaskSubtype", "picklist", 40, picklist=_pl("Task", "Email", "Call", default="Task"),
                  defaulted=True, updateable=False),
            _readonly("CompletedDateTime", "datetime"),
            _ref("WhoId", "Who", "Contact", "Lead"), _ref("WhatId", "What", "Account", "Opportunity"),
            _archived(), _owner(), _ext_id(),
        ]),
        _obj("Opportunity", "Opportunities", [
            *_system(), _ref("AccountId", "Account", "Account"), _s("Name", 120, nillable=False),
            Field("StageName", "picklist", 255, nillable=False, picklist=_pl(*(s for s, _ in OPPORTUNITY_STAGES))),
            Field("Amount", "currency"), Field("CloseDate", "date", nillable=False), Field("Probability", "double"),
            _readonly("IsClosed", "boolean", nillable=False, defaulted=True, calculated=True),
            _readonly("IsWon", "boolean", nillable=False, defaulted=True, calculated=True),
            Field("Description", "textarea", 32000), _owner(),
        ]),
        _obj("TaskStatus", "Task Status", [
            *_system(), _s("MasterLabel", 255), _s("ApiName", 255), Field("SortOrder", "int"),
            Field("IsDefault", "boolean", nillable=False), Field("IsClosed", "boolean", nillable=False),
        ], createable=False, updateable=False, deletable=False, replicateable=False),
        _obj("TaskPriority", "Task Priorities", [
            *_system(), _s("MasterLabel", 255), _s("ApiName", 255), Field("SortOrder", "int"),
            Field("IsDefault", "boolean", nillable=False), Field("IsHighPriority", "boolean", nillable=False),
        ], createable=False, updateable=False, deletable=False, replicateable=False),
        _obj("Note", "Notes", [
            *_system(), _ref("ParentId", "Parent", *PARENTABLE, nillable=False, updateable=False),
            _s("Title", 80, nillable=False), Field("Body", "textarea", 32000),
            Field("IsPrivate", "boolean", nillable=False, defaulted=True), _owner(),
        ]),
        _obj("ContentNote", "Notes", [
            *_system(), _s("Title", 255, nillable=False), Field("Content", "base64"),
            _readonly("TextPreview", "string", 255), _readonly("FileType", "string", 20),
            _readonly("FileExtension", "string", 40), _readonly("ContentSize", "int"),
            _ref("LatestPublishedVersionId", "LatestPublishedVersion", "ContentVersion", createable=False,
                 updateable=False),
            _owner(updateable=False),
        ], createable=enhanced_notes, updateable=enhanced_notes, deletable=enhanced_notes),
        _obj("ContentDocument", "Files", [
            *_system(), _s("Title", 255, nillable=False), _readonly("FileType", "string", 20),
            _readonly("FileExtension", "string", 40), _readonly("ContentSize", "int"),
            _ref("LatestPublishedVersionId", "LatestPublishedVersion", "ContentVersion", createable=False,
                 updateable=False),
            _owner(updateable=False),
        ], createable=False),
        _obj("ContentDocumentLink", "Content Document Links", [
            *_system(audit=False),
            _ref("ContentDocumentId", "ContentDocument", "ContentDocument", nillable=False, updateable=False),
            _ref("LinkedEntityId", "LinkedEntity", "User", *PARENTABLE, nillable=False, updateable=False),
            Field("ShareType", "picklist", 40, restricted=True, nillable=False, defaulted=True,
                  picklist=_pl("V", "C", "I", default="V")),
            Field("Visibility", "picklist", 40, restricted=True, nillable=False, defaulted=True,
                  picklist=_pl("AllUsers", "InternalUsers", "SharedUsers", default="AllUsers")),
        ], updateable=True),
    ]
    return Schema(types)
