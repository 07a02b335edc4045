"""Reading a .docx from a stranger: bounded zip members and an XML parser that expands nothing.

Sizes in a zip's directory are claims, not facts: they are checked first (cheap refusal of
obvious bombs) and then enforced while decompressing, so a member that lies about its size
is stopped after `limit` bytes whatever its header says.
"""

from __future__ import annotations

import zipfile
import zlib
from pathlib import Path
from typing import Any

from evcards.errors import InputFileError

MAX_TOTAL = 200 * 1024 * 1024  # uncompressed bytes read from one file
MAX_PART = 100 * 1024 * 1024  # uncompressed bytes of one XML part
MAX_RATIO = 200  # uncompressed / compressed; real document.xml compresses about 10:1
MAX_MEMBERS = 10_000
_CHUNK = 1 << 16  # slack over the ratio bound, for members too small to compress well
_READ = 1 << 20  # bytes asked of the decompressor at a time


def read_docx_parts(path: Path) -> tuple[bytes, bytes | None]:
    """word/document.xml and word/styles.xml (None if absent), read within the limits."""
    try:
        zf = zipfile.ZipFile(path)
    except FileNotFoundError:
        raise InputFileError(f"{path}: no such file") from None
    except (zipfile.BadZipFile, OSError, ValueError) as e:
        raise InputFileError(
            f"{path}: not a .docx (not a valid zip: {e}); save it from Word as .docx"
        ) from None
    with zf:
        infos = zf.infolist()
        if len(infos) > MAX_MEMBERS:
            raise InputFileError(f"{path}: refused, the zip holds {len(infos)} members")
        claimed = sum(i.file_size for i in infos)
        if claimed > MAX_TOTAL:
            raise InputFileError(
                f"{path}: refused, it would unpack to {claimed // 2**20} MB"
                f" (limit {MAX_TOTAL // 2**20} MB); is it a zip bomb?"
            )
        by_name = {i.filename: i for i in infos}
        doc = by_name.get("word/document.xml")
        if doc is None:
            raise InputFileError(
                f"{path}: no word/document.xml inside; is it a Word .docx (not .doc or .odt)?"
            )
        budget = [MAX_TOTAL]
        document = _read_member(zf, doc, path, budget)
        styles_info = by_name.get("word/styles.xml")
        styles = _read_member(zf, styles_info, path, budget) if styles_info else None
    return document, styles


def _read_member(
    zf: zipfile.ZipFile, info: zipfile.ZipInfo, path: Path, budget: list[int]
) -> bytes:
    limit = min(MAX_PART, budget[0])
    if info.file_size > limit:
        raise InputFileError(f"{path}: refused, {info.filename} is {info.file_size // 2**20} MB")
    if info.compress_size and info.file_size / info.compress_size > MAX_RATIO:
        raise InputFileError(
            f"{path}: refused, {info.filename} claims a compression ratio of"
            f" {info.file_size // info.compress_size}:1; is it a zip bomb?"
        )
    # The compressed size bounds the ratio while reading too: never trust the header sizes.
    cap = min(limit, max(info.compress_size, 1) * MAX_RATIO + _CHUNK)
    chunks: list[bytes] = []
    total = 0
    try:
        with zf.open(info) as f:
            while True:
                # Never more than one byte past the cap: what is read is bounded by it, and a
                # member one byte over is refused as one a chunk over was.
                chunk = f.read(min(_READ, cap + 1 - total))
                if not chunk:
                    break
                total += len(chunk)
                if total > cap:
                    raise InputFileError(
                        f"{path}: refused, {info.filename} unpacks beyond {cap // 2**20} MB;"
                        " is it a zip bomb?"
                    )
                chunks.append(chunk)
    except (zipfile.BadZipFile, zlib.error, OSError, EOFError, NotImplementedError) as e:
        raise InputFileError(f"{path}: {info.filename} is damaged ({e})") from None
    budget[0] -= total
    return b"".join(chunks)


_PARSER: Any = None
_DOCTYPE = "refused: it declares a DOCTYPE, which Word never writes (entities are an attack)"


def parse_xml(data: bytes, where: str) -> Any:
    """An lxml root from untrusted bytes: no DTD, no entities, no network, no huge trees."""
    global _PARSER
    from lxml import etree

    refuse_doctype(data, where)
    if _PARSER is None:
        _PARSER = etree.XMLParser(
            resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False
        )
    try:
        root = etree.fromstring(data, _PARSER)
    except etree.XMLSyntaxError as e:
        raise InputFileError(f"{where}: damaged XML ({e})") from None
    if root.getroottree().docinfo.doctype:
        raise InputFileError(f"{where}: {_DOCTYPE}")
    return root


_CHECKER: Any = None


class _NoTree:
    """A parser target with no callbacks: libxml2 reads the document and builds nothing."""

    def close(self) -> None:
        return None


def check_xml(data: bytes) -> bool:
    """Whether `parse_xml` would take `data` (no DOCTYPE, well-formed within the same
    limits), found by the same parser options without building a tree: a third of the cost.
    False says only that the caller should let `parse_xml` say what is wrong."""
    global _CHECKER
    from lxml import etree

    if has_doctype(data):
        return False
    if _CHECKER is None:
        _CHECKER = etree.XMLParser(
            resolve_entities=False,
            no_network=True,
            load_dtd=False,
            huge_tree=False,
            target=_NoTree(),
        )
    try:
        etree.fromstring(data, _CHECKER)
    except etree.XMLSyntaxError:
        return False
    # A namespace error (a prefix not declared, `xmlns:x=""`) leaves the document
    # well-formed to the parser with no tree to build, and makes `parse_xml` refuse it.
    error = etree.ErrorLevels.ERROR
    return not any(e.level >= error for e in _CHECKER.error_log)


def refuse_doctype(data: bytes, where: str) -> None:
    """Word never writes a DOCTYPE; one in a .docx is there to declare entities."""
    if has_doctype(data):
        raise InputFileError(f"{where}: {_DOCTYPE}")


def has_doctype(data: bytes) -> bool:
    """What `refuse_doctype` refuses: a DOCTYPE before the root, or an entity declared."""
    return b"<!DOCTYPE" in data[: _root_start(data)] or b"<!ENTITY" in data[:4096]


def _root_start(data: bytes) -> int:
    """Where the root element starts: the first '<' that opens neither `<?` nor `<!`."""
    i = 0
    while True:
        i = data.find(b"<", i)
        if i < 0 or i + 1 >= len(data):
            return len(data)
        if data[i + 1 : i + 2] not in (b"?", b"!"):
            return i
        i += 1
