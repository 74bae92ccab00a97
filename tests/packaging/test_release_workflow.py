"""`.github/workflows/release.yml`: it parses, builds on the hosted runners the issue names, signs
only when the secrets are there (and says so when not), and takes versions from packaging/render.py."""

from __future__ import annotations

from typing import Any

import pytest
import yaml

from tests.packaging.support import ROOT

WORKFLOW = ROOT / ".github" / "workflows" / "release.yml"


@pytest.fixture(scope="module")
def workflow() -> dict[str, Any]:
    parsed = yaml.safe_load(WORKFLOW.read_text())
    assert isinstance(parsed, dict)
    return parsed


def _steps(workflow: dict[str, Any], job: str) -> list[dict[str, Any]]:
    return list(workflow["jobs"][job]["steps"])


def _run_text(workflow: dict[str, Any], job: str) -> str:
    return "\n".join(str(step.get("run", "")) for step in _steps(workflow, job))


def test_release_workflow_parses_and_runs_on_tags(workflow: dict[str, Any]) -> None:
    triggers = workflow[True] if True in workflow else workflow["on"]  # YAML 1.1 reads `on` as true
    assert "v*" in triggers["push"]["tags"]
    assert "workflow_dispatch" in triggers


def test_release_workflow_builds_windows_and_macos_on_hosted_runners(workflow: dict[str, Any]) -> None:
    runners = {name: job["runs-on"] for name, job in workflow["jobs"].items()}
    assert runners["windows-bundle"] == "windows-latest"
    assert runners["macos-dmg"] == "macos-latest"
    assert "pyinstaller" in _run_text(workflow, "windows-bundle")
    assert "--self-test" in _run_text(workflow, "windows-bundle")
    assert "wixl " in _run_text(workflow, "windows-msi")
    assert workflow["jobs"]["windows-msi"]["needs"] == "windows-bundle"
    assert "dmgbuild -s build/installer-inputs/dmg_settings.py" in _run_text(workflow, "macos-dmg")


def test_release_workflow_versions_come_from_render(workflow: dict[str, Any]) -> None:
    for job in ("windows-msi", "macos-dmg"):
        text = _run_text(workflow, job)
        assert "packaging/render.py --print-version" in text
        assert "packaging/render.py --out build/installer-inputs" in text


@pytest.mark.parametrize(("job", "secret_flags"), [("windows-msi", ["HAS_WINDOWS_CERT"]),
                                                   ("macos-dmg", ["HAS_MACOS_CERT", "HAS_NOTARY"])])
def test_release_workflow_signs_only_with_secrets_and_says_when_unsigned(
    workflow: dict[str, Any], job: str, secret_flags: list[str],
) -> None:
    steps = _steps(workflow, job)
    signing = [step for step in steps if any(word in step.get("name", "") for word in ("Sign", "Notarize"))]
    assert signing
    for step in signing:
        assert any(f"env.{flag} == 'true'" in step["if"] for flag in secret_flags), step
        assert "secrets." in str(step.get("env", {}))  # secrets reach only the step that needs them
    unsigned = [step for step in steps if step.get("name", "").startswith("Say")]
    assert len(unsigned) == 1
    assert "!= 'true'" in unsigned[0]["if"]
    assert "::warning::" in unsigned[0]["run"] and "GITHUB_STEP_SUMMARY" in unsigned[0]["run"]
    for flag in secret_flags:
        assert "secrets." in workflow["jobs"][job]["env"][flag]


def test_release_workflow_builds_the_deb_with_the_same_scripts_as_ci(workflow: dict[str, Any]) -> None:
    text = _run_text(workflow, "linux-deb")
    assert "packaging/linux/build-deb" in text and "packaging/linux/check-deb" in text
    assert (ROOT / ".ci" / "run").read_text().count("packaging/linux/check-deb") == 1
