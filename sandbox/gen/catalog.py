"""Static Jira metadata of a generated tenant: fields, issue types, statuses, link types.

Ids and names follow a Jira Cloud site where the PMO added a few custom fields and issue
types (Risk, UAT, Training, Documentation, Gate Review, Lesson). Connectors resolve custom
fields by *name* (config `jira.fields`), so the ids here are only realistic, not special.
"""

from __future__ import annotations

from typing import Any

SITE = "https://pmo-sandbox.atlassian.net"

# customfield ids by role (names are what config.settings.JiraFieldNames looks up)
STORY_POINTS = "customfield_10016"
START_DATE = "customfield_10015"
SPRINT = "customfield_10020"
RISK_PROBABILITY = "customfield_10030"
RISK_IMPACT = "customfield_10031"
MITIGATION = "customfield_10032"
MITIGATION_DUE = "customfield_10033"
SEVERITY = "customfield_10034"

_SYSTEM_FIELDS: list[tuple[str, str, dict[str, Any]]] = [
    ("summary", "Summary", {"type": "string", "system": "summary"}),
    ("description", "Description", {"type": "string", "system": "description"}),
    ("issuetype", "Issue Type", {"type": "issuetype", "system": "issuetype"}),
    ("project", "Project", {"type": "project", "system": "project"}),
    ("status", "Status", {"type": "status", "system": "status"}),
    ("priority", "Priority", {"type": "priority", "system": "priority"}),
    ("resolution", "Resolution", {"type": "resolution", "system": "resolution"}),
    ("assignee", "Assignee", {"type": "user", "system": "assignee"}),
    ("reporter", "Reporter", {"type": "user", "system": "reporter"}),
    ("labels", "Labels", {"type": "array", "items": "string", "system": "labels"}),
    ("created", "Created", {"type": "datetime", "system": "created"}),
    ("updated", "Updated", {"type": "datetime", "system": "updated"}),
    ("resolutiondate", "Resolved", {"type": "datetime", "system": "resolutiondate"}),
    ("duedate", "Due date", {"type": "date", "system": "duedate"}),
    ("parent", "Parent", {"type": "issuelink", "system": "parent"}),
    ("fixVersions", "Fix versions", {"type": "array", "items": "version", "system": "fixVersions"}),
    (
        "timeoriginalestimate",
        "Original estimate",
        {"type": "number", "system": "timeoriginalestimate"},
    ),
    ("timeestimate", "Remaining Estimate", {"type": "number", "system": "timeestimate"}),
    (
        "issuelinks",
        "Linked Issues",
        {"type": "array", "items": "issuelinks", "system": "issuelinks"},
    ),
]

_CUSTOM_FIELDS: list[tuple[str, str, str, str | None, str]] = [
    # id, name, schema type, items, custom plugin key
    (
        STORY_POINTS,
        "Story Points",
        "number",
        None,
        "com.atlassian.jira.plugin.system.customfieldtypes:float",
    ),
    (
        START_DATE,
        "Start date",
        "date",
        None,
        "com.atlassian.jira.plugin.system.customfieldtypes:datepicker",
    ),
    (SPRINT, "Sprint", "array", "json", "com.pyxis.greenhopper.jira:gh-sprint"),
    (
        RISK_PROBABILITY,
        "Risk Probability",
        "number",
        None,
        "com.atlassian.jira.plugin.system.customfieldtypes:float",
    ),
    (
        RISK_IMPACT,
        "Risk Impact",
        "number",
        None,
        "com.atlassian.jira.plugin.system.customfieldtypes:float",
    ),
    (
        MITIGATION,
        "Mitigation",
        "string",
        None,
        "com.atlassian.jira.plugin.system.customfieldtypes:textarea",
    ),
    (
        MITIGATION_DUE,
        "Mitigation Due",
        "date",
        None,
        "com.atlassian.jira.plugin.system.customfieldtypes:datepicker",
    ),
    (
        SEVERITY,
        "Severity",
        "option",
        None,
        "com.atlassian.jira.plugin.system.customfieldtypes:select",
    ),
]


def fields() -> list[dict[str, Any]]:
    """FieldDetails for every field the generated issues carry."""
    out = []
    for field_id, name, schema in _SYSTEM_FIELDS:
        out.append(
            {
                "id": field_id,
                "key": field_id,
                "name": name,
                "custom": False,
                "orderable": True,
                "navigable": True,
                "searchable": True,
                "clauseNames": [field_id],
                "schema": schema,
            }
        )
    for field_id, name, kind, items, plugin in _CUSTOM_FIELDS:
        number = int(field_id.rsplit("_", 1)[1])
        schema: dict[str, Any] = {"type": kind, "custom": plugin, "customId": number}
        if items:
            schema["items"] = items
        out.append(
            {
                "id": field_id,
                "key": field_id,
                "name": name,
                "custom": True,
                "orderable": True,
                "navigable": True,
                "searchable": True,
                "clauseNames": [f"cf[{number}]", name],
                "schema": schema,
            }
        )
    return out


