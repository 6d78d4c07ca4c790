"""Projects without a phase are judged at the phase their evidence points to (issue 11, 5)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from checks.evaluation.evaluate import evaluate_gate, evaluate_portfolio
from checks.evaluation.phase import choose_phase, infer_phase
from checks.model import QualityReport
from config.lifecycle import load_rules
from config.settings import Settings
from tests.unit.risk.builders import PROJECT, change, entry, frames_of, portfolio, task

AS_OF = datetime(2026, 1, 6, tzinfo=UTC)
NO_PHASE = {"phase": None}

INFERENCE = [
    pytest.param([], [], [], "initiation", "no work items yet", id="no-work-items"),
    pytest.param(
        [task("jira:1", task_type="epic"), task("jira:2", task_type="gate_request")],
        [], [], "initiation", "no work items yet", id="only-containers-and-requests",
    ),
    pytest.param(
        [task("jira:1"), task("jira:2", estimate_hours=5)],
        [], [], "planning", "none started", id="nothing-started",
    ),
    pytest.param(
        [task("jira:1"), task("jira:2")],
        [], [entry("e1", 2, "2026-01-02", task_id="jira:1")],
        "execution", "work has started", id="hours-logged",
    ),
    pytest.param(
        [task("jira:1"), task("jira:2")],
        [change("c1", "jira:1", "2026-01-02T00:00:00+00:00", "in_progress", "todo")],
        [], "execution", "work has started", id="moved-to-in-progress",
    ),
    pytest.param(
        [task("jira:1", status_category="done"), task("jira:2", status_category="in_progress")],
        [], [], "execution", "1 in progress and 1 done of 2", id="some-done",
    ),
    pytest.param(
        [task("jira:1", status_category="done"), task("jira:2", status_category="done"),
         task("jira:3", task_type="epic")],
        [], [], "closeout", "all 2 work items are done", id="all-done",
    ),
]  # fmt: skip


@pytest.mark.parametrize(("tasks", "changes", "entries", "phase", "rule"), INFERENCE)
def test_phase_is_inferred_from_the_evidence(tasks, changes, entries, phase, rule):
    pf = frames_of(AS_OF, tasks=tasks, changes=changes, entries=entries, project=NO_PHASE)
    choice = infer_phase(pf)
    assert (choice.phase, choice.source) == (phase, "inferred")
    assert rule in (choice.rule or "")


def test_requested_then_config_then_charter_then_inferred():
    done = [task("jira:1", status_category="done")]
    charter = frames_of(AS_OF, tasks=done, project={"phase": "qa_uat"})
    bare = frames_of(AS_OF, tasks=done, project=NO_PHASE)
    assert choose_phase(charter, {"phase": "planning"}, "execution").source == "requested"
    assert choose_phase(charter, {"phase": "planning"}).phase == "planning"
    assert choose_phase(charter, {}).to_dict() == {"source": "charter"}
    assert choose_phase(bare, {}).to_dict() == {
        "source": "inferred",
        "rule": "all 1 work items are done",
        "evidence": {"work_items": 1, "done": 1, "in_progress": 0},
    }


def test_gate_without_a_phase_reviews_the_inferred_phase_and_says_so():
    # The old code raised "no gate for phase None" here (a 30 s Prefect traceback in `pmo gate`).
    frames = portfolio(
        [task("jira:1", status_category="done"), task("jira:2", status_category="in_progress")],
        project=NO_PHASE,
    )
    settings = Settings(checks={"forecast_trials": 200})
    ev = evaluate_gate(frames, PROJECT, settings, load_rules(settings), AS_OF, QualityReport(()))
    assert ev.phase == "execution"
    assert ev.phase_source["source"] == "inferred"
    assert "work has started" in ev.phase_source["rule"]


def test_portfolio_judges_every_project_that_is_not_closed():
    # Two projects without a phase (one finished, one not started) and one closed: the old
    # code skipped the phaseless ones, so `pmo status` printed an empty table.
    other = {"project_id": "jira:2", "key": "NEW", "name": "NEW", "phase": None}
    closed = {"project_id": "jira:3", "key": "OLD", "name": "OLD", "phase": "closed"}
    frames = portfolio(
        [
            task("jira:1", status_category="done", resolved_at="2026-01-02T00:00:00+00:00"),
            task("jira:9", project_id="jira:2"),
        ],
        project=NO_PHASE,
        extra_projects=[other, closed],
    )
    settings = Settings(checks={"forecast_trials": 200})
    evs = evaluate_portfolio(frames, settings, load_rules(settings), AS_OF, QualityReport(()))
    assert [(e.project_key, e.phase, e.kind) for e in evs] == [
        ("ABC", "closeout", "closeout"),
        ("NEW", "planning", "gate_review"),
    ]
    assert all(e.phase_source["source"] == "inferred" for e in evs)


def test_a_dormant_project_with_a_forgotten_open_item_is_inferred_in_closeout():
    # CESAW 95 shape: 4205 of 4206 items done in 2013, one left "In Progress"; judged in
    # 2026 it is not in execution (items 4,900 days old, 0 % timesheet compliance).
    tasks = [
        task(
            "jira:1",
            status_category="done",
            created_at="2013-05-20T00:00:00+00:00",
            resolved_at="2013-06-20T05:29:00+00:00",
        ),
        task("jira:2", status_category="in_progress", created_at="2013-05-22T06:39:00+00:00"),
    ]
    entries = [entry("e1", 3, "2013-06-19", task_id="jira:1")]
    late = datetime(2026, 11, 27, tzinfo=UTC)
    choice = infer_phase(frames_of(late, tasks=tasks, entries=entries, project=NO_PHASE))
    assert choice.phase == "closeout"
    assert choice.rule.startswith("dormant: no activity since 2013-06-20")
    recent = datetime(2013, 8, 1, tzinfo=UTC)  # six weeks after: still execution
    assert infer_phase(frames_of(recent, tasks=tasks, entries=entries)).phase == "execution"
    shorter = infer_phase(frames_of(recent, tasks=tasks, entries=entries), dormant_days=30)
    assert shorter.phase == "closeout"


def test_a_requested_review_of_the_charter_phase_is_the_same_evaluation():
    frames = portfolio(
        [task("jira:1", status_category="done"), task("jira:2", status_category="in_progress")],
        project={"phase": "execution"},
    )
    settings = Settings(checks={"forecast_trials": 200})
    rules, none = load_rules(settings), QualityReport(())
    by_charter = evaluate_gate(frames, PROJECT, settings, rules, AS_OF, none)
    requested = evaluate_gate(frames, PROJECT, settings, rules, AS_OF, none, phase="execution")
    other = evaluate_gate(frames, PROJECT, settings, rules, AS_OF, none, phase="qa_uat")
    assert (by_charter.phase_source["source"], requested.phase_source["source"]) == (
        "charter",
        "requested",
    )
    assert requested.data_version == by_charter.data_version
    assert other.data_version != by_charter.data_version
