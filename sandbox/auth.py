"""Credentials checked the way the real services check them, answered in their shapes."""

from __future__ import annotations

import base64
import binascii
import hmac

from starlette.requests import Request

from sandbox.errors import GraphError, JiraError


def check_jira(request: Request, creds: dict[str, str]) -> None:
    """Basic (email + API token) or bearer PAT; anything else is 401."""
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() == "basic":
        try:
            email, _, token = base64.b64decode(value, validate=True).decode().partition(":")
        except (binascii.Error, UnicodeDecodeError):
            email, token = "", ""
        if _same(email, creds["email"]) and _same(token, creds["api_token"]):
            return
    elif scheme.lower() == "bearer" and _same(value, creds["pat"]):
        return
    message = (
        "You are not authenticated. Authentication required to perform this operation."
        if not header
        else "Client must be authenticated to access this resource."
    )
    raise JiraError(401, message, headers={"WWW-Authenticate": 'Basic realm="protected-area"'})


def check_graph(request: Request, creds: dict[str, str]) -> None:
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    if not header:
        raise GraphError(401, "Access token is empty.", code="InvalidAuthenticationToken")
    if scheme.lower() != "bearer" or not _same(value, creds["token"]):
        raise GraphError(
            401,
            "Access token validation failure. Invalid audience.",
            code="InvalidAuthenticationToken",
        )


def _same(given: str, expected: str) -> bool:
    return hmac.compare_digest(given.encode(), expected.encode())
