"""Names in cites: what looks like a person's name, a given name alone, an author list.

Deliberately conservative: a segment is a name only when every word could be part of one,
so that qualifications ("Justice", "Policy Analyst", "BA") are never taken for authors.
"""

from __future__ import annotations

import functools
import re

from evcards.core.cite_build import PARTICLES, is_organization
from evcards.core.citedates import SHORT_DATE

# Capitalised words that begin qualifications, not names ("Justice – Oklahoma Supreme Court").
_QUAL_WORDS = frozenset(
    """professor prof lecturer director editor reporter writer journalist columnist analyst
    fellow associate assistant adjunct senior junior research researcher scholar chair
    chairman president vice former executive staff justice judge senator representative
    secretary ambassador deputy correspondent contributor candidate student graduate author founder
    cofounder co-founder member head chief dean attorney lawyer counsel partner officer
    manager economist scientist historian philosopher expert specialist consultant advisor
    adviser visiting distinguished emeritus the a an is was are he she they who with from
    at of in on for to by and or ba ma ms bs jd phd llm mba md dphil mphil ph.d ph.d. j.d
    j.d. b.a. m.a. university college institute school department center centre program
    law policy international national american us u.s. un team group office general
    additional authors published posted updated accessed retrieved vol volume pg pp page""".split()
)
_JOBS = frozenset(
    """professor prof lecturer director editor reporter writer journalist columnist analyst
    fellow correspondent contributor candidate student attorney lawyer judge justice senator
    researcher scholar economist member staff president""".split()
)
_MONTH_WORDS = frozenset(
    """jan january feb february mar march apr april may jun june jul july aug august sep sept
    september oct october nov november dec december spring summer fall autumn winter""".split()
)
_HONORIFICS = frozenset("dr dr. prof prof. mr mr. ms ms. mrs mrs. sir".split())
_INITIAL = re.compile(r"^[A-Z]\.?(?:-?[A-Z]\.?)?$")
_WORD = re.compile(r"^[^\W\d_][\w'’.\-]*[*]*$")
_JOINERS = re.compile(r"\s*(?:&|\band\b|\bAND\b|;|,\s*(?:and\b|&)?)\s*", re.IGNORECASE)
_NONSPACE = re.compile(r"\S+")
ET_AL = re.compile(r",?\s*\bet\.?\s*al\b\.?", re.IGNORECASE)
_SUFFIX = frozenset("jr jr. sr sr. ii iii iv".split())


@functools.lru_cache(maxsize=8192)
def _name_word(word: str, first: bool) -> bool:
    low = word.lower().rstrip("*")
    if _INITIAL.match(word) or low in _SUFFIX or (low in _HONORIFICS and first):
        return True
    if low in PARTICLES:
        return not first
    if low in _QUAL_WORDS or low in _MONTH_WORDS or not _WORD.match(word):
        return False
    return word[0].isupper() or (not first and any(c.isupper() for c in word[1:]))


def has_qual_word(text: str) -> bool:
    """A word of qualifications among text's words ('Taborda, Journalist')."""
    return any(w.lower().strip(".,") in _JOBS for w in text.split())


@functools.lru_cache(maxsize=4096)
def name_prefix(text: str) -> str:
    """The leading words of text that can be a name: 'Charles W. MILLS Professor of ...' ->
    'Charles W. MILLS'."""
    out = []
    for k, m in enumerate(_NONSPACE.finditer(text)):
        if not _name_word(m.group(0), k == 0):
            break
        out.append(m)
    return text[: out[-1].end()] if out else ""


_IS_CLAUSE = re.compile(r"\s+(?:is|was|are|were)\s+(?:an?\s+|the\s+)?", re.IGNORECASE)
_TRAILING_DATE = re.compile(rf"[\s,]+(?:{SHORT_DATE})$")


@functools.lru_cache(maxsize=4096)
def name_part(text: str) -> str:
    """Where a segment's name would be: before an 'is a' clause ('Charles W. Mills is a
    Distinguished Professor') and a trailing date ('Nilay Patel 19')."""
    clause = _IS_CLAUSE.search(text)
    if clause:
        text = text[: clause.start()]
    date = _TRAILING_DATE.search(text)
    if date:
        text = text[: date.start()]
    return text


def initials_of(text: str) -> str:
    """'Organization for Economic Cooperation and Development' -> 'OECD'."""
    return "".join(w[0] for w in re.findall(r"[^\W\d_][\w'’\-]*", text) if w[0].isupper())


def is_acronym(text: str) -> bool:
    return 2 <= len(text) <= 6 and text.isalpha() and text.isupper()


@functools.lru_cache(maxsize=8192)
def is_name(text: str, max_words: int = 5) -> bool:
    """A person's name (or several joined by `and`/`&`): 'Ethan Meick', 'Toby J. Stern'."""
    names = split_names(text)
    if not names:
        return False
    for name in names:
        words = name.split()
        if not 1 <= len(words) <= max_words:
            return False
        if not all(_name_word(w, k == 0) for k, w in enumerate(words)):
            return False
    return True


def is_given_name(text: str) -> bool:
    """Given names alone, as the bracket form writes them: 'Emma', 'Robert M. & Jeffrey A'."""
    names = split_names(text)
    if len(names) == 1 and len(text.split()) == 1 and is_acronym(text) and len(text) > 2:
        return False  # '(UCL)' after a university's name
    return bool(names) and all(len(n.split()) <= 3 for n in names) and is_name(text, 3)


