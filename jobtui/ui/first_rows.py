"""What the main screen shows in its first frame, before the first poll has answered: the
newest page the head start brought, if it is here already, else the rows of the last run.

A part of the main screen, beside `job_actions`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from jobtui.ui.job_actions import JobActions

    _Base = JobActions
else:
    _Base = object


class FirstRows(_Base):
    """Mixed into MainScreen after JobActions."""

    def show_first_rows(self) -> bool:
        """Rows at once; True if they are the Hub's own (the head start's page), False if
        they are cached or there are none yet."""
        if self.show_head_start():
            return True
        self.show_cached()
        return False

    def show_head_start(self) -> bool:
        """The head start's page, if the helper has answered already (it usually has by the
        time the screen mounts): in the first frame, rather than the cached rows and then,
        a frame later, these."""
        app = self.jobs_app
        answers = app.poller.head_start_page()
        if answers is None or answers.page is None:
            return False
        account = answers.account
        if not app.namespaces and account is not None:
            self._list_account(account.namespaces, account.name)
        self.apply(self.store.update(answers.page))
        return True

    def show_cached(self) -> None:
        """Rows from the last run at once, marked cached, until the Hub answers."""
        app = self.jobs_app
        cached = app.cache.load() if app.cache is not None else None
        if cached is None:
            return
        watched = set(app.namespaces or cached.namespaces)
        jobs = [job for job in cached.jobs if job.owner.name in watched]
        if not app.namespaces:
            self._list_account(cached.namespaces, cached.user)
        app.poller.from_cache(cached.saved_at, user=None if app.namespaces else cached.user)
        self.apply(self.store.update(jobs))

    def _list_account(self, namespaces: tuple[str, ...], user: str | None) -> None:
        """Before the Hub says whose token it is: the account these rows belong to."""
        self.listing.namespaces, self.listing.user = namespaces, user
        self.listing.shown_namespace = user
        self.table.set_layout(show_owner=self.listing.show_owner)
