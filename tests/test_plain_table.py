"""evcards.cli.plain draws card tables off a terminal as Rich draws them, byte for byte."""

from __future__ import annotations

import io
import os
import subprocess
import sys

import pytest
from budget import examples
from conftest import REPO
from hypothesis import given, settings
from hypothesis import strategies as st
from rich.console import Console
from strategies import cards

from evcards.cli import plain
from evcards.cli.plain import Col, card_text, table_text
from evcards.cli.tables import card_columns, rich_table
from evcards.showing import shown_from_card


def rich_text(columns: list[Col], rows: list[list[str]], width: int) -> str:
    """The reference: the same columns as a Rich table, printed without colour."""
    buf = io.StringIO()
    console = Console(
        file=buf, width=width, highlight=False, soft_wrap=False, markup=False, emoji=False
    )
    table = rich_table(columns)
    for row in rows:
        table.add_row(*row)
    console.print(table)
    return buf.getvalue()


# Words of card text: ASCII, the punctuation Word leaves (dashes, curly quotes, no-break
# spaces), accents precomposed and combining, wide (CJK, emoji) and zero-width characters; now
# and then a cell with a control character or a line break, which plain text leaves to Rich.
LETTERS = st.sampled_from(
    list("abcdefghijklmnopqrstuvwxyzABCXYZ0123456789.,;:'\"()[]/-&%$#*")
    + ["–", "—", "’", "“", "”", "…", "é", "ü", "ß", "\u00a0", "\u0301", "漢", "字", "🙂"]
    + ["\u200b", "\u200d", "\u00ad"]
)
WORD = st.lists(LETTERS, min_size=1, max_size=30).map("".join)
CLEAN = st.lists(WORD, max_size=14).map(" ".join) | st.sampled_from(["", " ", "x", "  a  b "])
BAD = st.tuples(CLEAN, st.sampled_from(["\t", "\n", "\x07", "\u2028", "\r"]), CLEAN).map("".join)
CELL = st.integers(0, 60).flatmap(lambda k: BAD if k == 0 else CLEAN)


@st.composite
def tables(draw: st.DrawFn) -> tuple[list[Col], list[list[str]], int]:
    width = draw(st.integers(8, 220))
    columns = card_columns(width, tag_ratio=draw(st.sampled_from([None, 2])))
    for _ in range(draw(st.integers(0, 4))):
        columns.append(
            Col(
                draw(st.sampled_from(["labels", "read", "words read", "match", "in", ""])),
                justify=draw(st.sampled_from(["left", "right"])),
                no_wrap=draw(st.booleans()),
                overflow=draw(st.sampled_from(["fold", "ellipsis"])),
                min_width=draw(st.none() | st.integers(0, 12)),
                max_width=draw(st.none() | st.integers(1, 40)),
                ratio=draw(st.none() | st.integers(1, 3)),
            )
        )
    rows = draw(st.lists(st.lists(CELL, min_size=len(columns), max_size=len(columns)), max_size=6))
    return columns, rows, width


@settings(max_examples=400, deadline=None)
@given(tables())
def test_plain_tables_are_rich_tables(table):
    columns, rows, width = table
    drawn = table_text(columns, rows, width)
    if drawn is not None:
        assert drawn == rich_text(columns, rows, width)


def test_text_only_rich_can_lay_out_is_left_to_it():
    columns = card_columns(80)
    assert table_text(columns, [["a", "b", "c\td"]], 80) is None
    assert table_text(columns, [["a", "b", "two\nlines"]], 80) is None
    assert table_text(columns, [["a", "b", "c"]], 80) is not None


@pytest.mark.parametrize("width", [20, 45, 80, 120, 200])
def test_a_real_listing_is_drawn_alike(width):
    rows = [
        ["62e6fa1a", "Meick 18", "No alliance: Russia and China want different things", "neg"],
        ["fa28c425", "Saradzhyan & Wyne 18", "A formal alliance needs two things – not here", ""],
        ["0a1b2c3d", "An extremely long short cite, a whole sentence", "x" * 150, "aff k"],
    ]
    columns = [*card_columns(width), Col("labels", style="cyan")]
    drawn = table_text(columns, rows, width)
    if width < 30:  # columns squeezed to nothing, which Rich drops: left to it
        assert drawn is None
    else:
        assert drawn == rich_text(columns, rows, width)


def test_the_size_is_rich_consoles(monkeypatch):
    monkeypatch.setenv("COLUMNS", "97")
    monkeypatch.setenv("LINES", "31")
    monkeypatch.delenv("FORCE_COLOR", raising=False)
    monkeypatch.delenv("TTY_COMPATIBLE", raising=False)
    monkeypatch.setattr(sys, "stdout", io.StringIO())
    assert plain.plain_size() == (97, 31)
    console = Console(file=sys.stdout)
    assert (console.width, console.height, console.is_terminal) == (97, 31, False)
    monkeypatch.setenv("FORCE_COLOR", "1")
    assert plain.plain_size() is None  # Rich would colour it
    monkeypatch.delenv("FORCE_COLOR")
    monkeypatch.setenv("TTY_COMPATIBLE", "1")
    assert plain.plain_size() is None


def test_list_piped_loads_no_rich_console(tmp_path):
    """Off a terminal `list` draws its table without Rich's Console and Table."""
    code = (
        "import sys\n"
        "sys.argv = ['evcards', 'list', '-n', '3']\n"
        "from evcards.__main__ import main\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "print('LOADED', ','.join(m for m in sys.modules if m.startswith('rich')), file=sys.stderr)"
    )
    env = {**os.environ, "EVCARDS_LIBRARY": str(REPO / "cards"), "COLUMNS": "100"}
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
    loaded = set(proc.stderr.rsplit("LOADED ", 1)[1].strip().split(","))
    assert "Meick 18" in proc.stdout
    assert not loaded & {"rich.console", "rich.table", "rich.text"}, loaded


def rich_card(card, wpm: int, width: int, read_only: bool) -> str:
    from evcards.cli.render import card_renderable

    buf = io.StringIO()
    console = Console(
        file=buf, width=width, highlight=False, soft_wrap=False, markup=False, emoji=False
    )
    console.print(card_renderable(card, wpm, read_only=read_only))
    return buf.getvalue()


@settings(max_examples=examples(300), deadline=None)
@given(cards(), st.integers(10, 200), st.booleans(), st.sampled_from([150, 300]))
def test_plain_cards_are_rich_cards(card, width, read_only, wpm):
    shown = shown_from_card(card)
    drawn = card_text(shown, wpm, width, read_only=read_only)
    if drawn is not None:
        assert drawn == rich_card(shown, wpm, width, read_only)


def test_the_corpus_cards_are_drawn_alike(corpus):
    from evcards.formats.docx.read import parse_docx

    docs = sorted((corpus / "docx").rglob("*.docx"))[:3]
    assert docs
    drawn = 0
    for doc in docs:
        for card in parse_docx(doc)[:40]:
            shown = shown_from_card(card)
            for width in (72, 120):
                text = card_text(shown, 300, width)
                if text is not None:
                    drawn += 1
                    assert text == rich_card(shown, 300, width, False)
    assert drawn
