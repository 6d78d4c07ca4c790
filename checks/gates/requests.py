"""Gate-review requests filed in Jira: which project and phase each one asks about.

A request is a task of type `gate_request` (Jira issue type "Gate Review") that is not done.
It names the project and, optionally, the phase, either in labels (`project:ABC`,
`phase:planning`) or in its title ("Gate review: ABC planning"). Requests that name no known
project are returned as problems, so the flow can answer them with a clear error.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pandas as pd

from checks.schema import PHASES

_TITLE = re.compile(
    r"gate[\s-]*review\s*[:\-–]?\s*(?P<project>[A-Za-z][A-Za-z0-9_]*)(?:\s+(?P<phase>[A-Za-z_/ ]+))?",
    re.I,
)
_PHASE_ALIASES = {
    "qa": "qa_uat",
    "uat": "qa_uat",
    "qa/uat": "qa_uat",
    "training": "training_documentation",
    "documentation": "training_documentation",
}


@dataclass(frozen=True)
class GateRequest:
    task_id: str  # the request issue, e.g. jira:10400
    issue_key: str  # where the answer is posted, e.g. PMO-12
    project_key: str | None
    phase: str | None
    problem: str | None = None


def _phase(text: str | None) -> str | None:
    if not text:
        return None
    word = text.strip().lower().replace(" ", "_")
    word = _PHASE_ALIASES.get(word, word)
    return word if word in PHASES else None


def _from_labels(labels: object) -> tuple[str | None, str | None]:
    project = phase = None
    for label in labels if isinstance(labels, list) else []:
        name, _, value = str(label).partition(":")
        if name.lower() == "project" and value:
            project = value.upper()
        elif name.lower() == "phase" and value:
            phase = _phase(value)
    return project, phase


def open_gate_requests(tasks: pd.DataFrame, known_projects: set[str]) -> list[GateRequest]:
    """Requests waiting for an answer, oldest first."""
    wanted = tasks[(tasks["task_type"] == "gate_request") & (tasks["status_category"] != "done")]
    requests = []
    for row in wanted.sort_values(["created_at", "task_id"]).itertuples(index=False):
        project, phase = _from_labels(row.labels)
        match = _TITLE.search(str(row.title or ""))
        if match and project is None:
            project = match.group("project").upper()
        if match and phase is None:
            phase = _phase(match.group("phase"))
        problem = None
        if project is None:
            problem = "the request names no project: add a label project:<KEY> or title it 'Gate review: <KEY> <phase>'"
        elif project not in known_projects:
            problem = f"the request names project {project!r}, which is not synced"
        requests.append(GateRequest(str(row.task_id), str(row.key), project, phase, problem))
    return requests
