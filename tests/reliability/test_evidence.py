"""What counts as evidence (issue 12, point 1): the data version and the checks read what the
sources say about the work, not when a record was last touched, and not the product's own
follow-ups. The product's posts move exactly these things on the next sync."""

from __future__ import annotations

from datetime import UTC, datetime

import pandas as pd
import pytest

from checks.evaluation.evaluate import evaluate_closeout, evaluate_gate
from checks.evaluation.own_posts import FOLLOWUP_LABEL
from checks.model import QualityReport, QualityResult, Severity
from config.lifecycle import load_rules
from config.settings import Settings
from flows.publishing import fingerprint, followup_key
from sandbox.synthetic_frames import Problems, synthetic_portfolio_with_manifest

AS_OF = datetime(2026, 11, 27, 6, 0, tzinfo=UTC)
CLEAN = QualityReport((QualityResult("tasks", "task_id_unique", Severity.CRITICAL, True, 0, 1),))


@pytest.fixture(scope="module")
def frames() -> dict[str, pd.DataFrame]:
    portfolio, _ = synthetic_portfolio_with_manifest(4, 40, 4, 11, AS_OF, Problems(late=1))
    return portfolio


def _project(frames: dict[str, pd.DataFrame]) -> str:
    return str(sorted(frames["projects"]["project_id"])[0])


def _gate(frames: dict[str, pd.DataFrame]):
    return evaluate_gate(frames, _project(frames), Settings(), load_rules(Settings()), AS_OF, CLEAN)


def _touched(frames: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """What commenting on every issue does: `updated` moves, and the sync rewrites the rows."""
    later = pd.Timestamp(AS_OF) + pd.Timedelta(minutes=5)
    out = dict(frames)
    for name in ("tasks", "risks", "time_entries", "projects"):
        out[name] = frames[name].assign(updated_at=later, synced_at=later)
    return out


def test_touching_records_keeps_the_data_version(frames: dict[str, pd.DataFrame]) -> None:
    assert _gate(_touched(frames)).data_version == _gate(frames).data_version


def test_a_real_change_of_the_work_changes_it(frames: dict[str, pd.DataFrame]) -> None:
    tasks = frames["tasks"].copy()
    row = tasks.index[tasks["project_id"] == _project(frames)][0]
    tasks.loc[row, "remaining_hours"] = float(tasks.loc[row, "remaining_hours"] or 0) + 8
    assert _gate({**frames, "tasks": tasks}).data_version != _gate(frames).data_version


def _with_followup(frames: dict[str, pd.DataFrame], pid: str) -> dict[str, pd.DataFrame]:
    """A follow-up issue the closeout created, as the next sync stores it: open, labelled."""
    tasks = frames["tasks"]
    model = tasks[tasks["project_id"] == pid].iloc[[0]].reset_index(drop=True)
    values = {"task_id": "jira:999999", "key": "FOLLOW-1", "status": "To Do",
              "status_category": "todo", "task_type": "task", "resolved_at": pd.NaT}  # fmt: skip
    for column, value in values.items():
        model.loc[0, column] = value  # in place: the column keeps its dtype
    model.at[0, "labels"] = [FOLLOWUP_LABEL, "pmo-0123456789abcdef"]
    return {**frames, "tasks": pd.concat([tasks, model], ignore_index=True)}


def test_the_products_own_followups_are_not_project_work(frames: dict[str, pd.DataFrame]) -> None:
    pid = _project(frames)
    rules = load_rules(Settings())
    before = evaluate_closeout(frames, pid, Settings(), rules, AS_OF, CLEAN)
    after = evaluate_closeout(_with_followup(frames, pid), pid, Settings(), rules, AS_OF, CLEAN)
    assert after.metrics["closeout.open_work_items"] == before.metrics["closeout.open_work_items"]
    assert after.data_version == before.data_version
    assert fingerprint(after.to_dict(), "criteria") == fingerprint(before.to_dict(), "criteria")


def test_the_fingerprint_follows_results_not_values() -> None:
    doc = {"decision": "Go", "data_version": "a",
           "criteria": [{"id": "spi", "value": 0.95, "result": "pass"}]}  # fmt: skip
    drifted = {
        **doc,
        "data_version": "b",
        "criteria": [{"id": "spi", "value": 0.97, "result": "pass"}],
    }
    failed = {**doc, "criteria": [{"id": "spi", "value": 0.7, "result": "fail"}]}
    assert fingerprint(drifted, "criteria") == fingerprint(doc, "criteria")
    assert fingerprint(failed, "criteria") != fingerprint(doc, "criteria")
    assert fingerprint(drifted, "data") != fingerprint(doc, "data")  # the other policy


def test_a_lesson_found_again_with_new_figures_is_one_followup() -> None:
    slip = {"category": "slip", "title": "ABC-12 slipped 12 days past its due date"}
    assert followup_key("ABC", slip) == followup_key(
        "ABC", {**slip, "title": "ABC-12 slipped 15 days past its due date"}
    )
    assert followup_key("ABC", slip) != followup_key(
        "ABC", {**slip, "title": "ABC-13 slipped 12 days past its due date"}
    )
