"""Verbatim .docx files into cards, reading document.xml with lxml directly.

A round document is a flat run of paragraphs; headings 1-4 (Pocket, Hat, Block, Tag) give it
its shape, and a card runs from its tag to the next heading. Within a card the first lines
may be notes (the undertag), then the cite (one line, or a short cite line and a
`(full cite)` line), then the body. Roles are read from styles where the file has them and
from direct formatting where it does not (de-styled files: bold paragraphs with outlineLvl 3).

A .docx is a zip from a stranger: sizes are bounded before and while reading, and the XML
parser never loads a DTD or expands an entity (see `evcards.formats.docx.safe_zip`).
"""

from __future__ import annotations

import gc
import hashlib
import re
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from evcards.core.cites import parse_full_cite
from evcards.core.models import (
    Card,
    Cite,
    Location,
    Marks,
    Source,
    Span,
    clean_text,
    content_key,
    new_card,
    normalize_color,
)
from evcards.errors import InputFileError
from evcards.formats.docx.safe_zip import parse_xml, read_docx_parts, refuse_doctype

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_VAL = W + "val"

# Character styles that mark the short cite, by id (case-insensitive, pasted-id junk removed).
_CITE_IDS = {"style13ptbold", "cite", "style12ptbold", "style11ptbold"}
_CITE_NAMES = {"cite", "style 13 pt bold"}
_HEADING_ROLE = {"pocket": 1, "hat": 2, "block": 3, "tag": 4}
_URL = re.compile(r"https?://|www\.", re.I)
_MARKED = re.compile(r"~ ?Marked \d{1,2}:\d{2}(?::\d{2})? ?(?:[AP]M ?)?~", re.I)
_WS = re.compile(r"\s+")
_ODD_WS = re.compile(r"[^\S ]")  # with "  ": whitespace that content_key would rewrite
_FALSE = {"0", "false", "off", "none"}
_NO_SHADING = {"AUTO", "FFFFFF"}

# Run properties are dicts with these keys; a style or run sets only some of them.
# b, i, u, bdr: bool; hl: colour or None; shd: hex or None; sz: half-points.
_PROPS = ("b", "i", "u", "bdr", "hl", "shd", "sz")


def parse_docx(path: Path, checked: bool = False) -> list[Card]:
    """Every card and analytic in a .docx file, in document order.

    Cards are built without re-validating what the parser already guarantees; checked=True
    builds each through `new_card` instead (the tests prove both give the same cards).
    """
    with _gc_paused():
        parsed = _parse(path)
        if checked:
            return [new_card(body=_spans(body), **fields) for fields, body in parsed]
        # The fast path: the body is canonical by construction, so skip re-validating its spans.
        return [
            Card.model_construct(id=_card_id(fields, body), body=_spans(body), **fields)
            for fields, body in parsed
        ]


def read_docx_marked(path: Path) -> list[tuple[Card, Body]]:
    """Each card of `parse_docx(path)` with an empty body, beside its body as (text, Marks)
    pairs: what an import renders to TOML without a Span object per run (for the corpus,
    127,000 Span objects not built). The tests prove the TOML equal to the full cards'."""
    with _gc_paused():
        return [
            (Card.model_construct(id=_card_id(fields, body), body=[], **fields), body)
            for fields, body in _parse(path)
        ]


@contextmanager
def _gc_paused() -> Iterator[None]:
    # A long file makes a hundred thousand small objects and no cycles: pausing the cyclic
    # garbage collector meanwhile saves a third of the time it would spend rescanning them.
    paused = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if paused:
            gc.enable()


def _parse(path: Path) -> list[tuple[dict[str, Any], Body]]:
    """Each card's fields but its id and body, and its body as (text, marks) pairs."""
    document, styles = read_docx_parts(path)
    doc_root = parse_xml(document, f"{path}: word/document.xml")
    sheet = _StyleSheet(styles, f"{path}: word/styles.xml") if styles else None
    body = doc_root.find(W + "body")
    if body is None:
        raise InputFileError(f"{path}: word/document.xml has no body; is this a Word document?")
    # Text can hold a control character only if the XML has one raw or as a reference; Word
    # writes neither inside the body, so most files skip the per-run check.
    start = document.find(b"<w:body")
    controls = b"&#" in document or _RAW_CONTROL.search(document, max(start, 0)) is not None
    reader = _Reader(_Styles(sheet), controls)
    paras = reader.paragraphs(body)
    return _assemble(paras, path.name)


