"""Building Jira records (issues, changelogs, worklogs) in the tenant's stored shapes."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sandbox.generator import catalog
from sandbox.generator.people import ref
from sandbox.timefmt import duration_text, jira_ts


@dataclass
class JiraBuilder:
    rng: random.Random
    now: datetime
    issues: list[dict[str, Any]] = field(default_factory=list)
    worklogs: list[dict[str, Any]] = field(default_factory=list)
    deleted_worklogs: list[dict[str, Any]] = field(default_factory=list)
    next_issue_id: int = 10001
    next_worklog_id: int = 100001
    next_history_id: int = 500001
    next_link_id: int = 20001
    numbers: dict[str, int] = field(default_factory=dict)

    def issue(
        self,
        project: dict[str, Any],
        type_name: str,
        summary: str,
        *,
        status: str = "To Do",
        assignee: dict[str, Any] | None = None,
        created: datetime,
        **extra: Any,
    ) -> dict[str, Any]:
        """An issue; ``extra`` sets fields (by canonical name for custom fields)."""
        number = self.numbers.get(project["key"], 0) + 1
        self.numbers[project["key"]] = number
        fields: dict[str, Any] = {
            "summary": summary,
            "description": extra.pop("description", f"{summary}.\nCreated by the generator."),
            "issuetype": catalog.issue_type(type_name),
            "status": catalog.status("To Do"),
            "project": {"id": project["id"], "key": project["key"], "name": project["name"]},
            "priority": {"id": "3", "name": extra.pop("priority", "Medium")},
            "assignee": ref(assignee),
            "reporter": {"accountId": project["lead"]["accountId"]},
            "labels": extra.pop("labels", []),
            "created": jira_ts(created),
            "updated": jira_ts(created),
            "resolutiondate": None,
            "duedate": None,
            "parent": None,
            "fixVersions": [],
            "timeoriginalestimate": None,
            "timeestimate": None,
            "issuelinks": [],
        }
        for name, value in extra.items():
            fields[catalog.FIELD_ID.get(name, name)] = value
        record = {
            "id": str(self.next_issue_id),
            "key": f"{project['key']}-{number}",
            "fields": fields,
            "changelog": [],
            "properties": {},
        }
        self.next_issue_id += 1
        self.issues.append(record)
        if status != "To Do":
            self.move(record, status, created + timedelta(days=1), assignee)
        return record

    def move(
        self, record: dict[str, Any], to: str, when: datetime, who: dict[str, Any] | None
    ) -> None:
        """A status transition, recorded in the changelog (oldest first) and in ``updated``."""
        fields = record["fields"]
        before, after = fields["status"], catalog.status(to)
        if to == "Done" and before["name"] == "To Do":
            self.move(record, "In Progress", when - timedelta(days=2), who)
            before = fields["status"]
        self.history(
            record,
            when,
            who,
            {
                "field": "status",
                "fieldtype": "jira",
                "fieldId": "status",
                "from": before["id"],
                "fromString": before["name"],
                "to": after["id"],
                "toString": after["name"],
            },
        )
        fields["status"] = after
        fields["resolutiondate"] = jira_ts(when) if to == "Done" else None
        if to == "Done":
            fields["resolution"] = {"id": "10000", "name": "Done"}

    def history(
        self,
        record: dict[str, Any],
        when: datetime,
        who: dict[str, Any] | None,
        item: dict[str, Any],
    ) -> None:
        record["changelog"].append(
            {
                "id": str(self.next_history_id),
                "author": ref(who),
                "created": jira_ts(when),
                "items": [item],
            }
        )
        self.next_history_id += 1
        record["fields"]["updated"] = max(record["fields"]["updated"], jira_ts(when))

    def link(self, kind: str, outward: dict[str, Any], inward: dict[str, Any]) -> None:
        """``outward`` <kind> ``inward`` (e.g. A blocks B), stored on both issues."""
        link_type = catalog.link_type(kind)
        link_id = str(self.next_link_id)
        self.next_link_id += 1
        outward["fields"]["issuelinks"].append(
            {"id": link_id, "type": link_type, "outwardIssue": _brief(inward)}
        )
        inward["fields"]["issuelinks"].append(
            {"id": link_id, "type": link_type, "inwardIssue": _brief(outward)}
        )

    def worklog(
        self,
        record: dict[str, Any],
        person: dict[str, Any],
        local_start: datetime,
        hours: float,
        *,
        comment: str = "",
    ) -> dict[str, Any]:
        """A worklog whose ``started`` carries the author's own offset, as Jira stores it."""
        started = local_start.replace(tzinfo=ZoneInfo(person["time_zone"]))
        seconds = int(hours * 3600)
        logged = min(started + timedelta(seconds=seconds, minutes=5), self.now - timedelta(hours=1))
        stored = {
            "id": str(self.next_worklog_id),
            "issueId": record["id"],
            "author": ref(person),
            "updateAuthor": ref(person),
            "comment": comment,
            "created": jira_ts(logged),
            "updated": jira_ts(logged),
            "started": jira_ts(started),
            "timeSpent": duration_text(seconds),
            "timeSpentSeconds": seconds,
        }
        self.next_worklog_id += 1
        self.worklogs.append(stored)
        return stored

    def delete_worklog(self, stored: dict[str, Any], when: datetime) -> None:
        self.worklogs.remove(stored)
        self.deleted_worklogs.append(
            {
                "worklogId": int(stored["id"]),
                "updatedTime": int(when.timestamp() * 1000),
                "properties": [],
            }
        )


def _brief(record: dict[str, Any]) -> dict[str, Any]:
    fields = record["fields"]
    return {
        "id": record["id"],
        "key": record["key"],
        "fields": {
            "summary": fields["summary"],
            "status": fields["status"],
            "issuetype": fields["issuetype"],
            "priority": fields["priority"],
        },
    }
