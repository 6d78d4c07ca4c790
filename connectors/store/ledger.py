"""Publication ledger, evaluation archive and sync log: the warehouse's operational records.

The ledger makes publishing idempotent. A publisher derives a deterministic key from what
it publishes (e.g. ``gate:ABC:planning:<data version>:jira_comment``), marks it *pending*
before posting and *done* with the target's id after. A retry that finds *done* skips the
post; one that finds *pending* (a crash between post and ledger write) first looks for the
post at the target (the key is embedded in it) before posting again.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from connectors.store.tables import GATE_EVALUATIONS, PUBLICATIONS, SYNC_LOG
from connectors.store.warehouse import Warehouse, utcnow


@dataclass(frozen=True)
class Publication:
    key: str
    target: str
    status: str  # "pending" or "done"
    external_id: str | None
    detail: dict[str, Any] | None


class PublicationLedger:
    def __init__(self, warehouse: Warehouse) -> None:
        self.warehouse = warehouse

    def get(self, key: str) -> Publication | None:
        query = sa.select(PUBLICATIONS).where(PUBLICATIONS.c.key == key)
        with self.warehouse.engine.connect() as conn:
            row = conn.execute(query).mappings().first()
        if row is None:
            return None
        return Publication(
            row["key"], row["target"], row["status"], row["external_id"], row["detail"]
        )

    def mark_pending(self, key: str, target: str, detail: dict[str, Any] | None = None) -> None:
        """About to post: a crash from here on is detected by looking at the target."""
        self._record(key, target, "pending", None, detail)

    def mark_done(
        self, key: str, target: str, external_id: str | None, detail: dict[str, Any] | None = None
    ) -> None:
        self._record(key, target, "done", external_id, detail)

    def mark_unknown(self, key: str, target: str, detail: dict[str, Any] | None = None) -> None:
        """Sent, but no clear answer, and the target can't be searched (a Teams webhook):
        it may be there. Never re-sent automatically; a person checks and clears it."""
        self._record(key, target, "unknown", None, detail)

    def _record(
        self,
        key: str,
        target: str,
        status: str,
        external_id: str | None,
        detail: dict[str, Any] | None,
    ) -> None:
        now = utcnow()
        row = {"key": key, "target": target, "status": status, "external_id": external_id,
               "created_at": now, "updated_at": now, "detail": detail}  # fmt: skip
        with self.warehouse.transaction() as txn:
            txn.merge("publications", row, keep=("created_at",))

    def done_keys(self, prefix: str = "") -> set[str]:
        query = sa.select(PUBLICATIONS.c.key).where(PUBLICATIONS.c.status == "done")
        if prefix:
            query = query.where(PUBLICATIONS.c.key.startswith(prefix))
        with self.warehouse.engine.connect() as conn:
            return {r[0] for r in conn.execute(query)}


def save_evaluation(warehouse: Warehouse, document: dict[str, Any]) -> str:
    """Archive an evaluation (its `to_dict()`), keyed by kind, project, phase and data version."""
    evaluation_id = ":".join(
        str(document.get(k) or "-") for k in ("kind", "project_id", "phase", "data_version")
    )
    evaluated_at = document["evaluated_at"]
    if isinstance(evaluated_at, str):
        evaluated_at = datetime.fromisoformat(evaluated_at)
    with warehouse.transaction() as txn:
        txn.merge(
            "gate_evaluations",
            {
                "evaluation_id": evaluation_id,
                "project_id": document["project_id"],
                "kind": document["kind"],
                "phase": document.get("phase"),
                "decision": document["decision"],
                "data_version": document["data_version"],
                "evaluated_at": evaluated_at,
                "document": document,
            },
        )
    return evaluation_id


def latest_evaluations(warehouse: Warehouse, project_id: str | None = None) -> list[dict[str, Any]]:
    query = sa.select(GATE_EVALUATIONS.c.document).order_by(GATE_EVALUATIONS.c.evaluated_at.desc())
    if project_id is not None:
        query = query.where(GATE_EVALUATIONS.c.project_id == project_id)
    with warehouse.engine.connect() as conn:
        return [row[0] for row in conn.execute(query)]


def log_sync(
    warehouse: Warehouse,
    run_id: str,
    source: str,
    scope: str,
    *,
    started_at: datetime,
    status: str,
    summary: dict[str, Any] | None = None,
    error: str | None = None,
) -> None:
    """Insert or update the sync-log row of one source and scope in one run."""
    finished = None if status == "running" else utcnow()
    with warehouse.transaction() as txn:
        txn.merge(
            "sync_log",
            {
                "run_id": run_id,
                "source": source,
                "scope": scope,
                "started_at": started_at,
                "finished_at": finished,
                "status": status,
                "summary": summary,
                "error": error,
            },
        )


def last_successful_sync(warehouse: Warehouse) -> dict[str, datetime]:
    """Per source, when its last successful sync finished (for freshness checks)."""
    query = (
        sa.select(SYNC_LOG.c.source, sa.func.max(SYNC_LOG.c.finished_at))
        .where(SYNC_LOG.c.status == "succeeded")
        .group_by(SYNC_LOG.c.source)
    )
    with warehouse.engine.connect() as conn:
        rows = conn.execute(query).all()
    from connectors.store.tables import UTCDateTime

    fix = UTCDateTime().process_result_value
    return {source: fix(ts, warehouse.engine.dialect) for source, ts in rows if ts is not None}
