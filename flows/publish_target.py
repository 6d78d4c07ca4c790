"""Where in Jira an evaluation is published: a pure decision from config, no I/O.

Order: the request issue that asked for the review; else `projects.<KEY>.jira_target`;
else `publish.<kind>.jira_target`; else nowhere in Jira, with the reason. Never "some epic of
the project": an arbitrary open epic from years ago is not where anyone reads a gate review.
`flows.publishing` carries the decision out (searches a JQL target, creates a `create_in`
issue once) and reports it under `published.jira_target`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from pydantic import ValidationError

from config.settings import ConfigError, JiraIssueTarget, Settings

Kind = Literal["gate_review", "closeout"]


@dataclass(frozen=True)
class JiraTargetChoice:
    """`how`: request | issue | jql | create | none. `value`: the issue key, the JQL or the
    project to create in (placeholders filled). `origin`: the config key (or "request")."""

    how: str
    value: str | None
    origin: str
    issue_type: str | None = None
    summary: str | None = None
    reason: str | None = None

    def as_dict(self) -> dict[str, Any]:
        out = {"how": self.how, "value": self.value, "from": self.origin}
        return out | ({"reason": self.reason} if self.reason else {})


def choose_jira_target(
    settings: Settings,
    project_key: str,
    phase: str | None,
    kind: Kind,
    request_issue: str | None = None,
) -> JiraTargetChoice:
    if request_issue:
        return JiraTargetChoice("request", request_issue, "request issue")
    if not settings.jira.enabled:
        return JiraTargetChoice("none", None, "jira.enabled", reason="Jira is disabled")
    where, target = _configured(settings, project_key, kind)
    if target is None:
        reason = (
            f"no request issue and no Jira target configured for {project_key} "
            f"(projects.{project_key}.jira_target or publish.{kind}.jira_target)"
        )
        return JiraTargetChoice("none", None, where, reason=reason)

    def fill(text: str) -> str:  # plain replacement: a JQL may hold braces of its own
        return text.replace("{project}", project_key).replace("{phase}", phase or "")

    summary = fill(target.summary)
    if target.issue:
        return JiraTargetChoice("issue", fill(target.issue), where)
    if target.jql:
        return JiraTargetChoice("jql", fill(target.jql), where)
    return JiraTargetChoice(
        "create", str(target.create_in), where, issue_type=target.issue_type, summary=summary
    )


def _configured(
    settings: Settings, project_key: str, kind: Kind
) -> tuple[str, JiraIssueTarget | None]:
    entry = settings.projects.get(project_key) or {}
    raw = entry.get("jira_target") if isinstance(entry, dict) else None
    if raw is not None:
        where = f"projects.{project_key}.jira_target"
        try:
            return where, JiraIssueTarget.model_validate(raw)
        except ValidationError as exc:
            problems = "; ".join(e["msg"] for e in exc.errors())
            raise ConfigError(f"{where}: {problems}") from None
    return f"publish.{kind}.jira_target", getattr(settings.publish, kind).jira_target
