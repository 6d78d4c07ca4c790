"""Validating sandbox responses against the vendors' OpenAPI specs (``../shared/specs``)."""

from __future__ import annotations

import copy
import json
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema

SPECS = Path(__file__).resolve().parents[4] / "shared" / "specs"
PLATFORM = SPECS / "jira-platform-v3.json"
SOFTWARE = SPECS / "jira-software-v3.json"


def specs_present() -> bool:
    return PLATFORM.is_file() and SOFTWARE.is_file()


def _with_nullable(node: Any) -> Any:
    """OpenAPI 3.0's ``nullable: true`` as JSON Schema's ``type: [t, "null"]``."""
    if isinstance(node, dict):
        out = {k: _with_nullable(v) for k, v in node.items()}
        if out.get("nullable") and isinstance(out.get("type"), str):
            out["type"] = [out["type"], "null"]
        return out
    if isinstance(node, list):
        return [_with_nullable(v) for v in node]
    return node


@cache
def load(path: Path) -> dict[str, Any]:
    return _with_nullable(json.loads(path.read_text(encoding="utf-8")))


def response_schema(
    spec: dict[str, Any], path: str, method: str, status: int
) -> dict[str, Any] | None:
    operation = spec["paths"][path][method.lower()]
    response = operation["responses"][str(status)]
    return response.get("content", {}).get("application/json", {}).get("schema")


def validate(spec: dict[str, Any], schema: dict[str, Any], body: Any) -> None:
    """Raise `jsonschema.ValidationError` (with the failing path) if `body` doesn't fit."""
    root = copy.copy(schema)
    root["components"] = spec["components"]
    jsonschema.Draft7Validator(root).validate(body)
