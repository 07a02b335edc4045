"""One card as one TOML file: readable, diffable, editable by hand.

    id = "3f9a1c2b7d4e5f60"
    tag = "China-Russia alliance unlikely"
    labels = ["neg"]

    [cite]
    short = "RM 6/14"
    full = "RM, citing over 50 experts' opinions ..."

    [body]
    highlight = "cyan"      # the colour that a plain `==` means in this card's markup
    text = \"\"\"
    _Russia and China_ ==pursue different objectives== ...\"\"\"

Empty fields are left out; the body is the inline markup of evcards.core.markup.
`store.cardtoml` is this shape's fast reader, for the index; it must agree with tomllib.
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Any, NamedTuple

import tomli_w
from pydantic import ValidationError

from evcards.core import markup
from evcards.core.labels import fold_all
from evcards.core.markup_text import NotPlain
from evcards.core.models import Card, Marks, normalize_color
from evcards.errors import InvalidCard, MarkupError, format_validation
from evcards.limits import MAX_CARD_FILE_BYTES, megabytes
from evcards.store.cardtoml import loads_card_head, loads_card_toml, quoted
from evcards.store.cardwrite import multiline, toml_text

_BODY_KEYS = {"text", "highlight"}
MarkedBody = list[list[tuple[str, Marks]]]


def card_to_dict(
    card: Card, default_highlight: str | None = None, marked: MarkedBody | None = None
) -> dict[str, Any]:
    """Plain data for TOML. `default_highlight` is the colour a plain `==` means when the body
    has no highlight yet (a fresh cut), so the debater's own colour is what they type.

    `marked` is the card's body as (text, marks) pairs, given in place of `card.body` by a
    reader that never built Span objects for it (the .docx import)."""
    data: dict[str, Any] = {"id": card.id, "tag": card.tag}
    if card.kind != "card":
        data["kind"] = card.kind
    if card.labels:
        # Folded again: a card updated with model_copy (an import's -l) was not validated.
        data["labels"] = fold_all(card.labels)
    if card.undertag:
        data["undertag"] = card.undertag
    cite = _cite_table(card)
    if cite:
        data["cite"] = cite
    loc = {k: v for k, v in card.location.model_dump().items() if v}
    if loc:
        data["location"] = loc
    if card.sources:
        data["sources"] = [s.model_dump(exclude_none=True) for s in card.sources]
    if marked is None:
        marked = [[(s.text, s.marks()) for s in para] for para in card.body]
    if marked:
        data["body"] = _body_table(marked, default_highlight)
    return data


def _cite_table(card: Card) -> dict[str, Any]:
    """The cite's fields that say something (neither None nor empty)."""
    return {k: v for k, v in card.cite.model_dump(exclude_none=True).items() if v != ""}


def _body_table(marked: MarkedBody, default_highlight: str | None) -> dict[str, Any]:
    """The [body] table: the markup, and the colour its plain `==` means when not yellow."""
    color = markup.most_common_highlight_marked(marked) or default_highlight or "yellow"
    body: dict[str, Any] = {}
    if color != "yellow":
        body["highlight"] = color
    body["text"] = markup.render_marked(marked, default_highlight=color) + "\n"
    return body


def dumps(
    card: Card, default_highlight: str | None = None, marked: MarkedBody | None = None
) -> str:
    """The card's file text; `marked` as for `card_to_dict`. Written by `cardwrite.toml_text`,
    tomli-w's bytes (tests/test_cardwrite.py), or by `dumps_reference` for a card of a shape
    that writer leaves to tomli-w (a sighting too long to be written inline)."""
    data = card_to_dict(card, default_highlight, marked)
    text = toml_text(data)
    return text if text is not None else _tomli_w(data)


def dumps_reference(
    card: Card, default_highlight: str | None = None, marked: MarkedBody | None = None
) -> str:
    """`dumps` by tomli-w (its body text by `cardwrite.multiline`, the same bytes): the
    reference `dumps` is checked against."""
    return _tomli_w(card_to_dict(card, default_highlight, marked))


