"""Jira metadata: server info, the caller, fields, projects, versions, link types, agile."""

from __future__ import annotations

from typing import Any

from starlette.responses import JSONResponse, Response

from sandbox.call import Call
from sandbox.errors import JiraError
from sandbox.jira import render
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


_VERSION_ORDER = {
    "name": lambda v: str(v.get("name", "")).lower(),
    "description": lambda v: str(v.get("description") or "").lower(),
    "sequence": lambda v: 0,  # the stored order is the sequence: a stable sort keeps it
    "releaseDate": lambda v: (v.get("releaseDate") is None, v.get("releaseDate") or ""),
    "startDate": lambda v: (v.get("startDate") is None, v.get("startDate") or ""),
}


async def project_versions_page(call: Call) -> Response:
    """`project/{id}/version`: the versions as a `PageBean`, filtered and ordered as asked."""
    stored = find_project(call, call.params["key"])
    found = render.versions_of(call.state, str(stored["id"]))
    wanted = set(call.query_list("status"))
    if wanted - {"released", "unreleased", "archived"}:
        raise JiraError(400, "Invalid status value. Allowed: released, unreleased, archived.")
    if wanted:
        found = [v for v in found if _version_status(v) in wanted]
    text = (call.query("query") or "").lower()
    if text:
        found = [
            v for v in found if text in f"{v.get('name', '')}\n{v.get('description') or ''}".lower()
        ]
    order = call.query("orderBy") or ""
    if order:
        name = order.lstrip("+-")
        if name not in _VERSION_ORDER:
            raise JiraError(400, f"Invalid orderBy value: {order}.")
        found = sorted(found, key=_VERSION_ORDER[name])
        if order.startswith("-"):
            found.reverse()
    start = call.query_int("startAt", 0)
    size = call.query_int("maxResults", 50, low=1, high=50)
    return JSONResponse(
        render.page_bean(
            found,
            start,
            size,
            self_url=str(call.request.url),
            next_base=f"{call.state.jira_base}/rest/api/{call.version}/project/{call.params['key']}/version",
            render_one=lambda v: render.version_bean(call.state, v, call.version),
        )
    )


def _version_status(version: dict[str, Any]) -> str:
    if version.get("archived"):
        return "archived"
    return "released" if version.get("released") else "unreleased"


def _users(call: Call) -> list[dict[str, Any]]:
    """Every account, people and the API's own, in a stable order (Jira: by account)."""
    people = sorted(call.state.people.values(), key=lambda p: p["account_id"])
    return [render.user(call.state, {"accountId": p["account_id"]}) or {} for p in people]


async def users_search(call: Call) -> Response:
    """`users/search`: all users, paged by offset, as a plain list (no page bean)."""
    start = call.query_int("startAt", 0)
    size = call.query_int("maxResults", 50, low=1, high=1000)
    return JSONResponse(_users(call)[start : start + size])


async def user_search(call: Call) -> Response:
    """`user/search?query=`: users whose display name or e-mail starts a word with it."""
    text = (call.query("query") or call.query("username") or "").strip().lower()
    account = call.query("accountId")
    if not text and not account:
        raise JiraError(400, "One of 'accountId', 'query' or 'property' must be provided.")
    start = call.query_int("startAt", 0)
    size = call.query_int("maxResults", 50, low=1, high=1000)
    found = [u for u in _users(call) if _user_matches(u, text, account)]
    return JSONResponse(found[start : start + size])


def _user_matches(user: dict[str, Any], text: str, account: str | None) -> bool:
    if account:
        return user.get("accountId") == account
    words = f"{user.get('displayName', '')} {user.get('emailAddress', '')}".lower()
    return any(w.startswith(text) for w in [words, *words.replace("@", " ").split()])


def groups(call: Call) -> list[dict[str, Any]]:
    """The tenant's Jira groups (`jira.groups`: name, groupId, members), else a site's
    defaults: everyone in `jira-software-users`, the API's account in `jira-administrators`."""
    declared = call.state.doc["jira"].get("groups")
    if declared is not None:
        return declared
    bot = call.state.bot()["account_id"]
    return [
        {
            "name": "jira-software-users",
            "groupId": "5b0e8a7e-5d3c-4b8f-9a51-6f2e3c1d0a01",
            "members": sorted(call.state.people),
        },
        {
            "name": "jira-administrators",
            "groupId": "5b0e8a7e-5d3c-4b8f-9a51-6f2e3c1d0a02",
            "members": [bot],
        },
    ]


async def group_members(call: Call) -> Response:
    """`group/member`: a group's users as a `PageBean` (by `groupname` or `groupId`)."""
    name, group_id = call.query("groupname"), call.query("groupId")
    if bool(name) == bool(group_id):
        raise JiraError(400, "You must specify either groupname or groupId, but not both.")
    group = next(
        (g for g in groups(call) if (name and g["name"] == name) or g.get("groupId") == group_id),
        None,
    )
    if group is None:
        raise JiraError(404, f"Group with name '{name or group_id}' does not exist.")
    members = [render.user(call.state, {"accountId": a}) or {} for a in sorted(group["members"])]
    if (call.query("includeInactiveUsers") or "false").lower() != "true":
        members = [m for m in members if m.get("active", True)]
    start = call.query_int("startAt", 0)
    size = call.query_int("maxResults", 50, low=1, high=50)
    which = f"groupId={group['groupId']}" if group_id else f"groupname={group['name']}"
    body = render.page_bean(
        members,
        start,
        size,
        self_url=str(call.request.url),
        next_base=f"{call.state.jira_base}/rest/api/{call.version}/group/member",
        render_one=lambda m: m,
    )
    if "nextPage" in body:  # the group travels with the next page's address
        body["nextPage"] = body["nextPage"].replace("?", f"?{which}&", 1)
    return JSONResponse(body)


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
        ("project/{key}/version", project_versions_page),
        ("users/search", users_search),
        ("user/search", user_search),
        ("group/member", group_members),
        ("project/{key}/properties/{prop}", project_property),
        ("issuetype", issue_types),
        ("issueLinkType", link_types),
        ("status", statuses),
    ):
        router.add("GET", f"{API}/{ver_path}", handler)
    router.add("GET", "rest/auth/1/session", session)
    router.add("GET", "rest/agile/1.0/board", boards)
    router.add("GET", "rest/agile/1.0/board/{board}/sprint", sprints)
