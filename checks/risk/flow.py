"""Flow metrics from the changelog (`status_changes`), over work items, up to the status date.

- throughput: items that moved into done per week over the last `flow.throughput_weeks` weeks
  (fewer when the history is shorter); the weekly counts go to `details["flow"]["weekly_done"]`;
- cycle time: from the *first* move into in progress to the *last* move into done, for items
  done now (days; P50 / P85 by linear interpolation between order statistics, numpy's default);
- WIP and work-item age: items in progress now, and their age since the first move into
  in progress (creation when the changelog has none);
- stale: in-progress items whose last status change (else their last update) is older than
  `flow.stale_days` days;
- reopen rate: items ever moved from done back to not done / items ever moved into done;
- blocked time: time spent in any status whose name contains "block" (e.g. 'Blocked'),
  up to the status date, or for a done item up to when it got done.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from checks.forecast.throughput import done_timestamps
from checks.model import CheckOutput, ProjectFrames
from checks.risk.catalog import knob
from checks.risk.common import WORK_TYPES, OutputBuilder, as_of_days, days, strings, work_items
from config.settings import ChecksSettings


@dataclass(frozen=True)
class History:
    """Work items' status changes up to the status date, sorted by task then time."""

    task: np.ndarray  # object
    at: np.ndarray  # float days
    from_category: np.ndarray
    to_category: np.ndarray
    to_status: np.ndarray

    def first_per_task(self, mask: np.ndarray) -> dict[str, float]:
        """Time of the first change per task among rows in `mask`."""
        result: dict[str, float] = {}
        for task, at in zip(self.task[mask], self.at[mask], strict=True):
            result.setdefault(task, at)
        return result

    def last_per_task(self, mask: np.ndarray) -> dict[str, float]:
        return dict(zip(self.task[mask], self.at[mask], strict=True))  # later rows overwrite


def history(frames: ProjectFrames) -> History:
    changes = frames.status_changes
    work_ids = set(strings(work_items(frames.tasks), "task_id"))
    task = strings(changes, "task_id")
    at = days(changes["changed_at"])
    keep = np.array([t in work_ids for t in task], dtype=bool) & (at <= as_of_days(frames))
    # by task, then time; equal timestamps keep the row order, which `PortfolioSplit` fixes
    # by change id (never the order the warehouse returned rows in)
    order = np.lexsort((at[keep], pd.factorize(task[keep])[0]))
    pick = np.flatnonzero(keep)[order]
    return History(
        task=task[pick],
        at=at[pick],
        from_category=strings(changes, "from_category")[pick],
        to_category=strings(changes, "to_category")[pick],
        to_status=strings(changes, "to_status")[pick],
    )


def percentile(values: np.ndarray, q: float) -> float | None:
    return None if len(values) == 0 else float(np.percentile(values, q))


def _blocked_names(names: np.ndarray) -> np.ndarray:
    return np.array([isinstance(n, str) and "block" in n.lower() for n in names], dtype=bool)


def check_flow(frames: ProjectFrames, settings: ChecksSettings) -> CheckOutput:
    out = OutputBuilder(frames, settings)
    now = as_of_days(frames)
    h = history(frames)
    work = work_items(frames.tasks)
    into_done = (h.to_category == "done") & (h.from_category != "done")
    _throughput(out, h, into_done, now, knob("flow.throughput_weeks", settings.thresholds))
    started = h.first_per_task(h.to_category == "in_progress")
    _cycle_time(out, work, started, h.last_per_task(into_done))
    stale_days = knob("flow.stale_days", settings.thresholds)
    _wip_and_age(out, work, started, h.last_per_task(np.ones(len(h.task), bool)), now, stale_days)
    reopened = sorted(set(h.task[(h.from_category == "done") & (h.to_category != "done")]))
    reached = set(h.task[into_done])
    rate = None if not reached else len(reopened) / len(reached)
    out.metric("flow.reopen_rate", rate, reopened)
    _blocked(out, work, h, now, frames.status_changes)
    return out.out


