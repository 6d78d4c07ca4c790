"""Lessons learned: derived from the project's own history, and recorded by the team.

Derived lessons read the data for what went wrong: the largest slips (and what the changelog
shows about them), estimation accuracy by issue type, rework through reopens, bottleneck
statuses, risks that materialised vs the register, and over-allocation episodes. Explicit
lessons are tasks of type `lesson` or labelled `lessons-learned` / `retrospective`. Each lesson
proposes a follow-up action and who should own it. Titles are untrusted source text.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from checks.forecast.throughput import done_timestamps
from checks.model import ProjectFrames
from checks.risk.catalog import knob
from checks.risk.common import WORK_TYPES
from checks.risk.resources import project_weeks
from config.settings import ChecksSettings

LESSON_LABELS = ("lessons-learned", "lessons_learned", "lesson", "retrospective", "retro")
TOP_SLIPS = 3
ESTIMATE_BAND = (0.8, 1.25)  # actual / estimate outside this band is a lesson
MIN_BOTTLENECK_SHARE = 0.3  # a status holding this share of open-state time is a bottleneck


@dataclass(frozen=True)
class Lesson:
    kind: str  # "derived" or "explicit"
    category: str  # slip, estimation, rework, bottleneck, risk, over_allocation, team
    title: str
    detail: str
    evidence: tuple[str, ...]
    action: str  # proposed follow-up
    owner: str | None  # suggested owner (person id) or None: the PMO decides


def explicit_lessons(pf: ProjectFrames) -> list[Lesson]:
    tasks = pf.tasks
    typed = (tasks["task_type"] == "lesson").fillna(False).to_numpy()
    labelled = tasks["labels"].map(_has_lesson_label).to_numpy(dtype=bool)
    chosen = tasks[typed | labelled].sort_values("task_id")
    return [
        Lesson(
            kind="explicit",
            category="team",
            title=str(row.title or row.key or row.task_id),
            detail=f"Recorded by the team as {row.key or row.task_id}.",
            evidence=(row.task_id,),
            action="Review at the PMO retrospective; turn it into a checklist item or standard.",
            owner=_str(row.assignee_id) or _lead(pf),
        )
        for row in chosen.itertuples(index=False)
    ]


def _has_lesson_label(labels: Any) -> bool:
    if not isinstance(labels, list | tuple | np.ndarray):
        return False
    return any(str(label).strip().lower() in LESSON_LABELS for label in labels)


def derive_lessons(pf: ProjectFrames, checks: ChecksSettings) -> list[Lesson]:
    return [
        *largest_slips(pf),
        *estimation_accuracy(pf),
        *rework(pf),
        *bottlenecks(pf),
        *materialised_risks(pf),
        *over_allocation(pf, checks),
    ]


def largest_slips(pf: ProjectFrames, top: int = TOP_SLIPS) -> list[Lesson]:
    """Tasks that finished (or are still open) furthest past their due date."""
    tasks = pf.tasks[pf.tasks["due_date"].notna().to_numpy()]
    if tasks.empty:
        return []
    as_of = pd.Timestamp(pf.as_of).tz_convert("UTC").tz_localize(None).normalize()
    finished = pd.to_datetime(tasks["resolved_at"], utc=True).dt.tz_localize(None).dt.normalize()
    slip = (finished.fillna(as_of) - pd.to_datetime(tasks["due_date"])).dt.days.to_numpy()
    order = [i for i in np.argsort(-slip, kind="stable")[:top] if slip[i] > 0]
    history = _status_history(pf)
    return [_slip_lesson(pf, tasks.iloc[i], int(slip[i]), history) for i in order]


def _slip_lesson(pf: ProjectFrames, task: pd.Series, days: int, history: pd.DataFrame) -> Lesson:
    mine = history[history["task_id"] == task["task_id"]]
    moves = len(mine)
    reopened = int(((mine["from_category"] == "done") & (mine["to_category"] != "done")).sum())
    waiting = mine[mine["category"] != "done"]  # time since finishing is not part of the slip
    longest = waiting.groupby("status")["days"].sum().sort_values(ascending=False, kind="stable")
    where = (
        f"; longest in '{longest.index[0]}' ({longest.iloc[0]:.1f} days)" if len(longest) else ""
    )
    state = "finished" if pd.notna(task["resolved_at"]) else "still open"
    return Lesson(
        kind="derived",
        category="slip",
        title=f"{task['key'] or task['task_id']} slipped {days} days past its due date",
        detail=f"{state}; {moves} status changes, reopened {reopened} times{where}.",
        evidence=(task["task_id"],),
        action="Find the cause (blocked, scope, estimate) and add a buffer or earlier check-in "
        "for similar work.",
        owner=_str(task["assignee_id"]) or _lead(pf),
    )


def estimation_accuracy(pf: ProjectFrames) -> list[Lesson]:
    """Hours logged / original estimate by issue type, for finished estimated items."""
    tasks = pf.tasks
    done = tasks[
        ((tasks["status_category"] == "done") & (tasks["estimate_hours"] > 0)).fillna(False)
    ]
    if done.empty:
        return []
    logged = pf.time_entries.groupby("task_id")["hours"].sum()
    actual = logged.reindex(done["task_id"].to_numpy()).fillna(0).to_numpy(dtype=float)
    frame = pd.DataFrame(
        {
            "type": done["task_type"].to_numpy(),
            "estimate": done["estimate_hours"].to_numpy(float),
            "actual": actual,
            "task_id": done["task_id"].to_numpy(),
        }
    )
    lessons = []
    for kind, group in frame.groupby("type", sort=True):
        ratio = group["actual"].sum() / group["estimate"].sum()
        if ESTIMATE_BAND[0] <= ratio <= ESTIMATE_BAND[1]:
            continue
        word = "under" if ratio > 1 else "over"
        lessons.append(_estimate_lesson(pf, str(kind), ratio, word, group))
    return lessons


def _estimate_lesson(
    pf: ProjectFrames, kind: str, ratio: float, word: str, group: pd.DataFrame
) -> Lesson:
    worst = group.assign(r=group["actual"] / group["estimate"]).sort_values(
        "r", ascending=word == "over", kind="stable"
    )
    return Lesson(
        kind="derived",
        category="estimation",
        title=f"{kind} items were {word}estimated: {ratio:.2f} hours logged per estimated hour",
        detail=f"{len(group)} finished {kind} items; {group['actual'].sum():.1f} h logged vs "
        f"{group['estimate'].sum():.1f} h estimated.",
        evidence=tuple(worst["task_id"].head(10)),
        action=f"Calibrate {kind} estimates by {ratio:.2f}x (reference class) in the next plan.",
        owner=_lead(pf),
    )


def rework(pf: ProjectFrames) -> list[Lesson]:
    changes = pf.status_changes
    reopen = ((changes["from_category"] == "done") & (changes["to_category"] != "done")).fillna(
        False
    )
    ids = sorted(set(changes.loc[reopen.to_numpy(), "task_id"]))
    if not ids:
        return []
    reached = changes.loc[(changes["to_category"] == "done").fillna(False).to_numpy(), "task_id"]
    share = len(ids) / max(reached.nunique(), 1)
    return [
        Lesson(
            kind="derived",
            category="rework",
            title=f"{len(ids)} items were reopened after done ({share:.0%} of finished items)",
            detail="Reopened work means the definition of done or the tests let defects through.",
            evidence=tuple(ids[:20]),
            action="Tighten the definition of done and add acceptance tests for the reopened kinds.",
            owner=_lead(pf),
        )
    ]


def bottlenecks(pf: ProjectFrames) -> list[Lesson]:
    """Statuses (not done) where items spent the largest share of their time."""
    history = _status_history(pf)
    waiting = history[history["category"] != "done"]
    if waiting.empty or waiting["days"].sum() <= 0:
        return []
    by_status = waiting.groupby("status")["days"].sum().sort_values(ascending=False, kind="stable")
    share = by_status.iloc[0] / by_status.sum()
    name = str(by_status.index[0])
    if share < MIN_BOTTLENECK_SHARE or name.lower() in ("to do", "backlog", "open", "new"):
        return []
    items = waiting[waiting["status"] == name].sort_values("days", ascending=False, kind="stable")
    return [
        Lesson(
            kind="derived",
            category="bottleneck",
            title=f"Work waited longest in '{name}': {share:.0%} of in-flight time",
            detail=f"{by_status.iloc[0]:.1f} item-days in '{name}' out of {by_status.sum():.1f}.",
            evidence=tuple(dict.fromkeys(items["task_id"]))[:20],
            action=f"Add capacity or a WIP limit at '{name}'; review its entry/exit criteria.",
            owner=_lead(pf),
        )
    ]


def materialised_risks(pf: ProjectFrames) -> list[Lesson]:
    risks = pf.risks
    hit = risks[risks["materialised"].fillna(False).astype(bool).to_numpy()]
    if hit.empty:
        return []
    unplanned = hit[hit["mitigation"].isna().to_numpy() | hit["owner_id"].isna().to_numpy()]
    share = len(hit) / len(risks)
    return [
        Lesson(
            kind="derived",
            category="risk",
            title=f"{len(hit)} of {len(risks)} registered risks materialised ({share:.0%})",
            detail=f"{len(unplanned)} of them had no owner or no mitigation when they hit.",
            evidence=tuple(sorted(hit["risk_id"])),
            action="Review why mitigations did not prevent these; add them to the risk checklist "
            "for similar projects.",
            owner=_str(hit["owner_id"].dropna().iloc[0])
            if hit["owner_id"].notna().any()
            else _lead(pf),
        )
    ]


def over_allocation(pf: ProjectFrames, checks: ChecksSettings) -> list[Lesson]:
    """Person-weeks over capacity among the project's people, across all their projects.

    The same weeks and definition as the risk check `resources.over_allocation`: a week's
    load is the larger of task hours and attendance (worklogs and Shifts cards never add up
    twice); people without a recorded capacity are measured against the configured default.
    """
    tolerance = knob("resources.capacity_tolerance_pct", checks.thresholds) / 100
    over = [
        (hours, person, capacity)
        for person, _monday, hours, capacity in project_weeks(pf, checks.thresholds)
        if hours > capacity * (1 + tolerance)
    ]
    if not over:
        return []
    names = sorted({person for _, person, _ in over})
    peak_hours, _, peak_capacity = max(over)
    return [
        Lesson(
            kind="derived",
            category="over_allocation",
            title=f"{len(names)} people were over capacity in {len(over)} person-weeks",
            detail=f"Peak week: {peak_hours:.1f} h logged vs capacity {peak_capacity:.1f} h.",
            evidence=tuple(names),
            action="Plan resource levelling across projects; flag loads above capacity earlier.",
            owner=_lead(pf),
        )
    ]


def _status_history(pf: ProjectFrames) -> pd.DataFrame:
    """Each stay of a task in a status: task_id, status, category, from/to category, days.

    A stay ends at the task's next change, else at the status date; for a task that is done
    now, never after it got done (resolved_at, else its last move into done), whatever order
    the changelog lists its moves in: finished work is not "in progress" until today."""
    as_of = pd.Timestamp(pf.as_of)
    changes = pf.status_changes
    changes = changes[pd.to_datetime(changes["changed_at"], utc=True) <= as_of]
    changes = changes.sort_values(["task_id", "changed_at", "change_id"], kind="stable")
    if changes.empty:
        return pd.DataFrame(
            columns=["task_id", "status", "category", "from_category", "to_category", "days"]
        )
    at = pd.to_datetime(changes["changed_at"], utc=True)
    following = at.groupby(changes["task_id"]).shift(-1).fillna(as_of)
    finished = done_timestamps(pf.tasks, pf.status_changes, WORK_TYPES)
    done_at = changes["task_id"].map(finished)
    following = following.where(done_at.isna() | (following <= done_at), done_at)
    days = (following - at).dt.total_seconds().to_numpy() / 86400
    return pd.DataFrame(
        {
            "task_id": changes["task_id"].to_numpy(),
            "status": changes["to_status"].fillna("(unknown)").to_numpy(),
            "category": changes["to_category"].to_numpy(),
            "from_category": changes["from_category"].to_numpy(),
            "to_category": changes["to_category"].to_numpy(),
            "days": np.clip(days, 0, None),
        }
    )


def _lead(pf: ProjectFrames) -> str | None:
    return _str(pf.project.get("lead_id"))


def _str(value: Any) -> str | None:
    if value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value)):
        return None
    return str(value)
