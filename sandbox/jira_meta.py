"""Jira metadata: server info, the caller, fields, projects, versions, link types, agile."""

from __future__ import annotations

from typing import Any

from starlette.responses import JSONResponse, Response

from sandbox import jira_render as render
from sandbox.call import Call
from sandbox.errors import JiraError
from sandbox.router import Router

API = "rest/api/{ver}"
SYSTEM_FIELDS = [
    ("summary", "Summary", "string"),
    ("description", "Description", "string"),
    ("issuetype", "Issue Type", "issuetype"),
    ("project", "Project", "project"),
    ("status", "Status", "status"),
    ("priority", "Priority", "priority"),
    ("assignee", "Assignee", "user"),
    ("reporter", "Reporter", "user"),
    ("labels", "Labels", "array"),
    ("created", "Created", "datetime"),
    ("updated", "Updated", "datetime"),
    ("resolutiondate", "Resolved", "datetime"),
    ("duedate", "Due date", "date"),
    ("parent", "Parent", "issuelink"),
    ("fixVersions", "Fix versions", "array"),
    ("timeoriginalestimate", "Original estimate", "number"),
    ("timeestimate", "Remaining Estimate", "number"),
    ("timespent", "Time Spent", "number"),
    ("issuelinks", "Linked Issues", "array"),
    ("comment", "Comment", "comments-page"),
    ("attachment", "Attachment", "array"),
    ("worklog", "Log Work", "array"),
    ("resolution", "Resolution", "resolution"),
]


def field_list(call: Call) -> list[dict[str, Any]]:
    """System fields, then the tenant's (a tenant entry with the same id wins)."""
    declared = {f["id"]: f for f in call.state.doc["jira"].get("fields", [])}
    out = []
    for field_id, name, kind in SYSTEM_FIELDS:
        if field_id in declared:
            continue
        out.append(
            {
                "id": field_id,
                "key": field_id,
                "name": name,
                "custom": False,
                "orderable": True,
                "navigable": field_id not in render.NAVIGABLE_EXCLUDED,
                "searchable": True,
                "clauseNames": [field_id],
                "schema": {"type": kind, "system": field_id},
            }
        )
    return out + list(declared.values())


async def server_info(call: Call) -> Response:
    now = call.state.now()
    return JSONResponse(
        {
            "baseUrl": call.state.jira_base,
            "displayUrl": call.state.jira_base,
            "version": "1001.0.0-SNAPSHOT",
            "versionNumbers": [1001, 0, 0],
            "deploymentType": (
                "Server" if call.state.doc["jira"].get("deployment") == "datacenter" else "Cloud"
            ),
            "buildNumber": 100296,
            "buildDate": "2026-11-01T00:00:00.000+0000",
            "serverTime": render_ts(now),
            "scmInfo": "sandbox",
            "serverTitle": "PMO Sandbox Jira",
            "serverTimeZone": call.state.doc["time_zone"],
        }
    )


def render_ts(moment: Any) -> str:
    from sandbox.timefmt import jira_ts

    return jira_ts(moment)


async def myself(call: Call) -> Response:
    me = render.bot_user(call.state)
    me |= {
        "locale": "en_US",
        "groups": {"size": 1, "items": []},
        "applicationRoles": {"size": 1, "items": []},
    }
    return JSONResponse(me)


async def session(call: Call) -> Response:
    bot = call.state.bot()
    return JSONResponse(
        {
            "self": f"{call.state.jira_base}/rest/api/2/user",
            "name": bot["email"],
            "loginInfo": {"failedLoginCount": 0, "loginCount": 1},
        }
    )


async def fields(call: Call) -> Response:
    return JSONResponse(field_list(call))


def _listed_project(call: Call, stored: dict[str, Any]) -> dict[str, Any]:
    """A project in a listing: like Jira, the lead and description only when expanded."""
    expand = {part.strip() for part in (call.query("expand") or "").split(",")}
    out = render.project(call.state, stored, call.version)
    if "lead" in expand:
        out["lead"] = render.user(call.state, stored.get("lead"))
    if "description" in expand:
        out["description"] = stored.get("description", "")
    return out


async def projects(call: Call) -> Response:
    return JSONResponse([_listed_project(call, p) for p in call.state.doc["jira"]["projects"]])


async def project_search(call: Call) -> Response:
    every = call.state.doc["jira"]["projects"]
    start = call.query_int("startAt", 0)
    size = call.query_int("maxResults", 50, low=1, high=100)
    if call.state.doc["jira"].get("deployment") == "datacenter":
        raise JiraError(404, "null for uri")  # Data Center lists projects with GET project
    return JSONResponse(
        render.page_bean(
            every,
            start,
            size,
            self_url=str(call.request.url),
            next_base=f"{call.state.jira_base}/rest/api/{call.version}/project/search",
            render_one=lambda p: _listed_project(call, p),
        )
    )