# -- styles -----------------------------------------------------------------------------------
def _on(el: Any) -> bool:
    """A toggle property (w:b, w:i...): present means on unless its val says off."""
    v = el.get(_VAL)
    return v is None or v.lower() not in _FALSE


def _rpr(rpr: Any) -> dict[str, Any]:
    """The run properties an rPr element sets explicitly."""
    out: dict[str, Any] = {}
    if rpr is None:
        return out
    for el in rpr:
        tag = el.tag
        if tag == W + "b":
            out["b"] = _on(el)
        elif tag == W + "i":
            out["i"] = _on(el)
        elif tag == W + "u":
            v = el.get(_VAL)
            out["u"] = v is None or v.lower() not in _FALSE
        elif tag == W + "highlight":
            out["hl"] = normalize_color(el.get(_VAL) or "")
        elif tag == W + "shd":
            fill = (el.get(W + "fill") or "").upper()
            out["shd"] = (
                fill if re.fullmatch(r"[0-9A-F]{6}", fill) and fill not in _NO_SHADING else None
            )
        elif tag == W + "sz":
            v = el.get(_VAL)
            if v and v.isdigit():
                out["sz"] = int(v)
        elif tag == W + "bdr":
            v = el.get(_VAL)
            out["bdr"] = v is not None and v.lower() not in {"none", "nil"}
    return out


def _norm_id(style_id: str) -> str:
    """'gmail-m7844639473358041385style13ptbold' or 'style13ptbold0' -> 'style13ptbold'."""
    s = style_id.lower()
    s = re.sub(r"^(?:gmail-)?m\d+", "", s)
    return (
        s.rstrip("0123456789") if re.search(r"[a-z]\d$", s) and not s.startswith("heading") else s
    )


@dataclass
class _ParaStyle:
    level: int  # 1-4 for headings, 0 for body
    named: bool  # the level comes from the style's id or name, which beats an outline level
    cite: bool  # a paragraph style meant for cites (CiteSpacing, Cites, 003Cite)
    props: dict[str, Any]


@dataclass
class _CharStyle:
    cite: bool
    emphasis: bool
    props: dict[str, Any]


class _StyleSheet:
    """styles.xml, each style parsed on first use: files list hundreds of styles (a third of
    a megabyte) and use a dozen. Falls back to one full parse of the file when it is not
    laid out the way Word writes it (w: prefix, double-quoted ids)."""

    def __init__(self, data: bytes, where: str) -> None:
        refuse_doctype(data, where)
        self.where = where
        self.data = data
        self._parsed: dict[str, Any] = {}
        self._full = False
        self.default_para: str | None = None
        self.default_rpr: Any = None
        root_tag = re.search(rb"<w:styles\b[^>]*>", data[:16384])
        if (
            root_tag is None
            or root_tag.group(0).endswith(b"/>")
            or data.count(b"w:styleId=") != data.count(b' w:styleId="')
        ):
            self._parse_all()
            return
        self._open = root_tag.group(0)
        for m in _DEFAULT_STYLE.finditer(data):
            if b'w:type="paragraph"' in m.group(0):
                sid = _STYLE_ID.search(m.group(0))
                self.default_para = sid.group(1).decode() if sid else None
                break
        start = data.find(b"<w:docDefaults")
        end = data.find(b"</w:docDefaults>", start)
        if start >= 0 and end > start:
            chunk = data[start : end + len(b"</w:docDefaults>")]
            self.default_rpr = self._fragment(chunk).find(f"{W}rPrDefault/{W}rPr")

    def _fragment(self, chunk: bytes) -> Any:
        return parse_xml(self._open + chunk + b"</w:styles>", self.where)[0]

    def _parse_all(self) -> None:
        self._full = True
        root = parse_xml(self.data, self.where)
        for st in root.iter(W + "style"):
            sid = st.get(W + "styleId")
            if sid is not None and sid not in self._parsed:
                self._parsed[sid] = st
                if st.get(W + "type") == "paragraph" and _on_attr(st.get(W + "default")):
                    self.default_para = self.default_para or sid
        self.default_rpr = root.find(f"{W}docDefaults/{W}rPrDefault/{W}rPr")

    def get(self, style_id: str) -> Any:
        if style_id in self._parsed or self._full:
            return self._parsed.get(style_id)
        if len(self._parsed) >= 200:  # a search per style stops paying (or is an attack)
            self._parse_all()
            return self._parsed.get(style_id)
        found = None
        data = self.data
        at = data.find(b' w:styleId="' + style_id.encode() + b'"')
        if at >= 0:
            start = data.rfind(b"<w:style ", 0, at)
            tag_end = data.find(b">", start)
            if start < 0 or tag_end < at:
                self._parse_all()  # not the layout we expect: read it all, properly
                return self._parsed.get(style_id)
            if data[tag_end - 1 : tag_end] == b"/":
                found = self._fragment(data[start : tag_end + 1])
            else:
                end = data.find(b"</w:style>", tag_end)
                if end < 0 or 0 <= data.find(b"<w:style ", tag_end, end):
                    self._parse_all()
                    return self._parsed.get(style_id)
                found = self._fragment(data[start : end + len(b"</w:style>")])
        self._parsed[style_id] = found
        return found


