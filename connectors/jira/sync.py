"""The Jira sync as steps: prepare, per project (metadata, issue pages, census), worklogs.

Each step is one unit of I/O that a flow can run as a task (one per project and per page
batch, never per issue). `run_steps` is the one sequence: `nightly_sync` runs it with each
step a Prefect task, `run_jira_sync` with plain calls (CLI, tests, benchmarks).
Data and the watermark that covers it are committed in one transaction per page batch,
so a crash at any point resumes from the last committed page and duplicates nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from config.settings import jira_part
from connectors.jira import census, metadata, pages, worklog_pages
from connectors.jira.client import JiraApi
from connectors.jira.errors import JiraError, JiraNotFoundError
from connectors.jira.http import set_label
from connectors.jira.jql import issue_fields, issues_jql
from connectors.jira.mapping_meta import map_project, map_sprint, map_version
from connectors.jira.reader import IssuePage, JiraReader, Lookahead
from connectors.jira.records import (
    CUSTOM_FIELD_ROLES,
    MappingContext,
    MappingError,
    link_type_map,
    resolve_fields,
)
from connectors.jira.run_context import ProjectRead, RunContext
from connectors.store import Warehouse
from connectors.store.plan import Cursor, Operation, Quarantine, Resolve
from connectors.sync_types import SyncSummary

if TYPE_CHECKING:
    from config.settings import JiraSettings, Settings

SOURCE = "jira"
log = logging.getLogger(__name__)
WORKLOG_STREAMS = ("updated", "deleted")
Progress = Callable[[str, dict[str, Any]], None]


class JiraSync:
    """One sync run's state; every public method is one step (one flow task)."""

    def __init__(
        self,
        settings: Settings | JiraSettings,
        warehouse: Warehouse,
        api: JiraApi,
        *,
        full: bool = False,
        projects: Sequence[str] | None = None,
        progress: Progress | None = None,
    ) -> None:
        self.settings = jira_part(settings)
        graph = getattr(settings, "graph", None)  # its e-mail aliases fold Jira's addresses too
        self.email_aliases = {
            k.strip().lower(): v.strip().lower()
            for k, v in (getattr(graph, "email_aliases", None) or {}).items()
        }
        self.warehouse = warehouse
        self.api = api
        self.full = full
        self.requested = [p.upper() for p in projects or []]
        self.progress = progress or (lambda _event, _data: None)
        self.reader = JiraReader(
            api, page_size=min(self.settings.page_size, 100), concurrency=self.settings.concurrency
        )
        self.lookahead = Lookahead()
        # the step bookkeeping; the metadata the run uses is in `self.run` (after `prepare`)
        self.reads: dict[str, ProjectRead] = {}  # this run's issue pages, per project
        self.summaries: dict[str, SyncSummary] = {}
        self.project_full: dict[str, bool] = {}
        self.finished: set[str] = set()
        self.skipped: set[str] = set()  # stored projects Jira no longer knows (this run)
        self.pending_counts: list[str] = []  # incremental projects awaiting the count check
        self.context: RunContext | None = None

    # --- bookkeeping -----------------------------------------------------------------------

    def summary(self, scope: str) -> SyncSummary:
        if scope not in self.summaries:
            self.summaries[scope] = SyncSummary(SOURCE, scope, self.full)
        return self.summaries[scope]

    def finalize(self) -> list[SyncSummary]:
        """Summaries with the request and retry counts of each scope filled in."""
        self.lookahead.close()
        self._note_unknown_link_types()
        for scope, summary in self.summaries.items():
            summary.requests, summary.retries = self.api.stats.for_label(scope)
        return list(self.summaries.values())

    def _note_unknown_link_types(self) -> None:
        """Link types this run met that are neither dependencies nor ignored: listed once,
        so a tenant's own finish-to-start type is not silently left out of the schedule."""
        unknown = self.context.mapping.unknown_link_types if self.context is not None else {}
        if unknown:
            listed = ", ".join(f"{name} ({len(ids)})" for name, ids in sorted(unknown.items()))
            self.summary("*").warnings.append(
                f"link types not treated as dependencies: {listed}; configure "
                "jira.dependency_link_types (or jira.ignored_link_types) to decide"
            )

    def _worklog_scope(self) -> str:
        """Worklog endpoints are global; a subset run keeps its own cursor so it never moves
        the cursor of the full set past worklogs of projects it didn't sync."""
        return "worklogs" if not self.requested else "worklogs:" + ",".join(sorted(self.requested))

    # --- steps -----------------------------------------------------------------------------

    def prepare(self) -> list[str]:
        """Fields (custom fields resolved by name) and the projects to sync: from the stored
        metadata when it is younger than `jira.metadata_refresh_hours`, else from Jira."""
        set_label("*")
        self.summary("*")  # the run's own scope, in the sync log even when nothing is re-read
        keys = self.requested or [p.upper() for p in self.settings.projects]
        scope = metadata.scope_of(self.requested)
        expected = metadata.fingerprint(self.settings, keys, self.api.endpoint.url)
        at_ms = metadata.now_ms()
        mark = metadata.cached(
            self.warehouse,
            scope,
            expected,
            self.settings.metadata_refresh_hours,
            full=self.full,
            at_ms=at_ms,
        )
        refreshing = mark is None
        if mark is None:
            mark = self._read_metadata(keys, scope, expected, at_ms)
        resolved = metadata.field_ids(mark)
        mapping = MappingContext(
            resolved,
            dict(self.settings.type_map),
            frozenset(self.settings.risk_types),
            account_aliases=dict(self.settings.account_aliases),
            email_aliases=self.email_aliases,
            dependency_link_types=link_type_map(self.settings.dependency_link_types),
            ignored_link_types=frozenset(t.lower() for t in self.settings.ignored_link_types),
            status_categories=dict(mark["status_categories"]),
            max_worklog_hours_per_day=self.settings.max_worklog_hours_per_day,
        )
        self.context = RunContext(
            self.warehouse,
            self.reader,
            mapping,
            list(resolved.ids.values()),
            {k: dict(v) for k, v in mark["projects"].items()},
            self.summary,
            self._worklog_scope(),
            boards={k: list(v) for k, v in mark["boards"].items()},
            refreshed_ms=int(mark["refreshed_ms"]),
            refreshing=refreshing,
        )
        self.progress("projects", {"keys": list(self.run.projects)})
        return list(self.run.projects)

    @property
    def run(self) -> RunContext:
        """The run context; the steps after `prepare` need it."""
        assert self.context is not None, "prepare() first"
        return self.context

    def _read_metadata(
        self, keys: list[str], scope: str, expected: dict[str, Any], at_ms: int
    ) -> dict[str, Any]:
        """serverInfo, fields, statuses, boards and projects from Jira, stored with the time
        read."""
        self.api.ensure_server()
        fields = self.reader.fields()
        names = {role: getattr(self.settings.fields, role) for role in CUSTOM_FIELD_ROLES}
        resolved = resolve_fields(fields, names)
        boards = self.reader.boards()
        statuses = self.reader.statuses()
        projects = {str(r["key"]).upper(): r for r in self.reader.projects(keys)}
        mark = metadata.run_metadata(at_ms, expected, resolved, projects, boards, statuses)
        plan: list[Operation] = [
            Quarantine(
                SOURCE,
                "fields",
                role,
                f"no Jira field named any of {names[role]} (config jira.fields.{role})",
                {"role": role},
            )
            for role in resolved.missing
        ]
        plan.append(Resolve(SOURCE, "fields", list(resolved.ids)))
        plan.append(Cursor(SOURCE, metadata.STREAM, scope, mark))
        self.warehouse.apply(plan)
        self.summary("*").stream("fields").add(
            fetched=len(fields), quarantined=len(resolved.missing)
        )
        return mark

    def sync_project_meta(self, key: str) -> None:
        """Sprints every run; the project row with its charter and versions -> milestones
        when the run's metadata was refreshed since they were last written."""
        set_label(key)
        run = self.run
        record = run.projects[key]
        project_id = run.project_id(key)
        sprints = self.reader.sprints(key, list(run.boards.get(key, [])))
        sprint_plan = pages.children_plan(
            "sprints", "sprint_id", project_id, sprints, lambda r: map_sprint(r, project_id)
        )
        mark = self.warehouse.get_watermark(SOURCE, metadata.STREAM, key)
        if metadata.is_fresh(mark, run.refreshed_ms):
            pages.apply_plan(run, key, sprint_plan, {})
            return
        charter = self.reader.project_property(key, self.settings.charter_property)
        versions = self.reader.versions(key)
        ctx = run.mapping
        project_plan, _rows = pages.mapped_or_quarantined(
            "projects",
            [record],
            lambda r: map_project(r, charter, ctx),
            lambda r: str(r.get("key")),
        )
        people = pages.new_people(ctx, [record.get("lead")])
        plan = [
            *project_plan,
            *pages.children_plan(
                "milestones",
                "milestone_id",
                project_id,
                versions,
                lambda r: map_version(r, project_id),
            ),
            *sprint_plan,
            *pages.people_plan(people),
            Cursor(SOURCE, metadata.STREAM, key, {"refreshed_ms": run.refreshed_ms}),
        ]
        pages.apply_plan(run, key, plan, people)

    def issue_cursor(self, key: str) -> int | None:
        """The epoch-ms cursor of a project, None for a full read (asked for, or first run)."""
        mark = None if self.full else self.warehouse.get_watermark(SOURCE, "issues", key)
        self.project_full[key] = mark is None
        return int(mark["updated_ms"]) if mark else None

    def sync_issue_page(self, key: str, since_ms: int | None, token: str | None) -> str | None:
        """One search page -> tasks, risks, links, status changes, people; returns the next token."""
        set_label(key)
        if key in self.skipped:
            return None
        offset_paged = not self.api.is_cloud
        jql = issues_jql(key, since_ms, self.settings.lookback_minutes, offset_paged=offset_paged)
        fields = issue_fields(self.run.field_ids)

        def fetch(page_token: str | None) -> IssuePage:
            return self.reader.issue_page(jql, fields, page_token, context=f"project {key} issues")

        try:
            page = self.lookahead.get(("issues", jql, token), lambda: fetch(token))
        except JiraError as exc:
            if not self._vanished_since_refresh(key, exc):
                raise
            return None
        if page.next_token:
            next_token = page.next_token
            self.lookahead.ahead(("issues", jql, next_token), lambda: fetch(next_token))
        newest = pages.apply_issue_page(self.run, key, page.issues, move_cursor=not offset_paged)
        if token is None or key not in self.reads:
            self.reads[key] = ProjectRead(since_ms, page.total, steady=token is None)
        self.reads[key].add(token, page, newest)
        if page.next_token is None:
            self._settle_cursor(key, self.reads[key], offset_paged)
        self.progress("issues", {"project": key, "count": len(page.issues)})
        return page.next_token

    def _settle_cursor(self, key: str, read: ProjectRead, offset_paged: bool) -> None:
        """After a project's last page. Offset pages (Data Center, by id) move the cursor
        only now, and only if the read was steady. Token pages (Cloud) moved it page by page,
        which keeps a crash cheap; if the read shifted, it goes back to where this read
        began, so the next run reads the window again instead of missing an issue."""
        if offset_paged:
            mark = pages.cursor_mark(self.run, key, read.newest) if read.steady else None
        elif not read.steady:
            log.warning(
                "project %s: issues moved while their pages were read; the next run reads them again",
                key,
            )
            mark = {"updated_ms": read.since_ms or 0}
        else:
            return
        if mark:
            self.warehouse.apply([Cursor(SOURCE, "issues", key, mark)])

    def finish_project(self, key: str) -> None:
        """Tombstone issues that vanished; fetch issues the cursor missed (`census`): at
        once after a full read, after the run's last project for incremental ones (one
        issue count stands for all of them)."""
        set_label(key)
        if key in self.skipped:  # gone from Jira since the stored list: nothing to check
            self.finished.add(key)
        elif self.project_full.get(key):
            census.settle_full_read(self.run, key, self.reads.get(key))
        elif key not in self.pending_counts:
            self.pending_counts.append(key)
        self.finished.add(key)
        if self.finished >= set(self.run.projects) and self.pending_counts:
            self._check_counts()

    def _check_counts(self) -> None:
        """One count for all pending projects; each project on its own when the total
        differs (or on a refresh run). A project leaves the list once checked, so a retried
        step checks only the rest."""
        keys = list(self.pending_counts)
        if len(keys) > 1 and not self.run.refreshing:
            set_label("*")
            if census.counts_agree(self.run, keys):
                self.pending_counts.clear()
                return
        for key in keys:
            set_label(key)
            census.count_or_census(self.run, key)
            self.pending_counts.remove(key)

    def _vanished_since_refresh(self, key: str, exc: JiraError) -> bool:
        """A project from the stored list that Jira no longer knows (JQL answers 400/404):
        the stored metadata is expired so the next run re-reads the list, and the project
        is left out of this run, as a listing without it would have done. A configured
        project that is gone stays an error naming it (`JiraNotFoundError`)."""
        if self.run.refreshing or exc.status not in (400, 404):
            return False
        try:
            self.reader.project(key)
        except JiraNotFoundError:
            scope = metadata.scope_of(self.requested)
            self.warehouse.apply([Cursor(SOURCE, metadata.STREAM, scope, {"refreshed_ms": 0})])
            if key in {k.upper() for k in self.requested or self.settings.projects}:
                raise
            self.skipped.add(key)
            return True
        return False  # the project is there: the error is the query's own

    def retry_quarantined_worklogs(self) -> None:
        """Worklogs held back for a missing issue, once their issue has arrived."""
        set_label(self.run.worklog_scope)
        worklog_pages.retry_quarantined(self.run)

    def worklog_cursor(self, stream: str) -> int:
        mark = (
            None
            if self.full
            else self.warehouse.get_watermark(SOURCE, f"worklogs_{stream}", self.run.worklog_scope)
        )
        return int(mark["since"]) if mark else 0

    def sync_worklog_page(self, stream: str, since: int) -> int | None:
        """One page of `worklog/updated` (details via `worklog/list`) or `worklog/deleted`."""
        set_label(self.run.worklog_scope)
        page = self.lookahead.get(
            ("worklogs", stream, since), lambda: self.reader.since_page(stream, since)
        )
        if page.next_since is not None:
            following = page.next_since
            self.lookahead.ahead(
                ("worklogs", stream, following), lambda: self.reader.since_page(stream, following)
            )
        if stream == "updated":
            worklog_pages.apply_worklog_page(self.run, page)
        else:
            worklog_pages.apply_deleted_page(self.run, page)
        self.progress("worklogs", {"stream": stream, "count": len(page.values)})
        return page.next_since


