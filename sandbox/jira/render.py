"""Jira records as the API shows them: users expanded, v3 text as ADF, fields selected."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sandbox.jira.adf import render_text
from sandbox.state import SandboxState

TEXT_FIELDS = ("description", "environment")
NAVIGABLE_EXCLUDED = {"comment", "attachment", "worklog"}
CHANGELOG_EMBED_LIMIT = 20


def user(state: SandboxState, ref: dict[str, Any] | None) -> dict[str, Any] | None:
    """UserDetails for a stored ``{"accountId": ...}`` reference."""
    if not ref:
        return None
    person = state.person(ref.get("accountId"))
    account_id = ref.get("accountId", "unknown")
    out = {
        "self": f"{state.jira_base}/rest/api/2/user?accountId={account_id}",
        "accountId": account_id,
        "accountType": "atlassian",
        "active": True,
        "displayName": ref.get("displayName") or (person or {}).get("display_name", account_id),
    }
    if person:
        # A person whose e-mail is hidden (``email: null``) gets no `emailAddress` at all,
        # as Jira Cloud answers for accounts whose profile visibility hides it.
        if person.get("email"):
            out["emailAddress"] = person["email"]
        if person.get("time_zone"):
            out["timeZone"] = person["time_zone"]
    return out


def bot_user(state: SandboxState) -> dict[str, Any]:
    bot = state.bot()
    return {
        "self": f"{state.jira_base}/rest/api/2/user?accountId={bot['account_id']}",
        "accountId": bot["account_id"],
        "accountType": "atlassian",
        "active": True,
        "displayName": bot["display_name"],
        "emailAddress": bot["email"],
        "timeZone": bot["time_zone"],
    }


def issue(
    state: SandboxState,
    pos: int,
    *,
    version: str,
    fields: list[str] | None,
    expand: set[str],
    field_ids: list[str],
) -> dict[str, Any]:
    """An IssueBean. ``fields=None`` means ids only (the enhanced search's default)."""
    if fields is None:
        return {"id": state.issues.issue_id(pos)}
    record = state.issues.record(pos)
    out: dict[str, Any] = {"id": str(record["id"])}
    out |= {
        "expand": "renderedFields,names,schema,operations,editmeta,changelog,versionedRepresentations",
        "key": record["key"],
        "self": f"{state.jira_base}/rest/api/{version}/issue/{record['id']}",
    }
    out["fields"] = _fields(state, record, version, lambda k: _wanted(k, fields, field_ids))
    if "changelog" in expand:
        histories = [changelog(state, h, version) for h in record.get("changelog", [])]
        shown = histories[:CHANGELOG_EMBED_LIMIT]
        out["changelog"] = {
            "startAt": 0,
            "maxResults": len(shown),
            "total": len(histories),
            "histories": shown,
        }
    if "transitions" in expand:
        out["transitions"] = transitions(state, record, version)
    if "names" in expand:
        out["names"] = {f["id"]: f["name"] for f in state.doc["jira"].get("fields", [])}
    if record.get("properties") or state.bulk_properties.get(str(record["id"])):
        out["properties"] = {}
    return out


def _wanted(field: str, fields: list[str], field_ids: list[str]) -> bool:
    if f"-{field}" in fields:
        return False
    if "*all" in fields or field in fields:
        return True
    return "*navigable" in fields and field not in NAVIGABLE_EXCLUDED and field in field_ids


def _fields(
    state: SandboxState, record: dict[str, Any], version: str, wanted: Callable[[str], bool]
) -> dict[str, Any]:
    """The wanted fields, rendered. Stored values are shared, not copied: responses are only
    serialised, and every value that rendering changes is replaced by a new object."""
    stored = record["fields"]
    fields = {k: v for k, v in stored.items() if wanted(k)}
    for key in ("assignee", "reporter", "creator"):
        if key in fields:
            fields[key] = user(state, fields[key])
    for key in TEXT_FIELDS:
        if key in fields:
            fields[key] = render_text(fields[key], version)
    issue_id = str(record["id"])
    if wanted("comment"):
        comments = [comment(state, c, version) for c in state.comments.get(issue_id, [])]
        fields["comment"] = {
            "comments": comments,
            "maxResults": len(comments),
            "total": len(comments),
            "startAt": 0,
            "self": f"{state.jira_base}/rest/api/{version}/issue/{issue_id}/comment",
        }
    if wanted("attachment"):
        fields["attachment"] = list(state.attachments.get(issue_id, []))
    if wanted("issuelinks"):
        fields.setdefault("issuelinks", [])
    return fields


def comment(state: SandboxState, stored: dict[str, Any], version: str) -> dict[str, Any]:
    out = dict(stored)
    out["author"] = user(state, stored["author"])
    out["updateAuthor"] = user(state, stored.get("updateAuthor", stored["author"]))
    out["body"] = render_text(stored["body"], version)
    out["self"] = (
        f"{state.jira_base}/rest/api/{version}/issue/{stored['issueId']}/comment/{stored['id']}"
    )
    out.pop("issueId", None)
    out.pop("properties", None)  # entity properties only with expand=properties
    return out


def changelog(state: SandboxState, stored: dict[str, Any], version: str) -> dict[str, Any]:
    out = dict(stored)
    out["id"] = str(stored["id"])
    if stored.get("author"):
        out["author"] = user(state, stored["author"])
    return out


def worklog(state: SandboxState, stored: dict[str, Any], version: str) -> dict[str, Any]:
    out = dict(stored)
    out["id"], out["issueId"] = str(stored["id"]), str(stored["issueId"])
    out["self"] = f"{state.jira_base}/rest/api/{version}/issue/{out['issueId']}/worklog/{out['id']}"
    out["author"] = user(state, stored.get("author"))
    out["updateAuthor"] = user(state, stored.get("updateAuthor") or stored.get("author"))
    if stored.get("comment"):
        out["comment"] = render_text(stored["comment"], version)
    else:
        out.pop("comment", None)  # Jira omits an empty worklog comment
    out["timeSpentSeconds"] = int(stored["timeSpentSeconds"])
    return {k: v for k, v in out.items() if v is not None}


def project(
    state: SandboxState, stored: dict[str, Any], version: str, *, detail: bool = False
) -> dict[str, Any]:
    base = state.jira_base
    out = {
        "self": f"{base}/rest/api/{version}/project/{stored['id']}",
        "id": str(stored["id"]),
        "key": stored["key"],
        "name": stored["name"],
        "projectTypeKey": stored.get("projectTypeKey", "software"),
        "simplified": False,
        "style": "classic",
        "isPrivate": False,
        "avatarUrls": {
            s: f"{base}/avatar/{stored['id']}?size={s}"
            for s in ("16x16", "24x24", "32x32", "48x48")
        },
    }
    if detail:
        out["lead"] = user(state, stored.get("lead"))
        out["description"] = stored.get("description", "")
        out["issueTypes"] = [
            issue_type(state, t, version) for t in state.doc["jira"].get("issue_types", [])
        ]
        out["versions"] = [
            version_bean(state, v, version) for v in versions_of(state, str(stored["id"]))
        ]
        out["components"] = []
    return out


def issue_type(state: SandboxState, stored: dict[str, Any], version: str) -> dict[str, Any]:
    return {
        "self": f"{state.jira_base}/rest/api/{version}/issuetype/{stored['id']}",
        "id": str(stored["id"]),
        "name": stored["name"],
        "description": stored.get("description", ""),
        "subtask": bool(stored.get("subtask")),
        "hierarchyLevel": int(stored.get("hierarchyLevel", 0)),
    }


def transitions(state: SandboxState, record: dict[str, Any], version: str) -> list[dict[str, Any]]:
    """The transitions Jira offers on an issue: a simplified workflow, where every status
    can be reached from any other by a global transition named after it (ids 11, 21, …)."""
    current = str((record["fields"].get("status") or {}).get("id"))
    out = []
    for number, status in enumerate(state.doc["jira"].get("statuses", []), start=1):
        if str(status["id"]) == current:
            continue
        to = dict(status, self=f"{state.jira_base}/rest/api/{version}/status/{status['id']}")
        out.append(
            {
                "id": str(10 * number + 1),
                "name": status["name"],
                "to": to,
                "hasScreen": False,
                "isGlobal": True,
                "isInitial": False,
                "isAvailable": True,
                "isConditional": False,
                "looped": False,
            }
        )
    return out


def versions_of(state: SandboxState, project_id: str) -> list[dict[str, Any]]:
    return [v for v in state.doc["jira"].get("versions", []) if str(v["projectId"]) == project_id]


def version_bean(state: SandboxState, stored: dict[str, Any], version: str) -> dict[str, Any]:
    out = dict(stored)
    out["id"] = str(stored["id"])
    out["projectId"] = int(stored["projectId"])
    out["self"] = f"{state.jira_base}/rest/api/{version}/version/{stored['id']}"
    return out


def page_bean(
    every: list[Any],
    start: int,
    size: int,
    *,
    self_url: str,
    next_base: str,
    render_one: Callable[[Any], dict[str, Any]],
) -> dict[str, Any]:
    """Jira's offset `PageBean` over `every`: total, isLast, and `nextPage` (on `next_base`,
    the collection's address) while more follow."""
    body: dict[str, Any] = {
        "self": self_url,
        "maxResults": size,
        "startAt": start,
        "total": len(every),
        "isLast": start + size >= len(every),
        "values": [render_one(item) for item in every[start : start + size]],
    }
    if not body["isLast"]:
        body["nextPage"] = f"{next_base}?startAt={start + size}&maxResults={size}"
    return body
