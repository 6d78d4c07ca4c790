"""Write plans: what one fetched page changes in the warehouse, decided without I/O and
applied by `Warehouse.apply` in one transaction.

A connector maps a page into a list of operations (upsert these rows, tombstone those ids,
quarantine that record, move this cursor) and hands the list over; the SQL each operation
needs lives here, next to the tables. Each operation names the sync stream its counts go
to, so the sync summary is filled from the results the same way for every page.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from connectors.store.jira_queries import (
    live_dependency_ids,
    live_project_children,
    tombstone_issues,
)
from connectors.store.warehouse import UpsertCounts, WarehouseTransaction


@dataclass(frozen=True)
class Upsert:
    table: str
    rows: Sequence[Mapping[str, Any]]
    fetched: int = 0  # records read for the stream (the rows plus those quarantined)
    quarantined: int = 0
    stream: str = ""  # the summary's stream; the table when empty

    def apply(self, txn: WarehouseTransaction) -> UpsertCounts:
        return txn.upsert(self.table, self.rows)


@dataclass(frozen=True)
class Tombstone:
    table: str
    ids: Sequence[str]
    stream: str = ""

    def apply(self, txn: WarehouseTransaction) -> int:
        return txn.tombstone(self.table, list(self.ids))


@dataclass(frozen=True)
class TombstoneLinksExcept:
    """Jira dependencies touching these tasks that the page no longer shows."""

    task_ids: Sequence[str]
    keep: frozenset[str]
    stream: str = "dependencies"

    def apply(self, txn: WarehouseTransaction) -> int:
        gone = live_dependency_ids(txn, list(self.task_ids)) - self.keep
        return txn.tombstone("dependencies", sorted(gone))


@dataclass(frozen=True)
class TombstoneChildrenExcept:
    """A project's complete list (versions, sprints): its live rows not in `keep` are gone."""

    table: str
    key: str
    project_id: str
    keep: frozenset[str]

    def apply(self, txn: WarehouseTransaction) -> int:
        gone = live_project_children(txn, self.table, self.key, self.project_id) - self.keep
        return txn.tombstone(self.table, sorted(gone))


@dataclass(frozen=True)
class TombstoneIssues:
    """Vanished issues with their risk rows, links, status changes and worklogs."""

    task_ids: Sequence[str]

    def apply(self, txn: WarehouseTransaction) -> dict[str, int]:
        return tombstone_issues(txn, list(self.task_ids))


@dataclass(frozen=True)
class Quarantine:
    source: str
    stream: str
    record_id: str
    reason: str
    raw: Mapping[str, Any] = field(default_factory=dict)

    def apply(self, txn: WarehouseTransaction) -> None:
        txn.quarantine(self.source, self.stream, self.record_id, self.reason, dict(self.raw))


@dataclass(frozen=True)
class Resolve:
    """Open quarantine entries that the rows of this plan now stand for."""

    source: str
    stream: str
    record_ids: Sequence[str]

    def apply(self, txn: WarehouseTransaction) -> int:
        return txn.resolve_quarantine(self.source, self.stream, list(self.record_ids))


@dataclass(frozen=True)
class Cursor:
    source: str
    stream: str
    scope: str
    mark: Mapping[str, Any]

    def apply(self, txn: WarehouseTransaction) -> None:
        txn.set_watermark(self.source, self.stream, self.scope, dict(self.mark))


Operation = (
    Upsert
    | Tombstone
    | TombstoneLinksExcept
    | TombstoneChildrenExcept
    | TombstoneIssues
    | Quarantine
    | Resolve
    | Cursor
)


def stream_counts(
    plan: Sequence[Operation], results: Sequence[Any]
) -> list[tuple[str, dict[str, int]]]:
    """What each applied operation adds to the sync summary, as (stream, counts)."""
    out: list[tuple[str, dict[str, int]]] = []
    for op, result in zip(plan, results, strict=True):
        if isinstance(op, Upsert):
            counts = {"fetched": op.fetched, "quarantined": op.quarantined, **result.as_dict()}
            out.append((op.stream or op.table, counts))
        elif isinstance(op, Tombstone):
            out.append((op.stream or op.table, {"deleted": int(result)}))
        elif isinstance(op, TombstoneLinksExcept):
            out.append((op.stream, {"deleted": int(result)}))
        elif isinstance(op, TombstoneChildrenExcept):
            out.append((op.table, {"deleted": int(result)}))
        elif isinstance(op, TombstoneIssues):
            out += [(table, {"deleted": count}) for table, count in result.items()]
    return out
