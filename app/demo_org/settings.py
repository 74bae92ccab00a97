"""Options of a demo org and the credentials derived from them.

Credentials are deterministic per seed (a demo or a test can hard-code nothing and still reproduce a
run) but look like real ones: an 85-character ``3MVG9…`` consumer key, a 64-hex-digit secret.
"""

from __future__ import annotations

import random
import string
from dataclasses import dataclass, field

# The callback URLs registered on the demo org's connected app: the two the Notebridge setup wizard tells
# an admin to register (and `notebridge connect` listens on by default), so the demo org is set up like
# an org whose admin followed the wizard. Written here on purpose, not imported: the demo org shares no
# code with the client (tests/integration/demo_org/test_demo_org_cli.py checks that the two agree).
DEFAULT_CALLBACK_URLS = (
    "http://localhost:18347/callback",
    "http://localhost:18348/callback",
)
USERNAME = "advisor@notebridge-demo.example"
PASSWORD = "demo-Passw0rd"


@dataclass
class OrgSettings:
    contacts: int = 500
    seed: int = 1
    latency_ms: float = 0
    api_limit: int = 100_000
    app_api_limit: int | None = None  # the connected app's own daily quota (per-app-api-usage), if any
    token_ttl: float | None = None
    require_secret: bool = False
    enhanced_notes: bool = True
    # Classic Notes can't be created (an org that keeps them read-only, as Lightning does for the legacy
    # note-taking tool): docs/salesforce-fidelity.md, rule classic-notes-off.
    classic_notes: bool = True
    person_accounts: bool = False
    # "Contacts to Multiple Accounts": the org has AccountContactRelation (a person in several households).
    contacts_to_multiple_accounts: bool = False
    tls: bool = False
    host: str = "127.0.0.1"
    port: int = 0
    callback_urls: list[str] = field(default_factory=lambda: list(DEFAULT_CALLBACK_URLS))
    rotate_refresh_tokens: bool = False
    pre_authorized: bool = False  # the app's Permitted Users: "Admin approved users are pre-authorized"
    missing_fields: tuple[str, ...] = ()  # optional fields this org lacks, "Object.Field" (e.g. Task.CallDisposition)
    # Task's IsReminderSet/ReminderDateTime visible to the API user; False models an org whose
    # field-level security hides them (they are then absent from describe, SOQL and DML).
    task_reminders: bool = True
    # required custom text fields an admin added, "Object.Name__c" (e.g. Opportunity.Custodian__c): rule required-fields
    required_fields: tuple[str, ...] = ()
    # A meeting-prep book (the client-history benchmark): this many clients meet in the next 14 days,
    # each with ~5 notes and ~10 tasks; no one else has an upcoming meeting (data/seed_history.py).
    meeting_clients: int = 0
    # Setup → Activity Settings → "Allow users to relate multiple contacts to events and tasks" (Shared
    # Activities): EventRelation then relates up to 50 contacts or one lead (app/demo_org/data/event_relations.py).
    shared_activities: bool = False

    def __post_init__(self) -> None:
        if self.contacts < 0:
            raise ValueError("contacts must be >= 0")
        if self.meeting_clients < 0:
            raise ValueError("meeting_clients must be >= 0")
        if self.api_limit < 0:
            raise ValueError("api_limit must be >= 0")
        if self.app_api_limit is not None and self.app_api_limit < 0:
            raise ValueError("app_api_limit must be >= 0")
        if self.token_ttl is not None and self.token_ttl <= 0:
            raise ValueError("token_ttl must be positive")


@dataclass(frozen=True)
class Credentials:
    consumer_key: str
    consumer_secret: str
    username: str = USERNAME
    password: str = PASSWORD


def credentials_for(seed: int) -> Credentials:
    rng = random.Random(f"notebridge-demo-org-credentials:{seed}")
    key_alphabet = string.ascii_letters + string.digits + "._"
    key = "3MVG9" + "".join(rng.choice(key_alphabet) for _ in range(80))
    secret = "".join(rng.choice("0123456789ABCDEF") for _ in range(64))
    return Credentials(key, secret)
