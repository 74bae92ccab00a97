"""The steps an admin follows in Salesforce Setup to create Notebridge's app, as data.

External Client Apps lead: since Spring '26 new Connected Apps need a request to Salesforce Support
(https://help.salesforce.com/s/articleView?id=005228017&type=1), so Connected App steps are kept for
orgs that already have one. Labels are Salesforce's own, so the admin can find them on screen:
External Client Apps: https://help.salesforce.com/s/articleView?id=xcloud.external_client_apps.htm
Connected Apps: https://help.salesforce.com/s/articleView?id=xcloud.connected_app_create_api_integration.htm
PKCE: https://help.salesforce.com/s/articleView?id=xcloud.remoteaccess_pkce.htm

Each step names the copy fields it shows (``fields``); the page builds them from ``FIELD_*`` keys.
"""

from __future__ import annotations

from dataclasses import dataclass

APP_NAME = "Notebridge"
API_NAME = "Notebridge"
DESCRIPTION = (
    "Notebridge lets our advisors write meeting notes and tasks on their computer, even offline, and "
    "sends them to Salesforce."
)
# (Salesforce's label, the scope it grants). Must match app.salesforce.auth.DEFAULT_SCOPES.
SCOPES = (
    ("Manage user data via APIs (api)", "api"),
    ("Perform requests at any time (refresh_token, offline_access)", "refresh_token"),
    ("Access the identity URL service (id, profile, email, address, phone)", "id"),
)

FIELD_APP_NAME = "app_name"
FIELD_API_NAME = "api_name"
FIELD_EMAIL = "email"
FIELD_DESCRIPTION = "description"
FIELD_CALLBACKS = "callbacks"
FIELD_SCOPES = "scopes"


@dataclass(frozen=True)
class Step:
    key: str
    title: str
    text: str  # rich text; <b> marks what to click or choose, exactly as Salesforce labels it
    illustration: str
    illustration_text: str
    fields: tuple[str, ...] = ()


_PICTURES = {
    "open": ("illustrations/wizard-app-1-open.svg", "Salesforce Setup with Quick Find and the New button"),
    "basics": ("illustrations/wizard-app-2-basics.svg", "The app's basic information form"),
    "oauth": ("illustrations/wizard-app-3-oauth.svg", "Enable OAuth, the callback URL and the chosen scopes"),
    "security": ("illustrations/wizard-app-4-security.svg", "Security options with PKCE required"),
    "policies": ("illustrations/wizard-app-5-policies.svg", "Policies: which users may use the app"),
    "keys": ("illustrations/wizard-app-6-keys.svg", "A verification code email and the consumer key"),
}


def _step(key: str, title: str, text: str, picture: str, fields: tuple[str, ...] = ()) -> Step:
    path, description = _PICTURES[picture]
    return Step(key, title, text, path, description, fields)


