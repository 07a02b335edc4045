"""`evcards import`: files of any supported kind into the library, with a summary.

Each file is parsed completely before anything is written, so a broken file adds nothing;
a failed file is reported and the others go on.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from evcards import formats
from evcards.core.models import Card
from evcards.errors import EvcardsError, InputFileError
from evcards.formats.paste import read_text, read_text_cards
from evcards.store.library import Batch, Library, Prepared, stage

NO_CARDS = (
    "no cards found: it has no tags (Heading 4 paragraphs, or bold paragraphs at outline"
    " level 4); set the tags' style to Tag (Heading 4) in Word and import it again"
)


def by_shape_note(count: int) -> str:
    """What to say of a file whose cards were found by their shape, not by a Tag style."""
    cards = "1 card" if count == 1 else f"{count} cards"
    return (
        f"{cards} found by shape (a tag line, a cite, then the text), not by the Tag style"
        " (Heading 4); check the tags"
    )


@dataclass
class ImportSummary:
    files: int = 0
    cards: int = 0
    analytics: int = 0
    duplicates: int = 0
    skipped: int = 0
    failed: int = 0
    seconds: float = 0.0
    errors: list[dict[str, str]] = field(default_factory=list)
    by_shape: dict[str, int] = field(default_factory=dict)  # file: cards found with no Tag style

    def as_dict(self) -> dict[str, object]:
        return {
            "files": self.files,
            "cards": self.cards,
            "analytics": self.analytics,
            "duplicates": self.duplicates,
            "skipped": self.skipped,
            "failed": self.failed,
            "seconds": round(self.seconds, 3),
            "errors": list(self.errors),
            "by_shape": dict(self.by_shape),
        }


def expand(paths: Iterable[str]) -> list[str]:
    """Files named, and the importable files inside folders named (recursively, sorted)."""
    importable = formats.folder_suffixes()
    out: list[str] = []
    for p in paths:
        path = Path(p)
        if p != "-" and path.is_dir():
            found = [
                str(f)
                for f in sorted(path.rglob("*"))
                if f.is_file()
                and f.suffix.lower() in importable
                and not f.name.startswith(("~$", "."))
            ]
            # A folder with nothing to import stays in the list, to be reported as failed.
            out.extend(found or [p])
        else:
            out.append(p)
    return out


def parse_file(path: str, initials: str | None = None) -> list[Card]:
    """All cards in one file (or '-' for stdin), by the file's kind (see `formats.sniff`)."""
    if path == "-":
        return read_text_cards(read_text("-"), "<stdin>", initials)
    p = Path(path)
    if not p.exists():
        raise InputFileError(f"{path}: no such file")
    if p.is_dir():
        kinds = ", ".join(formats.folder_suffixes())
        raise InputFileError(f"{path}: a folder with no files to import ({kinds})")
    return formats.sniff(p).read(p, initials)


def prepare_file(
    path: str,
    initials: str | None = None,
    labels: tuple[str, ...] = (),
    staging: Path | None = None,
) -> tuple[str, list[Prepared] | str]:
    """One file parsed and its cards rendered to TOML, or the error message: the part of an
    import that can run in a worker process (the library itself has one writer). Given a
    batch's `staging` folder, the TOML is also written there (see `library.stage`)."""
    try:
        prepared = _prepare(path, initials, labels)
    except EvcardsError as e:
        return path, str(e)
    if staging is not None:
        prepared = Warned(stage(prepared, staging), prepared.warnings, prepared.by_shape)
    return path, prepared


class Warned(list[Prepared]):
    """A file's prepared cards and the warnings its reader gave about them (a list, so that
    it compares equal to the cards alone, and a plain one to pickle back from a worker)."""

    def __init__(
        self, items: Iterable[Prepared] = (), warnings: Iterable[str] = (), by_shape: int = 0
    ) -> None:
        super().__init__(items)
        self.warnings = list(warnings)
        self.by_shape = by_shape  # cards the reader found by their shape, not a Tag style


def _prepare(path: str, initials: str | None, labels: tuple[str, ...]) -> Warned:
    p = Path(path)
    if path == "-" or not p.is_file():
        cards = parse_file(path, initials)  # stdin, or the error for what is not a file
    else:
        fmt = formats.sniff(p)
        if fmt.marked_reader:
            # What the code below makes of the reader's cards, without the Span objects.
            read_marked = formats.load(fmt.marked_reader)
            marked = read_marked(p)
            return Warned(
                (Prepared.of(_labelled(c, labels), marked=body) for c, body in marked),
                by_shape=getattr(marked, "by_shape", 0),
            )
        cards = fmt.read(p, initials)
    # Readers that warn (pasted text: a cite it could not read) return a list with warnings.
    warnings = getattr(cards, "warnings", ())
    return Warned((Prepared.of(_labelled(card, labels)) for card in cards), warnings)


