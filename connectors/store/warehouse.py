"""The warehouse: batched upserts, tombstones, watermarks and reads with canonical dtypes.

A sync writes through a `WarehouseTransaction`: the data of a page batch and the watermark
that covers it are committed in one database transaction, so a crash at any point either
keeps both or neither, and the next run starts from the last committed watermark.
"""

from __future__ import annotations

import math
import uuid
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, Protocol

import pandas as pd
import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.dialects import postgresql, sqlite

from checks.schema import CANONICAL_TABLES, to_frame
from connectors.store import bulk, migrate
from connectors.store import ledger as records
from connectors.store.tables import (
    ALL_TABLES,
    CANONICAL,
    METRIC_SNAPSHOTS,
    QUARANTINE,
    SYNC_STATE,
    utcnow,
)

if TYPE_CHECKING:
    from config.settings import WarehouseSettings


# sync_state's row whose token changes with every transaction that changed canonical rows
WRITES_STREAM = ("pmo", "canonical-writes", "*")
WRITES_MARK = "*writes"


@dataclass
class UpsertCounts:
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0

    def __iadd__(self, other: UpsertCounts) -> UpsertCounts:
        self.inserted += other.inserted
        self.updated += other.updated
        self.unchanged += other.unchanged
        return self

    def as_dict(self) -> dict[str, int]:
        return {"inserted": self.inserted, "updated": self.updated, "unchanged": self.unchanged}


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    # WAL lets readers run beside the one writer; autocommit mode hands transaction
    # control to SQLAlchemy's "begin" event below.
    dbapi_conn.isolation_level = None
    cursor = dbapi_conn.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    # 128 MiB of page cache for index upkeep (512 MiB measured no faster at 1M rows).
    cursor.execute("PRAGMA cache_size=-131072")
    cursor.execute("PRAGMA temp_store=MEMORY")
    cursor.close()


WRITE_OPTION = "pmo_write"


def _sqlite_begin(conn: sa.Connection) -> None:
    # A write transaction takes the write lock at BEGIN: two writers then queue on the busy
    # timeout instead of one failing with "database is locked" when it upgrades a read lock
    # mid-transaction. Reads begin deferred, so a reader never blocks a writer (WAL).
    write = conn.get_execution_options().get(WRITE_OPTION, False)
    conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")


def create_engine(url: str) -> sa.Engine:
    if url.startswith("sqlite"):
        engine = sa.create_engine(url, connect_args={"timeout": 60})
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    return sa.create_engine(url, pool_pre_ping=True)


class WriteOperation(Protocol):
    """One step of a write plan; the plan module defines them (upsert, tombstone, ...)."""

    def apply(self, txn: WarehouseTransaction) -> Any: ...


