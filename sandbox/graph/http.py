"""Transport-neutral request and response records, so `$batch` can replay items in-process."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from sandbox.graph.errors import bad_request


@dataclass(frozen=True)
class GraphRequest:
    """One Graph call after routing: decoded path segments and raw query pairs."""

    method: str
    segments: tuple[str, ...]
    raw_path: str  # percent-encoded path below /v1.0, used to build next links verbatim
    query_pairs: tuple[tuple[str, str], ...]
    headers: dict[str, str]  # keys lower-cased
    body: bytes
    base_url: str  # absolute, e.g. http://127.0.0.1:8081/v1.0

    def query(self, name: str) -> str | None:
        """OData options ignoring case and the optional `$` (Graph accepts `expand` and `$expand`)."""
        wanted = name.lower().lstrip("$")
        for key, value in self.query_pairs:
            if key.lower().lstrip("$") == wanted:
                return value
        return None

    def header(self, name: str) -> str | None:
        return self.headers.get(name.lower())

    def json(self) -> dict[str, Any]:
        """The body as a JSON object, or 400 naming what is wrong with it."""
        if not self.body:
            raise bad_request("The request body is empty; a JSON object was expected.")
        try:
            parsed = json.loads(self.body)
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise bad_request(f"The request body is not valid JSON: {exc}") from exc
        if not isinstance(parsed, dict):
            raise bad_request("The request body must be a JSON object.")
        return parsed

    def url_with(self, path: str, pairs: list[tuple[str, str]]) -> str:
        """An absolute URL on this sandbox for `path` (encoded, below /v1.0) and query pairs."""
        query = "&".join(f"{quote(k, safe='$')}={quote(v, safe=',:()')}" for k, v in pairs)
        return f"{self.base_url}/{path}" + (f"?{query}" if query else "")

    def expands(self, navigation: str) -> bool:
        expand = self.query("expand") or ""
        return expand.strip().split("(")[0].strip() == navigation or navigation in {
            part.strip().split("(")[0] for part in expand.split(",")
        }

    def expand_select(self, navigation: str) -> list[str] | None:
        """The names in `expand=fields(select=A,B)` (also `$select`); None without a select."""
        match = EXPAND_SELECT.match((self.query("expand") or "").strip())
        if match is None or match.group("nav") != navigation:
            return None
        return [n.strip() for n in match.group("names").split(",") if n.strip()]


EXPAND_SELECT = re.compile(r"^(?P<nav>\w+)\(\$?select=(?P<names>[^)]*)\)$")


@dataclass
class GraphResponse:
    """What a handler answers: JSON (`body`), raw bytes (`content`) or nothing."""

    status: int = 200
    body: Any = None
    content: bytes | None = None
    headers: dict[str, str] = field(default_factory=dict)


def json_response(body: Any, status: int = 200) -> GraphResponse:
    return GraphResponse(status=status, body=body)


def empty(status: int) -> GraphResponse:
    return GraphResponse(status=status)
