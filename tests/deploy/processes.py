"""Child processes for the deployment test: each writes its output to a log file in the
test's tmp_path, and every failure message carries the tails of those logs (a server or
worker problem is otherwise invisible from the test)."""

from __future__ import annotations

import contextlib
import os
import re
import signal
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import psutil

TAIL_CHARS = 4000
TERMINAL_STATES = {"COMPLETED", "FAILED", "CRASHED", "CANCELLED"}


def tail(path: Path, chars: int = TAIL_CHARS) -> str:
    if not path.is_file():
        return f"(no {path.name})"
    text = path.read_text(encoding="utf-8", errors="replace")
    return text[-chars:]


@dataclass
class Logged:
    """A long-running child (server, worker) whose output goes to `log`."""

    name: str
    process: subprocess.Popen[bytes]
    log: Path

    @classmethod
    def start(
        cls, name: str, args: list[str], cwd: Path, env: dict[str, str], logs: Path
    ) -> Logged:
        log = logs / f"{name}.log"
        with log.open("wb") as out:
            # Own process group: stopping it also stops the flow runs a worker started.
            process = subprocess.Popen(
                args, cwd=cwd, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
            )
        return cls(name, process, log)

    def assert_alive(self) -> None:
        code = self.process.poll()
        assert code is None, f"{self.name} exited with code {code}\n{self.report()}"

    def report(self) -> str:
        return f"--- {self.name} log ({self.log}) ---\n{tail(self.log)}"

    def stop(self, grace: float = 20) -> None:
        if self.process.poll() is not None:
            return
        # Flow runs get sessions of their own: note them before the worker is gone.
        descendants = psutil.Process(self.process.pid).children(recursive=True)
        _signal_group(self.process, signal.SIGTERM)
        try:
            self.process.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            _signal_group(self.process, signal.SIGKILL)
            self.process.wait(timeout=10)
        _end(descendants)


def _end(processes: list[psutil.Process]) -> None:
    for process in processes:
        with contextlib.suppress(psutil.NoSuchProcess):
            process.terminate()
    _gone, alive = psutil.wait_procs(processes, timeout=5)
    for process in alive:
        with contextlib.suppress(psutil.NoSuchProcess):
            process.kill()


def _signal_group(process: subprocess.Popen[bytes], sig: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError):  # already gone
        os.killpg(process.pid, sig)


class Stage:
    """The processes of one test: CLI commands, waits and failure reports that name them all."""

    def __init__(self, cwd: Path, env: dict[str, str], logs: Path) -> None:
        self.cwd, self.env, self.logs = cwd, env, logs
        self.children: list[Logged] = []
        self._commands = 0

    def start(self, name: str, args: list[str], cwd: Path | None = None) -> Logged:
        child = Logged.start(name, args, cwd or self.cwd, self.env, self.logs)
        self.children.append(child)
        return child

    def stop_all(self) -> None:
        for child in reversed(self.children):  # the worker before the server it talks to
            child.stop()

    def report(self) -> str:
        return "\n".join(child.report() for child in self.children)

    def cli(self, args: list[str], timeout: float = 180, expect_ok: bool = True) -> str:
        """Run a command to completion; its output is returned and kept in a numbered log."""
        self._commands += 1
        log = self.logs / f"cli-{self._commands:02d}-{Path(args[0]).name}.log"
        try:
            result = subprocess.run(
                args,
                cwd=self.cwd,
                env=self.env,
                capture_output=True,
                text=True,
                timeout=timeout,
                check=False,
            )
        except subprocess.TimeoutExpired as exc:
            raise AssertionError(
                f"{' '.join(args)} timed out after {timeout} s\n{self.report()}"
            ) from exc
        output = result.stdout + result.stderr
        log.write_text(f"$ {' '.join(args)}\nexit {result.returncode}\n{output}", encoding="utf-8")
        ok = result.returncode == 0
        assert ok == expect_ok, (
            f"{' '.join(args)} exited {result.returncode}, expected {'0' if expect_ok else 'non-zero'}"
            f"\n{output[-TAIL_CHARS:]}\n{self.report()}"
        )
        return output

    def wait_until(self, what: str, ready: Callable[[], Any], timeout: float) -> Any:
        """Poll `ready` (every 0.25 s) until it returns something truthy; children must live."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for child in self.children:
                child.assert_alive()
            value = ready()
            if value:
                return value
            time.sleep(0.25)
        raise AssertionError(f"timed out after {timeout} s waiting for {what}\n{self.report()}")


def flow_run_id(cli_output: str) -> str:
    """The flow run's id from `prefect deployment run` ("└── UUID: ...")."""
    found = re.search(r"UUID: ([0-9a-f-]{36})", cli_output)
    assert found, f"no flow run id in the output of prefect deployment run:\n{cli_output}"
    return found.group(1)


def healthy(api: str) -> bool:
    try:
        return httpx.get(f"{api}/health", timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


def flow_run(api: str, run_id: str) -> dict[str, Any]:
    response = httpx.get(f"{api}/flow_runs/{run_id}", timeout=10)
    response.raise_for_status()
    return response.json()


def state_type(api: str, run_id: str) -> str:
    return (flow_run(api, run_id).get("state") or {}).get("type") or "NONE"


def finished_state(api: str, run_id: str) -> str | None:
    """The flow run's state type once terminal, else None."""
    state = state_type(api, run_id)
    return state if state in TERMINAL_STATES else None


def flow_run_logs(api: str, run_id: str, limit: int = 200) -> str:
    body = {"logs": {"flow_run_id": {"any_": [run_id]}}, "sort": "TIMESTAMP_ASC", "limit": limit}
    response = httpx.post(f"{api}/logs/filter", json=body, timeout=10)
    if response.status_code != 200:
        return f"(logs unavailable: HTTP {response.status_code})"
    return "\n".join(f"{r['level']:>2} {r['name']}: {r['message']}" for r in response.json())


def deployments(api: str) -> dict[str, dict[str, Any]]:
    response = httpx.post(f"{api}/deployments/filter", json={}, timeout=10)
    response.raise_for_status()
    return {d["name"]: d for d in response.json()}
