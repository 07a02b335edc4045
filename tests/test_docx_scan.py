"""The import's paragraph reader (`formats/docx/scan.py`, document.xml read by patterns)
against the reference (`runs.Reader` over the lxml tree): the same paragraphs, runs, marks,
cite runs and line breaks, on the corpus, on odd hand-made forms and on generated files."""

from __future__ import annotations

import zipfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from evcards.errors import InputFileError
from evcards.formats.docx import read, safe_zip, scan
from evcards.formats.docx import runs as docx_runs
from tests.budget import examples
from tests.conftest import CORPUS
from tests.test_docx_import import R_NS, VERBATIM_STYLES, W_NS, agree, make_docx

DOCX = CORPUS / "docx"


def para_facts(paras: list[Any]) -> list[tuple[Any, ...]]:
    return [(p.level, p.runs, p.cite_style, p.cite_runs, p.breaks) for p in paras]


class Count:
    """How many paragraphs the scanner read itself and how many it left to the reference."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.plain = self.fallback = self.whole = 0
        plain, para, scan_ = scan.Scanner._plain, scan.Scanner._para, scan.Scanner.scan
        body_text = read.body_text

        def counted_plain(s: Any, *a: Any) -> Any:
            got = plain(s, *a)
            self.plain += got is not None
            return got

        def counted_para(s: Any, el: Any) -> Any:
            self.fallback += 1
            return para(s, el)

        def whole(read: Any) -> Any:
            def counted(*a: Any) -> Any:
                try:
                    return read(*a)
                except scan.NotPlain:
                    self.whole += 1
                    raise

            return counted

        monkeypatch.setattr(scan.Scanner, "_plain", counted_plain)
        monkeypatch.setattr(scan.Scanner, "_para", counted_para)
        monkeypatch.setattr(scan.Scanner, "scan", whole(scan_))
        monkeypatch.setattr(scan.Scanner, "skeleton", whole(scan.Scanner.skeleton))
        monkeypatch.setattr(read, "body_text", whole(body_text))


def both(document: str | bytes, styles: str | None = VERBATIM_STYLES) -> list[tuple[Any, ...]]:
    """The paragraphs of a document.xml by both readers, asserted equal."""
    data = document.encode() if isinstance(document, str) else document
    sheet = f'<w:styles xmlns:w="{W_NS}">{styles}</w:styles>'.encode() if styles else None
    ref = para_facts(read.paragraphs(data, sheet, "x", fast=False))
    assert para_facts(read.paragraphs(data, sheet, "x", fast=True)) == ref
    return ref


def doc(body: str, decl: bool = True) -> str:
    head = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n' if decl else ""
    return (
        f'{head}<w:document xmlns:w="{W_NS}" xmlns:r="{R_NS}"><w:body>{body}</w:body></w:document>'
    )


RPR = '<w:rPr><w:rStyle w:val="StyleUnderline"/><w:highlight w:val="cyan"/></w:rPr>'
PLAIN = (
    '<w:p w:rsidR="00A1"><w:pPr><w:pStyle w:val="Heading4"/></w:pPr>'
    '<w:r w:rsidR="00A1"><w:t>A tag</w:t></w:r></w:p>'
    '<w:p><w:r><w:rPr><w:rStyle w:val="Style13ptBold"/></w:rPr><w:t>Smith 19</w:t></w:r>'
    '<w:r><w:t xml:space="preserve"> (John Smith, prof)</w:t></w:r></w:p>'
    f'<w:p><w:proofErr w:type="spellStart"/><w:r>{RPR}<w:t>read &amp; this &lt;now&gt;</w:t></w:r>'
    '<w:bookmarkStart w:id="0" w:name="x"/><w:hyperlink r:id="rId4"><w:r><w:t>link</w:t></w:r>'
    "</w:hyperlink><w:r><w:t>a</w:t><w:tab/><w:t>b</w:t><w:br/><w:t>c</w:t><w:noBreakHyphen/>"
    "<w:softHyphen/><w:t/></w:r><w:r><w:rPr/><w:t>&#x41;&#66;</w:t></w:r></w:p>"
    '<w:p/><w:p><w:pPr><w:outlineLvl w:val="3"/></w:pPr><w:r><w:rPr><w:b/></w:rPr>'
    "<w:t>Destyled tag</w:t></w:r></w:p>"
)
SECTION = '<w:sectPr><w:pgSz w:w="12240"/></w:sectPr>'

# Forms Word does not write, each read by the reference: for a paragraph (`para`) or for the
# whole document (`whole`).
ODD = {
    "field across paragraphs": (
        '<w:p><w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText>HYPERLINK'
        "</w:instrText></w:r></w:p><w:p><w:r><w:t>code</w:t></w:r><w:r><w:fldChar "
        'w:fldCharType="separate"/></w:r><w:r><w:t>shown</w:t></w:r><w:r><w:fldChar '
        'w:fldCharType="end"/></w:r></w:p><w:p><w:r><w:t>after</w:t></w:r></w:p>',
        "para",
    ),
    "deleted text": (
        '<w:p><w:del w:id="1"><w:r><w:delText>gone</w:delText></w:r></w:del><w:r><w:t>kept'
        "</w:t></w:r></w:p>",
        "para",
    ),
    "content control in a paragraph": (
        "<w:p><w:sdt><w:sdtContent><w:r><w:t>in sdt</w:t></w:r></w:sdtContent></w:sdt></w:p>",
        "para",
    ),
    "changed paragraph properties": (
        '<w:p><w:pPr><w:pStyle w:val="Heading4"/><w:pPrChange w:id="1"><w:pPr><w:pStyle '
        'w:val="Heading1"/></w:pPr></w:pPrChange></w:pPr><w:r><w:t>tag</w:t></w:r></w:p>',
        "para",
    ),
    "changed run properties": (
        '<w:p><w:r><w:rPr><w:b/><w:rPrChange w:id="2"><w:rPr><w:i/></w:rPr></w:rPrChange>'
        "</w:rPr><w:t>bold</w:t></w:r></w:p>",
        "para",
    ),
    "rPr after the text": ("<w:p><w:r><w:t>x</w:t><w:rPr><w:b/></w:rPr></w:r></w:p>", "para"),
    "a > in an attribute": (
        '<w:p><w:r w:x="a>b"><w:t w:y="c>d">text</w:t></w:r><w:r><w:rPr><w:rFonts w:ascii='
        '"a/>"/></w:rPr><w:t>more</w:t></w:r></w:p>',
        "para",
    ),
    "single quotes": ("<w:p><w:r><w:t xml:space='preserve'> x </w:t></w:r></w:p>", "para"),
    "whitespace between tags": ("<w:p>\n  <w:r>\n    <w:t>x</w:t>\n  </w:r>\n</w:p>", "para"),
    "a comment": ("<w:p><w:r><w:t>a<!-- </w:p> -->b</w:t></w:r></w:p>", "whole"),
    "CDATA": ("<w:p><w:r><w:t><![CDATA[<b> & </w:t>]]></w:t></w:r></w:p>", "para"),
    "a processing instruction": ("<w:p><w:r><w:t>a<?pi x?>b</w:t></w:r></w:p>", "para"),
    "a table": (
        "<w:tbl><w:tr><w:tc><w:p><w:r><w:t>cell</w:t></w:r></w:p><w:tbl><w:tr><w:tc><w:p>"
        "<w:r><w:t>nested</w:t></w:r></w:p></w:tc></w:tr></w:tbl></w:tc></w:tr></w:tbl>",
        "whole",
    ),
    "a text box": (
        "<w:p><w:r><w:t>before</w:t></w:r><w:r><w:pict><w:txbxContent><w:p><w:r><w:t>boxed"
        "</w:t></w:r></w:p></w:txbxContent></w:pict></w:r><w:r><w:t>after</w:t></w:r></w:p>",
        "whole",
    ),
    "block content control": (
        "<w:sdt><w:sdtContent><w:p><w:r><w:t>x</w:t></w:r></w:p></w:sdtContent></w:sdt>",
        "whole",
    ),
    "block customXml": (
        '<w:customXml w:element="c"><w:p><w:r><w:t>x</w:t></w:r></w:p></w:customXml>',
        "whole",
    ),
    "an ins around a paragraph": ("<w:ins><w:p><w:r><w:t>x</w:t></w:r></w:p></w:ins>", "whole"),
    "a paragraph with odd attributes": ("<w:p w:a='1'><w:r><w:t>x</w:t></w:r></w:p>", None),
    "carriage returns": ("<w:p><w:r><w:t>a\r\nb\rc</w:t><w:br/><w:t>d</w:t></w:r></w:p>", "whole"),
    "control characters": ("<w:p><w:r><w:t>a&#10;b&#x9;c&#13;d</w:t></w:r></w:p>", None),
    "escaped style ids": ('<w:p><w:pPr><w:pStyle w:val="A&amp;B"/></w:pPr></w:p>', "para"),
    "empty styles and runs": (
        '<w:p><w:pPr/><w:pPr><w:pStyle w:val="Heading4"/></w:pPr><w:r/><w:r><w:rPr></w:rPr>'
        "<w:t></w:t></w:r><w:r><w:t>x</w:t></w:r></w:p>",
        None,
    ),
    "w: bound anew on a paragraph": (
        '<w:p xmlns:w="urn:x"><w:r><w:t>not Word</w:t></w:r></w:p>',
        "whole",
    ),
    "w: bound anew on a container": (
        '<w:p><w:ins xmlns:w="urn:x"><w:r><w:t>not Word</w:t></w:r></w:ins></w:p>',
        "whole",
    ),
    "an empty body in a paragraph": ("<w:p><w:body/><w:r><w:t>x</w:t></w:r></w:p>", None),
    "an empty body between paragraphs": ("<w:body/><w:p><w:r><w:t>x</w:t></w:r></w:p>", None),
    "a body in a paragraph": (
        "<w:p><w:body><w:p><w:r><w:t>x</w:t></w:r></w:p></w:body></w:p>",
        "whole",
    ),
    "other prefixes in rPr": (
        '<w:p><w:r><w:rPr><w14:glow xmlns:w14="urn:w14" w14:rad="1"/><w:b/></w:rPr>'
        "<w:t>glow</w:t></w:r></w:p>",
        None,
    ),
}


def test_the_plain_form_is_read_by_the_scanner(monkeypatch: pytest.MonkeyPatch) -> None:
    count = Count(monkeypatch)
    paras = both(doc(PLAIN + SECTION))
    assert (count.plain, count.fallback, count.whole) == (4, 0, 0)  # and an empty one
    assert [p[1] for p in paras][2][0][0] == "read & this <now>"
    assert paras[2][4] == [(2, 3)]  # the line break, as the reference places it
    assert both(doc(PLAIN + SECTION, decl=False)) == paras


@pytest.mark.parametrize("name", sorted(ODD))
def test_odd_forms_read_as_the_reference_reads_them(
    name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    body, left_to = ODD[name]
    count = Count(monkeypatch)
    both(doc(PLAIN + body + SECTION))
    assert count.whole == (left_to == "whole")
    if left_to == "para":
        assert count.fallback >= 1 and count.plain >= 4
    elif left_to is None:
        assert count.fallback == 0 and count.whole == 0


@pytest.mark.parametrize(
    "document",
    [
        doc(PLAIN).replace(W_NS, "urn:not-word"),  # no body in Word's namespace
        doc(PLAIN)
        .replace("<w:body>", "<w:body><w:body>")
        .replace("</w:body>", "</w:body></w:body>"),
        doc(PLAIN).replace("<w:body>", "<w:body/><w:body>"),  # the root's first body is empty
        doc(PLAIN).replace("</w:body>", "</w:body><w:body/>"),
        doc(PLAIN).replace('xmlns:r="', f'xmlns:v="{W_NS}" xmlns:r="'),  # Word's namespace twice
        doc(PLAIN).replace('encoding="UTF-8"', 'encoding="ISO-8859-1"').replace("John", "J\xf6hn"),
        doc(PLAIN + SECTION + PLAIN),  # paragraphs after the section properties
        "<w:document/>",
    ],
)
def test_documents_left_to_the_reference(document: str) -> None:
    data = document.encode("latin-1" if "ISO-8859-1" in document else "utf-8")
    with pytest.raises(scan.NotPlain):
        text, root, start, end = scan.body_text(data)
        scan.Scanner(read.Styles(None), False, root).scan(text, start, end)


@pytest.mark.parametrize(
    "document",
    [
        doc("<w:p><w:r><w:t>unclosed</w:r></w:p>"),
        doc("<w:p><w:r><w:t>&nbsp;</w:t></w:r></w:p>"),
        doc("<w:p><w:r><w:t>bad \x01 char</w:t></w:r></w:p>"),
        doc("<w:p><w:r><w:t>&#1;</w:t></w:r></w:p>"),
        doc("<w:p>" * 300 + "</w:p>" * 300),
        '<!DOCTYPE d [<!ENTITY x "y">]>' + doc("<w:p><w:r><w:t>&x;</w:t></w:r></w:p>", False),
        doc("<w:p><w:r><w:t>x\udcff</w:t></w:r></w:p>"),  # not UTF-8
    ],
)
def test_damaged_xml_fails_alike(tmp_path: Path, document: str) -> None:
    path = tmp_path / "bad.docx"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("word/document.xml", document.encode("utf-8", "surrogateescape"))
    with pytest.raises(InputFileError):
        agree(path)


def test_other_encodings_read_alike() -> None:
    body = "<w:p><w:r><w:t>Jöhn 19 (text)</w:t></w:r></w:p>"
    utf16 = doc(body).replace("UTF-8", "UTF-16").encode("utf-16")
    latin = doc(body).replace("UTF-8", "ISO-8859-1").encode("latin-1")
    for data in (utf16, latin):
        assert both(data)[0][1][0][0] == "Jöhn 19 (text)"


# -- generated documents ---------------------------------------------------------------------
_TEXT = st.text(st.sampled_from("ab Z9.,'’é\t&<>\"—\u00a0"), max_size=8).map(
    lambda t: t.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
)
_RPR_PART = st.sampled_from(
    [
        '<w:rStyle w:val="StyleUnderline"/>',
        '<w:rStyle w:val="Style13ptBold"/>',
        '<w:rStyle w:val="Emphasis"/>',
        '<w:rStyle w:val="Missing"/>',
        "<w:b/>",
        '<w:b w:val="0"/>',
        "<w:i/>",
        '<w:u w:val="single"/>',
        '<w:u w:val="none"/>',
        '<w:highlight w:val="yellow"/>',
        '<w:highlight w:val="none"/>',
        '<w:shd w:val="clear" w:fill="FFFF00"/>',
        '<w:sz w:val="16"/>',
        '<w:sz w:val="22"/>',
        '<w:bdr w:val="single"/>',
        '<w:rFonts w:ascii="Calibri"/>',
        '<w:lang w:val="en-US"/>',
        "<w:bCs/>",
        # Children marks are not read from (the scanner parses an rPr without them), and one
        # declaring a namespace of its own (an rPr the scanner keeps whole).
        '<w:color w:val="FF0000"/>',
        '<w:szCs w:val="22"/>',
        '<w:lang xmlns:x="urn:x" x:val="a"/>',
    ]
)
_IN_RUN = st.one_of(
    _TEXT.map(lambda t: f'<w:t xml:space="preserve">{t}</w:t>'),
    _TEXT.map(lambda t: f"<w:t>{t}</w:t>"),
    st.sampled_from(
        [
            "<w:tab/>",
            "<w:br/>",
            '<w:br w:type="page"/>',
            "<w:cr/>",
            "<w:noBreakHyphen/>",
            "<w:softHyphen/>",
            "<w:lastRenderedPageBreak/>",
            "<w:t/>",
            "<w:t>&#x2014;</w:t>",
            "<w:t>&#10;x&#x9;y&#13;</w:t>",
            '<w:fldChar w:fldCharType="begin"/>',
            "<w:instrText>PAGE</w:instrText>",
            '<w:fldChar w:fldCharType="separate"/>',
            '<w:fldChar w:fldCharType="end"/>',
            "<w:delText>gone</w:delText>",
        ]
    ),
)


@st.composite
def runs(draw: Any) -> str:
    rpr = "".join(draw(st.lists(_RPR_PART, max_size=3)))
    head = draw(st.sampled_from(["<w:r>", '<w:r w:rsidR="00AB12" w:rsidRPr="00CD34">']))
    props = draw(st.sampled_from([f"<w:rPr>{rpr}</w:rPr>", "", "<w:rPr/>"])) if rpr else ""
    inner = "".join(draw(st.lists(_IN_RUN, min_size=1, max_size=3)))
    return f"{head}{props}{inner}</w:r>"


@st.composite
def paragraphs(draw: Any) -> str:
    items = draw(st.lists(runs(), max_size=5))
    for _ in range(draw(st.integers(0, 2))):
        k = draw(st.integers(0, len(items)))
        wrap = draw(
            st.sampled_from(
                ['<w:hyperlink r:id="rId1">', "<w:ins>", "<w:smartTag>", '<w:del w:id="3">', ""]
            )
        )
        end = "</" + wrap[1:].split()[0].rstrip(">") + ">" if wrap else ""
        if wrap:
            items[k : k + 1] = [wrap + "".join(items[k : k + 1]) + end]
        else:
            items.insert(k, '<w:proofErr w:type="gramStart"/>')
    style = draw(st.sampled_from(["", "Heading1", "Heading4", "Normal", "Missing"]))
    outline = draw(st.sampled_from(["", '<w:outlineLvl w:val="3"/>', '<w:outlineLvl w:val="9"/>']))
    ppr = (f'<w:pStyle w:val="{style}"/>' if style else "") + outline
    head = draw(st.sampled_from(["<w:p>", '<w:p w:rsidR="00AB12">']))
    return head + (f"<w:pPr>{ppr}</w:pPr>" if ppr else "") + "".join(items) + "</w:p>"


@settings(max_examples=examples(300), suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(paragraphs(), max_size=8))
def test_generated_documents_read_alike(paras: list[str]) -> None:
    both(doc("".join(paras)))


@settings(max_examples=examples(40), suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(st.lists(paragraphs(), min_size=1, max_size=12))
def test_generated_files_import_alike(tmp_path_factory: Any, paras: list[str]) -> None:
    path = make_docx(tmp_path_factory.mktemp("gen") / "g.docx", "".join(paras))
    agree(path)


# -- the corpus ------------------------------------------------------------------------------
@pytest.mark.skipif(not DOCX.is_dir(), reason="corpus absent")
def test_corpus_paragraphs_read_alike(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every corpus file's paragraphs, and the scanner reads nearly all of them itself (the
    others are fields and drawings, and one file's tables)."""
    count = Count(monkeypatch)
    total = 0
    for path in sorted(DOCX.glob("*.docx")):
        with zipfile.ZipFile(path) as zf:
            document = zf.read("word/document.xml")
            styles = zf.read("word/styles.xml")
        ref = para_facts(read.paragraphs(document, styles, str(path), fast=False))
        assert para_facts(read.paragraphs(document, styles, str(path), fast=True)) == ref
        total += len(ref)
    assert count.whole <= 1
    assert count.plain >= 0.9 * total and count.fallback <= 0.01 * total


