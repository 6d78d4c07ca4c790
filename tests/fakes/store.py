"""An in-memory warehouse (`connectors.ports.Store`) and a `Runtime` wired to the fakes."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from checks.schema import CANONICAL_TABLES, to_frame
from config.settings import Settings
from connectors.ports import JSONObject
from flows.runtime import Publishers, Runtime
from tests.fakes.ledger import FakeLedger
from tests.fakes.targets import FakeJira, FakeM365

SNAPSHOT_COLUMNS = ["project_id", "snapshot_date", "metric", "value"]


class FakeTransaction:
    def __init__(self, store: FakeStore) -> None:
        self.store = store

    def snapshot_metrics(
        self, project_id: str, day: date, metrics: Mapping[str, float | None]
    ) -> None:
        for metric, value in metrics.items():
            self.store.snapshots[(project_id, day, metric)] = value

    def set_watermark(
        self, source: str, stream: str, scope: str, watermark: Mapping[str, Any]
    ) -> None:
        self.store.watermarks[(source, stream, scope)] = dict(watermark)


@dataclass
class FakeStore:
    """Canonical frames given by the test, metric snapshots, archived evaluations, a ledger."""

    frames: dict[str, pd.DataFrame] = field(default_factory=dict)
    snapshots: dict[tuple[str, date, str], float | None] = field(default_factory=dict)
    evaluations: list[JSONObject] = field(default_factory=list)
    synced: dict[str, datetime] = field(default_factory=dict)
    watermarks: dict[tuple[str, str, str], JSONObject] = field(default_factory=dict)
    writes: int = 0  # canonical writes (a test that changes `frames` counts one)
    publications: FakeLedger = field(default_factory=FakeLedger)

    def read(
        self,
        table: str,
        *,
        project_ids: Sequence[str] | None = None,
        include_deleted: bool = False,
        where: Mapping[str, object] | None = None,
    ) -> pd.DataFrame:
        frame = self.frames.get(table)
        frame = to_frame(table, []) if frame is None else frame
        if project_ids is not None and "project_id" in frame:
            frame = frame[frame["project_id"].isin(list(project_ids))]
        for column, value in (where or {}).items():
            frame = frame[frame[column] == value]
        return frame.reset_index(drop=True)

    def read_all(self, *, include_deleted: bool = False) -> dict[str, pd.DataFrame]:
        return {name: self.read(name) for name in CANONICAL_TABLES}

    def metric_snapshots(self, project_ids: Sequence[str] | None = None) -> pd.DataFrame:
        rows = [
            {"project_id": p, "snapshot_date": d, "metric": m, "value": v}
            for (p, d, m), v in self.snapshots.items()
            if project_ids is None or p in project_ids
        ]
        return pd.DataFrame(rows, columns=SNAPSHOT_COLUMNS)

    def content_marks(self) -> dict[str, list[Any]]:
        return {name: [len(frame), self.writes] for name, frame in self.frames.items()}

    def get_watermark(self, source: str, stream: str, scope: str = "*") -> JSONObject | None:
        return self.watermarks.get((source, stream, scope))

    @contextmanager
    def transaction(self) -> Iterator[FakeTransaction]:
        yield FakeTransaction(self)

    def ledger(self) -> FakeLedger:
        return self.publications

    def save_evaluation(self, document: JSONObject) -> str:
        self.evaluations.append(document)
        return f"evaluation-{len(self.evaluations)}"

    def latest_evaluations(self, project_id: str | None = None) -> list[JSONObject]:
        docs = [d for d in self.evaluations if project_id in (None, d.get("project_id"))]
        return sorted(docs, key=lambda d: str(d.get("evaluated_at")), reverse=True)

    def last_successful_sync(self) -> dict[str, datetime]:
        return dict(self.synced)


@dataclass
class Fakes:
    """A runtime on fakes, and the fakes to look into."""

    runtime: Runtime
    store: FakeStore
    jira: FakeJira
    m365: FakeM365


def fake_runtime(settings: Settings, reports_dir: Path, store: FakeStore | None = None) -> Fakes:
    """A `Runtime` whose warehouse, Jira and Microsoft 365 are in memory (no sandbox, no
    database, no Prefect server). Targets share the store's ledger, as the real ones do."""
    store = store or FakeStore()
    jira, m365 = FakeJira(store.publications), FakeM365(store.publications)
    runtime = Runtime(
        settings,
        store,
        as_of_override=datetime(2026, 12, 1, tzinfo=UTC),
        reports_dir=reports_dir,
        publishers=Publishers(jira=jira, m365=m365),
    )
    return Fakes(runtime, store, jira, m365)
