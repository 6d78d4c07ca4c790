"""Throughput history: when work items finished, bucketed by day or week (forecast input).

History = the `window_days` complete calendar days before the status date (today is partial
and so left out); weekends stay in as zero days. Work items are the deliverable types
(`FORECAST_ITEM_TYPES`): epics and subtasks would count the same work twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

import numpy as np
import pandas as pd

FORECAST_ITEM_TYPES = ("story", "task", "defect", "uat", "training", "documentation")
DEFAULT_WINDOW_DAYS = 84


@dataclass(frozen=True)
class ThroughputHistory:
    """Items finished per bucket over the history window, oldest bucket first."""

    counts: np.ndarray
    bucket_days: int
    first_day: date
    last_day: date

    @property
    def done_items(self) -> int:
        return int(self.counts.sum())

    @property
    def weekly_cv(self) -> float | None:
        """Coefficient of variation of weekly throughput: how far the history can be trusted."""
        weekly = weekly_totals(self.counts, self.bucket_days)
        if len(weekly) < 2 or weekly.mean() == 0:
            return None
        return float(weekly.std(ddof=0) / weekly.mean())


def weekly_totals(counts: np.ndarray, bucket_days: int) -> np.ndarray:
    """Whole weeks of history summed (the oldest partial week is dropped)."""
    if bucket_days == 7:
        return counts.astype(float)
    per_week = 7 // bucket_days
    usable = len(counts) - len(counts) % per_week
    weekly: np.ndarray = counts[len(counts) - usable :].reshape(-1, per_week).sum(axis=1)
    return weekly.astype(float)


def done_timestamps(
    tasks: pd.DataFrame,
    status_changes: pd.DataFrame | None = None,
    item_types: tuple[str, ...] = FORECAST_ITEM_TYPES,
) -> pd.Series:
    """When each finished work item was done: `resolved_at`, else its last move into done.

    Returns UTC timestamps indexed by task_id (deleted tasks and other types left out).
    """
    work = _work_items(tasks, item_types)
    done = work[work["status_category"] == "done"]
    stamps = pd.Series(done["resolved_at"].array, index=done["task_id"].to_numpy())
    missing = stamps.index[stamps.isna()]
    if len(missing) and status_changes is not None and len(status_changes):
        moves = status_changes[
            (status_changes["to_category"] == "done") & status_changes["task_id"].isin(missing)
        ]
        last_move = moves.groupby("task_id")["changed_at"].max()
        stamps = stamps.fillna(last_move.reindex(stamps.index))
    return _utc(stamps.dropna())


def _utc(stamps: pd.Series) -> pd.Series:
    """`pd.to_datetime(stamps, utc=True)`, skipped when already UTC (it costs ms per call)."""
    if isinstance(stamps.dtype, pd.DatetimeTZDtype) and str(stamps.dtype.tz) == "UTC":
        return stamps
    return pd.to_datetime(stamps, utc=True)


def remaining_items(tasks: pd.DataFrame, item_types: tuple[str, ...] = FORECAST_ITEM_TYPES) -> int:
    work = _work_items(tasks, item_types)
    return int((work["status_category"] != "done").sum())


def _work_items(tasks: pd.DataFrame, item_types: tuple[str, ...]) -> pd.DataFrame:
    keep = tasks["task_type"].isin(item_types).fillna(False).astype(bool)
    if "is_deleted" in tasks:
        keep &= ~tasks["is_deleted"].fillna(False).astype(bool)
    return tasks[keep.to_numpy()]


def throughput_history(
    done_at: pd.Series,
    as_of: datetime,
    window_days: int = DEFAULT_WINDOW_DAYS,
    bucket_days: int = 1,
) -> ThroughputHistory:
    """Bucket finish times into the `window_days` complete days before `as_of` (UTC days)."""
    if bucket_days not in (1, 7):
        raise ValueError(f"bucket_days must be 1 (daily) or 7 (weekly), got {bucket_days}")
    if window_days < bucket_days or window_days % bucket_days:
        raise ValueError(f"window_days ({window_days}) must be a multiple of bucket_days")
    today = pd.Timestamp(as_of).tz_convert("UTC").normalize()
    stamps = _utc(done_at)
    days_ago = ((today - stamps.dt.normalize()).dt.days).to_numpy()  # 1 = yesterday
    in_window = days_ago[(days_ago >= 1) & (days_ago <= window_days)]
    daily = np.bincount(window_days - in_window, minlength=window_days)  # oldest day first
    counts = daily.reshape(-1, bucket_days).sum(axis=1) if bucket_days > 1 else daily
    first = (today - pd.Timedelta(days=window_days)).date()
    return ThroughputHistory(
        counts.astype(np.int64), bucket_days, first, today.date() - timedelta(1)
    )
