"""A slow Teams webhook: the card is delivered once, its outcome is `unknown`, never re-sent.

The sandbox takes the card and holds its reply back past the client's timeout (fault
`slow_reply`), as a slow Workflows flow does. The old client retried every transport error
and sent the same card again and again (12 cards in one run), then once more on the next
run because "no answer" was recorded as "nothing made".
"""

from __future__ import annotations

import logging

import pytest

from connectors.graph.publisher import GraphPublisher, PublicationUnknownError
from connectors.resilience import UNKNOWN, OutcomeUnknownError
from connectors.store import PublicationLedger
from sandbox.faults import FaultRule
from tests.connectors.graph.conftest import graph_settings, sandbox, tenant, warehouse

__all__ = ["sandbox", "tenant", "warehouse"]  # the Graph connector's fixtures, reused

CARD = {"type": "AdaptiveCard", "version": "1.4", "body": [{"type": "TextBlock", "text": "Go"}]}
KEY = "gate:NET:v1:teams_card"


def _publisher(warehouse) -> GraphPublisher:
    # many retries allowed, a short timeout: the old client sent max_retries + 1 cards here
    settings = graph_settings(
        base_url="https://graph.example.test/v1.0", max_retries=10, timeout_seconds=0.3
    )
    return GraphPublisher(settings.graph, PublicationLedger(warehouse))


def _cards(sandbox) -> int:
    return len(sandbox.state.outbox_entries("teams_webhook_card"))


def test_a_slow_webhook_gets_the_card_once_and_the_next_run_does_not_resend(
    sandbox, warehouse, caplog
):
    sandbox.app.faults.set_rules(
        [FaultRule(route="/webhooks/*", method="POST", kind="slow_reply", latency_ms=1500)]
    )
    caplog.set_level(logging.WARNING)
    with pytest.raises(PublicationUnknownError) as info:
        _publisher(warehouse).post_card_webhook(sandbox.info.webhook_url, CARD, KEY)
    assert isinstance(info.value, OutcomeUnknownError) and info.value.outcome == UNKNOWN
    assert _cards(sandbox) == 1  # delivered once, never repeated
    assert sandbox.app.stats.snapshot()["faults"] == {"slow_reply": 1}  # the fault happened
    row = PublicationLedger(warehouse).get(KEY)
    assert row is not None and row.status == UNKNOWN
    assert "sig=" not in str(row.detail) and "sig=" not in str(info.value)  # no secret kept
    assert any("may or may not have arrived" in r.getMessage() for r in caplog.records)

    # the next run: the webhook is quick again, but the card is not sent a second time
    sandbox.app.faults.set_rules([])
    caplog.clear()
    with pytest.raises(PublicationUnknownError):
        _publisher(warehouse).post_card_webhook(sandbox.info.webhook_url, CARD, KEY)
    assert _cards(sandbox) == 1
    assert PublicationLedger(warehouse).get(KEY).status == UNKNOWN
    assert any("may or may not have arrived" in r.getMessage() for r in caplog.records)


@pytest.mark.parametrize("kind", ["drop", "500"])
def test_a_webhook_answer_lost_after_sending_or_a_5xx_is_not_repeated(sandbox, warehouse, kind):
    """A dropped connection after sending, or a 5xx, may mean the card was taken."""
    sandbox.app.faults.set_rules([FaultRule(route="/webhooks/*", method="POST", kind=kind)])
    with pytest.raises(PublicationUnknownError):
        _publisher(warehouse).post_card_webhook(sandbox.info.webhook_url, CARD, KEY)
    assert sandbox.app.stats.snapshot()["faults"] == {kind: 1}  # one attempt, no retry


def test_a_throttled_webhook_is_retried_and_delivers_once(sandbox, warehouse):
    """A 429 means the card was not taken: retrying it is safe."""
    sandbox.app.faults.set_rules(
        [FaultRule(route="/webhooks/*", method="POST", kind="429", retry_after=0, limit=2)]
    )
    _publisher(warehouse).post_card_webhook(sandbox.info.webhook_url, CARD, KEY)
    assert _cards(sandbox) == 1
    assert PublicationLedger(warehouse).get(KEY).status == "done"
