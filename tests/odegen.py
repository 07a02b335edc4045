"""OpenDebateEvidence-format rows with known near-duplicate groups, for tests and benches.

`generate(n, seed)` yields `n` rows (dicts over `COLUMNS`, the dataset's CSV layout:
../shared/DOMAIN.md) and `Generated.groups` holds each row's true group: the article it cuts.
Bodies are synthetic articles of sentences sampled from the DebateSum corpus
(`../shared/corpus/debatesum`), each sentence given a few substituted words and the
article's own made-up name, so that two articles never share a sentence by chance however
many rows there are (the corpus has 1,000 cards: at a million rows, plain sampling would make
every card share sentences with hundreds of others). A small share of articles also quote
one of a few famous sentences word for word, as real articles do, which an over-eager grouping
would join.

Each article is cut once or several times (`RECUT_SHARE` of all rows re-cut an article cut
before): each cut is another window of the article (start and end trimmed by up to a
quarter), its own underlining (`<u>`), highlighting (`<mark>`) and emphasis (`<strong>`),
and now and then a word changed (a typo fixed or made). Deterministic for a seed.
"""

from __future__ import annotations

import csv
import gzip
import json
import random
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from html import escape
from pathlib import Path

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "debatesum"
SOURCE = CORPUS / "train-DebateSum.jsonl.gz"

COLUMNS = (
    "id, tag, cite, fullcite, summary, spoken, fulltext, textLength, markup, pocket, hat, "
    "block, fileId, bucketId, duplicateCount, side, event, level, year, caselistName, "
    "caselistDisplayName, schoolId, teamId, roundId, round, report, filePath, opensourcePath"
).split(", ")

RECUT_SHARE = 0.5  # of all rows, the share that re-cut an article cut before
QUOTE_SHARE = 0.02  # of articles, the share quoting a famous sentence
CHANGED_WORD = 0.3  # of re-cuts, the share with one word changed

_SPLIT = re.compile(r"(?<=[.!?])\s+")
_SYLLABLES = "ka ri to ven mar lo si dra pel nu quo zet bri an ox el".split()


def available() -> bool:
    return SOURCE.exists()


def _pool() -> tuple[list[list[str]], list[str], list[tuple[str, str]]]:
    """The corpus as sentences (each a list of words), tags and (short, full) cites."""
    sentences: list[list[str]] = []
    tags: list[str] = []
    cites: list[tuple[str, str]] = []
    with gzip.open(SOURCE, "rt", encoding="utf-8") as f:
        for line in f:
            sample = json.loads(line)["source_sample"]
            body = " ".join(str(sample.get("Full-Document", "")).replace("\u00b6", " ").split())
            for s in _SPLIT.split(body):
                words = s.split()
                if 8 <= len(words) <= 45:
                    sentences.append(words)
            tags.append(" ".join(str(sample.get("Abstract", "")).split())[:200] or "Tag")
            cite = " ".join(str(sample.get("Citation", "")).split())[:400]
            cites.append((" ".join(cite.split()[:2]) or "Anon 20", cite))
    return sentences, tags, cites


def _name(n: int) -> str:
    """A made-up word, one per article (`n` in base 16 of syllables)."""
    out = []
    while True:
        out.append(_SYLLABLES[n % 16])
        n //= 16
        if not n:
            break
    return "".join(out).capitalize()


@dataclass
class Generated:
    """What `generate` made: each row's true group (the index of its article), filled in as
    the rows are yielded."""

    groups: list[int] = field(default_factory=list)
    articles: int = 0


