"""`sync_graph` against the sandbox with the real msgraph-sdk: counts, values, delta, census."""

from __future__ import annotations

import pytest

from connectors.graph.sync import sync_graph
from tests.connectors.graph.tenant import BIG_PLAN_TASKS, LIST_ITEMS, SITE, TIME_CARDS, TOKEN


def run(settings, warehouse, sandbox, **kw):
    return {
        s.source: s
        for s in sync_graph(
            settings, warehouse, graph_url=sandbox.info.graph_base_url, token=TOKEN, **kw
        )
    }


def test_full_sync_loads_everything_the_tenant_holds(settings, warehouse, sandbox, tenant):
    summaries = run(settings, warehouse, sandbox)
    routes = sandbox.app.stats.snapshot()["routes"]
    # the big plan's 130 tasks came in two pages (100 + 30) through @odata.nextLink
    assert routes["GET /v1.0/planner/plans/{plan}/tasks"] == {"200": 3}
    assert all(s.ok for s in summaries.values()), [s.errors for s in summaries.values()]
    tasks = warehouse.read("tasks").set_index("task_id")
    assert len(tasks) == len(tenant["graph"]["tasks"]) == BIG_PLAN_TASKS + 5
    entries = warehouse.read("time_entries").set_index("entry_id")
    cards = entries[entries["kind"] == "timecard"]
    sheets = entries[entries["kind"] == "timesheet"]
    assert len(cards) == len(TIME_CARDS) and len(sheets) == len(LIST_ITEMS)
    # sampled values against the tenant document
    t = tasks.loc["planner:plan-big-t004"]
    assert (t["project_id"], t["status_category"], t["milestone_id"]) == (
        "planner:plan-big",
        "in_progress",
        "planner:bucket:b-plan",
    )
    assert t["assignee_id"] == "ana.lima@example.com" and str(t["due_date"].date()) == "2026-12-05"
    assert t["percent_complete"] == 50 and t["priority"] == "Important"
    assert pd_isna(tasks.loc["planner:plan-small-t099", "due_date"])  # kept without due date
    assert summaries["planner"].streams["tasks"].flagged == 1
    cards_counts = summaries["shifts"].streams["time_cards"]
    assert (cards_counts.fetched, cards_counts.inserted, cards_counts.quarantined) == (6, 6, 1)
    assert cards_counts.flagged == 3  # reversed, still clocked in, unconfirmed
    assert cards.loc["shifts:TCK_break", "hours"] == pytest.approx(8.0)
    assert str(cards.loc["shifts:TCK_night", "work_date"].date()) == "2026-11-20"
    assert cards.loc["shifts:TCK_open", "flags"] == ["clocked_in"]
    assert sheets.loc["sharepoint:list-ts:1", "person_id"] == "ana.lima@example.com"
    assert sheets.loc["sharepoint:list-ts:3", "hours"] == 14
    milestones = warehouse.read("milestones").set_index("milestone_id")
    assert milestones.loc["planner:bucket:b-plan", "phase"] == "planning"
    assert milestones.loc["planner:bucket:b-exec", "phase"] == "execution"
    quarantine = warehouse.read_operational("quarantine")
    assert list(quarantine["record_id"]) == ["TCK_reversed"]
    assert "before it clocks in" in quarantine["reason"].iloc[0]


def pd_isna(value) -> bool:
    import pandas as pd

    return bool(pd.isna(value))


def test_second_run_reads_no_list_items_and_changes_nothing(settings, warehouse, sandbox):
    calls = []
    run(settings, warehouse, sandbox, progress=lambda *call: calls.append(call))
    assert ("shifts", "time_cards", 6) in calls and (
        "sharepoint",
        "timesheets",
        len(LIST_ITEMS),
    ) in calls
    before = {k: v.drop(columns=["synced_at"]) for k, v in warehouse.read_all().items()}
    again = run(settings, warehouse, sandbox)
    for summary in again.values():
        for stream in summary.streams.values():
            assert stream.inserted == stream.updated == stream.deleted == 0
    assert again["sharepoint"].streams["timesheets"].fetched == 0  # delta: nothing re-read
    after = {k: v.drop(columns=["synced_at"]) for k, v in warehouse.read_all().items()}
    for name, frame in before.items():
        assert frame.equals(after[name]), name


def delete_task(graph, task_id: str) -> None:
    """The sandbox has no delete for tasks; remove it from the store and its per-plan index."""
    task = graph.tasks.pop(task_id)
    for tasks in getattr(graph, "tasks_by_plan", {}).values():
        if task in tasks:
            tasks.remove(task)


