"""Writing mapped Microsoft 365 rows: upserts, tombstones, quarantine and watermark together.

Each scope (a plan, all time cards, one list's delta round) is one transaction, so its
rows, its tombstones and its watermark (the list's delta link) commit together or not at all.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from connectors.graph.mapping import Mapped
from connectors.store import Warehouse, WarehouseTransaction
from connectors.sync_types import StreamCounts


def write_rows(
    txn: WarehouseTransaction,
    table: str,
    source: str,
    mapped: Mapped,
    counts: StreamCounts,
    *,
    stream: str,
) -> None:
    """Upsert rows, record quarantine, resolve what now maps cleanly; count everything."""
    pk = "task_id" if table == "tasks" else "entry_id" if table == "time_entries" else None
    written = txn.upsert(table, mapped.rows)
    bad = {p.record_id for p in mapped.quarantined}
    clean = [_raw_id(row[pk]) for row in mapped.rows] if pk else []
    # a record both kept and quarantined (clock-out before clock-in) was fetched once
    counts.add(fetched=len(set(clean) | bad) if pk else len(mapped.rows), **written.as_dict())
    counts.add(quarantined=len(mapped.quarantined), flagged=len(mapped.flagged))
    for problem in mapped.quarantined:
        txn.quarantine(source, stream, problem.record_id, problem.reason, problem.raw)
    txn.resolve_quarantine(source, stream, [i for i in clean if i not in bad])


def _raw_id(row_id: str) -> str:
    """`shifts:TCK_1` -> `TCK_1`, `sharepoint:L1:7` -> `L1:7`: quarantine keeps source ids."""
    return row_id.split(":", 1)[1]


def tombstone_missing(
    txn: WarehouseTransaction,
    table: str,
    live: Iterable[str],
    seen: Iterable[str],
    counts: StreamCounts,
) -> None:
    """Rows the source no longer holds become tombstones (never deleted)."""
    gone = sorted(set(live) - set(seen))
    counts.add(deleted=txn.tombstone(table, gone))


def live_ids_with_prefix(warehouse: Warehouse, table: str, source: str, prefix: str) -> set[str]:
    return {i for i in warehouse.live_ids(table, source=source) if i.startswith(prefix)}


def insert_new_people(warehouse: Warehouse, people: dict[str, dict[str, Any]], source: str) -> int:
    """People seen only in Microsoft 365 get a row; rows other sources wrote are left alone."""
    known = warehouse.live_ids("people")
    rows = [
        {**row, "person_id": pid, "source": source}
        for pid, row in people.items()
        if pid not in known
    ]
    if not rows:
        return 0
    with warehouse.transaction() as txn:
        return txn.upsert("people", rows).inserted
