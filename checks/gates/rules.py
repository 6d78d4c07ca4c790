"""Phase-gate rules: parsed and validated from `config/lifecycle.yaml`, overridable per project.

A gate is the exit review of a phase: a list of criteria, each a metric compared with a
threshold, must-meet (knock-out) or should-meet (scored by weight). Every problem in the rules
is reported with its key path, e.g. ``gates.planning.criteria[2].metric: unknown metric
'evm.spii'``, so a person can fix the file without reading code.

A threshold may name the metric catalogue's limit instead of a number: ``threshold: catalog``
(the limit where the metric raises a warning finding) or ``threshold: catalog.critical`` (where
it raises a critical one). The criterion then follows the catalogue and its overrides
(``checks.thresholds`` in settings, ``projects.<KEY>.thresholds``), so a tolerance such as SPI's
is set in one place and the gate, the findings and the status RAG agree.

Per-project overrides live in the main config under ``projects.<KEY>.gates.<phase>``:
``<criterion id>: <number>`` replaces the threshold; ``<criterion id>: {threshold, must_meet,
weight, enabled}`` replaces any of those (``enabled: false`` drops the criterion).
"""

from __future__ import annotations

import math
import operator
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from typing import Any

from checks.gates.metrics import known_metrics
from checks.model import record_jsonable
from checks.risk.catalog import METRICS, critical_threshold, threshold
from checks.schema import PHASES
from config.settings import ConfigError

COMPARISONS: dict[str, Callable[[float, float], bool]] = {
    ">=": operator.ge,
    "<=": operator.le,
    ">": operator.gt,
    "<": operator.lt,
    "==": lambda a, b: math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9),
}
GATE_PHASES = tuple(p for p in PHASES if p != "closed")
_CRITERION_KEYS = {"id", "description", "metric", "comparison", "threshold", "must_meet", "weight"}
_GATE_KEYS = {"description", "criteria", "min_score"}
_OVERRIDE_KEYS = {"threshold", "must_meet", "weight", "enabled"}
CATALOG_LIMITS = {"catalog": "warning", "catalog.critical": "critical"}


class RulesError(ConfigError):
    """The gate rules (or a project's override of them) are invalid; the message names keys."""


@dataclass(frozen=True)
class Criterion:
    id: str
    description: str
    metric: str
    comparison: str
    threshold: float
    must_meet: bool
    weight: float
    limit: str | None = None  # "warning"/"critical": the catalogue's limit; None: a number

    def passes(self, value: float) -> bool:
        return COMPARISONS[self.comparison](value, self.threshold)


@dataclass(frozen=True)
class Gate:
    """The exit gate of `phase`. `min_score`: the weighted share of should-meet criteria that
    must pass (0..1); below it the gate recycles even when every must-meet passed."""

    phase: str
    description: str
    criteria: tuple[Criterion, ...]
    min_score: float = 0.0


@dataclass(frozen=True)
class LifecycleRules:
    phases: tuple[str, ...]
    gates: tuple[Gate, ...]
    source: str = "config/lifecycle.yaml"

    def gate(self, phase: str) -> Gate:
        for gate in self.gates:
            if gate.phase == phase:
                return gate
        raise KeyError(f"no gate for phase {phase!r} in {self.source}; gates: {self.gate_phases}")

    @property
    def gate_phases(self) -> list[str]:
        return [g.phase for g in self.gates]

    def to_dict(self) -> dict[str, Any]:
        return record_jsonable(self)


class _Errors:
    def __init__(self) -> None:
        self.lines: list[str] = []

    def add(self, key: str, message: str) -> None:
        self.lines.append(f"{key}: {message}")

    def raise_if_any(self, where: str) -> None:
        if self.lines:
            raise RulesError(f"invalid gate rules in {where}:\n  - " + "\n  - ".join(self.lines))


def parse_rules(raw: Any, source: str = "config/lifecycle.yaml") -> LifecycleRules:
    """Validate the lifecycle YAML (already parsed) into rules, or raise naming every bad key."""
    errors = _Errors()
    if not isinstance(raw, Mapping):
        raise RulesError(f"invalid gate rules in {source}: the top level must be a mapping")
    for key in sorted(set(raw) - {"version", "phases", "gates"}):
        errors.add(key, "unknown key (expected version, phases, gates)")
    phases = _phases(raw.get("phases", list(GATE_PHASES)), errors)
    raw_gates = raw.get("gates")
    gates: list[Gate] = []
    if not isinstance(raw_gates, Mapping) or not raw_gates:
        errors.add("gates", "must be a mapping of phase -> gate")
    else:
        for phase, body in raw_gates.items():
            if phase not in phases:
                errors.add(f"gates.{phase}", f"unknown phase (phases: {', '.join(phases)})")
                continue
            gates.append(_gate(str(phase), body, f"gates.{phase}", errors))
    errors.raise_if_any(source)
    ordered = tuple(sorted(gates, key=lambda g: phases.index(g.phase)))
    return LifecycleRules(tuple(phases), ordered, source)


