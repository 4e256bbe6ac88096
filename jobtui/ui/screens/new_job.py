"""`+`: start a new job. The form below, the preview of exactly what will be sent under it,
then "Run" (one POST) or "Copy as command" (the same job as an `hf jobs run` line).

Secrets are typed as names only; each value is read from the environment jobtui runs in at
the moment the job is sent, and is never shown, copied or kept.
"""

from __future__ import annotations

import shlex
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any

from rich.table import Table
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Button, Checkbox, Input, Label, Select, Static, TextArea

from jobtui.hub.draft import (
    DraftError,
    JobDraft,
    check_label,
    draft_from_job,
    parse_command,
    parse_labels,
    parse_ports,
    parse_secret_names,
    parse_timeout,
)
from jobtui.hub.models import JobHardwareInfo, JobInfo
from jobtui.hub.spec import DEFAULT_FLAVOR
from jobtui.ui.screens.rerun import flavor_label, flavor_options, parse_environment, spec_table
from jobtui.ui.screens.sending import SendingScreen
from jobtui.ui.terminal_text import clean_text

# (widget id, label, placeholder) of the one-line fields, in the order they are shown.
LINES = (
    ("image", "Image or Space", "python:3.12  or  hf.co/spaces/owner/name"),
    ("command", "Command", "python -c 'print(1)'"),
    ("secrets", "Secrets", "names only, e.g. HF_TOKEN: values come from your environment"),
    ("timeout", "Timeout", "e.g. 90s, 30m, 2h (empty: the Hub's default, 30 min)"),
    ("name", "Name", "letters, digits, - and _"),
    ("labels", "Labels", "key=value key2=value2"),
    ("expose", "Ports", "e.g. 8000 (reachable with a token)"),
    ("public", "Public ports", "e.g. 7860 (reachable by anyone)"),
)


def preview_table(
    spec: Mapping[str, Any], hardware: Mapping[str, JobHardwareInfo], found: Sequence[str]
) -> Table:
    """What will be sent: every field of `spec`, secrets as names (the spec shown carries no
    value), and whether each one's value is in the environment."""
    grid = spec_table(spec)
    flavor = str(spec.get("flavor") or DEFAULT_FLAVOR)
    info = hardware.get(flavor)
    grid.add_row("Flavor", flavor_label(info) if info is not None else Text(clean_text(flavor)))
    environment = spec.get("environment") or {}
    grid.add_row(
        "Environment",
        Text(", ".join(f"{clean_text(k)}={clean_text(v)}" for k, v in environment.items()) or "—"),
    )
    for name in spec.get("secrets") or ():
        mark = ("✓ value from your environment", "green")
        if name not in found:
            mark = ("✗ not set in your environment", "red")
        grid.add_row("Secret", Text.assemble((clean_text(name), "bold"), "  ", mark))
    return grid


