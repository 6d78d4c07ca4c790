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
    work = work_items(frames.tasks).reset_index(drop=True)
    done = is_done(work)
    open_items = work[~done]
    now = as_of_days(frames)
    today = np.floor(now)
    _missing_logic(out, frames, open_items)
    _hard_constraints(out, open_items)
    _negative_float(out, frames)
    _high_duration(out, frames, open_items, settings)
    unassigned = open_items["assignee_id"].isna().to_numpy()
    out.metric(
        "schedule.unassigned_open_pct",
        pct(unassigned.sum(), len(open_items)),
        ids(open_items, unassigned),
    )
    due = days(work["due_date"])
    resolved = np.floor(days(work["resolved_at"]))
    due_by_now = due < today
    missed = due_by_now & (~done | (resolved > due))
    out.metric("schedule.missed_tasks_pct", pct(missed.sum(), due_by_now.sum()), ids(work, missed))
    out.metric("schedule.bei", ratio(done.sum(), due_by_now.sum()), ids(work, due_by_now & ~done))
    _invalid_dates(out, frames, work, due < today, now)
    return out.out


def _missing_logic(out: OutputBuilder, frames: ProjectFrames, open_items: pd.DataFrame) -> None:
    deps = frames.dependencies
    linked = set(deps["from_task_id"].dropna().astype(str)) | set(
        deps["to_task_id"].dropna().astype(str)
    )
    ids_ = open_items["task_id"].astype(str)
    no_logic = (~ids_.isin(linked) & open_items["parent_id"].isna()).to_numpy(dtype=bool)
    out.metric(
        "schedule.missing_logic_pct",
        pct(no_logic.sum(), len(open_items)),
        ids(open_items, no_logic),
    )


def _hard_constraints(out: OutputBuilder, open_items: pd.DataFrame) -> None:
    labels = open_items["labels"].to_numpy(dtype=object)
    fixed = np.array(
        [
            isinstance(ls, list | tuple) and any(str(x).lower() in FIXED_DATE_LABELS for x in ls)
            for ls in labels
        ],
        dtype=bool,
    )
    fixed &= strings(open_items, "task_type") != "milestone"
    out.metric(
        "schedule.hard_constraints_pct", pct(fixed.sum(), len(open_items)), ids(open_items, fixed)
    )


def _negative_float(out: OutputBuilder, frames: ProjectFrames) -> None:
    deps = frames.dependencies
    deps = deps[deps["is_blocking"].fillna(False).to_numpy(dtype=bool)]
    due = pd.Series(days(frames.tasks["due_date"]), index=frames.tasks["task_id"].astype(str))
    before = due.reindex(deps["from_task_id"].astype(str)).to_numpy()
    after = due.reindex(deps["to_task_id"].astype(str)).to_numpy()
    bad = after < before
    items = set(deps["from_task_id"][bad].astype(str)) | set(deps["to_task_id"][bad].astype(str))
    out.metric("schedule.negative_float", float(bad.sum()), sorted(items))


def _high_duration(
    out: OutputBuilder, frames: ProjectFrames, open_items: pd.DataFrame, settings: ChecksSettings
) -> None:
    in_progress = open_items[(strings(open_items, "status_category") == "in_progress")]
    first = first_change_to(frames.status_changes, "in_progress")
    began = np.array([first.get(t, np.nan) for t in strings(in_progress, "task_id")], dtype=float)
    began = np.where(np.isnan(began), days(in_progress["start_date"]), began)
    limit = knob("schedule.high_duration_working_days", settings.thresholds)
    known = ~np.isnan(began)
    working = np.zeros(len(began))
    start_days = began[known].astype("int64").astype("datetime64[D]")
    today = np.datetime64(int(np.floor(as_of_days(frames))), "D")
    working[known] = np.busday_count(start_days, today)
    long = working > limit
    out.metric(
        "schedule.high_duration_pct", pct(long.sum(), len(open_items)), ids(in_progress, long)
    )


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
