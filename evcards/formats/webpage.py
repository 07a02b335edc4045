"""Web pages: fetching one, decoding its bytes, and the article text and metadata in it.

`evcards cut` makes a card of what this reads (see `evcards.cutting`); trafilatura, which
finds the article in a page, is imported only when a page is read.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from evcards.core import cite_build
from evcards.core.cite_build import CiteFields
from evcards.core.models import clean_text
from evcards.errors import FetchError, InputFileError
from evcards.limits import MAX_TEXT_FILE_BYTES, megabytes

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
