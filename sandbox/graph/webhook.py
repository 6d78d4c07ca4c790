"""A Teams Workflows ("When a Teams webhook request is received") endpoint for Adaptive Cards.

Real Workflows URLs carry their own signature, so there is no bearer token; the body is
`{"type": "message", "attachments": [{"contentType": <adaptive>, "content": {card}}]}`.
"""

from __future__ import annotations

import copy
import json
from typing import Any

from sandbox.graph.cards import ADAPTIVE_CARD, check_card
from sandbox.graph.clock import graph_time
from sandbox.graph.errors import GraphError, bad_request, error_body
from sandbox.graph.http import GraphResponse, empty, json_response
from sandbox.graph.state import GraphState


def parse_payload(raw: bytes) -> list[dict[str, Any]]:
    """The cards of a webhook payload, or 400 saying what is wrong with it."""
    try:
        payload = json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise bad_request(f"webhook: the body is not valid JSON: {exc}") from exc
    if not isinstance(payload, dict) or payload.get("type") != "message":
        raise bad_request('webhook: the payload must be an object with "type": "message".')
    attachments = payload.get("attachments")
    if not isinstance(attachments, list) or not attachments:
        raise bad_request("webhook: 'attachments' must be a non-empty array.")
    cards = []
    for index, attachment in enumerate(attachments):
        where = f"webhook: attachments[{index}]"
        if not isinstance(attachment, dict) or attachment.get("contentType") != ADAPTIVE_CARD:
            raise bad_request(f"{where}: contentType must be '{ADAPTIVE_CARD}'.")
        cards.append(check_card(attachment.get("content"), where))
    return cards


def post_card(graph: GraphState, hook: str, raw: bytes) -> GraphResponse:
    cards = parse_payload(raw)
    post = {"receivedDateTime": graph_time(graph.now()), "cards": copy.deepcopy(cards)}
    graph.webhook_posts.setdefault(hook, []).append(post)
    graph.publish("teams_webhook_card", f"webhooks/teams/{hook}", post)
    return empty(202)


def read_cards(graph: GraphState, hook: str) -> GraphResponse:
    return json_response({"value": graph.webhook_posts.get(hook, [])})


def serve(graph: GraphState, hook: str, method: str, raw: bytes) -> GraphResponse:
    """GET lists the cards a webhook received, POST takes one; errors in Graph's shape."""
    with graph.lock:
        try:
            return read_cards(graph, hook) if method == "GET" else post_card(graph, hook, raw)
        except GraphError as exc:
            return GraphResponse(exc.status, error_body(exc.code, exc.message), None, exc.headers)
