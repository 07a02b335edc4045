"""`evcards rm` moves cards to the trash in the library's state folder, `evcards restore` puts
them back where they were, `rm --purge` deletes for good; search and list never see the
trash (store/trash.py)."""

from __future__ import annotations

import json
import os

import pytest
from conftest import snapshot

from evcards.cards import remove_cards, restore_cards, trash_contents
from evcards.cli import app
from evcards.core.markup import parse
from evcards.core.models import Cite, new_card
from evcards.errors import CardNotFound, LibraryError
from evcards.store import trash
from evcards.store.library import Library


def run(runner, *args):
    return runner.invoke(app, [str(a) for a in args])


def _cards(lib, n, folder=None):
    out = []
    for i in range(n):
        card = new_card(tag=f"Tag {i}", cite=Cite(short=f"Author {i}"), body=parse(f"body {i}"))
        old = None
        if folder is not None:
            (lib.root / folder).mkdir(exist_ok=True)
            old = lib.root / folder / "x.toml"
            old.write_text("")  # write() renames it to the card's name in that folder
        out.append((card, lib.write(card, old)))
    return out


def _ids(runner, *args):
    result = run(runner, *args, "--json")
    assert result.exit_code == 0, result.output
    return sorted(row["id"] for row in json.loads(result.stdout))


def test_rm_moves_to_the_trash_and_restore_undoes_the_last_rm(runner, lib):
    (a, _), (b, _), (c, _) = _cards(lib, 3)
    before = snapshot(lib.root)
    assert _ids(runner, "search", "body") == sorted([a.id, b.id, c.id])

    result = run(runner, "rm", a.id[:6], b.id[:6])
    assert result.exit_code == 0, result.output
    assert "`evcards restore` puts them back" in result.output
    result = run(runner, "rm", c.id[:6])
    assert result.exit_code == 0, result.output
    # gone from the library, the list and the index; kept byte for byte in the trash
    assert list(Library.open(lib.root).paths()) == []
    assert _ids(runner, "list") == [] and _ids(runner, "search", "body") == []
    kept = {p.name: p.read_bytes() for p in trash.trash_dir(lib).rglob("*.toml")}
    assert kept == {name: text for name, text in before.items() if name != ".evcards.toml"}

    result = run(runner, "restore")  # the last rm: c alone
    assert result.exit_code == 0, result.output
    assert f"Restored {c.id[:8]}  Author 2  Tag 2" in result.output
    assert _ids(runner, "list") == [c.id]
    assert _ids(runner, "search", "body") == [c.id]
    result = run(runner, "restore", a.id[:5])
    assert result.exit_code == 0, result.output
    assert _ids(runner, "list") == sorted([a.id, c.id])
    result = run(runner, "restore")
    assert result.exit_code == 0, result.output
    assert snapshot(lib.root) == before
    assert list(trash.trash_dir(lib).iterdir()) == []  # emptied folders go too
    result = run(runner, "restore")
    assert result.exit_code == 1
    assert "trash of" in result.stderr and "is empty" in result.stderr


def test_restore_list_shows_the_latest_removal_first(runner, lib):
    (a, _), (b, _) = _cards(lib, 2)
    remove_cards(lib, [a.id])
    remove_cards(lib, [b.id])
    assert [item.id for item in trash_contents(lib)] == [b.id, a.id]
    result = run(runner, "restore", "--list")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert f"{b.id[:8]}  Author 1  Tag 1" in lines[0]
    assert f"{a.id[:8]}  Author 0  Tag 0" in lines[1]
    assert "evcards restore CARD" in lines[2]


def test_a_card_goes_back_to_its_folder(lib):
    [(card, path)] = _cards(lib, 1, folder="neg")
    assert path.parent.name == "neg"
    remove_cards(lib, [card.id[:4]])
    assert not path.exists()
    [restored] = restore_cards(lib, [])
    assert restored.path == path and path.exists()
    assert restored.card == card


def test_restore_refuses_a_card_whose_id_is_in_the_library_again(runner, lib):
    [(card, path)] = _cards(lib, 1)
    remove_cards(lib, [card.id])
    lib.write(card)  # imported again after the rm
    before, trashed = snapshot(lib.root), snapshot(trash.trash_dir(lib))
    result = run(runner, "restore", card.id[:6])
    assert result.exit_code == 1, result.output
    [line] = result.stderr.splitlines()
    assert f"card {card.id[:8]} is in the library again" in line
    assert f"evcards rm --purge {card.id[:8]}" in line
    assert (snapshot(lib.root), snapshot(trash.trash_dir(lib))) == (before, trashed)
    # what the message says works: purge the new copy, then restore the removed one
    assert run(runner, "rm", "--purge", card.id[:6]).exit_code == 0
    assert run(runner, "restore", card.id[:6]).exit_code == 0
    assert path.exists()


def test_rm_purge_deletes_for_good(runner, lib):
    [(card, path)] = _cards(lib, 1)
    result = run(runner, "rm", "--purge", card.id[:6])
    assert result.exit_code == 0, result.output
    assert result.output.startswith(f"Deleted {card.id[:8]}")
    assert not path.exists() and trash_contents(lib) == []


def test_rm_of_a_file_outside_the_library_moves_nothing(lib, tmp_path):
    outside = tmp_path / "elsewhere.toml"
    outside.write_text(f'id = "{"0" * 16}"\ntag = "T"\n', encoding="utf-8")
    with pytest.raises(LibraryError, match="not a card of the library"):
        remove_cards(lib, [str(outside)])
    assert outside.exists()


def test_a_failed_move_puts_back_what_it_moved(lib, monkeypatch):
    cards = _cards(lib, 3)
    before = snapshot(lib.root)
    real, calls = os.rename, []

    def failing(src, dst):
        calls.append(src)
        if len(calls) == 2:
            raise PermissionError(13, "Permission denied", str(src))
        return real(src, dst)

    monkeypatch.setattr(os, "rename", failing)
    with pytest.raises(PermissionError):
        remove_cards(lib, [c.id for c, _ in cards])
    monkeypatch.setattr(os, "rename", real)
    assert snapshot(lib.root) == before
    assert trash_contents(lib) == []


def test_restore_names_a_card_not_in_the_trash(lib):
    (a, _), (b, _) = _cards(lib, 2)
    remove_cards(lib, [a.id])
    with pytest.raises(CardNotFound, match="restore --list"):
        restore_cards(lib, [b.id[:8]])
