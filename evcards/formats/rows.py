"""A dataset row's body columns straight from body markup: the fast twin of
`markup.parse_marked` followed by `dataset.body_fields`.

`fulltext`, `summary`, `spoken` and the body's `<p>` HTML come from one `re.split` of the
markup and a running XOR of the toggles' bits (`itertools.accumulate`, in C), with no
(text, Marks) pair and no Python call per stretch but one loop for the HTML. It reads the
markup nearly every card has: the toggles `_`, `**`, plain `==`, plain `~`, `{b}`, `{i}`,
`{box}`, escapes of markup characters, soft and paragraph breaks. Anything else (a colour
or size in braces, shading, a mark left open, a blank paragraph, an escape of a letter)
gives None, and the caller takes the reference route, which also gives the reference's
error. tests/test_rows.py checks the agreement with hypothesis and on the corpus.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from html import escape
from itertools import accumulate
from json.encoder import encode_basestring  # json.dumps' own, for ensure_ascii=False
from operator import xor
from typing import Any

from evcards.core.models import Marks
from evcards.formats.html import marked_paragraph_html, marks_html

MarkedBody = list[list[tuple[str, Marks]]]

# The dataset's body columns: fulltext, summary (underlined), spoken, body HTML (`<p>`s).
BodyFields = tuple[str, str, str, str]

_PARA = re.compile(r"\n(?:[ \t]*\n)+")  # markup.TOKEN's `para`, then its `soft`
_SOFT = re.compile(r"\n[ \t]*")
_ESCAPE = re.compile(r"\\(.)")  # TOKEN's `esc` (`.`: not a line break)
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
# Each toggle's bit in a stretch's mask; `_mask_marks` turns a mask into its Marks. The body
# is cut at the toggles by `str.replace` and one `str.split` (a regex split scans a 5 KB
# body at several ns a character): each toggle becomes `_CUT` and a character saying which.
_BITS = {"**": 2, "==": 8, "{box}": 4, "{b}": 32, "{i}": 64, "_": 1, "~": 16}
_CUT = "\x00"
_CODE = {tok: chr(0x10 + n) for n, tok in enumerate(_BITS)}
_CODE_BIT = {code: _BITS[tok] for tok, code in _CODE.items()}
_UNDERLINED = 1 | 2  # underline or emphasis: the summary's stretches
_SPOKEN = 8
# An escaped markup character (or blank, which would otherwise join a line break) stands in
# the text as a control character until the columns are made: `prepared` has removed every
# one of these, and none is whitespace to str.split.
_HOLD = {c: chr(n) for c, n in zip("\\_*=~{} \t", (1, 2, 3, 4, 5, 6, 7, 8, 14), strict=True)}
_CAN_HOLD = frozenset(_HOLD)


def _mask_marks(mask: int, color: str) -> Marks:
    return Marks(
        underline=bool(mask & 1),
        emphasis=bool(mask & 2),
        box=bool(mask & 4),
        highlight=color if mask & 8 else None,
        bold=bool(mask & 32),
        italic=bool(mask & 64),
        size=8.0 if mask & 16 else None,
    )


# Per highlight colour: each mask's opening tags, closing tags, and paragraph break (close,
# `</p><p>`, open again), as `html.marks_html` nests them.
_Tags = tuple[list[str], list[str], list[str]]
_TAGS: dict[str, _Tags] = {}


def _tags(color: str) -> _Tags:
    found = _TAGS.get(color)
    if found is None:
        wraps = [marks_html(_mask_marks(m, color)) for m in range(128)]
        opening = [o for o, _ in wraps]
        closing = [c for _, c in wraps]
        breaks = [c + "</p><p>" + o for o, c in wraps]
        found = _TAGS[color] = (opening, closing + [""], breaks)  # closing[-1]: none open
    return found


def _held(body: str) -> tuple[str, set[str]] | None:
    """The body with each escape's character held (`_HOLD`), and those characters; None for
    an escape of any other character (a letter could make `{b}` or `=={green}` of text)."""
    chars = set(_ESCAPE.findall(body))
    if not chars <= _CAN_HOLD:
        return None
    return _ESCAPE.sub(lambda m: _HOLD[m.group(1)], body), chars


def _restore(text: str, chars: set[str]) -> str:
    # str.replace, not str.translate: translate maps a non-ASCII string a character at a time
    for c in chars:
        text = text.replace(_HOLD[c], c)
    return text


def _cut(body: str) -> list[str]:
    """The body's stretches of text, each after the first led by its toggle's code."""
    for tok, code in _CODE.items():  # `**` and `==` before `_`: `{b}` holds none of them
        if tok in body:
            body = body.replace(tok, _CUT + code)
    return body.split(_CUT)


def _lines(body: str) -> str:
    """Paragraph breaks as one \\n, soft breaks as a space (TOKEN's `para` and `soft`)."""
    n = body.count("\n")
    if n == 2 * body.count("\n\n") and "\n\n\n" not in body:
        return body.replace("\n\n", "\n")  # as `render` writes paragraphs: no soft break
    return _SOFT.sub(" ", _PARA.sub(_CUT, body)).replace(_CUT, "\n")


def body_fields(
    markup: str, default_highlight: str = "yellow", *, clean: bool = False
) -> BodyFields | None:
    """fulltext, summary, spoken and body HTML of `markup`, as the dataset row has them from
    `markup.parse_marked(markup, default_highlight)`; None where this reader cannot vouch
    for the markup (the reference then reads it). `clean`: the caller knows the markup
    holds no control character but tab and line break."""
    prepared = _prepared(markup, clean)
    if prepared is None:
        return None
    body, held = prepared
    cut = _stretches(body)
    if cut is None:
        return None
    texts, masks = cut
    full = "".join(texts)
    if held:
        full = _restore(full, held)
    if any(not p or p.isspace() for p in full.split("\n")):
        return None  # a blank paragraph, which the canonical body drops
    html = _body_html(texts, masks, body, default_highlight)
    if html is None:
        return None
    pairs = list(zip(texts, masks, strict=True))
    summary, spoken = _kept_of(pairs, _UNDERLINED), _kept_of(pairs, _SPOKEN)
    if held:
        summary, spoken, html = (_restore(s, held) for s in (summary, spoken, html))
    return full, " ".join(summary.split()), " ".join(spoken.split()), html


def _kept_of(pairs: list[tuple[str, int]], bits: int) -> str:
    """The stretches with one of these marks; each one left out is a gap (a space), but an
    empty one, between two toggles, is none (whitespace is collapsed afterwards)."""
    return "".join([t if m & bits or not t else " " for t, m in pairs])


def _prepared(markup: str, clean: bool) -> tuple[str, set[str]] | None:
    """`markup.prepared`, escapes held and line breaks made plain (`_lines`); None for an
    escape `_held` cannot hold."""
    body = markup.replace("\r\n", "\n").replace("\r", "\n").strip("\n")
    if not clean:
        body = _CONTROL.sub("", body)
    held: set[str] = set()
    if "\\" in body:
        found = _held(body)
        if found is None:
            return None
        body, held = found
    return (_lines(body) if "\n" in body else body), held


def _stretches(body: str) -> tuple[list[str], list[int]] | None:
    """The body's stretches of text and the mask of the marks on each; None for a brace no
    toggle took (a colour, a size, shading, or a mistake) or a mark left open."""
    parts = _cut(body)
    texts = [parts[0], *[p[1:] for p in parts[1:]]]
    if any("{" in t for t in texts):
        return None
    masks = list(accumulate([_CODE_BIT[p[0]] for p in parts[1:]], xor, initial=0))
    return None if masks[-1] else (texts, masks)


def _body_html(texts: list[str], masks: list[int], body: str, color: str) -> str | None:
    """The body's `<p>` paragraphs, each stretch in its marks' elements, neighbours with
    equal marks merged (`html.marked_paragraph_html` of the canonical body)."""
    if "&" in body or "<" in body or ">" in body:
        texts = [escape(t, quote=False) if "&" in t or "<" in t or ">" in t else t for t in texts]
    opening, closing, breaks = _tags(color)
    out = ["<p>"]
    prev = -1
    for text, mask in zip(texts, masks, strict=True):
        if not text:
            continue
        if mask != prev:
            out.append(closing[prev] + opening[mask])
            prev = mask
        if "\n" in text:
            if mask and (text[0] == "\n" or text[-1] == "\n"):
                return None  # a paragraph starting or ending in marks: no empty element
            text = text.replace("\n", breaks[mask])
        out.append(text)
    out.append(closing[prev])
    out.append("</p>")
    return "".join(out)


# -- the reference: the columns of a body given as (text, marks) pairs ----------------------
def body_columns(body: MarkedBody) -> tuple[str, str, str, str]:
    """fulltext (Card.text), summary (Card.underlined), spoken (Card.spoken) and the body's
    `<p>` HTML of a body given as pairs (`body_fields` is its fast twin)."""
    tags: dict[Marks, tuple[str, str]] = {}
    return (
        "\n".join(["".join([t for t, _ in para]) for para in body]),
        _kept(body, _underlined),
        _kept(body, _spoken),
        "".join([f"<p>{marked_paragraph_html(para, tags)}</p>" for para in body]),
    )


def _underlined(marks: Marks) -> bool:
    return marks.underline or marks.emphasis


def _spoken(marks: Marks) -> bool:
    return marks.highlight is not None


def _kept(body: MarkedBody, keep: Callable[[Marks], bool]) -> str:
    """The text of the stretches `keep` accepts, a gap between them one space, whitespace
    collapsed: the model's `_joined`, for pairs (str.split and re's \\s agree on what
    whitespace is; tests/test_dataset.py compares the rows on generated cards)."""
    runs: list[str] = []
    for para in body:
        run: list[str] = []
        for text, marks in para:
            if keep(marks):
                run.append(text)
            elif run:
                runs.append("".join(run))
                run = []
        if run:
            runs.append("".join(run))
    return " ".join(" ".join(runs).split())


# -- a row cut around its location ---------------------------------------------------------
# A row's items 7, 8 and 9 are pocket, hat and block (dataset.COLUMNS): a doc-order export
# may give a card the location of the card before it, after its row is written.
LOCATION = slice(7, 10)
Pieces = tuple[str, str, str]  # the items before the location, the location's, those after


def _json(value: Any) -> str:
    if isinstance(value, str):
        return encode_basestring(value)
    if value is None:
        return "null"
    if type(value) is int:
        return int.__repr__(value)
    raise TypeError(f"no JSON for {type(value).__name__} in a row")


_KEYS: dict[str, str] = {}  # each column's `"name": `


def _key(name: str) -> str:
    found = _KEYS.get(name)
    if found is None:
        found = _KEYS[name] = encode_basestring(name) + ": "
    return found


def json_pieces(row: dict[str, Any]) -> Pieces:
    """`json.dumps(row, ensure_ascii=False)` in three pieces that `join_json` puts back."""
    keys = _KEYS
    items = [(keys.get(k) or _key(k)) + _json(v) for k, v in row.items()]
    before, at, after = items[: LOCATION.start], items[LOCATION], items[LOCATION.stop :]
    return "{" + ", ".join(before), ", ".join(at), ", ".join(after) + "}"


def join_json(head: str, location: str, tail: str) -> str:
    """The JSON line of a row from `json_pieces`, its newline included."""
    return head + ", " + location + ", " + tail + "\n"


def csv_field(value: Any) -> str:
    """A value as `csv.writer` (the excel dialect, which `csv.DictWriter` takes) writes it in
    a line of more than one value: quoted, its quotes doubled, when it holds a comma, a
    quote or a line end. The writer looks at each character in turn, several times the cost
    of these four searches (tests/test_rows.py compares the two)."""
    if isinstance(value, str):
        if "," in value or '"' in value or "\n" in value or "\r" in value:
            return '"' + value.replace('"', '""') + '"'
        return value
    if value is None:
        return ""
    if type(value) is int:
        return int.__repr__(value)
    raise TypeError(f"no CSV for {type(value).__name__} in a row")


def csv_pieces(row: dict[str, Any]) -> Pieces:
    """The row's CSV line (`csv.DictWriter`'s) in three pieces that `join_csv` puts back."""
    fields = [csv_field(v) for v in row.values()]
    before, at, after = fields[: LOCATION.start], fields[LOCATION], fields[LOCATION.stop :]
    return ",".join(before), ",".join(at), ",".join(after)


def csv_header(columns: Iterable[str]) -> str:
    return ",".join(csv_field(c) for c in columns) + "\r\n"


def join_csv(head: str, location: str, tail: str) -> str:
    return head + "," + location + "," + tail + "\r\n"


# -- the same pieces as UTF-8 bytes, made without a str of the whole row -------------------
# What the library export writes. `encode_basestring` reads a non-ASCII string a character
# at a time (about 5 ns each, 50 us for a card's row) and the row is then encoded again;
# a string's UTF-8 holds no byte under 0x80 but its own ASCII characters, so a body with no
# control character but its line breaks is escaped by three `bytes.replace` (memchr).
BytePieces = tuple[bytes, bytes, bytes]
_CONTROL_BUT_LF = bytes((*range(0x0A), *range(0x0B, 0x20)))


def json_bytes(value: str) -> bytes:
    """`encode_basestring(value).encode()` (tests/test_rows.py compares the two)."""
    raw = value.encode()
    if len(raw.translate(None, _CONTROL_BUT_LF)) != len(raw):
        return encode_basestring(value).encode()  # \t, \r and the others' escapes
    return b'"' + raw.replace(b"\\", b"\\\\").replace(b'"', b'\\"').replace(b"\n", b"\\n") + b'"'


def _json_b(value: Any) -> bytes:
    if isinstance(value, str):
        return json_bytes(value)
    return _json(value).encode()


_KEYS_B: dict[str, bytes] = {}  # each column's `"name": `, encoded


def json_pieces_bytes(row: dict[str, Any]) -> BytePieces:
    """`json_pieces(row)`, each piece encoded (the library export's jsonl)."""
    keys = _KEYS_B
    items = [
        (keys.get(k) or keys.setdefault(k, _key(k).encode())) + _json_b(v) for k, v in row.items()
    ]
    before, at, after = items[: LOCATION.start], items[LOCATION], items[LOCATION.stop :]
    return b"{" + b", ".join(before), b", ".join(at), b", ".join(after) + b"}"
