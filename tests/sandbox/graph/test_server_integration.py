"""The emulator inside the core's server: auth, webhook, outbox over `/_sandbox`, raw paths."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import quote

import httpx
import pytest

from sandbox.server import SandboxServer, start_sandbox
from tests.sandbox.graph.conftest import SITE, card_message, graph_tenant

CARD = {"type": "AdaptiveCard", "version": "1.5", "body": [{"type": "TextBlock", "text": "<b>"}]}


@pytest.fixture(scope="module")
def server() -> Iterator[SandboxServer]:
    with start_sandbox(graph_tenant(tasks_in_plan_1=5, list_items=5)) as running:
        yield running


@pytest.fixture
def http(server: SandboxServer) -> Iterator[httpx.Client]:
    token = {"Authorization": f"Bearer {server.info.graph_token}"}
    with httpx.Client(base_url=server.info.graph_base_url, headers=token) as client:
        yield client


@pytest.mark.parametrize("authorization", [None, "Bearer wrong-token"])
def test_graph_without_the_token_is_401_in_graphs_shape(
    server: SandboxServer, authorization: str | None
) -> None:
    headers = {"Authorization": authorization} if authorization else {}
    response = httpx.get(f"{server.info.graph_base_url}/planner/plans/plan-1", headers=headers)
    assert response.status_code == 401
    assert set(response.json()["error"]) >= {"code", "message"}


def test_encoded_site_ids_and_item_paths_reach_the_emulator(http: httpx.Client) -> None:
    items = http.get(f"/sites/{quote(SITE, safe='')}/lists/Timesheets/items")
    put = http.put("/drives/drive-1/items/root%3A%2Fout%2Fr%20one.md%3A/content", content=b"# r")
    back = http.get("/drives/drive-1/root:/out/r%20one.md:/content")
    assert items.status_code == 200 and len(items.json()["value"]) == 5
    assert (put.status_code, back.content) == (201, b"# r")


def test_workflows_webhook_takes_cards_and_the_outbox_shows_them(server: SandboxServer) -> None:
    url = server.info.webhook_url  # carries its signature, as a real Workflows URL does
    payload = card_message(CARD)
    posted = httpx.post(url, json=payload)
    invalid = httpx.post(url, json={"type": "message", "attachments": []})
    unsigned = httpx.post(url.split("?")[0], json=payload)
    outbox = httpx.get(f"{server.info.control_url}/outbox", params={"kind": "teams_webhook_card"})
    assert (posted.status_code, invalid.status_code, unsigned.status_code) == (202, 400, 401)
    assert outbox.json()["entries"][-1]["payload"]["cards"] == [CARD]


def test_admin_alias_of_the_webhook_needs_no_signature(server: SandboxServer) -> None:
    url = f"{server.info.control_url}/webhooks/teams/unattended"
    payload = card_message(CARD)
    posted = httpx.post(url, json=payload)
    invalid = httpx.post(url, json={**payload, "type": "card"})
    kept = httpx.get(url).json()["value"]
    assert (posted.status_code, invalid.status_code) == (202, 400)
    assert [post["cards"] for post in kept] == [[CARD]]


def test_stats_name_graph_routes_by_their_template(
    server: SandboxServer, http: httpx.Client
) -> None:
    http.get("/planner/plans/plan-1/tasks")
    routes = httpx.get(f"{server.info.control_url}/stats").json()["routes"]
    assert routes["GET /v1.0/planner/plans/{plan}/tasks"]["200"] >= 1
