"""Errors of the Jira connector: readable, secret-free, naming what failed and where."""

from __future__ import annotations

from connectors.resilience import OutcomeUnknownError


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


class JiraConnectionLostError(JiraError, OutcomeUnknownError):
    """A request that is not safe to repeat got no clear answer (connection lost after
    sending, a timeout, a 5xx): it may or may not have been applied. The publisher looks
    for it at the target before anything is sent again."""
