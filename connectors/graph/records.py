"""Typed records at the Graph boundary: what the readers hand to the pure mapping.

The SDK's models carry a backing store and open-type `additional_data` dicts; these frozen
records keep only what the mapping needs, with UTC-aware datetimes, so mapping tests can
build them directly and nothing SDK-shaped leaves `connectors/graph/`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from types import MappingProxyType
from typing import Any


def utc(value: datetime | None) -> datetime | None:
    """A Graph DateTimeOffset as UTC; a naive value is UTC by Graph's convention."""
    if value is None:
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


@dataclass(frozen=True)
class GraphUser:
    id: str
    mail: str | None = None
    user_principal_name: str | None = None
    display_name: str | None = None
    other_mails: tuple[str, ...] = ()

    def addresses(self) -> tuple[str, ...]:
        """Every e-mail the user is known under, preferred first."""
        found = [self.mail, *self.other_mails, self.user_principal_name]
        return tuple(a for a in found if a and "@" in a)


@dataclass(frozen=True)
class PlanRecord:
    id: str
    title: str | None
    owner_id: str | None = None  # the group (container) id
    created_by: str | None = None  # user id
    created_at: datetime | None = None
    categories: Mapping[str, str] = field(default_factory=dict)  # category1 -> label name


@dataclass(frozen=True)
class BucketRecord:
    id: str
    plan_id: str
    name: str | None
    order_hint: str | None = None


@dataclass(frozen=True)
class Assignment:
    user_id: str
    assigned_at: datetime | None = None


@dataclass(frozen=True)
class TaskDetailsRecord:
    task_id: str
    description: str | None = None
    checklist_total: int = 0
    checklist_checked: int = 0


@dataclass(frozen=True)
class PlannerTaskRecord:
    id: str
    plan_id: str | None
    bucket_id: str | None
    title: str | None
    percent_complete: int | None = None
    priority: int | None = None
    start_at: datetime | None = None
    due_at: datetime | None = None
    completed_at: datetime | None = None
    created_at: datetime | None = None
    assignments: tuple[Assignment, ...] = ()
    categories: tuple[str, ...] = ()  # applied category slots, e.g. ("category1",)
    etag: str | None = None


@dataclass(frozen=True)
class BreakRecord:
    start: datetime | None
    end: datetime | None


@dataclass(frozen=True)
class TimeCardRecord:
    id: str
    team_id: str
    user_id: str | None
    state: str | None  # clockedIn, onBreak, clockedOut
    confirmed_by: str | None  # none, user, manager
    clock_in: datetime | None
    clock_out: datetime | None
    breaks: tuple[BreakRecord, ...] = ()
    updated_at: datetime | None = None


@dataclass(frozen=True)
class ListItemRecord:
    id: str
    list_id: str
    fields: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))
    created_at: datetime | None = None
    updated_at: datetime | None = None
    deleted: bool = False


# --- from SDK models ---------------------------------------------------------------------


def _enum_value(value: Any) -> str | None:
    return None if value is None else str(getattr(value, "value", value))


def user_record(model: Any) -> GraphUser:
    return GraphUser(
        id=str(model.id),
        mail=model.mail,
        user_principal_name=model.user_principal_name,
        display_name=model.display_name,
        other_mails=tuple(model.other_mails or ()),
    )


def _identity_user_id(identity_set: Any) -> str | None:
    user = getattr(identity_set, "user", None) if identity_set is not None else None
    return getattr(user, "id", None)


def plan_record(model: Any, details: Any = None) -> PlanRecord:
    container = model.container
    owner = getattr(container, "container_id", None) or model.owner
    categories: dict[str, str] = {}
    descriptions = getattr(details, "category_descriptions", None)
    if descriptions is not None:
        for slot in range(1, 26):
            name = getattr(descriptions, f"category{slot}", None)
            name = name or descriptions.additional_data.get(f"category{slot}")
            if name:
                categories[f"category{slot}"] = str(name)
    return PlanRecord(
        id=str(model.id),
        title=model.title,
        owner_id=owner,
        created_by=_identity_user_id(model.created_by),
        created_at=utc(model.created_date_time),
        categories=MappingProxyType(categories),
    )


def bucket_record(model: Any) -> BucketRecord:
    return BucketRecord(str(model.id), str(model.plan_id), model.name, model.order_hint)


def _assignments(model: Any) -> tuple[Assignment, ...]:
    raw = getattr(model.assignments, "additional_data", None) or {}
    found = []
    for user_id, value in raw.items():
        assigned_at = value.get("assignedDateTime") if isinstance(value, dict) else None
        when = assigned_at if isinstance(assigned_at, datetime) else None
        found.append(Assignment(str(user_id), utc(when)))
    return tuple(found)


def _applied_categories(model: Any) -> tuple[str, ...]:
    applied = model.applied_categories
    if applied is None:
        return ()
    slots = {k for k, v in (applied.additional_data or {}).items() if v is True}
    slots |= {f"category{i}" for i in range(1, 26) if getattr(applied, f"category{i}", None)}
    return tuple(sorted(slots, key=lambda s: int(s.removeprefix("category") or 0)))


def task_record(model: Any) -> PlannerTaskRecord:
    return PlannerTaskRecord(
        id=str(model.id),
        plan_id=model.plan_id,
        bucket_id=model.bucket_id,
        title=model.title,
        percent_complete=model.percent_complete,
        priority=model.priority,
        start_at=utc(model.start_date_time),
        due_at=utc(model.due_date_time),
        completed_at=utc(model.completed_date_time),
        created_at=utc(model.created_date_time),
        assignments=_assignments(model),
        categories=_applied_categories(model),
        etag=(model.additional_data or {}).get("@odata.etag"),
    )


def task_details_record(task_id: str, model: Any) -> TaskDetailsRecord:
    checklist = getattr(model.checklist, "additional_data", None) or {}
    items = [v for v in checklist.values() if isinstance(v, dict)]
    return TaskDetailsRecord(
        task_id=task_id,
        description=model.description,
        checklist_total=len(items),
        checklist_checked=sum(1 for v in items if v.get("isChecked") is True),
    )


def _event_time(event: Any) -> datetime | None:
    return utc(getattr(event, "date_time", None)) if event is not None else None


def time_card_record(team_id: str, model: Any) -> TimeCardRecord:
    breaks = tuple(
        BreakRecord(_event_time(b.start), _event_time(b.end)) for b in (model.breaks or ())
    )
    return TimeCardRecord(
        id=str(model.id),
        team_id=team_id,
        user_id=model.user_id,
        state=_enum_value(model.state),
        confirmed_by=_enum_value(model.confirmed_by),
        clock_in=_event_time(model.clock_in_event),
        clock_out=_event_time(model.clock_out_event),
        breaks=breaks,
        updated_at=utc(model.last_modified_date_time),
    )


def list_item_record(list_id: str, model: Any) -> ListItemRecord:
    fields = dict(getattr(model.fields, "additional_data", None) or {})
    removed = "@removed" in (model.additional_data or {}) or model.deleted is not None
    return ListItemRecord(
        id=str(model.id),
        list_id=list_id,
        fields=MappingProxyType(fields),
        created_at=utc(model.created_date_time),
        updated_at=utc(model.last_modified_date_time),
        deleted=removed,
    )
