"""What the search index needs from a card file, read fast: no Pydantic, no Span objects.

`cardfile.read` validates a card into the full model, which costs far more than indexing can
spend per card (bench/README.md: the reader is the index build's floor, ~3,300 files a second
per core). `extract` reads the same file with the fast twins, each beside its reference:
`store.cardtoml` for the TOML (tomllib) and `core.markup_text` for the body markup
(`markup.parse` and the model's derived text). `facts_from_dict` is the twin of the model's
validation, with `facts_from_card` as its reference: it yields exactly what `Card.text`,
`.underlined`, `.spoken`, `.has_highlight`, `.words_read`, `.seen` and `Cite.year` give, and
refuses (NotPlain) what it cannot vouch for, which then goes to the full parser
(tests/test_facts.py checks both with hypothesis and on the corpus).
This module imports neither pydantic nor the models, so `evcards search` starts fast.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from evcards.core.citenames import short_name
from evcards.core.labels import fold_all, is_label
from evcards.core.markup_text import BodyText, NotPlain, body_text
from evcards.core.syntax import (
    CITE_FIELDS,
    FORBIDDEN_CHARS,
    HIGHLIGHT_COLORS,
    cite_year,
)
from evcards.store.cardtoml import loads_card_toml

_FORBIDDEN_CHARS = FORBIDDEN_CHARS
_ID = re.compile(r"^[0-9a-f]{16}$")
_COLORS = {c.lower() for c in HIGHLIGHT_COLORS}
_TOP_KEYS = {"id", "tag", "kind", "cite", "undertag", "location", "labels", "sources", "body"}
_CITE_KEYS = set(CITE_FIELDS)
_LOCATION_KEYS = {"pocket", "hat", "block"}


@dataclass(frozen=True, slots=True)
class CardFacts:
    """One card as the index stores it."""

    id: str
    kind: str
    tag: str
    short_cite: str
    full_cite: str
    author: str
    author_names: str  # what `search --author` matches: see `author_names`
    year: int | None
    labels: tuple[str, ...]
    pocket: str
    hat: str
    block: str
    files: tuple[str, ...]
    text: str
    underlined: str
    spoken: str
    has_highlight: bool
    seen: int
    words: int  # of the body text, as `Card.word_count`
    words_read: int
    dupkey: str  # cards with this key equal are the same cut of the same text (index.search)


def dupkey_of(card_id: str, text: str, underlined: str, spoken: str) -> str:
    """A card's dupkey: its text, underlined and highlighted text after Unicode NFC and
    whitespace normalisation, hashed (an analytic's is its id). The reference for
    `quick_dupkey`, and what `facts_from_card` uses."""
    if not text:
        return "id:" + card_id
    import hashlib
    import unicodedata

    h = hashlib.blake2b(digest_size=12)
    for part in (text, underlined, spoken):
        if not part.isascii():
            part = unicodedata.normalize("NFC", part)
        h.update(" ".join(part.split()).encode())
        h.update(b"\0")
    return h.hexdigest()


def quick_dupkey(card_id: str, normal: str, underlined: str, spoken: str) -> str:
    """`dupkey_of` of text whose whitespace is normalised already (`normal` is
    `" ".join(text.split())`, and a body's text is never blank, so it is empty only when the
    text is; the body reader gives the underlined and spoken text normalised already):
    no split of each part again, a third of the reader's cost of a card once. NFC maps
    whitespace to whitespace and nothing else to it, so normalising the whitespace first
    changes nothing; a part NFC changes is normalised again all the same
    (tests/test_facts.py checks the two agree)."""
    if not normal:
        return "id:" + card_id
    import unicodedata

    try:  # hashlib's own blake2b, without hashlib loading OpenSSL (2-7 ms of `show`)
        from _blake2 import blake2b
    except ImportError:  # pragma: no cover - a Python built without it
        from hashlib import blake2b
    h = blake2b(digest_size=12)
    for part in (normal, underlined, spoken):
        if not part.isascii():
            nfc = unicodedata.normalize("NFC", part)
            if nfc != part:
                part = " ".join(nfc.split())
        h.update(part.encode())
        h.update(b"\0")
    return h.hexdigest()


def facts_from_dict(data: dict[str, object]) -> CardFacts:
    """Index facts of a card given as TOML data; NotPlain when the data is unusual."""
    if not set(data) <= _TOP_KEYS:
        raise NotPlain("unknown key")
    card_id = data.get("id")
    if not isinstance(card_id, str) or not _ID.match(card_id):
        raise NotPlain("id")
    cite, loc = _cite(data.get("cite", {})), data.get("location", {})
    if not isinstance(loc, dict) or not set(loc) <= _LOCATION_KEYS:
        raise NotPlain("location")
    labels, files = _labels(data.get("labels", [])), _files(data.get("sources", []))
    kind = data.get("kind", "card")
    tag = _str(data, "tag")
    _str(data, "undertag")  # not indexed, but the model wants a string
    if kind not in ("card", "analytic") or _FORBIDDEN_CHARS.search(tag):
        raise NotPlain("kind or tag")
    bt = _body(data.get("body"))
    if kind == "analytic" and bt.text:
        raise NotPlain("analytic with a body")
    short, full = _str(cite, "short"), _str(cite, "full")
    normal = " ".join(bt.text.split())  # one split for the word count and the dupkey
    return CardFacts(
        id=card_id,
        kind=kind,
        tag=tag,
        short_cite=short,
        full_cite=full,
        author=str(cite.get("author") or ""),
        author_names=author_names(cite.get("author") or "", short),
        year=cite_year(cite.get("date"), full, short),
        labels=labels,
        pocket=_str(loc, "pocket"),
        hat=_str(loc, "hat"),
        block=_str(loc, "block"),
        files=files,
        text=bt.text,
        underlined=bt.underlined,
        spoken=bt.spoken,
        has_highlight=bt.has_highlight,
        seen=max(1, len(files)),
        words=normal.count(" ") + 1 if normal else 0,
        words_read=len(tag.split()) + (bt.spoken.count(" ") + 1 if bt.spoken else 0),
        dupkey=quick_dupkey(card_id, normal, bt.underlined, bt.spoken),
    )


def author_names(author: str, short: str) -> str:
    """What `search --author` matches (the index's `author` column): the authors as stored
    (the cite parser writes them as names: 'Emma Black', 'Smith and Jones', 'RAND
    Corporation'), then the short cite's name part ('Stern 3' -> 'Stern', '1AC Alford 18'
    -> 'Alford') unless the authors already hold it. Every word of a name matches, the
    family name as the given one, and the short cite's always: a card whose stored author
    lacks its family name (imported before the parser: `author = "Emma"` for `Black 21
    [Emma; ...]`) is still found by it. Accents and case are the tokenizer's
    (`remove_diacritics 2`, schema.py); joining words ('and', 'et al.') stay, matching only
    themselves in a filter column of weight 0. Cheap: one regex a card (bench/README.md)."""
    name = short_name(short) if short else ""
    if not name or name in author:
        return author
    return f"{author}\n{name}" if author else name


def _str(table: Mapping[str, object], key: str) -> str:
    value = table.get(key, "")
    if value is None or not isinstance(value, str):
        raise NotPlain(key)
    return value


def _cite(cite: object) -> dict[str, str]:
    """The cite table, when every field is a known one and a single line of text."""
    if not isinstance(cite, dict) or not set(cite) <= _CITE_KEYS:
        raise NotPlain("cite")
    for value in cite.values():
        if not isinstance(value, str) or _FORBIDDEN_CHARS.search(value):
            raise NotPlain("cite")
    return cite


def _labels(labels: object) -> tuple[str, ...]:
    """The labels as the model keeps them: each valid, folded (core/labels.py), sorted, once."""
    if not (isinstance(labels, list) and all(isinstance(x, str) and is_label(x) for x in labels)):
        raise NotPlain("labels")
    return tuple(fold_all(labels))


def _files(sources: object) -> tuple[str, ...]:
    """The file of each sighting, when each is a plain {file, position} table."""
    if not (isinstance(sources, list) and all(_plain_source(s) for s in sources)):
        raise NotPlain("sources")
    return tuple(s["file"] for s in sources)


def _plain_source(s: object) -> bool:
    if not isinstance(s, dict) or not set(s) <= {"file", "position"}:
        return False
    pos = s.get("position")
    return isinstance(s.get("file"), str) and (pos is None or type(pos) is int)


def _body(body: object) -> BodyText:
    """The text facts of the body table, read by the fast markup reader."""
    if body is None:
        return BodyText("", "", "", False)
    if not isinstance(body, dict) or not set(body) <= {"text", "highlight"}:
        raise NotPlain("body")
    bt = body_text(_str(body, "text"))
    color = body.get("highlight", "yellow")
    if not isinstance(color, str) or color.strip().lower() not in _COLORS:
        raise NotPlain("body.highlight")
    return bt


def facts_from_card(card: object) -> CardFacts:
    """The same facts from a full Card model (the slow path, and the tests' reference)."""
    c = card  # typed loosely so that this module never imports the models
    return CardFacts(
        id=c.id,  # type: ignore[attr-defined]
        kind=c.kind,  # type: ignore[attr-defined]
        tag=c.tag,  # type: ignore[attr-defined]
        short_cite=c.cite.short,  # type: ignore[attr-defined]
        full_cite=c.cite.full,  # type: ignore[attr-defined]
        author=c.cite.author or "",  # type: ignore[attr-defined]
        author_names=author_names(c.cite.author or "", c.cite.short),  # type: ignore[attr-defined]
        year=c.cite.year,  # type: ignore[attr-defined]
        labels=tuple(c.labels),  # type: ignore[attr-defined]
        pocket=c.location.pocket,  # type: ignore[attr-defined]
        hat=c.location.hat,  # type: ignore[attr-defined]
        block=c.location.block,  # type: ignore[attr-defined]
        files=tuple(s.file for s in c.sources),  # type: ignore[attr-defined]
        text=c.text,  # type: ignore[attr-defined]
        underlined=c.underlined,  # type: ignore[attr-defined]
        spoken=c.spoken,  # type: ignore[attr-defined]
        has_highlight=c.has_highlight,  # type: ignore[attr-defined]
        seen=c.seen,  # type: ignore[attr-defined]
        words=c.word_count,  # type: ignore[attr-defined]
        words_read=c.words_read,  # type: ignore[attr-defined]
        dupkey=dupkey_of(c.id, c.text, c.underlined, c.spoken),  # type: ignore[attr-defined]
    )


def extract(raw: bytes, where: str = "card") -> CardFacts:
    """Index facts of one card file's bytes. Raises InvalidCard (via the full parser) for a
    file `cardfile.read` would reject; unusual-but-valid files take the slow, exact path."""
    import tomllib  # only here: `evcards search` with nothing to index never needs it

    try:
        text = raw.decode("utf-8")
        try:
            data = loads_card_toml(text, raw)
        except NotPlain:
            data = tomllib.loads(text)
        return facts_from_dict(data)
    except (NotPlain, UnicodeDecodeError, tomllib.TOMLDecodeError, RecursionError):
        pass
    from evcards.errors import InvalidCard
    from evcards.store import cardfile

    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as e:
        raise InvalidCard(f"{where}: not UTF-8 text (byte {e.start})") from None
    return facts_from_card(cardfile.loads(text, where))
