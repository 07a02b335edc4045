"""The full-text index: a tantivy index in `<library>/.evcards/fulltext-<id>/`, one document a card.

Tantivy (the Rust engine under Quickwit and ParadeDB) ranks every match with block-max WAND in
milliseconds where FTS5 had to score every matching row (bench/README.md), so a search ranks
all of its matches. A document holds the card's ranked text (tag, cite, spoken, body: weights
in evcards.index.query), the text filters (author, pocket, hat, block, source files, labels),
the year, whether it is highlighted or an analytic, and `key`, its row in the catalog
(evcards.index.schema), which holds everything else. The body and the spoken text are stored
for the snippets in one field, `stored`, compressed together with Zstandard (`packed`): the
spoken text is words of the body, so it costs a few bytes of back-references, and a document
compressed alone is half its text, where tantivy's own store (lz4 over 16 KB blocks, the only
compressor this build of tantivy has) kept seven tenths (bench/README.md).

Words are split on anything not a letter or digit, lower-cased and stripped of accents: what
FTS5's `unicode61 remove_diacritics 2` did, and what `snippets.fold` does when it marks them.

One more document, with key -1, holds the generation the index was last committed at; the
catalog holds the same number, so a crash between the two commits is seen (evcards.index.sync).
This module is imported only when a search runs or the index is written: `list` never loads
tantivy.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import tantivy

from evcards.index.schema import IndexDamaged

TOKENIZER = "evcards"
RANKED = ("tag", "cite", "spoken", "body")  # the query's own fields
WORD_FILTERS = ("author", "pocket", "hat", "block", "files")  # matched by words
ROUND_FIELDS = ("event", "side", "level", "caselist")  # collection cards only
GENERATION_KEY = -1
# Zstandard's level 1: 1.94x on generated cards, 23-37 us a card (level 3: the same ratio at
# 1.2x the time; zlib's level 1, 1.90x at 65-91 us)
_LEVEL = 1


@functools.cache
def schema() -> tantivy.Schema:
    sb = tantivy.SchemaBuilder()
    sb.add_integer_field("key", indexed=True, fast=True)
    sb.add_integer_field("generation", stored=True)
    for name in RANKED + WORD_FILTERS:
        sb.add_text_field(name, tokenizer_name=TOKENIZER)
    sb.add_bytes_field("stored", stored=True)
    sb.add_text_field("labels", tokenizer_name="raw")
    sb.add_integer_field("year", indexed=True, fast=True)
    sb.add_integer_field("highlighted", indexed=True)
    sb.add_integer_field("analytic", indexed=True, fast=True)
    # A collection's own facts about a card's round (evcards.collections), lower-cased;
    # a library card has none of them.
    for name in ROUND_FIELDS:
        sb.add_text_field(name, tokenizer_name="raw")
    sb.add_integer_field("season", indexed=True)
    return sb.build()


@functools.cache
def analyzer() -> tantivy.TextAnalyzer:
    """How text becomes words, for the index and for the query alike."""
    return (
        tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple())
        .filter(tantivy.Filter.remove_long(100))
        .filter(tantivy.Filter.lowercase())
        .filter(tantivy.Filter.ascii_fold())
        .build()
    )


def words(text: str) -> list[str]:
    return list(analyzer().analyze(text))


def create(path: Path) -> tantivy.Index:
    """A new, empty index in the folder `path` (made here)."""
    path.mkdir(parents=True)
    index = tantivy.Index(schema(), path=str(path))
    index.register_tokenizer(TOKENIZER, analyzer())
    return index


@contextmanager
def reading() -> Iterator[None]:
    """Tantivy's complaints about its files as IndexDamaged: an error, or a panic (a
    BaseException from Rust, PanicException, that a truncated file can cause); a stored
    text that does not decompress (`unpacked`: zstandard.ZstdError) too."""
    try:
        yield
    except (ValueError, OSError) as e:
        raise IndexDamaged(f"the full-text index cannot be read ({e})") from None
    except BaseException as e:
        if type(e).__name__ in ("PanicException", "ZstdError"):
            raise IndexDamaged(f"the full-text index cannot be read ({e})") from None
        raise


def open_index(path: Path) -> tantivy.Index:
    """The index in `path`; IndexDamaged when it is missing or cannot be read."""
    with reading():
        index = tantivy.Index.open(str(path))
        index.register_tokenizer(TOKENIZER, analyzer())
        index.searcher()
    return index


@functools.cache
def _zstd() -> tuple[Any, Any]:
    import zstandard  # a dependency already (.zst datasets); loaded only to write or cut snippets

    return zstandard.ZstdCompressor(level=_LEVEL), zstandard.ZstdDecompressor()


def packed(body: str, spoken: str) -> bytes:
    """The body and the spoken text as one Zstandard frame: the body's length in UTF-8
    (4 bytes, little-endian), the body, the spoken text."""
    head = body.encode("utf-8", "surrogatepass")
    tail = spoken.encode("utf-8", "surrogatepass")
    return bytes(_zstd()[0].compress(len(head).to_bytes(4, "little") + head + tail))


def unpacked(blob: bytes) -> tuple[str, str]:
    """`packed`'s (body, spoken)."""
    data = _zstd()[1].decompress(blob)
    end = 4 + int.from_bytes(data[:4], "little")
    if len(data) < end:
        raise ValueError("a stored text is shorter than its length says")
    return data[4:end].decode("utf-8", "surrogatepass"), data[end:].decode("utf-8", "surrogatepass")


