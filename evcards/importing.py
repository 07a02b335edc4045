"""`evcards import`: files of any supported kind into the library, with a summary.

Each file is parsed completely before anything is written, so a broken file adds nothing;
a failed file is reported and the others go on.
"""

from __future__ import annotations

import os
import shutil
import signal
import time
from collections import Counter
from collections.abc import Callable, Generator, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from evcards import formats
from evcards.core.models import Card
from evcards.errors import EvcardsError, InputFileError, Interrupted
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
    left_out: dict[str, int] = field(default_factory=dict)  # files in folders, by kind

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
            "left_out": dict(self.left_out),
        }


@dataclass
class Found:
    """The files an import reads, and the files in the folders named that it leaves out,
    counted by kind (their suffix: `.pdf`, `.jsonl.gz`), for the summary's one line on them."""

    files: list[str]
    left_out: dict[str, int]


def survey(paths: Iterable[str]) -> Found:
    """Files named, and the importable files inside folders named (recursively, sorted; not
    hidden ones or Word's `~$` lock files, nor anything in a dot-folder such as `.git`).
    A .jsonl or .csv file (plain or compressed) is read when it holds dataset rows that fit
    in the library; else it is left out, with why beside its kind."""
    importable = formats.folder_suffixes()
    out: list[str] = []
    left_out: Counter[str] = Counter()
    for p in paths:
        path = Path(p)
        if p == "-" or not path.is_dir():
            out.append(p)
            continue
        found: list[str] = []
        for f in sorted(path.rglob("*")):
            if not f.is_file() or any(
                part.startswith((".", "~$")) for part in f.relative_to(path).parts
            ):
                continue
            if f.suffix.lower() in importable:
                found.append(str(f))
            elif f.name.lower().endswith(formats.DATASET_SUFFIXES):
                why = _dataset_skip(f)
                if why is None:
                    found.append(str(f))
                else:
                    left_out[f"{_kind(f)} ({why})"] += 1
            else:
                left_out[_kind(f)] += 1
        # A folder with nothing to import stays in the list, to be reported as failed.
        out.extend(found or [p])
    return Found(out, dict(sorted(left_out.items())))


def _dataset_skip(path: Path) -> str | None:
    """Why a folder import leaves a .jsonl or .csv file out (not dataset rows, or too many
    for card files), or None to import it."""
    from evcards.formats.rowimport import folder_skip

    return folder_skip(path)


def expand(paths: Iterable[str]) -> list[str]:
    """The files an import of `paths` reads (see `survey`)."""
    return survey(paths).files


def _kind(path: Path) -> str:
    suffixes = [s.lower() for s in path.suffixes[-2:]]
    if suffixes and suffixes[-1] == ".gz":  # what was compressed says more than .gz
        return "".join(suffixes)
    return suffixes[-1] if suffixes else "no suffix"


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
    from evcards.index.build import text_values

    # What the index stores of each card, worked out here (in a worker, in parallel) from
    # the text to be written, so that nothing is read back to index it (`_Indexer`).
    values = [text_values(item.text, item.name) for item in prepared]
    if staging is not None:
        prepared = Warned(stage(prepared, staging), prepared.warnings, prepared.by_shape)
    prepared.values = values
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
        self.values: list[Any] = []  # each card's index Values (build.text_values), if given


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
) -> Generator[tuple[str, list[Prepared] | str], None, None]:
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
    pool = ProcessPoolExecutor(
        max_workers=min(jobs, len(files)), mp_context=context, initializer=_start_worker
    )
    try:
        # Biggest files first, so that no worker is left with a long file at the end; results
        # are still taken in the given order, which decides which sighting comes first.
        # The workers also write the staging files: the batch then only renames them, and
        # creating the files no longer waits for the results taken in order below.
        staging = batch.staging
        futures = {
            path: pool.submit(_prepare_in_worker, path, initials, labels, staging)
            for path in sorted(files, key=_size, reverse=True)
        }
        for path in files:
            try:
                result = futures[path].result()
            except BrokenProcessPool:
                # A worker died (killed for memory, or a crash in C): parse here instead.
                result = prepare_file(path, initials, labels)
            yield result
    except BaseException:  # Ctrl-C, or the caller stopped taking files (GeneratorExit)
        _stop_workers(pool)
        raise
    finally:
        pool.shutdown(cancel_futures=True)


# Ctrl-C in a worker. Killing one (SIGTERM) in the middle of sending its result back leaves
# half a message in the pipe, and the pool's reader thread waits for the rest for ever; so a
# worker stops itself, and only inside `prepare_file`, where stopping anywhere is safe (what
# it staged is removed by the main process). Files still queued to it then return at once.
_stopping = False
_busy = False


def _start_worker() -> None:
    signal.signal(signal.SIGINT, _ctrl_c_in_worker)


def _ctrl_c_in_worker(signum: int, frame: object) -> None:
    global _stopping
    _stopping = True
    if _busy:
        raise KeyboardInterrupt


def _prepare_in_worker(
    path: str, initials: str | None, labels: tuple[str, ...], staging: Path
) -> tuple[str, list[Prepared] | str]:
    global _busy
    _busy = True
    try:
        if _stopping:
            raise KeyboardInterrupt
        return prepare_file(path, initials, labels, staging)
    finally:
        _busy = False