def _tomli_w(data: dict[str, Any]) -> str:
    body = data.get("body")
    if not body:
        return tomli_w.dumps(data, multiline_strings=True)
    # tomli-w escapes a string one character at a time in Python, which is most of the cost
    # of writing a long card; the body text is written by `multiline` instead, with exactly
    # tomli-w's output (tests compare the two on every corpus card).
    text = body["text"]
    body["text"] = _PLACEHOLDER
    out = tomli_w.dumps(data, multiline_strings=True)
    body["text"] = text
    head, _, tail = out.rpartition(f'"{_PLACEHOLDER}"')  # the body is the last table
    return head + multiline(text) + tail


def split_body(text: str) -> tuple[str, str]:
    """Text that `dumps` wrote, cut before its body table: `dumps` of the card without its
    body, and the rest (empty for a bodiless card). The body table is always the last; the
    pattern cannot occur inside a string, where `dumps` escapes every double quote."""
    m = _BODY_TABLE.search(text)
    return (text[: m.start()], text[m.start() :]) if m else (text, "")


_BODY_TABLE = re.compile(r'\n\[body\]\n(?=highlight = "|text = """)')


_PLACEHOLDER = "@@evcards-body-text@@"


def card_from_dict(data: dict[str, Any], where: str = "card", body_line: int = 0) -> Card:
    """Validate plain data (as TOML gives it) into a Card, or raise InvalidCard naming `where`.

    `body_line` is the line of the file on which body.text starts (0: unknown); a markup
    mistake then names the line of the file, which is what an editor shows.
    """
    data = dict(data)
    body = data.pop("body", None)
    paragraphs: Any = []
    if body is not None:
        if not isinstance(body, dict):
            raise InvalidCard(f"{where}: body - must be a table with a `text` key")
        extra = set(body) - _BODY_KEYS
        if extra:
            raise InvalidCard(
                f"{where}: body.{sorted(extra)[0]} - unknown key; remove it or check its spelling"
            )
        text = body.get("text", "")
        color = body.get("highlight", "yellow")
        if not isinstance(text, str):
            raise InvalidCard(f"{where}: body.text - must be a string of card markup")
        if not isinstance(color, str) or normalize_color(color) is None:
            raise InvalidCard(
                f"{where}: body.highlight - {color!r} is not a Word highlight colour"
                " (yellow, green, cyan, ...)"
            )
        try:
            paragraphs = markup.parse(text, default_highlight=normalize_color(color) or "yellow")
        except MarkupError as e:
            message = str(e)
            if body_line:
                message = re.sub(
                    r"\bat line (\d+),",
                    lambda m: f"at line {int(m.group(1)) + body_line - 1},",
                    message,
                )
            raise InvalidCard(f"{where}: body.text - {message}", e.detail) from None
    try:
        return Card.model_validate({**data, "body": paragraphs})
    except ValidationError as e:
        raise InvalidCard(f"{where}: {format_validation(e)}") from None


def loads(text: str, where: str = "card") -> Card:
    data = _toml(text, where)
    return card_from_dict(data, where, _body_line(text, data))


def _toml(text: str, where: str) -> dict[str, Any]:
    """The file's TOML data: read by the fast twin (`store.cardtoml`, a tenth of tomllib's
    time on a card file) when the file has the shape `dumps` writes, else by tomllib."""
    try:
        return loads_card_toml(text)
    except NotPlain:
        pass
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        raise InvalidCard(f"{where}: invalid TOML ({e})") from None
    except RecursionError:  # tomllib recurses once per nested array or inline table
        raise InvalidCard(f"{where}: invalid TOML (nested too deeply); fix the file") from None


def loads_marked(text: str, where: str = "card") -> tuple[Card, MarkedBody]:
    """`loads` with the body beside the card as (text, marks) pairs, the card's own body
    left empty: no Span object is built (`markup.parse_marked`), which is most of the cost
    of reading a card. Exactly the card `loads` gives, and the same errors: anything the
    quick route is unsure of (a markup mistake, a field the model refuses) goes through
    `loads`'s own route to its message."""
    data = _toml(text, where)
    quick = _marked(data)
    if quick is not None:
        return quick
    card = card_from_dict(data, where, _body_line(text, data))
    return card.model_copy(update={"body": []}), [
        [(s.text, s.marks()) for s in p] for p in card.body
    ]


