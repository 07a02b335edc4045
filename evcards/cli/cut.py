"""`evcards cut` (a page or pasted text to a card) and `evcards fix` (Verbatim's helpers)."""

import sys
from dataclasses import replace
from pathlib import Path
from typing import Annotated, Any

import typer

from evcards.cli.app import app, check_labels, get_config, get_library

DRAFT_HEADER = """\
# Cut: write the tag and mark the body, then save and quit (quit unchanged to give up).
# _underline_  **emphasis**  ==highlight== ({color})  =={{green}}other==  ~shrink~  \\_ = literal _
# Add missing [cite] fields (quals = "...") and the short and full cite are rebuilt from them.
# The id is provisional: it is derived from the body and its marks when the card is saved.
"""

Opt = typer.Option
SourceArg = Annotated[
    str,
    typer.Argument(
        help="A URL, a saved .html page, a text file, or - for stdin.", metavar="SOURCE"
    ),
]
CiteFormatOpt = Annotated[
    str | None,
    Opt(
        "--cite-format",
        help="How to print the cite: standard, frontloaded or two-line"
        " (default: `cite_format` in config).",
    ),
]
TemplateOpt = Annotated[
    str | None,
    Opt(
        help="Full-cite template, e.g. '{author}, {quals}, {date}, \"{title}\", {url}'"
        " (default: `cite_template` in config)."
    ),
]
NoEditOpt = Annotated[
    bool,
    Opt("--no-edit", help="Save the card without opening it to mark (untagged without --tag)."),
]
EditorOpt = Annotated[
    bool,
    Opt(
        "--editor",
        help="Open the draft as TOML in $EDITOR, not in the mark screen (which opens when"
        " stdin and stdout are a terminal).",
    ),
]
CondenseOpt = Annotated[bool, Opt(help="Join the paragraphs into one.")]
PilcrowsOpt = Annotated[bool, Opt(help="With --condense: keep ¶ where paragraphs were.")]


def _check_color(value: str | None) -> str | None:
    if value is None:
        return None
    from evcards.core.models import normalize_color

    color = normalize_color(value)
    if color is None:
        raise typer.BadParameter(
            f"'{value}' is not a Word highlight colour (yellow, green, cyan, magenta, ...)",
            param_hint="--highlight-color",
        )
    return color


@app.command()
def cut(
    ctx: typer.Context,
    source: SourceArg,
    tag: Annotated[
        str, Opt("--tag", "-t", help="The tag (else write it when the draft opens).")
    ] = "",
    author: Annotated[str | None, Opt(help="Author(s); separate several with ';'.")] = None,
    quals: Annotated[str | None, Opt(help="Author's qualifications.")] = None,
    date: Annotated[str | None, Opt(help="Date of the source (2018-09-02 or as written).")] = None,
    title: Annotated[str | None, Opt(help="Title.")] = None,
    publication: Annotated[str | None, Opt(help="Publication or site.")] = None,
    url: Annotated[str | None, Opt(help="URL to cite.")] = None,
    accessed: Annotated[str | None, Opt(help="Date accessed (default: today).")] = None,
    initials: Annotated[
        str | None, Opt(help="Cutter's initials (default: `initials` in config).")
    ] = None,
    short: Annotated[str | None, Opt("--short", "-s", help="Short cite, e.g. 'Meick 18'.")] = None,
    label: Annotated[list[str] | None, Opt("--label", "-l", help="Label the card.")] = None,
    cite_format: CiteFormatOpt = None,
    template: TemplateOpt = None,
    no_edit: NoEditOpt = False,
    editor: EditorOpt = False,
    condense: CondenseOpt = False,
    pilcrows: PilcrowsOpt = False,
    shrink: Annotated[bool, Opt(help="After editing: shrink text that is not underlined.")] = False,
    unhighlighted_underline_off: Annotated[
        bool, Opt(help="After editing: remove underlining from text that is not highlighted.")
    ] = False,
    highlight_color: Annotated[
        str | None, Opt(help="After editing: make every highlight this colour.")
    ] = None,
    timeout: Annotated[float, Opt(help="Seconds to wait for a URL.", min=1)] = 20.0,
) -> None:
    """Cut a card from a web page or pasted text: the text cleaned, the cite built for you.

    On a terminal the draft opens in the mark screen (`evcards mark`'s keys) on its tag and
    cite; with --editor, or when stdin or stdout is not a terminal, in $EDITOR as TOML. It
    is saved once it is valid and tagged.
    """
    from evcards import cutting
    from evcards.core.cite_build import write_form
    from evcards.errors import BadOption
    from evcards.fixing import Fixes, apply_fixes

    check_labels(label)
    if pilcrows and not condense:
        raise typer.BadParameter("--pilcrows only makes sense with --condense")
    if no_edit and editor:
        raise typer.BadParameter("--no-edit saves the draft without opening it; drop --editor")
    config = get_config()
    try:
        form, template = cutting.cite_settings(cite_format, template, config)
    except BadOption as e:
        raise typer.BadParameter(str(e), param_hint=e.option) from None
    after = Fixes(
        shrink=shrink,
        unhighlighted_underline_off=unhighlighted_underline_off,
        highlight_color=_check_color(highlight_color),
    )
    try:
        extracted = cutting.extract_source(*cutting.read_source(source, timeout))
    except KeyboardInterrupt:
        from evcards.errors import Interrupted

        # Ctrl-C while a slow page downloads: nothing has been written yet.
        raise Interrupted(f"stopped reading {source}; nothing was saved") from None
    opts = cutting.cut_options(ctx.params, template, config.initials)
    draft = cutting.draft_card(extracted, opts)
    if condense:
        draft = apply_fixes(draft, Fixes(condense=True, pilcrows=pilcrows))

    lib = get_library(create=True)
    if no_edit:
        result = cutting.save_cut(lib, draft, after)
    elif not editor and on_terminal():
        result = _mark_and_save(lib, draft, after)
    else:
        result = _edit_and_save(lib, draft, after, config.highlight, template)
    verb = "Added" if result.status == "added" else "Already had"
    typer.echo(f"{verb} {result.card.id[:8]}  {result.path}")
    cite = result.card.cite
    typer.echo(write_form(cite.short, cite.full, form))
    typer.echo(f"Cite grade: {cutting.grade_of(cite)}")


