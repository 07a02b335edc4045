"""`stats` at scale: totals from one aggregate over the catalog, equal to the sum over the cards
read through the model, and per-card rows bounded to a screenful unless asked for."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

from budget import examples
from hypothesis import given, settings
from hypothesis import strategies as st
from strategies import cards, labels

from evcards.cli import app
from evcards.core.markup import parse
from evcards.core.models import Card, new_card
from evcards.stats import card_stats, library_stats, totals
from evcards.store.library import Library


def model_totals(lib: Library, wanted: list[str], wpm: int) -> object:
    """The totals as the cards' own model computes them, reading every card file."""
    return totals((c for _, c in lib.cards() if set(wanted) <= set(c.labels)), wpm)


@settings(max_examples=examples(100), deadline=None)
@given(st.lists(cards(), max_size=8), st.data(), st.sampled_from([60, 250, 333]))
def test_the_aggregate_is_the_sum_over_the_cards(made: list[Card], data, wpm) -> None:
    # -l with a label some cards carry (most random labels would match none)
    held = sorted({label for c in made for label in c.labels})
    wanted = data.draw(labels | st.lists(st.sampled_from(held), max_size=2) if held else labels)
    with tempfile.TemporaryDirectory() as tmp:
        lib = Library.open(Path(tmp) / "library", create=True)
        for card in made:
            lib.write(card)
        found = library_stats(lib, labels=wanted, wpm=wpm, limit=None)
        assert found.totals == model_totals(lib, wanted, wpm)
        expected = [card_stats(c, wpm) for _, c in lib.cards() if set(wanted) <= set(c.labels)]
        assert sorted(found.rows, key=lambda r: r.id) == sorted(expected, key=lambda r: r.id)
        bounded = library_stats(lib, labels=wanted, wpm=wpm, limit=2)
        assert bounded.totals == found.totals and bounded.rows == found.rows[:2]
        assert bounded.more == max(0, len(found.rows) - 2)


def test_the_aggregate_on_the_corpus(tmp_path: Path, corpus: Path) -> None:
    from evcards.importing import import_paths

    lib = Library.open(tmp_path / "corpus-library", create=True)
    files = sorted((corpus / "docx").glob("*.docx"))[:4]
    import_paths(lib, [str(f) for f in files], labels=["aff"], jobs=1)
    lib.write(new_card(tag="Unlabelled analytic", kind="analytic"))
    for wanted in ([], ["aff"]):
        found = library_stats(lib, labels=wanted, wpm=250, limit=0)
        assert found.rows == [] and found.totals.cards > 10
        assert found.totals == model_totals(lib, wanted, 250)


def _fill(lib: Library, n: int) -> list[str]:
    made = [
        new_card(tag=f"tag {i}", body=parse(f"=={{cyan}}word {i}=="), labels=["aff"])
        for i in range(n)
    ]
    for card in made:
        lib.write(card)
    return [c.id for c in made]


def test_rows_are_a_screenful_unless_asked_for(runner, lib, monkeypatch) -> None:
    ids = _fill(lib, 12)
    monkeypatch.setenv("LINES", "10")  # a screenful: 5 rows
    result = runner.invoke(app, ["stats"])
    assert result.exit_code == 0, result.output
    assert sum(i[:8] in result.stdout for i in ids) == 5
    assert "Total: 12 cards, 48 words read" in result.stdout
    assert "Rows for 5 of 12 cards; --all or -n N for more." in result.stdout
    result = runner.invoke(app, ["stats", "--all"])
    assert all(i[:8] in result.stdout for i in ids) and "Rows for" not in result.stdout
    result = runner.invoke(app, ["stats", "-n", "3", "-l", "aff"])
    assert sum(i[:8] in result.stdout for i in ids) == 3 and "Rows for 3 of 12" in result.stdout


def test_json_gives_rows_only_when_asked(runner, lib) -> None:
    ids = _fill(lib, 4)
    total = {"cards": 4, "words_read": 16, "seconds": 3.8, "wpm": 250}
    data = json.loads(runner.invoke(app, ["stats", "--json"]).stdout)
    assert data == {"cards": [], "total": total, "wpm": 250}
    data = json.loads(runner.invoke(app, ["stats", "--json", "-n", "2"]).stdout)
    assert len(data["cards"]) == 2 and data["total"] == total
    data = json.loads(runner.invoke(app, ["stats", "--json", "--all"]).stdout)
    assert sorted(r["id"] for r in data["cards"]) == sorted(ids)


def test_named_cards_keep_their_rows(runner, lib) -> None:
    ids = _fill(lib, 3)
    data = json.loads(runner.invoke(app, ["stats", "--json", ids[2], ids[0]]).stdout)
    assert [r["id"] for r in data["cards"]] == [ids[2], ids[0]]
    assert data["total"]["cards"] == 2 and data["total"]["words_read"] == 8
    result = runner.invoke(app, ["stats", ids[1]])
    assert ids[1][:8] in result.stdout and "Rows for" not in result.stdout


def _catalog_totals(lib: Library) -> tuple[list[object], list[object]]:
    """The catalog's `totals` and the same counted from its rows, label by label."""
    import sqlite3

    from evcards.index.schema import index_path

    db = sqlite3.connect(index_path(lib.root))
    try:
        kept = db.execute(
            "SELECT kind, label, cards, words_read FROM totals WHERE cards > 0 ORDER BY 1, 2"
        ).fetchall()
        rows = db.execute("SELECT kind, labels, words_read FROM cards").fetchall()
    finally:
        db.close()
    counted: dict[tuple[str, str], list[int]] = {}
    for kind, names, words in rows:
        for label in ["", *names.split()]:
            n = counted.setdefault((kind, label), [0, 0])
            n[0] += 1
            n[1] += words
    return kept, [(k, lab, n, w) for (k, lab), (n, w) in sorted(counted.items())]


@settings(max_examples=examples(60), deadline=None)
@given(
    st.lists(cards(), min_size=1, max_size=6),
    st.lists(
        st.tuples(st.sampled_from(["add", "relabel", "remove"]), st.integers(0, 5)), max_size=6
    ),
    labels,
)
def test_totals_kept_by_triggers_agree_after_every_sync(made, changes, new_labels) -> None:
    """The totals a rebuild counts, then the triggers keep as syncs add, change and remove
    rows, are the rows' own and the model's."""
    with tempfile.TemporaryDirectory() as tmp:
        lib = Library.open(Path(tmp) / "library", create=True)
        lib.write(made[0])
        library_stats(lib, limit=0)  # the index is built here: totals from the aggregate
        for change, i in changes:
            paths = sorted(lib.paths())
            if change == "add":
                lib.write(made[i % len(made)])
            elif change == "relabel" and paths:
                path = paths[i % len(paths)]
                card = lib.read(path)
                lib.write(card.model_copy(update={"labels": sorted(set(new_labels))}), path)
            elif change == "remove" and paths:
                lib.remove(paths[i % len(paths)])
            held = sorted({lab for _, c in lib.cards() for lab in c.labels})
            for wanted in ([], held[:1]):
                found = library_stats(lib, labels=wanted, wpm=250, limit=0)  # syncs first
                assert found.totals == model_totals(lib, wanted, 250)
            kept, counted = _catalog_totals(lib)
            assert kept == counted
