"""Managed roll-out: a firm's ``notebridge.json`` shortens every advisor's setup wizard.

``load()`` reads the file (off the UI thread) and checks it (``config``); the wizard shows only
Welcome → Sign in → First sync when it is usable, and the problems — each naming the field and the
file — when it is not. ``apply_push_defaults`` writes the firm's Settings → Sending choices once the
advisor has signed in, and ``apply_sync_presets`` (``sync_presets``) the firm's filter rules and
field mappings (the ``sync`` section, checked by ``presets``). The format is described in
docs/managed-config.md and printed, commented, by
``notebridge --print-config-template`` (``template``).
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from pathlib import Path
from typing import TYPE_CHECKING

from app.paths import managed_config_file
from app.services.managed import jsonc
from app.services.managed.config import (
    WHOLE_FILE,
    ConfigProblem,
    ManagedConfig,
    ManagedPreferences,
    ManagedPush,
    ManagedSetup,
    parse,
)
from app.services.managed.presets import ManagedSync
from app.services.managed.sync_presets import PresetsApplied, apply_sync_presets
from app.services.sync_settings import PushPreferences, SyncSettings

if TYPE_CHECKING:
    from app.services.events import Events
    from app.store.db import Database
    from app.sync.connection import ConnectionManager

log = logging.getLogger(__name__)

MAX_FILE_BYTES = 256 * 1024  # a setup file is a few hundred bytes; anything this big is not one

__all__ = ["ConfigProblem", "ManagedConfig", "ManagedPreferences", "ManagedPush", "ManagedSetup", "ManagedSync",
           "PresetsApplied", "apply_push_defaults", "apply_sync_presets", "apply_sync_presets_at_start", "load", "read",
           "read_text"]


def read_text(text: str, source: Path) -> ManagedSetup:
    """Check the text of a setup file (JSON with comments). Never raises."""
    try:
        value = jsonc.loads(text)
    except jsonc.JsoncError as exc:
        return ManagedSetup(source, None, (ConfigProblem(
            WHOLE_FILE, f"The file is not valid JSON: {exc}.", blocking=True),))
    return parse(value, source)


def read(path: Path | None = None) -> ManagedSetup | None:
    """The firm's setup at ``path`` (default: where this computer looks), or None when there is no file.
    Blocking file I/O: use :func:`load` from the event loop."""
    source = path or managed_config_file()
    try:
        if not source.is_file():
            return None
        if source.stat().st_size > MAX_FILE_BYTES:
            return ManagedSetup(source, None, (ConfigProblem(
                WHOLE_FILE, f"The file is larger than {MAX_FILE_BYTES // 1024} KB; it is not a setup file.",
                blocking=True),))
        raw = source.read_bytes()
    except OSError as exc:
        return ManagedSetup(source, None, (ConfigProblem(
            WHOLE_FILE, f"Notebridge cannot read the file ({exc.strerror or exc}). Make it readable for "
                        "every user of this computer.", blocking=True),))
    try:
        text = raw.decode("utf-8-sig")  # Windows Notepad may start the file with a byte-order mark
    except UnicodeDecodeError:
        return ManagedSetup(source, None, (ConfigProblem(
            WHOLE_FILE, "The file is not UTF-8 text. Save it as UTF-8.", blocking=True),))
    setup = read_text(text, source)
    for problem in setup.problems:  # field names only: a value could be something private
        log.warning("managed config %s: %s", source, problem.field)
    return setup


async def load(path: Path | None = None) -> ManagedSetup | None:
    """:func:`read`, off the event loop."""
    return await asyncio.to_thread(read, path)


async def apply_push_defaults(db: Database, connections: ConnectionManager, config: ManagedConfig) -> None:
    """Save the firm's Settings → Sending choices for the active connection (what it leaves out keeps
    Notebridge's default, or what the advisor already chose)."""
    chosen = config.push.chosen()
    active = connections.active
    if not chosen or active is None:
        return
    settings = SyncSettings(db)
    before: PushPreferences = await settings.push(active.connection_id)
    after = dataclasses.replace(before, **chosen)
    if after != before:
        await settings.change_push(connections, before, after)


def is_firms_org(config: ManagedConfig, login_url: str, consumer_key: str) -> bool:
    """The connection was made the firm's way: its org and app are the ones the file names (an advisor
    who went the full way to another org, or the demo, never gets the firm's presets)."""
    return login_url.rstrip("/").lower() == config.login_url.rstrip("/").lower() and consumer_key == config.consumer_key


async def apply_sync_presets_at_start(db: Database, connections: ConnectionManager, events: Events | None = None,
                                      *, path: Path | None = None) -> PresetsApplied | None:
    """At start, once the connection has been checked: the firm's current filter rules and field mappings
    (a newer file reaches everyone; a lock follows the file). None when there is no usable file or the
    connection is not the firm's org."""
    setup = await load(path)
    active = connections.active
    if setup is None or setup.config is None or active is None:
        return None
    if not is_firms_org(setup.config, active.login_url, active.consumer_key):
        return None
    return await apply_sync_presets(db, connections, setup.config.sync, events)
