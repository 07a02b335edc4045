"""The card model: what a debate card is, independent of where it is stored.

A body is a list of paragraphs; a paragraph is a list of spans; a span is a stretch of text
with the marks a debater puts on it. Bodies are kept in a canonical form (no empty spans, no
two neighbouring spans with the same marks, no blank paragraphs) so that two equal bodies
compare equal however they were built, which is what makes the round trips testable.
"""

from __future__ import annotations

import hashlib
import itertools
import re
import unicodedata
from typing import Annotated, Any, Literal, NamedTuple

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    field_validator,
    model_validator,
)

from evcards.core import labels as _labels
from evcards.core.syntax import (
    CITE_FIELDS,
    DEFAULT_WPM,
    FORBIDDEN_CHARS,
    HIGHLIGHT_COLORS,
    HighlightColor,
    cite_year,
)
from evcards.core.syntax import (
    HIGHLIGHT_RGB as HIGHLIGHT_RGB,  # kept here for html and dataset (now in syntax)
)

_COLOR_BY_LOWER = {c.lower(): c for c in HIGHLIGHT_COLORS}

_STRICT = ConfigDict(extra="forbid", strict=True)
_FORBIDDEN_CHARS = FORBIDDEN_CHARS
_SHADING = re.compile(r"^[0-9A-F]{6}$")
_WS = re.compile(r"\s+")


def normalize_color(name: str) -> str | None:
    """Map any spelling of a Word highlight colour ('Cyan', 'darkgray') to OOXML's, else None."""
    return _COLOR_BY_LOWER.get(name.strip().lower())


def clean_text(text: str) -> str:
    """Make arbitrary input text fit a span: line breaks become spaces, control chars go."""
    text = text.replace("\r\n", " ").replace("\r", " ").replace("\n", " ")
    return _FORBIDDEN_CHARS.sub("", text)


def words(text: str) -> int:
    """Count words the way a debater reads them: whitespace-separated tokens."""
    return len(text.split())


class Marks(NamedTuple):
    """A span's marks without its text: spans with equal marks merge. The reader of a long
    .docx keeps bodies as (text, Marks) pairs and never builds a Span per run."""

    underline: bool = False
    emphasis: bool = False
    box: bool = False
    highlight: str | None = None
    shading: str | None = None
    bold: bool = False
    italic: bool = False
    size: float | None = None

    def id_repr(self) -> str:
        """What a card's id hashes for these marks: the plain tuple's repr, as it always was,
        so that no id changes with the type's name or fields' names."""
        return tuple.__repr__(self)


PLAIN = Marks()


class Span(BaseModel):
    """A stretch of body text and its marks."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)

    text: str
    underline: bool = False
    emphasis: bool = False
    box: bool = False
    highlight: HighlightColor | None = None
    shading: str | None = None
    bold: bool = False
    italic: bool = False
    size: float | None = None

    @field_validator("text")
    @classmethod
    def _one_line(cls, v: str) -> str:
        if _FORBIDDEN_CHARS.search(v):
            raise ValueError("span text may not contain line breaks or control characters")
        return v

    @field_validator("shading")
    @classmethod
    def _hex(cls, v: str | None) -> str | None:
        if v is not None and not _SHADING.match(v):
            raise ValueError("shading must be six upper-case hex digits such as D9D9D9")
        return v

    @field_validator("size", mode="before")
    @classmethod
    def _size(cls, v: Any) -> Any:
        if isinstance(v, int) and not isinstance(v, bool):
            v = float(v)
        if isinstance(v, float) and not (1.0 <= v <= 400.0 and (v * 2).is_integer()):
            raise ValueError("size must be a point size from 1 to 400 in half points")
        return v

    def marks(self) -> Marks:
        """Everything but the text: spans with equal marks merge."""
        return Marks(
            self.underline,
            self.emphasis,
            self.box,
            self.highlight,
            self.shading,
            self.bold,
            self.italic,
            self.size,
        )

    @property
    def is_underlined(self) -> bool:
        return self.underline or self.emphasis

    def with_text(self, text: str) -> Span:
        return self.model_copy(update={"text": text})


def normalize_body(body: list[list[Span]]) -> list[list[Span]]:
    """Canonical form: merge neighbours with equal marks, drop empty spans and blank paragraphs."""
    out: list[list[Span]] = []
    for para in body:
        merged: list[Span] = []
        for span in para:
            if not span.text:
                continue
            if merged and merged[-1].marks() == span.marks():
                merged[-1] = merged[-1].with_text(merged[-1].text + span.text)
            else:
                merged.append(span)
        if merged and any(not s.text.isspace() for s in merged):
            out.append(merged)
    return out


class Cite(BaseModel):
    """Who said it and where: the short cite read aloud and the full citation."""

    model_config = _STRICT

    short: str = ""
    full: str = ""
    author: str | None = None
    quals: str | None = None
    date: str | None = None
    title: str | None = None
    publication: str | None = None
    url: str | None = None
    accessed: str | None = None
    initials: str | None = None

    @field_validator(*CITE_FIELDS)
    @classmethod
    def _one_line(cls, v: str | None) -> str | None:
        if v is not None and _FORBIDDEN_CHARS.search(v):
            raise ValueError("must be a single line without control characters")
        return v

    @field_validator(*CITE_FIELDS[2:])  # all but the short and full cite
    @classmethod
    def _empty_is_unknown(cls, v: str | None) -> str | None:
        return v or None

    @property
    def year(self) -> int | None:
        """The source's year (see `syntax.cite_year`)."""
        return cite_year(self.date, self.full, self.short)


