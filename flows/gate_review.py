"""Phase-gate review of one project: judge the current (or a given) phase's exit gate.

Started by the PMO (`pmo gate ABC`, the deployment's run form) or by a gate-review request
issue that the nightly sync picked up. The decision is stored with its evidence, rendered,
and published to the request issue (or the project's epic), Teams and SharePoint.
"""

from __future__ import annotations

from typing import Any

from prefect import flow

from flows.artifacts import evaluation_artifacts
from flows.publishing import publish_gate_review
from flows.runtime import open_runtime
from flows.steps import archive, evaluate, read_frames, resolve_project, run_quality


@flow(name="phase-gate-review", log_prints=False)
def phase_gate_review(
    project: str,
    phase: str | None = None,
    publish: bool = True,
    config_path: str | None = None,
    request_issue: str | None = None,
) -> dict[str, Any]:
    """Evaluate `project` (key or id) at `phase` (default: its current phase) and publish."""
    with open_runtime(config_path) as runtime:
        as_of = runtime.as_of()
        frames = read_frames(runtime)
        project_id = resolve_project(frames, project)
        quality = run_quality(runtime, frames, as_of)
        evaluation = evaluate(runtime, frames, project_id, quality, as_of, phase=phase)
        judged = archive(runtime, evaluation)
        evaluation_artifacts(judged)
        document = dict(judged.document)
        document["report_path"] = str(judged.report_path)
        if publish and runtime.settings.publish.enabled:
            document["published"] = publish_gate_review(runtime, judged, frames, request_issue)
        return document
