"""What one Jira run's page steps need, passed explicitly.

`pages`, `census` and `worklog_pages` take a `RunContext` (the warehouse, the reader, the
mapping context, the run's projects, where counts go) instead of the `JiraSync` that owns
it: none of them imports the sync or reaches into its attributes, and what a step can touch
is written in one place.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from connectors.jira.reader import IssuePage, JiraReader
from connectors.jira.records import MappingContext
from connectors.store import Warehouse
from connectors.store.jira_queries import task_projects
from connectors.sync_types import SyncSummary


@dataclass
class ProjectRead:
    """One project's issue pages in this run, watched for shifts.

    Pages are positions in a result set; if the set changes under the read, the later pages
    shift and an issue can be skipped. Two signs of that: an issue on two different pages
    (Cloud orders by `updated`, so an issue edited mid-read moves to the end and comes
    again), or a match count that changed between pages (Data Center's `total`, where the
    order is by id and only creations and deletions shift it).
    """

    since_ms: int | None
    total: int | None
    steady: bool = True
    newest: int | None = None
    # issue id -> the token of its page; the keys are every issue this read saw
    page_of: dict[str, str | None] = field(default_factory=dict)

    def add(self, token: str | None, page: IssuePage, newest: int | None) -> None:
        for issue in page.issues:  # a retried page has the same token: not a shift
            if self.page_of.setdefault(str(issue.get("id")), token) != token:
                self.steady = False
        self.steady = self.steady and page.total == self.total
        if newest is not None:
            self.newest = newest if self.newest is None else max(self.newest, newest)


@dataclass
class RunContext:
    """The run's state after `JiraSync.prepare`: the metadata it uses and the seams of the
    page steps. The one copy: the sync's steps read it here too."""

    warehouse: Warehouse
    reader: JiraReader
    mapping: MappingContext
    field_ids: list[str]
    projects: Mapping[str, Mapping[str, Any]]  # project key -> Jira's project record
    summary: Callable[[str], SyncSummary]  # the counts of a scope (a project key, worklogs)
    worklog_scope: str
    boards: Mapping[str, list[dict[str, Any]]] = field(default_factory=dict)  # by project key
    refreshed_ms: int = 0  # when the metadata this run uses was read
    refreshing: bool = False  # the metadata was re-read from Jira this run
    _task_projects: dict[str, str] | None = field(default=None, repr=False)

    def project_id(self, key: str) -> str:
        return f"jira:{self.projects[key]['id']}"

    def task_projects(self) -> dict[str, str]:
        """task id -> project id of every live Jira task, read once per run (first asked
        by the worklog steps, after the issue streams)."""
        if self._task_projects is None:
            self._task_projects = task_projects(self.warehouse)
        return self._task_projects
