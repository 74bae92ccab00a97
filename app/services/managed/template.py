"""``notebridge --print-config-template``: a commented ``notebridge.json`` for an admin to fill in.

Built from the same choices and defaults the app uses (the wizard's and Settings → Sending's), so
the template can never offer a value the reader refuses. It is JSONC (see ``jsonc``): comments are
part of the format the reader accepts, so the printed template is itself a valid file once the two
required values are filled in.
"""

from __future__ import annotations

import json
import textwrap
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from app.services.managed.config import MAX_DELAY_MINUTES, MAX_PORT, MIN_PORT
from app.services.setup import CLIENT_OBJECTS, RECORD_SCOPES, SYNC_INTERVALS
from app.services.sign_in import DEFAULT_CALLBACK_URLS
from app.services.sync_settings import ATTACH_CHOICES, NOTE_TYPES, RESERVE_RANGE, PushPreferences, explain
from app.sync.pull.field_map import MAX_EXTRAS, MAX_PHONE_SOURCES
from app.sync.pull.filters import FILTERED_OBJECTS, RuleKind

# The wizard's own defaults for the Preferences page (app/ui/wizard/preferences.py's Preferences();
# a test keeps the two equal).
PREFERENCE_DEFAULTS: dict[str, Any] = {
    "note_type": "ContentNote", "client_object": "Contact", "include_leads": False, "contact_sync": True,
    "sync_interval_minutes": 30, "record_scope": "all",
}
_PREFERENCE_HELP = {
    "note_type": "How notes are saved in Salesforce: one of {choices}. ContentNote (Enhanced Notes) is "
                 "recommended; Notebridge falls back to Note by itself where the org has them turned off.",
    "client_object": "Where the firm keeps clients: one of {choices} (Account: households or person accounts).",
    "include_leads": "Also bring Leads (prospects) to advisors' computers: true or false.",
    "contact_sync": "Update clients from Salesforce automatically: true or false.",
    "sync_interval_minutes": "How often, in minutes: one of {choices}.",
    "record_scope": 'Which clients: "all" the advisor can see, "mine" (owned by the advisor), or "pick" '
                    "(none at first; the advisor picks them one by one).",
}
_PUSH_FIELDS = ("auto_push", "auto_push_delay_minutes", "push_notes", "push_tasks", "meeting_summaries", "attach_to",
                "api_reserve_percent")
_PUSH_LIMITS = {
    "auto_push_delay_minutes": f"1 to {MAX_DELAY_MINUTES}.",
    "attach_to": "One of " + ", ".join(f'"{c}"' for c in ATTACH_CHOICES) + ".",
    "api_reserve_percent": f"{RESERVE_RANGE[0]} to {RESERVE_RANGE[1]}.",
}


def _comment(text: str, indent: int) -> list[str]:
    prefix = " " * indent + "// "
    return textwrap.wrap(text, width=100, initial_indent=prefix, subsequent_indent=prefix)


_KINDS = ", ".join(f'"{k.value}"' for k in RuleKind)
_OBJECTS = ", ".join(f'"{o}"' for o in FILTERED_OBJECTS)


def _sync_section() -> list[str]:
    """The presets of What to sync and Fields: empty (nothing preset), with commented examples."""
    return [
        *_comment("Optional. Settings -> Sync -> What to sync and Fields, preset for every advisor. "
                  '"locked": false makes them each advisor\'s starting point (their own change wins); true shows '
                  f'"Set by your firm" and turns editing off. Per object: {_OBJECTS}. Fields are API names; ones '
                  "the org does not have are skipped and reported.", 2),
        '  "sync": {',
        '    "locked": false,',
        *_comment("A list of rule groups: a record is kept when all rules of any one group hold. Rule kinds: "
                  f"{_KINDS}. For example:", 4),
        '    // "Contact": [[{"kind": "owner_is_me"},',
        '    //              {"kind": "date_window", "field": "LastModifiedDate", "days": 730}],',
        '    //             [{"kind": "picklist", "field": "Risk_Profile__c", "values": ["AGGR"]}]]',
        '    "filter_rules": {},',
        *_comment(f"Phone from up to {MAX_PHONE_SOURCES} fields (the first that is not empty) and up to {MAX_EXTRAS} "
                  "extra fields shown on the client's page and searched. For example:", 4),
        '    // "Contact": {"phone": ["MobilePhone", "Phone"], "extra_fields": ["AUM__c", "Next_Review__c"]}',
        '    "field_mappings": {}',
        "  }",
    ]


