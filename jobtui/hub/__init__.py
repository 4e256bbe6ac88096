"""The Hub's Jobs API: models, token lookup and the async client. Knows nothing of Textual."""

from typing import TYPE_CHECKING, Any

from jobtui.hub.auth import Token, find_endpoint, find_token
from jobtui.hub.errors import (
    AuthError,
    DeadlineExceeded,
    ForbiddenError,
    HubError,
    HubUnreachable,
    InvalidRequest,
    InvalidResponse,
    ListingStopped,
    NotFoundError,
    NoTokenError,
    RateLimitedError,
    RequestRejected,
    ResponseTooLarge,
    ServerError,
)
from jobtui.hub.models import (
    Account,
    JobDurations,
    JobHardwareInfo,
    JobInfo,
    JobInitiator,
    JobNetwork,
    JobOwner,
    JobStage,
    JobStatus,
    LogLine,
    ScheduledJobInfo,
    Volume,
)
from jobtui.hub.ratelimit import Budget

if TYPE_CHECKING:
    from jobtui.hub.client import HubClient


def __getattr__(name: str) -> Any:
    # The client (and httpx with it) is imported when asked for, not with the models: the
    # settings and the UI read models and tokens long before the first request.
    if name == "HubClient":
        from jobtui.hub.client import HubClient

        return HubClient
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "Account",
    "AuthError",
    "Budget",
    "DeadlineExceeded",
    "ForbiddenError",
    "HubClient",
    "HubError",
    "HubUnreachable",
    "InvalidRequest",
    "InvalidResponse",
    "JobDurations",
    "JobHardwareInfo",
    "JobInfo",
    "JobInitiator",
    "JobNetwork",
    "JobOwner",
    "JobStage",
    "JobStatus",
    "ListingStopped",
    "LogLine",
    "NoTokenError",
    "NotFoundError",
    "RateLimitedError",
    "RequestRejected",
    "ResponseTooLarge",
    "ScheduledJobInfo",
    "ServerError",
    "Token",
    "Volume",
    "find_endpoint",
    "find_token",
]
