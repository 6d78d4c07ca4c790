"""The generator's demo tenant: everything it holds arrives, values match, planted problems show."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from config.settings import Settings
from connectors.graph.sync import sync_graph
from connectors.store import Warehouse
from flows.runtime import with_sandbox_scopes
from sandbox.generator import generate_tenant
from sandbox.server import start_sandbox


@pytest.fixture(scope="module")
def demo():
    tenant, manifest = generate_tenant(seed=7, scale="demo")
    return tenant, {p["id"]: p for p in manifest["problems"]}


@pytest.fixture(scope="module")
def synced(demo, tmp_path_factory):
    tenant, _ = demo
    wh = Warehouse(f"sqlite:///{tmp_path_factory.mktemp('demo') / 'wh.db'}")
    wh.migrate()
    # people as the Jira sync writes them: canonical e-mail and the person's own zone
    with wh.transaction() as txn:
        txn.upsert(
            "people",
            [
                {
                    "person_id": p["email"],
                    "display_name": p["display_name"],
                    "time_zone": p["time_zone"],
                    "source": "jira",
                }
                for p in tenant["people"]
            ],
        )
    settings = with_sandbox_scopes(Settings(time_zone=tenant["time_zone"]), tenant)
    with start_sandbox(tenant) as server:
        info = server.info
        first = sync_graph(settings, wh, graph_url=info.graph_base_url, token=info.graph_token)
        server.app.stats.reset()
        second = sync_graph(settings, wh, graph_url=info.graph_base_url, token=info.graph_token)
        second_stats = server.app.stats.snapshot()
    yield wh, first, second, second_stats
    wh.dispose()


def _hours(card: dict) -> float:
    def at(event):
        return datetime.fromisoformat(event["dateTime"].replace("Z", "+00:00"))

    worked = at(card["clockOutEvent"]) - at(card["clockInEvent"])
    for brk in card.get("breaks") or []:
        worked -= at(brk["end"]) - at(brk["start"])
    return worked.total_seconds() / 3600


def test_full_sync_loads_every_task_card_and_timesheet_row(demo, synced):
    tenant, _ = demo
    wh, first, _, _ = synced
    graph = tenant["graph"]
    assert all(s.ok for s in first), [s.errors for s in first]
    tasks = wh.read("tasks").set_index("task_id")
    entries = wh.read("time_entries").set_index("entry_id")
    cards = [c for team in graph["time_cards"].values() for c in team]
    items = [  # the timesheet rows: no folders, not the user information list
        i
        for site in graph["sites"]
        for lst in site["lists"]
        if lst["displayName"] != "User Information List"
        for i in lst["items"]
        if i.get("contentType", {}).get("name") != "Folder"
    ]
    assert len(tasks) == len(graph["tasks"])
    assert (entries["kind"] == "timecard").sum() == len(cards)
    assert (entries["kind"] == "timesheet").sum() == len(items)
    for raw in graph["tasks"][::17]:  # sampled values
        row = tasks.loc[f"planner:{raw['id']}"]
        assert row["title"] == raw["title"] and row["percent_complete"] == raw["percentComplete"]
        assert row["project_id"] == f"planner:{raw['planId']}"
    people = {p["graph_user_id"]: p for p in tenant["people"]}
    for raw in cards[::7]:
        row = entries.loc[f"shifts:{raw['id']}"]
        person = people[raw["userId"]]
        assert row["person_id"] == person["email"]  # aliases folded to the Jira address
        if raw.get("clockOutEvent") and _hours(raw) >= 0:
            assert row["hours"] == pytest.approx(_hours(raw))
            clock_in = datetime.fromisoformat(
                raw["clockInEvent"]["dateTime"].replace("Z", "+00:00")
            )
            local_day = clock_in.astimezone(ZoneInfo(person["time_zone"])).date()
            assert row["work_date"].date() == local_day


def test_planted_time_problems_are_visible_in_the_warehouse(demo, synced):
    _, problems = demo
    wh, *_ = synced
    entries = wh.read("time_entries").set_index("entry_id")
    reversed_card = next(
        i for i in problems["clock_out_before_in"]["ids"] if i.startswith("shifts:")
    )
    assert "clock_out_before_in" in entries.loc[reversed_card, "flags"]
    quarantine = wh.read_operational("quarantine")
    assert reversed_card.split(":", 1)[1] in set(quarantine["record_id"])
    long_day = problems["long_day_timesheet"]
    row = entries.loc[next(i for i in long_day["ids"] if i.startswith("sharepoint:"))]
    expected = long_day["expected"]
    assert (row["person_id"], str(row["work_date"].date()), row["hours"]) == (
        expected["person"],
        expected["work_date"],
        expected["hours"],
    )


def test_second_run_reads_no_list_items_and_changes_nothing(synced):
    _, _, second, stats = synced
    for summary in second:
        for name, stream in summary.streams.items():
            assert stream.inserted == stream.updated == stream.deleted == 0, (summary.source, name)
    sheets = next(s for s in second if s.source == "sharepoint")
    assert sheets.streams["timesheets"].fetched == 0
    delta_routes = [r for r in stats["routes"] if "delta" in r]
    assert sum(sum(stats["routes"][r].values()) for r in delta_routes) == 1  # one empty round
