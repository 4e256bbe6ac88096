"""The async Hub client: every Jobs API call jobtui makes, with retries and readable errors."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import time
from collections.abc import AsyncGenerator, Callable, Mapping, Sequence
from typing import Any

import httpx2

from jobtui.hub import logs
from jobtui.hub.draft import expose_body
from jobtui.hub.errors import ListingStopped
from jobtui.hub.head_start import PageMark
from jobtui.hub.http import MAX_PAGES, HubHTTP
from jobtui.hub.job import job_reader
from jobtui.hub.logs import StatusCallback
from jobtui.hub.models import (
    Account,
    JobHardwareInfo,
    JobInfo,
    LogLine,
    ScheduledJobInfo,
)
from jobtui.hub.schedules import ScheduleCalls
from jobtui.hub.wire import (
    next_link,
    parse_items,
    parse_one,
    read_json,
    same_hub,
    segment,
    shown,
)

log = logging.getLogger(__name__)

# A listing that takes longer than this is cut short (and says so).
LIST_SECONDS = 120.0
# Pages in a row that bring no job not seen already: the Hub is going round in circles.
NO_NEWS_PAGES = 3
_LOOP = "loop"


def _job(job_id: str) -> str:
    return f"job {shown(job_id)}"


def _job_ids(payload: object) -> set[str]:
    """The ids of a listed page's job objects (as `JobInfo.from_api` would take them)."""
    if not isinstance(payload, list):
        return set()
    return {
        job_id
        for item in payload
        if isinstance(item, dict) and isinstance(job_id := item.get("id"), str) and job_id
    }


def _retrieved(task: asyncio.Task[Any]) -> None:
    """A page asked for ahead and then not wanted: its failure is nobody's news."""
    if not task.cancelled():
        task.exception()


