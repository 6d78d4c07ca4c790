"""JSON batching (`POST $batch`): up to 20 requests run in order, with dependencies.

The SDK sends absolute item URLs and `depends_on` (API-FACTS §3.3); the docs use relative
URLs and `dependsOn`. Both are accepted. A request whose dependency failed answers 424.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from sandbox.graph.errors import GraphError, bad_request, error_body
from sandbox.graph.http import GraphRequest, GraphResponse, json_response
from sandbox.graph.paths import split_raw_path
from sandbox.graph.state import GraphState

MAX_REQUESTS = 20
Dispatch = Callable[[GraphState, GraphRequest], GraphResponse]


def _items(body: dict[str, Any]) -> list[dict[str, Any]]:
    items = body.get("requests")
    if not isinstance(items, list) or not items:
        raise bad_request("$batch: 'requests' must be a non-empty array.")
    if len(items) > MAX_REQUESTS:
        raise bad_request(f"$batch: {len(items)} requests; the limit is {MAX_REQUESTS}.")
    seen: set[str] = set()
    for index, item in enumerate(items):
        if not isinstance(item, dict) or not all(item.get(k) for k in ("id", "method", "url")):
            raise bad_request(f"$batch: requests[{index}] needs 'id', 'method' and 'url'.")
        if str(item["id"]) in seen:
            raise bad_request(f"$batch: the request id '{item['id']}' is used twice.")
        for dependency in _dependencies(item):
            if dependency not in seen:
                raise bad_request(
                    f"$batch: request '{item['id']}' depends on '{dependency}', "
                    "which is not an earlier request of this batch."
                )
        seen.add(str(item["id"]))
    return items


def _dependencies(item: dict[str, Any]) -> list[str]:
    return [str(d) for d in (item.get("dependsOn") or item.get("depends_on") or [])]


def _inner_request(outer: GraphRequest, item: dict[str, Any]) -> GraphRequest:
    url = urlsplit(str(item["url"]))
    segments, raw_path = split_raw_path(url.path)
    if segments and segments[0] == "$batch":
        raise bad_request(f"$batch: request '{item['id']}' may not be a nested $batch.")
    headers = {str(k).lower(): str(v) for k, v in (item.get("headers") or {}).items()}
    payload = _payload(item.get("body"), headers.get("content-type", ""), str(item["id"]))
    return GraphRequest(
        method=str(item["method"]).upper(),
        segments=segments,
        raw_path=raw_path,
        query_pairs=tuple(parse_qsl(url.query, keep_blank_values=True)),
        headers=headers,
        body=payload,
        base_url=outer.base_url,
    )


def _payload(body: Any, content_type: str, item_id: str) -> bytes:
    """A JSON body as sent, or a string body: base64 unless its content type is JSON or text."""
    if body is None:
        return b""
    if not isinstance(body, str):
        return json.dumps(body).encode()
    if "json" in content_type or content_type.startswith("text/"):
        return body.encode()
    try:
        return base64.b64decode(body, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise bad_request(f"$batch: the body of request '{item_id}' is not base64.") from exc


def _as_item(item_id: str, response: GraphResponse) -> dict[str, Any]:
    entry: dict[str, Any] = {"id": item_id, "status": response.status, "headers": {}}
    entry["headers"].update(response.headers)
    if response.content is not None:
        entry["body"] = base64.b64encode(response.content).decode()
    elif response.body is not None:
        entry["headers"]["Content-Type"] = "application/json"
        entry["body"] = response.body
    return entry


def _error(status: int, code: str, message: str) -> GraphResponse:
    return GraphResponse(status=status, body=error_body(code, message))


def run_batch(graph: GraphState, req: GraphRequest, dispatch: Dispatch) -> GraphResponse:
    statuses: dict[str, int] = {}
    responses = []
    for item in _items(req.json()):
        item_id = str(item["id"])
        failed = [d for d in _dependencies(item) if not 200 <= statuses[d] < 300]
        if failed:
            response = _error(424, "FailedDependency", f"Dependency {failed[0]!r} failed.")
        else:
            try:
                response = dispatch(graph, _inner_request(req, item))
            except GraphError as exc:
                response = GraphResponse(
                    exc.status, error_body(exc.code, exc.message), None, exc.headers
                )
        statuses[item_id] = response.status
        responses.append(_as_item(item_id, response))
    return json_response({"responses": responses})
