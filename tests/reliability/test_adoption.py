"""A fresh warehouse finds what an earlier one published, at the target (issue 12, point 4),
for Jira Cloud and Data Center: the comment's key is in its entity property, not its text."""

from __future__ import annotations

from pathlib import Path

import pytest

from config.settings import JiraSettings, Settings
from connectors.jira.client import build_jira
from connectors.jira.publisher import COMMENT_PROPERTY, JiraPublisher, text_to_adf
from connectors.store import PublicationLedger, Warehouse
from sandbox.server import start_sandbox
from tests.connectors.jira.tenant_factory import build_tenant


def _fresh(tmp_path: Path, name: str) -> PublicationLedger:
    warehouse = Warehouse(f"sqlite:///{tmp_path / name}.db")
    warehouse.migrate()
    return PublicationLedger(warehouse)


@pytest.mark.parametrize("deployment", ["cloud", "datacenter"])
def test_a_fresh_warehouse_adopts_comments_attachments_and_issues(
    tmp_path: Path, deployment: str
) -> None:
    key = "gate:ABC:planning:v1"
    tenant = build_tenant()
    tenant["jira"]["deployment"] = deployment  # Data Center serves v2 and its own search
    with start_sandbox(tenant) as server:
        api = build_jira(Settings(jira=JiraSettings(deployment=deployment)), server.info)
        ids = []
        for name in ("a", "b"):  # warehouse A publishes; B, fresh, must find it all
            publisher = JiraPublisher(api, _fresh(tmp_path, name))
            ids.append(
                (
                    publisher.comment("ABC-1", text_to_adf("Decision: Go"), f"{key}:jira_comment"),
                    publisher.attach("ABC-1", "gate-ABC.html", b"<html/>", f"{key}:attachment"),
                    publisher.create_issue(
                        "ABC",
                        {"summary": "Follow-up", "issuetype": {"name": "Story"}},
                        "followup:ABC:1",
                    ),
                )
            )
        outbox = server.state.outbox_entries()
    assert ids[0] == ids[1], "B recorded the same comment, attachment and issue"
    kinds = [e["kind"] for e in outbox if e["kind"] in {"comment", "attachment", "issue"}]
    assert sorted(kinds) == ["attachment", "comment", "issue"], "nothing was posted twice"
    (comment,) = [e for e in outbox if e["kind"] == "comment"]
    assert "pmo-publication" not in comment["payload"]["body"], "no visible marker"
    assert comment["payload"]["properties"] == {COMMENT_PROPERTY: {"key": f"{key}:jira_comment"}}
