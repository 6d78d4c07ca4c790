"""What the core adds in front of the Graph emulator: auth, the webhook signature, counters."""

from __future__ import annotations

import requests

from sandbox.server import SandboxServer

CARD = {
    "type": "message",
    "attachments": [
        {
            "contentType": "application/vnd.microsoft.card.adaptive",
            "content": {
                "type": "AdaptiveCard",
                "version": "1.4",
                "body": [{"type": "TextBlock", "text": "Go"}],
            },
        }
    ],
}


def test_graph_needs_the_bearer_token(sandbox_server: SandboxServer) -> None:
    info = sandbox_server.info
    url = (
        f"{info.graph_base_url}/planner/plans/{sandbox_server.state.doc['graph']['plans'][0]['id']}"
    )
    missing = requests.get(url)
    wrong = requests.get(url, headers={"Authorization": "Bearer nope"})
    right = requests.get(url, headers={"Authorization": f"Bearer {info.graph_token}"})
    assert (missing.status_code, wrong.status_code, right.status_code) == (401, 401, 200)
    assert missing.json()["error"]["code"] == "InvalidAuthenticationToken"
    assert "nope" not in wrong.text
    routes = sandbox_server.app.stats.snapshot()["routes"]
    assert routes["GET /v1.0/planner/plans/{plan}"] == {"401": 2, "200": 1}


def test_webhook_takes_a_card_with_the_right_signature(sandbox_server: SandboxServer) -> None:
    url = sandbox_server.info.webhook_url
    assert requests.post(url.split("?")[0] + "?sig=forged", json=CARD).status_code == 401
    assert requests.post(url, json=CARD).status_code == 202
    assert requests.post(url, json={"type": "message", "attachments": []}).status_code == 400
    cards = sandbox_server.state.outbox_entries("teams_webhook_card")
    assert len(cards) == 1 and cards[0]["payload"]["cards"][0]["body"][0]["text"] == "Go"


def test_outbox_is_readable_over_http(sandbox_server: SandboxServer) -> None:
    requests.post(sandbox_server.info.webhook_url, json=CARD)
    body = requests.get(
        f"{sandbox_server.info.control_url}/outbox", params={"kind": "teams_webhook_card"}
    ).json()
    assert [e["kind"] for e in body["entries"]] == ["teams_webhook_card"]
    assert requests.get(f"{sandbox_server.info.control_url}/outbox?kind=comment").json() == {
        "entries": []
    }
