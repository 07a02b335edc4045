"""Importing Verbatim .docx files: structure, cites, marks, text rules, on hand-made files
and on the real corpus (../shared/corpus/docx, skipped when absent)."""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import pytest

from evcards.core.models import Card
from evcards.errors import InputFileError
from evcards.formats.docx import read as docx_read
from evcards.formats.docx.read import parse_docx, read_docx_marked

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"

VERBATIM_STYLES = """
<w:docDefaults><w:rPrDefault><w:rPr><w:sz w:val="22"/></w:rPr></w:rPrDefault></w:docDefaults>
<w:style w:type="paragraph" w:default="1" w:styleId="Normal"><w:name w:val="Normal"/></w:style>
<w:style w:type="paragraph" w:styleId="Heading1"><w:name w:val="heading 1"/>
  <w:basedOn w:val="Normal"/><w:pPr><w:outlineLvl w:val="0"/></w:pPr>
  <w:rPr><w:b/><w:sz w:val="52"/></w:rPr></w:style>
<w:style w:type="paragraph" w:styleId="Heading2"><w:name w:val="heading 2"/>
  <w:basedOn w:val="Normal"/><w:pPr><w:outlineLvl w:val="1"/></w:pPr></w:style>
<w:style w:type="paragraph" w:styleId="Heading3"><w:name w:val="heading 3"/>
  <w:basedOn w:val="Normal"/><w:pPr><w:outlineLvl w:val="2"/></w:pPr></w:style>
<w:style w:type="paragraph" w:styleId="Heading4"><w:name w:val="heading 4"/>
  <w:aliases w:val="Tag,heading 2"/><w:basedOn w:val="Normal"/>
  <w:pPr><w:outlineLvl w:val="3"/></w:pPr><w:rPr><w:b/><w:sz w:val="26"/></w:rPr></w:style>
<w:style w:type="character" w:styleId="Style13ptBold"><w:name w:val="Style 13 pt Bold"/>
  <w:aliases w:val="Cite"/><w:rPr><w:b/><w:sz w:val="26"/><w:u w:val="none"/></w:rPr></w:style>
<w:style w:type="character" w:styleId="StyleUnderline"><w:name w:val="Style Underline"/>
  <w:aliases w:val="Underline"/><w:rPr><w:b w:val="0"/><w:sz w:val="22"/>
  <w:u w:val="single"/></w:rPr></w:style>
<w:style w:type="character" w:styleId="Emphasis"><w:name w:val="Emphasis"/>
  <w:rPr><w:b/><w:sz w:val="22"/><w:u w:val="single"/></w:rPr></w:style>
<w:style w:type="character" w:styleId="BoldStyle"><w:name w:val="Bold thing"/>
  <w:rPr><w:b/></w:rPr></w:style>
"""


def make_docx(
    path: Path, body: str, styles: str | None = VERBATIM_STYLES, extra: dict | None = None
) -> Path:
    """A minimal .docx: document.xml around `body` and styles.xml around `styles`."""
    document = (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        f'<w:document xmlns:w="{W_NS}" xmlns:r="{R_NS}"><w:body>{body}</w:body></w:document>'
    )
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("word/document.xml", document)
        if styles is not None:
            zf.writestr("word/styles.xml", f'<w:styles xmlns:w="{W_NS}">{styles}</w:styles>')
        for name, data in (extra or {}).items():
            zf.writestr(name, data)
    return path


def p(*runs: str, style: str | None = None, ppr: str = "") -> str:
    props = f'<w:pStyle w:val="{style}"/>' if style else ""
    return f"<w:p><w:pPr>{props}{ppr}</w:pPr>{''.join(runs)}</w:p>"


def r(text: str, rpr: str = "", style: str | None = None) -> str:
    rs = f'<w:rStyle w:val="{style}"/>' if style else ""
    return f'<w:r><w:rPr>{rs}{rpr}</w:rPr><w:t xml:space="preserve">{text}</w:t></w:r>'


def agree(path: Path) -> list[Card]:
    """`parse_docx(path)`, after checking that the import's reader (`read_docx_marked`, its
    paragraphs read by `scan.Scanner`) gives the same cards, ids and bodies, or fails with
    the same message."""
    try:
        cards = docx_read.parse_docx(path)
    except InputFileError as e:
        with pytest.raises(InputFileError) as got:
            read_docx_marked(path)
        assert str(got.value) == str(e)
        raise
    marked = read_docx_marked(path)
    assert [card.id for card, _ in marked] == [card.id for card in cards]
    assert [card.model_copy(update={"body": []}) for card in cards] == [c for c, _ in marked]
    assert [[[(s.text, s.marks()) for s in para] for para in card.body] for card in cards] == [
        body for _, body in marked
    ]
    return cards


