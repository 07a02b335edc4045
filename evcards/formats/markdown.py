"""Cards as plain text (the paste form `evcards import` reads back) and as Markdown.

Both have a read mode (only the highlighted words a debater speaks) and a cite-request
mode (the first and last 15 words joined by AND, the form debaters exchange).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from evcards.core.models import Card, Span
from evcards.core.outline import (
    Heading,
    cite_line,
    cite_segments,
    first_and_last,
    outline,
    spoken_paragraphs,
)

SEPARATOR = "---"
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]<>#|~=!])")


def body_lines(card: Card, read: bool, cite_request: bool) -> list[str]:
    if cite_request:
        text = first_and_last(card.text)
        return [text] if text else []
    if read:
        return spoken_paragraphs(card)
    return card.paragraphs


def render_text(cards: Iterable[Card], read: bool = False, cite_request: bool = False) -> str:
    """Tag line, `SHORT (FULL CITE) INITIALS`, one line per paragraph; cards split by ---.

    Locations are left out on purpose: a heading line would read back as a tag.
    """
    chunks = []
    for card in cards:
        # No undertag: the paste form has one line before the cite, and that is the tag.
        lines = [card.tag] if card.tag else []
        if card.kind != "analytic":
            cite = cite_line(card.cite)
            if cite:
                lines.append(cite)
            lines.extend(body_lines(card, read, cite_request))
        chunks.append("\n".join(lines))
    return f"\n{SEPARATOR}\n".join(chunks) + ("\n" if chunks else "")


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
            continue
        card = item
        if card.tag:
            blocks.append(f"#### {md_escape(card.tag)}")
        if card.undertag and not (read or cite_request):
            blocks.append(md_escape(card.undertag))
        if card.kind == "analytic":
            continue
        if card.cite.short or card.cite.full:
            blocks.append(
                "".join(
                    f"**{md_escape(text)}**" if bold else md_escape(text)
                    for text, bold in cite_segments(card.cite)
                )
            )
        if read or cite_request:
            blocks.extend(md_escape(line) for line in body_lines(card, read, cite_request))
        else:
            blocks.extend(md_paragraph(p) for p in card.body)
    return "\n\n".join(b for b in blocks if b) + "\n" if blocks else ""
