"""Phase-gate review of one project: judge the current (or a given) phase's exit gate.

Started by the PMO (`pmo gate ABC`, the deployment's run form) or by a gate-review request
issue that the nightly sync picked up. The decision is stored with its evidence, rendered,
and published to the request issue (else the configured Jira target, see
`flows.publish_target`), Teams and SharePoint.
"""

from __future__ import annotations

from typing import Any

from checks.evaluation.as_of import parse_as_of
from flows.artifacts import report_link_artifact
from flows.judging import judge_project, result_document
from flows.orchestration import flow
from flows.publishing import publish_gate_review
from flows.runtime import open_runtime


@flow(name="phase-gate-review", log_prints=False)
def phase_gate_review(
    project: str,
    phase: str | None = None,
    publish: bool = True,
    config_path: str | None = None,
    request_issue: str | None = None,
    as_of: str | None = None,
) -> dict[str, Any]:
    """Evaluate `project` (key or id) at `phase` (default: its current phase) and publish.
    `as_of`: the status date (YYYY-MM-DD or ISO timestamp); default: see checks/evaluation/as_of.py."""
    with open_runtime(config_path, as_of=parse_as_of(as_of)) as runtime:
        judged, _frames = judge_project(runtime, project, phase=phase)
        document = result_document(judged)
        if publish and runtime.settings.publish.enabled:
            document["published"] = publish_gate_review(runtime, judged, request_issue)
            report_link_artifact(judged, document["published"])
        return document
