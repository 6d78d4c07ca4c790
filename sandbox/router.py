"""A small router that matches on the *raw* request path.

Starlette routes on the decoded path, where ``root%3A%2Fa%2Fb.csv%3A`` has already become
``root:/a/b.csv:`` and a segment can no longer be told from a slash. Graph clients
percent-encode path parameters, so we split the raw path on ``/`` first and only then
unquote each segment, as the real services do.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote

from starlette.requests import Request
from starlette.responses import Response

Handler = Callable[..., Awaitable[Response]]


@dataclass(frozen=True)
class Route:
    method: str
    pattern: tuple[str, ...]
    handler: Handler
    name: str

    def match(self, segments: list[str]) -> dict[str, str] | None:
        if len(segments) != len(self.pattern):
            return None
        params: dict[str, str] = {}
        for want, got in zip(self.pattern, segments, strict=True):
            if want.startswith("{") and want.endswith("}"):
                params[want[1:-1]] = got
            elif want != got:
                return None
        return params


class Router:
    """Routes in registration order; the first match wins."""

    def __init__(self) -> None:
        self.routes: list[Route] = []

    def add(self, method: str, path: str, handler: Handler) -> None:
        pattern = tuple(s for s in path.strip("/").split("/") if s)
        self.routes.append(Route(method.upper(), pattern, handler, f"{method.upper()} {path}"))

    def route(self, method: str, path: str) -> Callable[[Handler], Handler]:
        def register(handler: Handler) -> Handler:
            self.add(method, path, handler)
            return handler

        return register

    def resolve(
        self, method: str, segments: list[str]
    ) -> tuple[Route | None, dict[str, Any], bool]:
        """The matching route and its parameters, and whether the path matched another method."""
        path_known = False
        for route in self.routes:
            params = route.match(segments)
            if params is None:
                continue
            if route.method == method or (method == "HEAD" and route.method == "GET"):
                return route, params, True
            path_known = True
        return None, {}, path_known


def raw_segments(request: Request) -> list[str]:
    """Path segments of the raw request target, each percent-decoded on its own."""
    raw = request.scope.get("raw_path") or request.scope["path"].encode()
    path = raw.decode("latin-1").split("?", 1)[0]
    return [unquote(s) for s in path.split("/") if s]
