"""The list of risk checks and the function that runs them all for one project."""

from __future__ import annotations

from collections.abc import Callable

from checks.model import CheckOutput, ProjectFrames
from config.settings import ChecksSettings

Check = Callable[[ProjectFrames, ChecksSettings], CheckOutput]

CHECKS: dict[str, Check] = {}


def run_risk_checks(frames: ProjectFrames, settings: ChecksSettings) -> CheckOutput:
    """Every registered check on one project, merged; check order is fixed (deterministic)."""
    merged = CheckOutput()
    for name in CHECKS:
        merged.merge(CHECKS[name](frames, settings))
    return merged