class Warehouse:
    """One database: SQLite file by default, PostgreSQL by URL."""

    def __init__(self, url: str, *, batch_size: int = 20000) -> None:
        self.url = url
        self.engine = create_engine(url)
        self.batch_size = batch_size
        # PostgreSQL: was a table's last batch all new keys? Then the next one tries a plain
        # COPY first (see connectors.store.bulk_pg). Only a hint: any answer stays correct.
        self.all_new_last_batch: dict[str, bool] = {}

    @classmethod
    def from_settings(cls, settings: WarehouseSettings) -> Warehouse:
        """Build from `config.settings.WarehouseSettings`, creating a SQLite folder if needed."""
        url = sa.engine.make_url(settings.url)
        if settings.password is not None:
            url = url.set(password=settings.password.resolve())
        if url.drivername.startswith("sqlite") and url.database and url.database != ":memory:":
            from pathlib import Path

            Path(url.database).parent.mkdir(parents=True, exist_ok=True)
        return cls(url.render_as_string(hide_password=False), batch_size=settings.batch_size)

    def __repr__(self) -> str:  # never show a password
        return f"Warehouse({sa.engine.make_url(self.url).render_as_string(hide_password=True)})"

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    def migrate(self) -> None:
        migrate.upgrade(self.engine)

    def dispose(self) -> None:
        self.engine.dispose()

    @contextmanager
    def transaction(self) -> Iterator[WarehouseTransaction]:
        """All writes inside commit together or not at all."""
        with self.engine.connect().execution_options(**{WRITE_OPTION: True}) as conn, conn.begin():
            txn = WarehouseTransaction(self, conn)
            yield txn
            if txn.wrote_canonical:
                txn.mark_write()

    def apply(self, plan: Sequence[WriteOperation]) -> list[Any]:
        """A write plan (`connectors.store.plan`) in one transaction: every operation's
        result, in order, or nothing written at all."""
        with self.transaction() as txn:
            return [operation.apply(txn) for operation in plan]

    # --- operational records (the `connectors.ports.Store` seam the flows use) -------------

    def ledger(self) -> records.PublicationLedger:
        """The publication ledger kept in this warehouse."""
        return records.PublicationLedger(self)

    def save_evaluation(self, document: dict[str, Any]) -> str:
        return records.save_evaluation(self, document)

    def latest_evaluations(self, project_id: str | None = None) -> list[dict[str, Any]]:
        return records.latest_evaluations(self, project_id)

    def last_successful_sync(self) -> dict[str, datetime]:
        return records.last_successful_sync(self)

    # --- reads -----------------------------------------------------------------------------

    def read(
        self,
        table: str,
        *,
        project_ids: Sequence[str] | None = None,
        include_deleted: bool = False,
        where: Mapping[str, Any] | None = None,
    ) -> pd.DataFrame:
        """A canonical table as a frame with canonical dtypes (tombstones left out by default)."""
        sql_table = CANONICAL[table]
        query = sa.select(sql_table)
        if not include_deleted:
            query = query.where(sql_table.c.is_deleted.is_(False))
        if project_ids is not None and "project_id" in sql_table.c:
            query = query.where(sql_table.c.project_id.in_(list(project_ids)))
        for column, value in (where or {}).items():
            query = query.where(sql_table.c[column] == value)
        with self.engine.connect() as conn:
            rows = conn.execute(query).mappings().all()
        return to_frame(table, [dict(r) for r in rows])

    def read_all(self, *, include_deleted: bool = False) -> dict[str, pd.DataFrame]:
        return {name: self.read(name, include_deleted=include_deleted) for name in CANONICAL_TABLES}

    def count(self, table: str, *, include_deleted: bool = False) -> int:
        sql_table = ALL_TABLES[table]
        query = sa.select(sa.func.count()).select_from(sql_table)
        if not include_deleted and "is_deleted" in sql_table.c:
            query = query.where(sql_table.c.is_deleted.is_(False))
        with self.engine.connect() as conn:
            return int(conn.execute(query).scalar_one())

    def content_marks(self) -> dict[str, list[Any]]:
        """Per canonical table: its row count and latest `synced_at`, tombstones included;
        and under `WRITES_MARK` the token of the last transaction that changed canonical rows.

        Every write of canonical data draws a new token in its transaction (an unchanged row
        is not rewritten, so a re-sync of the same data moves nothing). The stamps alone do
        not tell: a writer whose clock is behind, or on PostgreSQL one that stamped its rows
        before another and commits after it, changes rows without moving the latest
        `synced_at`. Two equal marks mean no transaction changed canonical data in between;
        one query per table.
        """
        marks: dict[str, list[Any]] = {}
        written = self.get_watermark(*WRITES_STREAM)  # first: a write after it moves it
        marks[WRITES_MARK] = [written.get("token") if written else None]
        with self.engine.connect() as conn:
            for name, sql_table in CANONICAL.items():
                count, latest = conn.execute(
                    sa.select(sa.func.count(), sa.func.max(sql_table.c.synced_at))
                ).one()
                marks[name] = [int(count), None if latest is None else str(latest)]
        return marks

    def live_ids(self, table: str, *, source: str | None = None, **filters: Any) -> set[str]:
        """Primary keys of rows not tombstoned, for the id census of a source."""
        sql_table = CANONICAL[table]
        (pk,) = CANONICAL_TABLES[table].primary_key
        query = sa.select(sql_table.c[pk]).where(sql_table.c.is_deleted.is_(False))
        if source is not None:
            query = query.where(sql_table.c.source == source)
        for column, value in filters.items():
            query = query.where(sql_table.c[column] == value)
        with self.engine.connect() as conn:
            return {row[0] for row in conn.execute(query)}

    def get_watermark(self, source: str, stream: str, scope: str = "*") -> dict[str, Any] | None:
        query = sa.select(SYNC_STATE.c.watermark).where(
            SYNC_STATE.c.source == source,
            SYNC_STATE.c.stream == stream,
            SYNC_STATE.c.scope == scope,
        )
        with self.engine.connect() as conn:
            return conn.execute(query).scalar_one_or_none()

    def read_operational(self, table: str) -> pd.DataFrame:
        with self.engine.connect() as conn:
            rows = conn.execute(sa.select(ALL_TABLES[table])).mappings().all()
        return pd.DataFrame([dict(r) for r in rows], columns=list(ALL_TABLES[table].c.keys()))

    def metric_snapshots(self, project_ids: Sequence[str] | None = None) -> pd.DataFrame:
        query = sa.select(METRIC_SNAPSHOTS)
        if project_ids is not None:
            query = query.where(METRIC_SNAPSHOTS.c.project_id.in_(list(project_ids)))
        with self.engine.connect() as conn:
            rows = conn.execute(query).mappings().all()
        return pd.DataFrame(
            [dict(r) for r in rows], columns=["project_id", "snapshot_date", "metric", "value"]
        )


