"""`evcards export` and `evcards stats`: selection, formats, summaries and safe output."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import snapshot

from evcards.cli import app
from evcards.core.models import Cite, Location, Span, new_card
from evcards.core.outline import Heading, cite_line, cite_segments, first_and_last, outline
from evcards.exporting import select_cards
from evcards.formats.html import render_html
from evcards.formats.markdown import render_markdown
from evcards.formats.paste import render_text
from evcards.stats import duration

LONG = " ".join(f"w{i}" for i in range(40))


def cards():
    meick = new_card(
        tag="China-Russia alliance unlikely",
        cite=Cite(short="Meick 18", full="Ethan Meick, Policy Analyst, 2018", initials="ab"),
        location=Location(pocket="1NC", hat="Russia DA"),
        labels=["neg"],
        body=[
            [
                Span(text="Moscow is "),
                Span(text="preoccupied with", underline=True, highlight="cyan"),
                Span(text=" buffer ", size=6.0),
                Span(text="states", emphasis=True, box=True, highlight="cyan"),
            ],
            [Span(text=LONG)],
        ],
    )
    smith = new_card(
        tag="Warming real",
        cite=Cite(short="Smith 19", full="John Smith, Professor, 2019"),
        location=Location(pocket="1NC", hat="Warming"),
        labels=["aff"],
        body=[[Span(text="It is "), Span(text="happening now", highlight="yellow")]],
    )
    analytic = new_card(tag="Their evidence is old", kind="analytic")
    return meick, smith, analytic


@pytest.fixture
def filled(lib):
    made = cards()
    for card in made:
        lib.add(card)
    return made


def test_outline_emits_headings_on_change():
    a = new_card(tag="a", kind="analytic", location=Location(pocket="P", hat="H", block="B"))
    b = new_card(tag="b", kind="analytic", location=Location(pocket="P", hat="H", block="B"))
    c = new_card(tag="c", kind="analytic", location=Location(pocket="P", hat="", block="B"))
    d = new_card(tag="d", kind="analytic", location=Location(pocket="Q", hat="H", block=""))
    items = [i.level if isinstance(i, Heading) else i.tag for i in outline([a, b, c, d])]
    # c drops the hat: the pocket is repeated, since a heading ends every level below it.
    assert items == [1, 2, 3, "a", "b", 1, 3, "c", 1, 2, "d"]
    assert [i.tag for i in outline([a, b], flat=True)] == ["a", "b"]


def test_cite_segments():
    assert cite_segments(Cite(short="Meick 18", full="Meick 18 (Ethan Meick)")) == [
        ("Meick 18", True),
        (" (Ethan Meick)", False),
    ]
    assert cite_segments(Cite(short="KEREN ’15", full="HiLA KEREN, Law, ’15, “Title”")) == [
        ("HiLA ", False),
        ("KEREN", True),
        (", Law, ", False),
        ("’15", True),
        (", “Title”", False),
    ]
    # Touching pieces would read back as one word, so 'Thomas 20 .' takes a later '.'.
    assert cite_segments(Cite(short="Thomas 20 .", full="Mike Thomas 20. Writer.")) == [
        ("Mike ", False),
        ("Thomas 20", True),
        (". Writer", False),
        (".", True),
    ]
    assert cite_segments(Cite(short="Meick 18", full="Ethan Meick, 2018")) == [
        ("Meick 18", True),
        (" (Ethan Meick, 2018)", False),
    ]
    assert cite_segments(Cite(short="RM 6/14", full="RM, citing experts", initials="ank")) == [
        ("RM 6/14", True),
        (" (RM, citing experts) ank", False),
    ]
    assert cite_segments(Cite(short="Meick 18", initials="ank")) == [
        ("Meick 18", True),
        (" ank", False),
    ]
    assert cite_segments(Cite(full="Ethan Meick, 2018", initials="ank"), initials=False) == [
        ("Ethan Meick, 2018", False)
    ]


def test_cite_segments_print_initials_once():
    """A cite paragraph read from Word holds the initials already: they are not added again,
    whether after a bracket, a link or a comma; a word that merely ends in them is no help."""
    for full in (
        "Meick 18 (Ethan Meick, 2018) ank",
        "Meick 18 (Ethan Meick, https://x.org/a//ank",
        "Meick 18 (Ethan Meick, 2018, ank).",
        "Meick 18 (Ethan Meick, 2018 ank)",
    ):
        cite = Cite(short="Meick 18", full=full, initials="ank")
        assert "".join(text for text, _ in cite_segments(cite)) == full
    frank = Cite(short="Meick 18", full="Meick 18 (Ethan Meick, Frank)", initials="ank")
    assert "".join(t for t, _ in cite_segments(frank)).endswith("Frank) ank")


def test_cite_line():
    """The text form: a cite paragraph (a full cite that begins with the short cite) as the
    debater wrote it, initials once; a full cite typed as parts in parentheses."""
    line = "Meick 18 (Ethan Meick (NIU), 2018) ank"
    assert cite_line(Cite(short="Meick 18", full=line, initials="ank")) == line
    assert cite_line(Cite(short="Meick 18", full="Meick 18 (Ethan)", initials="ank")) == (
        "Meick 18 (Ethan) ank"
    )
    assert cite_line(Cite(short="Black 21", full="Black 21 [Emma; Lecturer] ank")) == (
        "Black 21 [Emma; Lecturer] ank"
    )
    assert cite_line(Cite(short="Kang 19", full="Kang 19 (David, 2019 ]")) == (
        "Kang 19 (David, 2019 ]"
    )
    assert cite_line(Cite(short="Meick 18", full="Ethan Meick, 2018", initials="ab")) == (
        "Meick 18 (Ethan Meick, 2018) ab"
    )
    assert cite_line(Cite(full="Ethan Meick, 2018", initials="ab")) == "Ethan Meick, 2018 ab"
    assert cite_line(Cite(short="Meick 18")) == "Meick 18"
    assert cite_line(Cite()) == ""


def test_first_and_last():
    assert first_and_last(LONG) == " ".join(
        [*(f"w{i}" for i in range(15)), "AND", *(f"w{i}" for i in range(25, 40))]
    )
    assert first_and_last("a few words") == "a few words"


def test_text_is_the_paste_form_and_reimports(runner, filled, tmp_path, monkeypatch):
    meick, smith, analytic = filled
    text = render_text([meick, smith])
    assert text.splitlines()[:2] == [
        "China-Russia alliance unlikely",
        "Meick 18 (Ethan Meick, Policy Analyst, 2018) ab",
    ]
    (tmp_path / "out.txt").write_text(text, encoding="utf-8")
    monkeypatch.setenv("EVCARDS_LIBRARY", str(tmp_path / "other"))
    result = runner.invoke(app, ["import", "--json", str(tmp_path / "out.txt")])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["cards"] == 2


def test_text_of_a_speech_with_analytics_and_undated_cites_reimports(runner, filled, tmp_path):
    # A lone tag line (an analytic) and `Anonymous ND (...)` failed the whole import with
    # "expected a cite line", so a speech exported as text could not be read back.
    meick, smith, analytic = filled
    undated = new_card(
        tag="Undated",
        cite=Cite(short="Anonymous ND", full="Energy Wire"),
        body=[[Span(text="body text")]],
    )
    (tmp_path / "out.txt").write_text(render_text([meick, analytic, undated, smith]))
    result = runner.invoke(
        app, ["-L", str(tmp_path / "other"), "import", "--json", str(tmp_path / "out.txt")]
    )
    assert result.exit_code == 0, result.output
    assert (json.loads(result.stdout)["cards"], json.loads(result.stdout)["analytics"]) == (3, 1)
    result = runner.invoke(app, ["-L", str(tmp_path / "other"), "export", "-f", "text"])

    def chunks(text: str) -> list[str]:
        return sorted(text.split("---\n"))

    assert chunks(result.stdout) == chunks(render_text([meick, analytic, undated, smith]))


def test_text_read_and_cite_request():
    meick, smith, _ = cards()
    read = render_text([meick, smith], read=True).splitlines()
    assert read[2] == "preoccupied with states"
    assert read[-1] == "happening now"
    request = render_text([meick], cite_request=True).splitlines()
    assert (
        request[2].startswith("Moscow is preoccupied with buffer states w0")
        and " AND " in request[2]
    )


def test_markdown():
    meick, smith, analytic = cards()
    md = render_markdown([meick, smith, analytic])
    assert md.startswith("# 1NC\n\n## Russia DA\n\n#### China-Russia alliance unlikely\n\n")
    assert "**Meick 18** (Ethan Meick, Policy Analyst, 2018) ab" in md
    assert "<mark><u>preoccupied with</u></mark>" in md
    assert "<mark><strong><u>states</u></strong></mark>" in md
    assert "## Warming" in md and "#### Their evidence is old" in md
    assert "preoccupied with states" in render_markdown([meick], read=True)


def test_html_structure():
    meick, smith, analytic = cards()
    html = render_html([meick, smith, analytic])
    assert re.search(r"<h1 [^>]*>1NC</h1>\n<h2 [^>]*>Russia DA</h2>\n<h4 [^>]*>China", html)
    assert "font-size:26pt" in html and "border:1px solid" in html
    assert (
        '<mark data-color="cyan" style="background-color:#00FFFF"><u>preoccupied with</u></mark>'
        in html
    )
    assert '<span style="font-size:6pt"> buffer </span>' in html
    assert (
        '<strong style="font-weight:bold;text-decoration:underline">'
        '<span style="border:1px solid #000000">states</span></strong>'
    ) in html
    assert '<strong style="font-size:13pt;font-weight:bold">Meick 18</strong> (Ethan' in html
    assert html.count("<p ") == 2 + 3  # two cite lines, three body paragraphs
    from html.parser import HTMLParser

    HTMLParser().feed(html)  # well-formed enough for a parser


def test_export_order_label_and_query(runner, filled, lib):
    meick, smith, analytic = filled
    result = runner.invoke(app, ["export", smith.id[:8], meick.id, "-f", "text"])
    assert result.exit_code == 0, result.output
    assert result.stdout.index("Warming real") < result.stdout.index("China-Russia")
    assert "Exported 2 cards" in result.stderr
    assert [c.id for c in select_cards(lib, labels=["neg"])] == [meick.id]
    assert [c.id for c in select_cards(lib, query="HAPPENING")] == [smith.id]
    # Nothing matching is an error, not an empty speech doc (a mistyped query before a round).
    result = runner.invoke(app, ["export", "-q", "moscow", "-l", "aff", "-o", "none.docx"])
    assert result.exit_code == 1
    assert "no cards match --query 'moscow' and --label aff" in result.stderr
    assert not Path("none.docx").exists()
    result = runner.invoke(app, ["export", "-f", "md"])
    assert result.stdout.count("#### ") == 3


def test_export_writes_files_and_refuses_to_overwrite(runner, filled, lib, tmp_path):
    before = snapshot(lib.root)
    out = tmp_path / "speech.docx"
    result = runner.invoke(app, ["export", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert out.read_bytes()[:2] == b"PK"
    assert re.search(r"Exported 3 cards, \d+ words read, \d:\d\d at 250 wpm to ", result.stderr)
    first = out.read_bytes()
    result = runner.invoke(app, ["export", "-o", str(out)])
    assert result.exit_code == 1
    assert result.stderr.strip() == f"Error: {out}: already exists; add --force to overwrite it"
    assert out.read_bytes() == first
    result = runner.invoke(app, ["export", "--force", "-o", str(out), "--flat"])
    assert result.exit_code == 0, result.output
    result = runner.invoke(app, ["export", "-o", str(tmp_path)])
    assert result.exit_code == 1 and "is a folder" in result.stderr
    result = runner.invoke(app, ["export", "-o", str(tmp_path / "nope" / "x.md")])
    assert result.exit_code == 1 and "does not exist" in result.stderr
    assert snapshot(lib.root) == before
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".tmp-")]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["-o", "x.pdf"], "cannot tell the format"),
        (["-f", "docx"], "binary format"),
        (["-f", "docx", "-o", "-"], "binary format"),
        (["-f", "html", "--read"], "text and md only"),
        (["--read", "--cite-request"], "choose one"),
        (["-l", "no/way"], "is not a label"),
    ],
)
def test_usage_errors(runner, filled, args, message):
    result = runner.invoke(app, ["export", *args])
    assert result.exit_code == 2
    assert message in result.stderr


def test_unknown_card_is_clean_error(runner, filled):
    result = runner.invoke(app, ["export", "ffffffff", "-f", "text"])
    assert result.exit_code == 1 and result.stderr.startswith("Error: no card with id")


def test_formats_from_suffix(runner, filled, tmp_path):
    for name in ("a.html", "a.md", "a.txt", "a.jsonl", "a.csv"):
        result = runner.invoke(app, ["export", "-o", str(tmp_path / name)])
        assert result.exit_code == 0, result.output
    assert (tmp_path / "a.html").read_text().startswith("<!DOCTYPE html>")
    assert (tmp_path / "a.csv").read_text().startswith("tag,cite,fullcite,summary,spoken")


def test_stats(runner, filled):
    meick, smith, analytic = filled
    result = runner.invoke(app, ["stats", "--json", "--all"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    rows = {r["id"]: r for r in data["cards"]}
    assert rows[meick.id]["words_read"] == 3 + 3  # tag + "preoccupied with states"
    assert rows[smith.id]["words_read"] == 2 + 2
    assert data["total"] == {"cards": 3, "words_read": 14, "seconds": 3.4, "wpm": 250}
    result = runner.invoke(app, ["stats", "-l", "aff"])
    assert result.exit_code == 0, result.output
    assert "Total: 1 card, 4 words read, 0:01 at 250 wpm" in result.stdout


def test_stats_uses_configured_wpm(runner, filled, tmp_path):
    (tmp_path / "home").mkdir(exist_ok=True)
    (tmp_path / "home" / "config.toml").write_text("wpm = 60\n")
    result = runner.invoke(app, ["stats", "--json"])
    assert json.loads(result.stdout)["total"]["seconds"] == 14.0


def test_duration():
    assert (duration(0), duration(65.4), duration(3725)) == ("0:00", "1:05", "1:02:05")


def test_export_does_not_load_docx_for_text():
    code = (
        "import sys\nfrom evcards.exporting import render\nfrom evcards.core.models import new_card\n"
        "render([new_card(tag='t', kind='analytic')], 'text')\n"
        "print('docx' in sys.modules, 'lxml' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False"]


def test_help_lists_export_and_stats(runner):
    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0, result.output
    assert "export" in result.output and "stats" in result.output
    for command in ("export", "stats"):
        result = runner.invoke(app, [command, "--help"])
        assert result.exit_code == 0, result.output


def test_query_uses_the_search_index(runner, filled, lib, tmp_path):
    """--query selects through the real FTS5 index, in its ranked order."""
    meick, smith, _ = filled
    from evcards.index.search import search

    expected = [h.id for h in search(lib.root, "happening")]
    assert expected and smith.id in expected
    assert [c.id for c in select_cards(lib, query="happening")] == expected
    out = tmp_path / "q.txt"
    result = runner.invoke(app, ["export", "-q", "happening", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert smith.cite.short in out.read_text()


def test_stats_with_no_matching_label_says_so(runner, filled):
    result = runner.invoke(app, ["stats", "-l", "nosuch"])
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == "No cards labelled nosuch."
