"""Benchmark-scale tenants: metadata in the JSON document, issues and worklogs as numpy
arrays in a ``.npz`` sidecar (``bulk.file``), generated vectorised.

The sandbox builds a record only when it serves it, so a 100k-issue, 1M-worklog tenant is
served without holding a million dicts (see `sandbox.issues_table` and `worklogs_table`).
"""

from __future__ import annotations

import json
import random
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np

from sandbox.generator import catalog
from sandbox.generator.demo import DEFAULT_NOW, _credentials
from sandbox.generator.people import make_people
from sandbox.tenant import FORMAT_NAME, FORMAT_VERSION

DAY_MS = 86_400_000
ISSUES_PER_PROJECT = 2000
WORK_TYPE_NAMES = ["Story", "Task", "Bug", "UAT", "Training", "Documentation", "Risk"]


def scale_arrays(
    seed: int, issues: int, worklogs: int, people: int, projects: int, now: datetime = DEFAULT_NOW
) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    now_ms = int(now.timestamp() * 1000)
    project = np.sort(rng.integers(0, projects, issues)).astype(np.int16)
    starts = np.r_[0, np.flatnonzero(np.diff(project)) + 1]
    number = (np.arange(issues) - np.repeat(starts, np.diff(np.r_[starts, issues]))) + 1
    type_ids = [i for i, (_, name, _) in enumerate(catalog.ISSUE_TYPES) if name in WORK_TYPE_NAMES]
    created = now_ms - rng.integers(DAY_MS, 400 * DAY_MS, issues)
    updated = np.minimum(created + rng.integers(0, 200 * DAY_MS, issues), now_ms - 3_600_000)
    arrays = {
        "issue_id": np.arange(100_001, 100_001 + issues, dtype=np.int64),
        "issue_project": project,
        "issue_number": number.astype(np.int32),
        "issue_type": rng.choice(np.array(type_ids, dtype=np.int8), issues),
        "issue_status": rng.choice(
            np.arange(len(catalog.STATUSES), dtype=np.int8), issues, p=[0.3, 0.25, 0.05, 0.05, 0.35]
        ),
        "issue_assignee": rng.integers(0, people, issues).astype(np.int16),
        "issue_created_ms": created,
        "issue_updated_ms": updated,
        "issue_estimate_s": (rng.integers(1, 6, issues) * 4 * 3600).astype(np.int32),
    }
    return arrays | _worklog_arrays(rng, arrays, worklogs, people, now_ms)


def _worklog_arrays(
    rng: np.random.Generator, issues: dict[str, np.ndarray], count: int, people: int, now_ms: int
) -> dict[str, np.ndarray]:
    on_issue = np.sort(rng.integers(0, len(issues["issue_id"]), count)).astype(np.int32)
    span = np.maximum(
        issues["issue_updated_ms"][on_issue] - issues["issue_created_ms"][on_issue], DAY_MS
    )
    started = issues["issue_created_ms"][on_issue] + (rng.random(count) * span).astype(np.int64)
    seconds = (rng.integers(1, 17, count) * 1800).astype(np.int32)
    updated = np.minimum(
        started + seconds.astype(np.int64) * 1000 + rng.integers(0, DAY_MS, count), now_ms - 120_000
    )
    return {
        "wl_id": np.arange(10_000_001, 10_000_001 + count, dtype=np.int64),
        "wl_issue": on_issue,
        "wl_author": issues["issue_assignee"][on_issue],
        "wl_started_ms": started,
        "wl_seconds": seconds,
        "wl_updated_ms": updated,
    }


def scale_document(
    seed: int, people_count: int, projects: int, bulk_file: str, now: datetime = DEFAULT_NOW
) -> dict[str, Any]:
    rng = random.Random(seed)
    people = make_people(rng, people_count) if people_count <= 300 else _many_people(people_count)
    project_docs = [
        {
            "id": str(20000 + n),
            "key": f"S{n:03d}",
            "name": f"Scale project {n}",
            "projectTypeKey": "software",
            "lead": {"accountId": people[n % len(people)]["account_id"]},
            "properties": {},
        }
        for n in range(projects)
    ]
    return {
        "format": FORMAT_NAME,
        "version": FORMAT_VERSION,
        "generator": {"seed": seed, "scale": "bulk"},
        "now": now.isoformat(),
        "time_zone": "Europe/Berlin",
        "credentials": _credentials(rng),
        "people": people,
        "jira": {
            "fields": catalog.fields(),
            "issue_types": catalog.issue_types(),
            "statuses": catalog.statuses(),
            "issue_link_types": [dict(t) for t in catalog.LINK_TYPES],
            "projects": project_docs,
            "issues": [],
            "worklogs": [],
            "deleted_worklogs": [],
            "versions": [],
            "boards": [],
            "sprints": [],
        },
        "graph": {
            "users": [],
            "groups": [],
            "plans": [],
            "buckets": [],
            "tasks": [],
            "task_details": {},
            "teams": [],
            "time_cards": {},
            "sites": [],
            "drives": [],
        },
        "bulk": {"file": bulk_file},
    }


def _many_people(count: int) -> list[dict[str, Any]]:
    zones = ["Europe/Berlin", "America/New_York", "Asia/Kolkata", "Pacific/Auckland"]
    return [
        {
            "account_id": f"5c00{n:08x}",
            "graph_user_id": f"00000000-0000-4000-8000-{n:012x}",
            "email": f"person{n}@example.com",
            "aliases": [],
            "display_name": f"Person {n}",
            "time_zone": zones[n % len(zones)],
            "weekly_capacity_hours": 40,
        }
        for n in range(count)
    ]


def write_scale_tenant(
    out: Path, *, seed: int, issues: int, worklogs: int, people: int = 200
) -> dict[str, Any]:
    projects = max(1, issues // ISSUES_PER_PROJECT)
    bulk_name = out.name.removesuffix(".json") + ".bulk.npz"
    arrays = scale_arrays(seed, issues, worklogs, people, projects)
    np.savez(out.with_name(bulk_name), **arrays)
    doc = scale_document(seed, people, projects, bulk_name)
    out.write_text(json.dumps(doc) + "\n", encoding="utf-8")
    return {
        "tenant": str(out),
        "bulk": str(out.with_name(bulk_name)),
        "issues": issues,
        "worklogs": worklogs,
        "projects": projects,
    }
