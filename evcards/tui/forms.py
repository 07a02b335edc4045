"""The small forms `mark` opens over the card: the tag (F7), the labels (l), and the question
asked before quitting with unsaved changes."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Static

from evcards.core.labels import fold_all, is_label
from evcards.core.models import clean_text

FORM_CSS = """
.form { width: 90%; max-width: 110; height: auto; padding: 1 2; border: round $accent;
        background: $surface; }
.form .hint { color: $text-muted; }
.form .problem { color: $error; }
"""


class TagForm(ModalScreen[str | None]):
    """F7: the tag on one line; enter keeps it, escape leaves it as it was."""

    DEFAULT_CSS = "TagForm { align: center middle; }" + FORM_CSS
    BINDINGS = [Binding("escape", "dismiss(None)", "cancel", show=False)]

    def __init__(self, tag: str) -> None:
        super().__init__()
        self.tag = tag

    def compose(self) -> ComposeResult:
        with Vertical(classes="form"):
            yield Static("Tag: the card's claim", classes="title")
            yield Input(self.tag, id="tag", placeholder="what the card proves")
            yield Static("enter: keep  ·  esc: cancel", classes="hint")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.dismiss(" ".join(clean_text(event.value).split()))


def parse_labels(text: str) -> tuple[list[str], str | None]:
    """Labels typed as `neg, russia da`: folded (core/labels), or a problem to show."""
    raw = [part.strip() for part in text.split(",") if part.strip()]
    bad = [lab for lab in raw if not is_label(lab)]
    if bad:
        return [], (
            f"'{bad[0]}' is not a label: use letters, digits, spaces and - _ . +,"
            " and commas between labels"
        )
    return fold_all(raw), None


class LabelsForm(ModalScreen[list[str] | None]):
    """l: the labels, separated by commas (aff, neg, da, cp, k, t or your own)."""

    DEFAULT_CSS = "LabelsForm { align: center middle; }" + FORM_CSS
    BINDINGS = [Binding("escape", "dismiss(None)", "cancel", show=False)]

    def __init__(self, labels: list[str]) -> None:
        super().__init__()
        self.labels = labels

    def compose(self) -> ComposeResult:
        with Vertical(classes="form"):
            yield Static("Labels, separated by commas (aff, neg, da, cp, k, t ...)")
            yield Input(", ".join(self.labels), id="labels")
            yield Static("", id="problem", classes="problem")
            yield Static("enter: keep  ·  esc: cancel", classes="hint")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        labels, problem = parse_labels(event.value)
        if problem:
            self.query_one("#problem", Static).update(problem)
            return
        self.dismiss(labels)


class QuitQuestion(ModalScreen[str | None]):
    """q with unsaved changes: save and quit, quit without saving, or go on marking."""

    DEFAULT_CSS = "QuitQuestion { align: center middle; }" + FORM_CSS
    BINDINGS = [
        Binding("s,y", "dismiss('save')", "save and quit"),
        Binding("d,n", "dismiss('discard')", "quit without saving"),
        Binding("escape,c", "dismiss(None)", "go on marking"),
    ]

    def __init__(self, what: str = "This card has unsaved changes.") -> None:
        super().__init__()
        self.what = what

    def compose(self) -> ComposeResult:
        with Vertical(classes="form"):
            yield Static(self.what)
            yield Static("s: save and quit  ·  d: quit without saving  ·  esc: go on marking")