@given(st.binary(max_size=64), st.integers(0, 70))
def test_raw_controls_found_as_the_pattern_finds_them(data: bytes, start: int) -> None:
    found = docx_runs.RAW_CONTROL.search(data, start) is not None
    assert docx_runs.has_control(data, start) == found


# -- well-formed by the skeleton -------------------------------------------------------------
# The import's reader checks only the markup its patterns passed over, and the text apart
# (`scan.proves_well_formed`); when that says yes, libxml2 must say yes of the whole document.
def proven(document: str | bytes) -> bool | None:
    """What the skeleton says of the document; None when the scanner does not read it."""
    data = document.encode() if isinstance(document, str) else document
    try:
        text, root, start, end = scan.body_text(data)
        scanner = scan.Scanner(read.Styles(None), True, root)
        scanner.scan(text, start, end)
        skeleton = scanner.skeleton(text, start, end)
    except scan.NotPlain:
        return None
    raw = docx_runs.has_control(data, max(data.find(b"<w:body"), 0))
    return not raw and scan.proves_well_formed(data, text, skeleton)


# Each breaks a document somewhere the patterns pass over, or in its text.
DAMAGED = {
    "an attribute twice on a run": '<w:r w:rsidR="1" w:rsidR="2"><w:t>x</w:t></w:r>',
    "an attribute twice on a paragraph": '<w:p w:a="1" w:a="2"><w:r><w:t>x</w:t></w:r></w:p>',
    "an attribute twice in rPr": '<w:r><w:rPr><w:b w:val="1" w:val="0"/></w:rPr><w:t>x</w:t></w:r>',
    "an attribute twice in an unread rPr": '<w:r><w:rPr><w:b w:val="1" w:val="0"/></w:rPr></w:r>',
    "an attribute twice in pPr": '<w:p><w:pPr><w:jc w:val="1" w:val="2"/></w:pPr></w:p>',
    "an undeclared prefix on a run": '<w:r x:a="1"><w:t>x</w:t></w:r>',
    "an undeclared prefix in rPr": "<w:r><w:rPr><x:b/></w:rPr><w:t>x</w:t></w:r>",
    "an unquoted value": "<w:r w:a=1><w:t>x</w:t></w:r>",
    "a < in a value": '<w:r><w:rPr><w:rFonts w:ascii="a<b"/></w:rPr><w:t>x</w:t></w:r>',
    "a bad name": "<w:r><w:rPr><w:b!/></w:rPr><w:t>x</w:t></w:r>",
    "an unclosed container": '<w:hyperlink r:id="r1"><w:r><w:t>x</w:t></w:r>',
    "crossed containers": "<w:ins><w:hyperlink><w:r><w:t>x</w:t></w:r></w:ins></w:hyperlink>",
    "a stray close": "</w:ins><w:r><w:t>x</w:t></w:r>",
    "an undefined entity": "<w:r><w:t>&nbsp;</w:t></w:r>",
    "a bare ampersand": "<w:r><w:t>AT&T</w:t></w:r>",
    "a reference to no character": "<w:r><w:t>&#0;</w:t></w:r>",
    "a reference to a control": "<w:r><w:t>&#x1f;</w:t></w:r>",
    "a reference to U+FFFF": "<w:r><w:t>&#xFFFF;</w:t></w:r>",
    "U+FFFE in text": "<w:r><w:t>a\ufffeb</w:t></w:r>",
    "a CDATA end in text": "<w:r><w:t>a]]>b</w:t></w:r>",
    "a raw control": "<w:r><w:t>a\x01b</w:t></w:r>",
    "a bad part": "<w:r><w:t>a</w:t><w:tab w:a='1' w:a='2'/></w:r>",
    "a bad gap": '</w:p><w:bookmarkEnd w:id="1" w:id="2"/><w:p>',
    "a bad section": '<w:sectPr><w:pgSz w:w="1" w:w="2"/></w:sectPr>',
    "too deep": "<w:ins>" * 260 + "<w:r><w:t>x</w:t></w:r>" + "</w:ins>" * 260,
}


