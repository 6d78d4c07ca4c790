"""Applying one fetched page to the warehouse: map, quarantine what can't be mapped, upsert,
tombstone what the page shows is gone, and move the cursor, all in one transaction."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from connectors.jira.jql import issue_fields, project_clause
from connectors.jira.mapping import IssueRows, map_issue, map_status_changes
from connectors.jira.mapping_meta import map_person
from connectors.jira.paging import follow
from connectors.jira.records import MappingContext, MappingError, Person
from connectors.jira.run_context import RunContext
from connectors.store.jira_queries import updated_ms
from connectors.store.plan import (
    Cursor,
    Operation,
    Quarantine,
    Resolve,
    Tombstone,
    TombstoneChildrenExcept,
    TombstoneLinksExcept,
    Upsert,
    stream_counts,
)
from connectors.timeparse import to_ms

SOURCE = "jira"
ID_BATCH = 100


def _raw_id(record: Mapping[str, Any]) -> str:
    return str(record.get("id") or record.get("key") or "?")


def mapped_or_quarantined(
    table: str,
    records: Sequence[Mapping[str, Any]],
    mapper: Callable[[Any], dict[str, Any]],
    id_of: Callable[[Mapping[str, Any]], str] = _raw_id,
) -> tuple[list[Operation], list[dict[str, Any]]]:
    """Records -> a plan that quarantines those that can't be mapped and upserts the rest,
    and the mapped rows."""
    plan: list[Operation] = []
    rows: list[dict[str, Any]] = []
    for record in records:
        try:
            rows.append(mapper(record))
        except MappingError as exc:
            plan.append(Quarantine(SOURCE, table, id_of(record), str(exc), {"id": id_of(record)}))
    plan.append(Upsert(table, rows, fetched=len(records), quarantined=len(records) - len(rows)))
    return plan, rows


def children_plan(
    table: str,
    key: str,
    project_id: str,
    records: Sequence[Mapping[str, Any]],
    mapper: Callable[[Any], dict[str, Any]],
) -> list[Operation]:
    """A complete list (versions, sprints): upsert it, tombstone what it no longer holds
    (a quarantined record is still there)."""
    plan, rows = mapped_or_quarantined(table, records, mapper)
    quarantined = {f"{key.split('_')[0]}:{_raw_id(r)}" for r in records}
    keep = frozenset({row[key] for row in rows} | quarantined)
    return [*plan, TombstoneChildrenExcept(table, key, project_id, keep)]


def apply_plan(
    run: RunContext, scope: str, plan: Sequence[Operation], people: Mapping[str, Person]
) -> None:
    """Apply a page's plan in one transaction, count it under `scope`, and only then mark
    its people written (a retried page writes them again)."""
    summary = run.summary(scope)
    for stream, counts in stream_counts(plan, run.warehouse.apply(plan)):
        summary.stream(stream).add(**counts)
    run.mapping.people_written.update(people)


def people_plan(people: Mapping[str, Person]) -> list[Operation]:
    return [Upsert("people", [map_person(p) for p in people.values()])] if people else []


def new_people(ctx: MappingContext, users: Iterable[Mapping[str, Any] | None]) -> dict[str, Person]:
    """The people among `users` not yet written this run (or changed since), by id."""
    found: dict[str, Person] = {}
    for user in users:
        person = ctx.person(user)
        if (
            person is not None
            and person.person_id
            and ctx.people_written.get(person.person_id) != person
        ):
            found[person.person_id] = person
    return found


def _truncated(record: Mapping[str, Any]) -> bool:
    log = record.get("changelog") or {}
    return int(log.get("total") or 0) > len(log.get("histories") or [])


def _map_issues(
    issues: Sequence[Mapping[str, Any]], ctx: MappingContext
) -> tuple[list[tuple[Mapping[str, Any], IssueRows]], list[tuple[str, str]]]:
    mapped, bad = [], []
    for record in issues:
        try:
            mapped.append((record, map_issue(record, ctx)))
        except MappingError as exc:
            bad.append((_raw_id(record), str(exc)))
    return mapped, bad


def apply_issue_page(
    run: RunContext, key: str, issues: Sequence[Mapping[str, Any]], *, move_cursor: bool
) -> int | None:
    """Map and write one page; returns the page's newest `updated` (epoch ms), if any."""
    ctx = run.mapping
    mapped, bad = _map_issues(issues, ctx)
    known = updated_ms(
        run.warehouse, "tasks", "task_id", [rows.task["task_id"] for _, rows in mapped]
    )
    changed = [
        (r, rows)
        for r, rows in mapped
        if known.get(rows.task["task_id"]) != to_ms(rows.task["updated_at"])
    ]
    long_logs = [str(r["id"]) for r, _ in changed if _truncated(r)]
    full_logs = run.reader.full_changelogs(long_logs, context=f"project {key} changelogs")
    changes, users = [], []
    for record, _rows in changed:
        histories = (
            full_logs.get(str(record["id"]), [])
            if str(record["id"]) in long_logs
            else (record.get("changelog") or {}).get("histories") or []
        )
        users += [h.get("author") for h in histories]
        users.append((record.get("fields") or {}).get("assignee"))
        try:
            changes += map_status_changes(record["id"], histories, ctx)
        except MappingError as exc:
            bad.append((str(record["id"]), f"changelog: {exc}"))
    newest = max((to_ms(rows.task["updated_at"]) for _, rows in mapped), default=None)
    mark = cursor_mark(run, key, newest) if move_cursor else None
    people = new_people(ctx, users)
    plan = issue_page_plan(
        key, mapped, changed, changes, bad, [map_person(p) for p in people.values()], mark
    )
    apply_plan(run, key, plan, people)
    return newest


