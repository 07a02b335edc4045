"""Cutting: from a web page or pasted text to a draft card with its cite built.

The mechanical part of cutting (getting the text, cleaning it, building the cite) happens
here; the judgment (tag, underlining, highlighting) is left to the debater.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from evcards.config import Config, config_path
from evcards.core import cite_build
from evcards.core.cite_build import CiteFields
from evcards.core.models import Card, Cite, Span, clean_text, content_key, new_card
from evcards.core.syntax import CITE_FIELDS
from evcards.errors import BadOption, CiteTemplateError, InputFileError, InvalidCard
from evcards.fixing import Fixes, apply_fixes
from evcards.formats.paste import decode, read_input, source_name
from evcards.formats.pastecite import find_cite
from evcards.formats.webpage import (
    DEFAULT_TIMEOUT,
    Extracted,
    decode_html,
    extract_html,
    fetch,
    is_url,
    looks_like_html,
)
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


@dataclass
class Pasted(Extracted):
    """Pasted text whose first lines held a cite (and a tag): the cite as written."""

    cite: Cite = field(default_factory=Cite)
    tag: str = ""


def extract_text(text: str) -> Extracted:
    """The paragraphs of pasted text; a cite line at its top (after a tag line, or two
    lines `SHORT` then `(FULL)`) is read as the cite, as `evcards import` reads a paste."""
    raw = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    at = [i for i, line in enumerate(raw) if line.strip()][:5]
    found = find_cite([clean_text(raw[i]).strip() for i in at])
    if found is None or found.parsed is None or found.end >= len(at):
        paragraphs = clean_pasted(text)
        if not paragraphs:
            raise InputFileError("nothing to cut: the text is empty")
        return Extracted(paragraphs)
    cite = found.model()
    meta = CiteFields(**{name: getattr(cite, name) for name in cite_build.PARTS})
    tag = clean_text(raw[at[found.tag]]).strip() if found.tag is not None else ""
    return Pasted(clean_pasted("\n".join(raw[at[found.end] :])), meta, cite, tag)


def read_source(source: str, timeout: float = DEFAULT_TIMEOUT) -> tuple[str, str | None]:
    """(text, url) from a URL, a file or stdin ('-'); HTML and text are told apart later."""
    if is_url(source):
        return decode_html(fetch(source, timeout=timeout)), source
    raw = read_input(
        source,
        missing="no such file; give a URL, a saved page or - for stdin",
        folder="is a folder, not a page or text file",
    )
    where = source_name(source)
    page = source != "-" and Path(source).suffix.lower() in (".html", ".htm")
    if page or looks_like_html(raw[:4096].decode("latin-1")):
        return decode_html(raw, where), None
    return decode(raw, where), None


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


# Cite fields the cutter stamps (with defaults of their own), not overrides of the page's.
_STAMPS = ("accessed", "initials")


def cut_options(
    params: Mapping[str, Any], template: str | None = None, initials: str | None = None
) -> CutOptions:
    """CutOptions from the cut command's options, its cite options named as the cite's fields;
    `initials` is the default (the config's) for a cut without --initials."""
    overrides = {k: params[k] for k in CITE_FIELDS if k in params and k not in _STAMPS}
    return CutOptions(
        overrides=overrides,
        initials=params.get("initials") or initials,
        accessed=params.get("accessed"),
        template=template,
        tag=params.get("tag") or "",
        labels=list(params.get("label") or []),
    )


def cite_settings(
    cite_format: str | None, template: str | None, config: Config
) -> tuple[str, str | None]:
    """The cite form and full-cite template to use: the options', else the config's. A bad
    option is a BadOption; a bad template in the config names the config file."""
    form = cite_format or config.cite_format
    if form not in cite_build.FORMS:
        raise BadOption(
            f"'{form}' is not a cite format; use {', '.join(cite_build.FORMS)}", "--cite-format"
        )
    if template is not None:
        try:
            cite_build.check_template(template)
        except CiteTemplateError as e:
            raise BadOption(str(e), "--template") from None
        return form, template or None
    try:
        if config.cite_template:
            cite_build.check_template(config.cite_template)
    except CiteTemplateError as e:
        raise CiteTemplateError(f"{config_path()}: cite_template - {e}") from None
    return form, config.cite_template or None


def cite_fields(extracted: Extracted, opts: CutOptions) -> CiteFields:
    base = extracted.meta.updated(
        accessed=opts.accessed or cite_build.today(), initials=opts.initials
    )
    overrides = dict(opts.overrides)
    if overrides.get("date"):
        overrides["date"] = cite_build.display_date(overrides["date"])
    return base.updated(**overrides)


def build_cite(f: CiteFields, template: str | None = None) -> Cite:
    parts = {name: getattr(f, name) for name in cite_build.PARTS}
    return Cite(short=cite_build.short_cite(f), full=cite_build.full_cite(f, template), **parts)


def draft_card(extracted: Extracted, opts: CutOptions) -> Card:
    """A card with the source's text unmarked and the cite built; the id is provisional.
    A pasted cite is kept as written, unless options change its parts."""
    body = [[Span(text=p)] for p in extracted.paragraphs]
    tag = opts.tag or (extracted.tag if isinstance(extracted, Pasted) else "")
    return new_card(
        tag=clean_text(tag).strip(),
        cite=_draft_cite(extracted, opts),
        body=body,
        labels=sorted(set(opts.labels)),
    )


def _draft_cite(extracted: Extracted, opts: CutOptions) -> Cite:
    if not isinstance(extracted, Pasted):
        return build_cite(cite_fields(extracted, opts), opts.template)
    pasted = extracted.cite
    if not any(v is not None for v in opts.overrides.values()) and opts.accessed is None:
        return pasted.model_copy(update={"initials": pasted.initials or opts.initials})
    # Options change the pasted cite's parts: the short and full cite are built again.
    f = cite_fields(extracted, opts)
    if opts.overrides.get("short") is None:
        f.short = pasted.short or None
    return build_cite(f, opts.template)


def rebuild_cite(draft: Cite, edited: Cite, template: str | None = None) -> Cite:
    """After the editor: cite parts the debater changed flow into the short and full cite,
    unless they rewrote those by hand (then their text is theirs)."""
    if all(getattr(draft, k) == getattr(edited, k) for k in cite_build.PARTS):
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
    parts = {name: getattr(cite, name) for name in cite_build.PARTS}
    return CiteFields(**parts, short=cite.short or None)


def finish(card: Card, fixes: Fixes | None = None) -> Card:
    """The card as it will be stored: fixes applied, and the id derived from the final
    content (the draft's id was computed before the debater marked anything)."""
    if fixes:
        card = apply_fixes(card, fixes)
    key = content_key(card.body, card.tag, card.cite, card.kind)
    return card if key == card.id else card.model_copy(update={"id": key})


def check_tagged(card: Card) -> None:
    """A card cut in the editor must have a tag: only `cut --no-edit` saves one without."""
    if not card.tag.strip():
        raise InvalidCard(
            'tag - the tag is empty; write the card\'s claim in tag = "..." (only'
            " `cut --no-edit` saves a card without a tag)"
        )


def save_cut(lib: Library, card: Card, fixes: Fixes | None = None) -> AddResult:
    card = finish(card, fixes)
    with lib.lock():
        return lib.add(card)
