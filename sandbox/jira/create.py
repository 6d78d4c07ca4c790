"""Jira creation: issues, issue links and worklogs."""

from __future__ import annotations

from typing import Any

from starlette.responses import JSONResponse, Response

from sandbox.call import Call
from sandbox.errors import JiraError
from sandbox.jira import render
from sandbox.jira.adf import body_text
from sandbox.jira.meta import find_project
from sandbox.jira.search import find_issue
from sandbox.jira.write import touch
from sandbox.router import Router
from sandbox.timefmt import duration_text, jira_ts, parse_duration, parse_iso

API = "rest/api/{ver}"


def _named(items: list[dict[str, Any]], ref: Any) -> dict[str, Any] | None:
    if not isinstance(ref, dict):
        return None
    for item in items:
        if str(item["id"]) == str(ref.get("id")) or item["name"] == ref.get("name"):
            return item
    return None


def _check_fields(call: Call, fields: dict[str, Any]) -> dict[str, str]:
    errors = {}
    if not isinstance(fields.get("summary"), str) or not fields["summary"].strip():
        errors["summary"] = "You must specify a summary of the issue."
    if not isinstance(fields.get("project"), dict):
        errors["project"] = "Specify a valid project ID or key"
    if _named(call.state.doc["jira"].get("issue_types", []), fields.get("issuetype")) is None:
        errors["issuetype"] = "Specify a valid issue type"
    if "description" in fields and fields["description"] is not None:
        try:
            body_text(fields["description"], call.version, "description")
        except ValueError as exc:
            errors["description"] = str(exc)
    return errors


async def create_issue(call: Call) -> Response:
    body = await call.json_object()
    fields = body.get("fields")
    if not isinstance(fields, dict):
        raise JiraError(400, "The request body must hold a 'fields' object.")
    errors = _check_fields(call, fields)
    if errors:
        raise JiraError(400, "", field_errors=errors)
    ref = fields["project"]
    project = find_project(call, str(ref.get("key") or ref.get("id") or ""))
    with call.state.lock:
        record = _new_record(call, project, fields)
        try:
            call.state.issues.append(record)
        except ValueError as exc:
            raise JiraError(400, str(exc)) from None
    call.state.publish("issue", "jira", record["key"], {"fields": record["fields"]})
    return JSONResponse(
        {
            "id": record["id"],
            "key": record["key"],
            "self": f"{call.state.jira_base}/rest/api/{call.version}/issue/{record['id']}",
        },
        status_code=201,
    )


def _new_record(call: Call, project: dict[str, Any], given: dict[str, Any]) -> dict[str, Any]:
    state = call.state
    jira = state.doc["jira"]
    numbers = [
        int(k.rsplit("-", 1)[1]) for k in state.issues.by_key if k.startswith(f"{project['key']}-")
    ]
    key = f"{project['key']}-{max(numbers, default=0) + 1}"
    statuses = jira.get("statuses", [])
    first = next(
        (s for s in statuses if s["statusCategory"]["key"] == "new"),
        statuses[0] if statuses else {},
    )
    now = jira_ts(state.now())
    fields = dict(given)
    fields |= {
        "project": {"id": str(project["id"]), "key": project["key"], "name": project["name"]},
        "issuetype": _named(jira.get("issue_types", []), given["issuetype"]),
        "status": first,
        "created": now,
        "updated": now,
        "reporter": {"accountId": state.bot()["account_id"]},
        "labels": list(given.get("labels") or []),
        "resolutiondate": None,
        "issuelinks": [],
    }
    if given.get("description") is not None:
        fields["description"] = body_text(given["description"], call.version, "description")
    return {
        "id": str(state.new_id()),
        "key": key,
        "fields": fields,
        "changelog": [],
        "properties": {},
    }


async def create_link(call: Call) -> Response:
    body = await call.json_object()
    link_type = _named(call.state.doc["jira"].get("issue_link_types", []), body.get("type"))
    if link_type is None:
        raise JiraError(404, "No issue link type with name or id given was found.")
    inward = find_issue(
        call,
        str((body.get("inwardIssue") or {}).get("key") or body.get("inwardIssue", {}).get("id")),
    )
    outward = find_issue(
        call,
        str((body.get("outwardIssue") or {}).get("key") or body.get("outwardIssue", {}).get("id")),
    )
    records = call.state.issues.records
    if inward >= len(records) or outward >= len(records):
        raise JiraError(
            400, "Links between bulk (scale-tenant) issues are not stored by the sandbox."
        )
    link_id = str(call.state.new_id())
    inward_rec, outward_rec = records[inward], records[outward]
    with call.state.lock:
        inward_rec["fields"].setdefault("issuelinks", []).append(
            {"id": link_id, "type": link_type, "outwardIssue": _link_ref(outward_rec)}
        )
        outward_rec["fields"].setdefault("issuelinks", []).append(
            {"id": link_id, "type": link_type, "inwardIssue": _link_ref(inward_rec)}
        )
        # Jira records the link in both issues' history, which moves their `updated`.
        for linked in (inward_rec, outward_rec):
            linked["fields"]["updated"] = jira_ts(call.state.now())
        call.state.issues.touch()
    call.state.publish(
        "issue_link",
        "jira",
        inward_rec["key"],
        {"type": link_type["name"], "inward": inward_rec["key"], "outward": outward_rec["key"]},
    )
    return Response(status_code=201)


def _link_ref(record: dict[str, Any]) -> dict[str, Any]:
    fields = record["fields"]
    return {
        "id": record["id"],
        "key": record["key"],
        "fields": {
            "summary": fields.get("summary"),
            "status": fields.get("status"),
            "issuetype": fields.get("issuetype"),
        },
    }


async def add_worklog(call: Call) -> Response:
    pos = find_issue(call)
    record = call.state.issues.record(pos)
    body = await call.json_object()
    try:
        started = parse_iso(str(body["started"]))
        seconds = (
            int(body["timeSpentSeconds"])
            if body.get("timeSpentSeconds") is not None
            else parse_duration(str(body["timeSpent"]))
        )
    except (KeyError, ValueError):
        raise JiraError(
            400,
            "",
            field_errors={
                "timeLogged": "started and one of timeSpent or "
                "timeSpentSeconds are required and must be valid."
            },
        ) from None
    if seconds <= 0:
        raise JiraError(400, "", field_errors={"timeLogged": "Time spent must be positive."})
    try:
        comment = body_text(body["comment"], call.version, "comment") if body.get("comment") else ""
    except ValueError as exc:
        raise JiraError(400, "", field_errors={"comment": str(exc)}) from None
    now = jira_ts(call.state.now())
    bot = {"accountId": call.state.bot()["account_id"]}
    stored = {
        "id": str(call.state.new_id()),
        "issueId": str(record["id"]),
        "author": bot,
        "updateAuthor": bot,
        "comment": comment,
        "created": now,
        "updated": now,
        "started": jira_ts(started),
        "timeSpent": duration_text(seconds),
        "timeSpentSeconds": seconds,
    }
    with call.state.lock:
        call.state.worklogs.append(stored)
        touch(call, pos)  # logging work moves the issue's `updated` in Jira
    call.state.publish(
        "worklog",
        "jira",
        record["key"],
        {"timeSpentSeconds": seconds, "started": stored["started"]},
    )
    return JSONResponse(render.worklog(call.state, stored, call.version), status_code=201)


def register(router: Router) -> None:
    router.add("POST", f"{API}/issue", create_issue)
    router.add("POST", f"{API}/issueLink", create_link)
    router.add("POST", f"{API}/issue/{{key}}/worklog", add_worklog)
