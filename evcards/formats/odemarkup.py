"""Bounds on a dataset row's markup HTML, checked before any parser sees it.

HTML has no entity expansion to bomb (an entity is one character), so what can hurt is the
count of elements (a Span and a parser event each) and their nesting (every text run
merges the marks of each element open around it). Both are counted by regexes over the
text, in C, before a parser builds anything.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from html import unescape
from typing import Any

from evcards.core.models import PLAIN, Marks, clean_text
from evcards.errors import InputFileError
from evcards.limits import MAX_MARKUP_DEPTH, MAX_MARKUP_TAGS

_TAG = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9]*)")
# Elements that open a block (closing whatever inline ones are open) or hold nothing.
_FLAT = {"p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "div", "blockquote"}
_FLAT |= {"br", "img", "hr", "meta", "link", "input", "wbr"}


def check_markup(html: str, where: str) -> None:
    """InputFileError when the markup has too many elements or nests them too deep."""
    if "<" not in html:
        return
    check_tags(html, where)
    depth = 0
    for closing, name in _TAG.findall(html):
        name = name.lower()
        if name in _FLAT:
            depth = 0
        elif closing:
            depth = max(depth - 1, 0)
        else:
            depth += 1
            if depth > MAX_MARKUP_DEPTH:
                raise InputFileError(f"{where}: {too_deep()}")


def check_tags(html: str, where: str) -> None:
    """InputFileError when the markup has more elements than MAX_MARKUP_TAGS."""
    if html.count("<") > MAX_MARKUP_TAGS:
        raise InputFileError(
            f"{where}: markup with over {MAX_MARKUP_TAGS:,} tags (a real card has a few hundred)"
        )


def too_deep() -> str:
    return f"markup nested over {MAX_MARKUP_DEPTH} elements deep"


# -- the fast path beside `dataset.parse_markup` ------------------------------------------
# Markup whose every `<` opens a plain tag (a name, at most a class, no other attribute) is
# cut by one regex and read into (text, Marks) pairs; anything else (styles, data-color,
# comments, a stray `<`) goes to `dataset.parse_markup`, the reference, whose HTMLParser
# handles it all. tests/test_odecard.py proves the two agree.
_PLAIN_TAG = re.compile(
    r'<(?:([a-zA-Z][a-zA-Z0-9]*)(?:\s+class="([\w -]*)")?\s*(/?)|/([a-zA-Z][a-zA-Z0-9]*)\s*)>'
)
_BLOCKS = {"p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "div", "blockquote"}
_VOID = {"br", "img", "hr", "meta", "link", "input", "wbr"}
_RAW = {"script", "style"}  # HTMLParser reads their content as raw text
Pairs = list[tuple[str, Marks]]


def _marks_of(name: str, cache: dict[str, dict[str, Any]] = {}) -> dict[str, Any]:  # noqa: B006
    found = cache.get(name)
    if found is None:
        from evcards.formats.dataset import _tag_marks

        found = cache[name] = _tag_marks(name, {})
    return found


# Control characters other than line breaks: clean_text drops them from text, but the
# reference reads a tag they stand in differently; such markup goes to the reference.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def quick_blocks(html: str) -> list[tuple[str, str, Pairs]] | None:
    """The markup's blocks as (element, class, pairs), as `_MarkupReader` makes them; None
    for markup this path does not read. Line breaks become spaces in the whole text at once
    (what `clean_text` does to each piece of it); InputFileError past MAX_MARKUP_DEPTH."""
    if _CONTROL.search(html):
        return None
    html = html.replace("\r\n", " ").replace("\r", " ").replace("\n", " ")
    parts = _PLAIN_TAG.split(html)
    if (len(parts) - 1) // 5 != html.count("<"):
        return None
    reader = _Blocks()
    last = len(parts) - 1
    for i in range(0, len(parts), 5):
        text = parts[i]
        if text and reader.block is not None:
            reader.block.append((clean_text(unescape(text)) if "&" in text else text, reader.marks))
        if i == last:
            break
        start, cls, selfclose, end = parts[i + 1 : i + 5]
        name = start or end
        name = _LOWER.get(name) or name.lower()
        if name in _RAW:
            return None
        if start:
            reader.start(name, cls, selfclose)
        else:
            reader.end(name)
    return reader.blocks


class _Blocks:
    """What `quick_blocks` has read so far: the blocks, the one open, the elements open."""

    def __init__(self) -> None:
        self.blocks: list[tuple[str, str, Pairs]] = []
        self.block: Pairs | None = None
        self.names: list[str] = []  # the inline elements open
        self.marks = PLAIN

    def start(self, name: str, cls: str | None, selfclose: str) -> None:
        if name in _BLOCKS and not selfclose:
            self.block = []
            self.blocks.append((name, cls or "", self.block))
            self.names, self.marks = [], PLAIN
        elif name == "br":
            if self.block is not None:
                self.block.append((" ", self.marks))
        elif not (selfclose or name in _VOID):
            self.names.append(name)
            if len(self.names) > MAX_MARKUP_DEPTH:
                raise InputFileError(too_deep())
            self.marks = _merged(tuple(self.names))

    def end(self, name: str) -> None:
        names = self.names
        if name in _BLOCKS:
            self.block, self.names, self.marks = None, [], PLAIN
        elif name in names:
            del names[len(names) - 1 - names[::-1].index(name) :]
            self.marks = _merged(tuple(names))


_LOWER = {name: name for name in ("p", "h4", "u", "mark", "strong", "b", "i", "em", "br")}


def _merged(names: tuple[str, ...], cache: dict[tuple[str, ...], Marks] = {}) -> Marks:  # noqa: B006
    """The marks of text inside these elements (the later one wins, as in `_MarkupReader`)."""
    found = cache.get(names)
    if found is None:
        merged: dict[str, Any] = {}
        for name in names:
            merged.update(_marks_of(name))
        found = Marks(**merged)
        if len(cache) < 10_000:
            cache[names] = found
    return found


def normalize_pairs(body: list[Pairs]) -> list[Pairs]:
    """`normalize_body` for pairs: neighbours with equal marks merged, empty text and blank
    paragraphs dropped."""
    out: list[Pairs] = []
    for para in body:
        merged: Pairs = []
        texts: list[str] = []
        last: Marks | None = None
        for text, marks in para:
            if not text:
                continue
            if marks != last and texts:
                merged.append(("".join(texts), last))  # type: ignore[arg-type]
                texts = []
            texts.append(text)
            last = marks
        if texts:
            merged.append(("".join(texts), last))  # type: ignore[arg-type]
        if merged and any(not t.isspace() for t, _ in merged):
            out.append(merged)
    return out


def quick_markup(html: str, fullcite: str = "", short: str = "") -> dict[str, Any] | None:
    """`dataset.parse_markup` with the body as pairs; None for markup this path does not
    read."""
    blocks = quick_blocks(html)
    if blocks is None:
        return None
    return content_of(
        blocks, lambda pairs: "".join([t for t, _ in pairs]), normalize_pairs, fullcite, short
    )


def content_of(
    blocks: list[tuple[str, str, Any]],
    text_of: Callable[[Any], str],
    normalize: Callable[[list[Any]], list[Any]],
    fullcite: str,
    short: str,
) -> dict[str, Any]:
    """A row's markup blocks (element, class, runs) as tag, undertags, headings and body (its
    paragraphs' runs, `normalize`d): the one reading of both `parse_markup` (Spans) and the
    fast path `odemarkup.quick_markup` ((text, Marks) pairs); the cite paragraph left out."""
    found: dict[str, Any] = {"body": [], "headings": {}}
    marked_cite = any(cls == "cite" for _, cls, _ in blocks)
    for element, cls, runs in blocks:
        text = text_of(runs)
        if element in ("h1", "h2", "h3"):
            found["headings"].setdefault(element, text)
        elif element == "h4":
            found.setdefault("tag", text)
        elif cls == "undertag":
            found.setdefault("undertags", []).append(text)
        elif cls == "cite":
            continue
        elif not marked_cite and not found["body"] and _is_cite(text, fullcite, short):
            # Foreign markup does not class its cite paragraph: it is the one before the
            # body that holds the full cite, or starts with the short cite.
            continue
        else:
            found["body"].append(runs)
    found["body"] = normalize(found["body"])
    return found


def _is_cite(text: str, fullcite: str, short: str) -> bool:
    squashed = _squash(text)
    if fullcite and _squash(fullcite)[:200] in squashed:
        return True
    return bool(short) and squashed.startswith(_squash(short)) and len(squashed) < 600


def _squash(text: str) -> str:
    return " ".join(text.split()).lower()
