"""Resource load per person per ISO week against capacity, and the bus factor.

A person's weekly load counts their hours on *every* project (`portfolio_time_entries`), taken
as the larger of task hours (worklogs + timesheets) and attendance (Shifts time cards), so the
two sources never add up twice. Weeks are reported where the person also logged hours on this
project, up to the status date. Over-allocation: load > weekly_capacity_hours x (1 + tolerance);
a person with no capacity recorded is measured against 40 h.

Bus factor: the share of the project's task hours logged by its top contributor.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from checks.model import CheckOutput, ProjectFrames
from checks.risk.catalog import knob
from checks.risk.common import OutputBuilder, as_of_days, days
from config.settings import ChecksSettings

DEFAULT_CAPACITY = 40.0


def weekly_load(entries: pd.DataFrame, until_day: float) -> pd.DataFrame:
    """Hours per person per week (monday as days since epoch): max(task hours, attendance)."""
    day = np.floor(days(entries["work_date"]))
    keep = (day <= until_day) & entries["person_id"].notna().to_numpy()
    day = day[keep]
    frame = pd.DataFrame(
        {
            "person_id": entries["person_id"].to_numpy(dtype=object)[keep],
            "monday": day - (day + 3) % 7,  # 1970-01-01 was a Thursday
            "attendance": (entries["kind"] == "timecard").fillna(False).to_numpy(dtype=bool)[keep],
            "hours": entries["hours"].astype(float).to_numpy()[keep],
        }
    )
    by_kind = frame.groupby(["person_id", "monday", "attendance"], sort=True)["hours"].sum()
    return by_kind.groupby(level=[0, 1]).max().rename("hours").reset_index()


def iso_week(monday: float) -> str:
    year, week, _ = pd.Timestamp(int(monday), unit="D").isocalendar()
    return f"{year}-W{week:02d}"


def check_resources(frames: ProjectFrames, settings: ChecksSettings) -> CheckOutput:
    out = OutputBuilder(frames, settings)
    now = np.floor(as_of_days(frames))
    load = weekly_load(frames.portfolio_time_entries, now)
    own = weekly_load(frames.time_entries, now)[["person_id", "monday"]]
    load = load.merge(own, on=["person_id", "monday"], how="inner")
    people = frames.people.set_index(frames.people["person_id"].astype(str))
    capacity = people["weekly_capacity_hours"].astype("Float64").astype(float)
    load["capacity"] = (
        capacity.reindex(load["person_id"].astype(str)).fillna(DEFAULT_CAPACITY).to_numpy()
    )
    tolerance = knob("resources.capacity_tolerance_pct", settings.thresholds) / 100
    over = load[load["hours"] > load["capacity"] * (1 + tolerance)]
    over_people = sorted(over["person_id"].astype(str).unique())
    out.metric("resources.over_allocated_person_weeks", float(len(over)), over_people)
    out.metric("resources.over_allocated_people", float(len(over_people)), over_people)
    peak = (
        (load["hours"] / load["capacity"].where(load["capacity"] > 0)).max() if len(load) else None
    )
    out.metric(
        "resources.peak_load_pct", None if peak is None or pd.isna(peak) else 100 * float(peak)
    )
    out.out.details["over_allocation"] = [
        {
            "person": str(r.person_id),
            "week": iso_week(r.monday),
            "hours": round(float(r.hours), 2),
            "capacity": float(r.capacity),
        }
        for r in over.itertuples(index=False)
    ]
    _bus_factor(out, frames)
    return out.out


def _bus_factor(out: OutputBuilder, frames: ProjectFrames) -> None:
    entries = frames.time_entries
    task_hours = entries[(entries["kind"] != "timecard").fillna(True).to_numpy(dtype=bool)]
    by_person = (
        task_hours.groupby(task_hours["person_id"].astype(object))["hours"].sum().astype(float)
    )
    by_person = by_person[by_person > 0].sort_index()
    out.metric("resources.contributors", float(len(by_person)), sorted(by_person.index.astype(str)))
    if by_person.empty:
        out.metric("resources.bus_factor_share", None)
        return
    top = str(by_person.idxmax())
    out.metric("resources.bus_factor_share", float(by_person.max() / by_person.sum()), [top])
