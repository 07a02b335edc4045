"""Cutting pages and pasted text into cards: extraction, cites, the CLI and its editor path.

Nothing here touches the network: pages are fixtures written for these tests, and fetching
is tested against a server on 127.0.0.1 started inside the test.
"""

from __future__ import annotations

import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from evcards import cutting as cut
from evcards.cli import app
from evcards.core.models import content_key
from evcards.errors import FetchError, InputFileError
from evcards.formats import webpage
from evcards.store.library import Library
from tests.conftest import snapshot

PAGES = Path(__file__).parent / "fixtures" / "pages"
STAMP = ["--accessed", "11-29-2026", "--initials", "ank"]


def page(name: str) -> str:
    return (PAGES / name).read_text(encoding="utf-8")


def cut_page(name: str, **overrides):
    opts = cut.CutOptions(
        overrides=overrides, initials="ank", accessed="11-29-2026", tag=overrides.pop("tag", "")
    )
    return cut.draft_card(cut.extract_source(page(name)), opts)


# -- extraction and cites over the fixtures -------------------------------------------------
EXPECTED = {
    "news-meta.html": {
        "author": "Ethan Meick",
        "date": "9-2-2018",
        "title": "China and Russia: An Alliance of Convenience?",
        "publication": "The National Interest",
        "url": "https://nationalinterest.example/feature/china-russia-alliance-convenience",
        "short": "Meick 18",
        "full": 'Ethan Meick, 9-2-2018, "China and Russia: An Alliance of Convenience?" The'
        " National Interest,"
        " https://nationalinterest.example/feature/china-russia-alliance-convenience,"
        " accessed 11-29-2026, ank",
        "grade": "B - missing: quals",
        "first": "Russia and China pursue different objectives in Central Asia,",
    },
    "thinktank-jsonld.html": {
        "author": "RAND Corporation",
        "date": "3-14-2019",
        "title": "Deterrence in the Baltic Sea Region",
        "publication": "RAND Corporation",
        "url": "https://rand.example/pubs/research_reports/RR2019.html",
        "short": "RAND 19",
        "full": 'RAND Corporation, 3-14-2019, "Deterrence in the Baltic Sea Region," RAND'
        " Corporation, https://rand.example/pubs/research_reports/RR2019.html,"
        " accessed 11-29-2026, ank",
        "grade": "B - missing: quals",
        "first": "Forces stationed in the Baltic states today",
    },
    "no-author.html": {
        "author": None,
        "date": None,
        "title": "Grid storage capacity doubles in a year",
        "publication": "Energy Wire",
        "url": None,
        "short": "Energy Wire ND",
        "full": '"Grid storage capacity doubles in a year," Energy Wire, accessed 11-29-2026, ank',
        "grade": "F - missing: author, date, quals, url",
        "first": "Battery storage connected to the grid doubled",
    },
    "two-authors.html": {
        "author": "Simon Saradzhyan; Ali Wyne",
        "date": "6-14-2018",
        "title": "The Myth of a Sino-Russian Alliance",
        "publication": "Russia Matters",
        "url": "https://russiamatters.example/analysis/myth-sino-russian-alliance",
        "short": "Saradzhyan & Wyne 18",
        "full": 'Simon Saradzhyan and Ali Wyne, 6-14-2018, "The Myth of a Sino-Russian Alliance,"'
        " Russia Matters, https://russiamatters.example/analysis/myth-sino-russian-alliance,"
        " accessed 11-29-2026, ank",
        "grade": "B - missing: quals",
        "first": "More than fifty experts surveyed",
    },
    "three-authors.html": {
        "author": "Jane Smith; Ludwig van der Berg Jr.; Maria Lopez",
        "date": "1-5-2021",
        "title": "Warming and Conflict: A Review of the Evidence",
        "publication": "Journal of Peace Studies",
        "url": None,
        "short": "Smith et al. 21",
        "full": "Jane Smith, Ludwig van der Berg Jr., and Maria Lopez, 1-5-2021, "
        '"Warming and Conflict: A Review of the Evidence," Journal of Peace Studies,'
        " accessed 11-29-2026, ank",
        "grade": "C - missing: quals, url",
        "first": "Studies of the link between rising temperatures",
    },
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_fixture_pages_give_text_metadata_and_cite(name):
    want = EXPECTED[name]
    card = cut_page(name)
    for key in ("author", "date", "title", "publication", "url", "short", "full"):
        assert getattr(card.cite, key) == want[key], key
    assert card.cite.accessed == "11-29-2026" and card.cite.initials == "ank"
    assert str(cut.grade_of(card.cite)) == want["grade"]
    assert card.paragraphs[0].startswith(want["first"])
    assert len(card.paragraphs) >= 3  # paragraphs stay paragraphs
    text = card.text
    for junk in ("Subscribe", "ADVERTISEMENT", "Copyright", "newsletter", "Follow us"):
        assert junk.lower() not in text.lower()
    assert card.paragraphs[0] != card.cite.title  # the <h1> is not card text


def test_cite_forms_for_a_page():
    from evcards.core.cite_build import write_form

    card = cut_page("two-authors.html")
    full = EXPECTED["two-authors.html"]["full"]
    assert write_form(card.cite.short, card.cite.full, "standard") == full
    assert write_form(card.cite.short, card.cite.full, "frontloaded") == (
        f"Saradzhyan & Wyne 18 ({full})"
    )
    assert write_form(card.cite.short, card.cite.full, "two-line") == (
        f"Saradzhyan & Wyne 18\n({full})"
    )


def test_overrides_beat_the_metadata():
    card = cut_page(
        "news-meta.html",
        author="Meick, Ethan",
        quals="Policy Analyst at the USCC",
        date="2018-09-03",
        title="Another title",
        publication="TNI",
        url="https://example.org/a",
    )
    assert card.cite.short == "Meick 18"
    assert card.cite.full == (
        'Meick, Ethan, Policy Analyst at the USCC, 9-3-2018, "Another title," TNI,'
        " https://example.org/a, accessed 11-29-2026, ank"
    )
    assert str(cut.grade_of(card.cite)) == "A"
    assert cut_page("news-meta.html", short="EM 18").cite.short == "EM 18"


def test_template_builds_the_full_cite():
    opts = cut.CutOptions(
        accessed="11-29-2026",
        initials="ank",
        template="{last} {yy} | {first} {last} | {date} | {title} | {accessed} {initials}",
    )
    card = cut.draft_card(cut.extract_source(page("news-meta.html")), opts)
    assert card.cite.full == (
        "Meick 18 | Ethan Meick | 9-2-2018 | China and Russia: An Alliance of Convenience?"
        " | 11-29-2026 ank"
    )


# -- plain text -----------------------------------------------------------------------------
def test_pasted_text_is_cleaned():
    raw = (
        "Forces stationed in the Baltic states could not hold out\n"
        "for long, and rein-\nforcements would   take weeks.\n"
        "\n"
        "Deterrence  depends\ton credibility.\r\n"
    )
    assert cut.clean_pasted(raw) == [
        "Forces stationed in the Baltic states could not hold out for long, and reinforcements"
        " would take weeks.",
        "Deterrence depends on credibility.",
    ]


def test_text_without_blank_lines_is_one_paragraph_per_line():
    assert cut.clean_pasted("One line.\nTwo line.\n  \n") == ["One line.", "Two line."]


def test_hyphen_at_a_line_end():
    # lower case after it: a word broken by the layout; a capital: a real hyphen
    assert cut.clean_pasted("self-\nevident\n\nCold War-\nEra") == ["selfevident", "Cold War-Era"]


def test_html_and_text_are_told_apart_by_content():
    assert webpage.looks_like_html(page("no-author.html"))
    assert webpage.looks_like_html("<div><p>Hello</p></div>")
    assert not webpage.looks_like_html("Russia and China <3 each other.\n\nNot a page.")


# -- the command, end to end ----------------------------------------------------------------
def test_cut_stdin_no_edit_saves_a_card(runner, lib):
    result = runner.invoke(
        app,
        ["cut", "-", "--no-edit", "--tag", "Alliance unlikely", "-l", "neg", *STAMP],
        input=page("news-meta.html"),
    )
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].startswith("Added ")
    assert lines[1] == EXPECTED["news-meta.html"]["full"]
    assert lines[2] == "Cite grade: B - missing: quals"
    [(path, card)] = list(Library.open(lib.root).cards())
    assert card.tag == "Alliance unlikely" and card.labels == ["neg"]
    assert card.cite.short == "Meick 18"
    assert card.id == content_key(card.body, card.tag, card.cite)
    assert path.name.startswith("meick-18-alliance-unlikely-")
    shown = runner.invoke(app, ["show", card.id[:8]])
    assert shown.exit_code == 0, shown.output
    assert "Alliance unlikely" in shown.output and "Meick 18" in shown.output
    assert "Russia and China pursue different objectives" in shown.output
    again = runner.invoke(app, ["cut", "-", "--no-edit", *STAMP], input=page("news-meta.html"))
    assert again.exit_code == 0 and again.output.startswith("Already had")