def _phases(raw: Any, errors: _Errors) -> list[str]:
    if not isinstance(raw, list) or not raw:
        errors.add("phases", "must be a non-empty list of phase names")
        return list(GATE_PHASES)
    for i, phase in enumerate(raw):
        if phase not in GATE_PHASES:
            errors.add(f"phases[{i}]", f"unknown phase {phase!r} (known: {', '.join(GATE_PHASES)})")
    return [str(p) for p in raw]


def _gate(phase: str, body: Any, key: str, errors: _Errors) -> Gate:
    if not isinstance(body, Mapping):
        errors.add(key, "must be a mapping with 'criteria'")
        return Gate(phase, "", ())
    for extra in sorted(set(body) - _GATE_KEYS):
        errors.add(f"{key}.{extra}", f"unknown key (expected {', '.join(sorted(_GATE_KEYS))})")
    raw_criteria = body.get("criteria")
    if not isinstance(raw_criteria, list) or not raw_criteria:
        errors.add(f"{key}.criteria", "must be a non-empty list of criteria")
        raw_criteria = []
    criteria = [_criterion(c, f"{key}.criteria[{i}]", errors) for i, c in enumerate(raw_criteria)]
    seen: set[str] = set()
    for i, crit in enumerate(criteria):
        if crit is not None and crit.id in seen:
            errors.add(f"{key}.criteria[{i}].id", f"duplicate criterion id {crit.id!r}")
        seen.add(crit.id if crit else "")
    min_score = _number(body.get("min_score", 0.0), f"{key}.min_score", errors, 0.0, 1.0)
    return Gate(phase, str(body.get("description", "")), tuple(c for c in criteria if c), min_score)


def _criterion(raw: Any, key: str, errors: _Errors) -> Criterion | None:
    if not isinstance(raw, Mapping):
        errors.add(key, "must be a mapping {id, description, metric, comparison, threshold, ...}")
        return None
    count = len(errors.lines)
    for extra in sorted(set(raw) - _CRITERION_KEYS):
        errors.add(f"{key}.{extra}", f"unknown key (expected {', '.join(sorted(_CRITERION_KEYS))})")
    for required in ("id", "metric", "comparison", "threshold"):
        if required not in raw:
            errors.add(f"{key}.{required}", "missing")
    cid, metric, comparison = raw.get("id"), raw.get("metric"), raw.get("comparison")
    if "id" in raw and (not isinstance(cid, str) or not cid.strip()):
        errors.add(f"{key}.id", "must be a non-empty string")
    if "metric" in raw and metric not in known_metrics():
        errors.add(f"{key}.metric", f"unknown metric {metric!r} (see checks/risk/catalog.py)")
    if "comparison" in raw and comparison not in COMPARISONS:
        errors.add(
            f"{key}.comparison", f"bad comparison {comparison!r} (use {' '.join(COMPARISONS)})"
        )
    named = raw.get("threshold")
    limit = CATALOG_LIMITS.get(named) if isinstance(named, str) else None
    if limit is not None:
        value = _catalog_limit(str(metric), limit, None, f"{key}.threshold", errors)
    elif isinstance(named, str):
        errors.add(
            f"{key}.threshold",
            f"bad threshold {named!r}: a number, 'catalog' or 'catalog.critical'",
        )
        value = 0.0
    elif "threshold" in raw:
        value = _number(named, f"{key}.threshold", errors)
    else:
        value = 0.0
    must_meet = _bool(raw.get("must_meet", True), f"{key}.must_meet", errors)
    weight = _number(raw.get("weight", 1.0), f"{key}.weight", errors, 0.0)
    if len(errors.lines) > count:
        return None
    return Criterion(  # validated above: id, metric and comparison are strings
        str(cid),
        str(raw.get("description", "")),
        str(metric),
        str(comparison),
        value,
        must_meet,
        weight,
        limit,
    )


