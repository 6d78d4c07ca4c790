"""Lifecycle risk checks and metrics: pure functions of one project's canonical frames.

Entry point: `run_risk_checks(frames, settings)` runs every registered check and merges their
`CheckOutput`s (metrics, evidence item ids, findings, report details). The metric catalogue with
default thresholds is `checks.risk.catalog.METRICS`.
"""

from __future__ import annotations

from checks.risk.catalog import METRICS, MetricInfo
from checks.risk.runner import CHECKS, run_risk_checks

__all__ = ["CHECKS", "METRICS", "MetricInfo", "run_risk_checks"]
