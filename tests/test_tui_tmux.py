"""`evcards mark` and `evcards cut` in a real terminal (tmux): the keys a debater presses,
as the terminal sends them, reach the card file. Skipped where tmux is not installed (CI
installs it: .ci/run)."""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import REPO
from tmux import TMUX, Terminal

from evcards.store.library import Library

pytestmark = pytest.mark.skipif(TMUX is None, reason="tmux is not installed")
MEICK = "meick-18-no-alliance-russia-and-china-want-different-things-62e6fa1a506b60cd.toml"


@pytest.fixture
def terminals(tmp_path: Path) -> Iterator[list[Terminal]]:
    opened: list[Terminal] = []
    yield opened
    for term in opened:
        term.close()


def run(terminals: list[Terminal], tmp_path: Path, *args: str) -> Terminal:
    env = {
        "EVCARDS_HOME": os.environ["EVCARDS_HOME"],
        "EVCARDS_LIBRARY": os.environ["EVCARDS_LIBRARY"],
        "PATH": os.environ.get("PATH", ""),
    }
    term = Terminal(tmp_path, [sys.executable, "-m", "evcards", *args], env, (120, 40))
    terminals.append(term)
    return term


def starter_card(lib: Library) -> Path:
    path = lib.root / MEICK
    shutil.copy(REPO / "cards" / MEICK, path)
    return path


@pytest.mark.parametrize("key", ["F11", "h"])
def test_three_shift_rights_and_highlight_mark_the_first_four_words(lib, tmp_path, terminals, key):
    path = starter_card(lib)
    before = Library.open(lib.root).read(path)
    assert not before.spoken.startswith("[W]hile")
    term = run(terminals, tmp_path, "mark", before.id)
    term.wait_for("words read")
    term.keys("S-Right", "S-Right", "S-Right", key)
    term.wait_for("unsaved changes")
    term.keys("C-s")
    term.wait_for("Saved ")
    term.keys("q")
    assert term.exit_code() == 0
    [(saved_path, saved)] = list(Library.open(lib.root).cards())
    assert not path.exists() and saved_path.name.endswith(f"{saved.id}.toml")
    first = saved.body[0][0]
    assert first.text == "[W]hile both states may" and first.highlight == "yellow"
    assert saved.spoken.startswith("[W]hile both states may neither would sacrifice")
    assert saved.text == before.text and saved.body[0][2:] == before.body[0][1:]  # the rest kept


def test_quitting_unsaved_in_a_terminal_asks_and_keeps_the_file(lib, tmp_path, terminals):
    path = starter_card(lib)
    before = path.read_bytes()
    term = run(terminals, tmp_path, "mark", "62e6")
    term.wait_for("words read")
    term.keys("u", "q")
    term.wait_for("unsaved changes.")
    term.keys("d")
    assert term.exit_code() == 0
    assert path.read_bytes() == before


def test_cut_on_a_terminal_asks_the_tag_then_marks_the_draft(lib, tmp_path, terminals):
    page = REPO / "tests" / "fixtures" / "pages" / "news-meta.html"
    term = run(terminals, tmp_path, "cut", str(page), "--accessed", "11-29-2026")
    term.wait_for("Tag: the card's claim")
    term.keys("No alliance: different goals", literal=True)
    term.wait_for("different goals")
    term.keys("Enter")
    term.wait_for("Cite as written")
    term.keys("Escape")  # alone: an escape with keys right behind it reads as Alt+key
    term.wait_gone("Cite as written")
    term.keys("S-Right", "h", "C-s")
    term.wait_for("Saved ")
    term.keys("q")
    assert term.exit_code() == 0
    [(_, card)] = list(Library.open(lib.root).cards())
    assert card.tag == "No alliance: different goals"
    assert card.spoken == "Russia and"
