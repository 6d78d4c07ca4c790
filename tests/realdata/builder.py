"""Sandbox tenants built from the real public data in ``<repo>/../shared/realdata``.

How to use it (tests)::

    from tests.realdata.builder import realdata_dir, tenant       # the documents
    from tests.realdata.conftest import ...                       # fixtures, see there

    doc = tenant("jira-archive")   # MOD + DAEMON, Jira Server v2 JSON -> Cloud tenant
    doc = tenant("cesaw")          # CESAW projects 612 and 95 -> tenant with worklogs

`tenant(name)` builds once per process and hands out copies (callers may mutate theirs).
`save(name, path)` writes it as a tenant file for `sandbox.tenant` in a flow test's config.
Fixtures in ``tests/realdata/conftest.py`` serve a tenant from the sandbox and sync it
into a fresh SQLite warehouse once per session (`jira_archive_synced`, `cesaw_synced`),
and `realdata_config(tmp_path, name)` writes a config whose sandbox serves that tenant.
Everything skips only when the real data directory is absent (`REALDATA_MISSING`).

The raw files are read where they lie and never copied into the repository. What the
conversion changes, and why (all else is kept as the archive holds it):

jira-archive (``MOD``, ``DAEMON``)
  - Users: Jira Server names users by ``key``; the Cloud API by ``accountId``. The key
    becomes the account id. E-mail stays hidden (the archive has none): tenant people
    carry ``email: null`` and the sandbox omits ``emailAddress``, as Cloud does.
  - Comments and attachments are dropped (the sandbox keeps its own, written ones);
    ``closedSprints``/``flagged``/``epic`` (Jira Software's Server-only fields) are dropped,
    except that an issue whose epic is in the tenant gets that epic as ``parent``
    (how Cloud shows an epic's children).
  - Links to issues of other projects are kept as they are: the real tenant has them.
  - Issue types (with ``subtask``), statuses, link types and versions come from the
    issues and ``project.json``; projects have no charter and no lead.

cesaw (``task_fact.csv``, ``time_fact.csv``; projects 612 and 95)
  - One Jira issue (type Task) per task row, i.e. per (project, plan item, person);
    original estimate = planned minutes; status Done with ``resolutiondate`` at the
    actual complete date, In Progress when started but not complete, else To Do; a
    changelog with those transitions at those dates. No due or start dates: CESAW has no
    planned dates.
  - One worklog per time log with minutes > 0 (Jira does not hold zero-length worklogs;
    `skipped` in the manifest counts them), on the task of the same (project, plan item,
    person), else on a task of the same plan item; logged by the person.
  - People are ``cesaw-<person_key>`` with display name ``Person <key>``, no e-mail,
    time zone UTC (the timestamps carry no zone; UTC keeps their calendar day).

Tenant ``now`` defaults to `DEFAULT_NOW` (the day someone runs the product on this old
data), not the data's last day: deciding the as-of date is the product's job.
"""

from __future__ import annotations

import csv
import json
import os
import pickle
from collections import Counter
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sandbox.gen import catalog
from sandbox.tenant import FORMAT_NAME, FORMAT_VERSION, save_tenant

REPO = Path(__file__).resolve().parents[2]
DEFAULT_NOW = "2026-11-27T06:00:00+00:00"
ARCHIVE_PROJECTS = ("MOD", "DAEMON")
CESAW_PROJECTS = {"612": "CESAW612", "95": "CESAW95"}
CREDENTIALS = {
    "jira": {"email": "pmo-bot@example.com", "api_token": "realdata-jira-token", "pat": "rd-pat"},
    "graph": {"token": "realdata-graph-token"},
}
CESAW_STATUSES = {
    "todo": {
        "id": "1",
        "name": "To Do",
        "statusCategory": {"id": 2, "key": "new", "name": "To Do"},
    },
    "in_progress": {
        "id": "3",
        "name": "In Progress",
        "statusCategory": {"id": 4, "key": "indeterminate", "name": "In Progress"},
    },
    "done": {
        "id": "10001",
        "name": "Done",
        "statusCategory": {"id": 3, "key": "done", "name": "Done"},
    },
}
CESAW_TASK_TYPE = {"id": "10002", "name": "Task", "subtask": False, "hierarchyLevel": 0}
ARCHIVE_DROPPED_FIELDS = ("comment", "attachment", "closedSprints", "flagged", "epic")
USER_FIELDS = ("assignee", "reporter", "creator")


