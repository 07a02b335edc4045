"""`evcards export`: choose cards, render them in a format, write the result safely."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from evcards import formats
from evcards.core.models import Card, Marks
from evcards.core.outline import by_sighting, doc_order
from evcards.errors import BadOption, CardNotFound, OutputFileError
from evcards.store.atomic import atomic_write
from evcards.store.library import Library


def infer_format(output: str | None, fmt: str | None) -> str | None:
    """--format if given, else the output file's suffix; None when neither says."""
    if fmt:
        return fmt
    if output and output != "-":
        found = formats.by_suffix(output)
        return found.name if found is not None and found.writer else None
    return None


def output_path(output: str | None) -> Path | None:
    """The file to write, or None for stdout (no --output, or -)."""
    return Path(output).expanduser() if output and output != "-" else None


def choose_format(
    output: str | None,
    fmt: str | None,
    read: bool = False,
    cite_request: bool = False,
    page_breaks: bool = True,
) -> str:
    """The format to write, from --format or the output's suffix (else text); BadOption
    when the options cannot work together."""
    name = infer_format(output, fmt)
    if name is None:
        if output and output != "-":
            raise BadOption(
                f"cannot tell the format from '{Path(output).suffix or output}';"
                f" give --format {'|'.join(formats.WRITABLE)}",
                "--format",
            )
        name = "text"
    chosen = formats.get(name)
    if chosen.binary and (output is None or output == "-"):
        raise BadOption(
            f"{name} is a binary format; write it to a file with -o speech.{name}", "--output"
        )
    _check_modes(chosen, read, cite_request, page_breaks)
    return name


def _check_modes(chosen: formats.Format, read: bool, cite_request: bool, page_breaks: bool) -> None:
    """BadOption for a mode the format cannot write."""
    if (read or cite_request) and not chosen.read_mode:
        readable = " and ".join(f.name for f in formats.FORMATS if f.read_mode)
        raise BadOption(f"--read and --cite-request apply to {readable} only")
    if read and cite_request:
        raise BadOption("choose one of --read and --cite-request")
    if not page_breaks and "page_breaks" not in chosen.options:
        paged = " and ".join(f.name for f in formats.FORMATS if "page_breaks" in f.options)
        raise BadOption(f"--no-page-breaks applies to {paged} only", "--no-page-breaks")


@dataclass
class ExportPlan:
    """What an export writes and where, checked before any card is read."""

    fmt: str
    path: Path | None  # None: stdout
    force: bool = False


def plan_export(
    output: str | None,
    fmt: str | None,
    read: bool = False,
    cite_request: bool = False,
    force: bool = False,
    page_breaks: bool = True,
) -> ExportPlan:
    """Refuse a bad output or bad options (BadOption) before doing any work."""
    path = output_path(output)
    if path is not None and path.is_dir():
        check_output(path, force)  # before the format: a folder has no suffix to go by
    name = choose_format(output, fmt, read, cite_request, page_breaks)
    if path is not None:
        check_output(path, force)
    return ExportPlan(name, path, force)


MarkedBody = list[list[tuple[str, Marks]]]
SEARCH_LIMIT = 100_000  # export wants every match, not a screenful
# A query export past this many cards, with no --limit, is warned about: 82 matches of
# "nuclear war" were 33 minutes of reading, not a speech.
WARN_OVER = 50


def search_cards(
    library: Library, query: str, labels: Iterable[str] = (), limit: int | None = None
) -> list[Card]:
    """Cards matching `query` in the search index, best first (duplicates collapsed), that
    carry every label in `labels`: the best `limit` of them, or all."""
    from evcards.index.search import Filters, search

    filters = Filters(labels=list(labels))
    hits = search(
        library.root, query, filters, limit=limit or SEARCH_LIMIT, snippets=False, cuts="off"
    )
    return [library.read(library.root / hit.path) for hit in hits]