def test_edits_and_deletions_show_up_after_the_next_run(settings, warehouse, sandbox):
    run(settings, warehouse, sandbox)
    graph = sandbox.state.graph
    graph.edit_list_item(SITE, "Timesheets", "2", {"Hours": 3})
    graph.delete_list_item(SITE, "Timesheets", "3")
    graph.edit_task(
        "plan-big-t001", {"percentComplete": 100, "completedDateTime": "2026-11-26T10:00:00Z"}
    )
    delete_task(graph, "plan-big-t002")
    graph.time_cards["team1"] = [c for c in graph.time_cards["team1"] if c["id"] != "TCK_plain"]
    result = run(settings, warehouse, sandbox)
    assert result["sharepoint"].streams["timesheets"].fetched == 2  # one edit, one removal
    entries = warehouse.read("time_entries").set_index("entry_id")
    assert entries.loc["sharepoint:list-ts:2", "hours"] == 3
    assert "sharepoint:list-ts:3" not in entries.index and "shifts:TCK_plain" not in entries.index
    tasks = warehouse.read("tasks").set_index("task_id")
    assert tasks.loc["planner:plan-big-t001", "status_category"] == "done"
    assert "planner:plan-big-t002" not in tasks.index
    gone = warehouse.read("tasks", include_deleted=True).set_index("task_id")
    assert bool(gone.loc["planner:plan-big-t002", "is_deleted"])


def test_expired_delta_token_restarts_with_a_full_read(settings, warehouse, sandbox):
    run(settings, warehouse, sandbox)
    graph = sandbox.state.graph
    graph.delete_list_item(SITE, "Timesheets", "4")
    graph.expire_delta_tokens()
    result = run(settings, warehouse, sandbox)
    counts = result["sharepoint"].streams["timesheets"]
    assert counts.fetched == len(LIST_ITEMS) - 1 and counts.deleted == 1  # census of the full read
    mark = warehouse.get_watermark("sharepoint", "list_items", f"{SITE}|list-ts")
    assert mark["restarted"] is True and "token=" in mark["delta_link"]
    again = run(settings, warehouse, sandbox)
    assert again["sharepoint"].streams["timesheets"].fetched == 0


def test_refused_credentials_name_the_resource_and_the_permission(settings, warehouse, sandbox):
    result = {
        s.source: s
        for s in sync_graph(
            settings, warehouse, graph_url=sandbox.info.graph_base_url, token="not-the-token"
        )
    }
    assert not result["planner"].ok and not result["shifts"].ok and not result["sharepoint"].ok
    assert "unauthorised (401)" in result["planner"].errors[0]
    assert "Tasks.Read.All" in result["planner"].errors[0]
    assert "time cards of team team1" in result["shifts"].errors[0]
    assert "Schedule.Read.All" in result["shifts"].errors[0]
    assert "Sites.Read.All" in result["sharepoint"].errors[0]
    assert "not-the-token" not in " ".join(e for s in result.values() for e in s.errors)
    assert warehouse.count("time_entries") == 0  # nothing half-written, nothing tombstoned


def test_sync_can_be_called_from_code_already_inside_an_event_loop(settings, warehouse, sandbox):
    import asyncio

    async def caller():  # e.g. an async Prefect task
        return run(settings, warehouse, sandbox)

    assert all(s.ok for s in asyncio.run(caller()).values())
    assert warehouse.count("tasks") == BIG_PLAN_TASKS + 5


def test_a_failed_user_directory_leaves_people_as_they_were(settings, warehouse, sandbox):
    from sandbox.faults import FaultRule

    run(settings, warehouse, sandbox)
    before = warehouse.read("tasks").set_index("task_id")["assignee_id"]
    sandbox.app.faults.set_rules(
        [FaultRule(route="/v1.0/$batch", kind="500")]
    )  # users come in $batch
    result = run(settings, warehouse, sandbox)
    assert "user directory failed" in result["planner"].errors[-1] and not result["graph"].ok
    after = warehouse.read("tasks").set_index("task_id")["assignee_id"]
    assert after.equals(before) and after.notna().all()


def test_disabled_graph_syncs_nothing(warehouse):
    from tests.connectors.graph.conftest import graph_settings

    assert sync_graph(graph_settings(enabled=False), warehouse) == []


def test_the_token_appears_in_no_log_and_no_warehouse_table(settings, warehouse, sandbox, caplog):
    import logging

    caplog.set_level(logging.DEBUG)
    run(settings, warehouse, sandbox)
    sync_graph(settings, warehouse, graph_url=sandbox.info.graph_base_url, token="wrong-" + TOKEN)
    assert TOKEN not in caplog.text
    for table in ("sync_state", "quarantine", "publications"):
        assert TOKEN not in warehouse.read_operational(table).to_json()
    for frame in warehouse.read_all(include_deleted=True).values():
        assert TOKEN not in frame.astype(str).to_json()
