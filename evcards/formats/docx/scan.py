"""A fast path beside `runs.Reader`: a document's paragraphs read from the text of
document.xml by regular expressions, without building the XML tree.

Word writes document.xml one way: no whitespace between tags, `w:` for its namespace,
double-quoted attributes, a paragraph as pPr and runs, a run as rPr and `w:t`. A run of that
form is one match here, and its rPr's text is the key of the marks it resolves to: no lxml
proxy per run, per rPr and per rPr child, which is what the tree walk pays for. A paragraph
holding anything else (a field, a drawing, a deletion) is parsed alone by lxml and read by
`Reader._para`, the reference; a document holding what a paragraph cannot be cut from
(tables, content controls, text boxes, comments, CDATA) is left to the reference whole.
`read.read_docx_marked` takes this path, `read.parse_docx` the reference; the tests hold the
two equal on the corpus and on generated documents (`tests/test_docx_scan.py`).

The bytes were checked well-formed by libxml2 first (`safe_zip.check_xml`, no tree), so the
patterns only ever meet real markup: an attribute value or text never holds a `<`.
"""

from __future__ import annotations

import operator
import re
from typing import Any

from evcards.core.models import clean_text
from evcards.errors import InputFileError
from evcards.formats.docx.runs import CONTROL, Para, Reader, rpr_key
from evcards.formats.docx.safe_zip import check_xml, has_doctype, parse_xml
from evcards.formats.docx.styles import Styles


class NotPlain(Exception):
    """The document is not laid out the way this reader expects: read it with the tree."""


# Start tags are matched as `<name[^>]*>`: a `>` inside an attribute value would end one
# early, but what follows it is then no tag (values hold no `<`), and no pattern here lets
# text follow a tag but w:t's, whose start tag is matched exactly as Word writes it.
_EMPTY = r"<\w[^>]*/>"  # a self-closing element
_T = r'<w:t(?: xml:space="preserve")?>'
# One run: its rPr (its children as written), then either its one w:t's text or what it
# holds (w:t elements and self-closing ones, read by `_run_parts`).
_RUN = (
    rf"<w:r(\s[^>]*)?>(?:<w:rPr>((?:{_EMPTY})*)</w:rPr>|<w:rPr/>)?"
    rf"(?:{_T}([^<]*)</w:t></w:r>|((?:{_T}[^<]*</w:t>|{_EMPTY})*)</w:r>)"
)
_CONTAINER = r"(?:hyperlink|smartTag|ins|fldSimple|moveTo|dir|bdo)"  # runs.py's, but customXml
# What a paragraph holds, each item as (the run's attributes, its rPr, its one text, its
# parts; for anything else but a run, its markup, "<w:pPr" for a pPr and the pPr's children;
# anything else): runs, its pPr, the tags of the containers runs are read through, and
# self-closing elements (proofErr, bookmarks), which say nothing. Where none of these
# matches, the last group takes the rest of the paragraph: the items are its whole content
# when that group is empty. Runs, the most of it, hold no copy of their markup.
_ITEM = re.compile(
    rf"{_RUN}|((<w:pPr)(?:>(.*?)</w:pPr>|/>)|<w:{_CONTAINER}(?:\s[^>]*)?>|</w:{_CONTAINER}>"
    rf"|{_EMPTY})|(.+)",
    re.S,
)
_is_ppr = operator.itemgetter(5)
_markup = operator.itemgetter(4)
_PARA = re.compile(r"<w:p(?:\s[^>]*)?/?>")
_GAP = re.compile(r"(?:<(?!w:p[\s/>])\w[^>]*/>)*")
_SECTPR = re.compile(r"<w:sectPr(?:\s[^>]*)?>.*?</w:sectPr>", re.S)
_RUN_PART = re.compile(rf"{_T}([^<]*)</w:t>|<([^\s/>]+)[^>]*/>")
_PSTYLE = re.compile(r'<w:pStyle\s+w:val="([^"&\t\n\r]*)"\s*/>')
_OUTLINE = re.compile(r'<w:outlineLvl\s+w:val="([^"&\t\n\r]*)"\s*/>')
_ROOT = re.compile(r"<w:document(?:\s[^>]*)?>")
_ENTITY = re.compile(r"&(?:#x([0-9a-fA-F]+)|#([0-9]+)|(amp|lt|gt|quot|apos));")
_NAMED = {"amp": "&", "lt": "<", "gt": ">", "quot": '"', "apos": "'"}
_SPACES = {"w:tab": " ", "w:ptab": " ", "w:br": " ", "w:cr": " ", "w:noBreakHyphen": "-"}
W_URI = b"http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_W_ROOT = f'<w:document xmlns:w="{W_URI.decode()}">'


