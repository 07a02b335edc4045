"""Dataset rows streamed for collections (formats/rowstream): every layout, compressed input,
sniffing, bad rows of each kind, files that are no dataset, and the round trip of our rows."""

from __future__ import annotations

import csv
import gzip
import io
import json
import sys
from pathlib import Path

import pytest
from budget import examples
from conftest import REPO
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_dataset import cards

from evcards.core.models import Source
from evcards.errors import InputFileError
from evcards.formats import rowread
from evcards.formats.dataset import render_csv, render_jsonl
from evcards.formats.rowstream import BadRow, DatasetRow, read_dataset

DEBATESUM = REPO.parent / "shared" / "corpus" / "debatesum" / "train-DebateSum.jsonl.gz"
# The columns of an OpenDebateEvidence dump, in its order (teamName: some dumps have it).
ODE_COLUMNS = (
    "id,tag,cite,fullcite,summary,spoken,fulltext,textLength,markup,pocket,hat,block,fileId,"
    "bucketId,duplicateCount,side,event,level,year,caselistName,caselistDisplayName,schoolId,"
    "teamId,roundId,round,report,filePath,opensourcePath,teamName"
).split(",")
DEBATESUM_COLUMNS = (
    "Full-Document,Citation,Extract,Abstract,#CharsDocument,#CharsAbstract,#CharsExtract,"
    "#WordsDocument,#WordsAbstract,#WordsExtract,AbsCompressionRatio,ExtCompressionRatio,"
    "OriginalDebateFileName"
).split(",")


def ode(k: int, **over: object) -> dict[str, object]:
    full = f'Ethan Meick {k}, Policy Analyst, 9-2-2018, "China-Russia", The National Interest'
    row: dict[str, object] = dict.fromkeys(ODE_COLUMNS, "")
    row |= {
        "id": str(k),
        "tag": f"Alliance unlikely {k}",
        "cite": f"Meick {k}",
        "fullcite": full,
        "fulltext": "They want different things. Trust is thin.",
        "markup": f"<h4>Alliance unlikely {k}</h4><p><strong>Meick {k}</strong>{full[11:]}</p>"
        "<p>They <u>want <mark>different</mark> <strong>things</strong></u>. Trust is thin.</p>",
        "pocket": "1NC",
        "duplicateCount": "2",
        "side": "N",
        "event": "cx",
        "level": "college",
        "year": "2022",
        "caselistName": "ndtceda22",
        "teamId": "481",
        "teamName": "Emory BL",
    }
    return row | over


def write_csv(path: Path, rows: list[dict[str, object]], columns=ODE_COLUMNS) -> Path:
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=columns)
        writer.writeheader()
        writer.writerows(rows)
    return path


