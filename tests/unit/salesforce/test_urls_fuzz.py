"""Property tests for turning a pasted address into the org's URL (app/salesforce/urls.py).

Whatever an advisor pastes: either a plain-words ``ValueError`` or one canonical ``scheme://host[:port]``
that normalises to itself, keeps the host the advisor meant, and drops paths, queries and quotes.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from hypothesis import given, settings
from hypothesis import strategies as st

from app.salesforce import urls

FUZZ = settings(max_examples=200, deadline=None)

LABEL = st.from_regex(r"[a-z0-9](?:[a-z0-9-]{0,20}[a-z0-9])?", fullmatch=True)
SUFFIX = st.sampled_from([
    "my.salesforce.com", "sandbox.my.salesforce.com", "lightning.force.com", "my.salesforce-setup.com",
    "develop.my.salesforce.com", "my.site.com", "force.com", "salesforce.com", "example.com", "cloudforce.com",
    "lightning.crmforce.mil", "vf.force.com", "sandbox.vf.force.com", "visualforce.com",
])
HOST = st.one_of(
    st.builds(lambda a, s: f"{a}.{s}", LABEL, SUFFIX),
    st.builds(lambda a, s: f"{a}--c.{s}", LABEL, st.sampled_from(["vf.force.com", "sandbox.vf.force.com"])),
    st.sampled_from(["localhost", "127.0.0.1", "[::1]", "login.salesforce.com", "test.salesforce.com"]),
    LABEL,
)
PATH = st.sampled_from(["", "/", "/lightning/r/Contact/003000000000001AAA/view", "/setup/home?x=1#frag",
                        "/apex/Page?id=1", "//", "/services/data/"])
PORT = st.one_of(st.just(""), st.integers(0, 70000).map(lambda p: f":{p}"))
QUOTE = st.sampled_from(["", '"', "'", "“", "<", "«", "`"])
CASE = st.sampled_from([str, str.upper, str.title])


@st.composite
def pasted(draw: st.DrawFn) -> str:
    """Something shaped like an address from a browser or an e-mail, with the usual noise."""
    scheme = draw(st.sampled_from(["", "https://", "http://", "HTTPS://", "//", "ftp://", "javascript:"]))
    host = draw(CASE)(draw(HOST)) + draw(st.sampled_from(["", "."]))
    quote_open = draw(QUOTE)
    closing = {"“": "”", "<": ">", "«": "»"}.get(quote_open, quote_open)
    space = draw(st.sampled_from(["", " ", "\t", "\n "]))
    return f"{space}{quote_open}{scheme}{host}{draw(PORT)}{draw(PATH)}{closing}{space}"


ANYTHING = st.one_of(pasted(), st.text(max_size=60), st.text(alphabet="htps:/.[]@%\\ 0123456789aé\x00", max_size=40))


def _outcome(text: str, allow_custom: bool) -> str | ValueError:
    """The normalised URL, or the refusal (NotSalesforceHost is a ValueError too)."""
    try:
        return urls.normalize_instance_url(text, allow_custom=allow_custom)
    except ValueError as exc:
        return exc


@FUZZ
@given(ANYTHING, st.booleans())
def test_fuzz_normalised_url_is_canonical_and_a_fixed_point(text: str, allow_custom: bool) -> None:
    result = _outcome(text, allow_custom)
    if isinstance(result, ValueError):
        assert str(result), "every refusal explains itself in words"
        return
    parts = urlsplit(result)
    assert parts.scheme in ("https", "http") and parts.netloc and parts.hostname
    assert (parts.path, parts.query, parts.fragment) == ("", "", "")
    assert not (parts.username or parts.password)
    assert parts.hostname == parts.hostname.lower() and not parts.hostname.endswith(".")
    if parts.scheme == "http":
        assert urls.is_local_host(parts.hostname)
    if not allow_custom:
        assert urls.is_salesforce_host(parts.hostname) or urls.is_local_host(parts.hostname)
    if not urls.is_local_host(parts.hostname):
        assert parts.port != 443
    assert urls.normalize_instance_url(result, allow_custom=allow_custom) == result


@FUZZ
@given(ANYTHING)
def test_fuzz_not_salesforce_host_offers_a_canonical_address(text: str) -> None:
    refusal = _outcome(text, allow_custom=False)
    if isinstance(refusal, urls.NotSalesforceHost):
        assert urls.normalize_instance_url(text, allow_custom=True) == refusal.normalized
        assert urls.normalize_instance_url(refusal.normalized, allow_custom=True) == refusal.normalized


@FUZZ
@given(LABEL, st.sampled_from(["my.salesforce.com", "lightning.force.com", "my.salesforce-setup.com"]),
       PATH, QUOTE, CASE)
def test_fuzz_any_page_of_an_org_gives_its_my_domain(name: str, suffix: str, path: str, quote: str,
                                                       case: object) -> None:
    closing = {"“": "”", "<": ">", "«": "»"}.get(quote, quote)
    text = f"{quote}https://{case(f'{name}.{suffix}')}{path}{closing}"  # type: ignore[operator]
    assert urls.normalize_instance_url(text) == f"https://{name}.my.salesforce.com"


@FUZZ
@given(st.text(max_size=40))
def test_fuzz_host_predicates_never_raise(text: str) -> None:
    assert isinstance(urls.is_local_host(text), bool)
    assert isinstance(urls.is_salesforce_host(text), bool)
    assert isinstance(urls.is_login_host(text), bool)
