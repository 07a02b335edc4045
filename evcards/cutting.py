"""Cutting: from a web page or pasted text to a draft card with its cite built.

The mechanical part of cutting (getting the text, cleaning it, building the cite) happens
here; the judgment (tag, underlining, highlighting) is left to the debater.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from evcards.core import cite_build
from evcards.core.cite_build import CiteFields
from evcards.core.models import Card, Cite, Span, clean_text, content_key, new_card
from evcards.errors import InputFileError
from evcards.fixing import Fixes, apply_fixes
from evcards.formats.webpage import Extracted, extract_html, looks_like_html
from evcards.limits import MAX_CARD_CHARS
from evcards.store.library import AddResult, Library

# -- plain text ----------------------------------------------------------------------------
_HYPHEN_BREAK = re.compile(r"(\w)-[ \t]*\n[ \t]*(?=(\w))")
_SPACES = re.compile(r"[ \t\u00a0]+")
_MID_SENTENCE_BREAK = re.compile(r"(?<=[\w,;–—-])[ \t]*\n(?=[ \t]*[a-z(\[])")


def _unbreak(m: re.Match[str]) -> str:
    # `exam-\nple` was a word broken by the layout; `Cold War-\nEra` keeps its hyphen
    return m.group(1) if m.group(2).islower() else m.group(1) + "-"


def clean_pasted(text: str) -> list[str]:
    """Paragraphs from pasted text: blank lines separate paragraphs (else every line that
    ends a sentence ends one); PDF line breaks inside a paragraph are joined and
    `exam-\\nple` becomes `example`."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\f", "\n\n")
    text = _HYPHEN_BREAK.sub(_unbreak, text).strip()
    if re.search(r"\n[ \t]*\n", text):
        blocks = re.split(r"\n[ \t]*\n+", text)
    else:
        # Text copied from a PDF has no blank lines and a break every line: a line that stops
        # mid-sentence ("neither can" / "win a war") goes on in the next one.
        blocks = _MID_SENTENCE_BREAK.sub(" ", text).split("\n")
    paragraphs = []
    for block in blocks:
        para = _SPACES.sub(" ", clean_text(block)).strip()
        if para:
            paragraphs.append(para)
    return paragraphs


def extract_text(text: str) -> Extracted:
    paragraphs = clean_pasted(text)
    if not paragraphs:
        raise InputFileError("nothing to cut: the text is empty")
    return Extracted(paragraphs)


def extract_source(data: str, url: str | None = None) -> Extracted:
    """HTML or text, told apart by content."""
    found = extract_html(data, url) if looks_like_html(data) else extract_text(data)
    if sum(len(p) for p in found.paragraphs) > MAX_CARD_CHARS:
        raise InputFileError(
            f"the text is over {MAX_CARD_CHARS:,} characters; that is not one card -"
            " cut the part you need"
        )
    return found


# -- the draft card ------------------------------------------------------------------------
@dataclass
class CutOptions:
    """What the debater says about the cut; cite overrides beat the page's metadata."""

    overrides: dict[str, str | None] = field(default_factory=dict)
    initials: str | None = None
    accessed: str | None = None
    template: str | None = None
    tag: str = ""
    labels: list[str] = field(default_factory=list)


def cite_fields(extracted: Extracted, opts: CutOptions) -> CiteFields:
    base = extracted.meta.updated(
        accessed=opts.accessed or cite_build.today(), initials=opts.initials
    )
    overrides = dict(opts.overrides)
    if overrides.get("date"):
        overrides["date"] = cite_build.display_date(overrides["date"])
    return base.updated(**overrides)


def build_cite(f: CiteFields, template: str | None = None) -> Cite:
    return Cite(
        short=cite_build.short_cite(f),
        full=cite_build.full_cite(f, template),
        author=f.author,
        quals=f.quals,
        date=f.date,
        title=f.title,
        publication=f.publication,
        url=f.url,
        accessed=f.accessed,
        initials=f.initials,
    )


def draft_card(extracted: Extracted, opts: CutOptions) -> Card:
    """A card with the source's text unmarked and the cite built; the id is provisional."""
    f = cite_fields(extracted, opts)
    body = [[Span(text=p)] for p in extracted.paragraphs]
    return new_card(
        tag=clean_text(opts.tag).strip(),
        cite=build_cite(f, opts.template),
        body=body,
        labels=sorted(set(opts.labels)),
    )


def rebuild_cite(draft: Cite, edited: Cite, template: str | None = None) -> Cite:
    """After the editor: cite parts the debater changed flow into the short and full cite,
    unless they rewrote those by hand (then their text is theirs)."""
    parts = ("author", "quals", "date", "title", "publication", "url", "accessed", "initials")
    if all(getattr(draft, k) == getattr(edited, k) for k in parts):
        return edited
    f = fields_of(edited)
    update = {}
    if edited.short == draft.short:
        f.short = None
        update["short"] = cite_build.short_cite(f)
    if edited.full == draft.full:
        update["full"] = cite_build.full_cite(f, template)
    return edited.model_copy(update=update)


def grade_of(cite: Cite) -> cite_build.Grade:
    return cite_build.grade(fields_of(cite))


def fields_of(cite: Cite) -> CiteFields:
    """A stored cite's parts, to grade it or build it again."""
    return CiteFields(
        author=cite.author,
        quals=cite.quals,
        date=cite.date,
        title=cite.title,
        publication=cite.publication,
        url=cite.url,
        accessed=cite.accessed,
        initials=cite.initials,
        short=cite.short or None,
    )


def finish(card: Card, fixes: Fixes | None = None) -> Card:
    """The card as it will be stored: fixes applied, and the id derived from the final
    content (the draft's id was computed before the debater marked anything)."""
    if fixes:
        card = apply_fixes(card, fixes)
    key = content_key(card.body, card.tag, card.cite, card.kind)
    return card if key == card.id else card.model_copy(update={"id": key})


def save_cut(lib: Library, card: Card, fixes: Fixes | None = None) -> AddResult:
    card = finish(card, fixes)
    with lib.lock():
        return lib.add(card)