class Location(BaseModel):
    """Where the card was filed: Pocket > Hat > Block (Heading 1 > 2 > 3)."""

    model_config = _STRICT

    pocket: str = ""
    hat: str = ""
    block: str = ""


class Source(BaseModel):
    """One sighting of the card: the file it came from and its position there."""

    model_config = _STRICT

    file: str
    position: int | None = None


def _folded(value: Any) -> Any:
    return _labels.fold(value) if isinstance(value, str) else value


LABEL_PATTERN = _labels.FOLDED_PATTERN
# Folded before it is checked (core/labels.py): a file's `Neg` or `China DA` reads as
# `neg` or `china-da`, which is how a file written before labels were folded migrates.
Label = Annotated[str, BeforeValidator(_folded), Field(pattern=LABEL_PATTERN)]
is_label = _labels.is_label  # labels are short keys such as OpenEv's aff, neg, da, cp, k, t


class Card(BaseModel):
    """A debate card (tag, cite, marked-up body) or an analytic (a tag alone)."""

    model_config = _STRICT

    id: str = Field(pattern=r"^[0-9a-f]{16}$")
    tag: str = ""
    kind: Literal["card", "analytic"] = "card"
    cite: Cite = Field(default_factory=Cite)
    undertag: str = ""
    location: Location = Field(default_factory=Location)
    labels: list[Label] = Field(default_factory=list)
    sources: list[Source] = Field(default_factory=list)
    body: list[list[Span]] = Field(default_factory=list)

    @field_validator("tag")
    @classmethod
    def _tag_line(cls, v: str) -> str:
        if _FORBIDDEN_CHARS.search(v):
            raise ValueError("the tag must be a single line")
        return v

    @field_validator("labels")
    @classmethod
    def _labels(cls, v: list[str]) -> list[str]:
        return sorted(set(v))

    @field_validator("body")
    @classmethod
    def _canonical(cls, v: list[list[Span]]) -> list[list[Span]]:
        return normalize_body(v)

    @model_validator(mode="after")
    def _analytic_has_no_body(self) -> Card:
        if self.kind == "analytic" and self.body:
            raise ValueError("an analytic has a tag and no body; make it kind = 'card'")
        return self

    # Derived views: computed from the body, never stored.
    @property
    def paragraphs(self) -> list[str]:
        return ["".join(s.text for s in para) for para in self.body]

    @property
    def text(self) -> str:
        return "\n".join(self.paragraphs)

    @property
    def underlined(self) -> str:
        """Underlined and emphasised text, what a long version of the card reads."""
        return _joined(self.body, lambda s: s.is_underlined)

    @property
    def spoken(self) -> str:
        """Highlighted text: what the debater reads aloud."""
        return _joined(self.body, lambda s: s.highlight is not None)

    @property
    def has_highlight(self) -> bool:
        return any(s.highlight is not None for para in self.body for s in para)

    @property
    def word_count(self) -> int:
        return words(self.text)

    @property
    def words_read(self) -> int:
        """Tag words plus highlighted words, Verbatim's basis for read time."""
        return words(self.tag) + words(self.spoken)

    def read_seconds(self, wpm: int = DEFAULT_WPM) -> float:
        return self.words_read * 60.0 / wpm

    @property
    def seen(self) -> int:
        """How many times the card was met in imported files (at least once: it exists)."""
        return max(1, len(self.sources))


