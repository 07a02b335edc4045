"""`evcards export`: choose cards, render them in a format, write the result safely."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path

from evcards.core.models import Card
from evcards.errors import OutputFileError
from evcards.store.atomic import atomic_write
from evcards.store.library import Library

FORMATS = ("docx", "html", "text", "md", "jsonl", "csv")
SUFFIX_FORMAT = {
    ".docx": "docx",
    ".html": "html",
    ".htm": "html",
    ".txt": "text",
    ".text": "text",
    ".md": "md",
    ".markdown": "md",
    ".jsonl": "jsonl",
    ".csv": "csv",
}
BINARY_FORMATS = {"docx"}
READ_MODE_FORMATS = {"text", "md"}


def infer_format(output: str | None, fmt: str | None) -> str | None:
    """--format if given, else the output file's suffix; None when neither says."""
    if fmt:
        return fmt
    if output and output != "-":
        return SUFFIX_FORMAT.get(Path(output).suffix.lower())
    return None


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
        chosen.extend(card for _, card in library.cards())
    wanted = set(labels)
    seen: set[str] = set()
    out = []
    for card in chosen:
        if card.id in seen or not wanted <= set(card.labels):
            continue
        seen.add(card.id)
        out.append(card)
    return out


def render(
    cards: list[Card],
    fmt: str,
    *,
    flat: bool = False,
    read: bool = False,
    cite_request: bool = False,
    title: str = "",
) -> bytes | str:
    """The cards in `fmt`; bytes for docx, text for the rest."""
    if fmt == "docx":
        from evcards.formats.docx.write import render_docx

        return render_docx(cards, flat=flat, title=title)
    if fmt == "html":
        from evcards.formats.html import render_html

        return render_html(cards, flat=flat, title=title or "Cards")
    if fmt == "text":
        from evcards.formats.paste import render_text

        return render_text(cards, read=read, cite_request=cite_request)
    if fmt == "md":
        from evcards.formats.markdown import render_markdown

        return render_markdown(cards, flat=flat, read=read, cite_request=cite_request)
    if fmt == "jsonl":
        from evcards.formats.dataset import render_jsonl

        return render_jsonl(cards)
    if fmt == "csv":
        from evcards.formats.dataset import render_csv

        return render_csv(cards)
    raise ValueError(f"unknown format {fmt!r}")


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


def default_title(path: Path | None) -> str:
    return path.stem if path is not None else ""
