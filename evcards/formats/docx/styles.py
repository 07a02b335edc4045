"""The style sheet of a .docx and what its styles mean to a card: heading levels, the cite
and emphasis character styles, and the run properties (bold, underline, highlight...) each
style sets through its basedOn chain."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from evcards.core.models import normalize_color
from evcards.formats.docx.safe_zip import parse_xml, refuse_doctype

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
VAL = W + "val"

# Character styles that mark the short cite, by id (case-insensitive, pasted-id junk removed).
_CITE_IDS = {"style13ptbold", "cite", "style12ptbold", "style11ptbold"}
_CITE_NAMES = {"cite", "style 13 pt bold"}
_HEADING_ROLE = {"pocket": 1, "hat": 2, "block": 3, "tag": 4}
_FALSE = {"0", "false", "off", "none"}
_NO_SHADING = {"AUTO", "FFFFFF"}

# Run properties are dicts with these keys; a style or run sets only some of them.
# b, i, u, bdr: bool; hl: colour or None; shd: hex or None; sz: half-points.
_PROPS = ("b", "i", "u", "bdr", "hl", "shd", "sz")


def _on(el: Any) -> bool:
    """A toggle property (w:b, w:i...): present means on unless its val says off."""
    v = el.get(VAL)
    return v is None or v.lower() not in _FALSE


def run_props(rpr: Any) -> dict[str, Any]:
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
            out["u"] = _on(el)  # an underline type, or none
        elif tag == W + "highlight":
            out["hl"] = normalize_color(el.get(VAL) or "")
        elif tag == W + "shd":
            out["shd"] = _shading(el)
        elif tag == W + "sz" and (el.get(VAL) or "").isdigit():
            out["sz"] = int(el.get(VAL))
        elif tag == W + "bdr":
            out["bdr"] = (el.get(VAL) or "none").lower() not in {"none", "nil"}
    return out


def _shading(shd: Any) -> str | None:
    """The fill as six upper-case hex digits, or None for no fill (auto, white)."""
    fill = (shd.get(W + "fill") or "").upper()
    return fill if re.fullmatch(r"[0-9A-F]{6}", fill) and fill not in _NO_SHADING else None


def _norm_id(style_id: str) -> str:
    """'gmail-m7844639473358041385style13ptbold' or 'style13ptbold0' -> 'style13ptbold'."""
    s = style_id.lower()
    s = re.sub(r"^(?:gmail-)?m\d+", "", s)
    return (
        s.rstrip("0123456789") if re.search(r"[a-z]\d$", s) and not s.startswith("heading") else s
    )


@dataclass
class ParaStyle:
    level: int  # 1-4 for headings, 0 for body
    named: bool  # the level comes from the style's id or name, which beats an outline level
    cite: bool  # a paragraph style meant for cites (CiteSpacing, Cites, 003Cite)
    props: dict[str, Any]


@dataclass
class CharStyle:
    cite: bool
    emphasis: bool
    props: dict[str, Any]


class StyleSheet:
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
class Styles:
    """The styles document.xml uses, resolved on first use through their basedOn chains."""

    sheet: StyleSheet | None
    _para: dict[str | None, ParaStyle] = field(default_factory=dict)
    _char: dict[str, CharStyle] = field(default_factory=dict)
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
            self.defaults.update(run_props(self.sheet.default_rpr))

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
            style_id = based.get(VAL) if based is not None else None
        return out[::-1]

    def para(self, style_id: str | None) -> ParaStyle:
        if style_id is None and self.sheet is not None:
            style_id = self.sheet.default_para
        cached = self._para.get(style_id)
        if cached is not None:
            return cached
        chain = self._chain(style_id)
        props = dict(self.defaults)
        outline: int | None = None
        for st in chain:
            props.update(run_props(st.find(W + "rPr")))
            ol = st.find(f"{W}pPr/{W}outlineLvl")
            if ol is not None and (ol.get(VAL) or "").isdigit():
                outline = int(ol.get(VAL))
        level = _level_by_name(style_id, chain[-1] if chain else None)
        named = level is not None
        if level is None:
            level = outline + 1 if outline is not None and outline <= 3 else 0
        names = _names(style_id, chain[-1] if chain else None)
        cite = level == 0 and any("cite" in n for n in names)
        result = ParaStyle(level, named, cite, props)
        self._para[style_id] = result
        return result

    def char(self, style_id: str) -> CharStyle:
        cached = self._char.get(style_id)
        if cached is not None:
            return cached
        chain = self._chain(style_id)
        props: dict[str, Any] = {}
        for st in chain:
            props.update(run_props(st.find(W + "rPr")))
        names = _names(style_id, chain[-1] if chain else None)
        nid = _norm_id(style_id)
        cite = nid in _CITE_IDS or bool(names & _CITE_NAMES)
        emphasis = nid == "emphasis" or "emphasis" in names
        if cite:
            emphasis = False
        result = CharStyle(cite, emphasis, props)
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
    if name is not None and name.get(VAL):
        out.add(name.get(VAL).strip().lower())
    aliases = st.find(W + "aliases")
    if aliases is not None and aliases.get(VAL):
        out.update(a.strip().lower() for a in aliases.get(VAL).split(","))
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
        m = re.fullmatch(r"heading ([1-9])", (name.get(VAL) or "").strip().lower())
        if m:
            n = int(m.group(1))
            return n if n <= 4 else 0
    aliases = st.find(W + "aliases")
    if aliases is not None and aliases.get(VAL):
        for a in aliases.get(VAL).split(","):
            role = _HEADING_ROLE.get(a.strip().lower())
            if role:
                return role
    return None