def find_project(call: Call, id_or_key: str) -> dict[str, Any]:
    for stored in call.state.doc["jira"]["projects"]:
        if id_or_key in (str(stored["id"]), stored["key"]) or id_or_key.upper() == stored["key"]:
            return stored
    raise call.error(404, f"No project could be found with key '{id_or_key}'.")


async def project_get(call: Call) -> Response:
    stored = find_project(call, call.params["key"])
    return JSONResponse(render.project(call.state, stored, call.version, detail=True))


async def project_versions(call: Call) -> Response:
    stored = find_project(call, call.params["key"])
    found = render.versions_of(call.state, str(stored["id"]))
    return JSONResponse([render.version_bean(call.state, v, call.version) for v in found])


async def project_property(call: Call) -> Response:
    """A project entity property (the charter lives in one); 404 when the project has none."""
    stored = find_project(call, call.params["key"])
    name = call.params["prop"]
    properties = stored.get("properties") or {}
    if name not in properties:
        raise call.error(404, f"The property '{name}' does not exist.")
    return JSONResponse({"key": name, "value": properties[name]})


async def issue_types(call: Call) -> Response:
    types = call.state.doc["jira"].get("issue_types", [])
    return JSONResponse([render.issue_type(call.state, t, call.version) for t in types])


async def link_types(call: Call) -> Response:
    base = call.state.jira_base
    types = [
        dict(t, id=str(t["id"]), self=f"{base}/rest/api/{call.version}/issueLinkType/{t['id']}")
        for t in call.state.doc["jira"].get("issue_link_types", [])
    ]
    return JSONResponse({"issueLinkTypes": types})


async def statuses(call: Call) -> Response:
    """`GET status`: every status of the site with its category, unpaginated (Cloud and
    Data Center alike); `self` URLs point at this server and the requested API version."""
    base = f"{call.state.jira_base}/rest/api/{call.version}"
    out = []
    for status in call.state.doc["jira"].get("statuses", []):
        category = dict(status.get("statusCategory") or {})
        if category.get("id") is not None:
            category["self"] = f"{base}/statuscategory/{category['id']}"
        out.append(dict(status, self=f"{base}/status/{status['id']}", statusCategory=category))
    return JSONResponse(out)


async def boards(call: Call) -> Response:
    every = call.state.doc["jira"].get("boards", [])
    key = call.query("projectKeyOrId")
    if key:
        every = [
            b
            for b in every
            if key in (b["location"]["projectKey"], str(b["location"]["projectId"]))
        ]
    base = f"{call.state.jira_base}/rest/agile/1.0/board"
    return _offset_page(call, [dict(b, self=f"{base}/{b['id']}") for b in every], default=50)


async def sprints(call: Call) -> Response:
    board_id = call.params["board"]
    if not any(str(b["id"]) == board_id for b in call.state.doc["jira"].get("boards", [])):
        raise call.error(
            404, f"Board {board_id} does not exist or you do not have permission to see it."
        )
    states = set(call.query_list("state"))
    every = [
        s
        for s in call.state.doc["jira"].get("sprints", [])
        if str(s["originBoardId"]) == board_id and (not states or s["state"] in states)
    ]
    base = f"{call.state.jira_base}/rest/agile/1.0/sprint"
    return _offset_page(call, [dict(s, self=f"{base}/{s['id']}") for s in every], default=50)


def _offset_page(call: Call, every: list[dict[str, Any]], *, default: int) -> Response:
    """Agile offset paging; the last page is short (or empty), which is what clients stop on."""
    start = call.query_int("startAt", 0)
    size = call.query_int("maxResults", default, low=1, high=50)
    page = every[start : start + size]
    return JSONResponse(
        {
            "maxResults": size,
            "startAt": start,
            "total": len(every),
            "isLast": start + len(page) >= len(every),
            "values": page,
        }
    )


def register(router: Router) -> None:
    for ver_path, handler in (
        ("serverInfo", server_info),
        ("myself", myself),
        ("field", fields),
        ("project", projects),
        ("project/search", project_search),
        ("project/{key}", project_get),
        ("project/{key}/versions", project_versions),
        ("project/{key}/properties/{prop}", project_property),
        ("issuetype", issue_types),
        ("issueLinkType", link_types),
        ("status", statuses),
    ):
        router.add("GET", f"{API}/{ver_path}", handler)
    router.add("GET", "rest/auth/1/session", session)
    router.add("GET", "rest/agile/1.0/board", boards)
    router.add("GET", "rest/agile/1.0/board/{board}/sprint", sprints)