@pytest.fixture(autouse=True)
def both_readers(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every file read here is read by the import's reader too, which must agree."""
    monkeypatch.setitem(globals(), "parse_docx", agree)


def spans_of(card: Card) -> list[tuple[str, dict]]:
    out = []
    for para in card.body:
        for s in para:
            marks = {k: v for k, v in s.model_dump().items() if k != "text" and v}
            out.append((s.text, marks))
    return out


# -- hand-made files ---------------------------------------------------------------------------
def test_structure_cite_undertag_marks_and_analytic(tmp_path: Path) -> None:
    body = "".join(
        [
            p(r("1AC"), style="Heading1"),
            p(r("Advantage"), style="Heading2"),
            p(r("Plan"), style="Heading3"),
            p(r("An analytic: no body"), style="Heading4"),
            p(r("China and Russia "), r("won't ally"), style="Heading4"),
            p(r("Read this for the link")),
            p(
                r("Ethan "),
                r("Meick 18", style="Style13ptBold"),
                r(', Policy Analyst, 9-2-2018, "Title," Pub, https://example.com/a'),
            ),
            p(
                r("They ", "<w:sz w:val='16'/>"),
                r("pursue", style="StyleUnderline"),
                r(" different", '<w:highlight w:val="cyan"/>', style="StyleUnderline"),
                r(" objectives", style="Emphasis"),
                r(" and", "<w:b/>"),
                r(" goals", "<w:i/>"),
            ),
        ]
    )
    cards = parse_docx(make_docx(tmp_path / "a.docx", body))
    assert [c.kind for c in cards] == ["analytic", "card"]
    analytic, card = cards
    assert analytic.tag == "An analytic: no body"
    assert card.tag == "China and Russia won't ally"
    assert card.location.pocket == "1AC" and card.location.hat == "Advantage"
    assert card.location.block == "Plan"
    assert card.undertag == "Read this for the link"
    assert card.cite.short == "Meick 18"
    assert card.cite.full.startswith("Ethan Meick 18, Policy Analyst")
    assert card.cite.url == "https://example.com/a"
    assert [(s.file, s.position) for s in card.sources] == [("a.docx", 1)]
    assert spans_of(card) == [
        ("They ", {"size": 8.0}),
        ("pursue", {"underline": True}),
        (" different", {"underline": True, "highlight": "cyan"}),
        (" objectives", {"emphasis": True}),
        (" and", {"bold": True}),
        (" goals", {"italic": True}),
    ]
    assert card.spoken == "different"


def test_destyled_tags_from_outline_level_and_bold_cite(tmp_path: Path) -> None:
    outline = '<w:outlineLvl w:val="3"/>'
    body = "".join(
        [
            p(r("A de-styled tag", "<w:b/>"), ppr=outline),
            p(r("Merriam-Webster 22", "<w:b/>")),
            p(r('Merriam-Webster, "Scope," 3-21-2022, https://www.merriam-webster.com/s')),
            p(r("space or "), r("opportunity", '<w:u w:val="single"/>')),
            p(r("A second tag", "<w:b/>"), ppr=outline),
        ]
    )
    cards = parse_docx(make_docx(tmp_path / "d.docx", body, styles=None))
    assert [c.tag for c in cards] == ["A de-styled tag", "A second tag"]
    card = cards[0]
    assert card.cite.short == "Merriam-Webster 22"
    assert card.cite.full.endswith("https://www.merriam-webster.com/s")
    assert card.underlined == "opportunity"
    assert cards[1].kind == "analytic"


def test_shading_is_its_own_mark_and_auto_or_white_is_none(tmp_path: Path) -> None:
    body = p(r("Tag"), style="Heading4") + p(
        r("read", '<w:shd w:val="clear" w:color="auto" w:fill="d9d9d9"/>'),
        r(" plain", '<w:shd w:val="clear" w:color="auto" w:fill="auto"/>'),
        r(" white", '<w:shd w:val="clear" w:color="auto" w:fill="FFFFFF"/>'),
    )
    card = parse_docx(make_docx(tmp_path / "s.docx", body))[0]
    assert spans_of(card) == [("read", {"shading": "D9D9D9"}), (" plain white", {})]
    assert not card.has_highlight


def test_mangled_style_ids(tmp_path: Path) -> None:
    styles = VERBATIM_STYLES + (
        '<w:style w:type="paragraph" w:styleId="gmail-m7844639473358041385heading4">'
        '<w:name w:val="gmail-m_7844639473358041385heading4"/></w:style>'
    )
    body = p(r("Pasted tag"), style="gmail-m7844639473358041385heading4") + "".join(
        [
            p(r("Smith 19", style="style13ptbold0"), r(" (John Smith, Professor)")),
            p(r("body", style="gmail-m7844639473358041385styleunderline")),
        ]
    )
    card = parse_docx(make_docx(tmp_path / "m.docx", body, styles=styles))[0]
    assert card.tag == "Pasted tag"
    assert card.cite.short == "Smith 19"
    assert card.text == "body"


def test_two_line_cite(tmp_path: Path) -> None:
    body = "".join(
        [
            p(r("Tag"), style="Heading4"),
            p(r("Meick 18", style="Style13ptBold")),
            p(r("(Ethan Meick, Policy Analyst, 2018, https://example.com/x)")),
            p(r("the body", style="StyleUnderline")),
        ]
    )
    card = parse_docx(make_docx(tmp_path / "t.docx", body))[0]
    assert card.cite.short == "Meick 18"
    # The whole cite, its two lines joined as the writer writes them back: one line.
    assert card.cite.full == "Meick 18 (Ethan Meick, Policy Analyst, 2018, https://example.com/x)"
    assert card.cite.author == "Ethan Meick"
    assert card.cite.url == "https://example.com/x"
    assert card.text == "the body"


def test_cite_paragraph_kept_verbatim(tmp_path: Path) -> None:
    """`full` is the cite paragraph as written: brackets of either kind, the initials where
    they stand (`citeline`'s convention, OpenDebateEvidence's `fullcite`)."""
    lines = [
        (r("Black 21", style="Style13ptBold") + r(" [Emma; Lecturer, 2021]  ank"), "]  ank"),
        (r("Meick 18", style="Style13ptBold") + r(" (Ethan Meick, 2018) ank"), ") ank"),
        (r("Kang 19", style="Style13ptBold") + r(" (David Kang, 2019 ]"), "2019 ]"),
    ]
    for k, (cite, _) in enumerate(lines):
        body = p(r("Tag"), style="Heading4") + p(cite) + p(r("the body", style="StyleUnderline"))
        card = parse_docx(make_docx(tmp_path / f"v{k}.docx", body))[0]
        text = "".join(re.findall(r"<w:t[^>]*>([^<]*)</w:t>", cite))
        assert card.cite.full == " ".join(text.split())
    black = parse_docx(tmp_path / "v0.docx")[0].cite
    assert (black.short, black.author, black.initials) == ("Black 21", "Emma Black", "ank")


def test_hyperlinked_cite_text(tmp_path: Path) -> None:
    body = "".join(
        [
            p(r("Tag"), style="Heading4"),
            p(
                '<w:hyperlink r:id="rId5">'
                + r("Kiersz 18", style="Style13ptBold")
                + "</w:hyperlink>",
                r(" (Andy, reporter, "),
                '<w:hyperlink r:id="rId6">' + r("https://example.com/k") + "</w:hyperlink>",
                r(")"),
            ),
            p(
                '<w:hyperlink r:id="rId7">'
                + r("linked body", style="StyleUnderline")
                + "</w:hyperlink>"
            ),
        ]
    )
    card = parse_docx(make_docx(tmp_path / "h.docx", body))[0]
    assert card.cite.short == "Kiersz 18"
    assert card.cite.url == "https://example.com/k"
    assert card.underlined == "linked body"


def test_highlight_none_is_not_a_highlight(tmp_path: Path) -> None:
    body = p(r("Tag"), style="Heading4") + p(
        r("lit", '<w:highlight w:val="yellow"/>'), r(" unlit", '<w:highlight w:val="none"/>')
    )
    card = parse_docx(make_docx(tmp_path / "n.docx", body))[0]
    assert spans_of(card) == [("lit", {"highlight": "yellow"}), (" unlit", {})]
    assert card.spoken == "lit"


@pytest.mark.parametrize("off", ['w:val="0"', 'w:val="false"', 'w:val="off"'])
def test_toggled_bold_turns_a_bold_style_off(tmp_path: Path, off: str) -> None:
    body = p(r("Tag"), style="Heading4") + p(
        r("bold", style="BoldStyle"), r(" not bold", f"<w:b {off}/>", style="BoldStyle")
    )
    card = parse_docx(make_docx(tmp_path / "b.docx", body))[0]
    assert spans_of(card) == [("bold", {"bold": True}), (" not bold", {})]


def test_bold_and_underline_is_emphasis_and_box_is_kept(tmp_path: Path) -> None:
    body = p(r("Tag"), style="Heading4") + p(
        r("key", '<w:b/><w:u w:val="single"/>'),
        r(" boxed", '<w:bdr w:val="single" w:sz="4" w:space="0" w:color="auto"/>', "Emphasis"),
        r(" no box", '<w:bdr w:val="none" w:sz="0" w:space="0" w:color="auto"/>', "Emphasis"),
    )
    card = parse_docx(make_docx(tmp_path / "e.docx", body))[0]
    assert spans_of(card) == [
        ("key", {"emphasis": True}),
        (" boxed", {"emphasis": True, "box": True}),
        (" no box", {"emphasis": True}),
    ]


def test_text_rules(tmp_path: Path) -> None:
    field = (
        '<w:r><w:fldChar w:fldCharType="begin"/></w:r>'
        '<w:r><w:instrText> HYPERLINK "x" </w:instrText></w:r>'
        "<w:r><w:t>CODE</w:t></w:r>"
        '<w:r><w:fldChar w:fldCharType="separate"/></w:r>'
        "<w:r><w:t>result</w:t></w:r>"
        '<w:r><w:fldChar w:fldCharType="end"/></w:r>'
    )
    body = p(r("Tag"), style="Heading4") + "".join(
        [
            p(
                r("kept"),
                '<w:ins w:id="1" w:author="a">' + r(" inserted") + "</w:ins>",
                '<w:del w:id="2" w:author="a"><w:r><w:delText> deleted</w:delText></w:r></w:del>',
                '<w:smartTag w:uri="u" w:element="place">' + r(" smart") + "</w:smartTag>",
                "<w:sdt><w:sdtContent>" + r(" control") + "</w:sdtContent></w:sdt>",
                "<w:r><w:tab/><w:t>tabbed</w:t><w:br/><w:t>broken</w:t></w:r>",
            ),
            p(r("a "), field, r(" b ¶ c")),
            p(r("before "), r("~ Marked 12:34 ~", '<w:sz w:val="32"/>'), r(" after")),
            p(r("[ ... omitted ]")),
        ]
    )
    card = parse_docx(make_docx(tmp_path / "x.docx", body))[0]
    assert card.paragraphs == [
        "kept inserted smart control tabbed broken",
        "a result b ¶ c",
        "before  after",
        "[ ... omitted ]",
    ]


def test_cards_end_at_any_heading_and_location_resets(tmp_path: Path) -> None:
    body = "".join(
        [
            p(r("Pocket"), style="Heading1"),
            p(r("Block A"), style="Heading3"),
            p(r("Tag 1"), style="Heading4"),
            p(r("Smith 19", style="Style13ptBold")),
            p(r("text one")),
            p(r("Hat"), style="Heading2"),
            p(r("stray text, not in any card")),
            p(r("Tag 2"), style="Heading4"),
            p(r(""), style="Heading4"),
        ]
    )
    cards = parse_docx(make_docx(tmp_path / "l.docx", body))
    assert [(c.tag, c.location.hat, c.location.block) for c in cards] == [
        ("Tag 1", "", "Block A"),
        ("Tag 2", "Hat", ""),
    ]
    assert cards[0].text == "text one"
    assert cards[1].kind == "analytic"


def test_a_file_without_styles_or_document(tmp_path: Path) -> None:
    plain = make_docx(tmp_path / "plain.docx", p(r("just text")), styles=None)
    assert parse_docx(plain) == []
    no_doc = tmp_path / "nodoc.docx"
    with zipfile.ZipFile(no_doc, "w") as zf:
        zf.writestr("word/other.xml", "<x/>")
    with pytest.raises(InputFileError, match="nodoc.docx: no word/document.xml"):
        parse_docx(no_doc)


def test_broken_xml_names_the_file(tmp_path: Path) -> None:
    bad = tmp_path / "broken.docx"
    with zipfile.ZipFile(bad, "w") as zf:
        zf.writestr("word/document.xml", "<w:document><w:body><w:p>")
    with pytest.raises(InputFileError, match="broken.docx: word/document.xml: damaged XML"):
        parse_docx(bad)


def test_marked_reader_gives_the_cards_parse_docx_gives(tmp_path: Path) -> None:
    """The import's reader keeps bodies as (text, marks) pairs and works out the id itself."""
    body = (
        p(r("Tag"), style="Heading4")
        + p(r("Smith 19", style="Style13ptBold"), r(" (John Smith)"))
        + p(r("é and  e\u0301 spaced", '<w:highlight w:val="green"/>'), r(" x", "<w:i/>"))
    )
    path = make_docx(tmp_path / "f.docx", body)
    cards = parse_docx(path)
    marked = read_docx_marked(path)
    assert [card.id for card, _ in marked] == [card.id for card in cards]
    assert [card.model_copy(update={"body": []}) for card in cards] == [c for c, _ in marked]
    assert [[[(s.text, s.marks()) for s in para] for para in card.body] for card in cards] == [
        body for _, body in marked
    ]


def test_the_collector_is_left_as_it_was(tmp_path: Path) -> None:
    """The reader pauses the cyclic collector and moves what it made to the oldest
    generation on the way out: the collector is on again after it (off if it was off), a
    freeze of the caller's is left alone, and cyclic garbage older than the read is still
    collected."""
    import gc
    import weakref

    path = make_docx(tmp_path / "f.docx", p(r("Tag"), style="Heading4") + p(r("Smith 19")))

    class Node:
        pass

    def cycle() -> weakref.ref[Node]:
        a, b = Node(), Node()
        a.other, b.other = b, a  # type: ignore[attr-defined]
        return weakref.ref(a)

    assert gc.isenabled()
    garbage = cycle()
    read_docx_marked(path)
    assert gc.isenabled() and gc.get_freeze_count() == 0
    gc.collect()
    assert garbage() is None
    gc.disable()
    try:
        read_docx_marked(path)
        assert not gc.isenabled()
    finally:
        gc.enable()
    gc.freeze()
    try:
        frozen = gc.get_freeze_count()
        read_docx_marked(path)
        assert gc.get_freeze_count() == frozen and gc.isenabled()
    finally:
        gc.unfreeze()


def test_docx_is_written_by_python_docx_too(tmp_path: Path) -> None:
    docx = pytest.importorskip("docx")
    document = docx.Document()
    document.add_heading("Pocket", level=1)
    document.add_heading("A tag from python-docx", level=4)
    para = document.add_paragraph()
    para.add_run("Smith 19").bold = True
    para.add_run(" (John Smith, Professor, https://example.com)")
    body = document.add_paragraph()
    run = body.add_run("underlined")
    run.underline = True
    out = tmp_path / "pd.docx"
    document.save(io.BytesIO())
    document.save(str(out))
    card = parse_docx(out)[0]
    assert card.tag == "A tag from python-docx"
    assert card.location.pocket == "Pocket"
    assert card.cite.short == "Smith 19"
    assert card.underlined == "underlined"


def test_styles_written_unlike_word_are_still_read(tmp_path: Path) -> None:
    """styles.xml is searched per style when laid out as Word writes it, else parsed whole:
    both give the same cards."""
    body = (
        p(r("Tag"), style="Heading4")
        + p(r("Smith 19", style="Style13ptBold"))
        + p(r("under", style="StyleUnderline"), r(" emph", style="Emphasis"))
    )
    word = parse_docx(make_docx(tmp_path / "word.docx", body))
    odd_styles = VERBATIM_STYLES.replace('"', "'").replace("w:styleId=", "\n  w:styleId=")
    odd = parse_docx(make_docx(tmp_path / "odd.docx", body, styles=odd_styles))
    assert [c.model_dump(exclude={"sources"}) for c in odd] == [
        c.model_dump(exclude={"sources"}) for c in word
    ]
    assert word[0].cite.short == "Smith 19" and word[0].underlined == "under emph"


def test_line_breaks_inside_text_become_spaces(tmp_path: Path) -> None:
    body = p(r("Tag"), style="Heading4") + p(r("one&#10;two&#13;three&#9;four"))
    card = parse_docx(make_docx(tmp_path / "nl.docx", body))[0]
    assert card.paragraphs == ["one two three\tfour"]


# -- cites read by evcards.core.citeparse (issue 12) -------------------------------------------
BODY = p(
    r("The read text of the card, " * 4, "<w:u/>"), r("highlighted", '<w:highlight w:val="cyan"/>')
)


def test_resolved_bold_beats_a_cite_style_whose_bold_is_off(tmp_path: Path) -> None:
    """The name and year bolded directly, the URL in the Cite style with bold off: the short
    cite is the bold part, not the URL."""
    body = (
        p(r("Tag"), style="Heading4")
        + p(
            r("Ethan "),
            r("Meick 18", "<w:b/>"),
            r(", Policy Analyst, 9-2-2018, "),
            r("https://example.com/a", '<w:b w:val="0"/>', style="Style13ptBold"),
        )
        + BODY
    )
    (card,) = parse_docx(make_docx(tmp_path / "a.docx", body))
    assert card.cite.short == "Meick 18"
    assert card.cite.author == "Ethan Meick"
    assert card.cite.url == "https://example.com/a"


def test_a_paragraph_wholly_in_the_cite_style_is_the_cite(tmp_path: Path) -> None:
    """A family name in capitals, quals, the year, then the given name and the rest in
    parentheses, all in the Cite style: the cite, not the body."""
    cite = (
        "HAASS, President of the Council on Foreign Relations, 2019 (Richard, "
        '"How a World Order Ends," Foreign Affairs, https://example.com/h)'
    )
    body = p(r("Tag"), style="Heading4") + p(r(cite, style="Style13ptBold")) + BODY
    (card,) = parse_docx(make_docx(tmp_path / "a.docx", body))
    assert card.kind == "card"
    assert card.cite.full.startswith("HAASS, President")
    assert card.cite.short == ""  # none is written: 'HAASS' alone is the family name
    assert card.cite.author == "Richard HAASS"
    assert card.cite.title == "How a World Order Ends"
    assert card.cite.date == "2019"
    assert card.body[0][0].text.startswith("The read text")


def test_a_cite_line_ended_by_a_line_break_is_split_from_the_body(tmp_path: Path) -> None:
    """The cite and the article in one paragraph, a w:br after the cite: the first line is
    the cite, the rest the body with its highlighting (not an analytic's undertag)."""
    para = (
        "<w:p>"
        + r("Krimbel, 89", style="Style13ptBold")
        + r(" – JD at Chicago-Kent (Rosemary, “Rehearing Sua Sponte,” lexis)")
        + '<w:r><w:br/><w:t xml:space="preserve">Indeed, </w:t></w:r>'
        + r("the Court hears only a few cases " * 3, '<w:highlight w:val="cyan"/><w:u/>')
        + r("of the thousands that ask.")
        + "</w:p>"
    )
    body = p(r("Tag"), style="Heading4") + para
    (card,) = parse_docx(make_docx(tmp_path / "a.docx", body))
    assert card.kind == "card" and card.undertag == ""
    assert card.cite.short == "Krimbel, 89"
    assert card.cite.author == "Rosemary Krimbel"
    assert card.cite.full.endswith("lexis)") or card.cite.full.endswith("lexis")
    assert card.body[0][0].text == "Indeed, "
    assert card.spoken.startswith("the Court hears only a few cases")
    # A two-line cite in one paragraph (a bracket after the break) is not split.
    two = (
        "<w:p>"
        + r("Meick 18", style="Style13ptBold")
        + '<w:r><w:br/><w:t xml:space="preserve">(Ethan Meick, Analyst, 2018)</w:t></w:r>'
        + "</w:p>"
    )
    (card,) = parse_docx(make_docx(tmp_path / "b.docx", p(r("T"), style="Heading4") + two + BODY))
    assert card.cite.short == "Meick 18" and card.cite.author == "Ethan Meick"
    assert card.body[0][0].text.startswith("The read text")


def test_highlighted_words_in_a_cite_paragraph_stay_in_the_cite(tmp_path: Path) -> None:
    """The short cite highlighted to be read out: the line is still the cite and its words
    are the short cite; the body keeps its own highlighting."""
    body = (
        p(r("Tag"), style="Heading4")
        + p(
            r("Meick 18", '<w:highlight w:val="yellow"/>', style="Style13ptBold"),
            r(' (Ethan Meick, Policy Analyst, 9-2-2018, "Title," Pub) ank'),
        )
        + BODY
    )
    (card,) = parse_docx(make_docx(tmp_path / "a.docx", body))
    assert card.cite.short == "Meick 18"
    assert card.cite.author == "Ethan Meick" and card.cite.initials == "ank"
    assert card.body[0][0].text.startswith("The read text")
    assert card.spoken == "highlighted"
