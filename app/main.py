"""Command line entry point: the GUI by default, plus `doctor`, `--self-test` and `--version`.

Everything that depends on where files live runs *after* `--data-dir` / NOTEBRIDGE_HOME is applied, so
that one flag really moves everything the app writes.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING

from app import APP_NAME, __version__
from app import paths as app_paths_module
from app.logs import setup_logging

if TYPE_CHECKING:
    from PySide6.QtWidgets import QApplication

    from app.ui.single_instance import SingleInstance


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="notebridge",
        description=f"{APP_NAME}: meeting notes and tasks for advisors, pushed to Salesforce.",
    )
    parser.add_argument("--version", action="version", version=f"{APP_NAME} {__version__}")
    parser.add_argument(
        "--data-dir",
        metavar="DIR",
        help="keep everything Notebridge writes in DIR (also: NOTEBRIDGE_HOME)",
    )
    parser.add_argument("--demo", action="store_true",
                        help="open the demo workspace: made-up clients from a built-in demo org, no account needed")
    parser.add_argument("--self-test", action="store_true", help="check this installation and exit")
    parser.add_argument("--search", metavar="TEXT",
                        help="open with the client list showing what TEXT finds (e.g. from a phone or CRM link)")
    parser.add_argument("--print-config-template", action="store_true",
                        help="print a commented notebridge.json for pre-configuring a firm's installs, and exit")
    parser.add_argument("--theme", choices=("system", "light", "dark"), default="system")
    parser.add_argument("--debug", action="store_true", help="more detail in the log file")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    commands.add_parser("gui", help="open the app (the default)")
    doctor_parser = commands.add_parser(
        "doctor", help="check this computer and the connection; exit 1 if something fails")
    doctor_parser.add_argument("--repair", action="store_true",
                               help="if the workspace file is damaged: keep it aside and salvage drafts into a new one")
    doctor_parser.add_argument("--org-check", action="store_true",
                               help="also try each kind of write Notebridge makes on test records in the connected "
                                    "org (a sandbox first), delete them, and say which org rules the app would hit")
    from app.cli_connect import add_arguments as add_connect_arguments

    add_connect_arguments(commands.add_parser("connect", help="sign in to Salesforce without the window"))
    return parser


def _what_runs(args: argparse.Namespace) -> str:
    """The start-up log line's word for this run: the self-test opens no window, so it is not "gui"."""
    if args.self_test:
        return "self-test"
    return str(args.command or ("gui (demo)" if args.demo else "gui"))


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(list(argv) if argv is not None else None)
    if args.print_config_template:  # writes nothing: an admin may run it anywhere, as anyone
        from app.paths import managed_config_file
        from app.services.managed.template import template

        sys.stdout.write(template(managed_config_file()))
        return 0
    if args.data_dir:
        app_paths_module.set_data_dir(args.data_dir)
    app_paths = app_paths_module.paths()
    level = logging.DEBUG if args.debug else logging.INFO
    try:
        app_paths.ensure()
        setup_logging(app_paths.log_file, level=level)
    except OSError as exc:
        if args.command != "doctor":
            print(f"Notebridge cannot write to its data folder {app_paths.data} ({exc.strerror}). "
                  "Choose another folder with --data-dir, or fix its permissions.", file=sys.stderr)
            return 2
        setup_logging(None, level=level)  # doctor reports the folder problem itself
    log = logging.getLogger(__name__)
    log.info("%s %s starting: %s", APP_NAME, __version__, _what_runs(args))
    if app_paths_module.runtime_dir_problem:  # a session's XDG_RUNTIME_DIR that is set but unusable
        log.warning("%s; using %s instead", app_paths_module.runtime_dir_problem, app_paths.runtime)

    if args.self_test:
        from app.selftest import self_test

        return self_test()
    if args.command == "doctor":
        from app.doctor import doctor, repair

        return repair(app_paths) if args.repair else doctor(app_paths, org_check=args.org_check)
    if args.command == "connect":
        from app.cli_connect import connect_command

        return connect_command(args, app_paths)
    return _run_gui(args, app_paths)


def _run_gui(args: argparse.Namespace, app_paths: app_paths_module.AppPaths) -> int:
    if sys.platform.startswith("linux") and not (
        os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY") or os.environ.get("QT_QPA_PLATFORM")
    ):
        print("Notebridge needs a graphical desktop (no DISPLAY or WAYLAND_DISPLAY is set).", file=sys.stderr)
        return 2
    from app.ui.application import run_gui

    # The demo has its own workspace under the real data folder (app.paths.demo_paths): its lock is
    # the one taken here, and the GUI can move between the two (Connect your Salesforce…, Try the demo).
    start_paths = app_paths_module.demo_paths(app_paths).ensure() if args.demo else app_paths

    async def first_instance(app: QApplication, instance: SingleInstance, crashed: str | None) -> int:
        # Imported only once this launch is the first: a second launch that just raises the first
        # window (or says the workspace is open) does not pay seconds for the whole window.
        from app.ui.gui import gui_main

        return await gui_main(app, instance, crashed, app_paths=app_paths, demo=args.demo, search=args.search)

    return run_gui(start_paths, args.theme, first_instance)
