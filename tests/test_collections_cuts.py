"""Re-cuts grouped inside a collection: a build stores each card's near-duplicate keys, search
shows one result per group with its cuts, `--cuts` every cut, `evcards cuts` a collection
card's group. The rows come from tests/odegen.py, which knows each row's true group."""

from __future__ import annotations

import json
from collections import defaultdict

import odegen
import pytest

from evcards.cli import app
from evcards.collections import building
from evcards.collections.places import current
from evcards.index.schema import INDEX_NAME, connect

pytestmark = pytest.mark.skipif(not odegen.available(), reason="../shared/corpus is absent")


@pytest.fixture
def grouped(tmp_path, lib):
    made = odegen.write_csv(tmp_path / "ode.csv", 400, seed=3)
    building.build("ode", [tmp_path / "ode.csv"])
    lines = _first_lines(tmp_path / "ode.csv")
    return {f"ode.csv:{line}": group for line, group in zip(lines, made.groups, strict=True)}


def _first_lines(path):
    """Each CSV record's first line (how a collection names its rows), in record order."""
    import csv

    with path.open(newline="", encoding="utf-8") as f:
        reader = csv.reader(f)
        next(reader)
        out, last = [], reader.line_num
        for _ in reader:
            out.append(last + 1)
            last = reader.line_num
    return out


def test_a_build_groups_the_known_recuts(grouped):
    from evcards.index.cuts import component

    db = connect(current("ode") / INDEX_NAME)
    try:
        assert db.execute("SELECT count(*) FROM cutkeys").fetchone()[0] > 400
        rows = db.execute("SELECT key, path FROM cards").fetchall()
        truth = {key: grouped[path] for key, path in rows}
        members = defaultdict(set)
        for key, group in truth.items():
            members[group].add(key)
        pairs = found = right = 0
        for key, group in truth.items():
            same = component(db, key)
            pairs += len(members[group]) - 1
            found += len(same) - 1
            right += len(same & members[group]) - 1
    finally:
        db.close()
    assert pairs > 100  # the set has re-cuts to find
    assert right / found >= 0.98 and right / pairs >= 0.95


def test_search_shows_one_result_a_group_and_cuts_lists_them(runner, grouped):
    def search(*args):
        result = runner.invoke(app, ["search", "the", "--in", "ode", "-n", "200", "--json", *args])
        assert result.exit_code == 0, result.output
        return json.loads(result.stdout)

    one = search()
    every = search("--cuts")
    assert all(h["where"] == "ode" for h in one)
    assert max(h["cuts"] for h in one) > 1
    assert len(every) > len(one)
    big = max(one, key=lambda h: h["cuts"])
    result = runner.invoke(app, ["cuts", big["id"], "--json"])
    assert result.exit_code == 0, result.output
    cuts = json.loads(result.stdout)
    assert cuts[0]["id"] == big["id"] and len(cuts) == big["cuts"]
    assert {c["where"] for c in cuts} == {"ode"}
    assert all(c["path"].startswith("ode.csv:") for c in cuts)


def test_the_groups_worked_out_at_the_build_are_the_ones_search_would_follow(grouped):
    """The fast path (`cuts.built_groups_of`, read from `cutgroups`) against its reference
    (`cuts.groups_of`, following the keys): the same partition of the cards, and each
    group's cuts its cards plus the dataset's duplicateCount of each."""
    from evcards.index import cuts as found_cuts

    db = connect(current("ode") / INDEX_NAME)
    try:
        assert found_cuts.grouped(db)
        keys = [k for (k,) in db.execute("SELECT key FROM cards ORDER BY key")]
        dups = dict(db.execute("SELECT key, duplicates FROM rows").fetchall())
        fast = found_cuts.built_groups_of(db, keys)
        slow = {k: found_cuts.groups_of(db, [k])[k] for k in keys}
    finally:
        db.close()

    def partition(found):
        out = defaultdict(set)
        for key, (group, _) in found.items():
            out[group].add(key)
        return sorted(sorted(m) for m in out.values())

    assert partition(fast) == partition(slow)
    members = defaultdict(list)
    for key, (group, _) in fast.items():
        members[group].append(key)
    for group, cuts in fast.values():
        assert cuts == len(members[group]) + sum(int(dups[k] or 0) for k in members[group])
