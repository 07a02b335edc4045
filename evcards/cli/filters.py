"""The filter options `search` and `list` share, and the Filters they make. Light: registers
no commands, so `list` does not load `search`'s module."""

from enum import StrEnum
from typing import Annotated, Any

import typer

Many = list[str] | None


class Kind(StrEnum):
    card = "card"
    analytic = "analytic"


def opt(*names: str, help: str, metavar: str | None = None) -> Any:
    return typer.Option(*names, help=help, show_default=False, metavar=metavar)


TagOpt = Annotated[Many, opt("--tag", help="Words that must be in the tag.", metavar="WORDS")]
CiteOpt = Annotated[Many, opt("--cite", help="Words that must be in the cite.", metavar="WORDS")]
BodyOpt = Annotated[
    Many, opt("--body", help="Words that must be in the body text.", metavar="WORDS")
]
AuthorOpt = Annotated[
    Many,
    opt(
        "--author",
        help="Any author's name, else the short cite's (accents and case ignored).",
        metavar="WORDS",
    ),
]
YearOpt = Annotated[
    str | None,
    opt("--year", help="A year or range: 2018, 2018..2020, 2018.., ..2020.", metavar="YEARS"),
]
LabelOpt = Annotated[
    Many, opt("--label", "-l", help="Only cards with this label.", metavar="LABEL")
]
PocketOpt = Annotated[
    Many, opt("--pocket", help="Words in the pocket (Heading 1).", metavar="WORDS")
]
HatOpt = Annotated[Many, opt("--hat", help="Words in the hat (Heading 2).", metavar="WORDS")]
BlockOpt = Annotated[Many, opt("--block", help="Words in the block (Heading 3).", metavar="WORDS")]
FileOpt = Annotated[Many, opt("--file", help="Words of a source file's name.", metavar="WORDS")]
HighlightedOpt = Annotated[bool, opt("--highlighted", help="Only cards with highlighting.")]


# The command's parameter for each word filter of evcards.index.query.Filters.
_WORDS = {
    "tag": "tag",
    "cite": "cite",
    "body": "body",
    "author": "author",
    "labels": "label",
    "pocket": "pocket",
    "hat": "hat",
    "block": "block",
    "files": "file",
}


def make_filters(params: dict[str, Any]) -> Any:
    """The Filters from a command's options (`ctx.params`): each word filter a list (none
    given: empty), the --year range parsed (a bad one is a usage error)."""
    from evcards.index.query import Filters

    year, year_from, year_to = params.get("year"), None, None
    if year is not None:
        year_from, year_to = years(year, "--year")
    lists: dict[str, Any] = {n: list(params.get(o) or []) for n, o in _WORDS.items()}
    from evcards.cli.app import check_labels

    check_labels(lists["labels"])  # `-l Neg` finds the cards labelled neg
    highlighted = bool(params.get("highlighted"))
    return Filters(**lists, year_from=year_from, year_to=year_to, highlighted=highlighted)


def years(text: str, option: str) -> tuple[int | None, int | None]:
    """A year or range as an option gives it (`2018`, `2018..2020`); a bad one is a usage
    error naming `option`."""
    from evcards.index.query import parse_years

    try:
        return parse_years(text)
    except ValueError as e:
        raise typer.BadParameter(str(e), param_hint=option) from None
