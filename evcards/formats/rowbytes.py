"""A dataset row's body columns, and its jsonl/csv pieces, as UTF-8 bytes made from the
markup's bytes: the fast twin of `rows.body_fields` and `rows.json_pieces_bytes` /
`rows.csv_pieces` that the library export runs on every card.

A card file is UTF-8 and every markup token is ASCII, so the body can be cut at its toggles,
its escapes held and its line breaks made plain in bytes, where a search for one byte is
memchr (the str twins walk a UCS-2 string), and the columns need no encoding afterwards.
The markup must hold no control character but tab and line break (the file was seen
clean), so JSON escapes only `\\`, `"`, line breaks and tabs in it. Whitespace is where
bytes and str differ: str.split and str.isspace also take U+0085, U+00A0, U+1680,
U+2000-U+200A, U+2028, U+2029, U+202F, U+205F and U+3000 (a no-break space is in one card
in eight), so those the body holds are made spaces before the summary and spoken text are
split. Anything `rows.body_fields` declines gives None, and the caller takes the str route.
tests/test_rowbytes.py checks the agreement with hypothesis and on the corpus.
"""

from __future__ import annotations

import re
from itertools import accumulate, compress, repeat
from operator import contains, xor
from typing import Any

from evcards.core.markup_text import DEFAULT_SHRINK
from evcards.formats import rows
from evcards.formats.html import marks_html

BodyBytes = tuple[bytes, bytes, bytes, bytes]  # fulltext, summary, spoken, body HTML

_PARA = re.compile(rb"\n(?:[ \t]*\n)+")  # rows._PARA and _SOFT, for bytes
_SOFT = re.compile(rb"\n[ \t]*")
_ESCAPE = re.compile(rb"\\(.)")
_CUT = b"\x00"
# Each toggle, the byte it must start with (a search for one byte is memchr, one for two or
# more reads every byte), and what it is cut to.
_CUTS = [(tok.encode(), tok.encode()[:1], _CUT + code.encode()) for tok, code in rows._CODE.items()]
_CODE_BIT = {ord(code): bit for code, bit in rows._CODE_BIT.items()}
_HOLD = {c.encode(): h.encode() for c, h in rows._HOLD.items()}
# `~{6}`: shrunk to a size. Each size of a body gets a code of its own, from _SIZE_CODE on
# (8, a plain `~`'s, included: a size given to a closing `~` is the reference's error), and
# its stretches a mask with the size's place in the body's sizes above the toggles' bits.
_SIZE = re.compile(rb"~\{([0-9]+(?:\.[0-9]+)?)\}")
_SIZE_CODE = 0x18
_SIZES_MAX = 8
_SHRINK = rows._BITS["~"]
_CODE_BIT.update((_SIZE_CODE + k, _SHRINK) for k in range(_SIZES_MAX))
_SIZE_AT = 7  # a mask's bits from here on: the place of its size in the body's sizes
_UNDERLINED, _SPOKEN = rows._UNDERLINED, rows._SPOKEN

# Every byte of the UTF-8 of the whitespace str knows and bytes does not: a body with none
# of the multi-byte sequences holds none, and the search for them runs on what is left of
# the body once every other byte is deleted (translate: a copy at memcpy speed; a regex
# over the whole body costs ten times that).
_WIDE_SPACES = [c.encode() for c in map(chr, range(0x80, 0x3001)) if c.isspace()]
_WIDE_SPACE = re.compile(b"|".join(re.escape(s) for s in _WIDE_SPACES))
_NOT_IN_WIDE_SPACE = bytes(sorted(set(range(256)) - {b for s in _WIDE_SPACES for b in s}))


def wide_spaces(text: bytes) -> set[bytes]:
    """The UTF-8 of the whitespace characters outside ASCII that `text` (UTF-8) may hold:
    every one it holds, and maybe others (the bytes left after the deletion can meet, but
    no match can take a character's first byte from another's, so none is missed)."""
    left = text.translate(None, _NOT_IN_WIDE_SPACE)
    return set(_WIDE_SPACE.findall(left)) if left else set()