def realdata_dir() -> Path | None:
    """The real data folder, or None when absent: ``$PMO_REALDATA_DIR``, else
    ``<repo>/../shared/realdata`` (a clone), else ``<repo>/../../shared/realdata`` (a git
    worktree under ``<root>/wt/<name>``)."""
    env = os.environ.get("PMO_REALDATA_DIR")
    candidates = [Path(env)] if env else []
    candidates += [REPO.parent / "shared" / "realdata", REPO.parent.parent / "shared" / "realdata"]
    return next((c for c in candidates if (c / "README.md").is_file()), None)


REALDATA_MISSING = realdata_dir() is None


def require_dir() -> Path:
    found = realdata_dir()
    if found is None:
        raise FileNotFoundError("real data folder not found (<repo>/../shared/realdata)")
    return found


# --- common --------------------------------------------------------------------------------


def _skeleton(name: str, now: str) -> dict[str, Any]:
    return {
        "format": FORMAT_NAME,
        "version": FORMAT_VERSION,
        "generator": {"seed": 0, "scale": f"realdata:{name}"},
        "now": now,
        "time_zone": "UTC",
        "credentials": json.loads(json.dumps(CREDENTIALS)),
        "people": [],
        "jira": {
            "fields": [f for f in catalog.fields() if not f["custom"]],
            "issue_types": [],
            "statuses": [],
            "issue_link_types": [],
            "projects": [],
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
    }


def jira_ts(moment: datetime) -> str:
    """Jira platform timestamp: millis and a ``+hhmm`` offset without colon."""
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}+0000"


def _person(account_id: str, display_name: str, time_zone: str | None) -> dict[str, Any]:
    return {
        "account_id": account_id,
        "email": None,  # hidden, as Jira Cloud's privacy settings do for most accounts
        "display_name": display_name,
        "time_zone": time_zone,
        "weekly_capacity_hours": None,
    }


# --- jira-archive --------------------------------------------------------------------------


def archive_issue_files(base: Path, project: str) -> list[Path]:
    """The issue files of one archived project (every ``<KEY>-<n>.json``), sorted by number."""
    files = list((base / "jira-archive" / project).glob(f"{project}-*.json"))
    return sorted(files, key=lambda p: int(p.stem.rsplit("-", 1)[1]))


def _user_ref(user: dict[str, Any] | None, people: dict[str, dict[str, Any]]) -> Any:
    if not user:
        return None
    account = str(user.get("key") or user.get("name") or user.get("accountId"))
    if account not in people:
        people[account] = _person(account, user.get("displayName") or account, user.get("timeZone"))
    return {"accountId": account}


