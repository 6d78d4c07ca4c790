"""Requests of a full and then an incremental Jira sync of the demo tenant, by route, on
Cloud and on Data Center, counted by the sandbox (and by the connector, which must agree).

    uv run python benchmarks/jira_requests.py

A change to how the connector talks to Jira (e.g. through the `jira` client's methods)
must leave these counts the same or lower.
"""

from __future__ import annotations

import copy
import json
import sys
import tempfile
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from config.settings import JiraSettings, Settings
from connectors.jira.client import build_jira
from connectors.jira.sync import run_jira_sync
from connectors.store import Warehouse
from sandbox.fixtures import demo
from sandbox.server import start_sandbox


def counts(deployment: str) -> dict[str, Any]:
    doc = copy.deepcopy(demo()[0])
    doc["jira"]["deployment"] = deployment
    keys = [p["key"] for p in doc["jira"]["projects"]]
    settings = Settings(jira=JiraSettings(deployment=deployment, projects=keys))
    out: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as tmp, start_sandbox(doc) as server:
        warehouse = Warehouse(f"sqlite:///{tmp}/warehouse.db")
        warehouse.migrate()
        for run in ("full", "incremental"):
            server.app.stats.reset()
            api = build_jira(settings, server.info, seed=1)
            run_jira_sync(settings, warehouse, api)
            seen = server.app.stats.snapshot()
            out[run] = {
                "requests": seen["total"],
                "counted_by_the_connector": api.stats.requests,
                "routes": {r: sum(v.values()) for r, v in sorted(seen["routes"].items())},
            }
    return out


if __name__ == "__main__":
    json.dump({d: counts(d) for d in ("cloud", "datacenter")}, sys.stdout, indent=1)
    sys.stdout.write("\n")
