"""Metadata without a change cursor is re-read at most every `jira.metadata_refresh_hours`,
on `--full` and when the config it was read for changes; custom fields replaced in Jira
are picked up on the next refresh. Time is moved by ageing the stored watermark."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import requests

from config.settings import JiraFieldNames
from connectors.jira.errors import JiraNotFoundError
from connectors.jira.metadata import HOUR_MS, SOURCE, STREAM
from connectors.store import Warehouse
from sandbox.jira.issues_table import IssueTable
from sandbox.server import SandboxServer, start_sandbox
from tests.connectors.jira import mutate
from tests.connectors.jira.conftest import jira_settings, new_warehouse, sync
from tests.connectors.jira.tenant_factory import build_tenant

METADATA_ROUTES = {
    "GET rest/api/{ver}/serverInfo",
    "GET rest/api/{ver}/field",
    "GET rest/api/{ver}/project/search",
    "GET rest/agile/1.0/board",
    "GET rest/api/{ver}/project/{key}/properties/{prop}",
    "GET rest/api/{ver}/project/{key}/versions",
}


def _tenant(issues_per_project: int, worklogs_per_issue: int) -> dict[str, Any]:
    """A tenant of its own: the factory shares field definitions between tenants, and these
    tests rename fields."""
    return copy.deepcopy(build_tenant(issues_per_project, worklogs_per_issue))


def _routes(server: SandboxServer) -> dict[str, int]:
    stats = requests.get(f"{server.info.jira_url}/_sandbox/stats", timeout=10).json()
    return {route: sum(by_status.values()) for route, by_status in stats["routes"].items()}


def _reset(server: SandboxServer) -> None:
    requests.delete(f"{server.info.jira_url}/_sandbox/stats", timeout=10)


def _age(warehouse: Warehouse, hours: float) -> None:
    """Pretend the stored run metadata was read `hours` earlier than it was."""
    mark = warehouse.get_watermark(SOURCE, STREAM, "*")
    assert mark is not None
    aged = {**mark, "refreshed_ms": int(mark["refreshed_ms"] - hours * HOUR_MS)}
    with warehouse.transaction() as txn:
        txn.set_watermark(SOURCE, STREAM, "*", aged)


@pytest.mark.parametrize(
    ("refresh_hours", "age_hours", "re_read"),
    [
        (24, 0, False),  # just read: nothing re-read
        (24, 23.5, False),  # inside the interval
        (24, 25, True),  # interval elapsed
        (1, 2, True),  # a shorter configured interval elapsed
        (48, 25, False),  # a longer configured interval has not
        (0, 0, True),  # 0 = every run
    ],
)
def test_metadata_is_re_read_only_after_the_interval(
    tmp_path: Path, refresh_hours: float, age_hours: float, re_read: bool
) -> None:
    doc = _tenant(5, 1)
    projects = len(doc["jira"]["projects"])
    settings = jira_settings(metadata_refresh_hours=refresh_hours)
    with start_sandbox(doc) as server:
        warehouse = new_warehouse(tmp_path)
        sync(server, warehouse, settings)
        _age(warehouse, age_hours)
        _reset(server)
        summaries, _api = sync(server, warehouse, settings)
        routes = _routes(server)
    asked = {route: n for route, n in routes.items() if route in METADATA_ROUTES}
    if re_read:
        assert asked == {
            "GET rest/api/{ver}/serverInfo": 1,
            "GET rest/api/{ver}/field": 1,
            "GET rest/api/{ver}/project/search": 1,
            "GET rest/agile/1.0/board": 1,
            "GET rest/api/{ver}/project/{key}/properties/{prop}": projects,
            "GET rest/api/{ver}/project/{key}/versions": projects,
        }
        # a refresh run counts each project (bounds what one total could hide)
        assert routes["POST rest/api/{ver}/search/approximate-count"] == projects
    else:
        assert asked == {}
        assert routes["POST rest/api/{ver}/search/approximate-count"] == 1
    assert all(s.ok for s in summaries)


def test_changed_field_names_in_config_force_a_refresh(tmp_path: Path) -> None:
    with start_sandbox(_tenant(5, 0)) as server:
        warehouse = new_warehouse(tmp_path)
        sync(server, warehouse)
        _reset(server)
        names = JiraFieldNames(story_points=["Story Points", "Estimate"])
        sync(server, warehouse, jira_settings(fields=names))
        assert _routes(server).get("GET rest/api/{ver}/field") == 1


def _replace_story_points(server: SandboxServer) -> None:
    """Jira's migration: the old field renamed away, a new field under the configured name,
    and an issue edited in the new field only."""
    state = server.state
    mutate.rename_field(state, "Story Points", "Legacy points")
    new_field: dict[str, Any] = {
        "id": "customfield_10099",
        "key": "customfield_10099",
        "name": "Story point estimate",
        "custom": True,
        "schema": {"type": "number", "custom": "float"},
    }
    with state.lock:
        state.doc["jira"]["fields"].append(new_field)
    mutate.edit_issue(state, "ABC-2", customfield_10099=21)


def _points(warehouse: Warehouse, key: str) -> Any:
    return warehouse.read("tasks").set_index("key")["story_points"][key]


@pytest.mark.parametrize("how", ["refresh", "full"])  # after the interval / on --full
def test_a_replaced_custom_field_is_picked_up_on_the_next_refresh(tmp_path: Path, how: str) -> None:
    with start_sandbox(_tenant(5, 0)) as server:
        warehouse = new_warehouse(tmp_path)
        sync(server, warehouse)
        _replace_story_points(server)
        sync(server, warehouse)  # inside the interval: the stored field id is still used
        assert _points(warehouse, "ABC-2") != 21
        if how == "refresh":
            _age(warehouse, 25)
            sync(server, warehouse)
        else:
            sync(server, warehouse, full=True)
        assert _points(warehouse, "ABC-2") == 21
        mark = warehouse.get_watermark(SOURCE, STREAM, "*")
        assert mark is not None and mark["field_ids"]["story_points"] == "customfield_10099"


def _remove_project(server: SandboxServer, key: str) -> None:
    state = server.state
    with state.lock:
        jira = state.doc["jira"]
        jira["projects"] = [p for p in jira["projects"] if p["key"] != key]
        jira["issues"] = [i for i in jira["issues"] if not i["key"].startswith(f"{key}-")]
        state.issues = IssueTable(state.doc)


@pytest.mark.parametrize("configured", [False, True])  # all visible / listed in config
def test_a_project_gone_since_the_stored_list_is_handled_and_the_list_re_read(
    tmp_path: Path, configured: bool
) -> None:
    settings = jira_settings(projects=["ABC", "DEF"] if configured else [])
    with start_sandbox(_tenant(5, 0)) as server:
        warehouse = new_warehouse(tmp_path)
        sync(server, warehouse, settings)
        _remove_project(server, "DEF")
        if configured:  # a configured project that is gone is an error naming it
            with pytest.raises(JiraNotFoundError, match="configured project DEF"):
                sync(server, warehouse, settings)
        else:  # left out of this run, as a fresh listing would have done
            summaries, _api = sync(server, warehouse, settings)
            assert all(s.ok for s in summaries)
        _reset(server)
        if configured:  # the stored list was expired: the refresh itself names the project
            with pytest.raises(JiraNotFoundError, match="configured project DEF"):
                sync(server, warehouse, settings)
        else:
            summaries, _api = sync(server, warehouse, settings)
            assert all(s.ok for s in summaries)
        routes = _routes(server)
    assert routes.get("GET rest/api/{ver}/field") == 1  # a refresh run, not the stored list