@pytest.mark.parametrize("name", sorted(DAMAGED))
def test_damage_the_patterns_pass_over_is_found(name: str, tmp_path: Path) -> None:
    damage = DAMAGED[name]
    if damage.startswith("<w:p") or damage.startswith("</w:p>"):
        body = f"<w:p><w:r><w:t>a</w:t></w:r>{damage}<w:r><w:t>b</w:t></w:r></w:p>"
    elif damage.startswith("<w:sectPr"):
        body = PLAIN + damage
    else:
        body = f"<w:p><w:r><w:t>a</w:t></w:r>{damage}</w:p>"
    document = doc(PLAIN + body)
    assert not safe_zip.check_xml(document.encode())
    assert proven(document) is not True
    with pytest.raises(InputFileError):
        agree(make_docx(tmp_path / "bad.docx", PLAIN + body))


def test_what_word_writes_is_proven_so() -> None:
    assert proven(doc(PLAIN + SECTION)) is True
    assert proven(doc(PLAIN + "".join(ODD[k][0] for k in ("deleted text", "a > in an attribute"))))


_DAMAGE = st.sampled_from(
    [*"\"'<>/=&;]\ufffe\x00\n\x7f\u00e9", "]]>", "&#0;", "&#x41;", "&lt;", ' w:a="1"', ' x:a="1"']
    + ["x:", "<w:b/>", "</w:r>", "<w:ins>", "</w:ins>", "<w:r>", "</w:t>", "<w:t>", "<!--", "-->"]
    + ["<?", "?>", "<![CDATA["]
)


