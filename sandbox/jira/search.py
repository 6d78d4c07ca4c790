"""Jira's enhanced search (``search/jql``), the offset ``search``, counts, and issue GET.

A Cloud tenant (the default) serves ``search/jql`` and answers the removed ``search`` with
410. A Data Center tenant (``jira.deployment: datacenter``) is the other way round, as the
real ones are: only the offset-paged ``search`` (``startAt``/``total``), and no
``search/jql`` or ``search/approximate-count`` (404).
"""

from __future__ import annotations

import base64
import json
from typing import Any

from starlette.responses import JSONResponse, Response

from sandbox.call import Call
from sandbox.errors import JiraError
from sandbox.jira import jql, jql_eval, render
from sandbox.jira.meta import field_list
from sandbox.router import Router

API = "rest/api/{ver}"
POST_KEYS = {
    "jql",
    "nextPageToken",
    "maxResults",
    "fields",
    "expand",
    "properties",
    "fieldsByKeys",
    "failFast",
    "reconcileIssues",
}
IDS_ONLY_LIMIT = 5000
WITH_FIELDS_LIMIT = 100
OFFSET_LIMIT = 1000  # Data Center's default jira.search.views.default.max
NOT_FOUND = "null for uri"  # what Data Center's REST layer says for an unknown resource
REMOVED = (
    "The requested API has been removed. Please migrate to the /rest/api/3/search/jql API. "
    "A full migration guideline is available at https://developer.atlassian.com/changelog/#CHANGE-2046"
)


def run_query(call: Call, text: str) -> list[int]:
    """Positions matching the JQL, in order; a query outside the subset is a 400."""
    try:
        query = jql.parse(text)
        with call.state.lock:
            return jql_eval.evaluate(
                query, call.state.issues.columns(), call.state.jql_context()
            ).tolist()
    except jql.JqlError as exc:
        raise JiraError(400, str(exc)) from None


def _encode_token(text: str, offset: int) -> str:
    raw = json.dumps({"j": text, "o": offset}).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode_token(token: str, text: str) -> int:
    try:
        raw = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
        if raw["j"] == text and isinstance(raw["o"], int) and raw["o"] >= 0:
            return int(raw["o"])
    except (ValueError, KeyError, TypeError):
        pass
    raise JiraError(400, "The provided next page token is invalid or expired.")


def _search(call: Call, request: dict[str, Any]) -> Response:
    text = request.get("jql") or ""
    fields = request.get("fields") or None
    if fields == ["id"]:
        fields = None
    limit = IDS_ONLY_LIMIT if fields is None else WITH_FIELDS_LIMIT
    size = request.get("maxResults") or 50
    if not isinstance(size, int) or size < 0:
        raise JiraError(400, "The 'maxResults' parameter must be a non-negative integer.")
    size = min(size, limit)
    positions = run_query(call, text)
    token = request.get("nextPageToken")
    start = _decode_token(token, text) if token else 0
    page = positions[start : start + size]
    expand = {e.strip() for e in (request.get("expand") or "").split(",") if e.strip()}
    field_ids = [f["id"] for f in field_list(call) if f.get("navigable")]
    issues = [
        render.issue(
            call.state, p, version=call.version, fields=fields, expand=expand, field_ids=field_ids
        )
        for p in page
    ]
    body: dict[str, Any] = {"issues": issues, "isLast": start + size >= len(positions)}
    if not body["isLast"]:
        body["nextPageToken"] = _encode_token(text, start + size)
    if "names" in expand:
        body["names"] = {f["id"]: f["name"] for f in field_list(call)}
    return JSONResponse(body)


def is_datacenter(call: Call) -> bool:
    return call.state.doc["jira"].get("deployment") == "datacenter"


def cloud_only(call: Call) -> None:
    if is_datacenter(call):
        raise JiraError(404, NOT_FOUND)


def _as_list(value: Any) -> list[str] | None:
    """`fields`/`expand` as Data Center takes them: an array, or a comma-separated string."""
    if value is None:
        return None
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return value
    raise JiraError(400, "'fields' and 'expand' must be arrays of strings.")


