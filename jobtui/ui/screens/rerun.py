"""The rerun preview: exactly what will be sent, with the flavor, environment and secrets to
settle first. Secret values are never shown: each comes from the local environment variable
of the same name, or is typed into a password field, or is dropped on purpose.
"""

from __future__ import annotations

import shlex
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from rich.table import Table
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Button, Checkbox, Input, Label, Select, Static, TextArea

from jobtui.hub.models import JobHardwareInfo, JobInfo
from jobtui.hub.spec import DEFAULT_FLAVOR, rerun_spec
from jobtui.ui.format import long_duration
from jobtui.ui.screens.sending import SendingScreen
from jobtui.ui.terminal_text import clean_text


def parse_environment(text: str) -> tuple[dict[str, str], str | None]:
    """KEY=value lines into a dict; the second item says what is wrong, if anything."""
    environment: dict[str, str] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        key, sep, value = line.partition("=")
        if not sep or not key.strip():
            return environment, f"environment line {number} is not KEY=value"
        environment[key.strip()] = value
    return environment, None


def flavor_label(flavor: JobHardwareInfo) -> Text:
    """A flavor as the picker shows it; a Text, so that its server strings are not markup."""
    name, pretty = clean_text(flavor.name), clean_text(flavor.pretty_name)
    return Text(f"{name}  ·  {pretty}  ·  ${flavor.price_per_hour:,.2f}/h")


def flavor_options(hardware: Mapping[str, JobHardwareInfo], current: str) -> list[tuple[Text, str]]:
    """The flavor picker's choices, with prices; `current` first when the Hub does not list it."""
    options = [(flavor_label(flavor), name) for name, flavor in hardware.items()]
    if current not in hardware:
        options.insert(0, (Text(clean_text(current)), current))
    return options


# Fields the dialog edits below the fixed part; everything else is shown as it will be sent.
EDITED = ("flavor", "environment", "secrets")
FIELD_LABELS = {
    "spaceId": "Space",
    "dockerImage": "Image",
    "command": "Command",
    "arguments": "Arguments",
    "timeoutSeconds": "Timeout",
    "labels": "Labels",
    "volumes": "Volumes",
    "expose": "Exposed",
    "ssh": "SSH",
    "attempts": "Attempts",
    "retry": "Retries",
    "network": "Network",
    "resourceGroupId": "Resources",
}


def _value_text(key: str, value: Any) -> str:
    if key == "timeoutSeconds" and isinstance(value, int | float):
        return long_duration(value)
    if key in ("command", "arguments") and isinstance(value, list):
        return shlex.join(str(part) for part in value) or "—"
    if key == "volumes" and isinstance(value, Mapping):
        source = f"{value.get('type', '')} {value.get('source', '')}"
        if value.get("revision"):
            source += f"@{value['revision']}"
        if value.get("path"):
            source += f"/{value['path']}"
        read_only = " (read-only)" if value.get("readOnly") else ""
        return f"{source} → {value.get('mountPath', '')}{read_only}"
    if isinstance(value, Mapping):
        return ", ".join(f"{k}={_value_text(str(k), v)}" for k, v in value.items()) or "—"
    if isinstance(value, list):
        return "\n".join(_value_text(key, item) for item in value) or "—"
    return str(value)


def spec_table(spec: Mapping[str, Any]) -> Table:
    """The fields of a job spec as label/value rows, every server string cleaned."""
    grid = Table.grid(padding=(0, 1))
    grid.add_column(style="bold cyan", no_wrap=True, width=12)
    grid.add_column(overflow="fold")
    for key, value in spec.items():
        if key in EDITED:
            continue
        label = FIELD_LABELS.get(key, key)
        lines = _value_text(key, value).split("\n")
        grid.add_row(clean_text(label), Text("\n".join(clean_text(line) for line in lines)))
    if "timeoutSeconds" not in spec:
        grid.add_row("Timeout", Text("not set: the Hub's default (30 min)", style="bright_black"))
    return grid