def _choices(values: tuple[Any, ...]) -> str:
    return ", ".join(json.dumps(v) for v in values)


def template(location: Path) -> str:
    """The commented template; ``location`` is where this computer looks for the file."""
    default_port = urlsplit(DEFAULT_CALLBACK_URLS[0]).port
    defaults = PushPreferences()
    lines = [
        "// Notebridge: a firm's pre-configuration (managed roll-out). See docs/managed-config.md.",
        f"// This computer reads it from: {location}",
        "// (or from the file named by the NOTEBRIDGE_MANAGED_CONFIG environment variable).",
        "// With login_url and consumer_key filled in, advisors see only Welcome -> Sign in -> First sync.",
        "// Comments like these (// and /* */) are allowed; so are keys starting with _ (\"_comment\").",
        "// NEVER put a secret here (consumer secret, password, token): anyone who can use the computer can",
        "// read this file. Notebridge signs in with PKCE and needs no consumer secret; if your app in",
        "// Salesforce requires one anyway, each advisor types it in the wizard (it goes to the keychain).",
        "{",
        "  // REQUIRED. Where advisors sign in: https://login.salesforce.com, https://test.salesforce.com",
        "  // (a sandbox), or your org's My Domain, e.g. https://yourfirm.my.salesforce.com",
        '  "login_url": "",',
        "  // REQUIRED. The Consumer Key of your firm's External Client App (or Connected App) in Salesforce.",
        '  "consumer_key": "",',
        "  // Optional. The port of the callback URL you registered for the app:",
        f"  // http://localhost:PORT/callback, {MIN_PORT} to {MAX_PORT}. Leave it out to use Notebridge's",
        "  // two default callbacks: " + " and ".join(DEFAULT_CALLBACK_URLS) + ".",
        f'  "callback_port": {default_port},',
        "  // Optional. The wizard's Preferences page, chosen for every advisor (each can change them later).",
        '  "preferences": {',
    ]
    pref_names = list(PREFERENCE_DEFAULTS)
    pref_choices = {"note_type": NOTE_TYPES, "client_object": CLIENT_OBJECTS, "sync_interval_minutes": SYNC_INTERVALS,
                    "record_scope": RECORD_SCOPES}
    for n, name in enumerate(pref_names):
        help_text = _PREFERENCE_HELP[name].format(choices=_choices(pref_choices.get(name, ())))
        comma = "," if n < len(pref_names) - 1 else ""
        lines += [*_comment(help_text, 4), f'    "{name}": {json.dumps(PREFERENCE_DEFAULTS[name])}{comma}']
    lines += ["  },", "  // Optional. Settings -> Sending, chosen for every advisor (each can change them later).",
              '  "push": {']
    for n, name in enumerate(_PUSH_FIELDS):
        help_text = explain(PushPreferences, name)
        limit = _PUSH_LIMITS.get(name, "true or false." if isinstance(getattr(defaults, name), bool) else "")
        comma = "," if n < len(_PUSH_FIELDS) - 1 else ""
        lines += [*_comment(f"{help_text} {limit}", 4), f'    "{name}": {json.dumps(getattr(defaults, name))}{comma}']
    lines += ["  },", *_sync_section(), "}"]
    return "\n".join(lines) + "\n"
