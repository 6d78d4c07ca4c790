"""The publishing rules of `flows.publishing`, on in-memory fakes (`tests/fakes`): no sandbox,
no database, no Prefect. Each test runs in milliseconds; the same rules are exercised end to
end against the sandbox in tests/flows and tests/reliability."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from checks.model import CriterionOutcome, CriterionResult, Decision, Evaluation
from config.settings import JiraIssueTarget, PublishTarget, SecretRef, Settings
from connectors.resilience import OutcomeUnknownError
from flows.publishing import PROPERTY_KEY, PublishError, publish_closeout, publish_gate_review
from flows.steps import Judged
from tests.fakes.store import Fakes, FakeStore, fake_runtime

WEBHOOK_ENV = "PMO_FAKE_TEAMS_WEBHOOK"


def _target(**extra: Any) -> PublishTarget:
    return PublishTarget(
        jira_target=JiraIssueTarget(issue="PMO-1"),
        teams_webhook=SecretRef(env=WEBHOOK_ENV),
        sharepoint_drive="drive-1",
        **extra,
    )


def _settings(republish_on: str = "criteria", followups: str = "jira") -> Settings:
    closeout = _target(
        mail_from="pmo@contoso.example",
        mail_to=["leadership@contoso.example"],
        followups=followups,
        followup_plan="plan-1",
    )
    return Settings.model_validate(
        {
            "jira": {"url": "https://jira.test"},
            "graph": {"base_url": "https://graph.test"},
            "publish": {
                "republish_on": republish_on,
                "gate_review": _target(),
                "closeout": closeout,
            },
        }
    )


@pytest.fixture(autouse=True)
def _webhook(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(WEBHOOK_ENV, "https://webhook.test/card")


def _criterion(result: CriterionResult, value: float) -> CriterionOutcome:
    return CriterionOutcome(
        "C1", "Open critical defects", "defects.open_critical", value, 0.0, "<=", True, 1.0, result
    )


def _judged(
    tmp_path: Path,
    *,
    data_version: str = "v1",
    decision: Decision = Decision.GO,
    result: CriterionResult = CriterionResult.PASS,
    value: float = 0.0,
    kind: str = "gate_review",
    project: str = "ABC",
    lessons: list[dict[str, Any]] | None = None,
) -> Judged:
    evaluation = Evaluation(
        kind=kind,
        project_id=f"jira:{project}",
        project_key=project,
        project_name=f"Project {project}",
        phase="planning" if kind == "gate_review" else "closing",
        decision=decision,
        rationale="test",
        criteria=(_criterion(result, value),),
        findings=(),
        data_quality={},
        metrics={},
        forecast=None,
        data_version=data_version,
        evaluated_at=datetime(2026, 12, 1, tzinfo=UTC),
        closeout={"lessons": lessons or []} if kind == "closeout" else None,
    )
    document = evaluation.to_dict()
    path = tmp_path / f"{kind}-{project}-{data_version}.html"
    return Judged(evaluation, document, path, f"<html>{data_version}</html>")


def _fakes(tmp_path: Path, store: FakeStore | None = None, **settings: Any) -> Fakes:
    return fake_runtime(_settings(**settings), tmp_path / "reports", store)


def _gate(fakes: Fakes, judged: Judged) -> dict[str, Any]:
    return publish_gate_review.fn(fakes.runtime, judged, None)


ALL_TARGETS = ["comment", "attachment", "file", "teams_card", "property"]


def test_a_gate_review_is_published_once_to_every_target(tmp_path: Path) -> None:
    fakes = _fakes(tmp_path)
    first = _gate(fakes, _judged(tmp_path))
    assert sorted(fakes.jira.kinds() + fakes.m365.kinds()) == sorted(ALL_TARGETS)
    assert first["failed"] == {} and first["report_url"]

    again = _gate(fakes, _judged(tmp_path))  # a re-run of the same evaluation
    assert len(fakes.jira.posts) + len(fakes.m365.posts) == len(ALL_TARGETS)
    assert again["done"] == first["done"]  # the earlier ids, from the ledger


def test_new_data_with_the_same_decision_and_results_is_not_published_again(
    tmp_path: Path,
) -> None:
    fakes = _fakes(tmp_path)
    _gate(fakes, _judged(tmp_path, data_version="v1", value=0.0))
    _gate(fakes, _judged(tmp_path, data_version="v2", value=0.0))
    assert len(fakes.jira.posts) + len(fakes.m365.posts) == len(ALL_TARGETS)


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"decision": Decision.HOLD}, "decision changed"),
        ({"result": CriterionResult.FAIL, "value": 2.0}, "a criterion's result changed"),
    ],
)
def test_a_changed_decision_or_result_is_published_again(
    tmp_path: Path, change: dict[str, Any], expected: str
) -> None:
    fakes = _fakes(tmp_path)
    _gate(fakes, _judged(tmp_path, data_version="v1"))
    _gate(fakes, _judged(tmp_path, data_version="v2", **change))
    comments = [p for p in fakes.jira.posts if p.kind == "comment"]
    assert len(comments) == 2, expected
    assert [p.key for p in comments] == [
        "gate:ABC:planning:v1:jira_comment",
        "gate:ABC:planning:v2:jira_comment",
    ]


def test_republish_on_data_publishes_every_new_data_version(tmp_path: Path) -> None:
    fakes = _fakes(tmp_path, republish_on="data")
    _gate(fakes, _judged(tmp_path, data_version="v1"))
    _gate(fakes, _judged(tmp_path, data_version="v2"))
    assert fakes.jira.kinds().count("comment") == 2


def test_a_key_the_ledger_has_done_is_not_posted(tmp_path: Path) -> None:
    fakes = _fakes(tmp_path)
    fakes.store.publications.mark_done(
        "gate:ABC:planning:v1:jira_comment", "jira:PMO-1:comment", "comment-77"
    )
    published = _gate(fakes, _judged(tmp_path))
    assert "comment" not in fakes.jira.kinds()
    assert published["done"]["jira_comment"] == "comment-77"


def test_a_card_whose_outcome_is_unknown_is_not_sent_again(tmp_path: Path) -> None:
    fakes = _fakes(tmp_path)
    fakes.m365.fail["teams_card"] = OutcomeUnknownError("timed out after sending")
    first = _gate(fakes, _judged(tmp_path))  # no PublishError: unknown is not failed
    assert "teams_card" in first["unknown"] and first["failed"] == {}
    assert fakes.store.publications.rows["gate:ABC:planning:v1:teams_card"].status == "unknown"

    second = _gate(fakes, _judged(tmp_path))
    assert "teams_card" not in fakes.m365.kinds()  # never sent by a later run either
    assert "teams_card" in second["skipped"]


def test_a_failed_target_fails_the_run_and_a_re_run_completes_it(tmp_path: Path) -> None:
    fakes = _fakes(tmp_path)
    fakes.jira.fail["attachment"] = RuntimeError("HTTP 500")
    with pytest.raises(PublishError, match="jira_attachment"):
        _gate(fakes, _judged(tmp_path))
    # the others went out; the property (the record of what was delivered) waits
    assert sorted(fakes.jira.kinds() + fakes.m365.kinds()) == ["comment", "file", "teams_card"]

    _gate(fakes, _judged(tmp_path))
    assert sorted(fakes.jira.kinds() + fakes.m365.kinds()) == sorted(ALL_TARGETS)


def test_a_fresh_warehouse_learns_the_last_publication_from_jira(tmp_path: Path) -> None:
    fakes = _fakes(tmp_path)
    _gate(fakes, _judged(tmp_path, data_version="v1"))
    recorded = fakes.jira.properties[("PMO-1", PROPERTY_KEY)]
    assert isinstance(recorded, dict) and recorded["publication"] == "gate:ABC:planning:v1"

    # the warehouse is rebuilt: a new, empty ledger; Jira and Teams keep what they have
    rebuilt = FakeStore()
    fakes.jira.ledger = fakes.m365.ledger = rebuilt.publications
    fakes.runtime.warehouse = rebuilt
    posts = len(fakes.jira.posts) + len(fakes.m365.posts)
    _gate(fakes, _judged(tmp_path, data_version="v2"))  # same decision and results
    # nothing posted again: not the comment, nor the report under its new file name
    assert len(fakes.jira.posts) + len(fakes.m365.posts) == posts
    # the webhook card, which can't be looked up, was adopted from the Jira record
    card = rebuilt.publications.rows["gate:ABC:planning:v1:teams_card"]
    assert card.status == "done" and card.external_id == "adopted"


LESSON = {"category": "schedule", "title": "Design slipped 12 days", "action": "Plan buffers"}


def _closeout(fakes: Fakes, judged: Judged) -> dict[str, Any]:
    return publish_closeout.fn(fakes.runtime, judged)


def test_a_lesson_found_again_with_new_figures_is_one_followup(tmp_path: Path) -> None:
    fakes = _fakes(tmp_path)
    _closeout(fakes, _judged(tmp_path, kind="closeout", lessons=[LESSON]))
    # a new evaluation (the decision changed): published again, but the lesson is the same
    again = {**LESSON, "title": "Design slipped 14 days"}
    judged = _judged(
        tmp_path, kind="closeout", data_version="v2", decision=Decision.HOLD, lessons=[again]
    )
    published = _closeout(fakes, judged)
    assert fakes.jira.kinds().count("comment") == 2
    assert fakes.jira.kinds().count("issue") == 1
    assert published["done"]["followup_0"] == "ABC-101"
    # the follow-up is named in leadership's mail of both publications
    assert fakes.m365.kinds().count("mail") == 2


def test_the_same_lesson_in_another_project_is_its_own_followup(tmp_path: Path) -> None:
    fakes = _fakes(tmp_path)
    _closeout(fakes, _judged(tmp_path, kind="closeout", project="ABC", lessons=[LESSON]))
    _closeout(fakes, _judged(tmp_path, kind="closeout", project="XYZ", lessons=[LESSON]))
    assert sorted(fakes.jira.created.values()) == ["ABC-101", "XYZ-102"]


def test_planner_followups_go_to_the_plan_once(tmp_path: Path) -> None:
    fakes = _fakes(tmp_path, followups="planner")
    lessons = [LESSON, {"category": "cost", "title": "Licences bought twice", "action": "Audit"}]
    _closeout(fakes, _judged(tmp_path, kind="closeout", lessons=lessons))
    _closeout(fakes, _judged(tmp_path, kind="closeout", lessons=lessons))
    assert fakes.m365.kinds().count("planner_task") == 2
    assert "issue" not in fakes.jira.kinds()
