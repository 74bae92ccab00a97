""""Open in Salesforce" against the demo org: ``/<Id>`` leads to a record page (via the Lightning URL,
as Salesforce redirects), the page names the record and shows its fields; a deleted or unknown record
gets Salesforce's "deleted or no access" page, never the API's NOT_FOUND JSON."""

from __future__ import annotations

import httpx

from app.demo_org import DemoOrg


def test_record_page_at_the_id_and_the_lightning_url(fresh_org: DemoOrg) -> None:
    contact = next(r for r in fresh_org.records("Contact") if not r.get("IsDeleted"))
    with httpx.Client(base_url=fresh_org.base_url, trust_env=False, timeout=20) as browser:
        first = browser.get(f"/{contact['Id'][:15]}")
        assert first.status_code == 302
        assert first.headers["location"] == f"/lightning/r/Contact/{contact['Id']}/view"
        page = browser.get(f"/{contact['Id']}", follow_redirects=True)
        assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
        name = " ".join(p for p in (contact.get("FirstName"), contact.get("LastName")) if p)
        assert f"<h1>{name}</h1>" in page.text.replace("&#x27;", "'") and contact["Email"] in page.text
        assert "NOT_FOUND" not in page.text

        wrong_object = browser.get(f"/lightning/r/Account/{contact['Id']}/view")
        assert wrong_object.status_code == 404 and "deleted" in wrong_object.text
        unknown = browser.get("/003000000000000AAA")
        assert unknown.status_code == 404 and "text/html" in unknown.headers["content-type"]

        fresh_org.delete_record(contact["Id"])
        gone = browser.get(f"/{contact['Id']}", follow_redirects=True)
        assert gone.status_code == 404 and "This record was deleted" in gone.text
