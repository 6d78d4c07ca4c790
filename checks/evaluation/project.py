"""One project's evaluation: `assess_project` (everything that does not read the quality
report), then `conclude` (scope the quality report, decide the gate, closeout report).

Split in two so that a portfolio's projects can be assessed in worker processes while the
quality gates run (`flows.evaluation`); `evaluate_project` does both in one call.
Pure, like `checks.evaluation.evaluate`, which documents the output.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, fields, replace
from datetime import date, datetime
from typing import Any

import pandas as pd

from checks.closeout.report import closeout_report
from checks.evaluation.chart_data import chart_data
from checks.evaluation.data_version import (
    TableHashes,
    project_tables,
    tables_digest,
    version_with_config,
)
from checks.evaluation.health import rag_of
from checks.evaluation.phase import PhaseChoice, choose_phase
from checks.evaluation.project_config import effective_project, mapping, project_overrides
from checks.forecast.monte_carlo import ForecastResult, forecast_project
from checks.forecast.record import ForecastRecord, score_forecasts
from checks.forecast.throughput import done_timestamps, remaining_items
from checks.gates import (
    LifecycleRules,
    charter_metrics,
    decide,
    project_item_ids,
    scope_quality,
    with_catalog_limits,
    with_project_overrides,
)
from checks.gates.metrics import finding_metrics, quality_metrics
from checks.model import CheckOutput, Evaluation, Finding, ProjectFrames, QualityReport, Severity
from checks.risk import run_risk_checks
from checks.risk.catalog import knob
from config.settings import ChecksSettings, ConfigError, Settings

# Item keys kept per metric: enough to act on, small enough for a Jira issue property (32 KB).
EVIDENCE_LIMIT = 200


@dataclass(frozen=True)
class _Project:
    """One project with its effective configuration resolved."""

    frames: ProjectFrames
    key: str
    phase: str
    phase_source: PhaseChoice
    rules: LifecycleRules
    checks: ChecksSettings
    overrides: Mapping[str, Any]


def evaluate_project(
    pf: ProjectFrames,
    settings: Settings,
    rules: LifecycleRules,
    quality: QualityReport,
    snapshots: pd.DataFrame | None,
    phase: str | PhaseChoice | None,
    kind: str,
    hashes: TableHashes | None = None,
) -> Evaluation:
    """Evaluate one project's frames (already cut from the portfolio)."""
    return conclude(assess_project(pf, settings, rules, snapshots, phase, kind, hashes), quality)


@dataclass(frozen=True)
class Assessment:
    """A project's checks that do not read the quality report (the bulk of the work).

    `project.frames` keeps the tables only when a closeout report needs them, so that a
    worker can hold many assessments while the quality gates run elsewhere.
    """

    kind: str
    row: dict[str, Any]  # the project row as stored (Evaluation's id, name)
    as_of: datetime
    project: _Project
    item_ids: set[str]
    risk: CheckOutput
    forecast: ForecastResult | None
    record: ForecastRecord
    findings: list[Finding]
    charts: dict[str, Any]
    tables: bytes  # `tables_digest` of the project's frames
    snapshots: pd.DataFrame | None


def assess_project(
    pf: ProjectFrames,
    settings: Settings,
    rules: LifecycleRules,
    snapshots: pd.DataFrame | None,
    phase: str | PhaseChoice | None,
    kind: str,
    hashes: TableHashes | None = None,
) -> Assessment:
    """Risk checks, forecast, forecast record, chart series and table digest of one project."""
    project = _resolve(pf, settings, rules, phase)
    risk = run_risk_checks(project.frames, project.checks)
    fc = _forecast(project)
    record = score_forecasts(snapshots, pf.project["project_id"], _actual_finish(pf), _day(pf))
    closeout = project.phase == "closeout" or kind == "closeout"
    return Assessment(
        kind=kind,
        row=pf.project,
        as_of=pf.as_of,
        project=project if closeout else replace(project, frames=_row_only(project.frames)),
        item_ids=project_item_ids(pf),
        risk=risk,
        forecast=fc,
        record=record,
        findings=_sorted_findings([*risk.findings, *_forecast_findings(fc, pf)]),
        charts=chart_data(project.frames, risk, fc),
        tables=tables_digest(project_tables(pf), hashes=hashes),
        snapshots=snapshots,
    )


