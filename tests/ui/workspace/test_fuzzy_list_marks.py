"""The result list says which clients are only similar names: a typed name with one typo shows the
client with "Similar name" on their second line, in the tooltip and in what a screen reader says."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt

from app.ui.workspace.list_delegate import secondary_text
from app.ui.workspace.list_model import SimilarRole, SummaryRole
from tests.ui.workspace.conftest import Env


async def test_fuzzy_results_are_marked_as_similar_names_and_exact_ones_are_not(env: Env, qtbot: Any) -> None:
    people = [r for r in env.org.records("Contact") if not r["IsDeleted"]]
    words = {w for p in people for w in f"{p['FirstName']} {p['LastName']}".lower().split()}
    person = next(
        p for p in people
        if len(p["FirstName"]) >= 5 and p["FirstName"].isalpha()
        and not any(w.startswith(p["FirstName"].lower()[:3] + p["FirstName"].lower()[2:]) for w in words)
    )
    typed = person["FirstName"].lower()[:3] + person["FirstName"].lower()[2:]  # "hellen" for Helen
    model = env.page.model
    await model.search(typed)
    rows = [model.index(row) for row in range(model.rowCount())]
    theirs = [index for index in rows if index.data(SummaryRole).sf_id == person["Id"]]
    assert len(theirs) == 1
    index = theirs[0]
    assert index.data(SimilarRole) is True
    assert "Similar name" in index.data(Qt.ItemDataRole.ToolTipRole)
    assert "similar name" in index.data(Qt.ItemDataRole.AccessibleTextRole)
    assert secondary_text(index.data(SummaryRole), similar=True).startswith("Similar name")

    await model.search(person["FirstName"])  # spelt right: an ordinary match, unmarked
    exact = [model.index(row) for row in range(model.rowCount())
             if model.index(row).data(SummaryRole).sf_id == person["Id"]]
    assert len(exact) == 1 and exact[0].data(SimilarRole) is False
    assert exact[0].data(Qt.ItemDataRole.ToolTipRole) is None
