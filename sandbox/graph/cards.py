"""Checks on Adaptive Cards, shared by channel messages and the Workflows webhook."""

from __future__ import annotations

import json
from typing import Any

from sandbox.graph.errors import bad_request

ADAPTIVE_CARD = "application/vnd.microsoft.card.adaptive"
MAX_CARD_BYTES = 28 * 1024  # Teams rejects messages (card included) above ~28 KB


def check_card(card: Any, where: str) -> dict[str, Any]:
    """An Adaptive Card object: `type` AdaptiveCard, a `version`, `body` elements with a `type`."""
    if not isinstance(card, dict):
        raise bad_request(f"{where}: the Adaptive Card must be a JSON object.")
    if card.get("type") != "AdaptiveCard":
        raise bad_request(f"{where}: 'type' must be 'AdaptiveCard', got {card.get('type')!r}.")
    if not isinstance(card.get("version"), str):
        raise bad_request(f"{where}: 'version' (a string such as '1.4') is required.")
    body = card.get("body", [])
    if not isinstance(body, list):
        raise bad_request(f"{where}: 'body' must be an array of elements.")
    for index, element in enumerate(body):
        if not isinstance(element, dict) or not isinstance(element.get("type"), str):
            raise bad_request(f"{where}: body[{index}] must be an object with a 'type'.")
    if len(json.dumps(card).encode()) > MAX_CARD_BYTES:
        raise bad_request(f"{where}: the card is larger than {MAX_CARD_BYTES} bytes.")
    return card


def card_from_string(content: Any, where: str) -> dict[str, Any]:
    """A chatMessage attachment carries the card as a JSON *string* (API-FACTS §3.4)."""
    if not isinstance(content, str):
        raise bad_request(f"{where}: an Adaptive Card attachment's content must be a JSON string.")
    try:
        card = json.loads(content)
    except json.JSONDecodeError as exc:
        raise bad_request(f"{where}: the attachment content is not valid JSON: {exc}") from exc
    return check_card(card, where)
