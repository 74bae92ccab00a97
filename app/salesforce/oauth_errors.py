"""OAuth failures turned into what an advisor can understand and do.

Salesforce answers sign-in problems with terse codes (``invalid_client_id``, ``invalid_grant`` …) whose
meaning depends on the step (authorize, token exchange, refresh). The table below is data, not code, so
the wizard, the CLI and the settings page all say the same thing. The raw code and description stay on
the exception (``error_code``, ``description``) for the log; ``str(e)`` is the plain-language message.
Codes: https://help.salesforce.com/s/articleView?id=sf.remoteaccess_oauth_flow_errors.htm and
https://help.salesforce.com/s/articleView?id=sf.remoteaccess_oauth_web_server_flow.htm
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from app.salesforce.errors import SalesforceError, SessionExpired
from app.wording import duration

Stage = Literal["authorize", "token", "refresh", "revoke", "identity"]


class OAuthError(SalesforceError):
    """A sign-in failure with ``message`` (what happened) and ``fix`` (what to do about it)."""

    default_code = "oauth_error"

    def __init__(
        self,
        message: str,
        fix: str = "",
        *,
        error_code: str | None = None,
        description: str = "",
        status: int | None = None,
        callback_url: str | None = None,
    ) -> None:
        super().__init__(message, error_code=error_code, status=status)
        self.fix = fix
        self.description = description
        self.callback_url = callback_url

    @property
    def advice(self) -> str:
        return self.fix

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.error_code!r}, {self.description!r}, status={self.status})"


class UnknownConsumerKey(OAuthError):
    default_code = "invalid_client_id"


class CallbackMismatch(OAuthError):
    default_code = "redirect_uri_mismatch"


class ClientSecretRejected(OAuthError):
    default_code = "invalid_client"


class SecretRequired(OAuthError):
    default_code = "invalid_client"


class UserNotApproved(OAuthError):
    default_code = "OAUTH_APP_ACCESS_DENIED"


class InactiveUser(OAuthError):
    default_code = "inactive_user"


class InactiveOrg(OAuthError):
    default_code = "inactive_org"


class SignInExpired(OAuthError, SessionExpired):
    """The refresh token no longer works (expired, revoked, password reset): a new sign-in is needed."""

    default_code = "invalid_grant"


class SignInInterrupted(OAuthError):
    """The one-time code or PKCE verifier was refused: the sign-in must simply be started again."""

    default_code = "invalid_grant"


class SignInDenied(OAuthError):
    default_code = "access_denied"


class NetworkBlocked(OAuthError):
    default_code = "invalid_grant"


class ScopeMissing(OAuthError):
    default_code = "invalid_scope"


class TooManyAttempts(OAuthError):
    default_code = "rate_limit_exceeded"


class SignInTimeout(OAuthError):
    default_code = "timeout"


class SignInCancelled(OAuthError):
    default_code = "cancelled"


class CallbackPortBusy(OAuthError):
    default_code = "port_in_use"


class OAuthFailure(OAuthError):
    """Anything not in the table: still explained, with the raw code kept for the log."""


_APP_SETTINGS = (
    "Setup → External Client App Manager (or App Manager for an older Connected App) → your app → "
    "OAuth settings"
)
_SCOPES = (
    "Manage user data via APIs (api), Perform requests at any time (refresh_token, offline_access) "
    "and Access the identity URL service (id, profile, email, address, phone)"
)


@dataclass(frozen=True)
class Rule:
    codes: tuple[str, ...]  # lower-case error codes; () matches any code
    cls: type[OAuthError]
    message: str
    fix: str
    contains: tuple[str, ...] = ()  # any of these in the lower-case description
    stages: tuple[Stage, ...] = ()  # () = every stage
    secret_sent: bool | None = None


RULES: tuple[Rule, ...] = (
    Rule(
        (), UserNotApproved,
        "Your Salesforce user isn't allowed to use this app yet.",
        "Ask your Salesforce admin to open the app's policies, set Permitted Users to “Admin approved "
        "users are pre-authorized”, and add your profile or a permission set you have.",
        contains=("not admin approved", "oauth_app_access_denied", "app access denied"),
    ),
    Rule(
        ("oauth_app_access_denied",), UserNotApproved,
        "Your Salesforce user isn't allowed to use this app yet.",
        "Ask your Salesforce admin to add your profile or a permission set you have to the app's policies.",
    ),
    Rule(
        ("invalid_client_id", "oauth_ec_app_not_found"), UnknownConsumerKey,
        "Salesforce doesn't recognise this consumer key.",
        f"Copy the Consumer Key again from {_APP_SETTINGS}, and check you are signing in to the org "
        "where the app was made (production or sandbox). A new or just-changed app can take up to 10 "
        "minutes before Salesforce accepts it — if you have just created it, wait and try again.",
    ),
    Rule(
        ("redirect_uri_mismatch",), CallbackMismatch,
        "The app in Salesforce doesn't list Notebridge's callback address.",
        f"In {_APP_SETTINGS}, add this Callback URL exactly as shown (same spelling, port and path): "
        "{callback}. Save, wait a few minutes, then try again.",
    ),
    Rule(
        ("invalid_client",), SecretRequired,
        "This Salesforce app requires its consumer secret.",
        f"Enter the Consumer Secret from {_APP_SETTINGS}, or ask your admin to turn off “Require secret "
        "for Web Server Flow” (Notebridge protects the sign-in with PKCE, so the secret is optional).",
        secret_sent=False,
    ),
    Rule(
        ("invalid_client",), ClientSecretRejected,
        "Salesforce didn't accept the consumer secret.",
        f"Copy the Consumer Secret again from {_APP_SETTINGS}; it is case-sensitive. If someone "
        "regenerated it, the old one no longer works.",
    ),
    Rule(
        ("inactive_user",), InactiveUser,
        "Your Salesforce user is inactive.",
        "Ask your Salesforce admin to reactivate your user, then sign in again.",
    ),
    Rule(
        ("inactive_org",), InactiveOrg,
        "This Salesforce organisation is locked, closed or suspended.",
        "Ask your Salesforce admin to check the org's status; Notebridge can connect once it is active.",
    ),
    Rule(
        ("invalid_grant",), NetworkBlocked,
        "Salesforce blocked the sign-in from this network.",
        "Ask your Salesforce admin to allow your network for the app (IP Relaxation: “Relax IP "
        "restrictions”), or connect from the office network.",
        contains=("ip restricted", "ip range", "restricted ip"),
    ),
    Rule(
        ("invalid_grant",), SignInExpired,
        "Your Salesforce sign-in expired — sign in again.",
        "Choose “Sign in again”. This happens when the connection is revoked in Salesforce, the app's "
        "refresh-token policy ends it, or your password was reset. Your drafts are kept.",
        stages=("refresh",),
    ),
    Rule(
        ("invalid_grant",), SignInInterrupted,
        "The sign-in didn't finish — Salesforce no longer accepted its one-time code.",
        "Start the sign-in again and complete it in the browser within a few minutes.",
    ),
    Rule(
        ("access_denied", "access-denied"), SignInDenied,
        "Access wasn't allowed in the browser, so Notebridge isn't connected.",
        "Start the sign-in again and choose “Allow” on the Salesforce page.",
    ),
    Rule(
        ("invalid_scope",), ScopeMissing,
        "The app in Salesforce doesn't allow the access Notebridge needs.",
        f"In {_APP_SETTINGS}, select the OAuth scopes {_SCOPES}, save, wait a few minutes and try again.",
    ),
    Rule(
        ("rate_limit_exceeded",), TooManyAttempts,
        "Salesforce is refusing sign-ins for a moment because there were too many attempts.",
        "Wait a few minutes, then try again.",
    ),
)

_FALLBACK_FIX = "Try again. If it keeps happening, send the Notebridge log to whoever supports you."


def _matches(rule: Rule, code: str, desc: str, stage: Stage, secret_sent: bool | None) -> bool:
    if rule.codes and code not in rule.codes:
        return False
    if rule.contains and not any(c in desc for c in rule.contains):
        return False
    if rule.stages and stage not in rule.stages:
        return False
    return rule.secret_sent is None or secret_sent is None or rule.secret_sent == secret_sent


def oauth_error(
    code: str | None,
    description: str | None = None,
    *,
    stage: Stage = "token",
    status: int | None = None,
    callback_url: str | None = None,
    secret_sent: bool | None = None,
) -> OAuthError:
    """The advisor-facing exception for an OAuth ``error`` / ``error_description`` pair."""
    raw_code = (code or "").strip() or "unknown_error"
    raw_desc = (description or "").strip()
    lowered_code, lowered_desc = raw_code.lower(), raw_desc.lower()
    for rule in RULES:
        if _matches(rule, lowered_code, lowered_desc, stage, secret_sent):
            fix = rule.fix.replace("{callback}", callback_url or "the address Notebridge shows")
            return rule.cls(
                rule.message, fix, error_code=raw_code, description=raw_desc, status=status,
                callback_url=callback_url,
            )
    detail = f" (Salesforce said: “{raw_desc[:200]}”)" if raw_desc else ""
    return OAuthFailure(
        f"Salesforce refused the sign-in{detail}.", _FALLBACK_FIX,
        error_code=raw_code, description=raw_desc, status=status, callback_url=callback_url,
    )


def sign_in_timeout(seconds: float) -> SignInTimeout:
    return SignInTimeout(
        f"Notebridge didn't hear back from Salesforce within {duration(seconds)}.",
        "Start the sign-in again and finish it in the browser window that opens. If no window opened, "
        "copy the sign-in address Notebridge shows into your browser.",
    )


def sign_in_cancelled() -> SignInCancelled:
    return SignInCancelled("Sign-in was cancelled.", "Start it again whenever you are ready.")


def port_busy(ports: list[int], suggestion: int | None) -> CallbackPortBusy:
    listed = ", ".join(str(p) for p in ports)
    noun = "Port" if len(ports) == 1 else "Ports"
    fix = "Close the program that uses it and try again"
    suggested_url = None
    if suggestion:
        suggested_url = f"http://localhost:{suggestion}/callback"
        fix += f", or add {suggested_url} as another Callback URL in {_APP_SETTINGS} and enter it here"
    return CallbackPortBusy(
        f"{noun} {listed} on this computer {'is' if len(ports) == 1 else 'are'} already used by another "
        "program, so Notebridge can't receive the sign-in there.",
        fix + ".",
        callback_url=suggested_url,
    )