def cursor_mark(run: RunContext, key: str, newest: int | None) -> dict[str, int] | None:
    """The project's issue cursor moved to `newest` (never backwards); None if no issue."""
    if newest is None:
        return None
    old = run.warehouse.get_watermark(SOURCE, "issues", key) or {}  # read outside the lock
    return {"updated_ms": max(newest, int(old.get("updated_ms") or 0))}


def issue_page_plan(
    key: str,
    mapped: Sequence[tuple[Any, IssueRows]],
    changed: Sequence[tuple[Any, IssueRows]],
    changes: Sequence[dict[str, Any]],
    bad: Sequence[tuple[str, str]],
    people: Sequence[dict[str, Any]],
    mark: Mapping[str, int] | None,
) -> list[Operation]:
    """What one issue page changes, without I/O: quarantine what can't be mapped; upsert
    every mapped task (an unchanged one costs nothing) and resolve its quarantine; for the
    changed ones, their risk rows (tombstoned when no longer a risk), links (tombstoned when
    gone from the issue) and status changes; new people; the moved cursor."""
    plan: list[Operation] = [
        Quarantine(SOURCE, "tasks", raw_id, reason, {"id": raw_id, "project": key})
        for raw_id, reason in bad
    ]
    tasks = [rows.task for _, rows in mapped]
    plan.append(Upsert("tasks", tasks, fetched=len(mapped) + len(bad), quarantined=len(bad)))
    plan.append(Resolve(SOURCE, "tasks", [t["task_id"].split(":", 1)[1] for t in tasks]))
    risks = [rows.risk for _, rows in changed if rows.risk]
    plan.append(Upsert("risks", risks, fetched=len(risks)))
    plan.append(
        Tombstone("risks", [rows.task["task_id"] for _, rows in changed if rows.risk is None])
    )
    links = {d["dependency_id"]: d for _, rows in changed for d in rows.dependencies}
    plan.append(Upsert("dependencies", list(links.values()), fetched=len(links)))
    changed_ids = [rows.task["task_id"] for _, rows in changed]
    plan.append(TombstoneLinksExcept(changed_ids, frozenset(links)))
    plan.append(Upsert("status_changes", changes, fetched=len(changes)))
    if people:
        plan.append(Upsert("people", people))
    if mark:
        plan.append(Cursor(SOURCE, "issues", key, mark))
    return plan


def fetch_missing(run: RunContext, key: str, issue_ids: Sequence[str]) -> None:
    """Issues the census sees but the warehouse lacks (e.g. skipped when a concurrent edit
    shifted a page): read them by id, a hundred per query."""
    fields = issue_fields(run.field_ids)
    for start in range(0, len(issue_ids), ID_BATCH):
        chunk = ", ".join(issue_ids[start : start + ID_BATCH])
        jql = f"{project_clause(key)} AND id in ({chunk}) ORDER BY id ASC"
        pages = follow(
            lambda token, jql=jql: run.reader.issue_page(  # type: ignore[misc]  # (a lambda with a default)
                jql, fields, token, context=f"project {key} missing issues"
            ),
            lambda page, _token: page.next_token,
        )
        for page in pages:
            apply_issue_page(run, key, page.issues, move_cursor=False)
