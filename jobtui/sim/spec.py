"""A job's spec as the Hub takes it: validation of a create body, and the spec's JSON fields."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from jobtui.sim.errors import BadRequest
from jobtui.sim.hardware import FLAVORS, Flavor

DEFAULT_TIMEOUT_SECS = 30 * 60
VOLUME_TYPES = ("bucket", "model", "dataset", "space")
SPACE_PREFIXES = (
    "https://huggingface.co/spaces/",
    "https://hf.co/spaces/",
    "huggingface.co/spaces/",
    "hf.co/spaces/",
)


def _strings(value: Any, what: str) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise BadRequest(f"{what} must be a list of strings")
    return list(value)


def string_map(value: Any, what: str) -> dict[str, str]:
    if not isinstance(value, dict) or not all(
        isinstance(key, str) and isinstance(item, str) for key, item in value.items()
    ):
        raise BadRequest(f"{what} must be an object of strings")
    return dict(value)


LABEL_KEY = re.compile(r"[A-Za-z0-9_-]{1,100}")
LABEL_VALUE = re.compile(r"[A-Za-z0-9_-]{0,100}")


def check_labels(value: Any) -> dict[str, str]:
    """Labels as the Hub takes them: keys and values of letters, digits, '-' and '_' only,
    at most 100 characters each (a value may be empty: `--label KEY` sends "")."""
    labels = string_map(value, "labels")
    for key, item in labels.items():
        if not LABEL_KEY.fullmatch(key) or not LABEL_VALUE.fullmatch(item):
            shown = key if not item else f"{key}={item}"
            raise BadRequest(
                f"Invalid label {shown[:120]!r}: label keys and values may only contain letters, "
                "digits, '-' and '_' (at most 100 characters)"
            )
    return labels


def labels_of(body: Any) -> dict[str, str]:
    """The labels of a PUT .../labels body, checked."""
    if not isinstance(body, dict) or "labels" not in body:
        raise BadRequest('The body must be {"labels": {...}}')
    return check_labels(body["labels"])


def label_matcher(text: str) -> Callable[[Mapping[str, str]], bool]:
    """A `label=` query item: "key=value" (that value) or "key" (has the key)."""
    key, has_value, value = text.partition("=")
    if has_value:
        return lambda labels: labels.get(key) == value
    return lambda labels: key in labels


def _volumes(value: Any) -> list[dict[str, Any]]:
    if not isinstance(value, list):
        raise BadRequest("volumes must be a list")
    for volume in value:
        if (
            not isinstance(volume, dict)
            or volume.get("type") not in VOLUME_TYPES
            or not isinstance(volume.get("source"), str)
            or not isinstance(volume.get("mountPath"), str)
        ):
            raise BadRequest(
                f"each volume needs a type ({', '.join(VOLUME_TYPES)}), a source and a mountPath"
            )
    return [dict(volume) for volume in value]


def _ports(value: Any, what: str) -> tuple[int, ...]:
    if not isinstance(value, list) or not all(
        isinstance(port, int) and not isinstance(port, bool) and 0 < port < 65536 for port in value
    ):
        raise BadRequest(f"{what} must be a list of port numbers from 1 to 65535")
    return tuple(dict.fromkeys(value))


def check_expose(body: Any) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """`{"ports": [...], "portsPublic": [...]}`: every public port must be exposed too."""
    if not isinstance(body, dict):
        raise BadRequest('The body must be {"ports": [...], "portsPublic": [...]}')
    exposed = _ports(body.get("ports") or [], "ports")
    public = _ports(body.get("portsPublic") or [], "portsPublic")
    stray = [port for port in public if port not in exposed]
    if stray:
        raise BadRequest(f"portsPublic must be a subset of ports: {stray} not in ports")
    return exposed, public


@dataclass(frozen=True)
class Spec:
    """What to run and where: a job's fixed settings. Secret values are never kept, only names."""

    command: tuple[str, ...]
    docker_image: str | None = None
    space_id: str | None = None
    arguments: tuple[str, ...] = ()
    environment: Mapping[str, str] = field(default_factory=dict)
    secret_names: tuple[str, ...] = ()
    flavor: str = "cpu-basic"
    timeout_secs: int | None = None
    volumes: tuple[Mapping[str, Any], ...] = ()
    expose_ports: tuple[int, ...] = ()
    expose_public: tuple[int, ...] = ()
    ssh: bool = False
    network: Mapping[str, Any] | None = None
    attempts: int | None = None
    resource_group_id: str | None = None

    @classmethod
    def from_body(cls, body: Any) -> tuple[Spec, dict[str, str]]:
        """Validate a create body; returns the spec and the labels. Secret values are dropped."""
        if not isinstance(body, dict):
            raise BadRequest("The job spec must be a JSON object")
        image, space = body.get("dockerImage"), body.get("spaceId")
        if (image is None) == (space is None):
            raise BadRequest("The job spec needs exactly one of dockerImage or spaceId")
        source = image if image is not None else space
        if not isinstance(source, str) or not source.strip():
            raise BadRequest("dockerImage or spaceId must be a non-empty string")
        command = _strings(body.get("command"), "command")
        if not command:
            raise BadRequest("command must not be empty")
        flavor = body.get("flavor", "cpu-basic")
        if not isinstance(flavor, str) or flavor not in FLAVORS:
            raise BadRequest(f"Unknown flavor {flavor!r}; see GET /api/jobs/hardware")
        secrets = body.get("secrets") or {}
        if not isinstance(secrets, dict | list):
            raise BadRequest("secrets must be an object of NAME: value")
        timeout = body.get("timeoutSeconds")
        if timeout is not None and (not isinstance(timeout, int) or timeout <= 0):
            raise BadRequest("timeoutSeconds must be a positive integer")
        attempts = body.get("attempts")
        if attempts is not None and (not isinstance(attempts, int) or attempts < 1):
            raise BadRequest("attempts must be a positive integer")
        expose = body.get("expose") or {}
        if not isinstance(expose, dict):
            raise BadRequest("expose must be an object with ports")
        exposed, public = check_expose(expose)
        ssh = body.get("ssh") or {}
        if not isinstance(ssh, dict) or not isinstance(ssh.get("enabled", False), bool):
            raise BadRequest('ssh must be {"enabled": true} or {"enabled": false}')
        network = body.get("network")
        if network is not None:
            if not isinstance(network, dict) or not isinstance(network.get("group"), str):
                raise BadRequest("network must be an object with a group")
            _strings(network.get("aliases", []), "network.aliases")
        resource_group = body.get("resourceGroupId")
        if resource_group is not None and not (isinstance(resource_group, str) and resource_group):
            raise BadRequest("resourceGroupId must be a non-empty string")
        spec = cls(
            command=tuple(command),
            docker_image=image,
            space_id=space,
            arguments=tuple(_strings(body.get("arguments", []), "arguments")),
            environment=string_map(body.get("environment") or {}, "environment"),
            secret_names=tuple(sorted(str(name) for name in secrets)),
            flavor=flavor,
            timeout_secs=timeout,
            volumes=tuple(_volumes(body.get("volumes") or [])),
            expose_ports=exposed,
            expose_public=public,
            ssh=ssh.get("enabled") is True,
            network=network,
            attempts=attempts,
            resource_group_id=resource_group,
        )
        return spec, check_labels(body.get("labels") or {})

    @property
    def hardware(self) -> Flavor:
        return FLAVORS[self.flavor]

    def to_json(self, labels: Mapping[str, str]) -> dict[str, Any]:
        """The spec's fields, with the job's labels, as they appear in a job object."""
        data: dict[str, Any] = (
            {"dockerImage": self.docker_image}
            if self.docker_image is not None
            else {"spaceId": self.space_id}
        )
        data.update(
            command=list(self.command),
            arguments=list(self.arguments),
            environment=dict(self.environment),
            secrets=list(self.secret_names),
            flavor=self.flavor,
            labels=dict(labels),
            volumes=[dict(volume) for volume in self.volumes],
        )
        return data


def spec_for_image(image: str, command: Iterable[str], **settings: Any) -> Spec:
    """A spec for an image reference, which may name a Space (hf.co/spaces/owner/name)."""
    for prefix in SPACE_PREFIXES:
        if image.startswith(prefix):
            return Spec(command=tuple(command), space_id=image[len(prefix) :], **settings)
    return Spec(command=tuple(command), docker_image=image, **settings)
