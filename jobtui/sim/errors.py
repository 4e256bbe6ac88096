"""The answers the simulated Hub refuses a request with: each carries its HTTP status."""

from __future__ import annotations


class ApiError(Exception):
    """A request the Hub API refuses; `status` is the HTTP status it answers with."""

    status = 400

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class BadRequest(ApiError):
    status = 400


class Forbidden(ApiError):
    status = 403


class NotFound(ApiError):
    status = 404


class Conflict(ApiError):
    status = 409
