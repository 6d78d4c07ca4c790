"""`users/{id}` and `users`: the directory entries connectors resolve ids to e-mails with.

Added by the Microsoft 365 connector (issue 5): Planner assignments and Shifts time cards
name people by Graph user id only, so the connector reads `users/{id}` (in `$batch`).
"""

from __future__ import annotations

from typing import Any

from sandbox.graph.http import GraphRequest, GraphResponse, json_response
from sandbox.graph.paging import paged_collection
from sandbox.graph.state import GraphState

USER_KEYS = ("id", "mail", "userPrincipalName", "displayName", "otherMails", "givenName", "surname")


def _public(user: dict[str, Any], req: GraphRequest) -> dict[str, Any]:
    wanted = [s.strip() for s in (req.query("select") or "").split(",") if s.strip()]
    keys = [k for k in USER_KEYS if not wanted or k in wanted]
    return {"id": user["id"], **{k: user.get(k) for k in keys if k in user}}


def get_user(graph: GraphState, req: GraphRequest, user: str) -> GraphResponse:
    return json_response(_public(graph.user(user), req))


def list_users(graph: GraphState, req: GraphRequest) -> GraphResponse:
    users = [_public(u, req) for u in graph.users.values()]
    return json_response(paged_collection(req, users, 100, maximum=999))