_STYLE_ID = re.compile(rb'\sw:styleId="([^"]*)"')
_DEFAULT_STYLE = re.compile(rb'<w:style [^>]*w:default="(?:1|true|on)"[^>]*>')


@dataclass
class _Styles:
    """The styles document.xml uses, resolved on first use through their basedOn chains."""

    sheet: _StyleSheet | None
    _para: dict[str | None, _ParaStyle] = field(default_factory=dict)
    _char: dict[str, _CharStyle] = field(default_factory=dict)
    defaults: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.defaults = {
            "b": False,
            "i": False,
            "u": False,
            "bdr": False,
            "hl": None,
            "shd": None,
            "sz": 20,
        }
        if self.sheet is not None:
            self.defaults.update(_rpr(self.sheet.default_rpr))

    def _chain(self, style_id: str | None) -> list[Any]:
        """The style and its ancestors, root first."""
        out: list[Any] = []
        seen: set[str] = set()
        while style_id and style_id not in seen and self.sheet is not None:
            st = self.sheet.get(style_id)
            if st is None:
                break
            seen.add(style_id)
            out.append(st)
            based = st.find(W + "basedOn")
            style_id = based.get(_VAL) if based is not None else None
        return out[::-1]

    def para(self, style_id: str | None) -> _ParaStyle:
        if style_id is None and self.sheet is not None:
            style_id = self.sheet.default_para
        cached = self._para.get(style_id)
        if cached is not None:
            return cached
        chain = self._chain(style_id)
        props = dict(self.defaults)
        outline: int | None = None
        for st in chain:
            props.update(_rpr(st.find(W + "rPr")))
            ol = st.find(f"{W}pPr/{W}outlineLvl")
            if ol is not None and (ol.get(_VAL) or "").isdigit():
                outline = int(ol.get(_VAL))
        level = _level_by_name(style_id, chain[-1] if chain else None)
        named = level is not None
        if level is None:
            level = outline + 1 if outline is not None and outline <= 3 else 0
        names = _names(style_id, chain[-1] if chain else None)
        cite = level == 0 and any("cite" in n for n in names)
        result = _ParaStyle(level, named, cite, props)
        self._para[style_id] = result
        return result

    def char(self, style_id: str) -> _CharStyle:
        cached = self._char.get(style_id)
        if cached is not None:
            return cached
        chain = self._chain(style_id)
        props: dict[str, Any] = {}
        for st in chain:
            props.update(_rpr(st.find(W + "rPr")))
        names = _names(style_id, chain[-1] if chain else None)
        nid = _norm_id(style_id)
        cite = nid in _CITE_IDS or bool(names & _CITE_NAMES)
        emphasis = nid == "emphasis" or "emphasis" in names
        if cite:
            emphasis = False
        result = _CharStyle(cite, emphasis, props)
        self._char[style_id] = result
        return result


def _on_attr(v: str | None) -> bool:
    return v is not None and v.lower() not in _FALSE


