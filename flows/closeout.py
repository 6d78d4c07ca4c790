"""Closeout evaluation: goals and KPIs, final variances, forecast record, lessons learned.

Leadership gets it by mail (report attached), it is archived in SharePoint, noted in Jira,
and every lesson's follow-up action becomes a Jira issue or Planner task.
"""

from __future__ import annotations

from typing import Any

from checks.evaluation.as_of import parse_as_of
from flows.artifacts import report_link_artifact
from flows.judging import judge_project, result_document
from flows.orchestration import flow
from flows.publishing import publish_closeout
from flows.runtime import open_runtime


@flow(name="closeout-evaluation", log_prints=False)
def closeout_evaluation(
    project: str,
    publish: bool = True,
    config_path: str | None = None,
    as_of: str | None = None,
) -> dict[str, Any]:
    """Evaluate a finished (or finishing) project for leadership (`as_of`: the status date,
    YYYY-MM-DD or ISO; default: the project's finish, see checks/evaluation/as_of.py)."""
    with open_runtime(config_path, as_of=parse_as_of(as_of)) as runtime:
        judged, _frames = judge_project(runtime, project, closeout=True)
        document = result_document(judged)
        if publish and runtime.settings.publish.enabled:
            document["published"] = publish_closeout(runtime, judged)
            report_link_artifact(judged, document["published"])
        return document
