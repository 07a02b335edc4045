"""Cards in other forms: pasted text, Markdown, HTML, dataset rows, .docx, web pages.

This module is the one list of the file formats `evcards import` reads and `evcards export`
writes: each format's name, file suffixes, reader and writer, and how its files are told
apart. Readers and writers are named as `module:function` and imported only when that format
is used, so that lxml, python-docx and trafilatura never load for `evcards search` or
`list`; this module itself imports nothing heavy. Adding a format is one module in this
package and one entry in FORMATS. The kinds of file that are not cards (a PDF, a .doc, JSON,
a compressed dataset) are entries too, with no reader and a `refusal` saying what to do.

Web pages (`webpage.py`) are not here: `evcards cut` reads them, to make a card of one.
"""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Any, NamedTuple

from evcards.errors import InputFileError

ZIP_MAGIC = b"PK\x03\x04"
SNIFF_BYTES = 8  # enough for every `magic` in FORMATS


def binary_kind(head: bytes, path: str | Path = "the file") -> str | None:
    """What a file that is not text is, and what to do with it, from its first bytes: debaters
    rename files, and an old .doc or a PDF read as pasted text gave "not UTF-8 text (byte 2)"
    or "line 2: expected a cite line"."""
    for fmt in FORMATS:
        if fmt.refusal and fmt.magic and head.startswith(fmt.magic):
            return fmt.refusal.format(path=path)
    return None


class Format(NamedTuple):
    """One file format: how its files are named and recognised, what reads and writes it.
    (A named tuple: a frozen dataclass cost `evcards list` 2 ms to create at start-up.)"""

    name: str  # as `--format` takes it
    description: str  # for --help: "a Verbatim .docx"
    suffixes: tuple[str, ...]  # the file names it goes by, the usual one first
    # "module:function" (path: Path[, initials]) -> list[Card]; None: import cannot read it
    reader: str | None = None
    # "module:function" (cards, **options) -> str, or bytes when `binary`
    writer: str | None = None
    # The keyword options the writer takes, of export's flat, read, cite_request, title and
    # page_breaks
    options: tuple[str, ...] = ()
    binary: bool = False  # written to a file only, never to stdout
    magic: bytes | None = None  # how its files begin, when they begin alike
    folder_suffixes: tuple[str, ...] = ()  # what `evcards import FOLDER` picks up
    reads_initials: bool = False  # the reader takes the cutter's initials for bare cites
    # Why import will not read it, and what to do ({path}); with `magic`, said of any file
    # that begins so, whatever its name, unless the name's own format begins so too.
    refusal: str | None = None
    # "module:function" (path) -> list[(Card, marked body)], a faster reader for import
    marked_reader: str | None = None

    @property
    def read_mode(self) -> bool:
        """Whether it can hold only what is read aloud (`--read`, `--cite-request`)."""
        return "read" in self.options

    def read(self, path: Path, initials: str | None = None) -> list[Any]:
        if self.reader is None:
            raise ValueError(f"{self.name} cannot be read")
        reader = load(self.reader)
        return reader(path, initials) if self.reads_initials else reader(path)

    def write(self, cards: list[Any], **options: Any) -> str | bytes:
        if self.writer is None:
            raise ValueError(f"{self.name} cannot be written")
        wanted = {key: value for key, value in options.items() if key in self.options}
        result: str | bytes = load(self.writer)(cards, **wanted)
        return result


_PASTE_READER = "evcards.formats.paste:read_paste_file"
# A dataset's cards are many (DebateSum: 240,000): one card file each is not the way to hold
# them, and import does not read compressed files anyway.
_ROWS_READER = "evcards.formats.rowimport:read_rows_file"
# A folder import reads these when they hold dataset rows that fit (`rowimport.folder_skip`).
DATASET_SUFFIXES = (".jsonl", ".csv", ".jsonl.gz", ".csv.gz", ".jsonl.zst", ".csv.zst")

