"""`notebridge connect`: the wizard's sign-in without a window (for admins, scripts and support).

It prints the sign-in address, waits for Salesforce to send the browser back to our loopback callback,
saves the connection through the same use case as the wizard (``app.services.sign_in``: facts to SQLite,
secrets to the keyring), and prints who and which org. The consumer secret is read from stdin so it never
appears in shell history or `ps`.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import webbrowser

from app.paths import AppPaths

NOT_SAVED = 3  # exit status: the sign-in could not be kept (1 is a failed sign-in, 2 an unusable data folder)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--login-url", required=True,
                        help="https://login.salesforce.com, https://test.salesforce.com or your My Domain")
    parser.add_argument("--consumer-key", required=True, help="the Consumer Key of the app in Salesforce")
    parser.add_argument("--consumer-secret-stdin", action="store_true",
                        help="read the Consumer Secret from the first line of standard input")
    parser.add_argument("--port", type=int, help="the callback port registered in Salesforce "
                        "(default: the ports the setup wizard shows)")
    parser.add_argument("--no-browser", action="store_true", help="only print the sign-in address")
    parser.add_argument("--ca-file", help="extra CA certificate (PEM) to trust, e.g. the demo org's --tls CA")
    parser.add_argument("--timeout", type=float, default=300.0, help="seconds to wait for the sign-in")


async def _connect(args: argparse.Namespace, app_paths: AppPaths, consumer_secret: str | None) -> int:
    # Imported here so `notebridge --version` and the GUI's start-up do not pay for the sign-in stack.
    from app import secrets
    from app.salesforce.errors import SalesforceError
    from app.salesforce.oauth_errors import OAuthError
    from app.services.sign_in import DEFAULT_CALLBACK_URLS, SignInNotKept, SignInRequest, sign_in
    from app.services.workspace import Database, StoreError
    from app.sync.connection import ConnectionManager

    callback_urls = (f"http://localhost:{args.port}/callback",) if args.port else tuple(DEFAULT_CALLBACK_URLS)

    async def open_browser(url: str) -> None:
        print(f"Open this URL to sign in: {url}", flush=True)
        if not args.no_browser:
            await asyncio.to_thread(webbrowser.open, url)

    # Both places the sign-in is kept are checked before the advisor signs in: finding out afterwards
    # would mean signing in for nothing (and the command's whole job is to save the sign-in).
    keyring = await secrets.astatus()
    if not keyring.available:
        return _not_saved("the system keyring cannot store your Salesforce sign-in here.", keyring.message)
    try:
        db = await Database.open(app_paths.database)
    except StoreError as exc:
        return _not_saved("the workspace cannot be opened.", str(exc))
    manager = ConnectionManager(db, ca_file=args.ca_file)
    request = SignInRequest(args.login_url, args.consumer_key, consumer_secret, callback_urls, args.timeout,
                            ca_file=args.ca_file)
    try:
        connection = await sign_in(db, manager, request, open_browser, must_keep=True)
    except SignInNotKept as exc:
        return _not_saved(exc.why, exc.what_to_do)
    except OAuthError as exc:
        print(f"Sign-in failed: {exc}", file=sys.stderr)
        if exc.fix:
            print(f"What to do: {exc.fix}", file=sys.stderr)
        return 1
    except (SalesforceError, ValueError) as exc:
        print(f"Sign-in failed: {exc}", file=sys.stderr)
        return 1
    finally:
        await manager.aclose()
        await db.close()
    who = connection.display_name or connection.username
    print(f"Connected as {who} ({connection.username})")
    print(f"Org: {connection.org_id} at {connection.instance_url} (API v{connection.api_version})")
    return 0


def _not_saved(why: str, what_to_do: str) -> int:
    """Say plainly that nothing was saved, why, and what to do; the exit status says it to scripts."""
    print(f"Not connected: nothing was saved, because {why}", file=sys.stderr)
    print(f"What to do: {what_to_do}", file=sys.stderr)
    return NOT_SAVED


def connect_command(args: argparse.Namespace, app_paths: AppPaths) -> int:
    consumer_secret = None
    if args.consumer_secret_stdin:
        consumer_secret = sys.stdin.readline().strip() or None
    return asyncio.run(_connect(args, app_paths, consumer_secret))