class RerunScreen(SendingScreen[JobInfo | None]):
    """Sends the edited spec with `send` and answers the new job; None when the user backs
    out. A refusal comes back here with the Hub's reason, the edits kept."""

    BINDINGS = [
        Binding("escape", "back", "Back", id="rerun.edit_back"),
        Binding("ctrl+s", "submit", "Run it", tooltip="rerun dialog: run it", id="rerun.submit"),
    ]

    DEFAULT_CSS = """
    RerunScreen { align: center middle; }
    RerunScreen > Vertical {
        width: 100; max-width: 100%; height: 100%; max-height: 40;
        border: thick $accent; background: $surface; padding: 0 1;
    }
    RerunScreen VerticalScroll { height: 1fr; }
    RerunScreen .field { margin-top: 1; text-style: bold; color: $text-accent; }
    RerunScreen TextArea { height: 5; }
    RerunScreen .secret { height: auto; }
    RerunScreen .secret Label { width: 28; padding: 1 0 0 0; }
    RerunScreen .secret Input { width: 1fr; }
    RerunScreen .secret Checkbox { width: auto; }
    RerunScreen #problem { color: $error; height: auto; }
    RerunScreen #buttons { height: auto; align-horizontal: right; }
    RerunScreen #buttons Button { margin-left: 2; }
    """

    def __init__(
        self,
        job: JobInfo,
        hardware: Mapping[str, JobHardwareInfo],
        local_env: Mapping[str, str],
        *,
        send: Callable[[dict[str, Any]], Awaitable[JobInfo]],
    ) -> None:
        super().__init__()
        self.send = send
        self.job = job
        self.hardware = hardware
        # Only the names of the job's secrets are looked up; nothing else of the env is kept.
        names = list(dict.fromkeys(job.secrets or ()))  # a name sent twice is one secret
        self.found = {name: local_env[name] for name in names if local_env.get(name)}
        self.missing = [name for name in names if name not in self.found]
        self.names = names
        self._asked_to_discard = False
        self._shown_environment = "\n".join(
            f"{clean_text(k)}={clean_text(v)}" for k, v in (job.environment or {}).items()
        )

    def compose(self) -> ComposeResult:
        job = self.job
        with Vertical() as box:
            box.border_title = Text(f"Rerun {clean_text(job.display_name, max_length=50)}")
            box.border_subtitle = "ctrl+s run it · escape back"
            with VerticalScroll():
                yield Static(self._fixed_part(), id="fixed")
                yield Label("Flavor", classes="field")
                yield Select(
                    flavor_options(self.hardware, self.job.flavor or DEFAULT_FLAVOR),
                    value=job.flavor or DEFAULT_FLAVOR,
                    allow_blank=False,
                    id="flavor",
                )
                yield Label("Environment (KEY=value, one per line)", classes="field")
                yield TextArea(self._shown_environment, id="environment", soft_wrap=False)
                if job.secrets:
                    yield Label("Secrets (values are never shown)", classes="field")
                for name in self.names:
                    with Horizontal(classes="secret"):
                        yield Label(Text(clean_text(name)))
                        if name in self.found:
                            yield Static(
                                Text("✓ from your environment", style="green"),
                                classes="found",
                            )
                        else:
                            yield Input(
                                placeholder="type the value, or drop it →",
                                password=True,
                                id=f"secret-{self.missing.index(name)}",
                            )
                            yield Checkbox("drop", id=f"drop-{self.missing.index(name)}")
            yield Static("", id="problem")
            with Horizontal(id="buttons"):
                yield Button("Back", id="back")
                yield Button("Run it", id="run", variant="primary")

    def _fixed_part(self) -> Table:
        """Every field of the spec that is not edited below, read from the very dict that
        `spec()` sends: what you see is what is sent."""
        return spec_table(rerun_spec(self.job))

    def on_mount(self) -> None:
        # Focus what needs an answer first: a secret that is not in the environment.
        first = self.query("#secret-0").first() if self.missing else self.query_one("#run")
        first.focus()
        self._check()

    @on(Input.Changed)
    @on(Checkbox.Changed)
    @on(TextArea.Changed)
    def _changed(self) -> None:
        self._check()

    def _problem(self) -> str | None:
        unresolved = [
            name
            for number, name in enumerate(self.missing)
            if not self.query_one(f"#secret-{number}", Input).value
            and not self.query_one(f"#drop-{number}", Checkbox).value
        ]
        if unresolved:
            return (
                f"Secret {', '.join(clean_text(n) for n in unresolved)} is not in your "
                "environment: type its value or tick drop."
            )
        _, error = parse_environment(self.query_one("#environment", TextArea).text)
        return error

    def _check(self) -> bool:
        problem = self._problem()
        self.query_one("#problem", Static).update(Text(problem or ""))
        self.query_one("#run", Button).disabled = problem is not None or self.sending
        return problem is None

    def spec(self) -> dict[str, Any]:
        secrets = dict(self.found)
        for number, name in enumerate(self.missing):
            value = self.query_one(f"#secret-{number}", Input).value
            if value and not self.query_one(f"#drop-{number}", Checkbox).value:
                secrets[name] = value
        text = self.query_one("#environment", TextArea).text
        # Untouched, the job's own values go (the box shows them cleaned of control codes).
        environment = (
            dict(self.job.environment or {})
            if text == self._shown_environment
            else parse_environment(text)[0]
        )
        flavor = self.query_one("#flavor", Select).value
        return rerun_spec(
            self.job,
            flavor=str(flavor) if isinstance(flavor, str) else None,
            environment=environment,
            secrets=secrets,
        )

    @on(Button.Pressed, "#run")
    def action_submit(self) -> None:
        if self.sending or not self._check():
            return
        spec = self.spec()
        self.send_once(
            lambda: self.send(spec),
            refused="Rerun failed",
            button="run",
            description="run a job (spec not logged)",
        )

    def after_refusal(self) -> None:
        self._check()

    def _edited(self) -> bool:
        if self.query_one("#environment", TextArea).text != self._shown_environment:
            return True
        if self.query_one("#flavor", Select).value != (self.job.flavor or DEFAULT_FLAVOR):
            return True
        return any(
            self.query_one(f"#secret-{number}", Input).value for number in range(len(self.missing))
        )

    @on(Button.Pressed, "#back")
    def action_back(self) -> None:
        if self.sending:
            return
        if self._edited() and not self._asked_to_discard:
            self._asked_to_discard = True
            self.query_one("#problem", Static).update(
                Text("You changed this rerun: escape again to discard it, ctrl+s to run it.")
            )
            return
        self.dismiss(None)
