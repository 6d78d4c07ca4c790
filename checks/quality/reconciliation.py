"""Cross-source reconciliation: a person's Jira worklog hours vs their time-card hours per day.

Only people who use both sources are compared, and only over the span of days both sources
cover for them, so a team that adopted Shifts last month isn't flagged for the months before.
"""

from __future__ import annotations

from dataclasses import replace

import pandas as pd

from checks.model import QualityResult, Severity
from checks.quality.evidence import failure_results, passed
from checks.quality.specs import hours_measured

RECONCILIATION = "reconciliation.worklog_vs_timecard"


def person_day_hours(entries: pd.DataFrame) -> pd.DataFrame:
    """Hours per person and work day, one column per source kind (worklog, timecard)."""
    relevant = entries[entries["kind"].isin(["worklog", "timecard"]) & entries["person_id"].notna()]
    hours = relevant["hours"].astype("float64")
    table = hours.groupby(
        [relevant["person_id"].astype(str), relevant["work_date"], relevant["kind"].astype(str)]
    ).sum()
    wide = table.unstack("kind", fill_value=0)  # in float columns: 0.0
    for kind in ("worklog", "timecard"):
        if kind not in wide.columns:
            wide[kind] = 0.0
    return wide[["worklog", "timecard"]]


def _comparable(wide: pd.DataFrame) -> pd.DataFrame:
    """Person-days inside the span where the person has both worklogs and time cards."""
    days = wide.reset_index()
    spans = []
    for kind in ("worklog", "timecard"):
        logged = days[days[kind] > 0].groupby("person_id")["work_date"].agg(["min", "max"])
        spans.append(logged)
    span = spans[0].join(spans[1], lsuffix="_w", rsuffix="_t", how="inner")
    days = days.merge(span, left_on="person_id", right_index=True, how="inner")
    start = days[["min_w", "min_t"]].max(axis=1)
    end = days[["max_w", "max_t"]].min(axis=1)
    return days[(days["work_date"] >= start) & (days["work_date"] <= end)]


def reconcile(entries: pd.DataFrame, tolerance_hours: float) -> list[QualityResult]:
    """Warning per project for person-days whose two sources differ by more than the tolerance."""
    description = (
        f"worklog and time-card hours per person and day agree within {tolerance_hours:g} h"
    )
    measured = hours_measured(entries)
    read = entries.loc[measured, ["person_id", "work_date", "kind", "hours"]]  # not every column
    days = _without_unknown_days(_comparable(person_day_hours(read)), entries[~measured])
    differs = (days["worklog"] - days["timecard"]).abs() > tolerance_hours
    if not differs.any():
        return [passed("time_entries", RECONCILIATION, Severity.WARNING, len(days), description)]
    bad = days[differs]
    keys = bad["person_id"] + "/" + bad["work_date"].dt.strftime("%Y-%m-%d")
    rows = _projects_of_days(entries, bad.assign(key=keys))
    results = failure_results(
        table="time_entries",
        expectation=RECONCILIATION,
        severity=Severity.WARNING,
        detail=f"expected: {description}",
        keys=rows["key"],
        failing=pd.Series(True, index=rows.index),
        projects=rows["project_id"],
    )
    # failing counts are person-days per project; all compared person-days were checked
    return [replace(r, checked_count=len(days)) for r in results]


def _without_unknown_days(days: pd.DataFrame, unmeasured: pd.DataFrame) -> pd.DataFrame:
    """Drop person-days with an open or reversed time card: that day's total is unknown."""
    if unmeasured.empty:
        return days
    unknown = unmeasured[["person_id", "work_date"]].dropna().astype({"person_id": str})
    marked = days.merge(unknown.drop_duplicates(), how="left", indicator=True)
    return marked[marked["_merge"] == "left_only"].drop(columns="_merge")


def _projects_of_days(entries: pd.DataFrame, bad: pd.DataFrame) -> pd.DataFrame:
    """Each failing person-day with the projects its worklogs belong to (none: project null)."""
    logs = entries[entries["kind"] == "worklog"][["person_id", "work_date", "project_id"]]
    logs = logs.assign(person_id=logs["person_id"].astype(str)).drop_duplicates()
    joined = bad[["person_id", "work_date", "key"]].merge(
        logs, on=["person_id", "work_date"], how="left"
    )
    return joined.drop_duplicates(["key", "project_id"]).reset_index(drop=True)
