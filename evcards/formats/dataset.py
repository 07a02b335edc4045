"""Rows in the OpenDebateEvidence layout (JSONL or CSV), out of and back into cards.

The public five-million-card dataset names its fields tag, cite (the bold short cite),
fullcite (the whole cite paragraph, short cite included), summary (underlined text), spoken
(highlighted text), fulltext, markup (HTML), pocket, hat, block and duplicateCount. Our rows
carry every mark in `markup` (see `evcards.formats.html.span_html`) and every cite field in
a `cite_<field>` column after those (`CITE_COLUMNS`), so export -> import -> export gives
the same bytes and library -> rows -> library the same cards. Rows from elsewhere are read
from their markup when they have one, else from the plain-text fields, and their cite's
fields are parsed from `fullcite` (`evcards.core.citeline`, which also says how `Cite.full`
relates to the paragraph).
"""

from __future__ import annotations

import csv
import difflib
import io
import json
import re
from collections.abc import Iterable, Iterator
from html import escape
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from evcards.core.citeline import paragraph_runs, reparsed
from evcards.core.models import (
    HIGHLIGHT_RGB,
    Card,
    Cite,
    Location,
    Marks,
    Source,
    Span,
    clean_text,
    new_card,
    normalize_body,
    normalize_color,
)
from evcards.core.syntax import CITE_FIELDS
from evcards.errors import InputFileError
from evcards.formats.odemarkup import content_of
from evcards.formats.rows import body_columns

FIELDS = (
    "tag",
    "cite",
    "fullcite",
    "summary",
    "spoken",
    "fulltext",
    "markup",
    "pocket",
    "hat",
    "block",
    "duplicateCount",
)
# evcards' own cite fields, beyond the dataset's `cite` (the short cite) and `fullcite`
# (the paragraph): `cite_full` is `Cite.full` as stored, then the parts.
CITE_COLUMNS = tuple(f"cite_{name}" for name in CITE_FIELDS if name != "short")
COLUMNS = FIELDS + CITE_COLUMNS
DEFAULT_HIGHLIGHT = "yellow"
# A dataset's duplicateCount has no file names behind it; each counted sighting is kept
# as a source of this name so the count survives a trip through the library.
DUPLICATE_SOURCE = "{file}#duplicate"


# -- export ------------------------------------------------------------------------------
MarkedBody = list[list[tuple[str, Marks]]]
# What the writers take: cards, or cards beside their bodies as (text, marks) pairs
# (`cardfile.read_marked`), which a library export reads without building a Span per
# stretch of text (bench/README.md, "Export benchmark").
Exportable = Card | tuple[Card, MarkedBody]


def row_markup(
    card: Card,
    marked: MarkedBody | None = None,
    body_html: str | None = None,
    cite_runs: list[tuple[str, bool, bool]] | None = None,
) -> str:
    """`<h4>` tag, undertag and cite paragraphs (classed, so they read back), body `<p>`s;
    `marked` is the body as pairs, in place of `card.body`, and `body_html` its `<p>`s;
    `cite_runs` the cite's `paragraph_runs`."""
    out = [f"<h4>{escape(card.tag, quote=False)}</h4>"]
    out.extend(
        f'<p class="undertag">{escape(line, quote=False)}</p>'
        for line in card.undertag.split("\n")
        if card.undertag
    )
    if card.cite.short or card.cite.full:
        out.append(f'<p class="cite">{cite_paragraph_html(card.cite, cite_runs)}</p>')
    if body_html is None:
        body_html = body_columns(_pairs(card) if marked is None else marked)[3]
    out.append(body_html)
    return "".join(out)


def _pairs(card: Card) -> MarkedBody:
    return [[(s.text, s.marks()) for s in para] for para in card.body]


def cite_paragraph_html(cite: Cite, runs: list[tuple[str, bool, bool]] | None = None) -> str:
    """The `fullcite` paragraph with the short cite's words in <strong>, as Word bolds them
    (`runs`: its `paragraph_runs`, when they are at hand)."""
    return "".join(
        f"<strong>{escape(text, quote=False)}</strong>" if bold else escape(text, quote=False)
        for text, bold, _ in (paragraph_runs(cite) if runs is None else runs)
    )


