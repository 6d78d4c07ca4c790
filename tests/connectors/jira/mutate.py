"""Changes to a running sandbox's tenant, as a Jira user would make them (tests only).

Where the API has a write (worklogs, links) the tests use it; edits and deletions that the
sandbox has no route for are made on its state, under its lock, the way Jira would apply them.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sandbox.jira.issues_table import IssueTable
from sandbox.state import SandboxState
from sandbox.timefmt import jira_ts, to_ms


def _now(state: SandboxState) -> str:
    return jira_ts(state.now())


def edit_issue(state: SandboxState, key: str, **fields: Any) -> None:
    with state.lock:
        record = state.issues.record(state.issues.find(key))  # type: ignore[arg-type]
        record["fields"].update(fields)
        record["fields"]["updated"] = _now(state)
        state.issues.touch()


def delete_issue(state: SandboxState, key: str) -> str:
    """Jira deletes an issue with its worklogs; nothing lists the deletion."""
    with state.lock:
        record = state.issues.record(state.issues.find(key))  # type: ignore[arg-type]
        issues = state.doc["jira"]["issues"]
        issues[:] = [i for i in issues if i["id"] != record["id"]]
        state.issues = IssueTable(state.doc)
        table = state.worklogs
        table.records[:] = [w for w in table.records if str(w["issueId"]) != str(record["id"])]
        table._cols = None
        return str(record["id"])


def edit_worklog(state: SandboxState, worklog_id: str, seconds: int) -> None:
    with state.lock:
        table = state.worklogs
        pos = table.find(int(worklog_id))
        assert pos is not None, worklog_id
        record = dict(
            table.record(pos),
            timeSpentSeconds=seconds,
            timeSpent=f"{seconds // 60}m",
            updated=_now(state),
        )
        table.replace(pos, record)


def delete_worklog(state: SandboxState, worklog_id: str) -> None:
    with state.lock:
        table = state.worklogs
        table.records[:] = [w for w in table.records if str(w["id"]) != str(worklog_id)]
        table._cols = None
        state.deleted_worklogs.add(int(worklog_id), to_ms(state.now()))


def advance_clock(state: SandboxState, minutes: float) -> None:
    """Move the tenant's clock on (e.g. past `worklog/updated`'s one-minute blind spot)."""
    with state.lock:
        state.tenant_now += timedelta(minutes=minutes)


def rename_field(state: SandboxState, old: str, new: str) -> None:
    with state.lock:
        for item in state.doc["jira"]["fields"]:
            if item["name"] == old:
                item["name"] = new
