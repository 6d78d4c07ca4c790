"""What a handler gets: the request, its path parameters and the sandbox state."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from starlette.requests import Request

from sandbox.errors import GraphError, JiraError, ServiceError
from sandbox.state import SandboxState


@dataclass
class Call:
    request: Request
    params: dict[str, str]
    state: SandboxState
    service: str  # jira, graph, control, webhook

    @property
    def version(self) -> str:
        return self.params.get("ver", "2")

    def query(self, name: str, default: str | None = None) -> str | None:
        return self.request.query_params.get(name, default)

    def query_list(self, name: str) -> list[str]:
        """Repeated and comma-separated values, as Jira accepts them."""
        values: list[str] = []
        for raw in self.request.query_params.getlist(name):
            values += [v.strip() for v in raw.split(",") if v.strip()]
        return values

    def query_int(self, name: str, default: int, *, low: int = 0, high: int | None = None) -> int:
        raw = self.query(name)
        if raw is None or raw == "":
            return default
        try:
            value = int(raw)
        except ValueError:
            raise self.error(
                400, f"The '{name}' parameter must be an integer, got '{raw}'."
            ) from None
        if value < low:
            raise self.error(400, f"The '{name}' parameter must be at least {low}.")
        return min(value, high) if high is not None else value

    def error(self, status: int, message: str, **kw: Any) -> ServiceError:
        cls = GraphError if self.service == "graph" else JiraError
        return cls(status, message, **kw)

    async def json(self, *, required: bool = True) -> Any:
        raw = await self.request.body()
        if not raw.strip():
            if required:
                raise self.error(400, "The request body is empty; a JSON body is required.")
            return None
        try:
            return json.loads(raw)
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise self.error(400, f"The request body is not valid JSON: {exc}") from None

    async def json_object(self) -> dict[str, Any]:
        body = await self.json()
        if not isinstance(body, dict):
            raise self.error(400, "The request body must be a JSON object.")
        return body

    def jira_base(self) -> str:
        return self.state.jira_base

    def graph_base(self) -> str:
        return self.state.graph_base
