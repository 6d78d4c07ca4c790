"""The documented schema matches the code, and the CLI answers --help and --version."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from connectors.store.docs import render
from flows.cli import app

ROOT = Path(__file__).resolve().parents[3]


def test_docs_warehouse_md_is_generated_from_the_schema() -> None:
    committed = (ROOT / "docs" / "warehouse.md").read_text(encoding="utf-8")
    assert committed == render(), "run: uv run python -m connectors.store.docs > docs/warehouse.md"


def test_cli_help_and_version() -> None:
    runner = CliRunner()
    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0
    assert "pmo" in result.output.lower()
    version = runner.invoke(app, ["--version"])
    assert version.exit_code == 0
    assert "pmo-lifecycle 0.1.0" in version.output


@pytest.mark.parametrize(
    "args",
    [
        ["gate", "ERP"],  # each command checks its settings before starting Prefect
        ["closeout", "BKP"],
        ["status"],
        ["sync"],
        ["demo"],
    ],
)
def test_a_bad_config_exits_2_naming_the_key(tmp_path: Path, args: list[str]) -> None:
    config = tmp_path / "pmo.yaml"
    config.write_text("jira:\n  projets: [ERP]\n", encoding="utf-8")
    result = CliRunner().invoke(app, [*args, "--config", str(config)])
    assert result.exit_code == 2, result.output
    assert "jira.projets" in result.output
