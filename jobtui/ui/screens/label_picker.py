"""`b`: the labels in use across the jobs listed, with how many jobs carry each; picking
one filters the list to it (`label:key=value`)."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from jobtui.ui.terminal_text import clean_text


def label_term(key: str, value: str) -> str:
    return f"label:{key}={value}" if value else f"label:{key}"


class LabelPickerScreen(ModalScreen[str | None]):
    """Answers the filter term of the label picked, or None."""

    BINDINGS = [
        Binding(
            "escape,b",
            "back",
            "Back",
            tooltip="labels list: back, filter unchanged",
            id="labels.picker_back",
        ),
    ]

    DEFAULT_CSS = """
    LabelPickerScreen { align: center middle; }
    LabelPickerScreen > Vertical {
        width: 70; max-width: 100%; height: auto; max-height: 90%;
        border: thick $accent; background: $surface; padding: 1 2;
    }
    LabelPickerScreen OptionList { height: auto; max-height: 24; }
    LabelPickerScreen .hint { color: $text-muted; margin-bottom: 1; }
    """

    def __init__(self, labels: list[tuple[str, str, int]], where: str) -> None:
        super().__init__()
        self.labels = labels
        self.where = where

    def compose(self) -> ComposeResult:
        with Vertical() as box:
            box.border_title = "Labels in use"
            if not self.labels:
                yield Static(Text(f"No job in {self.where} has a label besides its name."))
                return
            yield Static(
                Text(f"In {self.where}. Enter filters the list to a label; escape backs out."),
                classes="hint",
            )
            width = max(len(clean_text(label_term(k, v))) for k, v, _ in self.labels)
            yield OptionList(
                *(
                    Option(
                        Text.assemble(
                            clean_text(label_term(key, value)).ljust(width + 2),
                            (f"{count:>6,} job{'s' if count != 1 else ''}", "bright_black"),
                        ),
                        id=label_term(key, value),
                    )
                    for key, value, count in self.labels
                ),
                id="labels",
            )

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    def action_back(self) -> None:
        self.dismiss(None)
