"""Independent readings of a tenant's JSON, used to prove each planted problem is in the data.

Nothing here uses the generator's internals: every value is recomputed from the API shapes,
the way a connector and the checks would see them.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import networkx as nx

from sandbox.timefmt import parse_iso

Tenant = dict[str, Any]
OPEN_RISK = ("Open", "Owned", "Accepted")
# planned work (epics, risks, lessons and gate requests are not), as the risk checks read it
WORK_TYPES = ("Story", "Task", "Sub-task", "Bug", "UAT", "Training", "Documentation")


def now_of(t: Tenant) -> datetime:
    return parse_iso(t["now"])


def issues_of(t: Tenant, project: str | None = None) -> list[dict[str, Any]]:
    return [
        i
        for i in t["jira"]["issues"]
        if project is None or i["fields"]["project"]["key"] == project
    ]


def qid(issue: dict[str, Any]) -> str:
    return f"jira:{issue['id']}"


def is_done(issue: dict[str, Any]) -> bool:
    return issue["fields"]["status"]["statusCategory"]["key"] == "done"


def charter(t: Tenant, key: str) -> dict[str, Any] | None:
    project = next(p for p in t["jira"]["projects"] if p["key"] == key)
    return project["properties"].get("pmo-charter")


def spi(t: Tenant, key: str) -> float | None:
    """EV / PV with PV spread linearly over start..due (as the risk checks read it)."""
    today = now_of(t).date()
    pv = ev = 0.0
    for issue in issues_of(t, key):
        f = issue["fields"]
        hours = (f.get("timeoriginalestimate") or 0) / 3600
        if not hours or not f.get("customfield_10015") or not f.get("duedate"):
            continue
        start, due = date.fromisoformat(f["customfield_10015"]), date.fromisoformat(f["duedate"])
        pv += hours * min(1.0, max(0.0, ((today - start).days + 1) / ((due - start).days + 1)))
        ev += hours if is_done(issue) else 0.0
    return ev / pv if pv else None


def blocks_graph(t: Tenant) -> nx.DiGraph:
    graph = nx.DiGraph()
    for issue in t["jira"]["issues"]:
        for link in issue["fields"].get("issuelinks") or []:
            if link["type"]["name"] == "Blocks" and "outwardIssue" in link:
                graph.add_edge(qid(issue), f"jira:{link['outwardIssue']['id']}")
    return graph


def cycles(t: Tenant) -> list[set[str]]:
    return [set(c) for c in nx.simple_cycles(blocks_graph(t))]


def person_zones(t: Tenant) -> dict[str, ZoneInfo]:
    return {p["email"]: ZoneInfo(p["time_zone"]) for p in t["people"]}


def canonical(t: Tenant) -> dict[str, str]:
    """Every address and id a person appears under -> canonical e-mail."""
    out = {}
    for p in t["people"]:
        for key in [p["email"], *p["aliases"], p["account_id"], p["graph_user_id"]]:
            out[key] = p["email"]
    return out


def hours_by_person_day(t: Tenant) -> dict[tuple[str, date], float]:
    """Worklogs, timesheet rows and time cards, each on the person's local work day."""
    who, zones = canonical(t), person_zones(t)
    days: dict[tuple[str, date], float] = defaultdict(float)
    for log in t["jira"]["worklogs"]:
        days[(who[log["author"]["accountId"]], parse_iso(log["started"]).date())] += (
            log["timeSpentSeconds"] / 3600
        )
    for row in timesheet_rows(t):
        f = row["fields"]
        days[(who[row_person(t, row)], date.fromisoformat(f["WorkDate"][:10]))] += f["Hours"]
    for card in all_time_cards(t):
        hours = card_hours(card)
        if hours is not None and hours > 0:
            person = who[card["userId"]]
            start = parse_iso(card["clockInEvent"]["dateTime"]).astimezone(zones[person])
            days[(person, start.date())] += hours
    return dict(days)


def hours_by_person_week(t: Tenant) -> dict[tuple[str, date], float]:
    weeks: dict[tuple[str, date], float] = defaultdict(float)
    for (person, day), hours in hours_by_person_day(t).items():
        weeks[(person, day - timedelta(days=day.weekday()))] += hours
    return dict(weeks)


def capacity(t: Tenant) -> dict[str, float]:
    return {p["email"]: p["weekly_capacity_hours"] for p in t["people"]}


def timesheet_rows(t: Tenant) -> list[dict[str, Any]]:
    """Rows of the timesheet lists: no folders, not the sites' user information lists."""
    return [
        item
        for site in t["graph"]["sites"]
        for lst in site["lists"]
        if lst.get("displayName") != "User Information List"
        for item in lst["items"]
        if (item.get("contentType") or {}).get("name") != "Folder"
    ]


def row_person(t: Tenant, row: dict[str, Any]) -> str:
    """The address a row's person column points at (through the user information list)."""
    fields = row["fields"]
    if "Person" in fields:
        return fields["Person"]
    for site in t["graph"]["sites"]:
        for lst in site["lists"]:
            if lst.get("displayName") == "User Information List":
                for user in lst["items"]:
                    if user["id"] == str(fields["PersonLookupId"]):
                        return user["fields"]["EMail"] or user["fields"]["UserName"]
    raise KeyError(fields["PersonLookupId"])


def all_time_cards(t: Tenant) -> list[dict[str, Any]]:
    return [c for cards in t["graph"]["time_cards"].values() for c in cards]


