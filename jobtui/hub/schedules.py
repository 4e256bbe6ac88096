"""The Hub's scheduled-job calls beyond listing: suspend, resume, run now, reschedule, relabel,
delete. Paths, methods and bodies are those of `huggingface_hub` (`hf_api.py`)."""

from __future__ import annotations

from collections.abc import Mapping

import httpx2

from jobtui.hub.http import HubHTTP
from jobtui.hub.job import JobInfo
from jobtui.hub.records import ScheduledJobInfo
from jobtui.hub.wire import parse_one, read_json, segment, shown


def _what(scheduled_id: str) -> str:
    return f"scheduled job {shown(scheduled_id)}"


class ScheduleCalls(HubHTTP):
    """Mixed into `HubClient`: each method is one request to `/api/scheduled-jobs/...`."""

    @staticmethod
    def _scheduled_path(namespace: str, scheduled_id: str, action: str = "") -> str:
        path = (
            f"/api/scheduled-jobs/{segment(namespace, 'namespace')}"
            f"/{segment(scheduled_id, 'scheduled job')}"
        )
        return f"{path}/{action}" if action else path

    def _scheduled(self, response: httpx2.Response, namespace: str) -> ScheduledJobInfo | None:
        """The scheduled job the Hub answered with; None when it answered with nothing (the
        official client reads no body from suspend and resume)."""
        if not response.content.strip():
            return None
        return parse_one(
            lambda item: ScheduledJobInfo.from_api(item, namespace),
            read_json(response),
            "the scheduled job",
        )

    async def suspend_scheduled_job(
        self, namespace: str, scheduled_id: str
    ) -> ScheduledJobInfo | None:
        path = self._scheduled_path(namespace, scheduled_id, "suspend")
        response = await self._request("POST", path, what=_what(scheduled_id))
        return self._scheduled(response, namespace)

    async def resume_scheduled_job(
        self, namespace: str, scheduled_id: str
    ) -> ScheduledJobInfo | None:
        path = self._scheduled_path(namespace, scheduled_id, "resume")
        response = await self._request("POST", path, what=_what(scheduled_id))
        return self._scheduled(response, namespace)

    async def trigger_scheduled_job(self, namespace: str, scheduled_id: str) -> JobInfo:
        """Start a run now (the next scheduled run is unchanged). Sent once: it creates a job.
        A 409 means a run is in progress and the schedule does not allow concurrent runs."""
        response = await self._request(
            "POST",
            self._scheduled_path(namespace, scheduled_id, "run"),
            what=_what(scheduled_id),
            idempotent=False,
        )
        return parse_one(
            lambda item: JobInfo.from_api(item, self.endpoint, namespace),
            read_json(response),
            "the new run",
        )

    async def reschedule_scheduled_job(
        self, namespace: str, scheduled_id: str, schedule: str
    ) -> ScheduledJobInfo | None:
        response = await self._request(
            "POST",
            self._scheduled_path(namespace, scheduled_id, "schedule"),
            json={"schedule": schedule},
            what=_what(scheduled_id),
        )
        return self._scheduled(response, namespace)

    async def relabel_scheduled_job(
        self, namespace: str, scheduled_id: str, labels: Mapping[str, str]
    ) -> ScheduledJobInfo | None:
        response = await self._request(
            "PUT",
            self._scheduled_path(namespace, scheduled_id, "labels"),
            json={"labels": dict(labels)},
            what=_what(scheduled_id),
        )
        return self._scheduled(response, namespace)

    async def delete_scheduled_job(self, namespace: str, scheduled_id: str) -> None:
        await self._request(
            "DELETE", self._scheduled_path(namespace, scheduled_id), what=_what(scheduled_id)
        )
