"""The `ReportContext` of a project, read from the warehouse frames and the settings.

Reports stay pure: they get issue keys, display names, the Jira site to link to, the time
zone and the project's charter from here instead of looking anything up.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import pandas as pd

from reports.summary import ReportContext

if TYPE_CHECKING:
    from config.settings import Settings


def browse_url(settings: Settings, sandbox_info: Mapping[str, Any] | None) -> str | None:
    """ "<site>/browse/" of the configured Jira (the sandbox's own URL in a sandbox run)."""
    base: str | None = settings.jira.url
    if base == "sandbox":
        base = (sandbox_info or {}).get("jira_url")
    if not base or not settings.jira.enabled:
        return None
    return f"{str(base).rstrip('/')}/browse/"


def _pairs(frame: pd.DataFrame | None, key: str, value: str) -> dict[str, str]:
    if frame is None or frame.empty or key not in frame or value not in frame:
        return {}
    both = frame[[key, value]].dropna()
    return dict(zip(both[key].astype(str), both[value].astype(str), strict=True))


def report_context(
    settings: Settings,
    sandbox_info: Mapping[str, Any] | None,
    frames: Mapping[str, pd.DataFrame],
    project_id: str,
    report_url: str | None = None,
) -> ReportContext:
    tasks = frames.get("tasks")
    keys = _pairs(tasks, "task_id", "key")
    entries = frames.get("time_entries")
    if entries is not None and not entries.empty and "task_id" in entries:
        # a worklog cited as evidence is shown as the issue it was logged on
        by_task = entries[["entry_id", "task_id"]].dropna()
        for entry, task in zip(
            by_task["entry_id"].astype(str), by_task["task_id"].astype(str), strict=True
        ):
            if task in keys:
                keys.setdefault(entry, keys[task])
    projects = frames.get("projects")
    row: dict[str, Any] = {}
    if projects is not None and not projects.empty:
        match = projects[projects["project_id"].astype(str) == str(project_id)]
        if not match.empty:
            row = {str(k): (None if _missing(v) else v) for k, v in match.iloc[0].to_dict().items()}
    return ReportContext(
        time_zone=str(getattr(settings, "time_zone", None) or "UTC"),
        browse_url=browse_url(settings, sandbox_info),
        issue_keys=keys,
        people=_pairs(frames.get("people"), "person_id", "display_name"),
        project=row,
        report_url=report_url,
    )


def _missing(value: Any) -> bool:
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False
