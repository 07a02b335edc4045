"""`show PREFIX` and the other commands that take a CARD: an id prefix is looked up in the
synced catalog, so a typo'd prefix is an error at once, not a walk of every card file; the walk
is kept for paths and for a library with no index yet."""

from __future__ import annotations

import pytest

from evcards.cards import resolve
from evcards.cli import app
from evcards.core.markup import parse
from evcards.core.models import new_card
from evcards.errors import CardNotFound, EvcardsError
from evcards.index.schema import index_path
from evcards.index.sync import ensure
from evcards.store.library import Library


def _no_walk(monkeypatch) -> None:
    def walked(self):
        raise AssertionError("listed every card file")

    monkeypatch.setattr(Library, "ids", walked)
    monkeypatch.setattr(Library, "paths", walked)


@pytest.fixture
def indexed(lib: Library) -> tuple[Library, str]:
    card = new_card(tag="Walrus tusks", body=parse("walruses sleep"))
    lib.write(card)
    ensure(lib.root).close()
    return lib, card.id


def test_a_typo_in_a_prefix_is_not_found_without_a_walk(indexed, runner, monkeypatch) -> None:
    lib, card_id = indexed
    typo = "0123" if not card_id.startswith("0123") else "4567"
    _no_walk(monkeypatch)
    with pytest.raises(CardNotFound, match=f"no card with id '{typo}' in {lib.root}"):
        resolve(lib, typo)
    assert resolve(lib, card_id[:5])[1].id == card_id
    result = runner.invoke(app, ["show", typo])
    assert result.exit_code == 1
    assert result.stderr.startswith(f"Error: no card with id '{typo}'")
    assert "`evcards list` shows the ids" in result.stderr


def test_a_card_added_since_the_last_sync_is_found(indexed, monkeypatch) -> None:
    lib, _ = indexed
    later = new_card(tag="Seals", body=parse("seals sleep"))
    lib.write(later)
    _no_walk(monkeypatch)
    assert resolve(lib, later.id[:6])[1].id == later.id  # the catalog syncs before it answers


def test_a_broken_file_with_the_id_still_says_what_is_wrong(indexed, monkeypatch) -> None:
    lib, card_id = indexed
    path = lib.path_of(card_id)
    assert path is not None
    path.write_text(path.read_text().replace('tag = "Walrus tusks"', "tag = [1]"))
    _no_walk(monkeypatch)
    with pytest.raises(EvcardsError) as raised:
        resolve(lib, card_id[:6])
    assert not isinstance(raised.value, CardNotFound) and path.name in str(raised.value)


def test_without_an_index_or_for_a_path_the_library_is_read(lib: Library) -> None:
    card = new_card(tag="Walrus tusks", body=parse("walruses sleep"))
    path = lib.write(card)
    assert resolve(lib, card.id[:4])[1].id == card.id
    typo = "ffff" if not card.id.startswith("ffff") else "eeee"
    with pytest.raises(CardNotFound, match=f"no card with id '{typo}'"):
        resolve(lib, typo)
    assert not index_path(lib.root).exists()  # one `show` does not build a whole index
    assert resolve(lib, str(path))[0] == path


def test_files_of_a_few_ids_agree_with_the_walk(indexed, monkeypatch) -> None:
    from evcards.index.catalog import files_of

    lib, card_id = indexed
    other = new_card(tag="Seals", body=parse("seals swim"))
    lib.write(other)  # after the index was built: the sync finds it
    walk = Library(lib.root).ids()
    _no_walk(monkeypatch)
    assert files_of(lib.root, [card_id, other.id, "ffff"]) == {
        card_id: walk[card_id],
        other.id: walk[other.id],
    }
    assert files_of(lib.root / "nowhere", [card_id]) == {}


def test_files_of_many_ids_are_asked_in_chunks_with_the_same_answer(indexed, monkeypatch) -> None:
    from evcards.index import catalog

    lib, card_id = indexed
    others = [new_card(tag=f"Seals {n}", body=parse(f"seals swim {n}")) for n in range(3)]
    for card in others:
        lib.write(card)
    ids = [card_id, *(c.id for c in others), "ffff"]
    whole = catalog.files_of(lib.root, ids)
    monkeypatch.setattr(catalog, "_IDS_A_QUERY", 2)  # three statements for five ids
    assert catalog.files_of(lib.root, ids) == whole
    assert sorted(whole) == sorted(ids[:-1])
