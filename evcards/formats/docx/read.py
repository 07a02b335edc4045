"""Verbatim .docx files into cards, reading document.xml with lxml directly.

A round document is a flat run of paragraphs; headings 1-4 (Pocket, Hat, Block, Tag) give it
its shape, and a card runs from its tag to the next heading. Within a card the first lines
may be notes (the undertag), then the cite (one line, or a short cite line and a
`(full cite)` line), then the body. Roles are read from styles where the file has them and
from direct formatting where it does not (de-styled files: bold paragraphs with outlineLvl 3).

The reading goes in three steps, a module each: `styles` says what a style means (heading
level, cite, emphasis, run properties), `runs` reads paragraphs into (text, marks) runs, and
`structure` cuts those paragraphs into cards. This module holds the entry points.

A .docx is a zip from a stranger: sizes are bounded before and while reading, and the XML
parser never loads a DTD or expands an entity (see `evcards.formats.docx.safe_zip`).
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from evcards.core.models import Card, Span, content_key_marked, new_card
from evcards.errors import InputFileError
from evcards.formats.docx.runs import Body, Para, Reader, has_char_reference, has_control
from evcards.formats.docx.safe_zip import check_xml, parse_xml, read_docx_parts
from evcards.formats.docx.scan import NotPlain, Scanner, body_text, proves_well_formed
from evcards.formats.docx.structure import Cards, assemble
from evcards.formats.docx.styles import Styles, StyleSheet, W


def parse_docx(path: Path, checked: bool = False) -> list[Card]:
    """Every card and analytic in a .docx file, in document order, each built through
    `new_card`.

    Imports do not come here: they take `read_docx_marked`, which builds no Span at all. So
    nothing is left to gain from skipping validation, and `checked` (which once chose the
    validated route over a fast one) is kept for the callers that pass it."""
    with _gc_paused():
        return [new_card(body=_spans(body), **fields) for fields, body in _parse(path)]


def read_docx_marked(path: Path) -> list[tuple[Card, Body]]:
    """Each card of `parse_docx(path)` with an empty body, beside its body as (text, Marks)
    pairs: what an import renders to TOML without a Span object per run (for the corpus,
    127,000 Span objects not built). The tests prove the TOML equal to the full cards'."""
    with _gc_paused():
        found = _parse(path, fast=True)
        cards: Cards[tuple[Card, Body]] = Cards(
            (Card.model_construct(id=_card_id(fields, body), body=[], **fields), body)
            for fields, body in found
        )
    cards.by_shape = found.by_shape  # cards found by their shape, for the import's summary
    return cards


@contextmanager
def _gc_paused() -> Iterator[None]:
    """The cyclic garbage collector paused while a file is read, and what the read made
    not rescanned on the way out.

    A long file makes a hundred thousand small objects and no cycles: pausing the collector
    meanwhile saves a third of the time it would spend rescanning them. Re-enabled with its
    allocation count that high, it would at once collect the young generation, walking every
    tuple of the cards just read (and, every tenth file, the older generations: about 15% of
    the reader over the corpus). `freeze` then `unfreeze` moves the objects alive to the
    oldest generation instead and zeroes the count, without looking at them; a later full
    collection still sees them all. Not done when something else has frozen objects, whose
    `unfreeze` is theirs to call."""
    paused = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if paused:
            if gc.get_freeze_count() == 0:
                gc.freeze()
                gc.unfreeze()
            gc.enable()


def _parse(path: Path, fast: bool = False) -> Cards[tuple[dict[str, Any], Body]]:
    """Each card's fields but its id and body, and its body as (text, marks) pairs."""
    document, styles = read_docx_parts(path)
    return assemble(paragraphs(document, styles, str(path), fast), path.name)


def paragraphs(document: bytes, styles: bytes | None, where: str, fast: bool) -> list[Para]:
    """document.xml's paragraphs. `fast` reads them with `scan.Scanner` where the document
    allows (`read_docx_marked`), else, and always for `parse_docx`, with `runs.Reader` over
    the lxml tree; what either says of a damaged file, the reference's parse says."""
    doc_where = f"{where}: word/document.xml"
    # Text can hold a control character only if the XML has one raw or as a reference; Word
    # writes neither inside the body, so most files skip the per-run check.
    start = document.find(b"<w:body")
    raw = has_control(document, max(start, 0))
    controls = raw or has_char_reference(document)
    if fast:
        found = _scanned(document, styles, where, controls, raw)
        if found is not None:
            return found
    doc_root = parse_xml(document, doc_where)
    sheet = StyleSheet(styles, f"{where}: word/styles.xml") if styles else None
    body = doc_root.find(W + "body")
    if body is None:
        raise InputFileError(f"{where}: word/document.xml has no body; is this a Word document?")
    return Reader(Styles(sheet), controls).paragraphs(body)


def _scanned(
    document: bytes, styles: bytes | None, where: str, controls: bool, raw: bool
) -> list[Para] | None:
    """The paragraphs as `scan.Scanner` reads them, or None to leave the document to the
    reference: not laid out as Word writes it, or not well-formed.

    The scan reads bytes no parser has checked: the document is well-formed when the
    markup its patterns passed over is (`Scanner.skeleton`, checked by libxml2 as
    `check_xml` checks the whole, a fifth of the size) and its text holds nothing XML
    refuses (`plain_chardata`); else it is checked whole (`check_xml`), as it always was.
    An error the scan meets is the document's only if the document is well-formed: a
    damaged one is the reference's parse to report."""
    try:
        text, root_tag, begin, end = body_text(document)
        sheet = StyleSheet(styles, f"{where}: word/styles.xml") if styles else None
        scanner = Scanner(Styles(sheet), controls, root_tag)
        paras = scanner.scan(text, begin, end)
        skeleton = scanner.skeleton(text, begin, end)
    except NotPlain:
        return None
    except Exception:
        if check_xml(document):
            raise
        return None
    proven = not raw and proves_well_formed(document, text, skeleton)
    return paras if proven or check_xml(document) else None


def _card_id(fields: dict[str, Any], body: Body) -> str:
    """The id `new_card` would give the card, from the pairs."""
    return content_key_marked(body, fields["tag"], fields["cite"], fields["kind"])


def _spans(body: Body) -> list[list[Span]]:
    return [[Span(text=text, **marks._asdict()) for text, marks in para] for para in body]
