"""Where gate reviews are published (issue 11, point 8), on the real archive tenant: never on
an arbitrary epic; the configured target (a named issue, a JQL query) or nowhere, and the
evaluation JSON and the CLI say which and why."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from flows.runtime import Runtime, open_runtime
from tests.realdata import raw
from tests.realdata.builder import REALDATA_MISSING
from tests.realdata.conftest import realdata_config

pytestmark = [
    pytest.mark.xdist_group("prefect"),
    pytest.mark.slow,
    pytest.mark.skipif(REALDATA_MISSING, reason="no real data at <repo>/../shared/realdata"),
]
JQL = "project = {project} AND issuetype = Epic ORDER BY created DESC"


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Runtime, str]]:
    from flows.nightly_sync import nightly_sync

    config = realdata_config(
        tmp_path_factory.mktemp("archive-publish"),
        "jira-archive",
        projects={"DAEMON": {"jira_target": {"jql": JQL}}},
    )
    with open_runtime(str(config)) as runtime:
        nightly_sync(config_path=str(config), judge=False)
        yield runtime, str(config)


def _jira_posts(runtime: Runtime) -> list[tuple[str, str]]:
    entries = runtime.sandbox_server.state.outbox_entries()
    return [(e["kind"], e["target"]) for e in entries if e["service"] == "jira"]


def test_without_a_target_nothing_goes_to_an_epic_and_the_json_says_why(
    archive: tuple[Runtime, str],
) -> None:
    from flows.gate_review import phase_gate_review

    runtime, _config = archive
    before = _jira_posts(runtime)
    document = phase_gate_review("MOD", phase="execution")
    epics = {
        i["key"] for i in raw.archive_issues("MOD") if i["fields"]["issuetype"]["name"] == "Epic"
    }
    assert epics, "the archive's MOD has epics (the old code posted on the first one)"
    assert _jira_posts(runtime) == before, "nothing is posted to Jira"
    target = document["published"]["jira_target"]
    assert target["how"] == "none" and target["issue"] is None
    assert "projects.MOD.jira_target" in target["reason"]
    assert document["published"]["skipped"]["jira"] == target["reason"]


def test_a_jql_target_gets_the_review_and_the_cli_json_shows_it(
    archive: tuple[Runtime, str],
) -> None:
    from typer.testing import CliRunner

    from flows.cli import app

    runtime, config = archive
    epics = [i for i in raw.archive_issues("DAEMON") if i["fields"]["issuetype"]["name"] == "Epic"]
    newest = max(epics, key=lambda i: i["fields"]["created"])["key"]
    result = CliRunner().invoke(
        app, ["gate", "DAEMON", "--phase", "execution", "--json", "--config", config]
    )
    start = result.stdout.index("{")
    document: dict[str, Any] = json.loads(result.stdout[start:])
    target = document["published"]["jira_target"]
    assert target == {
        "how": "jql",
        "value": JQL.replace("{project}", "DAEMON"),
        "from": "projects.DAEMON.jira_target",
        "issue": newest,
    }
    posted = {kind for kind, key in _jira_posts(runtime) if key == newest}
    assert posted == {"comment", "attachment", "property"}