def build_jira_archive(base: Path, now: str = DEFAULT_NOW) -> dict[str, Any]:
    doc = _skeleton("jira-archive", now)
    jira = doc["jira"]
    people: dict[str, dict[str, Any]] = {}
    types: dict[str, dict[str, Any]] = {}
    statuses: dict[str, dict[str, Any]] = {}
    link_types: dict[str, dict[str, Any]] = {}
    raw_issues = []
    for key in ARCHIVE_PROJECTS:
        project = json.loads((base / "jira-archive" / key / "project.json").read_text("utf-8"))
        jira["projects"].append(
            {
                "id": str(project["id"]),
                "key": project["key"],
                "name": project.get("name") or project["key"],
                "projectTypeKey": "software",
                "description": project.get("description") or "",
                "properties": {},
            }
        )
        for kind in project.get("issueTypes") or []:
            types.setdefault(str(kind["id"]), _issue_type(kind))
        jira["versions"] += [
            {**v, "id": str(v["id"]), "projectId": int(v.get("projectId") or project["id"])}
            for v in project.get("versions") or []
        ]
        raw_issues += [json.loads(p.read_text("utf-8")) for p in archive_issue_files(base, key)]
    in_tenant = {str(r["id"]) for r in raw_issues}
    for raw in raw_issues:
        fields = raw["fields"]
        types.setdefault(str(fields["issuetype"]["id"]), _issue_type(fields["issuetype"]))
        statuses.setdefault(str(fields["status"]["id"]), fields["status"])
        for link in fields.get("issuelinks") or []:
            link_types.setdefault(str(link["type"]["id"]), link["type"])
        jira["issues"].append(_archive_issue(raw, people, in_tenant))
    jira["issue_types"] = [types[k] for k in sorted(types, key=int)]
    jira["statuses"] = [statuses[k] for k in sorted(statuses, key=int)]
    jira["issue_link_types"] = [link_types[k] for k in sorted(link_types, key=int)]
    doc["people"] = [people[k] for k in sorted(people)]
    return doc


def _issue_type(kind: dict[str, Any]) -> dict[str, Any]:
    subtask = bool(kind.get("subtask"))
    level = -1 if subtask else (1 if kind["name"] == "Epic" else 0)
    return {
        "id": str(kind["id"]),
        "name": kind["name"],
        "description": kind.get("description") or "",
        "subtask": subtask,
        "hierarchyLevel": level,
    }


def _archive_issue(
    raw: dict[str, Any], people: dict[str, dict[str, Any]], in_tenant: set[str]
) -> dict[str, Any]:
    fields = {k: v for k, v in raw["fields"].items() if k not in ARCHIVE_DROPPED_FIELDS}
    for role in USER_FIELDS:
        fields[role] = _user_ref(fields.get(role), people)
    fields["issuetype"] = _issue_type(fields["issuetype"])
    parent = fields.get("parent")
    epic = raw["fields"].get("epic") or {}
    if parent:
        fields["parent"] = {"id": str(parent["id"]), "key": parent["key"]}
    elif str(epic.get("id")) in in_tenant:
        fields["parent"] = {"id": str(epic["id"]), "key": epic["key"]}
    else:
        fields["parent"] = None
    fields.setdefault("duedate", None)
    fields.setdefault("timeoriginalestimate", None)
    fields.setdefault("timeestimate", None)
    return {
        "id": str(raw["id"]),
        "key": raw["key"],
        "fields": fields,
        "changelog": [],
        "properties": {},
    }


# --- cesaw ---------------------------------------------------------------------------------


def read_csv(path: Path, projects: Iterable[str]) -> list[dict[str, str]]:
    """Rows of a CESAW CSV for the given project keys; ``\\N`` (SQL null) becomes ''."""
    wanted = set(projects)
    with path.open(newline="", encoding="utf-8") as handle:
        return [
            {k: ("" if v == "\\N" else v) for k, v in row.items()}
            for row in csv.DictReader(handle)
            if row["project_key"] in wanted
        ]


def cesaw_time(text: str) -> datetime | None:
    """CESAW timestamps (``M/D/YYYY H:MM``, no zone) as UTC; None when empty."""
    if not text:
        return None
    day, clock = text.split(" ")
    month, dom, year = day.split("/")
    hour, minute = clock.split(":")
    return datetime(int(year), int(month), int(dom), int(hour), int(minute), tzinfo=UTC)


