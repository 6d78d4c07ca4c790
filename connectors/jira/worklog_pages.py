"""Worklog pages: `worklog/updated` ids -> details of the changed ones via `worklog/list`
(never per issue), `worklog/deleted` -> tombstones; each page commits with its cursor.

A worklog whose issue the warehouse doesn't hold (the issue is quarantined, invisible, or
not synced yet) is quarantined, never dropped; it is read again once its issue arrives.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from connectors.jira.mapping import map_worklog
from connectors.jira.pages import SOURCE, _count, upsert_people
from connectors.jira.reader import SincePage
from connectors.jira.records import MappingError
from connectors.jira.run_context import RunContext
from connectors.store import WarehouseTransaction
from connectors.store.jira_queries import quarantined_raws, updated_ms

STREAM = "time_entries"


def apply_worklog_page(run: RunContext, page: SincePage) -> None:
    stamps = {f"jira:worklog:{v['worklogId']}": int(v["updatedTime"]) for v in page.values}
    known = updated_ms(run.warehouse, STREAM, "entry_id", list(stamps))
    need = [int(k.rsplit(":", 1)[1]) for k, stamp in stamps.items() if known.get(k) != stamp]
    with run.warehouse.transaction() as txn:
        _store(run, txn, run.reader.worklogs(need))
        since = page.next_since if page.next_since is not None else page.until
        txn.set_watermark(SOURCE, "worklogs_updated", run.worklog_scope, {"since": since})


def _store(
    run: RunContext, txn: WarehouseTransaction, details: Sequence[Mapping[str, Any]]
) -> None:
    ctx, summary = run.mapping, run.summary(run.worklog_scope)
    projects = run.task_projects()
    in_run = {run.project_id(key) for key in run.projects}
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
            rows.append(map_worklog(record, ctx, project_id))
        except MappingError as exc:
            raw_id = str(record.get("id"))
            txn.quarantine(SOURCE, STREAM, raw_id, str(exc), {"id": raw_id, "issueId": issue_id})
            bad += 1
    _count(summary, STREAM, txn.upsert(STREAM, rows), len(details), bad)
    txn.resolve_quarantine(SOURCE, STREAM, [r["entry_id"].rsplit(":", 1)[1] for r in rows])
    upsert_people(txn, summary, ctx, [w.get("author") for w in details])
    summary.stream("worklogs_other_projects").add(fetched=outside)


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
        with run.warehouse.transaction() as txn:
            _store(run, txn, run.reader.worklogs(ids))


def apply_deleted_page(run: RunContext, page: SincePage) -> None:
    summary = run.summary(run.worklog_scope)
    ids = [f"jira:worklog:{v['worklogId']}" for v in page.values]
    with run.warehouse.transaction() as txn:
        summary.stream(STREAM).add(deleted=txn.tombstone(STREAM, ids))
        since = page.next_since if page.next_since is not None else page.until
        txn.set_watermark(SOURCE, "worklogs_deleted", run.worklog_scope, {"since": since})