def _marked(data: dict[str, Any]) -> tuple[Card, MarkedBody] | None:
    body = data.get("body", {})
    if not isinstance(body, dict) or not set(body) <= _BODY_KEYS:
        return None
    text, color = body.get("text", ""), body.get("highlight", "yellow")
    if not isinstance(text, str) or not isinstance(color, str) or not normalize_color(color):
        return None
    try:
        marked = markup.parse_marked(text, default_highlight=normalize_color(color) or "yellow")
        card = Card.model_validate({**data, "body": []})
    except (MarkupError, ValidationError):
        return None
    if card.kind == "analytic" and marked:
        return None  # the model refuses it: `loads` says why
    return card, marked


class Unparsed(NamedTuple):
    """A card file read up to its body's markup, which is left unparsed."""

    card: Card  # the card `loads` gives, body left empty
    markup: str  # body.text as TOML gives it ("" for none)
    highlight: str  # what a plain `==` means in it, as `loads` reads body.highlight


_BODY_START = re.compile(r'\n\[body\]\n(?:highlight = "([A-Za-z]+)"\n)?text = """\n')
_CONTROL_BYTES = bytes((*range(0x09), *range(0x0B, 0x20), 0x7F))


def loads_unparsed(text: str, where: str = "card", clean: bool = False) -> Unparsed | None:
    """The card and its body markup, the body's TOML read by hand: the fast twin of `loads`
    for a file as `dumps` writes it (the body table last, only `\\` and `\"` escaped in its
    text), for a reader that turns markup into something other than Spans (the dataset
    rows). None for any other file, or one `loads` might refuse: `loads` then judges it.
    `clean`: the caller has seen that `text` holds no control character but tab and line
    break (else None), so neither does the markup (tests/test_cardfile.py checks the
    agreement with `loads`)."""
    if not clean or "\r" in text:
        return None  # TOML refuses most control characters in a string: let tomllib say so
    head, rest = split_body(text)
    markup, color = "", "yellow"
    if rest:
        m = _BODY_START.match(rest)
        if m is None or not rest.endswith('"""\n') or len(rest) < m.end() + 4:
            return None
        found = _basic_ml(rest[m.end() : -4])
        if found is None:
            return None
        markup, color = found, m.group(1) or "yellow"
    highlight = normalize_color(color)
    card = _head_card(lambda: _toml(head, where), highlight, bool(markup.strip()))
    return None if card is None or highlight is None else Unparsed(card, markup, highlight)


def _head_card(
    read: Callable[[], dict[str, Any]], highlight: str | None, marked: bool
) -> Card | None:
    """The card of a file's head (`read` gives its table), its body left empty; None where
    `loads` might judge the file otherwise: no such colour, a body table in the head, a
    head the model refuses, an analytic with a body (`marked`)."""
    try:
        data = read()
        if highlight is None or "body" in data:
            return None
        card = Card.model_validate({**data, "body": []})
    except (InvalidCard, ValidationError):
        return None
    if card.kind == "analytic" and marked:
        return None  # the model may refuse it: `loads` says why
    return card


def _basic_ml(content: str) -> str | None:
    """A multi-line basic string's value, for content whose only escapes are `\\` and `\"`
    and whose every quote is escaped (what `cardwrite.multiline` writes); None for any other."""
    if "\\" not in content:
        return None if '"' in content else content
    return quoted(content)


class UnparsedBytes(NamedTuple):
    """`Unparsed`, the markup left as the file's bytes (UTF-8, no control character but tab
    and line break)."""

    card: Card
    markup: bytes
    highlight: str


_BODY_START_BYTES = re.compile(_BODY_START.pattern.encode())
_BODY_LINE = b"\n[body]\n"


def loads_unparsed_bytes(raw: bytes, where: str = "card") -> UnparsedBytes | None:
    """`loads_unparsed` of a file's bytes, the markup kept as bytes: only the card's head is
    decoded (the markup is checked to be UTF-8, not kept as str). None where
    `loads_unparsed(raw.decode(), where, clean)` would give None, and for a few files it
    reads (a `[body]` line before the body table's): the caller then reads the file's text
    (tests/test_rowbytes.py checks the agreement)."""
    if len(raw.translate(None, _CONTROL_BYTES)) != len(raw):
        return None  # not clean (a carriage return included)
    at = raw.find(_BODY_LINE)
    markup, color = b"", "yellow"
    if at < 0:
        head_bytes = raw
    else:
        m = _BODY_START_BYTES.match(raw, at)
        if m is None or not raw.endswith(b'"""\n') or len(raw) < m.end() + 4:
            return None
        found = _basic_ml_bytes(raw[m.end() : -4])
        if found is None:
            return None
        markup, color = found, (m.group(1) or b"yellow").decode()
        head_bytes = raw[:at]
    try:
        head = head_bytes.decode()
        markup.decode()  # UTF-8, or `read`'s error from the caller's own decoding
    except UnicodeDecodeError:
        return None
    highlight = normalize_color(color)

    def read() -> dict[str, Any]:
        data = loads_card_head(head)  # the file is clean: what it asks of the text
        return _toml(head, where) if data is None else data

    card = _head_card(read, highlight, bool(markup.strip()))
    return None if card is None or highlight is None else UnparsedBytes(card, markup, highlight)


