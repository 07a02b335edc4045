"""What the card commands do to the library, as functions a test can call directly."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from evcards.core import markup
from evcards.core.models import Card, Cite, clean_text, new_card
from evcards.core.syntax import CITE_FIELDS
from evcards.errors import AmbiguousCard, CardNotFound, EvcardsError, InvalidCard, MarkupError
from evcards.store.library import AddResult, Library


def cite_options(params: Mapping[str, Any], default_initials: str | None = None) -> dict[str, Any]:
    """The cite fields among a command's options, which are named as the cite's fields;
    `default_initials` (the config's) stands in for no --initials."""
    cite = {name: params[name] for name in CITE_FIELDS if name in params}
    cite["initials"] = cite.get("initials") or default_initials
    return cite


def add_card(
    lib: Library,
    text: str,
    tag: str = "",
    cite: dict[str, Any] | None = None,
    labels: list[str] | None = None,
    default_highlight: str = "yellow",
) -> AddResult:
    """A new card from a markup body and cite fields (None fields are left out)."""
    try:
        body = markup.parse(text, default_highlight=default_highlight)
    except MarkupError as e:
        raise InvalidCard(f"body: {e}") from None
    fields = {k: v for k, v in (cite or {}).items() if v is not None}
    if not body and not tag:
        raise InvalidCard("the card has no body and no tag; give a body or --tag")
    try:
        card = new_card(
            tag=clean_text(tag),
            cite=Cite(**fields),
            body=body,
            kind="card" if body else "analytic",
            labels=sorted(set(labels or [])),
        )
    except ValueError as e:  # pydantic's ValidationError is a ValueError
        from evcards.errors import format_validation

        raise InvalidCard(format_validation(e)) from None
    with lib.lock():
        return lib.add(card)


def save_edit(lib: Library, path: Path, before: Card, after: Card) -> Path:
    """Write a hand-edited card over its file. Call under lib.lock()."""
    if after.id != before.id:
        raise InvalidCard(
            f"id - changed from {before.id} to {after.id}; the id names the card, put it back"
        )
    if not path.exists():
        raise CardNotFound(f"{path}: the card was deleted while you edited it")
    return lib.write(after, path)


def split_tag_args(
    lib: Library, args: list[str], explicit_tag: str | None
) -> tuple[list[str], str | None]:
    """`tag CARD... [TAG]`: the last argument is the tag unless it names a card."""
    if explicit_tag is not None or len(args) < 2:
        return args, explicit_tag
    last = args[-1]
    if not any(c.isspace() for c in last):
        try:
            lib.resolve(last)
            return args, None
        except AmbiguousCard:
            raise  # `tag 8f70 1b`: a card meant, and its tag would have become "1b"
        except EvcardsError:
            if _looks_like_a_card(last):
                raise CardNotFound(
                    f"'{last}' looks like a card id but no card has it, so it was not taken as"
                    f" the new tag; check the id (`evcards list`), or give the tag with --tag"
                ) from None
    return args[:-1], last


def _looks_like_a_card(word: str) -> bool:
    """An id prefix with a typo, or a card file: a tag is almost never such a word."""
    key = word.lower()
    if key.endswith(".toml") or os.sep in key:
        return True
    return bool(re.fullmatch(r"[0-9a-f]+", key)) and (
        len(key) >= 4 or any(c.isdigit() for c in key)
    )


def retag(
    lib: Library,
    refs: list[str],
    tag: str | None,
    add_labels: list[str],
    remove_labels: list[str],
) -> list[tuple[Card, Path]]:
    """Set the tag and labels of every card named; all are checked before any is written."""
    with lib.lock():
        found = [lib.resolve(ref) for ref in refs]
        changed = []
        for path, card in found:
            labels = (set(card.labels) | set(add_labels)) - set(remove_labels)
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


def remove_cards(lib: Library, refs: list[str]) -> list[tuple[Card, Path]]:
    """Delete every card named; nothing is deleted if any of them cannot be found."""
    with lib.lock():
        found = [lib.resolve(ref) for ref in refs]
        for path, _ in found:
            lib.remove(path)
        return [(card, path) for path, card in found]
