"""What the PyInstaller bundle leaves out: files Notebridge never loads (used by build.spec).

PyInstaller's Qt hook collects every Qt plugin and translation of the modules we use, and each plugin
drags in its own system libraries (the GTK 3 theme alone brings GTK, GDK, Cairo, Pango, ATK: ~20 MB).
Each rule below says why Notebridge does not need what it drops; `--self-test` (run on every bundle in
CI) proves what stays is enough. A shared library is dropped only when it was needed by nothing but
dropped files, so a library loaded some other way (ctypes) is never touched.

Loaded by path from build.spec, never imported as `packaging.…` (see render.py).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from pathlib import PurePosixPath

# Qt plugin folder -> the plugins kept there (by stem: "libqxcb.so" / "qwindows.dll" -> "qxcb" / "qwindows");
# None keeps the folder whole, an empty set drops it whole. Folders not listed are kept.
QT_PLUGINS: dict[str, set[str] | None] = {
    # A desktop app: X11, Wayland, Windows, macOS; "offscreen" for the self-test and CI.
    # Not eglfs / linuxfb / vnc / minimal / vkkhrdisplay (kiosks and embedded boards).
    "platforms": {"qxcb", "qwayland", "qoffscreen", "qwindows", "qcocoa", "qminimal"},
    "egldeviceintegrations": set(),  # eglfs only
    "generic": set(),  # evdev/tuio input for eglfs and linuxfb
    # Only SVG pictures ship (icons, illustrations); PNG is built into QtGui.
    "imageformats": {"qsvg"},
    # The GTK 3 theme would load GTK into the process to style dialogs; Notebridge draws its own theme
    # (app/ui/theme.py) and the XDG portal theme still gives native file dialogs where one runs.
    "platformthemes": {"qxdgdesktopportal"},
    "tls": set(),  # QtNetwork is used for the single-instance local socket only; HTTPS is httpx
    "networkinformation": set(),  # QNetworkInformation is not used (the sync probes the org itself)
}
# Qt libraries only the dropped eglfs platform links.
QT_LIBRARIES = {"libQt6EglFSDeviceIntegration.so.6", "libQt6EglFsKmsSupport.so.6"}

# The demo org draws its fake people with Faker("en_US") (app/demo_org/data/pools.py); Faker's other
# ~70 locales are ~11 MB of name lists. Faker finds locales by listing its folders, so a dropped one
# is simply not offered. A provider without en_US falls back to its default_locale: "en_GB" (bank)
# and "la" (lorem), so those stay too. The self-test draws the demo data, so a missing one fails it.
FAKER_LOCALES = {"en", "en_US", "en_GB", "la"}
_FAKER_LOCALE = re.compile(r"(?:^|/)faker/providers/[^/]+/([a-z]{2,3}(?:_[A-Z]{2})?)/")
_FAKER_LOCALE_MODULE = re.compile(r"^faker\.providers\.[^.]+\.([a-z]{2,3}(?:_[A-Z]{2})?)(?:\.|$)")
_PLUGIN = re.compile(r"(?:^|/)PySide6/(?:Qt/)?plugins/([^/]+)/([^/]+)$")
_TRANSLATION = re.compile(r"(?:^|/)PySide6/(?:Qt/)?translations/")


def _stem(file_name: str) -> str:
    stem = file_name.split(".", 1)[0]
    return stem.removeprefix("lib")


def unused(dest: str) -> bool:
    """True for a file (its path inside the bundle) that Notebridge never loads."""
    dest = dest.replace("\\", "/")
    if _TRANSLATION.search(dest):
        return True  # Qt's own translations: Notebridge installs no QTranslator (English only)
    if PurePosixPath(dest).name in QT_LIBRARIES:
        return True
    faker_locale = _FAKER_LOCALE.search(dest)
    if faker_locale is not None:
        return faker_locale.group(1) not in FAKER_LOCALES
    match = _PLUGIN.search(dest)
    if match is None:
        return False
    folder, file_name = match.groups()
    if folder not in QT_PLUGINS:
        return False
    kept = QT_PLUGINS[folder]
    return kept is not None and _stem(file_name) not in kept


def unused_module(name: str) -> bool:
    """True for a Python module (dotted name) Notebridge never imports."""
    match = _FAKER_LOCALE_MODULE.match(name)
    return match is not None and match.group(1) not in FAKER_LOCALES


Entry = tuple[str, str, str]  # PyInstaller TOC entry: (path in bundle, source path, type)


def _closure(roots: Iterable[Entry], libraries: dict[str, Entry], needs: Callable[[str], set[str]]) -> set[str]:
    """The names of `libraries` reachable from `roots` through their link-time imports."""
    reached: set[str] = set()
    pending = [entry[1] for entry in roots]
    while pending:
        for name in needs(pending.pop()):
            if name in libraries and name not in reached:
                reached.add(name)
                pending.append(libraries[name][1])
    return reached


def trim(binaries: list[Entry], needs: Callable[[str], set[str]]) -> tuple[list[Entry], list[Entry]]:
    """(kept, dropped): `unused` files, then the top-level libraries only they needed.

    `needs(source_path)` gives the sonames a binary links (PyInstaller's own `get_imports`)."""
    dropped = [entry for entry in binaries if unused(entry[0])]
    kept = [entry for entry in binaries if not unused(entry[0])]
    libraries = {entry[0]: entry for entry in kept if "/" not in entry[0].replace("\\", "/")}
    roots_before = [entry for entry in binaries if entry[0] not in libraries]
    roots_after = [entry for entry in kept if entry[0] not in libraries]
    orphans = _closure(roots_before, libraries, needs) - _closure(roots_after, libraries, needs)
    dropped += [entry for entry in kept if entry[0] in orphans]
    kept = [entry for entry in kept if entry[0] not in orphans]
    return kept, dropped
