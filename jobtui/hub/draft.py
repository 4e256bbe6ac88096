"""A new job as a user writes it: the form's text read into a draft, the draft turned into the
spec `POST /api/jobs/{namespace}` takes and into the equivalent `hf jobs run` line.

No Textual here: the new-job form only shows and edits what these functions build.
Secret values never live in a draft: only names. `spec(secret_values=...)` takes the values
at send time, from the caller (the local environment).
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Mapping
from typing import Any

from msgspec import Struct, field

from jobtui.hub.label_rule import label_text_ok
from jobtui.hub.models import JobInfo
from jobtui.hub.spec import DEFAULT_FLAVOR

# As the official client reads an image: these prefixes name a Space, not a Docker image.
SPACE_PREFIXES = (
    "https://huggingface.co/spaces/",
    "https://hf.co/spaces/",
    "huggingface.co/spaces/",
    "hf.co/spaces/",
)
# The Hub's label rule: keys and values of letters, digits, '-' and '_' (at most 100 each).
ENV_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
TIMEOUT = re.compile(r"(\d+(?:\.\d+)?)([smhd]?)")
UNIT_SECONDS = {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400}


class DraftError(ValueError):
    """What is wrong with a field, said so that the user can fix it."""


class JobDraft(Struct, frozen=True):
    """Everything the form edits. `secret_names` are names only: values come at send time."""

    image: str
    command: tuple[str, ...]
    flavor: str = DEFAULT_FLAVOR
    environment: Mapping[str, str] = field(default_factory=dict)
    secret_names: tuple[str, ...] = ()
    timeout_seconds: int | None = None
    name: str = ""
    labels: Mapping[str, str] = field(default_factory=dict)
    expose: tuple[int, ...] = ()
    expose_public: tuple[int, ...] = ()
    ssh: bool = False

    def spec(self, secret_values: Mapping[str, str] | None = None) -> dict[str, Any]:
        """The body of the create request, shaped as the official client shapes it.

        Without `secret_values` the secrets are listed by name (what the preview shows);
        with them, each name maps to its value (what is sent)."""
        spec: dict[str, Any] = {}
        space = space_id(self.image)
        if space is not None:
            spec["spaceId"] = space
        else:
            spec["dockerImage"] = self.image
        spec["command"] = list(self.command)
        spec["arguments"] = []
        spec["environment"] = dict(self.environment)
        spec["flavor"] = self.flavor or DEFAULT_FLAVOR
        if self.secret_names:
            if secret_values is None:
                spec["secrets"] = list(self.secret_names)
            else:
                spec["secrets"] = {name: secret_values[name] for name in self.secret_names}
        if self.timeout_seconds:
            spec["timeoutSeconds"] = self.timeout_seconds
        labels = {**self.labels, **({"name": self.name} if self.name else {})}
        if labels:
            spec["labels"] = labels
        if self.expose or self.expose_public:
            spec["expose"] = expose_body(self.expose, self.expose_public)
        if self.ssh:
            spec["ssh"] = {"enabled": True}
        return spec

    def command_line(self, namespace: str | None = None) -> str:
        """The `hf jobs run` line that starts the same job (in `namespace`, when given);
        secrets as `--secrets NAME` (the CLI reads the value from the environment), never a
        value."""
        args = ["hf", "jobs", "run", "--detach"]
        if namespace:
            args += ["--namespace", namespace]
        if self.flavor and self.flavor != DEFAULT_FLAVOR:
            args += ["--flavor", self.flavor]
        if self.timeout_seconds:
            args += ["--timeout", f"{self.timeout_seconds}s"]
        for key, value in self.environment.items():
            args += ["-e", f"{key}={value}"]
        for name in self.secret_names:
            args += ["--secrets", name]
        if self.name:
            args += ["--name", self.name]
        for key, value in self.labels.items():
            args += ["-l", f"{key}={value}" if value else key]
        public = set(self.expose_public)
        for port in self.expose:
            if port not in public:
                args += ["--expose", str(port)]
        for port in self.expose_public:
            args += ["--expose-public", str(port)]
        if self.ssh:
            args.append("--ssh")
        args.append(self.image)
        args += self.command
        return shlex.join(args)


def space_id(image: str) -> str | None:
    for prefix in SPACE_PREFIXES:
        if image.startswith(prefix):
            return image[len(prefix) :]
    return None


def expose_body(ports: tuple[int, ...], public: tuple[int, ...]) -> dict[str, list[int]]:
    """`{"ports": [...], "portsPublic": [...]}`: public ports are listed in both, as the
    official client sends them (the Hub wants portsPublic to be a subset of ports)."""
    ports_public = list(dict.fromkeys(public))
    return {"ports": list(dict.fromkeys([*ports, *ports_public])), "portsPublic": ports_public}


def parse_ports(text: str, what: str = "ports") -> tuple[int, ...]:
    """`8000 7860` or `8000, 7860` into ports; each from 1 to 65535."""
    ports: list[int] = []
    for word in text.replace(",", " ").split():
        if not word.isdigit() or not 0 < int(word) < 65536:
            raise DraftError(f"{what}: {word!r} is not a port number from 1 to 65535")
        ports.append(int(word))
    return tuple(dict.fromkeys(ports))


def parse_timeout(text: str) -> int | None:
    """`90`, `90s`, `30m`, `1.5h`, `2d` into seconds (as `hf jobs run --timeout` reads them);
    empty means the Hub's default."""
    text = text.strip().lower()
    if not text:
        return None
    match = TIMEOUT.fullmatch(text)
    if match is None:
        raise DraftError(f"timeout: {text!r} is not a duration like 90s, 30m, 2h or 1d")
    seconds = int(float(match.group(1)) * UNIT_SECONDS[match.group(2)])
    if seconds <= 0:
        raise DraftError("timeout: it must be at least one second")
    return seconds


