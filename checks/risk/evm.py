"""Earned value (ANSI/EIA-748) and earned schedule (Lipke), effort-based and cost-based.

The time-phased plan: every estimated work item spreads its estimate evenly over
[start_date, due_date + 1 day) -- start defaults to the project's start_date (then the task's
creation day), due defaults to the project's target_date; items with neither are left out of
EVM and listed in `details["evm"]["unplanned_items"]`. The evidence of SPI / SV / SPI(t) is the
items behind their planned progress (largest shortfall first), then open items past due that
the hour-based plan can't see (e.g. stories sized only in points). PV(t) is the plan's
cumulative value at t, a piecewise-linear curve; BAC is the plan's total (sum of estimates).

Earned value credits each item's estimate by its progress: done = 100 %; in progress =
`percent_complete` when the source has one (Planner: 50), else the in-progress credit knob
(`evm.in_progress_credit_pct`: 0 by default, i.e. the 0/100 rule; set 50 for the 50/50 rule);
not started = 0. AC = hours logged on the project (worklogs and timesheets; Shifts time cards
are attendance and would double count). Cost-based metrics are added when
`settings.hourly_rates` is set (person e-mail or '*' -> rate; tasks use their assignee's rate).

Earned schedule: ES = the time at which PV first equals today's EV, interpolated linearly on the
PV curve; AT = status date - project start; SPI(t) = ES / AT.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from checks.model import CheckOutput, ProjectFrames
from checks.risk.catalog import knob
from checks.risk.common import OutputBuilder, as_of_days, day_of, days, ratio, strings, work_items
from config.settings import ChecksSettings


@dataclass(frozen=True)
class Plan:
    """The time-phased plan of a project's estimated work items, as arrays (days since epoch)."""

    task_ids: np.ndarray
    estimate: np.ndarray
    start: np.ndarray
    end: np.ndarray
    earned_share: np.ndarray  # 0..1 progress credited to each item
    resolved: np.ndarray  # resolution day (NaN when open)
    assignee: np.ndarray
    unplanned: tuple[str, ...]
    origin: float  # project start (days since epoch)


@dataclass(frozen=True)
class Curve:
    """A piecewise-linear cumulative plan: value `values[k]` at time `times[k]`."""

    times: np.ndarray
    values: np.ndarray

    def at(self, t: float | np.ndarray) -> np.ndarray:
        if len(self.times) == 0:
            return np.zeros_like(np.asarray(t, dtype=float))
        return np.interp(t, self.times, self.values, left=0.0, right=float(self.values[-1]))

    def first_time_reaching(self, value: float) -> float | None:
        """The earliest time the curve reaches `value` (linear interpolation between points)."""
        if len(self.times) == 0:
            return None
        k = int(np.searchsorted(self.values, value - 1e-9, side="left"))
        if k <= 0:
            return float(self.times[0])
        if k >= len(self.times):
            return float(self.times[-1])
        t0, t1 = self.times[k - 1], self.times[k]
        v0, v1 = self.values[k - 1], self.values[k]
        return float(t0 + (t1 - t0) * (value - v0) / (v1 - v0))


def plan_curve(start: np.ndarray, end: np.ndarray, weight: np.ndarray) -> Curve:
    """Cumulative planned value of items spread evenly over [start, end), by slope sweep."""
    if len(start) == 0:
        return Curve(np.array([]), np.array([]))
    rate = weight / (end - start)
    times, inverse = np.unique(np.r_[start, end], return_inverse=True)
    slope_change = np.bincount(inverse, weights=np.r_[rate, -rate], minlength=len(times))
    slope = np.cumsum(slope_change)
    values = np.r_[0.0, np.cumsum(slope[:-1] * np.diff(times))]
    return Curve(times, values)


def build_plan(frames: ProjectFrames, settings: ChecksSettings) -> Plan:
    tasks = work_items(frames.tasks)
    project = frames.project
    origin = day_of(project.get("start_date"))
    target = day_of(project.get("target_date"))
    estimate = tasks["estimate_hours"].to_numpy(dtype=float, na_value=0.0)
    start = days(tasks["start_date"])
    start = np.where(np.isnan(start), origin if origin is not None else np.nan, start)
    start = np.where(np.isnan(start), np.floor(days(tasks["created_at"])), start)
    end = days(tasks["due_date"]) + 1
    end = np.where(np.isnan(end), (target + 1) if target is not None else np.nan, end)
    end = np.where(end <= start, start + 1, end)
    estimated = estimate > 0
    planned = estimated & ~np.isnan(start) & ~np.isnan(end)
    task_ids = strings(tasks, "task_id")
    share = earned_share(
        strings(tasks, "status_category"),
        tasks["percent_complete"].to_numpy(dtype=float, na_value=np.nan),
        knob("evm.in_progress_credit_pct", settings.thresholds),
    )
    if origin is None:
        origin = float(start[planned].min()) if planned.any() else as_of_days(frames)
    return Plan(
        task_ids=task_ids[planned],
        estimate=estimate[planned],
        start=start[planned],
        end=end[planned],
        earned_share=share[planned],
        resolved=days(tasks["resolved_at"])[planned],
        assignee=strings(tasks, "assignee_id")[planned],
        unplanned=tuple(sorted(task_ids[estimated & ~planned])),
        origin=origin,
    )


