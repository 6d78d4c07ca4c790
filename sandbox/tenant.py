"""Loading, saving and checking a tenant document (format: ``docs/tenant-format.md``).

`check_tenant` is the fast structural check the server runs on load (format, version,
required keys, credentials). `validate_tenant` is the full referential-integrity check the
generator's tests run: every id a record points at exists.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np

from sandbox.tenant_refs import validate_graph, validate_jira

FORMAT_NAME = "pmo-sandbox-tenant"
FORMAT_VERSION = 1
REQUIRED_TOP = ("now", "time_zone", "credentials", "people", "jira", "graph")
BULK_ARRAYS = (
    "issue_id",
    "issue_project",
    "issue_number",
    "issue_type",
    "issue_status",
    "issue_assignee",
    "issue_estimate_s",
    "issue_created_ms",
    "issue_updated_ms",
    "wl_id",
    "wl_issue",
    "wl_author",
    "wl_started_ms",
    "wl_updated_ms",
    "wl_seconds",
)


def graph_only_tenant(
    graph: dict[str, Any],
    *,
    token: str,
    now: str = "2026-11-27T06:00:00+00:00",
    time_zone: str = "Europe/Berlin",
    scale: str = "graph-only",
) -> dict[str, Any]:
    """A tenant whose Jira side is empty around a given Graph part: for Graph-only tests and
    benchmarks, which then need not spell out the whole document."""
    empty_jira = ("fields", "issue_types", "statuses", "issue_link_types", "projects", "issues",
                  "worklogs", "deleted_worklogs", "versions", "boards", "sprints")  # fmt: skip
    return {
        "format": FORMAT_NAME,
        "version": FORMAT_VERSION,
        "generator": {"seed": 0, "scale": scale},
        "now": now,
        "time_zone": time_zone,
        "credentials": {
            "jira": {
                "email": "bot@example.com",
                "api_token": "unused-jira-token",
                "pat": "unused-pat",
            },
            "graph": {"token": token},
        },
        "people": [],
        "jira": {name: [] for name in empty_jira},
        "graph": graph,
    }


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
        if not isinstance(bulk, dict) or not isinstance(bulk.get("file"), str):
            raise TenantError(f"{source}: 'bulk.file' must name the .npz sidecar")
        doc["bulk"] = {**bulk, "arrays": load_bulk_arrays(source.parent / bulk["file"])}
    return doc


def save_tenant(tenant: dict[str, Any], path: str | Path) -> Path:
    """Write the tenant JSON; bulk arrays go to a ``<name>.bulk.npz`` sidecar next to it."""
    target = Path(path)
    check_tenant(tenant, "tenant to save")
    doc = dict(tenant)
    bulk = doc.get("bulk")
    if bulk and "arrays" in bulk:
        sidecar = target.with_name(target.name.removesuffix(".json") + ".bulk.npz")
        np.savez(sidecar, **bulk["arrays"])
        doc["bulk"] = {k: v for k, v in bulk.items() if k != "arrays"} | {"file": sidecar.name}
    target.parent.mkdir(parents=True, exist_ok=True)
    with target.open("w", encoding="utf-8") as handle:
        json.dump(doc, handle, ensure_ascii=False, separators=(",", ":"))
        handle.write("\n")
    return target


def check_tenant(doc: Any, where: str = "tenant") -> None:
    if not isinstance(doc, dict):
        raise TenantError(f"{where}: top level must be a JSON object")
    if doc.get("format") != FORMAT_NAME:
        raise TenantError(f"{where}: 'format' must be {FORMAT_NAME!r}, got {doc.get('format')!r}")
    if doc.get("version") != FORMAT_VERSION:
        raise TenantError(
            f"{where}: 'version' {doc.get('version')!r} is not supported "
            f"(this sandbox reads {FORMAT_VERSION})"
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
            arrays = {name: data[name] for name in data.files}
    except FileNotFoundError as exc:
        raise TenantError(f"bulk data file {path} named by the tenant does not exist") from exc
    missing = [name for name in BULK_ARRAYS if name not in arrays]
    if missing:
        raise TenantError(f"bulk data file {path} lacks arrays {missing}")
    return arrays


def validate_tenant(tenant: dict[str, Any]) -> list[str]:
    """Every broken reference in the tenant, as messages naming the record and the key.

    An empty list means: projects, issues, links, worklogs, versions, sprints, boards,
    people, plans, buckets, tasks, time cards and list rows all point at things that exist.
    """
    try:
        check_tenant(tenant)
    except TenantError as exc:
        return [str(exc)]
    return validate_jira(tenant) + validate_graph(tenant) + _validate_bulk(tenant)


def _validate_bulk(tenant: dict[str, Any]) -> list[str]:
    bulk = tenant.get("bulk")
    if not bulk or "arrays" not in bulk:
        return []
    arrays = bulk["arrays"]
    limits = {
        "issue_project": len(tenant["jira"]["projects"]),
        "issue_type": len(tenant["jira"]["issue_types"]),
        "issue_status": len(tenant["jira"]["statuses"]),
        "issue_assignee": len(tenant["people"]),
        "wl_author": len(tenant["people"]),
        "wl_issue": len(arrays["issue_id"]),
    }
    problems = [
        f"bulk.arrays.{name}: index out of range 0..{limit - 1}"
        for name, limit in limits.items()
        if len(arrays[name]) and (arrays[name].min() < 0 or arrays[name].max() >= limit)
    ]
    if len(np.unique(arrays["issue_id"])) != len(arrays["issue_id"]):
        problems.append("bulk.arrays.issue_id: duplicate issue ids")
    if len(np.unique(arrays["wl_id"])) != len(arrays["wl_id"]):
        problems.append("bulk.arrays.wl_id: duplicate worklog ids")
    return problems