def card_row(
    card: Card, marked: MarkedBody | None = None, columns: tuple[str, str, str, str] | None = None
) -> dict[str, Any]:
    """The card as a row: the dataset's fields, then `CITE_COLUMNS` (None for an unknown part).
    `marked` is the body as pairs, in place of `card.body`, and `columns` its
    `body_columns`: the row is the same."""
    if columns is None:
        columns = body_columns(_pairs(card) if marked is None else marked)
    text, summary, spoken, body_html = columns
    cite = card.cite
    runs = paragraph_runs(cite)
    row: dict[str, Any] = {
        "tag": card.tag,
        "cite": cite.short,
        "fullcite": "".join([run[0] for run in runs]),  # citeline.paragraph
        "summary": summary,
        "spoken": spoken,
        "fulltext": text,
        "markup": row_markup(card, body_html=body_html, cite_runs=runs),
        "pocket": card.location.pocket,
        "hat": card.location.hat,
        "block": card.location.block,
        "duplicateCount": card.seen - 1,
    }
    row.update((column, getattr(cite, name)) for column, name in _CITE_ATTRS)
    return row


_CITE_ATTRS = tuple((f"cite_{name}", name) for name in CITE_FIELDS if name != "short")


def _row(item: Exportable) -> dict[str, Any]:
    return card_row(*item) if isinstance(item, tuple) else card_row(item)


def render_jsonl(cards: Iterable[Exportable]) -> str:
    dumps = json.dumps
    return "".join([dumps(_row(c), ensure_ascii=False) + "\n" for c in cards])


def render_csv(cards: Iterable[Exportable]) -> str:
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=COLUMNS)
    writer.writeheader()
    writer.writerows(_row(c) for c in cards)
    return buf.getvalue()


