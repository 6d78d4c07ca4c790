"""Publication ledger, evaluation archive and sync log: the warehouse's operational records.

The ledger makes publishing at-most-once. A publisher derives a deterministic key from what
it publishes (e.g. ``gate:ABC:planning:<data version>:jira_comment``) and *claims* it before
posting: the claim is one atomic statement (an insert that does nothing when the row exists,
or an update conditioned on the claim it read), so of two overlapping runs exactly one
posts and the other skips. After the post the row is *done* with the target's id.

What a claim finds tells the publisher what to do:
- ``new``: nobody published this before (as far as this warehouse knows): look at the
  target for its marker (a fresh warehouse adopts what is already there), else post;
- ``resume``: an earlier attempt of ours, or of a run that is gone, stopped between claim and
  done: look at the target first, post only if the post is not there;
- ``done``: published, skip; ``busy``: another live run holds the claim, skip;
- ``unknown``: an earlier post may have reached the target and the target can't be asked:
  not repeated automatically (a warning for a person to resolve).
"""

from __future__ import annotations

import os
import socket
import uuid
from collections.abc import Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Literal, Protocol

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from connectors.store.tables import GATE_EVALUATIONS, PUBLICATIONS, SYNC_LOG, utcnow


class Writes(Protocol):
    """What these records write through: a `WarehouseTransaction`."""

    conn: sa.Connection

    def merge(self, table: str, row: Mapping[str, Any], *, keep: Sequence[str] = ()) -> None: ...


class Database(Protocol):
    """What these records need of `connectors.store.warehouse.Warehouse` (which imports this
    module for its ledger and archive methods, so this one names it by its shape)."""

    @property
    def engine(self) -> sa.Engine: ...

    def transaction(self) -> AbstractContextManager[Writes]: ...


# A claim older than this is taken over even when its owner can't be checked (another host).
CLAIM_LEASE = timedelta(minutes=15)
# A `running` sync row of another host is closed as interrupted after this long.
SYNC_STALE_AFTER = timedelta(hours=24)

ClaimState = Literal["new", "resume", "done", "busy", "unknown"]


def _host() -> str:
    return socket.gethostname()


def owner_prefix() -> str:
    """This process: `host:pid`. Claims of this process are its own to resume."""
    return f"{_host()}:{os.getpid()}"


def _owner_gone(owner: str | None) -> bool:
    """True when `owner` (host:pid[:token]) is a process of this host that no longer runs."""
    if not owner:
        return True  # claimed before claims had owners
    host, _, rest = owner.partition(":")
    pid_text = rest.split(":", 1)[0]
    if host != _host() or not pid_text.isdigit():
        return False
    try:
        os.kill(int(pid_text), 0)
    except ProcessLookupError:
        return True
    except PermissionError:  # alive, owned by another user
        return False
    return False


class PublicationSkipped(Exception):  # noqa: N818 - a skip, not an error
    """This run did not post `target`, and that is no failure: another run holds the claim,
    or an earlier post's outcome is unknown and it must not be sent twice."""

    def __init__(self, target: str, reason: str) -> None:
        super().__init__(f"{target}: {reason}")
        self.target = target
        self.reason = reason


@dataclass(frozen=True)
class Publication:
    key: str
    target: str
    status: str  # "pending", "done", "failed" or "unknown"
    external_id: str | None
    detail: dict[str, Any] | None
    claimed_by: str | None = None
    updated_at: datetime | None = None


@dataclass(frozen=True)
class Claim:
    state: ClaimState
    earlier: Publication | None = None

    @property
    def mine(self) -> bool:
        """This run may post (after looking at the target)."""
        return self.state in ("new", "resume")


