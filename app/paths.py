"""Where Notebridge keeps its files.

Locations are computed lazily (on first use, never at import) so that `--data-dir` and
`NOTEBRIDGE_HOME` can be applied by the CLI before anything asks. With an override, *everything* the
app writes lives under that one directory (data, config, logs, cache, runtime), which is what tests, the
demo and portable installs need. Without one, platformdirs gives the OS conventions.
"""

from __future__ import annotations

import contextlib
import os
from dataclasses import dataclass
from pathlib import Path

import platformdirs

from app import APP_ID, ORG_NAME

ENV_HOME = "NOTEBRIDGE_HOME"
DATABASE_NAME = "workspace.sqlite3"
DEMO_FOLDER = "demo"


@dataclass(frozen=True)
class AppPaths:
    """The directories the app writes to. Created on demand by `ensure()`."""

    data: Path
    config: Path
    logs: Path
    cache: Path
    runtime: Path

    @property
    def database(self) -> Path:
        return self.data / DATABASE_NAME

    @property
    def log_file(self) -> Path:
        return self.logs / "notebridge.log"

    @property
    def crash_file(self) -> Path:
        """faulthandler writes here; a non-empty file at start-up means the last run crashed hard."""
        return self.logs / "last-crash.txt"

    @property
    def exports(self) -> Path:
        return self.data / "exports"

    def ensure(self) -> AppPaths:
        for directory in (self.data, self.config, self.logs, self.cache, self.runtime):
            directory.mkdir(parents=True, exist_ok=True)
            _restrict(directory)
        return self


def _restrict(directory: Path) -> None:
    """The workspace holds client data: keep it readable by the user only (POSIX)."""
    if os.name == "posix":
        # Not ours to change (e.g. a shared --data-dir)? The data file itself is still 0600.
        with contextlib.suppress(OSError):
            directory.chmod(0o700)


def _from_base(base: Path) -> AppPaths:
    base = base.expanduser().resolve()
    return AppPaths(
        data=base / "data",
        config=base / "config",
        logs=base / "logs",
        cache=base / "cache",
        runtime=base / "run",
    )


def demo_paths(real: AppPaths) -> AppPaths:
    """The demo's own workspace, settings and lock, in a folder of the real data folder (…/notebridge/demo/).

    Whatever the real data folder is (the OS default, NOTEBRIDGE_HOME, --data-dir), the demo's made-up
    clients and drafts never share a database, a keyring slot or a lock with the real workspace, and
    deleting that one folder removes the demo entirely.
    """
    return _from_base(real.data / DEMO_FOLDER)


def _platform_default() -> AppPaths:
    dirs = platformdirs.PlatformDirs(appname=APP_ID, appauthor=ORG_NAME, roaming=False)
    runtime = Path(dirs.user_runtime_dir) if os.name == "posix" else Path(dirs.user_cache_dir) / "run"
    return AppPaths(
        data=Path(dirs.user_data_dir),
        config=Path(dirs.user_config_dir),
        logs=Path(dirs.user_log_dir),
        cache=Path(dirs.user_cache_dir),
        runtime=runtime,
    )


_override: Path | None = None
_current: AppPaths | None = None


def set_data_dir(directory: str | os.PathLike[str] | None) -> None:
    """Apply `--data-dir` (wins over NOTEBRIDGE_HOME). Call before the first `paths()`."""
    global _override, _current
    _override = Path(directory) if directory else None
    _current = None


def paths() -> AppPaths:
    """The app's directories, resolved once per process (after any override)."""
    global _current
    if _current is None:
        env_home = os.environ.get(ENV_HOME, "").strip()
        if _override is not None:
            _current = _from_base(_override)
        elif env_home:
            _current = _from_base(Path(env_home))
        else:
            _current = _platform_default()
    return _current
