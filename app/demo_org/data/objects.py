"""The objects of the demo org and their fields, modelled on an advisor's Salesforce org.

Lengths, picklists, requiredness and create/update permissions follow the Salesforce Object Reference
(https://developer.salesforce.com/docs/atlas.en-us.object_reference.meta/object_reference/) so that the
errors a real org raises (STRING_TOO_LONG, REQUIRED_FIELD_MISSING, restricted picklists …) come out the
same here. ``External_Id__c`` is a custom external-ID field on the main objects, as an org set up for
an integration would have, so upsert-by-external-ID has something to key on.
"""

from __future__ import annotations

from typing import Any

from app.demo_org.data.event_relations import event_relation
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
# Opportunity stages of an advisor's pipeline: (value, active, closed, won).  "Qualification" was retired
# by the admin: describe still lists it with "active": false, and a save with it is refused (rule
# opportunity-stage-active).
OPPORTUNITY_STAGES: tuple[tuple[str, bool, bool, bool], ...] = (
    ("Prospecting", True, False, False),
    ("Qualification", False, False, False),
    ("Needs Analysis", True, False, False),
    ("Proposal", True, False, False),
    ("Paperwork", True, False, False),
    ("Closed Won", True, True, True),
    ("Closed Lost", True, True, False),
)
PARENTABLE = ("Account", "Contact", "Lead")  # what the demo org allows as a Note/What/link parent


_SOURCES = tuple(Picklist(v) for v in ("Referral", "Web", "Event", "Seminar", "Other"))
_SALUTATIONS = tuple(Picklist(v) for v in ("Mr.", "Ms.", "Mrs.", "Dr.", "Prof."))


def _pl(*values: str, default: str | None = None) -> tuple[Picklist, ...]:
    return tuple(Picklist(v, v == default) for v in values)


def _s(name: str, length: int, **kw: Any) -> Field:
    return Field(name, "string", length, **kw)


# Salesforce's labels for the activity lookups, which its messages quote ("Related To ID: id value of
# incorrect type: …"), not labels derived from the API names ("What ID"):
# https://developer.salesforce.com/docs/platform/field-reference/references/field-reference/salesforce-field-reference-task.html
# and …/salesforce-field-reference-event.html (WhoId "Name ID", WhatId "Related To ID").
WHO_LABEL, WHAT_LABEL = "Name ID", "Related To ID"


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


# The firm's own fields on Contact, as a wealth firm's org has them (custom: true, API names ending in
# __c). Risk profile values are codes whose labels differ, so a client must show a picklist by its label.
RISK_PROFILES = (("CONS", "Conservative"), ("BAL", "Balanced"), ("GROW", "Growth"), ("AGGR", "Aggressive"))
# Record types of Contact: DeveloperName -> Name (label). The master record type is implicit.
CONTACT_RECORD_TYPES = (("Client", "Client"), ("Prospect", "Prospective Client"))


def _wealth_fields() -> list[Field]:
    return [
        _ref("RecordTypeId", "RecordType", "RecordType", label="Record Type ID"),
        Field("AUM__c", "currency", label="Assets Under Management", custom=True),
        Field("Next_Review__c", "date", label="Next Review", custom=True),
        Field("Risk_Profile__c", "picklist", 255, label="Risk Profile", custom=True,
              picklist=tuple(Picklist(value, False, text) for value, text in RISK_PROFILES)),
    ]


def _record_type() -> SObjectType:
    """RecordType rows (queryable, not writable through the API here).
    https://developer.salesforce.com/docs/platform/field-reference/references/field-reference/salesforce-field-reference-recordtype.html
    """
    return _obj("RecordType", "Record Types", [
        *_system(), _s("Name", 80, nillable=False), _s("DeveloperName", 80, label="Record Type Name"),
        Field("SobjectType", "picklist", 40, label="SObject Type Name"), _s("Description", 255),
        Field("IsActive", "boolean", nillable=False, defaulted=True, label="Active"),
    ], createable=False, updateable=False, deletable=False)


ACR_ROLES = ("Client", "Spouse", "Family Member", "Trustee", "Beneficiary", "Power of Attorney")


def _account_contact_relation() -> SObjectType:
    """AccountContactRelation exists only in orgs with "Contacts to Multiple Accounts" turned on; each
    Contact has one direct relation (its own AccountId) and may have indirect ones to other Accounts.
    https://developer.salesforce.com/docs/atlas.en-us.object_reference.meta/object_reference/sforce_api_objects_accountcontactrelation.htm
    """
    return _obj("AccountContactRelation", "Account Contact Relationships", [
        *_system(), _ref("AccountId", "Account", "Account", nillable=False, updateable=False),
        _ref("ContactId", "Contact", "Contact", nillable=False, updateable=False),
        Field("Roles", "multipicklist", 4099, picklist=_pl(*ACR_ROLES)),
        _readonly("IsDirect", "boolean", nillable=False, defaulted=True),
        Field("IsActive", "boolean", nillable=False, defaulted=True),
        Field("StartDate", "date"), Field("EndDate", "date"),
    ])


