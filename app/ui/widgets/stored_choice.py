"""Show a draft's stored value in a choice box — never let an item stand in for it.

``setCurrentIndex(max(0, findData(value)))`` shows the *first* item when the value is missing from
the list or unset, and the next autosave writes that item back as if the advisor had chosen it: a
task sent as Priority Normal came back from an unrelated edit as High (the first TaskPriority).  So
a value the list lacks is added as an item of its own, and "no value" is an item of its own too,
saying what is sent for it (the org's default on create; nothing on update, Salesforce keeps its
value).
"""

from __future__ import annotations

from PySide6.QtWidgets import QComboBox

AS_IN_SALESFORCE = "As in Salesforce"


def unset_label(pushed: bool, when_new: str) -> str:
    """What an unset field means: on a record already in Salesforce it is not sent (kept there)."""
    return AS_IN_SALESFORCE if pushed else when_new


def select_stored(combo: QComboBox, value: object, unset: str, *, missing: str | None = None) -> None:
    """Select ``value`` (an item's data).  ``unset``: the text of the no-value item, added when the
    value is None and the box has none; ``missing``: text for a value the box does not list (default:
    the value itself)."""
    if value is None:
        index = next((i for i in range(combo.count()) if combo.itemData(i) is None), -1)
        if index < 0:
            combo.insertItem(0, unset, None)
            index = 0
    else:
        index = combo.findData(value)
        if index < 0:
            combo.addItem(missing if missing is not None else str(value), value)
            index = combo.count() - 1
    combo.setCurrentIndex(index)
