"""Cards as a Verbatim speech document (.docx) whose styles a Verbatim user's macros know.

Verbatim finds everything by style ID: Heading1..Heading4 for Pocket, Hat, Block and Tag,
Style13ptBold for the short cite, StyleUnderline and Emphasis for the marked body text. The
default python-docx template has different looks under some of those IDs (blue headings,
italic Emphasis) and lacks the others, so those style elements are replaced outright.

The body is written as WordprocessingML text and parsed once: building thousands of runs
through python-docx's object API is what makes naive exporters slow.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterable
from xml.sax.saxutils import escape

from evcards.core.models import Card, Span
from evcards.core.outline import Heading, cite_segments, ends_with_initials, outline

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_W = f'xmlns:w="{W_NS}"'
# Characters XML 1.0 cannot carry at all; they cannot appear in a .docx.
_NOT_XML = re.compile("[\ud800-\udfff\ufffe\uffff]")

TAG_STYLE = "Heading4"
CITE_STYLE = "Style13ptBold"
UNDERLINE_STYLE = "StyleUnderline"
EMPHASIS_STYLE = "Emphasis"

_FONT = '<w:rFonts w:ascii="Calibri" w:hAnsi="Calibri" w:eastAsia="Calibri" w:cs="Calibri"/>'
_BOX = '<w:bdr w:val="single" w:sz="4" w:space="0" w:color="auto"/>'
_PBOX = (
    "<w:pBdr>"
    + "".join(
        f'<w:{side} w:val="single" w:sz="4" w:space="1" w:color="auto"/>'
        for side in ("top", "left", "bottom", "right")
    )
    + "</w:pBdr>"
)


def _heading(level: int, alias: str, pPr: str, rPr: str) -> str:
    return (
        f'<w:style {_W} w:type="paragraph" w:styleId="Heading{level}">'
        f'<w:name w:val="heading {level}"/><w:aliases w:val="{alias}"/>'
        '<w:basedOn w:val="Normal"/><w:next w:val="Normal"/>'
        '<w:uiPriority w:val="9"/><w:unhideWhenUsed/><w:qFormat/>'
        f'<w:pPr><w:keepNext/><w:keepLines/>{pPr}<w:outlineLvl w:val="{level - 1}"/></w:pPr>'
        f"<w:rPr><w:b/><w:bCs/>{rPr}</w:rPr></w:style>"
    )


def _char(style_id: str, name: str, alias: str | None, rPr: str, custom: bool = True) -> str:
    aliases = f'<w:aliases w:val="{alias}"/>' if alias else ""
    flag = ' w:customStyle="1"' if custom else ""
    return (
        f'<w:style {_W} w:type="character"{flag} w:styleId="{style_id}">'
        f'<w:name w:val="{name}"/>{aliases}<w:basedOn w:val="DefaultParagraphFont"/>'
        f'<w:uiPriority w:val="1"/><w:unhideWhenUsed/><w:qFormat/><w:rPr>{rPr}</w:rPr></w:style>'
    )


# Verbatim's defaults (DOMAIN.md): sizes in half points.
VERBATIM_STYLES = {
    "Normal": (
        f'<w:style {_W} w:type="paragraph" w:default="1" w:styleId="Normal">'
        '<w:name w:val="Normal"/><w:aliases w:val="Normal/Card"/><w:qFormat/>'
        f'<w:pPr><w:spacing w:after="0" w:line="240" w:lineRule="auto"/></w:pPr>'
        f'<w:rPr>{_FONT}<w:sz w:val="22"/><w:szCs w:val="22"/></w:rPr></w:style>'
    ),
    "Heading1": _heading(
        1,
        "Pocket",
        f'<w:pageBreakBefore/>{_PBOX}<w:jc w:val="center"/>',
        '<w:sz w:val="52"/><w:szCs w:val="52"/>',
    ),
    "Heading2": _heading(
        2,
        "Hat",
        '<w:jc w:val="center"/>',
        '<w:sz w:val="44"/><w:szCs w:val="44"/><w:u w:val="double"/>',
    ),
    "Heading3": _heading(
        3,
        "Block",
        '<w:jc w:val="center"/>',
        '<w:sz w:val="32"/><w:szCs w:val="32"/><w:u w:val="single"/>',
    ),
    "Heading4": _heading(4, "Tag", "", '<w:sz w:val="26"/><w:szCs w:val="26"/>'),
    CITE_STYLE: _char(
        CITE_STYLE,
        "Style 13 pt Bold",
        "Cite",
        '<w:b/><w:bCs/><w:sz w:val="26"/><w:szCs w:val="26"/><w:u w:val="none"/>',
    ),
    UNDERLINE_STYLE: _char(
        UNDERLINE_STYLE,
        "Style Underline",
        "Underline",
        '<w:b w:val="0"/><w:sz w:val="22"/><w:szCs w:val="22"/><w:u w:val="single"/>',
    ),
    EMPHASIS_STYLE: _char(
        EMPHASIS_STYLE,
        "Emphasis",
        None,
        '<w:b/><w:bCs/><w:i w:val="0"/><w:iCs w:val="0"/><w:sz w:val="22"/><w:szCs w:val="22"/>'
        '<w:u w:val="single"/>',
        custom=False,
    ),
}
# The template's own linked "Heading N Char" styles point at headings we replace.
_DROP = ("Heading1Char", "Heading2Char", "Heading3Char", "Heading4Char")


def xml_text(text: str) -> str:
    return escape(_NOT_XML.sub("", text))


def run_xml(span: Span) -> str:
    return f'<w:r>{rpr_xml(span)}<w:t xml:space="preserve">{xml_text(span.text)}</w:t></w:r>'


def rpr_xml(span: Span) -> str:
    """A run's properties, children in the order the OOXML schema requires. Cached: a whole
    speech document uses a few dozen combinations of marks."""
    key = span.marks()
    cached = _RPR_CACHE.get(key)
    if cached is None:
        cached = _RPR_CACHE[key] = _rpr(span)
    return cached


_RPR_CACHE: dict[tuple[object, ...], str] = {}


def _rpr(span: Span) -> str:
    props = []
    if span.emphasis:
        props.append(f'<w:rStyle w:val="{EMPHASIS_STYLE}"/>')
    elif span.underline:
        props.append(f'<w:rStyle w:val="{UNDERLINE_STYLE}"/>')
    if span.bold:
        props.append("<w:b/><w:bCs/>")
    if span.italic:
        props.append("<w:i/><w:iCs/>")
    if span.size is not None:
        half = int(span.size * 2)
        props.append(f'<w:sz w:val="{half}"/><w:szCs w:val="{half}"/>')
    if span.highlight:
        props.append(f'<w:highlight w:val="{span.highlight}"/>')
    if span.emphasis and span.underline:
        # Emphasis already underlines; the direct mark keeps "also underlined" on record.
        props.append('<w:u w:val="single"/>')
    if span.box:
        props.append(_BOX)
    if span.shading:
        props.append(f'<w:shd w:val="clear" w:color="auto" w:fill="{span.shading}"/>')
    return f"<w:rPr>{''.join(props)}</w:rPr>" if props else ""


def _paragraph(runs: str, style: str | None = None) -> str:
    ppr = f'<w:pPr><w:pStyle w:val="{style}"/></w:pPr>' if style else ""
    return f"<w:p>{ppr}{runs}</w:p>"


def _plain_run(text: str, style: str | None = None) -> str:
    rpr = f'<w:rPr><w:rStyle w:val="{style}"/></w:rPr>' if style else ""
    return f'<w:r>{rpr}<w:t xml:space="preserve">{xml_text(text)}</w:t></w:r>'


def card_xml(card: Card) -> list[str]:
    """Tag (Heading4), undertag (Normal), cite line, then the body paragraphs."""
    out = [_paragraph(_plain_run(card.tag), TAG_STYLE)]
    out.extend(_paragraph(_plain_run(line)) for line in card.undertag.splitlines() if line.strip())
    if card.kind == "analytic":
        return out
    runs = [_plain_run(text, CITE_STYLE if bold else None) for text, bold in _cite_line(card)]
    if runs:
        out.append(_paragraph("".join(runs)))
    out.extend(_paragraph("".join(run_xml(s) for s in para)) for para in card.body)
    return out


def _cite_line(card: Card) -> list[tuple[str, bool]]:
    """The cite line's pieces. A short cite found in the full cite in pieces ('Fath' ...
    '10/19') is written `SHORT (FULL)` instead: the reader takes one bold group as the short
    cite, so pieces would come back as the first alone."""
    cite = card.cite
    segs = cite_segments(cite)
    if sum(bold for _, bold in segs) <= 1:
        return segs
    held = bool(cite.initials) and ends_with_initials(cite.full, cite.initials or "")
    tail = "" if held or not cite.initials else f" {cite.initials}"
    return [(cite.short, True), (f" ({cite.full}){tail}", False)]


def body_xml(cards: Iterable[Card], flat: bool = False) -> str:
    """The paragraphs of the document body, with no enclosing element."""
    parts = []
    for item in outline(cards, flat):
        if isinstance(item, Heading):
            parts.append(_paragraph(_plain_run(item.text), f"Heading{item.level}"))
        else:
            parts.extend(card_xml(item))
    return "".join(parts)


def install_styles(document: object) -> None:
    """Put Verbatim's style definitions, under Verbatim's IDs, into the document."""
    from docx.oxml import parse_xml
    from docx.oxml.ns import qn

    styles = document.styles.element  # type: ignore[attr-defined]
    for style in list(styles.findall(qn("w:style"))):
        if style.get(qn("w:styleId")) in (*VERBATIM_STYLES, *_DROP):
            styles.remove(style)
    for xml in VERBATIM_STYLES.values():
        styles.append(parse_xml(xml))


def render_docx(cards: Iterable[Card], flat: bool = False, title: str = "") -> bytes:
    """The .docx file's bytes."""
    import docx

    document = docx.Document()
    install_styles(document)
    if title:
        document.core_properties.title = title
    document.core_properties.author = "evcards"
    body = document.element.body
    for child in list(body):
        if not child.tag.endswith("}sectPr"):
            body.remove(child)
    buf = io.BytesIO()
    document.save(buf)
    return splice_body(buf.getvalue(), body_xml(cards, flat))


def splice_body(package: bytes, paragraphs: str) -> bytes:
    """The package with `paragraphs` at the start of word/document.xml's body.

    Parsing megabytes of generated XML only for python-docx to serialise it again takes
    longer than writing the cards, so the text goes into the saved file directly.
    """
    src = zipfile.ZipFile(io.BytesIO(package))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == "word/document.xml":
                head, sep, tail = data.partition(b"<w:body>")
                if not sep:
                    raise ValueError("python-docx wrote a body this exporter does not expect")
                data = head + sep + paragraphs.encode("utf-8") + tail
            dst.writestr(info, data)
    return out.getvalue()
