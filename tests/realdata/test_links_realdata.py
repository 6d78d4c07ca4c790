"""Real link types (issue 11, point 7) on the archive: "Depends" and the Gantt apps'
finish-to-start types are dependencies with their own direction; other types are listed
once in the sync summary's warnings. Expected figures are derived here from the raw JSON."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from checks.evaluation.frames import project_frames
from checks.risk.dependencies import check_dependencies
from checks.risk.schedule import check_schedule
from config.settings import ChecksSettings
from tests.realdata import raw
from tests.realdata.builder import REALDATA_MISSING
from tests.realdata.conftest import Synced

pytestmark = pytest.mark.skipif(
    REALDATA_MISSING, reason="no real data at <repo>/../shared/realdata"
)
AS_OF = datetime(2026, 11, 27, tzinfo=UTC)
# Finish-to-start meaning of the archive's link types, read off their descriptions:
# True = the issue the outward phrase is said of finishes first ("A blocks B", "A has to
# be done before B"); False = the other one does ("A depends on B").
FINISH_TO_START = {
    "Blocks": True,
    "Depends": False,
    "Gantt: finish-start": True,
    "Gantt End to Start": True,
}
NOT_WORK_ORDER = {"Relates", "Duplicate", "Cloners"}


def raw_links() -> dict[str, tuple[str, str, str]]:
    """link id -> (type name, subject, object) of the outward phrase "subject <outward> object"."""
    links = {}
    for issue in raw.archive_issues():
        for link in issue["fields"]["issuelinks"]:
            if "outwardIssue" in link:
                pair = (issue["id"], link["outwardIssue"]["id"])
            else:
                pair = (link["inwardIssue"]["id"], issue["id"])
            links[link["id"]] = (link["type"]["name"], *pair)
    return links


def raw_dependencies() -> set[tuple[str, str]]:
    """(predecessor, successor) issue ids of every finish-to-start link."""
    out = set()
    for name, subject, obj in raw_links().values():
        if name in FINISH_TO_START:
            out.add((subject, obj) if FINISH_TO_START[name] else (obj, subject))
    return out


def test_archive_dependencies_follow_each_link_types_direction(
    jira_archive_synced: Synced,
) -> None:
    deps = jira_archive_synced.warehouse.read("dependencies")
    blocking = deps[deps["is_blocking"].astype(bool)]
    got = {
        (a.removeprefix("jira:"), b.removeprefix("jira:"))
        for a, b in zip(blocking["from_task_id"], blocking["to_task_id"], strict=True)
    }
    expected = raw_dependencies()
    assert len(blocking) == len(expected) == 56  # Blocks 9, Depends 45, Gantt FS 2 (link ids)
    assert got == expected


def test_unknown_link_types_are_listed_once_in_the_sync_summary(
    jira_archive_synced: Synced,
) -> None:
    unknown: dict[str, set[str]] = {}
    for link_id, (name, _s, _o) in raw_links().items():
        if name not in FINISH_TO_START and name not in NOT_WORK_ORDER:
            unknown.setdefault(name, set()).add(link_id)
    notes = [n for s in jira_archive_synced.summaries for n in s.warnings]
    assert len(notes) == 1, notes
    for name, ids in unknown.items():  # Gantt: start-finish, Gantt End to End, Includes
        assert f"{name} ({len(ids)})" in notes[0]
    for name in FINISH_TO_START.keys() | NOT_WORK_ORDER:
        assert f"{name} (" not in notes[0]


def _parents() -> dict[str, Any]:
    """Issue id -> parent id, as Cloud shows it: the sub-task's parent, else the epic when
    the epic is one of the tenant's issues."""
    issues = list(raw.archive_issues())
    ids = {i["id"] for i in issues}
    out = {}
    for issue in issues:
        parent = issue["fields"].get("parent") or {}
        epic = issue["fields"].get("epic") or {}
        if parent.get("id"):
            out[issue["id"]] = str(parent["id"])
        elif str(epic.get("id")) in ids:
            out[issue["id"]] = str(epic["id"])
    return out


@pytest.mark.parametrize("key", ["MOD", "DAEMON"])
def test_dependency_graph_and_dcma_logic_use_the_link_types(
    jira_archive_synced: Synced, key: str
) -> None:
    issues = list(raw.archive_issues(key))
    mine = {i["id"] for i in issues}
    open_ids = {i["id"] for i in issues if i["fields"]["status"]["statusCategory"]["key"] != "done"}
    deps = raw_dependencies()
    # open blockers: predecessors of an open item that are open, or outside the project
    expected_blockers = {
        a for a, b in deps if b in open_ids and a != b and (a in open_ids or a not in mine)
    }
    linked = {t for pair in deps for t in pair}
    parents = _parents()
    work = [i for i in issues if i["id"] in open_ids and i["fields"]["issuetype"]["name"] != "Epic"]
    no_logic = [i for i in work if i["id"] not in linked and i["id"] not in parents]

    frames = jira_archive_synced.warehouse.read_all()
    project_id = frames["projects"].set_index("key").loc[key, "project_id"]
    pf = project_frames(frames, project_id, AS_OF)
    found = check_dependencies(pf, ChecksSettings())
    assert set(found.evidence["dependencies.open_blockers"]) == {
        f"jira:{a}" for a in expected_blockers
    }
    schedule = check_schedule(pf, ChecksSettings()).metrics
    assert schedule["schedule.missing_logic_pct"] == pytest.approx(100 * len(no_logic) / len(work))
