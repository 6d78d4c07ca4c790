"""A sync that changed nothing does not judge again (issue 14, point 11): in-process it loads
neither Prefect nor Great Expectations nor the charts nor the checks, and it judges again as
soon as anything the judgement reads changed: data, the status date's day, a pinned date.
A gate review on rows the last judgement validated takes its suite results instead of
running Great Expectations again, and decides the same."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from flows.runtime import demo_tenant, open_runtime
from tests.flows.conftest import write_config

pytestmark = [pytest.mark.xdist_group("prefect"), pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[2]
HEAVY = ("prefect", "great_expectations", "matplotlib", "scipy", "networkx")

# `pmo sync` as the CLI runs it without a Prefect server, in a fresh process each time.
PROBE = """
import json, sys
from flows.nightly_sync import add_progress_listener, nightly_sync
from flows.orchestration import run_for_cli
seen = []
add_progress_listener(lambda event, data: seen.append(data) if event == "judgement" else None)
run_for_cli(nightly_sync, config_path=sys.argv[1])
print(json.dumps({"judgement": seen, "loaded": [m for m in sys.argv[2:] if m in sys.modules]}))
"""


def cli_sync(config: Path, tmp_path: Path) -> dict[str, Any]:
    return run_probe(PROBE, str(config), None, tmp_path)


def run_probe(probe: str, config: str, as_of: str | None, tmp_path: Path) -> dict[str, Any]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_API")}
    env.pop("PREFECT_PROFILE", None)
    env.update(PYTHONPATH=str(ROOT), PREFECT_HOME=str(tmp_path / "prefect-home"))
    arguments = [config, *([as_of] if as_of else []), *HEAVY]
    done = subprocess.run(
        [sys.executable, "-c", probe, *arguments],
        capture_output=True, text=True, env=env, cwd=ROOT, timeout=600,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


GATE_PROBE = """
import json, sys
from flows.gate_review import phase_gate_review
from flows.orchestration import run_for_cli
document = run_for_cli(
    phase_gate_review, project="ERP", publish=False, config_path=sys.argv[1], as_of=sys.argv[2]
)
print(json.dumps({"document": document, "loaded": [m for m in sys.argv[3:] if m in sys.modules]}))
"""


def cli_gate(config: Path, tmp_path: Path, as_of: str) -> dict[str, Any]:
    """`pmo gate ERP --no-publish --as-of DAY`, as the CLI runs it without a Prefect server."""
    return run_probe(GATE_PROBE, str(config), as_of, tmp_path)


def forget_suite_results(config: Path) -> None:
    from config.settings import load_settings
    from connectors.store import Warehouse
    from flows.quality_record import SOURCE, STREAM

    warehouse = Warehouse.from_settings(load_settings(config).warehouse)
    with warehouse.transaction() as txn:
        txn.set_watermark(SOURCE, STREAM, "*", {})
    warehouse.dispose()


def test_a_sync_that_changed_nothing_judges_nothing_and_loads_no_checks(tmp_path: Path) -> None:
    # the sandbox runs here, as Jira would elsewhere: the CLI's process only syncs and judges
    from sandbox.server import start_sandbox
    from tests.reliability.test_nothing_new import joining_config

    tenant = demo_tenant(7)
    with start_sandbox(json.loads(json.dumps(tenant))) as server:
        config = joining_config(tmp_path, server, tenant)
        body = yaml.safe_load(config.read_text(encoding="utf-8"))
        body["publish"]["enabled"] = False  # nothing posted: the second sync finds nothing new
        config.write_text(yaml.safe_dump(body), encoding="utf-8")
        first = cli_sync(config, tmp_path)
        second = cli_sync(config, tmp_path)
        day = datetime.now(UTC).date().isoformat()
        gate = cli_gate(config, tmp_path, day)  # the judgement's suite results still hold
        forget_suite_results(config)
        fresh = cli_gate(config, tmp_path, day)  # none stored: GX validates
    assert "great_expectations" not in gate["loaded"], "GX ran though its results held"
    assert "great_expectations" in fresh["loaded"]
    assert gate["document"] == fresh["document"]
    assert [j["judged"] for j in first["judgement"]] == [True]
    assert first["judgement"][0]["projects"] > 0
    assert {"great_expectations", "matplotlib"} <= set(first["loaded"])
    assert [j["judged"] for j in second["judgement"]] == [False]
    assert second["loaded"] == [], "Prefect, the quality gates, the charts or the checks loaded"


@pytest.fixture
def judgements() -> Iterator[list[dict[str, Any]]]:
    from flows.nightly_sync import add_progress_listener

    seen: list[dict[str, Any]] = []
    remove = add_progress_listener(
        lambda event, data: seen.append(data) if event == "judgement" else None
    )
    yield seen
    remove()


def test_the_sync_judges_again_when_data_the_day_or_a_pinned_date_says_so(
    tmp_path: Path, judgements: list[dict[str, Any]]
) -> None:
    from flows.judgement_record import judgement_key, unchanged_since
    from flows.nightly_sync import nightly_sync
    from flows.orchestration import run_for_cli

    config = write_config(tmp_path, publish={"enabled": False})
    with open_runtime(str(config)) as runtime:
        run_for_cli(nightly_sync)
        run_for_cli(nightly_sync)
        assert [j["judged"] for j in judgements] == [True, False]
        snapshots = len(runtime.warehouse.metric_snapshots())

        info = runtime.sandbox_info
        httpx.post(
            f"{info['jira_url']}/rest/api/3/issue/ERP-1/worklog",
            json={"started": "2026-01-05T09:00:00.000+0000", "timeSpentSeconds": 5400},
            auth=(info["jira_email"], info["jira_api_token"]),
            timeout=30,
        ).raise_for_status()
        run_for_cli(nightly_sync)  # the hours logged in Jira are new evidence
        assert [j["judged"] for j in judgements] == [True, False, True]
        run_for_cli(nightly_sync, judge=False)  # a sync without judging changes nothing
        run_for_cli(nightly_sync)
        assert [j["judged"] for j in judgements][-1] is False

        run_for_cli(nightly_sync, as_of="2026-01-31")  # a pinned status date always judges
        run_for_cli(nightly_sync)  # ... and may have rewritten snapshots: judged again
        assert [j["judged"] for j in judgements][-2:] == [True, True]
        assert len(runtime.warehouse.metric_snapshots()) > snapshots

        today = judgement_key(runtime)
        assert unchanged_since(runtime, today) is not None
        tomorrow = replace(runtime, as_of_override=runtime.as_of() + timedelta(days=1))
        assert unchanged_since(tomorrow, judgement_key(tomorrow)) is None, "judged daily"
