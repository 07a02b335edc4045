"""Speeches as library functions: the file format, building, reordering, showing, exporting."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from budget import examples, scaled
from conftest import REPO
from hypothesis import given, settings
from hypothesis import strategies as st
from strategies import text_chars

from evcards import speeches
from evcards.core.models import Cite, Location, Span, new_card
from evcards.errors import AmbiguousCard, CardNotFound, InvalidSpeech, SpeechNotFound
from evcards.exporting import plan_export
from evcards.speechdoc import export_speech, read_aloud, speech_cards, view_speech
from evcards.store import speechfile
from evcards.store.library import Library
from evcards.store.speechfile import Analytic, Block, Speech


def make_cards(n: int, start: int = 0) -> list:
    return [
        new_card(
            tag=f"Tag number {i} says something",
            cite=Cite(short=f"Author {i % 90 + 10}", full=f"Full cite {i}"),
            location=Location(pocket="2NC", hat="Somebody's hat", block="Somebody's block"),
            body=[[Span(text=f"body {i} "), Span(text=f"read {i} aloud", highlight="yellow")]],
        )
        for i in range(start, start + n)
    ]


def store(lib, cards: list) -> list:
    with lib.lock():
        for card in cards:
            lib.add(card)
    return cards


@pytest.fixture
def filled(lib):
    return store(lib, make_cards(8))


def ids(view) -> list[str | None]:
    return [r.id for r in view.rows]


# -- the file --------------------------------------------------------------------------------
single_line = st.text(text_chars, max_size=20).filter(lambda t: "\n" not in t)
heading = single_line.filter(lambda t: t.strip())
card_id = st.from_regex(r"\A[0-9a-f]{16}\Z")
analytic = heading.map(lambda t: Analytic(analytic=t))
blocks = st.builds(
    Block,
    heading=heading,
    hat=single_line,
    items=st.lists(card_id | analytic, max_size=4),
)
speech_models = st.builds(Speech, title=single_line, blocks=st.lists(blocks, max_size=4))


@settings(max_examples=examples(200), deadline=None)  # a loaded machine is no failure
@given(speech_models, st.dictionaries(card_id, single_line, max_size=3))
def test_a_speech_file_reads_back_as_written(speech, notes):
    text = speechfile.dumps(speech, notes)
    assert speechfile.loads(text) == speech


def test_a_speech_file_is_what_the_readme_says(lib, filled):
    speeches.new_speech(lib, "1nc", "1NC vs Michigan KH")
    speeches.add_items(lib, "1nc", [filled[0].id[:6]], block="Deterrence DA", hat="Off")
    speeches.add_items(lib, "1nc", analytics=["They dropped the link turn"])
    text = (lib.root / "speeches" / "1nc.toml").read_text()
    assert 'title = "1NC vs Michigan KH"' in text
    assert '\n[[blocks]]\nhat = "Off"\nheading = "Deterrence DA"\nitems = [\n' in text
    assert f'    "{filled[0].id}",  # Author 10 | Tag number 0 says something\n' in text
    assert '    { analytic = "They dropped the link turn" },\n]\n' in text


def good_file(lib, filled) -> Path:
    speeches.new_speech(lib, "1nc", "1NC")
    speeches.add_items(lib, "1nc", [c.id for c in filled[:2]], block="DA", hat="Off")
    speeches.add_items(lib, "1nc", [filled[2].id], block="Case")
    speeches.add_items(lib, "1nc", analytics=["Extend it"])
    return lib.root / "speeches" / "1nc.toml"


@pytest.mark.parametrize(
    ("old", "new", "line", "fix"),
    [
        ('heading = "Case"', 'heding = "Case"', 14, "unknown key 'heding'"),
        ('heading = "Case"', "", 13, 'add heading = "..."'),
        ("titl", "", 3, "unknown key"),
        ('title = "1NC"', "title = 1NC", 3, "text goes in double quotes"),
        ('hat = "Off"', "hat = 3", 6, "should be text in double quotes"),
        ('{ analytic = "Extend it" }', '{ analytc = "Extend it" }', 17, '{ analytic = "..." }'),
        ('{ analytic = "Extend it" }', "7", 17, "not 7"),
        ("items = [", "items = [\n    # a comment\n    'abc',", 10, "16 hex digits"),
        ("[[blocks]]\nhat", "[[blocks]]\ncolour = 'red'\nhat", 6, "unknown key 'colour'"),
        ('heading = "Case"', 'heading = "Case', 14, "invalid TOML"),
    ],
)
def test_a_hand_edited_mistake_names_the_file_the_line_and_the_fix(
    lib, filled, old, new, line, fix
):
    path = good_file(lib, filled)
    text = path.read_text()
    if old == "titl":
        text = text.replace("title =", "titl =")
    else:
        assert old in text
        text = text.replace(old, new, 1)
    path.write_text(text)
    with pytest.raises(InvalidSpeech) as e:
        speechfile.read(lib.root, "1nc")
    message = str(e.value)
    assert message.startswith(str(path))
    assert f"line {line}" in message, (message, text.splitlines()[line - 1])
    assert fix in message
    before = path.read_bytes()
    with pytest.raises(InvalidSpeech):  # and a change refuses to touch the broken file
        speeches.add_items(lib, "1nc", analytics=["more"])
    assert path.read_bytes() == before


def test_the_line_of_an_item_is_found_however_the_array_is_laid_out():
    text = 'title = ""\n[[blocks]]\nheading = "A"\nitems = ["%s", 5]\n' % ("a" * 16)
    with pytest.raises(InvalidSpeech, match="line 4: block 1, item 2"):
        speechfile.loads(text)


def test_speech_names_are_checked():
    for bad in ("", "../x", ".hidden", "12", "3-5", "a/b", "x" * 65):
        with pytest.raises(InvalidSpeech):
            speechfile.check_name(bad)
    assert speechfile.check_name("1nc-michigan.toml") == "1nc-michigan"


# -- the walk leaves speeches alone ----------------------------------------------------------
def test_speech_files_are_not_cards(lib, filled):
    from evcards.index.search import search

    good_file(lib, filled)
    assert all("speeches" not in p.parts for p in lib.paths())
    assert len(list(lib.paths())) == len(filled)
    assert len(search(lib.root, "Tag number", limit=50)) == len(filled)
    # Only the library's own speeches/: a folder of cards called so lower down is cards.
    (lib.root / "neg" / "speeches").mkdir(parents=True)
    moved = lib.root / "neg" / "speeches" / lib.path_of(filled[0].id).name
    lib.path_of(filled[0].id).rename(moved)
    lib._ids = None
    assert lib.path_of(filled[0].id) == moved
    assert search(lib.root, "Tag number 0", limit=1)[0].id == filled[0].id


# -- making, using, removing -----------------------------------------------------------------
def test_new_use_rm_and_the_current_speech(lib):
    with pytest.raises(SpeechNotFound, match="no current speech"):
        speeches.target(lib, None)
    speeches.new_speech(lib, "1nc")
    assert speechfile.read(lib.root, "1nc").title == "1nc"
    assert speeches.target(lib, None) == "1nc"
    speeches.new_speech(lib, "2nr", "2NR")
    assert speeches.target(lib, None) == "2nr"
    assert speeches.use_speech(lib, "1nc") == "1nc"
    assert speeches.target(lib, None) == "1nc"
    with pytest.raises(InvalidSpeech, match="already exists"):
        speeches.new_speech(lib, "1nc")
    with pytest.raises(SpeechNotFound, match="speech new nope"):
        speeches.use_speech(lib, "nope")
    assert [s.name for s in speeches.list_speeches(lib, 250)] == ["1nc", "2nr"]
    speeches.remove_speech(lib, "1nc")
    assert speechfile.current(lib.root) is None
    assert [s.name for s in speeches.list_speeches(lib, 250)] == ["2nr"]
    with pytest.raises(SpeechNotFound):
        speeches.remove_speech(lib, "1nc")


# -- adding ----------------------------------------------------------------------------------
def test_add_appends_inserts_and_makes_blocks(lib, filled):
    speeches.new_speech(lib, "s")
    with pytest.raises(InvalidSpeech, match="--block"):
        speeches.add_items(lib, "s", [filled[0].id])
    a, b, c, d, e, f = (card.id for card in filled[:6])
    done = speeches.add_items(lib, "s", [a[:5], b], block="DA", hat="Off")
    assert (done.positions, done.created) == ([1, 2], True)
    speeches.add_items(lib, "s", [c], block="Case")  # no hat: after the others
    speeches.add_items(lib, "s", [d], block="CP", hat="Off")  # joins the Off blocks
    assert [b.heading for b in speechfile.read(lib.root, "s").blocks] == ["DA", "CP", "Case"]
    speeches.add_items(lib, "s", [e], at=1)  # before item 1, in its block
    done = speeches.add_items(lib, "s", [f], block="DA", at=4)  # the end of DA
    assert done.positions == [4]
    speeches.add_items(lib, "s", analytics=["Extend"])  # the last block
    view = view_speech(lib, "s", 250)
    assert ids(view) == [e, a, b, f, d, c, None]
    assert [blk.heading for blk in view.blocks] == ["DA", "CP", "Case"]
    assert view.blocks[2].rows[1].tag == "Extend"


def test_add_refuses_bad_cards_and_changes_nothing(lib, filled):
    speeches.new_speech(lib, "s")
    speeches.add_items(lib, "s", [filled[0].id], block="DA")
    path = lib.root / "speeches" / "s.toml"
    before = path.read_bytes()
    with pytest.raises(CardNotFound, match="no card with id 'ffffffff'"):
        speeches.add_items(lib, "s", [filled[1].id, "ffffffff"], block="DA")
    with pytest.raises(CardNotFound, match="not a card id"):
        speeches.add_items(lib, "s", ["not-a-card"])
    with pytest.raises(InvalidSpeech, match="holds items 1 to 1"):
        speeches.add_items(lib, "s", [filled[1].id], block="DA", at=5)
    with pytest.raises(InvalidSpeech, match="is new"):
        speeches.add_items(lib, "s", [filled[1].id], block="New", at=1)
    with pytest.raises(InvalidSpeech, match="--hat goes with --block"):
        speeches.add_items(lib, "s", [filled[1].id], hat="Off")
    with pytest.raises(InvalidSpeech, match="nothing to add"):
        speeches.add_items(lib, "s")
    with pytest.raises(SpeechNotFound):
        speeches.add_items(lib, "nope", [filled[1].id], block="DA")
    assert path.read_bytes() == before


def test_an_ambiguous_prefix_is_refused(lib):
    made = store(lib, make_cards(40))
    first = sorted(c.id for c in made)
    shared = next(
        a[0] for a, b in zip(first, first[1:], strict=False) if a[0] == b[0]
    )  # 40 ids over 16 first digits: two share one
    speeches.new_speech(lib, "s")
    with pytest.raises(AmbiguousCard):
        speeches.add_items(lib, "s", [shared], block="DA")


def test_a_card_already_in_the_speech_is_skipped(lib, filled):
    speeches.new_speech(lib, "s")
    speeches.add_items(lib, "s", [filled[0].id], block="DA")
    done = speeches.add_items(lib, "s", [filled[0].id, filled[1].id, filled[1].id])
    assert done.positions == [2]
    assert len(done.skipped) == 2 and "item 1" in done.skipped[0]


def test_add_by_query_takes_the_best_matches(lib, filled):
    from evcards.index.search import search

    speeches.new_speech(lib, "s")
    best = [hit.id for hit in search(lib.root, "Tag number", limit=2)]
    done = speeches.add_items(lib, "s", query="Tag number", limit=2, block="DA")
    assert done.positions == [1, 2]
    assert ids(view_speech(lib, "s", 250)) == best
    with pytest.raises(CardNotFound, match="no cards match"):
        speeches.add_items(lib, "s", query="zyzzyva")


# -- moving and dropping ---------------------------------------------------------------------
sizes = st.lists(st.integers(1, 4), min_size=1, max_size=4)


def built(lib, block_sizes: list[int]) -> list[tuple[str, str]]:
    """A speech `s` of blocks of these sizes; (block heading, card id) per item. Moving and
    dropping never look the cards up, so the ids need no cards."""
    speech, layout = Speech(title="S"), []
    for n, size in enumerate(block_sizes):
        chosen = [f"{n:08x}{k:08x}" for k in range(size)]
        speech.blocks.append(Block(heading=f"B{n}", items=chosen))
        layout += [(f"B{n}", i) for i in chosen]
    speechfile.write(lib.root, "s", speech)
    return layout


def layout_of(lib) -> list[tuple[str, str]]:
    return [(b.heading, i) for b in speechfile.read(lib.root, "s").blocks for i in b.items]


@settings(max_examples=examples(200), deadline=None)
@given(sizes, st.data())
def test_move_gives_the_item_the_number_and_block_of_its_target(tmp_path_factory, sizes, data):
    lib = Library.open(tmp_path_factory.mktemp("lib"), create=True)
    layout = built(lib, sizes)
    source = data.draw(st.integers(1, len(layout)))
    dest = data.draw(st.integers(1, len(layout)))
    speeches.move_item(lib, "s", source, str(dest))
    expected = layout[: source - 1] + layout[source:]
    expected.insert(dest - 1, (layout[dest - 1][0], layout[source - 1][1]))
    assert layout_of(lib) == expected


def test_move_to_a_block_heading_goes_to_its_end(lib):
    layout = built(lib, [2, 2])
    done = speeches.move_item(lib, "s", 1, "B1")
    assert layout_of(lib) == [layout[1], layout[2], layout[3], ("B1", layout[0][1])]
    done = speeches.move_item(lib, "s", 1, "B1")  # B0 is left empty, so it goes
    assert done.removed_blocks == ["B0"]
    with pytest.raises(InvalidSpeech, match="neither an item number nor a block"):
        speeches.move_item(lib, "s", 1, "Nowhere")
    with pytest.raises(InvalidSpeech, match="items 1 to 4"):
        speeches.move_item(lib, "s", 9, "1")


@settings(max_examples=examples(200), deadline=None)
@given(sizes, st.data())
def test_drop_removes_exactly_the_numbers_given(tmp_path_factory, sizes, data):
    lib = Library.open(tmp_path_factory.mktemp("lib"), create=True)
    layout = built(lib, sizes)
    gone = data.draw(st.sets(st.integers(1, len(layout)), min_size=1))
    done = speeches.drop_items(lib, "s", sorted(gone))
    kept = [p for n, p in enumerate(layout, 1) if n not in gone]
    assert layout_of(lib) == kept
    assert done.items == [p[1] for n, p in enumerate(layout, 1) if n in gone]
    assert set(done.removed_blocks) == {b for b, _ in layout} - {b for b, _ in kept}


def test_positions_are_numbers_and_ranges():
    assert speeches.parse_positions(["3", "5-7", " 9 "]) == [3, 5, 6, 7, 9]
    for bad in ("x", "7-5", "-1", "1.5"):
        with pytest.raises(InvalidSpeech):
            speeches.parse_positions([bad])


def test_drop_checks_every_number_first(lib):
    built(lib, [2])
    before = (lib.root / "speeches" / "s.toml").read_bytes()
    with pytest.raises(InvalidSpeech, match="item 3: the speech has items 1 to 2"):
        speeches.drop_items(lib, "s", [1, 3])
    assert (lib.root / "speeches" / "s.toml").read_bytes() == before


# -- showing and exporting -------------------------------------------------------------------
def test_show_counts_words_read_per_card_block_and_speech(lib, filled):
    good_file(lib, filled)
    view = view_speech(lib, "1nc", 200)
    cards = {c.id: c for c in filled}
    for row in view.rows:
        expected = cards[row.id].words_read if row.id else 2  # "Extend it"
        assert row.words_read == expected
    assert view.words_read == sum(b.words_read for b in view.blocks)
    assert view.seconds == pytest.approx(view.words_read * 60 / 200)
    data = view.as_json()
    assert set(data) == {"name", "title", "blocks", "words_read", "seconds"}
    assert data["blocks"][1]["cards"][1] == {
        "id": None,
        "tag": "Extend it",
        "short_cite": "",
        "words_read": 2,
    }
    assert read_aloud(view)[0] == ["Tag number 0 says something", "Author 10", "read 0 aloud"]
    assert read_aloud(view)[-1] == ["Extend it"]


def test_a_card_removed_from_the_library_is_shown_and_refused_by_export(lib, filled, tmp_path):
    good_file(lib, filled)
    lib.remove(lib.path_of(filled[1].id))
    view = view_speech(lib, "1nc", 250)
    (gone,) = view.missing
    assert (gone.number, gone.id, gone.card) == (2, filled[1].id, None)
    assert (gone.short_cite, gone.tag) == ("Author 11", "Tag number 1 says something")
    assert view.as_json()["blocks"][0]["cards"][1]["tag"] is None
    plan = plan_export(str(tmp_path / "out.docx"), None)
    with pytest.raises(CardNotFound, match=r"item 2, card .* `evcards speech drop 1nc 2`"):
        export_speech(lib, "1nc", plan)
    assert not (tmp_path / "out.docx").exists()


def test_export_uses_the_speech_headings_not_the_cards_own(lib, filled, tmp_path):
    good_file(lib, filled)
    cards = speech_cards(lib, "1nc")
    assert [(c.location.pocket, c.location.hat, c.location.block) for c in cards] == [
        ("1NC", "Off", "DA"),
        ("1NC", "Off", "DA"),
        ("1NC", "", "Case"),
        ("1NC", "", "Case"),
    ]
    assert cards[3].kind == "analytic" and cards[3].body == [] and cards[3].tag == "Extend it"
    plan = plan_export(str(tmp_path / "s.md"), None)
    done = export_speech(lib, "1nc", plan)
    text = (tmp_path / "s.md").read_text()
    assert text == done.data
    headings = [line for line in text.splitlines() if line.startswith("#")]
    assert headings == [
        "# 1NC",
        "## Off",
        "### DA",
        "#### Tag number 0 says something",
        "#### Tag number 1 says something",
        "# 1NC",  # a Hat that ends goes back to the Pocket (core/outline)
        "### Case",
        "#### Tag number 2 says something",
        "#### Extend it",
    ]
    assert "Somebody" not in text


def test_an_empty_speech_exports_nothing(lib, tmp_path):
    speeches.new_speech(lib, "s")
    with pytest.raises(InvalidSpeech, match="has no items"):
        export_speech(lib, "s", plan_export(str(tmp_path / "s.md"), None))


# -- two processes at once -------------------------------------------------------------------
ADDER = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from evcards import speeches
    from evcards.store.library import Library

    lib = Library.open(Path(sys.argv[1]))
    for ref in sys.argv[2:]:
        speeches.add_items(lib, "s", [ref], block="DA")
    """
)


