"""Edge cases the published extractors get wrong, each against the sandbox."""

from __future__ import annotations

import copy
from datetime import date
from pathlib import Path
from typing import Any

import requests

from sandbox.server import start_sandbox
from tests.connectors.jira import mutate
from tests.connectors.jira.conftest import jira_settings, new_warehouse, sync
from tests.connectors.jira.tenant_factory import build_tenant, jira_ts


def _worklog(wid: str, issue_id: str, account: str, started: str) -> dict[str, Any]:
    stamp = "2026-11-01T10:00:00.000+0000"
    return {
        "id": wid,
        "issueId": issue_id,
        "author": {"accountId": account},
        "updateAuthor": {"accountId": account},
        "comment": "",
        "created": stamp,
        "updated": stamp,
        "started": started,
        "timeSpent": "1h",
        "timeSpentSeconds": 3600,
    }


def test_work_date_is_the_authors_day_across_time_zones_and_dst(tmp_path: Path) -> None:
    doc = build_tenant(5, 0)
    doc["time_zone"] = "Pacific/Kiritimati"  # the account's zone (UTC+14) is not the authors'
    issue = doc["jira"]["issues"][0]["id"]
    doc["jira"]["worklogs"] = [
        _worklog(
            "1", issue, "acc-ana", "2026-03-10T22:30:00.000-0300"
        ),  # Sao Paulo evening, UTC next day
        _worklog(
            "2", issue, "acc-bo", "2026-03-29T00:30:00.000+0100"
        ),  # Berlin, minutes before DST starts
        _worklog(
            "3", issue, "acc-bo", "2026-03-30T01:30:00.000+0200"
        ),  # Berlin, after DST: UTC day before
        _worklog(
            "4", issue, "acc-kim", "2026-10-25T08:00:00.000+0900"
        ),  # Tokyo morning, UTC day before
    ]
    with start_sandbox(doc) as server:
        warehouse = new_warehouse(tmp_path)
        sync(server, warehouse)
    days = warehouse.read("time_entries").set_index("entry_id")["work_date"].dt.date.to_dict()
    assert days == {
        "jira:worklog:1": date(2026, 3, 10),
        "jira:worklog:2": date(2026, 3, 29),
        "jira:worklog:3": date(2026, 3, 30),
        "jira:worklog:4": date(2026, 10, 25),
    }


def test_many_issues_updated_in_one_minute_across_a_page_boundary(tmp_path: Path) -> None:
    doc = build_tenant(40, 0, same_minute=35)
    settings = jira_settings(page_size=10)
    with start_sandbox(doc) as server:
        warehouse = new_warehouse(tmp_path)
        sync(server, warehouse, settings)
        assert warehouse.count("tasks") == 80
        keys = [i["key"] for i in doc["jira"]["issues"] if i["key"].startswith("ABC")][-30:]
        for key in keys:  # 30 edits in the same minute, milliseconds apart: three pages
            mutate.edit_issue(server.state, key, summary=f"edited {key}")
        sync(server, warehouse, settings)
    titles = warehouse.read("tasks").set_index("key")["title"]
    assert [titles[k] for k in keys] == [f"edited {k}" for k in keys]


def test_a_worklog_updated_within_the_last_minute_is_read_by_the_next_run(tmp_path: Path) -> None:
    with start_sandbox(build_tenant(5, 1)) as server:
        warehouse = new_warehouse(tmp_path)
        sync(server, warehouse)
        session = requests.Session()
        session.auth = (server.info.jira_email, server.info.jira_api_token)
        answer = session.post(
            f"{server.info.jira_url}/rest/api/3/issue/ABC-1/worklog",
            json={"started": "2026-11-26T09:00:00.000+0000", "timeSpentSeconds": 600},
            timeout=10,
        )
        new_id = f"jira:worklog:{answer.json()['id']}"
        sync(server, warehouse)  # worklog/updated hides the last minute: not seen yet
        assert new_id not in warehouse.live_ids("time_entries")
        mutate.advance_clock(server.state, 2)
        sync(server, warehouse)  # the cursor did not move past it
    assert new_id in warehouse.live_ids("time_entries")