def split_names(text: str) -> list[str]:
    """'Caitlin Chin and Marla Odell' -> ['Caitlin Chin', 'Marla Odell'] ('et al.' dropped)."""
    return list(_split_names(text))


@functools.lru_cache(maxsize=8192)
def _split_names(text: str) -> tuple[str, ...]:
    # Pure, and asked of the same segment by is_name, is_given_name and the parser in turn.
    text = ET_AL.sub(_et_al_gap, text)
    return tuple(n.strip(" ,*") for n in _JOINERS.split(text) if n.strip(" ,*"))


def _et_al_gap(m: re.Match[str]) -> str:
    # 'Meick et al.Meick': the words on either side stay two words, not 'MeickMeick'.
    rest = m.string[m.end() :]
    return " " if rest[:1].isalnum() else ""


def surnames(name_part: str) -> list[str]:
    """The family names a short cite's name part reads out: 'Smith & Jones' -> ['Smith',
    'Jones']; an organisation or acronym stays whole ('National Post')."""
    return list(_surnames(name_part))


@functools.lru_cache(maxsize=4096)
def _surnames(name_part: str) -> tuple[str, ...]:
    # Pure; an author's short cite recurs through a file (a tuple kept, a list handed out).
    names = split_names(name_part)
    if not names:
        return ()
    if len(names) == 1 and is_organization(names[0]):
        return tuple(names)
    return tuple(n for n in names if n)


def contains_name(text: str, surname: str) -> bool:
    """The surname occurs in text as a word, ignoring case ('ROGER ALFORD' has 'Alford').
    Both in ASCII (most cites), the answer is found by `str.find` on the lowered text, with
    no pattern compiled (`contains_name_reference`, the pattern, says the same of them)."""
    if not surname:
        return False
    if not (text.isascii() and surname.isascii()):
        return contains_name_reference(text, surname)
    text, surname = text.lower(), surname.lower()
    n, end = len(surname), len(text)
    at = text.find(surname)
    while at >= 0:
        # In ASCII, `\w` is a letter, a digit or an underscore; `lower` keeps every offset.
        if (at == 0 or not _word_char(text[at - 1])) and (
            at + n == end or not _word_char(text[at + n])
        ):
            return True
        at = text.find(surname, at + 1)
    return False


def may_contain_name(text: str, surnames: list[str]) -> bool:
    """False only when no part of text can `contains_name` any of the surnames: in ASCII,
    when none is in the lowered text at all (the test `contains_name` starts with)."""
    if not text.isascii():
        return True
    low = text.lower()
    return any(not s.isascii() or s.lower() in low for s in surnames if s)


def _word_char(c: str) -> bool:
    return c.isalnum() or c == "_"


def contains_name_reference(text: str, surname: str) -> bool:
    """`contains_name` by a pattern: a word boundary either side, case ignored as `re` does."""
    if not surname:
        return False
    return _name_pattern(surname).search(text) is not None


@functools.lru_cache(maxsize=4096)
def _name_pattern(surname: str) -> re.Pattern[str]:
    # A file's cites name hundreds of people: past re's own cache of 512 patterns each
    # search compiled its pattern again (a fifth of the cite parser's time on the corpus).
    return re.compile(rf"(?<!\w){re.escape(surname)}(?!\w)", re.IGNORECASE)


def with_surnames(given: str, family: list[str]) -> list[str]:
    """Given names put before the short cite's family names: ('Emma', ['Black']) ->
    ['Emma Black']; ('Robert M. & Jeffrey A', ['Howard', 'Segal']) -> two people."""
    firsts = split_names(given)
    if not family:
        return firsts
    if len(firsts) == len(family):
        return [f"{g} {f}" for g, f in zip(firsts, family, strict=True)]
    return [f"{firsts[0]} {family[0]}", *family[1:]] if firsts else list(family)


@functools.lru_cache(maxsize=4096)
def split_frontloaded(name_part: str) -> int:
    """Where the family name starts in a frontloaded 'Ethan Meick' (0 when the whole part
    is the short cite's name: one word, several authors, an organisation)."""
    name_part = ET_AL.split(name_part)[0]
    if _JOINERS.search(name_part) or is_organization(name_part):
        return 0
    words = list(_NONSPACE.finditer(name_part))
    if len(words) < 2 or not is_name(name_part):
        return 0
    k = len(words) - 1
    while k > 1 and words[k - 1].group(0).lower() in PARTICLES:
        k -= 1  # 'Ludwig van der Berg': the family name is 'van der Berg'
    if words[k].group(0).lower().rstrip(".") in _SUFFIX:
        k -= 1
    return words[k].start() if k > 0 else 0


# A short cite's name part, as `citeparse` reads it: after a speech prefix, before the date's
# first digit ('Klare ’19', 'RM 6/14'); 'No Date' and month words are left in (a search
# index is its only user, and to it they are harmless extra words).
_SHORT_NAME = re.compile(
    r"^\s*(?:(?:[12][AN][CR]|[12]NR|[12]AR|1NC|2NC)\s+)?(?P<name>.*?)[\s,]*(?:[`'‘’]?\s?\d|$)",
    re.IGNORECASE | re.DOTALL,
)


def short_name(short: str) -> str:
    """The name part of a short cite: '1AC Alford 18' -> 'Alford', 'Smith & Jones 19' ->
    'Smith & Jones', 'RAND 19' -> 'RAND', 'Richardson' -> 'Richardson'."""
    m = _SHORT_NAME.match(short)
    return m.group("name") if m else short
