"""The job's web page (`GET /jobs/{namespace}/{job_id}`, where `JobInfo.url` points): a small
HTML view, so opening a job from the monitor shows something real. Every value is escaped."""

from __future__ import annotations

import html
import shlex
from collections.abc import Mapping
from typing import Any

from jobtui.sim.hardware import FLAVORS

# No scripts, no remote resources: the page shows text and nothing else.
PAGE_HEADERS = {"Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'"}
_STYLE = (
    "body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem}"
    "th{text-align:left;padding-right:1.5rem;vertical-align:top;color:#555}"
    "code{white-space:pre-wrap;word-break:break-all}"
    ".stage{font-weight:bold}.note{color:#777;font-size:.9em}"
)


def _page(title: str, body: str) -> str:
    return (
        '<!doctype html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>{html.escape(title)}</title><style>{_STYLE}</style></head>"
        f"<body>{body}<p class='note'>A simulated Hugging Face Hub (jobtui sim): "
        "it never runs a job's command.</p></body></html>\n"
    )


def _row(label: str, value: str, *, code: bool = False) -> str:
    shown = html.escape(value)
    if code:
        shown = f"<code>{shown}</code>"
    return f"<tr><th>{html.escape(label)}</th><td>{shown}</td></tr>"


def _flavor(name: str) -> str:
    flavor = FLAVORS.get(name)
    if flavor is None:
        return name
    return f"{name} ({flavor.pretty_name}, ${flavor.hourly_usd:.2f}/hour)"


def job_page(job: Mapping[str, Any]) -> str:
    """The page of one job, from its API object."""
    labels: Mapping[str, str] = job.get("labels") or {}
    name = labels.get("name") or job["id"]
    status = job["status"]
    stage = status["stage"] + (f": {status['message']}" if status.get("message") else "")
    if job.get("spaceId"):
        source = ("Space", f"hf.co/spaces/{job['spaceId']}")
    else:
        source = ("Image", str(job.get("dockerImage")))
    command = shlex.join([*job.get("command", []), *job.get("arguments", [])])
    rows = [
        _row("Stage", stage),
        _row("Flavor", _flavor(job["flavor"])),
        _row(*source, code=True),
        _row("Command", command, code=True),
        _row("Owner", job["owner"]["name"]),
        _row("Created", job["createdAt"]),
    ]
    for label, key in (("Started", "startedAt"), ("Finished", "finishedAt")):
        if job.get(key):
            rows.append(_row(label, job[key]))
    if labels:
        rows.append(_row("Labels", ", ".join(f"{k}={v}" for k, v in labels.items())))
    if job.get("secrets"):
        rows.append(_row("Secrets", ", ".join(job["secrets"])))
    rows.append(_row("Job id", job["id"], code=True))
    body = (
        f"<h1>{html.escape(name)}</h1>"
        f"<p class='stage'>{html.escape(status['stage'])}</p>"
        f"<table>{''.join(rows)}</table>"
    )
    return _page(f"{name} · Jobs", body)


def missing_page(namespace: str, job_id: str) -> str:
    """The 404 page for a job that does not exist (or that the namespace does not hold)."""
    body = (
        "<h1>Job not found</h1>"
        f"<p>There is no job <code>{html.escape(job_id)}</code> in "
        f"<code>{html.escape(namespace)}</code>.</p>"
    )
    return _page("Job not found", body)
