"""The gate decision: criteria evaluated against metrics, then one recommendation with reasons.

The order of judgement (first match wins), documented in `docs/evaluation.md`:
1. a critical data-quality failure for the project -> **Hold**: the evidence can't be trusted,
   the failing expectations are the evidence; never a silent Go;
2. a must-meet criterion failed -> **Recycle**: rework the phase (a known failure is not made
   unknown by other missing evidence, so this wins over 3);
3. a must-meet criterion's metric could not be computed -> **Hold**: evidence missing;
4. the weighted share of passing should-meet criteria is below the gate's `min_score`
   -> **Recycle**;
5. a should-meet criterion failed or is missing -> **Go with conditions**, one condition each;
6. otherwise **Go**.
Kill is a human decision and never recommended. Same input, same output: no clock, no
randomness, criteria in rule order.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from checks.gates.rules import Criterion, Gate
from checks.model import (
    CriterionOutcome,
    CriterionResult,
    Decision,
    Finding,
    ProjectFrames,
    QualityReport,
    QualityResult,
)


@dataclass(frozen=True)
class GateDecision:
    decision: Decision
    rationale: str
    criteria: tuple[CriterionOutcome, ...]
    conditions: tuple[str, ...]
    score: float | None  # weighted share of should-meet criteria passing; None: none defined


def evaluate_criterion(
    crit: Criterion,
    metrics: Mapping[str, float | None],
    evidence: Mapping[str, tuple[str, ...]],
    findings: Iterable[Finding] = (),
    reasons: Mapping[str, str] | None = None,
) -> CriterionOutcome:
    """One criterion against the measured value; evidence = the items behind the metric;
    `reasons`: why a metric is null (the criterion is then missing, with that reason)."""
    value = _finite(metrics.get(crit.metric))
    reason = None
    if value is None:
        result = CriterionResult.MISSING
        reason = (reasons or {}).get(crit.metric) or (
            "not measured" if crit.metric not in metrics else "not computable"
        )
    else:
        result = CriterionResult.PASS if crit.passes(value) else CriterionResult.FAIL
    keys = tuple(evidence.get(crit.metric, ()))
    if not keys:
        keys = tuple(
            dict.fromkeys(i for f in findings if f.check == crit.metric for i in f.item_ids)
        )
    return CriterionOutcome(
        id=crit.id,
        description=crit.description,
        metric=crit.metric,
        value=value,
        threshold=crit.threshold,
        comparison=crit.comparison,
        must_meet=crit.must_meet,
        weight=crit.weight,
        result=result,
        evidence=keys,
        reason=reason,
    )


def decide(
    gate: Gate,
    metrics: Mapping[str, float | None],
    evidence: Mapping[str, tuple[str, ...]],
    findings: Iterable[Finding],
    quality: QualityReport,
    reasons: Mapping[str, str] | None = None,
) -> GateDecision:
    """The recommendation for `gate` (quality already scoped to the project); `reasons`: why
    each null metric could not be computed (named in the rationale and conditions)."""
    listed = list(findings)
    outcomes = tuple(
        evaluate_criterion(c, metrics, evidence, listed, reasons) for c in gate.criteria
    )
    must = [o for o in outcomes if o.must_meet]
    should = [o for o in outcomes if not o.must_meet]
    failed_must = [o for o in must if o.result == CriterionResult.FAIL]
    missing_must = [o for o in must if o.result == CriterionResult.MISSING]
    open_should = [o for o in should if o.result != CriterionResult.PASS]
    score = _score(should)
    tally = _tally(outcomes)
    if quality.critical_failures:
        decision, why = Decision.HOLD, _untrustworthy(quality.critical_failures)
    elif failed_must:
        decision, why = Decision.RECYCLE, "must-meet criteria failed: " + _list(failed_must)
    elif missing_must:
        decision = Decision.HOLD
        why = "evidence missing for must-meet criteria: " + _list(missing_must)
    elif score is not None and score < gate.min_score:
        decision = Decision.RECYCLE
        why = f"should-meet score {score:.2f} is below the gate's minimum {gate.min_score:.2f}"
    elif open_should:
        decision = Decision.GO_WITH_CONDITIONS
        why = f"{len(open_should)} should-meet criteria not met; they become conditions"
    else:
        decision, why = Decision.GO, "every criterion is met"
    conditions = (
        tuple(_condition(o) for o in open_should) if decision == Decision.GO_WITH_CONDITIONS else ()
    )
    rationale = f"{decision.value} at the {gate.phase} gate: {why}. Criteria: {tally}."
    return GateDecision(decision, rationale, outcomes, conditions, score)


def scope_quality(
    report: QualityReport, project_id: str, project_item_ids: set[str]
) -> QualityReport:
    """The part of a portfolio quality report that concerns one project.

    A failed expectation tagged with a `project_id` concerns that project only. An untagged
    one concerns the project when one of its example keys is one of the project's ids
    (tasks, entries, people, ...), or when that can't be ruled out: no example keys (a
    source-wide check such as freshness) or fewer examples than failures (the examples were
    truncated). Passed expectations are kept so the summary still counts them.
    """
    kept = tuple(
        r for r in report.results if r.success or _concerns(r, project_id, project_item_ids)
    )
    return QualityReport(kept)


def _concerns(result: QualityResult, project_id: str, ids: set[str]) -> bool:
    if result.project_id is not None:
        return result.project_id == project_id
    if not result.example_keys or result.failing_count > len(result.example_keys):
        return True
    return any(key in ids for key in result.example_keys)


def _score(should: list[CriterionOutcome]) -> float | None:
    total = sum(o.weight for o in should)
    if not should or total <= 0:
        return None
    return sum(o.weight for o in should if o.result == CriterionResult.PASS) / total


def _tally(outcomes: tuple[CriterionOutcome, ...]) -> str:
    counts = {r: sum(o.result == r for o in outcomes) for r in CriterionResult}
    return ", ".join(f"{counts[r]} {r.value}" for r in CriterionResult)


def _untrustworthy(failures: tuple[QualityResult, ...]) -> str:
    shown = "; ".join(
        f"{r.table}.{r.expectation} ({r.failing_count} failing)" for r in failures[:5]
    )
    more = f" and {len(failures) - 5} more" if len(failures) > 5 else ""
    return (
        f"{len(failures)} critical data-quality failures make the evidence untrustworthy: "
        f"{shown}{more}"
    )


def _list(outcomes: list[CriterionOutcome]) -> str:
    return "; ".join(_describe(o) for o in outcomes)


def _describe(o: CriterionOutcome) -> str:
    need = f"needs {o.comparison} {_fmt(o.threshold)}"
    if o.value is None:
        return f"{o.id} ({o.metric} could not be computed: {o.reason}; {need})"
    return f"{o.id} ({o.metric} = {_fmt(o.value)}, {need})"


def _condition(o: CriterionOutcome) -> str:
    label = o.description or o.id
    if o.value is None:
        return f"Provide evidence for '{label}': {o.metric} could not be computed ({o.reason})."
    return f"Bring '{label}' to {o.comparison} {_fmt(o.threshold)}: {o.metric} is {_fmt(o.value)}."


def _fmt(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.4g}"


def _finite(value: float | None) -> float | None:
    if value is None:
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def project_item_ids(pf: ProjectFrames) -> set[str]:
    """Every id of the project's rows: what its data-quality failures are matched on."""
    ids = {pf.project["project_id"]}
    for frame, column in (
        (pf.tasks, "task_id"), (pf.time_entries, "entry_id"), (pf.risks, "risk_id"),
        (pf.milestones, "milestone_id"), (pf.sprints, "sprint_id"), (pf.people, "person_id"),
        (pf.dependencies, "dependency_id"), (pf.status_changes, "change_id"),
    ):  # fmt: skip
        ids.update(frame[column].dropna().tolist())
    return ids