def conclude(done: Assessment, quality: QualityReport) -> Evaluation:
    """The gate decision (and closeout report) of an assessed project, given data quality."""
    project, risk, fc, record, findings = (
        done.project, done.risk, done.forecast, done.record, done.findings
    )  # fmt: skip
    scoped = scope_quality(quality, done.row["project_id"], done.item_ids)
    metrics, evidence = _metrics(project, risk, scoped, fc, record, findings)
    report = None
    if project.phase == "closeout" or done.kind == "closeout":
        report = closeout_report(project.frames, metrics, fc, record, project.checks)
        metrics.update(report.metrics())
        evidence.update(report.evidence())
    gate = project.rules.gate(project.phase)
    evidence = {k: tuple(v[:EVIDENCE_LIMIT]) for k, v in evidence.items()}
    reasons = not_computable(metrics, risk.reasons, fc)
    verdict = decide(gate, metrics, evidence, findings, scoped, reasons)
    config = _version_config(project, scoped, done.snapshots)
    return Evaluation(
        kind=done.kind,
        project_id=done.row["project_id"],
        project_key=project.key,
        project_name=str(done.row.get("name") or project.key),
        phase=project.phase,
        decision=verdict.decision,
        rationale=verdict.rationale,
        criteria=verdict.criteria,
        findings=tuple(findings),
        data_quality=scoped.summary(),
        metrics=dict(sorted(metrics.items())),
        forecast={**fc.to_dict(), "record": record.to_dict()} if fc else None,
        data_version=version_with_config(done.tables, config),
        evaluated_at=done.as_of,
        conditions=verdict.conditions,
        closeout=report.to_dict() if report else None,
        extra={
            "score": verdict.score,
            "evidence": {k: list(v) for k, v in sorted(evidence.items())},
            "charts": done.charts,
            "rag": rag_of(
                metrics.get("evm.spi"),
                sum(f.severity == Severity.CRITICAL for f in findings),
                verdict.decision,
                metrics.get("evm.cpi"),
                sum(f.severity == Severity.WARNING for f in findings),
                project.checks.thresholds,
            ),
        },
        not_computable=reasons,
        phase_source=project.phase_source.to_dict(),
    )


# Why a gate metric (not a risk check's) is null, by metric-name prefix.
_GATE_REASONS = (
    ("forecast.record_", "no earlier forecast has been scored against the finish yet"),
    ("forecast.on_time_probability", "no target date, or no throughput to simulate"),
    ("forecast.p85_days_late", "no target date, or the forecast has no P85 date"),
    ("closeout.kpis_met_pct", "no KPI has both a target and a measured value"),
    ("closeout.schedule_variance_days", "no target date, or no finish (actual or forecast)"),
    ("closeout.effort_variance_pct", "the project has no budget_hours"),
    ("closeout.cost_variance_pct", "no budget_cost, or someone logging hours has no rate"),
    ("closeout.scope_change_pct", "no baseline: no start date and no items before it"),
)


def not_computable(
    metrics: Mapping[str, float | None],
    risk_reasons: Mapping[str, str],
    fc: ForecastResult | None,
) -> dict[str, str]:
    """Metric -> why it is null, for every null metric (sorted): a null never goes unexplained."""
    out: dict[str, str] = {}
    for name, value in sorted(metrics.items()):
        if value is not None:
            continue
        reason = risk_reasons.get(name)
        if reason is None and name.startswith("forecast.p") and name.endswith("_date"):
            reason = f"forecast: {fc.trust_note}" if fc else "no forecast for this project"
        for prefix, text in _GATE_REASONS if reason is None else ():
            if name.startswith(prefix):
                reason = text
                break
        out[name] = reason or "not computable from the available data"
    return out


def _row_only(pf: ProjectFrames) -> ProjectFrames:
    """The project row with empty tables (copies: no view keeps the project's rows alive)."""
    empty = {
        f.name: getattr(pf, f.name).head(0).copy()
        for f in fields(pf)
        if isinstance(getattr(pf, f.name), pd.DataFrame)
    }
    return replace(pf, **empty)


def _resolve(
    pf: ProjectFrames, settings: Settings, rules: LifecycleRules, phase: str | PhaseChoice | None
) -> _Project:
    key = str(pf.project.get("key") or pf.project["project_id"])
    overrides = project_overrides(settings, pf.project)
    where = f"projects.{key}"
    project = effective_project(pf.project, overrides, where)
    thresholds = {**settings.checks.thresholds, **mapping(overrides.get("thresholds", {}), where)}
    if isinstance(phase, PhaseChoice):  # chosen by the caller (as of the clock): keep it
        choice = phase
    else:
        choice = choose_phase(pf, overrides, phase, thresholds)
    chosen = choice.phase
    if chosen not in rules.gate_phases:
        raise ConfigError(
            f"project {key} ({pf.project['project_id']}): no gate for phase {chosen!r} "
            f"({choice.source}); gates: {', '.join(rules.gate_phases)} "
            f"(set {where}.phase or pass a phase)"
        )
    project["phase"] = chosen
    checks = settings.checks
    if "thresholds" in overrides:
        extra = mapping(overrides["thresholds"], f"{where}.thresholds")
        checks = checks.model_copy(update={"thresholds": {**checks.thresholds, **extra}})
    return _Project(
        frames=replace(pf, project=project),
        key=key,
        phase=str(chosen),
        phase_source=choice,
        rules=with_catalog_limits(
            with_project_overrides(rules, overrides.get("gates"), f"{where}.gates"),
            checks.thresholds,
        ),
        checks=checks,
        overrides=overrides,
    )


