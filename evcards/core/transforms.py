"""Verbatim's formatting helpers as pure functions on card bodies.

Each takes a canonical body and returns a new canonical body; none of them changes a word of
the card's text except `condense`, which only joins paragraphs (optionally with `¶`).
"""

from __future__ import annotations

from evcards.core.markup import DEFAULT_SHRINK
from evcards.core.models import Span, normalize_body

PILCROW = "¶"

Body = list[list[Span]]


def condense(body: Body, pilcrows: bool = False) -> Body:
    """All paragraphs joined into one, separated by a space or by ` ¶ ` (Verbatim's Condense).

    Paragraph edges are trimmed of spaces first so the joints read as one space each.
    """
    if len(body) <= 1:
        return normalize_body(body)
    joint = Span(text=f" {PILCROW} " if pilcrows else " ")
    joined: list[Span] = []
    for para in body:
        para = _strip_edges(para)
        if para:
            if joined:
                joined.append(joint)
            joined.extend(para)
    return normalize_body([joined])


def _strip_edges(para: list[Span]) -> list[Span]:
    para = [s for s in para if s.text]
    if para:
        para[0] = para[0].with_text(para[0].text.lstrip(" "))
    if para:
        para[-1] = para[-1].with_text(para[-1].text.rstrip(" "))
    return [s for s in para if s.text]


def shrink(body: Body, size: float = DEFAULT_SHRINK) -> Body:
    """Text that is neither underlined, emphasised nor highlighted set to `size` points.

    Highlighted text is read aloud, so it keeps its size even without underlining; text that
    is already smaller than `size` stays as small as it is.
    """
    out = []
    for para in body:
        new = []
        for span in para:
            if span.is_underlined or span.highlight is not None:
                new.append(span)
            elif span.size is None or span.size > size:
                new.append(span.model_copy(update={"size": size}))
            else:
                new.append(span)
        out.append(new)
    return normalize_body(out)


def unhighlighted_underline_off(body: Body) -> Body:
    """Underlining removed wherever the text is not highlighted (emphasis is kept: key words)."""
    out = [
        [
            s.model_copy(update={"underline": False}) if s.underline and not s.highlight else s
            for s in para
        ]
        for para in body
    ]
    return normalize_body(out)


def standardize_highlight(body: Body, color: str) -> Body:
    """Every highlighted stretch in one colour, whatever colour it had."""
    out = [
        [s.model_copy(update={"highlight": color}) if s.highlight else s for s in para]
        for para in body
    ]
    return normalize_body(out)
