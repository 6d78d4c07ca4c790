"""Two overlapping runs publish one thing once (issue 12, point 3).

Two processes publish the same comments to the same sandbox issue at the same moment, each
with its own connection to one warehouse (SQLite and PostgreSQL). The post is slowed down so
that the second process arrives while the first is still posting: without an atomic claim
both read "nothing published yet" and both post.
"""

from __future__ import annotations

import multiprocessing
import os
import socket
import subprocess
import sys
from typing import Any

import requests
import sqlalchemy as sa

from connectors.store import PublicationLedger, Warehouse
from sandbox.server import start_sandbox
from tests.connectors.jira.tenant_factory import build_tenant
from tests.reliability.databases import warehouse_url  # noqa: F401 - the fixture

ISSUE = "ABC-1"
KEYS = [f"race:{n}:jira_comment" for n in range(4)]


def _racer(url: str, info: dict[str, Any], barrier: Any, results: Any) -> None:
    """One run: publish every key, counting what it was told to skip."""
    from config.settings import JiraSettings, Settings
    from connectors.jira.client import build_jira
    from connectors.jira.publisher import JiraPublisher, text_to_adf
    from connectors.store.ledger import PublicationSkipped

    warehouse = Warehouse(url)
    publisher = JiraPublisher(
        build_jira(Settings(jira=JiraSettings()), info), PublicationLedger(warehouse)
    )
    skipped = 0
    barrier.wait(timeout=60)
    for key in KEYS:
        try:
            publisher.comment(ISSUE, text_to_adf(f"answer for {key}"), key)
        except PublicationSkipped:
            skipped += 1
    warehouse.dispose()
    results.put(skipped)


def test_two_processes_racing_post_each_publication_once(warehouse_url: str) -> None:  # noqa: F811
    Warehouse(warehouse_url).migrate()
    with start_sandbox(build_tenant()) as server:
        slow_post = {"route": f"/rest/api/3/issue/{ISSUE}/comment", "method": "POST",
                     "kind": "latency", "latency_ms": 400}  # fmt: skip
        requests.put(
            f"{server.info.jira_url}/_sandbox/faults", json={"rules": [slow_post]}, timeout=10
        ).raise_for_status()
        spawn = multiprocessing.get_context("spawn")
        barrier, results = spawn.Barrier(2), spawn.Queue()
        racers = [
            spawn.Process(
                target=_racer, args=(warehouse_url, server.info.as_dict(), barrier, results)
            )
            for _ in range(2)
        ]
        for racer in racers:
            racer.start()
        skipped = [results.get(timeout=180) for _ in racers]
        for racer in racers:
            racer.join(timeout=60)
            assert racer.exitcode == 0
        posted = [
            e["payload"]["properties"]["pmo-publication"]["key"]
            for e in server.state.outbox_entries("comment")
        ]
    assert sorted(posted) == sorted(KEYS), "each publication exactly once, whoever posted it"
    assert sum(skipped) >= 1, "the runs really overlapped: one found another's claim"
    ledger = PublicationLedger(Warehouse(warehouse_url))
    assert {ledger.get(k).status for k in KEYS} == {"done"}


def _hold(warehouse: Warehouse, key: str, owner: str, minutes_ago: float = 0) -> None:
    """Make `key`'s claim look held by `owner`, taken `minutes_ago`."""
    from datetime import timedelta

    from connectors.store import utcnow
    from connectors.store.tables import PUBLICATIONS

    with warehouse.transaction() as txn:
        txn.conn.execute(
            sa.update(PUBLICATIONS)
            .where(PUBLICATIONS.c.key == key)
            .values(claimed_by=owner, updated_at=utcnow() - timedelta(minutes=minutes_ago))
        )


def _dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def test_what_a_claim_finds(warehouse_url: str) -> None:  # noqa: F811
    warehouse = Warehouse(warehouse_url)
    warehouse.migrate()
    ledger = PublicationLedger(warehouse)
    here = socket.gethostname()
    assert ledger.claim("k", "jira").state == "new"
    assert ledger.claim("k", "jira").state == "resume", "our own claim (a task retry)"
    _hold(warehouse, "k", f"{here}:{os.getppid()}:token")  # alive: another process here
    assert ledger.claim("k", "jira").state == "busy", "a live process's fresh claim"
    _hold(warehouse, "k", "elsewhere:123:token")
    assert ledger.claim("k", "jira").state == "busy", "another host's fresh claim"
    _hold(warehouse, "k", "elsewhere:123:token", minutes_ago=20)
    assert ledger.claim("k", "jira").state == "resume", "a claim past its lease"
    _hold(warehouse, "k", f"{here}:{_dead_pid()}:token")
    assert ledger.claim("k", "jira").state == "resume", "its process is gone"
    ledger.mark_failed("k", "jira", "400 refused")
    _hold(warehouse, "k", "elsewhere:123:token")
    assert ledger.claim("k", "jira").state == "resume", "refused: anyone may repeat it"
    assert not (ledger.get("k").detail or {}).get("failed"), "the new attempt starts clean"
    ledger.mark_done("k", "jira", "10001")
    found = ledger.claim("k", "jira")
    assert found.state == "done" and found.earlier.external_id == "10001"
    ledger.mark_unknown("u", "teams_webhook", {"why": "read timeout"})
    assert ledger.claim("u", "teams_webhook").state == "unknown"
    warehouse.dispose()
