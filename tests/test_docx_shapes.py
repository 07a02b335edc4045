"""Cards found by their shape in .docx files without Verbatim's Tag style: bold tags under a
Block, cites and bodies styled as headings, cards pasted from Word Online with plain
paragraphs for tags, plain-text files. The files are built with python-docx."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from docx import Document
from docx.enum.text import WD_COLOR_INDEX
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from evcards.formats.docx.read import read_docx_marked
from evcards.formats.docx.write import render_docx
from evcards.importing import import_paths
from evcards.store.library import Library
from tests.budget import examples
from tests.test_docx_import import agree

ARTICLE = (
    "Congressional Democrats painted a rosy view this past weekend of the prospects for swift"
    " passage of the bill, and of the votes it needs from the moderates in the House"
)
# (tag, short cite, the rest of the cite line, article text)
DUMAIN = (
    "Biden's political capital is key to the reconciliation bill",
    "Dumain 21",
    ", reporter at E&E News, 11-8-2021, “Democrats cheer the vote”",
)
MCKIBBEN = (
    "Warming causes extinction",
    "McKibben 19",
    ", Schumann Distinguished Scholar at Middlebury College, 2019",
    "Oh it could get very bad: a study pointed out that oceans warming would kill",
)
SMITH = ("The plan fails", "Smith 19", ", Professor of Law at Yale, 2019, “A title”")
CITE = 'Emma Dumain 21, reporter at E&E News, 11-8-2021, "Democrats cheer the vote", E&E News'


def tag(doc: Any, text: str, style: str | None = None) -> None:
    """A tag as a body paragraph: bold by direct formatting (or the run's style)."""
    run = doc.add_paragraph().add_run(text, style=style)
    if style is None:
        run.bold = True


def cite(doc: Any, short: str, rest: str, style: str | None = None) -> None:
    """A one-line cite: the short cite bold, the rest plain."""
    par = doc.add_paragraph(style=style)
    par.add_run(short).bold = True
    par.add_run(rest)


def article(doc: Any, text: str = ARTICLE, style: str | None = None, marked: bool = True) -> None:
    """Article text, every third word underlined and highlighted (unless `marked` is off)."""
    par = doc.add_paragraph(style=style)
    for k, word in enumerate(text.split()):
        run = par.add_run(word + " ")
        if marked and k % 3 == 0:
            run.underline = True
            run.font.highlight_color = WD_COLOR_INDEX.YELLOW


def add_card(
    doc: Any, tag_text: str, short: str, rest: str, text: str = ARTICLE, tagged: bool = False
) -> None:
    """A card: its tag (a Heading 4 when `tagged`, else a bold paragraph), cite, article."""
    if tagged:
        doc.add_paragraph(tag_text, style="Heading 4")
    else:
        tag(doc, tag_text)
    cite(doc, short, rest)
    article(doc, text)


def spoken(body: list[list[tuple[str, Any]]]) -> list[str]:
    return [t.strip() for para in body for t, m in para if m.highlight]


def test_bold_tags_cite_and_body_under_a_block_are_cards(tmp_path: Path) -> None:
    """No Heading 4 at all: each bold line with a cite and article text under it is a card,
    filed under the Block above it; text under the Block before the first card is left out."""
    doc = Document()
    doc.add_paragraph("Politics DA", style="Heading 1")
    doc.add_paragraph("1NC", style="Heading 3")
    doc.add_paragraph("Some notes before any card.")
    add_card(doc, *DUMAIN)
    add_card(doc, *MCKIBBEN)
    doc.save(tmp_path / "bold.docx")

    found = read_docx_marked(tmp_path / "bold.docx")
    assert found.by_shape == 2
    assert [(c.tag, c.cite.short, c.cite.date, c.location.block) for c, _ in found] == [
        (
            "Biden's political capital is key to the reconciliation bill",
            "Dumain 21",
            "11-8-2021",
            "1NC",
        ),
        ("Warming causes extinction", "McKibben 19", "2019", "1NC"),
    ]
    first, body = found[0]
    assert first.kind == "card" and first.location.pocket == "Politics DA"
    assert first.cite.full.startswith("Dumain 21, reporter")
    assert spoken(body)[:3] == ["Congressional", "a", "this"]
    assert "Some notes" not in " ".join(t for c, b in found for p in b for t, _ in p)


def test_a_heading_that_parses_as_a_cite_is_the_cite_and_heading_text_is_body(
    tmp_path: Path,
) -> None:
    """Under a bold tag, a cite styled Heading 1 is the cite, not a Pocket, and an article
    paragraph styled Heading 1 (or a highlighted one styled Heading 2) is body text, without
    the bold the heading style gave it."""
    doc = Document()
    doc.add_paragraph("Politics DA", style="Heading 1")
    doc.add_paragraph("1NC", style="Heading 3")
    tag(doc, "Biden's political capital is key to the reconciliation bill")
    doc.add_paragraph(CITE, style="Heading 1")
    article(doc, style="Heading 1")
    article(doc, "From the White House on Saturday the President said it would pass", "Heading 2")
    add_card(doc, *MCKIBBEN)
    doc.save(tmp_path / "h1.docx")

    cards = agree(tmp_path / "h1.docx")
    assert [c.tag for c in cards] == [
        "Biden's political capital is key to the reconciliation bill",
        "Warming causes extinction",
    ]
    first = cards[0]
    assert first.cite.short == "Dumain 21" and first.cite.author == "Emma Dumain"
    assert first.cite.full == CITE
    assert {c.location.pocket for c in cards} == {"Politics DA"}  # no Pocket opened
    assert len(first.body) == 2 and first.body[0][0].text.startswith("Congressional")
    assert not any(s.bold for para in first.body for s in para)
    assert first.body[0][0].highlight == "yellow" and first.body[0][0].underline


def test_a_pocket_that_parses_as_a_cite_but_follows_no_tag_stays_a_pocket(
    tmp_path: Path,
) -> None:
    """'Advantage 1 is Innovation' reads as a name and a date; it is a heading still."""
    doc = Document()
    doc.add_paragraph("Advantage 1 is Innovation", style="Heading 1")
    doc.add_paragraph("Smith 19 and the rest", style="Heading 2")
    add_card(doc, *SMITH, tagged=True)
    doc.save(tmp_path / "pocket.docx")
    found = read_docx_marked(tmp_path / "pocket.docx")
    assert found.by_shape == 0
    [(card, _)] = found
    assert (card.location.pocket, card.location.hat) == (
        "Advantage 1 is Innovation",
        "Smith 19 and the rest",
    )


def test_cards_pasted_from_word_online_with_plain_paragraph_tags(tmp_path: Path) -> None:
    """A Verbatim file with cards pasted whose tags lost the Tag style: one under a Block
    before its first tag (which was dropped), two after a tagged card (which swallowed
    them). Each is a card of its own, at its place in the file."""
    doc = Document()
    doc.add_paragraph("1NC", style="Heading 3")
    knox = ("States solve every antitrust case", "Knox 21", ", Senior Researcher, ILSR, 2021")
    add_card(doc, *knox)  # before the Block's first tag
    add_card(doc, *SMITH, tagged=True)
    add_card(doc, "DOJ resources are finite", "Blais 21", ", Partner at Ropes & Gray, 3/26/21")
    add_card(doc, "The case against Google goes first", "Koopman 21", ", Director, CGO, 3/11/21")
    doc.add_paragraph("Solvency", style="Heading 3")
    add_card(doc, "The CP solves", "Jones 20", ", Fellow at Brookings, 2020, “Title”", tagged=True)
    doc.save(tmp_path / "online.docx")

    found = read_docx_marked(tmp_path / "online.docx")
    assert found.by_shape == 3
    assert [(c.tag, c.cite.short, c.sources[0].position) for c, _ in found] == [
        ("States solve every antitrust case", "Knox 21", 0),
        ("The plan fails", "Smith 19", 1),
        ("DOJ resources are finite", "Blais 21", 2),
        ("The case against Google goes first", "Koopman 21", 3),
        ("The CP solves", "Jones 20", 4),
    ]
    assert all(len(body) == 1 for _, body in found)  # the tagged card kept only its own


def test_a_plain_text_file_is_read_by_its_lines(tmp_path: Path) -> None:
    """No bold, underline or highlight anywhere: a tag line, a cite line, the article.
    Short lines with no cite after them (section names) are not cards."""
    doc = Document()
    for line in ("1AC", "FTC Adv", "Disruptive antitrust is inevitable and solves"):
        doc.add_paragraph(line)
    doc.add_paragraph("Schrepel '21, Dr. Thibault Schrepel, Faculty Affiliate at Stanford")
    article(doc, ARTICLE * 4, marked=False)
    doc.add_paragraph("Big platforms hit an innovation ceiling")
    doc.add_paragraph("Newman, Associate Professor, University of Miami School of Law, '19")
    doc.add_paragraph('(John, "Antitrust in Digital Markets," 72 Vand. L. Rev. 1497)')
    article(doc, ARTICLE * 4, marked=False)
    doc.save(tmp_path / "plain.docx")

    found = read_docx_marked(tmp_path / "plain.docx")
    assert found.by_shape == 2
    (first, body), (second, _) = found
    assert first.tag == "Disruptive antitrust is inevitable and solves"
    assert first.cite.short == "Schrepel '21" and body[0][0][0].startswith("Congressional")
    assert second.tag == "Big platforms hit an innovation ceiling"
    assert second.cite.author == "John Newman" and second.cite.full.endswith("1497)")

    # Written back with Verbatim's styles, they read as the same cards, the cite with no
    # short cite included (a plain line under the tag in which the parser finds an author
    # and a date is the cite).
    cards = agree(tmp_path / "plain.docx")
    (tmp_path / "back.docx").write_bytes(render_docx(cards))
    back = read_docx_marked(tmp_path / "back.docx")
    assert back.by_shape == 0
    assert [(c.id, c.tag, c.cite, c.undertag) for c, _ in back] == [
        (c.id, c.tag, c.cite, c.undertag) for c in cards
    ]


def test_verbatim_cards_are_not_split_by_a_bold_line_without_a_cite(tmp_path: Path) -> None:
    """A bold line in a card's body is not a tag unless a cite follows it; a short cite on
    a line of its own (the two-line form) is not a tag either."""
    doc = Document()
    add_card(doc, *SMITH, tagged=True)
    tag(doc, "This is the key part of the article")
    article(doc)
    doc.add_paragraph("Warming is real", style="Heading 4")
    tag(doc, "Meick 18")
    doc.add_paragraph("(Ethan Meick, Policy Analyst, USCC, 9-2-2018, “A title”)")
    article(doc)
    doc.save(tmp_path / "verbatim.docx")
    found = read_docx_marked(tmp_path / "verbatim.docx")
    assert found.by_shape == 0
    assert [(c.tag, c.cite.short, len(b)) for c, b in found] == [
        ("The plan fails", "Smith 19", 3),
        ("Warming is real", "Meick 18", 1),
    ]


def test_the_import_counts_cards_found_by_shape_per_file(tmp_path: Path) -> None:
    doc = Document()
    doc.add_paragraph("1NC", style="Heading 3")
    add_card(doc, *MCKIBBEN)
    doc.save(tmp_path / "shaped.docx")
    doc = Document()
    add_card(doc, *SMITH, tagged=True)
    doc.save(tmp_path / "tagged.docx")

    notes: list[tuple[str, str]] = []
    lib = Library.open(tmp_path / "lib", create=True)
    summary = import_paths(
        lib,
        [str(tmp_path / "shaped.docx"), str(tmp_path / "tagged.docx")],
        on_warning=lambda path, message: notes.append((Path(path).name, message)),
        jobs=1,
    )
    assert summary.cards == 2
    assert summary.by_shape == {str(tmp_path / "shaped.docx"): 1}
    assert summary.as_dict()["by_shape"] == {str(tmp_path / "shaped.docx"): 1}
    assert [name for name, _ in notes] == ["shaped.docx"]
    assert notes[0][1].startswith("1 card found by shape")


def test_a_file_with_neither_tags_nor_shapes_is_named(tmp_path: Path) -> None:
    doc = Document()
    doc.add_paragraph("Only some notes, and no card at all.")
    doc.save(tmp_path / "notes.docx")
    notes: list[str] = []
    lib = Library.open(tmp_path / "lib", create=True)
    import_paths(lib, [str(tmp_path / "notes.docx")], on_warning=lambda p, m: notes.append(m))
    assert len(notes) == 1 and notes[0].startswith("no cards found")


_WORD = st.sampled_from(
    "the plan solves warming war trade growth courts states China markets data fails".split()
)
_NAME = st.sampled_from(["Smith", "Meick", "Brands", "Nakamura", "Okafor", "Lee"])
_CARDS = st.lists(
    st.tuples(
        st.lists(_WORD, min_size=2, max_size=12).map(" ".join),
        _NAME,
        st.integers(min_value=10, max_value=24),
        st.lists(_WORD, min_size=60, max_size=90).map(" ".join),
    ),
    min_size=1,
    max_size=5,
)


@settings(max_examples=examples(60), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cards=_CARDS, styled=st.booleans())
def test_a_file_without_the_tag_style_gives_the_cards_the_tag_style_gives(
    tmp_path_factory: pytest.TempPathFactory, cards: list[tuple[str, str, int, str]], styled: bool
) -> None:
    """The same cards written with Heading 4 tags and with bold-paragraph tags import as the
    same cards (tag, cite, body, location, id); only how they were found differs. A body
    unmarked is article text by its length (60 words and more)."""
    folder = tmp_path_factory.mktemp("shapes")
    found = {}
    for kind in ("tagged", "bold"):
        doc = Document()
        doc.add_paragraph("1NC", style="Heading 3")
        for text, name, year, body in cards:
            if kind == "tagged":
                doc.add_paragraph(text.capitalize(), style="Heading 4")
            else:
                tag(doc, text.capitalize())
            cite(doc, f"{name} {year}", f", Professor at Yale, 20{year}, “{body[:20]}”")
            article(doc, body, marked=styled)
        doc.save(folder / f"{kind}.docx")
        found[kind] = read_docx_marked(folder / f"{kind}.docx")
    assert found["tagged"].by_shape == 0
    assert found["bold"].by_shape == len(cards)

    def comparable(items: Any) -> list[Any]:
        return [(c.id, c.tag, c.cite, c.location, body) for c, body in items]

    assert comparable(found["bold"]) == comparable(found["tagged"])
