"""After a project's issue pages: what vanished and what the cursor missed.

A full read knows every id it saw. That is the census when the read was steady and saw
every issue the warehouse holds; otherwise (an issue deleted, or one pushed past a page
boundary by an edit during the read) the ids are asked from Jira before anything is
tombstoned, and what the read didn't see but Jira has is read by id. An incremental run compares Jira's (approximate) issue
count with what the warehouse holds, live plus quarantined: equal means nothing vanished
and nothing was missed, so the ids-only census (ceil(N/5000) requests) is skipped. The
count is asked once for all incremental projects of the run (`project in (...)`); only
when that total disagrees is each project counted, and censused where its own count
disagrees. A metadata-refresh run counts each project, so a surplus in one project that
hides a gap in another (deleted here, newly visible there) lasts at most one interval.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from connectors.jira import pages
from connectors.jira.http import set_label
from connectors.jira.jql import census_jql, projects_count_jql
from connectors.jira.store_ops import tombstone_issues

if TYPE_CHECKING:
    from connectors.jira.sync import JiraSync

SOURCE = "jira"


def check_counts(sync: JiraSync) -> None:
    """One count for all pending projects; each project on its own when the total differs
    (or on a refresh run)."""
    keys = list(sync.pending_counts)
    if len(keys) > 1 and not sync.refreshing:
        set_label("*")
        held = sum(len(_held(sync, k)) for k in keys)
        total = sync.reader.issue_count(projects_count_jql(keys), context="projects count")
        if total == held:
            sync.pending_counts.clear()
            return
    for key in keys:
        set_label(key)
        _count_or_census(sync, key)
        sync.pending_counts.remove(key)


def _held(sync: JiraSync, key: str) -> set[str]:
    """Issue ids of a project in the warehouse: live rows plus open quarantine entries."""
    project_id = f"jira:{sync.projects[key]['id']}"
    live = sync.warehouse.live_ids("tasks", source=SOURCE, project_id=project_id)
    return live | pages.quarantined_ids(sync.warehouse, project=key)


def _count_or_census(sync: JiraSync, key: str) -> None:
    held = _held(sync, key)
    if sync.reader.issue_count(census_jql(key), context=f"project {key} count") == len(held):
        return
    present = set(sync.reader.issue_ids(census_jql(key), context=f"project {key} id census"))
    missing = sorted({f"jira:{i}" for i in present} - held)
    pages.fetch_missing(sync, key, [m.split(":", 1)[1] for m in missing])
    tombstone_vanished(sync, key, present)


def settle_full_read(sync: JiraSync, key: str) -> None:
    """After a full read of a project: tombstone what vanished, never what was only unseen."""
    read = sync.reads.get(key)
    seen = set(read.page_of) if read else set()
    unseen = {held.split(":", 1)[1] for held in _held(sync, key)} - seen
    if not unseen and (read is None or read.steady):
        return  # the read saw everything the warehouse holds: nothing vanished
    present = set(sync.reader.issue_ids(census_jql(key), context=f"project {key} id census"))
    pages.fetch_missing(sync, key, sorted(present - seen, key=int))
    tombstone_vanished(sync, key, present)


def tombstone_vanished(sync: JiraSync, key: str, present: set[str]) -> None:
    project_id = f"jira:{sync.projects[key]['id']}"
    live = sync.warehouse.live_ids("tasks", source=SOURCE, project_id=project_id)
    vanished = sorted(live - {f"jira:{i}" for i in present})
    with sync.warehouse.transaction() as txn:
        for table, count in tombstone_issues(txn, vanished).items():
            sync.summary(key).stream(table).add(deleted=count)
