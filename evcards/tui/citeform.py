"""F8: the cite, as one line read by the cite parser (the fields below it follow as you type)
and field by field, with the cite's grade live. A field changed by hand rebuilds the short
and full cite from the fields (`cutting.rebuild_cite`), as after `evcards cut` in an editor."""

from __future__ import annotations

from typing import Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Static

from evcards.cards import read_cite_line
from evcards.core import cite_build
from evcards.core.citeline import paragraph
from evcards.core.models import Cite, clean_text
from evcards.cutting import grade_of, rebuild_cite
from evcards.tui.forms import FORM_CSS

FIELDS = ("short", *cite_build.PARTS)


def cite_of(values: dict[str, str], base: Cite) -> Cite:
    """A cite from the form's field values, the full cite taken from `base`."""
    fields = {k: " ".join(clean_text(v).split()) or None for k, v in values.items()}
    return Cite(short=fields.pop("short") or "", full=base.full, **fields)


class CiteForm(ModalScreen[Cite | None]):
    """The cite form; enter in any field keeps the cite, escape leaves it as it was."""

    DEFAULT_CSS = (
        """
    CiteForm { align: center middle; }
    CiteForm .row { height: 1; margin: 0; }
    CiteForm .name { width: 13; color: $text-muted; }
    CiteForm .row Input { border: none; height: 1; padding: 0; width: 1fr; }
    """
        + FORM_CSS
    )
    BINDINGS = [Binding("escape", "dismiss(None)", "cancel", show=False)]

    def __init__(self, cite: Cite, template: str | None = None) -> None:
        super().__init__()
        self.original = cite
        self.template = template
        self.parsed = cite  # what the line last read as: the fields are compared to it
        self.line = paragraph(cite)  # the line as last read

    def compose(self) -> ComposeResult:
        with Vertical(classes="form"):
            yield Static("Cite as written (SHORT (FULL) INITIALS): the fields follow it")
            yield Input(self.line, id="line")
            for name in FIELDS:
                with Horizontal(classes="row"):
                    yield Static(name, classes="name")
                    yield Input(getattr(self.original, name) or "", id=f"f-{name}")
            yield Static("", id="grade")
            yield Static("", id="problem", classes="problem")
            yield Static("enter: keep  ·  esc: cancel  ·  tab: next field", classes="hint")

    def on_mount(self) -> None:
        self._show_grade()

    def values(self) -> dict[str, str]:
        return {name: self.query_one(f"#f-{name}", Input).value for name in FIELDS}

    def on_input_changed(self, event: Input.Changed) -> None:
        # The line fills the fields; a field never writes the line, so nothing loops.
        # An Input says Changed when it mounts, too: only a line the debater changed is read,
        # or opening the form would replace the stored fields by the parser's reading.
        if event.input.id == "line" and event.value != self.line:
            self.line = event.value
            self._read_line(event.value)
        self._show_grade()

    def _read_line(self, line: str) -> None:
        found, warnings = read_cite_line(line) if line.strip() else ({}, [])
        found.setdefault("initials", self.original.initials)
        self.parsed = Cite(**{k: v for k, v in found.items() if v is not None})
        for name in FIELDS:
            self.query_one(f"#f-{name}", Input).value = getattr(self.parsed, name) or ""
        # read_cite_line's warning names `add`'s options; here the fix is the short field
        unread = "no short cite (such as Meick 18) found: the line is kept as the full cite"
        self.query_one("#problem", Static).update(
            f"{unread}; type the short cite below" if warnings else ""
        )

    def result(self) -> Cite:
        """The cite the form holds now."""
        edited = cite_of(self.values(), self.parsed)
        return rebuild_cite(self.parsed, edited, self.template)

    def _show_grade(self) -> None:
        try:
            cite = self.result()
        except ValueError as e:  # a field the model refuses
            self.query_one("#grade", Static).update(f"Cite grade: ? ({e})")
            return
        self.query_one("#grade", Static).update(f"Cite grade: {grade_of(cite)}")

    def on_input_submitted(self, event: Any) -> None:
        try:
            cite = self.result()
        except ValueError as e:
            self.query_one("#problem", Static).update(str(e))
            return
        self.dismiss(cite)
