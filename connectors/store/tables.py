"""SQL tables of the warehouse, built from the canonical schema plus operational tables.

Canonical tables come from `checks.schema` (one source of truth); the operational tables
(watermarks, sync log, quarantine, evaluations, publication ledger, metric snapshots) are
declared here. Migrations in `connectors/store/migrations/` create exactly these tables.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlalchemy.types import TypeDecorator

from checks.schema import CANONICAL_TABLES, Column, Table


def utcnow() -> datetime:
    """Now, in UTC: the one clock of the warehouse's records."""
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """Timestamps stored as UTC and always returned timezone-aware.

    SQLite keeps no offset, PostgreSQL's timestamptz does; normalising on the way in and out
    makes both return the same values, so a read never depends on the backend.
    """

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: sa.Dialect) -> datetime | None:
        if value is None:
            return None
        if hasattr(value, "to_pydatetime"):  # pandas Timestamp
            value = value.to_pydatetime()
        if value.tzinfo is None:
            raise ValueError(
                f"naive datetime {value!r}: the warehouse stores UTC-aware timestamps only"
            )
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: sa.Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


# JSONB on PostgreSQL: plain `json` has no equality operator, which the upsert's
# "only update changed rows" comparison needs.
JSONType = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")

_SQL_TYPES: dict[str, sa.types.TypeEngine[Any] | type[sa.types.TypeEngine[Any]]] = {
    "string": sa.Text,
    "int": sa.BigInteger,
    "float": sa.Float(precision=53),
    "bool": sa.Boolean,
    "datetime": UTCDateTime,
    "date": sa.Date,
    "json": JSONType,
}

metadata = sa.MetaData()


def _sql_column(col: Column, primary_key: tuple[str, ...]) -> sa.Column[Any]:
    is_pk = col.name in primary_key
    return sa.Column(
        col.name,
        _SQL_TYPES[col.dtype],
        primary_key=is_pk,
        nullable=col.nullable and not is_pk,
        comment=col.description,
    )


def _sql_table(table: Table) -> sa.Table:
    columns = [_sql_column(c, table.primary_key) for c in table.columns]
    indexes = [sa.Index(f"ix_{table.name}_{'_'.join(cols)}", *cols) for cols in table.indexes]
    return sa.Table(table.name, metadata, *columns, *indexes, comment=table.description)


CANONICAL: dict[str, sa.Table] = {name: _sql_table(t) for name, t in CANONICAL_TABLES.items()}

SYNC_STATE = sa.Table(
    "sync_state",
    metadata,
    sa.Column("source", sa.Text, primary_key=True, comment="jira, planner, shifts, sharepoint"),
    sa.Column("stream", sa.Text, primary_key=True, comment="issues, worklogs, time_cards, ..."),
    sa.Column("scope", sa.Text, primary_key=True, comment="project key, plan id, list id or '*'"),
    sa.Column(
        "watermark",
        JSONType,
        nullable=False,
        comment="cursor the next incremental read starts from",
    ),
    sa.Column("updated_at", UTCDateTime, nullable=False),
    comment="Watermarks, written in the same transaction as the data they cover.",
)

SYNC_LOG = sa.Table(
    "sync_log",
    metadata,
    sa.Column("run_id", sa.Text, primary_key=True),
    sa.Column("source", sa.Text, primary_key=True),
    sa.Column("scope", sa.Text, primary_key=True),
    sa.Column("started_at", UTCDateTime, nullable=False),
    sa.Column("finished_at", UTCDateTime),
    sa.Column("status", sa.Text, nullable=False, comment="running, succeeded, failed, interrupted"),
    sa.Column("summary", JSONType, comment="rows per stream and outcome, requests, retries"),
    sa.Column("error", sa.Text),
    comment="One row per source and scope per sync run.",
)

QUARANTINE = sa.Table(
    "quarantine",
    metadata,
    sa.Column("source", sa.Text, primary_key=True),
    sa.Column("stream", sa.Text, primary_key=True),
    sa.Column("record_id", sa.Text, primary_key=True, comment="the raw id in the source"),
    sa.Column("reason", sa.Text, nullable=False),
    sa.Column(
        "raw", JSONType, comment="the record as received (secrets never appear in API records)"
    ),
    sa.Column("first_seen", UTCDateTime, nullable=False),
    sa.Column("last_seen", UTCDateTime, nullable=False),
    sa.Column("resolved_at", UTCDateTime, comment="set when a later sync mapped the record"),
    comment="Records that could not be mapped, with the reason; never silently dropped.",
)

GATE_EVALUATIONS = sa.Table(
    "gate_evaluations",
    metadata,
    sa.Column(
        "evaluation_id",
        sa.Text,
        primary_key=True,
        comment="kind:project:phase:data_version:as_of (UTC ISO)",
    ),
    sa.Column("project_id", sa.Text, nullable=False),
    sa.Column("kind", sa.Text, nullable=False, comment="gate_review or closeout"),
    sa.Column("phase", sa.Text),
    sa.Column("decision", sa.Text, nullable=False),
    sa.Column("data_version", sa.Text, nullable=False),
    sa.Column("evaluated_at", UTCDateTime, nullable=False),
    sa.Column("document", JSONType, nullable=False, comment="the evaluation with its evidence"),
    sa.Index("ix_gate_evaluations_project", "project_id", "evaluated_at"),
    comment="Every evaluation with its evidence and the data version it was computed on.",
)

PUBLICATIONS = sa.Table(
    "publications",
    metadata,
    sa.Column("key", sa.Text, primary_key=True, comment="deterministic idempotency key"),
    sa.Column("target", sa.Text, nullable=False, comment="jira_comment, teams_card, mail, ..."),
    sa.Column(
        "status",
        sa.Text,
        nullable=False,
        comment="pending (claimed, about to post), done, failed (refused: safe to repeat) or "
        "unknown (the post may have arrived: not repeated automatically)",
    ),
    sa.Column("external_id", sa.Text, comment="id the target gave the publication"),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Column("updated_at", UTCDateTime, nullable=False),
    sa.Column("detail", JSONType),
    sa.Column(
        "claimed_by",
        sa.Text,
        comment="host:pid:token of the run that claimed the publication (one poster at a time)",
    ),
    comment="Idempotency ledger: a retried flow finds its key here and never posts twice.",
)

METRIC_SNAPSHOTS = sa.Table(
    "metric_snapshots",
    metadata,
    sa.Column("project_id", sa.Text, primary_key=True),
    sa.Column("snapshot_date", sa.Date, primary_key=True),
    sa.Column("metric", sa.Text, primary_key=True),
    sa.Column("value", sa.Float(precision=53)),
    comment="Daily metric values per project, for trends and for scoring past forecasts.",
)

OPERATIONAL: dict[str, sa.Table] = {
    t.name: t
    for t in (SYNC_STATE, SYNC_LOG, QUARANTINE, GATE_EVALUATIONS, PUBLICATIONS, METRIC_SNAPSHOTS)
}
ALL_TABLES: dict[str, sa.Table] = {**CANONICAL, **OPERATIONAL}
