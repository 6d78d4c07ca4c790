"""Gate-review requests are read from labels or titles; bad ones carry a clear problem."""

from __future__ import annotations

import pandas as pd
import pytest

from checks.gates.requests import open_gate_requests
from checks.schema import to_frame


def requests_for(
    title: str, labels: list[str], status: str = "todo", task_type: str = "gate_request"
) -> list:
    tasks = to_frame(
        "tasks",
        [
            {
                "task_id": "jira:1",
                "project_id": "jira:9",
                "key": "PMO-1",
                "title": title,
                "labels": labels,
                "task_type": task_type,
                "status_category": status,
                "source": "jira",
                "created_at": pd.Timestamp("2026-11-01", tz="UTC"),
            }
        ],
    )
    return open_gate_requests(tasks, {"NET", "ERP"})


@pytest.mark.parametrize(
    ("title", "labels", "project", "phase", "problem"),
    [
        ("Gate review: NET planning", [], "NET", "planning", None),  # title carries both
        ("Gate review - erp", [], "ERP", None, None),  # phase left to the project's current phase
        (
            "Please review",
            ["project:net", "phase:uat"],
            "NET",
            "qa_uat",
            None,
        ),  # labels, with alias
        (
            "Gate review: NET qa",
            ["phase:closeout"],
            "NET",
            "closeout",
            None,
        ),  # labels win over title
        ("Gate review: CRM execution", [], "CRM", "execution", "not synced"),  # unknown project
        ("Review please", [], None, None, "names no project"),  # nothing to go on
    ],
)
def test_requests_name_project_and_phase(title, labels, project, phase, problem) -> None:
    (request,) = requests_for(title, labels)
    assert (request.project_key, request.phase) == (project, phase)
    assert (request.problem is None) if problem is None else (problem in request.problem)


def test_done_requests_and_other_types_are_ignored() -> None:
    assert requests_for("Gate review: NET planning", [], status="done") == []
    assert requests_for("Gate review: NET planning", [], task_type="task") == []
