"""Benchmark: generate (and save) a scale tenant; optionally serve pages of it.

    uv run python benchmarks/tenant_generate.py --issues 100000 --worklogs 1000000

Prints generation and save times, peak RSS (getrusage: the whole process, interpreter
included) and file sizes as JSON. With --serve N it then starts the sandbox on the saved
tenant and times N `search/jql` pages and N `worklog/updated` pages (one client, so the
server's single worker core is what is measured).
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


def generate(issues: int, worklogs: int, seed: int, out: Path) -> dict[str, Any]:
    from sandbox.gen.api import generate_tenant
    from sandbox.tenant import save_tenant

    started = time.perf_counter()
    tenant, manifest = generate_tenant(seed, issues, worklogs=worklogs)
    generated = time.perf_counter()
    save_tenant(tenant, out)
    saved = time.perf_counter()
    sidecar = out.with_name(out.name.removesuffix(".json") + ".bulk.npz")
    return {
        "issues": manifest["counts"]["issues"],
        "worklogs": manifest["counts"]["worklogs"],
        "projects": manifest["counts"]["projects"],
        "people": manifest["counts"]["people"],
        "generate_s": round(generated - started, 2),
        "save_s": round(saved - generated, 2),
        "total_s": round(saved - started, 2),
        "peak_rss_mib": round(peak_rss_mib(), 1),
        "tenant_bytes": out.stat().st_size,
        "sidecar_bytes": sidecar.stat().st_size,
    }


def serve(out: Path, pages: int) -> dict[str, Any]:
    import httpx

    from sandbox.server import start_sandbox

    with start_sandbox(out) as server:
        info = server.info
        auth = (info.jira_email, info.jira_api_token)
        with httpx.Client(base_url=info.jira_url, auth=auth, timeout=60) as client:
            client.get("/rest/api/3/serverInfo").raise_for_status()
            search = _timed_pages(client, pages, _search_page)
            updated = _timed_pages(client, pages, _worklog_page)
    return {
        "search_pages": pages,
        "search_pages_per_s": search,
        "worklog_pages": pages,
        "worklog_pages_per_s": updated,
        "peak_rss_mib_after_serving": round(peak_rss_mib(), 1),
    }


def _search_page(client: Any, state: dict[str, Any]) -> None:
    params = {
        "jql": "project = S000 ORDER BY key",
        "maxResults": 100,
        "fields": "summary,status,updated",
    }
    if state.get("token"):
        params["nextPageToken"] = state["token"]
    body = client.get("/rest/api/3/search/jql", params=params).raise_for_status().json()
    state["token"] = body.get("nextPageToken")


def _worklog_page(client: Any, state: dict[str, Any]) -> None:
    body = (
        client.get("/rest/api/3/worklog/updated", params={"since": state.get("since", 0)})
        .raise_for_status()
        .json()
    )
    state["since"] = 0 if body["lastPage"] else body["until"]


def _timed_pages(client: Any, pages: int, fetch: Any) -> float:
    state: dict[str, Any] = {}
    fetch(client, state)  # first page builds the server's column indexes: not timed
    started = time.perf_counter()
    for _ in range(pages):
        fetch(client, state)
    return round(pages / (time.perf_counter() - started), 1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--issues", type=int, default=100_000)
    parser.add_argument("--worklogs", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--serve",
        type=int,
        default=0,
        metavar="N",
        help="also time N search/jql and N worklog/updated pages",
    )
    parser.add_argument("--out", type=Path, default=None, help="keep the tenant here")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        out = args.out or Path(tmp) / "scale.json"
        result = generate(args.issues, args.worklogs, args.seed, out)
        if args.serve:
            result |= serve(out, args.serve)
    print(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
