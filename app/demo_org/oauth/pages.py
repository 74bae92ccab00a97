"""The HTML a browser sees during sign-in: login form, consent form, error page.

Plain server-rendered forms (no JavaScript) so that both a real browser and a test helper that parses
forms generically can drive them. Field names follow Salesforce's login page where it matters
(``username``, ``password``); the consent page has ``approve`` / ``deny`` submit buttons.
"""

from __future__ import annotations

from html import escape

_STYLE = """
body{font-family:-apple-system,Segoe UI,Helvetica,Arial,sans-serif;background:#f3f3f3;margin:0}
.card{max-width:380px;margin:60px auto;background:#fff;border-radius:6px;padding:28px;
box-shadow:0 2px 6px rgba(0,0,0,.15)}
h1{font-size:20px;margin:0 0 16px}label{display:block;margin:12px 0 4px;font-size:13px;color:#444}
input[type=text],input[type=password]{width:100%;box-sizing:border-box;padding:9px;font-size:15px}
button{margin-top:18px;padding:9px 18px;font-size:15px;border-radius:4px;border:1px solid #0176d3;
background:#0176d3;color:#fff;cursor:pointer}button.secondary{background:#fff;color:#0176d3}
.error{color:#b00;font-size:14px;margin:8px 0}.muted{color:#666;font-size:13px}ul{padding-left:18px}
"""


def _page(title: str, body: str) -> str:
    return (f"<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{escape(title)}</title>"
            f"<style>{_STYLE}</style></head><body><div class=\"card\">{body}</div></body></html>")


def _hidden(fields: dict[str, str]) -> str:
    return "".join(f'<input type="hidden" name="{escape(k)}" value="{escape(v)}">' for k, v in fields.items())


def login_page(action: str, hidden: dict[str, str], *, error: str | None = None, username: str = "") -> str:
    message = f'<p class="error" role="alert">{escape(error)}</p>' if error else ""
    return _page("Login | Notebridge Demo Org", (
        "<h1>Notebridge Demo Org</h1><p class=\"muted\">Log in to the demo org to continue.</p>"
        f"{message}<form method=\"post\" action=\"{escape(action)}\" id=\"login_form\">{_hidden(hidden)}"
        "<label for=\"username\">Username</label>"
        f"<input type=\"text\" id=\"username\" name=\"username\" value=\"{escape(username)}\" "
        "autocomplete=\"username\">"
        "<label for=\"password\">Password</label>"
        "<input type=\"password\" id=\"password\" name=\"password\" autocomplete=\"current-password\">"
        "<button type=\"submit\" id=\"Login\" name=\"Login\" value=\"Log In\">Log In</button></form>"
    ))


def consent_page(action: str, hidden: dict[str, str], app_name: str, scopes: list[str], user: str) -> str:
    items = "".join(f"<li>{escape(s)}</li>" for s in scopes)
    return _page("Allow Access? | Notebridge Demo Org", (
        f"<h1>Allow Access?</h1><p><strong>{escape(app_name)}</strong> is asking to:</p><ul>{items}</ul>"
        f"<p class=\"muted\">Signed in as {escape(user)}</p>"
        f"<form method=\"post\" action=\"{escape(action)}\" id=\"consent_form\">{_hidden(hidden)}"
        "<button type=\"submit\" name=\"approve\" value=\"Allow\" id=\"oaapprove\">Allow</button> "
        "<button type=\"submit\" name=\"deny\" value=\"Deny\" class=\"secondary\" id=\"oadeny\">Deny</button>"
        "</form>"
    ))


def error_page(error: str, description: str) -> str:
    """Salesforce's remote-access error page (shown instead of redirecting to an untrusted URI)."""
    return _page("Error | Notebridge Demo Org", (
        "<h1>Remote Access Application Authorization</h1>"
        f"<p class=\"error\">error={escape(error)}&amp;error_description={escape(description)}</p>"
        f"<p>{escape(error)}: {escape(description)}</p>"
    ))