class NewJobScreen(SendingScreen[JobInfo | None]):
    """Answers the new job, or None when the user backs out. A refusal comes back here with
    the Hub's reason, the form kept."""

    BINDINGS = [
        Binding("escape", "back", "Back"),
        Binding("ctrl+s", "submit", "Run it", tooltip="new-job form: run it", id="new_job.submit"),
    ]

    DEFAULT_CSS = """
    NewJobScreen { align: center middle; }
    NewJobScreen > Vertical {
        width: 110; max-width: 100%; height: 100%; max-height: 50;
        border: thick $accent; background: $surface; padding: 0 1;
    }
    NewJobScreen VerticalScroll { height: 1fr; }
    NewJobScreen .row { height: auto; margin-top: 1; }
    NewJobScreen .row Label { width: 16; text-style: bold; color: $text-accent; }
    NewJobScreen #prefill { margin-top: 1; }
    NewJobScreen .row Input, NewJobScreen .row Select { width: 1fr; }
    NewJobScreen TextArea { height: 3; width: 1fr; background: $boost; }
    NewJobScreen #preview { margin-top: 1; border-top: solid $accent; height: auto; }
    NewJobScreen #problem { color: $error; height: auto; }
    NewJobScreen #buttons { height: auto; align-horizontal: right; }
    NewJobScreen #buttons Button { margin-left: 2; }
    """

    def __init__(
        self,
        hardware: Callable[[], Mapping[str, JobHardwareInfo]],
        namespaces: Sequence[str],
        namespace: str,
        environ: Mapping[str, str],
        *,
        selected: JobInfo | None,
        send: Callable[[str, dict[str, Any]], Awaitable[JobInfo]],
    ) -> None:
        super().__init__()
        self.prices = hardware  # read again: the list may arrive after the form opened
        self.hardware = hardware()
        self.namespaces = list(dict.fromkeys([namespace, *namespaces]))
        self.namespace = namespace
        # Read at send time, and only for the names typed: nothing else of it is looked at.
        self.environ = environ
        self.selected = selected
        self.send = send
        self.draft: JobDraft | None = None
        self._environment_shown = ""
        self._environment: dict[str, str] = {}

    def compose(self) -> ComposeResult:
        with Vertical() as box:
            box.border_title = "New job"
            box.border_subtitle = "ctrl+s run it · escape back"
            with VerticalScroll():
                if self.selected is not None:
                    name = clean_text(self.selected.display_name, max_length=40)
                    yield Button(
                        Text(f"Fill in from the selected job: {name}"), id="prefill", compact=True
                    )
                if len(self.namespaces) > 1:
                    with Horizontal(classes="row"):
                        yield Label("Namespace")
                        options = [(Text(clean_text(ns)), ns) for ns in self.namespaces]
                        yield Select(
                            options, value=self.namespace, allow_blank=False, id="ns", compact=True
                        )
                for key, label, placeholder in LINES[:2]:
                    with Horizontal(classes="row"):
                        yield Label(label)
                        yield Input(placeholder=placeholder, id=key, compact=True)
                with Horizontal(classes="row"):
                    yield Label("Flavor")
                    yield Select(
                        flavor_options(self.hardware, DEFAULT_FLAVOR),
                        value=DEFAULT_FLAVOR,
                        allow_blank=False,
                        id="flavor",
                        compact=True,
                    )
                with Horizontal(classes="row"):
                    yield Label("Environment")
                    yield TextArea("", id="environment", soft_wrap=False, compact=True)
                for key, label, placeholder in LINES[2:]:
                    with Horizontal(classes="row"):
                        yield Label(label)
                        yield Input(placeholder=placeholder, id=key, compact=True)
                with Horizontal(classes="row"):
                    yield Label("SSH")
                    yield Checkbox("reachable over ssh (x gets in)", id="ssh", compact=True)
                yield Static("", id="preview")
            yield Static("", id="problem")
            with Horizontal(id="buttons"):
                yield Button("Back", id="back")
                yield Button("Copy as command", id="copy")
                yield Button("Run it", id="run", variant="primary")

    def on_mount(self) -> None:
        self.query_one("#image", Input).focus()
        self._check()
        if not self.hardware:
            self._waiting = self.set_interval(1.0, self._prices_arrived)

    def _prices_arrived(self) -> None:
        hardware = self.prices()
        if not hardware:
            return
        self._waiting.stop()
        self.hardware = hardware
        flavor = self.query_one("#flavor", Select)
        current = flavor.value if isinstance(flavor.value, str) else DEFAULT_FLAVOR
        flavor.set_options(flavor_options(self.hardware, current))
        flavor.value = current

    @on(Button.Pressed, "#prefill")
    def prefill(self) -> None:
        """The selected job's settings in every field (its secrets as names)."""
        if self.selected is None:
            return
        draft = draft_from_job(self.selected)
        self._environment = dict(draft.environment)
        self._environment_shown = "\n".join(
            f"{clean_text(k)}={clean_text(v)}" for k, v in draft.environment.items()
        )
        values = {
            "image": draft.image,
            "command": shlex.join(draft.command),
            "secrets": " ".join(draft.secret_names),
            "timeout": f"{draft.timeout_seconds}s" if draft.timeout_seconds else "",
            "name": draft.name,
            "labels": " ".join(f"{k}={v}" if v else k for k, v in draft.labels.items()),
            "expose": " ".join(map(str, draft.expose)),
            "public": " ".join(map(str, draft.expose_public)),
        }
        for key, value in values.items():
            self.query_one(f"#{key}", Input).value = clean_text(value)
        flavor = self.query_one("#flavor", Select)
        flavor.set_options(flavor_options(self.hardware, draft.flavor))
        flavor.value = draft.flavor
        self.query_one("#environment", TextArea).text = self._environment_shown
        self.query_one("#ssh", Checkbox).value = draft.ssh
        if len(self.namespaces) > 1 and self.selected.owner.name in self.namespaces:
            self.query_one("#ns", Select).value = self.selected.owner.name
        self._check()

    def read_form(self) -> JobDraft:
        """The form as a draft; DraftError says what to fix first."""

        def line(key: str) -> str:
            return self.query_one(f"#{key}", Input).value.strip()

        image = line("image")
        if not image:
            raise DraftError("image: name a Docker image (python:3.12) or a Space (hf.co/spaces/…)")
        text = self.query_one("#environment", TextArea).text
        if text == self._environment_shown and self._environment_shown:
            environment = dict(self._environment)  # untouched: the job's own values go
        else:
            environment, error = parse_environment(text)
            if error:
                raise DraftError(error)
        name = line("name")
        check_label("name", name)
        public = parse_ports(line("public"), "public ports")
        flavor = self.query_one("#flavor", Select).value
        return JobDraft(
            image=image,
            command=parse_command(line("command")),
            flavor=flavor if isinstance(flavor, str) else DEFAULT_FLAVOR,
            environment=environment,
            secret_names=parse_secret_names(line("secrets")),
            timeout_seconds=parse_timeout(line("timeout")),
            name=name,
            labels=parse_labels(line("labels")),
            expose=tuple(p for p in parse_ports(line("expose")) if p not in public),
            expose_public=public,
            ssh=self.query_one("#ssh", Checkbox).value,
        )

    @on(Input.Changed)
    @on(TextArea.Changed)
    @on(Checkbox.Changed)
    @on(Select.Changed)
    def _check(self) -> None:
        problem, preview = self.query_one("#problem", Static), self.query_one("#preview", Static)
        try:
            self.draft = self.read_form()
        except DraftError as exc:
            self.draft = None
            problem.update(Text(str(exc)))
            preview.update(Text("The preview of what will be sent shows once the form reads."))
        else:
            found = [n for n in self.draft.secret_names if self.environ.get(n)]
            missing = [n for n in self.draft.secret_names if n not in found]
            problem.update(
                Text(
                    f"Secret {', '.join(missing)} is not set in your environment: export it "
                    "before starting jobtui, or remove it."
                    if missing
                    else ""
                )
            )
            preview.update(preview_table(self.draft.spec(), self.hardware, found))
            if missing:
                self.draft = None
        self.query_one("#run", Button).disabled = self.draft is None or self.sending
        self.query_one("#copy", Button).disabled = self.draft is None

    def _target(self) -> str:
        if len(self.namespaces) > 1:
            value = self.query_one("#ns", Select).value
            return value if isinstance(value, str) else self.namespace
        return self.namespace

    @on(Button.Pressed, "#copy")
    def copy_command(self) -> None:
        if self.draft is None:
            return
        text = self.draft.command_line(self._target())
        if not text.isprintable():
            self.query_one("#problem", Static).update(
                Text(
                    "Not copied: a value has a line break or control character, which one "
                    "command line cannot carry."
                )
            )
            return
        try:
            self.app.copy_to_clipboard(text)
        except Exception as exc:  # the terminal or Textual refused it
            self.query_one("#problem", Static).update(Text(f"Could not copy: {exc}"))
            return
        self.notify(clean_text(f"Copied: {text}"), markup=False, timeout=6)

    @on(Button.Pressed, "#run")
    def action_submit(self) -> None:
        self._check()
        draft = self.draft
        if self.sending or draft is None:
            return
        try:
            values = {name: self.environ[name] for name in draft.secret_names}
        except KeyError as exc:  # unset since the form was checked
            self.query_one("#problem", Static).update(Text(f"Secret {exc} is not set."))
            return
        namespace, spec = self._target(), draft.spec(values)
        self.send_once(
            lambda: self.send(namespace, spec),
            refused="The Hub refused it",
            button="run",
            description="run a new job (spec not logged)",
        )

    def after_refusal(self) -> None:
        self._check()

    @on(Button.Pressed, "#back")
    def action_back(self) -> None:
        if not self.sending:
            self.dismiss(None)