def _spaced(text: bytes, wide: set[bytes]) -> bytes:
    """The text with each of these characters made a space (str.split's view of it)."""
    for c in wide:
        text = text.replace(c, b" ")
    return text


# Per highlight colour: rows._tags as bytes.
_TagsB = tuple[list[bytes], list[bytes], list[bytes]]
_TAGS: dict[str, _TagsB] = {}


def _tags(color: str) -> _TagsB:
    found = _TAGS.get(color)
    if found is None:
        opening, closing, breaks = rows._tags(color)
        found = _TAGS[color] = (
            [t.encode() for t in opening],
            [t.encode() for t in closing],
            [t.encode() for t in breaks],
        )
    return found


def body_fields(markup: bytes, default_highlight: str = "yellow") -> BodyBytes | None:
    """`rows.body_fields(markup.decode(), default_highlight)`, each column encoded, for
    markup with no control character but tab and line break; None where that declines
    (but for `~{size}`, read here; tests/test_rowbytes.py compares those with the reference)."""
    prepared = _prepared(markup)
    if prepared is None:
        return None
    body, held = prepared
    cut = _stretches(body)
    if cut is None:
        return None
    body, texts, masks, sizes = cut
    full = b"".join(texts)
    if held:
        full = _restore(full, held)
    wide = wide_spaces(full)
    if any(not p or _spaced(p, wide).isspace() for p in full.split(b"\n")):
        return None  # a blank paragraph, which the canonical body drops
    # The stretches with text (a quarter to half of them are empty, between two toggles),
    # in C: `compress` keeps those whose text is not empty.
    texts, masks = list(compress(texts, texts)), list(compress(masks, texts))
    html = _body_html(texts, masks, body, *_tags_steps(default_highlight, sizes))
    if html is None:
        return None
    summary, spoken = _kept(texts, masks, _UNDERLINED), _kept(texts, masks, _SPOKEN)
    if held:
        summary, spoken, html = (_restore(s, held) for s in (summary, spoken, html))
    if wide:
        summary, spoken = _spaced(summary, wide), _spaced(spoken, wide)
    return full, b" ".join(summary.split()), b" ".join(spoken.split()), html


def _prepared(markup: bytes) -> tuple[bytes, set[bytes]] | None:
    """rows._prepared, for bytes: the escapes held, the line breaks made plain; None for an
    escape that cannot be held (or a carriage return, which a clean file has none of)."""
    if b"\r" in markup:
        return None
    body = markup.strip(b"\n")
    held: set[bytes] = set()
    if b"\\" in body:
        chars = set(_ESCAPE.findall(body))
        if not chars <= _HOLD.keys():
            return None
        body, held = _ESCAPE.sub(lambda m: _HOLD[m.group(1)], body), chars
    if b"\n" in body:
        body = _lines(body)
    return body, held


Stretches = tuple[bytes, list[bytes], list[int], list[float] | None]


def _stretches(body: bytes) -> Stretches | None:
    """The body cut at its toggles, its stretches of text and the mask of each (its size's
    place above the toggles' bits when the body shrinks to sizes, and the sizes; None
    else); None for a brace no toggle took or a mark left open, as rows._stretches."""
    sizes = None
    if b"~{" in body:
        sizes = [DEFAULT_SHRINK]
        sized = _sized(body, sizes)
        if sized is None:
            return None
        body = sized
    for tok, first, cut in _CUTS:  # `**` and `==` before `_`, as rows._cut
        if first in body and tok in body:
            body = body.replace(tok, cut)
    if b"{" in body:
        return None  # a brace no toggle took: a colour, shading, or a mistake
    parts = body.split(_CUT)
    texts = [parts[0], *[p[1:] for p in parts[1:]]]
    masks = list(accumulate([_CODE_BIT[p[0]] for p in parts[1:]], xor, initial=0))
    if masks[-1]:
        return None  # a mark left open
    if sizes is not None:
        sized_masks = _sized_masks([p[0] for p in parts[1:]], masks, sizes)
        if sized_masks is None:
            return None
        masks = sized_masks
    return body, texts, masks, sizes


