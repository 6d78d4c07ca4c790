"""Planner label names come from plan details, read in the same `$batch` as task details
(issue 13, point 5): label-based typing and explicit lessons then work for Planner."""

from __future__ import annotations

from typing import Any

import pytest

from connectors.graph.sync import sync_graph
from tests.connectors.graph.conftest import graph_settings
from tests.connectors.graph.tenant import TOKEN, small_tenant


@pytest.fixture
def tenant() -> dict[str, Any]:
    doc = small_tenant()
    graph = doc["graph"]
    graph["plan_details"] = {
        "plan-small": {  # as in the plannerPlanDetails example: unnamed slots are null
            "id": "plan-small",
            "sharedWith": {},
            "categoryDescriptions": {"category1": "Defect", "category2": None,
                                     "category3": "Lessons learned"},
        }
    }  # fmt: skip
    small = [t for t in graph["tasks"] if t["planId"] == "plan-small"]
    small[0]["appliedCategories"] = {"category1": True}
    small[1]["appliedCategories"] = {"category3": True, "category2": True}
    return doc


@pytest.mark.parametrize("details", [True, False])
def test_label_names_from_plan_details_type_tasks_and_mark_lessons(
    warehouse, sandbox, tenant, details
):
    settings = graph_settings(groups=[], read_task_details=details)
    sync_graph(settings, warehouse, graph_url=sandbox.info.graph_base_url, token=TOKEN)
    small = [t["id"] for t in tenant["graph"]["tasks"] if t["planId"] == "plan-small"]
    tasks = warehouse.read("tasks").set_index("task_id")
    first, second = tasks.loc[f"planner:{small[0]}"], tasks.loc[f"planner:{small[1]}"]
    assert (list(first["labels"]), first["task_type"]) == (["Defect"], "defect")
    assert list(second["labels"]) == ["category2", "Lessons learned"]  # an unnamed slot stays
    routes = sandbox.app.stats.snapshot()["routes"]
    assert "GET /v1.0/planner/plans/{plan}/details" not in routes  # only inside $batch
    batches = sum(routes["POST /v1.0/$batch"].values())
    assert batches == 2  # Planner details (plan + up to 5 tasks) in one, the directory in one
