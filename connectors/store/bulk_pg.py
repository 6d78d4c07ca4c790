"""PostgreSQL bulk upserts: COPY straight into the table for new keys, a staged merge for the rest.

Measured on 1M ``time_entries`` rows (benchmarks/RESULTS.md), the server spends about 7 µs
per row on a plain COPY into the table and 9-10 µs on COPY-to-staging plus
``INSERT ... SELECT ... ON CONFLICT``, whose speculative insertion costs extra per row;
asking which keys exist first costs another 3 µs per key. So a batch takes one of two paths:

- *copy*: COPY straight into the table inside a savepoint. It works when every key is new
  (initial loads, new worklogs). If any key exists, or another writer inserts one meanwhile,
  PostgreSQL raises a unique violation, the savepoint is rolled back and the batch merges.
- *merge*: COPY into a temporary staging table, then one
  ``INSERT ... SELECT ... ON CONFLICT DO UPDATE ... WHERE <changed>`` whose
  ``RETURNING (xmax = 0)`` tells inserted from updated rows.

The caller picks the copy path while the table's previous batch was all new keys, so a
re-sync of existing rows pays for at most one failed COPY. Rows go in key order (two
writers then lock rows in the same order and cannot deadlock) and in slices through a
queued writer, so the server parses one slice while the client formats the next.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np
import pandas as pd
import psycopg
import sqlalchemy as sa
from psycopg.copy import QueuedLibpqWriter

from connectors.store.bulk import (
    changed_condition,
    driver_connection,
    is_json_type,
    iso_strings,
    json_text,
    quote,
    set_clause,
)

COPY_SLICE_ROWS = 5_000
_NULL = "\\N"
_SEPARATOR = "\x00"  # PostgreSQL text cannot hold NUL, so it never occurs in stored values
_ESCAPES = (("\\", "\\\\"), ("\t", "\\t"), ("\n", "\\n"), ("\r", "\\r"))


def escape_copy_text(texts: list[str]) -> list[str]:
    """COPY text-format escaping of many values at once.

    The values are joined into one string so that the checks and replacements run in C
    over the whole batch; almost every batch needs no escaping at all.
    """
    if not texts:
        return texts
    joined = _SEPARATOR.join(texts)
    if joined.count(_SEPARATOR) != len(texts) - 1:
        # A value holds NUL, which PostgreSQL text cannot store: it becomes U+FFFD, the
        # Unicode replacement character, rather than failing the whole batch.
        texts = [text.replace(_SEPARATOR, "\ufffd") for text in texts]
        joined = _SEPARATOR.join(texts)
    if not any(raw in joined for raw, _ in _ESCAPES):
        return texts
    for raw, escaped in _ESCAPES:
        joined = joined.replace(raw, escaped)
    return joined.split(_SEPARATOR)


def _format_uniques(type_: sa.types.TypeEngine[Any], uniques: Any) -> list[str]:
    if isinstance(type_, sa.types.TypeDecorator):  # UTCDateTime
        return iso_strings(pd.Series(uniques), "us", suffix="+00")
    if isinstance(type_, sa.Date):
        return iso_strings(pd.Series(uniques), "D")
    if isinstance(type_, sa.Boolean):
        return ["t" if value else "f" for value in np.asarray(uniques, dtype=bool).tolist()]
    if isinstance(type_, sa.Float):
        return [repr(value) for value in np.asarray(uniques, dtype=float).tolist()]
    if isinstance(type_, sa.Integer):
        return [str(value) for value in np.asarray(uniques, dtype=np.int64).tolist()]
    return escape_copy_text([str(value) for value in np.asarray(uniques, dtype=object).tolist()])


def column_texts(column: sa.Column[Any], values: pd.Series) -> list[str]:
    """One column as COPY text, each distinct value formatted once (batches repeat a lot)."""
    if is_json_type(column.type):
        values = pd.Series([json_text(v) for v in values], dtype=object)
        codes, uniques = pd.factorize(values)
        formatted = escape_copy_text(list(uniques))
    else:
        codes, uniques = pd.factorize(values)
        formatted = _format_uniques(column.type, uniques)
    lookup = np.array([*formatted, _NULL], dtype=object)  # code -1 (missing) picks NULL
    text: list[str] = lookup[codes].tolist()
    return text


def copy_payload(sql_table: sa.Table, frame: pd.DataFrame) -> bytes:
    """Rows in COPY text format: columns formatted vectorised, lines joined in C."""
    columns = [column_texts(col, frame[col.name]) for col in sql_table.columns]
    return ("\n".join(map("\t".join, zip(*columns, strict=True))) + "\n").encode("utf-8")


class _Payload:
    """A batch in COPY text, formatted slice by slice as the COPY asks for it.

    Slices are kept, so a COPY that has to be redone into the staging table costs the
    server its work again but not the client's formatting.
    """

    def __init__(self, sql_table: sa.Table, rows: pd.DataFrame) -> None:
        self.sql_table = sql_table
        self.rows = rows
        self.made: list[bytes] = []

    def __iter__(self) -> Iterator[bytes]:
        for index, start in enumerate(range(0, len(self.rows), COPY_SLICE_ROWS)):
            if index == len(self.made):
                batch = self.rows.iloc[start : start + COPY_SLICE_ROWS]
                self.made.append(copy_payload(self.sql_table, batch))
            yield self.made[index]


def _copy(cursor: psycopg.Cursor[Any], statement: str, payload: _Payload) -> None:
    # The queued writer sends from its own thread: the server parses one slice while
    # this thread formats the next.
    with cursor.copy(statement, writer=QueuedLibpqWriter(cursor)) as copy:
        for chunk in payload:
            copy.write(chunk)


def _column_list(sql_table: sa.Table) -> str:
    return ", ".join(quote(c.name) for c in sql_table.columns)


def _copy_into_table(conn: sa.Connection, sql_table: sa.Table, payload: _Payload) -> bool:
    """COPY straight into the table; False, with nothing written, if a key already exists."""
    statement = f"COPY {quote(sql_table.name)} ({_column_list(sql_table)}) FROM STDIN"
    savepoint = conn.begin_nested()
    try:
        with driver_connection(conn).cursor() as cursor:
            _copy(cursor, statement, payload)
    except psycopg.errors.UniqueViolation:
        savepoint.rollback()
        return False
    savepoint.commit()
    return True


def _merge_staged(
    conn: sa.Connection, sql_table: sa.Table, key: str, payload: _Payload
) -> tuple[int, int]:
    columns = _column_list(sql_table)
    staging = quote(f"_stage_{sql_table.name}")
    with driver_connection(conn).cursor() as cursor:
        cursor.execute(
            f"CREATE TEMP TABLE IF NOT EXISTS {staging} "
            f"(LIKE {quote(sql_table.name)} INCLUDING DEFAULTS) ON COMMIT DELETE ROWS"
        )
        cursor.execute(f"TRUNCATE {staging}")
        _copy(cursor, f"COPY {staging} ({columns}) FROM STDIN", payload)
        cursor.execute(
            f"INSERT INTO {quote(sql_table.name)} ({columns}) "
            f"SELECT {columns} FROM {staging} ORDER BY {quote(key)} "
            f"ON CONFLICT ({quote(key)}) DO UPDATE SET {set_clause(sql_table, (key,))} "
            f"WHERE {changed_condition(sql_table, (key,), 'postgresql')} RETURNING (xmax = 0)"
        )
        flags = [row[0] for row in cursor.fetchall()]
    inserted = sum(flags)
    return inserted, len(flags) - inserted


def upsert_postgresql(
    conn: sa.Connection,
    sql_table: sa.Table,
    pk: tuple[str, ...],
    rows: pd.DataFrame,
    *,
    copy_first: bool,
) -> tuple[int, int]:
    """Upsert rows sorted by their one-column key; returns (inserted, updated).

    With ``copy_first`` the rows are first COPYed straight into the table, which succeeds
    when every key is new (an initial load, new worklogs); a unique violation rolls that
    back and the batch is merged instead.
    """
    (key,) = pk
    payload = _Payload(sql_table, rows)
    if copy_first and _copy_into_table(conn, sql_table, payload):
        return len(rows), 0
    return _merge_staged(conn, sql_table, key, payload)
