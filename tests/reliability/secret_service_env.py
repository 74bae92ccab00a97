"""A real Secret Service for one test: a private D-Bus session bus with gnome-keyring-daemon on it.

The daemon runs as on a desktop after login: its "login" keyring is created and unlocked with a
password on stdin (``--unlock``), and it owns ``org.freedesktop.secrets`` on the bus. Everything it
writes goes under the test's own HOME and XDG folders, never the developer's. The environment it
gives (``SecretService.env``) is a desktop session's: no ``PYTHON_KEYRING_BACKEND``, so ``keyring``
picks its backend by itself, as it does for an advisor.

Needs the ``dbus-daemon`` and ``gnome-keyring-daemon`` programs (Debian: ``dbus``, ``gnome-keyring``;
.ci/run installs them).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # secretstorage and jeepney come with keyring on Linux only: imported where used
    from jeepney.io.blocking import DBusConnection

PROGRAMS = ("dbus-daemon", "gnome-keyring-daemon")
UNLOCK_PASSWORD = "notebridge-ci-login"  # the desktop login password the daemon unlocks "login" with
READY_SECONDS = 20.0


# A session bus without service activation: a query that arrives before our daemon is on the bus must
# fail (and be retried), not start a second, password-less gnome-keyring-daemon from /usr/share/dbus-1.
_BUS_CONFIG = """<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:dir={socket_dir}</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
"""


def missing_programs() -> list[str]:
    """What this machine lacks for the test (everything, off Linux: the Secret Service is Linux's keyring)."""
    if not sys.platform.startswith("linux"):
        return list(PROGRAMS)
    return [name for name in PROGRAMS if shutil.which(name) is None]


def desktop_env(root: Path, runtime_dir: Path) -> dict[str, str]:
    """A desktop session's environment under ``root``: private HOME and XDG folders, no keyring override,
    no session bus (the caller adds one), Notebridge's files in ``root/notebridge``."""
    env = {k: v for k, v in os.environ.items()
           if k not in ("PYTHON_KEYRING_BACKEND", "DBUS_SESSION_BUS_ADDRESS") and not k.startswith("PYTEST")}
    for name, folder in (("HOME", "home"), ("XDG_DATA_HOME", "xdg-data"), ("XDG_CONFIG_HOME", "xdg-config"),
                         ("XDG_CACHE_HOME", "xdg-cache"), ("XDG_STATE_HOME", "xdg-state"),
                         ("NOTEBRIDGE_HOME", "notebridge")):
        (root / folder).mkdir(parents=True, exist_ok=True)
        env[name] = str(root / folder)
    env["XDG_RUNTIME_DIR"] = str(runtime_dir)
    return env


@dataclass
class SecretService:
    env: dict[str, str]  # for the app's processes: desktop_env plus DBUS_SESSION_BUS_ADDRESS
    address: str

    @contextlib.contextmanager
    def connection(self) -> Iterator[DBusConnection]:
        from jeepney.io.blocking import open_dbus_connection

        conn = open_dbus_connection(self.address)
        try:
            yield conn
        finally:
            conn.close()

    def items(self, service: str) -> dict[str, str]:
        """Every secret filed under ``service`` by keyring (``{username: secret}``), read over D-Bus."""
        import secretstorage

        with self.connection() as conn:
            found = {}
            for item in secretstorage.search_items(conn, {"service": service}):
                found[item.get_attributes().get("username", "")] = item.get_secret().decode()
            return found


def _read_address(bus: subprocess.Popen[str]) -> str:
    """The first line dbus-daemon prints, or '' when it dies or stays silent."""
    assert bus.stdout is not None
    line: list[str] = []
    reader = threading.Thread(target=lambda: line.append(bus.stdout.readline()), daemon=True)  # type: ignore[union-attr]
    reader.start()
    reader.join(READY_SECONDS)
    return line[0].strip() if line else ""


def _wait_until_unlocked(address: str, keyring: subprocess.Popen[bytes]) -> None:
    import secretstorage
    from jeepney.io.blocking import open_dbus_connection

    deadline = time.monotonic() + READY_SECONDS
    last: Exception | None = None
    while time.monotonic() < deadline:
        if keyring.poll() is not None:
            raise RuntimeError(f"gnome-keyring-daemon exited with {keyring.returncode}")
        try:
            with contextlib.closing(open_dbus_connection(address)) as conn:
                collection = secretstorage.get_collection_by_alias(conn, "default")
                if not collection.is_locked():
                    return
        except Exception as exc:  # not on the bus yet / "login" not created yet
            last = exc
        time.sleep(0.05)
    raise RuntimeError(f"the Secret Service did not come up unlocked: {last!r}")


def _stop(process: subprocess.Popen[bytes] | subprocess.Popen[str]) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(5)


@contextlib.contextmanager
def secret_service(root: Path) -> Iterator[SecretService]:
    """Start the bus and an unlocked gnome-keyring-daemon for files under ``root``; stop both after."""
    # Unix socket paths are limited to ~107 bytes: the daemon's control socket lives in a short folder.
    runtime_dir = Path(tempfile.mkdtemp(prefix="nb-kr-"))
    runtime_dir.chmod(0o700)
    env = desktop_env(root, runtime_dir)
    logs = root / "daemon-logs"
    logs.mkdir(exist_ok=True)
    with (logs / "dbus.txt").open("w") as bus_log, (logs / "gnome-keyring.txt").open("w") as keyring_log:
        config = root / "session-bus.conf"
        config.write_text(_BUS_CONFIG.format(socket_dir=runtime_dir), encoding="utf-8")
        bus = subprocess.Popen(["dbus-daemon", f"--config-file={config}", "--nofork", "--nopidfile",
                                "--print-address=1"],
                               stdout=subprocess.PIPE, stderr=bus_log, env=env, text=True)
        keyring: subprocess.Popen[bytes] | None = None
        try:
            address = _read_address(bus)
            if not address:
                raise RuntimeError(f"dbus-daemon printed no address: {(logs / 'dbus.txt').read_text()}")
            env["DBUS_SESSION_BUS_ADDRESS"] = address
            keyring = subprocess.Popen(
                ["gnome-keyring-daemon", "--foreground", "--unlock", "--components=secrets"],
                stdin=subprocess.PIPE, stdout=keyring_log, stderr=keyring_log, env=env)
            assert keyring.stdin is not None
            keyring.stdin.write(UNLOCK_PASSWORD.encode())  # an empty password leaves "login" uncreated
            keyring.stdin.close()
            _wait_until_unlocked(address, keyring)
            yield SecretService(env=env, address=address)
        finally:
            if keyring is not None:
                _stop(keyring)
            _stop(bus)
            if bus.stdout is not None:
                bus.stdout.close()
            shutil.rmtree(runtime_dir, ignore_errors=True)
