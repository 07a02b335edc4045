"""Reading cites: the parts of a full citation, found the way a debater writes one.

A full cite is comma-separated by convention: author, qualifications, date, "title,"
publication, URL, [accessed date], with the cutter's initials after it. Nothing here is
certain, so every part is optional and the full cite itself is always kept verbatim.
"""

from __future__ import annotations

import re

_URL = re.compile(r"https?://[^\s,;)\]]+[^\s,;)\].]")
_TITLE = re.compile(r"[\"“”]([^\"“”]{3,}?)[,.]?[\"“”]")
_MONTHS = (
    r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?"
    r"|Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?"
)
_DATE = re.compile(
    r"\b(?:"
    r"\d{1,2}[-/.]\d{1,2}[-/.](?:\d{4}|\d{2})"  # 6-14-2019, 09.02.18
    r"|\d{4}-\d{2}-\d{2}"  # 2019-06-14
    rf"|{_MONTHS}\s+\d{{1,2}},?\s+\d{{4}}"  # June 14, 2019
    rf"|\d{{1,2}}\s+{_MONTHS}\s+\d{{4}}"  # 14 June 2019
    rf"|{_MONTHS}\s+\d{{4}}"  # July 2017
    r"|(?:Spring|Summer|Fall|Winter|Autumn)\s+\d{4}"
    r"|(?:19|20)\d{2}"  # 2019
    r")\b",
    re.IGNORECASE,
)
_ACCESSED = re.compile(r"\b(?:accessed|acc(?:\.|essed)?|retrieved|DOA:?)\s*:?\s*(.+)$", re.I)


def parse_full_cite(full: str) -> dict[str, str]:
    """Best-effort parts of a full cite: author, quals, date, title, publication, url, accessed."""
    parts: dict[str, str] = {}
    text = full.strip()
    url = _URL.search(text)
    after_url = ""
    if url:
        parts["url"] = url.group(0)
        after_url = text[url.end() :]
        text = text[: url.start()]
    acc = _ACCESSED.search(after_url)
    if acc:
        parts["accessed"] = acc.group(1).strip(" .,;)]")
    title = _TITLE.search(text)
    before_title = text[: title.start()] if title else text
    if title:
        parts["title"] = title.group(1).strip()
        pub = text[title.end() :].strip(" ,.;")
        if pub:
            parts["publication"] = pub.split(",")[0].strip()
    date = None
    for m in _DATE.finditer(before_title):
        date = m
        break
    if date:
        parts["date"] = date.group(0)
        head = before_title[: date.start()]
    else:
        head = before_title
    segments = [s.strip() for s in head.split(",") if s.strip()]
    if segments:
        parts["author"] = segments[0]
        if len(segments) > 1:
            parts["quals"] = ", ".join(segments[1:])
    return parts


_CITE_LINE = re.compile(
    r"^(?P<short>[^()\[\]]{1,80}?)\s*[(\[](?P<full>.+)[)\]]\s*(?P<initials>[A-Za-z]{1,6})?\s*$"
)


def split_cite_line(line: str) -> tuple[str, str, str | None] | None:
    """`SHORT (FULL CITE) INITIALS` -> (short, full, initials), or None if it is not one."""
    m = _CITE_LINE.match(line.strip())
    if not m:
        return None
    short = m.group("short").strip()
    # A short cite names a source and a date: a word then digits or a date, at most ~8 words;
    # 'ND' (no date) is a date too, and evcards itself writes `Anonymous ND (...)`.
    if not re.search(r"\d|\bN\.?D\b", short) or len(short.split()) > 8:
        return None
    return short, m.group("full").strip(), m.group("initials")