def _names(style_id: str | None, st: Any) -> set[str]:
    """The style's name and the aliases Verbatim gives it, lower-cased; not its ancestors'."""
    out: set[str] = set()
    if st is None:
        return out
    name = st.find(W + "name")
    if name is not None and name.get(_VAL):
        out.add(name.get(_VAL).strip().lower())
    aliases = st.find(W + "aliases")
    if aliases is not None and aliases.get(_VAL):
        out.update(a.strip().lower() for a in aliases.get(_VAL).split(","))
    return out


def _level_by_name(style_id: str | None, st: Any) -> int | None:
    """Heading level from the style id (mangled or not), else its name, else Verbatim aliases."""
    if style_id:
        m = re.search(r"heading([1-4])$", style_id.lower())
        if m:
            return int(m.group(1))
    if st is None:
        return None
    name = st.find(W + "name")
    if name is not None:
        m = re.fullmatch(r"heading ([1-9])", (name.get(_VAL) or "").strip().lower())
        if m:
            n = int(m.group(1))
            return n if n <= 4 else 0
    aliases = st.find(W + "aliases")
    if aliases is not None and aliases.get(_VAL):
        for a in aliases.get(_VAL).split(","):
            role = _HEADING_ROLE.get(a.strip().lower())
            if role:
                return role
    return None


# -- paragraphs -------------------------------------------------------------------------------
Body = list[list[tuple[str, Marks]]]  # paragraphs of (text, marks): a body before its Spans


class _Para:
    """One paragraph: its level and its runs as (text, marks), runs with no text left out.

    What the cite heuristics ask of a paragraph (its cite-styled text, its bold text, whether
    any of it is highlighted) is worked out on first use: they look at the first few lines of
    each card, so most paragraphs never need it, and it saves a list append per run."""

    __slots__ = ("level", "runs", "cite_style", "cite_runs", "_text", "_cite", "_bold")

    def __init__(self, level: int, runs: list[tuple[str, Marks]], cite_style: bool = False):
        self.level = level
        self.runs = runs
        self.cite_style = cite_style  # the paragraph style is a cite style
        self.cite_runs: list[int] = []  # indices into runs of the cite-styled ones
        self._text: str | None = None
        self._cite: str | None = None
        self._bold: str | None = None

    @property
    def text(self) -> str:
        if self._text is None:
            self._text = "".join([t for t, _ in self.runs])
        return self._text

    @property
    def cite_text(self) -> str:
        """Text in cite-styled runs."""
        if self._cite is None:
            self._cite = ""
            if self.cite_runs:
                # Some cutters put the whole cite line in the cite style and un-bold all but
                # the short cite: then the short cite is the part still bold. A run between
                # cite runs is a word break: 'Nye' ' Jr. ' '20'.
                cited = set(self.cite_runs)
                parts: list[str] = []
                bold: list[str] = []
                for k in range(self.cite_runs[0], len(self.runs)):
                    text, marks = self.runs[k]
                    if k in cited:
                        parts.append(text)
                        bold.append(text if marks.emphasis or marks.bold else "\0")
                    else:
                        parts.append("\0")
                        bold.append("\0")
                self._cite = _words("".join(parts))
                if "\0" in bold:
                    self._cite = _words("".join(bold)) or self._cite
        return self._cite

    @property
    def bold_text(self) -> str:
        """Text in bold (or emphasised) runs; runs apart are separate words: 'STEINBAUM' ...
        '’19'. A run is bold when its style or properties say so or it is emphasised, which
        its marks keep as emphasis or bold."""
        if self._bold is None:
            self._bold = _words(
                "".join([t if m.emphasis or m.bold else "\0" for t, m in self.runs])
            )
        return self._bold

    @property
    def highlighted(self) -> bool:
        return any(m[3] for _, m in self.runs)


_CONTAINERS = {
    W + "hyperlink",
    W + "smartTag",
    W + "ins",
    W + "customXml",
    W + "fldSimple",
    W + "moveTo",
    W + "dir",
    W + "bdo",
}


