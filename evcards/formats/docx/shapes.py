"""Cards found by their shape where a file does not style its tags as Tag (Heading 4).

Files that lost Verbatim's styles (cards pasted from Word Online, cut in another template,
pasted as plain text) still lay a card out the way Verbatim does: a short bold line, the
tag; then a line the cite parser reads as a cite (an author and a date); then the article.
`find` finds that shape in a run of paragraphs. A plain file, with no bold, underline or
highlight in any body paragraph, asks no bold of its tags: its text is all there is.

Some such files also style a cite or a body paragraph as a heading (Heading 1 for a cite
pasted from another file): read as headings they would end the card and open a Pocket.
`relevel` makes them the paragraphs they are: a heading that parses as a cite right after
a tag, with article text after it, is a cite; a heading inside a card as long as an
article paragraph, or highlighted, is body text (no Pocket, Hat or Block in the corpus is
over 15 words or highlighted).

`evcards.formats.docx.structure` uses both: cards found by shape under a heading before its
first tag (text that was dropped) and inside a tagged card after its article (cards pasted
with a plain paragraph for a tag, which the card above swallowed).
"""

from __future__ import annotations

from evcards.core.citeparse import ParsedCite
from evcards.formats.docx.runs import Para

TAG_WORDS = 60  # a tag longer than this is an article paragraph, whatever its bold
CITE_WORDS = 250  # cite paragraphs with qualifications run long; articles run longer
# Lines longer than these in characters are let go before their words are counted.
TAG_CHARS = 20 * TAG_WORDS
CITE_CHARS = 20 * CITE_WORDS
BODY_HEADING_WORDS = 25  # a heading this long is text, not a Pocket, Hat or Block

Shape = tuple[int, int]  # (index of the tag, index of the first cite line)


def is_plain(paras: list[Para]) -> bool:
    """No body paragraph has bold, underline, emphasis or highlight: text pasted without
    its formatting, where only the order of lines tells a tag from a cite."""
    return not any(
        m.bold or m.emphasis or m.underline or m.highlight or m.shading
        for p in paras
        if not p.level
        for _, m in p.runs
    )


def find(paras: list[Para], plain: bool) -> list[Shape]:
    """Each card's shape among `paras` (non-blank body paragraphs): a tag line, at once a
    line the cite parser accepts, and article text within the two lines after the cite.
    The cite may be the first of two lines, the second bracketed ('Newman, Professor ...,
    '19' then '(John, "Antitrust in Digital Markets" ...)')."""
    found: list[Shape] = []
    for i in range(len(paras) - 2):
        if found and i <= found[-1][1]:
            continue  # a line of the card just found
        tag, cite = paras[i], paras[i + 1]
        if not _tag_like(tag, plain) or _short_cite_alone(tag):
            continue
        two_lines = (
            len(cite.text.split()) <= 12
            and paras[i + 2].text.lstrip().startswith(("(", "["))
            and names_and_dates(cite) is not None
        )
        if not (accepts_cite(cite) or two_lines):
            continue
        after = paras[i + 3 if two_lines else i + 2 :][:2]
        if any(body_like(p) for p in after):
            found.append((i, i + 1))
    return found


def accepts_cite(p: Para) -> bool:
    """A cite line: it starts with a short cite, a name and a date ('Meick 18', 'Ethan
    Meick 18'), the parser finds an author and a date in it, and it is not read out
    (highlighted beyond a few bold words, which would be a highlighted short cite)."""
    parsed = names_and_dates(p)
    if parsed is None:
        return False
    start = next((a for label, a, _ in parsed.spans if label == "short"), None)
    short = parsed.short
    return (
        start is not None
        and start <= 40
        and any(c.isalpha() for c in short)
        and any(c.isdigit() for c in short)
    )


