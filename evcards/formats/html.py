"""Cards as HTML that keeps its formatting when pasted into Word, and the span markup the
dataset rows carry.

Every mark is spelled out on the element itself (inline `style`, not a style sheet), because
Word's paste keeps inline styles and drops the rest. Each mark has its own element, and the
highlight colour and sizes are written exactly, so `dataset.parse_markup` can read a body back
mark for mark.
"""

from __future__ import annotations

from collections.abc import Iterable
from html import escape

from evcards.core.models import HIGHLIGHT_RGB, Card, Marks, Span
from evcards.core.outline import Heading, cite_segments, outline

# Verbatim's heading looks (see DOMAIN.md), for h1..h4 pasted into a document without them.
HEADING_STYLE = {
    1: "font-size:26pt;font-weight:bold;border:1px solid #000000",
    2: "font-size:22pt;font-weight:bold;text-decoration:underline double",
    3: "font-size:16pt;font-weight:bold;text-decoration:underline",
    4: "font-size:13pt;font-weight:bold",
}
BODY_STYLE = "font-family:Calibri,sans-serif;font-size:11pt;margin:0"
CITE_STYLE = "font-size:13pt;font-weight:bold"
EMPHASIS_STYLE = "font-weight:bold;text-decoration:underline"
BOX_STYLE = "border:1px solid #000000"


def points(size: float) -> str:
    return f"{size:g}"


def span_html(span: Span) -> str:
    """One span, its marks as nested elements: mark > u > strong > b > i > span(style)."""
    opening, closing = marks_html(span.marks())
    return opening + escape(span.text, quote=False) + closing


def marks_html(marks: Marks) -> tuple[str, str]:
    """The elements a span with these marks sits in, outermost first: its opening tags and
    its closing ones (`span_html` and the dataset rows' markup both nest by it)."""
    opening: list[str] = []
    closing: list[str] = []
    if marks.highlight:
        rgb = HIGHLIGHT_RGB[marks.highlight]
        opening.append(f'<mark data-color="{marks.highlight}" style="background-color:#{rgb}">')
        closing.append("</mark>")
    if marks.underline:
        opening.append("<u>")
        closing.append("</u>")
    if marks.emphasis:
        opening.append(f'<strong style="{EMPHASIS_STYLE}">')
        closing.append("</strong>")
    if marks.bold:
        opening.append("<b>")
        closing.append("</b>")
    if marks.italic:
        opening.append("<i>")
        closing.append("</i>")
    styles = []
    if marks.size is not None:
        styles.append(f"font-size:{points(marks.size)}pt")
    if marks.box:
        styles.append(BOX_STYLE)
    if marks.shading:
        styles.append(f"background-color:#{marks.shading}")
    if styles:
        opening.append(f'<span style="{";".join(styles)}">')
        closing.append("</span>")
    return "".join(opening), "".join(reversed(closing))


def paragraph_html(para: list[Span]) -> str:
    return "".join(span_html(s) for s in para)


def marked_paragraph_html(para: list[tuple[str, Marks]], tags: dict[Marks, tuple[str, str]]) -> str:
    """`paragraph_html` of a paragraph given as (text, marks) pairs; `tags` caches
    `marks_html` across calls (a card has few distinct marks and many spans)."""
    out: list[str] = []
    for text, marks in para:
        wrap = tags.get(marks)
        if wrap is None:
            wrap = tags[marks] = marks_html(marks)
        out.append(wrap[0] + escape(text, quote=False) + wrap[1])
    return "".join(out)


def cite_html(card: Card, style: str | None = CITE_STYLE, initials: bool = True) -> str:
    """The cite line with the short cite in bold (13 pt for pasting, plain for datasets)."""
    attr = f' style="{style}"' if style else ""
    return "".join(
        f"<strong{attr}>{escape(text, quote=False)}</strong>" if bold else escape(text, quote=False)
        for text, bold in cite_segments(card.cite, initials)
    )


def card_html(card: Card) -> list[str]:
    out = [f'<h4 style="{HEADING_STYLE[4]}">{escape(card.tag, quote=False)}</h4>']
    out.extend(
        f'<p style="{BODY_STYLE}">{escape(line, quote=False)}</p>'
        for line in card.undertag.splitlines()
        if line.strip()
    )
    if card.kind == "analytic":
        return out
    if card.cite.short or card.cite.full:
        out.append(f'<p style="{BODY_STYLE}">{cite_html(card)}</p>')
    out.extend(f'<p style="{BODY_STYLE}">{paragraph_html(p)}</p>' for p in card.body)
    return out


def render_html(cards: Iterable[Card], flat: bool = False, title: str = "") -> str:
    """A whole HTML document: headings h1..h4 for Pocket, Hat, Block and Tag, then cards."""
    lines = [
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        f"<title>{escape(title or 'Cards')}</title>",
        "</head>",
        f'<body style="{BODY_STYLE}">',
    ]
    for item in outline(cards, flat):
        if isinstance(item, Heading):
            style = HEADING_STYLE[item.level]
            lines.append(
                f'<h{item.level} style="{style}">{escape(item.text, quote=False)}</h{item.level}>'
            )
        else:
            lines.extend(card_html(item))
    lines += ["</body>", "</html>", ""]
    return "\n".join(lines)
