"""Phase-gate rules (from `config/lifecycle.yaml`) and the gate decision.

- `rules`: `parse_rules(raw, source)`, `with_project_overrides(rules, overrides, where)`,
  `with_catalog_limits(rules, thresholds)`;
- `decision`: `decide(gate, metrics, evidence, findings, quality)`, `scope_quality(...)`;
- `metrics`: the gate's own metrics (charter, data quality, findings, forecast, closeout);
- `requests`: gate-review requests filed in Jira (which project and phase each one asks about).
"""

from __future__ import annotations

from checks.gates.decision import (
    GateDecision,
    decide,
    evaluate_criterion,
    project_item_ids,
    scope_quality,
)
from checks.gates.metrics import GATE_METRICS, charter_metrics, known_metrics
from checks.gates.rules import (
    COMPARISONS,
    Criterion,
    Gate,
    LifecycleRules,
    RulesError,
    parse_rules,
    with_catalog_limits,
    with_project_overrides,
)

__all__ = [
    "COMPARISONS",
    "GATE_METRICS",
    "Criterion",
    "Gate",
    "GateDecision",
    "LifecycleRules",
    "RulesError",
    "charter_metrics",
    "decide",
    "evaluate_criterion",
    "known_metrics",
    "parse_rules",
    "project_item_ids",
    "scope_quality",
    "with_catalog_limits",
    "with_project_overrides",
]
