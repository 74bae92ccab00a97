"""The README tells the truth: its package list, its links and its option lists follow the project.

Each check reads the README as a newcomer would and compares it with the one source it quotes, so the
README cannot drift from `.ci/run`'s package list, the demo org's options or the files it links to.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

from app.demo_org.cli import build_parser

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def _apt_sections(*sections: str) -> list[str]:
    out = subprocess.run([str(ROOT / "packaging/linux/apt-packages"), *sections],
                         check=True, capture_output=True, text=True).stdout
    return out.split()


def test_readme_linux_packages_are_the_ones_ci_installs() -> None:
    lines = [line for line in README.splitlines() if line.startswith("sudo apt install ")]
    assert len(lines) == 1, "one apt line for advisors"
    quoted = lines[0].removeprefix("sudo apt install ").split()
    assert quoted == _apt_sections("app", "keyring")
    assert set(quoted) <= set(_apt_sections())  # and CI installs them all, with the test-only extras


def test_readme_links_point_at_files_that_exist() -> None:
    targets = re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", README)
    local = [t for t in targets if not re.match(r"[a-z]+://", t)]
    assert local, "the README links CONTRIBUTING, docs and screenshots"
    missing = [t for t in local if not (ROOT / t).exists()]
    assert not missing


def test_readme_anchors_lead_to_its_own_headings() -> None:
    headings = {re.sub(r"[^a-z0-9 -]", "", h.lower()).replace(" ", "-")
                for h in re.findall(r"^#+ (.+)$", README, flags=re.MULTILINE)}
    anchors = set(re.findall(r"\]\(#([^)]+)\)", README))
    assert anchors and anchors <= headings


def test_readme_lists_every_demo_org_option() -> None:
    options = {opt for action in build_parser()._actions for opt in action.option_strings
               if opt.startswith("--") and opt != "--help"}
    section = README.split("## The demo org on its own", 1)[1].split("\n## ", 1)[0]
    listed = set(re.findall(r"`(--[a-z-]+)`", section)) - {"--help"}
    assert listed == options
