"""Result types shared by checks, reports, flows and the `--json` CLI output.

Everything here is plain data: frozen dataclasses that serialise to JSON with `to_dict()`.
The JSON structure is documented in `docs/evaluation.md` and is a contract: scripts read
`pmo gate ... --json`, and Jira issue properties carry the same document.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import Any


class Severity(StrEnum):
    CRITICAL = "critical"
    WARNING = "warning"
    INFO = "info"


class Decision(StrEnum):
    GO = "Go"
    GO_WITH_CONDITIONS = "Go with conditions"
    HOLD = "Hold"
    RECYCLE = "Recycle"


class CriterionResult(StrEnum):
    PASS = "pass"  # noqa: S105 (a result, not a password)
    FAIL = "fail"
    MISSING = "missing"  # the metric could not be computed: evidence absent


@dataclass(frozen=True)
class Finding:
    """One thing a check noticed, with the item keys that caused it (the evidence)."""

    check: str  # e.g. "schedule.missed_tasks"
    severity: Severity
    message: str
    project_id: str | None = None
    item_ids: tuple[str, ...] = ()
    value: float | None = None
    threshold: float | None = None
    phase: str | None = None  # lifecycle phase the check belongs to; None = cross-cutting

    def to_dict(self) -> dict[str, Any]:
        return record_jsonable(self)


@dataclass(frozen=True)
class QualityResult:
    """Outcome of one data-quality expectation."""

    table: str
    expectation: str
    severity: Severity
    success: bool
    failing_count: int = 0
    checked_count: int = 0
    example_keys: tuple[str, ...] = ()
    detail: str = ""
    project_id: str | None = None  # None: not tied to one project (e.g. freshness, people)
    # share of the checked rows (for time entries: rows or hours, the larger) that fail;
    # decides the severity of a critical rule (checks/quality/severity.py)
    tainted_share: float | None = None

    def to_dict(self) -> dict[str, Any]:
        return record_jsonable(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> QualityResult:
        """The result `to_dict` gave (read back from JSON)."""
        return cls(
            **{
                **data,
                "severity": Severity(data["severity"]),
                "example_keys": tuple(data["example_keys"]),
            }
        )


@dataclass(frozen=True)
class QualityReport:
    results: tuple[QualityResult, ...]

    @property
    def critical_failures(self) -> tuple[QualityResult, ...]:
        return tuple(r for r in self.results if not r.success and r.severity == Severity.CRITICAL)

    @property
    def warnings(self) -> tuple[QualityResult, ...]:
        return tuple(r for r in self.results if not r.success and r.severity != Severity.CRITICAL)

    @property
    def trustworthy(self) -> bool:
        return not self.critical_failures

    def summary(self) -> dict[str, Any]:
        return {
            "expectations": len(self.results),
            "passed": sum(r.success for r in self.results),
            "critical_failures": len(self.critical_failures),
            "warnings": len(self.warnings),
            "trustworthy": self.trustworthy,
            "failures": [r.to_dict() for r in self.results if not r.success],
        }


@dataclass(frozen=True)
class CriterionOutcome:
    """One gate criterion evaluated: what was measured against what, and why."""

    id: str
    description: str
    metric: str
    value: float | None
    threshold: float | None
    comparison: str  # ">=", "<=", "==", ">" or "<"
    must_meet: bool
    weight: float
    result: CriterionResult
    evidence: tuple[str, ...] = ()  # item keys behind the value
    reason: str | None = None  # why the value is null (metric not computable), else None

    def to_dict(self) -> dict[str, Any]:
        return record_jsonable(self)


@dataclass(frozen=True)
class Evaluation:
    """A phase-gate review or a closeout evaluation of one project."""

    kind: str  # "gate_review" or "closeout"
    project_id: str
    project_key: str
    project_name: str
    phase: str
    decision: Decision
    rationale: str
    criteria: tuple[CriterionOutcome, ...]
    findings: tuple[Finding, ...]
    data_quality: dict[str, Any]
    metrics: dict[str, float | None]
    forecast: dict[str, Any] | None
    data_version: str  # hash of the inputs: same data + config -> same version
    evaluated_at: datetime
    conditions: tuple[str, ...] = ()
    closeout: dict[str, Any] | None = None  # objectives/KPIs, variances, lessons
    extra: dict[str, Any] = field(default_factory=dict)
    # metric name -> why it could not be computed, for every metric whose value is null
    not_computable: dict[str, str] = field(default_factory=dict)
    # how the phase was chosen: {"source": "config" | "charter" | "inferred" | "requested",
    # "rule": ...} (docs/evaluation.md, "Phase")
    phase_source: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return record_jsonable(self)


def record_jsonable(record: object) -> dict[str, Any]:
    """A dataclass as a JSON object (see `to_jsonable`): what every `to_dict` returns."""
    out = to_jsonable(record)
    if not isinstance(out, dict):
        raise TypeError(f"not a record: {type(record).__name__}")
    return out


def to_jsonable(value: Any) -> Any:
    """Dataclasses, enums, dates and NaN as plain JSON values (NaN/inf become null)."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: to_jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, StrEnum):
        return value.value
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [to_jsonable(v) for v in value]
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if hasattr(value, "item") and callable(value.item):  # numpy scalars
        return to_jsonable(value.item())
    return value


@dataclass(frozen=True)
class ProjectFrames:
    """Everything a check may look at for one project: canonical frames filtered to it.

    `people` and `time_entries` cover everyone who worked on the project, so resource checks
    can see a person's load across the portfolio through `portfolio_time_entries`.
    """

    project: dict[str, Any]  # the `projects` row as a dict
    tasks: Any  # pd.DataFrame, canonical `tasks`
    dependencies: Any
    status_changes: Any
    time_entries: Any
    milestones: Any
    sprints: Any
    risks: Any
    people: Any
    portfolio_time_entries: Any  # all projects' time entries, for over-allocation
    as_of: datetime  # the status date (UTC); checks never read the clock themselves


@dataclass
class CheckOutput:
    """What one check returns: named metrics, the items behind each, and findings."""

    metrics: dict[str, float | None] = field(default_factory=dict)
    evidence: dict[str, tuple[str, ...]] = field(default_factory=dict)
    findings: list[Finding] = field(default_factory=list)
    details: dict[str, Any] = field(default_factory=dict)  # tables/series for reports
    reasons: dict[str, str] = field(default_factory=dict)  # metric -> why it is None

    def merge(self, other: CheckOutput) -> CheckOutput:
        self.metrics.update(other.metrics)
        self.reasons.update(other.reasons)
        self.evidence.update(other.evidence)
        self.findings.extend(other.findings)
        self.details.update(other.details)
        return self
