"""A stored cite as the paragraph a debater wrote, and its fields read again from that paragraph.

How `Cite.full` relates to the paragraph as written (the convention datasets rely on):
- read from a cite paragraph that holds the short cite (a .docx, a dataset's `fullcite`),
  `full` is that whole paragraph verbatim: short cite, brackets and initials included, as
  OpenDebateEvidence's `fullcite` has it;
- typed as parts (cut, add, a paste's `SHORT (FULL) INI`, older imports that kept only the
  bracket's content), `full` is the citation alone and the paragraph is `SHORT (FULL) INI`.
The two are told apart as the .docx and HTML writers tell them (`outline.locate`: the short
cite's words found, in order, in the full cite), so the paragraph is a function of the `Cite`.
`syntax.cite_year` reads either the same way: the short cite decides the year.
"""

from __future__ import annotations

from evcards.core.citeparse import Run, parse_cite_runs
from evcards.core.models import Cite
from evcards.core.outline import cite_segments, ends_with_initials, locate
from evcards.core.syntax import CITE_FIELDS

__all__ = ["PARSED_FIELDS", "ends_with_initials", "paragraph", "paragraph_runs", "reparsed"]

# The fields the parser fills; the short cite and the full cite are what it reads.
PARSED_FIELDS = tuple(name for name in CITE_FIELDS if name not in ("short", "full"))


def paragraph_runs(cite: Cite) -> list[Run]:
    """The cite paragraph as (text, bold, cite-styled) runs: the short cite's words bold,
    as the writers lay it out (`outline.cite_segments`, initials added unless the full cite
    already ends with them); with neither a short nor a full cite there is no paragraph."""
    return [(text, short, short) for text, short in cite_segments(cite)]


def paragraph(cite: Cite) -> str:
    """The whole cite paragraph as one line: what a dataset's `fullcite` holds."""
    return "".join(run[0] for run in paragraph_runs(cite))


def reparsed(cite: Cite) -> Cite:
    """The cite with its fields read again from its paragraph (`parse_cite_runs`).

    The short and full cite are kept as stored, so the paragraph stays the same; an empty
    short cite takes the one the parser found in the full cite. Stored initials are kept;
    initials found at the end of the full cite are not copied into the field, because the
    .docx, HTML and text writers (`outline.cite_segments`) would print them twice."""
    fields = parse_cite_runs(paragraph_runs(cite)).cite_fields()
    parts = {name: fields[name] or None for name in PARSED_FIELDS}
    found_initials = parts["initials"]
    if cite.initials or (found_initials and ends_with_initials(cite.full, found_initials)):
        parts["initials"] = cite.initials
    short = cite.short
    found = fields["short"] or ""
    if not short and found and locate(found, cite.full, 4 + len(found) // 10) is not None:
        short = found
    return Cite(short=short, full=cite.full, **parts)
