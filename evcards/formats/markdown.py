"""Cards as Markdown: headings for the outline, inline HTML for underlining and highlights.

Like the paste form (`evcards.formats.paste`) it has a read mode (only the highlighted words
a debater speaks) and a cite-request mode (the first and last 15 words joined by AND, the
form debaters exchange).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from evcards.core.models import Card, Span
from evcards.core.outline import Heading, cite_segments, outline
from evcards.formats.paste import body_lines

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]<>#|~=!])")


def md_escape(text: str) -> str:
    return _MD_SPECIAL.sub(r"\\\1", text)


def md_span(span: Span) -> str:
    """Markdown has no underline or highlight, so those are inline HTML, which renderers keep."""
    text = md_escape(span.text)
    if span.emphasis:
        text = f"<strong><u>{text}</u></strong>"
    elif span.underline:
        text = f"<u>{text}</u>"
    elif span.bold:
        text = f"<b>{text}</b>"
    if span.highlight:
        text = f"<mark>{text}</mark>"
    return text


def md_paragraph(para: list[Span]) -> str:
    # Whitespace at a span edge must stay outside the tags or Markdown renders it oddly.
    out = []
    for span in para:
        core = span.text.strip()
        if not core:
            out.append(span.text)
            continue
        lead = span.text[: len(span.text) - len(span.text.lstrip())]
        trail = span.text[len(span.text.rstrip()) :]
        out.append(lead + md_span(span.with_text(core)) + trail)
    return "".join(out).strip()


def render_markdown(
    cards: Iterable[Card], flat: bool = False, read: bool = False, cite_request: bool = False
) -> str:
    """`#`..`####` for Pocket, Hat, Block and Tag; `**short cite**` then the full cite."""
    blocks = []
    for item in outline(cards, flat):
        if isinstance(item, Heading):
            blocks.append(f"{'#' * item.level} {md_escape(item.text)}")
        else:
            blocks.extend(card_blocks(item, read, cite_request))
    return "\n\n".join(b for b in blocks if b) + "\n" if blocks else ""


def card_blocks(card: Card, read: bool = False, cite_request: bool = False) -> list[str]:
    """One card's Markdown paragraphs: tag, undertag, cite line, body."""
    blocks = []
    if card.tag:
        blocks.append(f"#### {md_escape(card.tag)}")
    if card.undertag and not (read or cite_request):
        blocks.append(md_escape(card.undertag))
    if card.kind == "analytic":
        return blocks
    if card.cite.short or card.cite.full:
        blocks.append(md_cite(card))
    if read or cite_request:
        blocks.extend(md_escape(line) for line in body_lines(card, read, cite_request))
    else:
        blocks.extend(md_paragraph(p) for p in card.body)
    return blocks


def md_cite(card: Card) -> str:
    """The cite line with its short cite in bold."""
    return "".join(
        f"**{md_escape(text)}**" if bold else md_escape(text)
        for text, bold in cite_segments(card.cite)
    )
