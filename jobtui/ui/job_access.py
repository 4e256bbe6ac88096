"""Getting into jobs and starting them: ssh into a running job (`x`), open or copy its exposed
URLs (`p`), change its exposed ports (`P`), start a new job (`+`).

A part of the main screen, beside `job_actions`; the requests are handed to the screens as
callables, so no screen holds HTTP.
"""

from __future__ import annotations

import contextlib
import os
import shlex
import shutil
import subprocess
from collections.abc import Awaitable, Sequence
from typing import TYPE_CHECKING, Any

from textual.app import SuspendNotSupported

from jobtui.hub.access import NoWayIn, openable_url, ssh_command, ssh_problem
from jobtui.hub.models import JobInfo
from jobtui.ui.job_actions import no_browser
from jobtui.ui.terminal_text import clean_text

if TYPE_CHECKING:
    from jobtui.ui.job_actions import JobActions

    _Base = JobActions
else:
    _Base = object


def run_ssh(command: Sequence[str]) -> int:
    """Run ssh in the terminal jobtui hands over; its exit status. When it failed, what ssh
    printed stays on screen until the user presses enter (jobtui would draw over it)."""
    status = subprocess.run(list(command), check=False).returncode
    if status != 0:
        # With no terminal to read from, go back at once.
        with contextlib.suppress(EOFError, OSError):
            input(f"jobtui: ssh ended with exit status {status}. Press enter to go back. ")
    return status


class JobAccess(_Base):
    """Mixed into MainScreen after JobActions."""

    def action_ssh(self) -> None:
        say = self.jobs_app.say
        job = self.selected_job()
        if job is None:
            say(self.nothing_selected(), timeout=4)
            return
        problem = ssh_problem(job)
        if problem is not None:
            say(clean_text(problem), timeout=8)
            return
        program = shutil.which("ssh")
        if program is None:
            say(
                "ssh is not installed here (no ssh on PATH): install an OpenSSH client to "
                "get into jobs from jobtui.",
                severity="error",
                timeout=10,
            )
            return
        try:
            command = ssh_command(job.status.ssh_url or "")
        except NoWayIn as exc:
            say(f"Cannot ssh into {clean_text(job.display_name)}: {exc}.", severity="error")
            return
        shown = shlex.join(command)
        try:
            with self.app.suspend():
                print(f"jobtui: {shown}  (leave the session to come back to jobtui)", flush=True)
                status = run_ssh([program, *command[1:]])
        except SuspendNotSupported:
            say(
                "This terminal cannot be handed over to ssh (jobtui is not running in a real "
                f"terminal here). Run it yourself: {shown}",
                severity="warning",
                timeout=15,
            )
            return
        except OSError as exc:
            say(f"Could not run ssh: {exc}", severity="error", timeout=10)
            return
        if status != 0:
            say(f"ssh ended with exit status {status}.", severity="warning", timeout=8)
        else:
            say(f"Back from {clean_text(job.display_name)}.", timeout=3)

    def action_open_ports(self) -> None:
        job = self.selected_job()
        if job is None:
            self.jobs_app.say(self.nothing_selected(), timeout=4)
            return
        urls = [clean_text(url) for url in job.status.expose_urls or () if openable_url(url)]
        if not urls:
            hint = " (P exposes some)" if job.is_live else ""
            self.jobs_app.say(f"{clean_text(job.display_name)} exposes no port{hint}.", timeout=5)
            return
        from jobtui.ui.screens.ports import COPY, PortsScreen  # loaded when first opened

        def chosen(answer: tuple[str, str] | None) -> None:
            if answer is None:
                return
            what, url = answer
            if what == COPY:
                self._copy(url, "the URL")
            elif no_browser(os.environ):
                self.jobs_app.say(f"Exposed URL: {url}", timeout=15)
            else:
                self.app.open_url(url)
                self.jobs_app.say(f"Opened {url}", timeout=4)

        self.app.push_screen(PortsScreen(job, urls), chosen)

    def action_change_ports(self) -> None:
        job = self.selected_job()
        if job is None:
            self.jobs_app.say(self.nothing_selected(), timeout=4)
            return
        if not job.is_live:
            self.jobs_app.say(
                f"Only a live job's ports can change: {clean_text(job.display_name)} has "
                f"finished ({clean_text(job.status.stage).lower()}).",
                timeout=6,
            )
            return
        from jobtui.ui.screens.ports import ExposeScreen, ports_text  # loaded when first opened

        client, namespace = self.jobs_app.client, job.owner.name

        def send(ports: tuple[int, ...], public: tuple[int, ...]) -> Awaitable[JobInfo]:
            return client.expose_job(namespace, job.id, ports, public)

        def changed(new: JobInfo | None) -> None:
            if new is not None:
                self.apply(self.store.update([new]))
                self.jobs_app.say(
                    f"{clean_text(new.display_name)} now exposes {ports_text(new)}.", timeout=6
                )

        self.app.push_screen(ExposeScreen(job, send), changed)

    def action_new_job(self) -> None:
        from jobtui.ui.screens.new_job import NewJobScreen  # loaded when first opened

        app, listing = self.jobs_app, self.listing
        namespaces = tuple(listing.namespaces) or ((listing.user,) if listing.user else ())
        if not namespaces:
            app.say("The account is not known yet: wait for the first listing.", timeout=5)
            return
        default = listing.shown_namespace or listing.user or namespaces[0]
        client = app.client

        def send(namespace: str, spec: dict[str, Any]) -> Awaitable[JobInfo]:
            return client.run_job(namespace, spec)

        def done(new: JobInfo | None) -> None:
            if new is not None:
                self.started(new)

        screen = NewJobScreen(
            lambda: app.poller.hardware,
            namespaces,
            default,
            os.environ,
            selected=self.selected_job(),
            send=send,
        )
        self.app.push_screen(screen, done)
