"""`evcards list` and `stats` from the index's catalog: limit, sort, kind, filters, and no card
file parsed (nor pydantic, lxml or tantivy loaded) to list a library that is already indexed."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from evcards.cli import app
from evcards.core.models import Cite, Location, Span, new_card
from evcards.index.catalog import list_cards
from evcards.index.query import Filters
from evcards.store.library import Library


def put(lib: Library, tag: str, text: str = "", **fields: object) -> str:
    body = [[Span(text=text, underline=True)]] if text else []
    card = new_card(tag=tag, body=body, kind="card" if text else "analytic", **fields)
    path = lib.write(card)
    put.mtime += 10**9  # type: ignore[attr-defined]
    os.utime(path, ns=(put.mtime, put.mtime))  # type: ignore[attr-defined]
    return card.id


put.mtime = 10**18  # type: ignore[attr-defined]  # distinct mtimes: the order cards were added


def test_sort_kind_limit_and_filters(lib: Library) -> None:
    a = put(lib, "b tag", "one two three", cite=Cite(short="Zed 12"), labels=["aff"])
    b = put(lib, "a tag", "one two", cite=Cite(short="Ann 19"), labels=["neg"])
    c = put(lib, "c tag", "one", cite=Cite(short="Bo 15"), location=Location(pocket="1AC"))
    x = put(lib, "an analytic")

    def ids(**kw: object) -> list[str]:
        return [r.id for r in list_cards(lib.root, **kw).rows]  # type: ignore[arg-type]

    assert ids() == [c, b, a, x]  # newest first, cards before analytics
    assert ids(sort="tag") == [b, a, c, x]
    assert ids(sort="cite") == [b, c, a, x]
    assert ids(sort="year") == [b, c, a, x]
    assert ids(sort="words") == [a, b, c, x]
    assert ids(kind="analytic") == [x]
    assert ids(kind="card", limit=2) == [c, b]
    listing = list_cards(lib.root, limit=1)
    assert (len(listing.rows), listing.total) == (1, 4)
    assert ids(filters=Filters(labels=["aff"])) == [a]
    assert ids(filters=Filters(year_from=2013)) == [c, b]
    assert ids(filters=Filters(pocket=["1ac"])) == [c]
    assert ids(filters=Filters(tag=["analytic"])) == [x]
    assert ids(filters=Filters(body=["three"]), sort="tag") == [a]


def test_list_command(lib: Library, runner) -> None:
    a = put(lib, "walrus tusks", "walruses sleep", cite=Cite(short="Doe 20"))
    x = put(lib, "an analytic")
    result = runner.invoke(app, ["list", "--json"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert [r["id"] for r in rows] == [a, x]
    assert set(rows[0]) >= {"id", "tag", "short_cite", "labels", "kind", "words", "words_read"}
    assert rows[0]["path"] == str(lib.path_of(a))
    result = runner.invoke(app, ["list", "-n", "1", "--kind", "analytic"])
    assert result.exit_code == 0, result.output
    assert "an analytic" in result.stdout and "walrus" not in result.stdout
    result = runner.invoke(app, ["list", "-n", "1"])
    assert "1 of 2 cards" in result.stdout
    result = runner.invoke(app, ["list", "--sort", "tag", "--author", "doe", "--json"])
    assert [r["id"] for r in json.loads(result.stdout)] == [a]
    assert runner.invoke(app, ["list", "--sort", "colour"]).exit_code == 2


def test_stats_and_show_read_the_catalog(lib: Library, runner, monkeypatch) -> None:
    a = put(lib, "walrus tusks", "walruses sleep", labels=["aff"])
    put(lib, "seal", "seals sleep")
    runner.invoke(app, ["list"])  # the index is built; from here no listing of the folder
    monkeypatch.setattr("evcards.index.schema.RACY_NS", 0)
    monkeypatch.setattr(Library, "ids", lambda self: (_ for _ in ()).throw(AssertionError))
    result = runner.invoke(app, ["show", a[:6]])
    assert result.exit_code == 0, result.output
    assert "walruses sleep" in result.stdout
    result = runner.invoke(app, ["stats", "-l", "aff", "--json", "--all"])
    assert result.exit_code == 0, result.output
    assert [r["id"] for r in json.loads(result.stdout)["cards"]] == [a]


def test_list_loads_no_heavy_module(lib: Library) -> None:
    put(lib, "walrus tusks", "walruses sleep")
    code = (
        "import sys\nfrom evcards.cli import main\n"
        "sys.argv = ['evcards', 'list', '-n', '20']\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "print('LOADED', sorted({m.split('.')[0] for m in sys.modules}))\n"
    )
    env = {**os.environ, "EVCARDS_LIBRARY": str(lib.root)}
    for _ in range(2):  # the first builds the index (which writes tantivy); the second reads
        out = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True
        ).stdout
    loaded = set(out.split("LOADED", 1)[1].strip(" []\n").replace("'", "").split(", "))
    heavy = loaded & {"lxml", "docx", "pydantic", "tantivy", "trafilatura"}
    assert not heavy, heavy
    assert "walrus tusks" in out
