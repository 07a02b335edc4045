"""DebateSum rows as cards: the CSV's columns, and the JSONL wrapping of them.

DebateSum (187,000 cards from the OpenEv camp files, 2013-2019) has the columns
`Full-Document, Citation, Extract, Abstract, #CharsDocument, ..., OriginalDebateFileName`:
Abstract is the tag, Citation the cite paragraph, Full-Document the body and Extract its
underlined text. Its lines are wrapped as the PDFs were, so a line break is a space. The
JSONL copy wraps a CSV row in `source_sample` and gives the underlined stretches as offsets
into the body (`selections`), which are read as they are; the CSV's Extract is lined up
with the body word by word (`dataset.body_from_text`).
"""

from __future__ import annotations

import re
from typing import Any

from evcards.core.citeline import reparsed
from evcards.core.models import (
    PLAIN,
    Card,
    Cite,
    Marks,
    Source,
    Span,
    clean_text,
    new_card,
    normalize_body,
)
from evcards.errors import InputFileError
from evcards.formats.dataset import text_field
from evcards.formats.odemarkup import Pairs, normalize_pairs

COLUMNS = ("Full-Document", "Citation", "Extract", "Abstract")
_YEAR = re.compile(r"^((?:19|20)\d\d)")


def is_debatesum(columns: Any) -> bool:
    """Whether a header (or a row's keys) is DebateSum's."""
    return "Full-Document" in columns and ("Abstract" in columns or "Citation" in columns)


def is_wrapped(row: Any) -> bool:
    """Whether a JSON row is the JSONL wrapping (`source_sample` holds the CSV row)."""
    return isinstance(row, dict) and isinstance(row.get("source_sample"), dict)


def _one_line(text: str) -> str:
    return " ".join(clean_text(text).split())


def year_of(row: dict[str, Any]) -> int | None:
    """The season: the Year column, else the OpenEv folder the file came from (2014OpenEv/)."""
    year = row.get("Year")
    if isinstance(year, int) and not isinstance(year, bool):
        return year
    if isinstance(year, str) and year.strip().isdigit():
        return int(year)
    found = _YEAR.match(str(row.get("OriginalDebateFileName") or ""))
    return int(found.group(1)) if found else None


def card_of(
    row: dict[str, Any],
    file: str,
    position: int,
    spans: list[tuple[int, int]] | None = None,
    cites: bool = True,
    quick: bool = True,
) -> Card | None:
    """A DebateSum row as a card; `spans` the underlined (start, end) offsets into
    Full-Document when they are known, else Extract is lined up with it; `cites`: parse
    the cite paragraph into its fields (else only the paragraph is kept). None: an empty
    row. `quick`: built as `odecard.built_card` builds (the same card; `quick=False`, the
    reference, validates every Span and the Card, at three times the cost)."""
    where = f"{file}, row {position}"
    document = text_field(row, "Full-Document", where)
    tag = _one_line(text_field(row, "Abstract", where))
    full = _one_line(text_field(row, "Citation", where))
    cite = reparsed(Cite(full=full)) if full and cites else Cite(full=full)
    kind = "card" if full else "analytic"
    sources = [Source(file=file, position=position)]
    if spans is not None and quick:
        from evcards.formats.odecard import built_card

        pairs = underlined_pairs(document, spans)
        if not (tag or full or pairs):
            return None
        kind = "card" if pairs else kind
        return built_card(tag=tag, kind=kind, cite=cite, sources=sources, body=pairs)
    if spans is None:
        from evcards.formats.dataset import body_from_text

        body = body_from_text(clean_text(document), text_field(row, "Extract", where), "")
    else:
        body = _underlined(document, spans)
    if not (tag or full or body):
        return None
    kind = "card" if body else kind
    return new_card(tag=tag, kind=kind, cite=cite, sources=sources, body=body)


def _cuts(document: str, spans: list[tuple[int, int]]) -> list[tuple[str, bool]]:
    """The document cut at the underlined offsets: (text, underlined) pieces, in order."""
    out: list[tuple[str, bool]] = []
    at = 0
    for start, end in sorted(spans):
        start, end = max(start, at), min(end, len(document))
        if end <= start:
            continue
        if start > at:
            out.append((clean_text(document[at:start]), False))
        out.append((clean_text(document[start:end]), True))
        at = end
    if at < len(document):
        out.append((clean_text(document[at:]), False))
    return out


def underlined_pairs(document: str, spans: list[tuple[int, int]]) -> list[Pairs]:
    """`_underlined` as (text, Marks) pairs, no Span built."""
    return normalize_pairs([[(t, _UNDERLINED if u else PLAIN) for t, u in _cuts(document, spans)]])


_UNDERLINED = Marks(underline=True)


def _underlined(document: str, spans: list[tuple[int, int]]) -> list[list[Span]]:
    return normalize_body([[Span(text=t, underline=u) for t, u in _cuts(document, spans)]])


def wrapped_spans(row: dict[str, Any], where: str) -> list[tuple[int, int]]:
    """The underlined offsets of a wrapped row (its first document's selections)."""
    spans: list[tuple[int, int]] = []
    groups = row.get("selections") or []
    if not isinstance(groups, list):
        raise InputFileError(f"{where}: 'selections' must be a list")
    for group in groups:
        items = group.get("selections") if isinstance(group, dict) else None
        for item in items if isinstance(items, list) else []:
            if not isinstance(item, dict) or item.get("doc_id", 0) != 0:
                continue
            start, end = item.get("start_pos"), item.get("end_pos")
            if not (isinstance(start, int) and isinstance(end, int)):
                raise InputFileError(f"{where}: a selection's start_pos/end_pos must be numbers")
            spans.append((start, end))
    return spans
