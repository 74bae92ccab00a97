"""``python -m app.demo_org``: run a demo org until SIGINT/SIGTERM.

Prints exactly one JSON line on stdout once it is ready to serve — ``{"base_url", "login_url",
"consumer_key", "consumer_secret", "username", "password", "callback_urls", "ca_file", "control_token"}`` —
so a parent process can read one line and go (``control_token`` opens the ``/__demo__`` controls).
Exits 0 on SIGINT/SIGTERM after closing the server.
"""

from __future__ import annotations

import argparse
import json
import signal
import sys
import threading

from app.demo_org.org import DemoOrg


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m app.demo_org",
                                     description="A Salesforce-compatible demo org on localhost.")
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1)")
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port")
    parser.add_argument("--contacts", type=int, default=500,
                        help="how many contacts to seed, with households, leads, meetings, tasks and notes")
    parser.add_argument("--seed", type=int, default=1, help="the same seed gives the same made-up data")
    parser.add_argument("--latency-ms", type=float, default=0, help="delay added to every request, in ms")
    parser.add_argument("--api-limit", type=int, default=100_000,
                        help="the org's daily API request allowance (REQUEST_LIMIT_EXCEEDED beyond it)")
    parser.add_argument("--app-api-limit", type=int, default=None,
                        help="give the connected app its own daily quota (sent as per-app-api-usage)")
    parser.add_argument("--token-ttl", type=float, default=None, metavar="SECONDS",
                        help="access tokens expire after this many seconds (default: never)")
    parser.add_argument("--require-secret", action="store_true", help="token requests must send client_secret")
    parser.add_argument("--no-enhanced-notes", action="store_true", help="ContentNote is not createable")
    parser.add_argument("--person-accounts", action="store_true", help="the org has person accounts enabled")
    parser.add_argument("--rotate-refresh-tokens", action="store_true",
                        help="each refresh returns a new refresh token and revokes the old one")
    parser.add_argument("--pre-authorized", action="store_true",
                        help="the app's users are admin-approved: sign-in skips the login and Allow pages")
    parser.add_argument("--contacts-to-multiple-accounts", action="store_true",
                        help="give the org AccountContactRelation: people who belong to several households")
    parser.add_argument("--shared-activities", action="store_true",
                        help="turn on Shared Activities: an event is related to up to 50 contacts (EventRelation)")
    parser.add_argument("--no-task-reminders", action="store_true",
                        help="hide Task's IsReminderSet/ReminderDateTime, as field-level security can")
    parser.add_argument("--meeting-clients", type=int, default=0, metavar="N",
                        help="a meeting-prep book: N clients meet in the next 14 days, each with ~5 notes and "
                             "~10 tasks (the client-history benchmark)")
    parser.add_argument("--tls", action="store_true", help="serve HTTPS on localhost with a throwaway CA")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    stop = threading.Event()

    def request_stop(signum: int, frame: object) -> None:
        stop.set()

    signal.signal(signal.SIGINT, request_stop)
    signal.signal(signal.SIGTERM, request_stop)
    try:
        org = DemoOrg(contacts=args.contacts, seed=args.seed, latency_ms=args.latency_ms, api_limit=args.api_limit,
                      token_ttl=args.token_ttl, require_secret=args.require_secret,
                      enhanced_notes=not args.no_enhanced_notes, person_accounts=args.person_accounts,
                      tls=args.tls, host=args.host, port=args.port,
                      rotate_refresh_tokens=args.rotate_refresh_tokens, pre_authorized=args.pre_authorized,
                      contacts_to_multiple_accounts=args.contacts_to_multiple_accounts,
                      task_reminders=not args.no_task_reminders, shared_activities=args.shared_activities,
                      app_api_limit=args.app_api_limit, meeting_clients=args.meeting_clients)
        org.start()
    except (OSError, ValueError) as error:
        print(f"demo org: cannot start: {error}", file=sys.stderr)
        return 2
    try:
        sys.stdout.write(json.dumps(org.info()) + "\n")
        sys.stdout.flush()
        while not stop.wait(0.5):
            pass
    finally:
        org.stop()
    return 0
