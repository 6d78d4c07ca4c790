"""Fast bulk upserts: column-wise value conversion and the driver's own bulk paths.

SQLAlchemy's per-value type processing costs more than the database itself at a million
rows, so canonical frames are converted column by column (vectorised) into driver values:
- SQLite: one prepared ``INSERT ... ON CONFLICT DO UPDATE ... WHERE <changed>`` run with
  ``executemany`` in C; inserted keys are found with one indexed lookup per batch.
- PostgreSQL: ``COPY`` into a temporary table, then one ``INSERT ... SELECT ... ON CONFLICT``
  whose ``RETURNING (xmax = 0)`` tells inserted from updated rows.
Both only rewrite rows whose content changed (``synced_at`` aside), so a re-sync of
unchanged data writes nothing.
"""

from __future__ import annotations

import json
from typing import Any

import numpy as np
import pandas as pd
import sqlalchemy as sa


def _none_where_missing(values: pd.Series) -> list[Any]:
    mask = values.isna().to_numpy()
    out = values.astype(object).to_numpy()
    out[mask] = None
    return out.tolist()


def _iso_strings(values: pd.Series, unit: str) -> list[Any]:
    """Datetimes as SQLite text ('2026-01-02 03:04:05.000000'), formatted by numpy in C.

    Only distinct values are formatted: sync batches repeat timestamps a lot (`synced_at`,
    `updated_at`, work dates), so this does a fraction of the work.
    """
    naive = values.dt.tz_localize(None) if values.dt.tz is not None else values
    codes, uniques = pd.factorize(naive)
    text = np.datetime_as_string(np.asarray(uniques, dtype=f"datetime64[{unit}]"), unit=unit)
    if unit == "us" and len(text):
        text = np.char.replace(text, "T", " ")
    formatted = np.append(text.astype(object), None)  # code -1 (missing) picks the None
    return formatted[codes].tolist()


def _json_text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, list) and not value:
        return "[]"  # by far the most common value (no flags, no labels)
    return json.dumps(value, separators=(",", ":"), sort_keys=True)


def _convert(column: sa.Column, values: pd.Series, dialect: str) -> list[Any]:
    type_ = column.type
    if isinstance(type_, sa.types.TypeDecorator):  # UTCDateTime
        tz_aware = isinstance(values.dtype, pd.DatetimeTZDtype)
        stamps = values if tz_aware else pd.to_datetime(values, utc=True, cache=False)
        return _iso_strings(stamps, "us") if dialect == "sqlite" else _none_where_missing(stamps)
    if isinstance(type_, sa.Date):
        days = (
            values
            if pd.api.types.is_datetime64_dtype(values.dtype)
            else pd.to_datetime(values, cache=False)
        )
        if dialect == "sqlite":
            return _iso_strings(days, "D")
        return [None if pd.isna(v) else v.date() for v in days]
    if isinstance(type_, sa.JSON | sa.types.Variant) or type(type_).__name__ == "JSON":
        return [_json_text(v) for v in values]
    if isinstance(type_, sa.Boolean):
        converted = _none_where_missing(values)
        return [
            None if v is None else int(v) if dialect == "sqlite" else bool(v) for v in converted
        ]
    return _none_where_missing(values)


def driver_rows(sql_table: sa.Table, frame: pd.DataFrame, dialect: str) -> list[tuple[Any, ...]]:
    columns = [_convert(col, frame[col.name], dialect) for col in sql_table.columns]
    return list(zip(*columns, strict=True))


_COPY_NULL = "\\N"
_COPY_ESCAPES = (("\\", "\\\\"), ("\t", "\\t"), ("\n", "\\n"), ("\r", "\\r"))


def _copy_text(values: pd.Series) -> pd.Series:
    """Text for PostgreSQL's COPY text format: backslash, tab and line breaks escaped."""
    out = values.astype(object).where(values.notna(), None)
    text = pd.Series([v if v is None else str(v) for v in out], dtype=object)
    for raw, escaped in _COPY_ESCAPES:
        text = text.str.replace(raw, escaped, regex=False)
    return text.fillna(_COPY_NULL)


