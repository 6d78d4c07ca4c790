"""The metric catalogue: every metric the risk checks produce, with its default threshold.

Gate criteria in `config/lifecycle.yaml` name these metrics, and reports label them with the
description and unit. Thresholds live here once; `ChecksSettings.thresholds` overrides them by
metric name (``"evm.spi": 0.85``), and a ``"<metric>.critical"`` key overrides the critical one.

A finding is raised when a metric is on the wrong side of its `threshold` (warning) or of its
`critical` threshold (critical): "wrong side" follows `better`. Metrics with no threshold are
informational (they feed charts, closeout and gate criteria, but raise no finding by themselves).

Tuning knobs that are not thresholds also live in `KNOBS` (e.g. the in-progress credit rule of
earned value), overridable through `ChecksSettings.thresholds` under the same names.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

Better = Literal["higher", "lower", "neutral"]


@dataclass(frozen=True)
class MetricInfo:
    """What a metric means. `better` says which direction is good ("neutral": informational)."""

    description: str
    unit: str  # "ratio", "hours", "days", "percent", "count", "items/week", "currency", "bool"
    better: Better
    phase: str | None  # lifecycle phase it belongs to; None = cross-cutting
    threshold: float | None = None  # warning when on the wrong side
    critical: float | None = None  # critical when on the wrong side
    finding: str | None = None  # check name of its finding when it differs from the metric

    def finding_check(self, metric: str) -> str:
        return self.finding or metric


def _m(
    description: str,
    unit: str,
    better: Better,
    phase: str | None,
    threshold: float | None = None,
    critical: float | None = None,
    finding: str | None = None,
) -> MetricInfo:
    return MetricInfo(description, unit, better, phase, threshold, critical, finding)


_EXEC = "execution"
_PLAN = "planning"
_QA = "qa_uat"
_TD = "training_documentation"

_EVM: dict[str, MetricInfo] = {
    "evm.bac_hours": _m(
        "Budget at completion: sum of task estimates (the time-phased plan)",
        "hours",
        "neutral",
        _EXEC,
    ),
    "evm.pv_hours": _m(
        "Planned value at the status date (estimates spread start..due)", "hours", "neutral", _EXEC
    ),
    "evm.ev_hours": _m("Earned value: estimate x percent complete", "hours", "higher", _EXEC),
    "evm.ac_hours": _m(
        "Actual cost: hours logged (worklogs and timesheets, not time cards)",
        "hours",
        "neutral",
        _EXEC,
    ),
    "evm.sv_hours": _m("Schedule variance SV = EV - PV", "hours", "higher", _EXEC),
    "evm.cv_hours": _m("Cost variance CV = EV - AC", "hours", "higher", _EXEC),
    "evm.spi": _m("Schedule performance index SPI = EV / PV", "ratio", "higher", _EXEC, 0.9, 0.8),
    "evm.cpi": _m("Cost performance index CPI = EV / AC", "ratio", "higher", _EXEC, 0.9, 0.8),
    "evm.eac_hours": _m("Estimate at completion EAC = BAC / CPI", "hours", "lower", _EXEC),
    "evm.etc_hours": _m("Estimate to complete ETC = EAC - AC", "hours", "lower", _EXEC),
    "evm.vac_hours": _m("Variance at completion VAC = BAC - EAC", "hours", "higher", _EXEC),
    "evm.tcpi": _m(
        "To-complete performance index (BAC - EV) / (BAC - AC)", "ratio", "lower", _EXEC, 1.1
    ),
    "evm.percent_complete": _m("EV / BAC x 100", "percent", "higher", _EXEC),
    "evm.es_days": _m(
        "Earned schedule: days from start when PV first equals EV", "days", "higher", _EXEC
    ),
    "evm.at_days": _m(
        "Actual time: days from project start to the status date", "days", "neutral", _EXEC
    ),
    "evm.spi_t": _m("Earned-schedule SPI(t) = ES / AT", "ratio", "higher", _EXEC, 0.9, 0.8),
    "evm.sv_t_days": _m("Earned-schedule variance SV(t) = ES - AT", "days", "higher", _EXEC),
    "evm.bac_cost": _m(
        "Budget at completion in currency (estimate x assignee rate)", "currency", "neutral", _EXEC
    ),
    "evm.pv_cost": _m("Planned value in currency", "currency", "neutral", _EXEC),
    "evm.ev_cost": _m("Earned value in currency", "currency", "higher", _EXEC),
    "evm.ac_cost": _m(
        "Actual cost in currency (hours x person rate)", "currency", "neutral", _EXEC
    ),
    "evm.sv_cost": _m("Schedule variance in currency", "currency", "higher", _EXEC),
    "evm.cv_cost": _m("Cost variance in currency", "currency", "higher", _EXEC),
    "evm.cpi_cost": _m("Cost-based CPI = EV / AC in currency", "ratio", "higher", _EXEC, 0.9, 0.8),
    "evm.eac_cost": _m("Cost-based EAC = BAC / CPI", "currency", "lower", _EXEC),
    "evm.vac_cost": _m("Cost-based VAC = BAC - EAC", "currency", "higher", _EXEC),
    "evm.budget_gap_pct": _m(
        "Sum of estimates vs budget_hours: (BAC - budget) / budget x 100",
        "percent",
        "lower",
        _PLAN,
        10.0,
    ),
}

_SCHEDULE: dict[str, MetricInfo] = {
    "schedule.missing_logic_pct": _m(
        "DCMA 1: open tasks with no blocking link and no parent", "percent", "lower", _PLAN, 5.0
    ),
    "schedule.hard_constraints_pct": _m(
        "DCMA 5: open non-milestone items labelled fixed-date / hard-deadline",
        "percent",
        "lower",
        _PLAN,
        5.0,
    ),
    "schedule.high_duration_pct": _m(
        "DCMA 8: open tasks in progress > 44 working days", "percent", "lower", _EXEC, 5.0
    ),
    "schedule.negative_float": _m(
        "DCMA 7: blocking links whose successor is due before its predecessor",
        "count",
        "lower",
        _PLAN,
        0.0,
    ),
    "schedule.invalid_dates": _m(
        "DCMA 9: open tasks with due date passed, or resolved / worked in the future",
        "count",
        "lower",
        _EXEC,
    ),
    "schedule.unassigned_open_pct": _m(
        "DCMA 10: open tasks without an assignee", "percent", "lower", _EXEC, 5.0
    ),
    "schedule.missed_tasks_pct": _m(
        "DCMA 11: tasks due by the status date finished late or not at all",
        "percent",
        "lower",
        _EXEC,
        5.0,
        25.0,
    ),
    "schedule.bei": _m(
        "DCMA 14: baseline execution index = tasks done / tasks due by the status date",
        "ratio",
        "higher",
        _EXEC,
        0.95,
        0.75,
    ),
    "schedule.critical_path_test": _m(
        "DCMA 12: the longest chain ends at the final milestone/latest due task (1 = pass)",
        "bool",
        "higher",
        _PLAN,
    ),
}

_DEPENDENCIES: dict[str, MetricInfo] = {
    "dependencies.cycles": _m(
        "Cycles among blocking links", "count", "lower", _PLAN, 0.0, 0.0, "dependencies.cycle"
    ),
    "dependencies.critical_path_hours": _m(
        "Critical path: longest estimate-weighted chain of open tasks", "hours", "neutral", _PLAN
    ),
    "dependencies.critical_path_items": _m("Items on the critical path", "count", "neutral", _PLAN),
    "dependencies.blocked_critical_items": _m(
        "Critical-path items with an open blocker",
        "count",
        "lower",
        _EXEC,
        0.0,
        None,
        "dependencies.blocked_critical_path",
    ),
    "dependencies.open_blockers": _m("Open tasks blocking an open task", "count", "lower", _EXEC),
}

_RESOURCES: dict[str, MetricInfo] = {
    "resources.over_allocated_person_weeks": _m(
        "Person-weeks over capacity (all projects' hours)",
        "count",
        "lower",
        _EXEC,
        0.0,
        4.0,
        "resources.over_allocation",
    ),
    "resources.over_allocated_people": _m(
        "People over capacity in at least one week", "count", "lower", _EXEC
    ),
    "resources.peak_load_pct": _m(
        "Highest weekly load of a team member vs capacity", "percent", "lower", _EXEC
    ),
    "resources.bus_factor_share": _m(
        "Share of project hours logged by the top contributor", "ratio", "lower", _EXEC, 0.6
    ),
    "resources.contributors": _m(
        "People who logged hours on the project", "count", "higher", _EXEC
    ),
}

_FLOW: dict[str, MetricInfo] = {
    "flow.throughput_per_week": _m(
        "Items done per week over the last 8 weeks", "items/week", "higher", _EXEC
    ),
    "flow.cycle_time_p50_days": _m(
        "Cycle time (first in progress -> done), median", "days", "lower", _EXEC
    ),
    "flow.cycle_time_p85_days": _m(
        "Cycle time (first in progress -> done), 85th percentile", "days", "lower", _EXEC
    ),
    "flow.wip": _m("Items in progress now", "count", "lower", _EXEC),
    "flow.age_p85_days": _m(
        "Work-item age of open in-progress items, 85th percentile", "days", "lower", _EXEC
    ),
    "flow.max_age_days": _m("Oldest in-progress item's age", "days", "lower", _EXEC),
    "flow.reopen_rate": _m(
        "Items moved out of done / items that reached done", "ratio", "lower", _EXEC, 0.1, 0.3
    ),
    "flow.stale_in_progress": _m(
        "In-progress items with no status change for > 30 days", "count", "lower", _EXEC, 0.0
    ),
    "flow.blocked_days": _m("Total days items spent in a 'Blocked' status", "days", "lower", _EXEC),
    "flow.blocked_now": _m("Items currently in a 'Blocked' status", "count", "lower", _EXEC),
}

_PLANNING: dict[str, MetricInfo] = {
    "planning.missing_estimates_pct": _m(
        "Work items without an estimate (hours or points)",
        "percent",
        "lower",
        _PLAN,
        10.0,
        50.0,
        "planning.missing_estimates",
    ),
    "planning.missing_due_dates_pct": _m(
        "Work items without a due date", "percent", "lower", _PLAN, 20.0
    ),
    "planning.unowned_tasks_pct": _m(
        "Work items without an assignee", "percent", "lower", _PLAN, 20.0
    ),
    "planning.milestones": _m("Milestones (versions / buckets) defined", "count", "higher", _PLAN),
    "planning.risks_registered": _m("Risks in the register", "count", "higher", _PLAN),
}

_SCOPE: dict[str, MetricInfo] = {
    "scope.change_pct": _m(
        "Tasks created after the baseline vs tasks at baseline",
        "percent",
        "lower",
        _EXEC,
        20.0,
        50.0,
    ),
    "scope.added_items": _m("Tasks created after the baseline", "count", "lower", _EXEC),
}

_QA_METRICS: dict[str, MetricInfo] = {
    "qa.open_defects": _m("Open defects", "count", "lower", _QA),
    "qa.open_critical_defects": _m(
        "Open defects of severity critical", "count", "lower", _QA, 0.0, 0.0
    ),
    "qa.open_major_defects": _m("Open defects of severity major", "count", "lower", _QA),
    "qa.open_defect_age_max_days": _m("Age of the oldest open defect", "days", "lower", _QA),
    "qa.defect_closure_ratio": _m(
        "Defects closed / defects raised over the last 4 weeks", "ratio", "higher", _QA, 1.0
    ),
    "qa.uat_signed_off": _m(
        "UAT signed off: every UAT task done (1) or not (0)", "bool", "higher", _QA
    ),
    "qa.uat_done_pct": _m("UAT tasks done", "percent", "higher", _QA),
}

_READINESS: dict[str, MetricInfo] = {
    "training.readiness_pct": _m("Training tasks done", "percent", "higher", _TD),
    "documentation.readiness_pct": _m("Documentation tasks done", "percent", "higher", _TD),
}

_RISK: dict[str, MetricInfo] = {
    "risk.open": _m("Open risks (not resolved or mitigated)", "count", "neutral", None),
    "risk.unowned": _m("Open risks without an owner", "count", "lower", None, 0.0),
    "risk.without_mitigation": _m(
        "Open risks without a mitigation plan", "count", "lower", None, 0.0
    ),
    "risk.overdue_mitigations": _m(
        "Open risks whose mitigation is past due",
        "count",
        "lower",
        None,
        0.0,
        None,
        "risk.overdue_mitigation",
    ),
    "risk.high_exposure_open": _m(
        "Open risks with probability x impact >= 15", "count", "lower", None, 0.0
    ),
    "risk.max_exposure": _m(
        "Highest probability x impact among open risks", "score", "lower", None
    ),
    "risk.materialised": _m("Risks that turned into issues", "count", "lower", None),
}

_TIMESHEET: dict[str, MetricInfo] = {
    "timesheet.compliance_pct": _m(
        "Assignees who logged time on >= 80 % of working days (last 2 weeks)",
        "percent",
        "higher",
        _EXEC,
        80.0,
    ),
    "timesheet.long_days": _m(
        "Person-days with more hours than max_hours_per_day",
        "count",
        "lower",
        _EXEC,
        0.0,
        None,
        "timesheet.long_day",
    ),
}

METRICS: dict[str, MetricInfo] = {
    **_EVM,
    **_SCHEDULE,
    **_DEPENDENCIES,
    **_RESOURCES,
    **_FLOW,
    **_PLANNING,
    **_SCOPE,
    **_QA_METRICS,
    **_READINESS,
    **_RISK,
    **_TIMESHEET,
}

# Knobs that tune how a metric is computed (not pass/fail thresholds), overridable by name.
KNOBS: dict[str, float] = {
    "evm.in_progress_credit_pct": 0.0,  # EV credit for in-progress items without percent: 0 or 50
    "flow.stale_days": 30.0,  # in progress with no status change for longer -> stale
    "flow.throughput_weeks": 8.0,  # history window for throughput
    "schedule.high_duration_working_days": 44.0,
    "resources.capacity_tolerance_pct": 10.0,  # load above capacity x (1 + tolerance) -> over
    "resources.default_weekly_capacity_hours": 40.0,  # for people with no capacity recorded
    "timesheet.min_logged_days_pct": 80.0,  # logged on fewer working days -> non-compliant
    "risk.high_exposure_score": 15.0,
    "qa.window_days": 28.0,
    "phase.dormant_days": 180.0,  # no activity for longer: an unphased project is inferred done
}


def threshold(name: str, overrides: Mapping[str, float] | None = None) -> float | None:
    """The warning threshold of a metric (settings override, else catalogue default)."""
    if overrides and name in overrides:
        return float(overrides[name])
    return _info(name).threshold


def critical_threshold(name: str, overrides: Mapping[str, float] | None = None) -> float | None:
    key = f"{name}.critical"
    if overrides and key in overrides:
        return float(overrides[key])
    return _info(name).critical


def knob(name: str, overrides: Mapping[str, float] | None = None) -> float:
    if overrides and name in overrides:
        return float(overrides[name])
    try:
        return KNOBS[name]
    except KeyError:
        raise KeyError(f"unknown risk-check knob {name!r}; known: {sorted(KNOBS)}") from None


def _info(name: str) -> MetricInfo:
    try:
        return METRICS[name]
    except KeyError:
        raise KeyError(f"unknown metric {name!r}; see checks/risk/catalog.py") from None


def unknown_threshold_keys(overrides: Mapping[str, float]) -> list[str]:
    """Keys of `settings.thresholds` that name no metric, critical threshold or knob."""
    known = set(METRICS) | {f"{m}.critical" for m in METRICS} | set(KNOBS)
    return sorted(k for k in overrides if k not in known)
