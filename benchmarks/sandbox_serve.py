"""Sandbox serving benchmark: a scale tenant served by one sandbox process on one core.

Generates a scale tenant with the product command (`pmo sandbox generate`, timed and its
peak RSS measured in a child process), starts `pmo sandbox serve` pinned to CPU 0, and
drives it from this process (pinned to CPU 1) with a keep-alive session: enhanced-search
pages (with fields, and ids only), `worklog/updated` pages, `worklog/list` of 1000 ids and
single issue reads. Prints requests/s per operation and the server's RSS before and after,
which shows that no request loads the whole tenant.

    uv run python benchmarks/sandbox_serve.py --issues 100000 --worklogs 1000000 --requests 200
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import psutil
import requests


def generate(out: Path, issues: int, worklogs: int, seed: int) -> dict[str, float]:
    command = [
        sys.executable,
        "-m",
        "sandbox",
        "generate",
        "--out",
        str(out),
        "--scale",
        str(issues),
        "--worklogs",
        str(worklogs),
        "--seed",
        str(seed),
    ]
    started = time.perf_counter()
    subprocess.run(command, check=True, capture_output=True)
    seconds = time.perf_counter() - started
    peak_mib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return {"generate_s": seconds, "generate_peak_rss_mib": peak_mib}


def serve(tenant: Path, info_file: Path) -> subprocess.Popen[str]:
    def pin() -> None:
        os.sched_setaffinity(0, {0})

    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "sandbox",
            "serve",
            "--tenant",
            str(tenant),
            "--info",
            str(info_file),
        ],
        stdout=subprocess.PIPE,
        text=True,
        preexec_fn=pin,
    )
    assert process.stdout is not None
    process.stdout.readline()  # the info line: the server is up
    return process


def rate(
    label: str, count: int, request: Callable[[int], requests.Response], server: psutil.Process
) -> dict[str, float]:
    """Wall-clock rate seen by the client, and the server's own CPU per request (the machine
    is shared, so CPU per request is the steadier measure of what one core can serve)."""
    cpu_before = sum(server.cpu_times()[:2])
    started = time.perf_counter()
    for n in range(count):
        response = request(n)
        if response.status_code != 200:
            raise SystemExit(f"{label}: HTTP {response.status_code}: {response.text[:200]}")
    seconds = time.perf_counter() - started
    cpu_ms = 1000 * (sum(server.cpu_times()[:2]) - cpu_before) / count
    return {
        "operation": label,
        "requests": count,
        "req_per_s": count / seconds,
        "mean_ms": 1000 * seconds / count,
        "server_cpu_ms_per_req": cpu_ms,
        "req_per_cpu_s": 1000 / cpu_ms if cpu_ms else float("inf"),
    }


def drive(info: dict[str, str], count: int, server: psutil.Process) -> list[dict[str, float]]:
    session = requests.Session()
    session.auth = (info["jira_email"], info["jira_api_token"])
    api = f"{info['jira_url']}/rest/api/3"
    jql = "project = S001 ORDER BY updated DESC"
    tokens = _search_tokens(session, api, jql, count)
    updated = _updated_urls(session, api, count)
    ids = [v["worklogId"] for v in session.get(updated[0]).json()["values"]]

    def search(n: int) -> requests.Response:
        params = {"jql": jql, "maxResults": 100, "fields": "summary,status,updated,assignee"}
        return session.get(
            f"{api}/search/jql", params=params | ({"nextPageToken": tokens[n % len(tokens)]})
        )

    def ids_only(n: int) -> requests.Response:
        return session.post(
            f"{api}/search/jql", json={"jql": f"project = S{n % 50:03d}", "maxResults": 5000}
        )

    operations = [
        ("search/jql GET, 100 issues with fields", search),
        ("search/jql POST, ids only, up to 5000", ids_only),
        ("worklog/updated, 1000 per page", lambda n: session.get(updated[n % len(updated)])),
        (
            "worklog/list, 1000 ids",
            lambda n: session.post(f"{api}/worklog/list", json={"ids": ids}),
        ),
        ("issue GET", lambda n: session.get(f"{api}/issue/S{n % 50:03d}-{1 + n}")),
    ]
    return [rate(label, count, request, server) for label, request in operations]


def _search_tokens(session: requests.Session, api: str, jql: str, count: int) -> list[str]:
    tokens, token = [], None
    while len(tokens) < min(count, 15):
        params = {"jql": jql, "maxResults": 100, "fields": "summary"} | (
            {"nextPageToken": token} if token else {}
        )
        token = session.get(f"{api}/search/jql", params=params).json().get("nextPageToken")
        if token is None:
            break
        tokens.append(token)
    return tokens


def _updated_urls(session: requests.Session, api: str, count: int) -> list[str]:
    urls, url = [], f"{api}/worklog/updated?since=0"
    while url and len(urls) < min(count, 50):
        urls.append(url)
        page = session.get(url).json()
        url = None if page["lastPage"] else page["nextPage"]
    return urls


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--issues", type=int, default=100_000)
    parser.add_argument("--worklogs", type=int, default=1_000_000)
    parser.add_argument("--requests", type=int, default=200, help="requests per operation")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    os.sched_setaffinity(0, {1})
    with tempfile.TemporaryDirectory() as folder:
        tenant = Path(folder) / "scale.json"
        results: dict[str, object] = generate(tenant, args.issues, args.worklogs, args.seed)
        server = serve(tenant, Path(folder) / "info.json")
        try:
            info = json.loads((Path(folder) / "info.json").read_text())
            process = psutil.Process(server.pid)
            results["server_rss_start_mib"] = process.memory_info().rss / 2**20
            results["operations"] = drive(info, args.requests, process)
            results["server_rss_end_mib"] = process.memory_info().rss / 2**20
            results["server_cpu_s"] = sum(process.cpu_times()[:2])
        finally:
            server.terminate()
            server.wait(timeout=10)
    print(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
