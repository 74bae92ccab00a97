"""docs/architecture.md stays true to the tree: every file or folder it names exists."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "architecture.md"
# `app/...`, `tests/...`, `docs/...`, `benchmarks/...` in backticks, optionally followed by words.
NAMED = re.compile(r"`((?:app|tests|docs|benchmarks|packaging)/[\w./-]*)")


def named_paths(text: str) -> set[str]:
    return {match.rstrip("/.") for match in NAMED.findall(text)}


def test_every_path_the_architecture_names_exists() -> None:
    missing = sorted(p for p in named_paths(DOC.read_text(encoding="utf-8")) if not (ROOT / p).exists())
    assert missing == []


def test_relative_module_names_resolve_next_to_the_last_full_path() -> None:
    """In the journeys, ``session.py`` after ``app/salesforce/client.py`` means app/salesforce/session.py."""
    missing: list[str] = []
    for paragraph in DOC.read_text(encoding="utf-8").split("\n\n"):
        folder: Path | None = None
        for token in re.findall(r"`([\w./-]+)`", paragraph):
            if token.startswith(("app/", "tests/")):
                folder = (ROOT / token).parent if token.endswith(".py") else ROOT / token
            elif token.endswith(".py") and folder is not None:
                candidates = [folder / token, ROOT / "app" / token, folder.parent / token]
                if not any(c.exists() for c in candidates):
                    missing.append(f"{token} (after {folder.relative_to(ROOT)})")
    assert missing == []


def test_the_path_finder_sees_paths() -> None:
    assert named_paths("see `app/store/db.py` and `app/sync/pull/`.") == {"app/store/db.py", "app/sync/pull"}