def _labelled(card: Card, labels: tuple[str, ...]) -> Card:
    if not labels:
        return card
    return card.model_copy(update={"labels": sorted(set(card.labels) | set(labels))})


def _prepare_all(
    files: list[str], initials: str | None, labels: tuple[str, ...], jobs: int, batch: Batch
) -> Iterator[tuple[str, list[Prepared] | str]]:
    """Prepared files in order; parsed `jobs` at a time when there are several files."""
    if jobs <= 1 or len(files) < 2 or "-" in files:
        for path in files:
            yield prepare_file(path, initials, labels)
        return
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool

    found = (formats.by_suffix(f) for f in files)
    for ref in {fmt.marked_reader for fmt in found if fmt and fmt.marked_reader}:
        formats.load(ref)  # once here (lxml for .docx), not once in every worker

    # fork starts a worker in milliseconds and shares the modules already imported.
    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("fork" if "fork" in methods else None)
    with ProcessPoolExecutor(max_workers=min(jobs, len(files)), mp_context=context) as pool:
        # Biggest files first, so that no worker is left with a long file at the end; results
        # are still taken in the given order, which decides which sighting comes first.
        # The workers also write the staging files: the batch then only renames them, and
        # creating the files no longer waits for the results taken in order below.
        staging = batch.staging
        futures = {
            path: pool.submit(prepare_file, path, initials, labels, staging)
            for path in sorted(files, key=_size, reverse=True)
        }
        for path in files:
            try:
                result = futures[path].result()
            except BrokenProcessPool:
                # A worker died (killed for memory, or a crash in C): parse here instead.
                result = prepare_file(path, initials, labels)
            yield result


def _size(path: str) -> int:
    try:
        return os.stat(path).st_size
    except OSError:
        return 0


def _note_shapes(
    summary: ImportSummary,
    path: str,
    count: int,
    on_warning: Callable[[str, str], None] | None,
) -> None:
    """Record and say how many of a file's cards were found by their shape."""
    if count:
        summary.by_shape[path] = count
        if on_warning:
            on_warning(path, by_shape_note(count))


def default_jobs() -> int:
    """Worker processes for parsing: the cores this process may use, at most 4."""
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not on Linux
        cores = os.cpu_count() or 1
    return max(1, min(cores, 4))


def import_paths(
    library: Library,
    paths: Iterable[str],
    initials: str | None = None,
    labels: Iterable[str] = (),
    on_error: Callable[[str, str], None] | None = None,
    on_file: Callable[[str], None] | None = None,
    jobs: int | None = None,
    on_warning: Callable[[str, str], None] | None = None,
) -> ImportSummary:
    """Import every file; a file that fails is recorded in the summary and skipped.

    Files are parsed in worker processes (`jobs`, default: the cores available) and written
    by this one, holding the library lock throughout, in one batch (see `Library.batch`).
    """
    start = time.perf_counter()
    summary = ImportSummary()
    files = expand(paths)
    extra_labels = tuple(sorted(set(labels)))
    with library.lock(), library.batch() as batch:
        for path, outcome in _prepare_all(
            files, initials, extra_labels, default_jobs() if jobs is None else jobs, batch
        ):
            if isinstance(outcome, str):
                summary.failed += 1
                summary.errors.append({"file": path, "message": outcome})
                if on_error:
                    on_error(path, outcome)
            else:
                summary.files += 1
                if not outcome and on_warning:
                    on_warning(path, NO_CARDS)
                for message in getattr(outcome, "warnings", ()):
                    if on_warning:
                        on_warning(path, message)
                _note_shapes(summary, path, getattr(outcome, "by_shape", 0), on_warning)
                for item in outcome:
                    status = batch.add(item)
                    if status == "added":
                        if item.kind == "analytic":
                            summary.analytics += 1
                        else:
                            summary.cards += 1
                    elif status == "merged":
                        summary.duplicates += 1
                    else:
                        summary.skipped += 1
            if on_file:
                on_file(path)
    summary.seconds = time.perf_counter() - start
    return summary
