"""Where an evaluation goes in Jira (issue 11, point 8): decided from config alone, in a
documented order, and never "the project's first epic"."""

from __future__ import annotations

import pytest

from config.settings import ConfigError, JiraIssueTarget, PublishSettings, PublishTarget, Settings
from flows.publish_target import choose_jira_target


def settings(projects: dict | None = None, default: JiraIssueTarget | None = None) -> Settings:
    publish = PublishSettings(gate_review=PublishTarget(jira_target=default))
    return Settings(projects=projects or {}, publish=publish)


def test_without_request_or_config_nothing_is_posted_and_the_reason_names_the_settings() -> None:
    choice = choose_jira_target(settings(), "ABC", "execution", "gate_review")
    assert (choice.how, choice.value) == ("none", None)
    assert "projects.ABC.jira_target" in str(choice.reason)
    assert "publish.gate_review.jira_target" in str(choice.reason)


def test_request_beats_project_beats_default() -> None:
    default = JiraIssueTarget(create_in="PMO")
    project = {"ABC": {"jira_target": {"jql": "project = {project} AND labels = gate-{phase}"}}}
    both = settings(project, default)
    assert choose_jira_target(both, "ABC", "planning", "gate_review", "PMO-9").as_dict() == {
        "how": "request",
        "value": "PMO-9",
        "from": "request issue",
    }
    chosen = choose_jira_target(both, "ABC", "planning", "gate_review")
    assert (chosen.how, chosen.value, chosen.origin) == (
        "jql",
        "project = ABC AND labels = gate-planning",
        "projects.ABC.jira_target",
    )
    other = choose_jira_target(both, "XYZ", "planning", "gate_review")
    assert (other.how, other.value, other.summary) == (
        "create",
        "PMO",
        "PMO evaluation: XYZ planning",
    )
    assert other.origin == "publish.gate_review.jira_target"
    # closeout has its own default (none here)
    assert choose_jira_target(both, "XYZ", "closeout", "closeout").how == "none"


def test_a_named_issue_and_bad_targets() -> None:
    named = settings({"ABC": {"jira_target": {"issue": "ABC-12"}}})
    assert choose_jira_target(named, "ABC", None, "gate_review").value == "ABC-12"
    with pytest.raises(ConfigError, match=r"projects\.ABC\.jira_target: .*exactly one"):
        choose_jira_target(
            settings({"ABC": {"jira_target": {"issue": "ABC-1", "jql": "x"}}}),
            "ABC",
            None,
            "closeout",
        )
    with pytest.raises(ValueError, match="exactly one"):
        JiraIssueTarget()