def phase_of(pf: ProjectFrames, settings: Settings) -> PhaseChoice:
    """The project's phase (config, else charter, else inferred from its evidence)."""
    overrides = project_overrides(settings, pf.project)
    extra = overrides.get("thresholds", {})
    thresholds = {**settings.checks.thresholds, **(extra if isinstance(extra, Mapping) else {})}
    return choose_phase(pf, overrides, None, thresholds)


def _forecast(project: _Project) -> ForecastResult | None:
    pf = project.frames
    window = int(knob("flow.throughput_weeks", project.checks.thresholds) * 7)
    return forecast_project(
        pf.tasks,
        pf.status_changes,
        pf.as_of,
        target_date=pf.project.get("target_date"),
        trials=project.checks.forecast_trials,
        seed=project.checks.forecast_seed,
        window_days=window,
    )


def _forecast_findings(fc: ForecastResult | None, pf: ProjectFrames) -> list[Finding]:
    p85 = fc.percentiles.get("p85") if fc else None
    if fc is None or fc.target_date is None or fc.remaining_items == 0:
        return []
    if p85 is not None and p85 <= fc.target_date:
        return []
    when = "beyond the forecast horizon" if p85 is None else f"by {p85.isoformat()}"
    late = None if p85 is None else float((p85 - fc.target_date).days)
    return [
        Finding(
            check="forecast.p85_days_late",
            severity=Severity.WARNING,
            message=(
                f"{fc.remaining_items} open items finish {when} at 85 % confidence, after the "
                f"target date {fc.target_date.isoformat()} (trust: {fc.trust})"
            ),
            project_id=pf.project["project_id"],
            value=late,
            threshold=0.0,
            phase="execution",
        )
    ]


def _metrics(
    project: _Project,
    risk: CheckOutput,
    quality: QualityReport,
    fc: ForecastResult | None,
    record: ForecastRecord,
    findings: list[Finding],
) -> tuple[dict[str, float | None], dict[str, tuple[str, ...]]]:
    counts, finding_evidence = finding_metrics(findings)
    metrics: dict[str, float | None] = {
        **risk.metrics,
        **charter_metrics(project.frames.project),
        **quality_metrics(quality),
        **counts,
        **(fc.metrics() if fc else {}),
        **record.metrics(),
    }
    failures = quality.critical_failures + quality.warnings
    evidence = {
        **{k: tuple(v) for k, v in risk.evidence.items()},
        **finding_evidence,
        "dq.critical_failures": _keys(r.example_keys for r in quality.critical_failures),
        "dq.warnings": _keys(
            r.example_keys for r in failures if r not in quality.critical_failures
        ),
    }
    return metrics, evidence


def _keys(groups: Iterable[Iterable[str]]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(k for g in groups for k in g))


def _sorted_findings(findings: list[Finding]) -> list[Finding]:
    order = {Severity.CRITICAL: 0, Severity.WARNING: 1, Severity.INFO: 2}
    return sorted(findings, key=lambda f: (order[f.severity], f.check, f.item_ids, f.message))


def _actual_finish(pf: ProjectFrames) -> date | None:
    """When the work finished: the last done item, if none is open any more."""
    if len(pf.tasks) == 0 or remaining_items(pf.tasks) > 0:
        return None
    stamps = done_timestamps(pf.tasks, pf.status_changes)
    return None if stamps.empty else stamps.max().date()


def _day(pf: ProjectFrames) -> date:
    return pd.Timestamp(pf.as_of).tz_convert("UTC").date()


def _version_config(
    project: _Project, quality: QualityReport, snapshots: pd.DataFrame | None
) -> dict[str, Any]:
    pid = project.frames.project["project_id"]
    mine = None if snapshots is None else snapshots[snapshots["project_id"] == pid]
    # The phase is part of the identity; where it came from is not: a review requested for the
    # phase the charter already names is the same review (the demo's nightly run and its gate
    # review of NET gave two evaluations, and two reports, of the same data and verdict).
    return {
        "phase": project.phase,
        "checks": project.checks.model_dump(mode="json"),
        "gate": project.rules.gate(project.phase),
        "overrides": project.overrides,
        "quality": quality.summary(),
        "snapshots": None if mine is None else mine.sort_values(list(mine.columns)).to_dict("list"),
    }
