"""Building cites from a source's metadata: the short cite, the full cite forms, a grade.

Rules for names, chosen to match what debaters write:
- Authors are split on `;` (trafilatura's joiner), `&` and `and`; "Last, First" (one comma,
  no other author) is read as a reversed name.
- The last name keeps its lower-case particles ("van", "von", "de", "der", "da", "di", "du",
  "del", "della", "la", "le", "bin", "ibn", "al", "ten", "ter", "dos", "das"): Ludwig van der
  Berg -> "van der Berg 21". A capitalised particle ("Van Evera") is already part of the name.
- Suffixes (Jr., Sr., II, III, IV, PhD, MD) are dropped from the short cite and kept in the
  full cite.
- An organisation (a name with a word like Institute, Corporation, Council, or one word, or an
  acronym) is cited by its acronym: "RAND Corporation" -> "RAND", "Congressional Research
  Service" -> "CRS", "Council on Foreign Relations (CFR)" -> "CFR".
- Two authors: "Saradzhyan & Wyne 18"; three or more: "Smith et al. 21"; no author: the
  publication stands in ("Energy Wire 24"); no date: "ND" ("Meick ND").
"""

from __future__ import annotations

import datetime as dt
import re
import string
from dataclasses import dataclass, fields

from evcards.core.syntax import CITE_FIELDS, CITE_FORMS
from evcards.errors import CiteTemplateError

PARTICLES = frozenset(
    "van von de der den da di du del della la le bin ibn al ten ter dos das st".split()
)
SUFFIXES = frozenset(
    s.lower() for s in ("Jr", "Jr.", "Sr", "Sr.", "II", "III", "IV", "PhD", "Ph.D.", "MD", "M.D.")
)
# Words that make a name an organisation's; surnames that are also such words (Post, Press,
# Bank, Trust) are left out on purpose.
_ORG_WORDS = frozenset(
    """institute institution corporation corp council center centre foundation university
    college association agency department office committee commission organization
    organisation staff group project network news program programme service society fund
    board bureau ministry government league alliance coalition laboratory laboratories inc
    llc ltd company editors editorial times journal review magazine""".split()
)
_SPLIT = re.compile(r"\s*(?:;|&|\band\b|,\s*and\b)\s*", re.IGNORECASE)
_ACRONYM_IN_PARENS = re.compile(r"\(([A-Z][A-Za-z&]{1,9})\)")

FORMS = CITE_FORMS
# The cite's fields a short and a full cite are built from: all but those two themselves.
PARTS = tuple(name for name in CITE_FIELDS if name not in ("short", "full"))
# A template's fields: the parts, and what is derived from them.
DERIVED = ("author", "first", "last", "short", "year", "yy")
TEMPLATE_FIELDS = DERIVED + tuple(name for name in PARTS if name not in DERIVED)


def split_authors(author: str | None) -> list[str]:
    """'Simon Saradzhyan; Ali Wyne' -> ['Simon Saradzhyan', 'Ali Wyne']."""
    if not author or not author.strip():
        return []
    names = []
    for name in (n.strip(" ,") for n in _SPLIT.split(author)):
        pieces = [p.strip() for p in name.split(",") if p.strip()]
        # "A B, C D": a list only when every piece looks like a whole name, so that
        # "Meick, Ethan" and "King, Jr." stay one person
        if len(pieces) > 1 and all(len(p.split()) >= 2 for p in pieces):
            names.extend(pieces)
        elif name:
            names.append(name)
    return names


def is_organization(name: str) -> bool:
    words = name.replace(",", " ").split()
    if len(words) == 1:
        return True
    if any(w.lower().strip(".()") in _ORG_WORDS for w in words):
        return True
    return bool(_ACRONYM_IN_PARENS.search(name))


