"""Worklog pages: `worklog/updated` ids -> details of the changed ones via `worklog/list`
(never per issue), `worklog/deleted` -> tombstones; each page is one write plan, committed
with its cursor.

A worklog whose issue the warehouse doesn't hold (the issue is quarantined, invisible, or
not synced yet) is quarantined, never dropped; it is read again once its issue arrives.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from connectors.jira.mapping import map_worklog
from connectors.jira.mapping_meta import map_person
from connectors.jira.pages import SOURCE, apply_plan, new_people
from connectors.jira.reader import SincePage
from connectors.jira.records import MappingError, Person
from connectors.jira.run_context import RunContext
from connectors.store.jira_queries import quarantined_raws, updated_ms
from connectors.store.plan import (
    Cursor,
    Operation,
    Quarantine,
    Resolve,
    Tombstone,
    Upsert,
)

STREAM = "time_entries"


def apply_worklog_page(run: RunContext, page: SincePage) -> None:
    stamps = {f"jira:worklog:{v['worklogId']}": int(v["updatedTime"]) for v in page.values}
    known = updated_ms(run.warehouse, STREAM, "entry_id", list(stamps))
    need = [int(k.rsplit(":", 1)[1]) for k, stamp in stamps.items() if known.get(k) != stamp]
    plan, outside, people = _details_plan(run, run.reader.worklogs(need))
    since = page.next_since if page.next_since is not None else page.until
    plan.append(Cursor(SOURCE, "worklogs_updated", run.worklog_scope, {"since": since}))
    _apply(run, plan, outside, people)


def _details_plan(
    run: RunContext, details: Sequence[Mapping[str, Any]]
) -> tuple[list[Operation], int, dict[str, Person]]:
    """Worklog details -> quarantine, upsert, resolve and new people (no I/O); also how many
    belong to known projects this (subset) run doesn't sync, and the people to mark."""
    projects = run.task_projects()
    in_run = {run.project_id(key) for key in run.projects}
    plan: list[Operation] = []
    rows, bad, outside = [], 0, 0
    for record in details:
        issue_id = record.get("issueId")
        project_id = projects.get(f"jira:{issue_id}")
        if project_id is not None and project_id not in in_run:
            outside += 1  # a known project this (subset) run doesn't sync: its own run will
            continue
        try:
            if project_id is None:
                raise MappingError(
                    f"issue {issue_id} is not in the warehouse (quarantined, not visible, "
                    "or in a project that is not synced)"
                )
            rows.append(map_worklog(record, run.mapping, project_id))
        except MappingError as exc:
            raw_id = str(record.get("id"))
            plan.append(
                Quarantine(SOURCE, STREAM, raw_id, str(exc), {"id": raw_id, "issueId": issue_id})
            )
            bad += 1
    plan.append(Upsert(STREAM, rows, fetched=len(details), quarantined=bad))
    plan.append(Resolve(SOURCE, STREAM, [r["entry_id"].rsplit(":", 1)[1] for r in rows]))
    people = new_people(run.mapping, [w.get("author") for w in details])
    if people:
        plan.append(Upsert("people", [map_person(p) for p in people.values()]))
    return plan, outside, people


def _apply(
    run: RunContext, plan: list[Operation], outside: int, people: Mapping[str, Person]
) -> None:
    apply_plan(run, run.worklog_scope, plan, people)
    run.summary(run.worklog_scope).stream("worklogs_other_projects").add(fetched=outside)


def retry_quarantined(run: RunContext) -> None:
    """Worklogs quarantined for a missing issue whose issue is now here: read them again."""
    raws = quarantined_raws(run.warehouse, STREAM)
    projects = run.task_projects()
    ids = [
        int(r["id"])
        for r in raws
        if str(r.get("id", "")).isdigit() and f"jira:{r.get('issueId')}" in projects
    ]
    if ids:
        plan, outside, people = _details_plan(run, run.reader.worklogs(ids))
        _apply(run, plan, outside, people)


def apply_deleted_page(run: RunContext, page: SincePage) -> None:
    ids = [f"jira:worklog:{v['worklogId']}" for v in page.values]
    since = page.next_since if page.next_since is not None else page.until
    plan: list[Operation] = [
        Tombstone(STREAM, ids),
        Cursor(SOURCE, "worklogs_deleted", run.worklog_scope, {"since": since}),
    ]
    apply_plan(run, run.worklog_scope, plan, {})