class StepProgress(Protocol):
    """Told how many steps the run has (projects plus the worklogs) and when each is done."""

    total: int

    def step(self) -> None: ...


@dataclass(frozen=True)
class Steps:
    """How each step is called: directly (CLI, tests, benchmarks) or, in `nightly_sync`, as
    a Prefect task with retries. The sequence itself is `run_steps`, for both."""

    prepare: Callable[[JiraSync], list[str]] = JiraSync.prepare
    project_meta: Callable[[JiraSync, str], None] = JiraSync.sync_project_meta
    issue_page: Callable[[JiraSync, str, int | None, str | None], str | None] = (
        JiraSync.sync_issue_page
    )
    finish_project: Callable[[JiraSync, str], None] = JiraSync.finish_project
    retry_worklogs: Callable[[JiraSync], None] = JiraSync.retry_quarantined_worklogs
    worklog_page: Callable[[JiraSync, str, int], int | None] = JiraSync.sync_worklog_page


def run_steps(sync: JiraSync, steps: Steps = Steps(), progress: StepProgress | None = None) -> None:
    """The one Jira step sequence: per project metadata, issue pages and the census, then
    quarantined worklogs and the two worklog streams."""
    keys = steps.prepare(sync)
    if progress is not None:
        progress.total = len(keys) + 1
    for key in keys:
        steps.project_meta(sync, key)
        since = sync.issue_cursor(key)
        token = steps.issue_page(sync, key, since, None)
        while token:
            token = steps.issue_page(sync, key, since, token)
        steps.finish_project(sync, key)
        sync.progress("project_done", {"project": key})
        if progress is not None:
            progress.step()
    steps.retry_worklogs(sync)
    for stream in WORKLOG_STREAMS:
        cursor: int | None = sync.worklog_cursor(stream)
        while cursor is not None:
            cursor = steps.worklog_page(sync, stream, cursor)
    if progress is not None:
        progress.step()


def run_jira_sync(
    settings: Settings | JiraSettings,
    warehouse: Warehouse,
    api: JiraApi,
    *,
    full: bool = False,
    projects: Sequence[str] | None = None,
    progress: Progress | None = None,
) -> list[SyncSummary]:
    """The whole sync in one process: `run_steps` with each step called directly."""
    sync = JiraSync(settings, warehouse, api, full=full, projects=projects, progress=progress)
    try:
        run_steps(sync)
    finally:
        sync.lookahead.close()  # a failed run leaves no fetch running behind it
    return sync.finalize()


__all__ = ["JiraSync", "MappingError", "Steps", "run_jira_sync", "run_steps"]
