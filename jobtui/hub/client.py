"""The async Hub client: every Jobs API call jobtui makes, with retries and readable errors."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncGenerator, AsyncIterator, Mapping, Sequence
from typing import Any

import httpx2

from jobtui.hub import logs
from jobtui.hub.http import MAX_PAGES, HubHTTP, _json, _parse, _parse_items
from jobtui.hub.logs import StatusCallback
from jobtui.hub.models import (
    Account,
    JobHardwareInfo,
    JobInfo,
    LogLine,
    ScheduledJobInfo,
)

log = logging.getLogger(__name__)


class HubClient(HubHTTP):
    """One per app. Methods raise `HubError` subclasses only, never httpx errors."""

    _whoami: Account | None = None

    # ---- plain calls -------------------------------------------------------------------

    async def whoami(self) -> Account:
        if self._whoami is None:
            response = await self._request("GET", "/api/whoami-v2")
            self._whoami = _parse(Account.from_api, _json(response), "the account")
        return self._whoami

    async def iter_job_pages(
        self,
        namespace: str,
        *,
        stages: Sequence[str] = (),
        labels: Mapping[str, str] | None = None,
    ) -> AsyncGenerator[list[JobInfo]]:
        """Yield each page of jobs as it arrives, following `Link: rel="next"`."""
        params: list[tuple[str, str]] = [("stage", str(s).upper()) for s in stages]
        params += [("label", f"{key}={value}") for key, value in (labels or {}).items()]
        url: str | None = f"/api/jobs/{namespace}"
        seen: set[str] = set()
        while url is not None:
            response = await self._request("GET", url, params=params, what=namespace)
            params = []  # the next link already carries the query
            yield _parse_items(
                lambda item: JobInfo.from_api(item, self.endpoint, namespace),
                _json(response),
                f"the job list of {namespace}",
            )
            url = self._next_page(response, seen)

    def _next_page(self, response: httpx2.Response, seen: set[str]) -> str | None:
        """The `rel="next"` link, if it is one to follow: same Hub (the token goes with the
        request), not seen before (a loop would poll forever), not past MAX_PAGES."""
        url = response.links.get("next", {}).get("url")
        if not url:
            return None
        target = httpx2.URL(url)
        if target.is_relative_url:
            target = response.url.join(target)
        if (target.scheme, target.host, target.port) != (
            self._http.base_url.scheme,
            self._http.base_url.host,
            self._http.base_url.port,
        ):
            log.warning("not following a next-page link to another host: %s", target.host)
            return None
        if str(target) in seen or len(seen) >= MAX_PAGES:
            log.warning("stopped following next-page links after %d pages", len(seen))
            return None
        seen.add(str(target))
        return str(target)

    async def list_jobs(
        self,
        namespace: str,
        *,
        stages: Sequence[str] = (),
        labels: Mapping[str, str] | None = None,
        max_pages: int | None = None,
    ) -> list[JobInfo]:
        """All jobs (newest first), or those of the first `max_pages` pages."""
        jobs: list[JobInfo] = []
        pages = self.iter_job_pages(namespace, stages=stages, labels=labels)
        read = 0
        async with contextlib.aclosing(pages):
            async for page in pages:
                jobs.extend(page)
                read += 1
                if read == max_pages:
                    break
        return jobs

    async def inspect_job(self, namespace: str, job_id: str) -> JobInfo:
        response = await self._request(
            "GET", f"/api/jobs/{namespace}/{job_id}", what=f"job {job_id}"
        )
        return self._job(response, namespace, "the job")

    async def run_job(self, namespace: str, spec: Mapping[str, Any]) -> JobInfo:
        """Create a job. Never retried once sent, so it cannot be created twice."""
        response = await self._request(
            "POST", f"/api/jobs/{namespace}", json=dict(spec), what=namespace, idempotent=False
        )
        return self._job(response, namespace, "the new job")

    async def cancel_job(self, namespace: str, job_id: str) -> None:
        await self._request("POST", f"/api/jobs/{namespace}/{job_id}/cancel", what=f"job {job_id}")

    async def relabel_job(self, namespace: str, job_id: str, labels: Mapping[str, str]) -> JobInfo:
        response = await self._request(
            "PUT",
            f"/api/jobs/{namespace}/{job_id}/labels",
            json={"labels": dict(labels)},
            what=f"job {job_id}",
        )
        return self._job(response, namespace, "the job")

    def _job(self, response: httpx2.Response, namespace: str, what: str) -> JobInfo:
        return _parse(  # type: ignore[no-any-return]
            lambda p: JobInfo.from_api(p, self.endpoint, namespace), _json(response), what
        )

    async def list_hardware(self) -> list[JobHardwareInfo]:
        response = await self._request("GET", "/api/jobs/hardware")
        return _parse_items(JobHardwareInfo.from_api, _json(response), "the hardware list")

    async def list_scheduled_jobs(self, namespace: str) -> list[ScheduledJobInfo]:
        response = await self._request("GET", f"/api/scheduled-jobs/{namespace}", what=namespace)
        return _parse_items(
            lambda item: ScheduledJobInfo.from_api(item, namespace),
            _json(response),
            f"the scheduled job list of {namespace}",
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
    ) -> AsyncIterator[LogLine]:
        """Yield a job's log lines; with `follow`, keep going until the job ends (see `logs`)."""
        return logs.stream_logs(
            self, namespace, job_id, tail=tail, follow=follow, on_status=on_status
        )

    def stream_metrics(self, namespace: str, job_id: str) -> AsyncIterator[dict[str, Any]]:
        """Yield one metrics sample per second while the job runs; ends when it stops."""
        return logs.stream_metrics(self, namespace, job_id)
