"""Posting an Adaptive Card to a Teams Workflows webhook: the unattended path to a channel.

Workflows URLs carry their own signature (no bearer token), so this is plain httpx with a
timeout on every call, under the product's one retry policy (`connectors.resilience`).
A webhook cannot be asked whether a card arrived, and a card is not safe to send twice, so:
- a connection that could not be opened, or a 429, is retried (nothing was delivered);
- a read timeout, a connection dropped after sending, or a 5xx answer may mean the card was
  delivered: `WebhookOutcomeUnknownError` is raised at once, nothing is re-sent, and the
  publisher records the outcome as `unknown` and warns instead of posting again.
"""

from __future__ import annotations

import asyncio
import random
from typing import Any

import httpx

from connectors.graph.errors import GraphConnectorError
from connectors.resilience import Attempts, OutcomeUnknownError, RetryPolicy

ADAPTIVE_CARD = "application/vnd.microsoft.card.adaptive"


class WebhookRejectedError(GraphConnectorError):
    """The webhook answered with an error status (4xx): the card was not taken."""


class WebhookUnreachableError(GraphConnectorError):
    """The webhook could not be reached (or kept throttling) through every retry: nothing
    was delivered, so sending again later is safe."""


class WebhookOutcomeUnknownError(GraphConnectorError, OutcomeUnknownError):
    """The card may have been delivered (no clear answer after it was sent)."""


def card_payload(card: dict[str, Any]) -> dict[str, Any]:
    """The body Workflows' "When a Teams webhook request is received" trigger expects."""
    return {"type": "message", "attachments": [{"contentType": ADAPTIVE_CARD, "content": card}]}


def _redacted(url: str) -> str:
    """The webhook URL without its query (the signature is a secret)."""
    return url.split("?", 1)[0]


async def post_card(
    url: str,
    card: dict[str, Any],
    *,
    timeout: float,
    retries: int,
    max_total_wait: float = 120.0,
    base_delay: float = 0.2,
) -> int:
    """POST the card; returns the HTTP status. Raises naming the URL without its signature."""
    payload = card_payload(card)
    policy = RetryPolicy(max_retries=retries, max_total_wait=max_total_wait, base_delay=base_delay)
    attempts = Attempts(policy, repeatable=False, rng=random.Random())
    where = f"Teams webhook {_redacted(url)}"
    async with httpx.AsyncClient(timeout=timeout) as client:
        while True:
            response: httpx.Response | None = None
            try:
                response = await client.post(url, json=payload)
            except httpx.TransportError as exc:
                verdict = attempts.after_error(exc)
            else:
                verdict = attempts.after_status(
                    response.status_code, response.headers.get("retry-after")
                )
            status = response.status_code if response is not None else None
            if verdict.action == "unknown":
                raise WebhookOutcomeUnknownError(
                    f"{where}: no clear answer after the card was sent ({verdict.reason}); it "
                    "may have been delivered, so it is not sent again",
                    status=status,
                )
            if verdict.action == "give_up" and response is None:
                raise WebhookUnreachableError(
                    f"{where}: no answer after {attempts.retries + 1} attempts ({verdict.reason})"
                )
            if verdict.action in ("return", "give_up") and response is not None:
                if response.status_code >= 400:
                    raise WebhookRejectedError(
                        f"{where} refused the card: {response.status_code} {response.text[:200]}",
                        status=response.status_code,
                    )
                return response.status_code
            await asyncio.sleep(verdict.delay)