def on_terminal() -> bool:
    """Whether the mark screen can open: it reads keys from stdin and draws on stdout (after
    `cut -` stdin is the page, so the draft goes to $EDITOR, which opens the terminal)."""
    return sys.stdin.isatty() and sys.stdout.isatty()


def _mark_and_save(lib: Any, draft: Any, after: Any) -> Any:
    """The draft in the mark screen: tag and cite first, then the marks. The first save adds
    the card (with `after`'s fixes), later ones replace it; quitting unsaved saves nothing."""
    from evcards.cli.app import fail
    from evcards.cutting import check_tagged, save_cut
    from evcards.tui.mark import MarkApp

    added: list[Any] = []

    def save(card: Any) -> Path:
        check_tagged(card)  # untagged: an Error notice on the screen, and it stays open
        added.append(save_cut(lib, card, after))
        return Path(added[-1].path)

    final = MarkApp.for_draft(lib.root, draft, save).run()
    if not added or final is None:
        raise fail(
            "you quit without saving the draft; nothing was saved (to save the text as it is,"
            " cut with --no-edit)"
        )
    return replace(added[0], card=final.card, path=final.path)


def _edit_and_save(lib: Any, draft: Any, after: Any, color: str, template: str | None) -> Any:
    from evcards.cli.editing import edit_until_valid
    from evcards.cutting import check_tagged, rebuild_cite, save_cut
    from evcards.store import cardfile

    saved: list[Any] = []

    def save(edited: Any) -> Path:
        check_tagged(edited)  # an untagged card is an error, and the editor reopens
        edited = edited.model_copy(update={"cite": rebuild_cite(draft.cite, edited.cite, template)})
        result = save_cut(lib, edited, after)
        saved.append(result)
        return result.path

    initial = DRAFT_HEADER.format(color=color) + cardfile.dumps(draft, default_highlight=color)
    # Quitting the editor without a change once saved the draft, untagged: now it gives up.
    gave_up = "the draft came back unchanged (to save the text as it is, cut with --no-edit)"
    edit_until_valid(initial, save, unchanged=gave_up)
    return saved[-1]


@app.command()
def fix(
    cards: Annotated[
        list[str] | None,
        typer.Argument(
            help="Cards to fix (with --cites alone, none means every card).", metavar="[CARD...]"
        ),
    ] = None,
    condense: CondenseOpt = False,
    pilcrows: PilcrowsOpt = False,
    shrink: Annotated[
        bool, Opt(help="Set text that is not underlined or highlighted to 8 pt.")
    ] = False,
    unhighlighted_underline_off: Annotated[
        bool, Opt(help="Remove underlining from text that is not highlighted.")
    ] = False,
    highlight_color: Annotated[
        str | None, Opt(help="Make every highlight this colour (standardise).")
    ] = None,
    cites: Annotated[
        bool,
        Opt(help="Parse each stored full cite again into author, date, title ...; bodies kept."),
    ] = False,
) -> None:
    """Verbatim's formatting helpers on library cards: condense, shrink, underline, colour;
    and --cites, which re-reads stored cites into their fields. Ids never change."""
    from evcards.fixing import fix_cards

    fixes = _fixes(condense, pilcrows, shrink, unhighlighted_underline_off, highlight_color, cites)
    if not cards and fixes.touches_body():
        raise typer.BadParameter(
            "name the cards to fix: only --cites alone runs over the whole library",
            param_hint="CARD...",
        )
    lib = get_library()
    done = ", ".join(fixes.names())
    for card, _path, changed in fix_cards(lib, cards or [], fixes):
        status = f"fixed ({done})" if changed else "unchanged"
        typer.echo(f"{card.id[:8]}  {card.cite.short}  {status}")


def _fixes(
    condense: bool,
    pilcrows: bool,
    shrink: bool,
    unhighlighted_underline_off: bool,
    highlight_color: str | None,
    cites: bool,
) -> Any:
    """The fix command's options as `Fixes`; a usage error when they ask for nothing."""
    from evcards.fixing import Fixes

    if pilcrows and not condense:
        raise typer.BadParameter("--pilcrows only makes sense with --condense")
    fixes = Fixes(
        condense=condense,
        pilcrows=pilcrows,
        shrink=shrink,
        unhighlighted_underline_off=unhighlighted_underline_off,
        highlight_color=_check_color(highlight_color),
        cites=cites,
    )
    if not fixes:
        raise typer.BadParameter(
            "say what to fix: --condense, --shrink, --unhighlighted-underline-off,"
            " --highlight-color COLOR or --cites"
        )
    return fixes
