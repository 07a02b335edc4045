"""`evcards import`: files of any supported kind into the library, with a summary.

Each file is parsed completely before anything is written, so a broken file adds nothing;
a failed file is reported and the others go on.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from evcards.errors import EvcardsError, InputFileError
from evcards.library import Library
from evcards.models import Card
from evcards.text_import import decode, parse_text_cards

TEXT_SUFFIXES = {".txt", ".text", ".md"}


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
        }


def expand(paths: Iterable[str]) -> list[str]:
    """Files named, and the importable files inside folders named (recursively, sorted)."""
    out: list[str] = []
    for p in paths:
        path = Path(p)
        if p != "-" and path.is_dir():
            out.extend(
                str(f)
                for f in sorted(path.rglob("*"))
                if f.is_file()
                and f.suffix.lower() in TEXT_SUFFIXES | {".docx"}
                and not f.name.startswith(("~$", "."))
            )
        else:
            out.append(p)
    return out


def parse_file(path: str, initials: str | None = None) -> list[Card]:
    """All cards in one file (or '-' for stdin), by the file's kind."""
    if path == "-":
        return parse_text_cards(decode(sys.stdin.buffer.read(), "<stdin>"), "<stdin>", initials)
    p = Path(path)
    if not p.exists():
        raise InputFileError(f"{path}: no such file")
    if p.is_dir():
        raise InputFileError(f"{path}: is a folder")
    suffix = p.suffix.lower()
    if suffix == ".docx":
        from evcards.docx_import import parse_docx  # lazy: lxml loads only for .docx

        return parse_docx(p)
    if suffix in (".jsonl", ".csv"):
        from evcards.dataset import parse_rows_file  # OpenDebateEvidence rows

        return parse_rows_file(p)
    try:
        raw = p.read_bytes()
    except OSError as e:
        raise InputFileError(f"{path}: cannot read ({e.strerror})") from None
    return parse_text_cards(decode(raw, path), p.name, initials)


def import_paths(
    library: Library,
    paths: Iterable[str],
    initials: str | None = None,
    labels: Iterable[str] = (),
    on_error: Callable[[str, str], None] | None = None,
    on_file: Callable[[str], None] | None = None,
) -> ImportSummary:
    """Import every file; a file that fails is recorded in the summary and skipped."""
    start = time.perf_counter()
    summary = ImportSummary()
    extra_labels = sorted(set(labels))
    for path in expand(paths):
        try:
            cards = parse_file(path, initials)
        except EvcardsError as e:
            summary.failed += 1
            summary.errors.append({"file": path, "message": str(e)})
            if on_error:
                on_error(path, str(e))
            continue
        summary.files += 1
        with library.lock():
            for card in cards:
                if extra_labels:
                    card = card.model_copy(
                        update={"labels": sorted(set(card.labels) | set(extra_labels))}
                    )
                result = library.add(card)
                if result.status == "added":
                    if card.kind == "analytic":
                        summary.analytics += 1
                    else:
                        summary.cards += 1
                elif result.status == "merged":
                    summary.duplicates += 1
                else:
                    summary.skipped += 1
        if on_file:
            on_file(path)
    summary.seconds = time.perf_counter() - start
    return summary
