"""Timesheet compliance and long days.

- Compliance: people with open work items assigned in this project should log time (on any
  project, any source) on at least `timesheet.min_logged_days_pct` % of the working days
  (Mon-Fri) of the two weeks before the status date.
- Long days: person-days, among days the person logged on this project, whose hours on all
  projects exceed `settings.max_hours_per_day`, counted per kind of record (task hours vs time-card
  attendance) so two sources of the same day never add up; evidence: the person and the entries.
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
    is_done,
    pct,
    person_time_keys,
    strings,
    work_items,
)
from config.settings import ChecksSettings

WINDOW_DAYS = 14


def working_days(first: int, last_exclusive: int) -> np.ndarray:
    span = np.arange(first, last_exclusive).astype("datetime64[D]")
    return span[np.is_busday(span)].astype(np.int64)


def check_timesheet(frames: ProjectFrames, settings: ChecksSettings) -> CheckOutput:
    out = OutputBuilder(frames, settings)
    today = int(np.floor(as_of_days(frames)))
    work = work_items(frames.tasks)
    assignees = sorted(set(work["assignee_id"][~is_done(work)].dropna().astype(str)))
    entries = frames.portfolio_time_entries
    day = np.floor(days(entries["work_date"]))
    person = entries["person_id"].astype(str).to_numpy()
    window = working_days(today - WINDOW_DAYS, today)
    logged = entries["hours"].astype(float).to_numpy() > 0
    in_window = np.isin(day, window) & logged
    days_logged = pd.Series(day[in_window]).groupby(person[in_window]).nunique()
    share = 100 * days_logged.reindex(assignees).fillna(0) / max(len(window), 1)
    minimum = knob("timesheet.min_logged_days_pct", settings.thresholds)
    late = sorted(share.index[share < minimum])
    out.metric("timesheet.compliance_pct", pct(len(assignees) - len(late), len(assignees)), late)
    _long_days(out, frames, settings.max_hours_per_day)
    return out.out


def _long_days(out: OutputBuilder, frames: ProjectFrames, max_hours: float) -> None:
    entries = frames.portfolio_time_entries
    person, day, attendance = person_time_keys(entries, 1)
    hours = entries["hours"].to_numpy(dtype=float, na_value=0.0)
    own_person, own_day, _ = person_time_keys(frames.time_entries, 1)
    own = set(zip(own_person, own_day, strict=True))
    totals: dict[tuple[str, float, bool], float] = {}
    for key, value in zip(zip(person, day, attendance, strict=True), hours, strict=True):
        if key[:2] in own:
            totals[key] = totals.get(key, 0.0) + float(value)
    long = {key[:2] for key, total in totals.items() if total > max_hours}
    entry_ids = strings(entries, "entry_id")
    evidence = {p for p, _ in long}
    evidence |= {e for e, p, d in zip(entry_ids, person, day, strict=True) if (p, d) in long}
    out.metric("timesheet.long_days", float(len(long)), sorted(evidence))
    out.out.details["long_days"] = [
        {"person": p, "date": str(np.datetime64(int(d), "D"))} for p, d in sorted(long)
    ]