def _entity(m: re.Match[str]) -> str:
    hex_, dec, name = m.groups()
    return chr(int(hex_, 16)) if hex_ else chr(int(dec)) if dec else _NAMED[name]


def body_text(document: bytes) -> tuple[str, str, int, int]:
    """(the text of document.xml, its root start tag, where the body's content starts and
    ends), or NotPlain when the document is not laid out the way Word writes it."""
    bom = 3 if document.startswith(b"\xef\xbb\xbf") else 0
    decl = (
        document[bom : document.find(b"?>", bom) + 2] if document.startswith(b"<?xml", bom) else b""
    )
    if b"encoding=" in decl and not re.search(rb"encoding=[\"'](?i:utf-8)[\"']", decl):
        raise NotPlain
    # lxml reads \r\n in text as \n: a document that has one past its declaration is left
    # to it (Word writes none). What else Word does not write (tables, content controls,
    # comments, CDATA, text boxes) fails the patterns, or the parse of a paragraph cut at a
    # wrong place, and so ends in NotPlain or in the reference reading that paragraph.
    root_at = document.find(b"<", bom + len(decl))
    if root_at < 0 or document.find(b"\r", root_at) >= 0 or document.count(W_URI) != 1:
        raise NotPlain
    try:
        text = document.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise NotPlain from None
    root = _ROOT.match(text, text.find("<", len(decl)))
    if root is None or f'xmlns:w="{W_URI.decode()}"' not in root.group(0):
        raise NotPlain
    # One body, the root's first: a second one before or after it is the reference's to
    # read. One inside it stands in a paragraph or between paragraphs, where neither reader
    # reads it (a nested body with content is no gap the scan passes over).
    start, end = text.find("<w:body>"), text.rfind("</w:body>")
    if start < 0 or end < start or text.find("<w:body") != start or "<w:body" in text[end:]:
        raise NotPlain
    return text, root.group(0), start + len("<w:body>"), end


