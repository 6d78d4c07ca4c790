"""Benchmark-scale tenants: metadata in the document, issues and worklogs as numpy arrays.

The arrays (names in `sandbox.tenant.BULK_ARRAYS`) go to a ``.bulk.npz`` sidecar and the
sandbox builds a record only when it serves one, so 100,000 issues and 1,000,000 worklogs
are generated in seconds and served without a million dicts. Everything is vectorised;
the portfolio grows with the issue count (2,000 issues per project, ~70 issues per person,
so hours per person stay plausible).
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np

from sandbox.gen import catalog
from sandbox.gen.people import DOMAIN, Person, make_people
from sandbox.gen.tenant_doc import skeleton

DAY_MS = 86_400_000
HOUR_MS = 3_600_000
ISSUES_PER_PROJECT = 2000
ISSUES_PER_PERSON = 70
TEAM_SIZE = 8
ZONES = ["Europe/Berlin", "America/New_York", "Asia/Kolkata", "America/Sao_Paulo", "UTC"]
# issue types of bulk work and their shares
TYPE_SHARES = {
    "Story": 0.4,
    "Task": 0.3,
    "Sub-task": 0.15,
    "Bug": 0.1,
    "UAT": 0.03,
    "Documentation": 0.02,
}
STATUS_NAMES = ["To Do", "In Progress", "In Review", "Done"]


def build_scale(
    seed: int, now: datetime, issues: int, worklogs: int | None = None
) -> tuple[dict[str, Any], dict[str, Any]]:
    """A scale tenant (`bulk.arrays` in memory; `save_tenant` writes the sidecar)."""
    rng = np.random.default_rng(seed)
    people = _people(seed, max(26, issues // ISSUES_PER_PERSON))
    projects = max(1, -(-issues // ISSUES_PER_PROJECT))
    doc = skeleton(seed, issues, now, people)
    doc["jira"]["projects"] = [_project(n, people, now) for n in range(projects)]
    arrays = issue_arrays(rng, issues, projects, len(people), now)
    arrays |= worklog_arrays(
        rng,
        arrays,
        worklogs if worklogs is not None else issues * 10,
        _utc_offsets_ms(people, now),
        len(people),
        now,
    )
    doc["bulk"] = {"file": "", "issues": issues, "worklogs": len(arrays["wl_id"]), "arrays": arrays}
    manifest = {
        "generator": {"seed": seed, "scale": issues, "clean": True},
        "now": now.isoformat(),
        "problems": [],
        "counts": {
            "issues": issues,
            "worklogs": len(arrays["wl_id"]),
            "projects": projects,
            "people": len(people),
        },
    }
    return doc, manifest


def _people(seed: int, count: int) -> list[Person]:
    roster = make_people(random.Random(seed))
    ids = random.Random(seed + 1)
    for n in range(len(roster), count):
        roster.append(
            Person(
                index=n,
                display_name=f"Engineer {n:05d}",
                time_zone=ZONES[n % len(ZONES)],
                role="jira",
                weekly_capacity_hours=40,
                account_id=f"{ids.getrandbits(96):024x}",
                graph_user_id=f"00000000-0000-4000-8000-{n:012x}",
                email=f"engineer.{n:05d}@{DOMAIN}",
            )
        )
    return roster


def _project(n: int, people: list[Person], now: datetime) -> dict[str, Any]:
    start = (now - timedelta(days=400 - (n % 5) * 20)).date()
    lead = people[(n * TEAM_SIZE) % len(people)]
    return {
        "self": f"{catalog.SITE}/rest/api/2/project/{20000 + n}",
        "id": str(20000 + n),
        "key": f"S{n:03d}",
        "name": f"Scale project {n:03d}",
        "projectTypeKey": "software",
        "simplified": False,
        "style": "classic",
        "isPrivate": False,
        "lead": lead.jira_user(),
        "description": "Generated for volume tests.",
        "properties": {
            "pmo-charter": {
                "phase": "execution",
                "start_date": start.isoformat(),
                "target_date": (start + timedelta(days=540)).isoformat(),
                "baseline_date": f"{start + timedelta(days=14)}T00:00:00+00:00",
                "budget_hours": ISSUES_PER_PROJECT * 12,
                "budget_cost": ISSUES_PER_PROJECT * 12 * 95,
                "objectives": ["Deliver the scale backlog"],
                "kpi_targets": {},
                "kpi_actuals": {},
            }
        },
    }


def issue_arrays(
    rng: np.random.Generator, count: int, projects: int, people: int, now: datetime
) -> dict[str, np.ndarray]:
    now_ms = int(now.timestamp() * 1000)
    project = (np.arange(count) * projects // count).astype(np.int32)
    first = np.searchsorted(project, np.arange(projects))
    number = (np.arange(count) - first[project] + 1).astype(np.int32)
    type_index = {t["name"]: n for n, t in enumerate(catalog.issue_types())}
    names = list(TYPE_SHARES)
    kinds = rng.choice([type_index[n] for n in names], count, p=list(TYPE_SHARES.values()))
    age_days = rng.uniform(1, 400, count)
    created = now_ms - (age_days * DAY_MS).astype(np.int64)
    # older items are more likely done; recent ones in progress or still to do
    done_share = np.clip(age_days / 300, 0, 0.95)
    roll = rng.random(count)
    state = np.where(
        roll < done_share,
        3,
        np.where(roll < done_share + 0.1, 1, np.where(roll < done_share + 0.13, 2, 0)),
    )
    status_index = {s["name"]: n for n, s in enumerate(catalog.statuses())}
    status = np.array([status_index[s] for s in STATUS_NAMES], dtype=np.int16)[state]
    busy = (rng.uniform(0.05, 0.9, count) * (now_ms - created)).astype(np.int64)
    updated = np.minimum(created + busy, now_ms - HOUR_MS)
    team_first = (project * TEAM_SIZE) % people
    assignee = ((team_first + rng.integers(0, TEAM_SIZE, count)) % people).astype(np.int32)
    return {
        "issue_id": np.arange(10001, 10001 + count, dtype=np.int64),
        "issue_project": project,
        "issue_number": number,
        "issue_type": kinds.astype(np.int16),
        "issue_status": status,
        "issue_assignee": assignee,
        "issue_estimate_s": (rng.choice([4, 8, 12, 16, 24], count) * 3600).astype(np.int32),
        "issue_created_ms": created,
        "issue_updated_ms": updated,
    }


def worklog_arrays(
    rng: np.random.Generator,
    issues: dict[str, np.ndarray],
    count: int,
    offsets_ms: np.ndarray,
    people: int,
    now: datetime,
) -> dict[str, np.ndarray]:
    """Worklogs on started issues, in the author's working hours (09:00-16:00 local)."""
    now_ms = int(now.timestamp() * 1000)
    started_issues = np.flatnonzero(issues["issue_status"] != _status("To Do"))
    pool = started_issues if len(started_issues) else np.arange(len(issues["issue_id"]))
    on = np.sort(rng.choice(pool, count)).astype(np.int32)
    author = issues["issue_assignee"][on].copy()
    helpers = rng.random(count) < 0.1  # a teammate logs on someone else's item now and then
    author[helpers] = (author[helpers] + rng.integers(1, TEAM_SIZE, helpers.sum())) % people
    lo, hi = issues["issue_created_ms"][on], issues["issue_updated_ms"][on]
    moment = lo + (rng.random(count) * np.maximum(hi - lo, HOUR_MS)).astype(np.int64)
    offset = offsets_ms[author]
    local_day = (moment + offset) // DAY_MS * DAY_MS
    seconds = (rng.integers(1, 9, count) * 1800).astype(np.int32)
    started = local_day - offset + 9 * HOUR_MS + rng.integers(0, 7 * 4, count) * 15 * 60_000
    started = np.minimum(started, now_ms - 2 * seconds.astype(np.int64) * 1000 - HOUR_MS)
    updated = np.minimum(
        started + seconds.astype(np.int64) * 1000 + rng.integers(0, 2 * HOUR_MS, count),
        now_ms - 120_000,
    )
    order = np.argsort(updated, kind="stable")  # ids grow with the time they were logged
    np.maximum.at(issues["issue_updated_ms"], on, updated)
    return {
        "wl_id": np.arange(100001, 100001 + count, dtype=np.int64),
        "wl_issue": on[order],
        "wl_author": author[order].astype(np.int32),
        "wl_started_ms": started[order],
        "wl_updated_ms": updated[order],
        "wl_seconds": seconds[order],
    }


def _status(name: str) -> int:
    return next(n for n, s in enumerate(catalog.statuses()) if s["name"] == name)


def _utc_offsets_ms(people: list[Person], now: datetime) -> np.ndarray:
    """Each person's UTC offset at `now` (DST shifts move work by an hour at most)."""
    cache: dict[str, int] = {}
    for p in people:
        if p.time_zone not in cache:
            delta = now.astimezone(ZoneInfo(p.time_zone)).utcoffset() or timedelta(0)
            cache[p.time_zone] = int(delta.total_seconds() * 1000)
    return np.array([cache[p.time_zone] for p in people], dtype=np.int64)