def check_label(key: str, value: str) -> None:
    if not key or not label_text_ok(key) or not label_text_ok(value):
        shown = f"{key}={value}" if value else key
        raise DraftError(
            f"label {shown!r}: keys and values may only use letters, digits, '-' and '_'"
        )


def parse_labels(text: str) -> dict[str, str]:
    """`team=vision stage=dev flag` into labels (a bare key has an empty value)."""
    labels: dict[str, str] = {}
    for word in text.replace(",", " ").split():
        key, _, value = word.partition("=")
        check_label(key, value)
        labels[key] = value
    return labels


def parse_secret_names(text: str) -> tuple[str, ...]:
    """`HF_TOKEN WANDB_API_KEY` into names. A `NAME=value` is refused: values are never typed
    into jobtui, they come from the environment jobtui runs in."""
    names: list[str] = []
    for word in text.replace(",", " ").split():
        if "=" in word:
            raise DraftError(
                "secrets: type names only; each value is read from your environment "
                f"(export {word.partition('=')[0]}=... before starting jobtui)"
            )
        if not ENV_NAME.fullmatch(word):
            raise DraftError(f"secrets: {word!r} is not an environment variable name")
        names.append(word)
    return tuple(dict.fromkeys(names))


def parse_command(text: str) -> tuple[str, ...]:
    try:
        command = tuple(shlex.split(text))
    except ValueError as exc:
        raise DraftError(f"command: {exc}") from None
    if not command:
        raise DraftError("command: say what to run, e.g. python -c 'print(1)'")
    return command


def draft_from_job(job: JobInfo) -> JobDraft:
    """A new job like `job`: its image, command, flavor, environment, secret names, timeout,
    name, labels, exposed ports and SSH. The Hub never returns secret values: the names are
    looked up in the local environment when the new job is sent."""
    labels = dict(job.labels or {})
    name = labels.pop("name", "")
    public = tuple(job.expose_public or ())
    return JobDraft(
        image=job.image,
        command=(*(job.command or ()), *(job.arguments or ())),
        flavor=job.flavor or DEFAULT_FLAVOR,
        environment=dict(job.environment or {}),
        secret_names=tuple(dict.fromkeys(job.secrets or ())),
        timeout_seconds=job.timeout_seconds,
        name=name,
        labels=labels,
        expose=tuple(port for port in job.expose or () if port not in public),
        expose_public=public,
        ssh=job.status.ssh_url is not None,
    )
