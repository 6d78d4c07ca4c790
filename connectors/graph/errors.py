"""Graph failures as clear, secret-free errors that name the resource and the permission."""

from __future__ import annotations

from collections.abc import Awaitable
from typing import Any, TypeVar

from kiota_abstractions.api_error import APIError

T = TypeVar("T")

# What each kind of call needs in Entra ID; quoted in 401/403 errors so an admin can fix it.
PERMISSIONS: dict[str, str] = {
    "users": "User.Read.All (application)",
    "planner": "Tasks.Read.All or Group.Read.All (application)",
    "time_cards": "Schedule.Read.All (application)",
    "list_items": "Sites.Read.All (application)",
    "channel_message": (
        "ChannelMessage.Send (delegated only: Graph does not let an app post to a channel on its "
        "own). Set graph.delegated_token, or configure publish.<target>.teams_webhook with a Teams "
        "Workflows webhook URL for unattended posting"
    ),
    "drive_upload": "Files.ReadWrite.All or Sites.ReadWrite.All (application)",
    "send_mail": "Mail.Send (application; scope it to the sending mailbox with an access policy)",
    "planner_write": "Tasks.ReadWrite.All (application)",
}


class GraphConnectorError(Exception):
    """A Graph call that failed for good: status, resource and what to do about it."""

    def __init__(self, message: str, *, status: int | None = None, resource: str = "") -> None:
        super().__init__(message)
        self.status = status
        self.resource = resource


def status_of(exc: BaseException) -> int | None:
    return getattr(exc, "response_status_code", None)


def service_message(exc: APIError) -> str:
    """The service's own message (ODataError carries it in `error.message`)."""
    error = getattr(exc, "error", None)
    message = getattr(error, "message", None) or exc.message or type(exc).__name__
    return str(message)[:300]


def explain(exc: APIError, resource: str, permission: str) -> GraphConnectorError:
    status = status_of(exc)
    detail = service_message(exc)
    if status in (401, 403):
        needed = PERMISSIONS.get(permission, permission)
        word = "unauthorised (401)" if status == 401 else "forbidden (403)"
        text = f"Graph refused {resource}: {word}. It needs the permission {needed}. ({detail})"
    elif status == 404:
        text = f"Graph has no {resource} (404): check the id in the configuration. ({detail})"
    else:
        text = f"Graph call for {resource} failed with status {status}: {detail}"
    return GraphConnectorError(text, status=status, resource=resource)


async def guarded(call: Awaitable[T], resource: str, permission: str) -> T:
    """Await a Graph call; an API error becomes a `GraphConnectorError` naming what failed."""
    try:
        return await call
    except APIError as exc:
        if status_of(exc) == 410:
            raise  # the delta reader restarts on 410 itself
        raise explain(exc, resource, permission) from None


def is_gone(exc: Any) -> bool:
    return isinstance(exc, APIError) and status_of(exc) == 410