def test_two_processes_adding_at_once_lose_nothing(lib):
    n = scaled(60, 15)
    made = store(lib, make_cards(2 * n, 500))
    speeches.new_speech(lib, "s")
    speeches.add_items(lib, "s", analytics=["first"], block="DA")
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    halves = [[c.id for c in made[:n]], [c.id for c in made[n:]]]
    procs = [
        subprocess.Popen([sys.executable, "-c", ADDER, str(lib.root), *half], env=env)
        for half in halves
    ]
    assert [p.wait(timeout=300) for p in procs] == [0, 0]
    items = speechfile.read(lib.root, "s").blocks[0].items
    assert sorted(i for i in items if isinstance(i, str)) == sorted(c.id for c in made)
    assert len(items) == 2 * n + 1
    # Each process's own cards stay in the order it added them.
    for half in halves:
        assert [i for i in items if i in half] == half


def test_a_broken_speech_can_still_be_chosen_and_removed(lib, filled):
    path = good_file(lib, filled)
    path.write_text("title = [\n")
    speeches.new_speech(lib, "other")
    assert speeches.use_speech(lib, "1nc") == "1nc"
    assert [s.problem is not None for s in speeches.list_speeches(lib, 250)] == [True, False]
    speeches.remove_speech(lib, "1nc")
    assert not path.exists()


def test_a_refused_command_leaves_no_library_behind(tmp_path):
    lib = Library(tmp_path / "nowhere")
    with pytest.raises(SpeechNotFound):
        speeches.move_item(lib, "s", 1, "2")
    with pytest.raises(SpeechNotFound):
        speeches.use_speech(lib, "s")
    assert not lib.root.exists()
    assert speeches.list_speeches(lib, 250) == []


def test_export_passes_the_title_and_page_breaks_to_the_writer(lib, filled, monkeypatch, tmp_path):
    import evcards.speechdoc

    seen = {}

    def fake_render(cards, fmt, **options):
        seen.update(options, fmt=fmt, tags=[c.tag for c in cards])
        return b"PK"

    monkeypatch.setattr(evcards.speechdoc, "render", fake_render)
    good_file(lib, filled)
    export_speech(lib, "1nc", plan_export(str(tmp_path / "s.docx"), None), page_breaks=False)
    assert (seen["fmt"], seen["title"], seen["page_breaks"], seen["read"]) == (
        "docx",
        "1NC",
        False,
        False,
    )
    assert seen["tags"][-1] == "Extend it" and (tmp_path / "s.docx").read_bytes() == b"PK"
