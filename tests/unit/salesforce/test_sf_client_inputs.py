"""Client-side checks that stop bad input before anything is sent, and retry pacing."""

import pytest

from app.salesforce import soql
from app.salesforce.client import SalesforceClient
from app.salesforce.transport import backoff_delay, ssl_context


@pytest.mark.parametrize("url", ["http://acme.my.salesforce.com", "ftp://x", "acme.my.salesforce.com"])
def test_instance_url_must_be_https(url: str) -> None:
    with pytest.raises(ValueError, match="https"):
        SalesforceClient(url, "token")


def test_api_version_format() -> None:
    with pytest.raises(ValueError, match="API version"):
        SalesforceClient("https://acme.my.salesforce.com", "t", api_version="latest")
    client = SalesforceClient("https://acme.my.salesforce.com/some/page", "00D5g!AQ0AQtok", api_version="v62.0")
    assert client.api_version == "62.0" and client.instance_url == "https://acme.my.salesforce.com"
    assert "AQ0AQtok" not in repr(client)


@pytest.fixture
async def client() -> SalesforceClient:
    async with SalesforceClient("https://acme.my.salesforce.com", "tok", api_version="62.0") as c:
        yield c


async def test_records_need_a_type(client: SalesforceClient) -> None:
    with pytest.raises(ValueError, match=r"attributes\.type"):
        await client.create_many([{"Subject": "x"}])
    with pytest.raises(ValueError, match="not an sObject"):
        await client.create_many([{"attributes": {"type": "Task; DROP"}, "Subject": "x"}])
    with pytest.raises(ValueError, match="not a Salesforce Id"):
        await client.update_many([{"attributes": {"type": "Task"}, "Id": "../../x"}])
    assert client.api_calls == 0


@pytest.mark.parametrize("bad_id", ["", "003", "003000000000001AAAA", "003000000000001/../x", "00300000000000%"])
async def test_ids_and_names_are_validated(client: SalesforceClient, bad_id: str) -> None:
    with pytest.raises(ValueError, match="not a Salesforce Id"):
        await client.update("Contact", bad_id, {"LastName": "x"})
    with pytest.raises(ValueError, match="not a Salesforce Id"):
        await client.delete_many([bad_id])


async def test_composite_limits_and_foreign_hosts(client: SalesforceClient) -> None:
    subs = [{"method": "GET", "url": "sobjects/Contact/003000000000001", "referenceId": f"r{i}"} for i in range(26)]
    with pytest.raises(ValueError, match="at most 25"):
        await client.composite(subs)
    assert await client.composite([]) == []
    with pytest.raises(ValueError, match="another host"):
        await client.request("GET", "https://evil.example/services/data/")
    with pytest.raises(ValueError, match="unexpected nextRecordsUrl"):
        await client.query_more("https://evil.example/next")
    with pytest.raises(ValueError, match="too long"):
        await client.query_page(soql.select(["Id"], "Contact", where=soql.fmt("Name IN {}", ["x"] * 6000)))
    assert client.sobject_url("Task", "@{note.id}") == "sobjects/Task/@{note.id}"


def test_backoff_grows_with_jitter_and_respects_cap_and_retry_after() -> None:
    for attempt in range(6):
        for _ in range(20):
            d = backoff_delay(attempt, 0.5, 8.0)
            expected = min(8.0, 0.5 * 2**attempt)
            assert expected / 2 <= d <= expected
    assert backoff_delay(0, 0.5, 8.0, retry_after="5") >= 5
    assert backoff_delay(0, 0.5, 8.0, retry_after="3600") <= 8.0
    assert backoff_delay(0, 0.5, 8.0, retry_after="Wed, 21 Oct 2015 07:28:00 GMT") <= 0.5


def test_tls_verification_is_always_on() -> None:
    import ssl

    ctx = ssl_context()
    assert ctx.verify_mode == ssl.CERT_REQUIRED and ctx.check_hostname
