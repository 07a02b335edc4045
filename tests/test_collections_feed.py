"""The producer process of a build (`collections.feed.feed`) gives what the reference,
`serial_feed` in one process, gives: the same rows made ready, in the same order."""

from __future__ import annotations

import json

import pytest
from collection_data import ode_rows, write_csv, write_jsonl

from evcards.collections import building
from evcards.collections.feed import feed, serial_feed
from evcards.errors import InputFileError


def test_the_producer_gives_what_the_serial_feed_gives(tmp_path):
    rows = ode_rows(450)  # more than two of the producer's batches
    a = write_csv(tmp_path / "a.csv", rows)
    b = write_jsonl(tmp_path / "b.jsonl", ode_rows(), ["{bad", json.dumps({"tag": 3})])
    reference = list(serial_feed([a, b], None))
    with feed([a, b], None, parallel=True) as produced:
        got = list(produced)
        assert produced.bytes_read == produced.total_bytes
    assert got == reference
    assert len(got) == 450 + 7 + 2


def test_a_build_through_the_producer_is_the_same_collection(tmp_path):
    from evcards.collections import places
    from evcards.index.schema import INDEX_NAME, connect

    path = write_csv(tmp_path / "a.csv", ode_rows(300))
    tables = []
    for parallel in (False, True):
        building.build("ode", [path], parallel=parallel)
        db = connect(places.current("ode") / INDEX_NAME)  # type: ignore[operator]
        tables.append(
            (
                db.execute("SELECT * FROM cards ORDER BY key").fetchall(),
                db.execute("SELECT * FROM rows ORDER BY key").fetchall(),
            )
        )
        db.close()
    assert tables[0] == tables[1] and len(tables[0][0]) == 300


def test_the_producers_error_reaches_the_build(tmp_path, monkeypatch):
    path = write_csv(tmp_path / "a.csv", ode_rows(50))

    def broken(item: object) -> None:
        raise InputFileError(f"{item.file}, row {item.row}: broken here")  # type: ignore[attr-defined]

    monkeypatch.setattr(building, "row_values", broken)  # the forked producer has it too
    with pytest.raises(InputFileError, match="a.csv, row 2: broken here"):
        with feed([path], None, parallel=True) as produced:
            list(produced)
