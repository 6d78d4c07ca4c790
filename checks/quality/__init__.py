"""Data-quality gates: are the canonical frames trustworthy enough to judge a gate on?

Entry point: `run_quality_gates(frames, context, settings) -> QualityReport`. Great
Expectations runs the per-table suites (`suites.py`) behind `gx_adapter.py`, imported only
when a validation runs; cross-table checks are plain pandas returning the same result type.
"""

from checks.quality.context import QualityContext
from checks.quality.freshness import census_counts
from checks.quality.runner import (
    quality_results_for_project,
    run_quality_gates,
    table_suite_results,
)
from checks.quality.suites import suite_for
from checks.quality.tables import suites_agree

__all__ = [
    "QualityContext",
    "census_counts",
    "quality_results_for_project",
    "run_quality_gates",
    "suite_for",
    "suites_agree",
    "table_suite_results",
]
