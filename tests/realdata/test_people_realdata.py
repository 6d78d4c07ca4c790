"""People whose e-mail Jira hides (issue 11, point 6), on real data: the archive's users and
CESAW's people have no visible e-mail; they must be kept, keyed by account id, and count
as owners, loaders and contributors. Expected figures come from the raw files."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime

import pandas as pd
import pytest

from checks.evaluation.frames import project_frames
from checks.risk.resources import check_resources
from checks.risk.schedule import check_schedule
from config.settings import ChecksSettings
from tests.realdata import raw
from tests.realdata.builder import REALDATA_MISSING
from tests.realdata.conftest import Synced

pytestmark = pytest.mark.skipif(
    REALDATA_MISSING, reason="no real data at <repo>/../shared/realdata"
)
AS_OF = datetime(2026, 11, 27, tzinfo=UTC)


def _user_key(user: dict) -> str:
    return str(user.get("key") or user.get("name"))


def test_archive_assignees_without_visible_email_are_kept(jira_archive_synced: Synced) -> None:
    issues = list(raw.archive_issues())
    assert all(not (i["fields"]["assignee"] or {}).get("emailAddress") for i in issues)
    unassigned = sum(1 for i in issues if not i["fields"]["assignee"])
    assignees = {_user_key(i["fields"]["assignee"]) for i in issues if i["fields"]["assignee"]}
    tasks = jira_archive_synced.warehouse.read("tasks").set_index("task_id")
    assert int(tasks["assignee_id"].isna().sum()) == unassigned  # 62 of 684
    for issue in issues:
        user = issue["fields"]["assignee"]
        expected = f"jira:user:{_user_key(user)}" if user else None
        got = tasks.loc[f"jira:{issue['id']}", "assignee_id"]
        assert (None if pd.isna(got) else got) == expected, issue["key"]
    people = jira_archive_synced.warehouse.read("people").set_index("person_id")
    # the archive has no changelogs or worklogs: its people are exactly the assignees (33)
    assert set(people.index) == {f"jira:user:{k}" for k in assignees}
    names = {
        f"jira:user:{_user_key(i['fields']['assignee'])}": i["fields"]["assignee"]["displayName"]
        for i in issues
        if i["fields"]["assignee"]
    }
    assert {k: people.loc[k, "display_name"] for k in names} == names
    assert all(people.loc[k, "source_ids"] == {"jira": k.removeprefix("jira:user:")} for k in names)


def test_archive_ownership_counts_people_without_email(jira_archive_synced: Synced) -> None:
    """`schedule.unassigned_open_pct` counts only issues nobody is assigned to."""
    frames = jira_archive_synced.warehouse.read_all()
    projects = frames["projects"].set_index("key")["project_id"]
    for key in ("MOD", "DAEMON"):
        issues = [
            i
            for i in raw.archive_issues(key)
            if i["fields"]["status"]["statusCategory"]["key"] != "done"
            and i["fields"]["issuetype"]["name"] != "Epic"
        ]
        unassigned = sum(1 for i in issues if not i["fields"]["assignee"])
        pf = project_frames(frames, projects[key], AS_OF)
        metric = check_schedule(pf, ChecksSettings()).metrics["schedule.unassigned_open_pct"]
        assert metric == pytest.approx(100 * unassigned / len(issues)), key


def test_cesaw_time_logs_count_for_load_and_bus_factor(cesaw_synced: Synced) -> None:
    logged = [r for r in raw.cesaw_rows("time_fact.csv") if int(r["time_log_delta_minutes"]) > 0]
    entries = cesaw_synced.warehouse.read("time_entries")
    assert entries["person_id"].notna().all()
    by_person = Counter(f"jira:user:cesaw-{r['person_key']}" for r in logged)
    assert Counter(entries["person_id"]) == by_person
    frames = cesaw_synced.warehouse.read_all()
    projects = frames["projects"].set_index("key")["project_id"]
    for project in ("612", "95"):
        minutes: Counter[str] = Counter()
        for r in logged:
            if r["project_key"] == project:
                minutes[f"jira:user:cesaw-{r['person_key']}"] += int(r["time_log_delta_minutes"])
        pf = project_frames(frames, projects[f"CESAW{project}"], AS_OF)
        out = check_resources(pf, ChecksSettings())
        assert out.metrics["resources.contributors"] == len(minutes)
        top = max(minutes.values())
        assert out.metrics["resources.bus_factor_share"] == pytest.approx(
            top / sum(minutes.values())
        )
