"""One project judged end to end inside a flow: read, quality gates, evaluate, archive, artifacts."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from flows.artifacts import evaluation_artifacts
from flows.runtime import Runtime
from flows.steps import Judged, archive, evaluate, read_frames, resolve_project, run_quality


def judge_project(
    runtime: Runtime, project: str, *, phase: str | None = None, closeout: bool = False
) -> tuple[Judged, Mapping[str, pd.DataFrame]]:
    """The evaluation of `project` (key or id), stored with its evidence and rendered."""
    as_of = runtime.as_of()
    frames = read_frames(runtime)
    project_id = resolve_project(frames, project)
    quality = run_quality(runtime, frames, as_of)
    evaluation = evaluate(
        runtime, frames, project_id, quality, as_of, phase=phase, closeout=closeout
    )
    judged = archive(runtime, evaluation, frames)
    evaluation_artifacts(judged)
    return judged, frames


def result_document(judged: Judged) -> dict[str, Any]:
    """What the flow returns: the evaluation JSON plus where its report was written."""
    return {**judged.document, "report_path": str(judged.report_path)}
