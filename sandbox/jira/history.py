"""Jira history: changelogs (per issue, bulk) and worklogs (per issue, updated, deleted, list)."""

from __future__ import annotations

import base64
import json
from typing import Any

from starlette.responses import JSONResponse, Response

from sandbox.call import Call
from sandbox.errors import JiraError
from sandbox.jira import render
from sandbox.jira.search import cloud_only, find_issue
from sandbox.router import Router
from sandbox.timefmt import ONE_MINUTE, parse_iso, to_ms

API = "rest/api/{ver}"
BULK_MAX_IDS = 1000
BULK_MAX_FIELDS = 10
WORKLOG_LIST_MAX = 1000


async def issue_changelog(call: Call) -> Response:
    record = call.state.issues.record(find_issue(call))
    histories = record.get("changelog", [])
    start = call.query_int("startAt", 0)
    size = call.query_int("maxResults", 100, low=1, high=100)
    base = f"{call.state.jira_base}/rest/api/{call.version}/issue/{record['key']}/changelog"
    return JSONResponse(
        render.page_bean(
            histories,
            start,
            size,
            self_url=f"{base}?startAt={start}&maxResults={size}",
            next_base=base,
            render_one=lambda h: render.changelog(call.state, h, call.version),
        )
    )


async def changelog_bulkfetch(call: Call) -> Response:
    cloud_only(call)  # Data Center pages each issue's changelog instead
    body = await call.json_object()
    wanted = body.get("issueIdsOrKeys") or []
    if not isinstance(wanted, list) or not 1 <= len(wanted) <= BULK_MAX_IDS:
        raise JiraError(400, f"issueIdsOrKeys must list between 1 and {BULK_MAX_IDS} issues.")
    field_ids = set(body.get("fieldIds") or [])
    if len(field_ids) > BULK_MAX_FIELDS:
        raise JiraError(400, f"fieldIds may list at most {BULK_MAX_FIELDS} fields.")
    size = body.get("maxResults") or 1000
    if not isinstance(size, int) or not 1 <= size <= 10000:
        raise JiraError(400, "maxResults must be between 1 and 10000.")
    offset = _bulk_offset(body.get("nextPageToken"))
    flat = _flat_histories(call, [str(w) for w in wanted], field_ids)
    page = flat[offset : offset + size]
    grouped: dict[str, list[dict[str, Any]]] = {}
    for issue_id, history in page:
        grouped.setdefault(issue_id, []).append(render.changelog(call.state, history, call.version))
    out: dict[str, Any] = {
        "issueChangeLogs": [{"issueId": i, "changeHistories": h} for i, h in grouped.items()]
    }
    if offset + size < len(flat):
        out["nextPageToken"] = base64.urlsafe_b64encode(json.dumps(offset + size).encode()).decode()
    return JSONResponse(out)


def _bulk_offset(token: Any) -> int:
    if not token:
        return 0
    try:
        value = json.loads(base64.urlsafe_b64decode(str(token)))
        if isinstance(value, int) and value >= 0:
            return value
    except ValueError:
        pass
    raise JiraError(400, "The provided next page token is invalid or expired.")


def _flat_histories(
    call: Call, wanted: list[str], field_ids: set[str]
) -> list[tuple[str, dict[str, Any]]]:
    flat = []
    for id_or_key in wanted:
        pos = call.state.issues.find(id_or_key)
        if pos is None:
            continue  # unknown or invisible issues are skipped, as Jira does
        record = call.state.issues.record(pos)
        for history in record.get("changelog", []):
            if field_ids:
                items = [
                    i for i in history["items"] if i.get("fieldId", i.get("field")) in field_ids
                ]
                if not items:
                    continue
                history = dict(history, items=items)
            flat.append((str(record["id"]), history))
    return flat


async def issue_worklogs(call: Call) -> Response:
    record = call.state.issues.record(find_issue(call))
    table = call.state.worklogs
    after = call.query_int("startedAfter", -(2**62), low=-(2**62))
    before = call.query_int("startedBefore", 2**62, low=-(2**62))
    with call.state.lock:
        stored = [table.record(int(p)) for p in table.for_issue(int(record["id"]))]
    stored = [w for w in stored if after <= to_ms(parse_iso(w["started"])) < before]
    start = call.query_int("startAt", 0)
    size = call.query_int("maxResults", 5000, low=1, high=5000)
    page = stored[start : start + size]
    return JSONResponse(
        {
            "startAt": start,
            "maxResults": size,
            "total": len(stored),
            "worklogs": [render.worklog(call.state, w, call.version) for w in page],
        }
    )


def _since_page(
    call: Call, entries: list[dict[str, Any]], more: bool, since: int, until_cap: int, path: str
) -> Response:
    until = entries[-1]["updatedTime"] if entries else until_cap
    last = not more
    base = f"{call.state.jira_base}/rest/api/{call.version}/worklog/{path}"
    body: dict[str, Any] = {
        "values": entries,
        "since": since,
        "until": until,
        "self": f"{base}?since={since}",
        "lastPage": last,
    }
    if not last:
        body["nextPage"] = f"{base}?since={until + 1}"
    return JSONResponse(body)


def _window(call: Call) -> tuple[int, int]:
    since = call.query_int("since", 0)
    return since, to_ms(call.state.now() - ONE_MINUTE)  # the last minute is excluded


async def worklogs_updated(call: Call) -> Response:
    since, cap = _window(call)
    table = call.state.worklogs
    with call.state.lock:
        cols = table.cols()
        positions, more = table.updated_page(since, cap)
        entries = [
            {
                "worklogId": int(cols["id"][p]),
                "updatedTime": int(cols["updated"][p]),
                "properties": [],
            }
            for p in positions
        ]
    return _since_page(call, entries, more, since, cap, "updated")


async def worklogs_deleted(call: Call) -> Response:
    since, cap = _window(call)
    with call.state.lock:
        entries, more = call.state.deleted_worklogs.page(since, cap)
    return _since_page(call, entries, more, since, cap, "deleted")


async def worklogs_list(call: Call) -> Response:
    body = await call.json_object()
    ids = body.get("ids")
    if not isinstance(ids, list) or not 1 <= len(ids) <= WORKLOG_LIST_MAX:
        raise JiraError(400, f"'ids' must list between 1 and {WORKLOG_LIST_MAX} worklog ids.")
    if not all(isinstance(i, int) or (isinstance(i, str) and i.isdigit()) for i in ids):
        raise JiraError(400, "'ids' must hold worklog ids (integers).")
    table = call.state.worklogs
    with call.state.lock:
        stored = [table.record(p) for p in table.find_many([int(i) for i in ids])]
    out = [render.worklog(call.state, w, call.version) for w in stored]
    return JSONResponse(out)


def register(router: Router) -> None:
    router.add("GET", f"{API}/issue/{{key}}/changelog", issue_changelog)
    router.add("POST", f"{API}/changelog/bulkfetch", changelog_bulkfetch)
    router.add("GET", f"{API}/issue/{{key}}/worklog", issue_worklogs)
    router.add("GET", f"{API}/worklog/updated", worklogs_updated)
    router.add("GET", f"{API}/worklog/deleted", worklogs_deleted)
    router.add("POST", f"{API}/worklog/list", worklogs_list)
