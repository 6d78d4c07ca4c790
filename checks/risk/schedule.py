"""Schedule health: the DCMA 14-point assessment read through an issue tracker.

Mapping (DOMAIN.md), over work items (stories, tasks, defects, UAT, training, documentation):
 1 missing logic     open items with no link at all and no parent/epic
 5 hard constraints  open non-milestone items labelled as fixed-date (`fixed-date`,
                     `hard-deadline`, `deadline`, `fixed`): trackers have no constraint types
 7 negative float    blocking links whose successor is due before its predecessor
 8 high duration     in-progress items in progress for > 44 working days (since the first move
                     to in progress, else the planned start)
 9 invalid dates     open items due before the status date; resolutions or hours in the future
10 no resources      open items without an assignee
11 missed tasks      items due before the status date that finished late or not at all
14 BEI               items done / items due before the status date
12 (the critical path test) lives in `dependencies.py`, next to the critical path.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from checks.model import CheckOutput, ProjectFrames
from checks.risk.catalog import knob
from checks.risk.common import (
    OutputBuilder,
    as_of_days,
    days,
    ids,
    is_done,
    pct,
    ratio,
    strings,
    work_items,
)
from config.settings import ChecksSettings

FIXED_DATE_LABELS = frozenset({"fixed-date", "hard-deadline", "deadline", "fixed"})


def first_change_to(changes: pd.DataFrame, category: str) -> dict[str, float]:
    """Per task, the first time it moved into `category` (float days since the epoch)."""
    moved = strings(changes, "to_category") == category
    first: dict[str, float] = {}
    for task, at in zip(
        strings(changes, "task_id")[moved], days(changes["changed_at"])[moved], strict=True
    ):
        if at == at and (task not in first or at < first[task]):  # at == at: not NaN
            first[task] = at
    return first


def check_schedule(frames: ProjectFrames, settings: ChecksSettings) -> CheckOutput:
    out = OutputBuilder(frames, settings)
    work = work_items(frames.tasks)
    done = is_done(work)
    is_open = ~done
    now = as_of_days(frames)
    today = np.floor(now)
    _missing_logic(out, frames, work, is_open)
    _hard_constraints(out, work, is_open)
    _negative_float(out, frames)
    _high_duration(out, frames, work, is_open, settings)
    unassigned = is_open & (strings(work, "assignee_id") == None)  # noqa: E711 (elementwise)
    out.metric(
        "schedule.unassigned_open_pct", pct(unassigned.sum(), is_open.sum()), ids(work, unassigned)
    )
    due = days(work["due_date"])
    resolved = np.floor(days(work["resolved_at"]))
    due_by_now = due < today
    missed = due_by_now & (~done | (resolved > due))
    out.metric("schedule.missed_tasks_pct", pct(missed.sum(), due_by_now.sum()), ids(work, missed))
    out.metric("schedule.bei", ratio(done.sum(), due_by_now.sum()), ids(work, due_by_now & ~done))
    _invalid_dates(out, frames, work, due < today, now)
    return out.out


def _missing_logic(
    out: OutputBuilder, frames: ProjectFrames, work: pd.DataFrame, is_open: np.ndarray
) -> None:
    deps = frames.dependencies
    logic = deps["is_blocking"].to_numpy(dtype=bool, na_value=False)  # "Relates" is no logic
    linked = set(strings(deps, "from_task_id")[logic]) | set(strings(deps, "to_task_id")[logic])
    unlinked = np.array([t not in linked for t in strings(work, "task_id")], dtype=bool)
    no_logic = is_open & unlinked & (strings(work, "parent_id") == None)  # noqa: E711
    out.metric(
        "schedule.missing_logic_pct", pct(no_logic.sum(), is_open.sum()), ids(work, no_logic)
    )


def _hard_constraints(out: OutputBuilder, work: pd.DataFrame, is_open: np.ndarray) -> None:
    labels = work["labels"].to_numpy(dtype=object)
    fixed = np.array(
        [
            isinstance(ls, list | tuple) and any(str(x).lower() in FIXED_DATE_LABELS for x in ls)
            for ls in labels
        ],
        dtype=bool,
    )
    fixed &= is_open & (strings(work, "task_type") != "milestone")
    out.metric("schedule.hard_constraints_pct", pct(fixed.sum(), is_open.sum()), ids(work, fixed))


def _negative_float(out: OutputBuilder, frames: ProjectFrames) -> None:
    deps = frames.dependencies
    blocking = deps["is_blocking"].to_numpy(dtype=bool, na_value=False)
    due = dict(zip(strings(frames.tasks, "task_id"), days(frames.tasks["due_date"]), strict=True))
    pairs = zip(
        strings(deps, "from_task_id")[blocking], strings(deps, "to_task_id")[blocking], strict=True
    )
    bad = [(a, b) for a, b in pairs if due.get(b, np.nan) < due.get(a, np.nan)]
    out.metric(
        "schedule.negative_float", float(len(bad)), sorted({t for pair in bad for t in pair})
    )


def _high_duration(
    out: OutputBuilder,
    frames: ProjectFrames,
    work: pd.DataFrame,
    is_open: np.ndarray,
    settings: ChecksSettings,
) -> None:
    in_progress = is_open & (strings(work, "status_category") == "in_progress")
    first = first_change_to(frames.status_changes, "in_progress")
    began = np.array([first.get(t, np.nan) for t in strings(work, "task_id")], dtype=float)
    began = np.where(np.isnan(began), days(work["start_date"]), began)
    known = in_progress & ~np.isnan(began)
    working = np.zeros(len(began))
    today = np.datetime64(int(np.floor(as_of_days(frames))), "D")
    working[known] = np.busday_count(began[known].astype("int64").astype("datetime64[D]"), today)
    long = known & (working > knob("schedule.high_duration_working_days", settings.thresholds))
    out.metric("schedule.high_duration_pct", pct(long.sum(), is_open.sum()), ids(work, long))


def _invalid_dates(
    out: OutputBuilder, frames: ProjectFrames, work: pd.DataFrame, overdue: np.ndarray, now: float
) -> None:
    open_overdue = overdue & ~is_done(work)
    future_resolution = days(work["resolved_at"]) > now
    entries = frames.time_entries
    future_hours = days(entries["work_date"]) > np.floor(now)
    items = set(ids(work, open_overdue | future_resolution)) | set(
        ids(entries, future_hours, "entry_id")
    )
    count = open_overdue.sum() + future_resolution.sum() + future_hours.sum()
    out.metric("schedule.invalid_dates", float(count), sorted(items))