class _Reader:
    def __init__(self, styles: _Styles, controls: bool = True) -> None:
        self.styles = styles
        self.controls = controls  # may text hold line breaks or control characters?
        self._field_depth: list[bool] = []  # per open field: still in its code part?
        self._marks_cache: dict[int, dict[Any, tuple[Marks, bool]]] = {}

    def paragraphs(self, body: Any) -> list[_Para]:
        out: list[_Para] = []
        self._blocks(body, out)
        return out

    def _blocks(self, parent: Any, out: list[_Para]) -> None:
        for el in parent:
            tag = el.tag
            if tag == W + "p":
                out.append(self._para(el))
            elif tag == W + "tbl":
                for tc in el.iter(W + "tc"):
                    self._blocks(tc, out)
            elif tag == W + "sdt":
                content = el.find(W + "sdtContent")
                if content is not None:
                    self._blocks(content, out)
            elif tag == W + "customXml":
                self._blocks(el, out)

    def _para(self, p: Any) -> _Para:
        ppr = p.find(_PPR)
        style_id = None
        direct_outline = None
        if ppr is not None:
            ps = ppr.find(_PSTYLE)
            if ps is not None:
                style_id = ps.get(_VAL)
            ol = ppr.find(_OUTLINE)
            if ol is not None and (ol.get(_VAL) or "").isdigit():
                direct_outline = int(ol.get(_VAL))
        pstyle = self.styles.para(style_id)
        level = pstyle.level
        if direct_outline is not None and not pstyle.named:
            level = direct_outline + 1 if direct_outline <= 3 else 0
        para = _Para(level, [], cite_style=pstyle.cite)
        runs = para.runs
        base = pstyle.props
        marks_of = self._marks_cache.setdefault(id(pstyle), {})
        fields = self._field_depth
        controls = self.controls
        run_els: list[Any] = []
        _collect_runs(p, run_els)
        # This loop runs once per run (155,000 in the corpus), so `_run` and `_rpr_key` are
        # written out here rather than called: that alone took a third off the reading time.
        for r in run_els:
            # The run's text, field codes and deletions left out, and its rPr element.
            text = ""
            rpr = None
            for el in r:
                tag = el.tag
                if tag == _T:
                    if not (fields and fields[-1]) and el.text:
                        text += el.text
                elif tag == _RPR:
                    rpr = el
                elif tag == _FLDCHAR:
                    kind = el.get(_FLDTYPE)
                    if kind == "begin":
                        fields.append(True)
                    elif kind == "separate" and fields:
                        fields[-1] = False
                    elif kind == "end" and fields:
                        fields.pop()
                elif tag in _SPACES:
                    if not (fields and fields[-1]):
                        text += " "
                elif tag == _NBHYPHEN:
                    text += "-"
            if text and controls and _CTRL.search(text):
                text = clean_text(text)
            if not text:
                continue
            # What in the rPr can change the run's marks, as the key of the resolution cache.
            if rpr is None:
                key: tuple[Any, ...] | None = None
            else:
                parts: list[Any] = []
                for el in rpr:
                    tag = el.tag
                    if tag not in _IGNORED_RPR:
                        parts.append(tag)
                        parts.extend(el.values())
                key = tuple(parts)
            info = marks_of.get(key)
            if info is None:
                info = marks_of[key] = self._resolve(base, rpr)
            if info[1]:
                para.cite_runs.append(len(runs))
            runs.append((text, info[0]))
        return para

    def _resolve(self, base: dict[str, Any], rpr: Any) -> tuple[Marks, bool]:
        """A run's marks from paragraph style, character style and direct properties."""
        props = dict(base)
        cite = emphasis = False
        if rpr is not None:
            rs = rpr.find(_RSTYLE)
            if rs is not None and rs.get(_VAL):
                cs = self.styles.char(rs.get(_VAL))
                props.update(cs.props)
                cite, emphasis = cs.cite, cs.emphasis
            props.update(_rpr(rpr))
        if props["b"] and props["u"]:
            emphasis = True
        normal_sz = base["sz"]
        sz = props["sz"]
        marks = Marks(
            props["u"] and not emphasis,
            emphasis,
            bool(props["bdr"]),
            props["hl"],
            props["shd"],
            props["b"] and not emphasis,
            props["i"],
            sz / 2 if sz != normal_sz and 2 <= sz <= 800 else None,
        )
        return marks, cite


