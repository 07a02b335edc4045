"""`evcards search` and `evcards index rebuild|sync|status`: views over evcards.index."""

from typing import Annotated, Any

import typer

from evcards.cli import filters as opts
from evcards.cli.app import app, get_library

index_app = typer.Typer(
    help="The search index (derived; rebuilt automatically when missing or damaged).",
    no_args_is_help=True,
)
app.add_typer(index_app, name="index")

_opt = opts.opt


@app.command()
def search(
    ctx: typer.Context,
    query: Annotated[
        str,
        typer.Argument(
            help='Words, "phrases", prefix*, and AND / OR / NOT in capitals. Empty with filters.',
            show_default=False,
            metavar="QUERY",
        ),
    ] = "",
    tag: opts.TagOpt = None,
    cite: opts.CiteOpt = None,
    body: opts.BodyOpt = None,
    author: opts.AuthorOpt = None,
    year: opts.YearOpt = None,
    label: opts.LabelOpt = None,
    pocket: opts.PocketOpt = None,
    hat: opts.HatOpt = None,
    block: opts.BlockOpt = None,
    file: opts.FileOpt = None,
    highlighted: opts.HighlightedOpt = False,
    read: Annotated[
        bool, _opt("--read", "-r", help="Match only the highlighted (spoken) text.")
    ] = False,
    raw: Annotated[
        bool,
        _opt(
            "--raw",
            help='The query is tantivy syntax: field:word, "a b"~2, (a OR b) AND c, word^2.',
        ),
    ] = False,
    kind: Annotated[
        opts.Kind | None,
        _opt("--kind", help="Only cards, or only analytics (default: both, cards first)."),
    ] = None,
    limit: Annotated[
        int, typer.Option("--limit", "-n", min=1, help="Most results.", metavar="N")
    ] = 20,
    thorough: Annotated[
        bool, _opt("--thorough", help="Accepted and ignored: every match is always ranked.")
    ] = False,
    every_cut: Annotated[
        bool,
        _opt("--cuts", help="List every cut of an article, not one result per group of cuts."),
    ] = False,
    as_json: Annotated[bool, _opt("--json", help="A JSON array of results.")] = False,
    remote: Annotated[
        str | None,
        _opt(
            "--remote", help="Search this remote's server instead (see `remote`).", metavar="NAME"
        ),
    ] = None,
    where: Annotated[
        opts.Many,
        _opt(
            "--in",
            help="Search only here: `lib` (your library) or a collection's name; repeatable"
            " (default: the library and every collection).",
            metavar="NAME",
        ),
    ] = None,
    event: Annotated[
        opts.Many,
        _opt("--event", help="Collection cards of this event (cx, ld, pf).", metavar="EV"),
    ] = None,
    side: Annotated[
        opts.Many, _opt("--side", help="Collection cards of this side (A, N).", metavar="SIDE")
    ] = None,
    level: Annotated[
        opts.Many,
        _opt("--level", help="Collection cards of this level (hs, college).", metavar="L"),
    ] = None,
    caselist: Annotated[
        opts.Many, _opt("--caselist", help="Collection cards of this caselist.", metavar="NAME")
    ] = None,
    season: Annotated[
        str | None,
        _opt(
            "--season",
            help="Collection cards of rounds in this season (the dataset's year): 2022,"
            " 2019..2022.",
            metavar="YEARS",
        ),
    ] = None,
) -> None:
    """Find cards in your library and your collections, best first; the same cut of the same
    text is shown once, with its count, and the re-cuts of one article once, the best-ranked
    first, with theirs (`57 cuts`). --event, --side, --level, --caselist and --season filter
    on what a collection's dataset says of a card's round (library cards have none)."""
    from evcards.index.search import CutsMode, Filters

    filters = opts.make_filters(ctx.params)
    filters.event, filters.side = list(event or []), list(side or [])
    filters.level, filters.caselist = list(level or []), list(caselist or [])
    if season is not None:
        filters.season_from, filters.season_to = opts.years(season, "--season")
    if not query.strip() and filters == Filters():
        raise typer.BadParameter("give a query, a filter, or both", param_hint="QUERY")
    lib = get_library()
    chosen = kind.value if kind else None
    if remote is not None:  # the server searches; same filters, same --json shape
        from evcards.cli.remote import search_remote

        return search_remote(lib, remote, query, filters, read, limit, chosen, as_json)
    mode: CutsMode = "every" if every_cut else "group"
    options: dict[str, Any] = {"raw": raw, "read": read, "limit": limit, "kind": chosen}
    mixed, hits = _found(lib.root, query, filters, where, {**options, "cuts": mode})
    if as_json:
        import json

        # The card file's full path, as `list --json` gives it: the index's path is relative to
        # the library, which a script run from elsewhere could not open. A collection card's
        # path is FILE:ROW, where its dataset holds it.
        rows = [
            {**h.as_json(), "path": str(lib.root / h.path) if h.where == "lib" else h.path}
            for h in hits
        ]
        typer.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    if not hits:
        typer.echo("No cards found.")
        return
    _print_table(hits, mixed)