def _tags_steps(color: str, sizes: list[float] | None) -> tuple[_TagsB, _Steps]:
    """The tags and steps for a body in this colour (and these sizes)."""
    if sizes is not None:
        tags = _sized_tags(color, sizes)
        return tags, _Steps(tags[0], tags[1])
    tags = _tags(color)
    steps = _STEPS.get(color) or _STEPS.setdefault(color, _Steps(tags[0], tags[1]))
    return tags, steps


def _kept(texts: list[bytes], masks: list[int], bits: int) -> bytes:
    """The stretches with one of these marks, each other one a gap (a space; whitespace is
    collapsed afterwards): rows._kept_of, for stretches with text."""
    return b"".join([t if m & bits else b" " for t, m in zip(texts, masks, strict=True)])


def _restore(text: bytes, chars: set[bytes]) -> bytes:
    for c in chars:
        text = text.replace(_HOLD[c], c)
    return text


def _lines(body: bytes) -> bytes:
    """rows._lines, for bytes. A body as `render` writes it (paragraphs apart by one blank
    line, no soft break) is seen in its lines: every other one empty (a split at one byte
    and a join cost a fifth of the counts and the replace of `\n\n`)."""
    lines = body.split(b"\n")
    if len(lines) % 2 and all(lines[::2]) and not any(lines[1::2]):
        return b"\n".join(lines[::2])
    return _SOFT.sub(b" ", _PARA.sub(_CUT, body)).replace(_CUT, b"\n")


def _sized(body: bytes, sizes: list[float]) -> bytes | None:
    """The body with each `~{size}` cut to its size's code, the sizes added to `sizes`; None
    for a size the reference refuses, or more sizes than there are codes."""
    refused = False

    def cut(m: re.Match[bytes]) -> bytes:
        nonlocal refused
        size = float(m.group(1))
        if not (1.0 <= size <= 400.0 and (size * 2).is_integer()):
            refused = True  # the reference's error
        if size not in sizes:
            sizes.append(size)
        return _CUT + bytes((_SIZE_CODE + min(sizes.index(size), _SIZES_MAX - 1),))

    out = _SIZE.sub(cut, body)
    return None if refused or len(sizes) > _SIZES_MAX else out


def _sized_masks(codes: list[int], masks: list[int], sizes: list[float]) -> list[int] | None:
    """Each stretch's mask with the place of its size in `sizes` (0: 8 pt) above the
    toggles' bits; None where a size is given to a closing `~` (the reference's error)."""
    out = [0]
    at = 0
    for code, before, mask in zip(codes, masks[:-1], masks[1:], strict=True):
        if code >= _SIZE_CODE:
            if before & _SHRINK:
                return None
            at = code - _SIZE_CODE
        elif not before & _SHRINK:
            at = 0  # a plain `~` opens 8 pt; any other toggle leaves the size as it is
        out.append(mask | at << _SIZE_AT if mask & _SHRINK else mask)
    return out


_SIZED: dict[tuple[str, float, int], tuple[bytes, bytes]] = {}


class _SizedTable(dict[int, bytes]):
    """One of a sized body's tags tables (opening, closing or break) by mask, -1 included."""

    def __init__(self, kind: int, color: str, sizes: list[float], base: list[bytes]) -> None:
        super().__init__()
        self.kind, self.color, self.sizes, self.base = kind, color, sizes, base

    def __missing__(self, mask: int) -> bytes:
        if mask < 1 << _SIZE_AT:
            found = self.base[mask]
        else:
            size = self.sizes[mask >> _SIZE_AT]
            key = (self.color, size, mask & ((1 << _SIZE_AT) - 1))
            wrap = _SIZED.get(key)
            if wrap is None:
                marks = rows._mask_marks(key[2], self.color)._replace(size=size)
                opening, closing = marks_html(marks)
                wrap = _SIZED[key] = (opening.encode(), closing.encode())
            found = (wrap[0], wrap[1], wrap[1] + b"</p><p>" + wrap[0])[self.kind]
        self[mask] = found
        return found