def _basic_ml_bytes(content: bytes) -> bytes | None:
    """`_basic_ml`, for bytes."""
    if b"\\" not in content:
        return None if b'"' in content else content
    pieces = content.split(b"\\\\")
    for i, piece in enumerate(pieces):
        if b"\\" in piece or b'"' in piece:
            quotes = piece.count(b'\\"')
            if piece.count(b"\\") != quotes or piece.count(b'"') != quotes:
                return None
            pieces[i] = piece.replace(b'\\"', b'"')
    return b"\\".join(pieces)


def read_unparsed_bytes(path: str) -> tuple[bytes, UnparsedBytes | None]:
    """A card file's bytes and, where `loads_unparsed_bytes` can read them, its card and
    markup."""
    raw = _read_bytes_quick(path)
    return raw, loads_unparsed_bytes(raw, path)


def _read_bytes_quick(path: str) -> bytes:
    """`_read_bytes` in three system calls and no file object (open's buffered reader
    costs more than reading a card); any trouble, and `_read_bytes` says what it is."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
    except OSError:
        return _read_bytes(path)
    try:
        size = os.fstat(fd).st_size
        if size <= MAX_CARD_FILE_BYTES:
            raw = os.read(fd, size + 1)
            if len(raw) <= size:  # a regular file reads short only at its end
                return raw
    except OSError:
        pass
    finally:
        os.close(fd)
    return _read_bytes(path)  # too big, a folder, grown while read: its own message


def read_unparsed(path: str) -> tuple[str, Unparsed | None]:
    """A card file's text and, where `loads_unparsed` can read it, its card and markup
    (`path` a string: the export reads a library's worth, and a Path apiece shows)."""
    raw = _read_bytes(path)
    text = _decoded(raw, path)
    clean = len(raw.translate(None, _CONTROL_BYTES)) == len(raw)
    return text, loads_unparsed(text, path, clean)


def read_marked(path: Path) -> tuple[Card, MarkedBody]:
    """`read`, with the body as `loads_marked` gives it."""
    return loads_marked(_read_text(path), str(path))


def _body_line(text: str, data: dict[str, Any]) -> int:
    """The line of `text` where body.text starts, when the file holds it verbatim, else 0."""
    body = data.get("body")
    body_text = body.get("text") if isinstance(body, dict) else None
    if not isinstance(body_text, str) or not body_text.strip():
        return 0
    at = text.find('"""\n' + body_text)  # how dumps writes it: a multi-line string
    if at < 0 or text.find('"""\n' + body_text, at + 1) >= 0:
        return 0
    return text.count("\n", 0, at) + 2


def read(path: Path) -> Card:
    """Load one card file; every problem becomes an InvalidCard naming the file."""
    return loads(_read_text(path), str(path))


def _read_text(path: Path) -> str:
    return _decoded(_read_bytes(path), path)


def _read_bytes(path: Path | str) -> bytes:
    try:
        if os.stat(path).st_size > MAX_CARD_FILE_BYTES:
            raise InvalidCard(
                f"{path}: larger than {megabytes(MAX_CARD_FILE_BYTES)}, too big to be one card;"
                " move it out of the library"
            )
        with open(path, "rb") as f:
            return f.read()
    except FileNotFoundError:
        raise InvalidCard(f"{path}: no such card file") from None
    except IsADirectoryError:
        raise InvalidCard(f"{path}: is a folder, not a card file") from None
    except OSError as e:
        raise InvalidCard(f"{path}: cannot read ({e.strerror})") from None


def _decoded(raw: bytes, path: Path | str) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as e:
        raise InvalidCard(
            f"{path}: not UTF-8 text (byte {e.start}); save the file as UTF-8"
        ) from None
