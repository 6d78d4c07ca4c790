"""Posting an Adaptive Card to a Teams Workflows webhook: the unattended path to a channel.

Workflows URLs carry their own signature (no bearer token), so this is plain httpx with a
timeout on every call and bounded retries: 429/503/504 honour `Retry-After`; a connection
that could not be opened is retried; a connection dropped after sending is retried too
(the flow behind a webhook has no way to ask whether the card arrived, and a card carries
its publication marker, so a rare duplicate can be told apart).
"""

from __future__ import annotations

import asyncio
import random
from typing import Any

import httpx

from connectors.graph.errors import GraphConnectorError

ADAPTIVE_CARD = "application/vnd.microsoft.card.adaptive"
RETRY_STATUSES = {429, 503, 504}
MAX_WAIT_SECONDS = 60.0


class WebhookRejectedError(GraphConnectorError):
    """The webhook answered with an error status: the card was not taken."""


class WebhookUnreachableError(GraphConnectorError):
    """No answer from the webhook after every retry."""


def card_payload(card: dict[str, Any]) -> dict[str, Any]:
    """The body Workflows' "When a Teams webhook request is received" trigger expects."""
    return {"type": "message", "attachments": [{"contentType": ADAPTIVE_CARD, "content": card}]}


def _retry_after(response: httpx.Response, attempt: int) -> float:
    header = response.headers.get("retry-after", "")
    if header.isdigit():
        return min(float(header), MAX_WAIT_SECONDS)
    return min(0.5 * 2**attempt + random.random(), MAX_WAIT_SECONDS)


def _redacted(url: str) -> str:
    """The webhook URL without its query (the signature is a secret)."""
    return url.split("?", 1)[0]


async def post_card(url: str, card: dict[str, Any], *, timeout: float, retries: int) -> int:
    """POST the card; returns the HTTP status. Raises naming the URL without its signature."""
    payload = card_payload(card)
    async with httpx.AsyncClient(timeout=timeout) as client:
        for attempt in range(retries + 1):
            last = attempt == retries
            try:
                response = await client.post(url, json=payload)
            except httpx.TransportError as exc:
                if last:
                    raise WebhookUnreachableError(
                        f"Teams webhook {_redacted(url)}: no answer after {retries + 1} attempts "
                        f"({type(exc).__name__})"
                    ) from None
                await asyncio.sleep(0.2 * 2**attempt)
                continue
            if response.status_code in RETRY_STATUSES and not last:
                await asyncio.sleep(_retry_after(response, attempt))
                continue
            if response.status_code >= 400:
                raise WebhookRejectedError(
                    f"Teams webhook {_redacted(url)} refused the card: {response.status_code} "
                    f"{response.text[:200]}",
                    status=response.status_code,
                )
            return response.status_code
    raise AssertionError("unreachable")  # the loop returns or raises