class Scanner(Reader):
    """`Reader` over document.xml's text: paragraphs of the plain form matched, the others
    parsed one by one and read by the reference; one scanner reads one document."""

    def __init__(self, styles: Styles, controls: bool, root_tag: str) -> None:
        super().__init__(styles, controls)
        self.root_tag = root_tag
        self._rpr_of: dict[str, tuple[Any, Any]] = {}  # rPr children -> (element, cache key)
        self._raw_cache: dict[int, dict[str | None, Any]] = {}  # per style: rPr text -> info
        # The markup the patterns passed over without checking it (`skeleton`): each
        # paragraph's tag, pPr, containers and empty elements, each rPr's children once, runs'
        # parts, what is around the paragraphs, paragraphs left to the reference; and each
        # distinct run's attributes.
        self._unread: list[str] = []
        self._paras: list[str] = []  # each plain paragraph's tag, pPr, containers, empties
        self._run_attrs: set[str] = set()

    def scan(self, text: str, start: int, end: int) -> list[Para]:
        out: list[Para] = []
        pos = start
        while True:
            # Paragraphs follow each other: the next one is looked for only when it does not
            # start where the last ended, so the text inside them is not searched for it.
            m = _PARA.match(text, pos, end) or _PARA.search(text, pos, end)
            if m is None:
                break
            if m.start() != pos:
                if _GAP.fullmatch(text, pos, m.start()) is None:
                    raise NotPlain  # something around paragraphs the reference may read
                self._unread.append(text[pos : m.start()])
            tag = m.group(0)
            if tag.endswith("/>"):
                pstyle, level = self._level(None, None)
                out.append(Para(level, [], cite_style=pstyle.cite))
                self._unread.append(tag)
                pos = m.end()
                continue
            close = text.find("</w:p>", m.end(), end)
            if close < 0:
                raise NotPlain
            para = None if self._field_depth else self._plain(text, m.end(), close, tag)
            if para is None:
                markup = text[m.start() : close + 6]
                para = self._para(self._fragment(markup)[0])
                self._unread.append(markup)
            out.append(para)
            pos = close + 6
        tail = _SECTPR.sub("", text[pos:end], count=1)
        if _GAP.fullmatch(tail) is None:
            raise NotPlain
        self._unread.append(text[pos:end])
        return out

    def skeleton(self, text: str, start: int, end: int) -> bytes:
        """document.xml with its body's content, `text[start:end]` as `scan` read it, replaced
        by the markup the patterns passed over: well-formed only if the document is, given
        that its text holds no character XML refuses (`plain_chardata`). Each piece stands
        where the patterns met it, so that libxml2 tokenises it as it would have there: the
        paragraphs' markup three elements deeper than in the document (a run, its rPr and a
        child under the deepest container), so that no depth passes here that fails there;
        runs' attributes and rPr children each once, under the body.

        NotPlain when that markup binds `w:` anew: the reference reads what is under it as
        another namespace's, the patterns as Word's (an rPr that does so is read whole, by
        lxml, but is left to the reference with the rest)."""
        deep = "<w:p><w:p><w:p>" + "".join(self._paras) + "</w:p></w:p></w:p>"
        runs = "".join([f"<w:r{attrs}></w:r>" for attrs in self._run_attrs])  # "" is <w:r>
        body = deep + "".join(self._unread) + runs
        if "xmlns:w=" in body:
            raise NotPlain
        return (text[:start] + body + text[end:]).encode()

    def _fragment(self, xml: str) -> Any:
        """Markup cut from the document, parsed by the reference's parser under its root."""
        try:
            return parse_xml((self.root_tag + xml + "</w:document>").encode(), "fragment")
        except InputFileError:
            raise NotPlain from None  # e.g. a namespace declared between root and here

    def _plain(self, text: str, pos: int, end: int, tag: str) -> Para | None:
        """The paragraph whose content is text[pos:end] and whose start tag is `tag`, or None
        when it holds anything but runs of the plain form, its pPr, container tags and empty
        elements."""
        items = _ITEM.findall(text, pos, end)
        if items and items[-1][7]:
            return None  # something but the items above, and all that follows it
        style_id = outline = None
        ppr = next(filter(_is_ppr, items), None)  # the first pPr is the paragraph's
        if ppr is not None and ppr[6]:
            if "<w:pPrChange" in ppr[6]:
                return None
            style_id, outline = _ppr_values(ppr[6])
            if style_id is False:
                return None
        pstyle, level = self._level(style_id, outline)
        para = Para(level, [], cite_style=pstyle.cite)
        if not self._add_runs(para, pstyle, items):
            return None
        self._paras.append(tag + "".join(map(_markup, items)) + "</w:p>")
        return para

    def _add_runs(self, para: Para, pstyle: Any, items: list[Any]) -> bool:
        """`Reader._para`'s run loop over matched runs; False if a run needs the reference."""
        runs = para.runs
        raw_of = self._raw_cache.setdefault(id(pstyle), {})
        controls = self.controls
        breaks: list[int] | None = None
        attrs_of = self._run_attrs
        last = ""
        for attrs, rpr, simple, parts, _, _, _, _ in items:
            if attrs != last:  # neighbours mostly share their attributes (rsids): one hash
                attrs_of.add(attrs)
                last = attrs
            if simple:
                text = _ENTITY.sub(_entity, simple) if "&" in simple else simple
            elif parts:
                got = _run_parts(parts)
                if got is None:
                    return False
                self._unread.append(parts)
                text, breaks = got
            else:
                text = ""  # not a run, or one with no text
            if controls and CONTROL.search(text):
                text = clean_text(text)
            if not text:
                if rpr:  # a run with no text, whose rPr is not read
                    self._unread.append(f"<w:rPr>{rpr}</w:rPr>")
                continue
            if breaks:
                n = len(runs)
                para.breaks.extend((n, min(k, len(text) - 1)) for k in breaks)
                breaks = None
            info = raw_of.get(rpr)
            if info is None:
                info = raw_of[rpr] = self._info(pstyle, rpr)
            if info[1]:
                para.cite_runs.append(len(runs))
            runs.append((text, info[0]))
        return True

    def _info(self, pstyle: Any, rpr: str) -> Any:
        """A run's marks from the rPr written `rpr`, resolved by the reference."""
        el = key = None
        if rpr:
            got = self._rpr_of.get(rpr)
            if got is None:
                self._unread.append(f"<w:rPr>{rpr}</w:rPr>")
                # rPr texts that differ in fonts, languages or colours alone have the same
                # children marks are read from: those are parsed, once for all of them.
                marked = _marks_children(rpr)
                got = self._rpr_of.get(marked)
                if got is None:
                    el = self._rpr_element(marked)
                    got = self._rpr_of[marked] = (el, rpr_key(el))
                self._rpr_of[rpr] = got
            el, key = got
        marks_of = self._marks_cache.setdefault(id(pstyle), {})
        info = marks_of.get(key)
        if info is None:
            info = marks_of[key] = self._resolve(pstyle.props, el)
        return info

    def _rpr_element(self, rpr: str) -> Any:
        """The rPr parsed by lxml: under a root declaring w: alone when that is enough (a
        twentieth of the cost of Word's thirty declarations), else under the document's."""
        xml = "<w:rPr>" + rpr + "</w:rPr>"
        if ":" not in rpr.replace("<w:", "").replace(" w:", ""):
            try:
                return parse_xml((_W_ROOT + xml + "</w:document>").encode(), "rPr")[0]
            except InputFileError:
                pass
        return self._fragment(xml)[0]


