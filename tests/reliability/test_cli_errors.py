"""The CLI's errors: one line with a hint that fits the cause, the documented exit code
(PMO_DEBUG never changes it), the setting named, secrets masked, a quiet terminal."""

from __future__ import annotations

import logging
import subprocess
import sys
from pathlib import Path

import pytest
import requests
from typer.testing import CliRunner

from config.redact import register_secret
from config.settings import ConfigError, Settings
from flows.cli import app
from flows.cli_errors import classify
from flows.cli_logging import TerminalHandler

SECRET_CONFIG = """\
jira:
  url: http://127.0.0.1:9
  email: someone@example.com
  api_token: {env: PMO_TEST_UNSET_TOKEN}
graph:
  enabled: false
"""


def write(tmp_path: Path, text: str) -> str:
    path = tmp_path / "pmo.yaml"
    path.write_text(text, encoding="utf-8")
    return str(path)


def run(args: list[str], env: dict[str, str] | None = None) -> tuple[int, str]:
    result = CliRunner().invoke(app, args, env=env)
    return result.exit_code, result.output


@pytest.mark.parametrize("command", [["gate", "ERP"], ["sync"], ["status"], ["closeout", "BKP"]])
@pytest.mark.parametrize("debug", [None, "1"])
def test_a_missing_secret_exits_2_naming_the_setting_with_or_without_debug(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, command: list[str], debug: str | None
) -> None:
    monkeypatch.delenv("PMO_TEST_UNSET_TOKEN", raising=False)
    if debug:
        monkeypatch.setenv("PMO_DEBUG", debug)
    else:
        monkeypatch.delenv("PMO_DEBUG", raising=False)
    code, output = run([*command, "--config", write(tmp_path, SECRET_CONFIG)])
    assert code == 2, output
    assert "jira.api_token" in output and "PMO_TEST_UNSET_TOKEN" in output
    assert ("Traceback" in output) == bool(debug)
    errors = [line for line in output.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and output.count("hint:") == 1


def test_an_unknown_database_driver_names_warehouse_url(tmp_path: Path) -> None:
    code, output = run(["status", "-c", write(tmp_path, "warehouse:\n  url: nosuchdb://x/y\n")])
    assert code == 2, output
    assert "warehouse.url" in output and "nosuchdb" in output
    assert "Traceback" not in output


def test_a_missing_sandbox_info_file_names_the_setting(tmp_path: Path) -> None:
    missing = tmp_path / "sandbox.json"
    config = write(tmp_path, f"sandbox:\n  info_file: {missing}\n")
    code, output = run(["gate", "ERP", "-c", config])
    assert code == 2, output
    assert "sandbox.info_file" in output and "pmo sandbox serve" in output


def test_an_unreachable_host_names_the_setting() -> None:
    settings = Settings.model_validate({"jira": {"url": "http://127.0.0.1:9"}})
    with pytest.raises(requests.ConnectionError) as caught:
        requests.get("http://127.0.0.1:9/rest/api/3/myself", timeout=5)
    problem = classify(caught.value, settings)
    assert problem.code == 3
    assert problem.message.startswith("jira.url http://127.0.0.1:9 is unreachable")
    # as the Jira connector reports it after its retries
    gave_up = RuntimeError(
        "jira: GET /rest/api/2/serverInfo: gave up after 6 attempts and 4.9s: "
        "connection error (ConnectionError)"
    )
    assert classify(gave_up, settings).message.startswith("jira.url http://127.0.0.1:9")


@pytest.mark.parametrize("kind", [KeyError, ConfigError])
def test_an_unknown_phase_gets_a_phase_hint_not_a_project_hint(kind: type[Exception]) -> None:
    text = "project ERP (jira:10000): no gate for phase 'nonsense' (requested); gates: x, y"
    problem = classify(kind(text), None)
    assert problem.code == 2 and problem.message == text
    assert "--phase" in problem.hint and "project" not in problem.hint


def test_every_error_line_is_redacted(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    register_secret("s3cr3t-token-value")
    config = write(tmp_path, "warehouse:\n  url: s3cr3t-token-value://x/y\n")
    monkeypatch.setenv("PMO_DEBUG", "1")
    code, output = run(["status", "-c", config])
    assert code == 2
    assert "s3cr3t-token-value" not in output and "***" in output


def record(name: str, level: int, message: str, exc: bool = False) -> logging.LogRecord:
    exc_info = None
    if exc:
        try:
            raise ValueError("boom")
        except ValueError:
            exc_info = sys.exc_info()
    return logging.LogRecord(name, level, __file__, 1, message, (), exc_info)


def terminal_lines(records: list[logging.LogRecord], handler_class: type = TerminalHandler) -> str:
    import io

    stream = io.StringIO()
    handler = handler_class(stream=stream)
    for rec in records:
        handler.emit(rec)
    return stream.getvalue()


def test_the_terminal_is_quiet_by_default_and_verbose_on_request(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    register_secret("another-secret-1234")
    records = [
        record("prefect.task_runs", logging.INFO, "Finished in state Completed()"),
        record("prefect", logging.INFO, "Starting temporary server on http://127.0.0.1:8531"),
        record("great_expectations", logging.INFO, "Created temporary directory '/tmp/x'"),
        record("prefect.flow_runs", logging.ERROR, "Encountered exception", exc=True),
        record("connectors.graph", logging.WARNING, "token another-secret-1234 throttled"),
        record("flows.x", logging.ERROR, "something failed", exc=True),
    ]
    monkeypatch.delenv("PMO_VERBOSE", raising=False)
    monkeypatch.delenv("PMO_DEBUG", raising=False)
    quiet = terminal_lines(records)
    assert "Completed" not in quiet and "temporary" not in quiet
    assert "Encountered exception" not in quiet  # the CLI's own one-line error says it
    assert "throttled" in quiet and "another-secret-1234" not in quiet
    assert "something failed" in quiet and "Traceback" not in quiet
    monkeypatch.setenv("PMO_VERBOSE", "1")
    loud = terminal_lines(records)
    assert "Finished in state Completed()" in loud and "Traceback" in loud


def test_an_in_process_run_without_prefect_shows_the_same_terminal_lines(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from flows.cli_terminal import PlainTerminalHandler

    register_secret("another-secret-5678")
    records = [
        record("pmo.flows", logging.INFO, "judged after sync: {...}"),
        record("pmo.flows", logging.WARNING, "sync jira: token another-secret-5678 throttled"),
        record("pmo.flows", logging.ERROR, "publishing failed", exc=True),
    ]
    monkeypatch.delenv("PMO_VERBOSE", raising=False)
    monkeypatch.delenv("PMO_DEBUG", raising=False)
    quiet = terminal_lines(records, PlainTerminalHandler)
    assert "judged after sync" not in quiet and "Traceback" not in quiet
    assert "WARNING | pmo.flows - sync jira: token *** throttled" in quiet
    assert "publishing failed" in quiet and "another-secret-5678" not in quiet
    monkeypatch.setenv("PMO_VERBOSE", "1")
    loud = terminal_lines(records, PlainTerminalHandler)
    assert "judged after sync" in loud and "Traceback" in loud


def test_help_is_clean_documents_exit_codes_and_loads_nothing_heavy() -> None:
    code, output = run(["--help"])
    assert code == 0
    assert "Exit codes" in output and "--verbose" in output
    for command in (["gate", "--help"], ["sync", "--help"], ["status", "--help"]):
        code, text = run(command)
        assert code == 0 and "<bool>" not in text and "<list" not in text and "<str>" not in text
        assert "Exit codes" in text
    probe = (
        "import sys, flows.cli;"
        "print(sorted(m for m in ('prefect','pandas','numpy','pydantic','sqlalchemy') "
        "if m in sys.modules))"
    )
    loaded = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    ).stdout.strip()
    assert loaded == "[]"


def test_closeout_of_a_project_not_in_closeout_says_so_on_the_cli(
    capsys: pytest.CaptureFixture[str],
) -> None:
    from flows.commands import _exit_for, _print_evaluation
    from tests.unit.reports.test_reports import evaluation

    doc = {**evaluation(), "kind": "closeout", "phase": "execution", "report_path": "r.html"}
    _print_evaluation(doc, as_json=False)
    out = " ".join(capsys.readouterr().out.split())
    assert "closeout readiness, not a closeout: ERP is in the execution phase" in out
    assert _exit_for({**doc, "published": {"failed": {"mail": "HTTP 500"}}}) == 3
    assert _exit_for({**doc, "decision": "Go"}) == 0
    assert _exit_for({**doc, "decision": "Recycle"}) == 1


def test_the_demo_summary_is_readable_at_80_columns() -> None:
    from rich.console import Console

    from flows.demo import DemoSummary, print_summary

    reason = "Planned work is (nearly) done: 34.5 % — needs at least 90 %"
    rows = [
        {"project": "ERP", "phase": "training_documentation", "kind": "gate_review",
         "decision": "Go with conditions", "findings": [reason]},
    ]  # fmt: skip
    console = Console(width=80, record=True)
    print_summary(DemoSummary(rows=rows, reports_dir="/r", status_report="/s"), console)
    text = console.export_text()
    assert max(len(line) for line in text.splitlines()) <= 80
    assert reason in " ".join(text.split())  # wrapped, never cut
    assert "training & docs" in text and "Go with conditions" in text


def test_a_command_module_that_does_not_import_is_a_loud_packaging_error() -> None:
    # `pmo` used to skip command modules "still being built": a broken install lost commands
    probe = "import sys; sys.modules['sandbox.cli'] = None; import flows.cli"
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True)
    assert done.returncode != 0
    assert "ModuleNotFoundError" in done.stderr and "sandbox.cli" in done.stderr