class HubClient(ScheduleCalls, HubHTTP):
    """One per app. Methods raise `HubError` subclasses only, never httpx errors."""

    _whoami: Account | None = None

    # ---- plain calls -------------------------------------------------------------------

    async def whoami(self) -> Account:
        if self._whoami is None:
            response = await self._request("GET", "/api/whoami-v2", what="the account")
            self._whoami = parse_one(Account.from_api, read_json(response), "the account")
        return self._whoami

    async def iter_job_pages(
        self,
        namespace: str,
        *,
        stages: Sequence[str] = (),
        labels: Mapping[str, str] | None = None,
        expected_jobs: int | None = None,
        max_seconds: float = LIST_SECONDS,
        after: PageMark | None = None,
        known: Callable[[str], JobInfo | None] | None = None,
        max_pages: int | None = None,
    ) -> AsyncGenerator[list[JobInfo]]:
        """Yield each page of jobs as it arrives, following `Link: rel="next"`; `after`: go
        on from the page after one read already (`first_job_page`, the head start).

        `known` finds a job read before (the store's): where the Hub's object for it shows
        no change (see `unchanged`), that same JobInfo comes back, not a new one read again.

        A listing is bounded: it ends with `ListingStopped` (after yielding the pages read)
        when next-page links loop, when `NO_NEWS_PAGES` pages in a row bring no job not seen
        already, past `max_seconds`, or past the pages `expected_jobs` (say, what the last full
        listing found) could fill twice over, else past `MAX_PAGES`. With `max_pages`, it
        ends quietly after that many (and asks for no more).
        """
        params: list[tuple[str, str]] = [("stage", str(s).upper()) for s in stages]
        params += [("label", f"{key}={value}") for key, value in (labels or {}).items()]
        what = shown(namespace)
        listing = f"the job list of {what}"
        read = job_reader(self.endpoint, namespace, known)
        seen: set[str] = set()
        ids: set[str] = set()
        started = time.monotonic()
        limit, pages, stale = MAX_PAGES, 0, 0
        url = f"/api/jobs/{segment(namespace, 'namespace')}"
        if after is not None:  # the first page was read already
            url, params, pages = after.next_page, [], 1
            seen.add(after.next_page)
            ids.update(after.ids)
        response = await self._request("GET", url, params=params, what=listing)
        ahead: asyncio.Task[httpx2.Response] | None = None
        try:
            while True:
                payload = read_json(response)
                pages += 1
                fresh = _job_ids(payload) - ids
                ids |= fresh
                stale = 0 if fresh else stale + 1
                listed = len(payload) if isinstance(payload, list) else 0
                if pages == 1 and expected_jobs is not None and listed:
                    limit = min(MAX_PAGES, math.ceil(2 * expected_jobs / listed) + 10)
                following = None if pages == max_pages else self._next_page(response, seen)
                reason = ""
                if following == _LOOP:
                    reason = "a next-page link led back to a page already read"
                elif following is None:
                    pass
                elif stale >= NO_NEWS_PAGES:
                    reason = f"the last {stale} pages it linked to brought no new job"
                elif pages >= limit:
                    reason = f"it linked to more pages than the {limit} expected"
                elif time.monotonic() - started > max_seconds:
                    reason = f"reading it took over {max_seconds:.0f} s"
                if following is not None and not reason and isinstance(payload, list):
                    # Asked for now, the next page is on its way while this one is read and
                    # shown: the Hub's time and ours overlap instead of adding up.
                    ahead = asyncio.create_task(self._request("GET", following, what=listing))
                    ahead.add_done_callback(_retrieved)
                yield parse_items(read, payload, listing)
                if reason:
                    raise ListingStopped(
                        f"Stopped reading the job list of {what} after {pages} pages "
                        f"({len(ids)} jobs): {reason}",
                        pages=pages,
                    )
                if ahead is None:
                    return
                response, ahead = await ahead, None
        finally:
            if ahead is not None:  # the reader stopped early, or a page did not read
                ahead.cancel()

    async def first_job_page(self, namespace: str) -> tuple[list[JobInfo], PageMark | None]:
        """The newest page of jobs, and where the listing goes on (None: it was the last)."""
        url = f"/api/jobs/{segment(namespace, 'namespace')}"
        listing = f"the job list of {shown(namespace)}"
        response = await self._request("GET", url, what=listing)
        page = parse_items(job_reader(self.endpoint, namespace), read_json(response), listing)
        following = self._next_page(response, {url})
        if following is None or following == _LOOP:
            return page, None
        return page, PageMark(following, frozenset(job.id for job in page))

    def _next_page(self, response: httpx2.Response, seen: set[str]) -> str | None:
        """The `rel="next"` link, if it is one to follow: same Hub (the token goes with the
        request); `_LOOP` if it was read already."""
        link = next_link(response.headers.get("link"))
        if not link:
            return None
        target = same_hub(link, str(response.url), self.endpoint)
        if target is None:
            log.warning("not following a next-page link to another Hub, or no URL: %s", shown(link))
            return None
        if target in seen:
            return _LOOP
        seen.add(target)
        return target

    async def list_jobs(
        self,
        namespace: str,
        *,
        stages: Sequence[str] = (),
        labels: Mapping[str, str] | None = None,
        max_pages: int | None = None,
        expected_jobs: int | None = None,
        known: Callable[[str], JobInfo | None] | None = None,
    ) -> list[JobInfo]:
        """All jobs (newest first), or those of the first `max_pages` pages.

        A listing cut short raises `ListingStopped` with the jobs read so far as `.jobs`.
        `known`: as for `iter_job_pages`.
        """
        jobs: list[JobInfo] = []
        pages = self.iter_job_pages(
            namespace,
            stages=stages,
            labels=labels,
            expected_jobs=expected_jobs,
            known=known,
            max_pages=max_pages,
        )
        read = 0
        try:
            async with contextlib.aclosing(pages):
                async for page in pages:
                    jobs.extend(page)
                    read += 1
                    if read == max_pages:
                        break
        except ListingStopped as stopped:
            stopped.jobs = jobs
            raise
        return jobs

    async def inspect_job(self, namespace: str, job_id: str) -> JobInfo:
        response = await self._request("GET", self._path(namespace, job_id), what=_job(job_id))
        return self._job(response, namespace, "the job")

    async def run_job(self, namespace: str, spec: Mapping[str, Any]) -> JobInfo:
        """Create a job. Sent once: never again once it may have reached the Hub (not after
        a 5xx, a 429 or a timeout either), so it cannot be created twice."""
        response = await self._request(
            "POST",
            self._path(namespace),
            json=dict(spec),
            what=shown(namespace),
            idempotent=False,
        )
        return self._job(response, namespace, "the new job")

    async def duplicate_job(self, namespace: str, job_id: str) -> JobInfo:
        """Run a job again as the Hub does (`hf jobs rerun`): a new job with the same spec,
        retries and resources; secrets stay on the Hub. Sent once, like `run_job`."""
        response = await self._request(
            "POST",
            self._path(namespace, job_id, "duplicate"),
            what=_job(job_id),
            idempotent=False,
        )
        return self._job(response, namespace, "the new job")

    async def cancel_job(self, namespace: str, job_id: str) -> None:
        await self._request("POST", self._path(namespace, job_id, "cancel"), what=_job(job_id))

    async def relabel_job(self, namespace: str, job_id: str, labels: Mapping[str, str]) -> JobInfo:
        response = await self._request(
            "PUT",
            self._path(namespace, job_id, "labels"),
            json={"labels": dict(labels)},
            what=_job(job_id),
        )
        return self._job(response, namespace, "the job")

    async def expose_job(
        self, namespace: str, job_id: str, ports: Sequence[int], public: Sequence[int] = ()
    ) -> JobInfo:
        """Replace a live job's exposed ports (`hf jobs expose`): ports in neither list close."""
        response = await self._request(
            "PUT",
            self._path(namespace, job_id, "expose"),
            json=expose_body(tuple(ports), tuple(public)),
            what=_job(job_id),
        )
        return self._job(response, namespace, "the job")

    @staticmethod
    def _path(namespace: str, job_id: str | None = None, action: str = "") -> str:
        """/api/jobs/{namespace}[/{job_id}[/{action}]], each value percent-encoded."""
        path = f"/api/jobs/{segment(namespace, 'namespace')}"
        if job_id is not None:
            path += f"/{segment(job_id, 'job')}"
        return f"{path}/{action}" if action else path

    def _job(self, response: httpx2.Response, namespace: str, what: str) -> JobInfo:
        return parse_one(
            lambda p: JobInfo.from_api(p, self.endpoint, namespace), read_json(response), what
        )

    async def list_hardware(self) -> list[JobHardwareInfo]:
        response = await self._request("GET", "/api/jobs/hardware", what="the hardware list")
        return parse_items(JobHardwareInfo.from_api, read_json(response), "the hardware list")

    async def list_scheduled_jobs(self, namespace: str) -> list[ScheduledJobInfo]:
        response = await self._request(
            "GET", f"/api/scheduled-jobs/{segment(namespace, 'namespace')}", what=shown(namespace)
        )
        return parse_items(
            lambda item: ScheduledJobInfo.from_api(item, namespace),
            read_json(response),
            f"the scheduled job list of {shown(namespace)}",
        )

    # ---- streams -----------------------------------------------------------------------

    def stream_logs(
        self,
        namespace: str,
        job_id: str,
        *,
        tail: int | None = None,
        follow: bool = True,
        on_status: StatusCallback | None = None,
    ) -> AsyncGenerator[LogLine]:
        """Yield a job's log lines; with `follow`, keep going until the job ends (see `logs`)."""
        return logs.stream_logs(
            self, namespace, job_id, tail=tail, follow=follow, on_status=on_status
        )

    def stream_log_batches(
        self,
        namespace: str,
        job_id: str,
        *,
        tail: int | None = None,
        follow: bool = True,
        on_status: StatusCallback | None = None,
    ) -> AsyncGenerator[list[LogLine]]:
        """`stream_logs`, a batch of lines for each read from the Hub."""
        return logs.stream_log_batches(
            self, namespace, job_id, tail=tail, follow=follow, on_status=on_status
        )

    def stream_metrics(self, namespace: str, job_id: str) -> AsyncGenerator[dict[str, Any]]:
        """Yield one metrics sample per second while the job runs; ends when it stops."""
        return logs.stream_metrics(self, namespace, job_id)