def _joined(body: list[list[Span]], keep: Any) -> str:
    """The text of the spans `keep` accepts; a gap between kept stretches becomes one space."""
    parts: list[str] = []
    for para in body:
        run: list[str] = []
        for span in para:
            if keep(span):
                run.append(span.text)
            elif run:
                parts.append("".join(run))
                run = []
        if run:
            parts.append("".join(run))
    return _WS.sub(" ", " ".join(p.strip() for p in parts if p.strip())).strip()


def content_key(
    body: list[list[Span]], tag: str = "", cite: Cite | None = None, kind: str = "card"
) -> str:
    """A stable id from content: same text and marks, same id, whatever the whitespace.

    The tag is left out for cards so that retagging keeps the id; two cuts of one article
    with different highlighting are different cards, so marks count.
    """
    h = hashlib.blake2b(digest_size=8)
    if body:
        h.update(b"card\0")
        for para in body:
            for span in para:
                t = _WS.sub(" ", unicodedata.normalize("NFC", span.text))
                h.update(t.encode())
                h.update(span.marks().id_repr().encode())
            h.update(b"\0p\0")
    else:
        h.update(f"{kind}\0".encode())
        h.update(_WS.sub(" ", tag).strip().encode())
        if cite is not None:
            h.update(f"\0{cite.short}\0{cite.full}".encode())
    return h.hexdigest()


def content_key_marked(
    body: list[list[tuple[str, Marks]]], tag: str = "", cite: Cite | None = None, kind: str = "card"
) -> str:
    """`content_key` of a canonical body given as (text, marks) pairs: the id for a reader
    that never builds a Span per run (the .docx import). tests/test_content_key.py proves
    the two agree.

    Hashing is incremental, so one update with everything joined equals content_key's many;
    whitespace and NFC are fixed per span only in the rare paragraphs that need it, and each
    distinct marks' repr is worked out once per card. A paragraph's texts and marks are split
    and interleaved back by `zip` and `chain` in C: no Python step per span."""
    if not body:
        return content_key([], tag, cite, kind)
    reprs = _Reprs()
    repr_of = reprs.__getitem__
    pieces = ["card\0"]
    extend = pieces.extend
    for para in body:
        texts, marks = zip(*para, strict=True) if para else ((), ())
        joined = "".join(texts)
        # Whitespace but a space is never printable, and ASCII is NFC: the class pattern
        # and the NFC test run only where these C tests cannot answer.
        if (
            "  " in joined
            or (not joined.isprintable() and _NOT_SPACE_WS.search(joined))
            or not (joined.isascii() or unicodedata.is_normalized("NFC", joined))
        ):
            texts = tuple([_WS.sub(" ", unicodedata.normalize("NFC", t)) for t in texts])
        extend(_chain(zip(texts, map(repr_of, marks), strict=True)))
        pieces.append("\0p\0")
    return hashlib.blake2b("".join(pieces).encode(), digest_size=8).hexdigest()


_NOT_SPACE_WS = re.compile(r"[^\S ]")
_chain = itertools.chain.from_iterable


class _Reprs(dict[Any, str]):
    """Marks -> `id_repr`, each worked out on first use (one card's: a card keeps the repr of
    the first of equal marks it meets, as the id always did)."""

    def __missing__(self, marks: Marks) -> str:
        r = self[marks] = marks.id_repr()
        return r


def new_card(**fields: Any) -> Card:
    """Build a card whose id is derived from its content."""
    body = normalize_body(fields.get("body") or [])
    fields["body"] = body
    cite = fields.get("cite")
    if isinstance(cite, dict):
        cite = Cite(**cite)
        fields["cite"] = cite
    fields.setdefault(
        "id", content_key(body, fields.get("tag", ""), cite, fields.get("kind", "card"))
    )
    return Card(**fields)
