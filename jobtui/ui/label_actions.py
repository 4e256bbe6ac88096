"""What the list shows, by key: `L` and `b` (edit the selected job's name and labels, list the
labels in use to filter by one), `a` (live only) and `n` (the next namespace); the filter's
Hub-side part handed to the poller; and the moves the command palette makes (select a job,
show a namespace or a view).

A part of the main screen, kept apart so the screen's file stays about showing things.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from jobtui.hub.models import JobInfo
from jobtui.monitor.filtering import HubQuery
from jobtui.monitor.labels import labels_in_use
from jobtui.monitor.listing import Listing
from jobtui.monitor.store import JobStore, StoreDiff
from jobtui.ui.terminal_text import clean_text
from jobtui.ui.widgets.filter_box import FilterBox
from jobtui.ui.widgets.job_table import JobTable

if TYPE_CHECKING:
    from textual.screen import Screen

    from jobtui.ui.app import JobsApp

    _Base = Screen[None]
else:
    _Base = object


class LabelActions(_Base):
    """Mixed into MainScreen."""

    jobs_app: JobsApp
    store: JobStore
    listing: Listing
    table: JobTable
    filter_box: FilterBox

    def selected_job(self) -> JobInfo | None:
        raise NotImplementedError

    def apply(self, diff: StoreDiff) -> None:
        raise NotImplementedError

    def nothing_selected(self) -> str:
        raise NotImplementedError

    def refilter(self) -> None:
        raise NotImplementedError

    def action_edit_labels(self) -> None:
        from jobtui.ui.screens.labels import LabelsScreen  # loaded when first opened

        job = self.selected_job()
        if job is None:
            self.jobs_app.say(self.nothing_selected(), timeout=4)
            return
        client, namespace = self.jobs_app.client, job.owner.name

        def done(updated: JobInfo | None) -> None:
            if updated is None:
                return
            # The Hub answers the job as it is now: the list shows it at once.
            self.apply(self.store.update([updated]))
            self.jobs_app.say(f"Labels saved for {clean_text(updated.display_name)}", timeout=4)

        self.app.push_screen(
            LabelsScreen(job, lambda labels: client.relabel_job(namespace, job.id, labels)), done
        )

    def action_pick_label(self) -> None:
        from jobtui.ui.screens.label_picker import LabelPickerScreen

        watched = set(self.listing.watched())
        jobs = (job for job in self.store if job.owner.name in watched)
        where = ", ".join(sorted(watched)) or "the list"

        def picked(term: str | None) -> None:
            if term is not None:
                self.set_filter(term)

        self.app.push_screen(LabelPickerScreen(labels_in_use(jobs), clean_text(where)), picked)

    def set_filter(self, text: str) -> None:
        """Filter the list as if `text` had been typed after `/` and enter pressed."""
        self.listing.filter_text = text
        self.filter_box.value = text
        self.filter_box.display = False
        self.refilter()
        if self.table.row_count:
            self.table.move_cursor(row=0)
        self.table.focus()
        self.narrow_listing()

    def start_filtered(self, text: str) -> None:
        """Before the first poll (`--filter`): the first listing asks the Hub for the
        filter's stages and labels, not for the whole history."""
        self.listing.filter_text = text
        # Not mounted yet: set without running the box's watchers (they need the app).
        self.filter_box.set_reactive(FilterBox.value, text)
        self.narrow_listing()

    def narrow_listing(self) -> None:
        """Hand the filter's Hub-side part (stages, labels) to the poller: a history not
        listed yet is then listed with it, not in full. A bad filter narrows nothing."""
        listing = self.listing
        query = listing.job_filter().hub_query()
        if listing.filter_error is not None or not listing.filter_text.strip():
            query = HubQuery()
        self.jobs_app.poller.narrow(query)

    # ---- live only, namespaces, and what the command palette does ----------------------

    def action_toggle_live(self) -> None:
        self.listing.live_only = not self.listing.live_only
        self.refilter()
        live = self.listing.live_only
        self.jobs_app.say("Showing live jobs only" if live else "Showing all jobs", timeout=2)

    def action_next_namespace(self) -> None:
        if len(self.listing.namespaces) < 2:
            self.jobs_app.say(
                "Only one namespace is watched (add more with --namespace).", timeout=4
            )
            return
        self.show_namespace(self.listing.next_namespace())

    def select_job(self, job_id: str) -> None:
        """Put the cursor on a job, showing it first if the filter, live-only or the
        namespace shown hid it."""
        job = self.store.get(job_id)
        if job is None:
            self.jobs_app.say("That job is no longer in the list.", timeout=4)
            return
        if job_id not in self.table.job_ids():
            listing = self.listing
            listing.live_only = False
            if listing.shown_namespace not in (None, job.owner.name):
                self.show_namespace(job.owner.name)
            if not listing.visible(job):
                self.set_filter("")
            else:
                self.refilter()
        if job_id in self.table.job_ids():
            self.table.move_cursor(row=self.table.get_row_index(job_id))
            self.table.focus()

    def show_namespace(self, namespace: str | None) -> None:
        listing = self.listing
        listing.shown_namespace = namespace
        self.table.set_layout(show_owner=listing.show_owner)
        self.jobs_app.poller.show(listing.watched())
        self.refilter()

    def show_jobs_view(self, live_only: bool) -> None:
        self.listing.live_only = live_only
        self.refilter()
        self.table.focus()