def _task_reminder() -> list[Field]:
    """Task's reminder, as the Task object reference gives it: ``IsReminderSet`` (boolean; Create,
    Defaulted on create, Update — false unless set) and ``ReminderDateTime`` (dateTime; Create, Nillable,
    Update — when the reminder fires, if IsReminderSet is true).  Field-level security can hide both
    from an API user, and then they are not in describe and a write naming them fails as unknown.
    https://developer.salesforce.com/docs/atlas.en-us.object_reference.meta/object_reference/sforce_api_objects_task.htm
    """
    return [Field("IsReminderSet", "boolean", nillable=False, defaulted=True),
            Field("ReminderDateTime", "datetime")]


def _opportunity() -> SObjectType:
    """Opportunity: ``Name`` (120), ``StageName`` and ``CloseDate`` are required on create, and the stage
    must be an active value of the org's stage list (OpportunityStage, ``IsActive``).  Object reference,
    Opportunity and OpportunityStage:
    https://developer.salesforce.com/docs/atlas.en-us.object_reference.meta/object_reference/sforce_api_objects_opportunity.htm
    https://developer.salesforce.com/docs/platform/object-reference/references/standard-objects/object-opportunitystage.html
    Rule opportunity-stage-active: whether a real org refuses an inactive stage through the API is not
    documented per org, so the demo is strict (INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST naming StageName).
    """
    return _obj("Opportunity", "Opportunities", [
        *_system(), _ref("AccountId", "Account", "Account"), _s("Name", 120, nillable=False),
        Field("StageName", "picklist", 255, nillable=False, restricted=True, label="Stage",
              picklist=tuple(Picklist(v, active=a) for v, a, _c, _w in OPPORTUNITY_STAGES)),
        Field("CloseDate", "date", nillable=False, label="Close Date"), Field("Amount", "currency"),
        Field("Probability", "percent"),
        Field("Type", "picklist", 255, picklist=_pl("New Business", "Rollover", "Existing Business")),
        Field("LeadSource", "picklist", 255, picklist=_SOURCES), Field("Description", "textarea", 32000),
        _readonly("IsClosed", "boolean", nillable=False, defaulted=True, calculated=True),
        _readonly("IsWon", "boolean", nillable=False, defaulted=True, calculated=True),
        _owner(), _ext_id(),
    ])