def _throughput(
    out: OutputBuilder, h: History, into_done: np.ndarray, now: float, weeks: float
) -> None:
    if len(h.at) == 0:
        out.metric("flow.throughput_per_week", None)
        return
    span = min(weeks, max(1.0, (now - float(h.at.min())) / 7))
    recent = into_done & (h.at > now - 7 * span)
    out.metric("flow.throughput_per_week", recent.sum() / span, sorted(set(h.task[recent])))
    week_index = np.floor((now - h.at[recent]) / 7).astype(int)
    counts = np.bincount(week_index, minlength=int(np.ceil(span)))[::-1]
    out.out.details.setdefault("flow", {})["weekly_done"] = [int(c) for c in counts]


def _cycle_time(
    out: OutputBuilder, work: pd.DataFrame, started: dict[str, float], finished: dict[str, float]
) -> None:
    done_ids = strings(work, "task_id")[strings(work, "status_category") == "done"]
    cycle = {
        t: finished[t] - started[t]
        for t in done_ids
        if t in finished and t in started and finished[t] >= started[t]
    }
    values = np.array(list(cycle.values()), dtype=float)
    items = sorted(cycle)
    out.metric("flow.cycle_time_p50_days", percentile(values, 50), items)
    out.metric("flow.cycle_time_p85_days", percentile(values, 85), items)


def _wip_and_age(
    out: OutputBuilder,
    work: pd.DataFrame,
    started: dict[str, float],
    last_change: dict[str, float],
    now: float,
    stale_days: float,
) -> None:
    active = work[strings(work, "status_category") == "in_progress"]
    active_ids = strings(active, "task_id")
    out.metric("flow.wip", float(len(active)), sorted(active_ids))
    began = np.array([started.get(t, np.nan) for t in active_ids], dtype=float)
    age = now - np.where(np.isnan(began), days(active["created_at"]), began)
    known = ~np.isnan(age)
    out.metric("flow.age_p85_days", percentile(age[known], 85))
    oldest = sorted(active_ids[known & (age >= age[known].max())]) if known.any() else []
    out.metric("flow.max_age_days", float(age[known].max()) if oldest else None, oldest)
    last = np.array([last_change.get(t, np.nan) for t in active_ids], dtype=float)
    last = np.where(np.isnan(last), days(active["updated_at"]), last)
    stale = (now - last) > stale_days
    out.metric("flow.stale_in_progress", float(stale.sum()), sorted(active_ids[stale]))


def done_at(work: pd.DataFrame, status_changes: pd.DataFrame) -> dict[str, float]:
    """When each work item that is done now got done (resolved_at, else its last move into
    done), as float days: its time in any status ends there, whatever order the changelog
    lists its moves in."""
    stamps = done_timestamps(work, status_changes, WORK_TYPES)
    return dict(zip(stamps.index, days(stamps), strict=True))


def _blocked(
    out: OutputBuilder, work: pd.DataFrame, h: History, now: float, changes: pd.DataFrame
) -> None:
    blocked = _blocked_names(h.to_status)
    same_task_next = np.r_[h.task[1:] == h.task[:-1], False] if len(h.task) else np.array([], bool)
    next_at = np.where(same_task_next, np.r_[h.at[1:], now] if len(h.at) else h.at, now)
    if blocked.any():
        finished = done_at(work, changes)
        next_at = np.minimum(next_at, [finished.get(t, now) for t in h.task])
    spent = np.clip(next_at - h.at, 0.0, None)[blocked]
    out.metric("flow.blocked_days", float(spent.sum()), sorted(set(h.task[blocked])))
    open_now = _blocked_names(strings(work, "status")) & (
        strings(work, "status_category") != "done"
    )
    out.metric(
        "flow.blocked_now", float(open_now.sum()), sorted(strings(work, "task_id")[open_now])
    )
