"""The status date (issue 11, point 2): pinned by the caller, else a finished project is
judged as of its finish; time in a status ends when the work got done."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from checks.closeout.lessons import bottlenecks
from checks.evaluation.as_of import parse_as_of, project_as_of
from checks.evaluation.evaluate import evaluate_gate, evaluate_portfolio
from checks.model import QualityReport
from checks.risk.flow import check_flow
from config.lifecycle import load_rules
from config.settings import ChecksSettings, Settings
from tests.unit.risk.builders import PROJECT, change, entry, frames_of, portfolio, task

NOW = datetime(2026, 11, 27, 6, 0, tzinfo=UTC)  # years after the work below finished
QUICK = Settings(checks={"forecast_trials": 200})


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2015-06-30", datetime(2015, 6, 30, 23, 59, 59, tzinfo=UTC)),
        ("2015-06-30T12:00:00", datetime(2015, 6, 30, 12, tzinfo=UTC)),
        ("2015-06-30T12:00:00+02:00", datetime(2015, 6, 30, 10, tzinfo=UTC)),
        ("2015-06-30T12:00:00Z", datetime(2015, 6, 30, 12, tzinfo=UTC)),
        (date(2015, 6, 30), datetime(2015, 6, 30, 23, 59, 59, tzinfo=UTC)),
        (None, None),
        ("", None),
    ],
)
def test_as_of_parses_dates_and_timestamps_as_utc(text, expected):
    assert parse_as_of(text) == expected


def test_as_of_rejects_what_is_not_a_date():
    with pytest.raises(ValueError, match="not a date"):
        parse_as_of("last tuesday")


def _finished_work() -> dict:
    return {
        "tasks": [
            task("jira:1", status_category="done", resolved_at="2016-03-01T10:00:00+00:00"),
            task("jira:2", status_category="done", resolved_at="2016-03-04T09:00:00+00:00"),
        ],
        "entries": [
            entry("e1", 5, "2016-03-02", task_id="jira:1"),
            entry("e2", 3, "2016-03-07", task_id="jira:2"),  # logged after the last resolution
        ],
    }


DEFAULTS = [
    pytest.param(_finished_work(), None, datetime(2016, 3, 7, tzinfo=UTC), id="done:last-worklog"),
    pytest.param(
        {"tasks": _finished_work()["tasks"]}, None,
        datetime(2016, 3, 4, 9, tzinfo=UTC), id="done:last-resolution",
    ),
    pytest.param(
        {"tasks": [*_finished_work()["tasks"], task("jira:3")]}, None, NOW, id="open-work:now"
    ),
    pytest.param(
        {"tasks": [*_finished_work()["tasks"], task("jira:3")]}, "closeout",
        datetime(2016, 3, 4, 9, tzinfo=UTC), id="closeout-phase:finish",
    ),
    pytest.param({"tasks": []}, "closeout", NOW, id="no-evidence:now"),
]  # fmt: skip


@pytest.mark.parametrize(("data", "phase", "expected"), DEFAULTS)
def test_default_as_of_is_the_finish_of_finished_work(data, phase, expected):
    assert project_as_of(frames_of(NOW, **data), NOW, phase) == expected


def test_default_as_of_never_goes_past_the_clock():
    early = datetime(2016, 3, 5, tzinfo=UTC)  # before the last worklog
    assert project_as_of(frames_of(early, **_finished_work()), early, None) == early


def test_a_project_finished_years_ago_is_judged_as_of_its_finish():
    frames = portfolio(**_finished_work(), project={"phase": "execution"})
    rules = load_rules(QUICK)
    clean = QualityReport(())
    pinned = evaluate_gate(frames, PROJECT, QUICK, rules, NOW, clean)
    settled = evaluate_gate(frames, PROJECT, QUICK, rules, NOW, clean, default_as_of=True)
    (listed,) = evaluate_portfolio(frames, QUICK, rules, NOW, clean, default_as_of=True)
    assert pinned.evaluated_at == NOW  # a pinned date is used as given
    assert settled.evaluated_at == datetime(2016, 3, 7, tzinfo=UTC)
    assert listed.evaluated_at == settled.evaluated_at
    assert listed.to_dict() == settled.to_dict()  # one rule, whichever entry point


def test_time_in_a_status_ends_when_the_item_got_done_whatever_the_changelog_order():
    # Done on Jan 3 10:00; the changelog lists a move into In Progress at the same instant
    # after the move into Done (sorted by id). Judged ten years later, the old code counted
    # ~3,650 item-days "In Progress" and made it the project's bottleneck.
    changes = [
        change("c1", "jira:1", "2016-01-01T10:00:00+00:00", "in_progress", "todo"),
        change("c2", "jira:1", "2016-01-03T10:00:00+00:00", "done", "in_progress"),
        change("c3", "jira:1", "2016-01-03T10:00:00+00:00", "in_progress", "done"),
        change("c4", "jira:2", "2016-01-01T00:00:00+00:00", "in_progress", "todo",
               to_status="Blocked"),
        change("c5", "jira:2", "2016-01-02T00:00:00+00:00", "done", "in_progress"),
        change("c6", "jira:2", "2016-01-02T00:00:00+00:00", "in_progress", "done",
               to_status="Blocked"),
    ]  # fmt: skip
    tasks = [
        task("jira:1", status_category="done", resolved_at="2016-01-03T10:00:00+00:00"),
        task("jira:2", status_category="done", resolved_at="2016-01-02T00:00:00+00:00"),
    ]
    pf = frames_of(datetime(2026, 1, 1, tzinfo=UTC), tasks=tasks, changes=changes)
    (lesson,) = bottlenecks(pf)
    assert "2.0 item-days in 'In Progress'" in lesson.detail
    blocked = check_flow(pf, ChecksSettings()).metrics["flow.blocked_days"]
    assert blocked == pytest.approx(1.0)
