"""Applying one fetched page to the warehouse: map, quarantine what can't be mapped, upsert,
tombstone what the page shows is gone, and move the cursor, all in one transaction."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from connectors.jira.jql import issue_fields, project_clause
from connectors.jira.mapping import IssueRows, map_issue, map_status_changes
from connectors.jira.mapping_meta import map_person
from connectors.jira.paging import follow
from connectors.jira.records import MappingContext, MappingError
from connectors.jira.run_context import RunContext
from connectors.store import WarehouseTransaction
from connectors.store.jira_queries import live_dependency_ids, live_project_children, updated_ms
from connectors.sync_types import SyncSummary
from connectors.timeparse import to_ms

SOURCE = "jira"
ID_BATCH = 100


def _raw_id(record: Mapping[str, Any]) -> str:
    return str(record.get("id") or record.get("key") or "?")


def _count(
    summary: SyncSummary, stream: str, counts: Any, fetched: int = 0, quarantined: int = 0
) -> None:
    summary.stream(stream).add(fetched=fetched, quarantined=quarantined, **counts.as_dict())


def upsert_or_quarantine(
    txn: WarehouseTransaction,
    summary: SyncSummary,
    table: str,
    records: Sequence[Mapping[str, Any]],
    mapper: Callable[[Any], dict[str, Any]],
    id_of: Callable[[Mapping[str, Any]], str] = _raw_id,
) -> list[dict[str, Any]]:
    rows, bad = [], 0
    for record in records:
        try:
            rows.append(mapper(record))
        except MappingError as exc:
            txn.quarantine(SOURCE, table, id_of(record), str(exc), {"id": id_of(record)})
            bad += 1
    _count(summary, table, txn.upsert(table, rows), len(records), bad)
    return rows


def replace_children(
    txn: WarehouseTransaction,
    summary: SyncSummary,
    table: str,
    key: str,
    project_id: str,
    records: Sequence[Mapping[str, Any]],
    mapper: Callable[[Any], dict[str, Any]],
) -> None:
    """A complete list (versions, sprints): upsert it, tombstone what it no longer holds."""
    rows = upsert_or_quarantine(txn, summary, table, records, mapper)
    live = live_project_children(txn, table, key, project_id)
    quarantined = {f"{key.split('_')[0]}:{_raw_id(r)}" for r in records}
    gone = live - {row[key] for row in rows} - quarantined
    summary.stream(table).add(deleted=txn.tombstone(table, sorted(gone)))


def upsert_people(
    txn: WarehouseTransaction,
    summary: SyncSummary,
    ctx: MappingContext,
    users: Iterable[Mapping[str, Any] | None],
) -> None:
    """People seen on this page; each distinct row is written once per run."""
    rows: dict[str, dict[str, Any]] = {}
    for user in users:
        person = ctx.person(user)
        if (
            person is not None
            and person.person_id
            and ctx.people_written.get(person.person_id) != person
        ):
            rows[person.person_id] = map_person(person)
            ctx.people_written[person.person_id] = person
    if rows:
        _count(summary, "people", txn.upsert("people", list(rows.values())))


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
    ctx, summary = run.mapping, run.summary(key)
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
    with run.warehouse.transaction() as txn:
        _write_issues(txn, key, summary, mapped, changed, changes, bad)
        upsert_people(txn, summary, ctx, users)
        if mark:
            txn.set_watermark(SOURCE, "issues", key, mark)
    return newest


def cursor_mark(run: RunContext, key: str, newest: int | None) -> dict[str, int] | None:
    """The project's issue cursor moved to `newest` (never backwards); None if no issue."""
    if newest is None:
        return None
    old = run.warehouse.get_watermark(SOURCE, "issues", key) or {}  # read outside the lock
    return {"updated_ms": max(newest, int(old.get("updated_ms") or 0))}


def _write_issues(
    txn: WarehouseTransaction,
    key: str,
    summary: SyncSummary,
    mapped: list[tuple[Any, IssueRows]],
    changed: list[tuple[Any, IssueRows]],
    changes: list[dict[str, Any]],
    bad: list[tuple[str, str]],
) -> None:
    for raw_id, reason in bad:
        txn.quarantine(SOURCE, "tasks", raw_id, reason, {"id": raw_id, "project": key})
    _count(
        summary,
        "tasks",
        txn.upsert("tasks", [rows.task for _, rows in mapped]),
        len(mapped) + len(bad),
        len(bad),
    )
    txn.resolve_quarantine(
        SOURCE, "tasks", [rows.task["task_id"].split(":", 1)[1] for _, rows in mapped]
    )
    risks = [rows.risk for _, rows in changed if rows.risk]
    _count(summary, "risks", txn.upsert("risks", risks), len(risks))
    not_risks = [rows.task["task_id"] for _, rows in changed if rows.risk is None]
    summary.stream("risks").add(deleted=txn.tombstone("risks", not_risks))
    links = {d["dependency_id"]: d for _, rows in changed for d in rows.dependencies}
    _count(summary, "dependencies", txn.upsert("dependencies", list(links.values())), len(links))
    changed_ids = [rows.task["task_id"] for _, rows in changed]
    gone = live_dependency_ids(txn, changed_ids) - set(links)
    summary.stream("dependencies").add(deleted=txn.tombstone("dependencies", sorted(gone)))
    _count(summary, "status_changes", txn.upsert("status_changes", changes), len(changes))


def fetch_missing(run: RunContext, key: str, issue_ids: Sequence[str]) -> None:
    """Issues the census sees but the warehouse lacks (e.g. skipped when a concurrent edit
    shifted a page): read them by id, a hundred per query."""
    fields = issue_fields(run.field_ids)
    for start in range(0, len(issue_ids), ID_BATCH):
        chunk = ", ".join(issue_ids[start : start + ID_BATCH])
        jql = f"{project_clause(key)} AND id in ({chunk}) ORDER BY id ASC"
        pages = follow(
            lambda token, jql=jql: run.reader.issue_page(
                jql, fields, token, context=f"project {key} missing issues"
            ),
            lambda page, _token: page.next_token,
        )
        for page in pages:
            apply_issue_page(run, key, page.issues, move_cursor=False)
