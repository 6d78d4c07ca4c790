"""Closeout evaluation: goals and KPIs, final variances, forecast record, lessons learned.

Leadership gets it by mail (report attached), it is archived in SharePoint, noted in Jira,
and every lesson's follow-up action becomes a Jira issue or Planner task.
"""

from __future__ import annotations

from typing import Any

from prefect import flow

from flows.artifacts import evaluation_artifacts
from flows.publishing import publish_closeout
from flows.runtime import open_runtime
from flows.steps import archive, evaluate, read_frames, resolve_project, run_quality


@flow(name="closeout-evaluation", log_prints=False)
def closeout_evaluation(
    project: str, publish: bool = True, config_path: str | None = None
) -> dict[str, Any]:
    """Evaluate a finished (or finishing) project for leadership."""
    with open_runtime(config_path) as runtime:
        as_of = runtime.as_of()
        frames = read_frames(runtime)
        project_id = resolve_project(frames, project)
        quality = run_quality(runtime, frames, as_of)
        evaluation = evaluate(runtime, frames, project_id, quality, as_of, closeout=True)
        judged = archive(runtime, evaluation)
        evaluation_artifacts(judged)
        document = dict(judged.document)
        document["report_path"] = str(judged.report_path)
        if publish and runtime.settings.publish.enabled:
            document["published"] = publish_closeout(runtime, judged, frames)
        return document
