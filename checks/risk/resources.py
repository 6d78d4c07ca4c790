"""Resource load per person per ISO week against capacity, and the bus factor.

A person's weekly load counts their hours on *every* project (`portfolio_time_entries`), taken
as the larger of task hours (worklogs + timesheets) and attendance (Shifts time cards), so the
two sources never add up twice. Weeks are reported where the person also logged hours on this
project, up to the status date. Over-allocation: load > weekly_capacity_hours x (1 + tolerance);
a person with no capacity recorded is measured against `resources.default_weekly_capacity_hours`
(40 h unless configured). The closeout's over-allocation lesson uses the same definition.

Bus factor: the share of the project's task hours logged by its top contributor.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import numpy as np
import pandas as pd

from checks.model import CheckOutput, ProjectFrames
from checks.risk.catalog import knob
from checks.risk.common import (
    OutputBuilder,
    as_of_days,
    days,
    hours_by_person_bucket,
    person_time_keys,
    strings,
)
from config.settings import ChecksSettings


def weekly_load(entries: pd.DataFrame, until_day: float) -> dict[tuple[str, float], float]:
    """Hours per (person, Monday as days since the epoch): max(task hours, attendance)."""
    person, monday, attendance = person_time_keys(entries, 7)
    hours = entries["hours"].to_numpy(dtype=float, na_value=0.0)
    keep = days(entries["work_date"]) <= until_day
    return hours_by_person_bucket(person[keep], monday[keep], attendance[keep], hours[keep])


def weekly_capacity(
    people: pd.DataFrame, thresholds: Mapping[str, float] | None
) -> Callable[[str], float]:
    """Hours a week per person: their recorded capacity, else the configured default."""
    default = knob("resources.default_weekly_capacity_hours", thresholds)
    recorded = {
        person: float(hours)
        for person, hours in zip(
            strings(people, "person_id"),
            people["weekly_capacity_hours"].to_numpy(dtype=float, na_value=np.nan),
            strict=True,
        )
        if person is not None and not np.isnan(hours)
    }
    return lambda person: recorded.get(person, default)


def iso_week(monday: float) -> str:
    year, week, _ = pd.Timestamp(int(monday), unit="D").isocalendar()
    return f"{year}-W{week:02d}"


def project_weeks(
    frames: ProjectFrames, thresholds: Mapping[str, float] | None
) -> list[tuple[str, float, float, float]]:
    """(person, Monday, load on all projects, capacity) for every week, up to the status
    date, in which the person logged hours on this project; sorted."""
    now = np.floor(as_of_days(frames))
    own = weekly_load(frames.time_entries, now)
    capacity = weekly_capacity(frames.people, thresholds)
    return [
        (person, monday, hours, capacity(person))
        for (person, monday), hours in sorted(
            weekly_load(frames.portfolio_time_entries, now).items()
        )
        if (person, monday) in own
    ]


def check_resources(frames: ProjectFrames, settings: ChecksSettings) -> CheckOutput:
    out = OutputBuilder(frames, settings)
    tolerance = knob("resources.capacity_tolerance_pct", settings.thresholds) / 100
    episodes: list[dict[str, Any]] = []
    peak: float | None = None
    over_weeks: set[tuple[str, float]] = set()
    for person, monday, hours, cap in project_weeks(frames, settings.thresholds):
        if cap > 0:
            peak = max(peak or 0.0, 100 * hours / cap)
        if hours > cap * (1 + tolerance):
            over_weeks.add((person, monday))
            episodes.append(
                {
                    "person": person,
                    "week": iso_week(monday),
                    "hours": round(hours, 2),
                    "capacity": cap,
                }
            )
    over_people = sorted({e["person"] for e in episodes})
    evidence = over_people + _entries_in(frames.time_entries, over_weeks)
    out.metric("resources.over_allocated_person_weeks", float(len(episodes)), evidence)
    out.metric("resources.over_allocated_people", float(len(over_people)), over_people)
    out.metric("resources.peak_load_pct", peak)
    out.out.details["over_allocation"] = episodes
    _bus_factor(out, frames)
    return out.out


def _bus_factor(out: OutputBuilder, frames: ProjectFrames) -> None:
    entries = frames.time_entries
    task_hours = strings(entries, "kind") != "timecard"
    person = strings(entries, "person_id")[task_hours]
    hours = entries["hours"].to_numpy(dtype=float, na_value=0.0)[task_hours]
    by_person: dict[str, float] = {}
    for who, value in zip(person, hours, strict=True):
        if who is not None:
            by_person[who] = by_person.get(who, 0.0) + float(value)
    contributors = sorted(p for p, h in by_person.items() if h > 0)
    out.metric("resources.contributors", float(len(contributors)), contributors)
    if not contributors:
        out.metric("resources.bus_factor_share", None)
        return
    top = max(contributors, key=lambda p: (by_person[p], [-ord(c) for c in p]))
    total = sum(by_person[p] for p in contributors)
    out.metric("resources.bus_factor_share", by_person[top] / total, [top])


def _entries_in(entries: pd.DataFrame, weeks: set[tuple[str, float]]) -> list[str]:
    """This project's time entries that fall in the given (person, Monday) weeks."""
    if not weeks:
        return []
    person, monday, _ = person_time_keys(entries, 7)
    ids = strings(entries, "entry_id")
    return sorted(e for e, p, m in zip(ids, person, monday, strict=True) if (p, m) in weeks)
