"""Hostile .docx files through `evcards import`: refused cleanly, fast, within memory.

Every file is made here; each runs in a subprocess under the harness's 2 GB address-space
limit, and the library must be byte-for-byte what it was.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from conftest import snapshot
from harness import assert_clean_failure, evcards

from evcards.core.markup import parse
from evcards.core.models import new_card
from evcards.store.library import Library

W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
CT = (
    '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/'
    'package/2006/content-types"><Default Extension="xml" ContentType="application/xml"/>'
    "</Types>"
)


def doc_xml(body: str, prolog: str = "") -> bytes:
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>{prolog}<w:document {W}><w:body>{body}'
        "</w:body></w:document>"
    ).encode()


def tag_para(text: str) -> str:
    return f'<w:p><w:pPr><w:pStyle w:val="Heading4"/></w:pPr><w:r><w:t>{text}</w:t></w:r></w:p>'


def para(text: str) -> str:
    return f'<w:p><w:r><w:t xml:space="preserve">{text}</w:t></w:r></w:p>'


def make_docx(
    path: Path,
    document: bytes | None,
    extra: dict[str, bytes] | None = None,
    method: int = zipfile.ZIP_DEFLATED,
) -> Path:
    with zipfile.ZipFile(path, "w", method) as z:
        z.writestr("[Content_Types].xml", CT)
        if document is not None:
            z.writestr("word/document.xml", document)
        for name, data in (extra or {}).items():
            z.writestr(name, data)
    return path


def ratio_bomb(path: Path) -> Path:
    """document.xml of 150 MB of one repeated byte: compresses about 1000:1."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        with z.open("word/document.xml", "w", force_zip64=True) as f:
            chunk = b" " * (1 << 20)
            for _ in range(150):
                f.write(chunk)
        z.writestr("[Content_Types].xml", CT)
    path.write_bytes(buf.getvalue())
    return path


def absolute_bomb(path: Path) -> Path:
    """Many members whose total would unpack past the limit, each modest on its own."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("word/document.xml", doc_xml(tag_para("x")))
        blob = b"<a/>" * (8 << 20)  # 32 MB each
        for i in range(8):
            z.writestr(f"word/media/pad{i}.xml", blob)
    return path


LAUGHS = (
    '<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;'
    '&lol;&lol;&lol;">'
    + "".join(f'<!ENTITY lol{i} "' + f"&lol{i - 1};" * 10 + '">' for i in range(2, 10))
    + "]>"
)


def cases(tmp: Path) -> dict[str, tuple[Path, str]]:
    nested = "<w:sdt><w:sdtContent>" * 20000 + "</w:sdtContent></w:sdt>" * 20000
    return {
        "ratio-bomb": (ratio_bomb(tmp / "ratio.docx"), "refused"),
        "absolute-bomb": (absolute_bomb(tmp / "absolute.docx"), "refused"),
        "billion-laughs": (
            make_docx(tmp / "laughs.docx", doc_xml(para("&lol9;"), LAUGHS)),
            "DOCTYPE",
        ),
        "external-entity": (
            make_docx(
                tmp / "xxe.docx",
                doc_xml(para("&xxe;"), '<!DOCTYPE d [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'),
            ),
            "DOCTYPE",
        ),
        "plain-dtd": (make_docx(tmp / "dtd.docx", doc_xml(para("x"), "<!DOCTYPE d>")), "DOCTYPE"),
        "truncated-zip": (tmp / "trunc.docx", "not a valid zip"),
        "no-document-xml": (
            make_docx(tmp / "nodoc.docx", None, {"word/styles.xml": b"<a/>"}),
            "no word/document.xml",
        ),
        "renamed-non-zip": (tmp / "renamed.docx", "a PDF, which evcards cannot read"),
        "deeply-nested-xml": (make_docx(tmp / "deep.docx", doc_xml(tag_para("t") + nested)), ""),
        "fifty-mb-paragraph": (
            make_docx(tmp / "huge.docx", doc_xml(tag_para("t") + para("word " * (10 << 20)))),
            "",
        ),
        "malformed-xml": (make_docx(tmp / "bad.docx", b"<w:document><w:body><w:p>"), ""),
        "empty-file": (tmp / "empty.docx", "not a valid zip"),
        "nul-in-xml": (make_docx(tmp / "nul.docx", doc_xml(para("a\x00b"))), ""),
        "stored-not-deflated-bomb": (
            make_docx(
                tmp / "stored.docx",
                doc_xml(tag_para("t") + para("y" * 1000)),
                {"word/media/big.bin": b"\0" * (210 << 20)},
                method=zipfile.ZIP_STORED,
            ),
            "refused",
        ),
    }


@pytest.fixture(scope="module")
def hostile(tmp_path_factory) -> dict[str, tuple[Path, str]]:
    tmp = tmp_path_factory.mktemp("docx")
    good = make_docx(tmp / "good.docx", doc_xml(tag_para("Tag") + para("body")))
    (tmp / "trunc.docx").write_bytes(good.read_bytes()[:-40])
    (tmp / "renamed.docx").write_bytes(b"%PDF-1.4 this is a pdf pretending\n" * 100)
    (tmp / "empty.docx").write_bytes(b"")
    return cases(tmp)


NAMES = [
    "ratio-bomb",
    "absolute-bomb",
    "billion-laughs",
    "external-entity",
    "plain-dtd",
    "truncated-zip",
    "no-document-xml",
    "renamed-non-zip",
    "deeply-nested-xml",
    "fifty-mb-paragraph",
    "malformed-xml",
    "empty-file",
    "nul-in-xml",
    "stored-not-deflated-bomb",
]


@pytest.mark.parametrize("name", NAMES)
def test_hostile_docx(name, hostile, tmp_path):
    path, fragment = hostile[name]
    lib = Library.open(tmp_path / "library", create=True)
    lib.add(new_card(tag="Kept", body=parse("==keep==")))
    before = snapshot(lib.root)
    out = evcards("import", path, library=lib.root)
    assert_clean_failure(out, fragment or path.name, seconds=10.0)
    assert path.name in out.stderr  # the error names the file
    assert snapshot(lib.root) == before


def test_hostile_batch_goes_on(hostile, tmp_path):
    good = make_docx(tmp_path / "fine.docx", doc_xml(tag_para("Fine tag") + para("fine body")))
    lib = Library.open(tmp_path / "library", create=True)
    paths = [hostile[n][0] for n in ("ratio-bomb", "billion-laughs", "truncated-zip")]
    out = evcards("import", *paths, good, "--json", library=lib.root)
    assert out.code == 1
    import json

    summary = json.loads(out.stdout)
    assert (summary["failed"], summary["cards"]) == (3, 1)
    assert [c.tag for _, c in lib.cards()] == ["Fine tag"]
