"""What reading a card file for the search index costs, against tomllib in the same run.

    .venv/bin/python bench/card_reader_bench.py [LIBRARY] [--cards 1000] [--repeat 5]

Reads every card file of LIBRARY (default: a temporary library of the export benchmark's
DebateSum cards) and times, per card, best of --repeat by CPU time: tomllib.loads (the
baseline), the fast twin `store.cardtoml.loads_card_toml`, and what the index build runs per
file (`index.facts.extract` of the file's bytes: TOML, body text, facts), then its parts.
"""

from __future__ import annotations

import argparse
import sys
import time
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT.parent))
sys.path.insert(0, str(ROOT))


def per_card(raws: list[bytes], repeat: int, fn) -> float:
    """Best CPU microseconds a card over `repeat` passes of fn over every file's bytes."""
    best = float("inf")
    for _ in range(repeat):
        start = time.process_time()
        for raw in raws:
            fn(raw)
        best = min(best, time.process_time() - start)
    return best * 1e6 / len(raws)


def card_files(folder: Path | None, count: int) -> list[bytes]:
    if folder is not None:
        return [p.read_bytes() for p in sorted(folder.rglob("*.toml")) if p.name[0] != "."]
    import export_bench

    from evcards.store import cardfile

    return [cardfile.dumps(c).encode() for c in export_bench.load_cards(count)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("library", nargs="?", type=Path)
    parser.add_argument("--cards", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    from evcards.core.markup_text import body_text
    from evcards.index.facts import extract, facts_from_dict
    from evcards.store.cardtoml import loads_card_toml

    raws = card_files(args.library, args.cards)
    datas = [loads_card_toml(r.decode()) for r in raws]
    size = sum(map(len, raws)) / len(raws)
    print(f"{len(raws)} card files, {size:,.0f} bytes a card on average")
    base = per_card(raws, max(1, args.repeat // 2), lambda r: tomllib.loads(r.decode()))
    fast = per_card(raws, args.repeat, lambda r: loads_card_toml(r.decode()))
    whole = per_card(raws, args.repeat, extract)
    data_of = dict(zip(map(id, raws), datas, strict=True))
    facts = per_card(raws, args.repeat, lambda r: facts_from_dict(data_of[id(r)]))
    text = per_card(
        raws, args.repeat, lambda r: body_text(data_of[id(r)].get("body", {}).get("text", ""))
    )  # type: ignore[union-attr]
    print(f"tomllib.loads (baseline)  {base:8.1f} us a card")
    print(
        f"loads_card_toml           {fast:8.1f} us a card   {base / fast:5.1f}x faster than tomllib"
    )
    print(
        f"facts.extract (per file)  {whole:8.1f} us a card   {1e6 / whole:,.0f} cards/s on one core"
    )
    print(f"  of which facts_from_dict {facts:7.1f} us, body_text alone {text:.1f} us")


if __name__ == "__main__":
    main()