def org_short(name: str) -> str:
    """An organisation's short name: its acronym in parentheses, a word in capitals, initials."""
    m = _ACRONYM_IN_PARENS.search(name)
    if m:
        return m.group(1)
    words = name.split()
    caps = [w for w in words if len(w) >= 2 and w.isupper() and w.isalpha()]
    if caps:
        return caps[0]
    if len(words) == 1:
        return words[0]
    initials = "".join(w[0] for w in words if w[0].isupper() and w not in ("The", "A"))
    return initials if len(initials) >= 2 else name


def _name_words(name: str) -> list[str]:
    """A person's name as words, "Last, First" turned round, suffixes dropped."""
    if name.count(",") == 1:
        last, first = (p.strip() for p in name.split(","))
        if first.lower().strip(".") not in {s.strip(".") for s in SUFFIXES}:
            name = f"{first} {last}"
    words = [w.strip(",") for w in name.split()]
    return [w for w in words if w and w.lower() not in SUFFIXES]


def last_name(name: str) -> str:
    """The surname a short cite uses, with its lower-case particles: 'van der Berg'."""
    if is_organization(name):
        return org_short(name)
    words = _name_words(name)
    if not words:
        return name.strip()
    i = len(words) - 1
    while i > 1 and words[i - 1] in PARTICLES:  # particles as written, lower case only
        i -= 1
    return " ".join(words[i:])


def first_name(name: str) -> str:
    if is_organization(name):
        return ""
    words = _name_words(name)
    surname = last_name(name).split()
    return " ".join(words[: len(words) - len(surname)])


def short_names(authors: list[str]) -> str:
    lasts = [last_name(a) for a in authors]
    if len(lasts) == 1:
        return lasts[0]
    if len(lasts) == 2:
        return f"{lasts[0]} & {lasts[1]}"
    return f"{lasts[0]} et al."


def full_names(authors: list[str]) -> str:
    if len(authors) <= 2:
        return " and ".join(authors)
    return ", ".join(authors[:-1]) + ", and " + authors[-1]


# -- dates ---------------------------------------------------------------------------------
_ISO = re.compile(r"^\s*(\d{4})(?:[-/](\d{1,2})(?:[-/](\d{1,2}))?)?(?:[T ].*)?\s*$")


def display_date(value: str | None) -> str | None:
    """ISO dates (trafilatura's YYYY-MM-DD) in debaters' M-D-YYYY; anything else as given."""
    if not value or not value.strip():
        return None
    m = _ISO.match(value)
    if not m:
        return value.strip()
    year, month, day = m.group(1), m.group(2), m.group(3)
    if month and day:
        return f"{int(month)}-{int(day)}-{year}"
    if month:
        return f"{int(month)}-{year}"
    return year


def today() -> str:
    d = dt.date.today()
    return f"{d.month}-{d.day}-{d.year}"


def year_of(date: str | None) -> int | None:
    if not date:
        return None
    m = re.search(r"\b(1[89]\d{2}|20\d{2})\b", date)
    return int(m.group(1)) if m else None


# -- the cite ------------------------------------------------------------------------------
@dataclass
class CiteFields:
    """Everything a cite is built from (PARTS, and a short cite); None means unknown."""

    author: str | None = None
    quals: str | None = None
    date: str | None = None
    title: str | None = None
    publication: str | None = None
    url: str | None = None
    accessed: str | None = None
    initials: str | None = None
    short: str | None = None  # an explicit short cite wins over the built one

    def updated(self, **overrides: str | None) -> CiteFields:
        """A copy with every override that is not None applied (options beat metadata)."""
        data = {f.name: getattr(self, f.name) for f in fields(self)}
        data.update({k: v for k, v in overrides.items() if v is not None})
        return CiteFields(**data)

    @property
    def authors(self) -> list[str]:
        return split_authors(self.author)

    @property
    def year(self) -> int | None:
        return year_of(self.date)


def short_cite(f: CiteFields) -> str:
    """'Meick 18', 'Saradzhyan & Wyne 18', 'Smith et al. 21', 'RAND 19', 'Meick ND'."""
    if f.short:
        return f.short
    authors = f.authors
    if authors:
        who = short_names(authors)
    elif f.publication:
        who = org_short(f.publication) if is_organization(f.publication) else f.publication
    else:
        who = "Anonymous"
    year = f.year
    return f"{who} {year % 100:02d}" if year is not None else f"{who} ND"


