"""Must a sync judge the portfolio again? The record of the last judgement says.

After every sync the nightly run judges the portfolio (`flows.nightly_checks.judge_portfolio`:
quality gates, every project's checks, the day's metric snapshots, alerts for new red
findings, answers to gate-review requests). Each of those is a function of its inputs, and
each output is idempotent (snapshots are per day, alerts and answers go through the ledger).
So judging again on the same inputs changes nothing, and a sync that wrote nothing skips it.

The inputs, and what stands for each in the record (`judgement_key`):
- the warehouse's canonical tables: per table the row count and the latest `synced_at`,
  and the token every transaction that changed canonical rows draws (`Warehouse.
  content_marks`; the stamps alone miss a writer whose clock is behind, or one that commits
  after a later-stamped one); every write moves them, whoever made it (a sync with
  `--no-judge` or `--project` included);
- the configuration: a digest of the settings, the gate rules file and the source of
  `checks/`, `config/`, `connectors/`, `flows/` and `reports/` (an upgrade judges again);
- the status date, by its day (UTC): a day's first sync always judges, so aging (items
  overdue, days late) is judged at least daily, and the nightly run judges every night. A
  later sync the same day with nothing new keeps the day's judgement: its snapshots and
  alerts are the day's already;
- the sync log's freshness: which sources have synced, all within `checks.freshness_hours`
  of the status date (with a stale source the sync judges again, every time: the failure
  names the source's age);
- metric snapshots of earlier days and the census: fixed once the day has begun; only a
  judgement with a pinned status date (`--as-of`) rewrites that date's snapshots, so such a
  judgement always runs and clears the record.

The record is cleared before a judgement and written only after it succeeded (a failed
alert or answer raises, and the next sync judges again, even if the failed one was pinned and
had rewritten a day's snapshots). It lives in `sync_state` (source `pmo`, stream
`judgement`): it is what the judgement has covered, as a watermark is for a stream.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from flows.runtime import Runtime

SOURCE, STREAM = "pmo", "judgement"
_ROOT = Path(__file__).resolve().parent.parent
# every package a judging run loads: it reads through connectors.store, writes reports/ HTML
CODE_PACKAGES = ("checks", "config", "connectors", "flows", "reports")


def judgement_key(runtime: Runtime) -> dict[str, Any] | None:
    """What a judgement now would read (module docstring); None when the sync must judge
    whatever was judged before: a pinned status date, a stale source."""
    if runtime.as_of_pinned:
        return None
    from checks.quality.freshness import freshness

    as_of = runtime.as_of()
    synced = runtime.warehouse.last_successful_sync()
    results = freshness(synced, as_of, runtime.settings.checks.freshness_hours)
    if not all(r.success for r in results):
        return None  # a stale source's failure names its age: it differs every time
    return {
        "tables": runtime.warehouse.content_marks(),
        "config": config_digest(runtime),
        "day": as_of.date().isoformat(),
        "fresh": sorted(synced),
    }


def config_digest(runtime: Runtime) -> str:
    """The settings, the gate rules file and the code that judges, as one digest."""
    from config.lifecycle import lifecycle_path

    digest = hashlib.sha256(runtime.settings.model_dump_json().encode())
    rules = lifecycle_path(runtime.settings)
    digest.update(rules.read_bytes() if rules.is_file() else b"no rules file")
    for package in CODE_PACKAGES:
        for path in sorted((_ROOT / package).rglob("*.py")):
            digest.update(str(path.relative_to(_ROOT)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def unchanged_since(runtime: Runtime, key: dict[str, Any] | None) -> dict[str, Any] | None:
    """The last judgement's record when `key` is what it judged, else None."""
    if key is None:
        return None
    record = runtime.warehouse.get_watermark(SOURCE, STREAM)
    if not record or record.get("key") != _plain(key):
        return None
    return record


def forget_judgement(runtime: Runtime) -> None:
    """Before a judgement: the last record no longer stands. A judgement that fails half-way
    may have written what the next one reads (a pinned day's snapshots), and its own record
    is written only when it succeeds."""
    with runtime.warehouse.transaction() as txn:
        txn.set_watermark(SOURCE, STREAM, "*", {"key": None})


def record_judgement(runtime: Runtime, key: dict[str, Any] | None, counts: dict[str, Any]) -> None:
    """After a judgement that succeeded: what it judged (None clears the record)."""
    record = {
        "key": _plain(key) if key is not None else None,
        "judged_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "projects": counts.get("projects"),
    }
    with runtime.warehouse.transaction() as txn:
        txn.set_watermark(SOURCE, STREAM, "*", record)


def _plain(key: dict[str, Any]) -> Any:
    """The key as it reads back from the database's JSON column."""
    return json.loads(json.dumps(key, sort_keys=True))
