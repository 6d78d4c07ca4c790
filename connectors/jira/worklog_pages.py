"""Worklog pages: `worklog/updated` ids -> details of the changed ones via `worklog/list`
(never per issue), `worklog/deleted` -> tombstones; each page commits with its cursor.

A worklog whose issue the warehouse doesn't hold (the issue is quarantined, invisible, or
not synced yet) is quarantined, never dropped; it is read again once its issue arrives.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from connectors.jira.mapping import map_worklog
from connectors.jira.pages import SOURCE, _count, upsert_people
from connectors.jira.reader import SincePage
from connectors.jira.records import MappingError
from connectors.jira.store_ops import task_projects, updated_ms
from connectors.store import WarehouseTransaction
from connectors.store.tables import QUARANTINE

if TYPE_CHECKING:
    from connectors.jira.sync import JiraSync

STREAM = "time_entries"


def _issue_projects(sync: JiraSync) -> dict[str, str]:
    """task id -> project id, read once per run (after the issue streams)."""
    cache = sync.__dict__.setdefault("_task_projects", None)
    if cache is None:
        cache = sync.__dict__["_task_projects"] = task_projects(sync.warehouse)
    return cache


def apply_worklog_page(sync: JiraSync, page: SincePage) -> None:
    stamps = {f"jira:worklog:{v['worklogId']}": int(v["updatedTime"]) for v in page.values}
    known = updated_ms(sync.warehouse, STREAM, "entry_id", list(stamps))
    need = [int(k.rsplit(":", 1)[1]) for k, stamp in stamps.items() if known.get(k) != stamp]
    with sync.warehouse.transaction() as txn:
        _store(sync, txn, sync.reader.worklogs(need))
        since = page.next_since if page.next_since is not None else page.until
        txn.set_watermark(SOURCE, "worklogs_updated", sync.worklog_scope, {"since": since})


def _store(sync: JiraSync, txn: WarehouseTransaction, details: Sequence[Mapping[str, Any]]) -> None:
    ctx, summary = sync.ctx, sync.summary(sync.worklog_scope)
    assert ctx is not None
    projects = _issue_projects(sync)
    in_run = {f"jira:{r['id']}" for r in sync.projects.values()}
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


def retry_quarantined(sync: JiraSync) -> None:
    """Worklogs quarantined for a missing issue whose issue is now here: read them again."""
    query = sa.select(QUARANTINE.c.raw).where(
        QUARANTINE.c.source == SOURCE,
        QUARANTINE.c.stream == STREAM,
        QUARANTINE.c.resolved_at.is_(None),
    )
    with sync.warehouse.engine.connect() as conn:
        raws = [r[0] or {} for r in conn.execute(query)]
    projects = _issue_projects(sync)
    ids = [
        int(r["id"])
        for r in raws
        if str(r.get("id", "")).isdigit() and f"jira:{r.get('issueId')}" in projects
    ]
    if ids:
        with sync.warehouse.transaction() as txn:
            _store(sync, txn, sync.reader.worklogs(ids))


def apply_deleted_page(sync: JiraSync, page: SincePage) -> None:
    summary = sync.summary(sync.worklog_scope)
    ids = [f"jira:worklog:{v['worklogId']}" for v in page.values]
    with sync.warehouse.transaction() as txn:
        summary.stream(STREAM).add(deleted=txn.tombstone(STREAM, ids))
        since = page.next_since if page.next_since is not None else page.until
        txn.set_watermark(SOURCE, "worklogs_deleted", sync.worklog_scope, {"since": since})
