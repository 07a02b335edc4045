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
    from evcards.store.cardfile import card_to_dict

    return json.dumps(
        card_to_dict(card.model_copy(update={"body": []})).get("cite", {}),
        sort_keys=True,
        ensure_ascii=False,
    )


def row_of(text: str, where: str) -> tuple[Row, Card]:
    """The row for a card file's text (validated as `cardfile.loads` would), and the card
    without its body (what a merge needs)."""
    # `_from_pairs` is body_text's reader of (text, marks) pairs: the pairs `loads_marked`
    # already made, so the body is parsed once (test_remote_rows.py checks it on the corpus).
    from evcards.core.markup_text import _from_pairs
    from evcards.core.models import words
    from evcards.store.cardfile import loads_marked
    from evcards.store.library import file_name

    card, marked = loads_marked(text, where)
    texts = _from_pairs(marked) if marked else None
    spoken = texts.spoken if texts else ""
    c = card.cite
    row = Row(
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
    _refuse_nul(row, where)
    return row, card


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
