"""Jira metadata that has no change cursor, read at most every `jira.metadata_refresh_hours`.

Fields, statuses, the project list and boards (what the run needs before any page) are stored as one
watermark in `sync_state` together with the time they were read, so an incremental run
inside the interval asks Jira for none of them. A project's charter and versions are
written to the warehouse with a per-project watermark holding the refresh time they
belong to: a crash between two projects re-reads only those not yet written. Anything
that changes what the metadata means (field names, projects, charter property, URL)
is part of a fingerprint; a different fingerprint forces a refresh like `--full` does.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from connectors.jira.records import CUSTOM_FIELD_ROLES, FieldIds, categories_of
from connectors.store import Warehouse

if TYPE_CHECKING:
    from config.settings import JiraSettings

SOURCE = "jira"
STREAM = "metadata"
HOUR_MS = 3_600_000


def now_ms() -> int:
    return int(time.time() * 1000)


def scope_of(requested: Sequence[str]) -> str:
    """A subset run keeps its own metadata (its project list differs)."""
    return "*" if not requested else "projects:" + ",".join(sorted(requested))


def fingerprint(settings: JiraSettings, keys: Sequence[str], url: str) -> dict[str, Any]:
    """What the stored metadata was read for; any difference means re-read it."""
    names = {role: list(getattr(settings.fields, role)) for role in CUSTOM_FIELD_ROLES}
    return {
        "url": url,
        "keys": sorted(keys),
        "fields": names,
        "charter_property": settings.charter_property,
    }


def is_fresh(mark: Mapping[str, Any] | None, refreshed_ms: int) -> bool:
    """A project's charter and versions were written for this refresh (or a later one)."""
    return mark is not None and int(mark.get("refreshed_ms", -1)) >= refreshed_ms


def cached(
    warehouse: Warehouse,
    scope: str,
    expected: Mapping[str, Any],
    refresh_hours: float,
    *,
    full: bool,
    at_ms: int,
) -> dict[str, Any] | None:
    """The stored run metadata when still usable, None when it must be re-read."""
    if full or refresh_hours <= 0:
        return None
    mark = warehouse.get_watermark(SOURCE, STREAM, scope)
    if not mark or mark.get("fingerprint") != dict(expected):
        return None
    if "status_categories" not in mark:  # stored before statuses were read: read them now
        return None
    age_ms = at_ms - int(mark.get("refreshed_ms", 0))
    if age_ms < 0 or age_ms >= refresh_hours * HOUR_MS:  # a clock moved back: re-read too
        return None
    return dict(mark)


def run_metadata(
    refreshed_ms: int,
    expected: Mapping[str, Any],
    fields: FieldIds,
    projects: Mapping[str, Mapping[str, Any]],
    boards: Mapping[str, list[dict[str, Any]]],
    statuses: Sequence[Mapping[str, Any]] = (),
) -> dict[str, Any]:
    """The watermark document (JSON) for `cached` to return on later runs."""
    return {
        "refreshed_ms": refreshed_ms,
        "fingerprint": dict(expected),
        "field_ids": dict(fields.ids),
        "missing_fields": list(fields.missing),
        "status_categories": status_categories(statuses),
        "projects": {k: dict(v) for k, v in projects.items()},
        "boards": {k: list(v) for k, v in boards.items()},
    }


def status_categories(statuses: Sequence[Mapping[str, Any]]) -> dict[str, str]:
    """Categories from Jira's status list, the one source: a category learned from the
    issues a run happened to read first would differ with page size and read order, and a
    status seen only in changelogs would never get one."""
    return categories_of(statuses)


def field_ids(mark: Mapping[str, Any]) -> FieldIds:
    return FieldIds(dict(mark.get("field_ids") or {}), tuple(mark.get("missing_fields") or ()))
