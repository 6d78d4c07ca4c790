"""Publishing to the sandbox: every post arrives exactly once, across retries and crashes."""

from __future__ import annotations

import base64
import os
import socket

import pytest

from connectors.graph.errors import GraphConnectorError
from connectors.graph.publisher import UNVERIFIED, GraphPublisher, marker
from connectors.store import PublicationLedger
from sandbox.faults import FaultRule
from tests.connectors.graph.conftest import graph_settings
from tests.connectors.graph.tenant import TOKEN

CARD = {
    "type": "AdaptiveCard",
    "version": "1.4",
    "body": [{"type": "TextBlock", "text": "Gate: Go"}],
}
BIG = os.urandom(4 * 1024 * 1024 + 300_000)  # above the 4 MB single-PUT limit
REPORT = b"<html><body>report</body></html>"


class CrashAfterPost(PublicationLedger):
    """A ledger whose first `mark_done` fails: the post happened, the ledger never heard."""

    def __init__(self, warehouse):
        super().__init__(warehouse)
        self.crashed: set[str] = set()

    def mark_done(self, key, target, external_id, detail=None):
        if key not in self.crashed:
            self.crashed.add(key)
            raise RuntimeError("process killed between the post and the ledger write")
        super().mark_done(key, target, external_id, detail)


def publisher(sandbox, ledger) -> GraphPublisher:
    return GraphPublisher(
        graph_settings().graph,
        ledger,
        base_url=sandbox.info.graph_base_url,
        token=TOKEN,
        attachment_drive="drive1",
    )


def publish_all(pub: GraphPublisher, sandbox) -> list[str]:
    """What a closeout flow publishes to Microsoft 365, in order; stops at the first failure."""
    return [
        pub.post_card_webhook(sandbox.info.webhook_url, CARD, "closeout:ABC:v1:teams_card"),
        pub.upload_file("drive1", "PMO Reports/ABC/closeout.bin", BIG, "closeout:ABC:v1:file"),
        pub.send_mail(
            "carl@example.com",
            ["pmo@example.com"],
            "Closeout ABC",
            "<p>done</p>",
            [("closeout.html", REPORT)],
            "closeout:ABC:v1:mail",
        ),
        pub.create_planner_task(
            "plan-small", "Follow-up: write the runbook", "closeout:ABC:v1:followup:1"
        ),
    ]


def counts(sandbox) -> dict[str, int]:
    entries = sandbox.state.outbox_entries()
    kinds = ("teams_webhook_card", "drive_file", "mail", "planner_task", "channel_message")
    return {kind: sum(1 for e in entries if e["kind"] == kind) for kind in kinds}


ONCE = {
    "teams_webhook_card": 1,
    "drive_file": 1,
    "mail": 1,
    "planner_task": 1,
    "channel_message": 0,
}


def test_each_publication_arrives_once_and_a_rerun_posts_nothing(sandbox, warehouse):
    pub = publisher(sandbox, PublicationLedger(warehouse))
    first = publish_all(pub, sandbox)
    assert counts(sandbox) == ONCE
    assert publish_all(pub, sandbox) == first
    assert counts(sandbox) == ONCE
    entries = {e["kind"]: e["payload"] for e in sandbox.state.outbox_entries()}
    assert entries["drive_file"]["size"] == len(BIG)  # chunked upload reassembled
    mail = entries["mail"]
    assert base64.b64decode(mail["attachments"][0]["contentBytes"]) == REPORT
    assert {"name": "X-PMO-Publication", "value": marker("closeout:ABC:v1:mail")} in mail[
        "internetMessageHeaders"
    ]
    assert marker("closeout:ABC:v1:followup:1") in entries["planner_task"]["title"]
    card_text = str(entries["teams_webhook_card"]["cards"][0])
    assert marker("closeout:ABC:v1:teams_card") in card_text


def test_a_failure_in_the_middle_then_a_retry_completes_without_duplicates(sandbox, warehouse):
    pub = publisher(sandbox, PublicationLedger(warehouse))
    # the upload session can't be opened (500s beyond the retries): the run stops after the card
    sandbox.app.faults.set_rules([FaultRule(route="*/createUploadSession", kind="500", limit=1)])
    with pytest.raises(GraphConnectorError, match="upload session"):
        publish_all(pub, sandbox)
    assert counts(sandbox)["teams_webhook_card"] == 1 and counts(sandbox)["mail"] == 0
    sandbox.app.faults.set_rules([])
    publish_all(pub, sandbox)
    assert counts(sandbox) == ONCE


