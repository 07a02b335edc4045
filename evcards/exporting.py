"""`evcards export`: choose cards, render them in a format, write the result safely."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from evcards import formats
from evcards.core.models import Card
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
    output: str | None, fmt: str | None, read: bool = False, cite_request: bool = False
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
    if (read or cite_request) and not chosen.read_mode:
        readable = " and ".join(f.name for f in formats.FORMATS if f.read_mode)
        raise BadOption(f"--read and --cite-request apply to {readable} only")
    if read and cite_request:
        raise BadOption("choose one of --read and --cite-request")
    return name


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
) -> ExportPlan:
    """Refuse a bad output or bad options (BadOption) before doing any work."""
    path = output_path(output)
    if path is not None and path.is_dir():
        check_output(path, force)  # before the format: a folder has no suffix to go by
    name = choose_format(output, fmt, read, cite_request)
    if path is not None:
        check_output(path, force)
    return ExportPlan(name, path, force)


SEARCH_LIMIT = 100_000  # export wants every match, not a screenful


def search_cards(library: Library, query: str) -> list[Card]:
    """Cards matching `query` in the search index, best first (duplicates collapsed)."""
    from evcards.index.search import search

    hits = search(library.root, query, limit=SEARCH_LIMIT)
    return [library.read(library.root / hit.path) for hit in hits]


def select_cards(
    library: Library,
    refs: Sequence[str] = (),
    query: str | None = None,
    labels: Iterable[str] = (),
) -> list[Card]:
    """CARDs in the order given, then --query matches; neither means the whole library.
    --label narrows the selection to cards carrying every label named."""
    chosen: list[Card] = []
    if refs or query:
        chosen.extend(library.resolve(ref)[1] for ref in refs)
        if query:
            chosen.extend(search_cards(library, query))
    else:
        chosen.extend(_labelled(library, labels))
    wanted = set(labels)
    seen: set[str] = set()
    out = []
    for card in chosen:
        if card.id in seen or not wanted <= set(card.labels):
            continue
        seen.add(card.id)
        out.append(card)
    return out


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
    cards: list[Card],
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


@dataclass
class Exported:
    cards: list[Card]
    data: bytes | str  # what was written to the plan's path, or is for stdout


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
) -> Exported:
    """The chosen cards rendered and, when the plan names a file, written to it; an error
    when nothing matches (an empty speech doc before a round, exit 0, was worse)."""
    chosen = select_cards(library, refs, query, labels)
    if not chosen:
        raise CardNotFound(_nothing_to_export(query, labels))
    title = plan.path.stem if plan.path else ""
    data = render(chosen, plan.fmt, flat=flat, read=read, cite_request=cite_request, title=title)
    if plan.path is not None:
        write_output(plan.path, data, plan.force)
    return Exported(chosen, data)


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
