"""Write plans (`connectors.store.plan`): one transaction for a whole page, counts per stream,
and the Jira issue page's plan decided without I/O."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from connectors.jira.mapping import IssueRows
from connectors.jira.pages import children_plan, issue_page_plan
from connectors.jira.records import MappingError
from connectors.store import Warehouse
from connectors.store.plan import (
    Cursor,
    Quarantine,
    Resolve,
    Tombstone,
    TombstoneChildrenExcept,
    TombstoneLinksExcept,
    Upsert,
    stream_counts,
)

pytestmark = pytest.mark.xdist_group("warehouse")

T0 = datetime(2026, 11, 2, 8, 30, tzinfo=UTC)


def entry(n: int) -> dict[str, Any]:
    return {
        "entry_id": f"jira:worklog:{n}",
        "source": "jira",
        "kind": "worklog",
        "person_id": "ana.lima@example.com",
        "project_id": "jira:10000",
        "task_id": "jira:20000",
        "started_at": T0 + timedelta(hours=n),
        "work_date": date(2026, 11, 2),
        "hours": 1.5,
        "flags": [],
        "updated_at": T0,
    }


def test_a_plan_is_applied_in_one_transaction(warehouse: Warehouse) -> None:
    plan = [
        Quarantine("jira", "time_entries", "9", "issue 1 is not in the warehouse", {"id": "9"}),
        Upsert("time_entries", [entry(1), entry(2)], fetched=3, quarantined=1),
        Cursor("jira", "worklogs_updated", "worklogs", {"since": 5}),
    ]
    results = warehouse.apply(plan)
    assert stream_counts(plan, results) == [
        (
            "time_entries",
            {"fetched": 3, "quarantined": 1, "inserted": 2, "updated": 0, "unchanged": 0},
        )
    ]
    assert warehouse.get_watermark("jira", "worklogs_updated", "worklogs") == {"since": 5}

    later = [
        Tombstone("time_entries", ["jira:worklog:1"]),
        Resolve("jira", "time_entries", ["9"]),
        Cursor("jira", "worklogs_updated", "worklogs", {"since": 6}),
        Upsert("no_such_table", [{}]),  # fails: nothing of this plan may stay
    ]
    with pytest.raises(KeyError):
        warehouse.apply(later)
    assert warehouse.live_ids("time_entries") == {"jira:worklog:1", "jira:worklog:2"}
    assert warehouse.get_watermark("jira", "worklogs_updated", "worklogs") == {"since": 5}


def _rows(n: int, *, risk: bool = False, links: tuple[str, ...] = ()) -> IssueRows:
    task = {"task_id": f"jira:{n}", "updated_at": T0}
    return IssueRows(
        task=task,
        risk={"risk_id": f"jira:{n}"} if risk else None,
        dependencies=[{"dependency_id": d} for d in links],
    )


def test_the_issue_page_plan() -> None:
    unchanged, changed_risk, changed_plain = _rows(1), _rows(2, risk=True, links=("L1",)), _rows(3)
    mapped = [({}, unchanged), ({}, changed_risk), ({}, changed_plain)]
    changed = mapped[1:]
    plan = issue_page_plan(
        "ABC",
        mapped,
        changed,
        [{"change_id": "c1"}],
        [("4", "no summary")],
        [{"person_id": "p"}],
        {"updated_ms": 7},
    )
    assert plan == [
        Quarantine("jira", "tasks", "4", "no summary", {"id": "4", "project": "ABC"}),
        Upsert(
            "tasks",
            [unchanged.task, changed_risk.task, changed_plain.task],
            fetched=4,
            quarantined=1,
        ),
        Resolve("jira", "tasks", ["1", "2", "3"]),
        Upsert("risks", [{"risk_id": "jira:2"}], fetched=1),
        Tombstone("risks", ["jira:3"]),
        Upsert("dependencies", [{"dependency_id": "L1"}], fetched=1),
        TombstoneLinksExcept(["jira:2", "jira:3"], frozenset({"L1"})),
        Upsert("status_changes", [{"change_id": "c1"}], fetched=1),
        Upsert("people", [{"person_id": "p"}]),
        Cursor("jira", "issues", "ABC", {"updated_ms": 7}),
    ]
    # no people and no cursor (Data Center moves it after the last page): neither is planned
    assert [type(op).__name__ for op in issue_page_plan("ABC", [], [], [], [], [], None)] == [
        "Upsert", "Resolve", "Upsert", "Tombstone", "Upsert", "TombstoneLinksExcept", "Upsert"
    ]  # fmt: skip


def test_a_complete_list_keeps_what_it_holds_and_what_was_quarantined() -> None:
    """Versions -> milestones: a version that can't be mapped is quarantined, yet still in
    Jira, so its stored row is not tombstoned with the ones the list no longer holds."""

    def mapper(record: dict[str, Any]) -> dict[str, Any]:
        if not record.get("name"):
            raise MappingError("a version needs a name")
        return {"milestone_id": f"milestone:{record['id']}"}

    plan = children_plan(
        "milestones", "milestone_id", "jira:1", [{"id": "7", "name": "v1"}, {"id": "8"}], mapper
    )
    assert plan == [
        Quarantine("jira", "milestones", "8", "a version needs a name", {"id": "8"}),
        Upsert("milestones", [{"milestone_id": "milestone:7"}], fetched=2, quarantined=1),
        TombstoneChildrenExcept(
            "milestones", "milestone_id", "jira:1", frozenset({"milestone:7", "milestone:8"})
        ),
    ]
