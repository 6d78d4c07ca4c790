"""The series behind a report's charts, cut from a project's frames and check outputs.

Pure and small: the evaluation carries these in ``extra["charts"]`` so that reports can draw
them without recomputing anything (see docs/evaluation.md).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from checks.model import CheckOutput, ProjectFrames
from checks.risk.register import CLOSED_ROAM

MAX_LOAD_PEOPLE = 8
_LOAD_COLUMNS = ["person_id", "work_date", "hours"]


def chart_data(frames: ProjectFrames, risk: CheckOutput, forecast: Any | None) -> dict[str, Any]:
    return {
        "evm_series": list((risk.details.get("evm") or {}).get("series") or []),
        "forecast_histogram": getattr(forecast, "histogram", None),
        "risks": open_risks(frames.risks),
        "resource_load": weekly_load(frames),
        "project_load": project_load(frames),
    }


def open_risks(risks: pd.DataFrame) -> list[dict[str, Any]]:
    if risks.empty:
        return []
    live = risks[
        # one definition of "open" with the risk check (risk.open): ROAM minus closed states
        ~risks["roam_status"].astype(str).str.lower().isin(CLOSED_ROAM)
        & risks["probability"].notna()
        & risks["impact"].notna()
    ]
    return [
        {"risk_id": str(risk), "probability": int(probability), "impact": int(impact)}
        for risk, probability, impact in zip(
            live["risk_id"], live["probability"], live["impact"], strict=True
        )
    ]


def _iso_weeks(dates: pd.Series) -> pd.Series:
    """ISO week labels ("2026-W48"); strftime runs once per distinct date, not per row."""
    return _labels(dates, "%G-W%V")


def _day_labels(dates: pd.Series) -> pd.Series:
    """ISO dates ("2026-11-23"), once per distinct date as `_iso_weeks`."""
    return _labels(dates, "%Y-%m-%d")


def _labels(dates: pd.Series, fmt: str) -> pd.Series:
    codes, days = pd.factorize(dates, sort=False)
    labels = pd.to_datetime(pd.Series(days)).dt.strftime(fmt).to_numpy(dtype=object)
    picked = labels[np.maximum(codes, 0)] if len(labels) else np.full(len(codes), None, object)
    picked[codes < 0] = None  # missing dates
    return pd.Series(picked, index=dates.index, dtype=object)


def weekly_load(frames: ProjectFrames) -> list[dict[str, Any]]:
    """Hours per ISO week of the project's busiest people, across all their projects."""
    entries = frames.portfolio_time_entries
    project_people = set(frames.time_entries["person_id"].dropna().astype(str))
    if entries.empty or not project_people:
        return []
    keep = entries["person_id"].isin(project_people) & (entries["kind"] != "timecard").fillna(True)
    mine = entries.loc[keep, _LOAD_COLUMNS]  # only the columns read: no copy of the rest
    if mine.empty:
        return []
    weeks = _iso_weeks(mine["work_date"])
    load = mine.assign(week=weeks).groupby(["person_id", "week"])["hours"].sum().reset_index()
    top = load.groupby("person_id")["hours"].max().nlargest(MAX_LOAD_PEOPLE).index
    capacity = (
        frames.people.set_index("person_id")["weekly_capacity_hours"]
        if not frames.people.empty
        else pd.Series(dtype=float)
    )
    rows = (
        load[load["person_id"].isin(top)]
        .sort_values(["person_id", "week"])
        .tail(26 * MAX_LOAD_PEOPLE)
    )
    capacities = capacity.to_dict()  # a dict lookup per row, not a pandas `get`
    return [
        {
            "person": str(r.person_id),
            "week": str(r.week),
            "hours": round(float(r.hours), 2),
            "capacity": _capacity(capacities, r.person_id),
        }
        for r in rows.itertuples(index=False)
    ]


def project_load(frames: ProjectFrames) -> list[dict[str, Any]]:
    """Hours logged on this project per person and week (week = its Monday, ISO date)."""
    entries = frames.time_entries
    if entries.empty:
        return []
    keep = (entries["kind"] != "timecard").fillna(True) & entries["person_id"].notna()
    mine = entries.loc[keep, _LOAD_COLUMNS]
    if mine.empty:
        return []
    days = mine["work_date"]
    if not pd.api.types.is_datetime64_dtype(days.dtype):
        days = pd.to_datetime(days)
    monday = _day_labels(days - pd.to_timedelta(days.dt.weekday, unit="D"))
    load = mine.assign(week=monday).groupby(["person_id", "week"])["hours"].sum().reset_index()
    load = load.sort_values(["week", "person_id"])
    return [
        {"person": str(p), "week": str(w), "hours": round(float(h), 2)}
        for p, w, h in zip(load["person_id"], load["week"], load["hours"], strict=True)
    ]


def _capacity(capacities: dict[Any, Any], person: Any) -> float:
    value = capacities.get(person, np.nan)
    return float(value) if pd.notna(value) else 40.0
