"""Page breaks in an exported .docx: Verbatim's heading styles start Pocket, Hat and Block on
a new page unless `--no-page-breaks`, and LibreOffice lays the document out that way."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import zipfile
from collections import Counter
from pathlib import Path

import pytest
from lxml import etree

from evcards.cli import app
from evcards.core.models import Cite, Location, Span, new_card
from evcards.formats.docx.write import render_docx

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
HEADINGS = ("Heading1", "Heading2", "Heading3", "Heading4")


def style_ppr(docx: bytes | Path, style_id: str) -> etree._Element:
    """The paragraph properties of one style in a .docx's styles.xml."""
    source = docx if isinstance(docx, Path) else io.BytesIO(docx)
    with zipfile.ZipFile(source) as z:
        root = etree.fromstring(z.read("word/styles.xml"))
    [style] = [s for s in root.iter(W + "style") if s.get(W + "styleId") == style_id]
    return style.find(W + "pPr")


def breaks(docx: bytes | Path) -> dict[str, bool]:
    """Which heading styles start a new page."""
    return {h: style_ppr(docx, h).find(W + "pageBreakBefore") is not None for h in HEADINGS}


def outline_cards(blocks: int = 6, per_block: int = 2) -> list:
    """One Pocket, two Hats, `blocks` Blocks of a few short cards."""
    return [
        new_card(
            tag=f"Tag {b}.{k}",
            cite=Cite(short="Meick 18", full="Ethan Meick, Policy Analyst, 2018"),
            location=Location(pocket="1NC", hat=f"Hat {b * 2 // blocks}", block=f"Block {b}"),
            body=[[Span(text="Moscow is preoccupied with buffer states. " * 8, underline=True)]],
        )
        for b in range(blocks)
        for k in range(per_block)
    ]


def test_pocket_hat_and_block_start_a_page_unless_told_not_to(runner, lib, tmp_path):
    for c in outline_cards(2, 1):
        lib.add(c)
    on = {"Heading1": True, "Heading2": True, "Heading3": True, "Heading4": False}
    off = dict.fromkeys(HEADINGS, False)
    assert breaks(render_docx(outline_cards())) == on
    assert breaks(render_docx(outline_cards(), page_breaks=False)) == off
    runs = (([], on), (["--no-page-breaks"], off), (["--flat"], on))
    for i, (args, expected) in enumerate(runs):
        out = tmp_path / f"speech{i}.docx"
        result = runner.invoke(app, ["export", "-o", str(out), *args])
        assert result.exit_code == 0, result.output
        assert breaks(out) == expected, args
    result = runner.invoke(app, ["export", "-f", "md", "--no-page-breaks"])
    assert result.exit_code == 2 and "--no-page-breaks applies to docx only" in result.stderr


def comparable(ppr: etree._Element) -> list[str]:
    """A style's paragraph properties as text, namespace declarations left out."""
    return [re.sub(r' xmlns:\w+="[^"]*"', "", etree.tostring(child).decode()) for child in ppr]


def test_heading_spacing_is_verbatims(corpus):
    """Our heading styles' paragraph properties are those most Verbatim documents in the
    corpus carry (its template's: keep with next, page break, spacing, centring, border)."""
    ours = render_docx(outline_cards(1, 1))
    for style_id in HEADINGS:
        seen: Counter[tuple[str, ...]] = Counter()
        for path in sorted((corpus / "docx").glob("*.docx")):
            try:
                seen[tuple(comparable(style_ppr(path, style_id)))] += 1
            except ValueError:  # the file has no such style
                continue
        template, files = seen.most_common(1)[0]
        assert files >= 20, style_id
        assert tuple(comparable(style_ppr(ours, style_id))) == template, style_id


def pdf_pages(pdf: Path) -> int:
    return len(re.findall(rb"/Type\s*/Page(?![s\w])", pdf.read_bytes()))


def to_pdf(tmp_path: Path, *docs: Path) -> list[Path]:
    """The documents converted to PDF by LibreOffice (skip the test without it)."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        pytest.skip("LibreOffice (soffice) is not installed")
    profile = f"-env:UserInstallation=file://{tmp_path}/lo"  # not the user's own profile
    subprocess.run(
        [soffice, profile, "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path)]
        + [str(d) for d in docs],
        check=True,
        capture_output=True,
        timeout=180,
    )
    return [tmp_path / f"{d.stem}.pdf" for d in docs]


@pytest.mark.slow
def test_libreoffice_lays_out_the_page_breaks(tmp_path):
    cards = outline_cards(blocks=6, per_block=2)
    (tmp_path / "paged.docx").write_bytes(render_docx(cards))
    (tmp_path / "compact.docx").write_bytes(render_docx(cards, page_breaks=False))
    paged, compact = map(
        pdf_pages, to_pdf(tmp_path, tmp_path / "paged.docx", tmp_path / "compact.docx")
    )
    # 1 Pocket, 2 Hats and 6 Blocks, each on a new page (a Pocket over a Hat stands alone,
    # as in Verbatim); the compact document fits 12 short cards on a few pages.
    headings = 1 + 2 + 6
    assert paged == headings
    assert 1 <= compact < headings / 2
