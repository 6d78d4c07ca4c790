"""Timesheet anomalies and the Jira-worklog vs time-card reconciliation (plain pandas).

All warnings: each points at hours a person should look at, none makes the other numbers
wrong. (Impossible single entries, hours outside (0, 24], are critical in the GX suite.)
"""

from __future__ import annotations

from dataclasses import replace

import pandas as pd

from checks.model import QualityResult, Severity
from checks.quality.evidence import failure_results, passed, row_projects
from checks.quality.specs import flagged

LONG_DAY = "timesheet.long_day"
CLOCK_OUT_BEFORE_IN = "timesheet.clock_out_before_in"
AFTER_CLOSE = "timesheet.logged_after_close"
FUTURE_DATE = "timesheet.future_work_date"
CLOCK_FLAG = "clock_out_before_in"  # raised by the Graph time-card mapper
CLOSED_GRACE_DAYS = 14
# work_date is the author's own calendar day; at a given UTC instant it can already be
# tomorrow up to UTC+14 (Kiribati), so only dates beyond that are in the future.
_AHEAD_OF_UTC = pd.Timedelta(hours=14)


def long_days(entries: pd.DataFrame, by_task: pd.Series, max_hours: float) -> list[QualityResult]:
    """A person's hours in one day and one source kind above `max_hours`."""
    known = entries["person_id"].notna()
    day_total = (
        entries["hours"]
        .astype("float64")
        .where(known)
        .groupby([entries["person_id"], entries["work_date"], entries["kind"]], dropna=True)
        .transform("sum")
    )
    failing = (day_total > max_hours).fillna(False).astype(bool)
    description = f"no person logs more than {max_hours:g} h in one day (per source kind)"
    return _entry_results(entries, failing, by_task, LONG_DAY, description, with_people=True)


def clock_out_before_in(entries: pd.DataFrame, by_task: pd.Series) -> list[QualityResult]:
    """Time cards the mapper flagged as clocked out before clocked in, or with no hours.

    A card still clocked in also has 0 h (flag `clocked_in`): that is a shift in progress.
    """
    empty_card = ((entries["kind"] == "timecard") & (entries["hours"] <= 0)).fillna(False)
    still_in = flagged(entries, frozenset({"clocked_in"}))
    failing = flagged(entries, frozenset({CLOCK_FLAG})) | (empty_card.astype(bool) & ~still_in)
    description = "no time card ends before it starts"
    return _entry_results(
        entries, failing, by_task, CLOCK_OUT_BEFORE_IN, description, with_people=True
    )


def logged_after_close(
    entries: pd.DataFrame, tasks: pd.DataFrame | None, by_task: pd.Series
) -> list[QualityResult]:
    """Hours on a task more than CLOSED_GRACE_DAYS after it was resolved."""
    description = f"no hours logged more than {CLOSED_GRACE_DAYS} days after the task closed"
    if tasks is None:
        return []
    done = tasks[(tasks["status_category"] == "done") & tasks["resolved_at"].notna()]
    closed_day = done.drop_duplicates("task_id").set_index("task_id")["resolved_at"]
    closed_day = closed_day.dt.tz_convert("UTC").dt.tz_localize(None).dt.normalize()
    closed = entries["task_id"].map(closed_day)
    limit = closed + pd.Timedelta(days=CLOSED_GRACE_DAYS)
    failing = (entries["work_date"] > limit).fillna(False).astype(bool)
    return _entry_results(entries, failing, by_task, AFTER_CLOSE, description)


def future_work_dates(
    entries: pd.DataFrame, by_task: pd.Series, as_of: pd.Timestamp
) -> list[QualityResult]:
    latest = (as_of.tz_convert("UTC") + _AHEAD_OF_UTC).tz_localize(None).normalize()
    failing = (entries["work_date"] > latest).fillna(False).astype(bool)
    description = "no hours on a work date after the status date"
    return _entry_results(entries, failing, by_task, FUTURE_DATE, description)


def _entry_results(
    entries: pd.DataFrame,
    failing: pd.Series,
    by_task: pd.Series,
    check: str,
    description: str,
    with_people: bool = False,
) -> list[QualityResult]:
    if not failing.any():
        return [passed("time_entries", check, Severity.WARNING, len(entries), description)]
    results = failure_results(
        table="time_entries",
        expectation=check,
        severity=Severity.WARNING,
        detail=f"expected: {description}",
        keys=entries["entry_id"],
        failing=failing,
        projects=row_projects("time_entries", entries, by_task),
    )
    if not with_people:
        return results
    return [_with_people(r, entries[failing]) for r in results]


def _with_people(result: QualityResult, failing: pd.DataFrame) -> QualityResult:
    """Name the people as well as the entries: a PMO follows up with a person."""
    rows = failing[failing["entry_id"].isin(result.example_keys)]
    people = tuple(sorted({str(p) for p in rows["person_id"].dropna()}))
    return replace(result, example_keys=(*result.example_keys, *people))