def select_cards(
    library: Library,
    refs: Sequence[str] = (),
    query: str | None = None,
    labels: Iterable[str] = (),
    limit: int | None = None,
) -> list[Card]:
    """CARDs in the order given, then the --query matches best first (the best `limit` of
    them); neither means the whole library, in document order (`by_sighting`). --label
    narrows the selection to cards carrying every label named."""
    wanted = set(labels)
    chosen: list[Card] = []
    if refs or query:
        from evcards.collections.cards import card_anywhere

        chosen.extend(card_anywhere(library, ref)[0] for ref in refs)  # collection ids too
        if query:
            chosen.extend(search_cards(library, query, sorted(wanted), limit))
    else:
        chosen.extend(sorted(_labelled(library, labels), key=by_sighting))
    return _wanted(chosen, labels)


def _wanted(chosen: Iterable[Any], labels: Iterable[str]) -> list[Any]:
    """Cards (or (card, body) pairs) carrying every label named, each once, in order."""
    wanted = set(labels)
    seen: set[str] = set()
    out = []
    for item in chosen:
        card = item[0] if isinstance(item, tuple) else item
        if card.id in seen or not wanted <= set(card.labels):
            continue
        seen.add(card.id)
        out.append(item)
    return out


def select_marked(
    library: Library,
    refs: Sequence[str] = (),
    query: str | None = None,
    labels: Iterable[str] = (),
    limit: int | None = None,
) -> list[tuple[Card, MarkedBody]]:
    """`select_cards`, each card beside its body as (text, marks) pairs, no Span built
    (`cardfile.read_marked`): what the jsonl and csv writers take, read in a fraction of
    the time (bench/README.md, "Export benchmark")."""
    from evcards.store import cardfile

    if refs or query:
        return [
            (c, [[(s.text, s.marks()) for s in p] for p in c.body])
            for c in select_cards(library, refs, query, labels, limit)
        ]
    return _wanted((cardfile.read_marked(path) for path in library.paths()), labels)


def _labelled(library: Library, labels: Iterable[str]) -> Iterable[Card]:
    """The library's cards, only those carrying every label when labels are given: those
    are chosen from the index's catalog, and only their files are read."""
    if not labels or not library.root.is_dir():
        return (card for _, card in library.cards())
    from evcards.index.catalog import list_cards
    from evcards.index.query import Filters

    rows = list_cards(library.root, Filters(labels=sorted(set(labels))), sort="path").rows
    return (library.read(Path(r.path)) for r in rows)


def render(
    cards: list[Card] | list[tuple[Card, MarkedBody]],
    fmt: str,
    *,
    flat: bool = False,
    read: bool = False,
    cite_request: bool = False,
    title: str = "",
    page_breaks: bool = True,
) -> bytes | str:
    """The cards in `fmt`: bytes for a binary format (docx), text for the rest. A format
    takes only the options it names (`Format.options`); the rest are ignored."""
    options = {
        "flat": flat,
        "read": read,
        "cite_request": cite_request,
        "title": title,
        "page_breaks": page_breaks,
    }
    return formats.get(fmt).write(cards, **options)


ORDERS = ("doc", "rank", "given")


def choose_order(
    order: str | None, refs: Sequence[str], query: str | None, limit: int | None
) -> str:
    """The order to export in, `order` or the default for what was asked (BadOption when
    the options cannot work together). The default is `given` when CARDs are named (the
    user said the order) and `doc` otherwise: for a query, doc order writes each file's
    headings once over its cards, where best-first order changes heading at nearly every
    card; --limit already keeps the best."""
    if limit is not None and not query:
        raise BadOption("--limit takes the best N matches of --query; give -q too", "--limit")
    if order is None:
        return "given" if refs else "doc"
    if order not in ORDERS:
        raise BadOption(f"--order is one of {', '.join(ORDERS)}, not {order!r}", "--order")
    if order == "rank" and not query:
        raise BadOption("--order rank is the order of --query's matches; give -q", "--order")
    if order == "given" and not refs:
        raise BadOption(
            "--order given keeps the order CARDs are named in; name them, or use --order doc",
            "--order",
        )
    return order


