"""Upsert throughput of the warehouse: N time_entries rows, then a re-upsert with 10 % changed.

    uv run python benchmarks/warehouse_upsert.py --rows 1000000 --backend sqlite
    uv run python benchmarks/warehouse_upsert.py --rows 1000000 --backend postgresql \
        --postgres-url postgresql+psycopg://postgres@127.0.0.1:5432/postgres

For PostgreSQL a scratch database is created and dropped. Rows stream in chunks (as a sync
writes page batches), so peak RSS measures the warehouse path, not the generator.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pandas as pd
import psutil
import sqlalchemy as sa

from connectors.store import Warehouse

CHUNK = 50_000


def make_chunk(start: int, size: int, changed_share: float = 0.0, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed + start)
    ids = np.arange(start, start + size)
    hours = (ids % 16 + 1) / 2.0
    if changed_share:
        hours = np.where(rng.random(size) < changed_share, hours + 0.25, hours)
    started = pd.Timestamp("2026-01-01", tz="UTC") + pd.to_timedelta(ids % 300, unit="D")
    return pd.DataFrame(
        {
            "entry_id": [f"jira:worklog:{i}" for i in ids],
            "source": "jira",
            "kind": "worklog",
            "person_id": [f"person{i % 500}@example.com" for i in ids],
            "project_id": [f"jira:{10000 + i % 500}" for i in ids],
            "task_id": [f"jira:{20000 + i % 100000}" for i in ids],
            "started_at": started,
            "work_date": started.tz_localize(None).normalize(),
            "hours": hours,
            "is_confirmed": True,
            "flags": [[] for _ in ids],
            "updated_at": pd.Timestamp("2026-11-01", tz="UTC"),
        }
    )


def run_pass(
    wh: Warehouse, rows: int, changed_share: float, seed: int
) -> tuple[float, float, dict[str, int]]:
    """Seconds spent in the warehouse (making the synthetic rows is not counted) and counts."""
    totals = {"inserted": 0, "updated": 0, "unchanged": 0}
    elapsed = cpu = 0.0
    for start in range(0, rows, CHUNK):
        chunk = make_chunk(start, min(CHUNK, rows - start), changed_share, seed)
        started, started_cpu = time.perf_counter(), time.process_time()
        with wh.transaction() as txn:
            counts = txn.upsert("time_entries", chunk)
        elapsed += time.perf_counter() - started
        cpu += time.process_time() - started_cpu
        for key, value in counts.as_dict().items():
            totals[key] += value
    return elapsed, cpu, totals


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--backend", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument(
        "--postgres-url", default="postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
    )
    args = parser.parse_args()

    scratch_db = None
    tmp = tempfile.TemporaryDirectory()
    if args.backend == "sqlite":
        url = f"sqlite:///{Path(tmp.name) / 'bench.db'}"
    else:
        scratch_db = f"pmo_bench_{uuid.uuid4().hex[:8]}"
        admin = sa.create_engine(args.postgres_url, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.exec_driver_sql(f'CREATE DATABASE "{scratch_db}"')
        url = sa.engine.make_url(args.postgres_url).set(database=scratch_db).render_as_string(False)
    try:
        wh = Warehouse(url)
        wh.migrate()
        first_s, first_cpu, first = run_pass(wh, args.rows, 0.0, seed=1)
        second_s, second_cpu, second = run_pass(wh, args.rows, 0.10, seed=2)
        rss = psutil.Process().memory_info()
        peak = getattr(rss, "peak_wset", None) or _peak_rss()
        print(f"backend={args.backend} rows={args.rows} at={datetime.now(UTC):%Y-%m-%dT%H:%MZ}")
        print(
            f"initial load:   {first_s:7.1f} s  {args.rows / first_s:10,.0f} rows/s  "
            f"(client CPU {first_cpu:.1f} s)  {first}"
        )
        print(
            f"re-upsert 10%:  {second_s:7.1f} s  {args.rows / second_s:10,.0f} rows/s  "
            f"(client CPU {second_cpu:.1f} s)  {second}"
        )
        print(f"load average at end: {os.getloadavg()}")
        print(f"peak RSS:       {peak / 2**20:7.0f} MiB")
        wh.dispose()
    finally:
        if scratch_db:
            with admin.connect() as conn:
                conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{scratch_db}" WITH (FORCE)')
        tmp.cleanup()


def _peak_rss() -> int:
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


if __name__ == "__main__":
    main()
