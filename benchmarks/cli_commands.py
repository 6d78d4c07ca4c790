"""Benchmark: the interactive CLI as a PMO uses it (issue 14, point 11).

Measures, each as a child process with its whole process tree sampled (the Prefect
temporary server, when one starts, is a child too):
- `pmo --help`;
- `pmo sync` with nothing changed (a second incremental sync against a sandbox that keeps
  running, as a real Jira and Microsoft 365 would);
- `pmo gate KEY --no-publish` on the synced demo warehouse, after the judgement (the per-table
  suites' results it stored still hold: no Great Expectations, `flows/quality_record.py`);
- the same gate with no stored suite results (Great Expectations validates every table, as
  after a sync that changed data).
Prints wall time, CPU time of the tree and peak total RSS of the tree, per run.

    uv run python benchmarks/cli_commands.py                 # 3 runs each
    uv run python benchmarks/cli_commands.py --runs 1 --keep /tmp/pmo-bench

Targets (2 cores): --help <= 0.5 s; sync with nothing changed <= 3 s and <= 250 MiB total
RSS; gate on the demo warehouse <= 5 s. The machine this runs on may be shared: compare CPU
seconds, and measure wall time on a quiet machine.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parent.parent
PMO = [str(Path(sys.executable).parent / "pmo")]


def measure(args: list[str], env: dict[str, str], cwd: Path) -> dict[str, float]:
    """Run `args`, sampling the tree every 20 ms: wall s, CPU s, peak summed RSS MiB."""
    start = time.perf_counter()
    proc = subprocess.Popen(
        args, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    root = psutil.Process(proc.pid)
    peak, cpu = 0, {}
    while proc.poll() is None:
        try:
            tree = [root, *root.children(recursive=True)]
        except psutil.NoSuchProcess:
            break
        total = 0
        for p in tree:
            try:
                total += p.memory_info().rss
                times = p.cpu_times()
                cpu[p.pid] = times.user + times.system + times.children_user + times.children_system
            except psutil.NoSuchProcess:
                continue
        peak = max(peak, total)
        time.sleep(0.02)
    wall = time.perf_counter() - start
    stderr = proc.stderr.read().decode() if proc.stderr else ""
    if proc.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(args)} exited {proc.returncode}:\n{stderr[-2000:]}")
    return {"wall_s": wall, "cpu_s": sum(cpu.values()), "peak_rss_mib": peak / 2**20}


def prepare(work: Path, env: dict[str, str]) -> subprocess.Popen:
    """A demo tenant served by its own process, a config joining it, a first full sync."""
    tenant = work / "demo.json"
    subprocess.run([*PMO, "sandbox", "generate", "--out", str(tenant)], check=True, env=env, cwd=work,
                   stdout=subprocess.DEVNULL)  # fmt: skip
    info = work / "sandbox.json"
    server = subprocess.Popen(
        [*PMO, "sandbox", "serve", "--tenant", str(tenant), "--info", str(info)],
        env=env,
        cwd=work,
        stdout=subprocess.DEVNULL,
    )
    for _ in range(300):
        if info.is_file() and info.read_text().strip():
            break
        time.sleep(0.1)
    (work / "pmo.yaml").write_text(
        json.dumps(
            {
                "time_zone": "Europe/Berlin",
                "warehouse": {"url": f"sqlite:///{work / 'warehouse.db'}"},
                "sandbox": {"enabled": True, "info_file": str(info), "tenant": str(tenant)},
                "jira": {"url": "sandbox"},
                "graph": {"base_url": "sandbox"},
                "checks": {"lifecycle_file": str(ROOT / "config" / "lifecycle.yaml")},
                "publish": {"enabled": False, "reports_dir": str(work / "reports")},
            }
        ),
        encoding="utf-8",
    )
    subprocess.run([*PMO, "sync", "-c", str(work / "pmo.yaml")], check=True, env=env, cwd=work,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    return server


def forget_suite_results(database: Path) -> None:
    """No stored suite results: the next gate validates with Great Expectations."""
    sys.path.insert(0, str(ROOT))
    from connectors.store import Warehouse
    from flows.quality_record import SOURCE, STREAM

    warehouse = Warehouse(f"sqlite:///{database}")
    with warehouse.transaction() as txn:
        txn.set_watermark(SOURCE, STREAM, "*", {})
    warehouse.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--keep", type=Path, help="work folder to keep (default: a temp dir)")
    parser.add_argument("--project", default="ERP")
    args = parser.parse_args()
    work = args.keep or Path(tempfile.mkdtemp(prefix="pmo-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    # As installed by `make` (UV_COMPILE_BYTECODE=1) and run by a person: bytecode is cached.
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPATH"] = str(ROOT)
    config = str(work / "pmo.yaml")
    load_before = os.getloadavg()
    server = prepare(work, env)
    results: dict[str, list[dict[str, float]]] = {"help": [], "sync": [], "gate": [], "gate_gx": []}
    gate = [*PMO, "gate", args.project, "--no-publish", "-c", config]
    try:
        for _ in range(args.runs):
            results["help"].append(measure([*PMO, "--help"], env, work))
            results["sync"].append(measure([*PMO, "sync", "-c", config], env, work))
            results["gate"].append(measure(gate, env, work))
            forget_suite_results(work / "warehouse.db")
            results["gate_gx"].append(measure(gate, env, work))
    finally:
        server.terminate()
        server.wait(timeout=30)
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
    ).stdout.strip()
    print(
        f"commit {commit or '?'}; load average (1, 5, 15 min) before {load_before}, after {os.getloadavg()}"
    )
    for name, runs in results.items():
        for i, r in enumerate(runs, 1):
            print(
                f"{name:7} run {i}: {r['wall_s']:6.2f} s wall  {r['cpu_s']:6.2f} s CPU  "
                f"{r['peak_rss_mib']:7.1f} MiB peak total RSS"
            )
        best = min(runs, key=lambda r: r["wall_s"])
        print(f"{name:7} best: {best['wall_s']:.2f} s wall, {best['peak_rss_mib']:.0f} MiB")


if __name__ == "__main__":
    main()
