"""Static Jira metadata every generated tenant shares: fields, types, statuses, link types."""

from __future__ import annotations

from typing import Any

CUSTOM_FIELDS = {
    "story_points": (
        "customfield_10016",
        "Story Points",
        "number",
        "com.atlassian.jira.plugin.system.customfieldtypes:float",
    ),
    "start_date": (
        "customfield_10015",
        "Start date",
        "date",
        "com.atlassian.jira.plugin.system.customfieldtypes:datepicker",
    ),
    "sprint": ("customfield_10020", "Sprint", "array", "com.pyxis.greenhopper.jira:gh-sprint"),
    "risk_probability": (
        "customfield_10101",
        "Risk Probability",
        "number",
        "com.atlassian.jira.plugin.system.customfieldtypes:float",
    ),
    "risk_impact": (
        "customfield_10102",
        "Risk Impact",
        "number",
        "com.atlassian.jira.plugin.system.customfieldtypes:float",
    ),
    "mitigation": (
        "customfield_10103",
        "Mitigation",
        "string",
        "com.atlassian.jira.plugin.system.customfieldtypes:textarea",
    ),
    "mitigation_due": (
        "customfield_10104",
        "Mitigation Due",
        "date",
        "com.atlassian.jira.plugin.system.customfieldtypes:datepicker",
    ),
    "severity": (
        "customfield_10105",
        "Severity",
        "option",
        "com.atlassian.jira.plugin.system.customfieldtypes:select",
    ),
}
FIELD_ID = {name: spec[0] for name, spec in CUSTOM_FIELDS.items()}

ISSUE_TYPES = [
    ("10000", "Epic", 1),
    ("10001", "Story", 0),
    ("10002", "Task", 0),
    ("10003", "Sub-task", -1),
    ("10004", "Bug", 0),
    ("10005", "Risk", 0),
    ("10006", "UAT", 0),
    ("10007", "Training", 0),
    ("10008", "Documentation", 0),
    ("10009", "Milestone", 0),
    ("10010", "Lesson", 0),
    ("10011", "Gate Review", 0),
]
STATUSES = [
    ("1", "To Do", "new", "To Do", 2, "blue-gray"),
    ("3", "In Progress", "indeterminate", "In Progress", 4, "yellow"),
    ("10100", "Blocked", "indeterminate", "In Progress", 4, "yellow"),
    ("10101", "In Review", "indeterminate", "In Progress", 4, "yellow"),
    ("10002", "Done", "done", "Done", 3, "green"),
]
LINK_TYPES = [
    {"id": "10000", "name": "Blocks", "inward": "is blocked by", "outward": "blocks"},
    {"id": "10002", "name": "Duplicate", "inward": "is duplicated by", "outward": "duplicates"},
    {"id": "10003", "name": "Relates", "inward": "relates to", "outward": "relates to"},
]


def fields() -> list[dict[str, Any]]:
    out = []
    for field_id, name, kind, custom in CUSTOM_FIELDS.values():
        schema: dict[str, Any] = {
            "type": kind,
            "custom": custom,
            "customId": int(field_id.split("_")[1]),
        }
        if kind == "array":
            schema["items"] = "json"
        out.append(
            {
                "id": field_id,
                "key": field_id,
                "name": name,
                "custom": True,
                "orderable": True,
                "navigable": True,
                "searchable": True,
                "clauseNames": [f"cf[{schema['customId']}]", name],
                "schema": schema,
            }
        )
    return out


def issue_types() -> list[dict[str, Any]]:
    return [
        {
            "id": i,
            "name": n,
            "description": f"{n} issue type",
            "subtask": level < 0,
            "hierarchyLevel": level,
        }
        for i, n, level in ISSUE_TYPES
    ]


def issue_type(name: str) -> dict[str, Any]:
    for i, n, level in ISSUE_TYPES:
        if n == name:
            return {"id": i, "name": n, "subtask": level < 0, "hierarchyLevel": level}
    raise KeyError(name)


def statuses() -> list[dict[str, Any]]:
    return [status(name) for _, name, *_ in STATUSES]


def status(name: str) -> dict[str, Any]:
    for sid, n, cat_key, cat_name, cat_id, color in STATUSES:
        if n == name:
            return {
                "id": sid,
                "name": n,
                "description": "",
                "statusCategory": {
                    "id": cat_id,
                    "key": cat_key,
                    "name": cat_name,
                    "colorName": color,
                },
            }
    raise KeyError(name)


def link_type(name: str) -> dict[str, Any]:
    return next(dict(t) for t in LINK_TYPES if t["name"] == name)
