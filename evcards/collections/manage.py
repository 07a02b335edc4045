"""Listing, removing and updating collections."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import NamedTuple

from evcards.collections import places
from evcards.collections.building import BadRows, BuildResult, Progress, build, sweep
from evcards.collections.places import CollectionError
from evcards.collections.store import Facts, Source, facts, searchable, sources_of


def list_collections() -> list[Facts]:
    """Every built collection, by name (build folders left by killed builds swept first)."""
    out = []
    for name in places.names():
        sweep(places.root() / name)
        build = places.current(name)
        if build is not None:
            out.append(facts(name, build))
    return out


def remove(name: str) -> Facts:
    """Remove a collection and every file of it; what it was."""
    build = places.known(name)
    gone = facts(name, build)
    here = places.folder(name)
    _close_kept()  # a search of this process may hold the build open
    # The pointer first: a removal stopped half-way leaves no collection, not half of one.
    (here / places.CURRENT).unlink()
    shutil.rmtree(here, ignore_errors=True)
    return gone


def _close_kept() -> None:
    """Close the builds earlier searches of this process kept open (if any searched)."""
    import sys

    searching = sys.modules.get("evcards.collections.searching")
    if searching is not None:
        searching.forget_kept()


class Update(NamedTuple):
    changed: list[str]  # the sources whose size or mtime changed
    result: BuildResult | None  # None: nothing changed, nothing rebuilt


def update(name: str, progress: Progress | None = None, on_bad: BadRows | None = None) -> Update:
    """Rebuild the collection (aside, swapped in at the end) when any of its sources changed
    size or mtime since it was built, or the build cannot be searched (made by another
    version of evcards, or damaged: every row read again); nothing otherwise."""
    build_folder = places.known(name)
    sources, fmt = sources_of(build_folder)
    changed = [s.path for s in sources if _changed(s)]
    if not searchable(build_folder):
        changed = [s.path for s in sources]
    elif not changed:
        return Update([], None)
    paths = [Path(s.path) for s in sources]
    names = [p.name for p in paths]
    # The rows of an unchanged file are kept from the build in use, not read again (rows
    # name their file by its name alone: two sources of one name are both read again).
    kept = {
        p.name: build_folder for p in paths if str(p) not in changed and names.count(p.name) == 1
    }
    return Update(changed, build(name, paths, fmt, progress, on_bad, kept=kept))


def _changed(source: Source) -> bool:
    path = Path(source.path)
    try:
        now = Source.of(path)
    except FileNotFoundError:
        raise CollectionError(
            f"{source.path}: a source of this collection is gone; put it back, or remove the"
            " collection (`evcards collection rm`) and add it again from the files you have"
        ) from None
    return (now.size, now.mtime_ns) != (source.size, source.mtime_ns)
