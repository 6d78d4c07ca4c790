"""Metrics the gate evaluation adds to the risk checks' catalogue, and the charter metrics.

Gate criteria may name any metric of `checks.risk.catalog.METRICS` or of `GATE_METRICS` below:
charter completeness (initiation), data quality, finding counts, the forecast and its record,
and the closeout measures. `known_metrics()` is what `config/lifecycle.yaml` is validated
against.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

import pandas as pd

from checks.model import Finding, QualityReport, Severity
from checks.risk.catalog import METRICS, MetricInfo

_I, _C, _X = "initiation", "closeout", "execution"

GATE_METRICS: dict[str, MetricInfo] = {
    "charter.objectives": MetricInfo("Objectives stated in the charter", "count", "higher", _I),
    "charter.kpi_targets": MetricInfo("KPIs with a target in the charter", "count", "higher", _I),
    "charter.target_date_set": MetricInfo(
        "A target date is set (1) or not (0)", "bool", "higher", _I
    ),
    "charter.budget_set": MetricInfo("A budget (hours or cost) is set (1/0)", "bool", "higher", _I),
    "charter.lead_set": MetricInfo("A project lead is named (1/0)", "bool", "higher", _I),
    "charter.start_date_set": MetricInfo("A start date is set (1/0)", "bool", "higher", _I),
    "dq.critical_failures": MetricInfo(
        "Critical data-quality expectations failing for the project", "count", "lower", None
    ),
    "dq.warnings": MetricInfo(
        "Warning data-quality expectations failing for the project", "count", "lower", None
    ),
    "findings.critical": MetricInfo("Critical findings of the risk checks", "count", "lower", None),
    "findings.warning": MetricInfo("Warning findings of the risk checks", "count", "lower", None),
    "forecast.p50_date": MetricInfo("Forecast P50 finish (epoch days)", "epoch_days", "lower", _X),
    "forecast.p70_date": MetricInfo("Forecast P70 finish (epoch days)", "epoch_days", "lower", _X),
    "forecast.p85_date": MetricInfo("Forecast P85 finish (epoch days)", "epoch_days", "lower", _X),
    "forecast.p95_date": MetricInfo("Forecast P95 finish (epoch days)", "epoch_days", "lower", _X),
    "forecast.p85_days_late": MetricInfo(
        "Forecast P85 finish minus the target date", "days", "lower", _X
    ),
    "forecast.on_time_probability": MetricInfo(
        "Share of Monte Carlo trials finishing by the target date", "ratio", "higher", _X
    ),
    "forecast.remaining_items": MetricInfo("Open work items forecast", "count", "lower", _X),
    "forecast.throughput_cv": MetricInfo(
        "Coefficient of variation of weekly throughput", "ratio", "lower", _X
    ),
    "forecast.record_scored": MetricInfo("Earlier forecasts scored", "count", "neutral", None),
    "forecast.record_hit_rate": MetricInfo(
        "Share of scored forecasts whose P50..P95 held the actual finish", "ratio", "higher", None
    ),
    "forecast.record_mae_days": MetricInfo(
        "Mean absolute error of earlier P85 forecasts", "days", "lower", None
    ),
    "closeout.open_work_items": MetricInfo("Work items not done", "count", "lower", _C),
    "closeout.kpis_measured": MetricInfo("KPIs with a measured value", "count", "higher", _C),
    "closeout.kpis_met_pct": MetricInfo("KPIs meeting their target", "percent", "higher", _C),
    "closeout.objectives": MetricInfo("Objectives stated", "count", "higher", _C),
    "closeout.schedule_variance_days": MetricInfo(
        "Finish (actual, else P85 forecast) minus the target date", "days", "lower", _C
    ),
    "closeout.effort_variance_pct": MetricInfo(
        "Hours logged vs budget_hours, in % of the budget", "percent", "lower", _C
    ),
    "closeout.cost_variance_pct": MetricInfo(
        "Cost (hours x rates) vs budget_cost, in % of the budget", "percent", "lower", _C
    ),
    "closeout.scope_change_pct": MetricInfo(
        "Items added after the baseline vs items at baseline", "percent", "lower", _C
    ),
    "closeout.lessons": MetricInfo("Lessons learned (derived and explicit)", "count", "higher", _C),
    "closeout.explicit_lessons": MetricInfo(
        "Lessons recorded by the team (labelled or of type lesson)", "count", "higher", _C
    ),
}


def known_metrics() -> dict[str, MetricInfo]:
    """Every metric a gate criterion may name."""
    return {**METRICS, **GATE_METRICS}


def charter_metrics(project: Mapping[str, Any]) -> dict[str, float | None]:
    """How complete the project charter is: the evidence of the initiation gate."""
    return {
        "charter.objectives": float(_count(project.get("objectives"))),
        "charter.kpi_targets": float(_count(project.get("kpi_targets"))),
        "charter.target_date_set": _flag(project.get("target_date")),
        "charter.budget_set": _flag(project.get("budget_hours") or project.get("budget_cost")),
        "charter.lead_set": _flag(project.get("lead_id")),
        "charter.start_date_set": _flag(project.get("start_date")),
    }


def quality_metrics(quality: QualityReport) -> dict[str, float | None]:
    return {
        "dq.critical_failures": float(len(quality.critical_failures)),
        "dq.warnings": float(len(quality.warnings)),
    }


def finding_metrics(
    findings: Iterable[Finding],
) -> tuple[dict[str, float], dict[str, tuple[str, ...]]]:
    """Counts of findings by severity, with the item keys behind them as evidence."""
    metrics: dict[str, float] = {}
    evidence: dict[str, tuple[str, ...]] = {}
    listed = list(findings)
    for severity in (Severity.CRITICAL, Severity.WARNING):
        chosen = [f for f in listed if f.severity == severity]
        metrics[f"findings.{severity.value}"] = float(len(chosen))
        evidence[f"findings.{severity.value}"] = _unique(i for f in chosen for i in f.item_ids)
    return metrics, evidence


def _unique(items: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(items))


def _count(value: Any) -> int:
    if isinstance(value, Mapping | list | tuple):
        return len(value)
    return 0


def _flag(value: Any) -> float:
    if value is None or value is pd.NaT or (isinstance(value, float) and math.isnan(value)):
        return 0.0
    if isinstance(value, date | str):
        return 1.0 if str(value).strip() else 0.0
    return 1.0 if value else 0.0