def stored_text(doc: tantivy.Document, read: bool) -> str:
    """A document's stored spoken text (`read`) or body; "" when it has none."""
    blob = doc.get_first("stored")
    return "" if blob is None else unpacked(blob)[1 if read else 0]


def document(key: int, text: dict[str, Any]) -> tantivy.Document:
    """A card's document: `text` holds the RANKED and WORD_FILTERS fields, `labels` (a list),
    `year` (or None), `highlighted` and `analytic` (bools)."""
    fields = {
        k: v for k, v in text.items() if v is not None and k not in ("highlighted", "analytic")
    }
    return tantivy.Document(
        key=key,
        highlighted=int(bool(text["highlighted"])),
        analytic=int(bool(text["analytic"])),
        stored=packed(text.get("body") or "", text.get("spoken") or ""),
        **fields,
    )


def writer(index: tantivy.Index, heap: int = 50_000_000, threads: int = 1) -> tantivy.IndexWriter:
    try:
        return index.writer(heap_size=heap, num_threads=threads)
    except ValueError as e:
        raise IndexDamaged(f"the full-text index cannot be written ({e})") from None


def mark_generation(w: tantivy.IndexWriter, generation: int) -> None:
    """Replace the generation document: committed along with the writer's other changes."""
    w.delete_documents_by_term("key", GENERATION_KEY)
    w.add_document(tantivy.Document(key=GENERATION_KEY, generation=generation))


@contextmanager
def committed(w: tantivy.IndexWriter, generation: int) -> Iterator[tantivy.IndexWriter]:
    """What the block adds to `w`, committed at `generation` with its merges waited for;
    rolled back if the block fails (how a rebuild and a collection build end)."""
    try:
        yield w
        mark_generation(w, generation)
        w.commit()
        w.wait_merging_threads()
    except BaseException:
        w.rollback()
        raise


def generation_of(searcher: tantivy.Searcher) -> int | None:
    """The generation the index was last committed at; None when it has none."""
    query = tantivy.Query.term_query(schema(), "key", GENERATION_KEY)
    with reading():
        hits = searcher.search(query, 1).hits
        if not hits:
            return None
        value = searcher.doc(hits[0][1]).get_first("generation")
    return int(value) if value is not None else None
