"""The main screen's side of the schedules view: `s` opens it, and a run chosen there is
selected in the job list (fetched first when the list does not hold it)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import work

from jobtui.hub.errors import HubError
from jobtui.monitor.listing import Listing
from jobtui.monitor.schedules import ScheduleBook
from jobtui.monitor.store import JobStore, StoreDiff
from jobtui.ui.terminal_text import clean_text
from jobtui.ui.widgets.job_table import JobTable

if TYPE_CHECKING:
    from textual.screen import Screen

    from jobtui.ui.app import JobsApp

    _Base = Screen[None]
else:
    _Base = object


class ScheduleActions(_Base):
    """Mixed into MainScreen. The book outlives the view: reopened, it shows the last list at
    once while the Hub is read again."""

    jobs_app: JobsApp
    store: JobStore
    listing: Listing
    table: JobTable
    _schedule_book: ScheduleBook | None = None

    if TYPE_CHECKING:  # MainScreen's and JobActions' own: declared only, never shadowed

        def apply(self, diff: StoreDiff) -> None: ...

        def refilter(self) -> None: ...

        def action_clear_filter(self) -> None: ...

        def action_help(self) -> None: ...

        def select_job(self, job_id: str) -> None: ...

    def action_schedules(self) -> None:
        from jobtui.ui.screens.schedules import SchedulesScreen  # loaded when first opened

        if self._schedule_book is None:
            self._schedule_book = ScheduleBook(self.jobs_app.client)
        screen = SchedulesScreen(
            self.jobs_app,
            self._schedule_book,
            self.store,
            namespaces=lambda: self.listing.namespaces,
            show_job=self.show_job,
            help=self.action_help,
        )
        self.app.push_screen(screen)

    def show_job(self, namespace: str, job_id: str) -> None:
        job = self.store.get(job_id)
        if job is None:
            self.fetch_and_show(namespace, job_id)
        else:
            self.select_job(job.id)

    @work(group="act", exit_on_error=False, description="show a scheduled run")
    async def fetch_and_show(self, namespace: str, job_id: str) -> None:
        try:
            job = await self.jobs_app.client.inspect_job(namespace, job_id)
        except HubError as error:
            self.jobs_app.say(
                f"Could not show job {clean_text(job_id)}: {error}", severity="error", timeout=8
            )
            return
        self.apply(self.store.update([job]))
        self.select_job(job.id)