_PPR = W + "pPr"
_PSTYLE = W + "pStyle"
_OUTLINE = W + "outlineLvl"
_RPR = W + "rPr"
_RSTYLE = W + "rStyle"
_R = W + "r"
_T = W + "t"
_FLDCHAR = W + "fldChar"
_FLDTYPE = W + "fldCharType"
_NBHYPHEN = W + "noBreakHyphen"
_SPACES = {W + "tab", W + "br", W + "cr", W + "ptab"}
_SDT = W + "sdt"
_SDT_CONTENT = W + "sdtContent"
_RAW_CONTROL = re.compile(rb"[\x00-\x08\x0a-\x1f\x7f]")
_CTRL = re.compile(r"[\x00-\x08\x0a-\x1f\x7f]")
# rPr children that change nothing evcards keeps: fonts, languages, complex-script twins.
_IGNORED_RPR = {
    W + t
    for t in (
        "rFonts",
        "lang",
        "szCs",
        "bCs",
        "iCs",
        "noProof",
        "color",
        "kern",
        "spacing",
        "w",
        "position",
        "vertAlign",
        "webHidden",
    )
}


def _words(text: str) -> str:
    """Text with NUL word breaks and runs of whitespace made single spaces."""
    return " ".join(text.replace("\0", " ").split())


def _collect_runs(parent: Any, out: list[Any]) -> None:
    """Runs in document order, through hyperlinks, insertions, smart tags, content controls."""
    for el in parent:
        tag = el.tag
        if tag == _R:
            out.append(el)
        elif tag in _CONTAINERS:
            _collect_runs(el, out)
        elif tag == _SDT:
            content = el.find(_SDT_CONTENT)
            if content is not None:
                _collect_runs(content, out)


# -- cards ------------------------------------------------------------------------------------
def _looks_short(p: _Para) -> bool:
    """A line that can be a short cite alone: a few words, bold or cite-styled."""
    text = p.text.strip()
    return 0 < len(text.split()) <= 10 and (
        bool(p.cite_text.strip()) or len(p.bold_text) >= len(text) * 0.5
    )


_YEAR = re.compile(r"(?:[’'‘]\s?\d{2}\b|\b\d{1,2}\b|\b(?:19|20)\d{2}\b)")
_PLAIN_SHORT = re.compile(r"^\s*([^()\[\],.]{1,60}?\b[’'‘]?\d{1,4})\s*,?\s*[(\[]")


def _cite_like(p: _Para) -> bool:
    """A one-line cite without the cite style: a short bold name and year near the start,
    or `Name YY (` / `Name YY [` in plain text. Read text is highlighted; cites never are."""
    if p.highlighted:
        return False
    bold = p.bold_text
    if bold and len(bold.split()) <= 8 and p.text.find(bold.split()[0]) <= 60:
        rest = p.text[p.text.find(bold.split()[-1]) + len(bold.split()[-1]) :].lstrip(" ,.;:–—-")
        if _YEAR.search(bold) or rest.startswith(("(", "[")):
            return True
    return _PLAIN_SHORT.match(p.text) is not None


def _find_cite(paras: list[_Para]) -> tuple[int, int] | None:
    """(first, end) indices of the cite lines among a card's non-blank paragraphs."""
    window = paras[:5]
    # Cites are never highlighted: a highlighted line in the cite style is body text.
    start = next(
        (
            i
            for i, p in enumerate(window)
            if ((p.cite_style or 0 < len(p.cite_text.split()) <= 15) and not p.highlighted)
            or (i < 2 and _cite_like(p))
        ),
        None,
    )
    if start is None:
        for i, p in enumerate(window[:4]):
            if _URL.search(p.text):
                prev = paras[i - 1] if i > 0 else None
                if prev is not None and (_looks_short(prev) or _cite_like(prev)):
                    return i - 1, i + 1
                return i, i + 1
        for i, p in enumerate(window[1:3], start=1):
            if p.text.lstrip().startswith(("(", "[")) and _looks_short(paras[i - 1]):
                return i - 1, i + 1
        return None
    first = paras[start].text.strip()
    if start + 1 < len(paras) and len(first.split()) <= 12 and not _URL.search(first):
        nxt = paras[start + 1]
        tail = nxt.text.lstrip()
        if not nxt.cite_text.strip() and (
            tail.startswith(("(", "["))
            or (_URL.search(tail) and len(tail.split()) < 120 and not nxt.highlighted)
        ):
            return start, start + 2
    return start, start + 1


