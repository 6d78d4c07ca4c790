"""The ASGI application: faults and counters, auth, then the route's handler.

One app serves Jira (``/rest/...``), Graph (``/v1.0/...``), the Teams Workflows webhook
(``/webhooks/...``) and the sandbox's own control API (``/_sandbox/...``).
"""

from __future__ import annotations

import asyncio
import contextvars
import json
import logging
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.types import Receive, Scope, Send

from sandbox import auth
from sandbox.call import Call
from sandbox.errors import GraphError, JiraError, ServiceError, graph_error_body, webhook_signature
from sandbox.faults import FaultInjector, FaultRule, Stats
from sandbox.graph import asgi as graph_asgi
from sandbox.graph import errors as graph_errors
from sandbox.graph import http as graph_http
from sandbox.graph import routing as graph_routing
from sandbox.graph import webhook as graph_webhook
from sandbox.router import Router, raw_segments
from sandbox.state import SandboxState

log = logging.getLogger("sandbox")

# The connection's transport, set by the server's protocol for each request, so a fault can
# drop the connection the way a failing proxy does (uvicorn doesn't expose it in the scope).
CURRENT_TRANSPORT: contextvars.ContextVar[Any] = contextvars.ContextVar("transport", default=None)


def service_of(segments: list[str]) -> str:
    head = segments[0] if segments else ""
    return {"rest": "jira", "v1.0": "graph", "webhooks": "webhook", "_sandbox": "control"}.get(
        head, ""
    )


class SandboxApp:
    def __init__(self, state: SandboxState, faults: FaultInjector | None = None) -> None:
        from sandbox.routes import build_router  # the route modules import this one's helpers

        self.state = state
        self.faults = faults or FaultInjector()
        self.stats = Stats()
        self.router: Router = build_router()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await _lifespan(receive, send)
            return
        if scope["type"] != "http":
            return
        scope["sandbox.app"] = self
        request = Request(scope, receive)
        segments = raw_segments(request)
        service = service_of(segments)
        if service in ("graph", "webhook"):
            await self._graph(request, service, scope, receive, send)
            return
        route, params, path_known = self.router.resolve(request.method, segments)
        name = route.name if route else "unmatched"
        reply_delay = 0.0
        if service != "control":
            handled, reply_delay = await self._faulted(request, service, name, scope, receive, send)
            if handled:
                return
        call = Call(request, params, self.state, service)
        response = await self._respond(call, route, path_known)
        if service != "control":  # the counters are about the emulated services only
            self.stats.count(name, response.status_code)
        await _slow_reply(reply_delay)
        await response(scope, receive, send)

    async def _graph(
        self, request: Request, service: str, scope: Scope, receive: Receive, send: Send
    ) -> None:
        """Graph and the Workflows webhook are served by `sandbox.graph`; faults and auth here."""
        req = await graph_asgi.graph_request(request)
        name = _graph_route_name(req) if service == "graph" else "POST /webhooks/teams/{hook}"
        handled, reply_delay = await self._faulted(request, service, name, scope, receive, send)
        if handled:
            return
        call = Call(request, {}, self.state, "graph")
        try:
            if service == "graph":
                self._authenticate(call)
                response = graph_asgi.to_starlette(graph_asgi.handle(self.state.graph, req))
            else:
                response = await self._webhook(request)
        except ServiceError as exc:
            response = exc.response()  # type: ignore[attr-defined]
        self.stats.count(name, response.status_code)
        await _slow_reply(reply_delay)
        await response(scope, receive, send)

    async def _webhook(self, request: Request) -> Response:
        segments = raw_segments(request)
        if len(segments) != 3 or segments[1] != "teams":
            raise GraphError(404, f"No webhook at {request.url.path}.")
        if request.query_params.get("sig") != webhook_signature(self.state.credentials):
            raise GraphError(401, "The webhook signature is missing or wrong.", code="Unauthorized")
        hook = segments[2]
        if request.method == "GET":
            return graph_asgi.to_starlette(graph_webhook.read_cards(self.state.graph, hook))
        try:
            posted = graph_webhook.post_card(self.state.graph, hook, await request.body())
        except graph_errors.GraphError as exc:
            posted = graph_http.GraphResponse(
                exc.status, graph_errors.error_body(exc.code, exc.message)
            )
        return graph_asgi.to_starlette(posted)

    async def _respond(self, call: Call, route: Any, path_known: bool) -> Response:
        try:
            self._authenticate(call)
            if route is None:
                raise call.error(405 if path_known else 404, _not_found(call, path_known))
            if "ver" in call.params and call.params["ver"] not in ("2", "3"):
                raise JiraError(404, f"REST API version {call.params['ver']} does not exist.")
            return await route.handler(call)
        except ServiceError as exc:
            return exc.response()  # type: ignore[attr-defined]
        except Exception as exc:  # a sandbox bug must still answer in the service's shape
            log.exception(
                "sandbox handler failed for %s %s", call.request.method, call.request.url.path
            )
            return call.error(500, f"sandbox internal error: {type(exc).__name__}").response()  # type: ignore[attr-defined]

    async def _faulted(
        self, request: Request, service: str, name: str, scope: Scope, receive: Receive, send: Send
    ) -> tuple[bool, float]:
        """Apply this request's faults: (True when an error or a drop answered it, seconds to
        hold the reply back after the request was handled)."""
        decision = self.faults.decide(request.method, request.url.path)
        if decision.delay_s:
            self.stats.count_fault("latency")
            await asyncio.sleep(decision.delay_s)
        if decision.error is None:
            if decision.reply_delay_s:
                self.stats.count_fault("slow_reply")
            return False, decision.reply_delay_s
        self.stats.count_fault(decision.error.kind)
        await self._inject(decision.error, service, name, scope, receive, send)
        return True, 0.0

    def _authenticate(self, call: Call) -> None:
        creds = self.state.credentials
        if call.service == "jira":
            auth.check_jira(call.request, creds["jira"])
        elif call.service == "graph" and not call.request.url.path.startswith("/v1.0/_upload/"):
            # upload URLs are pre-authenticated, as Graph's are; everything else needs a token
            auth.check_graph(call.request, creds["graph"])

    async def _inject(
        self, rule: FaultRule, service: str, name: str, scope: Scope, receive: Receive, send: Send
    ) -> None:
        if rule.kind in ("drop", "drop_mid"):
            self.stats.count(name, "dropped")
            await _drop(send, mid=rule.kind == "drop_mid")
            return
        status = int(rule.kind)
        headers = {"Retry-After": str(int(rule.retry_after))}
        if status == 429 and service == "jira":
            headers |= {
                "RateLimit-Reason": rule.reason,
                "X-RateLimit-Limit": "100",
                "X-RateLimit-Remaining": "0",
                "X-RateLimit-NearLimit": "true",
            }
        message = {
            429: "Rate limit exceeded.",
            503: "Service unavailable.",
            500: "Internal server error.",
        }[status]
        body = (
            graph_error_body(status, message)
            if service == "graph"
            else {"errorMessages": [message], "errors": {}}
        )
        if status == 500:
            headers.pop("Retry-After")
        self.stats.count(name, status)
        await JSONResponse(body, status_code=status, headers=headers)(scope, receive, send)


