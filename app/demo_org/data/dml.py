"""Create, update, delete and upsert with the checks a real org makes, in the order it makes them.

Order (as Salesforce reports errors): unknown fields, field permissions, value checks (types,
lengths, picklists, references), required fields, object rules, custom validation rules. Every write
stamps ``LastModifiedDate``/``SystemModstamp`` with second precision and the acting user.
Deletes are soft (``IsDeleted``) and cascade from an Account to its Contacts, and between a
ContentNote, its ContentDocument and their links — the cascades a sync client must notice.
"""

from __future__ import annotations

from typing import Any

from app.demo_org import timefmt
from app.demo_org.data import event_relations, rules
from app.demo_org.data.coerce import canonical_fields, coerce, label
from app.demo_org.data.objects import LEAD_CONVERTED_STATUS
from app.demo_org.data.schema import Schema, SObjectType
from app.demo_org.data.store import Record, Store
from app.demo_org.errors import SaveError, SfError, not_found
from app.demo_org.ids import IdFactory

_FLS_MESSAGE = ("Unable to create/update fields: {names}. Please check the security settings of this field "
                "and verify that it is read/write for your profile or permission set.")


class Dml:
    def __init__(self, store: Store, schema: Schema, id_factory: IdFactory, *, person_accounts: bool,
                 shared_activities: bool = False) -> None:
        self.store = store
        self.shared_activities = shared_activities
        self.schema = schema
        self.ids = id_factory
        self.person_accounts = person_accounts
        self.validation_rules: dict[str, list[tuple[str | None, str]]] = {}

    # -- helpers -------------------------------------------------------------------------------------
    def sobject(self, name: str) -> SObjectType:
        sobject = self.schema.get(name)
        if sobject is None:
            raise SfError("INVALID_TYPE", f"sObject type '{name}' is not supported.")
        return sobject

    def _stamp(self, record: Record, user_id: str, *, created: bool) -> None:
        now = timefmt.format_datetime(timefmt.utcnow())
        if created and "CreatedDate" in record:
            record["CreatedDate"] = now
            record["CreatedById"] = user_id
        if "LastModifiedDate" in record:
            record["LastModifiedDate"] = now
            record["LastModifiedById"] = user_id
        record["SystemModstamp"] = now

    def _values(self, sobject: SObjectType, body: dict[str, Any], *, create: bool) -> dict[str, Any]:
        fields = canonical_fields(sobject, body)
        fields.pop("Id", None) if not create else None
        # Rule field-permissions: a field the profile can't write (or a read-only one) →
        # INVALID_FIELD_FOR_INSERT_UPDATE with this message (status codes page, as in _require).
        denied = [f.name for f, _ in fields.values() if not (f.createable if create else f.updateable)]
        if denied:
            raise SaveError("INVALID_FIELD_FOR_INSERT_UPDATE", _FLS_MESSAGE.format(names=", ".join(denied)),
                          400, denied)
        return {name: coerce(field, value, self.store) for name, (field, value) in fields.items()}

    def _require(self, sobject: SObjectType, record: Record) -> None:
        """Rule required-fields: a non-nillable, writable field left empty → REQUIRED_FIELD_MISSING
        (status codes: https://developer.salesforce.com/docs/atlas.en-us.api.meta/api/sforce_api_calls_concepts_core_data_objects.htm).
        A person account needs LastName, not Name (rule person-account)."""
        missing = [f.name for f in sobject.fields if not f.nillable and record.get(f.name) is None
                   and (f.createable or f.updateable)]
        if sobject.name == "Account" and record.get("IsPersonAccount"):
            missing = [m for m in missing if m != "Name"]
        if missing:
            raise SaveError("REQUIRED_FIELD_MISSING", f"Required fields are missing: [{', '.join(missing)}]",
                          400, missing)

    def _validation_rules(self, sobject: str) -> None:
        """Rule validation-rule: an admin's rule refuses the save with FIELD_CUSTOM_VALIDATION_EXCEPTION
        and its own message (status codes page, as above)."""
        for field, message in self.validation_rules.get(sobject, []):
            raise SaveError("FIELD_CUSTOM_VALIDATION_EXCEPTION", message, 400, [field] if field else [])

    def live(self, record_id: str, sobject: str | None = None) -> tuple[str, Record]:
        """The record behind an Id, or NOT_FOUND / ENTITY_IS_DELETED."""
        found = self.store.find(record_id)
        if found is None or (sobject and found[0] != sobject and {found[0], sobject} !=
                             {"ContentDocument", "ContentNote"}):
            raise not_found()
        if found[1]["IsDeleted"]:
            raise SaveError("ENTITY_IS_DELETED", "entity is deleted", 404)
        if sobject == "ContentNote":
            return sobject, self.store.table("ContentNote")[found[1]["Id"]]
        return found

    # -- create --------------------------------------------------------------------------------------
    def create(self, sobject_name: str, body: dict[str, Any], user_id: str) -> str:
        sobject = self.sobject(sobject_name)
        if not sobject.createable:
            raise SaveError("INVALID_TYPE_FOR_OPERATION", f"entity type {sobject.name} does not support create")
        if any(k.lower() == "id" for k in body):
            raise SaveError("INVALID_FIELD_FOR_INSERT_UPDATE", "cannot specify Id in an insert call", 400,
                          ["Id"])
        values = self._values(sobject, body, create=True)
        record = sobject.blank_record()
        for field in sobject.fields:
            if field.type == "boolean" and not field.nillable:
                record[field.name] = False
            elif field.defaulted and field.picklist:
                record[field.name] = field.default_value()
        record["OwnerId" if "OwnerId" in record else "Id"] = user_id
        if self.person_accounts and sobject.name == "Account" and values.get("LastName"):
            # Rule person-account: a LastName makes the Account a person account, with its person
            # contact (API guide, "Person Account Record Types",
            # https://developer.salesforce.com/docs/atlas.en-us.api.meta/api/sforce_api_guidelines_personaccounts.htm;
            # LastName alone is enough without the person RecordTypeId:
            # https://wdcigroup.net/insert-person-account-through-api/). Record types are not modelled:
            # `doctor --org-check` tries the app's business Account on the real org.
            record["IsPersonAccount"] = True
        record.update(values)
        self._require(sobject, record)
        rules.derive(sobject.name, record, person_accounts=self.person_accounts)
        self._object_rules(sobject.name, record, create=True)
        self._validation_rules(sobject.name)
        record["Id"] = self.ids.new(sobject.key_prefix)
        self._stamp(record, user_id, created=True)
        self.store.insert(sobject.name, record)
        self._after_create(sobject.name, record, user_id)
        return record["Id"]

    def _object_rules(self, sobject: str, record: Record, *, create: bool) -> None:
        if sobject == "Task":
            rules.check_task_who_what(record, self.store)
        elif sobject == "EventRelation" and create:
            event_relations.check(record, self.store, shared_activities=self.shared_activities)
        elif sobject == "ContentNote" and (create or "Content" in record):
            record["Content"], record["TextPreview"], record["ContentSize"] = \
                rules.sanitize_note_content(record.get("Content"))
        elif sobject == "ContentDocumentLink" and create:
            rules.check_link_visibility(record, self.store)
            for link in self.store.table("ContentDocumentLink").values():
                # Rule link-duplicate: one link per document and entity; the recorded error names
                # LinkedEntityId ("DUPLICATE_VALUE, Document with ID … is already linked with the entity
                # …: [LinkedEntityId]", https://crsinfosolutions.com/fix-contentdocumentlink-duplicate-error).
                if (not link["IsDeleted"] and link["ContentDocumentId"] == record["ContentDocumentId"]
                        and link["LinkedEntityId"] == record["LinkedEntityId"]):
                    raise SaveError("DUPLICATE_VALUE",
                                  f"Document with ID: {record['ContentDocumentId']} is already linked with "
                                  f"the entity with ID: {record['LinkedEntityId']}", 400, ["LinkedEntityId"])

    def _after_create(self, sobject: str, record: Record, user_id: str) -> None:
        if sobject == "Event" and self.shared_activities:
            # With Shared Activities the event's WhoId is one of its EventRelation rows (IsParent).
            relation = event_relations.who_relation(record, self.store)
            if relation is not None:
                row = {**self.schema.require("EventRelation").blank_record(), **relation, "IsDeleted": False,
                       "Id": self.ids.new(self.schema.require("EventRelation").key_prefix)}
                self._stamp(row, user_id, created=True)
                self.store.insert("EventRelation", row)
        if sobject == "Contact" and record.get("AccountId") and "AccountContactRelation" in self.schema:
            # With Contacts to Multiple Accounts on, a Contact's own Account is its direct relation,
            # created by Salesforce with the Contact ("IsDirect" is read-only).
            # https://help.salesforce.com/s/articleView?id=sf.shared_contacts_overview.htm
            relation = self.schema.require("AccountContactRelation").blank_record()
            relation.update(AccountId=record["AccountId"], ContactId=record["Id"], IsDirect=True, IsActive=True,
                            IsDeleted=False, Id=self.ids.new(self.schema.require("AccountContactRelation").key_prefix))
            self._stamp(relation, user_id, created=True)
            self.store.insert("AccountContactRelation", relation)
        if sobject == "ContentNote":
            # Rule link-owner: a new note is linked to its owner with ShareType I (a link that can't be
            # deleted; https://salesforce.stackexchange.com/questions/274499/unable-to-delete-contentdocumentlink).
            record.update(FileType="SNOTE", FileExtension="snote",
                          LatestPublishedVersionId=self.ids.new("068"))
            twin = self.schema.require("ContentDocument").blank_record()
            twin.update({k: record[k] for k in twin if k in record})
            self.store.insert("ContentDocument", twin)
            link = self.schema.require("ContentDocumentLink").blank_record()
            link.update(Id=self.ids.new("06A"), IsDeleted=False, ContentDocumentId=record["Id"],
                        LinkedEntityId=record["OwnerId"], ShareType="I", Visibility="AllUsers",
                        SystemModstamp=record["SystemModstamp"])
            self.store.insert("ContentDocumentLink", link)
        elif sobject == "Account" and record.get("IsPersonAccount"):
            contact = self.schema.require("Contact").blank_record()
            contact.update({k: record.get(k) for k in ("FirstName", "LastName", "OwnerId", "CreatedDate",
                                                       "CreatedById", "LastModifiedDate", "LastModifiedById",
                                                       "SystemModstamp")})
            contact.update(Id=self.ids.new("003"), IsDeleted=False, AccountId=record["Id"],
                           IsPersonAccount=True, Email=record.get("PersonEmail"), HasOptedOutOfEmail=False,
                           DoNotCall=False)
            rules.derive("Contact", contact, person_accounts=True)
            self.store.insert("Contact", contact)
            self.store.modify("Account", record["Id"], {"PersonContactId": contact["Id"]})

    # -- update --------------------------------------------------------------------------------------
    def update(self, sobject_name: str, record_id: str, body: dict[str, Any], user_id: str) -> None:
        sobject = self.sobject(sobject_name)
        name, current = self.live(record_id, sobject.name)
        if not sobject.updateable:
            raise SaveError("INVALID_TYPE_FOR_OPERATION", f"entity type {sobject.name} does not support update")
        if sobject.name == "Lead" and current.get("IsConverted"):  # rule converted-lead (status codes page)
            raise SaveError("CANNOT_UPDATE_CONVERTED_LEAD", "cannot reference converted lead", 400, [])
        values = self._values(sobject, body, create=False)
        merged = {**current, **values}
        self._require(sobject, merged)
        rules.derive(sobject.name, merged, person_accounts=self.person_accounts)
        self._object_rules(sobject.name, merged, create=False)
        self._validation_rules(sobject.name)
        self._stamp(merged, user_id, created=False)
        self.store.modify(name, current["Id"], merged)
        twin_type = {"ContentNote": "ContentDocument", "ContentDocument": "ContentNote"}.get(sobject.name)
        twin = self.store.table(twin_type).get(current["Id"]) if twin_type else None
        if twin_type and twin is not None:  # a ContentNote and its ContentDocument are one file
            self.store.modify(twin_type, twin["Id"], {k: merged[k] for k in twin if k in merged and k != "Content"})

    def server_update(self, sobject_name: str, record_id: str, fields: dict[str, Any], user_id: str) -> None:
        """A change made 'by someone else in the org': skips permissions and rules, bumps the stamps."""
        sobject = self.sobject(sobject_name)
        current = self.store.table(sobject.name).get(record_id) or self.live(record_id, sobject.name)[1]
        changes = {f.name: v for f, v in canonical_fields(sobject, fields).values()}
        merged = {**current, **changes}
        rules.derive(sobject.name, merged, person_accounts=self.person_accounts)
        self._stamp(merged, user_id, created=False)
        self.store.modify(sobject.name, current["Id"], merged)

    # -- delete --------------------------------------------------------------------------------------
    def delete(self, record_id: str, sobject_name: str | None = None) -> None:
        name, record = self.live(record_id, sobject_name)
        if not self.schema.require(name).deletable:
            raise SaveError("INSUFFICIENT_ACCESS_OR_READONLY", "insufficient access rights on object id",
                          400, [])
        now = timefmt.format_datetime(timefmt.utcnow())
        targets: list[tuple[str, str]] = [(name, record["Id"])]
        if name in ("ContentNote", "ContentDocument"):
            targets = [("ContentNote", record["Id"]), ("ContentDocument", record["Id"])]
            targets += [("ContentDocumentLink", link["Id"]) for link in
                        self.store.table("ContentDocumentLink").values()
                        if link["ContentDocumentId"] == record["Id"] and not link["IsDeleted"]]
        elif name == "Account":
            targets += [("Contact", c["Id"]) for c in self.store.table("Contact").values()
                        if c["AccountId"] == record["Id"] and not c["IsDeleted"]]
        for sobject, target_id in targets:
            if target_id in self.store.table(sobject):
                self.store.modify(sobject, target_id, {"IsDeleted": True, "SystemModstamp": now})

    # -- upsert --------------------------------------------------------------------------------------
    def upsert(self, sobject_name: str, field_name: str, value: str, body: dict[str, Any],
               user_id: str) -> tuple[str, bool] | list[str]:
        """Upsert by external ID: (id, created) — or the list of matching Ids when ambiguous (HTTP 300)."""
        sobject = self.sobject(sobject_name)
        field = sobject.field(field_name)
        if field is None or not field.external_id:
            raise not_found(f"Provided external ID field does not exist or is not accessible: {field_name}")
        body_value = next((v for k, v in body.items() if k.lower() == field.name.lower()), None)
        if body_value is not None and str(body_value) != value:
            raise SaveError("INVALID_FIELD",
                          f"{label(field)}: the value in the URL and the body do not match", 400,
                          [field.name])
        matches = [r["Id"] for r in self.store.by_external_id(sobject.name, field.name, value) if not r["IsDeleted"]]
        if len(matches) > 1:
            return matches
        rest = {k: v for k, v in body.items() if k.lower() != field.name.lower()}
        if matches:
            self.update(sobject.name, matches[0], rest, user_id)
            return matches[0], False
        return self.create(sobject.name, {**rest, field.name: value}, user_id), True

    # -- lead conversion -----------------------------------------------------------------------------
    def convert_lead(self, lead_id: str, user_id: str) -> str:
        """Convert a lead into a household Account + Contact, as the Convert button would."""
        _, lead = self.live(lead_id, "Lead")
        if lead["IsConverted"]:
            raise SaveError("CANNOT_UPDATE_CONVERTED_LEAD", "cannot reference converted lead", 400, [])
        account_id = self.create("Account", {"Name": f"{lead['LastName']} Household", "Type": "Household"},
                                 user_id)
        contact_id = self.create("Contact", {
            "AccountId": account_id, "FirstName": lead["FirstName"], "LastName": lead["LastName"],
            "Email": lead["Email"], "Phone": lead["Phone"], "Title": lead["Title"]}, user_id)
        changes = {"IsConverted": True, "Status": LEAD_CONVERTED_STATUS, "ConvertedContactId": contact_id,
                   "ConvertedAccountId": account_id, "ConvertedDate": timefmt.utcnow().date().isoformat()}
        merged = {**lead, **changes}
        self._stamp(merged, user_id, created=False)
        self.store.modify("Lead", lead["Id"], merged)
        return contact_id