def _drop_markers(para: _Para) -> list[tuple[str, Marks]]:
    """Remove Verbatim's `~ Marked 12:34 ~` speech markers, which may span several runs."""
    runs, text = para.runs, para.text
    if "arked" not in text or not _MARKED.search(text):
        return runs
    keep = [True] * len(text)
    for m in _MARKED.finditer(text):
        for k in range(m.start(), m.end()):
            keep[k] = False
    out: list[tuple[str, Marks]] = []
    pos = 0
    for t, marks in runs:
        kept = "".join(c for k, c in enumerate(t) if keep[pos + k])
        pos += len(t)
        if kept:
            out.append((kept, marks))
    return out


def _merged(runs: list[tuple[str, Marks]]) -> list[tuple[str, Marks]]:
    """Canonical spans as (text, marks): equal neighbours merged, empty ones dropped."""
    out: list[tuple[str, Marks]] = []
    for text, marks in runs:
        if not text:
            continue
        if out and out[-1][1] == marks:
            out[-1] = (out[-1][0] + text, marks)
        else:
            out.append((text, marks))
    return out


_SPAN_FIELDS = frozenset(Span.model_fields)
_new_object = object.__new__
_set_attr = object.__setattr__


def _span(text: str, m: Marks) -> Span:
    """A Span from values the parser guarantees valid (one-line text, a known colour, upper
    hex, half points), set the way `Span.model_construct` sets them but at a tenth of the cost:
    a long file has a hundred thousand spans. Equal to `Span(...)` of the same values."""
    span = _new_object(Span)
    _set_attr(
        span,
        "__dict__",
        {
            "text": text,
            "underline": m.underline,
            "emphasis": m.emphasis,
            "box": m.box,
            "highlight": m.highlight,
            "shading": m.shading,
            "bold": m.bold,
            "italic": m.italic,
            "size": m.size,
        },
    )
    _set_attr(span, "__pydantic_fields_set__", set(_SPAN_FIELDS))
    _set_attr(span, "__pydantic_extra__", None)
    _set_attr(span, "__pydantic_private__", None)
    return span


def _body_key(body: Body) -> str:
    """models.content_key of a canonical body given as (text, marks); tested to agree.

    Hashing is incremental, so one update with everything joined equals content_key's many;
    whitespace and NFC are fixed per span only in the rare paragraphs that need it."""
    pieces: list[str] = ["card\0"]
    reprs = _MARKS_REPR
    for para in body:
        texts = [t for t, _ in para]
        joined = "".join(texts)
        # `"  " in` and a one-class pattern: a third faster than one `[^\S ]|  ` pattern.
        if "  " in joined or _ODD_WS.search(joined) or not unicodedata.is_normalized("NFC", joined):
            texts = [_WS.sub(" ", unicodedata.normalize("NFC", t)) for t in texts]
        for text, (_, marks) in zip(texts, para, strict=True):
            pieces.append(text)
            pieces.append(reprs[marks])
        pieces.append("\0p\0")
    return hashlib.blake2b("".join(pieces).encode(), digest_size=8).hexdigest()


class _Reprs(dict[Marks, str]):
    """`Marks.id_repr()` of each marks, worked out once per process: the id hashes every span's."""

    def __missing__(self, marks: Marks) -> str:
        if len(self) > 4096:  # a few hundred in a real corpus; a hostile file gets no more
            self.clear()
        r = self[marks] = marks.id_repr()
        return r


_MARKS_REPR = _Reprs()


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _short_cite(lines: list[_Para]) -> str:
    cited = " ".join(p.cite_text for p in lines if p.cite_text.strip())
    if not cited.strip():
        first = lines[0]
        bold = first.bold_text
        plain = _PLAIN_SHORT.match(first.text)
        if plain:
            cited = plain.group(1)
        elif bold and len(bold.split()) <= 8:
            cited = bold
        elif len(lines) > 1 and len(first.text.split()) <= 10:
            cited = first.text
    return _one_line(cited).strip(" ,;:–—-([")


