"""`evcards fix --cites`: stored cites parsed again into their fields; bodies and ids kept."""

from __future__ import annotations

import tomllib

from conftest import snapshot

from evcards.cli import app
from evcards.core.models import Cite, Span, new_card

# As the importers stored them before the cite parser: the author from the bracket alone.
OLD = [
    Cite(
        short="Black 21",
        full="Emma; Lecturer at the University of Sheffield, “Educational Background in"
        " Politics,” Political Quarterly, 3-4-2021",
        author="Emma",
    ),
    Cite(
        short="Shere 16",
        full="Shere 16 (Jeremy Shere, Science Writer, 5-4-2016, “Title Here,” Nautilus)",
        author="Shere 16 (Jeremy Shere",
    ),
]


def _add(lib, cite, text):
    card = new_card(tag="T " + text, cite=cite, body=[[Span(text=text, underline=True)]])
    with lib.lock():
        return lib.add(card).card


def _body(path):
    return tomllib.loads(path.read_text(encoding="utf-8"))["body"]


def test_fix_cites_over_the_whole_library(runner, lib):
    cards = [_add(lib, cite, f"body {k}") for k, cite in enumerate(OLD)]
    bodies = {card.id: _body(lib.path_of(card.id)) for card in cards}
    result = runner.invoke(app, ["fix", "--cites"])
    assert result.exit_code == 0, result.output
    assert result.output.count("fixed (cites)") == 2
    after = {card.id: (path, card) for path, card in lib.cards()}
    assert set(after) == {card.id for card in cards}  # ids unchanged
    for card in cards:
        path, fixed = after[card.id]
        assert _body(path) == bodies[card.id]  # the body's text, byte for byte
        assert fixed.body == card.body
        assert (fixed.cite.short, fixed.cite.full) == (card.cite.short, card.cite.full)
    black, shere = (after[card.id][1].cite for card in cards)
    assert black.author == "Emma Black"
    assert black.title == "Educational Background in Politics"
    assert black.publication == "Political Quarterly"
    assert black.date == "3-4-2021"
    assert shere.author == "Jeremy Shere"
    assert shere.quals == "Science Writer"
    # Again: nothing left to do.
    result = runner.invoke(app, ["fix", "--cites"])
    assert result.output.count("unchanged") == 2


def test_fix_cites_of_named_cards_only(runner, lib):
    black, shere = (_add(lib, cite, f"body {k}") for k, cite in enumerate(OLD))
    before = lib.path_of(shere.id).read_bytes()
    result = runner.invoke(app, ["fix", "--cites", black.id[:6]])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == f"{black.id[:8]}  Black 21  fixed (cites)"
    assert lib.path_of(shere.id).read_bytes() == before
    assert lib.resolve(black.id)[1].cite.author == "Emma Black"


def test_fix_cites_fills_an_empty_short_cite(runner, lib):
    card = _add(lib, Cite(full="Meick 18 (Ethan Meick, Policy Analyst, 9-2-2018)"), "x")
    result = runner.invoke(app, ["fix", "--cites", card.id])
    assert result.exit_code == 0, result.output
    [(path, fixed)] = list(lib.cards())
    assert fixed.id == card.id and path.name.startswith("meick-18-")
    assert (fixed.cite.short, fixed.cite.author) == ("Meick 18", "Ethan Meick")
    assert result.output.strip() == f"{card.id[:8]}  Meick 18  fixed (cites)"


def test_fix_cites_leaves_the_library_alone_on_error(runner, lib):
    cards = [_add(lib, cite, f"body {k}") for k, cite in enumerate(OLD)]
    before = snapshot(lib.root)
    result = runner.invoke(app, ["fix", "--cites", cards[0].id, "ffff"])
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: no card with id 'ffff'")
    assert len(result.stderr.strip().splitlines()) == 1
    assert snapshot(lib.root) == before
    # A broken card file stops the whole-library run before anything is written.
    (lib.root / "broken-0123456789abcdef.toml").write_text("id = \n", encoding="utf-8")
    before = snapshot(lib.root)
    result = runner.invoke(app, ["fix", "--cites"])
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: ")
    assert snapshot(lib.root) == before


def test_fix_without_cards_needs_cites_alone(runner, lib):
    _add(lib, OLD[0], "x")
    before = snapshot(lib.root)
    for args in (["fix"], ["fix", "--shrink"], ["fix", "--cites", "--shrink"]):
        result = runner.invoke(app, args)
        assert result.exit_code == 2, (args, result.output)
    assert snapshot(lib.root) == before


def test_fix_cites_keeps_typed_initials():
    from evcards.core.citeline import reparsed

    typed = Cite(short="Meick 18", full="Ethan Meick 18, Policy Analyst, 2018", initials="ank")
    assert reparsed(typed).initials == "ank"
