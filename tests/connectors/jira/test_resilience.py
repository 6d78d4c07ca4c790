"""Throttling, errors, dropped connections and SIGKILL: the warehouse ends the same."""

from __future__ import annotations

import multiprocessing
import os
import random
import signal
import time
from pathlib import Path

import pytest
import requests

from config.settings import JiraSettings, SecretRef, Settings
from connectors.jira.client import build_jira
from connectors.jira.sync import run_jira_sync
from connectors.store import Warehouse
from sandbox.faults import FaultRule
from sandbox.server import SandboxServer, start_sandbox
from tests.connectors.jira.conftest import diff, jira_settings, new_warehouse, snapshot, sync
from tests.connectors.jira.tenant_factory import SECRET_TOKEN, build_tenant


def test_20_percent_throttling_and_2_percent_drops_leave_an_identical_warehouse(
    tmp_path: Path,
) -> None:
    doc = build_tenant(120, 3)
    settings = jira_settings(page_size=25, max_retries=8)
    with start_sandbox(doc) as server:
        clean = new_warehouse(tmp_path, "clean")
        sync(server, clean, settings)
    faults = [
        FaultRule(route="/rest/*", kind="429", probability=0.10, retry_after=0),
        FaultRule(route="/rest/*", kind="503", probability=0.11, retry_after=0),
        FaultRule(route="/rest/*", kind="drop", probability=0.02),
    ]
    with start_sandbox(doc, faults=faults, fault_seed=11) as server:
        faulty = new_warehouse(tmp_path, "faulty")
        summaries, api = sync(server, faulty, settings)
        injected = requests.get(f"{server.info.jira_url}/_sandbox/stats", timeout=10).json()[
            "faults"
        ]
    assert diff(snapshot(clean), snapshot(faulty)) == {}
    assert injected.get("429", 0) > 0 and injected.get("503", 0) > 0 and injected.get("drop", 0) > 0
    assert api.stats.retries == sum(injected.get(k, 0) for k in ("429", "503", "drop"))
    assert sum(s.retries for s in summaries) == api.stats.retries  # reported per scope


def _requests_so_far(server: SandboxServer) -> int:
    return int(server.app.stats.snapshot()["total"])  # in-process: polling costs no requests


def _child_sync(url: str, database: str) -> None:
    """The forked child: a whole sync from scratch, as `pmo sync` would run it."""
    os.environ["PMO_TEST_JIRA_TOKEN"] = SECRET_TOKEN
    settings = Settings(
        jira=JiraSettings(
            url=url,
            email="pmo-bot@example.com",
            page_size=10,
            api_token=SecretRef(env="PMO_TEST_JIRA_TOKEN"),
        )
    )
    warehouse = Warehouse(f"sqlite:///{database}")
    warehouse.migrate()
    run_jira_sync(settings, warehouse, build_jira(settings))


def _kill_after(server: SandboxServer, database: Path, requests_seen: int) -> bool:
    """Start a sync in a child process and SIGKILL it once the sandbox has answered
    `requests_seen` requests (mid-page, mid-transaction: wherever that lands)."""
    server.app.stats.reset()
    child = multiprocessing.get_context("fork").Process(
        target=_child_sync, args=(server.info.jira_url, str(database)), daemon=True
    )
    child.start()
    while child.is_alive():
        if _requests_so_far(server) >= requests_seen:
            os.kill(child.pid, signal.SIGKILL)  # type: ignore[arg-type]
            child.join()
            return True
        time.sleep(0.003)
    return False


@pytest.mark.slow
def test_sigkill_at_random_points_then_a_rerun_converges(tmp_path: Path) -> None:
    doc = build_tenant(60, 2)
    settings = jira_settings(page_size=10)
    with start_sandbox(
        doc, faults=[FaultRule(route="/rest/*", kind="latency", latency_ms=5)]
    ) as server:
        reference = new_warehouse(tmp_path, "reference")
        _summaries, api = sync(server, reference, settings)
        expected = snapshot(reference)
        rng = random.Random(20261127)
        killed = 0
        for trial in range(10):
            database = tmp_path / f"killed{trial}.db"
            killed += _kill_after(server, database, rng.randint(2, api.stats.requests - 1))
            survivor = Warehouse(f"sqlite:///{database}")
            survivor.migrate()  # a kill before the first commit leaves no schema yet
            sync(server, survivor, settings)  # the re-run
            assert diff(expected, snapshot(survivor)) == {}, f"trial {trial}"
            for table in ("tasks", "time_entries", "status_changes"):  # no duplicates, no ghosts
                assert survivor.count(table, include_deleted=True) == reference.count(table), (
                    trial,
                    table,
                )
    assert killed >= 8  # the trials really died mid-sync
