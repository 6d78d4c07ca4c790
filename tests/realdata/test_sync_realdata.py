"""The Jira sync on tenants built from real data: what lands in the warehouse matches
figures computed here from the raw files (never from our own output)."""

from __future__ import annotations

import math
from collections import Counter

import pytest

from tests.realdata import raw
from tests.realdata.builder import REALDATA_MISSING
from tests.realdata.conftest import Synced

pytestmark = pytest.mark.skipif(
    REALDATA_MISSING, reason="no real data at <repo>/../shared/realdata"
)

CATEGORY = {"new": "todo", "indeterminate": "in_progress", "done": "done"}


def test_archive_sync_loads_every_issue_with_its_status_category(
    jira_archive_synced: Synced,
) -> None:
    assert all(s.ok for s in jira_archive_synced.summaries)
    issues = list(raw.archive_issues())
    tasks = jira_archive_synced.warehouse.read("tasks").set_index("task_id")
    assert len(tasks) == len(issues)
    projects = {v: k for k, v in raw.archive_project_ids().items()}
    by_project = Counter(projects[i["fields"]["project"]["id"]] for i in issues)
    stored = jira_archive_synced.warehouse.read("projects").set_index("project_id")["key"]
    assert Counter(tasks["project_id"].map(stored)) == by_project
    expected = Counter(CATEGORY[i["fields"]["status"]["statusCategory"]["key"]] for i in issues)
    assert Counter(tasks["status_category"]) == expected
    for issue in issues:
        row = tasks.loc[f"jira:{issue['id']}"]
        assert (row["key"], row["status"]) == (issue["key"], issue["fields"]["status"]["name"])


def test_archive_sync_keeps_every_issue_link(jira_archive_synced: Synced) -> None:
    links = {
        link["id"]: link["type"]["name"]
        for issue in raw.archive_issues()
        for link in issue["fields"]["issuelinks"]
    }
    deps = jira_archive_synced.warehouse.read("dependencies").set_index("dependency_id")
    assert dict(deps["link_type"]) == {f"jira:link:{k}": v for k, v in links.items()}


def test_cesaw_sync_loads_tasks_estimates_and_time_logs(cesaw_synced: Synced) -> None:
    assert all(s.ok for s in cesaw_synced.summaries)
    tasks_raw = raw.cesaw_rows("task_fact.csv")
    logs_raw = raw.cesaw_rows("time_fact.csv")
    warehouse = cesaw_synced.warehouse
    tasks = warehouse.read("tasks")
    keys = warehouse.read("projects").set_index("project_id")["key"]
    tasks["project"] = tasks["project_id"].map(keys).str.removeprefix("CESAW")
    assert Counter(tasks["project"]) == Counter(r["project_key"] for r in tasks_raw)
    done_raw = Counter(
        r["project_key"] for r in tasks_raw if r["task_actual_complete_date"] != "\\N"
    )
    assert Counter(tasks.loc[tasks["status_category"] == "done", "project"]) == done_raw
    for project in ("612", "95"):
        planned = sum(
            float(r["task_plan_time_minutes"]) for r in tasks_raw if r["project_key"] == project
        )
        estimate = tasks.loc[tasks["project"] == project, "estimate_hours"].sum()
        assert math.isclose(estimate, planned / 60, rel_tol=1e-4), project
    # Jira holds no zero-length worklogs: every time log with minutes, nothing else
    logged = [r for r in logs_raw if int(r["time_log_delta_minutes"]) > 0]
    entries = warehouse.read("time_entries")
    assert len(entries) == len(logged)
    entries["project"] = entries["project_id"].map(keys).str.removeprefix("CESAW")
    for project in ("612", "95"):
        minutes = sum(
            int(r["time_log_delta_minutes"]) for r in logged if r["project_key"] == project
        )
        hours = entries.loc[entries["project"] == project, "hours"].sum()
        assert math.isclose(hours, minutes / 60, rel_tol=1e-6), project
    assert set(entries["entry_id"]) == {f"jira:worklog:{r['time_log_fact_key']}" for r in logged}
