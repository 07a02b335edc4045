"""Where collections live, and the names they may have."""

from __future__ import annotations

import re
from pathlib import Path

from evcards.errors import EvcardsError

CURRENT = "current"  # the file naming the build folder in use
BUILD_PREFIX = "b-"
LIBRARY = "lib"  # what search calls the library: no collection may take the name
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,63}")


class CollectionError(EvcardsError):
    """A collection that cannot be used: a bad or unknown name, a source gone."""


def root() -> Path:
    """The folder holding every collection (EVCARDS_HOME moves it, with the data folder)."""
    from evcards.config import data_dir

    return data_dir() / "collections"


def check_name(name: str) -> str:
    """The name, when a collection may have it: letters, digits, - and _, not `lib`."""
    if not _NAME.fullmatch(name):
        raise CollectionError(
            f"'{name}' cannot name a collection: use letters, digits, - and _ (up to 64,"
            " starting with a letter or digit), like openev-2022"
        )
    if name.lower() == LIBRARY:
        raise CollectionError("'lib' names the library in search results; pick another name")
    return name


def folder(name: str) -> Path:
    return root() / check_name(name)


def current(name: str) -> Path | None:
    """The build folder in use of a collection, or None when it has none (never built, or
    its first build is still running or was killed)."""
    return current_of(root() / name)


def current_of(here: Path) -> Path | None:
    """`current` of the collection whose folder is `here`."""
    try:
        build = (here / CURRENT).read_text(encoding="utf-8").strip()
    except (FileNotFoundError, NotADirectoryError):
        return None
    path = here / build
    return path if build.startswith(BUILD_PREFIX) and path.is_dir() else None


def names() -> list[str]:
    """Every built collection, by name."""
    base = root()
    if not base.is_dir():
        return []
    return sorted(p.name for p in base.iterdir() if _NAME.fullmatch(p.name) and current(p.name))


def known(name: str) -> Path:
    """The build folder in use of the collection `name`; an Error naming the known ones."""
    check_name(name)
    path = current(name)
    if path is None:
        raise CollectionError(f"no collection named '{name}'; {known_names()}")
    return path


def known_names() -> str:
    found = names()
    if not found:
        return "there are none yet (`evcards collection add NAME FILE` makes one)"
    return "known: " + ", ".join(found)
