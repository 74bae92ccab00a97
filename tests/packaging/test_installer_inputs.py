"""packaging/render.py and packaging/bundle_trim.py: installer inputs from one version source, the
MSI source compiled by wixl (msitools) where it is installed, and what the bundle leaves out."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app import __version__
from tests.packaging.support import ROOT, load, require_tool

render = load("render")
bundle_trim = load("bundle_trim")


def test_installer_version_is_read_from_where_pyproject_points() -> None:
    assert render.project_version() == __version__


def test_installer_version_follows_a_changed_source(tmp_path: Path) -> None:
    (tmp_path / "app").mkdir()
    (tmp_path / "pyproject.toml").write_text('[tool.setuptools.dynamic]\nversion = { attr = "app.__version__" }\n')
    (tmp_path / "app" / "__init__.py").write_text('"""x"""\n__version__ = "7.8.9rc1"\n')
    assert render.project_version(tmp_path) == "7.8.9rc1"
    (tmp_path / "app" / "__init__.py").write_text("VERSION = '1'\n")
    with pytest.raises(ValueError, match="__version__"):
        render.project_version(tmp_path)


def test_installer_inputs_are_rendered_with_the_version_and_nothing_left_open(tmp_path: Path) -> None:
    written = render.render_all(tmp_path)
    assert set(written) == {"notebridge.wxs", "dmg_settings.py"}
    numeric = render.numeric_version(__version__)
    wxs = written["notebridge.wxs"].read_text()
    assert f'Version="{numeric}"' in wxs
    assert 'InstallScope="perUser"' in wxs
    dmg = written["dmg_settings.py"].read_text()
    assert f'volume_name = "Notebridge {__version__}"' in dmg
    for text in (wxs, dmg):
        assert not re.search(r"@[A-Z_]+@", text)
    compile(dmg, "dmg_settings.py", "exec")  # dmgbuild executes it


def test_installer_template_with_an_unknown_placeholder_is_refused() -> None:
    with pytest.raises(KeyError, match="@NOPE@"):
        render.render_text("x @NOPE@ y", render.values("1.0.0"))


@pytest.mark.parametrize(("version", "numeric"), [("0.1.0", "0.1.0"), ("1.2", "1.2.0"), ("2.0.0rc1", "2.0.0"),
                                                  ("3.4.5.post1", "3.4.5")])
def test_installer_numeric_version(version: str, numeric: str) -> None:
    assert render.numeric_version(version) == numeric


@given(st.integers(0, 255), st.integers(0, 255), st.integers(0, 65535), st.sampled_from(["", "rc1", "b2", ".dev3"]))
def test_installer_numeric_version_keeps_every_msi_field(major: int, minor: int, patch: int, tail: str) -> None:
    assert render.numeric_version(f"{major}.{minor}.{patch}{tail}") == f"{major}.{minor}.{patch}"


@pytest.mark.parametrize("version", ["256.0.0", "1.2.70000", "next"])
def test_installer_numeric_version_refuses_what_an_msi_cannot_hold(version: str) -> None:
    with pytest.raises(ValueError, match="version"):
        render.numeric_version(version)


def test_installer_msi_compiles_with_wixl(tmp_path: Path) -> None:
    wixl = require_tool("wixl", "msitools' MSI compiler; .ci/run installs it")
    heat = require_tool("wixl-heat", "comes with wixl")
    inputs = render.render_all(tmp_path / "inputs")
    bundle = tmp_path / "dist" / "notebridge"
    (bundle / "_internal" / "PySide6").mkdir(parents=True)
    (bundle / "notebridge.exe").write_bytes(b"MZ stand-in")
    (bundle / "_internal" / "PySide6" / "Qt6Core.dll").write_bytes(b"MZ stand-in")
    files = "\n".join(sorted(str(p.relative_to(bundle.parent)) for p in bundle.rglob("*") if p.is_file()))
    harvested = subprocess.run(
        [heat, "--prefix", "notebridge/", "--component-group", "Bundle", "--var", "var.SourceDir",
         "--directory-ref", "INSTALLDIR"], input=files, capture_output=True, text=True, check=True).stdout
    (tmp_path / "bundle.wxs").write_text(harvested)
    msi = tmp_path / "Notebridge.msi"
    # wixl resolves SourceDir against its working directory (an absolute one is refused), as in release.yml.
    result = subprocess.run(
        [wixl, "--arch", "x64", "-D", "SourceDir=dist/notebridge", "-o", str(msi), str(inputs["notebridge.wxs"]),
         str(tmp_path / "bundle.wxs")], cwd=tmp_path, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    assert msi.stat().st_size > 0
    msiinfo = require_tool("msiinfo", "from msitools; reads the compiled MSI back")
    properties = subprocess.run([msiinfo, "export", str(msi), "Property"], capture_output=True, text=True,
                                check=True).stdout
    assert f"ProductVersion\t{render.numeric_version(__version__)}" in properties
    assert f"UpgradeCode\t{{{render.MSI_UPGRADE_CODE}}}" in properties
    assert "MSIINSTALLPERUSER\t1" in properties
    files_table = subprocess.run([msiinfo, "export", str(msi), "File"], capture_output=True, text=True,
                                 check=True).stdout
    assert "notebridge.exe" in files_table and "Qt6Core.dll" in files_table
    summary = subprocess.run([msiinfo, "suminfo", str(msi)], capture_output=True, text=True, check=True).stdout
    # Word count bit 8: no elevated privileges needed, so a per-user install asks for no admin rights.
    word_count = int(re.search(r"Source: (\d+)", summary).group(1))  # type: ignore[union-attr]
    assert word_count & 8


@pytest.mark.parametrize(("dest", "dropped"), [
    ("PySide6/Qt/translations/qt_de.qm", True),
    ("PySide6/translations/qtbase_fr.qm", True),  # Windows layout
    ("PySide6/Qt/plugins/platforms/libqxcb.so", False),
    ("PySide6/Qt/plugins/platforms/libqwayland.so", False),
    ("PySide6/Qt/plugins/platforms/libqoffscreen.so", False),
    ("PySide6/Qt/plugins/platforms/libqeglfs.so", True),
    ("PySide6/Qt/plugins/platforms/libqvnc.so", True),
    ("PySide6/plugins/platforms/qwindows.dll", False),
    ("PySide6/Qt/plugins/platformthemes/libqgtk3.so", True),
    ("PySide6/Qt/plugins/platformthemes/libqxdgdesktopportal.so", False),
    ("PySide6/Qt/plugins/imageformats/libqsvg.so", False),
    ("PySide6/Qt/plugins/imageformats/libqjpeg.so", True),
    ("PySide6/Qt/plugins/iconengines/libqsvgicon.so", False),
    ("PySide6/Qt/plugins/platforminputcontexts/libibusplatforminputcontextplugin.so", False),
    ("PySide6/Qt/lib/libQt6EglFSDeviceIntegration.so.6", True),
    ("PySide6/Qt/lib/libQt6Gui.so.6", False),
    ("faker/providers/person/de_DE/__init__.py", True),
    ("faker/providers/person/en_US/__init__.py", False),
    ("faker/providers/bank/en_GB/__init__.py", False),  # bank's default_locale
    ("faker/providers/lorem/la/__init__.py", False),  # lorem's default_locale
    ("faker/providers/person/__init__.py", False),
    ("resources/icons/app.svg", False),
])
def test_installer_bundle_leaves_out_only_what_is_never_loaded(dest: str, dropped: bool) -> None:
    assert bundle_trim.unused(dest) is dropped


def test_installer_bundle_trim_drops_libraries_only_dropped_plugins_needed() -> None:
    binaries = [
        ("PySide6/Qt/plugins/platformthemes/libqgtk3.so", "/src/libqgtk3.so", "BINARY"),
        ("PySide6/Qt/plugins/platforms/libqxcb.so", "/src/libqxcb.so", "BINARY"),
        ("libgtk-3.so.0", "/src/libgtk-3.so.0", "BINARY"),
        ("libcairo.so.2", "/src/libcairo.so.2", "BINARY"),
        ("libX11.so.6", "/src/libX11.so.6", "BINARY"),
        ("libuuid.so.1", "/src/libuuid.so.1", "BINARY"),  # loaded through ctypes: no ELF parent
    ]
    links = {
        "/src/libqgtk3.so": {"libgtk-3.so.0", "libX11.so.6"},
        "/src/libgtk-3.so.0": {"libcairo.so.2", "libX11.so.6"},
        "/src/libqxcb.so": {"libX11.so.6"},
    }
    kept, dropped = bundle_trim.trim(binaries, lambda path: links.get(path, set()))
    assert {entry[0] for entry in dropped} == {
        "PySide6/Qt/plugins/platformthemes/libqgtk3.so", "libgtk-3.so.0", "libcairo.so.2"}
    assert {entry[0] for entry in kept} == {"PySide6/Qt/plugins/platforms/libqxcb.so", "libX11.so.6", "libuuid.so.1"}


def test_installer_faker_locales_left_out_as_modules_too() -> None:
    assert bundle_trim.unused_module("faker.providers.person.fr_FR")
    assert not bundle_trim.unused_module("faker.providers.person.en_US")
    assert not bundle_trim.unused_module("faker.providers.person")
    assert not bundle_trim.unused_module("app.demo_org.data.pools")


def test_installer_render_script_prints_the_version() -> None:
    import sys

    out = subprocess.run([sys.executable, "packaging/render.py", "--print-version"], cwd=ROOT, capture_output=True,
                         text=True, check=True).stdout
    assert out.strip() == __version__
