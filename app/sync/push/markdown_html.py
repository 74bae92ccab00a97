"""Markdown (what the editor stores) → the HTML a Salesforce ContentNote accepts, and → plain text.

ContentNote ``Content`` is HTML; Salesforce rejects unescaped ``<``/``&`` in it and strips unsafe
markup and newlines ("plain text must be HTML-escaped"), see
https://developer.salesforce.com/docs/atlas.en-us.object_reference.meta/object_reference/sforce_api_objects_contentnote.htm
So we render with markdown-it-py with raw HTML *disabled* (every ``<`` the advisor typed becomes
``&lt;``), keep to the tags the Notes editor itself produces (p, b, i, ul, ol, li, br, a), and emit no
newlines (Salesforce's own list of the tags a note keeps, in "ContentNote insert error: Note can't be
saved because it contains HTML tags…", https://help.salesforce.com/apex/HTViewSolution?id=000232870,
has no headings: a heading goes as a bold paragraph, which is how it reads there) — what we send
is then what Salesforce stores, which keeps lost-response reconciliation and conflict checks
byte-for-byte comparable.
"""

from __future__ import annotations

import html
import re
from functools import lru_cache

from markdown_it import MarkdownIt
from markdown_it.token import Token

_TAG = re.compile(r"<[^>]*>")
_BLOCK_END = re.compile(r"</(p|li|h[1-6]|pre)>|<br\s*/?>", re.IGNORECASE)
# Text going back into Markdown: characters that are markup anywhere (emphasis, code, links, strike,
# autolinks and raw HTML), an & that would read as an entity, and what opens a block at a line's start
# (heading, quote, list item, setext underline). Any ASCII punctuation may be backslash-escaped:
# https://spec.commonmark.org/0.31.2/#backslash-escapes
_MD_INLINE = re.compile(r"([\\`*_\[\]#<~]|&(?=#?\w+;))")
_MD_LINE_START = re.compile(r"^(\s*)(?:([>+=-])|(\d+)([.)]))")
_MD_ITEM = re.compile(r"^\s*(?:[-*] |\d+[.)] )")


@lru_cache(maxsize=1)
def _parser() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    md.enable("strikethrough")
    md.disable("image")  # a note cannot carry remote images; the alt text stays as text
    return md


def markdown_to_html(markdown: str) -> str:
    """Render the advisor's Markdown as ContentNote-safe HTML (one line, all text escaped)."""
    tokens = _parser().parse(markdown or "")
    out: list[str] = []
    _render(tokens, out)
    return "".join(out)


def _render(tokens: list[Token], out: list[str]) -> None:
    for token in tokens:
        kind = token.type
        if kind == "inline":
            _render_inline(token.children or [], out)
        elif kind == "heading_open":
            out.append("<p><b>")  # the Notes editor has no headings: bold paragraphs read the same
        elif kind == "heading_close":
            out.append("</b></p>")
        elif kind == "paragraph_open":
            if not token.hidden:
                out.append("<p>")
        elif kind == "paragraph_close":
            if not token.hidden:
                out.append("</p>")
        elif kind in ("bullet_list_open", "ordered_list_open"):
            out.append("<ul>" if kind.startswith("bullet") else "<ol>")
        elif kind in ("bullet_list_close", "ordered_list_close"):
            out.append("</ul>" if kind.startswith("bullet") else "</ol>")
        elif kind == "list_item_open":
            out.append("<li>")
        elif kind == "list_item_close":
            out.append("</li>")
        elif kind in ("fence", "code_block"):
            lines = token.content.rstrip("\n").split("\n")
            out.append("<p>" + "<br>".join(html.escape(line, quote=False) for line in lines) + "</p>")
        elif kind == "hr":
            out.append("<p>—</p>")
        elif kind in ("blockquote_open", "blockquote_close"):
            continue  # its paragraphs render as paragraphs
        elif kind == "html_block":  # cannot happen with html disabled; escape defensively
            out.append("<p>" + html.escape(token.content.strip(), quote=False) + "</p>")


# Inline tokens that always render as the same fixed markup.
_INLINE_MARKUP = {
    "softbreak": " ", "hardbreak": "<br>", "strong_open": "<b>", "strong_close": "</b>",
    "em_open": "<i>", "em_close": "</i>", "s_open": "<s>", "s_close": "</s>", "link_close": "</a>",
}


def _render_inline(children: list[Token], out: list[str]) -> None:
    for child in children:
        kind = child.type
        if kind in ("text", "html_inline", "code_inline", "image"):
            out.append(html.escape(child.content, quote=False))
        elif kind in _INLINE_MARKUP:
            out.append(_INLINE_MARKUP[kind])
        elif kind == "link_open":
            href = str(child.attrs.get("href", ""))
            if href.lower().startswith(("http://", "https://", "mailto:")):
                out.append(f'<a href="{html.escape(href, quote=True)}">')
            else:
                out.append("<a>")


def html_to_text(markup: str) -> str:
    """The words of a note's HTML, whitespace collapsed (for comparing what Salesforce holds)."""
    spaced = _BLOCK_END.sub(lambda m: m.group(0) + " ", markup or "")
    return " ".join(html.unescape(_TAG.sub("", spaced)).split())


