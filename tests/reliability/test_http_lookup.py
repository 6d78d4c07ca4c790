"""A Graph create with no clear answer is resolved by looking at the target, never re-sent
blindly: found -> recorded done; not there -> a failure that a re-run completes."""

from __future__ import annotations

import pytest

from connectors.graph.errors import GraphConnectorError
from connectors.graph.publisher import GraphPublisher
from connectors.store import PublicationLedger
from sandbox.faults import FaultRule
from tests.connectors.graph.conftest import graph_settings, sandbox, tenant, warehouse
from tests.connectors.graph.tenant import TOKEN

__all__ = ["sandbox", "tenant", "warehouse"]  # the Graph connector's fixtures, reused
KEY = "closeout:ABC:v1:followup:1"


def _publisher(sandbox, warehouse) -> GraphPublisher:
    settings = graph_settings(max_retries=5, timeout_seconds=0.5)
    return GraphPublisher(
        settings.graph,
        PublicationLedger(warehouse),
        base_url=sandbox.info.graph_base_url,
        token=TOKEN,
    )


def _tasks(sandbox) -> int:
    return len(sandbox.state.outbox_entries("planner_task"))


def test_a_task_created_but_answered_too_late_is_found_not_created_again(sandbox, warehouse):
    sandbox.app.faults.set_rules(
        [FaultRule(route="/v1.0/planner/tasks", method="POST", kind="slow_reply", latency_ms=1500)]
    )
    task_id = _publisher(sandbox, warehouse).create_planner_task("plan-small", "Runbook", KEY)
    assert _tasks(sandbox) == 1 and task_id
    assert PublicationLedger(warehouse).get(KEY).status == "done"
    routes = sandbox.app.stats.snapshot()["routes"]
    assert sum(routes["POST /v1.0/planner/tasks"].values()) == 1  # one POST, then a look-up


def test_a_5xx_on_create_is_looked_up_and_a_rerun_posts_it_once(sandbox, warehouse):
    sandbox.app.faults.set_rules(
        [FaultRule(route="/v1.0/planner/tasks", method="POST", kind="503", retry_after=0)]
    )
    with pytest.raises(GraphConnectorError, match="not found"):
        _publisher(sandbox, warehouse).create_planner_task("plan-small", "Runbook", KEY)
    assert sandbox.app.stats.snapshot()["faults"] == {"503": 1}  # not repeated blindly
    sandbox.app.faults.set_rules([])
    _publisher(sandbox, warehouse).create_planner_task("plan-small", "Runbook", KEY)
    _publisher(sandbox, warehouse).create_planner_task("plan-small", "Runbook", KEY)
    assert _tasks(sandbox) == 1
