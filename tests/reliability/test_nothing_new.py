"""The nightly cycle over unchanged sources posts nothing new (issue 12, points 1, 4 and 9).

One sandbox for the module, joined through its info file the way `pmo` commands join a
running sandbox. Warehouse A runs three cycles of what a PMO runs every night (sync with
judging, alerts and gate requests; a gate review; a closeout), counting what the sandbox
holds after each: the product's own posts come back in the next sync and must not look like
new evidence. Then a fresh warehouse B (rebuilt, or moved from SQLite to PostgreSQL) runs the
same cycle against the same sandbox: it must adopt what is there, not post it again.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import textwrap
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
import yaml

from connectors.store.tables import SYNC_LOG
from flows.runtime import Runtime, demo_tenant, open_runtime
from sandbox.server import SandboxServer, start_sandbox
from tests.flows.conftest import write_config

pytestmark = [
    pytest.mark.xdist_group("prefect"),
    pytest.mark.slow,
    pytest.mark.usefixtures("prefect_harness"),
]

CYCLES = 3


def held(server: SandboxServer) -> Counter[str]:
    """Everything the product wrote to the sandbox, by kind (the outbox keeps every write)."""
    return Counter(e["kind"] for e in server.state.outbox_entries())


def followup_markers(server: SandboxServer) -> list[str]:
    """The publication label of every issue the product created (one per follow-up key)."""
    return [
        label
        for e in server.state.outbox_entries("issue")
        for label in e["payload"]["fields"].get("labels") or []
        if re.fullmatch(r"pmo-[0-9a-f]{16}", label)
    ]


def joining_config(folder: Path, server: SandboxServer, tenant: dict[str, Any]) -> Path:
    """Settings that join the running sandbox, with a warehouse of their own in `folder`."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "sandbox.json").write_text(json.dumps(server.info.as_dict()), encoding="utf-8")
    (folder / "tenant.json").write_text(json.dumps(tenant), encoding="utf-8")
    config = write_config(folder)
    body = yaml.safe_load(config.read_text(encoding="utf-8"))
    body["sandbox"] = {"enabled": True, "info_file": str(folder / "sandbox.json"),
                       "tenant": str(folder / "tenant.json")}  # fmt: skip
    config.write_text(yaml.safe_dump(body), encoding="utf-8")
    return config


def nightly_cycle(config: Path) -> Runtime:
    """What runs every night, each command with its own runtime as `pmo` would."""
    from flows.closeout import closeout_evaluation
    from flows.gate_review import phase_gate_review
    from flows.nightly_sync import nightly_sync

    with open_runtime(str(config)) as runtime:
        nightly_sync(config_path=str(config))  # sync, judge, alerts, gate requests
        phase_gate_review("NET")
        closeout_evaluation("BKP")
        return runtime


@dataclass
class Cycled:
    server: SandboxServer
    counts: list[Counter]  # after each cycle of warehouse A
    fresh: Counter  # after the cycle of the fresh warehouse B
    fresh_config: Path


@pytest.fixture(scope="module")
def cycled(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cycled]:
    tenant = demo_tenant(7)
    with start_sandbox(json.loads(json.dumps(tenant))) as server:
        first = joining_config(tmp_path_factory.mktemp("warehouse_a"), server, tenant)
        counts = []
        for _ in range(CYCLES):
            nightly_cycle(first)
            counts.append(held(server))
        fresh = joining_config(tmp_path_factory.mktemp("warehouse_b"), server, tenant)
        nightly_cycle(fresh)
        yield Cycled(server, counts, held(server), fresh)


def _added(cycled: Cycled, since: Counter) -> list[tuple[str, str, str]]:
    """The writes after the first `sum(since)` ones: kind, target and a glimpse of what."""
    entries = cycled.server.state.outbox_entries()[sum(since.values()) :]
    return [(e["kind"], e["target"], str(e["payload"])[:160]) for e in entries]


def test_three_nightly_cycles_over_unchanged_sources_post_nothing_new(cycled: Cycled) -> None:
    first = cycled.counts[0]
    # the first cycle really published: the later ones had something to repeat
    assert {"comment", "attachment", "teams_webhook_card", "drive_file", "mail"} <= set(first)
    assert first["issue"] + first["planner_task"] > 0, "closeout files follow-ups"
    for cycle, later in enumerate(cycled.counts[1:], start=2):
        assert later == first, f"cycle {cycle} posted again: {_added(cycled, first)}"
    assert first["mail"] == 1, "closeout twice or more: leadership gets one mail"
    markers = followup_markers(cycled.server)
    assert len(markers) == first["issue"] == len(set(markers)), "no duplicate follow-up issues"


def test_a_fresh_warehouse_adopts_what_is_already_published(cycled: Cycled) -> None:
    before = cycled.counts[-1]
    assert cycled.fresh == before, f"the fresh warehouse posted again: {_added(cycled, before)}"


def _killed_sync(url: str, run_id: str) -> int:
    """A process that opens a sync-log row the way the sync does, then is SIGKILLed."""
    code = textwrap.dedent(
        f"""
        import os, signal
        from connectors.store import Warehouse, log_sync, utcnow
        warehouse = Warehouse({url!r})
        log_sync(warehouse, {run_id!r}, "jira", "*", started_at=utcnow(), status="running")
        os.kill(os.getpid(), signal.SIGKILL)
        """
    )
    root = Path(__file__).resolve().parents[2]
    return subprocess.run([sys.executable, "-c", code], cwd=root, check=False).returncode


def _row(url: str, run_id: str) -> dict[str, Any]:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            query = sa.select(SYNC_LOG).where(SYNC_LOG.c.run_id == run_id)
            return dict(conn.execute(query).mappings().one())
    finally:
        engine.dispose()


def test_a_killed_syncs_running_row_is_closed_as_interrupted_by_the_next_run(
    cycled: Cycled,
) -> None:
    from flows.nightly_sync import nightly_sync

    config = cycled.fresh_config
    url = yaml.safe_load(config.read_text(encoding="utf-8"))["warehouse"]["url"]
    assert _killed_sync(url, "killed-run") == -9  # it really died by SIGKILL
    assert _row(url, "killed-run")["status"] == "running"
    nightly_sync(config_path=str(config), judge=False)
    row = _row(url, "killed-run")
    assert row["status"] == "interrupted"
    assert row["finished_at"] is not None and row["finished_at"] >= row["started_at"]
    assert "killed or crashed" in row["error"]