def markdown_to_text(markdown: str) -> str:
    """Plain text of the Markdown, as the classic Note's Body and the Event section carry it.

    Read with the same parser as the HTML, so every escape (``\\<``, ``\\&``, ``\\*``) becomes the
    character the advisor typed; headings and paragraphs are separated by a blank line, list items are
    lines ("• " or "1. ", nested ones indented two spaces a level), a link keeps its address in
    brackets, and soft-wrapped lines are joined (plain-text fields show every newline).
    """
    lines: list[str] = []
    lists: list[list[int]] = []  # per open list: [is_ordered, next number]
    prefix: str | None = None    # the marker waiting for the first line of the current item
    for token in _parser().parse(markdown or ""):
        kind = token.type
        if kind in ("bullet_list_open", "ordered_list_open"):
            if not lists and lines and lines[-1]:
                lines.append("")
            ordered = kind.startswith("ordered")
            lists.append([1 if ordered else 0, int(token.attrs.get("start", 1) or 1) if ordered else 0])
        elif kind in ("bullet_list_close", "ordered_list_close"):
            lists.pop()
        elif kind == "list_item_open" and lists:
            current = lists[-1]
            prefix = f"{current[1]}. " if current[0] else "• "
            current[1] += 1
        elif kind in ("paragraph_open", "heading_open", "fence", "code_block", "hr") and not lists \
                and lines and lines[-1]:
            lines.append("")
        if kind in ("inline", "fence", "code_block"):
            text = _inline_text(token.children or []) if kind == "inline" else token.content.rstrip("\n")
            if lists:
                indent = "  " * (len(lists) - 1)
                lead, prefix = (prefix or "  "), None
                text = indent + lead + text.replace("\n", "\n" + indent + "  ")
            lines.append(text)
        elif kind == "hr":
            lines.append("—")
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def _inline_text(children: list[Token]) -> str:
    out: list[str] = []
    href, start = "", 0
    for child in children:
        kind = child.type
        if kind in ("text", "code_inline", "html_inline", "image"):
            out.append(child.content)
        elif kind == "softbreak":
            out.append(" ")
        elif kind == "hardbreak":
            out.append("\n")
        elif kind == "link_open":
            href, start = str(child.attrs.get("href", "")), len(out)
        elif kind == "link_close":
            if href and "".join(out[start:]).strip() != href:
                out.append(f" ({href})")
            href = ""
    return "".join(out)


def html_to_markdown(markup: str) -> str:
    """Salesforce's note HTML back into Markdown ("take Salesforce's version" of a conflict).

    Covers what the Notes editor produces: paragraphs, bold, italic, strike, lists, line breaks and
    links; any other tag keeps only its text.
    """
    from html.parser import HTMLParser

    class _Converter(HTMLParser):
        def __init__(self) -> None:
            super().__init__(convert_charrefs=True)
            self.blocks: list[str] = []
            self.line: list[str] = []
            self.lists: list[list[int]] = []  # per open list: [is_ordered, counter, marker variant]
            self.opened: dict[int, int] = {}  # lists opened so far at each depth
            self.href: str | None = None
            self.line_start = True  # the next text begins a Markdown line (block syntax counts there)

        def flush(self) -> None:
            text = "".join(self.line).strip()
            if text:
                self.blocks.append(text)
            self.line = []
            self.line_start = True

        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            if tag in ("p", "div", "h1", "h2", "h3", "h4", "h5", "h6"):
                self.flush()
            elif tag in ("b", "strong"):
                self.inline("**")
            elif tag in ("i", "em"):
                self.inline("*")
            elif tag in ("s", "strike", "del"):
                self.inline("~~")
            elif tag == "br":
                self.line.append("  \n")
                self.line_start = True
            elif tag in ("ul", "ol"):
                self.flush()
                depth = len(self.lists)
                self.opened[depth] = self.opened.get(depth, 0) + 1
                # Two lists in a row would merge into one; a different bullet or delimiter keeps
                # them apart (https://spec.commonmark.org/0.31.2/#lists).
                self.lists.append([1 if tag == "ol" else 0, 0, self.opened[depth] % 2])
            elif tag == "li":
                self.flush()
                depth = max(0, len(self.lists) - 1)
                if self.lists and self.lists[-1][0]:
                    self.lists[-1][1] += 1
                    delimiter = ")" if self.lists[-1][2] == 0 else "."
                    self.line.append("   " * depth + f"{self.lists[-1][1]}{delimiter} ")
                else:
                    bullet = "*" if self.lists and self.lists[-1][2] == 0 else "-"
                    self.line.append("  " * depth + f"{bullet} ")
            elif tag == "a":
                self.href = dict(attrs).get("href")
                if self.href:
                    self.inline("[")

        def inline(self, markup: str) -> None:
            self.line.append(markup)
            self.line_start = False

        def handle_endtag(self, tag: str) -> None:
            if tag in ("p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "li"):
                self.flush()
            elif tag in ("b", "strong"):
                self.inline("**")
            elif tag in ("i", "em"):
                self.inline("*")
            elif tag in ("s", "strike", "del"):
                self.inline("~~")
            elif tag in ("ul", "ol"):
                self.flush()
                if self.lists:
                    self.lists.pop()
            elif tag == "a" and self.href:
                self.line.append(f"]({self.href})")
                self.href = None

        def handle_data(self, data: str) -> None:
            text = _MD_INLINE.sub(r"\\\1", data)
            if self.line_start:
                text = _MD_LINE_START.sub(lambda m: m.group(1) + (
                    "\\" + m.group(2) if m.group(2) else m.group(3) + "\\" + m.group(4)), text, count=1)
            if text.strip():
                self.line_start = False
            self.line.append(text)

    parser = _Converter()
    parser.feed(markup or "")
    parser.close()
    parser.flush()
    out: list[str] = []
    for block in parser.blocks:
        is_item = bool(_MD_ITEM.match(block))
        if out and not (is_item and _MD_ITEM.match(out[-1])):
            out.append("")
        out.append(block)
    return "\n".join(out)