def names_and_dates(p: Para) -> ParsedCite | None:
    """The parsed cite of a line of cite length, not read out, in which the parser finds
    an author and a date; else None."""
    text = p.text
    if len(text) > CITE_CHARS or not any(c.isdigit() for c in text) or _read_out(p):
        return None  # a date has a digit: most lines are let go before they are parsed
    if not 2 <= len(text.split()) <= CITE_WORDS:
        return None
    parsed = p.parsed_cite()
    return parsed if parsed.authors and parsed.date else None


def _short_cite_alone(p: Para) -> bool:
    """A line that is a short cite and nothing else ('Meick 18', the first line of a
    two-line cite), which looks like a tag but is not one."""
    text = " ".join(p.text.split())
    if len(text.split()) > 6:
        return False
    parsed = p.parsed_cite()
    return bool(parsed.date) and len(parsed.short) >= 0.9 * len(text)


def _tag_like(p: Para, plain: bool) -> bool:
    """A short line, bold throughout unless the file is plain, and not read out."""
    if p.level or len(p.text) > TAG_CHARS or p.highlighted:
        return False
    words = p.text.split()
    if not 0 < len(words) <= TAG_WORDS:
        return False
    return plain or len(p.bold_text) >= 0.9 * len(" ".join(words))


def body_like(p: Para) -> bool:
    """Article text: long, or marked for reading (underline, emphasis, highlight)."""
    words = len(p.text.split())
    marked = any(m.underline or m.emphasis or m.highlight or m.shading for _, m in p.runs)
    return (words >= 60 or (marked and words >= 8)) and not accepts_cite(p)


def _read_out(p: Para) -> bool:
    """Highlighted beyond a few bold words (a highlighted short cite is still a cite)."""
    lit = [(t, m) for t, m in p.runs if (m.highlight or m.shading) and t.strip()]
    words = len(" ".join(t for t, _ in lit).split())
    return bool(lit) and not (all(m.bold or m.emphasis for _, m in lit) and words <= 6)


def relevel(paras: list[Para]) -> list[Para]:
    """The paragraphs with headings that are a card's cite or body made body paragraphs."""
    out: list[Para] = []
    in_card = False  # after a tag: where a cite and article text go
    last: Para | None = None  # the previous non-blank paragraph, as read
    for k, p in enumerate(paras):
        if not p.text.strip():
            out.append(p)
            continue
        if 1 <= p.level <= 3 and last is not None and _not_a_heading(p, last, in_card, paras, k):
            p = _unheaded(p)
        if p.level:
            in_card = p.level == 4
        elif not in_card:
            in_card = _after_tag(last)
        out.append(p)
        last = p
    return out


def _not_a_heading(p: Para, last: Para, in_card: bool, paras: list[Para], k: int) -> bool:
    """A heading that is a cite (it parses as one, right after a tag, with article text
    next) or article text (inside a card, as long as an article paragraph or highlighted:
    no Pocket, Hat or Block in the corpus is either)."""
    if in_card and (len(p.text.split()) >= BODY_HEADING_WORDS or p.highlighted):
        return True
    if not _after_tag(last) or not accepts_cite(_unheaded(p)):
        return False
    after = next((q for q in paras[k + 1 :] if q.text.strip()), None)
    if after is None:
        return False
    if after.level:
        return len(after.text.split()) >= BODY_HEADING_WORDS or after.highlighted
    return len(after.text.split()) >= 8  # the article, or a title or second cite line


def _after_tag(p: Para | None) -> bool:
    """The line is a tag: the Tag style, or a short bold body line."""
    return p is not None and (p.level == 4 or _tag_like(p, plain=False))


def _unheaded(p: Para) -> Para:
    """A heading as a body paragraph. The heading style made every run bold; the cutter
    did not, so bold all through is taken off (bold + underline is then underline)."""
    runs = p.runs
    if all(m.bold or m.emphasis for t, m in runs if t.strip()):
        runs = [
            (t, m._replace(bold=False, emphasis=False, underline=m.underline or m.emphasis))
            for t, m in runs
        ]
    out = Para(0, runs, p.cite_style)
    out.cite_runs = list(p.cite_runs)
    out.breaks = list(p.breaks)
    return out