async def _slow_reply(seconds: float) -> None:
    """The request took effect; its answer comes late (a client may have stopped waiting)."""
    if seconds:
        await asyncio.sleep(seconds)


def _graph_route_name(req: graph_http.GraphRequest) -> str:
    if req.segments == ("$batch",):
        return "POST /v1.0/$batch"
    try:
        operation, _ = graph_routing.find_operation(req)
    except graph_errors.GraphError:
        return "unmatched"
    return f"{operation.method} /v1.0/{'/'.join(operation.pattern)}"


def _not_found(call: Call, path_known: bool) -> str:
    if path_known:
        return f"The method {call.request.method} is not allowed for {call.request.url.path}."
    if call.service == "graph":
        return f"Resource not found for the segment '{call.request.url.path}'."
    return f"No resource found for {call.request.url.path}."


async def _drop(send: Send, *, mid: bool) -> None:
    transport = CURRENT_TRANSPORT.get()
    if mid:
        body = json.dumps({"values": ["partial"] * 64}).encode()
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(body)).encode()),
                ],
            }
        )
        await send(
            {"type": "http.response.body", "body": body[: len(body) // 2], "more_body": True}
        )
    if transport is not None:
        transport.abort()
    for _ in range(3):  # let the protocol see the lost connection, so uvicorn adds no 500
        await asyncio.sleep(0)


async def _lifespan(receive: Receive, send: Send) -> None:
    while True:
        message = await receive()
        if message["type"] == "lifespan.startup":
            await send({"type": "lifespan.startup.complete"})
        elif message["type"] == "lifespan.shutdown":
            await send({"type": "lifespan.shutdown.complete"})
            return