FORMATS = (
    Format(
        "docx",
        "a Verbatim .docx",
        (".docx",),
        reader="evcards.formats.docx.read:parse_docx",
        marked_reader="evcards.formats.docx.read:read_docx_marked",
        writer="evcards.formats.docx.write:render_docx",
        options=("flat", "title", "page_breaks"),
        binary=True,
        magic=ZIP_MAGIC,
        folder_suffixes=(".docx",),
    ),
    Format(
        "html",
        "HTML for pasting into Word",
        (".html", ".htm"),
        writer="evcards.formats.html:render_html",
        options=("flat", "title"),
        # read as pasted text it failed on its second line
        refusal="a web page, not pasted cards; make a card of it with `evcards cut {path}`",
    ),
    Format(
        "text",
        "text",
        (".txt", ".text"),
        reader=_PASTE_READER,
        writer="evcards.formats.paste:render_text",
        options=("read", "cite_request"),
        folder_suffixes=(".txt", ".text"),
        reads_initials=True,
    ),
    Format(
        "md",
        "Markdown",
        (".md", ".markdown"),
        # Markdown is written as Markdown, but a .md file is imported as pasted text.
        reader=_PASTE_READER,
        writer="evcards.formats.markdown:render_markdown",
        options=("flat", "read", "cite_request"),
        folder_suffixes=(".md",),
        reads_initials=True,
    ),
    Format(
        "jsonl",
        "OpenDebateEvidence JSONL rows",
        (".jsonl",),
        reader=_ROWS_READER,
        writer="evcards.formats.dataset:render_jsonl",
    ),
    Format(
        "csv",
        "OpenDebateEvidence CSV rows",
        (".csv",),
        reader=_ROWS_READER,
        writer="evcards.formats.dataset:render_csv",
    ),
    # What is not cards, so that a file named, or sniffed as one, gets the advice that fits
    # rather than a pasted-text reader's "expected a cite line" or "not UTF-8".
    Format(
        "pdf",
        "a PDF",
        (".pdf",),
        magic=b"%PDF",
        refusal="a PDF, which evcards cannot read; copy its text and paste it into `evcards cut"
        " -`, which makes a card of text, or into a .txt file to import",
    ),
    Format(
        "doc",
        "an old Word .doc",
        (".doc",),
        magic=b"\xd0\xcf\x11\xe0",
        refusal="an old Word .doc (97-2003); open it in Word, save it as .docx and `evcards"
        " import` that",
    ),
    Format(
        "rtf",
        "an RTF file",
        (".rtf",),
        magic=b"{\\rtf",
        refusal="an RTF file; open it in Word, save it as .docx and `evcards import` that",
    ),
    Format(
        "zip",
        "a zip archive",
        (".zip",),
        magic=ZIP_MAGIC,
        refusal="a zip file, such as a Word .docx under another name; give it a .docx name and"
        " `evcards import` it (an archive of files: unzip it and import the folder)",
    ),
    Format(
        "json",
        "a JSON document",
        (".json",),
        refusal="a JSON document, not cards; import reads pasted-text cards, .docx files and"
        " dataset rows (OpenDebateEvidence .jsonl, one JSON object a line)",
    ),
    Format(
        "dataset-gz",
        "a compressed dataset",
        (".jsonl.gz", ".csv.gz", ".jsonl.zst", ".csv.zst"),
        reader=_ROWS_READER,
        magic=b"\x1f\x8b",  # or Zstandard's; what is read is told by rowsource
    ),
    Format(
        "gzip",
        "a gzip-compressed file",
        (".gz",),
        magic=b"\x1f\x8b",
        refusal="compressed with gzip; evcards reads files as they are: `gunzip -k {path}` and"
        " import the file it gives",
    ),
)
NAMES = tuple(f.name for f in FORMATS)
WRITABLE = tuple(f.name for f in FORMATS if f.writer)
FALLBACK = "text"  # what import reads a file of no known kind as


def load(ref: str) -> Any:
    """The function a `module:function` reference names, its module imported now."""
    module, _, name = ref.partition(":")
    return getattr(importlib.import_module(module), name)


def get(name: str) -> Format:
    """The format of this name (KeyError for none)."""
    for f in FORMATS:
        if f.name == name:
            return f
    raise KeyError(name)


def by_suffix(path: str | Path) -> Format | None:
    """The format a file's name says it is (by its longest suffix: `.jsonl.gz` before `.gz`),
    or None."""
    name = Path(path).name.lower()
    found = [(len(s), f) for f in FORMATS for s in f.suffixes if name.endswith(s) and name != s]
    return max(found, key=lambda pair: pair[0])[1] if found else None


def sniff(path: Path) -> Format:
    """The format import reads a file as, by its name and its first bytes; InputFileError for
    a kind import refuses (a web page, a PDF, a .doc, JSON, a zip that is not called .docx)."""
    fmt = by_suffix(path)
    if fmt is not None and fmt.refusal:
        raise InputFileError(f"{path}: {fmt.refusal.format(path=path)}")
    try:
        with open(path, "rb") as f:
            head = f.read(SNIFF_BYTES)
    except OSError:
        head = b""  # reported with its reason by the reader that follows
    what = binary_kind(head, path)
    if what and not (fmt is not None and fmt.magic and head.startswith(fmt.magic)):
        raise InputFileError(f"{path}: {what}")
    return fmt if fmt is not None and fmt.reader else get(FALLBACK)


def folder_suffixes() -> tuple[str, ...]:
    """The file names `evcards import FOLDER` imports, sorted."""
    return tuple(sorted(s for f in FORMATS for s in f.folder_suffixes))


def readable_suffixes() -> tuple[str, ...]:
    """The file names import has a reader for, in registry order."""
    return tuple(s for f in FORMATS if f.reader for s in f.suffixes)


def writer_list() -> str:
    """The writable formats in a sentence, for --help: 'a Verbatim .docx, ..., or ...'."""
    described = [f.description for f in FORMATS if f.writer]
    return ", ".join(described[:-1]) + ", or " + described[-1]
