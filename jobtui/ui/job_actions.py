"""What the keys do to a job: mark, cancel, rerun, open its page, copy its id or URL.

A part of the main screen, kept apart so the screen's file stays about showing things.
"""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import Awaitable, Mapping
from typing import TYPE_CHECKING, Any

from textual import work

from jobtui.hub.errors import HubError
from jobtui.hub.models import JobInfo, JobStage
from jobtui.monitor.listing import Listing
from jobtui.monitor.store import JobStore, StoreDiff
from jobtui.ui.keys import help_sections
from jobtui.ui.terminal_text import clean_text
from jobtui.ui.widgets.job_table import JobTable

if TYPE_CHECKING:
    from textual.screen import Screen

    from jobtui.ui.app import JobsApp

    _Base = Screen[None]
else:
    _Base = object


class JobActions(_Base):
    """Mixed into MainScreen: everything here acts on the selected or marked jobs."""

    jobs_app: JobsApp
    store: JobStore
    listing: Listing
    table: JobTable

    def selected_job(self) -> JobInfo | None:
        raise NotImplementedError

    def apply(self, diff: StoreDiff) -> None:
        raise NotImplementedError

    def problem(self) -> str | None:
        raise NotImplementedError

    def nothing_selected(self) -> str:
        raise NotImplementedError

    def _flags_changed(self) -> None:
        self.table.set_flags(self.listing.marked, self.listing.canceling)

    def action_stats(self) -> None:
        from jobtui.ui.screens.stats import StatsScreen  # dialogs load when first opened

        watched = set(self.listing.watched())
        running = [
            job
            for job in self.store.sorted()
            if job.status.stage == JobStage.RUNNING and job.owner.name in watched
        ]
        if not running:
            self.jobs_app.say("No job is running in the namespaces shown.", timeout=4)
            return
        self.app.push_screen(StatsScreen(running, self.jobs_app.metrics_feed))

    def action_help(self) -> None:
        from jobtui.ui.screens.help import HelpScreen

        self.app.push_screen(
            HelpScreen(help_sections(type(self), self.jobs_app.keymap), problem=self.problem())
        )

    def action_mark(self) -> None:
        job = self.selected_job()
        if job is None:
            return
        if not job.is_live and job.id not in self.listing.marked:
            self.jobs_app.say("Only live jobs can be marked: there is nothing to cancel.")
            return
        self.listing.toggle_mark(job.id)
        self._flags_changed()
        self.table.action_cursor_down()
        self.refresh_headers()

    def action_clear_marks(self) -> None:
        if self.listing.marked:
            self.listing.marked.clear()
            self._flags_changed()
            self.refresh_headers()

    def refresh_headers(self) -> None:
        raise NotImplementedError

    def action_cancel(self) -> None:
        from jobtui.ui.screens.cancel import CancelScreen

        say = self.jobs_app.say
        listing = self.listing
        marked = [self.store.get(job_id) for job_id in sorted(listing.marked)]
        targets = [job for job in marked if job is not None and job.is_live]
        if len(targets) < len(listing.marked):
            # Marked jobs that ended meanwhile are nothing to cancel: drop their marks.
            listing.marked.intersection_update(job.id for job in targets)
            self._flags_changed()
            self.refresh_headers()
        if not targets:
            job = self.selected_job()
            if job is None:
                say(self.nothing_selected(), timeout=4)
                return
            if not job.is_live:
                stage = job.status.stage
                been = "been " if stage in (JobStage.CANCELED, JobStage.DELETED) else ""
                say(
                    f"Nothing to cancel: {clean_text(job.display_name)} has already "
                    f"{been}{clean_text(stage).lower()}.",
                    timeout=4,
                )
                return
            targets = [job]
        pending = [job for job in targets if job.id not in listing.canceling]
        if not pending:
            say("Already canceling: waiting for the Hub to confirm.", timeout=4)
            return

        def confirmed(yes: bool | None) -> None:
            # The list may have moved on while the question was up: cancel what is still live.
            still_live = [job for job in pending if (now := self.store.get(job.id)) and now.is_live]
            if yes and not still_live:
                say("Already finished while you were asked: nothing to cancel.", timeout=5)
            if yes and still_live:
                listing.canceling.update(job.id for job in still_live)
                self._flags_changed()
                self.cancel_jobs(still_live)

        app = self.jobs_app
        self.app.push_screen(CancelScreen(pending, app.poller.hardware, app.now()), confirmed)

    # Descriptions keep Textual from describing workers by their arguments in its log.
    @work(group="act", exit_on_error=False, description="cancel jobs")
    async def cancel_jobs(self, jobs: list[JobInfo]) -> None:
        listing, app = self.listing, self.jobs_app

        async def cancel(job: JobInfo) -> None:
            try:
                await app.client.cancel_job(job.owner.name, job.id)
            except HubError as exc:
                listing.canceling.discard(job.id)
                app.say(
                    f"Could not cancel {clean_text(job.display_name)}: {exc}",
                    severity="error",
                    timeout=10,
                )
            else:
                listing.marked.discard(job.id)
                latest = self.store.get(job.id)
                if latest is not None and not latest.is_live:
                    listing.canceling.discard(job.id)  # it ended meanwhile

        await asyncio.gather(*(cancel(job) for job in jobs))
        self._flags_changed()
        self.table.refresh_times()
        app.poller.poll_now()

    def action_rerun(self) -> None:
        from jobtui.ui.screens.rerun import RerunScreen
        from jobtui.ui.screens.rerun_confirm import EDIT, RerunConfirmScreen

        job = self.selected_job()
        if job is None:
            self.jobs_app.say(self.nothing_selected(), timeout=4)
            return
        client, hardware = self.jobs_app.client, self.jobs_app.poller.hardware
        namespace = job.owner.name

        def answered(outcome: JobInfo | str | None) -> None:
            if isinstance(outcome, JobInfo):
                self.started(outcome)
            elif outcome == EDIT:
                self.app.push_screen(RerunScreen(job, hardware, os.environ, send=run), edited)

        def run(spec: dict[str, Any]) -> Awaitable[JobInfo]:
            return client.run_job(namespace, spec)

        def edited(new: JobInfo | None) -> None:
            if new is not None:
                self.started(new)

        self.app.push_screen(
            RerunConfirmScreen(job, hardware, send=lambda: client.duplicate_job(namespace, job.id)),
            answered,
        )

    def started(self, new: JobInfo) -> None:
        """A rerun went through: show the new job, select it and follow its log."""
        self.apply(self.store.update([new]))
        if new.id in self.table.job_ids():
            self.table.move_cursor(row=self.table.get_row_index(new.id))
        self.jobs_app.say(
            f"Started {clean_text(new.display_name)} ({clean_text(new.id)})", timeout=5
        )

    def action_open_page(self) -> None:
        job = self.selected_job()
        if job is None:
            return
        url = clean_text(job.url)
        if no_browser(os.environ):
            self.jobs_app.say(f"Job page: {url}", timeout=15)
        else:
            self.app.open_url(url)
            self.jobs_app.say(f"Opened {url}", timeout=4)

    def action_copy_id(self) -> None:
        if (job := self.selected_job()) is not None:
            self._copy(clean_text(job.id), "the job id")

    def action_copy_url(self) -> None:
        if (job := self.selected_job()) is not None:
            self._copy(clean_text(job.url), "the job URL")

    def _copy(self, text: str, what: str) -> None:
        """Copy exactly what the screen shows: cleaned, one line, no control characters."""
        text = "".join(ch for ch in text if ch.isprintable())
        try:
            self.app.copy_to_clipboard(text)
        except Exception as exc:  # the terminal or Textual refused it: say so, keep going
            self.jobs_app.say(f"Could not copy {what}: {exc}", severity="error", timeout=6)
            return
        self.jobs_app.say(f"Copied {what}: {text}", timeout=3)


def no_browser(env: Mapping[str, str]) -> bool:
    """Over ssh, or on a Linux box with no display, a browser would open far from the user."""
    if env.get("SSH_CONNECTION") or env.get("SSH_TTY"):
        return True
    return sys.platform.startswith("linux") and not (
        env.get("DISPLAY") or env.get("WAYLAND_DISPLAY")
    )
