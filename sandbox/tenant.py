"""Loading and checking a tenant document (format: ``docs/tenant-format.md``)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np

FORMAT_NAME = "pmo-sandbox-tenant"
FORMAT_VERSION = 1
REQUIRED_TOP = ("now", "time_zone", "credentials", "people", "jira", "graph")


class TenantError(ValueError):
    """A tenant document that can't be served, naming the file and the key."""


def load_tenant(path: str | Path) -> dict[str, Any]:
    """Read and check a tenant file; a bulk sidecar (``bulk.file``) is loaded too."""
    source = Path(path)
    try:
        doc = json.loads(source.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise TenantError(f"tenant file {source} does not exist") from exc
    except json.JSONDecodeError as exc:
        raise TenantError(f"tenant file {source} is not JSON: {exc}") from exc
    check_tenant(doc, str(source))
    bulk = doc.get("bulk")
    if bulk:
        doc["bulk"] = {**bulk, "arrays": load_bulk_arrays(source.parent / bulk["file"])}
    return doc


def check_tenant(doc: Any, where: str = "tenant") -> None:
    if not isinstance(doc, dict):
        raise TenantError(f"{where}: top level must be a JSON object")
    if doc.get("format") != FORMAT_NAME:
        raise TenantError(f"{where}: 'format' must be {FORMAT_NAME!r}, got {doc.get('format')!r}")
    if doc.get("version") != FORMAT_VERSION:
        raise TenantError(
            f"{where}: 'version' {doc.get('version')!r} is not supported (this sandbox reads {FORMAT_VERSION})"
        )
    for key in REQUIRED_TOP:
        if key not in doc:
            raise TenantError(f"{where}: missing key {key!r}")
    creds = doc["credentials"]
    for service, keys in (("jira", ("email", "api_token", "pat")), ("graph", ("token",))):
        for key in keys:
            if not isinstance(creds.get(service, {}).get(key), str):
                raise TenantError(f"{where}: credentials.{service}.{key} must be a string")
    for index, issue in enumerate(doc["jira"].get("issues", [])):
        for key in ("id", "key", "fields"):
            if key not in issue:
                raise TenantError(f"{where}: jira.issues[{index}] has no {key!r}")


def load_bulk_arrays(path: Path) -> dict[str, np.ndarray]:
    try:
        with np.load(path) as data:
            return {name: data[name] for name in data.files}
    except FileNotFoundError as exc:
        raise TenantError(f"bulk data file {path} named by the tenant does not exist") from exc
