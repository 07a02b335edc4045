"""`evcards speech ...` through the command line, and the corpus acceptance: a speech built
from three imported Verbatim files survives export to .docx and import back."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest
from conftest import CORPUS, snapshot
from test_speech import make_cards, store

from evcards.cli import app
from evcards.store import speechfile
from evcards.store.library import Library


@pytest.fixture
def filled(lib):
    return store(lib, make_cards(6))


def ok(runner, *args: str):
    result = runner.invoke(app, list(args))
    assert result.exit_code == 0, (result.output, result.stderr)
    return result


def fails(runner, *args: str, code: int = 1):
    result = runner.invoke(app, list(args))
    assert result.exit_code == code, (result.output, result.stderr)
    # A usage error (exit 2) shows the usage first.
    assert result.stderr.startswith("Error: ") or code == 2, result.stderr
    assert result.stderr.count("Error: ") == 1, result.stderr
    assert "Traceback" not in result.output + result.stderr
    return result


def test_a_whole_session(runner, lib, filled):
    a, b, c, d = (card.id for card in filled[:4])
    assert "now the current speech" in ok(runner, "speech", "new", "1nc", "-t", "1NC vs KH").stdout
    out = ok(runner, "speech", "add", a[:6], b[:6], "--block", "Deterrence DA", "--hat", "Off")
    assert "Added 2 items to 1nc, block 'Deterrence DA' (new): items 1-2." in out.stdout
    ok(runner, "speech", "add", "1nc", c, "-b", "Case")
    ok(runner, "speech", "add", "-a", "They dropped the link", "-a", "Extend Meick")
    ok(runner, "speech", "add", d, "--at", "1")
    shown = json.loads(ok(runner, "speech", "show", "--json").stdout)
    assert [[x["id"] for x in blk["cards"]] for blk in shown["blocks"]] == [
        [d, a, b],
        [c, None, None],
    ]
    assert shown["title"] == "1NC vs KH" and shown["name"] == "1nc"
    assert set(shown["blocks"][0]) == {"heading", "cards"}
    assert set(shown["blocks"][0]["cards"][0]) == {"id", "tag", "short_cite", "words_read"}
    assert "Moved item 1 to 4" in ok(runner, "speech", "move", "1", "4").stdout
    ok(runner, "speech", "move", "1nc", "6", "1")
    assert "Dropped 2 items" in ok(runner, "speech", "drop", "2-3").stdout
    text = ok(runner, "speech", "show").stdout
    assert text.startswith("1NC vs KH  (1nc: 4 items,")
    assert "Off > Deterrence DA" in text and "analytic" in text
    read = ok(runner, "speech", "show", "1nc", "--read").stdout
    assert "Extend Meick" in read and "read 0 aloud" not in read and "read 3 aloud" in read
    assert "body 3" not in read  # not highlighted: not read aloud


def test_list_use_and_rm(runner, lib, filled):
    assert "No speeches" in ok(runner, "speech", "list").stdout
    ok(runner, "speech", "new", "1nc")
    ok(runner, "speech", "add", filled[0].id, "-b", "DA")
    ok(runner, "speech", "new", "2nr", "--title", "2NR")
    listed = ok(runner, "speech", "list").stdout.splitlines()
    assert listed[0].startswith("  1nc") and "1 item " in listed[0]
    assert listed[1].startswith("* 2nr")
    rows = json.loads(ok(runner, "speech", "list", "--json").stdout)
    assert [(r["name"], r["items"], r["current"]) for r in rows] == [
        ("1nc", 1, False),
        ("2nr", 0, True),
    ]
    assert rows[0]["words_read"] == filled[0].words_read
    ok(runner, "speech", "use", "1nc")
    assert ok(runner, "speech", "use").stdout.strip() == "1nc"
    ok(runner, "speech", "rm", "1nc")
    assert not (lib.root / "speeches" / "1nc.toml").exists()
    fails(runner, "speech", "show")  # the current speech went with it
    assert lib.path_of(filled[0].id) is not None  # its cards did not


def test_errors_are_one_line_and_change_nothing(runner, lib, filled):
    result = fails(runner, "speech", "show")
    assert "no current speech" in result.stderr and "speech use NAME" in result.stderr
    ok(runner, "speech", "new", "s")
    ok(runner, "speech", "add", filled[0].id, "-b", "DA")
    before = snapshot(lib.root)
    assert "no card with id 'ffff'" in fails(runner, "speech", "add", filled[1].id, "ffff").stderr
    assert "no speech named 'nope'" in fails(runner, "speech", "add", "nope", filled[1].id).stderr
    result = fails(runner, "speech", "add", filled[1].id, "--at", "9")
    assert "--at 9: the speech has 1 item; give --at from 1 to 2" in result.stderr
    assert "items 1 to 1" in fails(runner, "speech", "drop", "4").stderr
    assert "not an item number" in fails(runner, "speech", "drop", "s", "x").stderr
    assert "already exists" in fails(runner, "speech", "new", "s").stderr
    assert "not a speech name" in fails(runner, "speech", "new", "../x").stderr
    fails(runner, "speech", "move", "1", code=2)
    assert snapshot(lib.root) == before
    path = lib.root / "speeches" / "s.toml"
    path.write_text(path.read_text().replace("heading =", "heading = Oops"))
    result = fails(runner, "speech", "show", "s")
    assert f"{path}, line 6, column 11: invalid TOML" in result.stderr
    assert result.stderr.count("\n") == 1


def test_export_writes_the_speech_and_refuses_a_missing_card(runner, lib, filled, tmp_path):
    ok(runner, "speech", "new", "1nc", "-t", "1NC")
    ok(runner, "speech", "add", filled[0].id, filled[1].id, "-b", "DA", "--hat", "Off")
    out = tmp_path / "1nc.docx"
    result = ok(runner, "speech", "export", "-o", str(out))
    assert "Exported 1nc: 2 cards" in result.stderr and zipfile.is_zipfile(out)
    assert "already exists" in fails(runner, "speech", "export", "-o", str(out)).stderr
    ok(runner, "speech", "export", "-o", str(out), "--force", "--no-page-breaks")
    md = ok(runner, "speech", "export", "1nc", "-o", "-", "-f", "md").stdout
    assert md.startswith("# 1NC\n\n## Off\n\n### DA\n\n#### Tag number 0")
    assert "Somebody" not in md
    fails(runner, "speech", "export", code=2)  # no -o
    ok(runner, "rm", filled[1].id)
    shown = ok(runner, "speech", "show")
    assert "no longer in the library" in shown.stdout
    assert "Warning: item 2" in shown.stderr and "speech drop 1nc 2" in shown.stderr
    result = fails(runner, "speech", "export", "-o", str(tmp_path / "new.docx"))
    assert "item 2" in result.stderr and "`evcards speech drop 1nc 2`" in result.stderr
    assert not (tmp_path / "new.docx").exists()


def test_speeches_stay_out_of_list_and_search(runner, lib, filled):
    ok(runner, "speech", "new", "s")
    ok(runner, "speech", "add", filled[0].id, "-b", "DA")
    listed = json.loads(ok(runner, "list", "--json").stdout)
    assert len(listed) == len(filled)
    assert all(Path(row["path"]).parent == lib.root for row in listed)
    hits = json.loads(ok(runner, "search", "Tag", "--json", "--limit", "50").stdout)
    assert len(hits) == len(filled)


# -- the corpus acceptance -------------------------------------------------------------------
FILES = [
    "Emory University-Wilson-Xiong-Neg-ADA Fall-Round4.docx",
    "Emporia State-Krambeer-ReedValizan-Neg-CEDA-Round4.docx",
    "Georgetown-Spurlock-White-Neg-1---Northwestern-Round1.docx",
]


def corpus_picks(lib: Library) -> list[list[str]]:
    """Three cards from each of two of the files (tagged, with highlighting, tags unique)."""
    by_file: dict[str, list] = {}
    tags = [card.tag for _, card in lib.cards()]
    for _, card in sorted(lib.cards(), key=lambda pc: pc[1].sources[0].position or 0):
        usable = card.kind == "card" and card.tag and card.has_highlight
        if usable and tags.count(card.tag) == 1:
            by_file.setdefault(card.sources[0].file, []).append(card.id)
    chosen = [ids[:3] for ids in by_file.values() if len(ids) >= 3][:2]
    assert len(chosen) == 2, by_file
    return chosen


def test_a_corpus_speech_survives_docx_and_import(runner, lib, tmp_path):
    from evcards.importing import import_paths

    if not CORPUS.is_dir():
        pytest.skip("../shared/corpus is not present")
    summary = import_paths(lib, [str(CORPUS / "docx" / name) for name in FILES], jobs=1)
    assert summary.files == 3 and summary.failed == 0
    first, second = corpus_picks(lib)
    ok(runner, "speech", "new", "1nc", "--title", "1NC vs Michigan KH")
    ok(runner, "speech", "add", *first, "--block", "Framework", "--hat", "On case")
    ok(runner, "speech", "add", *second, "--block", "Neolib K")
    ok(runner, "speech", "add", "--analytic", "Extend the link: they dropped it")
    out = tmp_path / "1nc.docx"
    ok(runner, "speech", "export", "-o", str(out))

    fresh = Library.open(tmp_path / "fresh", create=True)
    assert import_paths(fresh, [str(out)], jobs=1).failed == 0
    back = sorted((card for _, card in fresh.cards()), key=lambda c: c.sources[0].position)
    tags = {card.id: card.tag for _, card in lib.cards()}
    expected = [("Framework", tags[i]) for i in first] + [("Neolib K", tags[i]) for i in second]
    expected.append(("Neolib K", "Extend the link: they dropped it"))
    got = [(c.location.block, c.tag) for c in back]
    assert [(b, " ".join(t.split())) for b, t in got] == [
        (b, " ".join(t.split())) for b, t in expected
    ]
    assert {c.location.pocket for c in back} == {"1NC vs Michigan KH"}
    assert [c.location.hat for c in back] == ["On case"] * 3 + [""] * 4
    assert back[-1].kind == "analytic"

    shown = json.loads(ok(runner, "speech", "show", "--json").stdout)
    rows = [card for blk in shown["blocks"] for card in blk["cards"]]
    cards = {card.id: card for _, card in lib.cards()}
    assert [r["words_read"] for r in rows[:-1]] == [cards[r["id"]].words_read for r in rows[:-1]]
    words = sum(r["words_read"] for r in rows)
    assert shown["words_read"] == words > 0
    from evcards.config import load_config

    assert shown["seconds"] == round(words * 60 / load_config().wpm, 1)
    assert speechfile.names(lib.root) == ["1nc"]
    assert len(list(fresh.paths())) == 7


def test_show_read_time_follows_the_configured_wpm(runner, lib, filled, tmp_path):
    home = Path(tmp_path / "home")
    home.mkdir(exist_ok=True)
    (home / "config.toml").write_text("wpm = 120\n")
    ok(runner, "speech", "new", "s")
    ok(runner, "speech", "add", filled[0].id, filled[1].id, "-b", "DA")
    shown = json.loads(ok(runner, "speech", "show", "--json").stdout)
    words = filled[0].words_read + filled[1].words_read
    assert (shown["words_read"], shown["seconds"]) == (words, round(words * 60 / 120, 1))
    assert "at 120 wpm" in ok(runner, "speech", "show").stdout


@pytest.mark.slow
def test_a_speech_lays_out_in_libreoffice_with_its_page_breaks(runner, lib, filled, tmp_path):
    from test_export_pages import breaks, pdf_pages, to_pdf

    ok(runner, "speech", "new", "2nc", "-t", "2NC vs Michigan")
    ok(runner, "speech", "add", filled[2].id, "-b", "DA")
    ok(runner, "speech", "add", "--analytic", "They drop the link", "-b", "DA")
    ok(runner, "speech", "add", filled[0].id, filled[1].id, "-b", "Case", "--hat", "Aff")
    paged, compact = tmp_path / "paged.docx", tmp_path / "compact.docx"
    ok(runner, "speech", "export", "-o", str(paged))
    ok(runner, "speech", "export", "-o", str(compact), "--no-page-breaks")
    heads = ("Heading1", "Heading2", "Heading3")  # Pocket, Hat, Block; never a Tag
    assert [breaks(paged)[h] for h in heads] == [True] * 3
    assert not any(breaks(compact).values())
    paged_pages, compact_pages = map(pdf_pages, to_pdf(tmp_path, paged, compact))
    pages = {"paged": paged_pages, "compact": compact_pages}
    # The Pocket (alone on its page, as in Verbatim), the DA block, the Aff Hat and the Case
    # block each start a page; the compact read doc puts four short items on one page.
    assert pages == {"paged": 4, "compact": 1}, pages
