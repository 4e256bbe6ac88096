"""The Hub's Jobs API: models, token lookup and the async client. Knows nothing of Textual."""

from jobtui.hub.auth import Token, find_endpoint, find_token
from jobtui.hub.client import HubClient
from jobtui.hub.errors import (
    AuthError,
    ForbiddenError,
    HubError,
    HubUnreachable,
    InvalidResponse,
    NotFoundError,
    NoTokenError,
    RateLimitedError,
    RequestRejected,
    ServerError,
)
from jobtui.hub.models import (
    Account,
    JobDurations,
    JobHardwareInfo,
    JobInfo,
    JobInitiator,
    JobOwner,
    JobStage,
    JobStatus,
    LogLine,
    ScheduledJobInfo,
    Volume,
)

__all__ = [
    "Account",
    "AuthError",
    "ForbiddenError",
    "HubClient",
    "HubError",
    "HubUnreachable",
    "InvalidResponse",
    "JobDurations",
    "JobHardwareInfo",
    "JobInfo",
    "JobInitiator",
    "JobOwner",
    "JobStage",
    "JobStatus",
    "LogLine",
    "NoTokenError",
    "NotFoundError",
    "RateLimitedError",
    "RequestRejected",
    "ScheduledJobInfo",
    "ServerError",
    "Token",
    "Volume",
    "find_endpoint",
    "find_token",
]
