"""No module in app/ grows past 450 lines: the house rule is "split a module along its seams at ~400".

A module that long has more than one job; the limit leaves room to finish a change before splitting,
and the failure lists every offender with its length so the split can be planned at once.
"""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LIMIT = 450

# Allowed over the limit FOR NOW, each with its reason.  Remove an entry when its module is split;
# never add one to make a change pass — split the module instead.
ALLOWED: set[str] = set()


def line_count(path: Path) -> int:
    return len(path.read_text(encoding="utf-8").splitlines())


def oversized(root: Path, limit: int, allowed: set[str]) -> list[str]:
    """``path (n lines)`` for every module under ``root/app`` longer than ``limit``, except ``allowed``."""
    out = []
    for path in sorted((root / "app").rglob("*.py")):
        name = path.relative_to(root).as_posix()
        if name not in allowed and (n := line_count(path)) > limit:
            out.append(f"{name} ({n} lines)")
    return out


def test_module_size_no_module_in_app_exceeds_the_limit() -> None:
    assert oversized(ROOT, LIMIT, ALLOWED) == [], f"split these along their seams (limit {LIMIT} lines)"


def test_module_size_allow_list_names_modules_that_exist() -> None:
    """A stale entry (the module was split or moved) must go, so the list never allows more than it says."""
    assert sorted(p for p in ALLOWED if not (ROOT / p).is_file()) == []


def test_module_size_finds_and_names_an_oversized_module(tmp_path: Path) -> None:
    (tmp_path / "app" / "pkg").mkdir(parents=True)
    (tmp_path / "app" / "pkg" / "big.py").write_text("x = 1\n" * 11, encoding="utf-8")
    (tmp_path / "app" / "pkg" / "ok.py").write_text("x = 1\n" * 10, encoding="utf-8")
    (tmp_path / "app" / "allowed.py").write_text("x = 1\n" * 50, encoding="utf-8")
    assert oversized(tmp_path, 10, {"app/allowed.py"}) == ["app/pkg/big.py (11 lines)"]
