"""A collection card's index values from the card in memory, not from its TOML read back.

A build writes each card's TOML text (for `show`, `take`, `export`), and a collection card
must be indexed exactly as the same card in a library, whose values come from reading that
text (`index.build.text_values`: the TOML parsed, the body markup parsed again). Reading
back what was just written cost half of a row's work (bench/README.md, "Collections
(issue 15)"). `marked_facts` gives the same `CardFacts` from the card's fields and its body
as (text, Marks) pairs, the model's own derived views (`Card.text`, `.underlined`,
`.spoken`, ...) worked out in one pass over the pairs. Where the TOML route might judge
differently (a card the model or the markup reader would refuse, a text a round trip
through the markup would change), it says None and the build takes that route
(`building.made_from_text`). tests/test_collections_values.py checks the two agree on
generated cards, generated caselist rows and the DebateSum corpus.
"""

from __future__ import annotations

import re
from typing import Any

from evcards.core.labels import fold_all
from evcards.core.syntax import CITE_FIELDS, FORBIDDEN_CHARS, cite_year
from evcards.index.facts import CardFacts, author_names, quick_dupkey

_ID = re.compile(r"[0-9a-f]{16}\Z")
# In a paragraph's text: what markup drops, turns into a break or cannot hold as it is.
_UNSURE = re.compile(r"[\x00-\x08\x0a-\x1f\x7f\\]")


def marked_facts(card: Any, marked: list[list[tuple[str, Any]]]) -> CardFacts | None:
    """`facts_from_dict` of `cardfile.dumps(card)`'s data, from the card and its body as
    pairs (equal to `card.body`); None where only reading the text back can say."""
    tag, cite, kind = card.tag, card.cite, card.kind
    if kind not in ("card", "analytic") or not _ID.match(card.id) or FORBIDDEN_CHARS.search(tag):
        return None
    if kind == "analytic" and marked:
        return None
    for name in CITE_FIELDS:
        value = getattr(cite, name)
        if value is not None and FORBIDDEN_CHARS.search(value):
            return None
    body = _body(marked)
    if body is None:
        return None
    text, underlined, spoken, highlighted = body
    files = tuple(s.file for s in card.sources)
    normal = " ".join(text.split())
    author = cite.author or ""
    return CardFacts(
        id=card.id,
        kind=kind,
        tag=tag,
        short_cite=cite.short,
        full_cite=cite.full,
        author=author,
        author_names=author_names(author, cite.short),
        year=cite_year(cite.date, cite.full, cite.short),
        labels=tuple(fold_all(card.labels)),
        pocket=card.location.pocket,
        hat=card.location.hat,
        block=card.location.block,
        files=files,
        text=text,
        underlined=underlined,
        spoken=spoken,
        has_highlight=highlighted,
        seen=max(1, len(files)),
        words=normal.count(" ") + 1 if normal else 0,
        words_read=len(tag.split()) + (spoken.count(" ") + 1 if spoken else 0),
        dupkey=quick_dupkey(card.id, normal, underlined, spoken),  # both normalised (`_kept`)
    )


def _body(marked: list[list[tuple[str, Any]]]) -> tuple[str, str, str, bool] | None:
    """(text, underlined, spoken, has_highlight) of the pairs, as the model's views give
    them (`formats.rows._kept`: the model's `_joined` for pairs); None for a body whose
    text the markup might not give back as it is."""
    from evcards.formats.rows import _kept, _spoken, _underlined

    paragraphs: list[str] = []
    for para in marked:
        texts = [t for t, _ in para]
        whole = "".join(texts)
        if not whole.strip() or _UNSURE.search(whole) or not all(texts):
            return None  # an empty span (not canonical) would cut a run the markup joins
        paragraphs.append(whole)
    highlighted = any(t and m.highlight is not None for para in marked for t, m in para)
    return "\n".join(paragraphs), _kept(marked, _underlined), _kept(marked, _spoken), highlighted
