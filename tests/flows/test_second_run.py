"""A second run against a fresh sandbox (as a second `pmo demo` is) syncs incrementally and
publishes nothing again: the warehouse's ledger remembers what was posted."""

from __future__ import annotations

from pathlib import Path

import pytest

from flows.runtime import open_runtime
from tests.flows.conftest import write_config

pytestmark = [pytest.mark.xdist_group("prefect"), pytest.mark.slow]


def run_once(config: Path) -> tuple[list[dict], list[dict]]:
    from flows.gate_review import phase_gate_review
    from flows.nightly_sync import nightly_sync

    with open_runtime(str(config)) as runtime:
        summaries = nightly_sync(config_path=str(config))
        phase_gate_review("ERP")
        return summaries, runtime.sandbox_server.state.outbox_entries()


def test_second_run_is_incremental_and_publishes_nothing(tmp_path: Path) -> None:
    config = write_config(tmp_path)
    _first_sync, first_outbox = run_once(config)
    second_sync, second_outbox = run_once(config)

    assert {e["kind"] for e in first_outbox} >= {
        "comment",
        "attachment",
        "property",
        "teams_webhook_card",
        "drive_file",
    }
    assert second_outbox == [], [(e["kind"], e["target"]) for e in second_outbox]
    written = sum(c["inserted"] + c["updated"] for s in second_sync for c in s["streams"].values())
    assert written == 0, "nothing changed in the tenant, so nothing is written"
    # the stored delta link named the first sandbox's port: rebased, it still works, so the
    # timesheets are read incrementally (nothing changed: nothing fetched), with no warning
    (sheets,) = [s for s in second_sync if s["source"] == "sharepoint"]
    assert sheets["errors"] == [] and sheets["warnings"] == []
    assert sheets["streams"]["timesheets"]["fetched"] == 0
