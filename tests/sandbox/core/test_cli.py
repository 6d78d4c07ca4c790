"""`pmo sandbox serve`: one JSON line with working URLs and credentials, then it serves."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from sandbox.credentials import jira_client
from sandbox.fixtures import demo
from sandbox.server import SandboxInfo


@pytest.fixture
def tenant_file(tmp_path: Path) -> Path:
    path = tmp_path / "tenant.json"
    path.write_text(json.dumps(demo()[0]), encoding="utf-8")
    return path


def _serve(*args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "sandbox", "serve", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


@pytest.fixture
def served(tenant_file: Path, tmp_path: Path) -> Iterator[tuple[dict[str, Any], Path]]:
    faults = tmp_path / "faults.json"
    faults.write_text(
        json.dumps({"rules": [{"route": "/rest/api/*/myself", "kind": "503", "limit": 1}]})
    )
    info_file = tmp_path / "info.json"
    process = _serve(
        "--tenant", str(tenant_file), "--info", str(info_file), "--faults", str(faults)
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        yield json.loads(line), info_file
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_serve_prints_and_writes_the_connection_info(served: tuple[dict[str, Any], Path]) -> None:
    printed, info_file = served
    assert json.loads(info_file.read_text()) == printed
    info = SandboxInfo(**printed)
    assert info.jira_url.startswith("http://127.0.0.1:") and info.graph_base_url.endswith("/v1.0")
    assert jira_client(info).myself()["emailAddress"] == info.jira_email  # the 503 was retried
    stats = requests.get(f"{info.control_url}/stats").json()
    assert stats["faults"] == {"503": 1}


def test_serve_fails_clearly_on_a_missing_tenant() -> None:
    process = _serve("--tenant", "/nonexistent/t.json")
    _, err = process.communicate(timeout=60)
    assert process.returncode == 2 and "does not exist" in err


def test_serve_fails_clearly_on_a_busy_port(tenant_file: Path) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen(1)
        port = busy.getsockname()[1]
        process = _serve("--tenant", str(tenant_file), "--port", str(port))
        _, err = process.communicate(timeout=60)
    assert process.returncode == 2 and f"can't listen on 127.0.0.1:{port}" in err