EXTERNAL_CLIENT_APP_STEPS: tuple[Step, ...] = (
    _step(
        "eca_open", "Open the External Client App Manager",
        "In Salesforce, click the gear icon and choose <b>Setup</b>. Type <b>External Client App "
        "Manager</b> in the Quick Find box, open it, and click <b>New External Client App</b>.",
        "open",
    ),
    _step(
        "eca_basics", "Fill in the basic information",
        "Copy these into the form. For <b>Distribution State</b>, choose <b>Local</b> (the app is only "
        "for your org).",
        "basics", (FIELD_APP_NAME, FIELD_API_NAME, FIELD_EMAIL, FIELD_DESCRIPTION),
    ),
    _step(
        "eca_oauth", "Turn on OAuth and paste the callback addresses",
        "Open <b>API (Enable OAuth Settings)</b> and tick <b>Enable OAuth</b>. Paste each callback "
        "address into <b>Callback URL</b>, one per line, exactly as shown. Under <b>OAuth Scopes</b>, "
        "move these three into <b>Selected OAuth Scopes</b>:",
        "oauth", (FIELD_CALLBACKS, FIELD_SCOPES),
    ),
    _step(
        "eca_security", "Choose the sign-in flow and security",
        "Notebridge signs in with the <b>authorization code flow</b>, which is on once OAuth is "
        "enabled — leave the <b>Flow Enablement</b> boxes unticked. Under <b>Security</b>, tick "
        "<b>Require Proof Key for Code Exchange (PKCE) extension for Supported Authorization Flows</b>. "
        "Untick <b>Require secret for Web Server Flow</b> and <b>Require secret for Refresh Token "
        "Flow</b>: PKCE already protects the sign-in. (If your company keeps them ticked, advisors also "
        "need the Consumer Secret.) Click <b>Create</b>.",
        "security",
    ),
    _step(
        "eca_policies", "Decide who may use the app",
        "Open the <b>Policies</b> tab and click <b>Edit</b>. Under <b>OAuth Policies</b>, set "
        "<b>Permitted Users</b> to <b>Admin approved users are pre-authorized</b> and select the "
        "profiles or permission sets of the advisors who will use Notebridge. Set <b>Refresh Token "
        "Policy</b> to <b>Refresh token is valid until revoked</b>, so advisors stay connected. Click "
        "<b>Save</b>.",
        "policies",
    ),
    _step(
        "eca_keys", "Copy the Consumer Key",
        "Open the <b>Settings</b> tab, expand <b>OAuth Settings</b> and click <b>Consumer Key and "
        "Secret</b>. Salesforce emails you a verification code; enter it, then copy the <b>Consumer "
        "Key</b> (and the <b>Consumer Secret</b>, if you kept a secret required) into the next step. "
        "A new app can take up to 10 minutes before Salesforce accepts it.",
        "keys",
    ),
)

CONNECTED_APP_STEPS: tuple[Step, ...] = (
    _step(
        "ca_open", "Open the App Manager",
        "In Salesforce, click the gear icon and choose <b>Setup</b>. Type <b>App Manager</b> in the "
        "Quick Find box, open it, and click <b>New Connected App</b>. (Since Spring ’26 this needs a "
        "request to Salesforce Support; if you can't create one, switch to External Client App above.)",
        "open",
    ),
    _step(
        "ca_basics", "Fill in the basic information",
        "Copy these into <b>Connected App Name</b>, <b>API Name</b>, <b>Contact Email</b> and "
        "<b>Description</b>.",
        "basics", (FIELD_APP_NAME, FIELD_API_NAME, FIELD_EMAIL, FIELD_DESCRIPTION),
    ),
    _step(
        "ca_oauth", "Turn on OAuth and paste the callback addresses",
        "Under <b>API (Enable OAuth Settings)</b>, tick <b>Enable OAuth Settings</b>. Paste each "
        "callback address into <b>Callback URL</b>, one per line, exactly as shown. Move these three "
        "into <b>Selected OAuth Scopes</b>:",
        "oauth", (FIELD_CALLBACKS, FIELD_SCOPES),
    ),
    _step(
        "ca_security", "Choose the sign-in flow and security",
        "Tick <b>Require Proof Key for Code Exchange (PKCE) Extension for Supported Authorization "
        "Flows</b>. Untick <b>Require Secret for Web Server Flow</b> and <b>Require Secret for Refresh "
        "Token Flow</b> (PKCE already protects the sign-in). Click <b>Save</b>, then <b>Continue</b>.",
        "security",
    ),
    _step(
        "ca_policies", "Decide who may use the app",
        "Click <b>Manage</b>, then <b>Edit Policies</b>. Set <b>Permitted Users</b> to <b>Admin "
        "approved users are pre-authorized</b> and <b>Refresh Token Policy</b> to <b>Refresh token is "
        "valid until revoked</b>. Save, then use <b>Manage Profiles</b> or <b>Manage Permission Sets</b> "
        "to add the advisors who will use Notebridge.",
        "policies",
    ),
    _step(
        "ca_keys", "Copy the Consumer Key",
        "In the App Manager, open the app's menu and choose <b>View</b>, then click <b>Manage Consumer "
        "Details</b>. Enter the verification code Salesforce emails you, and copy the <b>Consumer "
        "Key</b> (and <b>Consumer Secret</b>, if required) into the next step. New apps can take up to "
        "10 minutes before Salesforce accepts them.",
        "keys",
    ),
)

STEPS = {"external": EXTERNAL_CLIENT_APP_STEPS, "connected": CONNECTED_APP_STEPS}