def test_cut_text_file_frontloaded_with_condense(runner, lib, tmp_path):
    src = tmp_path / "pasted.txt"
    src.write_text("First para-\ngraph here.\n\nSecond one.\n", encoding="utf-8")
    result = runner.invoke(
        app,
        [
            "cut",
            str(src),
            "--no-edit",
            "--author",
            "Ludwig van Beethoven Jr.",
            "--date",
            "2020-05-01",
            "--cite-format",
            "two-line",
            "--condense",
            "--pilcrows",
            *STAMP,
        ],
    )
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[1:3] == [
        "van Beethoven 20",
        "(Ludwig van Beethoven Jr., 5-1-2020, accessed 11-29-2026, ank)",
    ]
    assert lines[3] == "Cite grade: D - missing: quals, title, publication, url"
    [(_, card)] = list(lib.cards())
    assert card.paragraphs == ["First paragraph here. ¶ Second one."]


def test_cut_uses_config_initials_format_and_template(runner, lib, tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    (home / "config.toml").write_text(
        'initials = "zz"\ncite_format = "frontloaded"\ncite_template = "{author}, {yy}"\n'
    )
    result = runner.invoke(
        app, ["cut", "-", "--no-edit", "--accessed", "1-1-2026"], input=page("news-meta.html")
    )
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[1] == "Meick 18 (Ethan Meick, 18)"
    [(_, card)] = list(lib.cards())
    assert card.cite.initials == "zz"


def test_cut_errors_leave_the_library_unchanged(runner, lib, tmp_path):
    before = snapshot(lib.root)
    result = runner.invoke(app, ["cut", "missing.html", "--no-edit"])
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: missing.html: no such file")
    result = runner.invoke(app, ["cut", "-", "--no-edit"], input="   \n\n")
    assert result.exit_code == 1
    assert "nothing to cut" in result.stderr
    result = runner.invoke(app, ["cut", "-", "--no-edit", "--template", "{nope}"], input="x")
    assert result.exit_code == 2
    assert "unknown field {nope}" in result.stderr
    result = runner.invoke(app, ["cut", "-", "--cite-format", "mla"], input="x")
    assert result.exit_code == 2
    result = runner.invoke(app, ["cut", "-", "--pilcrows"], input="x")
    assert result.exit_code == 2
    assert snapshot(lib.root) == before


def test_page_without_article_text_and_bad_config_template(runner, lib, tmp_path):
    before = snapshot(lib.root)
    nav_only = '<html><body><nav><a href="/">Home</a> <a href="/x">News</a></nav></body></html>'
    result = runner.invoke(app, ["cut", "-", "--no-edit"], input=nav_only)
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: no article text found in the page")
    home = tmp_path / "home"
    home.mkdir()
    (home / "config.toml").write_text('cite_template = "{author} {when}"\n')
    result = runner.invoke(app, ["cut", "-", "--no-edit"], input=page("news-meta.html"))
    assert result.exit_code == 1
    assert "config.toml: cite_template - cite template: unknown field {when}" in result.stderr
    assert snapshot(lib.root) == before


FAKE_EDITOR = r"""
import pathlib, sys
path = pathlib.Path(sys.argv[1])
here = pathlib.Path(__file__).parent
runs = here / "runs"
n = len(runs.read_text().splitlines()) if runs.exists() else 0
text = path.read_text(encoding="utf-8")
with runs.open("a") as f:
    f.write(f"run {n}\n")
if n == 0:
    (here / "first.toml").write_text(text, encoding="utf-8")
    text = text.replace('tag = ""', 'tag = "Alliance unlikely: different goals"')
    # an unclosed highlight: invalid, so the editor must reopen with this text
    text = text.replace("pursue different objectives", "==pursue different objectives")
else:
    (here / "second.toml").write_text(text, encoding="utf-8")
    text = text.replace("==pursue different objectives", "==pursue different objectives==")
    text = text.replace("[cite]\n", '[cite]\nquals = "Policy Analyst at the USCC"\n')
path.write_text(text, encoding="utf-8")
"""


def test_cut_in_the_editor_reopens_an_invalid_edit_then_saves(runner, lib, tmp_path, monkeypatch):
    editor_dir = tmp_path / "editor"
    editor_dir.mkdir()
    script = editor_dir / "fake_editor.py"
    script.write_text(FAKE_EDITOR, encoding="utf-8")
    monkeypatch.setenv("EDITOR", f"{sys.executable} {script}")
    home = tmp_path / "home"
    home.mkdir()
    (home / "config.toml").write_text('initials = "ank"\nhighlight = "cyan"\n')

    result = runner.invoke(app, ["cut", str(PAGES / "news-meta.html"), "--accessed", "11-29-2026"])
    assert result.exit_code == 0, result.output
    assert (editor_dir / "runs").read_text().splitlines() == ["run 0", "run 1"]
    first = (editor_dir / "first.toml").read_text(encoding="utf-8")
    assert first.startswith("# Cut: write the tag")
    assert "provisional" in first
    assert 'highlight = "cyan"' in first  # a plain == means the debater's colour
    second = (editor_dir / "second.toml").read_text(encoding="utf-8")
    assert 'tag = "Alliance unlikely: different goals"' in second  # the text was kept
    assert "Error: edited card: body.text" in result.stderr
    assert "never closed" in result.stderr

    [(path, card)] = list(lib.cards())
    assert card.tag == "Alliance unlikely: different goals"
    assert card.spoken == "pursue different objectives"
    assert {s.highlight for p in card.body for s in p} == {None, "cyan"}
    draft_id = first.split('id = "')[1][:16]
    assert card.id != draft_id
    assert card.id == content_key(card.body, card.tag, card.cite)
    assert path.name.endswith(f"{card.id}.toml")
    assert f"Added {card.id[:8]}" in result.output
    # the quals added in the editor flowed into the full cite, and the grade says so
    assert card.cite.full.startswith("Ethan Meick, Policy Analyst at the USCC, 9-2-2018, ")
    assert result.output.splitlines()[-1] == "Cite grade: A"


def test_cut_editor_with_post_edit_fixes(runner, lib, tmp_path, monkeypatch):
    script = tmp_path / "ed.py"
    script.write_text(
        "import pathlib, sys\n"
        "p = pathlib.Path(sys.argv[1])\n"
        "t = p.read_text()\n"
        "t = t.replace('Beijing wants markets', '_Beijing ==wants== markets_')\n"
        "t = t.replace('tag = \"\"', 'tag = \"Different goals\"')\n"
        "p.write_text(t)\n"
    )
    monkeypatch.setenv("EDITOR", f"{sys.executable} {script}")
    result = runner.invoke(
        app,
        ["cut", "-", "--shrink", "--unhighlighted-underline-off", "--highlight-color", "green"],
        input=page("news-meta.html"),
    )
    assert result.exit_code == 0, result.output
    [(_, card)] = list(lib.cards())
    assert card.spoken == "wants"
    assert card.underlined == "wants"
    marked = [s for p in card.body for s in p if s.highlight]
    assert [s.highlight for s in marked] == ["green"]
    assert all(s.size == 8.0 for p in card.body for s in p if not s.highlight)


# -- fetching from a server on loopback -----------------------------------------------------
class _Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):  # keep test output quiet
        pass

    def do_GET(self):
        body = page("news-meta.html").encode()
        # Recorded before answering: the client may read the reply before this thread goes on.
        self.server.seen_agents.append(self.headers.get("User-Agent"))
        if self.path == "/page":
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        elif self.path == "/paper.pdf":
            self.send_response(200)
            self.send_header("Content-Type", "application/pdf")
            self.end_headers()
            self.wfile.write(b"%PDF-1.4")
        elif self.path == "/slow":
            time.sleep(1.5)
            self.send_response(200)
            self.end_headers()
        elif self.path == "/big-declared":
            self.send_response(200)
            self.send_header("Content-Length", str(50_000))
            self.end_headers()
            self.wfile.write(b"x" * 50_000)
        elif self.path == "/big-streamed":
            self.send_response(200)  # no Content-Length: the cap must hold while reading
            self.end_headers()
            for _ in range(50):
                self.wfile.write(b"x" * 1000)
        else:
            self.send_error(404, "Not Found")


