"""`evcards remote add|list|rm|init|status`, `push` and `pull`: views over evcards.remote."""

from typing import Annotated

import typer

from evcards.cli.app import app, check_labels, get_library

remote_app = typer.Typer(
    help="Team libraries on PostgreSQL that push, pull and search --remote talk to.",
    no_args_is_help=True,
)
app.add_typer(remote_app, name="remote")

NameArg = Annotated[str, typer.Argument(help="The remote's name.", show_default=False)]
MaybeName = Annotated[
    str | None,
    typer.Argument(help="The remote (default: the library's only one).", show_default=False),
]


def _remote(name: str | None):  # type: ignore[no-untyped-def]
    from evcards.remote.remotes import get

    lib = get_library()
    return lib, get(lib, name)


def _warn(warnings: list[str]) -> None:
    for line in warnings:
        typer.echo(f"Warning: {line}", err=True)


@remote_app.command("add")
def remote_add(
    name: NameArg,
    url: Annotated[
        str,
        typer.Argument(
            help="postgresql://USER@HOST/DB?sslmode=verify-full (no password: libpq reads"
            " PGPASSWORD, ~/.pgpass or a service file).",
            show_default=False,
        ),
    ],
    team: Annotated[
        str | None,
        typer.Option(
            "--team",
            help="The team role whose cards these are (default: the login role).",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Name a remote for this library (nothing is sent)."""
    from evcards.remote.remotes import add

    lib = get_library(create=True)
    with lib.lock():
        add(lib, name, url, team)
    typer.echo(f"Added remote {name}.")


@remote_app.command("list")
def remote_list() -> None:
    """The library's remotes and their URLs."""
    from evcards.remote.remotes import remotes

    for r in remotes(get_library()):
        team = f"  (team {r.team})" if r.team else ""
        typer.echo(f"{r.name}\t{r.url}{team}")


@remote_app.command("rm")
def remote_rm(name: NameArg) -> None:
    """Forget a remote and what was synced with it (the server is not touched)."""
    from evcards.remote.remotes import remove

    lib = get_library()
    with lib.lock():
        remove(lib, name)
    typer.echo(f"Removed remote {name}.")


@remote_app.command("init")
def remote_init(name: MaybeName = None) -> None:
    """Create the evcards tables on the server, or upgrade them (run once, as their owner)."""
    from evcards.remote.connect import session
    from evcards.remote.migrations import init

    _, remote = _remote(name)
    with session(remote, "create tables on") as s:
        before, after = init(s)
    if before == after:
        typer.echo(f"Remote {remote.name} is up to date (schema version {after}).")
    else:
        typer.echo(f"Remote {remote.name}: schema version {before} -> {after}.")


@remote_app.command("status")
def remote_status(name: MaybeName = None) -> None:
    """How many cards differ each way since the last sync."""
    from evcards.remote.status import status

    lib, remote = _remote(name)
    st = status(lib, remote)
    typer.echo(f"remote {st.remote}")
    typer.echo(f"  to push: {st.to_push} changed here, {st.deleted_here} removed here")
    typer.echo(f"  to pull: {st.to_pull} changed there, {st.deleted_there} of them removed")


@app.command()
def push(
    name: MaybeName = None,
    cards: Annotated[
        list[str] | None,
        typer.Argument(help="Cards (ids, prefixes or files) to send.", show_default=False),
    ] = None,
    label: Annotated[
        list[str] | None,
        typer.Option("--label", "-l", help="Send the cards with this label.", metavar="LABEL"),
    ] = None,
    everything: Annotated[bool, typer.Option("--all", help="Send every card.")] = False,
    speeches: Annotated[bool, typer.Option("--speeches", help="Send the speeches too.")] = False,
) -> None:
    """Send cards to a remote (default: those changed since the last sync, and removals)."""
    from evcards.remote.push import push as do_push

    check_labels(label)
    name, cards = _name_or_card(name, cards)
    lib, remote = _remote(name)
    r = do_push(lib, remote, cards, label, everything, speeches)
    _warn(r.warnings)
    extra = f", {r.speeches} speeches" if speeches else ""
    typer.echo(
        f"Pushed to {remote.name}: {r.sent} cards sent, {r.unchanged} already there,"
        f" {r.deleted} removals{extra}."
    )


def _name_or_card(name: str | None, cards: list[str] | None) -> tuple[str | None, list[str] | None]:
    """`push 3f9a`: a first argument that names no remote is a card."""
    from evcards.remote.remotes import remotes

    if name is None or name in {r.name for r in remotes(get_library())}:
        return name, cards
    return None, [name, *(cards or [])]


@app.command()
def pull(
    name: MaybeName = None,
    speeches: Annotated[bool, typer.Option("--speeches", help="Bring speeches too.")] = False,
) -> None:
    """Bring what changed on a remote since the last pull into the library."""
    from evcards.remote.pull import pull as do_pull

    lib, remote = _remote(name)
    r = do_pull(lib, remote, speeches)
    _warn(r.warnings)
    extra = f", {r.speeches} speeches" if speeches else ""
    typer.echo(
        f"Pulled from {remote.name}: {r.added} added, {r.updated} updated, {r.merged} merged,"
        f" {r.removed} removed{extra}."
    )


def search_remote(  # type: ignore[no-untyped-def]
    lib, name: str, query: str, filters, read: bool, limit: int, kind: str | None, as_json: bool
) -> None:
    """`search --remote NAME`: the hits of evcards.remote.search, printed as a local search's."""
    from evcards.remote.remotes import get
    from evcards.remote.search import search

    hits = search(lib, get(lib, name), query, filters, read=read, limit=limit, kind=kind)
    if as_json:
        import json

        typer.echo(json.dumps([h.as_json() for h in hits], ensure_ascii=False, indent=2))
        return
    if not hits:
        typer.echo("No cards found.")
        return
    from rich.text import Text

    from evcards.cli.output import console
    from evcards.cli.tables import card_table

    out = console()
    table = card_table(out.width, tag_ratio=2)
    table.add_column("match", overflow="fold", ratio=3)
    table.add_column("read", justify="right")
    table.add_column("seen", justify="right")
    for h in hits:
        snippet = Text()
        for i, part in enumerate(h.snippet.replace("»", "«").split("«")):
            snippet.append(part, style="bold reverse" if i % 2 else "")
        table.add_row(h.id[:8], h.short_cite, h.tag, snippet, str(h.words_read), f"{h.seen}×")
    out.print(table)
