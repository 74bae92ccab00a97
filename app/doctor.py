"""`notebridge doctor`: one line per check, the fix on any failing line, exit 1 if anything failed.

This is what support asks an advisor to run, so every line must be readable on its own and every
failure must say what to do. Checks are plain functions returning a `Check`, run in order.
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, TextIO

from app import APP_NAME, __version__, secrets
from app.paths import AppPaths
from app.store import Database, SchemaTooNewError, WorkspaceOpenError, workspace_lock
from app.wording import counted


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: str
    fix: str = ""

    def line(self) -> str:
        mark = " ok " if self.ok else "FAIL"
        text = f"[{mark}] {self.name}: {self.detail}"
        if not self.ok and self.fix:
            text += f" — Fix: {self.fix}"
        return text


def check_python() -> Check:
    version = ".".join(map(str, sys.version_info[:3]))
    ok = (3, 11) <= sys.version_info[:2] < (3, 14)
    return Check("Python", ok, version, "install Python 3.11, 3.12 or 3.13")


def check_qt() -> Check:
    try:
        from app.ui.versions import qt_versions

        return Check("Qt", True, qt_versions())
    except Exception as exc:  # missing system libraries show up here (e.g. libxcb-cursor0)
        return Check("Qt", False, f"cannot load Qt ({exc})",
                     "on Linux install libxcb-cursor0 and libegl1 (`sudo apt install libxcb-cursor0 libegl1`)")


def check_data_dir(app_paths: AppPaths) -> Check:
    try:
        app_paths.ensure()
        with tempfile.NamedTemporaryFile(dir=app_paths.data, prefix=".probe-"):
            pass
        return Check("Data folder", True, f"{app_paths.data} is writable")
    except OSError as exc:
        return Check("Data folder", False, f"{app_paths.data} is not writable ({exc.strerror or exc})",
                     "choose another folder with --data-dir, or fix its permissions")


REPAIR_HINT = ("run `notebridge doctor --repair`: it keeps the damaged file aside (never deletes it), saves "
               "every draft and unsent item it can read into a fresh workspace, and the next sync fetches your "
               "clients again")


async def check_database(app_paths: AppPaths) -> Check:
    from app.store.recovery import inspect

    problems = await asyncio.to_thread(inspect, app_paths.database)  # read-only: nothing is moved
    if problems:
        return Check("Workspace database", False,
                     f"the workspace file {app_paths.database} is damaged ({problems[0]})", REPAIR_HINT)
    try:
        db = await Database.open(app_paths.database)
    except (WorkspaceOpenError, SchemaTooNewError) as exc:  # read-only, full disk, held, damaged, newer
        return Check("Workspace database", False, exc.what, exc.fix)
    except Exception as exc:
        return Check("Workspace database", False, f"cannot open {app_paths.database} ({exc})",
                     "make sure no other program holds the file and the disk is not full")
    try:
        detail = f"opens, journal mode {db.journal_mode}"
        if db.journal_mode != "wal":
            return Check("Workspace database", False, detail,
                         "the folder's filesystem does not support WAL; move the data folder to a local disk")
        return Check("Workspace database", True, detail)
    finally:
        await db.close()


def check_workspace_in_use(app_paths: AppPaths) -> Check | None:
    """A line only when Notebridge is open on this workspace: doctor's checks read, so that is fine."""
    pid = workspace_lock.open_elsewhere(app_paths.database)
    if pid is None:
        return None
    return Check("Workspace in use", True, f"Notebridge is open on this workspace (process {pid}); these checks "
                 "only read it, so they run while it is open")


async def check_keyring() -> Check:
    state = await secrets.astatus()
    if state.available:
        return Check("Keyring", True, f"stores and reads back a probe entry ({state.backend})")
    if state.backend != "none":  # a keyring is there but refused (locked, denied, broken)
        return Check("Keyring", False, f"unusable ({state.backend})", state.message)
    found = (f" ({', '.join(state.ignored)} is installed, but Notebridge uses it only when it is chosen "
             "explicitly in keyring's configuration)") if state.ignored else ""
    return Check("Keyring", False, f"unusable: no secure keyring on this computer{found}", state.message)


async def check_connection(app_paths: AppPaths) -> list[Check]:
    """Once a connection exists: is its sign-in still valid, and how much API allowance is left?"""
    from app.sync.connection import ConnectionManager  # the sign-in stack, only when needed

    db = await Database.open(app_paths.database)
    manager = ConnectionManager(db)
    try:
        active = await manager.load_active()
        if active is None:
            return [Check("Salesforce connection", True, "none yet (connect with the setup wizard)")]
        where = f"{active.username} on {active.instance_url}"
        status = await manager.test_connection()
        if status.state != "connected" or status.offline:
            return [Check("Salesforce sign-in", False, f"{where}: {status.reason or status.label}",
                          status.fix or "reconnect Salesforce in Settings")]
        results = [Check("Salesforce sign-in", True, f"valid for {where}")]
        client = await manager.client()
        usage = client.api_usage
        if usage is None:
            results.append(Check("API usage", True, "not reported by Salesforce"))
        else:
            used, limit = usage
            share = used / limit if limit else 1.0
            results.append(Check(
                "API usage", share < 0.9, f"{used:,} of {limit:,} daily API calls used ({share:.0%})",
                "Notebridge pauses pushing near the limit; ask your admin whether other tools use the API heavily",
            ))
        return results
    finally:
        await manager.aclose()
        await db.close()


