"""Throttled, failing and dropped Graph requests: the SDK's retries still complete a read.

msgraph-sdk's `RetryHandler` retries 429/503 honouring `Retry-After` (the sandbox sends 1).
It has no retry for a connection dropped before the response, so the client here adds one
for reads, as the project's connector does (`connectors/graph/client.py`).
"""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
from kiota_http.kiota_client_factory import KiotaClientFactory
from kiota_http.middleware.middleware import BaseMiddleware
from msgraph import GraphServiceClient
from msgraph_core import GraphClientFactory

from sandbox.credentials import graph_client_at
from sandbox.faults import FaultRule
from sandbox.server import start_sandbox
from tests.sandbox.graph.conftest import every_item, graph_tenant

FAULTS = [  # about 20 % of Graph requests throttled or failing, 2 % dropped
    FaultRule(route="/v1.0/*", kind="429", probability=0.1, retry_after=1),
    FaultRule(route="/v1.0/*", kind="503", probability=0.1, retry_after=1),
    FaultRule(route="/v1.0/*", kind="drop", probability=0.02),
]
SEED = 17  # a seed under which every kind of fault happens at least once in this read


class RetryDroppedReads(BaseMiddleware):
    """Repeats a GET whose connection dropped before a complete response arrived."""

    def __init__(self, attempts: int = 4) -> None:
        super().__init__()
        self.attempts = attempts
        self.retried = 0

    async def send(
        self, request: httpx.Request, transport: httpx.AsyncBaseTransport
    ) -> httpx.Response:
        for attempt in range(self.attempts):
            try:
                response = await super().send(request, transport)
                await response.aread()  # a body cut off half-way fails here, inside the loop
                return response
            except httpx.TransportError:
                if request.method != "GET" or attempt == self.attempts - 1:
                    raise
                self.retried += 1
        raise AssertionError("unreachable")


def client_with_retries(base_url: str, token: str) -> tuple[GraphServiceClient, RetryDroppedReads]:
    dropped = RetryDroppedReads()
    middleware = [*KiotaClientFactory.get_default_middleware(None), dropped]
    http = GraphClientFactory.create_with_custom_middleware(middleware, client=httpx.AsyncClient())
    return graph_client_at(base_url, token, http=http), dropped


async def read_plan_and_time_cards(client: GraphServiceClient) -> tuple[int, int]:
    tasks = client.planner.plans.by_planner_plan_id("plan-1").tasks
    cards = client.teams.by_team_id("team-1").schedule.time_cards
    task_query: Any = tasks.TasksRequestBuilderGetQueryParameters(top=4)
    card_query: Any = cards.TimeCardsRequestBuilderGetQueryParameters(top=12)
    return len(await every_item(tasks, task_query)), len(await every_item(cards, card_query))


def test_sdk_retries_complete_a_read_through_throttling_errors_and_drops() -> None:
    tenant = graph_tenant(tasks_in_plan_1=40, list_items=1)
    with start_sandbox(tenant, faults=FAULTS, fault_seed=SEED) as server:
        client, dropped = client_with_retries(server.info.graph_base_url, server.info.graph_token)
        counts = asyncio.run(read_plan_and_time_cards(client))
        stats = server.app.stats.snapshot()
    assert counts == (40, 120)
    faults = stats["faults"]
    assert faults.get("429", 0) >= 1 and faults.get("503", 0) >= 1 and faults.get("drop", 0) >= 1
    assert dropped.retried == faults["drop"]
    # every fault cost one extra request: 10 + 10 pages of data, plus one retry per fault
    successes = stats["by_status"]["200"]
    assert successes == 20
    assert stats["total"] == successes + faults["429"] + faults["503"] + faults["drop"]
