"""The card commands end to end, through the CLI a debater types."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from conftest import REPO, snapshot

from evcards.cli import app
from evcards.core.markup import parse
from evcards.core.models import Cite, new_card
from evcards.store.library import Library

SEED = REPO.parent / "shared" / "seed" / "rm-2019-china-russia.txt"
PASTED = """Alliance unlikely: they want different things
Meick 18 (Ethan Meick, Policy Analyst, 9-2-2018, "China-Russia Ties," The National Interest, https://example.org/x) ank
[W]hile both states may oppose American hegemony, they pursue different objectives …
Moscow is preoccupied with its neighbours ¶ Beijing with the sea.
"""


def run(runner, *args, input=None):
    return runner.invoke(app, [str(a) for a in args], input=input)


@pytest.fixture
def imported(runner, tmp_path):
    (tmp_path / "card.txt").write_text(PASTED, encoding="utf-8")
    result = run(runner, "import", tmp_path / "card.txt")
    assert result.exit_code == 0, result.output
    return Library.open(tmp_path / "library")


def only_card(lib):
    cards = list(lib.cards())
    assert len(cards) == 1
    return cards[0]


def test_import_pasted_text(imported):
    path, card = only_card(imported)
    assert card.tag == "Alliance unlikely: they want different things"
    assert card.cite.short == "Meick 18"
    assert card.cite.initials == "ank"
    assert card.cite.author == "Ethan Meick"
    assert card.cite.url == "https://example.org/x"
    assert card.paragraphs[1] == "Moscow is preoccupied with its neighbours ¶ Beijing with the sea."
    assert path.name.startswith("meick-18-alliance-unlikely-they-want-different-things-")


def test_reimport_adds_nothing(runner, imported, tmp_path):
    before = snapshot(imported.root)
    result = run(runner, "import", tmp_path / "card.txt", "--json")
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert (summary["cards"], summary["skipped"], summary["failed"]) == (0, 1, 0)
    assert snapshot(imported.root) == before


@pytest.mark.skipif(not SEED.exists(), reason="../shared/seed is not present")
def test_seed_imports_word_for_word(runner, lib):
    result = run(runner, "import", SEED)
    assert result.exit_code == 0, result.output
    _, card = only_card(lib)
    cite_line, body = SEED.read_text(encoding="utf-8").split("\n", 1)
    assert card.cite.short == "RM 6/14"
    assert card.cite.initials == "ank"
    assert f"{card.cite.short} ({card.cite.full}) {card.cite.initials}" == cite_line
    assert card.text.split() == body.split()


@pytest.mark.skipif(not SEED.exists(), reason="../shared/seed is not present")
def test_bundled_seed_card_matches_the_seed_file():
    lib = Library.open(REPO / "cards")
    seeds = [c for _, c in lib.cards() if c.cite.short == "RM 6/14"]
    assert len(seeds) == 1
    seed = seeds[0]
    cite_line, body = SEED.read_text(encoding="utf-8").split("\n", 1)
    assert seed.text.split() == body.split()
    assert seed.cite.full in cite_line and seed.cite.initials == "ank"
    assert seed.tag, "the seed card has been given a tag"
    assert len(list(lib.cards())) >= 5, "the starter library holds a handful of cards"


def test_show_bundled_seed_card(runner, monkeypatch):
    monkeypatch.setenv("FORCE_COLOR", "1")
    monkeypatch.setenv("EVCARDS_LIBRARY", str(REPO / "cards"))
    seed = next(c for _, c in Library.open(REPO / "cards").cards() if c.cite.short == "RM 6/14")
    result = run(runner, "show", seed.id[:8])
    assert result.exit_code == 0, result.output
    assert "\x1b[1mRM 6/14\x1b[0m" in result.stdout
    flat = " ".join(result.stdout.split())
    assert "Expert Round-Up: How Likely Is a China-Russia Military Alliance?" in flat
    assert "russiamatters.org/analysis/expert-round-how-likely-china-russia-military" in flat


def test_show_formats_the_cite_bold(runner, imported, monkeypatch):
    monkeypatch.setenv("FORCE_COLOR", "1")
    _, card = only_card(imported)
    result = run(runner, "show", card.id[:6])
    assert result.exit_code == 0, result.output
    assert "\x1b[1mMeick 18\x1b[0m" in result.stdout
    assert "Ethan Meick, Policy Analyst" in result.stdout


def test_show_colours_marks(runner, lib, monkeypatch, tmp_path):
    monkeypatch.setenv("FORCE_COLOR", "1")
    monkeypatch.setenv("COLORTERM", "truecolor")
    (tmp_path / "b.txt").write_text("plain _under =={cyan}lit==_ **key** ~small~")
    assert run(runner, "add", tmp_path / "b.txt", "-t", "T", "-s", "X 19").exit_code == 0
    out = run(runner, "show", only_card(lib)[1].id).stdout
    assert "\x1b[4munder" in out  # underline
    assert "48;2;0;255;255" in out  # cyan background, Word's own cyan
    assert "\x1b[1;4mkey" in out  # emphasis: bold + underline
    assert "\x1b[2msmall" in out  # shrunk text dim


def test_show_plain_when_piped(runner, imported):
    _, card = only_card(imported)
    result = run(runner, "show", card.id)
    assert "\x1b[" not in result.stdout
    assert "Meick 18 (Ethan Meick" in result.stdout
    assert "words" in result.stdout and "at 250 wpm" in result.stdout


def test_show_read_only_spoken(runner, lib, tmp_path):
    (tmp_path / "b.txt").write_text("skip this ==read this== skip ==and this==")
    run(runner, "add", tmp_path / "b.txt", "-t", "Tag words", "-s", "X 19")
    out = run(runner, "show", only_card(lib)[1].id, "--read").stdout
    assert "read this" in out and "and this" in out and "skip" not in out
    assert "6 read" in out  # 2 tag words + 4 highlighted


def test_show_json_is_the_model_dump(runner, imported):
    _, card = only_card(imported)
    result = run(runner, "show", card.id, "--json")
    assert json.loads(result.stdout) == card.model_dump(mode="json")


def test_list_json(runner, imported):
    result = run(runner, "list", "--json")
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert rows[0]["short_cite"] == "Meick 18"
    assert {"id", "tag", "short_cite", "labels", "words_read"} <= set(rows[0])


def test_add_from_stdin_with_cite_options(runner, lib, monkeypatch):
    monkeypatch.setenv("EVCARDS_HOME", str(lib.root.parent / "home"))
    home = lib.root.parent / "home"
    home.mkdir()
    (home / "config.toml").write_text('initials = "zz"\nhighlight = "cyan"\n')
    result = run(
        runner,
        "add",
        "-",
        "-t",
        "Tag",
        "-s",
        "Doe 20",
        "--author",
        "Jane Doe",
        "-l",
        "aff",
        input="They _==said it==_ first.\n\nSecond paragraph.\n",
    )
    assert result.exit_code == 0, result.output
    _, card = only_card(lib)
    assert card.cite.initials == "zz"
    assert card.spoken == "said it"
    assert card.body[0][1].highlight == "cyan"  # plain == is the configured colour
    assert card.labels == ["aff"]
    assert len(card.body) == 2


def test_tag_several_cards_and_labels(runner, lib, tmp_path):
    for i in range(2):
        (tmp_path / f"{i}.txt").write_text(f"body {i}")
        run(runner, "add", tmp_path / f"{i}.txt", "-s", f"A{i} 19")
    ids = [c.id for _, c in lib.cards()]
    result = run(runner, "tag", *ids, "-l", "neg", "-l", "da")
    assert result.exit_code == 0, result.output
    assert all(c.labels == ["da", "neg"] for _, c in lib.cards())
    result = run(runner, "tag", ids[0][:7], "Russia says no", "--unlabel", "da")
    assert result.exit_code == 0, result.output
    path, card = lib.resolve(ids[0])
    assert (card.tag, card.labels) == ("Russia says no", ["neg"])
    assert "russia-says-no" in path.name
    assert len(list(lib.paths())) == 2  # renamed, not copied


def test_tag_with_a_mistyped_or_ambiguous_id_last_changes_nothing(runner, lib):
    # `evcards tag 8f70 1b0f -l neg` with 1b0f mistyped used to set the tag to "1b0f".
    cards = [new_card(tag=f"Tag {i}", body=parse(f"body {i}")) for i in range(40)]
    for card in cards:
        lib.write(card)
    before = snapshot(lib.root)
    first = cards[0].id
    starts = [c.id[0] for c in cards]
    shared = next(d for d in starts if starts.count(d) > 1)  # 40 ids, 16 digits: one repeats
    typo = next(p for p in ("ffff0000", "eeee0000") if not any(c.id.startswith(p) for c in cards))
    for last in (typo, shared, "cards/x.toml"):
        result = run(runner, "tag", first[:6], last, "-l", "neg")
        assert result.exit_code == 1, (last, result.output)
        assert result.stderr.startswith("Error: ")
    assert snapshot(lib.root) == before
    # a single word that is not an id is still a tag, and --tag takes anything
    result = run(runner, "tag", first[:6], "Uniqueness")
    assert result.exit_code == 0, result.output
    assert lib.resolve(first)[1].tag == "Uniqueness"
    result = run(runner, "tag", first[:6], "--tag", typo)
    assert result.exit_code == 0, result.output


def test_rm(runner, imported):
    _, card = only_card(imported)
    result = run(runner, "rm", card.id[:5])
    assert result.exit_code == 0, result.output
    assert list(imported.paths()) == []


FAKE_EDITOR = """
import pathlib, sys
path = pathlib.Path(sys.argv[1])
steps = pathlib.Path({steps!r})
todo = steps.read_text().split("\\n---\\n")
n = int((steps.parent / "count").read_text()) if (steps.parent / "count").exists() else 0
(steps.parent / "count").write_text(str(n + 1))
step = todo[min(n, len(todo) - 1)]
old, new = step.split(" => ")
text = path.read_text()
path.write_text(text.replace(old, new) if old else text)
"""


def fake_editor(tmp_path, monkeypatch, *steps):
    """$EDITOR that applies one `old => new` replacement per opening."""
    (tmp_path / "ed").mkdir()
    steps_file = tmp_path / "ed" / "steps"
    steps_file.write_text("\n---\n".join(steps))
    script = tmp_path / "ed" / "editor.py"
    script.write_text(FAKE_EDITOR.format(steps=str(steps_file)))
    monkeypatch.setenv("EDITOR", f"{sys.executable} {script}")
    return tmp_path / "ed" / "count"


def test_edit_saves_a_valid_edit(runner, imported, tmp_path, monkeypatch):
    fake_editor(tmp_path, monkeypatch, "they pursue => they _==pursue==_")
    _, card = only_card(imported)
    result = run(runner, "edit", card.id)
    assert result.exit_code == 0, result.output
    _, after = only_card(imported)
    assert after.spoken == "pursue" and after.id == card.id


def test_edit_reopens_on_error_and_keeps_text(runner, imported, tmp_path, monkeypatch):
    count = fake_editor(
        tmp_path, monkeypatch, "they pursue => they _pursue", "they _pursue => they _pursue_"
    )
    _, card = only_card(imported)
    result = run(runner, "edit", card.id)
    assert result.exit_code == 0, result.output
    assert count.read_text() == "2"
    assert "never closed" in result.stderr
    assert only_card(imported)[1].underlined == "pursue"


def test_edit_gives_up_without_losing_text(runner, imported, tmp_path, monkeypatch):
    fake_editor(tmp_path, monkeypatch, "they pursue => they _pursue", " => ")
    before = snapshot(imported.root)
    _, card = only_card(imported)
    result = run(runner, "edit", card.id)
    assert result.exit_code == 1
    *_, last, line, caret = result.stderr.strip().splitlines()
    assert last.startswith("Error: ") and "your text is kept in" in last
    assert line[caret.index("^") :].startswith("_pursue different objectives")
    kept = Path(last.rsplit("kept in ", 1)[1])
    assert "they _pursue" in kept.read_text()
    assert snapshot(imported.root) == before


# -- user errors: one line on stderr, exit 1 (usage 2), library unchanged -------------------


def assert_clean_error(result, fragment, code=1):
    assert result.exit_code == code, result.output
    # One Error line; lines indented under it show the input (a markup mistake and a caret).
    lines = [line for line in result.stderr.strip().splitlines() if not line.startswith("  ")]
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("Error: ") or code == 2, lines[0]
    assert fragment in result.stderr, result.stderr
    assert "Traceback" not in result.output


def test_malformed_toml(runner, imported):
    path, card = only_card(imported)
    path.write_text(path.read_text().replace('tag = "', "tag = ", 1))
    before = snapshot(imported.root)
    assert_clean_error(run(runner, "show", card.id), f"{path}: invalid TOML")
    assert_clean_error(run(runner, "tag", card.id, "-l", "x"), "invalid TOML")
    assert snapshot(imported.root) == before


def test_unknown_key(runner, imported):
    path, card = only_card(imported)
    path.write_text(path.read_text().replace("[cite]", "colour = 'red'\n\n[cite]"))
    before = snapshot(imported.root)
    assert_clean_error(run(runner, "list"), "colour - unknown key")
    assert snapshot(imported.root) == before


def test_missing_card(runner, imported):
    before = snapshot(imported.root)
    assert_clean_error(run(runner, "show", "ffff"), "no card with id 'ffff'")
    assert_clean_error(run(runner, "rm", "ffff"), "`evcards list` shows the ids")
    assert_clean_error(run(runner, "show", "not-an-id"), "not a card id")
    assert_clean_error(run(runner, "show", "gone.toml"), "no such card file")
    assert snapshot(imported.root) == before


def test_ambiguous_prefix(runner, lib, tmp_path):
    ids = set()
    n = 0
    while True:  # make cards until two ids share a first hex digit
        (tmp_path / f"{n}.txt").write_text(f"body {n}")
        run(runner, "add", tmp_path / f"{n}.txt", "-s", f"A {n}")
        new = {c.id for _, c in lib.cards()} - ids
        ids |= new
        n += 1
        firsts = [i[0] for i in ids]
        dup = next((f for f in firsts if firsts.count(f) > 1), None)
        if dup:
            break
    before = snapshot(lib.root)
    assert_clean_error(run(runner, "rm", dup), "matches 2 cards")
    assert snapshot(lib.root) == before


def test_unreadable_file(runner, lib, tmp_path):
    target = tmp_path / "secret.txt"
    target.write_text("x")
    target.chmod(0)
    (tmp_path / "folder.md").mkdir()
    before = snapshot(lib.root)
    if os.geteuid() != 0:  # root reads anything
        assert_clean_error(run(runner, "import", target), "secret.txt: cannot read")
    assert_clean_error(run(runner, "import", tmp_path / "folder.md"), "no files to import")
    assert_clean_error(run(runner, "add", tmp_path / "folder.md"), "is a folder, not a file")
    assert_clean_error(run(runner, "add", tmp_path / "nope.md"), "nope.md: no such file")
    assert snapshot(lib.root) == before


def test_non_utf8_input(runner, lib, tmp_path):
    bad = tmp_path / "latin1.txt"
    bad.write_bytes("Smith 19 (Smith, 2019) ab\ncaf\xe9".encode("latin-1"))
    before = snapshot(lib.root)
    assert_clean_error(run(runner, "import", bad), "not UTF-8 text")
    assert_clean_error(run(runner, "add", "-", "-t", "x", input=b"\xff\xfe"), "<stdin>: not UTF-8")
    assert snapshot(lib.root) == before


def test_a_paste_with_a_cite_it_cannot_read_imports_with_a_warning(runner, lib, tmp_path):
    # It was refused with "line 2: expected a cite line"; now the line is the full cite.
    (tmp_path / "x.txt").write_text("A tag\njust some words\nand more words\n")
    result = run(runner, "import", tmp_path / "x.txt")
    assert result.exit_code == 0, result.output
    assert result.stderr.splitlines() == [
        f"Warning: {tmp_path / 'x.txt'}: line 2: no cite found in `just some words`; kept as"
        " the full cite with no short cite"
    ]
    _, card = only_card(lib)
    assert (card.tag, card.cite.short, card.cite.full) == ("A tag", "", "just some words")
    assert card.paragraphs == ["and more words"]


def test_an_empty_paste_or_a_cite_with_no_body_is_an_error(runner, lib, tmp_path):
    (tmp_path / "e.txt").write_text("\n\n")
    assert_clean_error(run(runner, "import", tmp_path / "e.txt"), "e.txt: no card found")
    (tmp_path / "c.txt").write_text("A tag\nMeick 18 (Ethan Meick, 2018) ank\n")
    assert_clean_error(run(runner, "import", tmp_path / "c.txt"), "line 2: a cite with no card")


def test_bad_markup_in_add(runner, lib):
    assert_clean_error(
        run(runner, "add", "-", "-t", "T", input="an _unclosed mark"), "never closed"
    )
    assert list(lib.paths()) == []


def test_usage_errors_exit_2(runner, imported):
    _, card = only_card(imported)
    before = snapshot(imported.root)
    assert run(runner, "show").exit_code == 2
    assert run(runner, "nonsense").exit_code == 2
    result = run(runner, "tag", card.id, "-l", "has/slash")
    assert result.exit_code == 2 and "is not a label" in result.stderr
    assert snapshot(imported.root) == before


def test_malformed_config(runner, imported, tmp_path):
    home = tmp_path / "home"
    home.mkdir(exist_ok=True)
    (home / "config.toml").write_text("wpm = 'fast'\n")
    _, card = only_card(imported)
    assert_clean_error(run(runner, "show", card.id), "config.toml: wpm - Input should be")


# -- finding the library --------------------------------------------------------------------


def test_library_found_upward_from_cwd(runner, tmp_path, monkeypatch):
    monkeypatch.delenv("EVCARDS_LIBRARY")
    project = tmp_path / "squad"
    Library.open(project / "cards", create=True)
    (project / "deep" / "er").mkdir(parents=True)
    monkeypatch.chdir(project / "deep" / "er")
    (tmp_path / "b.txt").write_text("text")
    assert run(runner, "add", tmp_path / "b.txt", "-t", "Found").exit_code == 0
    assert [c.tag for _, c in Library.open(project / "cards").cards()] == ["Found"]


def test_library_option_beats_environment(runner, tmp_path):
    (tmp_path / "b.txt").write_text("text")
    result = run(runner, "--library", tmp_path / "other", "add", tmp_path / "b.txt", "-t", "X")
    assert result.exit_code == 0, result.output
    assert len(list(Library.open(tmp_path / "other").paths())) == 1
    assert not (tmp_path / "library").exists()


def test_user_library_when_nothing_else(runner, tmp_path, monkeypatch):
    monkeypatch.delenv("EVCARDS_LIBRARY")
    (tmp_path / "b.txt").write_text("text")
    assert run(runner, "add", tmp_path / "b.txt", "-t", "Mine").exit_code == 0
    assert len(list(Library.open(tmp_path / "home" / "library").paths())) == 1


# -- start-up -------------------------------------------------------------------------------


def _imported_modules(*args: str) -> set[str]:
    code = textwrap.dedent(
        f"""
        import sys
        sys.argv = ["evcards", *{list(args)!r}]
        from evcards.cli import main
        try:
            main()
        except SystemExit:
            pass
        print(",".join(sorted(sys.modules)), file=sys.stderr)
        """
    )
    env = {**os.environ, "EVCARDS_LIBRARY": str(REPO / "cards")}
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
    return set(proc.stderr.strip().splitlines()[-1].split(","))


def test_help_does_not_load_heavy_modules():
    mods = _imported_modules("--help")
    assert "typer" in mods
    assert not {m for m in mods if m == "lxml" or m.startswith(("lxml.", "docx"))}


def test_list_does_not_load_heavy_modules():
    mods = _imported_modules("list", "--json")
    assert not {m for m in mods if m.split(".")[0] in {"lxml", "docx", "trafilatura"}}


def test_python_dash_m():
    proc = subprocess.run(
        [sys.executable, "-m", "evcards", "--version"], capture_output=True, text=True
    )
    assert proc.returncode == 0 and proc.stdout.startswith("evcards ")


WORD_CITE = (
    "Zoë Baird 20, CEO and President of the Markle Foundation, “Equitable Economic Recovery Is"
    " a National Security Imperative”, October 2020"
)


def test_show_keeps_a_word_cite_line_as_it_was(runner, lib, monkeypatch):
    # A cite line read from Word holds its short cite: show must not print it twice.
    monkeypatch.setenv("FORCE_COLOR", "1")
    card = new_card(tag="Growth", cite=Cite(short="Baird 20", full=WORD_CITE), body=parse("x"))
    lib.write(card)
    out = run(runner, "show", card.id).stdout
    assert "Zoë \x1b[1mBaird 20\x1b[0m, CEO" in out
    assert "Baird 20 (" not in out


@pytest.mark.parametrize("columns", ["60", "120"])
@pytest.mark.parametrize("command", [("list",), ("stats",), ("search", "growth")])
def test_a_sentence_long_short_cite_keeps_the_table_readable(
    runner, lib, monkeypatch, columns, command
):
    # Messy files put a whole sentence in the Cite style; the id and tag must still show.
    monkeypatch.setenv("COLUMNS", columns)
    long_short = (
        "Cecilia Kang and David McCabe 1-20-22 (NY Times. Efforts to Rein In Big Tech) " * 2
    )
    card = new_card(tag="Growth solves", cite=Cite(short=long_short), body=parse("x"))
    lib.write(card)
    result = run(runner, *command)
    assert result.exit_code == 0, result.output
    assert card.id[:8] in result.stdout
    assert "Growth" in result.stdout
    assert all(len(line) <= int(columns) for line in result.stdout.splitlines())


def test_output_cut_short_by_a_reader_is_not_an_error(lib):
    # `evcards stats | head`: more than a pipe's buffer of rows, and the reader stops at once.
    for n in range(40):
        lib.write(new_card(tag=f"tag {n} " + "word " * 600, body=parse(f"body {n}")))
    env = {**os.environ, "EVCARDS_LIBRARY": str(lib.root)}
    code = (
        "import subprocess, sys\n"
        "p = subprocess.Popen([sys.executable, '-m', 'evcards', 'stats', '--all'],"
        " stdout=subprocess.PIPE, stderr=subprocess.PIPE)\n"
        "p.stdout.read(1); p.stdout.close(); err = p.stderr.read(); p.wait()\n"
        "print(repr(err))\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
    assert proc.stdout.strip() == "b''", proc.stdout


@pytest.mark.parametrize(
    ("name", "head", "says"),
    [
        ("brief.pdf", b"%PDF-1.4\n1 0 obj\n", "a PDF"),
        ("renamed.docx", b"%PDF-1.7\n", "a PDF"),
        ("old.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1\x00\x00", "save it as .docx and"),
        ("speech.txt", b"PK\x03\x04\x14\x00", "give it a .docx name"),
    ],
)
def test_import_names_a_foreign_format(runner, lib, tmp_path, name, head, says):
    # A renamed PDF or .doc used to fail as pasted text: "line 2: expected a cite line".
    (tmp_path / name).write_bytes(head + b"\x00" * 64)
    before = snapshot(lib.root)
    result = run(runner, "import", tmp_path / name)
    assert result.exit_code == 1
    assert says in result.stderr and name in result.stderr
    assert snapshot(lib.root) == before


@pytest.mark.parametrize("command", ["show", "edit", "add", "cut", "search", "export", "stats"])
def test_usage_names_arguments_in_capitals(runner, command):
    # Typer printed `evcards show [OPTIONS] {card}` but `Invalid value for QUERY`.
    usage = run(runner, command, "--help").stdout.splitlines()[0]
    words = usage.split("[OPTIONS]")[1]
    assert words.strip() and words == words.upper(), usage


def test_no_color_still_shows_what_is_highlighted(runner, lib, monkeypatch, tmp_path):
    # NO_COLOR dropped the highlight's background: read text looked like underlined text.
    monkeypatch.setenv("FORCE_COLOR", "1")
    monkeypatch.setenv("NO_COLOR", "1")
    (tmp_path / "b.txt").write_text("_under =={cyan}lit==_")
    assert run(runner, "add", tmp_path / "b.txt", "-t", "T", "-s", "X 19").exit_code == 0
    out = run(runner, "show", only_card(lib)[1].id).stdout
    assert "\x1b[4;7mlit" in out  # underline + reverse, no colour codes
    assert "48;" not in out and "106m" not in out


def test_show_an_analytic(runner, lib):
    # It printed two blank lines and "0 words · 3 read", which read as a counting bug.
    card = new_card(tag="Fairness outweighs education", kind="analytic")
    lib.write(card)
    result = run(runner, "show", card.id)
    assert result.exit_code == 0, result.output
    assert "\n\n\n" not in result.stdout
    assert "analytic  ·  3 read" in result.stdout


def test_list_with_a_label_no_card_has(runner, imported):
    result = run(runner, "list", "-l", "nosuch")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("No cards labelled nosuch in ")


def test_show_read_leaves_no_gap_at_the_end_of_a_paragraph(runner, lib):
    card = new_card(tag="T", body=parse("==read== not read\n\n==more== skipped"))
    lib.write(card)
    out = run(runner, "show", card.id, "--read").stdout
    assert "read\n" in out and "more\n" in out


def test_import_a_cite_line_with_no_short_cite_part(runner, lib, tmp_path):
    # Word's one-line cite, written back by `export -f text` for a card read with no short cite.
    cite = "Wallace-Wells 21, David Wallace-Wells, deputy editor, 1-18-2021, https://nymag.com/x"
    (tmp_path / "c.txt").write_text(f"Climate change can be averted\n{cite}\nThe change is big.\n")
    result = run(runner, "import", tmp_path / "c.txt")
    assert result.exit_code == 0, result.output
    _, card = only_card(lib)
    # The comma form is read (issue 12): 'Wallace-Wells 21' is its short cite, no longer
    # part of the full cite with no short cite.
    assert (card.tag, card.cite.short, card.cite.full, card.paragraphs) == (
        "Climate change can be averted",
        "Wallace-Wells 21",
        "David Wallace-Wells, deputy editor, 1-18-2021, https://nymag.com/x",
        ["The change is big."],
    )
    assert (card.cite.author, card.cite.date) == ("David Wallace-Wells", "1-18-2021")


def test_import_an_html_page_points_to_cut(runner, lib, tmp_path):
    (tmp_path / "page.html").write_text("<html><body><p>Some article</p></body></html>")
    result = run(runner, "import", tmp_path / "page.html")
    assert result.exit_code == 1
    assert "a web page" in result.stderr and "evcards cut" in result.stderr


def test_list_shows_the_good_cards_and_names_a_broken_file(runner, lib):
    # One bad hand edit used to make `evcards list` print nothing but that error.
    good = new_card(tag="Still here", body=parse("x"))
    lib.write(good)
    (lib.root / "broken.toml").write_text("id = = 1\n")
    for args in (["list"], ["list", "--json"]):
        result = run(runner, *args)
        assert result.exit_code == 1
        assert "Still here" in result.stdout
        assert result.stderr.startswith("Error: ") and "broken.toml" in result.stderr


def test_reimport_with_a_label_is_not_a_duplicate(runner, imported, tmp_path):
    result = run(runner, "import", tmp_path / "card.txt", "-l", "neg", "--json")
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert (summary["cards"], summary["duplicates"], summary["skipped"]) == (0, 0, 1)
    assert only_card(imported)[1].labels == ["neg"]


def test_tables_print_brackets_and_colons_as_written(runner, lib, tmp_path, monkeypatch):
    """Card text is not Rich markup: `[/]` raised MarkupError and `[the U.S.]` vanished."""
    monkeypatch.setenv("FORCE_COLOR", "1")
    tag = "Ext [/] 1NC: [the U.S.] won't :x: ally"
    (tmp_path / "b.txt").write_text("Russia and [China] will not ally :smile:")
    assert run(runner, "add", tmp_path / "b.txt", "-t", tag, "-s", "X [ed] 19").exit_code == 0
    for args in (["list"], ["search", "ally"], ["stats"], ["show", only_card(lib)[1].id]):
        result = run(runner, *args)
        assert result.exit_code == 0, result.output
        plain = " ".join(re.sub(r"\x1b\[[0-9;]*m", "", result.stdout).split())
        assert "[/] 1NC" in plain and "[the U.S.]" in plain and ":x:" in plain, args
        assert "X [ed] 19" in plain, args


def test_tag_reads_a_last_word_that_could_be_an_id_as_a_card(runner, lib):
    # `evcards tag ad1 ad` took the tag `ad` for the id prefix of another card.
    first = new_card(id="ad1" + "0" * 13, tag="One", body=parse("body one"))
    other = new_card(id="adf" + "0" * 13, tag="Two", body=parse("body two"))
    for card in (first, other):
        lib.write(card)
    before = snapshot(lib.root)
    result = run(runner, "tag", "ad1", "ad")  # `ad` is both cards' prefix
    assert result.exit_code == 1, result.output
    assert "matches 2 cards" in result.stderr and "give it with --tag" in result.stderr
    result = run(runner, "tag", "ad1", "be")  # hex, and no card has it
    assert result.exit_code == 1, result.output
    assert "--tag 'be'" in result.stderr
    result = run(runner, "tag", "ad1", "adf")  # a card: nothing to change
    assert result.exit_code == 2, result.output
    assert "--tag" in result.output
    assert snapshot(lib.root) == before

    result = run(runner, "tag", "ad1", "-t", "ad")
    assert result.exit_code == 0, result.output
    assert Library.open(lib.root).resolve(first.id)[1].tag == "ad"
    result = run(runner, "tag", "ad1", "adf", "--tag", "Both")
    assert result.exit_code == 0, result.output
    assert [c.tag for _, c in lib.cards()] == ["Both", "Both"]
    result = run(runner, "tag", "adf", "No alliance")  # words: the positional form stands
    assert result.exit_code == 0, result.output
    assert Library.open(lib.root).resolve(other.id)[1].tag == "No alliance"


def test_tag_help_says_when_the_last_argument_is_the_tag(runner):
    result = run(runner, "tag", "--help")
    assert result.exit_code == 0
    said = " ".join(result.output.split())
    assert "-t, --tag TEXT" in said
    assert "the new tag only when it cannot be a card" in said


def test_the_editor_falls_back_to_nano_then_vi():
    from evcards.cli.editing import choose_editor

    has = {"nano": "/usr/bin/nano", "vi": "/usr/bin/vi"}
    assert choose_editor({"VISUAL": "code -w", "EDITOR": "nano"}, has.get) == ("code -w", None)
    assert choose_editor({"EDITOR": "emacs"}, has.get) == ("emacs", None)
    editor, note = choose_editor({}, has.get)
    assert editor == "nano" and note.startswith("Opening nano (") and "EDITOR" in note
    editor, note = choose_editor({}, {"vi": "/usr/bin/vi"}.get)
    assert editor == "vi" and note.startswith("Opening vi (") and ":wq" in note


@pytest.mark.parametrize("installed", [["nano", "vi"], ["vi"]])
def test_edit_with_no_editor_set_says_which_it_opens(
    runner, imported, tmp_path, monkeypatch, installed
):
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for name in installed:  # editors that change nothing
        (bin_dir / name).write_text(f"#!{sys.executable}\n")
        (bin_dir / name).chmod(0o755)
    monkeypatch.setenv("PATH", str(bin_dir))
    _, card = only_card(imported)
    result = run(runner, "edit", card.id[:6])
    assert result.exit_code == 0, result.output
    [note] = result.stderr.splitlines()
    assert note.startswith(f"Opening {installed[0]} ($VISUAL and $EDITOR are not set")
    assert result.stdout == "No changes.\n"


def test_an_editor_that_never_saves_a_valid_card_is_given_up_on(
    runner, imported, tmp_path, monkeypatch
):
    # a scripted editor whose every edit is new and invalid once looped for ever
    from evcards.cli import editing

    monkeypatch.setattr(editing, "MAX_OPENINGS", 3)
    script = tmp_path / "ed.py"
    script.write_text(
        "import pathlib, sys\np = pathlib.Path(sys.argv[1])\n"
        "p.write_text(p.read_text().replace('they pursue', 'they {b}pursue') + '# again\\n')\n"
    )
    monkeypatch.setenv("EDITOR", f"{sys.executable} {script}")
    _, card = only_card(imported)
    before = snapshot(imported.root)
    result = run(runner, "edit", card.id[:6])
    assert result.exit_code == 1
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith("Error: 3 edits in a row were invalid") and "kept in" in last
    Path(last.rsplit("kept in ", 1)[1]).unlink()
    assert snapshot(imported.root) == before
