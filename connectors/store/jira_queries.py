"""The Jira sync's SQL beyond upserts, tombstones and watermarks: what the warehouse already
holds (so unchanged records cost no requests), open quarantine entries, and tombstones that
follow a vanished issue. The connector itself holds no SQL."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from connectors.store.tables import CANONICAL, QUARANTINE
from connectors.store.warehouse import Warehouse, WarehouseTransaction
from connectors.timeparse import to_ms

SOURCE = "jira"
CHUNK = 900  # stays under SQLite's bound-parameter limit with room to spare


def _chunks(values: Sequence[str]) -> Iterable[list[str]]:
    for start in range(0, len(values), CHUNK):
        yield list(values[start : start + CHUNK])


def updated_ms(warehouse: Warehouse, table: str, key: str, ids: Sequence[str]) -> dict[str, int]:
    """Live rows' `updated_at` as epoch ms, for the given primary keys."""
    sql = CANONICAL[table]
    out: dict[str, int] = {}
    with warehouse.engine.connect() as conn:
        for chunk in _chunks(list(ids)):
            query = sa.select(sql.c[key], sql.c.updated_at).where(
                sql.c[key].in_(chunk), sql.c.is_deleted.is_(False)
            )
            for row_id, stamp in conn.execute(query):
                if isinstance(stamp, datetime):
                    out[row_id] = to_ms(stamp)
    return out


def task_projects(warehouse: Warehouse) -> dict[str, str]:
    """task id -> project id of every live Jira task (worklogs carry only the issue id)."""
    sql = CANONICAL["tasks"]
    query = sa.select(sql.c.task_id, sql.c.project_id).where(
        sql.c.source == SOURCE, sql.c.is_deleted.is_(False)
    )
    with warehouse.engine.connect() as conn:
        return dict(conn.execute(query).all())


def quarantined_ids(
    warehouse: Warehouse, stream: str = "tasks", project: str | None = None
) -> set[str]:
    """Open quarantine entries of a stream (of one project's issues, when given)."""
    rows = _open_quarantine(warehouse, stream, QUARANTINE.c.record_id, QUARANTINE.c.raw)
    return {
        f"jira:{rid}"
        for rid, raw in rows
        if project is None or (raw or {}).get("project") == project
    }


def quarantined_raws(warehouse: Warehouse, stream: str) -> list[dict[str, Any]]:
    """The raw part (what was kept of the record) of a stream's open quarantine entries."""
    return [raw or {} for (raw,) in _open_quarantine(warehouse, stream, QUARANTINE.c.raw)]


def _open_quarantine(warehouse: Warehouse, stream: str, *columns: Any) -> list[Any]:
    query = sa.select(*columns).where(
        QUARANTINE.c.source == SOURCE,
        QUARANTINE.c.stream == stream,
        QUARANTINE.c.resolved_at.is_(None),
    )
    with warehouse.engine.connect() as conn:
        return list(conn.execute(query).all())


def live_project_children(
    txn: WarehouseTransaction, table: str, key: str, project_id: str
) -> set[str]:
    """Live Jira rows of a project-wide list (milestones, sprints), inside the transaction
    that replaces the list."""
    sql = CANONICAL[table]
    query = sa.select(sql.c[key]).where(
        sql.c.project_id == project_id, sql.c.source == SOURCE, sql.c.is_deleted.is_(False)
    )
    return {r[0] for r in txn.conn.execute(query)}


def live_dependency_ids(txn: WarehouseTransaction, task_ids: Sequence[str]) -> set[str]:
    sql = CANONICAL["dependencies"]
    out: set[str] = set()
    for chunk in _chunks(list(task_ids)):
        query = sa.select(sql.c.dependency_id).where(
            sql.c.is_deleted.is_(False),
            sql.c.source == SOURCE,
            sa.or_(sql.c.from_task_id.in_(chunk), sql.c.to_task_id.in_(chunk)),
        )
        out |= {r[0] for r in txn.conn.execute(query)}
    return out


def _live_children(
    txn: WarehouseTransaction, table: str, key: str, task_ids: Sequence[str]
) -> list[str]:
    sql = CANONICAL[table]
    out: list[str] = []
    for chunk in _chunks(list(task_ids)):
        query = sa.select(sql.c[key]).where(sql.c.is_deleted.is_(False), sql.c.task_id.in_(chunk))
        out += [r[0] for r in txn.conn.execute(query)]
    return out


def tombstone_issues(txn: WarehouseTransaction, task_ids: Sequence[str]) -> dict[str, int]:
    """A vanished issue takes its risk row, links, status changes and worklogs with it
    (Jira deletes them too, without listing the worklogs in `worklog/deleted`).
    Returns the number of rows tombstoned per table."""
    if not task_ids:
        return {}
    return {
        "tasks": txn.tombstone("tasks", task_ids),
        "risks": txn.tombstone("risks", task_ids),
        "dependencies": txn.tombstone("dependencies", live_dependency_ids(txn, task_ids)),
        "status_changes": txn.tombstone(
            "status_changes", _live_children(txn, "status_changes", "change_id", task_ids)
        ),
        "time_entries": txn.tombstone(
            "time_entries", _live_children(txn, "time_entries", "entry_id", task_ids)
        ),
    }
