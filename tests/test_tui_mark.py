"""`evcards mark` driven headless through Textual's Pilot: every key, undo and redo, saving,
quitting with unsaved changes, every mark kind, a 5,000-word card, and a card file changed on
disk while it is open."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest
from rich.style import Style
from textual.pilot import Pilot
from textual.widgets import Input, Static

from evcards.cli.render import span_style
from evcards.core.markup import DEFAULT_SHRINK, parse
from evcards.core.models import PLAIN, Card, Cite, Span, content_key, new_card
from evcards.store.library import Library
from evcards.tui import document as doc
from evcards.tui.citeform import CiteForm
from evcards.tui.forms import LabelsForm, QuitQuestion, TagForm
from evcards.tui.mark import COLORS, MarkApp, MarkScreen
from evcards.tui.view import CardView

TEXT = (
    "Alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu nu xi omicron pi rho"
    " sigma tau upsilon phi chi psi omega.\n\nSecond paragraph here with _underlined words_"
    " and ==read words== too.\n\nThird and last paragraph."
)
Script = Callable[[Pilot, MarkScreen], Awaitable[None]]


def put(lib: Library, text: str = TEXT, tag: str = "The tag", **fields) -> tuple[Card, Path]:
    cite = Cite(
        short="Meick 18", full="Ethan Meick, Policy Analyst, 9-2-2018", author="Ethan Meick"
    )
    card = new_card(tag=tag, body=parse(text), cite=cite, **fields)
    with lib.lock():
        done = lib.add(card)
    return done.card, done.path


def drive(app: MarkApp, script: Script, size: tuple[int, int] = (100, 30)) -> MarkApp:
    async def main() -> None:
        async with app.run_test(size=size) as pilot:
            await pilot.pause()
            await script(pilot, app.mark_screen)
            await pilot.pause()  # a dismissal's callback (the app's exit) runs

    asyncio.run(main())
    return app


def mark(lib: Library, script: Script, ref: str | None = None, **kw) -> MarkApp:
    if ref is None:
        ref = put(lib)[0].id
    return drive(MarkApp(lib.root, ref), script, **kw)


def words(screen: MarkScreen, body=None) -> list[str]:
    texts = [("".join(s.text for s in p)) for p in (body or screen.card.body)]
    return [texts[w.para][w.start : w.end] for w in doc.words_of(body or screen.card.body)]


def selected(screen: MarkScreen) -> list[Span]:
    start, end = doc.selection_range(screen.view.words, *screen.selection)
    return [s for s in doc.pieces(screen.card.body, start, end) if s.text.strip()]


def plain(widget: Static) -> str:
    content = widget.content
    return content.plain if hasattr(content, "plain") else str(content)


def cards_in(lib: Library) -> list[tuple[Path, Card]]:
    return list(Library.open(lib.root).cards())


# -- the cursor and the selection ----------------------------------------------------------
def test_the_cursor_starts_on_the_first_word_selected_and_moves_by_word(lib):
    async def script(pilot: Pilot, screen: MarkScreen) -> None:
        assert screen.selection == (0, 0)
        first = screen.view._body_strip(screen.view._body_lines[0])
        assert first._segments[0].text == "Alpha" and first._segments[0].style.reverse
        await pilot.press("right", "right")
        assert screen.selection == (2, 2)
        await pilot.press("shift+right", "shift+right")
        assert screen.selection == (2, 4) and screen.view.cursor_word == 4
        await pilot.press("left")
        assert screen.selection == (3, 3)
        await pilot.press("shift+left", "shift+left")
        assert screen.selection == (1, 3) and screen.view.cursor_word == 1
        await pilot.press("left", "left", "left")  # stops at the first word
        assert screen.selection == (0, 0)

    mark(lib, script)


def test_up_and_down_move_by_line_and_shift_extends(lib):
    async def script(pilot: Pilot, screen: MarkScreen) -> None:
        view = screen.view
        assert view.line_count > 3
        await pilot.press("right", "right")
        x = view.cursor_x()
        await pilot.press("down")
        assert view.line_index(view.cursor_word) == 1
        assert abs(view.cursor_x() - x) <= 12  # the word below, not the line's start
        await pilot.press("up")
        assert screen.selection == (2, 2)  # the column is kept: back on the same word
        await pilot.press("shift+down", "shift+down")
        assert screen.selection[0] == 2 and view.line_index(view.cursor_word) == 2
        await pilot.press("shift+up")
        assert screen.selection[0] == 2 and view.line_index(view.cursor_word) == 1
        await pilot.press("up", "up")  # on the first line: up goes to its first word
        assert screen.selection == (0, 0)

    mark(lib, script, size=(40, 30))


def test_page_keys_and_home_end_cross_a_long_card(lib):
    text = "\n\n".join(" ".join(f"p{p}w{i}" for i in range(40)) for p in range(30))
    card, _ = put(lib, text)

    async def script(pilot: Pilot, screen: MarkScreen) -> None:
        view = screen.view
        await pilot.press("pagedown")
        first_page = view.line_index(view.cursor_word)
        assert first_page >= 10  # a screenful of lines on, not one
        await pilot.press("shift+pagedown")
        assert view.line_index(view.cursor_word) == 2 * first_page
        assert view.line_index(view.anchor_word) == first_page
        await pilot.press("pageup", "pageup")
        assert view.line_index(view.cursor_word) == 0
        await pilot.press("end")
        assert screen.selection == (len(view.words) - 1,) * 2
        await pilot.press("shift+home")
        assert screen.selection == (0, len(view.words) - 1)
        await pilot.press("h")
        assert screen.card.spoken.split() == text.split()

    mark(lib, script, ref=card.id)


def test_an_analytic_has_no_body_to_mark_but_a_tag_to_edit(lib):
    card = new_card(tag="Their interp lets the aff regulate", kind="analytic")
    with lib.lock():
        path = lib.add(card).path

    async def script(pilot: Pilot, screen: MarkScreen) -> None:
        await pilot.press("right", "shift+down", "h", "f3", "s")
        assert screen.card == card and screen.notices[-1][0] == "warning"
        await pilot.press("f7")
        pilot.app.screen.query_one(Input).value = "Their interp lets the aff ban"
        await pilot.press("enter", "ctrl+s", "q")

    mark(lib, script, ref=card.id)
    [(new_path, saved)] = cards_in(lib)
    assert saved.kind == "analytic" and saved.tag == "Their interp lets the aff ban"
    assert saved.id != card.id and new_path != path and not path.exists()


def test_a_mouse_drag_selects_the_words_it_crosses(lib):
    async def script(pilot: Pilot, screen: MarkScreen) -> None:
        view = screen.view
        row = view._row_of_line[0]
        line = view._body_lines[0]
        text = view._texts[0]

        def at(word: int) -> tuple[int, int]:
            return doc.x_of(text, line, view.words[word]) + 1, row  # + the left padding

        await pilot.mouse_down(CardView, offset=at(1))
        await pilot.hover(CardView, offset=at(3))
        await pilot.mouse_up(CardView, offset=at(3))
        await pilot.pause()
        assert screen.selection == (1, 3)
        await pilot.press("h")
        assert screen.card.spoken.startswith("beta gamma delta")

    mark(lib, script)


# -- the marks -----------------------------------------------------------------------------
MARK_KEYS = {
    "f9": lambda s: s.underline and not s.emphasis,
    "u": lambda s: s.underline and not s.emphasis,
    "f10": lambda s: s.emphasis,
    "e": lambda s: s.emphasis,
    "f11": lambda s: s.highlight == "yellow",
    "h": lambda s: s.highlight == "yellow",
}


@pytest.mark.parametrize("key", list(MARK_KEYS))
def test_each_mark_key_marks_the_selection_and_only_it(lib, key):
    async def script(pilot: Pilot, screen: MarkScreen) -> None:
        before = screen.card
        await pilot.press("right", "shift+right", "shift+right", key)
        assert all(MARK_KEYS[key](s) for s in selected(screen))
        assert words(screen) == words(screen, before.body)
        first = screen.card.body[0][0]
        assert first.text.startswith("Alpha ") and not MARK_KEYS[key](first)
        assert screen.dirty

    mark(lib, script)


@pytest.mark.parametrize("key", ["f12", "x"])
def test_clear_takes_every_mark_off_the_selection(lib, key):
    async def script(pilot: Pilot, screen: MarkScreen) -> None:
        second = 24  # "Second": its paragraph holds an underline and a highlight
        for _ in range(second):
            await pilot.press("right")
        for _ in range(8):
            await pilot.press("shift+right")
        assert any(s.underline for s in selected(screen))
        await pilot.press(key)
        assert all(s.marks() == PLAIN for s in selected(screen))
        assert screen.card.spoken == ""

    mark(lib, script)


def test_c_cycles_the_highlight_colour_from_the_configured_one(lib, tmp_path):
    (tmp_path / "home").mkdir(exist_ok=True)
    (tmp_path / "home" / "config.toml").write_text('highlight = "cyan"\n')

    async def script(pilot: Pilot, screen: MarkScreen) -> None:
        await pilot.press("h")
        assert screen.card.body[0][0].highlight == "cyan"
        await pilot.press("right", "c", "h")
        after = COLORS[COLORS.index("cyan") + 1]
        assert screen.color == after
        assert [s.highlight for s in selected(screen)] == [after]
        status = plain(screen.query_one("#status", Static))
        assert after in status

    mark(lib, script)


def test_f3_condenses_the_selected_paragraphs_or_the_whole_card(lib):
    async def script(pilot: Pilot, screen: MarkScreen) -> None:
        assert len(screen.card.body) == 3
        await pilot.press("shift+down", "shift+down", "shift+down", "shift+down")
        assert screen.view.words[screen.view.cursor_word].para == 1
        await pilot.press("f3")
        assert len(screen.card.body) == 2
        await pilot.press("left", "f3")  # a selection inside one paragraph: all of them
        assert len(screen.card.body) == 1
        assert words(screen) == words(screen, parse(TEXT))

    mark(lib, script, size=(60, 30))


@pytest.mark.parametrize("key", ["alt+f3", "s"])
def test_shrink_shrinks_the_unmarked_text_and_toggles(lib, key):
    async def script(pilot: Pilot, screen: MarkScreen) -> None:
        await pilot.press(key)
        sizes = {s.text.split()[0]: s.size for p in screen.card.body for s in p if s.text.strip()}
        assert sizes["Alpha"] == DEFAULT_SHRINK and sizes["underlined"] is None
        await pilot.press(key)
        assert all(s.size is None for p in screen.card.body for s in p)

    mark(lib, script)


# -- the tag, the cite and the labels ------------------------------------------------------
def test_f7_edits_the_tag(lib):
    async def script(pilot: Pilot, screen: MarkScreen) -> None:
        await pilot.press("f7")
        assert isinstance(pilot.app.screen, TagForm)
        await pilot.press("end", "space", "n", "o", "w", "enter")
        assert not isinstance(pilot.app.screen, TagForm)
        assert screen.card.tag == "The tag now"
        await pilot.press("f7", "space", "escape")  # escape leaves it as it was
        assert screen.card.tag == "The tag now"

    mark(lib, script)


CITE = (
    'Meick 18 (Ethan Meick, Policy Analyst at the USCC, 9-2-2018, "China-Russia Ties,"'
    " The National Interest, https://nationalinterest.example/a) ank"
)


def test_f8_reads_the_cite_as_typed_with_its_fields_and_grade_live(lib):
    async def script(pilot: Pilot, screen: MarkScreen) -> None:
        stored = screen.card.cite
        await pilot.press("f8", "enter")  # kept as it is: the stored fields, not a new reading
        assert screen.card.cite == stored and not screen.dirty
        await pilot.press("f8")
        form = pilot.app.screen
        assert isinstance(form, CiteForm)
        # opened, it shows the fields as stored, not as the parser would read the line
        assert form.query_one("#f-author", Input).value == "Ethan Meick"
        assert form.query_one("#f-quals", Input).value == ""
        assert (
            form.query_one("#line", Input).value
            == "Meick 18 (Ethan Meick, Policy Analyst, 9-2-2018)"
        )
        form.query_one("#line", Input).value = CITE
        await pilot.pause()
        assert form.query_one("#f-author", Input).value == "Ethan Meick"
        assert form.query_one("#f-title", Input).value == "China-Russia Ties"
        assert plain(form.query_one("#grade", Static)) == "Cite grade: A"
        form.query_one("#f-quals", Input).value = ""
        await pilot.pause()
        assert plain(form.query_one("#grade", Static)) == "Cite grade: B - missing: quals"
        form.query_one("#f-author", Input).focus()
        await pilot.press("enter")
        cite = screen.card.cite
        assert cite.author == "Ethan Meick" and cite.quals is None and cite.initials == "ank"
        assert cite.short == "Meick 18" and "USCC" not in cite.full  # rebuilt from the fields
        await pilot.press("f8")
        pilot.app.screen.query_one("#line", Input).value = "not a cite at all"
        await pilot.pause()
        assert "no short cite" in plain(pilot.app.screen.query_one("#problem", Static))
        await pilot.press("escape")
        assert screen.card.cite == cite

    mark(lib, script)


def test_l_sets_the_labels_folded_and_refuses_a_bad_one(lib):
    async def script(pilot: Pilot, screen: MarkScreen) -> None:
        await pilot.press("l")
        form = pilot.app.screen
        assert isinstance(form, LabelsForm)
        form.query_one(Input).value = "bad/label"
        await pilot.press("enter")
        assert pilot.app.screen is form
        assert "not a label" in plain(form.query_one("#problem", Static))
        form.query_one(Input).value = "Neg, China DA"
        await pilot.press("enter")
        assert screen.card.labels == ["china-da", "neg"]

    mark(lib, script)


# -- undo, save and quit -------------------------------------------------------------------
def test_undo_and_redo_step_through_every_change(lib):
    async def script(pilot: Pilot, screen: MarkScreen) -> None:
        original = screen.card
        await pilot.press("h")
        highlighted = screen.card
        await pilot.press("u", "l")
        screen.app.screen.query_one(Input).value = "aff"
        await pilot.press("enter")
        assert screen.card.labels == ["aff"]
        await pilot.press("ctrl+z")
        assert screen.card.labels == [] and screen.card.body[0][0].underline
        await pilot.press("ctrl+z")
        assert screen.card == highlighted
        await pilot.press("ctrl+z")
        assert screen.card == original and not screen.dirty
        await pilot.press("ctrl+z")  # nothing left: a notice, no change
        assert screen.card == original and screen.notices[-1][1] == "Nothing to undo."
        await pilot.press("ctrl+y", "ctrl+y")
        assert screen.card.body[0][0].underline and screen.card.body[0][0].highlight
        await pilot.press("e")  # a new change forgets what could be redone
        await pilot.press("ctrl+y")
        assert screen.notices[-1][1] == "Nothing to redo."

    mark(lib, script)


def test_ctrl_s_saves_under_the_new_id_replacing_the_old_file(lib):
    card, path = put(lib)

    async def script(pilot: Pilot, screen: MarkScreen) -> None:
        await pilot.press("shift+right", "shift+right", "shift+right", "f11", "ctrl+s")
        assert not screen.dirty
        assert screen.notices[-1][1].startswith("Saved ")
        await pilot.press("q")

    app = mark(lib, script, ref=card.id)
    [(new_path, saved)] = cards_in(lib)
    assert not path.exists() and new_path.name.endswith(f"{saved.id}.toml")
    assert saved.id == content_key(saved.body, saved.tag, saved.cite) != card.id
    assert saved.spoken.startswith("Alpha beta gamma delta ") and "epsilon" not in saved.spoken
    assert saved.tag == card.tag and saved.cite == card.cite
    assert app.return_value is not None and app.return_value.path == new_path


def test_quitting_with_unsaved_changes_asks_first(lib):
    card, path = put(lib)
    before = path.read_bytes()

    async def stay_then_discard(pilot: Pilot, screen: MarkScreen) -> None:
        await pilot.press("h", "q")
        assert isinstance(pilot.app.screen, QuitQuestion)
        await pilot.press("escape")
        assert pilot.app.screen is screen and screen.dirty
        await pilot.press("q", "d")

    app = mark(lib, stay_then_discard, ref=card.id)
    assert app.return_value is None and path.read_bytes() == before

    async def save_and_quit(pilot: Pilot, screen: MarkScreen) -> None:
        await pilot.press("h", "q", "s")

    app = mark(lib, save_and_quit, ref=card.id)
    [(new_path, saved)] = cards_in(lib)
    assert app.return_value.path == new_path and saved.spoken == "Alpha read words"


def test_q_without_changes_quits_at_once_and_returns_to_the_pusher(lib):
    async def script(pilot: Pilot, screen: MarkScreen) -> None:
        await pilot.press("right", "q")
        await pilot.pause()
        assert screen not in pilot.app.screen_stack

    app = mark(lib, script)
    assert app.return_value is None


# -- cards as they come --------------------------------------------------------------------
EVERY_MARK = (
    "plain _under_ **emph** ==high== =={green}green== ~small~ {b}bold{b} {i}italic{i}"
    " {box}boxed{box} {shade:D9D9D9}shaded{/shade} _==**all three**==_ end"
)


def test_a_card_with_every_mark_is_drawn_as_show_draws_it_and_keeps_its_marks(lib):
    card, _ = put(lib, EVERY_MARK)
    assert len({s.marks() for s in card.body[0]}) >= 11

    async def script(pilot: Pilot, screen: MarkScreen) -> None:
        view = screen.view
        screen.view.select(len(view.words) - 1, len(view.words) - 1)  # the cursor off the marks
        drawn = [seg for line in view._body_lines for seg in view._body_strip(line)._segments]
        spans = {s.text: s for s in card.body[0]}
        for seg in drawn:
            if seg.text in spans:
                assert seg.style == Style.parse(span_style(spans[seg.text]) or "none"), seg.text
        assert {seg.text for seg in drawn} >= {"under", "emph", "small", "shaded"}
        await pilot.press("shift+left", "shift+left", "h", "ctrl+s")  # "all three end"

    mark(lib, script, ref=card.id)
    [(_, saved)] = cards_in(lib)
    kept = {s.text: s.marks() for s in saved.body[0]}
    for span in card.body[0]:
        if span.text.strip() and span.text.strip() not in ("all three", "end"):
            assert kept[span.text] == span.marks(), span.text
    assert saved.spoken.endswith("green all three end")


def test_a_5000_word_card_draws_only_the_lines_on_screen(lib, monkeypatch):
    text = "\n\n".join(
        " ".join(f"w{p}x{i}" for i in range(100)) + "." for p in range(50)
    )  # 50 paragraphs of 100 words
    card, _ = put(lib, text)
    drawn: list[int] = []
    layouts: list[int] = []
    body_strip, layout = CardView._body_strip, CardView._layout
    monkeypatch.setattr(
        CardView, "_body_strip", lambda v, line: drawn.append(1) or body_strip(v, line)
    )
    monkeypatch.setattr(CardView, "_layout", lambda v: layouts.append(1) or layout(v))

    async def script(pilot: Pilot, screen: MarkScreen) -> None:
        assert len(screen.view.words) == 5000
        laid = len(layouts)
        for _ in range(40):
            await pilot.press("down")
        drawn.clear()
        await pilot.press("shift+down", "shift+down", "h")
        assert len(drawn) <= 3 * 30  # each key redraws at most the screen, not 5,000 words
        assert len(layouts) == laid  # marks never lay the card out again
        assert screen.view.line_index(screen.view.cursor_word) == 42
        await pilot.press("ctrl+s")

    mark(lib, script, ref=card.id)
    [(_, saved)] = cards_in(lib)
    every, spoken = text.split(), saved.spoken.split()
    at = every.index(spoken[0])
    assert 10 < len(spoken) < 60 and spoken == every[at : at + len(spoken)]


@pytest.mark.parametrize("how", ["changed", "deleted"])
def test_a_card_changed_on_disk_while_open_is_not_overwritten(lib, how):
    card, path = put(lib)

    async def script(pilot: Pilot, screen: MarkScreen) -> None:
        await pilot.press("h")
        if how == "changed":
            path.write_text(path.read_text().replace("The tag", "Edited elsewhere"))
        else:
            path.unlink()
        await pilot.press("ctrl+s")
        severity, message = screen.notices[-1]
        assert severity == "error" and message.startswith("Error: ")
        assert ("changed on disk" if how == "changed" else "was deleted") in message
        assert "nothing was saved" in message and screen.dirty

    mark(lib, script, ref=card.id)
    files = cards_in(lib)
    if how == "changed":
        [(still, kept)] = files
        assert still == path and kept.tag == "Edited elsewhere" and kept.body == card.body
    else:
        assert files == []


def test_an_unknown_card_is_an_error_before_the_screen_opens(lib):
    from evcards.errors import CardNotFound

    with pytest.raises(CardNotFound):
        MarkApp(lib.root, "ffffffff")


# -- a draft from `evcards cut` ------------------------------------------------------------
def test_a_draft_opens_on_the_tag_then_the_cite_and_is_saved_once(lib):
    from evcards.cutting import check_tagged, save_cut

    draft = new_card(body=parse(TEXT), cite=Cite(short="Meick 18", full="Ethan Meick, 2018"))
    stored: list[Path] = []

    def save_draft(card: Card) -> Path:
        check_tagged(card)
        stored.append(save_cut(lib, card).path)
        return stored[-1]

    async def script(pilot: Pilot, screen: MarkScreen) -> None:
        assert isinstance(pilot.app.screen, TagForm)
        await pilot.press("escape")  # no tag yet
        assert isinstance(pilot.app.screen, CiteForm)
        await pilot.press("escape", "h", "ctrl+s")
        assert screen.notices[-1][0] == "error" and "tag" in screen.notices[-1][1]
        assert not stored
        await pilot.press("f7")
        pilot.app.screen.query_one(Input).value = "Drafted tag"
        await pilot.press("enter", "ctrl+s", "right", "u", "ctrl+s")
        await pilot.press("q")

    app = drive(MarkApp.for_draft(lib.root, draft, save_draft), script)
    assert len(stored) == 1  # the second save replaced the file the first one made
    [(path, saved)] = cards_in(lib)
    assert saved.tag == "Drafted tag"
    assert any(s.text == "beta" and s.underline for s in saved.body[0])
    assert app.return_value.path == path


# -- the command ---------------------------------------------------------------------------
def test_mark_names_an_unknown_card_or_a_missing_terminal_in_one_error_line(runner, lib):
    from evcards.cli import app

    result = runner.invoke(app, ["mark", "abcdef"])
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: no card with id 'abcdef'")
    card, _ = put(lib)
    result = runner.invoke(app, ["mark", card.id[:6]])
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: `evcards mark` needs a terminal")
    assert "Traceback" not in result.output