def _sized_tags(color: str, sizes: list[float]) -> _TagsB:
    base = _tags(color)
    tables = [_SizedTable(kind, color, sizes, base[kind]) for kind in range(3)]
    tables[1][-1] = b""  # nothing open yet
    return tables[0], tables[1], tables[2]  # type: ignore[return-value]


class _Steps(dict[tuple[int, int], bytes]):
    """What goes between a stretch with the marks `prev` (-1: the body's start) and the next
    with `mask`: nothing for equal marks (they merge), else the one's closing tags and the
    other's opening ones; worked out once per pair."""

    def __init__(self, opening: Any, closing: Any) -> None:
        super().__init__()
        self.opening, self.closing = opening, closing

    def __missing__(self, key: tuple[int, int]) -> bytes:
        prev, mask = key
        found = self[key] = b"" if prev == mask else self.closing[prev] + self.opening[mask]
        return found


_STEPS: dict[str, _Steps] = {}


def _body_html(
    texts: list[bytes], masks: list[int], body: bytes, tags: _TagsB, steps: _Steps
) -> bytes | None:
    """rows._body_html, for bytes, of the stretches with text: each step between two
    stretches looked up by `map` in C, the texts put between them by slice assignment; only
    the few stretches holding a paragraph break are seen one by one."""
    if not texts:
        return b"<p></p>"
    if b"&" in body or b"<" in body or b">" in body:
        texts = [_escape(t) for t in texts]
    n = len(texts)
    out = [b""] * (2 * n + 2)
    out[0] = b"<p>"
    out[1 : 2 * n : 2] = map(steps.__getitem__, zip([-1, *masks[:-1]], masks, strict=True))
    out[2 : 2 * n + 1 : 2] = texts
    out[-1] = tags[1][masks[-1]] + b"</p>"
    if b"\n" in body:
        breaks = tags[2]
        for i in compress(range(n), map(contains, texts, repeat(b"\n"))):
            text, mask = texts[i], masks[i]
            if mask and (text[0] == 10 or text[-1] == 10):
                return None  # a paragraph starting or ending in marks: no empty element
            out[2 * i + 2] = text.replace(b"\n", breaks[mask])
    return b"".join(out)


def _escape(text: bytes) -> bytes:
    """html.escape(quote=False), for UTF-8."""
    if b"&" in text:
        text = text.replace(b"&", b"&amp;")
    if b"<" in text:
        text = text.replace(b"<", b"&lt;")
    if b">" in text:
        text = text.replace(b">", b"&gt;")
    return text


# -- the row's pieces, the body's columns given as bytes ------------------------------------
# The body's columns in a row (dataset.card_row): fulltext, summary and spoken are the
# BodyBytes' first three; markup is the row's own (the tag, undertag and cite paragraphs,
# when the row was made with an empty body) followed by the body HTML.
_BODY_AT = {"fulltext": 0, "summary": 1, "spoken": 2}


def _json_inner(value: bytes) -> bytes:
    """The JSON string's inside for clean UTF-8: `"`, `\\`, line breaks and tabs escaped."""
    if b"\\" in value:
        value = value.replace(b"\\", b"\\\\")
    if b'"' in value:
        value = value.replace(b'"', b'\\"')
    if b"\n" in value:
        value = value.replace(b"\n", b"\\n")
    if b"\t" in value:
        value = value.replace(b"\t", b"\\t")
    return value


