"""A library's jsonl/csv export (`library_rows`): the bytes the reference route writes (every
card read with `loads_marked`, `render` in `doc_order`), serial or on a pool of processes,
with labels chosen through the catalog, errors as the reference gives them, and Ctrl-C
leaving no file."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from budget import examples
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from strategies import cards

from evcards import library_rows
from evcards.cli import app
from evcards.core.models import Card, Cite, Location, Source, Span, new_card
from evcards.core.outline import doc_order
from evcards.errors import InvalidCard
from evcards.exporting import ExportPlan, _wanted, export_cards, render, select_marked
from evcards.stats import summary_line
from evcards.store import cardfile
from evcards.store.library import Library, file_name

FORMATS = ("jsonl", "csv")


def reference(lib: Library, fmt: str, labels: tuple[str, ...] = ()) -> str:
    """What the export wrote before library_rows: every file read, then doc order."""
    pairs = _wanted(select_marked(lib), labels)
    bodies = {card.id: body for card, body in pairs}
    ordered = doc_order([card for card, _ in pairs])
    return str(render([(card, bodies[card.id]) for card in ordered], fmt))


def reference_summary(lib: Library) -> str:
    ordered = [card for _, card in lib.cards()]
    return summary_line(list({c.id: c for c in ordered}.values()), 250)


def write(lib: Library, card: Card, folder: str = "") -> Path:
    where = lib.root / folder
    where.mkdir(parents=True, exist_ok=True)
    path = where / file_name(card)
    path.write_text(cardfile.dumps(card), encoding="utf-8")
    return path


def shared_sightings() -> list[Card]:
    """Cards met in two files, one placed by the file holding more of them: doc order gives
    it the location of the card before it there (the row's location is then another's)."""
    out = []
    for n in range(6):
        sources = [Source(file="b.docx", position=n)]
        if n == 2:
            sources = [Source(file="a.docx", position=0), Source(file="b.docx", position=2)]
        out.append(
            new_card(
                tag=f"Tag {n}",
                cite=Cite(short=f"Au {n}", full=f"Au {n}, a source"),
                location=Location(pocket=f"P{n % 2}", hat="H", block=f"B{n}"),
                sources=sources,
                labels=["neg"] if n % 2 else ["aff"],
                body=[
                    [Span(text=f"body {n} ", underline=True), Span(text="said", highlight="cyan")]
                ],
            )
        )
    return out


def test_the_rows_are_the_reference_routes(lib: Library):
    for card in shared_sightings():
        write(lib, card)
    write(lib, shared_sightings()[3], "copies")  # the same card in a second file
    write(lib, new_card(tag="An analytic", kind="analytic"))
    for fmt in FORMATS:
        done = export_cards(lib, ExportPlan(fmt, None))
        assert done.data == reference(lib, fmt)
        assert done.summary(250) == reference_summary(lib)
    moved = reference(lib, "jsonl").splitlines()
    assert any('"pocket": "P1"' in line and '"tag": "Tag 2"' in line for line in moved)


@settings(max_examples=examples(60), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(cards(), min_size=1, max_size=6), st.sampled_from(FORMATS))
def test_generated_libraries_export_as_the_reference(tmp_path_factory, generated, fmt):
    lib = Library.open(tmp_path_factory.mktemp("lib") / "library", create=True)
    for card in generated:
        write(lib, card)
    assert export_cards(lib, ExportPlan(fmt, None)).data == reference(lib, fmt)


def _corpus_library(lib: Library, corpus: Path, files: int = 4, copies: int = 1) -> int:
    from evcards.formats.docx.read import parse_docx

    count = 0
    for path in sorted((corpus / "docx").glob("*.docx"))[:files]:
        for card in parse_docx(path):
            for copy in range(copies):
                write(lib, card, f"copy{copy}" if copy else "")
                count += 1
    return count


@pytest.mark.parametrize("fmt", FORMATS)
def test_the_pool_writes_the_serial_bytes(lib: Library, corpus: Path, monkeypatch, fmt):
    count = _corpus_library(lib, corpus)
    serial = export_cards(lib, ExportPlan(fmt, None)).data
    monkeypatch.setattr(library_rows, "PARALLEL_MIN", 1)
    monkeypatch.setattr(library_rows, "CHUNK", max(1, count // 7))
    monkeypatch.setattr(os, "cpu_count", lambda: 2)
    pooled = export_cards(lib, ExportPlan(fmt, None)).data
    assert pooled == serial == reference(lib, fmt)


def test_labels_are_chosen_by_the_catalog(lib: Library, monkeypatch):
    for card in shared_sightings():
        write(lib, card)
    read: list[Path] = []
    real = library_rows.card_file_row
    monkeypatch.setattr(library_rows, "card_file_row", lambda p, f: read.append(p) or real(p, f))
    done = export_cards(lib, ExportPlan("jsonl", None), labels=["neg"])
    assert done.data == reference(lib, "jsonl", ("neg",))
    assert done.count == 3 and len(read) == 3  # the other cards' files were not read


@pytest.mark.parametrize("pooled", [False, True])
def test_an_invalid_file_is_the_references_error(lib: Library, monkeypatch, pooled):
    for card in shared_sightings():
        write(lib, card)
    bad = lib.root / "zz-broken.toml"
    bad.write_text('id = "0123456789abcdef"\n\n[body]\ntext = """\n_open\n"""\n')
    if pooled:
        monkeypatch.setattr(library_rows, "PARALLEL_MIN", 1)
        monkeypatch.setattr(library_rows, "CHUNK", 2)
        monkeypatch.setattr(os, "cpu_count", lambda: 2)
    with pytest.raises(InvalidCard) as fast:
        export_cards(lib, ExportPlan("csv", None))
    with pytest.raises(InvalidCard) as ref:
        reference(lib, "csv")
    assert (str(fast.value), fast.value.detail) == (str(ref.value), ref.value.detail)


def test_the_cli_writes_the_file_and_the_summary(runner, lib: Library, tmp_path: Path):
    for card in shared_sightings():
        write(lib, card)
    out = tmp_path / "all.csv"
    result = runner.invoke(app, ["export", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert out.read_bytes().decode() == reference(lib, "csv")
    assert result.stderr == f"Exported {reference_summary(lib)} to {out}\n"
    result = runner.invoke(app, ["export", "-f", "jsonl"])
    assert result.stdout == reference(lib, "jsonl")


def test_ctrl_c_while_reading_leaves_no_file(runner, lib: Library, tmp_path: Path, monkeypatch):
    for card in shared_sightings():
        write(lib, card)

    def interrupted(path: Path, fmt: str) -> library_rows.Row:
        raise KeyboardInterrupt

    monkeypatch.setattr(library_rows, "card_file_row", interrupted)
    out = tmp_path / "all.jsonl"
    result = runner.invoke(app, ["export", "-o", str(out)])
    assert result.exit_code == 130
    assert result.stderr == (
        f"Interrupted: the export stopped before the end; {out} was not written\n"
    )
    assert list(tmp_path.glob("*.jsonl")) == [] and list(tmp_path.glob(".tmp-*")) == []


def test_ctrl_c_while_writing_leaves_no_file(lib: Library, tmp_path: Path, monkeypatch):
    for card in shared_sightings():
        write(lib, card)
    real = library_rows.write_rows

    def half(out, ordered, fmt, spill):
        real(out, ordered[:2], fmt, spill)
        raise KeyboardInterrupt

    monkeypatch.setattr(library_rows, "write_rows", half)
    with pytest.raises(KeyboardInterrupt, match="was not written"):
        export_cards(lib, ExportPlan("csv", tmp_path / "all.csv"))
    assert os.listdir(tmp_path) == ["library"]


def test_ctrl_c_to_a_pooled_export_stops_every_process(tmp_path: Path, corpus: Path):
    """A real SIGINT to the process group while the workers read: exit 130, one line, no
    output file, and no worker left."""
    lib = Library.open(tmp_path / "library", create=True)
    cards_in = _corpus_library(lib, corpus, files=40, copies=2)
    assert cards_in > library_rows.PARALLEL_MIN
    out = tmp_path / "all.jsonl"
    env = dict(os.environ, EVCARDS_LIBRARY=str(lib.root), EVCARDS_DEBUG="")
    proc = subprocess.Popen(
        [sys.executable, "-m", "evcards", "export", "-o", str(out)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    children = Path(f"/proc/{proc.pid}/task/{proc.pid}/children")
    deadline = time.monotonic() + 60
    while proc.poll() is None and not (children.exists() and children.read_text().split()):
        assert time.monotonic() < deadline, "the pool never started"
        time.sleep(0.005)
    if proc.poll() is not None:
        pytest.skip("the export ended before the pool was seen")
    os.killpg(proc.pid, signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    assert err == f"Interrupted: the export stopped before the end; {out} was not written\n"
    assert not out.exists() and list(tmp_path.glob(".tmp-*")) == []
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            os.killpg(proc.pid, 0)
        except ProcessLookupError:
            break
        time.sleep(0.02)
    else:
        pytest.fail("a worker outlived the export")


@pytest.mark.parametrize("pooled", [False, True])
def test_no_spill_file_is_left(lib: Library, tmp_path: Path, monkeypatch, pooled):
    """The rows are spilled beside the output while the files are read: after an export,
    and after one stopped by an invalid file, only the output (or nothing) is left."""
    for card in shared_sightings():
        write(lib, card)
    if pooled:
        monkeypatch.setattr(library_rows, "PARALLEL_MIN", 1)
        monkeypatch.setattr(library_rows, "CHUNK", 2)
        monkeypatch.setattr(os, "cpu_count", lambda: 2)
    export_cards(lib, ExportPlan("jsonl", tmp_path / "all.jsonl"))
    assert sorted(os.listdir(tmp_path)) == ["all.jsonl", "library"]
    assert (tmp_path / "all.jsonl").read_text(encoding="utf-8") == reference(lib, "jsonl")
    (lib.root / "zz-broken.toml").write_text(
        'id = "0123456789abcdef"\n\n[body]\ntext = """\n_open\n"""\n'
    )
    with pytest.raises(InvalidCard):
        export_cards(lib, ExportPlan("csv", tmp_path / "all.csv"))
    assert sorted(os.listdir(tmp_path)) == ["all.jsonl", "library"]
