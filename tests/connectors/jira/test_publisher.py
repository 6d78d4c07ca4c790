"""Publishing to Jira is idempotent through the ledger, even across a crash between the
post and the ledger write (the post is found at the target by its embedded key)."""

from __future__ import annotations

from typing import Any

import pytest
import requests

from connectors.jira.client import build_jira
from connectors.jira.publisher import COMMENT_PROPERTY, JiraPublisher, text_to_adf
from connectors.jira.reader import JiraReader
from connectors.store import PublicationLedger, Warehouse
from sandbox.server import SandboxServer
from tests.connectors.jira.conftest import jira_settings


class CrashAfterPost(PublicationLedger):
    """A ledger whose first `mark_done` dies, as if the process was killed right after posting."""

    def __init__(self, warehouse: Warehouse) -> None:
        super().__init__(warehouse)
        self.crashes = 1

    def mark_done(self, *args: Any, **kwargs: Any) -> None:
        if self.crashes:
            self.crashes -= 1
            raise SystemExit("killed between post and ledger write")
        super().mark_done(*args, **kwargs)


def _outbox(server: SandboxServer, kind: str) -> list[dict[str, Any]]:
    return requests.get(
        f"{server.info.jira_url}/_sandbox/outbox", params={"kind": kind}, timeout=10
    ).json()["entries"]


def _publisher(
    server: SandboxServer, ledger: PublicationLedger, deployment: str = "cloud"
) -> JiraPublisher:
    return JiraPublisher(build_jira(jira_settings(deployment=deployment), server.info), ledger)


ADF = text_to_adf("Gate review: Go with conditions <b>not html</b>")


@pytest.mark.parametrize("crash", [False, True], ids=["rerun", "crash-between-post-and-ledger"])
def test_a_comment_is_posted_once(server: SandboxServer, warehouse: Warehouse, crash: bool) -> None:
    ledger = CrashAfterPost(warehouse) if crash else PublicationLedger(warehouse)
    if crash:
        with pytest.raises(SystemExit):
            _publisher(server, ledger).comment("ABC-1", ADF, "gate:ABC:planning:v1:jira_comment")
        assert ledger.get("gate:ABC:planning:v1:jira_comment").status == "pending"
    first = _publisher(server, ledger).comment("ABC-1", ADF, "gate:ABC:planning:v1:jira_comment")
    again = _publisher(server, ledger).comment("ABC-1", ADF, "gate:ABC:planning:v1:jira_comment")
    comments = _outbox(server, "comment")
    assert len(comments) == 1 and first == again
    # the key travels in the comment's entity property, never as visible text
    assert comments[0]["payload"]["properties"] == {
        COMMENT_PROPERTY: {"key": "gate:ABC:planning:v1:jira_comment"}
    }
    assert "pmo-publication" not in comments[0]["payload"]["body"]
    assert ledger.get("gate:ABC:planning:v1:jira_comment").status == "done"


def test_v2_comments_are_wiki_text_with_untrusted_text_escaped(
    server: SandboxServer, warehouse: Warehouse
) -> None:
    # the publisher escapes: callers hand it plain text (or ADF), never markup
    body = "Risk [owner|http://evil] *bold* {code}"
    _publisher(server, PublicationLedger(warehouse), "datacenter").comment(
        "ABC-2", body, "status:ABC:w48"
    )
    (comment,) = _outbox(server, "comment")
    assert comment["payload"]["raw"].startswith(
        "Risk \\[owner\\|http://evil\\] \\*bold\\* \\{code\\}"
    )


