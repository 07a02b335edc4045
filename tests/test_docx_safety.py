"""A .docx is a zip from a stranger: bombs and hostile XML end in one clean error line, fast
and in bounded memory, and the rest of a batch still imports."""

from __future__ import annotations

import json
import struct
import subprocess
import sys
import time
import tracemalloc
import zipfile
from pathlib import Path

import pytest

from evcards.cli import app
from evcards.errors import InputFileError
from evcards.formats.docx import safe_zip
from tests.test_docx_import import VERBATIM_STYLES, W_NS, agree, make_docx, p, r

GOOD_BODY = (
    p(r("A good tag"), style="Heading4")
    + p(r("Smith 19", style="Style13ptBold"), r(" (John Smith)"))
    + p(r("good body", style="StyleUnderline"))
)


def zip_bomb(path: Path, megabytes: int = 60) -> Path:
    """document.xml that inflates to `megabytes` of spaces from a few tens of kilobytes."""
    head = f'<w:document xmlns:w="{W_NS}"><w:body>'.encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        with zf.open("word/document.xml", "w", force_zip64=True) as f:
            f.write(head)
            chunk = b" " * (1 << 20)
            for _ in range(megabytes):
                f.write(chunk)
            f.write(b"</w:body></w:document>")
    return path


def lie_about_size(path: Path, member: str, size: int) -> None:
    """Rewrite a member's uncompressed size in both zip headers (the data stays as it is)."""
    data = bytearray(path.read_bytes())
    info = zipfile.ZipFile(path).getinfo(member)
    struct.pack_into("<I", data, info.header_offset + 22, size)  # local header
    start = 0
    while True:
        central = data.find(b"PK\x01\x02", start)
        if central < 0:
            break
        name_len = struct.unpack_from("<H", data, central + 28)[0]
        if data[central + 46 : central + 46 + name_len] == member.encode():
            struct.pack_into("<I", data, central + 24, size)
        start = central + 4
    path.write_bytes(bytes(data))


BILLION_LAUGHS = (
    '<?xml version="1.0"?>\n<!DOCTYPE lolz [\n<!ENTITY lol "lol">\n'
    + "".join(
        f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">\n'
        for i in range(1, 10)
    )
    + f']>\n<w:document xmlns:w="{W_NS}"><w:body><w:p><w:r><w:t>&lol9;</w:t></w:r></w:p>'
    "</w:body></w:document>"
)


def entity_bomb(path: Path) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("word/document.xml", BILLION_LAUGHS)
        zf.writestr("word/styles.xml", f'<w:styles xmlns:w="{W_NS}">{VERBATIM_STYLES}</w:styles>')
    return path


def refused_quickly(path: Path, match: str) -> None:
    tracemalloc.start()
    start = time.process_time()  # CPU time: a neighbour's load on a shared CI box is not ours
    try:
        with pytest.raises(InputFileError, match=match) as exc:
            agree(path)
    finally:
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    assert time.process_time() - start < 1.0
    assert peak < 40 * 2**20, peak
    assert str(path) in str(exc.value)


def test_zip_bomb_refused_from_the_directory(tmp_path: Path) -> None:
    refused_quickly(zip_bomb(tmp_path / "bomb.docx"), "compression ratio")


def test_zip_bomb_with_lying_headers_is_stopped_while_reading(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Headers that claim a small, plausible size: the read itself is capped."""
    bomb = zip_bomb(tmp_path / "liar.docx", megabytes=30)
    lie_about_size(bomb, "word/document.xml", 1_000_000)
    refused_quickly(bomb, r"liar.docx: (word/document.xml is damaged|refused)")
    # With the ratio check off, the cap on bytes read still holds.
    monkeypatch.setattr(safe_zip, "MAX_RATIO", 10**9)
    monkeypatch.setattr(safe_zip, "MAX_PART", 5 * 2**20)
    refused_quickly(bomb, r"liar.docx: (word/document.xml is damaged|refused)")


def test_total_size_bound(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = make_docx(tmp_path / "big.docx", GOOD_BODY, extra={"word/media/x.bin": b"x" * 5000})
    monkeypatch.setattr(safe_zip, "MAX_TOTAL", 4000)
    with pytest.raises(InputFileError, match="big.docx: refused, it would unpack to"):
        agree(path)


def test_billion_laughs_refused(tmp_path: Path) -> None:
    refused_quickly(entity_bomb(tmp_path / "lol.docx"), "DOCTYPE")


def test_external_entity_never_read(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("SECRET")
    xxe = (
        f'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x SYSTEM "file://{secret}">]>'
        f'<w:document xmlns:w="{W_NS}"><w:body><w:p><w:r><w:t>&x;</w:t></w:r></w:p>'
        "</w:body></w:document>"
    )
    path = tmp_path / "xxe.docx"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("word/document.xml", xxe)
    with pytest.raises(InputFileError, match="DOCTYPE"):
        agree(path)


@pytest.mark.parametrize(
    "xml", [b"<x:d/>", b'<d><e x:a="1"/></d>', b'<d xmlns:x=""/>', b'<d xmlns:xml="urn:u"/>']
)
def test_namespace_errors_fail_the_check_as_they_fail_the_parse(xml: bytes) -> None:
    """libxml2 reports a namespace error without stopping, and lxml refuses the tree it
    built; the check, which builds none, refuses it too."""
    with pytest.raises(InputFileError, match="damaged XML"):
        safe_zip.parse_xml(xml, "x")
    assert not safe_zip.check_xml(xml)


def test_an_undeclared_prefix_is_refused_by_both_readers(tmp_path: Path) -> None:
    body = GOOD_BODY + '<w:p><w:r x:a="1"><w:t>x</w:t></w:r></w:p>'
    with pytest.raises(InputFileError, match="Namespace prefix x"):
        agree(make_docx(tmp_path / "ns.docx", body))


def test_not_a_zip(tmp_path: Path) -> None:
    path = tmp_path / "fake.docx"
    path.write_text("I am a .doc from 1997")
    with pytest.raises(InputFileError, match="fake.docx: not a .docx"):
        agree(path)


def test_hostile_files_fail_cleanly_and_the_batch_goes_on(runner, tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    zip_bomb(folder / "a-bomb.docx")
    entity_bomb(folder / "b-lol.docx")
    (folder / "c-fake.docx").write_bytes(b"PK\x03\x04 not really")
    make_docx(folder / "d-good.docx", GOOD_BODY)
    start = time.perf_counter()
    result = runner.invoke(app, ["import", str(folder), "--json"])
    assert time.perf_counter() - start < 5
    assert result.exit_code == 1, result.output
    summary = json.loads(result.stdout)
    assert set(summary) == {
        "files",
        "cards",
        "analytics",
        "duplicates",
        "skipped",
        "failed",
        "by_shape",
        "seconds",
        "errors",
        "left_out",
    }
    assert (summary["files"], summary["cards"], summary["failed"]) == (1, 1, 3)
    assert [Path(e["file"]).name for e in summary["errors"]] == [
        "a-bomb.docx",
        "b-lol.docx",
        "c-fake.docx",
    ]
    errors = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(errors) == 3 and all(line.startswith("Error: ") for line in errors)
    assert "Traceback" not in result.output


def test_help_does_not_import_lxml() -> None:
    code = (
        "import sys\n"
        "from evcards.cli import main\n"
        "sys.argv = ['evcards', '--help']\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "bad = [m for m in ('lxml', 'docx', 'evcards.formats.docx.read') if m in sys.modules]\n"
        "print('LOADED', bad, file=sys.stderr)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert "LOADED []" in done.stderr, done.stderr
