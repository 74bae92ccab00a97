"""Describe results (global and per object) in the shape of the REST API's describe resources.

Clients read these to decide what they may write: ``createable`` on ContentNote in the global describe
tells them whether Enhanced Notes is on; field ``length``/``nillable``/``picklistValues`` drive
client-side validation. See
https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_sobject_describe.htm
"""

from __future__ import annotations

from typing import Any

from app.demo_org.data.coerce import label
from app.demo_org.data.schema import SOAP_TYPES, Field, Schema, SObjectType


def _urls(sobject: SObjectType, version: str) -> dict[str, str]:
    base = f"/services/data/v{version}/sobjects/{sobject.name}"
    return {"rowTemplate": f"{base}/{{ID}}", "defaultValues": f"{base}/defaultValues?recordTypeId&fields",
            "describe": f"{base}/describe", "sobject": base}


def sobject_summary(sobject: SObjectType, version: str) -> dict[str, Any]:
    return {
        "activateable": False, "associateEntityType": None, "associateParentEntity": None,
        "createable": sobject.createable, "custom": False, "customSetting": False, "deepCloneable": False,
        "deletable": sobject.deletable, "deprecatedAndHidden": False, "feedEnabled": False, "hasSubtypes": False,
        "isInterface": False, "isSubtype": False, "keyPrefix": sobject.key_prefix, "label": sobject.label,
        "labelPlural": sobject.label_plural, "layoutable": sobject.createable, "mergeable": False,
        "mruEnabled": True, "name": sobject.name, "queryable": sobject.queryable,
        "replicateable": sobject.replicateable, "retrieveable": True, "searchable": sobject.createable,
        "triggerable": sobject.createable, "undeletable": sobject.deletable, "updateable": sobject.updateable,
        "urls": _urls(sobject, version),
    }


def global_describe(schema: Schema, version: str) -> dict[str, Any]:
    return {"encoding": "UTF-8", "maxBatchSize": 200,
            "sobjects": [sobject_summary(s, version) for s in schema.ordered]}


def field_describe(field: Field, sobject: SObjectType) -> dict[str, Any]:
    text_like = field.is_string or field.type in ("id", "reference")
    long_text = field.type == "textarea" and field.length > 255
    filterable = field.type != "base64" and not long_text
    createable = field.createable and sobject.createable
    updateable = field.updateable and sobject.updateable
    return {
        "aggregatable": filterable, "autoNumber": False, "byteLength": field.length * 3 if text_like else 0,
        "calculated": field.calculated, "cascadeDelete": False, "caseSensitive": False,
        "createable": createable, "custom": field.custom, "defaultValue": None,
        "defaultedOnCreate": field.defaulted, "dependentPicklist": False, "deprecatedAndHidden": False,
        "digits": 9 if field.type == "int" else 0, "externalId": field.external_id, "filterable": filterable,
        "groupable": filterable and field.type not in ("double", "currency", "percent", "datetime"),
        "htmlFormatted": False, "idLookup": field.name == "Id" or field.external_id, "label": label(field),
        "length": field.length if text_like else 0, "name": field.name, "nameField": field.name == "Name",
        "namePointing": field.polymorphic, "nillable": field.nillable, "permissionable": field.nillable,
        "picklistValues": [
            {"active": p.active, "defaultValue": p.default, "label": p.label or p.value, "validFor": None,
             "value": p.value}
            for p in field.picklist
        ],
        "polymorphicForeignKey": field.polymorphic,
        "precision": 18 if field.type in ("double", "currency", "percent") else 0,
        "referenceTo": list(field.reference_to), "relationshipName": field.relationship,
        "restrictedPicklist": field.restricted, "scale": 2 if field.type in ("double", "currency", "percent") else 0,
        "soapType": SOAP_TYPES[field.type], "sortable": filterable, "type": field.type,
        "unique": field.unique, "updateable": updateable,
    }


MASTER_RECORD_TYPE_ID = "012000000000000AAA"


def record_type_infos(sobject: SObjectType, version: str, record_types: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """``recordTypeInfos`` of an object with record types: each active one, then the master record type
    (Id ``012000000000000AAA``), which is never the default once the object has its own. Shape of
    DescribeSObjectResult.recordTypeInfos (RecordTypeInfo: active, available, defaultRecordTypeMapping,
    developerName, master, name, recordTypeId, urls):
    https://developer.salesforce.com/docs/atlas.en-us.api.meta/api/sforce_api_calls_describesobjects_describesobjectresult.htm
    """
    if not record_types:
        return []
    layouts = f"/services/data/v{version}/sobjects/{sobject.name}/describe/layouts/"

    def info(record_id: str, name: str, developer: str, *, default: bool, master: bool) -> dict[str, Any]:
        return {"active": True, "available": True, "defaultRecordTypeMapping": default, "developerName": developer,
                "master": master, "name": name, "recordTypeId": record_id, "urls": {"layout": layouts + record_id}}

    ordered = sorted(record_types, key=lambda r: r["Id"])
    infos = [info(r["Id"], r["Name"], r["DeveloperName"], default=index == 0, master=False)
             for index, r in enumerate(ordered)]
    infos.append(info(MASTER_RECORD_TYPE_ID, "Master", "Master", default=False, master=True))
    return infos


def object_describe(sobject: SObjectType, version: str,
                    record_types: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    described = sobject_summary(sobject, version)
    described.update({
        "childRelationships": [], "compactLayoutable": True, "fields": [field_describe(f, sobject)
                                                                        for f in sobject.fields],
        "recordTypeInfos": record_type_infos(sobject, version, record_types or []), "searchLayoutable": True,
        "supportedScopes": [
            {"label": "All", "name": "everything"}, {"label": "My", "name": "mine"}],
    })
    return described
