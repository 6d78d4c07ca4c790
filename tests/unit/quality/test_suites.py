"""Per-table GX suites: each expectation fails exactly on its planted bad row, nothing else.

Every case also checks that GX's unexpected count equals the pandas reading of the same
spec (`failing_mask`), which is what locates example keys and splits results per project.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd
import pytest

from checks.model import Severity
from checks.quality.evidence import task_projects
from checks.quality.gx_adapter import SpecOutcome, validate_frame
from checks.quality.specs import failing_mask
from checks.quality.suites import SUITE_BUILDERS, suite_for
from checks.quality.tables import live_rows, outcomes_to_results
from checks.schema import CANONICAL_TABLES, empty_frame, to_frame
from tests.unit.quality.builders import ABC, AS_OF, XYZ, clean_frames, spoiled

pytestmark = pytest.mark.usefixtures("gx_runtime")  # one shared GX context (conftest)


C, W = Severity.CRITICAL, Severity.WARNING
FUTURE = "2026-12-01T00:00:00+00:00"


@dataclass(frozen=True)
class Plant:
    table: str
    key: str
    change: dict[str, Any]
    expectation: str
    severity: Severity
    keys: tuple[str, ...]
    project: str | None
    failing: int = 1


PLANTS = [
    # a second row with the same project id: both copies fail uniqueness
    Plant("projects", ABC, {"append": True}, "projects.project_id.unique", C, (ABC,), ABC, 2),
    # a phase name the lifecycle doesn't know
    Plant("projects", XYZ, {"phase": "build"}, "projects.phase.known", C, (XYZ,), XYZ),
    # a negative budget
    Plant("projects", ABC, {"budget_hours": -5.0}, "projects.budget_hours.range", W, (ABC,), ABC),
    # people belong to no project: the result is global
    Plant(
        "people",
        "bo@example.com",
        {"weekly_capacity_hours": 200.0},
        "people.weekly_capacity_hours.range",
        W,
        ("bo@example.com",),
        None,
    ),
    # duplicated person
    Plant(
        "people",
        "bo@example.com",
        {"append": True},
        "people.person_id.unique",
        C,
        ("bo@example.com",),
        None,
        2,
    ),
    # a task without project can't be attributed to one: global result
    Plant(
        "tasks", "jira:12", {"project_id": None}, "tasks.project_id.not_null", C, ("jira:12",), None
    ),
    # lineage column missing
    Plant("tasks", "jira:12", {"source": None}, "tasks.source.not_null", C, ("jira:12",), ABC),
    # unknown status category
    Plant(
        "tasks",
        "jira:21",
        {"status_category": "blocked"},
        "tasks.status_category.known",
        C,
        ("jira:21",),
        XYZ,
    ),
    # unknown task type is only a warning
    Plant(
        "tasks", "jira:12", {"task_type": "feature"}, "tasks.task_type.known", W, ("jira:12",), ABC
    ),
    # percent above 100
    Plant(
        "tasks",
        "jira:12",
        {"percent_complete": 120.0},
        "tasks.percent_complete.range",
        C,
        ("jira:12",),
        ABC,
    ),
    # percent below 0
    Plant(
        "tasks",
        "jira:21",
        {"percent_complete": -1.0},
        "tasks.percent_complete.range",
        C,
        ("jira:21",),
        XYZ,
    ),
    # negative estimate
    Plant(
        "tasks",
        "jira:12",
        {"estimate_hours": -2.0},
        "tasks.estimate_hours.range",
        W,
        ("jira:12",),
        ABC,
    ),
    # updated before created
    Plant(
        "tasks",
        "jira:12",
        {"updated_at": "2026-09-01T00:00:00+00:00"},
        "tasks.updated_at_after_created_at",
        W,
        ("jira:12",),
        ABC,
    ),
    # resolved before created
    Plant(
        "tasks",
        "jira:11",
        {"resolved_at": "2026-09-01T00:00:00+00:00"},
        "tasks.resolved_at_after_created_at",
        W,
        ("jira:11",),
        ABC,
    ),
    # updated after the status date
    Plant(
        "tasks",
        "jira:21",
        {"updated_at": FUTURE},
        "tasks.updated_at.not_future",
        W,
        ("jira:21",),
        XYZ,
    ),
    # a key that is missing has no example key to show, but is counted
    Plant("tasks", "jira:21", {"task_id": None}, "tasks.task_id.not_null", C, (), XYZ),
    # duplicated link id; attributed through the predecessor's project
    Plant(
        "dependencies",
        "jira:link:1",
        {"append": True},
        "dependencies.dependency_id.unique",
        C,
        ("jira:link:1",),
        ABC,
        2,
    ),
    # a link without predecessor
    Plant(
        "dependencies",
        "jira:link:1",
        {"from_task_id": None},
        "dependencies.from_task_id.not_null",
        C,
        ("jira:link:1",),
        ABC,
    ),
    # unknown category after a transition
    Plant(
        "status_changes",
        "jira:h1:0",
        {"to_category": "closed"},
        "status_changes.to_category.known",
        W,
        ("jira:h1:0",),
        ABC,
    ),
    # a transition without time
    Plant(
        "status_changes",
        "jira:h1:0",
        {"changed_at": None},
        "status_changes.changed_at.not_null",
        C,
        ("jira:h1:0",),
        ABC,
    ),
    # more than 24 h in one entry
    Plant(
        "time_entries",
        "jira:worklog:4",
        {"hours": 25.0},
        "time_entries.hours.range",
        C,
        ("jira:worklog:4",),
        XYZ,
    ),
    # exactly 0 h is outside (0, 24]
    Plant(
        "time_entries",
        "jira:worklog:1",
        {"hours": 0.0},
        "time_entries.hours.range",
        C,
        ("jira:worklog:1",),
        ABC,
    ),
    # negative hours
    Plant(
        "time_entries",
        "jira:worklog:1",
        {"hours": -1.0},
        "time_entries.hours.range",
        C,
        ("jira:worklog:1",),
        ABC,
    ),
    # exactly 24 h is inside (0, 24]: the planted change is harmless, nothing fails
    Plant("time_entries", "jira:worklog:1", {"hours": 24.0}, "", C, (), None, 0),
    # a time card still clocked in carries a placeholder 0 h: not a range failure
    Plant(
        "time_entries", "shifts:TC1", {"hours": 0.0, "flags": ["clocked_in"]}, "", C, (), None, 0
    ),
    # so does one clocked out before it clocked in (reported by timesheet.clock_out_before_in)
    Plant(
        "time_entries",
        "shifts:TC2",
        {"hours": 0.0, "flags": ["clock_out_before_in"]},
        "",
        C,
        (),
        None,
        0,
    ),
    # other flags don't excuse a 0 h card
    Plant(
        "time_entries",
        "shifts:TC2",
        {"hours": 0.0, "flags": ["unconfirmed"]},
        "time_entries.hours.range",
        C,
        ("shifts:TC2",),
        None,
    ),
    # a time card has no project and no task: global
    Plant(
        "time_entries",
        "shifts:TC1",
        {"kind": "expense"},
        "time_entries.kind.known",
        C,
        ("shifts:TC1",),
        None,
    ),
    # a worklog without project is attributed through its task
    Plant(
        "time_entries",
        "jira:worklog:3",
        {"project_id": None, "work_date": None},
        "time_entries.work_date.not_null",
        C,
        ("jira:worklog:3",),
        ABC,
    ),
    # started after the status date
    Plant(
        "time_entries",
        "jira:worklog:4",
        {"started_at": FUTURE},
        "time_entries.started_at.not_future",
        W,
        ("jira:worklog:4",),
        XYZ,
    ),
    # duplicated worklog id
    Plant(
        "time_entries",
        "jira:worklog:2",
        {"append": True},
        "time_entries.entry_id.unique",
        C,
        ("jira:worklog:2",),
        ABC,
        2,
    ),
    # milestone without project
    Plant(
        "milestones",
        "jira:version:1",
        {"project_id": None},
        "milestones.project_id.not_null",
        C,
        ("jira:version:1",),
        None,
    ),
    # sprint ends before it starts
    Plant(
        "sprints",
        "jira:sprint:1",
        {"end_at": "2026-11-01T00:00:00+00:00"},
        "sprints.end_at_after_start_at",
        W,
        ("jira:sprint:1",),
        ABC,
    ),
    # unknown sprint state
    Plant(
        "sprints",
        "jira:sprint:1",
        {"state": "open"},
        "sprints.state.known",
        W,
        ("jira:sprint:1",),
        ABC,
    ),
    # probability above 5
    Plant("risks", "jira:31", {"probability": 6}, "risks.probability.range", W, ("jira:31",), ABC),
    # impact below 1
    Plant("risks", "jira:31", {"impact": 0}, "risks.impact.range", W, ("jira:31",), ABC),
    # unknown ROAM status
    Plant(
        "risks",
        "jira:31",
        {"roam_status": "closed"},
        "risks.roam_status.known",
        W,
        ("jira:31",),
        ABC,
    ),
]


def _validate(name: str, frames: dict[str, pd.DataFrame]):
    frame = live_rows(frames[name])
    specs = suite_for(name, AS_OF)
    outcomes = validate_frame(name, specs, frame)
    for outcome in outcomes:  # GX and the pandas reading of each spec agree on the count
        assert outcome.error is None, outcome
        assert outcome.unexpected_count == int(failing_mask(outcome.spec, frame).sum()), outcome
    return outcomes_to_results(name, frame, outcomes, task_projects(frames["tasks"]))


@pytest.mark.parametrize("plant", PLANTS, ids=lambda p: f"{p.table}:{p.expectation or 'none'}")
def test_each_expectation_fails_exactly_on_its_planted_row(plant: Plant) -> None:
    results = _validate(plant.table, spoiled(plant.table, plant.key, **plant.change))
    failures = [r for r in results if not r.success]
    if not plant.expectation:
        assert failures == []
        return
    assert [r.expectation for r in failures] == [plant.expectation]
    (failure,) = failures
    assert failure.severity == plant.severity
    assert failure.example_keys == plant.keys
    assert failure.project_id == plant.project
    assert failure.failing_count == plant.failing
    assert failure.table == plant.table


@pytest.mark.parametrize("name", sorted(CANONICAL_TABLES))
def test_clean_table_passes_every_expectation(name: str) -> None:
    results = _validate(name, clean_frames())
    assert results and all(r.success for r in results)
    assert {r.expectation for r in results} == {s.name for s in suite_for(name, AS_OF)}


def test_empty_tables_pass_with_nothing_checked() -> None:
    frames = {name: empty_frame(name) for name in CANONICAL_TABLES}
    for name in ("tasks", "time_entries"):
        results = _validate(name, frames)
        assert all(r.success and r.checked_count == 0 for r in results)


def test_tombstoned_rows_are_not_validated() -> None:
    # the deleted worklog's 30 h is history, not evidence
    frames = spoiled("time_entries", "jira:worklog:4", hours=30.0, is_deleted=True)
    assert all(r.success for r in _validate("time_entries", frames))


def test_expectation_that_cannot_be_evaluated_is_a_critical_failure() -> None:
    frame = clean_frames()["tasks"].astype({"updated_at": "object"})
    frame.loc[0, "updated_at"] = "yesterday"  # a mapper bug: text where a timestamp belongs
    name = "tasks.updated_at_after_created_at"
    specs = [s for s in suite_for("tasks", AS_OF) if s.name == name]
    outcomes = validate_frame("tasks", specs, frame)
    (result,) = outcomes_to_results("tasks", frame, outcomes, pd.Series(dtype="string"))
    # the spec is only a warning, but unknown is not fine: it becomes critical
    assert not result.success and result.severity == Severity.CRITICAL
    assert result.detail.startswith("could not evaluate")


def test_failure_whose_rows_cannot_be_located_keeps_the_gx_count() -> None:
    # GX says 3 rows fail but the pandas reading finds none: never a silent pass
    frame = clean_frames()["time_entries"]
    spec = next(s for s in suite_for("time_entries", AS_OF) if s.name == "time_entries.hours.range")
    outcome = SpecOutcome(spec, success=False, unexpected_count=3, element_count=len(frame))
    (result,) = outcomes_to_results("time_entries", frame, [outcome], pd.Series(dtype="string"))
    assert not result.success and result.severity == Severity.CRITICAL
    assert result.failing_count == 3 and "could not be located" in result.detail


def test_every_canonical_table_has_a_suite_with_keys_checked() -> None:
    assert set(SUITE_BUILDERS) == set(CANONICAL_TABLES)
    for name in CANONICAL_TABLES:
        names = {s.name for s in suite_for(name, AS_OF)}
        assert any(n.endswith(".unique") for n in names), name


def test_naive_status_date_is_rejected() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        suite_for("tasks", AS_OF.replace(tzinfo=None))


def test_frame_missing_a_column_names_table_and_column() -> None:
    frame = to_frame("risks", []).drop(columns=["impact"])
    with pytest.raises(KeyError, match=r"risks.*impact"):
        validate_frame("risks", suite_for("risks", AS_OF), frame)


def test_gx_keeps_no_frame_after_a_validation(gx_runtime: Any) -> None:
    """GX caches every batch it validated for the life of the process; the adapter drops them,
    so a validated table's view is not held while the evaluation runs."""
    frames = clean_frames()
    validate_frame("tasks", suite_for("tasks", AS_OF), frames["tasks"])
    validate_frame("risks", suite_for("risks", AS_OF), frames["risks"])
    manager = gx_runtime.source.get_execution_engine().batch_manager
    assert len(manager.batch_data_cache) == 0
    assert len(manager.batch_cache) == 0
