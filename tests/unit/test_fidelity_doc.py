"""docs/salesforce-fidelity.md stays true: every rule has a test that exists, every `path::name` it
names exists, and every rule id the code names (comments, the org check) is in the table."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "salesforce-fidelity.md"
REF = re.compile(r"`((?:app|tests|docs)/[\w./-]+)(?:::(\w+))?`")
ROW = re.compile(r"^\| `([a-z]+(?:-[a-z]+)+)` \|(.*)$", re.MULTILINE)
NAMED_IN_CODE = re.compile(r"\b[Rr]ule ([a-z]+(?:-[a-z]+)+)")
CHECKED = re.compile(r"RuleResult\(\s*\"([a-z-]+)\"")


def rows(text: str) -> dict[str, str]:
    found: dict[str, str] = {}
    for rule_id, rest in ROW.findall(text):
        assert rule_id not in found, f"rule {rule_id} is in the table twice"
        found[rule_id] = rest
    return found


def broken_refs(row: str) -> list[str]:
    broken = []
    for path, name in REF.findall(row):
        file = ROOT / path
        if not file.exists():
            broken.append(path)
        elif name and name not in file.read_text(encoding="utf-8"):
            broken.append(f"{path}::{name}")
        elif name.startswith("test_") and not re.search(rf"def {name}\b", file.read_text(encoding="utf-8")):
            broken.append(f"{path}::{name} (no such test)")
    return broken


def test_fidelity_doc_every_rule_has_a_test_and_every_reference_exists() -> None:
    table = rows(DOC.read_text(encoding="utf-8"))
    assert len(table) >= 15
    untested = [rule_id for rule_id, row in table.items()
                if not any(path.startswith("tests/") and name.startswith("test_") for path, name in REF.findall(row))]
    assert untested == []
    broken = {rule_id: refs for rule_id, row in table.items() if (refs := broken_refs(row))}
    assert broken == {}


def test_fidelity_doc_lists_every_rule_the_code_names() -> None:
    table = rows(DOC.read_text(encoding="utf-8"))
    named: dict[str, str] = {}
    for file in [*(ROOT / "app" / "demo_org").rglob("*.py"), *(ROOT / "app" / "sync").rglob("*.py")]:
        text = file.read_text(encoding="utf-8")
        for rule_id in NAMED_IN_CODE.findall(text) + CHECKED.findall(text):
            named.setdefault(rule_id, str(file.relative_to(ROOT)))
    assert "classic-notes-off" in named and "picklist-restricted" in named  # the scan sees comments
    assert {rule_id: where for rule_id, where in named.items() if rule_id not in table} == {}


def test_fidelity_doc_checker_sees_a_broken_reference() -> None:
    assert broken_refs("`app/sync/org_check.py::no_such_name`") == ["app/sync/org_check.py::no_such_name"]
    assert broken_refs("`tests/unit/test_fidelity_doc.py::test_nope`") == [
        "tests/unit/test_fidelity_doc.py::test_nope (no such test)"]
    assert rows("| `a-rule` | x |\n| `b-rule` | y |") == {"a-rule": " x |", "b-rule": " y |"}