def test_a_crash_between_post_and_ledger_write_is_detected_at_the_target(sandbox, warehouse):
    crashing = CrashAfterPost(warehouse)
    pub = publisher(sandbox, crashing)
    for step in range(4):  # each post crashes once before its ledger write
        with pytest.raises(RuntimeError, match="process killed"):
            publish_all(pub, sandbox)
        assert len(crashing.crashed) == step + 1
    ids = publish_all(pub, sandbox)
    assert counts(sandbox) == ONCE  # found at the target, not posted again
    assert ids[0] == UNVERIFIED  # a webhook can't be asked: the pending card is taken as sent
    ledger = PublicationLedger(warehouse)
    assert {ledger.get(k).status for k in ledger.done_keys("closeout:")} == {"done"}
    assert len(ledger.done_keys("closeout:")) == 4


def test_large_mail_attachment_is_uploaded_and_linked(sandbox, warehouse):
    pub = publisher(sandbox, CrashAfterPost(warehouse))
    with pytest.raises(RuntimeError):  # sent, then the ledger write failed: a retry must not
        pub.send_mail(  # upload the attachment again nor send the mail twice
            "carl@example.com",
            ["pmo@example.com"],
            "Big",
            "<p>see link</p>",
            [("big <report>.bin", BIG)],
            "status:ABC:mail",
        )
    pub.send_mail(
        "carl@example.com",
        ["pmo@example.com"],
        "Big",
        "<p>see link</p>",
        [("big <report>.bin", BIG)],
        "status:ABC:mail",
    )
    assert len(sandbox.state.outbox_entries("mail")) == 1
    assert len(sandbox.state.outbox_entries("drive_file")) == 1
    mail = sandbox.state.outbox_entries("mail")[0]["payload"]
    assert not mail["attachments"]
    assert "big &lt;report&gt;.bin</a>" in mail["body"]["content"]  # name escaped in HTML
    # the upload's reply had no webUrl (as documented): the link is the item's webUrl, which
    # a person can open, not the API's `/content` URL, which needs a bearer token
    library = "https://contoso.sharepoint.com/sites/PMO/Shared%20Documents/"
    assert f'href="{library}' in mail["body"]["content"]
    assert "/content" not in mail["body"]["content"]
    assert sandbox.state.outbox_entries("drive_file")[0]["payload"]["size"] == len(BIG)


def test_channel_message_through_graph_once_even_after_a_crash(sandbox, warehouse):
    pub = publisher(sandbox, CrashAfterPost(warehouse))
    with pytest.raises(RuntimeError):
        pub.post_channel_message("team1", "19:pmo@thread.tacv2", CARD, "alert:ABC:1")
    message_id = pub.post_channel_message("team1", "19:pmo@thread.tacv2", CARD, "alert:ABC:1")
    assert counts(sandbox)["channel_message"] == 1 and message_id


def test_channel_post_without_delegated_token_says_what_to_configure(warehouse):
    pub = GraphPublisher(
        graph_settings(base_url="https://graph.example.test/v1.0").graph,
        PublicationLedger(warehouse),
    )
    with pytest.raises(GraphConnectorError, match=r"ChannelMessage\.Send.*teams_webhook"):
        pub.post_channel_message("team1", "19:pmo@thread.tacv2", CARD, "alert:ABC:2")


def test_webhook_needs_no_graph_credentials_and_survives_an_unreachable_first_try(
    sandbox, warehouse
):
    # a real-tenant config with no app registration: only the webhook is configured
    pub = GraphPublisher(
        graph_settings(base_url="https://graph.example.test/v1.0", max_retries=1).graph,
        PublicationLedger(warehouse),
    )
    # nothing listens there: the connection is refused, so the card never left
    closed = socket.socket()
    closed.bind(("127.0.0.1", 0))
    port = closed.getsockname()[1]
    closed.close()
    unreachable = f"http://127.0.0.1:{port}/webhooks/teams/pmo?sig=secret-sig"
    with pytest.raises(GraphConnectorError, match="no answer after 2 attempts"):
        pub.post_card_webhook(unreachable, CARD, "alert:ABC:3")
    assert "sig=" not in str(
        PublicationLedger(warehouse).get("alert:ABC:3").detail
    )  # no secret kept
    pub.post_card_webhook(
        sandbox.info.webhook_url, CARD, "alert:ABC:3"
    )  # recorded failed: sent again
    pub.post_card_webhook(sandbox.info.webhook_url, CARD, "alert:ABC:3")  # done: skipped
    assert counts(sandbox)["teams_webhook_card"] == 1