def earned_share(
    category: np.ndarray, reported: np.ndarray, in_progress_credit_pct: float
) -> np.ndarray:
    """Progress credited per item (0..1): done 100 %, in progress its percent or the credit."""
    in_progress = np.where(np.isnan(reported), in_progress_credit_pct, reported)
    share = np.where(
        category == "done", 100.0, np.where(category == "in_progress", in_progress, 0.0)
    )
    return np.clip(share / 100.0, 0.0, 1.0)


@dataclass(frozen=True)
class Actuals:
    """Hours that count as actual cost: worklogs and timesheets up to the status date
    (Shifts time cards are attendance and would count the same hours twice)."""

    task: np.ndarray
    person: np.ndarray
    day: np.ndarray
    hours: np.ndarray


def actual_entries(frames: ProjectFrames) -> Actuals:
    entries = frames.time_entries
    day = days(entries["work_date"])
    keep = (strings(entries, "kind") != "timecard") & (day <= as_of_days(frames))
    return Actuals(
        task=strings(entries, "task_id")[keep],
        person=strings(entries, "person_id")[keep],
        day=day[keep],
        hours=entries["hours"].to_numpy(dtype=float, na_value=0.0)[keep],
    )


def evm_values(bac: float, pv: float, ev: float, ac: float) -> dict[str, float | None]:
    """The ANSI/EIA-748 indicators from the four base values (None where undefined)."""
    spi, cpi = ratio(ev, pv), ratio(ev, ac)
    eac = None if not cpi else bac / cpi
    return {
        "sv": ev - pv,
        "cv": ev - ac,
        "spi": spi,
        "cpi": cpi,
        "eac": eac,
        "etc": None if eac is None else eac - ac,
        "vac": None if eac is None else bac - eac,
        "tcpi": ratio(bac - ev, bac - ac),
    }


def check_evm(frames: ProjectFrames, settings: ChecksSettings) -> CheckOutput:
    out = OutputBuilder(frames, settings)
    plan = build_plan(frames, settings)
    now = as_of_days(frames)
    curve = plan_curve(plan.start, plan.end, plan.estimate)
    entries = actual_entries(frames)
    bac = float(plan.estimate.sum())
    pv = float(curve.at(now)) if len(plan.estimate) else 0.0
    ev = float((plan.estimate * plan.earned_share).sum())
    ac = float(entries.hours.sum())
    base = {"bac": bac, "pv": pv, "ev": ev, "ac": ac}
    derived = evm_values(bac, pv, ev, ac)
    behind = _behind_plan(plan, now) + _open_past_due(frames, now, set(plan.task_ids))
    overspent = _overspent(plan, entries)
    for key in ("bac", "pv", "ev", "ac", "eac", "etc", "vac"):
        out.metric(f"evm.{key}_hours", base[key] if key in base else derived[key])
    out.metric("evm.sv_hours", derived["sv"], behind)
    out.metric("evm.spi", derived["spi"], behind)
    out.metric("evm.cpi", derived["cpi"], overspent)
    out.metric("evm.cv_hours", derived["cv"], overspent)
    out.metric("evm.tcpi", derived["tcpi"])
    out.metric("evm.percent_complete", None if bac == 0 else 100 * ev / bac)
    _earned_schedule(out, plan, curve, ev, now, behind)
    _budget_gap(out, frames, bac)
    if settings.hourly_rates:
        _cost_based(out, plan, entries, now, settings.hourly_rates)
    out.out.details["evm"] = {
        "unplanned_items": list(plan.unplanned),
        "in_progress_credit_pct": knob("evm.in_progress_credit_pct", settings.thresholds),
        "series": s_curve(plan, curve, entries, now, ev),
    }
    return out.out