def _found(
    root: Any, query: str, filters: Any, where: list[str] | None, options: dict[str, Any]
) -> tuple[bool, list[Any]]:
    """The hits, and whether collections were searched (each result then says where it is):
    when any is built, or --in or a collection-only filter is given."""
    from evcards.collections.places import names

    if where or filters.round_only() or names():
        from evcards.collections.searching import search_all

        def skipped(why: str) -> None:
            typer.echo(f"Warning: {why}; searched the others.", err=True)

        return True, search_all(root, query, filters, where=where, skipped=skipped, **options)
    from evcards.index.search import search

    return False, search(root, query, filters, **options)


def _print_table(hits: list[Any], mixed: bool = False) -> None:
    from evcards.cli.tables import Col, card_columns, draw_table
    from evcards.index.search import MARK_END, MARK_START

    def columns(width: int) -> list[Col]:
        return [
            *card_columns(width, tag_ratio=2),
            Col("match", overflow="fold", ratio=3),
            Col("read", justify="right"),
            Col("seen", justify="right"),
            Col("cuts", justify="right"),
            # where each result is: `lib`, or the collection's name, never cut
            *(
                [Col("in", no_wrap=True, min_width=max(len(h.where) for h in hits))]
                if mixed
                else []
            ),
        ]

    rows = []
    for h in hits:
        parts = h.snippet.replace(MARK_END, MARK_START).split(MARK_START)
        snippet = [(part, "bold reverse" if i % 2 else "") for i, part in enumerate(parts)]
        cells = [h.id[:8], h.short_cite, h.tag, snippet, str(h.words_read), f"{h.seen}×"]
        rows.append([*cells, cuts_label(h.cuts), *([h.where] if mixed else [])])
    draw_table(columns, rows)


def cuts_label(n: int) -> str:
    """`57 cuts` for a group of re-cuts, nothing for a card that has none."""
    return f"{n} cuts" if n > 1 else ""


@app.command("cuts")
def cuts(
    card: Annotated[
        str, typer.Argument(help="A card id or unambiguous id prefix.", metavar="CARD")
    ],
    as_json: Annotated[bool, _opt("--json", help="A JSON array of the cuts.")] = False,
) -> None:
    """List the cuts of one card, in the library or a collection: the cards that re-cut the
    same article (trimmed, highlighted or a word fixed otherwise), the card itself first."""
    from evcards.collections.cards import cuts_of

    lib = get_library()
    found = cuts_of(lib, card)
    if as_json:
        import json

        typer.echo(json.dumps([c.as_json() for c in found], ensure_ascii=False, indent=2))
        return
    from evcards.cli.tables import Col, card_columns, draw_table

    def columns(width: int) -> list[Col]:
        return [*card_columns(width, tag_ratio=2), Col("read", justify="right"), Col("where")]

    rows = [[c.id[:8], c.short_cite, c.tag, str(c.words_read), c.where] for c in found]
    draw_table(columns, rows)
    typer.echo(f"{len(found)} cut{'s' if len(found) != 1 else ''} of {found[0].id[:8]}")


@index_app.command("rebuild")
def index_rebuild() -> None:
    """Rebuild the index from the card files (never needed for correctness)."""
    from evcards.cli.progress import cards_progress
    from evcards.index.build import rebuild

    lib = get_library()
    try:
        with cards_progress() as progress:
            result = rebuild(lib.root, progress=progress)
    except KeyboardInterrupt:
        from evcards.errors import Interrupted

        # The build swaps a finished index in, or leaves the old one (see index.build).
        raise Interrupted(
            "the index was not rebuilt; the old one stays, and a search rebuilds it if it is"
            " missing or damaged"
        ) from None
    extra = f", {result.invalid} invalid files skipped" if result.invalid else ""
    typer.echo(f"Indexed {result.added} cards{extra}.")


@index_app.command("sync")
def index_sync() -> None:
    """Check every card file now (a search checks a rolling share of a big library)."""
    from evcards.cli.progress import cards_progress
    from evcards.index.sync import ensure, sync

    lib = get_library()
    with cards_progress() as progress:
        ix = ensure(lib.root, progress=progress)
        try:
            r = sync(ix, full=True, progress=progress)
        finally:
            ix.close()
    typer.echo(f"Synced: {r.added} added, {r.updated} updated, {r.removed} removed.")


@index_app.command("status")
def index_status(
    as_json: Annotated[bool, _opt("--json", help="As a JSON object.")] = False,
) -> None:
    """Cards indexed, index size, last sync and schema version (syncs first)."""
    from dataclasses import asdict

    from evcards.index.sync import status

    st = status(get_library().root)
    if as_json:
        import json

        typer.echo(json.dumps(asdict(st), indent=2))
        return
    typer.echo(f"library         {st.library}")
    typer.echo(f"index           {st.index}")
    typer.echo(f"full text       {st.fulltext}")
    typer.echo(f"cards           {st.cards}")
    typer.echo(f"invalid files   {st.invalid}")
    typer.echo(f"size            {st.size_bytes / 1e6:.1f} MB")
    typer.echo(f"last sync       {st.last_sync}")
    typer.echo(f"schema version  {st.schema_version}")
