"""What the Jobs API returns, as immutable objects named like `huggingface_hub`'s.

The classes live in `job` (a job and its parts), `records` (hardware, account, scheduled
jobs, log lines) and `parsing` (the tolerant value readers); this module gathers them.
"""

from jobtui.hub.job import (
    TERMINAL_STAGES,
    JobDurations,
    JobInfo,
    JobInitiator,
    JobNetwork,
    JobOwner,
    JobStage,
    JobStatus,
    Volume,
    parse_stage,
)
from jobtui.hub.parsing import DEFAULT_ENDPOINT, MAX_INT, MalformedPayload, parse_timestamp
from jobtui.hub.records import (
    JOB_STARTED_MARKER,
    Account,
    JobAccelerator,
    JobHardwareInfo,
    LogLine,
    ScheduledJobInfo,
)

__all__ = [
    "DEFAULT_ENDPOINT",
    "JOB_STARTED_MARKER",
    "MAX_INT",
    "TERMINAL_STAGES",
    "Account",
    "JobAccelerator",
    "JobDurations",
    "JobHardwareInfo",
    "JobInfo",
    "JobInitiator",
    "JobNetwork",
    "JobOwner",
    "JobStage",
    "JobStatus",
    "LogLine",
    "MalformedPayload",
    "ScheduledJobInfo",
    "Volume",
    "parse_stage",
    "parse_timestamp",
]