class PublicationLedger:
    def __init__(self, warehouse: Database, *, lease: timedelta = CLAIM_LEASE) -> None:
        self.warehouse = warehouse
        self.lease = lease

    def get(self, key: str) -> Publication | None:
        query = sa.select(PUBLICATIONS).where(PUBLICATIONS.c.key == key)
        with self.warehouse.engine.connect() as conn:
            row = conn.execute(query).mappings().first()
        if row is None:
            return None
        return Publication(
            row["key"],
            row["target"],
            row["status"],
            row["external_id"],
            row["detail"],
            row["claimed_by"],
            row["updated_at"],
        )

    def claim(self, key: str, target: str, detail: dict[str, Any] | None = None) -> Claim:
        """Take the right to post `key`, atomically; see the module's docstring."""
        token = f"{owner_prefix()}:{uuid.uuid4().hex[:12]}"
        if self._insert_claim(key, target, detail, token):
            return Claim("new")
        earlier = self.get(key)
        if earlier is None:  # deleted in between: try once more
            return Claim("new") if self._insert_claim(key, target, detail, token) else Claim("busy")
        if earlier.status == "done":
            return Claim("done", earlier)
        if earlier.status == "unknown":
            return Claim("unknown", earlier)
        if not self._may_take_over(earlier):
            return Claim("busy", earlier)
        taken = self._take_over(earlier, token, detail)
        return Claim("resume", earlier) if taken else Claim("busy", earlier)

    def _insert_claim(
        self, key: str, target: str, detail: dict[str, Any] | None, token: str
    ) -> bool:
        now = utcnow()
        row = {"key": key, "target": target, "status": "pending", "external_id": None,
               "created_at": now, "updated_at": now, "detail": detail, "claimed_by": token}  # fmt: skip
        with self.warehouse.transaction() as txn:
            insert = postgresql.insert if txn.conn.dialect.name == "postgresql" else sqlite.insert
            stmt = insert(PUBLICATIONS).values(**row).on_conflict_do_nothing()
            # RETURNING, not rowcount: psycopg reports -1 for INSERT .. ON CONFLICT here
            return txn.conn.execute(stmt.returning(PUBLICATIONS.c.key)).first() is not None

    def _may_take_over(self, earlier: Publication) -> bool:
        if earlier.status == "failed" or (earlier.detail or {}).get("failed"):
            return True  # the target refused: nothing was made, anyone may repeat it
        owner = earlier.claimed_by or ""
        if owner.startswith(owner_prefix() + ":"):
            return True  # our own earlier attempt (a task retry in this process)
        stale = earlier.updated_at is not None and utcnow() - earlier.updated_at > self.lease
        return stale or _owner_gone(earlier.claimed_by)

    def _take_over(self, earlier: Publication, token: str, detail: dict[str, Any] | None) -> bool:
        """Compare-and-set on the claim we read: of two runs taking over, one wins. The
        detail is reset: a `failed` mark belongs to the attempt that failed, not to ours."""
        held = PUBLICATIONS.c.claimed_by
        stmt = (
            sa.update(PUBLICATIONS)
            .where(PUBLICATIONS.c.key == earlier.key)
            .where(PUBLICATIONS.c.status == earlier.status)
            .where(held.is_(None) if earlier.claimed_by is None else held == earlier.claimed_by)
            .values(status="pending", claimed_by=token, updated_at=utcnow(), detail=detail)
        )
        with self.warehouse.transaction() as txn:
            return txn.conn.execute(stmt.returning(PUBLICATIONS.c.key)).first() is not None

    def mark_pending(self, key: str, target: str, detail: dict[str, Any] | None = None) -> None:
        """About to post (kept for callers that do not claim; `claim` is the safe path)."""
        self._record(key, target, "pending", None, detail)

    def mark_done(
        self, key: str, target: str, external_id: str | None, detail: dict[str, Any] | None = None
    ) -> None:
        self._record(key, target, "done", external_id, detail)

    def mark_failed(
        self, key: str, target: str, error: str, detail: dict[str, Any] | None = None
    ) -> None:
        """The target refused the post: nothing was made, a later run may repeat it."""
        self._record(key, target, "failed", None, {**(detail or {}), "failed": error[:300]})

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

    def unresolved(self, prefix: str = "") -> list[Publication]:
        """Publications whose outcome is `unknown` (for warnings and the run summary)."""
        query = sa.select(PUBLICATIONS.c.key).where(PUBLICATIONS.c.status == "unknown")
        if prefix:
            query = query.where(PUBLICATIONS.c.key.startswith(prefix))
        with self.warehouse.engine.connect() as conn:
            keys = [r[0] for r in conn.execute(query)]
        return [p for p in (self.get(k) for k in keys) if p is not None]


