"""`add --cite LINE` reads a cite as written; `edit` reads the fields again from a changed cite."""

from __future__ import annotations

import json

import pytest
from conftest import snapshot
from test_cli import fake_editor, only_card, run

from evcards.cards import add_card, read_cite_line, rederive_cite, save_edit
from evcards.core.models import Cite
from evcards.errors import BadOption

MEICK = (
    "Meick 18 (Ethan Meick, Policy Analyst, U.S.-China Economic and Security Review Commission,"
    ' 9-2-2018, "China\'s Reported Ballistic Missile Sale", The National Interest,'
    " https://nationalinterest.org/x) ank"
)
BRANDS = (
    "Brands 22, Hal Brands, Henry Kissinger Distinguished Professor at Johns Hopkins SAIS,"
    ' 1-2-2022, "The Eurasian Nightmare," Foreign Affairs, https://www.foreignaffairs.com/x'
)
BLACK = 'Black 21 [Emma; Educational Background in Economics, "Why It Fails", Foreign Policy, 3-4-2021] ceb'
BODY = "China _==sold missiles==_ to Saudi Arabia.\n"


def add(runner, *args, body=BODY):
    return run(runner, "add", "-", "-t", "China proliferates", *args, input=body)


def shown_cite(runner, card_id):
    result = run(runner, "show", card_id, "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)["cite"]


def test_add_cite_in_the_bracket_form(runner, lib):
    result = add(runner, "--cite", MEICK)
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    _, card = only_card(lib)
    assert shown_cite(runner, card.id) == {
        "short": "Meick 18",
        "full": MEICK[len("Meick 18 (") : -len(") ank")],
        "author": "Ethan Meick",
        "quals": "Policy Analyst; U.S.-China Economic and Security Review Commission",
        "date": "9-2-2018",
        "title": "China's Reported Ballistic Missile Sale",
        "publication": "The National Interest",
        "url": "https://nationalinterest.org/x",
        "accessed": None,
        "initials": "ank",
    }


def test_add_cite_in_the_comma_form(runner, lib):
    result = add(runner, "--cite", BRANDS)
    assert result.exit_code == 0, result.output
    cite = shown_cite(runner, only_card(lib)[1].id)
    assert cite["short"] == "Brands 22"
    assert cite["author"] == "Hal Brands"
    assert cite["quals"] == "Henry Kissinger Distinguished Professor at Johns Hopkins SAIS"
    assert (cite["date"], cite["title"]) == ("1-2-2022", "The Eurasian Nightmare")
    assert (cite["publication"], cite["url"]) == (
        "Foreign Affairs",
        "https://www.foreignaffairs.com/x",
    )
    assert cite["full"].startswith("Hal Brands, ")


def test_add_cite_in_square_brackets_completes_the_given_name(runner, lib):
    result = add(runner, "-c", BLACK)
    assert result.exit_code == 0, result.output
    cite = shown_cite(runner, only_card(lib)[1].id)
    assert (cite["short"], cite["author"], cite["initials"]) == ("Black 21", "Emma Black", "ceb")
    assert (cite["title"], cite["date"]) == ("Why It Fails", "3-4-2021")


def test_add_cite_on_two_lines(lib):
    result = add_card(
        lib, "Body.", cite_line="Brands 22\n(Hal Brands, Professor, 2022, Foreign Policy) ank"
    )
    assert result.warnings == []
    cite = result.card.cite
    assert (cite.short, cite.author, cite.date, cite.initials) == (
        "Brands 22",
        "Hal Brands",
        "2022",
        "ank",
    )
    assert "\n" not in cite.full


def test_options_override_what_the_cite_says(runner, lib):
    result = add(
        runner,
        "--cite",
        MEICK,
        "--short",
        "Meick '18",
        "--author",
        "E. Meick",
        "--initials",
        "zz",
        "--url",
        "",  # an empty option clears a field the parser found
    )
    assert result.exit_code == 0, result.output
    cite = only_card(lib)[1].cite
    assert (cite.short, cite.author, cite.initials, cite.url) == (
        "Meick '18",
        "E. Meick",
        "zz",
        None,
    )
    assert cite.date == "9-2-2018"  # what no option named is still read from the cite


def test_config_initials_stand_in_only_when_the_cite_has_none(runner, lib, tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    (home / "config.toml").write_text('initials = "cfg"\n')
    assert add(runner, "--cite", BRANDS).exit_code == 0
    assert add(runner, "--cite", MEICK, body="Another body.").exit_code == 0
    initials = {card.cite.short: card.cite.initials for _, card in lib.cards()}
    assert initials == {"Brands 22": "cfg", "Meick 18": "ank"}


def test_cite_with_full_is_a_usage_error(runner, lib):
    before = snapshot(lib.root)
    result = add(runner, "--cite", MEICK, "--full", "Ethan Meick, 2018")
    assert result.exit_code == 2, result.output
    assert result.stderr.strip().splitlines()[-1].startswith("Error: Invalid value for --full")
    assert "--cite and --full" in result.stderr
    assert snapshot(lib.root) == before


def test_library_refuses_cite_line_with_full_and_writes_nothing(lib):
    before = snapshot(lib.root)
    with pytest.raises(BadOption) as e:
        add_card(lib, "Body.", cite={"full": "x"}, cite_line=MEICK)
    assert e.value.option == "--full"
    assert snapshot(lib.root) == before


def test_an_unreadable_cite_still_adds_with_one_warning(runner, lib):
    result = add(runner, "--cite", "my notes from the camp lecture")
    assert result.exit_code == 0, result.output
    warnings = result.stderr.strip().splitlines()
    assert len(warnings) == 1 and warnings[0].startswith("Warning: --cite: no short cite")
    assert "my notes from the camp lecture" in warnings[0]
    cite = only_card(lib)[1].cite
    assert cite == Cite(full="my notes from the camp lecture")


def test_read_cite_line_returns_the_warning():
    fields, warnings = read_cite_line("  just   some words  ")
    assert fields == {"full": "just some words"} and len(warnings) == 1
    assert read_cite_line(MEICK)[1] == []


def test_full_alone_fills_the_fields_when_it_reads_as_a_cite(runner, lib):
    full = 'Emma Black, Economist, 3-4-2021, "Why It Fails", Foreign Policy'
    result = add(runner, "-s", "Black 21", "--full", full, "--quals", "Economist at Brookings")
    assert result.exit_code == 0, result.output
    cite = only_card(lib)[1].cite
    assert (cite.short, cite.full, cite.author) == ("Black 21", full, "Emma Black")
    assert (cite.date, cite.title, cite.quals) == (
        "3-4-2021",
        "Why It Fails",
        "Economist at Brookings",
    )


def test_a_full_cite_that_does_not_read_as_one_is_stored_as_given(runner, lib):
    result = add(runner, "--full", "notes from camp")
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    assert only_card(lib)[1].cite == Cite(full="notes from camp")


def test_the_id_does_not_depend_on_the_cite(lib, tmp_path):
    from evcards.store.library import Library

    other = Library.open(tmp_path / "other", create=True)
    assert add_card(lib, BODY, cite_line=MEICK).card.id == add_card(other, BODY).card.id


# -- the editor ----------------------------------------------------------------------------


def edit_once(tmp_path, monkeypatch, *steps):
    """$EDITOR that applies every `old => new` step in its one opening."""
    fake_editor(tmp_path, monkeypatch, *steps)
    steps_file = tmp_path / "ed" / "steps"
    script = tmp_path / "ed" / "editor.py"
    script.write_text(
        "import pathlib, sys\n"
        "path = pathlib.Path(sys.argv[1])\n"
        f"steps = pathlib.Path({str(steps_file)!r}).read_text().split('\\n---\\n')\n"
        "text = path.read_text()\n"
        "for step in steps:\n"
        "    old, new = step.split(' => ')\n"
        "    assert old in text, old\n"
        "    text = text.replace(old, new)\n"
        "path.write_text(text)\n"
    )


@pytest.fixture
def meick(runner, lib):
    assert add(runner, "--cite", MEICK).exit_code == 0
    return only_card(lib)[1]


def test_edit_of_the_cite_reads_the_fields_again(runner, lib, meick, tmp_path, monkeypatch):
    edit_once(
        tmp_path,
        monkeypatch,
        'short = "Meick 18" => short = "Meick 19"',
        " 9-2-2018, => 10-5-2019, ",
    )
    result = run(runner, "edit", meick.id)
    assert result.exit_code == 0, result.output
    assert "Read from the new cite: date" in result.stdout
    _, after = only_card(lib)
    assert after.id == meick.id
    assert (after.cite.short, after.cite.date) == ("Meick 19", "10-5-2019")
    assert after.cite.author == "Ethan Meick" and after.cite.initials == "ank"


def test_edit_of_a_derived_field_wins(runner, lib, meick, tmp_path, monkeypatch):
    edit_once(
        tmp_path,
        monkeypatch,
        " 9-2-2018, => 10-5-2019, ",
        'author = "Ethan Meick" => author = "Ethan J. Meick"',
    )
    result = run(runner, "edit", meick.id)
    assert result.exit_code == 0, result.output
    assert "Read from the new cite" not in result.stdout
    _, after = only_card(lib)
    assert after.id == meick.id
    assert "10-5-2019" in after.cite.full
    assert (after.cite.author, after.cite.date) == ("Ethan J. Meick", "9-2-2018")


def test_edit_of_the_body_leaves_the_cite(runner, lib, meick, tmp_path, monkeypatch):
    fake_editor(tmp_path, monkeypatch, "to Saudi => to _Saudi_")
    result = run(runner, "edit", meick.id)
    assert result.exit_code == 0, result.output
    assert only_card(lib)[1].cite == meick.cite


def test_edit_to_an_unreadable_cite_keeps_the_fields_with_a_warning(
    runner, lib, meick, tmp_path, monkeypatch
):
    full = meick.cite.full.replace('"', '\\"')
    edit_once(tmp_path, monkeypatch, 'short = "Meick 18" => short = ""', f"{full} => my notes")
    result = run(runner, "edit", meick.id)
    assert result.exit_code == 0, result.output
    assert result.stderr.startswith("Warning: cite: the new cite does not read as a cite")
    cite = only_card(lib)[1].cite
    assert (cite.short, cite.full, cite.author) == ("", "my notes", "Ethan Meick")


def test_rederive_cite_and_save_edit(lib, meick):
    new_full = meick.cite.full.replace("The National Interest", "Foreign Affairs")
    edited = meick.cite.model_copy(update={"full": new_full})
    cite, changed, warnings = rederive_cite(meick.cite, edited)
    assert (changed, warnings, cite.publication) == (["publication"], [], "Foreign Affairs")
    path, _ = lib.resolve(meick.id)
    with lib.lock():
        saved = save_edit(lib, path, meick, meick.model_copy(update={"cite": edited}))
    assert saved.rederived == ["publication"]
    assert lib.read(saved.path).cite.publication == "Foreign Affairs"
    assert lib.read(saved.path).id == meick.id


@pytest.mark.parametrize("sep", [" –", ":", ","])
def test_read_cite_line_in_the_dash_colon_and_comma_forms(sep):
    fields, warnings = read_cite_line(
        f"Brands 22{sep} Hal Brands, Professor at SAIS, 1-2-2022, Foreign Affairs"
    )
    assert warnings == []
    assert (fields["short"], fields["author"], fields["date"]) == (
        "Brands 22",
        "Hal Brands",
        "1-2-2022",
    )
