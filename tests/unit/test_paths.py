from __future__ import annotations

from pathlib import Path

import pytest

from app import paths


def test_data_dir_moves_everything(tmp_path: Path) -> None:
    paths.set_data_dir(tmp_path / "nb")
    try:
        where = paths.paths().ensure()
        for directory in (where.data, where.config, where.logs, where.cache, where.runtime):
            assert directory.is_dir()
            assert (tmp_path / "nb") in directory.parents
        assert where.database.parent == where.data
        assert oct(where.data.stat().st_mode & 0o777) == "0o700"
    finally:
        paths.set_data_dir(None)


def test_env_home_used_without_flag(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(paths.ENV_HOME, str(tmp_path / "env-home"))
    paths.set_data_dir(None)
    assert paths.paths().logs == (tmp_path / "env-home" / "logs").resolve()


def test_flag_wins_over_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(paths.ENV_HOME, str(tmp_path / "env-home"))
    paths.set_data_dir(tmp_path / "flag-home")
    try:
        assert paths.paths().data == (tmp_path / "flag-home" / "data").resolve()
    finally:
        paths.set_data_dir(None)


def test_platform_default_without_override(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(paths.ENV_HOME, raising=False)
    paths.set_data_dir(None)
    where = paths.paths()
    assert "notebridge" in str(where.data).lower()
    paths.set_data_dir(None)


def test_demo_workspace_paths_are_a_folder_of_their_own(tmp_path: Path) -> None:
    """Wherever the real data folder is, the demo's workspace, settings, logs and lock live in its
    `demo` folder: nothing is shared with the real workspace, and one folder removes the demo."""
    real = paths._from_base(tmp_path / "home")
    demo = paths.demo_paths(real)
    for folder in (demo.data, demo.config, demo.logs, demo.cache, demo.runtime):
        assert folder.is_relative_to(real.data / paths.DEMO_FOLDER)
    assert demo.database != real.database
    assert not real.database.is_relative_to(real.data / paths.DEMO_FOLDER)