# -- import ------------------------------------------------------------------------------
_BLOCKS = {"p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "div", "blockquote"}
_VOID = {"br", "img", "hr", "meta", "link", "input", "wbr"}
_STYLE_ITEM = re.compile(r"\s*([a-z-]+)\s*:\s*([^;]+)")
_SIZE = re.compile(r"^([0-9]+(?:\.[0-9]+)?)pt$")
_HEX = re.compile(r"#([0-9a-fA-F]{6})\b")
_RGB_COLOR = {rgb: name for name, rgb in HIGHLIGHT_RGB.items()}


def _style(attrs: dict[str, str | None]) -> dict[str, str]:
    return {k: v.strip() for k, v in _STYLE_ITEM.findall((attrs.get("style") or "").lower())}


# The mark each inline element stands for (strong is our emphasis: bold and underlined).
_ELEMENT_MARK = {"u": "underline", "ins": "underline", "strong": "emphasis", "b": "bold"}
_ELEMENT_MARK |= {"i": "italic", "em": "italic"}


def _tag_marks(tag: str, attrs: dict[str, str | None]) -> dict[str, Any]:
    """The marks one element puts on the text inside it."""
    style = _style(attrs)
    if tag == "mark":
        return {"highlight": _mark_color(attrs, style)}
    marks: dict[str, Any] = {}
    if tag in _ELEMENT_MARK:
        marks[_ELEMENT_MARK[tag]] = True
    if tag != "strong":
        marks |= _style_marks(style)
    marks |= _box_marks(style)
    return marks


def _mark_color(attrs: dict[str, str | None], style: dict[str, str]) -> str:
    """A <mark>'s highlight colour: its data-color, else its background's Word colour."""
    color = normalize_color(attrs.get("data-color") or "")
    if color is None:
        hexes = _HEX.search(style.get("background-color", style.get("background", "")))
        color = _RGB_COLOR.get(hexes.group(1).upper()) if hexes else None
    return color or DEFAULT_HIGHLIGHT


def _style_marks(style: dict[str, str]) -> dict[str, Any]:
    marks: dict[str, Any] = {}
    if "underline" in style.get("text-decoration", ""):
        marks["underline"] = True
    if style.get("font-weight") in ("bold", "700", "800", "900"):
        marks["bold"] = True
    return marks


def _box_marks(style: dict[str, str]) -> dict[str, Any]:
    """Size, box and shading, which any element but <mark> may carry."""
    marks: dict[str, Any] = {}
    size = _SIZE.match(style.get("font-size", ""))
    if size:
        value = round(float(size.group(1)) * 2) / 2
        if 1.0 <= value <= 400.0:
            marks["size"] = value
    if style.get("border", "none") not in ("none", "0"):
        marks["box"] = True
    background = _HEX.search(style.get("background-color", style.get("background", "")))
    if background:
        marks["shading"] = background.group(1).upper()
    return marks


class _MarkupReader(HTMLParser):
    """HTML to blocks: (element, class, spans). Text outside a block is layout and dropped."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[tuple[str, str, list[Span]]] = []
        self.block: tuple[str, str, list[Span]] | None = None
        self.stack: list[tuple[str, dict[str, Any]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _BLOCKS:
            self._close()
            self.block = (tag, dict(attrs).get("class") or "", [])
            self.stack = []
        elif tag == "br":
            self._text(" ")
        elif tag not in _VOID:
            self.stack.append((tag, _tag_marks(tag, dict(attrs))))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "br":
            self._text(" ")

    def handle_endtag(self, tag: str) -> None:
        if tag in _BLOCKS:
            self._close()
            return
        for i in range(len(self.stack) - 1, -1, -1):
            if self.stack[i][0] == tag:
                del self.stack[i:]
                break

    def handle_data(self, data: str) -> None:
        self._text(data)

    def _text(self, data: str) -> None:
        if self.block is None or not data:
            return
        marks: dict[str, Any] = {}
        for _, m in self.stack:
            marks.update(m)
        self.block[2].append(Span(text=clean_text(data), **marks))

    def _close(self) -> None:
        if self.block is not None:
            self.blocks.append(self.block)
        self.block = None
        self.stack = []


def parse_markup(html: str, fullcite: str = "", short: str = "") -> dict[str, Any]:
    """A row's markup as tag, undertag, headings and body; the cite paragraph is left out."""
    reader = _MarkupReader()
    reader.feed(html)
    reader.close()
    reader._close()
    return content_of(
        reader.blocks, lambda spans: "".join(s.text for s in spans), normalize_body, fullcite, short
    )


def body_from_text(fulltext: str, summary: str, spoken: str) -> list[list[Span]]:
    """Rows without markup: the full text, with the summary's words underlined and the
    spoken words highlighted where they line up with it (difflib's longest matches)."""
    if not fulltext.strip():
        fulltext = summary if summary.strip() else spoken
    paragraphs = [clean_text(p) for p in fulltext.split("\n")]
    tokens: list[tuple[int, str]] = []  # (paragraph, token); whitespace tokens kept
    for n, para in enumerate(paragraphs):
        tokens.extend((n, t) for t in re.split(r"(\s+)", para) if t)
    flags: list[dict[str, Any]] = [{} for _ in tokens]
    _mark_matches(tokens, flags, summary, "underline", True)
    _mark_matches(tokens, flags, spoken, "highlight", "yellow")
    body: list[list[Span]] = [[] for _ in paragraphs]
    for (n, token), marks in zip(tokens, flags, strict=True):
        body[n].append(Span(text=token, **marks))
    return normalize_body(body)


def _mark_matches(
    tokens: list[tuple[int, str]], flags: list[dict[str, Any]], phrase: str, mark: str, value: Any
) -> None:
    """Set `mark` on the tokens (and the spaces between them) that the phrase's words match."""
    target = phrase.split()
    if not target:
        return
    word_at = [i for i, (_, t) in enumerate(tokens) if not t.isspace()]
    words = [tokens[i][1] for i in word_at]
    matcher = difflib.SequenceMatcher(None, words, target, autojunk=False)
    for block in matcher.get_matching_blocks():
        if block.size < 1:
            continue
        first, last = word_at[block.a], word_at[block.a + block.size - 1]
        for i in range(first, last + 1):
            flags[i][mark] = value


def text_field(row: dict[str, Any], name: str, where: str) -> str:
    """The row's text field `name` ("" when absent); InputFileError when it is not text."""
    value = row.get(name)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise InputFileError(f"{where}: field '{name}' must be text, not {type(value).__name__}")
    return value


def row_card(row: dict[str, Any], where: str, file: str, position: int) -> Card | None:
    """One row as a card; None for a row with nothing in it."""
    if not isinstance(row, dict):
        raise InputFileError(f"{where}: expected an object with fields such as tag and fulltext")
    tag, short, full = (clean_text(text_field(row, f, where)) for f in ("tag", "cite", "fullcite"))
    found = _row_content(row, where, full, short)
    cite = _row_cite(row, where, short, full)
    tag = tag or found.get("tag", "")
    body = found["body"]
    if not (tag or cite.short or cite.full or body):
        return None
    analytic = not (body or cite.short or cite.full)
    sources = _sources(file, position, _duplicate_count(row, where))
    return new_card(
        tag=tag,
        kind="analytic" if analytic else "card",
        cite=cite,
        undertag="\n".join(found.get("undertags", [])),
        location=_location(row, where, found["headings"]),
        sources=sources,
        body=body,
    )


def _row_cite(row: dict[str, Any], where: str, short: str, fullcite: str) -> Cite:
    """The row's cite: each `cite_<field>` column the row has gives that field as it was
    stored; fields without one are parsed from the paragraph (`citeline.reparsed`). A row of
    ours has them all; an OpenDebateEvidence row has none, and its paragraph is `Cite.full`."""
    given = {c[5:]: clean_text(text_field(row, c, where)) for c in CITE_COLUMNS if c in row}
    cite = Cite(short=short, full=given.pop("full", fullcite))
    if (cite.short or cite.full) and len(given) < len(CITE_COLUMNS) - 1:
        cite = reparsed(cite)
    return cite.model_copy(update={name: value or None for name, value in given.items()})


def _row_content(row: dict[str, Any], where: str, full: str, short: str) -> dict[str, Any]:
    """The row's body, and its tag, undertags and headings: from its markup when it has some,
    else from its plain-text fields."""
    html = text_field(row, "markup", where)
    if html.strip():
        return parse_markup(html, full, short)
    body = body_from_text(
        text_field(row, "fulltext", where),
        text_field(row, "summary", where),
        text_field(row, "spoken", where),
    )
    return {"body": body, "headings": {}}


def _duplicate_count(row: dict[str, Any], where: str) -> int:
    count = row.get("duplicateCount") or 0
    if isinstance(count, str):
        count = int(count) if count.strip().isdigit() else 0
    if not isinstance(count, int) or isinstance(count, bool) or count < 0:
        raise InputFileError(f"{where}: duplicateCount must be a whole number of at least 0")
    return count


def _sources(file: str, position: int, duplicates: int) -> list[Source]:
    sources = [Source(file=file, position=position)]
    sources += [
        Source(file=DUPLICATE_SOURCE.format(file=file), position=k + 1) for k in range(duplicates)
    ]
    return sources


def _location(row: dict[str, Any], where: str, headings: dict[str, str]) -> Location:
    """Pocket, hat and block from the row's fields, else from its markup's h1, h2, h3."""
    return Location(
        pocket=clean_text(text_field(row, "pocket", where)) or headings.get("h1", ""),
        hat=clean_text(text_field(row, "hat", where)) or headings.get("h2", ""),
        block=clean_text(text_field(row, "block", where)) or headings.get("h3", ""),
    )


def parse_rows(text: str, suffix: str, name: str) -> list[Card]:
    """Every card in a .jsonl or .csv file's text; `name` is how errors and sources call it."""
    cards = []
    rows: Iterable[tuple[int, Any]]
    if suffix == ".csv":
        # One long card's markup passes csv's default 128 KiB field limit.
        csv.field_size_limit(max(csv.field_size_limit(), 64 * 1024 * 1024))
        reader = csv.DictReader(io.StringIO(text, newline=""))
        if not reader.fieldnames or not {"tag", "fulltext", "markup"} & set(reader.fieldnames):
            raise InputFileError(
                f"{name}: not an OpenDebateEvidence CSV; the header needs tag, fulltext or markup"
            )
        rows = ((reader.line_num, row) for row in reader)
    else:
        rows = _known_layout(_json_rows(text, name), name)
    try:
        for line, row in rows:
            card = row_card(row, f"{name}, line {line}", name, line)
            if card is not None:
                cards.append(card)
    except csv.Error as e:
        raise InputFileError(f"{name}: not readable as CSV ({e}); save it as UTF-8 CSV") from None
    return cards


def _json_rows(text: str, name: str) -> Iterable[tuple[int, Any]]:
    # Only \n ends a row: str.splitlines() would also split at U+2028 and NEL inside text.
    for n, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        try:
            yield n, json.loads(line)
        except json.JSONDecodeError as e:
            raise InputFileError(
                f"{name}, line {n}: not JSON ({e.msg}); each line must be one JSON object"
            ) from None


def _known_layout(rows: Iterable[tuple[int, Any]], name: str) -> Iterator[tuple[int, Any]]:
    """The rows, once the first has been seen to carry OpenDebateEvidence fields: a dataset in
    another layout (DebateSum's id, selections, docs) gave 0 cards and advice about Heading 4."""
    for n, (line, row) in enumerate(rows):
        if n == 0 and isinstance(row, dict) and not set(FIELDS) & set(row):
            keys = ", ".join(list(row)[:4]) + (", ..." if len(row) > 4 else "")
            raise InputFileError(
                f"{name}, line {line}: not OpenDebateEvidence rows (its fields: {keys}); a"
                " dataset in another layout is for collections (`evcards collection add NAME"
                " FILE`), not for import"
            )
        yield line, row


def parse_rows_file(path: Path) -> list[Card]:
    """Every card in a .jsonl or .csv file (the format registry's reader)."""
    from evcards.formats.paste import read_text

    return parse_rows(read_text(str(path)), path.suffix.lower(), path.name)
