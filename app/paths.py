"""Where Notebridge keeps its files.

Locations are computed lazily (on first use, never at import) so that `--data-dir` and
`NOTEBRIDGE_HOME` can be applied by the CLI before anything asks. With an override, *everything* the
app writes lives under that one directory (data, config, logs, cache, runtime), which is what tests, the
demo and portable installs need. Without one, platformdirs gives the OS conventions.
"""

from __future__ import annotations

import contextlib
import os
import sys
import warnings
from dataclasses import dataclass
from pathlib import Path

import platformdirs

from app import APP_ID, ORG_NAME

ENV_HOME = "NOTEBRIDGE_HOME"
# platformdirs >= 4.3 warns about XDG_RUNTIME_DIR with its own category; older releases with UserWarning.
_RuntimeDirWarning: type[Warning] = getattr(platformdirs, "RuntimeDirWarning", UserWarning)
DATABASE_NAME = "workspace.sqlite3"
DEMO_FOLDER = "demo"
# A firm's pre-configuration (docs/managed-config.md): in the system-wide config folder, or where this says.
ENV_MANAGED_CONFIG = "NOTEBRIDGE_MANAGED_CONFIG"
MANAGED_CONFIG_NAME = "notebridge.json"


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


def _runtime_dir(dirs: platformdirs.PlatformDirs) -> Path:
    """``$XDG_RUNTIME_DIR/notebridge`` when the session has a proper one; otherwise, quietly, a folder of
    our own under the cache (made 0700 by ``ensure()``).

    platformdirs warns on stderr (``RuntimeDirWarning``) whenever XDG_RUNTIME_DIR is unset — an ssh
    session, a container, ``sudo`` — and falls back to a shared ``/tmp/runtime-<uid>``. Neither is
    something an advisor can act on, so every start printed a warning about nothing. A variable that is
    set but unusable (wrong owner or mode) is a real problem of the session: its reason is kept in
    ``runtime_dir_problem`` for the log, and we still fall back to our own folder.
    """
    global runtime_dir_problem
    runtime_dir_problem = None
    fallback = Path(dirs.user_cache_dir) / "run"
    session_dir = os.environ.get("XDG_RUNTIME_DIR", "").strip()
    if sys.platform == "darwin":  # macOS has no XDG session folder; platformdirs' own place, no warning
        return Path(dirs.user_runtime_dir)
    if os.name != "posix" or not session_dir:
        return fallback
    with warnings.catch_warnings(record=True) as caught:  # platformdirs warns once per reason, on stderr
        warnings.simplefilter("always", _RuntimeDirWarning)
        try:
            chosen = Path(dirs.user_runtime_dir)
        except OSError as exc:  # platformdirs' own /tmp fallback belongs to someone else
            caught.append(warnings.WarningMessage(str(exc), _RuntimeDirWarning, __file__, 0))
            chosen = fallback
    if Path(session_dir) in chosen.parents:
        return chosen
    reasons = [str(w.message) for w in caught if issubclass(w.category, _RuntimeDirWarning)]
    runtime_dir_problem = reasons[0] if reasons else f"XDG_RUNTIME_DIR {session_dir} cannot be used"
    return fallback


# Why XDG_RUNTIME_DIR was set but not used (logged once logging is set up); None when all is well.
runtime_dir_problem: str | None = None


def demo_paths(real: AppPaths) -> AppPaths:
    """The demo's own workspace, settings and lock, in a folder of the real data folder (…/notebridge/demo/).

    Whatever the real data folder is (the OS default, NOTEBRIDGE_HOME, --data-dir), the demo's made-up
    clients and drafts never share a database, a keyring slot or a lock with the real workspace, and
    deleting that one folder removes the demo entirely.
    """
    return _from_base(real.data / DEMO_FOLDER)


def _platform_default() -> AppPaths:
    dirs = platformdirs.PlatformDirs(appname=APP_ID, appauthor=ORG_NAME, roaming=False)
    runtime = _runtime_dir(dirs)
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


def managed_config_file() -> Path:
    """Where a firm's ``notebridge.json`` is looked for: ``NOTEBRIDGE_MANAGED_CONFIG`` if set, else the
    system-wide config folder (platformdirs' site config: ``/etc/xdg/notebridge`` on Linux, or the first
    folder of ``XDG_CONFIG_DIRS``; ``C:\\ProgramData\\Notebridge\\notebridge`` on Windows;
    ``/Library/Application Support/notebridge`` on macOS). Not moved by ``--data-dir``: it is the
    firm's file, not the advisor's, and an installer puts it where every user of the computer sees it."""
    override = os.environ.get(ENV_MANAGED_CONFIG, "").strip()
    if override:
        return Path(override).expanduser()
    folder = platformdirs.site_config_dir(appname=APP_ID, appauthor=ORG_NAME)
    return Path(folder) / MANAGED_CONFIG_NAME