def _offset_search(call: Call, request: dict[str, Any]) -> Response:
    start, size = request.get("startAt") or 0, request.get("maxResults")
    size = 50 if size is None else size
    for name, value in (("startAt", start), ("maxResults", size)):
        if not isinstance(value, int) or value < 0:
            raise JiraError(400, f"The '{name}' parameter must be a non-negative integer.")
    size = min(size, OFFSET_LIMIT)
    fields = _as_list(request.get("fields"))
    expand = set(_as_list(request.get("expand")) or [])
    positions = run_query(call, request.get("jql") or "")
    field_ids = [f["id"] for f in field_list(call) if f.get("navigable")]
    issues = [
        render.issue(
            call.state, p, version=call.version, fields=fields, expand=expand, field_ids=field_ids
        )
        for p in positions[start : start + size]
    ]
    body = {"expand": "schema,names", "startAt": start, "maxResults": size}
    return JSONResponse(body | {"total": len(positions), "issues": issues})


async def search_get(call: Call) -> Response:
    cloud_only(call)
    request = {
        "jql": call.query("jql"),
        "nextPageToken": call.query("nextPageToken"),
        "maxResults": call.query_int("maxResults", 50),
        "fields": call.query_list("fields"),
        "expand": call.query("expand"),
    }
    return _search(call, request)


async def search_post(call: Call) -> Response:
    cloud_only(call)
    body = await call.json_object()
    unknown = sorted(set(body) - POST_KEYS)
    if unknown:
        raise JiraError(400, f'Unrecognized field "{unknown[0]}" in the request body.')
    fields = body.get("fields")
    if fields is not None and not (
        isinstance(fields, list) and all(isinstance(f, str) for f in fields)
    ):
        raise JiraError(400, "'fields' must be an array of strings.")
    expand = body.get("expand")
    if isinstance(expand, list):
        body["expand"] = ",".join(expand)
    return _search(call, body)


async def offset_search_get(call: Call) -> Response:
    if not is_datacenter(call):
        raise JiraError(410, REMOVED)
    request = {
        "jql": call.query("jql"),
        "startAt": call.query_int("startAt", 0),
        "maxResults": call.query_int("maxResults", 50),
        "fields": call.query("fields"),
        "expand": call.query("expand"),
    }
    return _offset_search(call, request)


async def offset_search_post(call: Call) -> Response:
    if not is_datacenter(call):
        raise JiraError(410, REMOVED)
    return _offset_search(call, await call.json_object())


async def approximate_count(call: Call) -> Response:
    cloud_only(call)
    body = await call.json_object()
    return JSONResponse({"count": len(run_query(call, body.get("jql") or ""))})


def find_issue(call: Call, id_or_key: str | None = None) -> int:
    wanted = id_or_key or call.params["key"]
    pos = call.state.issues.find(wanted)
    if pos is None:
        raise JiraError(404, "Issue does not exist or you do not have permission to see it.")
    return pos


async def issue_get(call: Call) -> Response:
    pos = find_issue(call)
    fields = call.query_list("fields") or ["*all"]
    expand = set(call.query_list("expand"))
    field_ids = [f["id"] for f in field_list(call) if f.get("navigable")]
    return JSONResponse(
        render.issue(
            call.state, pos, version=call.version, fields=fields, expand=expand, field_ids=field_ids
        )
    )


async def issue_transitions(call: Call) -> Response:
    """The transitions available on an issue (what `expand=transitions` embeds)."""
    record = call.state.issues.record(find_issue(call))
    found = render.transitions(call.state, record, call.version)
    wanted = call.query("transitionId")
    if wanted:
        found = [t for t in found if t["id"] == wanted]
    return JSONResponse({"expand": "transitions", "transitions": found})


def register(router: Router) -> None:
    router.add("GET", f"{API}/search/jql", search_get)
    router.add("POST", f"{API}/search/jql", search_post)
    router.add("GET", f"{API}/search", offset_search_get)
    router.add("POST", f"{API}/search", offset_search_post)
    router.add("POST", f"{API}/search/approximate-count", approximate_count)
    router.add("GET", f"{API}/issue/{{key}}", issue_get)
    router.add("GET", f"{API}/issue/{{key}}/transitions", issue_transitions)
