"""What the card commands do to the library, as functions a test can call directly.

The models load only in the functions that build or change a card, so that `show` finds a
card (evcards.showing) without pydantic.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from evcards.core.labels import fold_all
from evcards.core.syntax import CITE_FIELDS
from evcards.errors import (
    AmbiguousCard,
    BadOption,
    CardNotFound,
    EvcardsError,
    InvalidCard,
    MarkupError,
)
from evcards.store.library import AddResult, Library

if TYPE_CHECKING:
    from evcards.core.models import Card, Cite


def cite_options(params: Mapping[str, Any], default_initials: str | None = None) -> dict[str, Any]:
    """The cite fields among a command's options, which are named as the cite's fields;
    `default_initials` (the config's) stands in for no --initials."""
    cite = {name: params[name] for name in CITE_FIELDS if name in params}
    cite["initials"] = cite.get("initials") or default_initials
    return cite


# The fields the cite parser derives from the short and full cite. The cutter's initials are not
# among them: they say who cut the card, and an edit of the cite leaves them as they are.
DERIVED_FIELDS = ("author", "quals", "date", "title", "publication", "url", "accessed")


@dataclass
class Added(AddResult):
    """What `add_card` did, and warnings for the user (a cite it could not read)."""

    warnings: list[str] = field(default_factory=list)


def add_card(
    lib: Library,
    text: str,
    tag: str = "",
    cite: dict[str, Any] | None = None,
    labels: list[str] | None = None,
    default_highlight: str = "yellow",
    *,
    cite_line: str | None = None,
    default_initials: str | None = None,
) -> Added:
    """A new card from a markup body and cite fields (None fields are left out).

    `cite_line` is a cite as written (`SHORT (FULL) INI`, `SHORT, FULL`, `SHORT [FULL] INI`),
    read into the short cite and fields by the cite parser; fields given in `cite` win over
    what it found. A line it cannot read is kept as the full cite, with a warning. A full cite
    given as a field (`--full`) is the citation alone: its fields are read too, when the
    paragraph `SHORT (FULL)` reads as a cite. `default_initials` stand in for none found."""
    from evcards.core import markup
    from evcards.core.models import Cite, clean_text, new_card

    try:
        body = markup.parse(text, default_highlight=default_highlight)
    except MarkupError as e:
        raise InvalidCard(f"body: {e}", e.detail) from None
    if not body and not tag:
        raise InvalidCard("the card has no body and no tag; give a body or --tag")
    given = {k: v for k, v in (cite or {}).items() if v is not None}
    fields, warnings = cite_fields(given, cite_line)
    fields["initials"] = fields.get("initials") or default_initials
    try:
        card = new_card(
            tag=clean_text(tag),
            cite=Cite(**{k: v for k, v in fields.items() if v is not None}),
            body=body,
            kind="card" if body else "analytic",
            labels=sorted(set(labels or [])),
        )
    except ValueError as e:  # pydantic's ValidationError is a ValueError
        from evcards.errors import format_validation

        raise InvalidCard(format_validation(e)) from None
    with lib.lock():
        done = lib.add(card)
    return Added(done.card, done.path, done.status, warnings)


def cite_fields(
    given: dict[str, Any], cite_line: str | None = None
) -> tuple[dict[str, Any], list[str]]:
    """The cite fields of a new card: those read from `cite_line` (or from the short and full
    cite given), then the `given` ones over them; and a warning when the line cannot be read.
    An empty short or full cite in `given` counts as not given."""
    from evcards.core.models import Cite

    given = {k: v for k, v in given.items() if not (k in ("short", "full") and v == "")}
    if cite_line is not None:
        if "full" in given:
            raise BadOption(
                "--cite and --full both give the full cite; give one (--cite reads the"
                " fields from the cite, --full stores the full cite as written)",
                "--full",
            )
        from_line, warnings = read_cite_line(cite_line)
        return {**from_line, **given}, warnings
    if given.get("full"):
        found = _fields_read_from(Cite(short=given.get("short", ""), full=given["full"]))
        if found is not None:
            return {**found, **given}, []
    return given, []


def read_cite_line(line: str) -> tuple[dict[str, Any], list[str]]:
    """A cite as written, as a card's cite fields (as `import` reads a paste's cite line); a
    line that does not read as a cite is the full cite, with no short cite, and a warning."""
    from evcards.core.citeparse import parse_cite
    from evcards.core.models import clean_text
    from evcards.formats.pastecite import MAX_CITE_CHARS, FoundCite, is_cite

    line = clean_text(line).strip()
    parsed = parse_cite(line) if line and len(line) <= MAX_CITE_CHARS else None
    if parsed is not None and is_cite(parsed):
        cite = FoundCite(None, 0, 1, line, parsed).model()
        return cite.model_dump(exclude_none=True), []
    full = " ".join(line.split())
    shown = full if len(full) <= 60 else full[:59] + "…"
    warning = (
        f"--cite: no short cite found in `{shown}`; kept as the full cite with no short cite"
        " (give one with --short)"
    )
    return {"full": full}, [warning] if full else []


def _fields_read_from(cite: Cite) -> dict[str, Any] | None:
    """`cite` with its derived fields read from its paragraph (`citeline.reparsed`), or None
    when the paragraph does not read as a cite (the parser would make up an author)."""
    from evcards.core.citeline import paragraph, reparsed
    from evcards.core.citeparse import parse_cite
    from evcards.formats.pastecite import MAX_CITE_CHARS, is_cite

    text = paragraph(cite)
    if not text or len(text) > MAX_CITE_CHARS or not is_cite(parse_cite(text)):
        return None
    new = reparsed(cite)
    found = {name: getattr(new, name) for name in DERIVED_FIELDS}
    return {"short": new.short, "full": new.full, **found}


@dataclass
class Saved:
    """What `save_edit` wrote, the cite fields it read again from an edited cite, and
    warnings for the user."""

    card: Card
    path: Path
    rederived: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def save_edit(lib: Library, path: Path, before: Card, after: Card) -> Saved:
    """Write a hand-edited card over its file. Call under lib.lock().

    When the edit changed the short or full cite and left every derived field (author, quals,
    date, ...) as it was, those fields are read again from the new cite, so they do not go
    stale; when the user edited one of them too, their edit stands as written."""
    if after.id != before.id:
        raise InvalidCard(
            f"id - changed from {before.id} to {after.id}; the id names the card, put it back"
        )
    if not path.exists():
        raise CardNotFound(f"{path}: the card was deleted while you edited it")
    cite, rederived, warnings = rederive_cite(before.cite, after.cite)
    if rederived:
        after = after.model_copy(update={"cite": cite})
    return Saved(after, lib.write(after, path), rederived, warnings)


def rederive_cite(before: Cite, after: Cite) -> tuple[Cite, list[str], list[str]]:
    """(the edited cite, the derived fields that changed, warnings): see `save_edit`."""
    if (after.short, after.full) == (before.short, before.full):
        return after, [], []
    if any(getattr(after, name) != getattr(before, name) for name in DERIVED_FIELDS):
        return after, [], []  # the user's own edit of a field wins
    found = _fields_read_from(after)
    if found is None:
        kept = ", ".join(name for name in DERIVED_FIELDS if getattr(after, name) is not None)
        if not kept:
            return after, [], []
        return after, [], [f"cite: the new cite does not read as a cite; {kept} kept as they were"]
    from evcards.core.models import Cite

    update = {name: found[name] for name in DERIVED_FIELDS}
    new = Cite.model_validate({**after.model_dump(), **update})
    changed = [name for name in DERIVED_FIELDS if getattr(new, name) != getattr(after, name)]
    return new, changed, []


def split_tag_args(
    lib: Library, args: list[str], explicit_tag: str | None
) -> tuple[list[str], str | None]:
    """`tag CARD... [TAG]`: the cards, and the new tag (None: unchanged).

    With --tag every argument is a card. Without it the last of two or more arguments is the
    new tag only when it cannot be a card: `tag ad1 ad` once took the tag `ad` for the id
    prefix of another card. A word of hex digits (`ad`, `be`, `cafe`), a card file or an id
    prefix some card has is a card, so such a tag needs --tag; a typo of an id is an error
    here rather than a new tag."""
    if explicit_tag is not None or len(args) < 2:
        return args, explicit_tag
    last = args[-1]
    if not could_be_a_card(last):
        return args[:-1], last
    try:
        lib.resolve(last)
    except AmbiguousCard as e:
        raise AmbiguousCard(f"{e}; or, if '{last}' is the new tag, give it with --tag") from None
    except CardNotFound:
        raise CardNotFound(
            f"'{last}' could be a card (an id or a card file) but no card has it, so it was not"
            f" taken as the new tag; check the id (`evcards list`), or give the tag with"
            f" --tag '{last}'"
        ) from None
    return args, None


def could_be_a_card(word: str) -> bool:
    """A card id or prefix (hex digits), a card file, or any word a card resolves from."""
    key = word.strip().lower()
    if not key or any(c.isspace() for c in key):
        return False  # a tag of several words
    if key.endswith(".toml") or os.sep in key or re.fullmatch(r"[0-9a-f]+", key):
        return True
    return Path(word).expanduser().is_file()


def retag(
    lib: Library,
    refs: list[str],
    tag: str | None,
    add_labels: list[str],
    remove_labels: list[str],
) -> list[tuple[Card, Path]]:
    """Set the tag and labels of every card named; all are checked before any is written."""
    from evcards.core.models import Card, clean_text

    with lib.lock():
        found = [lib.resolve(ref) for ref in refs]
        changed = []
        for path, card in found:
            labels = set(fold_all([*card.labels, *add_labels])) - set(fold_all(remove_labels))
            update: dict[str, Any] = {"labels": sorted(labels)}
            if tag is not None:
                update["tag"] = clean_text(tag).strip()
            try:
                new = Card.model_validate({**card.model_dump(), **update})
            except ValueError as e:
                from evcards.errors import format_validation

                raise InvalidCard(format_validation(e)) from None
            changed.append((new, path))
        return [(card, lib.write(card, path)) for card, path in changed]


def resolve(lib: Library, ref: str) -> tuple[Path, Card]:
    """As `Library.resolve`, but an id prefix is looked up in the index's catalog rather than
    by listing every card file (a million names in a big library). The catalog is synced
    first, so when it knows no such card there is none: a typo'd prefix is not a walk of the
    library. The walk is left for card files named by path and libraries with no index yet
    (building one would cost more than the walk)."""
    from evcards.index.catalog import card_file

    path = card_file(lib.root, ref)  # CardNotFound from the synced catalog stands
    if path is not None:
        card = lib.read(path)
        if card.id.startswith(ref.strip().lower()):
            return path, card
    return lib.resolve(ref)


def remove_cards(lib: Library, refs: list[str], purge: bool = False) -> list[tuple[Card, Path]]:
    """Move every card named to the trash (`restore_cards` brings them back), or with `purge`
    delete them for good; nothing moves if any of them cannot be found."""
    from evcards.store import trash

    with lib.lock():
        found = {card.id: (card, path) for path, card in (lib.resolve(ref) for ref in refs)}
        paths = [path for _, path in found.values()]  # a card named twice goes once
        if purge:
            trash.purge(lib, paths)
        else:
            trash.move_to_trash(lib, paths)
        return list(found.values())


@dataclass
class InTrash:
    """A card file in the trash, or just put back: the card (None when the file does not read
    as one), the path it has now, and when it was removed."""

    id: str
    card: Card | None
    path: Path
    removed: datetime | None  # UTC; None for a folder of the trash not named by `rm`


def restore_cards(lib: Library, refs: list[str]) -> list[InTrash]:
    """Put removed cards back where they were: those named (ids or id prefixes), or with no
    refs every card of the latest `rm`. Nothing moves when one cannot go back (see
    `store.trash.restore`)."""
    from evcards.store import trash

    with lib.lock():
        items = trash.find(lib, refs)
        cards = [_card_or_none(lib, item.path) for item in items]
        paths = trash.restore(lib, items)
    return [
        InTrash(item.id, card, path, trash.removal_time(item.removal))
        for item, card, path in zip(items, cards, paths, strict=True)
    ]


def trash_contents(lib: Library) -> list[InTrash]:
    """What the trash holds, the latest removal first."""
    from evcards.store import trash

    return [
        InTrash(item.id, _card_or_none(lib, item.path), item.path, trash.removal_time(item.removal))
        for item in trash.contents(lib)
    ]


def _card_or_none(lib: Library, path: Path) -> Card | None:
    try:
        return lib.read(path)
    except EvcardsError:
        return None
