"""Fast bulk upserts: column-wise value conversion and the driver's own bulk paths.

SQLAlchemy's per-value type processing costs more than the database itself at a million
rows, so canonical frames are converted column by column (vectorised) into driver values:
- SQLite (here): one prepared ``INSERT ... ON CONFLICT DO UPDATE ... WHERE <changed>`` run
  with ``executemany`` in C; inserted rows are counted from the rowid high-water mark.
- PostgreSQL (`connectors.store.bulk_pg`): ``COPY``, straight into the table for new keys.
Both only rewrite rows whose content changed (``synced_at`` aside), so a re-sync of
unchanged data writes nothing.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from typing import Any, Literal

import numpy as np
import pandas as pd
import sqlalchemy as sa


def _none_where_missing(values: pd.Series) -> list[Any]:
    mask = values.isna().to_numpy()
    out = values.astype(object).to_numpy()
    out[mask] = None
    return out.tolist()


def driver_connection(conn: sa.Connection) -> Any:
    """The DB-API connection under `conn` (sqlite3's or psycopg's), for bulk statements."""
    dbapi = conn.connection.driver_connection
    if dbapi is None:  # only after the connection was invalidated
        raise RuntimeError("the database connection is closed")
    return dbapi


def iso_strings(values: pd.Series, unit: Literal["us", "D"], *, suffix: str = "") -> list[Any]:
    """Datetimes as ISO text ('2026-01-02 03:04:05.000000' + suffix), formatted by numpy in C.

    Only distinct values are formatted: sync batches repeat timestamps a lot (`synced_at`,
    `updated_at`, work dates), so this does a fraction of the work. Missing values are None.
    """
    naive = values.dt.tz_localize(None) if values.dt.tz is not None else values
    codes, uniques = pd.factorize(naive)
    text = np.datetime_as_string(np.asarray(uniques, dtype=f"datetime64[{unit}]"), unit=unit)
    if unit == "us" and len(text):
        text = np.char.replace(text, "T", " ")
    if suffix and len(text):
        text = np.char.add(text, suffix)
    formatted = np.append(text.astype(object), [None])  # code -1 (missing) picks the None
    picked: list[Any] = formatted[codes].tolist()
    return picked


def json_text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, list) and not value:
        return "[]"  # by far the most common value (no flags, no labels)
    return json.dumps(value, separators=(",", ":"), sort_keys=True)


def is_json_type(type_: sa.types.TypeEngine[Any]) -> bool:
    """A JSON column, also behind a dialect variant (JSONB on PostgreSQL)."""
    return isinstance(type_, sa.JSON | sa.types.Variant) or type(type_).__name__ == "JSON"


def _convert(column: sa.Column[Any], values: pd.Series, dialect: str) -> list[Any]:
    type_ = column.type
    if isinstance(type_, sa.types.TypeDecorator):  # UTCDateTime
        tz_aware = isinstance(values.dtype, pd.DatetimeTZDtype)
        stamps = values if tz_aware else pd.to_datetime(values, utc=True, cache=False)
        return iso_strings(stamps, "us") if dialect == "sqlite" else _none_where_missing(stamps)
    if isinstance(type_, sa.Date):
        days = (
            values
            if pd.api.types.is_datetime64_dtype(values.dtype)
            else pd.to_datetime(values, cache=False)
        )
        if dialect == "sqlite":
            return iso_strings(days, "D")
        return [None if pd.isna(v) else v.date() for v in days]
    if is_json_type(type_):
        return [json_text(v) for v in values]
    if isinstance(type_, sa.Boolean):
        converted = _none_where_missing(values)
        return [
            None if v is None else int(v) if dialect == "sqlite" else bool(v) for v in converted
        ]
    return _none_where_missing(values)


def driver_rows(
    sql_table: sa.Table, frame: pd.DataFrame, dialect: str
) -> Iterator[tuple[Any, ...]]:
    """Rows as driver tuples, made one at a time as the driver asks for them."""
    columns = [_convert(col, frame[col.name], dialect) for col in sql_table.columns]
    return zip(*columns, strict=True)


def quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def changed_condition(sql_table: sa.Table, pk: tuple[str, ...], dialect: str) -> str:
    compared = [c.name for c in sql_table.columns if c.name not in pk and c.name != "synced_at"]
    operator = "IS NOT" if dialect == "sqlite" else "IS DISTINCT FROM"
    target = quote(sql_table.name)
    return " OR ".join(f"{target}.{quote(c)} {operator} excluded.{quote(c)}" for c in compared)


def set_clause(sql_table: sa.Table, pk: tuple[str, ...]) -> str:
    return ", ".join(
        f"{quote(c.name)} = excluded.{quote(c.name)}" for c in sql_table.columns if c.name not in pk
    )


def upsert_sqlite(
    conn: sa.Connection, sql_table: sa.Table, pk: tuple[str, ...], rows: Iterable[tuple[Any, ...]]
) -> tuple[int, int]:
    """Returns (inserted, updated).

    Inserted rows are counted from the rowid high-water mark: SQLite gives each new row of a
    rowid table (all warehouse tables are) max(rowid) + 1, an upsert that updates keeps the
    row's rowid, and the write lock taken at BEGIN IMMEDIATE keeps other writers out, so
    the mark moves by exactly the number of rows inserted. That is one index step instead
    of looking up every key of the batch.
    """
    names = [c.name for c in sql_table.columns]
    statement = (
        f"INSERT INTO {quote(sql_table.name)} ({', '.join(map(quote, names))}) "
        f"VALUES ({', '.join('?' * len(names))}) "
        f"ON CONFLICT ({', '.join(map(quote, pk))}) DO UPDATE SET {set_clause(sql_table, pk)} "
        f"WHERE {changed_condition(sql_table, pk, 'sqlite')}"
    )
    high_water = f"SELECT coalesce(max(rowid), 0) FROM {quote(sql_table.name)}"
    dbapi = driver_connection(conn)
    (rowid_before,) = dbapi.execute(high_water).fetchone()
    changes_before = dbapi.total_changes
    dbapi.executemany(statement, rows)
    written = dbapi.total_changes - changes_before
    (rowid_after,) = dbapi.execute(high_water).fetchone()
    inserted = rowid_after - rowid_before
    return inserted, written - inserted
