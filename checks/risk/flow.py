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
- blocked time: time spent in any status whose name contains "block" (e.g. 'Blocked').
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from checks.model import CheckOutput, ProjectFrames
from checks.risk.catalog import knob
from checks.risk.common import OutputBuilder, as_of_days, days, work_items
from config.settings import ChecksSettings


def history(frames: ProjectFrames) -> pd.DataFrame:
    """Work items' status changes up to the status date, ordered by task then time."""
    changes = frames.status_changes
    work_ids = set(work_items(frames.tasks)["task_id"].astype(str))
    at = days(changes["changed_at"])
    frame = pd.DataFrame(
        {
            "task_id": changes["task_id"].astype(str).to_numpy(),
            "at": at,
            "from_category": changes["from_category"].astype(object).to_numpy(),
            "to_category": changes["to_category"].astype(object).to_numpy(),
            "to_status": changes["to_status"].astype(object).to_numpy(),
        }
    )
    frame = frame[frame["task_id"].isin(work_ids) & (frame["at"] <= as_of_days(frames))]
    return frame.sort_values(["task_id", "at"], kind="stable").reset_index(drop=True)


def percentile(values: np.ndarray, q: float) -> float | None:
    return None if len(values) == 0 else float(np.percentile(values, q))


def check_flow(frames: ProjectFrames, settings: ChecksSettings) -> CheckOutput:
    out = OutputBuilder(frames, settings)
    now = as_of_days(frames)
    changes = history(frames)
    work = work_items(frames.tasks)
    into_done = changes[(changes["to_category"] == "done") & (changes["from_category"] != "done")]
    _throughput(out, into_done, changes, now, knob("flow.throughput_weeks", settings.thresholds))
    started = changes[changes["to_category"] == "in_progress"].groupby("task_id")["at"].min()
    _cycle_time(out, work, started, into_done)
    _wip_and_age(
        out, frames, work, started, changes, now, knob("flow.stale_days", settings.thresholds)
    )
    reopened = changes[(changes["from_category"] == "done") & (changes["to_category"] != "done")]
    reached = into_done["task_id"].unique()
    reopened_ids = sorted(reopened["task_id"].unique())
    out.metric(
        "flow.reopen_rate",
        None if len(reached) == 0 else len(reopened_ids) / len(reached),
        reopened_ids,
    )
    _blocked(out, work, changes, now)
    return out.out


def _throughput(
    out: OutputBuilder, into_done: pd.DataFrame, changes: pd.DataFrame, now: float, weeks: float
) -> None:
    if changes.empty:
        out.metric("flow.throughput_per_week", None)
        return
    span = min(weeks, max(1.0, (now - changes["at"].min()) / 7))
    recent = into_done[into_done["at"] > now - 7 * span]
    out.metric("flow.throughput_per_week", len(recent) / span, sorted(recent["task_id"].unique()))
    week_index = np.floor((now - recent["at"].to_numpy()) / 7).astype(int)
    counts = np.bincount(week_index, minlength=int(np.ceil(span)))[::-1]
    out.out.details.setdefault("flow", {})["weekly_done"] = [int(c) for c in counts]


def _cycle_time(
    out: OutputBuilder, work: pd.DataFrame, started: pd.Series, into_done: pd.DataFrame
) -> None:
    done_ids = work["task_id"][
        (work["status_category"] == "done").fillna(False).to_numpy(dtype=bool)
    ]
    finished = into_done.groupby("task_id")["at"].max().reindex(done_ids.astype(str))
    cycle = (finished - started.reindex(finished.index)).dropna()
    cycle = cycle[cycle >= 0]
    values = cycle.to_numpy(dtype=float)
    out.metric("flow.cycle_time_p50_days", percentile(values, 50), sorted(cycle.index))
    out.metric("flow.cycle_time_p85_days", percentile(values, 85), sorted(cycle.index))


def _wip_and_age(
    out: OutputBuilder,
    frames: ProjectFrames,
    work: pd.DataFrame,
    started: pd.Series,
    changes: pd.DataFrame,
    now: float,
    stale_days: float,
) -> None:
    active = work[(work["status_category"] == "in_progress").fillna(False).to_numpy(dtype=bool)]
    active_ids = active["task_id"].astype(str)
    out.metric("flow.wip", float(len(active)), sorted(active_ids))
    began = started.reindex(active_ids).to_numpy(dtype=float)
    began = np.where(np.isnan(began), days(active["created_at"]), began)
    age = now - began
    out.metric("flow.age_p85_days", percentile(age[~np.isnan(age)], 85))
    oldest = (
        sorted(active_ids[age >= np.nanmax(age)]) if len(age) and not np.isnan(age).all() else []
    )
    out.metric("flow.max_age_days", None if not oldest else float(np.nanmax(age)), oldest)
    last_change = changes.groupby("task_id")["at"].max().reindex(active_ids).to_numpy(dtype=float)
    last_change = np.where(np.isnan(last_change), days(active["updated_at"]), last_change)
    stale = (now - last_change) > stale_days
    out.metric("flow.stale_in_progress", float(stale.sum()), sorted(active_ids[stale]))


def _blocked(out: OutputBuilder, work: pd.DataFrame, changes: pd.DataFrame, now: float) -> None:
    blocked_status = changes["to_status"].astype(str).str.contains("block", case=False).to_numpy()
    next_at = changes.groupby("task_id")["at"].shift(-1).fillna(now).to_numpy(dtype=float)
    spent = (next_at - changes["at"].to_numpy(dtype=float))[blocked_status]
    ever = sorted(changes["task_id"][blocked_status].unique())
    out.metric("flow.blocked_days", float(spent.sum()), ever)
    current = (
        work["status"]
        .astype(str)
        .str.contains("block", case=False)
        .fillna(False)
        .to_numpy(dtype=bool)
    )
    open_now = current & (work["status_category"] != "done").fillna(True).to_numpy(dtype=bool)
    out.metric(
        "flow.blocked_now", float(open_now.sum()), sorted(work["task_id"][open_now].astype(str))
    )