def build_cesaw(base: Path, now: str = DEFAULT_NOW) -> dict[str, Any]:
    doc = _skeleton("cesaw", now)
    jira = doc["jira"]
    jira["issue_types"] = [CESAW_TASK_TYPE]
    jira["statuses"] = list(CESAW_STATUSES.values())
    tasks = read_csv(base / "cesaw" / "task_fact.csv", CESAW_PROJECTS)
    logs = read_csv(base / "cesaw" / "time_fact.csv", CESAW_PROJECTS)
    logs_by_task: dict[tuple[str, str, str], list[dict[str, str]]] = {}
    skipped: Counter[str] = Counter()
    task_keys = {(t["project_key"], t["plan_item_key"], t["person_key"]) for t in tasks}
    first_by_item = {}
    for t in tasks:
        first_by_item.setdefault((t["project_key"], t["plan_item_key"]), t["person_key"])
    for log in logs:
        if int(log["time_log_delta_minutes"]) <= 0:
            skipped["zero_minute_time_logs"] += 1
            continue
        key = (log["project_key"], log["plan_item_key"], log["person_key"])
        if key not in task_keys:
            owner = first_by_item.get(key[:2])
            if owner is None:
                skipped["time_logs_without_task"] += 1
                continue
            skipped["time_logs_on_a_teammates_task"] += 1
            key = (*key[:2], owner)
        logs_by_task.setdefault(key, []).append(log)
    people: dict[str, dict[str, Any]] = {}
    for number, (project_key, jira_key) in enumerate(CESAW_PROJECTS.items()):
        jira["projects"].append(
            {
                "id": str(10000 + number),
                "key": jira_key,
                "name": f"CESAW project {project_key}",
                "projectTypeKey": "software",
                "properties": {},
            }
        )
    projects = {p["name"].rsplit(" ", 1)[1]: p for p in jira["projects"]}
    issue_ids = iter(range(100000, 10**9))
    history_ids = iter(range(500000, 10**9))
    seq: Counter[str] = Counter()
    for task in tasks:
        project = projects[task["project_key"]]
        seq[project["key"]] += 1
        account = f"cesaw-{task['person_key']}"
        people.setdefault(account, _person(account, f"Person {task['person_key']}", "UTC"))
        key = (task["project_key"], task["plan_item_key"], task["person_key"])
        issue = _cesaw_issue(
            task, project, f"{project['key']}-{seq[project['key']]}", str(next(issue_ids))
        )
        task_logs = logs_by_task.get(key, [])
        _cesaw_dates(issue, task, task_logs, history_ids, account)
        jira["issues"].append(issue)
        for log in task_logs:
            author = f"cesaw-{log['person_key']}"
            people.setdefault(author, _person(author, f"Person {log['person_key']}", "UTC"))
            jira["worklogs"].append(_cesaw_worklog(log, issue["id"], author))
    jira["worklogs"].sort(key=lambda w: int(w["id"]))
    doc["people"] = [people[k] for k in sorted(people)]
    doc["generator"]["skipped"] = dict(skipped)
    return doc


def _cesaw_issue(
    task: dict[str, str], project: dict[str, Any], key: str, issue_id: str
) -> dict[str, Any]:
    plan_seconds = round(float(task["task_plan_time_minutes"]) * 60)
    phase = task["phase_short_name"] or "unknown phase"
    return {
        "id": issue_id,
        "key": key,
        "fields": {
            "summary": f"{phase}: WBS {task['wbs_element_key']} item {task['plan_item_key']}",
            "description": f"{task['process_name']} phase {phase} (CESAW task_fact)",
            "issuetype": dict(CESAW_TASK_TYPE),
            "project": {"id": project["id"], "key": project["key"], "name": project["name"]},
            "priority": {"id": "3", "name": "Medium"},
            "assignee": {"accountId": f"cesaw-{task['person_key']}"},
            "reporter": {"accountId": f"cesaw-{task['person_key']}"},
            "labels": [],
            "duedate": None,
            "parent": None,
            "fixVersions": [],
            "issuelinks": [],
            "timeoriginalestimate": plan_seconds,
        },
        "changelog": [],
        "properties": {},
    }


