"""Scale tenants: the requested counts, valid references, a sidecar that round-trips, and
data the sandbox serves (the real jira client reads every issue of a small one)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from sandbox.credentials import jira_client
from sandbox.gen.api import generate_tenant
from sandbox.generator_cli import app
from sandbox.server import start_sandbox
from sandbox.tenant import load_tenant, save_tenant, validate_tenant
from sandbox.timefmt import parse_iso


@pytest.mark.parametrize(
    ("issues", "worklogs", "expected_worklogs"),
    [
        (500, None, 5000),  # default: ten worklogs per issue
        (2500, 1234, 1234),  # explicit worklog count; two projects
        (1, 0, 0),  # the smallest tenant: one issue, no worklogs
    ],
)
def test_scale_tenant_has_the_requested_counts(
    issues: int, worklogs: int | None, expected_worklogs: int
) -> None:
    tenant, manifest = generate_tenant(3, issues, worklogs=worklogs)
    arrays = tenant["bulk"]["arrays"]
    assert len(arrays["issue_id"]) == issues and len(arrays["wl_id"]) == expected_worklogs
    assert manifest["counts"]["issues"] == issues and manifest["problems"] == []
    assert validate_tenant(tenant) == []


def test_scale_worklogs_are_consistent_with_their_issues() -> None:
    tenant, _ = generate_tenant(5, 3000)
    a = tenant["bulk"]["arrays"]
    now_ms = int(parse_iso(tenant["now"]).timestamp() * 1000)
    on = a["wl_issue"]
    # logged after the issue was created, before now, and the issue's updated covers it
    assert (a["wl_started_ms"] >= a["issue_created_ms"][on] - 86_400_000).all()
    assert (a["wl_updated_ms"] <= now_ms - 60_000).all()
    assert (a["issue_updated_ms"][on] >= a["wl_updated_ms"]).all()
    assert (np.diff(a["wl_updated_ms"]) >= 0).all(), "ids grow with the time of logging"
    assert len(np.unique(a["wl_id"])) == len(a["wl_id"])


def test_same_seed_same_arrays() -> None:
    first, _ = generate_tenant(9, 800)
    second, _ = generate_tenant(9, 800)
    for name, values in first["bulk"]["arrays"].items():
        assert np.array_equal(values, second["bulk"]["arrays"][name]), name


def test_cli_writes_tenant_sidecar_and_manifest_and_the_sandbox_serves_it(tmp_path: Path) -> None:
    out = tmp_path / "scale.json"
    result = CliRunner().invoke(app, ["--out", str(out), "--scale", "450", "--seed", "4"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["issues"] == 450 and summary["worklogs"] == 4500
    manifest = json.loads((tmp_path / "scale.manifest.json").read_text())
    assert manifest["counts"]["issues"] == 450
    loaded = load_tenant(out)
    assert (tmp_path / loaded["bulk"]["file"]).is_file()
    with start_sandbox(out) as server:
        jira = jira_client(server.info, version="3")
        found = jira.search_issues("project = S000 ORDER BY key", maxResults=False)
        assert len(found) == 450


def test_cli_refuses_a_bad_scale(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["--out", str(tmp_path / "x.json"), "--scale", "lots"])
    assert result.exit_code == 2
    assert "scale" in result.output and not (tmp_path / "x.json").exists()


def test_save_and_load_round_trip_the_demo(tmp_path: Path, demo: tuple[dict, dict]) -> None:
    tenant = demo[0]
    path = save_tenant(tenant, tmp_path / "demo.json")
    assert load_tenant(path) == json.loads(json.dumps(tenant))
