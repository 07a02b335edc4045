"""Which files of a library are card files: the one rule, for the library and the search index.

A card file is a regular file named `*.toml` anywhere below the library's root. Names that
start with a dot are skipped, files and folders alike: the `.evcards/` state folder, the
`.evcards.toml` marker, editors' swap and temporary files. The root's `speeches/` folder holds
speeches (`store/speechfile.py`), not cards, and is skipped too. Symlinks are not followed, to files
or to folders (README, "Safety"): a library must not read or index what lies outside it.

Listing reads each folder once with `os.scandir` and never stats a file: the type comes with
the name. That is what lets the index list a folder of a million cards after a change by hand
in under a second (bench/README.md), and why the caller stats only the files it needs.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass

SPEECHES = "speeches"  # below the root only: a speech file is TOML but not a card


def scan(folder: str | os.PathLike[str], root: bool = False) -> tuple[list[str], list[str]]:
    """The names of a folder's card files and of its sub-folders, in no particular order;
    root=True for the library's own folder, whose `speeches/` is left out. Raises OSError
    when the folder cannot be listed."""
    files: list[str] = []
    subdirs: list[str] = []
    with os.scandir(folder) as it:
        for entry in it:
            name = entry.name
            if name[0] == ".":
                continue
            # The cheap test first: in a folder of cards nearly every name ends in .toml.
            if name.endswith(".toml") and entry.is_file(follow_symlinks=False):
                files.append(name)
            elif entry.is_dir(follow_symlinks=False) and not (root and name == SPEECHES):
                subdirs.append(name)
    return files, subdirs


@dataclass
class Folder:
    rel: str  # "" for the root, else "a/b": always "/", as the index stores it
    path: str
    mtime_ns: int  # taken before the listing, so a change made during it shows up next time
    files: list[str]  # card file names, unsorted


def folders(root: str | os.PathLike[str]) -> Iterator[Folder]:
    """Every folder below `root` (itself first) that can be listed, depth first with
    sub-folders in name order, so the walk is the same on every run. A folder that vanishes or
    cannot be read is skipped with everything below it; nothing at all when `root` is not a
    folder."""
    stack = [("", os.fspath(root))]
    while stack:
        rel, path = stack.pop()
        try:
            mtime = os.stat(path).st_mtime_ns
            files, subdirs = scan(path, root=not rel)
        except OSError:
            continue
        for name in sorted(subdirs, reverse=True):  # popped in name order
            stack.append((f"{rel}/{name}" if rel else name, os.path.join(path, name)))
        yield Folder(rel, path, mtime, files)
