"""A job's exposed ports: `p` picks one of its URLs to open or copy, `P` changes which ports
it exposes (after a confirmation showing old and new, whose default keeps them)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, OptionList, Static

from jobtui.hub.draft import DraftError, parse_ports
from jobtui.hub.models import JobInfo
from jobtui.ui.screens.sending import SendingScreen
from jobtui.ui.terminal_text import clean_text

OPEN, COPY = "open", "copy"


def describe_ports(ports: tuple[int, ...], public: tuple[int, ...]) -> str:
    if not ports and not public:
        return "none"
    shown = [f"{port} (public)" if port in public else str(port) for port in ports]
    shown += [f"{port} (public)" for port in public if port not in ports]
    return ", ".join(shown)


def ports_text(job: JobInfo) -> str:
    return describe_ports(tuple(job.expose or ()), tuple(job.expose_public or ()))


class PortsScreen(ModalScreen[tuple[str, str] | None]):
    """Answers (OPEN or COPY, url), or None."""

    BINDINGS = [
        Binding(
            "o",
            "choose('open')",
            "Open",
            tooltip="exposed URLs: open the URL (over ssh: show it)",
            id="ports.open",
        ),
        Binding(
            "y", "choose('copy')", "Copy", tooltip="exposed URLs: copy the URL", id="ports.copy"
        ),
        Binding("escape", "dismiss_none", "Back"),
    ]

    DEFAULT_CSS = """
    PortsScreen { align: center middle; }
    PortsScreen > Vertical {
        width: 90; max-width: 100%; height: auto; max-height: 80%;
        border: thick $accent; background: $surface; padding: 0 1;
    }
    PortsScreen OptionList { height: auto; max-height: 12; }
    PortsScreen .hint { color: $text-muted; }
    """

    def __init__(self, job: JobInfo, urls: list[str]) -> None:
        super().__init__()
        self.job = job
        self.urls = urls

    def compose(self) -> ComposeResult:
        with Vertical() as box:
            box.border_title = Text(
                f"Exposed URLs of {clean_text(self.job.display_name, max_length=50)}"
            )
            yield OptionList(*(Text(url) for url in self.urls), id="urls")
            yield Static("enter or o opens · y copies · escape backs out", classes="hint")

    def on_mount(self) -> None:
        option_list = self.query_one(OptionList)
        option_list.highlighted = 0
        option_list.focus()

    @on(OptionList.OptionSelected)
    def _selected(self) -> None:
        self.action_choose(OPEN)

    def action_choose(self, what: str) -> None:
        index = self.query_one(OptionList).highlighted
        if index is not None:
            self.dismiss((what, self.urls[index]))

    def action_dismiss_none(self) -> None:
        self.dismiss(None)


class ConfirmPortsScreen(ModalScreen[bool]):
    """Old and new side by side; enter, n and escape keep the ports as they are."""

    BINDINGS = [
        Binding(
            "y",
            "answer(True)",
            "Change",
            tooltip="ports dialog: change the ports",
            id="ports.confirm",
        ),
        Binding("n,escape", "answer(False)", "Keep"),
    ]

    DEFAULT_CSS = """
    ConfirmPortsScreen { align: center middle; }
    ConfirmPortsScreen > Vertical {
        width: 80; max-width: 100%; height: auto;
        border: thick $warning; background: $surface; padding: 1 2;
    }
    ConfirmPortsScreen Horizontal { height: auto; align-horizontal: right; margin-top: 1; }
    ConfirmPortsScreen Button { margin-left: 2; }
    """

    def __init__(self, name: str, old: str, new: str) -> None:
        super().__init__()
        self.lines = Text.assemble(
            ("Change the exposed ports of ", ""),
            (name, "bold"),
            ("?\n\n", ""),
            ("Old: ", "bold cyan"),
            (old, ""),
            ("\nNew: ", "bold cyan"),
            (new, ""),
            ("\n\nPorts not listed close; URLs open on them stop answering.", "bright_black"),
        )

    def compose(self) -> ComposeResult:
        with Vertical() as box:
            box.border_title = "Change exposed ports"
            yield Static(self.lines)
            with Horizontal():
                yield Button("Keep them", id="keep", variant="primary")
                yield Button("Change", id="change", variant="warning")

    def on_mount(self) -> None:
        self.query_one("#keep", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "change")

    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)


class ExposeScreen(SendingScreen[JobInfo | None]):
    """Edits the ports; sends them with `send` once confirmed and answers the updated job.
    A refusal stays here with the Hub's reason; nothing changes locally."""

    BINDINGS = [Binding("escape", "back", "Back")]

    DEFAULT_CSS = """
    ExposeScreen { align: center middle; }
    ExposeScreen > Vertical {
        width: 80; max-width: 100%; height: auto;
        border: thick $accent; background: $surface; padding: 0 1;
    }
    ExposeScreen .field { margin-top: 1; text-style: bold; color: $text-accent; }
    ExposeScreen #problem { color: $error; height: auto; }
    ExposeScreen Horizontal { height: auto; align-horizontal: right; }
    ExposeScreen Button { margin-left: 2; }
    """

    def __init__(
        self,
        job: JobInfo,
        send: Callable[[tuple[int, ...], tuple[int, ...]], Awaitable[JobInfo]],
    ) -> None:
        super().__init__()
        self.job = job
        self.send = send
        self.old_public = tuple(job.expose_public or ())
        self.old_ports = tuple(p for p in job.expose or () if p not in self.old_public)

    def compose(self) -> ComposeResult:
        with Vertical() as box:
            box.border_title = Text(
                f"Exposed ports of {clean_text(self.job.display_name, max_length=50)}"
            )
            yield Static(Text(f"Now: {ports_text(self.job)}"), id="now")
            yield Label("Ports (need a token with read access), e.g. 8000 8001", classes="field")
            yield Input(" ".join(map(str, self.old_ports)), id="ports")
            yield Label("Public ports (no token needed)", classes="field")
            yield Input(" ".join(map(str, self.old_public)), id="public")
            yield Static("", id="problem")
            with Horizontal():
                yield Button("Back", id="back")
                yield Button("Change…", id="change", variant="primary")

    def on_mount(self) -> None:
        self.query_one("#ports", Input).focus()

    def _read(self) -> tuple[tuple[int, ...], tuple[int, ...]]:
        public = parse_ports(self.query_one("#public", Input).value, "public ports")
        ports = parse_ports(self.query_one("#ports", Input).value)
        return tuple(p for p in ports if p not in public), public

    @on(Input.Submitted)
    @on(Button.Pressed, "#change")
    def _change(self) -> None:
        if self.sending:
            return
        problem = self.query_one("#problem", Static)
        try:
            ports, public = self._read()
        except DraftError as exc:
            problem.update(Text(str(exc)))
            return
        if (ports, public) == (self.old_ports, self.old_public):
            problem.update(Text("These are the ports it exposes now: nothing to change."))
            return
        problem.update("")

        def answered(yes: bool | None) -> None:
            if yes:
                self.send_once(
                    lambda: self.send(ports, public),
                    refused="Not changed",
                    description="change exposed ports",
                )

        old = describe_ports(self.old_ports, self.old_public)
        new = describe_ports(ports, public)
        name = clean_text(self.job.display_name, max_length=50)
        self.app.push_screen(ConfirmPortsScreen(name, old, new), answered)

    @on(Button.Pressed, "#back")
    def action_back(self) -> None:
        if not self.sending:
            self.dismiss(None)
