"""Cross-table checks in plain pandas: integrity, freshness, census, timesheets, reconciliation."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pandas as pd
import pytest

from checks.model import Severity
from checks.quality import census_counts
from checks.quality.evidence import task_projects
from checks.quality.freshness import census_drop, freshness
from checks.quality.integrity import referential_integrity
from checks.quality.reconciliation import reconcile
from checks.quality.timesheets import (
    clock_out_before_in,
    future_work_dates,
    logged_after_close,
    long_days,
)
from checks.schema import to_frame
from tests.unit.quality.builders import ABC, ANA, AS_OF, XYZ, clean_frames, clean_rows, spoiled

C, W = Severity.CRITICAL, Severity.WARNING


def _failures(results):
    return [r for r in results if not r.success]


def _integrity(frames: dict[str, pd.DataFrame]):
    return referential_integrity(frames, task_projects(frames["tasks"]))


INTEGRITY_CASES = [
    # hours booked on a task the warehouse doesn't hold never reach earned value
    (
        "time_entries",
        "jira:worklog:1",
        {"task_id": "jira:99"},
        "integrity.time_entries.task_id",
        C,
        ("jira:worklog:1",),
        ABC,
    ),
    # hours booked on an unknown project
    (
        "time_entries",
        "jira:worklog:4",
        {"project_id": "jira:99999"},
        "integrity.time_entries.project_id",
        C,
        ("jira:worklog:4",),
        "jira:99999",
    ),
    # a task of a project that isn't synced
    (
        "tasks",
        "jira:21",
        {"project_id": "jira:99999"},
        "integrity.tasks.project_id",
        C,
        ("jira:21",),
        "jira:99999",
    ),
    # link to an issue outside the synced projects: a warning, attributed via the predecessor
    (
        "dependencies",
        "jira:link:1",
        {"to_task_id": "jira:77"},
        "integrity.dependencies.to_task_id",
        W,
        ("jira:link:1",),
        ABC,
    ),
    # changelog of an unknown task: no project to attribute it to
    (
        "status_changes",
        "jira:h1:0",
        {"task_id": "jira:77"},
        "integrity.status_changes.task_id",
        W,
        ("jira:h1:0",),
        None,
    ),
    # a risk of an unknown project
    (
        "risks",
        "jira:31",
        {"project_id": "jira:55"},
        "integrity.risks.project_id",
        W,
        ("jira:31",),
        "jira:55",
    ),
]


@pytest.mark.parametrize(
    ("table", "key", "change", "check", "severity", "keys", "project"), INTEGRITY_CASES
)
def test_dangling_reference_is_reported_with_the_referring_ids(
    table: str,
    key: str,
    change: dict[str, Any],
    check: str,
    severity: Severity,
    keys: tuple[str, ...],
    project: str | None,
) -> None:
    failures = _failures(_integrity(spoiled(table, key, **change)))
    assert [(f.expectation, f.severity, f.example_keys, f.project_id) for f in failures] == [
        (check, severity, keys, project)
    ]


def test_clean_references_all_pass() -> None:
    results = _integrity(clean_frames())
    assert len(results) == 9 and all(r.success for r in results)


def test_entry_on_a_tombstoned_task_dangles() -> None:
    # the task was deleted in Jira (tombstone) but a live worklog still points at it
    frames = spoiled("tasks", "jira:12", is_deleted=True)
    live = {n: f[~f["is_deleted"].astype(bool)] for n, f in frames.items()}
    failing = {f.expectation: f.example_keys for f in _failures(_integrity(live))}
    assert failing["integrity.time_entries.task_id"] == ("jira:worklog:2", "jira:worklog:3")


FRESHNESS_CASES = [
    # synced 10 h ago, limit 36 h: fresh
    ({"jira": AS_OF - timedelta(hours=10)}, []),
    # exactly at the limit still counts as fresh
    ({"jira": AS_OF - timedelta(hours=36)}, []),
    # 40 h old: stale, the source named
    ({"jira": AS_OF - timedelta(hours=40), "shifts": AS_OF}, [("jira",)]),
    # never synced: stale
    ({"planner": None}, [("planner",)]),
]


@pytest.mark.parametrize(("last_sync", "stale"), FRESHNESS_CASES)
def test_freshness_per_source(last_sync, stale) -> None:
    results = freshness(last_sync, AS_OF, 36)
    assert len(results) == len(last_sync)
    failures = _failures(results)
    assert [f.example_keys for f in failures] == stale
    assert all(f.severity == C and f.project_id is None for f in failures)


def test_freshness_rejects_naive_sync_time() -> None:
    with pytest.raises(ValueError, match=r"last_sync\['jira'\]"):
        freshness({"jira": AS_OF.replace(tzinfo=None)}, AS_OF, 36)


CENSUS_CASES = [
    # ABC had 2 tasks, still 2; XYZ had 1, still 1
    ({ABC: 2, XYZ: 1}, []),
    # ABC had 3, now 2: a third gone (> 20 %): critical for ABC
    ({ABC: 3, XYZ: 1}, [(ABC, 1, 3)]),
    # ABC had 10, now 2, and a project vanished entirely
    ({ABC: 10, "jira:3": 4}, [(ABC, 8, 10), ("jira:3", 4, 4)]),
    # growth is fine
    ({ABC: 1}, []),
    # a project with no tasks before can't drop
    ({ABC: 0}, []),
]


@pytest.mark.parametrize(("previous", "dropped"), CENSUS_CASES)
def test_census_drop(previous: dict[str, int], dropped) -> None:
    results = census_drop(clean_frames()["tasks"], previous, 0.2)
    failures = _failures(results)
    assert [(f.project_id, f.failing_count, f.checked_count) for f in failures] == dropped
    assert all(f.severity == C and f.example_keys == (f.project_id,) for f in failures)
    assert results  # a pass is reported too, so the check is visibly done


def test_census_without_previous_run_is_not_checked_and_counts_live_tasks() -> None:
    assert census_drop(clean_frames()["tasks"], {}, 0.2) == []
    frames = spoiled("tasks", "jira:12", is_deleted=True)
    assert census_counts(frames["tasks"]) == {ABC: 1, XYZ: 1}


def _entries(*extra: dict[str, Any], **changes: dict[str, Any]) -> pd.DataFrame:
    rows = clean_rows()["time_entries"]
    for row in rows:
        row.update(changes.get(row["entry_id"], {}))
    return to_frame("time_entries", [*rows, *extra])


def _extra(entry_id: str, kind: str, day: str, hours: float, **fields: Any) -> dict[str, Any]:
    base = dict(clean_rows()["time_entries"][0])
    return {**base, "entry_id": entry_id, "kind": kind, "work_date": day, "hours": hours, **fields}


BY_TASK = task_projects(clean_frames()["tasks"])


def test_long_day_names_entries_and_person() -> None:
    # Ana's worklogs on 18 Nov: 4 + 3.5 + 6 = 13.5 h > 12 h
    entries = _entries(_extra("jira:worklog:9", "worklog", "2026-11-18", 6.0))
    (failure,) = _failures(long_days(entries, BY_TASK, 12))
    assert failure.expectation == "timesheet.long_day" and failure.severity == W
    assert failure.example_keys == ("jira:worklog:1", "jira:worklog:2", "jira:worklog:9", ANA)
    assert failure.project_id == ABC and failure.failing_count == 3


def test_long_day_sums_per_source_kind_not_across() -> None:
    # 7.5 h of worklogs and an 8 h time card the same day are the same work, not 15.5 h
    assert not _failures(long_days(_entries(), BY_TASK, 12))


CLOCK_CASES = [
    # the mapper's flag, and a 0 h card without it: both named, with the person
    (
        {"shifts:TC1": {"flags": ["clock_out_before_in"]}, "shifts:TC2": {"hours": 0.0}},
        ("shifts:TC1", "shifts:TC2", ANA),
    ),
    # a card still clocked in has 0 h until the clock-out arrives: a shift in progress
    ({"shifts:TC2": {"hours": 0.0, "flags": ["clocked_in"]}}, ()),
    # a 0 h worklog is the hours range's business, not a time-card anomaly
    ({"jira:worklog:1": {"hours": 0.0}}, ()),
]


@pytest.mark.parametrize(("changes", "keys"), CLOCK_CASES)
def test_clock_out_before_in_from_flag_or_empty_card(changes, keys) -> None:
    failures = _failures(clock_out_before_in(_entries(**changes), BY_TASK))
    assert tuple(k for f in failures for k in f.example_keys) == keys
    assert all(f.project_id is None and f.severity == W for f in failures)


LATE_CASES = [
    # task resolved 20 Nov, worklog 18 Nov: before closing
    ("2026-11-20T09:00:00+00:00", []),
    # resolved 4 Nov, worklog 18 Nov: exactly 14 days later, within grace
    ("2026-11-04T09:00:00+00:00", []),
    # resolved 3 Nov: 15 days later
    ("2026-11-03T09:00:00+00:00", ["jira:worklog:1"]),
]


@pytest.mark.parametrize(("resolved", "flagged"), LATE_CASES)
def test_time_logged_long_after_close(resolved: str, flagged: list[str]) -> None:
    tasks = spoiled("tasks", "jira:11", resolved_at=resolved)["tasks"]
    failures = _failures(logged_after_close(_entries(), tasks, BY_TASK))
    assert [k for f in failures for k in f.example_keys] == flagged


FUTURE_CASES = [
    # the status date itself is not in the future
    ("2026-11-27", []),
    # the next day is in the future even for UTC+14 at 06:00 UTC
    ("2026-11-28", ["jira:worklog:4"]),
]


@pytest.mark.parametrize(("day", "flagged"), FUTURE_CASES)
def test_future_work_dates(day: str, flagged: list[str]) -> None:
    entries = _entries(**{"jira:worklog:4": {"work_date": day}})
    failures = _failures(future_work_dates(entries, BY_TASK, pd.Timestamp(AS_OF)))
    assert [k for f in failures for k in f.example_keys] == flagged
    assert all(f.project_id == XYZ for f in failures)


RECONCILIATION_CASES = [
    # 7.5 vs 8 and 6 vs 6.5: within 1 h
    ({}, [], 2),
    # time card of 18 Nov says 10 h vs 7.5 h logged in Jira
    ({"shifts:TC1": {"hours": 10.0}}, [(ABC, ("ana@example.com/2026-11-18",))], 2),
    # Ana is still clocked in on 19 Nov (0 h so far): that day's total is unknown, skipped
    ({"shifts:TC2": {"hours": 0.0, "flags": ["clocked_in"]}}, [], 1),
    # the card moves to 20 Nov: only 19 Nov lies in the span both sources cover
    ({"shifts:TC1": {"work_date": "2026-11-20"}}, [], 1),
]


@pytest.mark.parametrize(("changes", "expected", "compared"), RECONCILIATION_CASES)
def test_reconciliation_worklogs_vs_time_cards(changes, expected, compared) -> None:
    results = reconcile(_entries(**changes), 1.0)
    assert [(f.project_id, f.example_keys) for f in _failures(results)] == expected
    assert all(r.checked_count == compared for r in results)


def test_reconciliation_flags_a_card_day_without_worklogs_as_global() -> None:
    # 20 Nov lies inside both spans (worklog on 21 Nov): 8 h at work, nothing in Jira.
    # With no worklog that day there is no project to attribute it to.
    lonely = [
        _extra("jira:worklog:8", "worklog", "2026-11-21", 1.0, task_id="jira:12"),
        _extra("shifts:TC5", "timecard", "2026-11-20", 8.0, source="shifts"),
        _extra("shifts:TC6", "timecard", "2026-11-21", 1.0, source="shifts"),
    ]
    (failure,) = _failures(reconcile(_entries(*lonely), 1.0))
    assert failure.project_id is None and failure.example_keys == ("ana@example.com/2026-11-20",)


def test_person_without_time_cards_is_not_reconciled() -> None:
    # Bo only logs in Jira: nothing to compare, nothing flagged
    entries = _entries(
        _extra("jira:worklog:7", "worklog", "2026-11-20", 9.0, person_id="bo@example.com")
    )
    assert _failures(reconcile(entries, 1.0)) == []