def _catalog_limit(
    metric: str,
    limit: str,
    overrides: Mapping[str, float] | None,
    key: str,
    errors: _Errors,
) -> float:
    if metric not in METRICS:
        errors.add(key, f"metric {metric!r} has no limit in the catalogue (checks/risk/catalog.py)")
        return 0.0
    value = (critical_threshold if limit == "critical" else threshold)(metric, overrides)
    if value is None:
        errors.add(key, f"metric {metric!r} has no {limit} limit in the catalogue")
        return 0.0
    return float(value)


def with_catalog_limits(
    rules: LifecycleRules, thresholds: Mapping[str, float] | None
) -> LifecycleRules:
    """The rules with every ``threshold: catalog[.critical]`` criterion set to the catalogue's
    limit under `thresholds` (settings, then the project's overrides)."""
    if not thresholds:
        return rules
    errors = _Errors()
    gates = tuple(
        replace(
            gate,
            criteria=tuple(
                c
                if c.limit is None
                else replace(
                    c,
                    threshold=_catalog_limit(c.metric, c.limit, thresholds, c.id, errors),
                )
                for c in gate.criteria
            ),
        )
        for gate in rules.gates
    )
    errors.raise_if_any("checks.thresholds")
    return replace(rules, gates=gates)


def _number(
    value: Any, key: str, errors: _Errors, low: float | None = None, high: float | None = None
) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        errors.add(key, f"bad threshold {value!r}: must be a finite number")
        return 0.0
    if (low is not None and value < low) or (high is not None and value > high):
        errors.add(key, f"{value!r} is out of range [{low}, {high if high is not None else 'inf'}]")
    return float(value)


def _bool(value: Any, key: str, errors: _Errors) -> bool:
    if not isinstance(value, bool):
        errors.add(key, f"must be true or false, got {value!r}")
        return True
    return value


def with_project_overrides(
    rules: LifecycleRules, overrides: Any, where: str = "projects.<key>.gates"
) -> LifecycleRules:
    """The rules with one project's overrides applied (`where` names them in errors)."""
    if overrides is None:
        return rules
    errors = _Errors()
    if not isinstance(overrides, Mapping):
        raise RulesError(f"invalid gate rules in {where}: must be a mapping of phase -> overrides")
    gates = {g.phase: g for g in rules.gates}
    for phase, body in overrides.items():
        if phase not in gates:
            errors.add(f"{where}.{phase}", f"no gate for phase (gates: {', '.join(gates)})")
        elif not isinstance(body, Mapping):
            errors.add(f"{where}.{phase}", "must be a mapping of criterion id -> override")
        else:
            gates[phase] = _override_gate(gates[phase], body, f"{where}.{phase}", errors)
    errors.raise_if_any(where)
    return replace(rules, gates=tuple(gates[g.phase] for g in rules.gates))


def _override_gate(gate: Gate, body: Mapping[str, Any], key: str, errors: _Errors) -> Gate:
    by_id = {c.id: c for c in gate.criteria}
    for cid in body:
        if cid not in by_id:
            errors.add(f"{key}.{cid}", f"unknown criterion (criteria: {', '.join(by_id)})")
    kept = []
    for crit in gate.criteria:
        change = body.get(crit.id)
        if change is None:
            kept.append(crit)
            continue
        if not isinstance(change, Mapping):
            change = {"threshold": change}
        for extra in sorted(set(change) - _OVERRIDE_KEYS):
            errors.add(
                f"{key}.{crit.id}.{extra}", f"unknown key ({', '.join(sorted(_OVERRIDE_KEYS))})"
            )
        if not _bool(change.get("enabled", True), f"{key}.{crit.id}.enabled", errors):
            continue
        kept.append(_override_criterion(crit, change, f"{key}.{crit.id}", errors))
    return replace(gate, criteria=tuple(kept))


def _override_criterion(
    crit: Criterion, change: Mapping[str, Any], key: str, errors: _Errors
) -> Criterion:
    out = crit
    if "threshold" in change:  # a number set for the project wins over the catalogue
        number = _number(change["threshold"], f"{key}.threshold", errors)
        out = replace(out, threshold=number, limit=None)
    if "must_meet" in change:
        out = replace(out, must_meet=_bool(change["must_meet"], f"{key}.must_meet", errors))
    if "weight" in change:
        out = replace(out, weight=_number(change["weight"], f"{key}.weight", errors, 0.0))
    return out
