"""The few ways a Hub call can fail, each with a message a person can act on."""

from __future__ import annotations

from typing import Any


class HubError(Exception):
    """Base of every failure the client reports. `str()` is the message to show.

    For a narrow place, the parts: `status` (the HTTP status, if any), `reason` (the Hub's
    own words, cleaned; "" when it gave none) and `fix` (what the user can do; "" if nothing).
    """

    status: int | None = None
    reason: str = ""
    fix: str = ""

    def __init__(
        self, message: str, *, status: int | None = None, reason: str = "", fix: str = ""
    ) -> None:
        super().__init__(message)
        self.message = message
        if status is not None:
            self.status = status
        self.reason = reason
        self.fix = fix

    def __str__(self) -> str:
        return self.message


class NoTokenError(HubError):
    """No token was given and none was found where `hf auth login` puts it."""


class AuthError(HubError):
    """401: the token was refused."""

    status = 401


class ForbiddenError(HubError):
    """403: the token may not see this namespace."""

    status = 403


class NotFoundError(HubError):
    """404: no such job, scheduled job or namespace."""

    status = 404


class RateLimitedError(HubError):
    """429 that outlasted our retries."""

    status = 429

    def __init__(self, message: str, *, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class RequestRejected(HubError):
    """Another 4xx: the Hub refused the request as sent (it is not retried)."""


class ServerError(HubError):
    """5xx that outlasted our retries."""


class HubUnreachable(HubError):
    """No answer at all: connection refused, DNS, timeouts, a dropped connection."""


class InvalidResponse(HubError):
    """The Hub answered with something that is not what the API promises."""


class InvalidRequest(HubError):
    """jobtui refused to send a request: a value (often one the Hub sent, such as an id with a
    control character or a lone surrogate) cannot be put in a URL, header or JSON body."""


class DeadlineExceeded(HubUnreachable):
    """The Hub did not deliver a whole answer within the request's deadline (a trickle)."""


class ResponseTooLarge(InvalidResponse):
    """An answer larger than jobtui will hold once decoded (a decompression bomb, say)."""

    def __init__(self, message: str, *, limit: int) -> None:
        super().__init__(message)
        self.limit = limit


class ListingStopped(InvalidResponse):
    """A job listing that would not end (fresh next-page links forever) was cut short.

    `pages` is how many pages were read; the jobs of those pages were yielded already.
    """

    def __init__(self, message: str, *, pages: int) -> None:
        super().__init__(message)
        self.pages = pages
        self.jobs: list[Any] = []  # list_jobs puts the jobs read so far here