def write_jsonl(path: Path, rows: list[object]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def split(items):
    good = [i for i in items if isinstance(i, DatasetRow)]
    bad = [i for i in items if isinstance(i, BadRow)]
    return good, bad


# -- layouts ------------------------------------------------------------------------------
def test_ode_csv_with_the_real_columns(tmp_path):
    path = write_csv(tmp_path / "ode.csv", [ode(1), ode(2, teamName="", side="A", event="LD")])
    good, bad = split(read_dataset([path]))
    assert not bad and [r.row for r in good] == [2, 3]
    first, second = good
    assert (first.event, first.side, first.level, first.year) == ("cx", "N", "college", 2022)
    assert (first.caselist, first.team, first.duplicates) == ("ndtceda22", "Emory BL", 2)
    assert (second.side, second.event, second.team) == ("A", "ld", "481")  # teamId, no name
    card = first.card
    assert card.tag == "Alliance unlikely 1" and card.cite.short == "Meick 1"
    assert card.cite.author == "Ethan Meick"
    assert card.underlined == "want different things" and card.spoken == "different"
    assert [s.text for s in card.body[0] if s.emphasis] == ["things"]
    assert card.location.pocket == "1NC"
    assert card.sources == [Source(file="ode.csv", position=2)]  # duplicateCount: not sources


def test_ode_jsonl_with_numbers_where_csv_has_text(tmp_path):
    rows = [ode(1, year=2021, duplicateCount=5, teamName=None), ode(2, year=2020.0, side="Neg")]
    first, second = read_dataset([write_jsonl(tmp_path / "ode.jsonl", rows)])
    assert isinstance(first, DatasetRow)
    assert (first.year, first.duplicates, first.team, first.row) == (2021, 5, "481", 1)
    assert (second.year, second.side) == (2020, "N")  # a parquet column with nulls: floats


def test_a_row_with_only_fulltext_underlines_its_summary(tmp_path):
    row = ode(1, markup="", fulltext="one two three four", summary="two three", spoken="three")
    [item] = read_dataset([write_csv(tmp_path / "t.csv", [row])])
    assert item.card.underlined == "two three" and item.card.spoken == "three"


def test_debatesum_csv(tmp_path):
    row = dict.fromkeys(DEBATESUM_COLUMNS, "")
    row |= {
        "Full-Document": "The plan\nsolves warming because\nemissions fall fast.",
        "Citation": "Smith 14 [John Smith, professor of\nclimate, 2014, Nature]",
        "Extract": "solves warming emissions fall",
        "Abstract": "Plan\nsolves warming",
        "OriginalDebateFileName": "2014OpenEv/Warming Aff.html5",
    }
    [item] = read_dataset([write_csv(tmp_path / "ds.csv", [row], DEBATESUM_COLUMNS)])
    card = item.card
    assert card.tag == "Plan solves warming" and card.cite.short == "Smith 14"
    assert card.text == "The plan solves warming because emissions fall fast."
    assert card.underlined == "solves warming emissions fall fast"[: len(card.underlined)]
    assert "solves warming" in card.underlined and item.year == 2014


@pytest.mark.skipif(not DEBATESUM.exists(), reason="../shared/corpus is absent")
def test_the_corpus_debatesum_jsonl():
    reader = read_dataset([DEBATESUM])
    items = list(reader)
    good, bad = split(items)
    assert len(good) == 1000 and not bad
    assert reader.bytes_read == reader.total_bytes == DEBATESUM.stat().st_size
    with gzip.open(DEBATESUM, "rt", encoding="utf-8") as f:
        first = json.loads(f.readline())
    sample = first["source_sample"]
    card = good[0].card
    assert card.tag == " ".join(sample["Abstract"].split())
    want = [s["content"] for s in first["selections"][0]["selections"]]
    assert card.underlined == " ".join(" ".join(w.split()) for w in want)
    assert card.cite.short and good[0].year == sample["Year"]
    assert all(r.card.body for r in good)


def test_parquet(tmp_path):
    pa = pytest.importorskip("pyarrow")
    import pyarrow.parquet as pq

    path = tmp_path / "ode.parquet"
    rows = [ode(k, year=2020 + k) for k in range(1, 6)]
    pq.write_table(pa.Table.from_pylist(rows), path, row_group_size=2)
    reader = read_dataset([path])
    seen = []
    for item in reader:
        seen.append((item.row, item.year, reader.bytes_read))
    assert [(r, y) for r, y, _ in seen] == [(k, 2020 + k) for k in range(1, 6)]
    assert seen[-1][2] == path.stat().st_size and seen[0][2] < seen[-1][2]
    assert [r.row for r in read_dataset([path], fmt="ode")] == [1, 2, 3, 4, 5]


def test_parquet_without_pyarrow_names_the_extra(tmp_path, monkeypatch):
    path = tmp_path / "x.parquet"
    path.write_bytes(b"PAR1" + b"\0" * 20 + b"PAR1")
    monkeypatch.setitem(sys.modules, "pyarrow", None)
    monkeypatch.setitem(sys.modules, "pyarrow.parquet", None)
    with pytest.raises(InputFileError, match=r"pip install 'evcards\[parquet\]'"):
        list(read_dataset([path]))


# -- our own rows, there and back ---------------------------------------------------------
def _same(card, item, name):
    assert isinstance(item, DatasetRow), item
    assert item.duplicates == card.seen - 1
    want = card.model_copy(update={"sources": [Source(file=name, position=item.row)]})
    assert item.card == want


@settings(max_examples=examples(100), deadline=None, suppress_health_check=[HealthCheck.too_slow])
# A card with no body and no cite is an analytic in a row (and in `evcards import` of it).
@given(
    st.lists(
        cards().filter(lambda c: c.kind == "analytic" or c.body or c.cite.short or c.cite.full),
        min_size=1,
        max_size=4,
    ),
    st.sampled_from(["csv", "jsonl"]),
)
def test_export_rows_read_back_as_the_same_cards(tmp_path_factory, generated, kind):
    path = tmp_path_factory.mktemp("rows") / f"cards.{kind}"
    render = render_csv if kind == "csv" else render_jsonl
    path.write_text(render(generated), encoding="utf-8", newline="")
    items = list(read_dataset([path]))
    assert len(items) == len(generated)
    for card, item in zip(generated, items, strict=True):
        _same(card, item, path.name)


# -- compression and progress -------------------------------------------------------------
def _compressed(tmp_path: Path, kind: str) -> tuple[Path, Path]:
    plain = write_csv(tmp_path / "big.csv", [ode(k) for k in range(400)])
    data = plain.read_bytes()
    if kind == "gz":
        packed = gzip.compress(data)
    else:
        import zstandard

        packed = zstandard.ZstdCompressor().compress(data)
    path = tmp_path / f"big.csv.{kind}"
    path.write_bytes(packed)
    return plain, path


@pytest.mark.parametrize("kind", ["gz", "zst"])
def test_compressed_files_read_as_the_plain_one(tmp_path, kind):
    plain, packed = _compressed(tmp_path, kind)
    want = [(r.card.id, r.row) for r in read_dataset([plain])]
    reader = read_dataset([packed])
    got, progress = [], []
    for item in reader:
        got.append((item.card.id, item.row))
        progress.append(reader.bytes_read)
    assert got == want
    assert progress == sorted(progress) and progress[-1] == packed.stat().st_size
    assert reader.total_bytes == packed.stat().st_size  # compressed bytes, for the ETA


def test_a_truncated_gzip_reads_what_it_has_and_says_where_it_broke(tmp_path):
    _, packed = _compressed(tmp_path, "gz")
    packed.write_bytes(packed.read_bytes()[: packed.stat().st_size // 2])
    good, bad = split(read_dataset([packed]))
    assert good and len(bad) == 1 and "breaks off" in bad[0].reason


def test_progress_counts_across_files(tmp_path):
    a = write_csv(tmp_path / "a.csv", [ode(1)])
    b = write_jsonl(tmp_path / "b.jsonl", [ode(2)])
    reader = read_dataset([a, b])
    seen = [reader.bytes_read for _ in reader]
    assert seen[0] <= a.stat().st_size < seen[1] == reader.total_bytes


# -- sniffing and files that are no dataset -----------------------------------------------
def test_the_format_is_read_from_the_file_not_its_name(tmp_path):
    csv_named_jsonl = write_csv(tmp_path / "rows.jsonl", [ode(1)])
    gzip_named_csv = tmp_path / "rows.csv"
    gzip_named_csv.write_bytes(gzip.compress(json.dumps(ode(2)).encode() + b"\n"))
    tags = [r.card.tag for r in read_dataset([csv_named_jsonl, gzip_named_csv])]
    assert tags == ["Alliance unlikely 1", "Alliance unlikely 2"]


def test_a_format_named_is_checked(tmp_path):
    path = write_csv(tmp_path / "ode.csv", [ode(1)])
    assert [r.row for r in read_dataset([path], fmt="ode")] == [2]
    assert [r.row for r in read_dataset([path], fmt="csv")] == [2]
    with pytest.raises(InputFileError, match="not debatesum rows"):
        list(read_dataset([path], fmt="debatesum"))
    with pytest.raises(InputFileError, match="unknown dataset format 'xml'"):
        read_dataset([path], fmt="xml")


@pytest.mark.parametrize(
    ("content", "says"),
    [
        (b"PK\x03\x04" + b"\0" * 200, "a zip file"),  # a .docx renamed
        (b"Lorem ipsum dolor sit amet\nconsectetur adipiscing\n", "its first line: Lorem"),
        (b'{"name": "x", "version": 2}\n', "its fields: name, version"),
        (b"[1, 2, 3]\n", "not a dataset"),
        (b"{not json at all\n", "not a dataset (line 1: not JSON"),
        (b"", "empty"),
        (b"\xff\xfe\x00\x01binary\x00junk" * 20, "not a dataset"),
    ],
)
def test_a_file_that_is_no_dataset_is_one_error_naming_it(tmp_path, content, says):
    path = tmp_path / "cards.csv"
    path.write_bytes(content)
    reader = read_dataset([path])  # nothing is read yet
    with pytest.raises(InputFileError) as e:
        list(reader)
    assert str(e.value).startswith(str(path)) and says in str(e.value)
    assert "expected" in str(e.value)


# -- bad rows -----------------------------------------------------------------------------
def test_an_unclosed_quote_is_reported_and_bounded(tmp_path):
    text = write_csv(tmp_path / "x.csv", [ode(k) for k in range(1, 31)]).read_text()
    lines = text.splitlines(keepends=True)
    lines[3] = lines[3].replace(',"Ethan', ',"Ethan "oops', 1)  # a quote left open in row 3
    path = tmp_path / "broken.csv"
    path.write_text("".join(lines), newline="")
    good, bad = split(read_dataset([path]))
    assert bad and bad[0].row == 4 and "quot" in bad[0].reason
    assert [r.card.tag for r in good[-20:]] == [f"Alliance unlikely {k}" for k in range(11, 31)]
    assert len(good) + len(bad) <= 30 and len(good) >= 25


def test_a_quote_open_to_the_end_swallows_no_more_than_the_field_limit(tmp_path, monkeypatch):
    monkeypatch.setattr(rowread, "MAX_DATASET_FIELD_CHARS", 2000)
    lines = ["tag,fulltext\n"] + [f"tag {k},{'text ' * 20}{k}\n" for k in range(1, 101)]
    lines[5] = lines[5].replace(",", ',"', 1)  # opens in row 5 and never closes
    path = tmp_path / "open.csv"
    path.write_text("".join(lines), newline="")
    good, bad = split(read_dataset([path]))
    assert bad[0].row == 6 and "a quote left open, from line 6 to line" in bad[0].reason
    assert len(bad) == 1 and 60 <= len(good) < 99 and good[-1].card.tag == "tag 100"


def test_a_field_over_the_limit(tmp_path, monkeypatch):
    monkeypatch.setattr(rowread, "MAX_DATASET_FIELD_CHARS", 5000)
    path = write_csv(tmp_path / "x.csv", [ode(1), ode(2, fulltext="x" * 9000), ode(3)])
    good, bad = split(read_dataset([path]))
    assert [r.row for r in good] == [2, 4]
    assert len(bad) == 1 and bad[0].row == 3 and "a field over 0 MB" in bad[0].reason


def test_a_json_line_over_the_limit_is_skipped_without_holding_it(tmp_path, monkeypatch):
    monkeypatch.setattr(rowread, "MAX_DATASET_ROW_BYTES", 4000)
    path = write_jsonl(tmp_path / "x.jsonl", [ode(1), ode(2, fulltext="y" * 20_000), ode(3)])
    good, bad = split(read_dataset([path]))
    assert [r.row for r in good] == [1, 3] and bad[0].row == 2 and "over" in bad[0].reason


@pytest.mark.parametrize(
    ("value", "says"),
    [(42, "field 'tag' must be text, not int"), (["a", "b"], "must be text, not list")],
)
def test_wrong_types_in_json(tmp_path, value, says):
    path = write_jsonl(tmp_path / "x.jsonl", [ode(1), ode(2, tag=value), ode(3)])
    good, bad = split(read_dataset([path]))
    assert [r.row for r in good] == [1, 3]
    assert bad == [BadRow("x.jsonl", 2, bad[0].reason)] and says in bad[0].reason


def test_a_line_that_is_not_an_object(tmp_path):
    path = tmp_path / "x.jsonl"
    path.write_text(json.dumps(ode(1)) + "\n[1, 2]\n{broken\n" + json.dumps(ode(4)) + "\n")
    good, bad = split(read_dataset([path]))
    assert [r.row for r in good] == [1, 4] and [b.row for b in bad] == [2, 3]
    assert "not an object" in bad[0].reason and "not JSON" in bad[1].reason


def test_invalid_utf8_is_one_bad_row(tmp_path):
    csv_path = write_csv(tmp_path / "x.csv", [ode(1), ode(2, tag="caf\u00e9"), ode(3)])
    csv_path.write_bytes(csv_path.read_bytes().replace("caf\u00e9".encode(), b"caf\xe9"))
    jsonl = tmp_path / "x.jsonl"
    jsonl.write_bytes(
        b"".join(
            json.dumps(ode(k), ensure_ascii=False).encode() + b"\n" for k in (1, 2, 3)
        ).replace(b"Alliance unlikely 2", b"Alliance \xff\xfe 2")
    )
    for path, row in ((csv_path, 3), (jsonl, 2)):
        good, bad = split(read_dataset([path]))
        assert len(good) == 2 and [b.row for b in bad] == [row], path
        assert "not UTF-8" in bad[0].reason


@pytest.mark.parametrize(
    ("markup", "says"),
    [
        ("<p>" + "<u>" * 5000 + "deep" + "</u>" * 5000 + "</p>", "nested over"),
        ("<p>" + "<u>x</u>" * 300_000 + "</p>", "over 50,000 tags"),
        ("<p>" + "<span style='x'>" * 200 + "deep</p>", "nested over"),  # the reference's way
    ],
)
def test_an_html_bomb_in_markup_is_a_bad_row(tmp_path, markup, says):
    path = write_jsonl(tmp_path / "x.jsonl", [ode(1), ode(2, markup=markup), ode(3)])
    good, bad = split(read_dataset([path]))
    assert [r.row for r in good] == [1, 3] and says in bad[0].reason


def test_huge_entity_text_is_one_character_each(tmp_path):
    markup = "<h4>t</h4><p>" + "&amp;" * 500_000 + "<u>end</u></p>"
    [item] = read_dataset([write_jsonl(tmp_path / "x.jsonl", [ode(1, markup=markup)])])
    assert item.card.text == "&" * 500_000 + "end" and item.card.underlined == "end"


def test_csv_limit_is_set_for_each_file():
    """The field limit is process-wide: a reader that set it higher cannot loosen ours."""
    csv.field_size_limit(10**9)
    list(rowread.csv_records(io.BytesIO(b"tag\nx\n")))
    assert csv.field_size_limit() == rowread.MAX_DATASET_FIELD_CHARS


def test_a_plain_file_loads_neither_zstandard_nor_pyarrow(tmp_path):
    import subprocess

    path = write_csv(tmp_path / "ode.csv", [ode(1)])
    code = (
        "import sys\nfrom pathlib import Path\nfrom evcards.formats.rowstream import read_dataset\n"
        f"assert len(list(read_dataset([Path({str(path)!r})]))) == 1\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('zstandard', 'pyarrow')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_cites_left_unparsed_keep_the_paragraph_and_our_columns(tmp_path):
    theirs = write_csv(tmp_path / "ode.csv", [ode(1)])
    [row] = read_dataset([theirs], cites=False)
    assert (row.card.cite.short, row.card.cite.author) == ("Meick 1", None)
    assert row.card.cite.full.startswith("Ethan Meick 1, Policy Analyst")
    [parsed] = read_dataset([theirs])
    assert row.card.body == parsed.card.body and parsed.card.cite.author == "Ethan Meick"
    ours = tmp_path / "ours.jsonl"
    ours.write_text(render_jsonl([parsed.card]), encoding="utf-8")
    [again] = read_dataset([ours], cites=False)
    assert again.card.cite == parsed.card.cite  # the cite_* columns need no parse