class _Maker:
    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.sentences, self.tags, self.cites = _pool()
        self.vocab = [w for s in self.sentences[:3000] for w in s if w.isalpha() and len(w) > 3]
        self.quotes = [self.sentences[i] for i in range(0, 50)]

    def article(self, n: int) -> list[list[str]]:
        rng, name = self.rng, _name(n)
        out = []
        for _ in range(rng.randint(8, 20)):
            words = list(rng.choice(self.sentences))
            for _ in range(2):
                words[rng.randrange(len(words))] = rng.choice(self.vocab)
            words.insert(rng.randrange(len(words)), name)
            out.append(words)
        if rng.random() < QUOTE_SHARE:
            out.insert(rng.randrange(len(out)), list(rng.choice(self.quotes)))
        return out

    def cut(self, article: list[list[str]], recut: bool) -> list[list[str]]:
        rng, n = self.rng, len(article)
        start, end = rng.randint(0, n // 4), n - rng.randint(0, n // 4)
        window = [list(s) for s in article[start:end]]
        if recut and rng.random() < CHANGED_WORD:
            words = rng.choice(window)
            i = rng.randrange(len(words))
            w = words[i]
            words[i] = w[:-1] if len(w) > 3 else w + "s"
        return window

    def marked(self, sentence: list[str]) -> tuple[str, str, str]:
        """One sentence as (markup, underlined, spoken): a run of it underlined, part of that
        highlighted, a word of that in emphasis."""
        rng, n = self.rng, len(sentence)
        plain = " ".join(sentence)
        if rng.random() < 0.35:
            return escape(plain), "", ""
        a = rng.randrange(n)
        b = rng.randint(a + 1, n)
        c = rng.randint(a, b - 1)
        d = rng.randint(c + 1, b)
        before, under = sentence[:a], sentence[a:b]
        lit = sentence[c:d]
        pre, post = sentence[a:c], sentence[d:b]
        parts = [escape(" ".join(pre))] if pre else []
        mark = escape(" ".join(lit))
        if rng.random() < 0.3:
            mark = f"<strong>{mark}</strong>"
        parts.append(f"<mark>{mark}</mark>")
        if post:
            parts.append(escape(" ".join(post)))
        html = f"<u>{' '.join(parts)}</u>"
        if before:
            html = escape(" ".join(before)) + " " + html
        if sentence[b:]:
            html += " " + escape(" ".join(sentence[b:]))
        return html, " ".join(under), " ".join(lit)

    def row(self, i: int, group: int, cut: list[list[str]]) -> dict[str, str]:
        rng = self.rng
        paragraphs: list[list[list[str]]] = [[]]
        for s in cut:
            if paragraphs[-1] and rng.random() < 0.15:
                paragraphs.append([])
            paragraphs[-1].append(s)
        html, under, spoken, text = [], [], [], []
        for para in paragraphs:
            bits = [self.marked(s) for s in para]
            html.append("<p>" + " ".join(b[0] for b in bits) + "</p>")
            under += [b[1] for b in bits if b[1]]
            spoken += [b[2] for b in bits if b[2]]
            text.append(" ".join(" ".join(s) for s in para))
        tag = rng.choice(self.tags)
        short, full = self.cites[group % len(self.cites)]
        body = "\n".join(text)
        markup = (
            f"<h4>{escape(tag)}</h4><p><strong>{escape(short)}</strong> "
            f"{escape(full[len(short) :])}</p>" + "".join(html)
        )
        side = rng.choice("AN")
        return {
            "id": str(i + 1),
            "tag": tag,
            "cite": short,
            "fullcite": full,
            "summary": " ".join(under),
            "spoken": " ".join(spoken),
            "fulltext": body,
            "textLength": str(len(body)),
            "markup": markup,
            "pocket": "1AC" if side == "A" else "1NC",
            "hat": "Advantage",
            "block": "",
            "fileId": str(i // 40 + 1),
            "bucketId": "",
            "duplicateCount": "",
            "side": side,
            "event": rng.choice(["cx", "ld", "pf", ""]),
            "level": rng.choice(["hs", "college"]),
            "year": str(rng.randint(2014, 2022)),
            "caselistName": "ndtceda",
            "caselistDisplayName": "NDT/CEDA",
            "schoolId": str(group % 300),
            "teamId": str(group % 900),
            "roundId": str(i // 40 + 1),
            "round": str(rng.randint(1, 8)),
            "report": "",
            "filePath": f"files/{i // 40 + 1}.docx",
            "opensourcePath": "",
        }


def generate(n: int, seed: int = 1, out: Generated | None = None) -> Iterator[dict[str, str]]:
    """`n` rows; `out.groups` gets each row's true group as it is yielded. Re-cuts come a
    few rows to a few thousand rows after the article's first cut, as in a caselist."""
    made = out if out is not None else Generated()
    maker = _Maker(seed)
    rng = maker.rng
    live: list[tuple[int, list[list[str]]]] = []  # articles that may be re-cut
    for i in range(n):
        if live and rng.random() < RECUT_SHARE:
            group, article = live[rng.randrange(len(live))]
            recut = True
        else:
            group, article = made.articles, maker.article(made.articles)
            made.articles += 1
            live.append((group, article))
            if len(live) > 2000:
                live.pop(rng.randrange(len(live)))
            recut = False
        made.groups.append(group)
        yield maker.row(i, group, maker.cut(article, recut))


def write_csv(path: Path, n: int, seed: int = 1) -> Generated:
    """`n` rows written to `path` as the dataset's CSV (gzip if it ends in .gz)."""
    made = Generated()
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "wt", encoding="utf-8", newline="") as f:  # type: ignore[operator]
        w = csv.DictWriter(f, fieldnames=COLUMNS)
        w.writeheader()
        w.writerows(generate(n, seed, made))
    return made
