"""A project's effective configuration: `settings.projects.<KEY>` over the source's fields.

Targets may come from config instead of (or in place of) the source: the keys in
`PROJECT_FIELD_OVERRIDES` replace the `projects` row's fields; dates are validated and every
error names its config key (e.g. ``projects.ABC.target_date: 'soon' is not a date``).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

import pandas as pd

from config.settings import ConfigError, Settings

PROJECT_FIELD_OVERRIDES = (
    "phase", "target_date", "start_date", "budget_hours", "budget_cost", "objectives",
    "kpi_targets", "kpi_actuals",
)  # fmt: skip
_DATE_FIELDS = ("target_date", "start_date")


def project_overrides(settings: Settings, project: Mapping[str, Any]) -> Mapping[str, Any]:
    """`settings.projects` entry for the project, by key (e.g. ABC) or by project id."""
    for name in (project.get("key"), project.get("project_id")):
        if name is not None and name in settings.projects:
            return mapping(settings.projects[name], f"projects.{name}")
    return {}


def effective_project(
    project: Mapping[str, Any], overrides: Mapping[str, Any], where: str
) -> dict[str, Any]:
    """The project row with config values in place of source fields (dates validated)."""
    out = dict(project)
    for name in PROJECT_FIELD_OVERRIDES:
        if name in overrides:
            out[name] = overrides[name]
    for name in _DATE_FIELDS:
        out[name] = _as_date(out.get(name), f"{where}.{name}")
    return out


def _as_date(value: Any, where: str) -> date | None:
    if value is None or value is pd.NaT:
        return None
    if isinstance(value, datetime | pd.Timestamp):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise ConfigError(f"{where}: {value!r} is not a date (YYYY-MM-DD)") from None


def mapping(value: Any, where: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise ConfigError(f"{where}: must be a mapping, got {type(value).__name__}")
    return value
