"""Earned value (ANSI/EIA-748) and earned schedule (Lipke), effort-based and cost-based.

Budget and earned value come from estimates, whether or not the work is dated: BAC is the sum
of the estimates of every estimated work item, EV credits each estimate by its progress, AC is
the hours logged, so CPI = EV / AC is known for any project that estimates and logs time.

Schedule indices need a time-phased plan: every estimated item with a window spreads its
estimate evenly over [start_date, due_date + 1 day) -- start defaults to the project's
start_date (then the task's creation day), due defaults to the project's target_date. PV, SV,
SPI, ES and SPI(t) are computed on those planned items only (EV of the planned items against
their PV); items with no window are listed in `details["evm"]["unplanned_items"]`. With no
planned item at all, the schedule metrics are **not computable** (None, with the reason in
`CheckOutput.reasons`): never 0, never invented. The evidence of SPI / SV / SPI(t) is the
items behind their planned progress (largest shortfall first), then open items past due that
the hour-based plan can't see (e.g. stories sized only in points). PV(t) is the plan's
cumulative value at t, a piecewise-linear curve.

Earned value credits each item's estimate by its progress: done = 100 %; in progress =
`percent_complete` when the source has one (Planner: 50), else the in-progress credit knob
(`evm.in_progress_credit_pct`: 0 by default, i.e. the 0/100 rule; set 50 for the 50/50 rule);
not started = 0. AC = hours logged on the project up to the status date (worklogs and
timesheets; Shifts time cards are attendance and would double count). Cost-based metrics are
added when `settings.hourly_rates` is set (person e-mail or '*' -> rate; tasks use their
assignee's rate).

Earned schedule: ES = the time at which PV first equals EV, interpolated linearly on the PV
curve; AT = min(status date, completion) - project start, where completion is the last
resolution once every planned item is done (earned schedule stops when the work does);
SPI(t) = ES / AT.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import pandas as pd

from checks.model import CheckOutput, ProjectFrames
from checks.risk.catalog import knob
from checks.risk.common import OutputBuilder, as_of_days, day_of, days, strings, work_items
from config.settings import ChecksSettings


@dataclass(frozen=True)
class Plan:
    """A project's estimated work items, as arrays (days since epoch); `planned` marks the
    items with a time-phased window (start, end)."""

    task_ids: np.ndarray
    estimate: np.ndarray
    start: np.ndarray
    end: np.ndarray
    planned: np.ndarray  # bool per item
    earned_share: np.ndarray  # 0..1 progress credited to each item
    resolved: np.ndarray  # resolution day (NaN when open)
    assignee: np.ndarray
    unplanned: tuple[str, ...]
    origin: float | None  # project start (days since epoch); None when nothing says

    def scheduled(self) -> Plan:
        """The planned items only (what the schedule indices are computed on)."""
        keep = self.planned
        return replace(
            self,
            task_ids=self.task_ids[keep],
            estimate=self.estimate[keep],
            start=self.start[keep],
            end=self.end[keep],
            planned=self.planned[keep],
            earned_share=self.earned_share[keep],
            resolved=self.resolved[keep],
            assignee=self.assignee[keep],
        )

    def finish(self) -> float | None:
        """When the work finished: the last resolution once every item is done, else None."""
        if len(self.estimate) == 0 or (self.earned_share < 1.0).any():
            return None
        resolved = self.resolved[~np.isnan(self.resolved)]
        return float(resolved.max()) if len(resolved) else None


@dataclass(frozen=True)
class Curve:
    """A piecewise-linear cumulative plan: value `values[k]` at time `times[k]`."""

    times: np.ndarray
    values: np.ndarray

    def at(self, t: float | np.ndarray) -> np.ndarray:
        if len(self.times) == 0:
            return np.zeros_like(np.asarray(t, dtype=float))
        at: np.ndarray = np.interp(
            t, self.times, self.values, left=0.0, right=float(self.values[-1])
        )
        return at

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
    if origin is None and planned.any():
        origin = float(start[planned].min())
    elif origin is None and estimated.any() and not np.isnan(start[estimated]).all():
        origin = float(np.nanmin(start[estimated]))  # first estimated item created
    return Plan(
        task_ids=task_ids[estimated],
        estimate=estimate[estimated],
        start=start[estimated],
        end=end[estimated],
        planned=planned[estimated],
        earned_share=share[estimated],
        resolved=days(tasks["resolved_at"])[estimated],
        assignee=strings(tasks, "assignee_id")[estimated],
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


NO_ESTIMATES = "no work item has an estimate (estimate_hours), so there is no budget to earn"
NO_PLAN = (
    "no time-phased plan: no estimated work item has a due date (or start and due) and the "
    "project has no target date, so planned value is unknown"
)
NOTHING_PLANNED_YET = "nothing was planned to be done by the status date (PV = 0)"
NO_HOURS = "no hours logged on the project by the status date (AC = 0)"
NOTHING_EARNED = "nothing earned yet (EV = 0, CPI = 0): EAC = BAC / CPI is undefined"
ALL_EARNED = "all budgeted work is earned: nothing is left to complete"
OVERSPENT = "hours logged have reached BAC: the remaining work cannot be done within budget"
NO_START = "no project start date and no dated work item: actual time is unknown"


@dataclass(frozen=True)
class Indicators:
    """The ANSI/EIA-748 indicators: `values` (None where undefined) and why each None is."""

    values: dict[str, float | None]
    reasons: dict[str, str]


def evm_indicators(
    bac: float | None, pv: float | None, ev: float | None, ac: float, ev_planned: float | None
) -> Indicators:
    """Indicators from the base values. `bac`/`ev` None: no estimates; `pv` None: no plan;
    `ev_planned`: EV of the planned items (what SV and SPI compare with PV)."""
    values: dict[str, float | None] = {}
    reasons: dict[str, str] = {}

    def put(key: str, value: float | None, reason: str) -> None:
        values[key] = value
        if value is None:
            reasons[key] = reason

    no_pv = NO_ESTIMATES if bac is None else NO_PLAN
    put("sv", None if pv is None or ev_planned is None else ev_planned - pv, no_pv)
    spi = None if pv is None or ev_planned is None or pv <= 0 else ev_planned / pv
    put("spi", spi, no_pv if pv is None else NOTHING_PLANNED_YET)
    put("cv", None if ev is None else ev - ac, NO_ESTIMATES)
    cpi = None if ev is None or ac <= 0 else ev / ac
    put("cpi", cpi, NO_ESTIMATES if ev is None else NO_HOURS)
    why_cpi = reasons.get("cpi", NOTHING_EARNED)
    eac = None if bac is None or not cpi else bac / cpi
    put("eac", eac, why_cpi)
    put("etc", None if eac is None else eac - ac, why_cpi)
    put("vac", None if eac is None or bac is None else bac - eac, why_cpi)
    if bac is None or ev is None:
        put("tcpi", None, NO_ESTIMATES)
    elif bac - ev <= 1e-9:
        put("tcpi", None, ALL_EARNED)
    elif bac - ac <= 1e-9:
        put("tcpi", None, OVERSPENT)
    else:
        put("tcpi", (bac - ev) / (bac - ac), "")
    return Indicators(values, reasons)


def evm_values(bac: float, pv: float, ev: float, ac: float) -> dict[str, float | None]:
    """The ANSI/EIA-748 indicators from the four base values (None where undefined)."""
    return evm_indicators(bac, pv, ev, ac, ev).values


def check_evm(frames: ProjectFrames, settings: ChecksSettings) -> CheckOutput:
    out = OutputBuilder(frames, settings)
    plan = build_plan(frames, settings)
    sched = plan.scheduled()
    now = as_of_days(frames)
    curve = plan_curve(sched.start, sched.end, sched.estimate)
    entries = actual_entries(frames)
    estimated = len(plan.estimate) > 0
    bac = float(plan.estimate.sum()) if estimated else None
    ev = float((plan.estimate * plan.earned_share).sum()) if estimated else None
    pv = float(curve.at(now)) if len(sched.estimate) else None
    ev_planned = float((sched.estimate * sched.earned_share).sum()) if len(sched.estimate) else None
    ac = float(entries.hours.sum())
    ind = evm_indicators(bac, pv, ev, ac, ev_planned)
    derived, why = ind.values, ind.reasons
    behind = _behind_plan(sched, now) + _open_past_due(frames, now, set(sched.task_ids))
    overspent = _overspent(plan, entries)
    no_pv = NO_ESTIMATES if bac is None else NO_PLAN
    out.metric("evm.bac_hours", bac, reason=NO_ESTIMATES)
    out.metric("evm.pv_hours", pv, reason=no_pv)
    out.metric("evm.ev_hours", ev, reason=NO_ESTIMATES)
    out.metric("evm.ac_hours", ac)
    for key in ("eac", "etc", "vac"):
        out.metric(f"evm.{key}_hours", derived[key], reason=why.get(key))
    out.metric("evm.sv_hours", derived["sv"], behind, reason=why.get("sv"))
    out.metric("evm.spi", derived["spi"], behind, reason=why.get("spi"))
    out.metric("evm.cpi", derived["cpi"], overspent, reason=why.get("cpi"))
    out.metric("evm.cv_hours", derived["cv"], overspent, reason=why.get("cv"))
    out.metric("evm.tcpi", derived["tcpi"], reason=why.get("tcpi"))
    out.metric(
        "evm.percent_complete",
        None if not bac or ev is None else 100 * ev / bac,
        reason=NO_ESTIMATES,
    )
    _earned_schedule(out, sched, curve, ev_planned, now, behind, no_pv)
    _budget_gap(out, frames, bac)
    if settings.hourly_rates:
        _cost_based(out, plan, entries, now, settings.hourly_rates)
    out.out.details["evm"] = {
        "unplanned_items": list(plan.unplanned),
        "planned_share_of_bac": None if not bac else float(sched.estimate.sum()) / bac,
        "in_progress_credit_pct": knob("evm.in_progress_credit_pct", settings.thresholds),
        "series": s_curve(plan, sched, curve, entries, now, ev),
    }
    return out.out


def _earned_schedule(
    out: OutputBuilder,
    sched: Plan,
    curve: Curve,
    ev: float | None,
    now: float,
    behind: tuple[str, ...],
    no_plan: str,
) -> None:
    """ES, AT, SPI(t), SV(t) on the planned items; the clock stops when the work is done."""
    finish = sched.finish()
    status = now if finish is None else min(now, max(finish, sched.origin or finish))
    at = None if sched.origin is None else status - sched.origin
    out.metric("evm.at_days", at, reason=NO_START)
    if ev is None:
        for name in ("evm.es_days", "evm.spi_t", "evm.sv_t_days"):
            out.metric(name, None, reason=no_plan)
        return
    pv_now = float(curve.at(status))
    # Nothing planned yet: the schedule position is undefined, as SPI is when PV = 0.
    es_time = curve.first_time_reaching(ev) if pv_now > 0 else None
    origin = sched.origin if sched.origin is not None else 0.0
    es = None if es_time is None else max(es_time - origin, 0.0) if ev > 0 else 0.0
    out.metric("evm.es_days", es, reason=NOTHING_PLANNED_YET)
    spi_t = None if es is None or at is None or at <= 0 else es / at
    out.metric("evm.spi_t", spi_t, behind, reason=NOTHING_PLANNED_YET)
    out.metric(
        "evm.sv_t_days",
        None if es is None or at is None else es - at,
        behind,
        reason=NOTHING_PLANNED_YET,
    )


def _budget_gap(out: OutputBuilder, frames: ProjectFrames, bac: float | None) -> None:
    budget = frames.project.get("budget_hours")
    gap = None if not budget or bac is None else 100.0 * (bac - float(budget)) / float(budget)
    why = "the project has no budget_hours" if not budget else NO_ESTIMATES
    out.metric("evm.budget_gap_pct", gap, reason=why)


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
    sched = plan.planned
    curve = plan_curve(plan.start[sched], plan.end[sched], weight[sched])
    estimated = len(weight) > 0
    bac = float(weight.sum()) if estimated else None
    ev = float((weight * plan.earned_share).sum()) if estimated else None
    pv = float(curve.at(now)) if sched.any() else None
    ev_planned = float((weight * plan.earned_share)[sched].sum()) if sched.any() else None
    ac = float((entries.hours * _rates(entries.person, rates)).sum())
    ind = evm_indicators(bac, pv, ev, ac, ev_planned)
    no_pv = NO_ESTIMATES if bac is None else NO_PLAN
    base = {"bac": (bac, NO_ESTIMATES), "pv": (pv, no_pv), "ev": (ev, NO_ESTIMATES)}
    for key, (value, why) in base.items():
        out.metric(f"evm.{key}_cost", value, reason=why)
    out.metric("evm.ac_cost", ac)
    for key in ("sv", "cv", "eac", "vac"):
        out.metric(f"evm.{key}_cost", ind.values[key], reason=ind.reasons.get(key))
    out.metric("evm.cpi_cost", ind.values["cpi"], reason=ind.reasons.get("cpi"))


def s_curve(
    plan: Plan, sched: Plan, curve: Curve, entries: Actuals, now: float, ev_now: float | None
) -> list[dict[str, Any]]:
    """Weekly cumulative PV / EV / AC from the project start to the status date (for charts).
    PV is null throughout when there is no time-phased plan, EV when nothing is estimated."""
    origin = plan.origin
    if origin is None:
        origin = float(entries.day.min()) if len(entries.day) else now
    points = np.arange(origin + 7, now, 7.0)[-260:]  # at most five years of weeks
    points = np.r_[points, now]
    done = ~np.isnan(plan.resolved)
    order = np.argsort(plan.resolved[done], kind="stable")
    resolved, value = plan.resolved[done][order], np.cumsum(plan.estimate[done][order])
    earned = np.r_[0.0, value][np.searchsorted(resolved, points, side="right")]
    earned[-1] = ev_now or 0.0
    work_days = entries.day
    by_day = np.argsort(work_days, kind="stable")
    work = work_days[by_day]
    hours = np.r_[0.0, np.cumsum(entries.hours[by_day])]
    actual = hours[np.searchsorted(work, points, side="left")]
    actual[-1] = hours[-1]
    has_plan, has_ev = len(sched.estimate) > 0, ev_now is not None
    planned = curve.at(points) if has_plan else np.zeros(len(points))
    dates = pd.to_datetime(points, unit="D").strftime("%Y-%m-%d")
    return [
        {
            "date": d,
            "pv": round(float(p), 3) if has_plan else None,
            "ev": round(float(e), 3) if has_ev else None,
            "ac": round(float(a), 3),
        }
        for d, p, e, a in zip(dates, planned, earned, actual, strict=True)
    ]