@dataclass
class Exported:
    cards: list[Card]  # those exported (none for a library's rows: see `count`)
    data: bytes | str  # what was written to the plan's path, or is for stdout
    warnings: list[str] = field(default_factory=list)
    count: int | None = None  # cards exported, when `cards` does not hold them
    words_read: int = 0  # their words read, then

    def summary(self, wpm: int) -> str:
        """`stats.summary_line` of the cards exported."""
        from evcards.stats import Totals, summary, summary_line

        if self.count is None:
            return summary_line(self.cards, wpm)
        return summary(Totals(self.count, self.words_read, self.words_read * 60.0 / wpm, wpm))


def export_cards(
    library: Library,
    plan: ExportPlan,
    refs: Sequence[str] = (),
    query: str | None = None,
    labels: Iterable[str] = (),
    *,
    flat: bool = False,
    read: bool = False,
    cite_request: bool = False,
    order: str | None = None,
    limit: int | None = None,
    page_breaks: bool = True,
    stdout: IO[bytes] | None = None,
) -> Exported:
    """The chosen cards rendered and, when the plan names a file, written to it; an error
    when nothing matches (an empty speech doc before a round, exit 0, was worse). The whole
    library's jsonl or csv is written as it is made (`library_rows`), to `stdout` when the
    plan names no file and `stdout` is given."""
    how = choose_order(order, refs, query, limit)
    marked = plan.fmt in MARKED_FORMATS
    if marked and not refs and not query:
        from evcards.library_rows import export_library

        return export_library(library, plan, labels, stdout)
    bodies: dict[str, MarkedBody] = {}
    if marked:
        pairs = select_marked(library, refs, query, labels, limit)
        bodies = {card.id: body for card, body in pairs}
        cards = [card for card, _ in pairs]
    else:
        cards = select_cards(library, refs, query, labels, limit)
    if not cards:
        raise CardNotFound(_nothing_to_export(query, labels))
    if how == "doc":
        cards = doc_order(cards)
    chosen = [(card, bodies[card.id]) for card in cards] if marked else cards
    title = plan.path.stem if plan.path else ""
    data = render(
        chosen,
        plan.fmt,
        flat=flat,
        read=read,
        cite_request=cite_request,
        title=title,
        page_breaks=page_breaks,
    )
    if plan.path is not None:
        write_output(plan.path, data, plan.force)
    return Exported(cards, data, _too_many(cards, query, limit))


def _too_many(chosen: list[Card], query: str | None, limit: int | None) -> list[str]:
    if not query or limit is not None or len(chosen) <= WARN_OVER:
        return []
    return [
        f"--query {query!r} exported {len(chosen)} cards; add --limit N (-n N) to export"
        " only the best N matches"
    ]


MARKED_FORMATS = ("jsonl", "csv")  # their writers take (card, body pairs): `select_marked`


def _nothing_to_export(query: str | None, labels: Iterable[str]) -> str:
    asked = [f"--query {query!r}"] if query else []
    asked += [f"--label {lab}" for lab in labels]
    if not asked:
        return "the library has no cards, so nothing was exported; import some first"
    return (
        f"no cards match {' and '.join(asked)}, so nothing was exported;"
        " try the same filters with `evcards search`"
    )


def check_output(path: Path, force: bool) -> None:
    """Refuse before any work is done: a folder, a missing folder, or a file without --force."""
    if path.is_dir():
        raise OutputFileError(
            f"{path}: is a folder; give a file name inside it, such as {path / 'speech.docx'}"
        )
    if not path.parent.is_dir():
        raise OutputFileError(f"{path}: folder {path.parent} does not exist; create it first")
    if path.exists() and not force:
        raise OutputFileError(f"{path}: already exists; add --force to overwrite it")


def write_output(path: Path, data: bytes | str, force: bool) -> None:
    check_output(path, force)
    try:
        atomic_write(path, data, overwrite=force)
    except FileExistsError:
        raise OutputFileError(f"{path}: already exists; add --force to overwrite it") from None
    except OSError as e:
        raise OutputFileError(f"{path}: cannot write ({e.strerror or e})") from None
