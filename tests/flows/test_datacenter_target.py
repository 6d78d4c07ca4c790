"""A JQL publishing target on Jira Data Center: it is searched with Data Center's offset
`search` (Data Center has no `search/jql`), and the review goes to the issue it finds."""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator

import pytest

from flows.runtime import Runtime, open_runtime
from sandbox.fixtures import demo
from tests.flows.conftest import write_config

pytestmark = [pytest.mark.xdist_group("prefect"), pytest.mark.slow]

JQL = "project = {project} AND issuetype = Epic ORDER BY key DESC"


@pytest.fixture(scope="module")
def datacenter(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Runtime, str]]:
    from flows.nightly_sync import nightly_sync

    tmp_path = tmp_path_factory.mktemp("dc-target")
    doc = copy.deepcopy(demo()[0])
    doc["jira"]["deployment"] = "datacenter"
    tenant = tmp_path / "tenant.json"
    tenant.write_text(json.dumps(doc), encoding="utf-8")
    config = write_config(
        tmp_path,
        sandbox={"tenant": str(tenant)},
        jira={"deployment": "datacenter"},
        projects={"ERP": {"jira_target": {"jql": JQL}}},
    )
    with open_runtime(str(config)) as runtime:
        nightly_sync(config_path=str(config), judge=False)
        yield runtime, str(config)


def test_a_jql_target_is_found_on_data_center(datacenter: tuple[Runtime, str]) -> None:
    from flows.gate_review import phase_gate_review

    runtime, config = datacenter
    stats = runtime.sandbox_server.app.stats
    stats.reset()
    document = phase_gate_review("ERP", config_path=config)
    target = document["published"]["jira_target"]
    assert target["how"] == "jql" and target["issue"] == "ERP-5", target
    routes = stats.snapshot()["routes"]
    assert not [r for r in routes if "search/jql" in r]  # Data Center has no search/jql
    assert sum(routes["POST rest/api/{ver}/search"].values()) >= 1
    posted = {
        e["kind"] for e in runtime.sandbox_server.state.outbox_entries() if e["target"] == "ERP-5"
    }
    assert {"comment", "attachment"} <= posted
