"""A judgement that did not finish leaves no record a later sync trusts (issue 14 pt 11).

A judgement pinned to an earlier day rewrites that day's metric snapshots, which every later
judgement reads (trends, the census-drop gate). If it fails after writing them (an alert
that cannot be sent), the record of the judgement before it must not stand: the next sync
judges again."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from flows.runtime import open_runtime
from tests.flows.conftest import write_config
from tests.flows.test_sync_nothing_changed import judgements  # noqa: F401  (fixture)

pytestmark = [pytest.mark.xdist_group("prefect"), pytest.mark.slow]


def test_a_failed_pinned_judgement_leaves_the_next_sync_judging(
    tmp_path: Path,
    judgements: list[dict[str, Any]],  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import flows.nightly_checks
    from flows.nightly_sync import nightly_sync
    from flows.orchestration import run_for_cli

    config = write_config(tmp_path, publish={"enabled": False})
    with open_runtime(str(config)) as runtime:
        run_for_cli(nightly_sync)
        before = runtime.warehouse.metric_snapshots()

        def teams_down(*_args: Any, **_kwargs: Any) -> int:
            raise RuntimeError("the Teams webhook answered 503")

        with monkeypatch.context() as patch:  # the step after the snapshots fails
            patch.setattr(flows.nightly_checks, "alert_new_red_findings", teams_down)
            with pytest.raises(RuntimeError, match="503"):
                run_for_cli(nightly_sync, as_of="2026-01-31")
        after = runtime.warehouse.metric_snapshots()
        assert (after["snapshot_date"].astype(str) == "2026-01-31").sum() > (
            before["snapshot_date"].astype(str) == "2026-01-31"
        ).sum(), "the failed judgement wrote that day's snapshots"

        run_for_cli(nightly_sync)  # nothing synced is new, but the snapshots it reads are
        assert [j["judged"] for j in judgements] == [True, True]