def _earned_schedule(
    out: OutputBuilder, plan: Plan, curve: Curve, ev: float, now: float, behind: tuple[str, ...]
) -> None:
    at = now - plan.origin
    # Nothing planned yet: the schedule position is undefined, as SPI is when PV = 0.
    es_time = curve.first_time_reaching(ev) if float(curve.at(now)) > 0 else None
    es = None if es_time is None else max(es_time - plan.origin, 0.0) if ev > 0 else 0.0
    out.metric("evm.at_days", at)
    out.metric("evm.es_days", es)
    out.metric("evm.spi_t", None if es is None or at <= 0 else es / at, behind)
    out.metric("evm.sv_t_days", None if es is None else es - at, behind)


def _budget_gap(out: OutputBuilder, frames: ProjectFrames, bac: float) -> None:
    budget = frames.project.get("budget_hours")
    gap = None if not budget else 100.0 * (bac - float(budget)) / float(budget)
    out.metric("evm.budget_gap_pct", gap)


def _behind_plan(plan: Plan, now: float) -> tuple[str, ...]:
    """Items whose earned share lags their planned share today, largest shortfall first."""
    planned_share = np.clip((now - plan.start) / (plan.end - plan.start), 0.0, 1.0)
    shortfall = (planned_share - plan.earned_share) * plan.estimate
    lagging = np.flatnonzero(shortfall > 1e-9)
    order = lagging[np.lexsort((plan.task_ids[lagging], -shortfall[lagging]))]
    return tuple(plan.task_ids[order])


def _open_past_due(frames: ProjectFrames, now: float, planned: set[str]) -> tuple[str, ...]:
    """Open work items past their due date that the hour-based plan can't see (no estimate,
    e.g. a story sized in points): they are schedule slip too."""
    work = work_items(frames.tasks)
    late = (days(work["due_date"]) + 1 <= now) & (strings(work, "status_category") != "done")
    return tuple(sorted(t for t in strings(work, "task_id")[late] if t not in planned))


def _overspent(plan: Plan, entries: Actuals) -> tuple[str, ...]:
    """Items whose logged hours exceed the value they earned."""
    logged: dict[str, float] = {}
    for task, hours in zip(entries.task, entries.hours, strict=True):
        logged[task] = logged.get(task, 0.0) + hours
    spent = np.array([logged.get(t, 0.0) for t in plan.task_ids], dtype=float)
    over = spent > plan.estimate * plan.earned_share + 1e-9
    return tuple(sorted(plan.task_ids[over]))


def _rates(people: np.ndarray, rates: dict[str, float]) -> np.ndarray:
    default = float(rates.get("*", 0.0))
    return np.array([float(rates.get(str(p).lower(), default)) for p in people], dtype=float)


def _cost_based(
    out: OutputBuilder, plan: Plan, entries: Actuals, now: float, rates: dict[str, float]
) -> None:
    weight = plan.estimate * _rates(plan.assignee, rates)
    curve = plan_curve(plan.start, plan.end, weight)
    bac = float(weight.sum())
    pv = float(curve.at(now)) if len(weight) else 0.0
    ev = float((weight * plan.earned_share).sum())
    ac = float((entries.hours * _rates(entries.person, rates)).sum())
    derived = evm_values(bac, pv, ev, ac)
    for key, value in {"bac": bac, "pv": pv, "ev": ev, "ac": ac}.items():
        out.metric(f"evm.{key}_cost", value)
    for key in ("sv", "cv", "eac", "vac"):
        out.metric(f"evm.{key}_cost", derived[key])
    out.metric("evm.cpi_cost", derived["cpi"])


def s_curve(
    plan: Plan, curve: Curve, entries: Actuals, now: float, ev_now: float
) -> list[dict[str, Any]]:
    """Weekly cumulative PV / EV / AC from the project start to the status date (for charts)."""
    points = np.arange(plan.origin + 7, now, 7.0)[-260:]  # at most five years of weeks
    points = np.r_[points, now]
    done = ~np.isnan(plan.resolved)
    order = np.argsort(plan.resolved[done])
    resolved, value = plan.resolved[done][order], np.cumsum(plan.estimate[done][order])
    earned = np.r_[0.0, value][np.searchsorted(resolved, points, side="right")]
    earned[-1] = ev_now
    work_days = entries.day
    by_day = np.argsort(work_days, kind="stable")
    work = work_days[by_day]
    hours = np.r_[0.0, np.cumsum(entries.hours[by_day])]
    actual = hours[np.searchsorted(work, points, side="left")]
    actual[-1] = hours[-1]
    planned = curve.at(points) if len(plan.estimate) else np.zeros(len(points))
    dates = pd.to_datetime(points, unit="D").strftime("%Y-%m-%d")
    return [
        {"date": d, "pv": round(float(p), 3), "ev": round(float(e), 3), "ac": round(float(a), 3)}
        for d, p, e, a in zip(dates, planned, earned, actual, strict=True)
    ]
