"""`evcards search` and `evcards index rebuild|sync|status`: views over evcards.index."""

from typing import Annotated, Any

import typer

from evcards.cli.app import app, check_labels, get_library

index_app = typer.Typer(
    help="The search index (derived; rebuilt automatically when missing or damaged).",
    no_args_is_help=True,
)
app.add_typer(index_app, name="index")

Many = list[str] | None


def _opt(*names: str, help: str, metavar: str | None = None) -> Any:
    return typer.Option(*names, help=help, show_default=False, metavar=metavar)


@app.command()
def search(
    query: Annotated[
        str,
        typer.Argument(
            help='Words, "phrases", prefix*, and AND / OR / NOT in capitals. Empty with filters.',
            show_default=False,
            metavar="QUERY",
        ),
    ] = "",
    tag: Annotated[
        Many, _opt("--tag", help="Words that must be in the tag.", metavar="WORDS")
    ] = None,
    cite: Annotated[
        Many, _opt("--cite", help="Words that must be in the cite.", metavar="WORDS")
    ] = None,
    body: Annotated[
        Many, _opt("--body", help="Words that must be in the body text.", metavar="WORDS")
    ] = None,
    author: Annotated[
        Many,
        _opt(
            "--author",
            help="Any author's name, else the short cite's (accents and case ignored).",
            metavar="WORDS",
        ),
    ] = None,
    year: Annotated[
        str | None,
        _opt("--year", help="A year or range: 2018, 2018..2020, 2018.., ..2020.", metavar="YEARS"),
    ] = None,
    label: Annotated[
        Many, _opt("--label", "-l", help="Only cards with this label.", metavar="LABEL")
    ] = None,
    pocket: Annotated[
        Many, _opt("--pocket", help="Words in the pocket (Heading 1).", metavar="WORDS")
    ] = None,
    hat: Annotated[
        Many, _opt("--hat", help="Words in the hat (Heading 2).", metavar="WORDS")
    ] = None,
    block: Annotated[
        Many, _opt("--block", help="Words in the block (Heading 3).", metavar="WORDS")
    ] = None,
    file: Annotated[
        Many, _opt("--file", help="Words of a source file's name.", metavar="WORDS")
    ] = None,
    highlighted: Annotated[
        bool, _opt("--highlighted", help="Only cards with highlighting.")
    ] = False,
    read: Annotated[
        bool, _opt("--read", "-r", help="Match only the highlighted (spoken) text.")
    ] = False,
    raw: Annotated[bool, _opt("--raw", help="The query is raw SQLite FTS5 syntax.")] = False,
    limit: Annotated[
        int, typer.Option("--limit", "-n", min=1, help="Most results.", metavar="N")
    ] = 20,
    thorough: Annotated[
        bool,
        _opt(
            "--thorough",
            help="Rank every match. By default a query matching over 5,000 cards ranks the"
            " newest 5,000 (fast in a big library).",
        ),
    ] = False,
    as_json: Annotated[bool, _opt("--json", help="A JSON array of results.")] = False,
) -> None:
    """Find cards, best first; the same cut of the same text is shown once, with its count."""
    from evcards.index.search import Filters, search

    check_labels(label)  # `-l Neg` finds the cards labelled neg
    filters = _filters(
        year,
        highlighted,
        tag=tag,
        cite=cite,
        body=body,
        author=author,
        labels=label,
        pocket=pocket,
        hat=hat,
        block=block,
        files=file,
    )
    if not query.strip() and filters == Filters():
        raise typer.BadParameter("give a query, a filter, or both", param_hint="QUERY")
    lib = get_library()
    hits = search(lib.root, query, filters, raw=raw, read=read, limit=limit, thorough=thorough)
    if as_json:
        import json

        # The card file's full path, as `list --json` gives it: the index's path is relative to
        # the library, which a script run from elsewhere could not open.
        rows = [{**h.as_json(), "path": str(lib.root / h.path)} for h in hits]
        typer.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    if not hits:
        typer.echo("No cards found.")
        return
    _print_table(hits)


def _filters(year: str | None, highlighted: bool, **words: Many) -> Any:
    """The search's Filters from the options: each word filter a list (none given: empty),
    the --year range parsed (a bad one is a usage error)."""
    from evcards.index.search import Filters, parse_years

    year_from = year_to = None
    if year is not None:
        try:
            year_from, year_to = parse_years(year)
        except ValueError as e:
            raise typer.BadParameter(str(e), param_hint="--year") from None
    lists = {name: value or [] for name, value in words.items()}
    return Filters(**lists, year_from=year_from, year_to=year_to, highlighted=highlighted)


def _print_table(hits: list[Any]) -> None:
    from rich.text import Text

    from evcards.cli.output import console
    from evcards.cli.tables import card_table
    from evcards.index.search import MARK_END, MARK_START

    out = console()
    table = card_table(out.width, tag_ratio=2)
    table.add_column("match", overflow="fold", ratio=3)
    table.add_column("read", justify="right")
    table.add_column("seen", justify="right")
    for h in hits:
        snippet = Text()
        for i, part in enumerate(h.snippet.replace(MARK_END, MARK_START).split(MARK_START)):
            snippet.append(part, style="bold reverse" if i % 2 else "")
        table.add_row(h.id[:8], h.short_cite, h.tag, snippet, str(h.words_read), f"{h.seen}×")
    out.print(table)


@index_app.command("rebuild")
def index_rebuild() -> None:
    """Rebuild the index from the card files (never needed for correctness)."""
    from evcards.index.build import rebuild

    lib = get_library()
    try:
        result = rebuild(lib.root)
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
    from evcards.index.sync import ensure, sync

    lib = get_library()
    db = ensure(lib.root)
    try:
        r = sync(lib.root, db, full=True)
    finally:
        db.close()
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
    typer.echo(f"cards           {st.cards}")
    typer.echo(f"invalid files   {st.invalid}")
    typer.echo(f"size            {st.size_bytes / 1e6:.1f} MB")
    typer.echo(f"last sync       {st.last_sync}")
    typer.echo(f"schema version  {st.schema_version}")
