"""Fault injection and counters: faults happen as configured, clients retry through them,
and `/_sandbox/stats` proves it (requests are counted, never timed)."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest
import requests

from sandbox.credentials import graph_client, jira_client
from sandbox.faults import FaultConfigError, FaultInjector, FaultRule, rule_from_dict
from sandbox.server import SandboxServer, start_sandbox
from tests.sandbox.core.tenant_facts import issues_in, smallest_project


@pytest.mark.parametrize(
    ("rule", "paths", "fired"),
    [
        # every 3rd matching request, deterministically
        (
            FaultRule(route="/rest/*", kind="503", every_nth=3),
            ["/rest/a"] * 7,
            [0, 0, 1, 0, 0, 1, 0],
        ),
        # only matching routes count towards every_nth
        (
            FaultRule(route="/v1.0/*", kind="429", every_nth=2),
            ["/rest/a", "/v1.0/x", "/v1.0/y"],
            [0, 0, 1],
        ),
        # a limit stops a rule after that many firings
        (FaultRule(route="*", kind="500", limit=2), ["/a"] * 4, [1, 1, 0, 0]),
        # probability 0 never fires
        (FaultRule(route="*", kind="drop", probability=0.0), ["/a"] * 5, [0] * 5),
    ],
)
def test_rules_fire_as_configured(rule: FaultRule, paths: list[str], fired: list[int]) -> None:
    injector = FaultInjector([rule])
    assert [int(injector.decide("GET", p).error is not None) for p in paths] == fired


def test_probability_is_reproducible_with_a_seed() -> None:
    def run() -> list[bool]:
        injector = FaultInjector([FaultRule(kind="429", probability=0.3)], seed=11)
        return [injector.decide("GET", "/x").error is not None for _ in range(200)]

    first = run()
    assert first == run() and 40 <= sum(first) <= 80


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ({"kind": "418"}, "kind: '418' is not one of"),  # unknown fault kind
        ({"kind": "503", "probability": 2}, "between 0 and 1"),  # probability out of range
        ({"kind": "503", "retryAfter": 1}, "unknown keys ['retryAfter']"),  # a typo names the key
        ("503", "must be a JSON object"),  # not an object
    ],
)
def test_bad_rules_are_refused_naming_the_key(raw: Any, message: str) -> None:
    with pytest.raises(FaultConfigError, match="rules\\[0\\]") as caught:
        rule_from_dict(raw, "rules[0]")
    assert message in str(caught.value)


def _put_faults(
    server: SandboxServer, rules: list[dict[str, Any]], seed: int = 1
) -> requests.Response:
    return requests.put(f"{server.info.control_url}/faults", json={"rules": rules, "seed": seed})


def test_injected_errors_carry_the_services_headers_and_shapes(
    sandbox_server: SandboxServer,
) -> None:
    assert (
        _put_faults(
            sandbox_server,
            [
                {
                    "route": "/rest/api/3/myself",
                    "kind": "429",
                    "retry_after": 2,
                    "reason": "jira-quota-tenant-based",
                },
                {"route": "/v1.0/*", "kind": "503", "retry_after": 3},
            ],
        ).status_code
        == 200
    )
    info = sandbox_server.info
    jira = requests.get(
        f"{info.jira_url}/rest/api/3/myself", auth=(info.jira_email, info.jira_api_token)
    )
    assert (jira.status_code, jira.headers["Retry-After"]) == (429, "2")
    assert (
        jira.headers["RateLimit-Reason"] == "jira-quota-tenant-based"
        and jira.json()["errorMessages"]
    )
    graph = requests.get(
        f"{info.graph_base_url}/planner/plans/x",
        headers={"Authorization": f"Bearer {info.graph_token}"},
    )
    assert (graph.status_code, graph.headers["Retry-After"]) == (503, "3")
    assert graph.json()["error"]["code"] == "ServiceUnavailable"
    stats = requests.get(f"{info.control_url}/stats").json()
    assert stats["faults"] == {"429": 1, "503": 1} and stats["by_status"] == {"429": 1, "503": 1}


@pytest.mark.parametrize(
    ("kind", "error"),
    [
        (
            "drop",
            requests.ConnectionError,
        ),  # closed before any byte: clients see a connection error
        (
            "drop_mid",
            requests.exceptions.ChunkedEncodingError,
        ),  # headers and half a body, then closed
    ],
)
def test_dropped_connections(
    sandbox_server: SandboxServer, kind: str, error: type[Exception]
) -> None:
    _put_faults(sandbox_server, [{"route": "/rest/api/3/serverInfo", "kind": kind, "limit": 1}])
    info = sandbox_server.info
    with pytest.raises(error):
        requests.get(
            f"{info.jira_url}/rest/api/3/serverInfo", auth=(info.jira_email, info.jira_api_token)
        )
    after = requests.get(
        f"{info.jira_url}/rest/api/3/serverInfo", auth=(info.jira_email, info.jira_api_token)
    )
    assert after.status_code == 200
    routes = requests.get(f"{info.control_url}/stats").json()["routes"]
    assert routes["GET rest/api/{ver}/serverInfo"] == {"dropped": 1, "200": 1}


def test_latency_is_counted_not_timed(sandbox_server: SandboxServer) -> None:
    _put_faults(
        sandbox_server, [{"route": "/rest/*", "kind": "latency", "latency_ms": 5, "jitter_ms": 5}]
    )
    info = sandbox_server.info
    for _ in range(3):
        requests.get(
            f"{info.jira_url}/rest/api/3/serverInfo", auth=(info.jira_email, info.jira_api_token)
        )
    stats = requests.get(f"{info.control_url}/stats").json()
    assert stats["faults"] == {"latency": 3} and stats["by_status"] == {"200": 3}


# 20 % of requests answered 429 or 503 and 2 % of Jira's dropped, by seeded probability (the
# seed makes the run reproducible; the asserts below prove the faults really happened). Graph
# requests aren't dropped: msgraph doesn't retry transport errors (see the test after this).
RETRY_RULES = [
    FaultRule(route="*", kind="429", probability=0.1, retry_after=1),
    FaultRule(route="*", kind="503", probability=0.1, retry_after=1),
    FaultRule(route="/rest/*", kind="drop", probability=0.02),
]
FAULT_SEED = 5


def _read_jira_project(server: SandboxServer, key: str) -> dict[str, int]:
    jira = jira_client(server.info, max_retries=8)
    # the client's own cap on its back-off: a retry then waits 0.5-1 s instead of 1-2 s (429)
    # or 5-10 s (a dropped connection)
    jira._session.max_retry_delay = 1
    jira.project(key)
    jira.project_versions(key)
    issues = jira.search_issues(f"project = {key} ORDER BY key", maxResults=False, fields="*all")
    histories = sum(len(jira._get_json(f"issue/{i.key}/changelog")["values"]) for i in issues)
    updated = jira._get_json("worklog/updated", params={"since": 0})
    listed = jira._session.post(
        f"{server.info.jira_url}/rest/api/3/worklog/list",
        json={"ids": [v["worklogId"] for v in updated["values"]]},
    ).json()
    return {"issues": len(issues), "histories": histories, "worklogs": len(listed)}


def _plan_and_team(doc: dict[str, Any]) -> tuple[dict[str, Any], str]:
    """The plan with the fewest tasks (a few pages, few requests) and a team with time cards."""
    graph = doc["graph"]
    plan = min(graph["plans"], key=lambda p: sum(t["planId"] == p["id"] for t in graph["tasks"]))
    team = next(t["id"] for t in graph["teams"] if graph["time_cards"].get(t["id"]))
    return plan, team


async def _every_item(client: Any, collection: Any) -> list[Any]:
    """Every item of a paged collection, following its next links."""
    from msgraph_core.tasks.page_iterator import PageIterator

    items: list[Any] = []
    iterator = PageIterator(await collection.get(), client.request_adapter)
    await iterator.iterate(lambda item: items.append(item) or True)
    return items


async def _read_graph_plan(server: SandboxServer) -> dict[str, int]:
    client = graph_client(server.info)
    plan, team = _plan_and_team(server.state.doc)
    plans = await client.groups.by_group_id(plan["container"]["containerId"]).planner.plans.get()
    buckets = await client.planner.plans.by_planner_plan_id(plan["id"]).buckets.get()
    tasks = await _every_item(client, client.planner.plans.by_planner_plan_id(plan["id"]).tasks)
    details = [await client.planner.tasks.by_planner_task_id(t.id).details.get() for t in tasks]
    cards = await _every_item(client, client.teams.by_team_id(team).schedule.time_cards)
    return {
        "plans": len(plans.value),
        "buckets": len(buckets.value),
        "tasks": len(tasks),
        "details": len(details),
        "cards": len(cards),
    }


def _expected(doc: dict[str, Any], key: str) -> tuple[dict[str, int], dict[str, int]]:
    """What a complete read returns, counted from the tenant document itself."""
    issues = issues_in(doc, key)
    graph = doc["graph"]
    plan, team = _plan_and_team(doc)
    tasks = [t for t in graph["tasks"] if t["planId"] == plan["id"]]
    jira = {
        "issues": len(issues),
        "histories": sum(len(i["changelog"]) for i in issues),
        "worklogs": len(doc["jira"]["worklogs"]),
    }
    return jira, {
        "plans": sum(1 for p in graph["plans"] if p["owner"] == plan["owner"]),
        "buckets": sum(1 for b in graph["buckets"] if b["planId"] == plan["id"]),
        "tasks": len(tasks),
        "details": len(tasks),
        "cards": len(graph["time_cards"][team]),
    }


@pytest.mark.slow
def test_both_clients_read_a_whole_project_through_throttling_and_drops(
    demo_tenant: dict[str, Any],
) -> None:
    project = smallest_project(demo_tenant, at_least=20)  # a few dozen issues, as many requests
    expected_jira, expected_graph = _expected(demo_tenant, project)
    rules = [FaultRule(**vars(r)) for r in RETRY_RULES]
    with start_sandbox(demo_tenant, faults=rules, fault_seed=FAULT_SEED) as server:
        assert _read_jira_project(server, project) == expected_jira
        assert asyncio.run(_read_graph_plan(server)) == expected_graph
        stats = server.app.stats.snapshot()
    faults = stats["faults"]
    assert (
        faults.get("429", 0) + faults.get("503", 0) >= 0.1 * stats["total"]
    )  # they really happened
    assert faults.get("drop", 0) >= 1
    graph_faults = sum(
        c.get("429", 0) + c.get("503", 0) for r, c in stats["routes"].items() if "/v1.0/" in r
    )
    assert graph_faults >= 1


def test_graph_sdk_does_not_retry_a_dropped_connection(sandbox_server: SandboxServer) -> None:
    """msgraph's RetryHandler retries 429/503/504 only: a Graph connector must retry transport
    errors itself. This pins the behaviour the connector has to cover."""
    _put_faults(sandbox_server, [{"route": "/v1.0/*", "kind": "drop", "limit": 1}])
    plan = sandbox_server.state.doc["graph"]["plans"][0]["id"]
    client = graph_client(sandbox_server.info)
    with pytest.raises(httpx.RemoteProtocolError):
        asyncio.run(client.planner.plans.by_planner_plan_id(plan).tasks.get())