def _cite(lines: list[_Para]) -> Cite:
    """The cite from its lines. `full` is the citation itself: in `SHORT (FULL)` and in the
    two-line form that is the bracketed part (as in pasted text); otherwise the whole line."""
    whole = _one_line(" ".join(p.text for p in lines))
    short = _short_cite(lines)
    full = whole
    if len(lines) > 1:
        first = _one_line(lines[0].text)
        if not short or first.startswith(short):
            leftover = first[len(short) :].strip(" ,.;:–—-") if short else first
            if not leftover or not short:
                full = _unbracket(_one_line(" ".join(p.text for p in lines[1:]))) or whole
    elif short and whole.startswith(short):
        rest = whole[len(short) :].lstrip(" ,.;:–—-")
        if rest.startswith(("(", "[")):
            full = _unbracket(rest) or whole
    # 'Phil Torres 18, Affiliate Scholar...': the author is Phil Torres, not 'Phil Torres 18'.
    name = _SHORT_DATE.sub("", short)
    parts = parse_full_cite(full.replace(short, name, 1) if short and name else full)
    return Cite(short=short, full=full, **parts)


_SHORT_DATE = re.compile(r"[\s,]*[’'‘]?\d[\d/.-]*\s*$")


def _unbracket(text: str) -> str:
    """'(Ethan Meick, ...) AB' -> 'Ethan Meick, ... AB': the outer bracket pair removed."""
    if text[:1] not in ("(", "["):
        return text
    depth = 0
    for i, c in enumerate(text):
        if c in "([":
            depth += 1
        elif c in ")]":
            depth -= 1
            if depth == 0:
                return _one_line(f"{text[1:i]} {text[i + 1 :]}")
    return text[1:].strip()  # never closed


@dataclass
class _Section:
    tag: str
    location: Location
    paras: list[_Para] = field(default_factory=list)


def _assemble(paras: list[_Para], file_name: str) -> list[tuple[dict[str, Any], Body]]:
    heads = ["", "", ""]
    sections: list[_Section] = []
    current: _Section | None = None
    for p in paras:
        if p.level:
            text = _one_line(p.text)
            if not text:
                continue
            if p.level <= 3:
                heads[p.level - 1] = text
                for k in range(p.level, 3):
                    heads[k] = ""
                current = None
            else:
                current = _Section(text, Location(pocket=heads[0], hat=heads[1], block=heads[2]))
                sections.append(current)
        elif current is not None and p.text.strip():
            current.paras.append(p)
    return [
        _card(sec, Source(file=file_name, position=position))
        for position, sec in enumerate(sections)
    ]


def _card(sec: _Section, source: Source) -> tuple[dict[str, Any], Body]:
    paras = sec.paras
    found = _find_cite(paras)
    if found is not None and found[1] >= len(paras):
        # Nothing after it: a guessed cite (a link, a bold line) over no body is a note under
        # an analytic ('[Available at https://...]'); a cite-styled one stays a bodiless card.
        if not any(p.cite_style or p.cite_text for p in paras[found[0] : found[1]]):
            found = None
            undertag_only = True
        else:
            undertag_only = False
    else:
        undertag_only = False
    cite = Cite()
    undertag: list[str] = []
    body_paras = paras
    if undertag_only:
        undertag = [_one_line(p.text) for p in paras]
        body_paras = []
    elif found is not None:
        first, end = found
        undertag = [_one_line(p.text) for p in paras[:first]]
        cite = _cite(paras[first:end])
        body_paras = paras[end:]
    body = [
        spans
        for spans in (_merged(_drop_markers(p)) for p in body_paras)
        if any(not t.isspace() for t, _ in spans)
    ]
    fields: dict[str, Any] = {
        "tag": sec.tag,
        "kind": "card" if body or found is not None else "analytic",
        "cite": cite,
        "undertag": "\n".join(u for u in undertag if u),
        "location": sec.location,
        "labels": [],
        "sources": [source],
    }
    return fields, body


def _card_id(fields: dict[str, Any], body: Body) -> str:
    """The id `new_card` would give the card (`content_key`), from the pairs."""
    if body:
        return _body_key(body)
    return content_key([], fields["tag"], fields["cite"], fields["kind"])


def _spans(body: Body) -> list[list[Span]]:
    return [[_span(t, m) for t, m in para] for para in body]
