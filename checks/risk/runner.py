"""The list of risk checks and the function that runs them all for one project."""

from __future__ import annotations

from collections.abc import Callable

from checks.model import CheckOutput, ProjectFrames
from checks.risk.dependencies import check_dependencies
from checks.risk.evm import check_evm
from checks.risk.flow import check_flow
from checks.risk.planning import check_planning
from checks.risk.qa import check_qa
from checks.risk.register import check_register
from checks.risk.resources import check_resources
from checks.risk.schedule import check_schedule
from checks.risk.timesheet import check_timesheet
from config.settings import ChecksSettings

Check = Callable[[ProjectFrames, ChecksSettings], CheckOutput]

# Fixed order: the merged output (and its findings list) is the same for the same input.
CHECKS: dict[str, Check] = {
    "evm": check_evm,
    "schedule": check_schedule,
    "dependencies": check_dependencies,
    "resources": check_resources,
    "flow": check_flow,
    "planning": check_planning,
    "qa": check_qa,
    "register": check_register,
    "timesheet": check_timesheet,
}


def run_risk_checks(frames: ProjectFrames, settings: ChecksSettings) -> CheckOutput:
    """Every registered check on one project, merged (metrics, evidence, findings, details)."""
    merged = CheckOutput()
    for name in CHECKS:
        merged.merge(CHECKS[name](frames, settings))
    return merged
