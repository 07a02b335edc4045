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
# The Pocket's box: 3 pt lines, as in Verbatim 6's template.
_PBOX = (
    "<w:pBdr>"
    + "".join(
        f'<w:{side} w:val="single" w:sz="24" w:space="{space}" w:color="auto"/>'
        for side, space in (("top", 1), ("left", 4), ("bottom", 1), ("right", 4))
    )
    + "</w:pBdr>"
)
_CENTER = '<w:jc w:val="center"/>'


def _heading(level: int, alias: str, page_break: bool, pPr: str, rPr: str) -> str:
    """A heading style as Verbatim 6 defines it: kept with the next paragraph and, for
    Pocket, Hat and Block, on a new page (`page_break`)."""
    brk = "<w:pageBreakBefore/>" if page_break else ""
    return (
        f'<w:style {_W} w:type="paragraph" w:styleId="Heading{level}">'
        f'<w:name w:val="heading {level}"/><w:aliases w:val="{alias}"/>'
        '<w:basedOn w:val="Normal"/><w:next w:val="Normal"/>'
        '<w:uiPriority w:val="9"/><w:unhideWhenUsed/><w:qFormat/>'
        f"<w:pPr><w:keepNext/><w:keepLines/>{brk}{pPr}"
        f'<w:outlineLvl w:val="{level - 1}"/></w:pPr>'
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


def _size(half_points: int) -> str:
    return f'<w:sz w:val="{half_points}"/><w:szCs w:val="{half_points}"/>'


def verbatim_styles(page_breaks: bool = True) -> dict[str, str]:
    """Verbatim 6's definitions of the styles a speech document uses, by style ID.

    Taken from the styles.xml of the Verbatim documents in the corpus (25 of 30 carry this
    template unchanged): Pocket, Hat and Block start a new page, and every heading has its
    spacing before and none after; Normal keeps Word's 8 pt after and 1.08 lines, which
    Verbatim inherits from its document defaults. `page_breaks=False` leaves the page
    breaks out, for a compact document to read from.
    """
    return {
        "Normal": (
            f'<w:style {_W} w:type="paragraph" w:default="1" w:styleId="Normal">'
            '<w:name w:val="Normal"/><w:aliases w:val="Normal/Card"/><w:qFormat/>'
            '<w:pPr><w:spacing w:after="160" w:line="259" w:lineRule="auto"/></w:pPr>'
            f"<w:rPr>{_FONT}{_size(22)}</w:rPr></w:style>"
        ),
        "Heading1": _heading(
            1,
            "Pocket",
            page_breaks,
            f'{_PBOX}<w:spacing w:before="240" w:after="0"/>{_CENTER}',
            _size(52),
        ),
        "Heading2": _heading(
            2,
            "Hat",
            page_breaks,
            f'<w:spacing w:before="40" w:after="0"/>{_CENTER}',
            f'{_size(44)}<w:u w:val="double"/>',
        ),
        "Heading3": _heading(
            3,
            "Block",
            page_breaks,
            f'<w:spacing w:before="40" w:after="0"/>{_CENTER}',
            f'{_size(32)}<w:u w:val="single"/>',
        ),
        "Heading4": _heading(4, "Tag", False, '<w:spacing w:before="40" w:after="0"/>', _size(26)),
        CITE_STYLE: _char(
            CITE_STYLE, "Style 13 pt Bold", "Cite", f'<w:b/><w:bCs/>{_size(26)}<w:u w:val="none"/>'
        ),
        UNDERLINE_STYLE: _char(
            UNDERLINE_STYLE,
            "Style Underline",
            "Underline",
            f'<w:b w:val="0"/>{_size(22)}<w:u w:val="single"/>',
        ),
        EMPHASIS_STYLE: _char(
            EMPHASIS_STYLE,
            "Emphasis",
            None,
            f'<w:b/><w:bCs/><w:i w:val="0"/><w:iCs w:val="0"/>{_size(22)}<w:u w:val="single"/>',
            custom=False,
        ),
    }


VERBATIM_STYLES = verbatim_styles()
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


def install_styles(document: object, page_breaks: bool = True) -> None:
    """Put Verbatim's style definitions, under Verbatim's IDs, into the document."""
    from docx.oxml import parse_xml
    from docx.oxml.ns import qn

    styles = document.styles.element  # type: ignore[attr-defined]
    for style in list(styles.findall(qn("w:style"))):
        if style.get(qn("w:styleId")) in (*VERBATIM_STYLES, *_DROP):
            styles.remove(style)
    for xml in verbatim_styles(page_breaks).values():
        styles.append(parse_xml(xml))


def render_docx(
    cards: Iterable[Card], flat: bool = False, title: str = "", page_breaks: bool = True
) -> bytes:
    """The .docx file's bytes; `page_breaks=False` for styles that start no new pages."""
    import docx

    document = docx.Document()
    install_styles(document, page_breaks)
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
