"""packaging/linux/build-deb: what the .deb holds and declares, checked with dpkg-deb -I / -f / -c.

The fast tests package a stand-in bundle (an executable and one real ELF library, so Depends is
derived the real way, through ldd and dpkg); the `bundle` ones package the real frozen bundle and
are skipped, saying so, when dist/notebridge has not been built. .ci/run installs the real .deb with
apt and runs it (packaging/linux/check-deb).
"""

from __future__ import annotations

import shutil
import stat
import subprocess
from pathlib import Path

import pytest

from tests.packaging.support import BUNDLE, PACKAGING, ROOT, build_deb, control_fields, listing, load, require_tool


def _stand_in_bundle(tmp_path: Path) -> Path:
    bundle = tmp_path / "bundle"
    (bundle / "_internal").mkdir(parents=True)
    launcher = bundle / "notebridge"
    launcher.write_text("#!/bin/sh\necho stand-in\n")
    launcher.chmod(0o755)
    # A real ELF that links system libraries: its owners must end up in Depends.
    elf = Path(require_tool("ls", "a system ELF to derive Depends from"))
    shutil.copy(elf, bundle / "_internal" / "tool")
    (bundle / "_internal" / "data.txt").write_text("data")
    return bundle


@pytest.fixture(scope="module")
def stand_in_deb(tmp_path_factory: pytest.TempPathFactory) -> Path:
    require_tool("dpkg-deb", "the .deb is built and read with it")
    require_tool("dpkg-query", "Depends are found with dpkg -S")
    tmp_path = tmp_path_factory.mktemp("deb")
    return build_deb(_stand_in_bundle(tmp_path), tmp_path / "out")


def test_installer_deb_is_named_and_versioned_from_the_one_version_source(stand_in_deb: Path) -> None:
    version = load("render").project_version()
    from app import __version__

    assert version == __version__
    assert stand_in_deb.name == f"notebridge_{version}_amd64.deb"
    fields = control_fields(stand_in_deb)
    assert fields["Package"] == "notebridge"
    assert fields["Version"] == version
    assert fields["Architecture"] == "amd64"


def test_installer_deb_declares_system_libraries_and_a_keyring(stand_in_deb: Path) -> None:
    fields = control_fields(stand_in_deb)
    depends = [item.strip() for item in fields["Depends"].split(",")]
    assert "libc6" in depends, depends  # `ls` links libc.so.6: found through ldd, owned by libc6
    assert any(item.startswith("fonts-") for item in depends)
    assert fields["Recommends"] == "gnome-keyring | kwalletmanager | ksecretd"


def test_installer_deb_layout_opt_symlink_desktop_entry_icon(stand_in_deb: Path) -> None:
    entries = listing(stand_in_deb)
    assert entries["/opt/notebridge/notebridge"].startswith("-rwxr-xr-x root/root")
    assert entries["/opt/notebridge/_internal/data.txt"].startswith("-rw-r--r-- root/root")
    link = entries["/usr/bin/notebridge"]
    assert link.startswith("lrwxrwxrwx") and link.endswith("-> /opt/notebridge/notebridge")
    assert "/usr/share/applications/notebridge.desktop" in entries
    assert "/usr/share/icons/hicolor/scalable/apps/notebridge.svg" in entries
    # Nothing under the user's home or /var: the package never owns what the app writes.
    assert not [path for path in entries if path.startswith(("/home", "/root", "/var"))]


def test_installer_deb_purge_names_the_data_and_deletes_nothing(stand_in_deb: Path, tmp_path: Path) -> None:
    subprocess.run(["dpkg-deb", "-e", str(stand_in_deb), str(tmp_path / "control")], check=True)
    postrm = tmp_path / "control" / "postrm"
    assert postrm.stat().st_mode & stat.S_IXUSR
    script = postrm.read_text()
    assert "rm " not in script and "rm\t" not in script
    purge = subprocess.run(["sh", str(postrm), "purge"], capture_output=True, text=True, check=True)
    assert "NOT deleted" in purge.stdout
    assert "~/.local/share/notebridge/" in purge.stdout  # where the workspace is (platformdirs on Linux)
    assert "keyring" in purge.stdout
    remove = subprocess.run(["sh", str(postrm), "remove"], capture_output=True, text=True, check=True)
    assert remove.stdout == ""


def test_installer_build_deb_takes_no_arguments() -> None:
    import sys

    result = subprocess.run([sys.executable, str(PACKAGING / "linux" / "build-deb"), "--fast"],
                            cwd=ROOT, capture_output=True, text=True, check=False)
    assert result.returncode != 0
    assert "no arguments" in result.stderr


def test_installer_desktop_entry_validates_and_runs_the_installed_command() -> None:
    validate = require_tool("desktop-file-validate", "from desktop-file-utils; .ci/run installs it")
    desktop = PACKAGING / "linux" / "notebridge.desktop"
    result = subprocess.run([validate, str(desktop)], capture_output=True, text=True, check=False)
    assert result.returncode == 0 and not result.stdout.strip(), result.stdout + result.stderr
    lines = dict(line.split("=", 1) for line in desktop.read_text().splitlines() if "=" in line)
    assert lines["Exec"].split()[0] == "notebridge"  # /usr/bin/notebridge, the package's link
    assert lines["Icon"] == "notebridge"  # the hicolor icon's name
    # Field codes would hand files or URLs to an app whose command line takes neither.
    assert "%" not in lines["Exec"]


@pytest.mark.bundle
@pytest.mark.timeout(600)  # packs ~160 MB: a generous bound for a busy 2-core machine, not a speed check
def test_installer_deb_of_the_real_bundle(tmp_path: Path) -> None:
    require_tool("dpkg-deb", "the .deb is built and read with it")
    if not (BUNDLE / "notebridge").is_file():
        pytest.skip("dist/notebridge is not built (pyinstaller build.spec); .ci/run builds and checks it")
    deb = build_deb(BUNDLE, tmp_path)
    depends = control_fields(deb)["Depends"]
    # Qt's xcb and GL integration link these; the bundle does not carry them.
    for package in ("libc6", "libegl1", "libxcb1"):
        assert package in depends
    entries = listing(deb)
    assert entries["/opt/notebridge/notebridge"].startswith("-rwxr-xr-x")
    assert "/opt/notebridge/_internal/PySide6/Qt/plugins/platforms/libqxcb.so" in entries
    # Trimmed (packaging/bundle_trim.py): no GTK theme, no Qt translations.
    assert not [path for path in entries if "/translations/" in path or path.endswith("libqgtk3.so")]
