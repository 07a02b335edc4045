"""The remotes of a library, kept in its `.evcards.toml` marker like git's remotes:

    [remotes.squad]
    url = "postgresql://alice@db.example.org/evidence?sslmode=verify-full"
    team = "lincoln"        # optional: the team role whose cards these are

No secret is ever stored there (see `url`). Writes are atomic and made under the library's
lock; the rest of the marker is kept as it was read."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from typing import Any

from evcards.errors import LibraryError, RemoteError
from evcards.remote.url import check_name, check_url
from evcards.store.atomic import atomic_write
from evcards.store.library import MARKER, Library

_HEADER = "# This folder is an evcards library: one card per .toml file.\n"


@dataclass(frozen=True)
class Remote:
    name: str
    url: str
    team: str | None = None


def _marker(lib: Library) -> dict[str, Any]:
    path = lib.root / MARKER
    if not path.is_file():
        return {}
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as e:
        raise LibraryError(f"{path}: cannot read the library's marker ({e})") from None


def _write_marker(lib: Library, data: dict[str, Any]) -> None:
    import tomli_w

    atomic_write(lib.root / MARKER, _HEADER + tomli_w.dumps(data))


def remotes(lib: Library) -> list[Remote]:
    """Every remote of the library, by name."""
    table = _marker(lib).get("remotes", {})
    if not isinstance(table, dict):
        raise LibraryError(f"{lib.root / MARKER}: `remotes` must be a table of tables")
    out = []
    for name, entry in sorted(table.items()):
        if not isinstance(entry, dict) or not isinstance(entry.get("url"), str):
            raise LibraryError(f"{lib.root / MARKER}: remotes.{name} needs a `url` string")
        team = entry.get("team")
        out.append(Remote(name, entry["url"], team if isinstance(team, str) else None))
    return out


def get(lib: Library, name: str | None) -> Remote:
    """The remote called `name`, or with no name the library's only remote."""
    known = remotes(lib)
    if name is None:
        if len(known) == 1:
            return known[0]
        if not known:
            raise RemoteError(
                f"{lib.root} has no remote; add one with `evcards remote add NAME URL`"
            )
        names = ", ".join(r.name for r in known)
        raise RemoteError(f"{lib.root} has {len(known)} remotes ({names}); name one")
    for remote in known:
        if remote.name == name:
            return remote
    raise RemoteError(f"no remote called '{name}'; `evcards remote list` shows them")


def add(lib: Library, name: str, url: str, team: str | None = None) -> Remote:
    """Store a new remote; call under lib.lock()."""
    check_name(name)
    check_url(url)
    data = _marker(lib)
    table = data.setdefault("remotes", {})
    if name in table:
        raise RemoteError(f"a remote called '{name}' exists; `evcards remote rm {name}` first")
    table[name] = {"url": url, **({"team": team} if team else {})}
    data.setdefault("version", 1)
    _write_marker(lib, data)
    return Remote(name, url, team)


def remove(lib: Library, name: str) -> Remote:
    """Forget a remote and its sync state; call under lib.lock(). The server is not touched."""
    remote = get(lib, name)
    data = _marker(lib)
    del data["remotes"][name]
    if not data["remotes"]:
        del data["remotes"]
    _write_marker(lib, data)
    from evcards.remote.state import state_path

    state_path(lib, name).unlink(missing_ok=True)
    return remote
