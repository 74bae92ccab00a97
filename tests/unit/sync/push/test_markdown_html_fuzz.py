"""Property tests for Markdown ⇄ ContentNote HTML (app/sync/push/markdown_html.py).

Promised by the module: any Markdown renders without raising to one line of HTML that uses only the
Notes editor's tags, properly nested, with every ``<`` and ``&`` the advisor typed escaped (Salesforce
rejects raw ones). Going back, ``html_to_markdown`` reads what the Notes editor produces — paragraphs,
bold, italic, strike, lists, line breaks and links — so such HTML survives HTML → Markdown → HTML.
"""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser

from hypothesis import example, given, settings
from hypothesis import strategies as st

from app.sync.push.markdown_html import html_to_markdown, html_to_text, markdown_to_html, markdown_to_text

FUZZ = settings(max_examples=200, deadline=None)

_ALLOWED = {"p", "b", "i", "s", "ul", "ol", "li", "br", "a"}
_VOID = {"br"}
_ENTITY = re.compile(r"&(?:amp|lt|gt|quot|#x27);")
_MARKUP = st.sampled_from(["*", "**", "_", "__", "~~", "`", "```\n", "# ", "## ", "- ", "* ", "1. ", "2) ", "> ",
                           "[", "]", "(", ")", "](http://x.example/?a=1&b=<2>)", "](javascript:alert(1))",
                           "<", ">", "&", "&amp;", "&#60;", "<b>", "</p>", "<script>", "\\", "\n", "\n\n", "  \n",
                           "    ", "---\n", "![alt](http://img)", "\t", "\r\n", '"', "'"])
MARKDOWN = st.lists(st.one_of(_MARKUP, st.text(max_size=6)), max_size=30).map("".join)


class _Checker(HTMLParser):
    """Records tags and text, and whether every tag is allowed and closed in order."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=False)
        self.stack: list[str] = []
        self.problems: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in _ALLOWED:
            self.problems.append(f"tag <{tag}>")
        if tag == "a":
            names = [name for name, _value in attrs]
            if names not in ([], ["href"]):
                self.problems.append(f"attributes {names} on <a>")
            href = dict(attrs).get("href") or ""
            if href and not href.lower().startswith(("http://", "https://", "mailto:")):
                self.problems.append(f"link to {href!r}")
        elif attrs:
            self.problems.append(f"attributes on <{tag}>")
        if tag not in _VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack[-1] != tag:
            self.problems.append(f"</{tag}> closes {self.stack[-1:] or 'nothing'}")
        else:
            self.stack.pop()

    def handle_data(self, data: str) -> None:
        if "<" in data or ">" in data:
            self.problems.append(f"raw bracket in text {data!r}")

    def handle_entityref(self, name: str) -> None:
        if name not in ("amp", "lt", "gt", "quot"):
            self.problems.append(f"entity &{name};")

    def handle_charref(self, name: str) -> None:
        if name.lower() != "x27":
            self.problems.append(f"char ref &#{name};")

    def handle_comment(self, data: str) -> None:
        self.problems.append("comment")


def _check(markup: str) -> list[str]:
    checker = _Checker()
    checker.feed(markup)
    checker.close()
    return checker.problems + ([f"unclosed {checker.stack}"] if checker.stack else [])


@FUZZ
@given(MARKDOWN)
def test_fuzz_markdown_renders_safe_well_formed_html(markdown: str) -> None:
    rendered = markdown_to_html(markdown)
    assert "\n" not in rendered and "\r" not in rendered
    assert _check(rendered) == []
    # Every & is the start of one of the escapes we write: nothing the advisor typed stays raw.
    assert "&" not in _ENTITY.sub("", rendered)
    assert "<" not in re.sub(r"</?(?:p|b|i|s|ul|ol|li|a)>|<br>|<a href=\"[^\"<>]*\">", "", rendered)


@FUZZ
@given(st.text(max_size=60))
def test_fuzz_any_text_renders_and_reads_back_without_raising(text: str) -> None:
    rendered = markdown_to_html(text)
    assert _check(rendered) == []
    assert isinstance(html_to_text(rendered), str)
    assert isinstance(markdown_to_text(text), str)
    assert isinstance(html_to_markdown(rendered), str)
    assert isinstance(html_to_markdown(text), str)  # not HTML at all: still no exception


_WORD = st.one_of(
    st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cc", "Cs", "Zs", "Zl", "Zp")),
            min_size=1, max_size=8),
    # Text that is Markdown syntax when it starts a line or stands anywhere (the trip must keep it text).
    st.sampled_from(["&amp;", "&#60;", "&copy;", "1.", "2)", "-", "+", "*", "#", "##", ">", "=", "===", "---",
                     "<b>", "<http://x.example>", "\\", "~~", "_", "`", "[x](y)", "![a](b)", "**", "|"]),
)
_PLAIN = st.lists(_WORD, min_size=1, max_size=4).map(" ".join)


@st.composite
def _inline(draw: st.DrawFn) -> str:
    """Text with the Notes editor's inline tags, each wrapping whole words."""
    pieces = []
    for _ in range(draw(st.integers(1, 4))):
        words = html.escape(draw(_PLAIN), quote=False)
        kind = draw(st.sampled_from(["", "b", "i", "s", "a"]))
        if kind == "a":
            words = f'<a href="https://example.com/{draw(st.from_regex(r"[a-z0-9]{0,8}", fullmatch=True))}">{words}</a>'
        elif kind:
            words = f"<{kind}>{words}</{kind}>"
        pieces.append(words)
    return " ".join(pieces)


@st.composite
def notes_editor_html(draw: st.DrawFn) -> str:
    """HTML shaped like what the Salesforce Notes editor stores: paragraphs and flat lists."""
    blocks = []
    for _ in range(draw(st.integers(1, 4))):
        kind = draw(st.sampled_from(["p", "p", "ul", "ol"]))
        if kind == "p":
            lines = draw(st.lists(_inline(), min_size=1, max_size=3))
            blocks.append("<p>" + "<br>".join(lines) + "</p>")
        else:
            items = draw(st.lists(_inline(), min_size=1, max_size=3))
            blocks.append(f"<{kind}>" + "".join(f"<li>{item}</li>" for item in items) + f"</{kind}>")
    return "".join(blocks)


@FUZZ
@given(notes_editor_html())
# What the fuzzing found: two lists in a row merged; text that opens a block at a line's start (a quote,
# a setext underline after a line break, a list marker) became that block; a typed entity was decoded.
@example("<ul><li>0</li></ul><ul><li>0</li></ul>")
@example("<ol><li>a</li></ol><ol><li>b</li></ol>")
@example("<p>&gt;</p>")
@example("<p>a<br>---</p>")
@example("<ul><li>- a</li><li>1. b</li></ul>")
@example("<p>AT&amp;amp;T &amp;copy;</p>")
@example("<p>&lt;http://x.example&gt;</p>")
def test_fuzz_notes_editor_html_survives_a_trip_through_markdown(markup: str) -> None:
    back = markdown_to_html(html_to_markdown(markup))
    assert html_to_text(back) == html_to_text(markup)
    assert back == markup