def _presets_words(sync: Any) -> str:
    """What the file presets for what syncs ("" when nothing), so IT sees it was read as meant."""
    parts = [f"filter rules for {', '.join(sync.filter_rules)}"] if sync.filter_rules else []
    parts += [f"fields for {', '.join(sync.field_mappings)}"] if sync.field_mappings else []
    if not parts:
        return ""
    return "; presets " + " and ".join(parts) + (" (locked)" if sync.locked else "")


async def check_managed_config() -> Check | None:
    """A line only when a firm's notebridge.json is there: doctor is how IT checks the file it deployed."""
    from app.services import managed

    found = await managed.load()
    if found is None:
        return None
    if not found.problems:
        assert found.config is not None
        return Check("Firm setup file", True, f"{found.source}: signs in at {found.config.login_url}"
                     + _presets_words(found.config.sync))
    fix = ("correct the fields named (`notebridge --print-config-template` shows every one); advisors go the full "
           "way meanwhile" if found.config is None else "correct or remove the fields named; the rest is used")
    return Check("Firm setup file", False, f"{found.headline()} {found.details()}", fix)


async def check_org_rules(app_paths: AppPaths) -> list[Check]:
    """`--org-check`: try each write the push makes on throwaway records (deleted afterwards) and say
    which of the org's rules the app would hit. Runs only once the sign-in is known to be good."""
    from app.sync.connection import ConnectionManager
    from app.sync.org_check import Outcome, run_org_check

    db = await Database.open(app_paths.database)
    manager = ConnectionManager(db)
    try:
        active = await manager.load_active()
        if active is None:
            return [Check("Org check", False, "no Salesforce connection to check",
                          "connect first (the setup wizard or `notebridge connect`)")]
        report = await run_org_check(await manager.client(), note_type=active.note_type)
    finally:
        await manager.aclose()
        await db.close()
    lines = []
    for result in report.results:
        detail = result.detail if result.outcome is not Outcome.NOT_USED else f"not used: {result.detail}"
        lines.append(Check(f"Org rule {result.rule_id} — {result.name}", result.outcome is not Outcome.WILL_FAIL,
                           detail, result.fix))
    if report.stopped:
        lines.append(Check("Org check", False, report.stopped, report.stopped_fix))
    if report.left_behind:
        where = ", ".join(f"{sobject} {record_id}" for sobject, record_id in report.left_behind)
        lines.append(Check("Org check clean-up", False, f"could not delete: {where}",
                           "delete these test records in Salesforce (their names start with "
                           "'Notebridge org check')"))
    else:
        lines.append(Check("Org check clean-up", True, "every test record was deleted"))
    return lines


async def run_checks(app_paths: AppPaths, extra: list[Callable[[], Awaitable[list[Check]]]] | None = None,
                     *, org_check: bool = False) -> list[Check]:
    results = [check_python(), check_qt()]
    firm_file = await check_managed_config()
    if firm_file is not None:
        results.append(firm_file)
    results.append(check_data_dir(app_paths))
    if not results[-1].ok:
        return results  # nothing below can work without the data folder
    results.append(await check_database(app_paths))
    in_use = check_workspace_in_use(app_paths)
    if in_use is not None:
        results.append(in_use)
    results.append(await check_keyring())
    if all(result.ok for result in results):
        results.extend(await check_connection(app_paths))
        if org_check and all(result.ok for result in results):
            results.extend(await check_org_rules(app_paths))
        elif org_check:
            results.append(Check("Org check", False, "skipped: fix the lines above first"))
    for more in extra or []:
        results.extend(await more())
    return results


async def _repair(app_paths: AppPaths) -> tuple[int, str]:
    from app.store.recovery import open_salvaging

    try:
        db, report = await open_salvaging(app_paths.database)
    except WorkspaceOpenError as exc:  # read-only, full disk, locked: not damage, and nothing was moved
        return 1, f"Cannot repair the workspace: {exc.what} Fix: {exc.fix}"
    await db.close()
    if report is None:
        return 0, f"The workspace file {app_paths.database} is not damaged; nothing to repair."
    if report.rows == 0:
        saved = "Nothing could be read from the damaged file; the next sync fetches your clients again."
    else:
        saved = report.sentence()
    return 0, (f"The workspace file was damaged. It is kept (not deleted) at {report.kept_at}. {saved}")


def repair(app_paths: AppPaths, out: TextIO = sys.stdout) -> int:
    """`notebridge doctor --repair`: the same salvage the app does at launch, from the command line."""
    app_paths.ensure()
    code, message = asyncio.run(_repair(app_paths))
    print(message, file=out)
    return code


def doctor(app_paths: AppPaths, out: TextIO = sys.stdout,
           extra: list[Callable[[], Awaitable[list[Check]]]] | None = None, *, org_check: bool = False) -> int:
    print(f"{APP_NAME} {__version__} — checking this computer", file=out)
    if org_check:
        print("Org check: trying each kind of write Notebridge makes on test records, then deleting them.",
              file=out)
    results = asyncio.run(run_checks(app_paths, extra, org_check=org_check))
    for result in results:
        print(result.line(), file=out)
    failed = [r for r in results if not r.ok]
    print("All checks passed." if not failed else f"{counted(len(failed), 'check')} failed.", file=out)
    return 1 if failed else 0
