"""Errors in the shapes the real services answer with.

Handlers raise these; the app turns them into responses, so a handler never builds an
error body by hand and every error names what was wrong and where.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from starlette.responses import JSONResponse


class ServiceError(Exception):
    """An HTTP error a handler wants to answer with."""

    def __init__(
        self,
        status: int,
        message: str,
        *,
        field_errors: dict[str, str] | None = None,
        code: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.field_errors = field_errors or {}
        self.code = code
        self.headers = headers or {}


class JiraError(ServiceError):
    """Answered as Jira's ErrorCollection: ``{"errorMessages": [...], "errors": {...}}``."""

    def response(self) -> JSONResponse:
        messages = [self.message] if self.message else []
        body = {"errorMessages": messages, "errors": self.field_errors}
        return JSONResponse(body, status_code=self.status, headers=self.headers)


GRAPH_CODES = {
    400: "BadRequest",
    401: "InvalidAuthenticationToken",
    403: "Forbidden",
    404: "itemNotFound",
    405: "MethodNotAllowed",
    409: "conflict",
    412: "PreconditionFailed",
    413: "RequestEntityTooLarge",
    416: "InvalidRange",
    429: "TooManyRequests",
    500: "InternalServerError",
    503: "ServiceUnavailable",
}


class GraphError(ServiceError):
    """Answered as Graph's error: ``{"error": {"code", "message", "innerError"}}``."""

    def body(self) -> dict[str, Any]:
        return graph_error_body(self.status, self.message, self.code)

    def response(self) -> JSONResponse:
        return JSONResponse(self.body(), status_code=self.status, headers=self.headers)


def graph_error_body(status: int, message: str, code: str | None = None) -> dict[str, Any]:
    request_id = str(uuid.uuid4())
    return {
        "error": {
            "code": code or GRAPH_CODES.get(status, "generalException"),
            "message": message,
            "innerError": {
                "date": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S"),
                "request-id": request_id,
                "client-request-id": request_id,
            },
        }
    }


def jira_error_body(message: str) -> dict[str, Any]:
    return {"errorMessages": [message], "errors": {}}


def webhook_signature(creds: dict[str, Any]) -> str:
    """The ``sig`` a Workflows webhook URL carries (real ones are signed the same way)."""
    return str(creds.get("webhook", {}).get("sig", "sandbox-workflow-signature"))