def _copy_column(column: sa.Column, values: pd.Series) -> pd.Series:
    type_ = column.type
    missing = values.isna().to_numpy()
    if isinstance(type_, sa.types.TypeDecorator):  # UTCDateTime: ISO text with offset
        text = pd.Series(_iso_strings(values, "us"), dtype=object) + "+00"
    elif isinstance(type_, sa.Date):
        text = pd.Series(_iso_strings(values, "D"), dtype=object)
    elif isinstance(type_, sa.JSON | sa.types.Variant) or type(type_).__name__ == "JSON":
        return _copy_text(pd.Series([_json_text(v) for v in values], dtype=object))
    elif isinstance(type_, sa.Boolean):
        text = pd.Series(
            np.where(values.fillna(False).to_numpy(dtype=bool), "t", "f"), dtype=object
        )
    elif isinstance(type_, sa.Float | sa.BigInteger):
        text = values.astype(object).map(repr)
    else:
        return _copy_text(values)
    return text.where(~missing, _COPY_NULL)


def copy_payload(sql_table: sa.Table, frame: pd.DataFrame) -> bytes:
    """The whole batch as one COPY text-format payload, built column by column."""
    columns = [
        _copy_column(col, frame[col.name].reset_index(drop=True)) for col in sql_table.columns
    ]
    lines = columns[0]
    for column in columns[1:]:
        lines = lines + "\t" + column
    return ("\n".join(lines.tolist()) + "\n").encode("utf-8")


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _changed_condition(sql_table: sa.Table, pk: tuple[str, ...], dialect: str) -> str:
    compared = [c.name for c in sql_table.columns if c.name not in pk and c.name != "synced_at"]
    operator = "IS NOT" if dialect == "sqlite" else "IS DISTINCT FROM"
    target = _quote(sql_table.name)
    return " OR ".join(f"{target}.{_quote(c)} {operator} excluded.{_quote(c)}" for c in compared)


def _update_clause(sql_table: sa.Table, pk: tuple[str, ...]) -> str:
    return ", ".join(
        f"{_quote(c.name)} = excluded.{_quote(c.name)}"
        for c in sql_table.columns
        if c.name not in pk
    )


def upsert_sqlite(
    conn: sa.Connection, sql_table: sa.Table, pk: tuple[str, ...], rows: list[tuple]
) -> tuple[int, int]:
    """Returns (inserted, updated)."""
    names = [c.name for c in sql_table.columns]
    key_index = names.index(pk[0])
    keys = [row[key_index] for row in rows]
    placeholders = ", ".join("?" * len(keys))
    existing_sql = f"SELECT {_quote(pk[0])} FROM {_quote(sql_table.name)} WHERE {_quote(pk[0])} IN ({placeholders})"
    dbapi = conn.connection.driver_connection
    existing = {r[0] for r in dbapi.execute(existing_sql, keys)}
    statement = (
        f"INSERT INTO {_quote(sql_table.name)} ({', '.join(map(_quote, names))}) "
        f"VALUES ({', '.join('?' * len(names))}) "
        f"ON CONFLICT ({', '.join(map(_quote, pk))}) DO UPDATE SET {_update_clause(sql_table, pk)} "
        f"WHERE {_changed_condition(sql_table, pk, 'sqlite')}"
    )
    before = dbapi.total_changes
    dbapi.executemany(statement, rows)
    written = dbapi.total_changes - before
    inserted = sum(1 for k in keys if k not in existing)
    return inserted, written - inserted


def upsert_postgresql(
    conn: sa.Connection, sql_table: sa.Table, pk: tuple[str, ...], payload: bytes
) -> tuple[int, int]:
    """Returns (inserted, updated)."""
    names = [c.name for c in sql_table.columns]
    columns = ", ".join(map(_quote, names))
    staging = _quote(f"_stage_{sql_table.name}")
    dbapi = conn.connection.driver_connection
    with dbapi.cursor() as cur:
        cur.execute(
            f"CREATE TEMP TABLE IF NOT EXISTS {staging} (LIKE {_quote(sql_table.name)} INCLUDING DEFAULTS) "
            "ON COMMIT DELETE ROWS"
        )
        cur.execute(f"TRUNCATE {staging}")
        with cur.copy(f"COPY {staging} ({columns}) FROM STDIN") as copy:
            copy.write(payload)
        cur.execute(
            f"INSERT INTO {_quote(sql_table.name)} ({columns}) SELECT {columns} FROM {staging} "
            f"ON CONFLICT ({', '.join(map(_quote, pk))}) DO UPDATE SET {_update_clause(sql_table, pk)} "
            f"WHERE {_changed_condition(sql_table, pk, 'postgresql')} RETURNING (xmax = 0)"
        )
        flags = [r[0] for r in cur.fetchall()]
    inserted = sum(flags)
    return inserted, len(flags) - inserted
