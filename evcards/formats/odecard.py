"""An OpenDebateEvidence row as a collection card, fast, and its markup's cost bounded.

`ode_card_reference` is the card `evcards import` makes of the row (`dataset.row_card`)
but for its sources: one, the file and row, with the dataset's duplicateCount left to
`DatasetRow.duplicates`. `ode_card` is the same card made for a collection build, where
every microsecond counts a million times (bench/README.md, "Dataset readers"): the markup
read into (text, Marks) pairs by one regex (`odemarkup.quick_markup`), the id hashed from
the pairs (`content_key_marked`), the Spans and the Card built from values already
checked and canonical (pydantic validated them again, normalize_body included, at 190 us
for a 100-span body), and a cite paragraph seen before parsed once (`_cite`).
tests/test_odecard.py proves the two make equal cards.

A row's markup is other people's HTML: one with more elements than `MAX_MARKUP_TAGS` or
nested deeper than `MAX_MARKUP_DEPTH` is refused before it is parsed
(`odemarkup.check_markup`), so a bomb costs one pass of a regex over its text.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Any

from evcards.core.models import (
    Card,
    Cite,
    Location,
    Marks,
    Source,
    Span,
    clean_text,
    content_key_marked,
    new_card,
)
from evcards.errors import InputFileError
from evcards.formats.dataset import (
    CITE_COLUMNS,
    _location,
    _row_cite,
    _row_content,
    body_from_text,
    text_field,
)
from evcards.formats.odemarkup import Pairs, check_markup, check_tags, quick_markup

_SPAN_SET = {"text", *Marks._fields}
_new = object.__new__
_set = object.__setattr__


def _span(text: str, marks: Marks) -> Span:
    """A Span of values already valid (text cleaned, marks from the markup's elements)."""
    return _spans([(text, marks)])[0]


_MARK_FIELDS: dict[Marks, dict[str, Any]] = {}


def _spans(pairs: Pairs) -> list[Span]:
    out = []
    for text, marks in pairs:
        fields = _MARK_FIELDS.get(marks)
        if fields is None:
            fields = marks._asdict()
            if len(_MARK_FIELDS) < 4096:
                _MARK_FIELDS[marks] = fields
        span = _new(Span)
        values = {"text": text}
        values.update(fields)
        _set(span, "__dict__", values)
        _set(span, "__pydantic_fields_set__", _SPAN_SET)  # one set for all: a Span is frozen
        _set(span, "__pydantic_extra__", None)
        _set(span, "__pydantic_private__", None)
        out.append(span)
    return out


def ode_card_reference(row: dict[str, Any], file: str, position: int) -> Card | None:
    """One row as a card, every model validated; None for a row with nothing in it."""
    where = f"{file}, row {position}"
    if not isinstance(row, dict):
        raise InputFileError(f"{where}: expected an object with fields such as tag and fulltext")
    tag, short, full = (clean_text(text_field(row, f, where)) for f in ("tag", "cite", "fullcite"))
    check_markup(text_field(row, "markup", where), where)
    found = _row_content(row, where, full, short)
    cite = _row_cite(row, where, short, full)
    tag = tag or found.get("tag", "")
    body = found["body"]
    if not (tag or cite.short or cite.full or body):
        return None
    analytic = not (body or cite.short or cite.full)
    return new_card(
        tag=tag,
        kind="analytic" if analytic else "card",
        cite=cite,
        undertag="\n".join(found.get("undertags", [])),
        location=_location(row, where, found["headings"]),
        sources=[Source(file=file, position=position)],
        body=body,
    )


def ode_card(row: dict[str, Any], file: str, position: int, cites: bool = True) -> Card | None:
    """`ode_card_reference`, built without validating again what is valid already.
    `cites=False`: the cite paragraph is not parsed (`unparsed_cite`)."""
    made = ode_card_marked(row, file, position, cites)
    return None if made is None else made[0]


def ode_card_marked(
    row: dict[str, Any], file: str, position: int, cites: bool = True, spans: bool = True
) -> tuple[Card, list[Pairs]] | None:
    """`ode_card` and its body as the (text, Marks) pairs its Spans were built from, which
    a collection build writes and indexes without reading the Spans back (`card.body`
    equals them, pair for pair). `spans=False`: no Span is built, the card's body is left
    empty and the pairs are its body."""
    where = f"{file}, row {position}"
    if not isinstance(row, dict):
        raise InputFileError(f"{where}: expected an object with fields such as tag and fulltext")
    tag, short, full = (clean_text(text_field(row, f, where)) for f in ("tag", "cite", "fullcite"))
    found = _content(row, where, full, short)
    cite = _cite(row, where, short, full) if cites else unparsed_cite(row, where, short, full)
    tag = tag or found.get("tag", "")
    body: list[Pairs] = found["body"]
    if not (tag or cite.short or cite.full or body):
        return None
    kind = "card" if (body or cite.short or cite.full) else "analytic"
    card = built_card(
        tag=tag,
        kind=kind,
        cite=cite,
        undertag="\n".join(found.get("undertags", [])),
        location=_location(row, where, found["headings"]),
        sources=[Source(file=file, position=position)],
        body=body,
        spans=spans,
    )
    return card, body


def built_card(
    *,
    tag: str,
    kind: str,
    cite: Cite,
    sources: list[Source],
    body: list[Pairs],
    undertag: str = "",
    location: Location | None = None,
    spans: bool = True,
) -> Card:
    """`new_card` of values already valid and a canonical body of pairs (`normalize_pairs`),
    nothing validated again: the id hashed from the pairs, the Spans built from them
    (`spans=False`: the body left empty, for a caller that keeps the pairs)."""
    return Card.model_construct(
        id=content_key_marked(body, tag, cite, kind),
        tag=tag,
        kind=kind,
        cite=cite,
        undertag=undertag,
        location=location if location is not None else Location(),
        labels=[],
        sources=sources,
        body=[_spans(para) for para in body] if spans else [],
    )


def _content(row: dict[str, Any], where: str, full: str, short: str) -> dict[str, Any]:
    html = text_field(row, "markup", where)
    if html.strip():
        check_tags(html, where)
        try:
            found = quick_markup(html, full, short)
        except InputFileError as e:  # nested too deep
            raise InputFileError(f"{where}: {e}") from None
        if found is not None:
            return found
        check_markup(html, where)
        found = _row_content(row, where, full, short)
    else:
        body = body_from_text(
            text_field(row, "fulltext", where),
            text_field(row, "summary", where),
            text_field(row, "spoken", where),
        )
        found = {"body": body, "headings": {}}
    found["body"] = [[(s.text, s.marks()) for s in para] for para in found["body"]]
    return found


# Cites parsed lately, by what they were parsed from: about half of a caselist's rows re-cut
# another card, cite and all, and parsing one costs more than the rest of its row.
_CITES: OrderedDict[tuple[Any, ...], Cite] = OrderedDict()
CITE_CACHE = 4096


def _cite(row: dict[str, Any], where: str, short: str, full: str) -> Cite:
    key = (short, full, *map(row.get, CITE_COLUMNS))  # None for a column the row has not
    cite = _CITES.get(key)
    if cite is None:  # the row's fields are checked here; a hit has a checked row's values
        cite = _CITES[key] = _row_cite(row, where, short, full)
        if len(_CITES) > CITE_CACHE:
            _CITES.popitem(last=False)
    else:
        _CITES.move_to_end(key)
    return cite


def unparsed_cite(row: dict[str, Any], where: str, short: str, full: str) -> Cite:
    """`dataset._row_cite` without the parse: the fields our rows give in `cite_*`
    columns, the short cite and the paragraph, and no author or date read from it. Parsing
    a cite paragraph costs about 650 us, three times the rest of its row (bench/README.md,
    "Dataset readers"): a build may leave it to worker processes or do without."""
    given = {c[5:]: clean_text(text_field(row, c, where)) for c in CITE_COLUMNS if c in row}
    cite = Cite(short=short, full=given.pop("full", full))
    if not given:
        return cite
    return cite.model_copy(update={name: value or None for name, value in given.items()})
