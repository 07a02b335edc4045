"""A card file's head (its TOML data, body left out) as a Card, with no pydantic validation:
the fast twin of `Card.model_validate({**data, "body": []})` for the export, which reads a
library's worth of heads (the validation was about a fifth of a row's cost).

`card_of_head` checks by hand what the model checks, for the data a card file as `dumps`
writes it holds: the known keys, strict types, the id's pattern, a one-line tag and cite,
labels as the model folds them; it builds the models with `model_construct`, which runs no
validator. For anything else (an unknown key, a wrong type, a label the fold changes)
it gives None and the caller validates with the model, which also gives the model's error.
tests/test_cardhead.py checks that the two agree.
"""

from __future__ import annotations

import re
from typing import Any

from evcards.core import labels as _labels
from evcards.core.models import Card, Cite, Location, Source
from evcards.core.syntax import CITE_FIELDS, FORBIDDEN_CHARS

_KEYS = frozenset(("id", "tag", "kind", "cite", "undertag", "location", "labels", "sources"))
_CITE_KEYS = frozenset(CITE_FIELDS)
_UNKNOWN_WHEN_EMPTY = frozenset(CITE_FIELDS[2:])  # Cite._empty_is_unknown
_LOCATION_KEYS = frozenset(("pocket", "hat", "block"))
_ID = re.compile(r"[0-9a-f]{16}")
_LABEL = re.compile(_labels.FOLDED_PATTERN.removeprefix("^").removesuffix("$"))
_KINDS = ("card", "analytic")


def card_of_head(data: dict[str, Any]) -> Card | None:
    """The Card `Card.model_validate({**data, "body": []})` gives, or None where this
    reader cannot vouch for `data` (the model then judges it)."""
    if not _KEYS.issuperset(data):
        return None
    card_id, tag = data.get("id"), data.get("tag", "")
    kind, undertag = data.get("kind", "card"), data.get("undertag", "")
    if type(card_id) is not str or _ID.fullmatch(card_id) is None:
        return None
    if type(tag) is not str or FORBIDDEN_CHARS.search(tag) or type(undertag) is not str:
        return None
    if kind not in _KINDS or type(kind) is not str:
        return None
    fields: dict[str, Any] = {**data, "body": []}  # the fields set: those given, as validated
    for name, make in _MAKERS:
        if name in data:
            made = make(data[name])
            if made is None:
                return None
            fields[name] = made
    return Card.model_construct(**fields)


def _cite(table: Any) -> Cite | None:
    if type(table) is not dict or not _CITE_KEYS.issuperset(table):
        return None
    values: dict[str, Any] = {}
    for name, value in table.items():
        if type(value) is not str or FORBIDDEN_CHARS.search(value):
            return None
        values[name] = value or None if name in _UNKNOWN_WHEN_EMPTY else value
    return Cite.model_construct(**values)


def _location(table: Any) -> Location | None:
    if type(table) is not dict or not _LOCATION_KEYS.issuperset(table):
        return None
    if any(type(v) is not str for v in table.values()):
        return None
    return Location.model_construct(**table)


def _labels_of(found: Any) -> list[str] | None:
    """The labels as the model keeps them (folded, each once, sorted); None for any that
    the fold would change or the pattern refuses."""
    if type(found) is not list:
        return None
    for label in found:
        if type(label) is not str or _LABEL.fullmatch(label) is None:
            return None
        if _labels.fold(label) != label:
            return None
    return sorted(set(found))


def _sources(found: Any) -> list[Source] | None:
    if type(found) is not list:
        return None
    out = []
    for table in found:
        if type(table) is not dict or not 1 <= len(table) <= 2:
            return None
        file, position = table.get("file"), table.get("position")
        if type(file) is not str or len(table) != 1 + ("position" in table):
            return None
        if position is not None and type(position) is not int:
            return None
        if "position" in table and position is None:
            return None
        out.append(
            Source.model_construct(file=file)
            if "position" not in table
            else Source.model_construct(file=file, position=position)
        )
    return out


_MAKERS = (("cite", _cite), ("location", _location), ("labels", _labels_of), ("sources", _sources))