class WarehouseTransaction:
    """Writes inside one database transaction (see `Warehouse.transaction`)."""

    def __init__(self, warehouse: Warehouse, conn: sa.Connection) -> None:
        self.warehouse = warehouse
        self.conn = conn
        self.wrote_canonical = False  # did a row of a canonical table change?

    def mark_write(self) -> None:
        """A new token for `Warehouse.content_marks`, the transaction's last statement: on
        PostgreSQL concurrent writers take its row lock in commit order, holding no other
        lock they wait for, so the last to commit leaves its token."""
        self.set_watermark(*WRITES_STREAM, {"token": uuid.uuid4().hex})

    # --- canonical data --------------------------------------------------------------------

    def upsert(
        self,
        table: str,
        rows: pd.DataFrame | Iterable[Mapping[str, Any]],
        *,
        synced_at: datetime | None = None,
    ) -> UpsertCounts:
        """Insert new keys, update changed rows, leave identical rows alone.

        Rows written here are live: an upsert of a tombstoned key brings it back, because
        the source holds it again.
        """
        counts = UpsertCounts()
        if not isinstance(rows, pd.DataFrame):
            rows = list(rows)
            if not rows:  # common in incremental syncs; building an empty frame costs ~3 ms
                return counts
        frame = to_frame(table, rows)
        if frame.empty:
            return counts
        frame["synced_at"] = pd.Timestamp(synced_at or utcnow())
        frame["is_deleted"] = False
        frame["deleted_at"] = pd.NaT
        pk = CANONICAL_TABLES[table].primary_key
        # One row per key, in key order: two writers then lock rows in the same order and
        # cannot deadlock each other on PostgreSQL.
        # Every canonical table has a one-column key. The checks are cheaper than the work.
        (key,) = pk
        if not frame[key].is_unique:
            frame = frame.drop_duplicates(key, keep="last")
        if not frame[key].is_monotonic_increasing:
            frame = frame.sort_values(key)
        sql_table = CANONICAL[table]
        step = max(1, self.warehouse.batch_size)
        for start in range(0, len(frame), step):
            counts += self._upsert_batch(sql_table, pk, frame.iloc[start : start + step])
        self.wrote_canonical |= counts.inserted + counts.updated > 0
        return counts

    def _upsert_batch(
        self, sql_table: sa.Table, pk: tuple[str, ...], batch: pd.DataFrame
    ) -> UpsertCounts:
        dialect = self.conn.dialect.name
        if dialect == "postgresql":
            from connectors.store import bulk_pg  # psycopg: only a PostgreSQL warehouse

            copy_first = self.warehouse.all_new_last_batch.get(sql_table.name, True)
            inserted, updated = bulk_pg.upsert_postgresql(
                self.conn, sql_table, pk, batch, copy_first=copy_first
            )
            self.warehouse.all_new_last_batch[sql_table.name] = inserted == len(batch)
        elif dialect == "sqlite":
            inserted, updated = bulk.upsert_sqlite(
                self.conn, sql_table, pk, bulk.driver_rows(sql_table, batch, dialect)
            )
        else:
            raise NotImplementedError(
                f"the warehouse supports SQLite and PostgreSQL, not {dialect}"
            )
        return UpsertCounts(inserted, updated, len(batch) - inserted - updated)

    def tombstone(self, table: str, ids: Iterable[str], *, at: datetime | None = None) -> int:
        """Mark rows deleted (they stay for history); returns how many were live."""
        ids = list(ids)
        if not ids:
            return 0
        sql_table = CANONICAL[table]
        (pk,) = CANONICAL_TABLES[table].primary_key
        stamp = at or utcnow()
        total = 0
        for start in range(0, len(ids), 5000):
            chunk = ids[start : start + 5000]
            result = self.conn.execute(
                sa.update(sql_table)
                .where(sql_table.c[pk].in_(chunk), sql_table.c.is_deleted.is_(False))
                .values(is_deleted=True, deleted_at=stamp, synced_at=stamp)
            )
            total += result.rowcount
        self.wrote_canonical |= total > 0
        return total

    # --- operational -----------------------------------------------------------------------

    def set_watermark(
        self, source: str, stream: str, scope: str, watermark: Mapping[str, Any]
    ) -> None:
        self._merge(
            SYNC_STATE,
            {
                "source": source,
                "stream": stream,
                "scope": scope,
                "watermark": dict(watermark),
                "updated_at": utcnow(),
            },
        )

    def quarantine(
        self, source: str, stream: str, record_id: str, reason: str, raw: Any = None
    ) -> None:
        now = utcnow()
        row = {
            "source": source,
            "stream": stream,
            "record_id": str(record_id),
            "reason": reason,
            "raw": raw,
            "first_seen": now,
            "last_seen": now,
            "resolved_at": None,
        }
        self._merge(QUARANTINE, row, keep=("first_seen",))

    def resolve_quarantine(self, source: str, stream: str, record_ids: Iterable[str]) -> int:
        ids = [str(i) for i in record_ids]
        if not ids:
            return 0
        result = self.conn.execute(
            sa.update(QUARANTINE)
            .where(
                QUARANTINE.c.source == source,
                QUARANTINE.c.stream == stream,
                QUARANTINE.c.record_id.in_(ids),
                QUARANTINE.c.resolved_at.is_(None),
            )
            .values(resolved_at=utcnow())
        )
        return result.rowcount

    def merge(self, table: str, row: Mapping[str, Any], *, keep: Sequence[str] = ()) -> None:
        """Insert-or-replace one row of an operational table by its primary key."""
        self._merge(ALL_TABLES[table], dict(row), keep=keep)

    def snapshot_metrics(
        self, project_id: str, day: date, metrics: Mapping[str, float | None]
    ) -> None:
        for metric, value in metrics.items():
            clean = (
                None
                if value is None or (isinstance(value, float) and not math.isfinite(value))
                else float(value)
            )
            self._merge(
                METRIC_SNAPSHOTS,
                {"project_id": project_id, "snapshot_date": day, "metric": metric, "value": clean},
            )

    def _merge(self, sql_table: sa.Table, row: dict[str, Any], keep: Sequence[str] = ()) -> None:
        insert = postgresql.insert if self.conn.dialect.name == "postgresql" else sqlite.insert
        stmt = insert(sql_table).values(**row)
        pk = {c.name for c in sql_table.primary_key.columns}
        updates = {k: stmt.excluded[k] for k in row if k not in pk and k not in keep}
        stmt = (
            stmt.on_conflict_do_update(index_elements=list(pk), set_=updates)
            if updates
            else stmt.on_conflict_do_nothing()
        )
        self.conn.execute(stmt)
