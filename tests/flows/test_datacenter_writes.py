"""Every text the demo sends to Jira Data Center is escaped wiki markup (issue 12 point 7).

The demo runs on a Data Center tenant whose issues carry hostile wiki markup (a phishing
link, a `javascript:` link) in summaries - which reach evaluation findings, lessons and so
follow-up issues - and a gate request whose project label is hostile (answered with a
rejection comment). Every Jira write of the run is scanned: no live link markup survives.
"""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path
from typing import Any

import pytest

from flows.report_context import browse_url
from flows.runtime import open_runtime
from sandbox.fixtures import demo
from tests.flows.conftest import write_config

pytestmark = [pytest.mark.xdist_group("prefect"), pytest.mark.slow]

PHISH = "[click here|http://evil.example/phish]"
SCRIPT = "[link|javascript:alert(1)]"
# a wiki link: an unescaped "[" ... "|" TARGET "]" (escaped ones are "\[", "\|", "\]")
LIVE_LINK = re.compile(r"(?<!\\)\[[^\]\n]*(?<!\\)\|([^\]\n]*)(?<!\\)\]")
# Jira issue fields Data Center renders as wiki markup (the summary is shown as plain text)
RENDERED = ("description", "environment")


def _hostile_tenant() -> dict[str, Any]:
    doc = copy.deepcopy(demo()[0])
    doc["jira"]["deployment"] = "datacenter"
    issues = doc["jira"]["issues"]
    for index, issue in enumerate(issues):
        if issue["key"].startswith("PMO-"):
            continue
        hostile = PHISH if index % 2 else SCRIPT
        issue["fields"]["summary"] = f"{issue['fields']['summary']} {hostile}"
        if issue["key"].startswith("BKP-") and index % 5 == 0:  # explicit lessons -> follow-ups
            issue["fields"]["labels"] = [*issue["fields"]["labels"], "lessons-learned"]
    request = copy.deepcopy(next(i for i in issues if i["key"] == "PMO-3"))
    request.update(id="990001", key="PMO-99")
    request["fields"]["summary"] = f"Gate review please {SCRIPT}"
    request["fields"]["labels"] = ["gate-review", f"project:{PHISH}"]
    request["changelog"] = []
    issues.append(request)
    return doc


def _jira_writes(entries: list[dict[str, Any]]) -> list[str]:
    """The text of every comment body and rendered field the run sent to Jira."""
    texts = []
    for entry in entries:
        payload = entry["payload"]
        if entry["kind"] == "comment":
            texts.append(str(payload.get("raw") or payload.get("body")))
        elif entry["kind"] == "issue":
            fields = (payload.get("fields") or payload) if isinstance(payload, dict) else {}
            texts += [json.dumps(fields.get(name)) for name in RENDERED if fields.get(name)]
    return texts


def test_no_data_center_write_of_the_demo_carries_live_wiki_markup(tmp_path: Path) -> None:
    from flows.closeout import closeout_evaluation
    from flows.nightly_sync import nightly_sync

    tenant = tmp_path / "tenant.json"
    tenant.write_text(json.dumps(_hostile_tenant()), encoding="utf-8")
    config = write_config(
        tmp_path, sandbox={"tenant": str(tenant)}, jira={"deployment": "datacenter"}
    )
    with open_runtime(str(config)) as runtime:
        nightly_sync(config_path=str(config))  # answers PMO-3 and rejects PMO-99
        closeout_evaluation("BKP", config_path=str(config))  # comment + follow-up issues
        entries = runtime.sandbox_server.state.outbox_entries()
    kinds = {e["kind"] for e in entries}
    assert {"comment", "issue"} <= kinds, kinds  # the writes this test is about happened
    rejections = [e for e in entries if e["kind"] == "comment" and e["target"] == "PMO-99"]
    assert len(rejections) == 1
    texts = _jira_writes(entries)
    hostile = [t for t in texts if "evil.example" in t or "javascript" in t]
    assert hostile, "the hostile text reached Data Center writes (escaped), as planned"
    # The only live links are the product's own: evidence issues linked to the configured
    # Jira site's browse page. Any other target came from source text and must stay inert.
    site = browse_url(runtime.settings, runtime.sandbox_info)
    assert site
    own = re.compile(re.escape(site) + r"[A-Z][A-Z0-9]*-\d+")
    foreign = [
        target for t in texts for target in LIVE_LINK.findall(t) if not own.fullmatch(target)
    ]
    assert foreign == []
    assert any(LIVE_LINK.search(t) for t in texts), "follow-ups link their evidence issues"