def test_a_changelog_longer_than_the_embedded_limit_is_read_in_full(tmp_path: Path) -> None:
    doc = build_tenant(20, 0, long_changelog_every=5)  # every 5th issue has 25 histories (limit 20)
    with start_sandbox(doc) as server:
        warehouse = new_warehouse(tmp_path)
        sync(server, warehouse)
        routes = requests.get(f"{server.info.jira_url}/_sandbox/stats", timeout=10).json()["routes"]
    changes = warehouse.read("status_changes")
    long_issue = doc["jira"]["issues"][0]
    assert len(long_issue["changelog"]) == 25
    assert (changes["task_id"] == f"jira:{long_issue['id']}").sum() == 25
    assert len(changes) == sum(len(i["changelog"]) for i in doc["jira"]["issues"])
    assert (
        sum(routes["POST rest/api/{ver}/changelog/bulkfetch"].values()) == 2
    )  # one per page with long logs


def test_a_renamed_custom_field_is_still_found_by_name(tmp_path: Path) -> None:
    every_run = jira_settings(metadata_refresh_hours=0)  # fields re-read on each run
    with start_sandbox(build_tenant(5, 0)) as server:
        warehouse = new_warehouse(tmp_path)
        sync(server, warehouse, every_run)
        mutate.rename_field(
            server.state, "Story Points", "Story point estimate"
        )  # Jira's newer name
        mutate.edit_issue(server.state, "ABC-2", customfield_10016=13)
        sync(server, warehouse, every_run)
        points = warehouse.read("tasks").set_index("key")["story_points"]
        assert points["ABC-2"] == 13
        mutate.rename_field(server.state, "Story point estimate", "Legacy points")  # not in config
        summaries, _api = sync(server, warehouse, every_run)
    quarantine = warehouse.read_operational("quarantine").set_index(["stream", "record_id"])
    assert "Legacy points" not in str(quarantine.loc[("fields", "story_points"), "reason"])
    assert "jira.fields.story_points" in quarantine.loc[("fields", "story_points"), "reason"]
    assert all(s.ok for s in summaries)


def test_records_missing_a_required_field_are_quarantined_and_the_run_goes_on(
    tmp_path: Path,
) -> None:
    doc = build_tenant(10, 1)
    broken_issue = doc["jira"]["issues"][3]
    broken_issue["fields"]["project"] = {"key": "ABC", "name": "Alpha"}  # no project id
    broken_worklog = doc["jira"]["worklogs"][5]
    del broken_worklog["started"]
    with start_sandbox(copy.deepcopy(doc)) as server:
        warehouse = new_warehouse(tmp_path)
        summaries, _api = sync(server, warehouse)
        quarantine = warehouse.read_operational("quarantine")
        reasons = dict(zip(quarantine["record_id"], quarantine["reason"], strict=True))
        assert reasons[broken_issue["id"]] == "missing required field fields.project.id"
        assert reasons[broken_worklog["id"]] == "missing required field started"
        assert warehouse.count("tasks") == 19 and warehouse.count("time_entries") == 20 - 1 - 1
        assert sum(s.stream("tasks").quarantined for s in summaries) == 1
        assert (
            sum(s.stream("time_entries").quarantined for s in summaries) == 2
        )  # incl. the issue's worklog
        # fixed at the source: the next run maps it and resolves the quarantine entry
        mutate.edit_issue(
            server.state,
            broken_issue["key"],
            project={"id": "10000", "key": "ABC", "name": "Alpha"},
        )
        sync(server, warehouse)
    assert warehouse.count("tasks") == 20
    assert warehouse.count("time_entries") == 20 - 1  # the issue's worklog came back with it
    entries = warehouse.read_operational("quarantine")
    open_entries = entries[
        entries["resolved_at"].isna() & entries["stream"].isin(["tasks", "time_entries"])
    ]
    assert list(open_entries["record_id"]) == [broken_worklog["id"]]


def test_timestamps_in_the_tenant_format_round_trip() -> None:
    # the factory writes Jira's own format (millis, +hhmm), which the mapping reads back
    from datetime import UTC, datetime

    assert (
        jira_ts(datetime(2026, 1, 2, 3, 4, 5, 6000, tzinfo=UTC)) == "2026-01-02T03:04:05.006+0000"
    )