def card_hours(card: dict[str, Any]) -> float | None:
    if not card["clockOutEvent"]:
        return None
    span = parse_iso(card["clockOutEvent"]["dateTime"]) - parse_iso(
        card["clockInEvent"]["dateTime"]
    )
    breaks = sum(
        (parse_iso(b["end"]["dateTime"]) - parse_iso(b["start"]["dateTime"])).total_seconds()
        for b in card["breaks"]
    )
    return (span.total_seconds() - breaks) / 3600


def last_status_change(issue: dict[str, Any]) -> datetime:
    changes = [
        parse_iso(h["created"])
        for h in issue["changelog"]
        if any(item["field"] == "status" for item in h["items"])
    ]
    return max(changes, default=parse_iso(issue["fields"]["created"]))


def stale_in_progress(t: Tenant, days: int = 30) -> set[str]:
    limit = now_of(t) - timedelta(days=days)
    return {
        qid(i)
        for i in t["jira"]["issues"]
        if i["fields"]["issuetype"]["name"] in WORK_TYPES
        and i["fields"]["status"]["statusCategory"]["key"] == "indeterminate"
        and last_status_change(i) < limit
        and parse_iso(i["fields"]["updated"]) < limit
    }


def missing_estimates(t: Tenant) -> set[str]:
    return {
        qid(i)
        for i in t["jira"]["issues"]
        if not is_done(i)
        and i["fields"]["issuetype"]["name"] in ("Story", "Task", "Sub-task", "Bug")
        and not i["fields"].get("timeoriginalestimate")
        and not i["fields"].get("customfield_10016")
    }


def risks(t: Tenant) -> list[dict[str, Any]]:
    return [i for i in t["jira"]["issues"] if i["fields"]["issuetype"]["name"] == "Risk"]


def unowned_risks(t: Tenant) -> set[str]:
    return {
        qid(r)
        for r in risks(t)
        if r["fields"]["status"]["name"] in OPEN_RISK and r["fields"]["assignee"] is None
    }


def overdue_mitigations(t: Tenant) -> set[str]:
    today = now_of(t).date().isoformat()
    return {
        qid(r)
        for r in risks(t)
        if r["fields"]["status"]["name"] in OPEN_RISK
        and (r["fields"].get("customfield_10033") or "9999") < today
    }


def open_critical_defects(t: Tenant) -> set[str]:
    return {
        qid(i)
        for i in t["jira"]["issues"]
        if i["fields"]["issuetype"]["name"] == "Bug"
        and not is_done(i)
        and (i["fields"].get("customfield_10034") or {}).get("value") == "Critical"
    }


def open_signoffs(t: Tenant) -> set[str]:
    return {
        qid(i)
        for i in t["jira"]["issues"]
        if "uat-signoff" in i["fields"]["labels"]
        and not is_done(i)
        and (charter(t, i["fields"]["project"]["key"]) or {}).get("phase") == "qa_uat"
    }


def cross_day_worklogs(t: Tenant) -> dict[str, tuple[str, str]]:
    """Worklogs whose local (author offset) day differs from the UTC day: id -> (local, utc)."""
    out = {}
    for log in t["jira"]["worklogs"]:
        started = parse_iso(log["started"])
        local, utc = started.date(), started.astimezone(UTC).date()
        if local != utc:
            out[f"jira:worklog:{log['id']}"] = (local.isoformat(), utc.isoformat())
    return out


def negative_cards(t: Tenant) -> set[str]:
    return {
        f"shifts:{c['id']}"
        for c in all_time_cards(t)
        if c["clockOutEvent"]
        and parse_iso(c["clockOutEvent"]["dateTime"]) < parse_iso(c["clockInEvent"]["dateTime"])
    }


def critical_path(t: Tenant, project: str) -> list[str]:
    """The heaviest chain of open items (sum of hour estimates; ties: more items), read as
    the dependency check does; items caught in a cycle are left out."""
    issues = {qid(i): i for i in issues_of(t, project) if not is_done(i)}
    graph = blocks_graph(t).subgraph(issues).copy()
    graph.add_nodes_from(issues)
    for component in list(nx.strongly_connected_components(graph)):
        if len(component) > 1:
            graph.remove_nodes_from(component)
    best: dict[str, tuple[float, int, list[str]]] = {}
    for node in nx.topological_sort(graph):
        weight = (issues[node]["fields"].get("timeoriginalestimate") or 0) / 3600
        before = max(
            (best[p] for p in graph.predecessors(node)),
            key=lambda b: (b[0], b[1]),
            default=(0.0, 0, []),
        )
        best[node] = (before[0] + weight, before[1] + 1, [*before[2], node])
    return max(best.values(), key=lambda b: (b[0], b[1]), default=(0.0, 0, []))[2]


def blocked_on_critical_path(t: Tenant, project: str) -> set[str]:
    """Critical-path items due to be worked on (start date come) with an open blocker."""
    today = now_of(t).date().isoformat()
    by_id = {qid(i): i for i in t["jira"]["issues"]}
    graph = blocks_graph(t)
    out = set()
    for node in critical_path(t, project):
        start = by_id[node]["fields"].get("customfield_10015") or "9999"
        blockers = graph.predecessors(node) if node in graph else []
        if start <= today and any(not is_done(by_id[b]) for b in blockers):
            out.add(node)
    return out