def save_evaluation(warehouse: Database, document: dict[str, Any]) -> str:
    """Archive an evaluation (its `to_dict()`), keyed by kind, project, phase, data version
    and status date: `evaluated_at` is the as-of date, so the same data judged as of two
    dates are two evaluations, and the same data as of the same date is one."""
    evaluated_at = document["evaluated_at"]
    if isinstance(evaluated_at, str):
        evaluated_at = datetime.fromisoformat(evaluated_at)
    parts = [str(document.get(k) or "-") for k in ("kind", "project_id", "phase", "data_version")]
    evaluation_id = ":".join([*parts, evaluated_at.astimezone(UTC).isoformat()])
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


def latest_evaluations(warehouse: Database, project_id: str | None = None) -> list[dict[str, Any]]:
    query = sa.select(GATE_EVALUATIONS.c.document).order_by(GATE_EVALUATIONS.c.evaluated_at.desc())
    if project_id is not None:
        query = query.where(GATE_EVALUATIONS.c.project_id == project_id)
    with warehouse.engine.connect() as conn:
        return [row[0] for row in conn.execute(query)]


def log_sync(
    warehouse: Database,
    run_id: str,
    source: str,
    scope: str,
    *,
    started_at: datetime,
    status: str,
    summary: dict[str, Any] | None = None,
    error: str | None = None,
) -> None:
    """Insert or update the sync-log row of one source and scope in one run.

    A `running` row names its process (host and pid) so a later run can tell a row whose
    run was killed from one whose run is still going (`close_stale_syncs`).
    """
    finished = None if status == "running" else utcnow()
    if status == "running" and summary is None:
        summary = {"running_on": owner_prefix()}
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


def close_stale_syncs(
    warehouse: Database, *, now: datetime | None = None, stale_after: timedelta = SYNC_STALE_AFTER
) -> int:
    """Close `running` rows whose run is gone, as `interrupted` with the time they were closed.

    A row is stale when its process (named in the row) is no longer alive on this host, when
    it names no process (written before rows did), or when it started more than
    `stale_after` ago (a process on another host can't be checked). Returns how many.
    """
    now = now or utcnow()
    query = sa.select(
        SYNC_LOG.c.run_id, SYNC_LOG.c.source, SYNC_LOG.c.scope, SYNC_LOG.c.started_at,
        SYNC_LOG.c.summary,
    ).where(SYNC_LOG.c.status == "running")  # fmt: skip
    with warehouse.engine.connect() as conn:
        rows = conn.execute(query).mappings().all()
    closed = 0
    for row in rows:
        owner = (row["summary"] or {}).get("running_on")
        started = row["started_at"]
        too_old = started is not None and now - _aware(started) > stale_after
        if not (too_old or _owner_gone(owner)):
            continue
        stmt = (
            sa.update(SYNC_LOG)
            .where(SYNC_LOG.c.run_id == row["run_id"], SYNC_LOG.c.source == row["source"])
            .where(SYNC_LOG.c.scope == row["scope"], SYNC_LOG.c.status == "running")
            .values(
                status="interrupted",
                finished_at=now,
                error="the run ended without closing this row (killed or crashed); "
                "closed by a later run",
            )
        )
        with warehouse.transaction() as txn:
            closed += len(txn.conn.execute(stmt.returning(SYNC_LOG.c.run_id)).all())
    return closed


def _aware(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value


def last_successful_sync(warehouse: Database) -> dict[str, datetime]:
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
    dialect = warehouse.engine.dialect
    finished = {source: fix(ts, dialect) for source, ts in rows if ts is not None}
    return {source: ts for source, ts in finished.items() if ts is not None}
