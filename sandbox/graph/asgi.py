"""Starlette glue: raw ASGI request -> GraphRequest -> dispatch -> Graph-shaped response."""

from __future__ import annotations

import json
import logging
from typing import Any
from urllib.parse import parse_qsl

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from sandbox.graph.batch import run_batch
from sandbox.graph.errors import GraphError, error_body
from sandbox.graph.http import GraphRequest, GraphResponse
from sandbox.graph.paths import API_ROOT, split_raw_path
from sandbox.graph.routing import dispatch
from sandbox.graph.state import GraphState
from sandbox.graph.webhook import serve as serve_webhook

log = logging.getLogger(__name__)
JSON_TYPE = "application/json; odata.metadata=minimal; odata.streaming=true; charset=utf-8"
METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"]


async def graph_request(request: Request) -> GraphRequest:
    """Build the record from the *raw* path: segments are split before being decoded."""
    raw = request.scope.get("raw_path") or request.url.path.encode()
    segments, raw_path = split_raw_path(raw.decode("latin-1"))
    host = request.headers.get("host", "127.0.0.1")
    return GraphRequest(
        method=request.method.upper(),
        segments=segments,
        raw_path=raw_path,
        query_pairs=tuple(parse_qsl(request.url.query, keep_blank_values=True)),
        headers={k.lower(): v for k, v in request.headers.items()},
        body=await request.body(),
        base_url=f"{request.url.scheme}://{host}/{API_ROOT}",
    )


def handle(graph: GraphState, req: GraphRequest) -> GraphResponse:
    """Dispatch under the state's lock and render the JSON there too, so that a test changing
    the state from another thread never meets a half-written record."""
    with graph.lock:
        return rendered(_dispatch(graph, req))


def rendered(response: GraphResponse) -> GraphResponse:
    """The response with its JSON body already encoded (`content` plus the JSON media type)."""
    if response.body is None or response.content is not None:
        return response
    content = json.dumps(response.body, ensure_ascii=False).encode()
    return GraphResponse(
        response.status, None, content, {**response.headers, "Content-Type": JSON_TYPE}
    )


def _dispatch(graph: GraphState, req: GraphRequest) -> GraphResponse:
    """Dispatch, with `$batch` on top; errors become Graph's error body."""
    try:
        if req.segments == ("$batch",) and req.method == "POST":
            return run_batch(graph, req, dispatch)
        return dispatch(graph, req)
    except GraphError as exc:
        body = error_body(exc.code, exc.message, req.header("client-request-id"))
        return GraphResponse(exc.status, body, None, exc.headers)
    except Exception:  # a sandbox bug must still answer in Graph's shape, and be logged
        log.exception("Graph emulator failed on %s %s", req.method, req.raw_path)
        body = error_body("InternalServerError", "The sandbox failed on this request.")
        return GraphResponse(500, body)


def to_starlette(response: GraphResponse) -> Response:
    if response.content is not None:
        return Response(response.content, response.status, headers=response.headers)
    if response.body is None:
        return Response(b"", response.status, headers=response.headers)
    content = json.dumps(response.body, ensure_ascii=False).encode()
    return Response(content, response.status, headers=response.headers, media_type=JSON_TYPE)


def routes(core: Any) -> list[BaseRoute]:
    """Routes relative to the `/v1.0` mount; `core.graph` is read per request (it may be reset)."""

    async def endpoint(request: Request) -> Response:
        return to_starlette(handle(core.graph, await graph_request(request)))

    return [Route("/{path:path}", endpoint, methods=METHODS)]


def webhook_routes(core: Any) -> list[BaseRoute]:
    """Teams Workflows webhooks at the server root: `/_sandbox/webhooks/teams/{id}` (and
    `/webhooks/teams/{id}`, where the core routes its webhook service)."""

    async def endpoint(request: Request) -> Response:
        hook, body = request.path_params["hook"], await request.body()
        return to_starlette(serve_webhook(core.graph, hook, request.method, body))

    return [
        Route(f"{prefix}/webhooks/teams/{{hook}}", endpoint, methods=["GET", "POST"])
        for prefix in ("/_sandbox", "")
    ]
