"""Hypothesis strategies for notes an advisor writes: headings, paragraphs, bold/italic, links,
nested bulleted and numbered lists, and text with ``<``, ``&`` and emoji — as the Markdown the
editor loads (the same shape the editor's own toolbar produces)."""

from __future__ import annotations

from hypothesis import strategies as st

_WORDS = st.sampled_from(["Rebalance", "after", "harvest", "IRA", "<", "&", "a<b", "R&D", "🙂", "📈", "5%", "2025",
                          "Garcia", "o'clock", "x>y", "tax-loss", "“quoted”", "café"])
_TEXT = st.lists(_WORDS, min_size=1, max_size=4).map(" ".join)


def _escape(text: str) -> str:
    """Markdown-escape what would be markup (the editor's own writer does the same)."""
    out = []
    for ch in text:
        out.append("\\" + ch if ch in "\\`*_[]<>&#!" else ch)
    return "".join(out)


@st.composite
def inline(draw: st.DrawFn) -> str:
    parts = []
    for _ in range(draw(st.integers(1, 3))):
        text = _escape(draw(_TEXT))
        look = draw(st.sampled_from(["", "", "b", "i", "bi", "a"]))
        if look == "b":
            text = f"**{text}**"
        elif look == "i":
            text = f"*{text}*"
        elif look == "bi":
            text = f"***{text}***"
        elif look == "a":
            text = f"[{text}](https://example.com/{draw(st.from_regex(r'[a-z0-9]{1,6}', fullmatch=True))})"
        parts.append(text)
    return " ".join(parts)


@st.composite
def _list(draw: st.DrawFn, depth: int) -> list[str]:
    ordered = draw(st.booleans())
    lines: list[str] = []
    for n in range(1, draw(st.integers(1, 3)) + 1):
        marker = f"{n}. " if ordered else "- "
        lines.append(marker + draw(inline()))
        if depth < 3 and draw(st.integers(0, 3)) == 0:
            pad = " " * len(marker)
            lines.extend(pad + line for line in draw(_list(depth + 1)))
    return lines


@st.composite
def note_markdown(draw: st.DrawFn) -> str:
    blocks = []
    for _ in range(draw(st.integers(1, 5))):
        kind = draw(st.sampled_from(["h1", "h2", "p", "p", "list"]))
        if kind == "h1":
            blocks.append("# " + _escape(draw(_TEXT)))
        elif kind == "h2":
            blocks.append("## " + _escape(draw(_TEXT)))
        elif kind == "p":
            blocks.append(draw(inline()))
        else:
            blocks.append("\n".join(draw(_list(1))))
    return "\n\n".join(blocks) + "\n"