@pytest.fixture
def server():
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    httpd.daemon_threads = True
    httpd.seen_agents = []
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield httpd, f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def test_fetch_reads_a_page_with_our_user_agent(server):
    httpd, base = server
    assert webpage.fetch(f"{base}/page") == page("news-meta.html").encode()
    assert httpd.seen_agents[0] == webpage.USER_AGENT


def test_fetch_timeout_size_cap_and_http_errors(server):
    _, base = server
    with pytest.raises(FetchError, match=r"no answer within 0.3 s; save the page as .html"):
        webpage.fetch(f"{base}/slow", timeout=0.3)
    with pytest.raises(FetchError, match="larger than"):
        webpage.fetch(f"{base}/big-declared", max_bytes=10_000)
    with pytest.raises(FetchError, match="larger than"):
        webpage.fetch(f"{base}/big-streamed", max_bytes=10_000)
    with pytest.raises(FetchError, match="HTTP 404"):
        webpage.fetch(f"{base}/missing")
    with pytest.raises(FetchError, match=r"is a PDF, not a web page; copy its text"):
        webpage.fetch(f"{base}/paper.pdf")
    with pytest.raises(FetchError, match="only http"):
        webpage.fetch("ftp://127.0.0.1/x")


def test_cut_url_end_to_end(server, runner, lib):
    _, base = server
    result = runner.invoke(app, ["cut", f"{base}/page", "--no-edit", *STAMP])
    assert result.exit_code == 0, result.output
    [(_, card)] = list(lib.cards())
    # the canonical URL of the page, not the address it was fetched from
    assert card.cite.url == EXPECTED["news-meta.html"]["url"]
    before = snapshot(lib.root)
    result = runner.invoke(app, ["cut", f"{base}/missing", "--no-edit"])
    assert result.exit_code == 1
    assert result.stderr == (
        f"Error: could not fetch URL {base}/missing: HTTP 404 Not Found; save the page as .html"
        " and run `evcards cut page.html`\n"
    )
    assert snapshot(lib.root) == before