def build_schema(*, person_accounts: bool = False, enhanced_notes: bool = True,
                 account_contact_relations: bool = False, missing_fields: tuple[str, ...] = (),
                 classic_notes: bool = True, task_reminders: bool = True,
                 required_fields: tuple[str, ...] = (), shared_activities: bool = False) -> Schema:
    """The org's schema (``shared_activities``: the org relates several people to an event, see
    :mod:`app.demo_org.data.event_relations`); person accounts, Enhanced Notes, Contacts to Multiple
    Accounts and the Task reminder's field-level security change which fields/objects exist, ``missing_fields``
    ("Task.CallDisposition" …) leaves out optional fields an org may lack, and ``required_fields``
    ("Opportunity.Custodian__c" …) adds a required custom text field an admin made mandatory (rule
    required-fields)."""
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
            Field("DefaultCurrencyIsoCode", "picklist", 255, label="Currency",
                  picklist=_pl("USD", "EUR", "GBP", "CAD", default="USD")),
        ], createable=False, updateable=False, deletable=False, replicateable=False),
        _obj("User", "Users", [
            *_system(), _s("Username", 80, nillable=False), _s("FirstName", 40),
            _s("LastName", 80, nillable=False),
            _readonly("Name", "string", 121, calculated=True), _s("Alias", 8, nillable=False),
            Field("Email", "email", 128, nillable=False), _s("Title", 80), Field("Phone", "phone", 40),
            Field("IsActive", "boolean", nillable=False, defaulted=True), _s("TimeZoneSidKey", 40),
            _s("UserType", 40), _ref("UserRoleId", "UserRole", "UserRole", label="Role ID"),
        ], createable=False, updateable=False, deletable=False),
        _obj("UserRole", "Roles", [
            *_system(), _s("Name", 80, nillable=False), _s("DeveloperName", 80),
            _ref("ParentRoleId", "ParentRole", "UserRole", label="Parent Role ID"),
        ], createable=False, updateable=False, deletable=False),
        _record_type(),
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
            *_wealth_fields(),
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
            _ref("WhoId", "Who", "Contact", "Lead", label=WHO_LABEL),
            _ref("WhatId", "What", "Account", "Opportunity", label=WHAT_LABEL),
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
            Field("Description", "textarea", 32000),  # rule task-description-length (STRING_TOO_LONG past it)
            # Rule task-subtype-create-only: TaskSubtype is "Create, Filter, Group, Nillable, Restricted
            # picklist, Sort" — no Update: it is set on create only (a Task logged as a call stays a call).
            # Call fields (CallType, CallDurationInSeconds, CallDisposition) come with Salesforce CRM Call
            # Center; an org built with ``missing_fields=("Task.CallDisposition",)`` lacks one, as real orgs may.
            # https://developer.salesforce.com/docs/atlas.en-us.object_reference.meta/object_reference/sforce_api_objects_task.htm
            Field("TaskSubtype", "picklist", 40, picklist=_pl("Task", "Email", "Call", default="Task"),
                  defaulted=True, updateable=False, restricted=True),
            Field("CallType", "picklist", 40, picklist=_pl("Internal", "Inbound", "Outbound"), restricted=True),
            Field("CallDurationInSeconds", "int"), _s("CallDisposition", 255),
            _readonly("CompletedDateTime", "datetime"),
            *(_task_reminder() if task_reminders else []),
            _ref("WhoId", "Who", "Contact", "Lead", label=WHO_LABEL),
            _ref("WhatId", "What", "Account", "Opportunity", label=WHAT_LABEL),
            _archived(), _owner(), _ext_id(),
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
            # Classic Notes switched off (rule classic-notes-off): still read, never created. Help,
            # "Guidelines for Working with Notes": in Lightning Experience the legacy note-taking tool
            # "is only used to read and manage notes that were created with it"
            # (https://help.salesforce.com/s/articleView?id=sales.notes_del.htm&type=5); what the API
            # does then is not documented, so the demo is strict: create → INVALID_TYPE_FOR_OPERATION.
        ], createable=classic_notes),
        _obj("ContentNote", "Notes", [
            *_system(), _s("Title", 255, nillable=False), Field("Content", "base64"),
            _readonly("TextPreview", "string", 255), _readonly("FileType", "string", 20),
            _readonly("FileExtension", "string", 40), _readonly("ContentSize", "int"),
            _ref("LatestPublishedVersionId", "LatestPublishedVersion", "ContentVersion", createable=False,
                 updateable=False),
            _owner(updateable=False),
            # Rule enhanced-notes-off: "Notes must be enabled" (object reference, ContentNote, Special
            # Access Rules); without it the object is read-only here.
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
            # Rule link-share-values: ShareType V/C/I and Visibility AllUsers/InternalUsers/SharedUsers,
            # restricted (object reference, ContentDocumentLink:
            # https://developer.salesforce.com/docs/atlas.en-us.object_reference.meta/object_reference/sforce_api_objects_contentdocumentlink.htm);
            # per linked object: rules.check_link_visibility (rule link-visibility).
            Field("ShareType", "picklist", 40, restricted=True, nillable=False, defaulted=True,
                  picklist=_pl("V", "C", "I", default="V")),
            Field("Visibility", "picklist", 40, restricted=True, nillable=False, defaulted=True,
                  picklist=_pl("AllUsers", "InternalUsers", "SharedUsers", default="AllUsers")),
        ], updateable=True),
    ]
    types.append(_opportunity())
    types.append(event_relation(shared_activities=shared_activities))
    if account_contact_relations:
        types.append(_account_contact_relation())
    return Schema(_without(_with_required(types, required_fields), missing_fields))


def _with_required(types: list[SObjectType], required: tuple[str, ...]) -> list[SObjectType]:
    """Each "Object.Name__c" in ``required`` added to its object as a required custom text field."""
    wanted: dict[str, list[str]] = {}
    for name in required:
        sobject, _, field = name.partition(".")
        if not field.endswith("__c"):
            raise ValueError(f"a required custom field is named Object.Name__c, not {name!r}")
        wanted.setdefault(sobject.lower(), []).append(field)
    out = []
    for t in types:
        extra = [_s(f, 255, nillable=False, custom=True, label=f[:-3].replace("_", " "))
                 for f in wanted.get(t.name.lower(), [])]
        if extra:
            t = SObjectType(t.name, t.label, t.label_plural, t.key_prefix, [*t.fields, *extra],
                            createable=t.createable, updateable=t.updateable, deletable=t.deletable,
                            queryable=t.queryable, replicateable=t.replicateable)
        out.append(t)
    return out


def _without(types: list[SObjectType], missing: tuple[str, ...]) -> list[SObjectType]:
    """The types with the fields named "Object.Field" in ``missing`` left out (a field no org can lack,
    like Id, is refused)."""
    gone: dict[str, set[str]] = {}
    for name in missing:
        sobject, _, field = name.partition(".")
        if not field or field.lower() in ("id", "isdeleted", "systemmodstamp"):
            raise ValueError(f"not a field an org can lack: {name!r}")
        gone.setdefault(sobject.lower(), set()).add(field.lower())
    out = []
    for t in types:
        drop = gone.get(t.name.lower())
        if drop:
            t = SObjectType(t.name, t.label, t.label_plural, t.key_prefix,
                            [f for f in t.fields if f.name.lower() not in drop], createable=t.createable,
                            updateable=t.updateable, deletable=t.deletable, queryable=t.queryable,
                            replicateable=t.replicateable)
        out.append(t)
    return out
