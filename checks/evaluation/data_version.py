"""A stable hash of an evaluation's inputs: same data + same config -> same version.

Rows are hashed with pandas' vectorised `hash_pandas_object`, then sorted, so the version does
not depend on row order. Column order does not matter either. JSON columns (lists, dicts)
are hashed through their canonical JSON text.

The version covers the evidence an evaluation reads, not bookkeeping: `synced_at` (when we
wrote the row), `updated_at` (when the source last touched the record, for any reason) and
`deleted_at` (when the tombstone was set; `is_deleted` itself is evidence) are left out.
`updated_at` matters most: every comment, attachment or property the product posts on an
issue moves it, so hashing it made each publication change the next run's version and the
product answered its own posts (issue 12). A real change of the work moves a field the
checks read (status, estimate, hours, dates...), and that does change the version.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd
from pandas.arrays import NumpyExtensionArray
from pandas.core.util.hashing import combine_hash_arrays  # type: ignore[attr-defined]

from checks.model import ProjectFrames, to_jsonable
from checks.schema import table

# Bookkeeping timestamps: they say when a record was written or touched, not what it says.
IGNORED_COLUMNS = frozenset({"synced_at", "updated_at", "deleted_at"})


def row_hashes(frame: pd.DataFrame) -> np.ndarray:
    """One uint64 per row of `frame`'s content (columns by name, bookkeeping left out).

    What `pd.util.hash_pandas_object(prepared, index=False)` gives for the frame of the
    prepared columns, computed column by column as pandas does, without building that frame
    (~3 ms of pandas overhead on a one-row frame, hashed once per project)."""
    columns = sorted(c for c in frame.columns if c not in IGNORED_COLUMNS)
    if frame.empty or not columns:
        return np.empty(0, dtype=np.uint64)
    hashed = (pd.util.hash_array(_hashable(frame[c])) for c in columns)
    return np.asarray(combine_hash_arrays(hashed, len(columns)), dtype=np.uint64)


def _hashable(column: pd.Series) -> Any:
    """The column's values as pandas hashes a frame's column (numpy array or extension
    array); JSON cells (lists, dicts) as their canonical text."""
    if column.dtype != object:
        values = column.array
        return values.to_numpy() if isinstance(values, NumpyExtensionArray) else values
    values = column.to_numpy()
    return pd.array([_canonical(v) for v in values], dtype="string")


_SIMPLE = (str, int, float, bool)


def _canonical(value: Any) -> str | None:
    kind = type(value)
    if kind is str:
        text: str = value
        return text
    # the common JSON cell: a flat list of labels or flags; repr is canonical for it and fast
    if kind is list and all(type(x) in _SIMPLE for x in value):
        return repr(value)
    if value is None or (kind is float and value != value):
        return None
    return json.dumps(to_jsonable(value), sort_keys=True, default=str)


def digest_rows(hashes: np.ndarray) -> bytes:
    """Order-independent digest of a set of row hashes."""
    return hashlib.sha256(np.sort(hashes).tobytes()).digest()


class TableHashes:
    """Row hashes of whole tables computed once, looked up per project by primary key.

    A row's hash depends on that row only, so looking it up gives exactly what hashing the
    project's own frame would: the portfolio path and the one-project path agree.
    """

    def __init__(self, frames: Mapping[str, pd.DataFrame]):
        self._by_key: dict[str, pd.Series] = {}
        for name, frame in frames.items():
            key = _primary_key(name)
            if key is None or key not in frame or not frame[key].is_unique:
                continue  # hashed on demand instead
            self._by_key[name] = pd.Series(row_hashes(frame), index=frame[key].to_numpy())

    def hashes(self, name: str, frame: pd.DataFrame) -> np.ndarray:
        known = self._by_key.get(name)
        key = _primary_key(name)
        if known is None or frame.empty or key is None:
            return row_hashes(frame)
        positions = known.index.get_indexer(pd.Index(frame[key].to_numpy()))
        if (positions < 0).any():  # rows not in the hashed tables: hash them directly
            return row_hashes(frame)
        return known.to_numpy()[positions]


def _primary_key(name: str) -> str | None:
    try:
        keys = table(name).primary_key
    except KeyError:
        return None
    return keys[0] if len(keys) == 1 else None


def data_version(
    tables: Mapping[str, pd.DataFrame],
    config: Any,
    *,
    hashes: TableHashes | None = None,
    length: int = 16,
) -> str:
    """Hex digest of the tables' content and the config (JSON-able, keys sorted).

    `tables` maps a canonical table name (or "name:role" such as "time_entries:portfolio")
    to a frame; `hashes` makes the row hashing a lookup for frames cut from a portfolio.
    """
    return version_with_config(tables_digest(tables, hashes=hashes), config, length=length)


def tables_digest(
    tables: Mapping[str, pd.DataFrame], *, hashes: TableHashes | None = None
) -> bytes:
    """What `data_version` hashes for the tables (the costly half): labels, column names and
    each table's digest of row hashes. Bytes, not a running hash, so that an assessment can
    travel between processes (a hash object does not pickle); hashing these bytes and then
    the config gives exactly the running hash's digest."""
    parts = []
    for label in sorted(tables):
        frame = tables[label]
        name = label.split(":", 1)[0]
        rows = hashes.hashes(name, frame) if hashes else row_hashes(frame)
        parts.append(label.encode())
        parts.append(",".join(sorted(set(frame.columns) - IGNORED_COLUMNS)).encode())
        parts.append(digest_rows(rows))
    return b"".join(parts)


def version_with_config(tables: bytes, config: Any, *, length: int = 16) -> str:
    """`data_version` from a `tables_digest` and the config."""
    digest = hashlib.sha256(tables)
    digest.update(json.dumps(to_jsonable(config), sort_keys=True, default=str).encode())
    return digest.hexdigest()[:length]


def project_tables(pf: ProjectFrames) -> dict[str, pd.DataFrame]:
    """The frames a project's evaluation reads, labelled for `data_version`."""
    return {
        "project": pd.DataFrame([pf.project]),  # the row as checks saw it: hashed directly
        "tasks": pf.tasks,
        "dependencies": pf.dependencies,
        "status_changes": pf.status_changes,
        "time_entries": pf.time_entries,
        "time_entries:portfolio": pf.portfolio_time_entries,
        "milestones": pf.milestones,
        "sprints": pf.sprints,
        "risks": pf.risks,
        "people": pf.people,
    }