def test_cli_start_does_not_load_trafilatura():
    import subprocess

    code = (
        "import sys, evcards.cli; from evcards.cli import app; "
        "assert 'trafilatura' not in sys.modules and 'lxml' not in sys.modules, 'loaded'"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


def test_help_lists_cut_and_fix(runner):
    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0, result.output
    assert " cut " in result.output and " fix " in result.output


def test_rebuild_cite_respects_hand_written_short_and_full():
    draft = cut_page("news-meta.html").cite
    added = draft.model_copy(update={"quals": "Analyst", "author": "Ethan Meick; Ali Wyne"})
    rebuilt = cut.rebuild_cite(draft, added)
    assert rebuilt.short == "Meick & Wyne 18"
    assert rebuilt.full.startswith("Ethan Meick and Ali Wyne, Analyst, 9-2-2018,")
    by_hand = added.model_copy(update={"short": "EM 18", "full": "my own cite"})
    assert cut.rebuild_cite(draft, by_hand) == by_hand
    assert cut.rebuild_cite(draft, draft) == draft


def test_oversized_inputs_are_refused(monkeypatch):
    monkeypatch.setattr(webpage, "MAX_TEXT_FILE_BYTES", 100)
    with pytest.raises(InputFileError, match="larger than"):
        webpage.decode_html(b"<html>" + b"x" * 200, "big.html")
    monkeypatch.setattr(cut, "MAX_CARD_CHARS", 50)
    with pytest.raises(InputFileError, match="that is not one card"):
        cut.extract_source("word " * 40)


@pytest.mark.parametrize("head", [b"%PDF-1.4\n1 0 obj\n", b"PK\x03\x04\x14\x00\x06\x00"])
def test_cut_refuses_a_pdf_or_docx_instead_of_cutting_its_bytes(runner, lib, tmp_path, head):
    # `evcards cut brief.pdf` saved a card whose body was "%PDF-1.4 1 0 obj", exit 0.
    (tmp_path / "brief.pdf").write_bytes(head + b"\x00" * 64)
    before = snapshot(lib.root)
    result = runner.invoke(app, ["cut", str(tmp_path / "brief.pdf"), "--no-edit"])
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: ") and "brief.pdf" in result.stderr
    assert snapshot(lib.root) == before
    result = runner.invoke(app, ["cut", "-", "--no-edit"], input=head)
    assert result.exit_code == 1 and result.stderr.startswith("Error: <stdin>: a ")


def test_middle_initials_keep_their_dot():
    # trafilatura gives 'Jane Q Doe' for <meta name="author" content="Jane Q. Doe">.
    page = (
        '<html><head><meta name="author" content="Jane Q. Doe; J. Robert Oppenheimer">'
        "<title>Arctic</title></head><body><article>"
        + "<p>Russia has expanded its military footprint in the Arctic faster than others.</p>" * 5
        + "</article></body></html>"
    )
    assert webpage.extract_html(page).meta.author == "Jane Q. Doe; J. Robert Oppenheimer"


def test_pasted_pdf_lines_that_stop_mid_sentence_are_joined():
    # "neither can" / "win a war" became two paragraphs of the card, splitting the sentence.
    raw = "Both sides fear escalation and neither can\nwin a nuclear exchange,\nso deterrence holds.\nA new claim.\n"
    assert cut.clean_pasted(raw) == [
        "Both sides fear escalation and neither can win a nuclear exchange, so deterrence holds.",
        "A new claim.",
    ]
    assert cut.clean_pasted("Heading\nBody starts here") == ["Heading", "Body starts here"]


# -- cutting a paste with its cite (issue 12) ----------------------------------------------
MEICK = (
    'Meick 18 (Ethan Meick, Policy Analyst, 9-2-2018, "China-Russia Ties," The National'
    " Interest, https://example.org/x) jd"
)
ARTICLE = "While both states may oppose American hegemony,\nthey pursue different objectives.\n"


@pytest.mark.parametrize("tag", ["", "China-Russia alliance unlikely"])
def test_cut_of_a_paste_uses_its_cite_line(runner, lib, tmp_path, tag):
    # It saved anonymous-nd-....toml graded F, with the cite line as body text.
    src = tmp_path / "paste.txt"
    src.write_text((f"{tag}\n" if tag else "") + f"{MEICK}\n{ARTICLE}", encoding="utf-8")
    result = runner.invoke(app, ["cut", str(src), "--no-edit", "--initials", "ank"])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[-1] == "Cite grade: A"
    [(path, card)] = list(lib.cards())
    assert path.name.startswith("meick-18-")
    assert card.tag == tag
    assert card.paragraphs == [
        "While both states may oppose American hegemony, they pursue different objectives."
    ]
    c = card.cite
    assert (c.short, c.author, c.quals, c.date) == (
        "Meick 18",
        "Ethan Meick",
        "Policy Analyst",
        "9-2-2018",
    )
    assert (c.title, c.publication, c.url) == (
        "China-Russia Ties",
        "The National Interest",
        "https://example.org/x",
    )
    assert c.initials == "jd"  # the paste's own, not the option's
    assert c.full.startswith("Ethan Meick, Policy Analyst, 9-2-2018, ")


def test_cut_of_piped_text_with_a_two_line_cite_and_an_option(runner, lib):
    text = "Brands 22\n(Hal Brands, Professor at SAIS, 1-2-2022, https://fa.org/x)\nThe body.\n"
    result = runner.invoke(app, ["cut", "-", "--no-edit", "--tag", "Eurasia", *STAMP], input=text)
    assert result.exit_code == 0, result.output
    [(_, card)] = list(lib.cards())
    assert (card.tag, card.cite.short, card.cite.author) == ("Eurasia", "Brands 22", "Hal Brands")
    assert card.paragraphs == ["The body."]
    # --accessed changes the cite's parts: the full cite is built from them again.
    assert "accessed 11-29-2026" in card.cite.full


def test_cut_of_text_with_no_cite_line_is_unchanged():
    found = cut.extract_text("Just a paragraph of text.\n\nAnother one.")
    assert type(found) is webpage.Extracted
    assert found.paragraphs == ["Just a paragraph of text.", "Another one."]


def _editor(tmp_path, monkeypatch, code: str) -> None:
    script = tmp_path / "ed.py"
    script.write_text("import pathlib, sys\np = pathlib.Path(sys.argv[1])\n" + code)
    monkeypatch.setenv("EDITOR", f"{sys.executable} {script}")


@pytest.mark.parametrize("tag", [[], ["--tag", "Alliance unlikely"]])
def test_cut_gives_up_on_a_draft_that_comes_back_unchanged(runner, lib, tmp_path, monkeypatch, tag):
    # Quitting the editor without a change saved the draft as a card, untagged.
    _editor(tmp_path, monkeypatch, "")  # the editor changes nothing
    result = runner.invoke(app, ["cut", "-", *tag], input=page("news-meta.html"))
    assert result.exit_code == 1, result.output
    [line] = result.stderr.strip().splitlines()[-1:]
    assert line.startswith("Error: the draft came back unchanged")
    assert "--no-edit" in line
    kept = Path(line.rsplit("kept in ", 1)[1])
    assert kept.name.startswith("evcards-edit-")
    assert "# Cut: write the tag" in kept.read_text(encoding="utf-8")
    assert list(lib.paths()) == []
    kept.unlink()


def test_cut_never_saves_an_empty_tag_from_the_editor(runner, lib, tmp_path, monkeypatch):
    # Marks, but no tag: the editor reopens; saving the same text again gives up.
    _editor(
        tmp_path,
        monkeypatch,
        "p.write_text(p.read_text().replace('pursue different', '==pursue== different'))\n",
    )
    result = runner.invoke(app, ["cut", "-"], input=page("news-meta.html"))
    assert result.exit_code == 1, result.output
    assert "Error: tag - the tag is empty" in result.stderr
    assert "Reopening the editor" in result.stderr
    last = result.stderr.strip().splitlines()[-1]
    assert "your text is kept in" in last
    Path(last.rsplit("kept in ", 1)[1]).unlink()
    assert list(lib.paths()) == []
    # --no-edit is the one way to an untagged card
    result = runner.invoke(app, ["cut", "-", "--no-edit", *STAMP], input=page("news-meta.html"))
    assert result.exit_code == 0, result.output
    assert [c.tag for _, c in lib.cards()] == [""]


# -- on a terminal: the draft in the mark screen --------------------------------------------
def _headless(script):
    """MarkApp.run as a Pilot runs it: `evcards cut` on a terminal, without a terminal."""
    import asyncio

    def run(self):
        async def main():
            async with self.run_test(size=(100, 30)) as pilot:
                await pilot.pause()
                await script(pilot)
                await pilot.pause()

        asyncio.run(main())
        return self.return_value

    return run


def test_cut_on_a_terminal_opens_the_draft_in_mark_on_its_tag(runner, lib, monkeypatch):
    from textual.widgets import Input

    from evcards.cli import cut as cut_cli
    from evcards.tui.citeform import CiteForm
    from evcards.tui.forms import TagForm
    from evcards.tui.mark import MarkApp

    async def script(pilot):
        assert isinstance(pilot.app.screen, TagForm)
        pilot.app.screen.query_one(Input).value = "No alliance: different goals"
        await pilot.press("enter")
        assert isinstance(pilot.app.screen, CiteForm)
        await pilot.press("escape", "shift+right", "h", "ctrl+s", "q")

    monkeypatch.setattr(cut_cli, "on_terminal", lambda: True)
    monkeypatch.setattr(MarkApp, "run", _headless(script))
    result = runner.invoke(app, ["cut", str(PAGES / "news-meta.html"), "--shrink", *STAMP])
    assert result.exit_code == 0, result.output
    [(path, card)] = list(lib.cards())
    assert card.tag == "No alliance: different goals"
    assert card.spoken == "Russia and"  # the first two words, highlighted on the screen
    assert all(s.size == 8.0 for p in card.body for s in p if not s.highlight)  # --shrink
    assert card.id == content_key(card.body, card.tag, card.cite)
    assert f"Added {card.id[:8]}  {path}" in result.output
    assert result.output.splitlines()[-1] == "Cite grade: B - missing: quals"


def test_cut_on_a_terminal_quit_unsaved_saves_nothing(runner, lib, monkeypatch):
    from evcards.cli import cut as cut_cli
    from evcards.tui.mark import MarkApp

    async def script(pilot):
        await pilot.press("escape", "escape", "h", "q", "d")

    monkeypatch.setattr(cut_cli, "on_terminal", lambda: True)
    monkeypatch.setattr(MarkApp, "run", _headless(script))
    before = snapshot(lib.root)
    result = runner.invoke(app, ["cut", str(PAGES / "news-meta.html"), *STAMP])
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: you quit without saving the draft; nothing was saved")
    assert snapshot(lib.root) == before


def test_cut_editor_keeps_the_editor_on_a_terminal(runner, lib, tmp_path, monkeypatch):
    from evcards.cli import cut as cut_cli
    from evcards.tui.mark import MarkApp

    def no_screen(self):
        raise AssertionError("--editor opened the mark screen")

    script = tmp_path / "ed.py"
    script.write_text(
        "import pathlib, sys\np = pathlib.Path(sys.argv[1])\n"
        "p.write_text(p.read_text().replace('tag = \"\"', 'tag = \"From the editor\"'))\n"
    )
    monkeypatch.setenv("EDITOR", f"{sys.executable} {script}")
    monkeypatch.setattr(cut_cli, "on_terminal", lambda: True)
    monkeypatch.setattr(MarkApp, "run", no_screen)
    result = runner.invoke(app, ["cut", str(PAGES / "news-meta.html"), "--editor", *STAMP])
    assert result.exit_code == 0, result.output
    [(_, card)] = list(lib.cards())
    assert card.tag == "From the editor"
    result = runner.invoke(app, ["cut", "-", "--editor", "--no-edit"], input="Some text.")
    assert result.exit_code == 2 and "drop --editor" in result.stderr
