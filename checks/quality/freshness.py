"""Is the evidence current and complete? Sync freshness and the per-project census.

Both are critical: judging a gate on data several days old, or on a project that silently
lost a fifth of its items (a deleted board, a permission change, a pager that stopped early),
is exactly the silent Go the quality gates exist to prevent.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

import pandas as pd

from checks.model import QualityResult, Severity

FRESHNESS = "freshness.last_sync"
CENSUS = "census.task_drop"


def freshness(
    last_sync: Mapping[str, datetime | None], as_of: datetime, max_age_hours: float
) -> list[QualityResult]:
    """One result per source named in `last_sync` (never synced counts as stale)."""
    results = []
    for source in sorted(last_sync):
        synced = last_sync[source]
        if synced is None:
            detail, ok = f"source {source!r} has no successful sync", False
        else:
            if synced.tzinfo is None:
                raise ValueError(f"last_sync[{source!r}] must be timezone-aware, got {synced!r}")
            age = (as_of - synced).total_seconds() / 3600
            ok = age <= max_age_hours
            detail = f"last successful sync of {source!r} {age:.1f} h before the status date"
        detail += f" (limit {max_age_hours:g} h)"
        results.append(
            QualityResult(
                "sync",
                FRESHNESS,
                Severity.CRITICAL,
                ok,
                0 if ok else 1,
                1,
                () if ok else (source,),
                detail,
            )
        )
    return results


def census_counts(tasks: pd.DataFrame) -> dict[str, int]:
    """Live tasks per project: what the next run's census compares against (store it)."""
    live = tasks
    if "is_deleted" in tasks.columns:
        live = tasks[~tasks["is_deleted"].fillna(False).astype(bool)]
    counts = live["project_id"].dropna().value_counts()
    return {str(project): int(n) for project, n in counts.items()}


def census_drop(
    tasks: pd.DataFrame | None, previous_counts: Mapping[str, int], max_drop_share: float
) -> list[QualityResult]:
    """A project whose live task count fell by more than `max_drop_share` since the last run."""
    if not previous_counts:
        return []
    current = census_counts(tasks) if tasks is not None else {}
    results = []
    for project in sorted(previous_counts):
        before, now = int(previous_counts[project]), current.get(project, 0)
        if before <= 0 or (before - now) / before <= max_drop_share:
            continue
        results.append(
            QualityResult(
                "tasks",
                CENSUS,
                Severity.CRITICAL,
                False,
                before - now,
                before,
                (project,),
                f"tasks of {project} fell from {before} to {now} "
                f"(more than {max_drop_share:.0%} since the previous run)",
                project_id=project,
            )
        )
    if not results:
        detail = f"no project lost more than {max_drop_share:.0%} of its tasks"
        results.append(
            QualityResult(
                "tasks", CENSUS, Severity.CRITICAL, True, 0, len(previous_counts), (), detail
            )
        )
    return results
