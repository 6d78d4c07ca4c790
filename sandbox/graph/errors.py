"""Graph's error shape: every failure the emulator reports looks like the real service's."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any


class GraphError(Exception):
    """A request the emulator refuses; rendered as `{"error": {"code", "message", "innerError"}}`."""

    def __init__(
        self, status: int, code: str, message: str, headers: dict[str, str] | None = None
    ) -> None:
        super().__init__(f"{status} {code}: {message}")
        self.status = status
        self.code = code
        self.message = message
        self.headers = headers or {}


def error_body(code: str, message: str, client_request_id: str | None = None) -> dict[str, Any]:
    """The JSON body Graph sends with every 4xx/5xx (MGD concepts/errors.md)."""
    request_id = str(uuid.uuid4())
    return {
        "error": {
            "code": code,
            "message": message,
            "innerError": {
                "date": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S"),
                "request-id": request_id,
                "client-request-id": client_request_id or request_id,
            },
        }
    }


def bad_request(message: str) -> GraphError:
    return GraphError(400, "BadRequest", message)


def not_found(resource: str, ident: str) -> GraphError:
    """404 naming the resource type and the id that was asked for."""
    return GraphError(404, "NotFound", f"The {resource} '{ident}' was not found.")