def proves_well_formed(document: bytes, text: str, skeleton: bytes) -> bool:
    """Whether document.xml (`text` decoded) is well-formed by what `check_xml` would say of
    it, given that it holds no raw control character (`runs.has_control`, which the caller
    asks): its skeleton is (`Scanner.skeleton`), its text is (`plain_chardata`), and it
    declares no DOCTYPE. False says only that the document should be checked whole."""
    return plain_chardata(document, text) and not has_doctype(document) and check_xml(skeleton)


_REFERENCES = (b"&amp;", b"&lt;", b"&gt;", b"&quot;", b"&apos;")
_CHAR_REFERENCE = re.compile(rb"&#(?:x([0-9a-fA-F]+)|([0-9]+));")


def plain_chardata(document: bytes, text: str) -> bool:
    """Whether every character of document.xml (`text`, decoded) may stand in XML text as it
    does, wherever it stands, given that it holds no control character raw
    (`runs.has_control`, which the caller asks): no U+FFFE or U+FFFF, a `&` only ever
    opening one of the five predefined entities or a reference to a character XML allows,
    no `]]>`. Text is all `Scanner.skeleton` leaves out of the document; an attribute value
    may hold `]]>`, and then the document is checked whole. `&` and `]` are rare: each is
    found by `find`, at memory speed."""
    if "\ufffe" in text or "\uffff" in text:
        return False
    at = document.find(b"&")
    while at >= 0:
        if not document.startswith(_REFERENCES, at):
            m = _CHAR_REFERENCE.match(document, at)
            if m is None or not _xml_char(int(m.group(1) or m.group(2), 16 if m.group(1) else 10)):
                return False
        at = document.find(b"&", at + 1)
    at = document.find(b"]")
    while at >= 0:
        if document.startswith(b"]]>", at):
            return False
        at = document.find(b"]", at + 1)
    return True


def _xml_char(code: int) -> bool:
    """XML 1.0's Char production."""
    return (
        code in (0x9, 0xA, 0xD)
        or 0x20 <= code <= 0xD7FF
        or 0xE000 <= code <= 0xFFFD
        or 0x10000 <= code <= 0x10FFFF
    )


# An rPr's children as matched by `_RUN` (self-closing, no `<` in a value): each from its `<`
# to the next; those marks are read from (`runs._MARK_RPR`, `styles.run_props`) by name.
_CHILD = re.compile(r"<([^\s/>]+)[^<]*")
_MARK_CHILDREN = frozenset(
    f"w:{t}" for t in ("rStyle", "b", "i", "u", "highlight", "shd", "sz", "bdr")
)


def _marks_children(rpr: str) -> str:
    """The children of an rPr (its text as `_RUN` matched it) that marks are read from, as
    written and in order: an rPr parsed from them gives the same marks and cache key. `w:` is
    the document's one prefix for Word's namespace (`body_text`), unless a child declares a
    namespace itself: such an rPr is kept whole."""
    if "xmlns" in rpr:
        return rpr
    return "".join([m.group(0) for m in _CHILD.finditer(rpr) if m.group(1) in _MARK_CHILDREN])


def _ppr_values(ppr: str) -> tuple[Any, int | None]:
    """The pStyle and outline level a pPr's children set, as `Reader._para_style` reads
    them; (False, None) when one is written in a form left to the reference."""
    style_id = outline = None
    if "<w:pStyle" in ppr:
        m = _PSTYLE.search(ppr)
        if m is None:
            return False, None
        style_id = m.group(1)
    if "<w:outlineLvl" in ppr:
        m = _OUTLINE.search(ppr)
        if m is None:
            return False, None
        outline = int(m.group(1)) if m.group(1).isdigit() else None
    return style_id, outline


def _run_parts(parts: str) -> tuple[str, list[int]] | None:
    """A run's text from its w:t and self-closing children, as `Reader._run_text` reads
    them, with the offsets of its line breaks; None for a field character or a second rPr."""
    text = ""
    breaks: list[int] = []
    for m in _RUN_PART.finditer(parts):
        t, name = m.groups()
        if t is not None:
            text += _ENTITY.sub(_entity, t) if "&" in t else t
        elif name in _SPACES:
            if name in ("w:br", "w:cr"):
                breaks.append(len(text))
            text += _SPACES[name]
        elif name in ("w:fldChar", "w:rPr"):
            return None
    return text, breaks
