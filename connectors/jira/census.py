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

from collections.abc import Sequence

from connectors.jira import pages
from connectors.jira.jql import census_jql, projects_count_jql
from connectors.jira.run_context import ProjectRead, RunContext
from connectors.store.jira_queries import quarantined_ids
from connectors.store.plan import TombstoneIssues

SOURCE = "jira"


def counts_agree(run: RunContext, keys: Sequence[str]) -> bool:
    """One count for all the given projects: equal to what the warehouse holds means none of
    them needs a census."""
    held = sum(len(_held(run, k)) for k in keys)
    return run.reader.issue_count(projects_count_jql(keys), context="projects count") == held


def _held(run: RunContext, key: str) -> set[str]:
    """Issue ids of a project in the warehouse: live rows plus open quarantine entries."""
    live = run.warehouse.live_ids("tasks", source=SOURCE, project_id=run.project_id(key))
    return live | quarantined_ids(run.warehouse, project=key)


def count_or_census(run: RunContext, key: str) -> None:
    """One project's count; on a difference, its id census."""
    held = _held(run, key)
    if run.reader.issue_count(census_jql(key), context=f"project {key} count") == len(held):
        return
    present = set(run.reader.issue_ids(census_jql(key), context=f"project {key} id census"))
    missing = sorted({f"jira:{i}" for i in present} - held)
    pages.fetch_missing(run, key, [m.split(":", 1)[1] for m in missing])
    tombstone_vanished(run, key, present)


def settle_full_read(run: RunContext, key: str, read: ProjectRead | None) -> None:
    """After a full read of a project: tombstone what vanished, never what was only unseen."""
    seen = set(read.page_of) if read else set()
    unseen = {held.split(":", 1)[1] for held in _held(run, key)} - seen
    if not unseen and (read is None or read.steady):
        return  # the read saw everything the warehouse holds: nothing vanished
    present = set(run.reader.issue_ids(census_jql(key), context=f"project {key} id census"))
    pages.fetch_missing(run, key, sorted(present - seen, key=int))
    tombstone_vanished(run, key, present)


def tombstone_vanished(run: RunContext, key: str, present: set[str]) -> None:
    live = run.warehouse.live_ids("tasks", source=SOURCE, project_id=run.project_id(key))
    vanished = sorted(live - {f"jira:{i}" for i in present})
    pages.apply_plan(run, key, [TombstoneIssues(vanished)], {})
