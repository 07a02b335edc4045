"""The cite's parts read last, from what names and dates left: the publication after the title
and the quals (who the author is) before it. Each takes its spans and returns its text."""

from __future__ import annotations

import re

from evcards.core.citespans import Segment, Spans

_TRAILING_NUMBERS = re.compile(r"[\s,]+\d[\d.:()\s,-]*$")
_TWO_LETTERS = re.compile(r"[^\W\d_]{2}")
_LETTER = re.compile(r"[^\W\d_]")


def take_publication(
    spans: Spans, segs: list[Segment], title: tuple[int, int] | None
) -> str | None:
    """The segment right after the title, when it is words and not a date or a URL."""
    if title is None:
        return None
    text = spans.text
    for seg in segs:
        if seg.start < title[1]:
            continue
        between = text[title[1] : seg.start]
        if "(" in between or "[" in between or not _only_dates(spans, title[1], seg.start):
            return None
        pub = _TRAILING_NUMBERS.sub("", seg.text)
        if not _TWO_LETTERS.search(pub) or len(pub.split()) > 12:
            return None
        if spans.take("publication", seg.start, seg.start + len(pub)):
            return pub
        return None
    return None


_TRAILING_NUMBERS = re.compile(r"[\s,]+\d[\d.:()\s,-]*$")
_TWO_LETTERS = re.compile(r"[^\W\d_]{2}")
_LETTER = re.compile(r"[^\W\d_]")


def _only_dates(spans: Spans, a: int, b: int) -> bool:
    """Nothing but dates (and separators) is taken between a and b."""
    k = spans.next_taken(a)
    while k < b:
        if spans.label_at(k) != "date":
            return False
        k = spans.next_taken(k + 1)
    return True


def take_quals(spans: Spans, segs: list[Segment], title: tuple[int, int] | None) -> str | None:
    """The words before the title that are not the author or the date: who the author is."""
    parts = []
    for seg in segs:
        if title is not None and seg.start > title[0]:
            break
        if title is None and spans.next_taken(seg.end) < len(spans.text):
            label = spans.label_at(spans.next_taken(seg.end))
            if label in ("url", "accessed", "keyword", "initials") and len(seg.text) < 4:
                continue
        if _LETTER.search(seg.text) and spans.take("quals", seg.start, seg.end):
            parts.append(" ".join(seg.text.split()))
    return "; ".join(parts) or None