def test_attachment_property_and_issue_are_each_published_once(
    server: SandboxServer, warehouse: Warehouse
) -> None:
    ledger = CrashAfterPost(warehouse)
    with pytest.raises(SystemExit):
        _publisher(server, ledger).attach(
            "ABC-1", "gate.html", b"<html>report</html>", "gate:ABC:v1:html"
        )
    publisher = _publisher(server, ledger)
    for _ in range(2):
        publisher.attach("ABC-1", "gate.html", b"<html>report</html>", "gate:ABC:v1:html")
        publisher.set_property(
            "ABC-1", "pmo-evaluation", {"decision": "Go"}, "gate:ABC:v1:property"
        )
    ledger.crashes = 1
    with pytest.raises(SystemExit):
        publisher.create_issue(
            "ABC",
            {"summary": "Follow up: <lesson>", "issuetype": {"name": "Story"}},
            "closeout:ABC:lesson-1",
        )
    created = publisher.create_issue(
        "ABC",
        {"summary": "Follow up: <lesson>", "issuetype": {"name": "Story"}},
        "closeout:ABC:lesson-1",
    )
    assert len(_outbox(server, "attachment")) == 1
    assert len(_outbox(server, "issue")) == 1 and created.startswith("ABC-")
    assert len(_outbox(server, "property")) == 1  # the second PUT was skipped by the ledger


def test_a_dropped_connection_on_post_is_checked_before_posting_again(
    server: SandboxServer, warehouse: Warehouse
) -> None:
    requests.put(
        f"{server.info.jira_url}/_sandbox/faults",
        timeout=10,
        json={
            "rules": [
                {
                    "route": "/rest/api/3/issue/ABC-3/comment",
                    "method": "POST",
                    "kind": "drop_mid",
                    "limit": 1,
                }
            ]
        },
    )
    _publisher(server, PublicationLedger(warehouse)).comment("ABC-3", ADF, "alert:ABC-3:1")
    assert len(_outbox(server, "comment")) == 1
    assert server.app.stats.snapshot()["faults"] == {"drop_mid": 1}  # the drop really happened


def _set_faults(server: SandboxServer, *rules: dict[str, Any]) -> None:
    response = requests.put(
        f"{server.info.jira_url}/_sandbox/faults", timeout=10, json={"rules": list(rules)}
    )
    response.raise_for_status()


def test_the_clients_own_methods_are_retried_by_the_one_policy(
    server: SandboxServer, warehouse: Warehouse
) -> None:
    """`add_attachment`, `project_versions` and `create_issue` are the `jira` client's
    methods; their requests go through our policy (the client's own retry loop is off): a
    throttled upload is sent again with the same bytes, a 503 read is retried, a 503 create
    is not repeated blindly but looked for first. Each attempt is one request at the server."""
    _set_faults(
        server,
        {"route": "/rest/api/3/issue/ABC-1/attachments", "method": "POST", "kind": "429",
         "limit": 1, "retry_after": 0},
        {"route": "/rest/api/3/project/ABC/versions", "kind": "503", "limit": 2, "retry_after": 0},
        {"route": "/rest/api/3/issue", "method": "POST", "kind": "503", "limit": 1,
         "retry_after": 0},
    )  # fmt: skip
    api = build_jira(jira_settings(max_retries=3), server.info)
    publisher = JiraPublisher(api, PublicationLedger(warehouse))
    data = b"<html>report</html>" * 500
    attachment_id = publisher.attach("ABC-1", "gate.html", data, "gate:ABC:v1:html")
    assert JiraReader(api).versions("ABC")
    created = publisher.create_issue(
        "ABC", {"summary": "Follow up", "issuetype": {"name": "Story"}}, "closeout:ABC:l-1"
    )
    routes = server.app.stats.snapshot()["routes"]
    assert routes["POST rest/api/{ver}/issue/{key}/attachments"] == {"429": 1, "200": 1}
    assert server.state.attachment_bytes[attachment_id] == data  # the retry sent every byte
    assert routes["GET rest/api/{ver}/project/{key}/versions"] == {"503": 2, "200": 1}
    # the create that got a 503 was looked for (a search) before it was sent again
    assert routes["POST rest/api/{ver}/issue"] == {"503": 1, "201": 1}
    assert sum(routes["POST rest/api/{ver}/search/jql"].values()) == 2
    assert [e["target"] for e in _outbox(server, "issue")] == [created]
    assert api.stats.retries == 3  # the policy's own retries: upload once, versions twice
