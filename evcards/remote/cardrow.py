"""A card file as the columns of its row on the server, and back.

The row keeps the file's TOML text whole (`toml`), so a pull writes exactly the bytes that
were pushed; the other columns are what the server searches and filters on, and what a merge
compares (`tag`, `cite`, `labels`, `sources`)."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, fields
from typing import TYPE_CHECKING

from evcards.errors import RemoteError

if TYPE_CHECKING:
    from evcards.core.markup_text import BodyText
    from evcards.core.models import Card


@dataclass(frozen=True)
class Row:
    card_id: str
    name: str  # the file name the library gives it (store.library.file_name)
    toml: str
    hash: str
    kind: str
    tag: str
    cite: str  # the cite table as canonical JSON: what a merge compares
    cite_words: str
    short_cite: str
    author: str
    year: int | None
    labels: list[str]
    sources: str  # JSON: [{"file": ..., "position": ...}, ...]
    pocket: str
    hat: str
    block: str
    spoken: str
    body: str
    words_read: int
    highlighted: bool


COLUMNS = tuple(f.name for f in fields(Row))


def text_hash(text: str) -> str:
    return hashlib.blake2b(text.encode("utf-8"), digest_size=16).hexdigest()


def cite_key(card: Card) -> str:
    """The cite's fields that say something (as `cardfile` writes the table), as JSON."""
    cite = {k: v for k, v in card.cite.model_dump(exclude_none=True).items() if v != ""}
    return json.dumps(cite, sort_keys=True, ensure_ascii=False)


def row_of(text: str, where: str) -> tuple[Row, Card]:
    """The row for a card file's text, validated as `cardfile.loads` would, and the card
    without its body (what a merge needs)."""
    quick = _quick(text)
    if quick is None:  # the reference route, which also says what is wrong with a broken file
        return row_of_reference(text, where)
    row = _row(text, *quick)
    _refuse_nul(row, where)
    return row, quick[0]


def row_of_reference(text: str, where: str) -> tuple[Row, Card]:
    """`row_of` through `cardfile.loads_marked` (the model and the (text, marks) pairs):
    what `_quick` must agree with (tests/test_remote_cli.py, on the corpus)."""
    from evcards.core.markup_text import _from_pairs
    from evcards.store.cardfile import loads_marked

    card, marked = loads_marked(text, where)
    row = _row(text, card, _from_pairs(marked) if marked else None)
    _refuse_nul(row, where)
    return row, card


def _quick(text: str) -> tuple[Card, BodyText | None] | None:
    """The card's head through the model and its body's texts through `body_text`, without
    building (text, marks) pairs; None where the reference route must decide (any doubt:
    a shape the fast TOML reader does not take, a markup or model mistake)."""
    from pydantic import ValidationError

    from evcards.core.markup_text import NotPlain, body_text
    from evcards.core.models import Card, normalize_color
    from evcards.store.cardtoml import loads_card_toml

    try:
        data = loads_card_toml(text)
        body = data.pop("body", {})
        if not isinstance(body, dict) or not set(body) <= {"text", "highlight"}:
            return None
        markup, color = body.get("text", ""), body.get("highlight", "yellow")
        if not isinstance(markup, str) or not isinstance(color, str):
            return None
        if normalize_color(color) is None:
            return None
        texts = body_text(markup) if markup.strip() else None
        card = Card.model_validate({**data, "body": []})
    except (NotPlain, ValidationError):
        return None
    if texts is not None and not texts.text:
        texts = None  # a body of blank lines: the model's canonical body is empty
    if card.kind == "analytic" and texts is not None:
        return None
    return card, texts


def _row(text: str, card: Card, texts: BodyText | None) -> Row:
    from evcards.core.models import words
    from evcards.store.library import file_name

    spoken = texts.spoken if texts else ""
    c = card.cite
    return Row(
        card_id=card.id,
        name=file_name(card),
        toml=text,
        hash=text_hash(text),
        kind=card.kind,
        tag=card.tag,
        cite=cite_key(card),
        cite_words=" ".join(v for v in (c.short, c.full, c.author, c.title, c.publication) if v),
        short_cite=c.short,
        author=" ".join(v for v in (c.author, c.short) if v),
        year=c.year,
        labels=list(card.labels),
        sources=json.dumps(
            [s.model_dump(exclude_none=True) for s in card.sources], ensure_ascii=False
        ),
        pocket=card.location.pocket,
        hat=card.location.hat,
        block=card.location.block,
        spoken=spoken,
        body=texts.text if texts else "",
        words_read=words(card.tag) + words(spoken),
        highlighted=bool(texts and texts.has_highlight),
    )


def _refuse_nul(row: Row, where: str) -> None:
    """PostgreSQL text (and jsonb) cannot hold NUL; TOML's `\\u0000` can."""
    for name in COLUMNS:
        value = getattr(row, name)
        if (
            isinstance(value, str)
            and ("\x00" in value or (name == "sources" and "\\u0000" in value))
        ) or (isinstance(value, list) and any("\x00" in v for v in value)):
            raise RemoteError(
                f"{where}: card {row.card_id} holds a NUL character ({name}), which PostgreSQL"
                " cannot store; remove it from the card and push again"
            )
