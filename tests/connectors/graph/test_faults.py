"""Throttling, server errors and dropped connections must not change what the sync writes."""

from __future__ import annotations

import pytest

from connectors.graph.sync import sync_graph
from connectors.store import Warehouse
from sandbox.faults import FaultRule
from sandbox.server import start_sandbox
from tests.connectors.graph.conftest import graph_settings
from tests.connectors.graph.tenant import TOKEN

VOLATILE = ["synced_at", "deleted_at"]  # when a row was written, not what it says


def snapshot(warehouse: Warehouse) -> dict:
    frames = warehouse.read_all(include_deleted=True)
    out = {}
    for name, frame in frames.items():
        pk = frame.columns[0]
        out[name] = frame.drop(columns=VOLATILE).sort_values(pk).reset_index(drop=True)
    return out


def faulty_rules() -> list[FaultRule]:
    return [
        FaultRule(route="/v1.0/*", kind="429", probability=0.10, retry_after=1),
        FaultRule(route="/v1.0/*", kind="503", probability=0.10, retry_after=1),
        FaultRule(route="/v1.0/*", kind="drop", probability=0.01),  # before any byte
        FaultRule(route="/v1.0/*", kind="drop_mid", probability=0.01),  # half a body, then gone
    ]


@pytest.mark.slow
@pytest.mark.parametrize("seed", [11, 12])  # seeds whose draws include every fault kind
def test_twenty_percent_throttled_and_two_percent_dropped_gives_the_clean_warehouse(
    tenant, tmp_path, seed
):
    settings = graph_settings(read_task_details=True)  # $batch requests get faults too
    clean = Warehouse(f"sqlite:///{tmp_path / 'clean.db'}")
    faulty = Warehouse(f"sqlite:///{tmp_path / 'faulty.db'}")
    for wh in (clean, faulty):
        wh.migrate()
    with start_sandbox(tenant) as server:
        sync_graph(settings, clean, graph_url=server.info.graph_base_url, token=TOKEN)
    with start_sandbox(tenant, faults=faulty_rules(), fault_seed=seed) as server:
        summaries = sync_graph(settings, faulty, graph_url=server.info.graph_base_url, token=TOKEN)
        stats = server.app.stats.snapshot()
    assert all(s.ok for s in summaries), [s.errors for s in summaries]
    # the faults really happened, and the client retried through them
    assert stats["faults"].get("429", 0) > 0 and stats["faults"].get("503", 0) > 0
    assert stats["faults"].get("drop", 0) + stats["faults"].get("drop_mid", 0) > 0
    assert sum(s.retries for s in summaries) >= sum(stats["faults"].values())
    expected, got = snapshot(clean), snapshot(faulty)
    for name, frame in expected.items():
        assert frame.equals(got[name]), name