# name -> (id, hierarchyLevel, subtask)
ISSUE_TYPES: dict[str, tuple[str, int, bool]] = {
    "Epic": ("10000", 1, False),
    "Story": ("10001", 0, False),
    "Task": ("10002", 0, False),
    "Sub-task": ("10003", -1, True),
    "Bug": ("10004", 0, False),
    "Risk": ("10005", 0, False),
    "UAT": ("10006", 0, False),
    "Training": ("10007", 0, False),
    "Documentation": ("10008", 0, False),
    "Gate Review": ("10009", 0, False),
    "Lesson": ("10010", 0, False),
}


def issue_types() -> list[dict[str, Any]]:
    return [
        {
            "self": f"{SITE}/rest/api/2/issuetype/{tid}",
            "id": tid,
            "name": name,
            "description": f"{name} issue type",
            "subtask": subtask,
            "hierarchyLevel": level,
            "iconUrl": f"{SITE}/images/icons/issuetypes/{name.lower().replace(' ', '')}.svg",
        }
        for name, (tid, level, subtask) in ISSUE_TYPES.items()
    ]


def issue_type_ref(name: str) -> dict[str, Any]:
    tid, level, subtask = ISSUE_TYPES[name]
    return {
        "self": f"{SITE}/rest/api/2/issuetype/{tid}",
        "id": tid,
        "name": name,
        "subtask": subtask,
        "hierarchyLevel": level,
    }


_CATEGORIES = {
    "new": {"id": 2, "key": "new", "colorName": "blue-gray", "name": "To Do"},
    "indeterminate": {
        "id": 4,
        "key": "indeterminate",
        "colorName": "yellow",
        "name": "In Progress",
    },
    "done": {"id": 3, "key": "done", "colorName": "green", "name": "Done"},
}

# name -> (id, category key). Risks use ROAM statuses; gate requests Requested -> Decided.
STATUSES: dict[str, tuple[str, str]] = {
    "To Do": ("10000", "new"),
    "In Progress": ("3", "indeterminate"),
    "In Review": ("10001", "indeterminate"),
    "Blocked": ("10002", "indeterminate"),
    "Done": ("10003", "done"),
    "Reopened": ("4", "new"),
    "Requested": ("10004", "new"),
    "Decided": ("10005", "done"),
    "Open": ("10010", "new"),
    "Owned": ("10011", "indeterminate"),
    "Accepted": ("10012", "indeterminate"),
    "Mitigated": ("10013", "done"),
    "Resolved": ("10014", "done"),
}
DONE_STATUSES = frozenset(n for n, (_, cat) in STATUSES.items() if cat == "done")


def status_ref(name: str) -> dict[str, Any]:
    sid, category = STATUSES[name]
    return {
        "self": f"{SITE}/rest/api/2/status/{sid}",
        "id": sid,
        "name": name,
        "description": "",
        "iconUrl": f"{SITE}/images/icons/statuses/generic.png",
        "statusCategory": {
            "self": f"{SITE}/rest/api/2/statuscategory/{_CATEGORIES[category]['id']}",
            **_CATEGORIES[category],
        },
    }


def statuses() -> list[dict[str, Any]]:
    return [status_ref(name) for name in STATUSES]


PRIORITIES = {"Highest": "1", "High": "2", "Medium": "3", "Low": "4"}


def priority_ref(name: str) -> dict[str, Any]:
    return {
        "self": f"{SITE}/rest/api/2/priority/{PRIORITIES[name]}",
        "id": PRIORITIES[name],
        "name": name,
    }


SEVERITIES = {"Critical": "10100", "Major": "10101", "Minor": "10102", "Trivial": "10103"}


def severity_ref(name: str) -> dict[str, Any]:
    return {
        "self": f"{SITE}/rest/api/2/customFieldOption/{SEVERITIES[name]}",
        "value": name,
        "id": SEVERITIES[name],
    }


RESOLUTION_DONE = {
    "self": f"{SITE}/rest/api/2/resolution/10000",
    "id": "10000",
    "name": "Done",
    "description": "Work has been completed on this issue.",
}

BLOCKS = {
    "id": "10000",
    "name": "Blocks",
    "inward": "is blocked by",
    "outward": "blocks",
    "self": f"{SITE}/rest/api/2/issueLinkType/10000",
}
RELATES = {
    "id": "10003",
    "name": "Relates",
    "inward": "relates to",
    "outward": "relates to",
    "self": f"{SITE}/rest/api/2/issueLinkType/10003",
}


def link_types() -> list[dict[str, Any]]:
    return [
        BLOCKS,
        {
            "id": "10001",
            "name": "Cloners",
            "inward": "is cloned by",
            "outward": "clones",
            "self": f"{SITE}/rest/api/2/issueLinkType/10001",
        },
        {
            "id": "10002",
            "name": "Duplicate",
            "inward": "is duplicated by",
            "outward": "duplicates",
            "self": f"{SITE}/rest/api/2/issueLinkType/10002",
        },
        RELATES,
    ]