def _cesaw_dates(
    issue: dict[str, Any],
    task: dict[str, str],
    logs: list[dict[str, str]],
    history_ids: Iterable[int],
    account: str,
) -> None:
    """Status, created/updated/resolved and the status changelog from the actual dates."""
    ids = iter(history_ids)
    fields = issue["fields"]
    started = cesaw_time(task["task_actual_start_date"])
    completed = cesaw_time(task["task_actual_complete_date"])
    log_starts = [cesaw_time(log["time_log_start_date"]) for log in logs]
    log_ends = [cesaw_time(log["time_log_end_date"]) for log in logs]
    moments = [m for m in (started, completed, *log_starts) if m is not None]
    created = min(moments) if moments else datetime(2000, 1, 1, tzinfo=UTC)
    began = started or min((m for m in log_starts if m is not None), default=None)
    if began and completed and began > completed:  # a few rows start after they complete
        began = completed
    status = "done" if completed else ("in_progress" if began else "todo")
    fields["status"] = CESAW_STATUSES[status]
    fields["resolution"] = {"id": "10000", "name": "Done"} if completed else None
    fields["resolutiondate"] = jira_ts(completed) if completed else None
    fields["created"] = jira_ts(created)
    last = max([m for m in (completed, *log_ends, created) if m is not None])
    fields["updated"] = jira_ts(last)
    spent = sum(int(log["time_log_delta_minutes"]) * 60 for log in logs)
    plan = fields["timeoriginalestimate"]
    fields["timeestimate"] = 0 if completed else max(plan - spent, 0)
    history = []
    current = CESAW_STATUSES["todo"]
    for moment, target in ((began, "in_progress"), (completed, "done")):
        if moment is None:
            continue
        to = CESAW_STATUSES[target]
        history.append(_transition(next(ids), max(moment, created), account, current, to))
        current = to
    history.sort(key=lambda h: h["created"])
    issue["changelog"] = history


def _transition(
    history_id: int, at: datetime, account: str, frm: dict[str, Any], to: dict[str, Any]
) -> dict[str, Any]:
    return {
        "id": str(history_id),
        "author": {"accountId": account},
        "created": jira_ts(at),
        "items": [
            {
                "field": "status",
                "fieldtype": "jira",
                "fieldId": "status",
                "from": frm["id"],
                "fromString": frm["name"],
                "to": to["id"],
                "toString": to["name"],
            }
        ],
    }


def _cesaw_worklog(log: dict[str, str], issue_id: str, author: str) -> dict[str, Any]:
    started = cesaw_time(log["time_log_start_date"])
    ended = cesaw_time(log["time_log_end_date"]) or started
    assert started is not None and ended is not None
    minutes = int(log["time_log_delta_minutes"])
    hours, rest = divmod(minutes, 60)
    spent = " ".join(p for p in (f"{hours}h" if hours else "", f"{rest}m" if rest else "") if p)
    return {
        "id": str(log["time_log_fact_key"]),
        "issueId": issue_id,
        "author": {"accountId": author},
        "updateAuthor": {"accountId": author},
        "comment": "",
        "created": jira_ts(max(ended, started)),
        "updated": jira_ts(max(ended, started)),
        "started": jira_ts(started),
        "timeSpent": spent,
        "timeSpentSeconds": minutes * 60,
    }


# --- cache ---------------------------------------------------------------------------------

BUILDERS = {"jira-archive": build_jira_archive, "cesaw": build_cesaw}
_CACHE: dict[tuple[str, str], bytes] = {}


def tenant(name: str, now: str = DEFAULT_NOW) -> dict[str, Any]:
    """A fresh copy of a real-data tenant (built once per process)."""
    if (name, now) not in _CACHE:
        doc = BUILDERS[name](require_dir(), now)
        _CACHE[(name, now)] = pickle.dumps(doc, pickle.HIGHEST_PROTOCOL)
    return pickle.loads(_CACHE[(name, now)])  # noqa: S301 (our own bytes, this process)


def save(name: str, path: Path, now: str = DEFAULT_NOW) -> Path:
    """The tenant as a file (for ``sandbox.tenant`` in a config)."""
    return save_tenant(tenant(name, now), path)
