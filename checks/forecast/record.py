"""The forecast record: earlier forecasts (from metric snapshots) scored against what happened.

A forecast is worth as much as its record. Every daily metric snapshot stores the forecast's
P50/P85/P95 finish dates as epoch days (`forecast.p50_date`, ...). Given the actual finish
(or, while the project runs, the status date) each snapshot is scored:

- ``hit``: the actual finish fell inside P50..P95;
- ``early``: it finished before P50; ``late``: after P95;
- ``missed``: still open after its P95 date (late for sure, the error is a lower bound);
- ``pending``: still open and its P95 date has not passed: not scorable yet.

The error is ``actual - P85`` in days (positive: later than the commitment).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import pandas as pd

from checks.forecast.monte_carlo import from_epoch_days
from checks.model import to_jsonable

SNAPSHOT_COLUMNS = ("project_id", "snapshot_date", "metric", "value")
_PCTS = ("p50", "p85", "p95")


@dataclass(frozen=True)
class ScoredForecast:
    snapshot_date: date
    p50: date | None
    p85: date | None
    p95: date | None
    outcome: str  # hit, early, late, missed, pending, incomplete
    error_days: int | None  # actual (or status date, for "missed") minus P85


@dataclass(frozen=True)
class ForecastRecord:
    actual_finish: date | None
    scored: tuple[ScoredForecast, ...]

    @property
    def decided(self) -> tuple[ScoredForecast, ...]:
        return tuple(s for s in self.scored if s.outcome in ("hit", "early", "late", "missed"))

    def summary(self) -> dict[str, Any]:
        decided = self.decided
        errors = [abs(s.error_days) for s in decided if s.error_days is not None]
        hits = sum(s.outcome == "hit" for s in decided)
        return {
            "forecasts": len(self.scored),
            "scored": len(decided),
            "hits": hits,
            "hit_rate": round(hits / len(decided), 6) if decided else None,
            "mean_abs_error_days": round(sum(errors) / len(errors), 6) if errors else None,
        }

    def metrics(self) -> dict[str, float | None]:
        s = self.summary()
        return {
            "forecast.record_scored": float(s["scored"]),
            "forecast.record_hit_rate": s["hit_rate"],
            "forecast.record_mae_days": s["mean_abs_error_days"],
        }

    def to_dict(self) -> dict[str, Any]:
        return {**to_jsonable(self), "summary": self.summary()}


def score_forecasts(
    snapshots: pd.DataFrame | None, project_id: str, actual_finish: date | None, as_of: date
) -> ForecastRecord:
    """Score the project's snapshot forecasts taken on or before the finish (or status date)."""
    if snapshots is None or snapshots.empty:
        return ForecastRecord(actual_finish, ())
    missing = set(SNAPSHOT_COLUMNS) - set(snapshots.columns)
    if missing:
        raise ValueError(f"metric snapshots frame lacks column(s) {sorted(missing)}")
    mine = snapshots[
        (snapshots["project_id"] == project_id)
        & snapshots["metric"].isin([f"forecast.{p}_date" for p in _PCTS])
    ]
    if mine.empty:
        return ForecastRecord(actual_finish, ())
    days = pd.to_datetime(mine["snapshot_date"]).dt.date
    wide = (
        mine.assign(day=days, pct=mine["metric"].str.slice(9, 12))
        .pivot_table(index="day", columns="pct", values="value", aggfunc="last")
        .sort_index()
    )
    cutoff = actual_finish or as_of
    rows = [
        _score(day, row, actual_finish, as_of)
        for day, row in zip(wide.index, (row for _, row in wide.iterrows()), strict=True)
        if day <= cutoff
    ]
    return ForecastRecord(actual_finish, tuple(rows))


def _score(day: date, row: pd.Series, actual: date | None, as_of: date) -> ScoredForecast:
    p50, p85, p95 = (from_epoch_days(_value(row, p)) for p in _PCTS)
    if p50 is None or p85 is None or p95 is None:
        return ScoredForecast(day, p50, p85, p95, "incomplete", None)
    if actual is None:
        if as_of > p95:
            return ScoredForecast(day, p50, p85, p95, "missed", (as_of - p85).days)
        return ScoredForecast(day, p50, p85, p95, "pending", None)
    outcome = "early" if actual < p50 else "late" if actual > p95 else "hit"
    return ScoredForecast(day, p50, p85, p95, outcome, (actual - p85).days)


def _value(row: pd.Series, pct: str) -> float | None:
    value = row.get(pct)
    return None if value is None or pd.isna(value) else float(value)