def json_pieces(row: dict[str, Any], body: BodyBytes) -> rows.BytePieces:
    """`rows.json_pieces_bytes` of the row with these body columns, for a row made with an
    empty body (`card_row(card, columns=("", "", "", ""))`). A row of the dataset's columns
    has its other values written by json's C encoder, a dict at a time (a Python loop over
    the row's twenty items cost more than its body's columns); any other row goes through
    `json_pieces_loop`."""
    if _ENCODE is None or tuple(row) != (_COLUMNS or _dataset_columns()):
        return json_pieces_loop(row, body)
    v = list(row.values())
    full, summary, spoken, html = body
    head = b"".join(
        (
            _dumps({"tag": v[0], "cite": v[1], "fullcite": v[2]})[:-1].encode(),
            b', "summary": "',
            _json_inner(summary),
            b'", "spoken": "',
            _json_inner(spoken),
            b'", "fulltext": "',
            _json_inner(full),
            b'", "markup": ',
            rows.json_bytes(v[6])[:-1],
            _json_inner(html),
            b'"',
        )
    )
    location = _dumps({"pocket": v[7], "hat": v[8], "block": v[9]})[1:-1].encode()
    tail = _dumps(dict(zip(_COLUMNS[10:], v[10:], strict=True)))[1:].encode()
    return head, location, tail


def _refuse(value: Any) -> Any:
    raise TypeError(f"no JSON for {type(value).__name__} in a row")


# The columns json_pieces knows the places of (tests/test_rowbytes.py pins them), read from
# `dataset` on the first row (its imports stay out of the export's start).
_COLUMNS: tuple[str, ...] = ()


def _dataset_columns() -> tuple[str, ...]:
    global _COLUMNS
    from evcards.formats.dataset import COLUMNS

    _COLUMNS = COLUMNS
    return COLUMNS


try:
    from json.encoder import c_make_encoder  # type: ignore[attr-defined]

    # json.dumps(value, ensure_ascii=False) as its C encoder makes it, made once.
    _ENCODE = c_make_encoder(
        None, _refuse, rows.encode_basestring, None, ": ", ", ", False, False, True
    )
except ImportError:  # a Python without the _json accelerator
    _ENCODE = None


def _dumps(value: dict[str, Any]) -> str:
    return "".join(_ENCODE(value, 0))  # type: ignore[misc]


def json_pieces_loop(row: dict[str, Any], body: BodyBytes) -> rows.BytePieces:
    """`json_pieces` item by item, for a row of any columns."""
    keys = rows._KEYS_B
    cut = rows.LOCATION
    pieces: tuple[list[bytes], list[bytes], list[bytes]] = ([b"{"], [], [])
    for n, (k, v) in enumerate(row.items()):
        out = pieces[0 if n < cut.start else 1 if n < cut.stop else 2]
        if n and n != cut.start and n != cut.stop:
            out.append(b", ")
        out.append(keys.get(k) or keys.setdefault(k, rows._key(k).encode()))
        at = _BODY_AT.get(k)
        if at is not None:
            out += (b'"', _json_inner(body[at]), b'"')
        elif k == "markup":
            out += (rows.json_bytes(v)[:-1], _json_inner(body[3]), b'"')
        else:
            out.append(rows._json_b(v))
    pieces[2].append(b"}")
    return b"".join(pieces[0]), b"".join(pieces[1]), b"".join(pieces[2])


def csv_field(value: bytes) -> bytes:
    """`rows.csv_field` of a string, given and returned as UTF-8 (the field's quoting looks
    only at ASCII characters)."""
    if b"," in value or b'"' in value or b"\n" in value or b"\r" in value:
        return b'"' + value.replace(b'"', b'""') + b'"'
    return value


def csv_pieces(row: dict[str, Any], body: BodyBytes) -> rows.BytePieces:
    """`rows.csv_pieces` of the row with these body columns, encoded (as `json_pieces`)."""
    fields = []
    for k, v in row.items():
        at = _BODY_AT.get(k)
        if at is not None:
            fields.append(csv_field(body[at]))
        elif k == "markup":
            fields.append(csv_field(v.encode() + body[3]))
        else:
            fields.append(rows.csv_field(v).encode())
    cut = rows.LOCATION
    before, at_, after = fields[: cut.start], fields[cut], fields[cut.stop :]
    return b",".join(before), b",".join(at_), b",".join(after)