@settings(max_examples=examples(400), suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(paragraphs(), min_size=1, max_size=4), st.data())
def test_a_damaged_document_is_never_proven_well_formed(paras: list[str], data: Any) -> None:
    """Damage anywhere in generated documents: whatever the skeleton proves, libxml2 agrees
    with; and the undamaged documents are proven (the import's reader takes its fast path)."""
    document = doc("".join(paras))
    assert proven(document) is True
    for _ in range(data.draw(st.integers(1, 3))):
        # Anywhere, or where the patterns pass over markup: by a tag's edge, in a value.
        edges = [k for k, c in enumerate(document) if c in "<>/" or document[k - 1 : k] in '"=']
        at = data.draw(st.integers(0, len(document)) | st.sampled_from(edges))
        document = document[:at] + data.draw(_DAMAGE) + document[at:]
    raw = document.encode("utf-8", "surrogatepass")
    if proven(raw):
        assert safe_zip.check_xml(raw), document


@given(
    st.text(st.sampled_from("a&#x;0123456789AFaf]>lgtmpqouse\ufffe\uffff\ud7ff\ue000"), max_size=12)
)
def test_text_is_found_plain_as_libxml2_finds_it(text: str) -> None:
    data = doc(f"<w:p><w:r><w:t>{text}</w:t></w:r></w:p>").encode("utf-8", "surrogatepass")
    decoded = data.decode("utf-8", "surrogatepass")
    assert scan.plain_chardata(data, decoded) == safe_zip.check_xml(data)


@given(st.binary(max_size=40))
def test_char_references_found_as_a_search_finds_them(data: bytes) -> None:
    assert docx_runs.has_char_reference(data) == (b"&#" in data)


@pytest.mark.skipif(not DOCX.is_dir(), reason="corpus absent")
def test_corpus_documents_are_proven_well_formed_by_their_skeleton() -> None:
    """The import's reader checks no corpus file whole: each one it scans, its skeleton
    proves well-formed."""
    found = []
    for path in sorted(DOCX.glob("*.docx")):
        with zipfile.ZipFile(path) as zf:
            found.append(proven(zf.read("word/document.xml")))
    assert found.count(True) >= len(found) - 1 and False not in found
