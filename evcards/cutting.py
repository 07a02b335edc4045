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
from evcards.errors import FetchError, InputFileError
from evcards.fixing import Fixes, apply_fixes
from evcards.limits import MAX_CARD_CHARS, MAX_TEXT_FILE_BYTES, megabytes
from evcards.store.library import AddResult, Library

DEFAULT_TIMEOUT = 20.0
MAX_BYTES = 10 * 1024 * 1024
USER_AGENT = "evcards/0.1 (debate evidence cutter; +https://pypi.org/project/evcards/)"
_CHUNK = 64 * 1024
MIN_WORDS = 10


@dataclass
class Extracted:
    """What a source gave: its paragraphs and whatever metadata it carried."""

    paragraphs: list[str]
    meta: CiteFields = field(default_factory=CiteFields)


# -- fetching ------------------------------------------------------------------------------
def fetch(url: str, timeout: float = DEFAULT_TIMEOUT, max_bytes: int = MAX_BYTES) -> bytes:
    """Download a page with a timeout and a size cap enforced while reading."""
    import urllib.error
    import urllib.request

    def fail(why: str) -> FetchError:
        return FetchError(
            f"could not fetch URL {url}: {why}; save the page as .html and run"
            " `evcards cut page.html`"
        )

    if not re.match(r"^https?://", url, re.IGNORECASE):
        raise fail("only http:// and https:// URLs can be fetched")
    request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT, "Accept": "*/*"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            if response.headers.get_content_type() == "application/pdf":
                raise FetchError(
                    f"{url} is a PDF, not a web page; copy its text into a file and run"
                    " `evcards cut file.txt`"
                )
            length = response.headers.get("Content-Length")
            if length and length.isdigit() and int(length) > max_bytes:
                raise fail(f"the page is larger than {max_bytes // (1024 * 1024)} MB")
            chunks, total = [], 0
            while True:
                chunk = response.read(_CHUNK)
                if not chunk:
                    break
                total += len(chunk)
                if total > max_bytes:
                    raise fail(f"the page is larger than {max_bytes // (1024 * 1024)} MB")
                chunks.append(chunk)
            return b"".join(chunks)
    except urllib.error.HTTPError as e:
        raise fail(f"HTTP {e.code} {e.reason}") from None
    except urllib.error.URLError as e:
        if isinstance(e.reason, TimeoutError):
            raise fail(f"no answer within {timeout:g} s") from None
        raise fail(str(e.reason)) from None
    except TimeoutError:
        raise fail(f"no answer within {timeout:g} s") from None
    except (OSError, ValueError) as e:
        raise fail(str(e)) from None


def is_url(source: str) -> bool:
    return re.match(r"^https?://", source, re.IGNORECASE) is not None


def looks_like_html(text: str) -> bool:
    """Sniff pasted input: markup near the start means a page, anything else is text."""
    head = text.lstrip()[:2048].lower()
    if head.startswith(("<!doctype html", "<html", "<?xml")):
        return True
    return bool(re.search(r"<(html|head|body|article|p|div)[\s>]", head))


def decode_html(raw: bytes, where: str = "page") -> str:
    """Bytes of a page as text: the declared charset, else UTF-8, else Latin-1."""
    if len(raw) > MAX_TEXT_FILE_BYTES:
        raise InputFileError(
            f"{where}: larger than {megabytes(MAX_TEXT_FILE_BYTES)}; that is not one article"
        )
    m = re.search(rb"""<meta[^>]+charset=["']?([A-Za-z0-9_-]+)""", raw[:4096], re.IGNORECASE)
    for encoding in ([m.group(1).decode("ascii")] if m else []) + ["utf-8"]:
        try:
            return raw.decode(encoding)
        except (UnicodeDecodeError, LookupError):
            continue
    return raw.decode("latin-1")


# -- extraction ----------------------------------------------------------------------------
def extract_html(html: str, url: str | None = None) -> Extracted:
    """The article text (one paragraph per block) and its metadata, via trafilatura."""
    import trafilatura

    doc = trafilatura.bare_extraction(
        html,
        url=url,
        with_metadata=True,
        include_comments=False,
        include_tables=False,
        include_images=False,
    )
    if doc is None:
        raise InputFileError(
            "no article text found in the page; copy the text and run `evcards cut -` with it"
        )
    data = doc if isinstance(doc, dict) else doc.as_dict()
    text = data.get("text") or ""
    title = _clean(data.get("title"))
    paragraphs = [clean_text(line).strip() for line in text.split("\n")]
    paragraphs = [p for p in paragraphs if p]
    # trafilatura keeps the page's <h1>, which is the title, not card text
    if paragraphs and title and paragraphs[0].strip().rstrip(".") == title.rstrip("."):
        paragraphs = paragraphs[1:]
    # a handful of words is a menu or a cookie notice that trafilatura fell back to
    if sum(len(p.split()) for p in paragraphs) < MIN_WORDS:
        raise InputFileError(
            "no article text found in the page; copy the text and run `evcards cut -` with it"
        )
    meta = CiteFields(
        author=_authors(data.get("author")),
        date=cite_build.display_date(data.get("date")),
        title=title,
        publication=_clean(data.get("sitename")) or _clean(data.get("hostname")),
        url=_clean(data.get("url")) or url,
    )
    return Extracted(paragraphs, meta)


def _clean(value: object) -> str | None:
    if not isinstance(value, str):
        return None
    text = " ".join(clean_text(value).split())
    return text or None


def _authors(value: object) -> str | None:
    """trafilatura joins authors with '; ' and drops the dots of 'Jr.' and of middle initials
    ('Jane Q. Doe' came out 'Jane Q Doe' in the cite): keep its joiner, put the dots back."""
    text = _clean(value)
    if not text:
        return None
    names = [re.sub(r"\b(Jr|Sr)$", r"\1.", n.strip()) for n in text.split(";") if n.strip()]
    names = [_INITIAL.sub(r"\1.", n) for n in names]
    return "; ".join(names) or None


# A lone capital before another word ('J Robert Oppenheimer'); a last one stays ('Malcolm X').
_INITIAL = re.compile(r"(?<![^ ])([A-Z])(?= \S)")


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


def extract(data: str, url: str | None = None) -> Extracted:
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
