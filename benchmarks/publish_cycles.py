"""Soak probe for "nothing new over unchanged sources" (issue 12): N nightly cycles (sync with
judging, a gate review, a closeout) with one warehouse, then one cycle with a fresh warehouse,
all against one sandbox; prints what the sandbox holds after each cycle. The counts must stay
flat after the first cycle. `tests/reliability/test_nothing_new.py` is the short variant.

    uv run python benchmarks/publish_cycles.py --cycles 10
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
from collections import Counter
from pathlib import Path
from typing import Any

import yaml

os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
ROOT = Path(__file__).resolve().parents[1]


def _config(folder: Path, info: dict[str, Any], tenant: dict[str, Any]) -> Path:
    folder.mkdir(parents=True)
    (folder / "sandbox.json").write_text(json.dumps(info), encoding="utf-8")
    (folder / "tenant.json").write_text(json.dumps(tenant), encoding="utf-8")
    lifecycle = (ROOT / "config" / "lifecycle.yaml").read_text(encoding="utf-8")
    (folder / "lifecycle.yaml").write_text(lifecycle, encoding="utf-8")
    body = {
        "time_zone": "Europe/Berlin",
        "warehouse": {"url": f"sqlite:///{folder / 'warehouse.db'}"},
        "sandbox": {
            "enabled": True,
            "info_file": str(folder / "sandbox.json"),
            "tenant": str(folder / "tenant.json"),
        },
        "jira": {"url": "sandbox"},
        "graph": {"base_url": "sandbox"},
        "publish": {"reports_dir": str(folder / "reports")},
    }
    (folder / "pmo.yaml").write_text(yaml.safe_dump(body), encoding="utf-8")
    return folder / "pmo.yaml"


def _cycle(config: Path, gate: str, closeout: str) -> None:
    from flows.closeout import closeout_evaluation
    from flows.gate_review import phase_gate_review
    from flows.nightly_sync import nightly_sync
    from flows.runtime import open_runtime

    with open_runtime(str(config)):
        nightly_sync(config_path=str(config))
        phase_gate_review(gate)
        closeout_evaluation(closeout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cycles", type=int, default=5)
    parser.add_argument("--gate", default="NET")
    parser.add_argument("--closeout", default="BKP")
    args = parser.parse_args()
    from prefect.testing.utilities import prefect_test_harness

    from flows.runtime import demo_tenant
    from sandbox.server import start_sandbox

    tenant = demo_tenant(7)
    work = Path(tempfile.mkdtemp(prefix="pmo-cycles-"))
    with (
        prefect_test_harness(server_startup_timeout=120),
        start_sandbox(json.loads(json.dumps(tenant))) as server,
    ):
        info = server.info.as_dict()
        first = _config(work / "a", info, tenant)
        for cycle in range(1, args.cycles + 1):
            _cycle(first, args.gate, args.closeout)
            _report(f"warehouse A, cycle {cycle}", server)
        _cycle(_config(work / "b", info, tenant), args.gate, args.closeout)
        _report("fresh warehouse B", server)


def _report(label: str, server: Any) -> None:
    held = Counter(e["kind"] for e in server.state.outbox_entries())
    print(f"{label}: {sum(held.values())} writes {dict(sorted(held.items()))}", flush=True)


if __name__ == "__main__":
    main()
