"""Closeout evaluation: objectives and KPI attainment, final variances, forecast record, lessons.

KPI targets come from the project (`kpi_targets`: name -> {target, unit, direction}) or from
config (`projects.<KEY>.kpi_targets`, applied before this runs); the measured value is the
project's `kpi_actuals[name]`, else a metric of the same name measured by the checks (e.g. a
KPI named `evm.cpi`). Attainment is direction-aware:
- ``higher`` (at least the target): met when actual >= target, attainment = actual / target;
- ``lower`` (at most the target): met when actual <= target, attainment = target / actual;
- ``equal``: met when |actual - target| <= tolerance (default 0), attainment = 100 % if met.
Text from the sources (objectives, KPI names, lesson titles) is untrusted: renderers escape it.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

import pandas as pd

from checks.closeout.lessons import Lesson, derive_lessons, explicit_lessons
from checks.forecast.monte_carlo import ForecastResult
from checks.forecast.record import ForecastRecord
from checks.forecast.throughput import FORECAST_ITEM_TYPES, done_timestamps, remaining_items
from checks.model import ProjectFrames, record_jsonable
from config.settings import ChecksSettings

DIRECTIONS = {
    "higher": "higher", "up": "higher", "at_least": "higher", "max": "higher",
    "lower": "lower", "down": "lower", "at_most": "lower", "min": "lower",
    "equal": "equal", "exact": "equal", "target": "equal",
}  # fmt: skip
_EFFORT_KINDS = ("worklog", "timesheet")  # time cards are attendance, not effort on the project


@dataclass(frozen=True)
class KpiAttainment:
    name: str
    target: float | None
    actual: float | None
    unit: str | None
    direction: str | None
    source: str | None  # "kpi_actuals", "metric" or None (not measured)
    met: bool | None  # None: not measured or the target is unusable
    attainment_pct: float | None
    note: str = ""


def kpi_attainment(
    targets: Any, actuals: Any, measured: Mapping[str, float | None]
) -> tuple[KpiAttainment, ...]:
    """Each KPI target against its measured value, in KPI-name order."""
    if not isinstance(targets, Mapping):
        return ()
    actual_map = actuals if isinstance(actuals, Mapping) else {}
    return tuple(_one_kpi(str(n), targets[n], actual_map, measured) for n in sorted(targets))


def _one_kpi(
    name: str, spec: Any, actuals: Mapping[str, Any], measured: Mapping[str, float | None]
) -> KpiAttainment:
    spec = spec if isinstance(spec, Mapping) else {"target": spec}
    target, unit = _number(spec.get("target")), spec.get("unit")
    direction = DIRECTIONS.get(str(spec.get("direction", "higher")).lower())
    source: str | None
    actual, source = _number(actuals.get(name)), "kpi_actuals"
    if actual is None:
        actual, source = _number(measured.get(name)), "metric"
    if actual is None:
        source = None
    base = KpiAttainment(name, target, actual, unit, direction, source, None, None)
    if target is None:
        return replace_note(base, f"target {spec.get('target')!r} is not a number")
    if direction is None:
        return replace_note(base, f"unknown direction {spec.get('direction')!r}")
    if actual is None:
        return replace_note(base, "no measured value")
    tolerance = _number(spec.get("tolerance")) or 0.0
    met, pct = _attain(direction, target, actual, tolerance)
    return KpiAttainment(name, target, actual, unit, direction, source, met, pct)


def _attain(direction: str, target: float, actual: float, tolerance: float) -> tuple[bool, Any]:
    if direction == "higher":
        return actual >= target, _ratio(actual, target)
    if direction == "lower":
        return actual <= target, (100.0 if actual <= 0 <= target else _ratio(target, actual))
    met = abs(actual - target) <= tolerance
    return met, 100.0 if met else _ratio(min(actual, target), max(actual, target))


def _ratio(part: float, whole: float) -> float | None:
    return None if whole == 0 else round(100.0 * part / whole, 6)


def replace_note(kpi: KpiAttainment, note: str) -> KpiAttainment:
    return KpiAttainment(**{**kpi.__dict__, "note": note})


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or value is None:
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


@dataclass(frozen=True)
class CloseoutReport:
    objectives: tuple[str, ...]
    kpis: tuple[KpiAttainment, ...]
    variances: dict[str, Any]
    forecast_record: dict[str, Any]
    lessons: tuple[Lesson, ...]

    def metrics(self) -> dict[str, float | None]:
        measured = [k for k in self.kpis if k.met is not None]
        met_pct = 100.0 * sum(bool(k.met) for k in measured) / len(measured) if measured else None
        v = self.variances
        return {
            "closeout.open_work_items": float(v["open_work_items"]),
            "closeout.kpis_measured": float(len(measured)),
            "closeout.kpis_met_pct": met_pct,
            "closeout.objectives": float(len(self.objectives)),
            "closeout.schedule_variance_days": v["schedule"]["variance_days"],
            "closeout.effort_variance_pct": v["effort"]["variance_pct"],
            "closeout.cost_variance_pct": v["cost"]["variance_pct"],
            "closeout.scope_change_pct": v["scope"]["change_pct"],
            "closeout.lessons": float(len(self.lessons)),
            "closeout.explicit_lessons": float(sum(x.kind == "explicit" for x in self.lessons)),
        }

    def evidence(self) -> dict[str, tuple[str, ...]]:
        explicit = tuple(i for x in self.lessons if x.kind == "explicit" for i in x.evidence)
        return {
            "closeout.open_work_items": tuple(self.variances["open_item_ids"]),
            "closeout.explicit_lessons": explicit,
        }

    def to_dict(self) -> dict[str, Any]:
        return record_jsonable(self)


def closeout_report(
    pf: ProjectFrames,
    metrics: Mapping[str, float | None],
    forecast: ForecastResult | None,
    record: ForecastRecord,
    checks: ChecksSettings,
) -> CloseoutReport:
    """Everything leadership reads at the end: did it work, what did it cost, what we learnt."""
    project = pf.project
    objectives = project.get("objectives")
    return CloseoutReport(
        objectives=tuple(str(o) for o in objectives) if isinstance(objectives, list) else (),
        kpis=kpi_attainment(project.get("kpi_targets"), project.get("kpi_actuals"), metrics),
        variances=final_variances(pf, metrics, forecast, checks.hourly_rates),
        forecast_record=record.to_dict(),
        lessons=(*derive_lessons(pf, checks), *explicit_lessons(pf)),
    )


def final_variances(
    pf: ProjectFrames,
    metrics: Mapping[str, float | None],
    forecast: ForecastResult | None,
    rates: Mapping[str, float],
) -> dict[str, Any]:
    """Schedule (days), effort (hours), cost (currency) and scope against the plan."""
    project, tasks = pf.project, pf.tasks
    open_ids = _open_work_ids(tasks)
    entries = pf.time_entries
    effort = entries[entries["kind"].isin(_EFFORT_KINDS).fillna(False).to_numpy()]
    hours = float(effort["hours"].fillna(0).sum())
    return {
        "open_work_items": len(open_ids),
        "open_item_ids": open_ids[:50],
        "schedule": _schedule(pf, open_ids, forecast),
        "effort": _variance(hours, _number(project.get("budget_hours")), "hours"),
        "cost": _variance(_cost(effort, rates), _number(project.get("budget_cost")), "currency"),
        "scope": _scope(pf, metrics),
    }


def _open_work_ids(tasks: pd.DataFrame) -> list[str]:
    if tasks.empty or remaining_items(tasks) == 0:
        return []
    work = tasks[tasks["task_type"].isin(FORECAST_ITEM_TYPES).fillna(False).to_numpy()]
    return sorted(work.loc[(work["status_category"] != "done").to_numpy(), "task_id"].tolist())


def _schedule(
    pf: ProjectFrames, open_ids: list[str], forecast: ForecastResult | None
) -> dict[str, Any]:
    target = pf.project.get("target_date")
    finish, basis = None, None
    if not open_ids:
        stamps = done_timestamps(pf.tasks, pf.status_changes)
        finish, basis = (stamps.max().date(), "actual") if len(stamps) else (None, None)
    elif forecast is not None and forecast.percentiles.get("p85"):
        finish, basis = forecast.percentiles["p85"], "forecast_p85"
    target_day = target if isinstance(target, date) else None
    days = (finish - target_day).days if finish and target_day else None
    return {
        "target_date": target_day,
        "finish_date": finish,
        "basis": basis,
        "variance_days": None if days is None else float(days),
    }


def _variance(actual: float | None, budget: float | None, unit: str) -> dict[str, Any]:
    diff = None if actual is None or budget is None else actual - budget
    pct = None if diff is None or not budget else round(100.0 * diff / budget, 6)
    return {"unit": unit, "actual": actual, "budget": budget, "variance": diff, "variance_pct": pct}


def _cost(effort: pd.DataFrame, rates: Mapping[str, float]) -> float | None:
    if not rates:
        return None
    default = rates.get("*")
    rate = effort["person_id"].map(lambda p: rates.get(p, default))
    if rate.isna().any():  # someone without a rate: a partial cost would mislead
        return None
    return round(float((effort["hours"].astype(float) * rate.astype(float)).sum()), 6)


def _scope(pf: ProjectFrames, metrics: Mapping[str, float | None]) -> dict[str, Any]:
    baseline = pf.project.get("baseline_date")
    created = pd.to_datetime(pf.tasks["created_at"], utc=True)
    if baseline is None:
        return {"baseline_date": None, "added_items": None, "change_pct": None}
    cut = pd.Timestamp(baseline)
    cut = cut.tz_localize("UTC") if cut.tzinfo is None else cut.tz_convert("UTC")
    added = int((created > cut).sum())
    at_baseline = int((created <= cut).sum())
    measured = metrics.get("scope.change_pct")
    pct = measured if measured is not None else _ratio(added, at_baseline)
    return {"baseline_date": cut.isoformat(), "added_items": added, "change_pct": pct}
