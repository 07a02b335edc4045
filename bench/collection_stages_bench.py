"""Per-row CPU of each stage of a collection build's row, the old route beside the new.

    nice .venv/bin/python bench/collection_stages_bench.py --n 4000 [--csv /tmp/x.csv]

One process, resource.getrusage CPU time, over the rows of a generated OpenDebateEvidence
CSV (tests/odegen.py): the reader with and without Spans (the cite cache emptied before
each pass, alternated twice), then on the same rows the reference route of `row_values`
(tomli-w's `dumps_reference` and the text read back, `made_from_text`) and each stage of
the route the build takes (`dumps` by `cardwrite`, `marked_facts`, the near-duplicate keys,
zlib) and the whole of `row_values`. Figures in bench/README.md, "Collections (issue 15)".
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))


def _cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def _stage(name: str, f: Callable[[Any], Any], xs: list[Any]) -> list[Any]:
    t = _cpu()
    out = [f(x) for x in xs]
    print(f"{name:<58} {(_cpu() - t) / len(xs) * 1e6:>7.0f} us/row")
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=4000)
    ap.add_argument("--csv", type=Path, default=None)
    args = ap.parse_args()
    import odegen

    from evcards.collections import building
    from evcards.collections.store import pack
    from evcards.collections.values import marked_facts
    from evcards.core.neardup import keys_of
    from evcards.formats import odecard
    from evcards.formats.rowstream import DatasetRow, read_dataset
    from evcards.index.build import text_values
    from evcards.store.cardfile import dumps, dumps_reference

    path = args.csv or Path(f"/tmp/evcards-stages-{args.n}.csv")
    if not path.exists():
        odegen.write_csv(path, args.n)
    print(f"{path}: load {os.getloadavg()[0]:.1f}")
    for _ in range(2):
        for spans in (True, False):
            odecard._CITES.clear()
            t = _cpu()
            n = sum(1 for _ in read_dataset([path], spans=spans))
            print(f"{'reader, spans=' + str(spans):<58} {(_cpu() - t) / n * 1e6:>7.0f} us/row")
    full = [i for i in read_dataset([path]) if isinstance(i, DatasetRow)]
    bare = [i for i in read_dataset([path], spans=False) if isinstance(i, DatasetRow)]

    def facts(i: DatasetRow) -> tuple[Any, ...]:
        return (i.file, i.row, i.event, i.side, i.level, i.year, i.caselist, i.team, i.duplicates)

    texts = _stage(
        "reference: dumps_reference (tomli-w, from Spans)", lambda i: dumps_reference(i.card), full
    )
    _stage("reference: text_values (the text read back)", lambda s: text_values(s, "x"), texts)
    _stage(
        "reference: row_values as on main (the two above + pack)",
        lambda i: building.made_from_text(dumps_reference(i.card), facts(i)),
        full,
    )
    _stage("now: dumps (cardwrite, from the pairs)", lambda i: dumps(i.card, marked=i.marked), bare)
    found = _stage("now: marked_facts", lambda i: marked_facts(i.card, i.marked), bare)
    _stage("now: keys_of (near-duplicate keys)", lambda f: keys_of(f.text), [f for f in found if f])
    _stage("now: pack (zlib level 1)", pack, texts)
    _stage("now: row_values, all of it", building.row_values, bare)
    print(f"load {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