def standard_full(f: CiteFields) -> str:
    """`Ethan Meick, Quals, 9-2-2018, "Title," Publication, URL, accessed 11-29-2026, ank`."""
    head = [p for p in (full_names(f.authors) or None, f.quals, f.date) if p]
    tail = [p for p in (f.publication, f.url) if p]
    if f.accessed:
        tail.append(f"accessed {f.accessed}")
    if f.initials:
        tail.append(f.initials)
    text = ", ".join(head)
    if f.title:
        title = f.title.rstrip(",")
        # the comma goes inside the quotes, unless the title ends in its own punctuation
        title = f'"{title},"' if tail and title[-1] not in "?!." else f'"{title}"'
        text = f"{text}, {title}" if text else title
        return f"{text} {', '.join(tail)}" if tail else text
    return ", ".join(p for p in (text, *tail) if p)


def template_values(f: CiteFields) -> dict[str, str]:
    values = {name: getattr(f, name) or "" for name in PARTS}
    values.update(derived_values(f))
    return values


def derived_values(f: CiteFields) -> dict[str, str]:
    """The template fields not stored on a cite: names split up, the year, the short cite."""
    authors = f.authors
    year = f.year
    return {
        "author": full_names(authors),
        "first": first_name(authors[0]) if authors else "",
        "last": last_name(authors[0]) if authors else "",
        "short": short_cite(f),
        "year": str(year) if year else "",
        "yy": f"{year % 100:02d}" if year else "",
    }


def check_template(template: str) -> None:
    """Raise CiteTemplateError for a template with an unknown field or a stray brace."""
    try:
        parsed = list(string.Formatter().parse(template))
    except ValueError as e:
        raise CiteTemplateError(
            f"cite template {template!r}: {e}; write {{{{ and }}}} for literal braces"
        ) from None
    for _, name, spec, conv in parsed:
        if name is None:
            continue
        if name not in TEMPLATE_FIELDS or spec or conv:
            raise CiteTemplateError(
                f"cite template: unknown field {{{name}}}; use {{"
                + "}, {".join(TEMPLATE_FIELDS)
                + "}"
            )


def render_template(template: str, f: CiteFields) -> str:
    check_template(template)
    text = template.format_map(template_values(f))
    return " ".join(text.split())


def full_cite(f: CiteFields, template: str | None = None) -> str:
    """The full cite stored on the card: the user's template when there is one."""
    return render_template(template, f) if template else standard_full(f)


def write_form(short: str, full: str, form: str) -> str:
    """A short and a full cite in one form: standard (full alone), frontloaded, two-line."""
    if form == "frontloaded":
        return f"{short} ({full})"
    if form == "two-line":
        return f"{short}\n({full})"
    if form == "standard":
        return full
    raise CiteTemplateError(f"unknown cite form {form!r}; use one of: {', '.join(FORMS)}")


# -- grade ---------------------------------------------------------------------------------
# A missing author or date makes a card hard to defend in round; the rest is courtesy.
WEIGHTS = {"author": 2, "date": 2, "quals": 1, "title": 1, "publication": 1, "url": 1}


@dataclass
class Grade:
    letter: str
    missing: list[str]

    def __str__(self) -> str:
        return self.letter + (f" - missing: {', '.join(self.missing)}" if self.missing else "")


def grade(f: CiteFields) -> Grade:
    """A: complete. Each missing field costs its weight: B 1, C 2, D 3-4, F 5 and more."""
    missing = [k for k in WEIGHTS if not getattr(f, k)]
    cost = sum(WEIGHTS[k] for k in missing)
    letter = "A" if cost == 0 else "B" if cost == 1 else "C" if cost == 2 else "D"
    if cost >= 5:
        letter = "F"
    return Grade(letter, missing)