def _stop_workers(pool: Any) -> None:
    """Stop the workers now, so that they write no more staging files: a plain `shutdown`
    waits for every file already handed out (up to 2.3 s of 30 files). Ctrl-C at a terminal
    reaches them already; `kill -INT` of this process alone does not, so it is passed on."""
    for process in list((getattr(pool, "_processes", None) or {}).values()):
        try:
            os.kill(process.pid, signal.SIGINT)
        except (ProcessLookupError, AttributeError, TypeError):  # ended, or not started
            pass
    pool.shutdown(cancel_futures=True)


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
    Ctrl-C stops the workers, removes every staging file and raises `Interrupted`, saying how
    many cards earlier flushes of the batch had stored (each whole).
    """
    start = time.perf_counter()
    found = survey(paths)
    summary = ImportSummary(left_out=found.left_out)
    extra_labels = tuple(sorted(set(labels)))
    report = _Report(on_error, on_warning)
    with library.lock():
        stored = len(library.ids())
        batch: Batch | None = None
        indexer = _Indexer(library.root)
        try:
            with library.batch(on_commit=indexer.committed) as batch:
                prepared = _prepare_all(
                    found.files,
                    initials,
                    extra_labels,
                    default_jobs() if jobs is None else jobs,
                    batch,
                )
                try:
                    for path, outcome in prepared:
                        indexer.take(outcome)
                        _take(summary, batch, path, outcome, report)
                        if on_file:
                            on_file(path)
                except KeyboardInterrupt:
                    prepared.close()  # the workers stop before their files go
                    discard_staging(batch.staging)  # before the batch unlinks them one by one
                    raise
                finally:
                    prepared.close()
        except KeyboardInterrupt:
            if batch is not None:  # interrupted while storing: what it had not stored yet
                discard_staging(batch.staging)
            kept = len(Library(library.root).ids()) - stored
            cards = "1 card" if kept == 1 else f"{kept} cards"
            raise Interrupted(
                f"{cards} imported before the interrupt; nothing half-written"
            ) from None
    summary.seconds = time.perf_counter() - start
    return summary


class _Indexer:
    """An import's cards into the search index as each commit of the batch lands them
    (`build.index_written`), with the Values worked out where they were parsed: the next
    command reads none of them back. A card whose text changed on the way (a sighting merged
    into a stored card) has its Values worked out from the text written."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.values: dict[str, Any] = {}  # text to be written -> its Values

    def take(self, outcome: list[Prepared] | str) -> None:
        values = getattr(outcome, "values", None)
        if not isinstance(outcome, str) and values and len(values) == len(outcome):
            self.values.update((item.text, v) for item, v in zip(outcome, values, strict=True))

    def committed(self, written: dict[Path, str]) -> None:
        from evcards.index.build import index_written, text_values

        known = {}
        for path, text in written.items():
            rel = os.path.relpath(path, self.root).replace(os.sep, "/")
            v = self.values.get(text)
            known[rel] = (len(text.encode()), v if v is not None else text_values(text, rel))
        self.values.clear()  # every card taken so far is in this commit, or was not written
        index_written(self.root, known)


@dataclass
class _Report:
    on_error: Callable[[str, str], None] | None
    on_warning: Callable[[str, str], None] | None

    def error(self, path: str, message: str) -> None:
        if self.on_error:
            self.on_error(path, message)

    def warning(self, path: str, message: str) -> None:
        if self.on_warning:
            self.on_warning(path, message)


def _take(
    summary: ImportSummary, batch: Batch, path: str, outcome: list[Prepared] | str, report: _Report
) -> None:
    """One file's outcome into the batch and the summary."""
    if isinstance(outcome, str):
        summary.failed += 1
        summary.errors.append({"file": path, "message": outcome})
        report.error(path, outcome)
        return
    summary.files += 1
    if not outcome:
        report.warning(path, NO_CARDS)
    for message in getattr(outcome, "warnings", ()):
        report.warning(path, message)
    _note_shapes(summary, path, getattr(outcome, "by_shape", 0), report.on_warning)
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


def discard_staging(staging: Path) -> None:
    """Every file of a batch's staging folder out of it at once: the folder is renamed aside
    (in the state folder) and removed by a process of its own. Unlinking 1,000 files here
    took 1-2 s on a busy disk (a file being written back waits for it to finish), and Ctrl-C
    should take a fraction of a second."""
    if not staging.is_dir() or not any(staging.iterdir()):
        return
    aside = staging.with_name(f"{staging.name}.discarded-{os.getpid()}-{time.monotonic_ns()}")
    try:
        os.rename(staging, aside)
    except OSError:  # the staging folder is the next import's: empty it here
        for tmp in staging.glob("*"):
            tmp.unlink(missing_ok=True)
        return
    _remove_in_background(aside)


def _remove_in_background(folder: Path) -> None:
    if not hasattr(os, "fork"):  # pragma: no cover - Windows
        shutil.rmtree(folder, ignore_errors=True)
        return
    child = os.fork()
    if child == 0:
        # A grandchild does the removing, in a session of its own (no second Ctrl-C reaches
        # it) and adopted by init, so that nobody has to wait for it.
        try:
            if os.fork() == 0:
                os.setsid()
                shutil.rmtree(folder, ignore_errors=True)
        finally:
            os._exit(0)
    os.waitpid(child, 0)
