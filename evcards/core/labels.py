"""Labels: the short keys a debater files cards under (OpenEv's aff, neg, da, cp, k, t, or
their own), kept in one spelling so that `Neg`, `neg` and `NEG` are one label.

A label is folded before it is stored or compared: case-folded, and each run of spaces, `_`
and `-` made one `-` (`China DA` -> `china-da`, `case_neg` -> `case-neg`). A card file written
before labels were folded reads as folded, because the model's Label type and the index's
facts both fold what they read; the file itself is folded the next time the card is written.
This module imports nothing heavy: `evcards search` folds its `--label` filters with it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

# What a folded label looks like; anchored, as pydantic's `pattern` searches.
FOLDED_PATTERN = r"^[a-z0-9][a-z0-9.+-]{0,39}$"
_FOLDED = re.compile(FOLDED_PATTERN)
_SEPARATORS = re.compile(r"[\s_-]+")


def fold(text: str) -> str:
    """The one spelling of a label: 'Neg' -> 'neg', 'China DA' -> 'china-da'."""
    if _FOLDED.fullmatch(text) and "--" not in text and not text.endswith("-"):
        return text  # already folded, as nearly every stored label is: the index reads many
    return _SEPARATORS.sub("-", text.casefold()).strip("-")


def is_label(text: str) -> bool:
    """Whether `text`, folded, is a label: letters, digits and `. + -`, up to 40, starting
    with a letter or digit."""
    return _FOLDED.fullmatch(text) is not None or _FOLDED.fullmatch(fold(text)) is not None


def fold_all(labels: Iterable[str]) -> list[str]:
    """Labels folded, sorted, each once: how a card keeps them."""
    return sorted({fold(label) for label in labels})
