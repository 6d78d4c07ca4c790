"""Planning completeness and scope change since the planning baseline.

Completeness is measured over every work item (done or not: a plan is complete when every item
has an estimate -- hours or story points --, a due date and an owner). Planner tasks have no
estimate field, so they are left out of the estimate share (None when nothing else is left). Scope change counts work
items created after `projects.baseline_date` against those that existed at the baseline;
without a baseline the scope metrics are missing (None), not zero.
"""

from __future__ import annotations

import pandas as pd

from checks.model import CheckOutput, ProjectFrames
from checks.risk.common import OutputBuilder, day_of, days, ids, pct, strings, work_items
from config.settings import ChecksSettings


def check_planning(frames: ProjectFrames, settings: ChecksSettings) -> CheckOutput:
    out = OutputBuilder(frames, settings)
    work = work_items(frames.tasks)
    # Planner tasks have no estimate field at all: they can't miss one.
    can_estimate = strings(work, "source") != "planner"
    no_estimate = can_estimate & (
        work["estimate_hours"].isna() & work["story_points"].isna()
    ).to_numpy(dtype=bool)
    out.metric(
        "planning.missing_estimates_pct",
        pct(no_estimate.sum(), can_estimate.sum()),
        ids(work, no_estimate),
    )

    no_due = work["due_date"].isna().to_numpy(dtype=bool)
    out.metric("planning.missing_due_dates_pct", pct(no_due.sum(), len(work)), ids(work, no_due))
    no_owner = work["assignee_id"].isna().to_numpy(dtype=bool)
    out.metric("planning.unowned_tasks_pct", pct(no_owner.sum(), len(work)), ids(work, no_owner))
    out.metric(
        "planning.milestones",
        float(len(frames.milestones)),
        ids(frames.milestones, None, "milestone_id"),
    )
    out.metric(
        "planning.risks_registered", float(len(frames.risks)), ids(frames.risks, None, "risk_id")
    )
    _scope(out, frames, work)
    return out.out


def _scope(out: OutputBuilder, frames: ProjectFrames, work: pd.DataFrame) -> None:
    baseline = day_of(frames.project.get("baseline_date"))
    if baseline is None:
        out.metric("scope.change_pct", None)
        out.metric("scope.added_items", None)
        return
    added = days(work["created_at"]) > baseline
    at_baseline = len(work) - int(added.sum())
    out.metric("scope.change_pct", pct(added.sum(), at_baseline), ids(work, added))
    out.metric("scope.added_items", float(added.sum()), ids(work, added))
