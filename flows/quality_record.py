"""The per-table suites' results, kept for the next run that reads the same rows.

Great Expectations costs seconds to load and to validate every table; its results depend
only on the tables' live rows and the status date (`checks.quality.tables`). So the results
of the last run are stored with what they were computed from, and a later run (`pmo gate`
after the nightly judgement, a second `pmo gate`) takes them when they still hold:
- the same rows: per table the live row count, the latest `synced_at` and a digest of the
  values, read from the frames the run validates (a write's stamp alone does not tell: see
  `frame_marks`), and the same code (`flows.judgement_record.config_digest`);
- the same outcome at this status date: `checks.quality.tables.suites_agree` (no value of a
  column checked against the status date lies between the two dates).
Otherwise GX runs, and its results replace the stored ones. Nothing else is reused: the
cross-table checks, freshness, census and the severity by share run every time.

Stored in `sync_state` (source `pmo`, stream `quality-suites`), like the judgement record.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any

import pandas as pd

from checks.model import QualityResult
from flows.runtime import Runtime

SOURCE, STREAM = "pmo", "quality-suites"


def frame_marks(frames: Mapping[str, pd.DataFrame]) -> dict[str, list[Any]]:
    """Per table: live rows, the latest `synced_at` among them and a digest of their content
    (the stamps alone miss a row changed by a writer whose clock is behind, or one that
    commits after a later-stamped writer)."""
    marks: dict[str, list[Any]] = {}
    for name, frame in sorted(frames.items()):
        latest = frame["synced_at"].max() if "synced_at" in frame and len(frame) else None
        marks[name] = [
            len(frame),
            None if latest is None or pd.isna(latest) else str(latest),
            content_digest(frame),
        ]
    return marks


def content_digest(frame: pd.DataFrame) -> str:
    """The frame's columns and values, row order included, as one digest."""
    digest = hashlib.sha256(json.dumps([str(c) for c in frame.columns]).encode())
    digest.update(json.dumps([str(t) for t in frame.dtypes]).encode())
    for _, column in frame.items():
        try:
            hashed = pd.util.hash_pandas_object(column, index=False)
        except TypeError:  # JSON values (lists, dicts): hashed as their text
            text = column.astype(str)
            hashed = pd.util.hash_pandas_object(text, index=False)
        digest.update(hashed.to_numpy().tobytes())
    return digest.hexdigest()


def suite_results(
    runtime: Runtime, frames: Mapping[str, pd.DataFrame], as_of: datetime
) -> list[QualityResult]:
    """The suites' results on `frames` at `as_of`: the stored ones when they hold, else GX's
    (then stored)."""
    from checks.quality import suites_agree, table_suite_results
    from flows.judgement_record import config_digest

    key = {"tables": frame_marks(frames), "code": config_digest(runtime)}
    stored = runtime.warehouse.get_watermark(SOURCE, STREAM)
    if stored and stored.get("key") == key:
        then = datetime.fromisoformat(stored["as_of"])
        if suites_agree(frames, then, as_of):
            return [QualityResult.from_dict(r) for r in stored["results"]]
    results = table_suite_results(frames, as_of)
    record = {"key": key, "as_of": as_of.isoformat(), "results": [r.to_dict() for r in results]}
    with runtime.warehouse.transaction() as txn:
        txn.set_watermark(SOURCE, STREAM, "*", record)
    return results
