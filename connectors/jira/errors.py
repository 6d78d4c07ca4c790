"""Errors of the Jira connector: readable, secret-free, naming what failed and where."""

from __future__ import annotations


class JiraError(Exception):
    """A Jira call failed; the message names the method, path and Jira's own error text."""

    def __init__(self, message: str, *, status: int | None = None, path: str = "") -> None:
        super().__init__(message)
        self.status = status
        self.path = path


class JiraAuthError(JiraError):
    """401/403: the credentials are wrong or lack a permission (named in the message)."""


class JiraNotFoundError(JiraError):
    """404: a configured project (or another required resource) does not exist or is hidden."""


class JiraRetryExhaustedError(JiraError):
    """Throttling or transient failures outlasted the retry budget."""


class JiraConnectionLostError(JiraError):
    """A non-idempotent request lost its connection: it may or may not have been applied."""
