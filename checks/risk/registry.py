"""The list of risk checks and the function that runs them all for one project."""

from __future__ import annotations

from collections.abc import Callable

from checks.model import CheckOutput, ProjectFrames
from checks.risk.evm import check_evm
from config.settings import ChecksSettings

Check = Callable[[ProjectFrames, ChecksSettings], CheckOutput]

# Fixed order: the merged output (and its findings list) is the same for the same input.
CHECKS: dict[str, Check] = {
    "evm": check_evm,
}


def run_risk_checks(frames: ProjectFrames, settings: ChecksSettings) -> CheckOutput:
    """Every registered check on one project, merged (metrics, evidence, findings, details)."""
    merged = CheckOutput()
    for name in CHECKS:
        merged.merge(CHECKS[name](frames, settings))
    return merged
