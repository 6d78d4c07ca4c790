"""Typed records at the Graph boundary: what the readers hand to the pure mapping.

The SDK's models carry a backing store and open-type `additional_data` dicts; these frozen
records keep only what the mapping needs, with UTC-aware datetimes, so mapping tests can
build them directly and nothing SDK-shaped leaves `connectors/graph/`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from types import MappingProxyType
from typing import Any

from connectors.timeparse import parse_time


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
    folder: bool = False  # a folder in the list: holds items, is no timesheet row
    web_url: str | None = None


@dataclass(frozen=True)
class SiteUser:
    """An entry of a site's hidden "User Information List": what a person column's
    `<Name>LookupId` points at (the lookup id is the entry's list item id)."""

    lookup_id: str
    title: str | None = None  # the display name
    email: str | None = None  # `EMail`; empty for accounts without a mailbox
    login: str | None = None  # `UserName` (the UPN) or the claims `Name` (`i:0#.f|membership|upn`)

    def address(self) -> str | None:
        """The e-mail to match: `EMail`, else the sign-in name when it is an address."""
        for value in (self.email, self.login):
            if value and "@" in value:
                return value.rsplit("|", 1)[-1]
        return None


# --- from Graph JSON ------------------------------------------------------------------------
# Readers get raw JSON through the SDK's request adapter and convert it here: kiota's model
# deserialisation re-runs ~2,000 import statements per entity (`Entity.get_field_deserializers`,
# ~35 ms each, measured), which would make 20,000 Planner tasks take over ten minutes.


def _user_id(identity_set: Any) -> str | None:
    user = (identity_set or {}).get("user") if isinstance(identity_set, dict) else None
    return (user or {}).get("id")


def user_from_json(raw: dict[str, Any]) -> GraphUser:
    return GraphUser(
        id=str(raw["id"]),
        mail=raw.get("mail"),
        user_principal_name=raw.get("userPrincipalName"),
        display_name=raw.get("displayName"),
        other_mails=tuple(raw.get("otherMails") or ()),
    )


def plan_categories(details: dict[str, Any] | None) -> Mapping[str, str]:
    """`categoryDescriptions` of plan details: slot -> label name, unnamed slots left out."""
    names = (details or {}).get("categoryDescriptions") or {}
    return MappingProxyType({k: str(v) for k, v in names.items() if k.startswith("category") and v})


def plan_from_json(raw: dict[str, Any], details: dict[str, Any] | None = None) -> PlanRecord:
    container = raw.get("container") or {}
    return PlanRecord(
        id=str(raw["id"]),
        title=raw.get("title"),
        owner_id=container.get("containerId") or raw.get("owner"),
        created_by=_user_id(raw.get("createdBy")),
        created_at=parse_time(raw.get("createdDateTime")),
        categories=plan_categories(details),
    )


def bucket_from_json(raw: dict[str, Any]) -> BucketRecord:
    return BucketRecord(
        str(raw["id"]), str(raw.get("planId")), raw.get("name"), raw.get("orderHint")
    )


def _assignments(raw: Any) -> tuple[Assignment, ...]:
    found = []
    for user_id, value in (raw or {}).items():
        when = value.get("assignedDateTime") if isinstance(value, dict) else None
        found.append(Assignment(str(user_id), parse_time(when)))
    return tuple(found)


def _categories(raw: Any) -> tuple[str, ...]:
    slots = [k for k, v in (raw or {}).items() if v is True and k.startswith("category")]
    return tuple(sorted(slots, key=lambda s: int(s.removeprefix("category") or 0)))


def task_from_json(raw: dict[str, Any]) -> PlannerTaskRecord:
    return PlannerTaskRecord(
        id=str(raw["id"]),
        plan_id=raw.get("planId"),
        bucket_id=raw.get("bucketId"),
        title=raw.get("title"),
        percent_complete=raw.get("percentComplete"),
        priority=raw.get("priority"),
        start_at=parse_time(raw.get("startDateTime")),
        due_at=parse_time(raw.get("dueDateTime")),
        completed_at=parse_time(raw.get("completedDateTime")),
        created_at=parse_time(raw.get("createdDateTime")),
        assignments=_assignments(raw.get("assignments")),
        categories=_categories(raw.get("appliedCategories")),
        etag=raw.get("@odata.etag"),
    )


def task_details_from_json(task_id: str, raw: dict[str, Any]) -> TaskDetailsRecord:
    items = [v for v in (raw.get("checklist") or {}).values() if isinstance(v, dict)]
    return TaskDetailsRecord(
        task_id=task_id,
        description=raw.get("description"),
        checklist_total=len(items),
        checklist_checked=sum(1 for v in items if v.get("isChecked") is True),
    )


def _event_time(event: Any) -> datetime | None:
    return parse_time(event.get("dateTime")) if isinstance(event, dict) else None


def time_card_from_json(team_id: str, raw: dict[str, Any]) -> TimeCardRecord:
    breaks = tuple(
        BreakRecord(_event_time(b.get("start")), _event_time(b.get("end")))
        for b in raw.get("breaks") or ()
    )
    return TimeCardRecord(
        id=str(raw["id"]),
        team_id=team_id,
        user_id=raw.get("userId"),
        state=raw.get("state"),
        confirmed_by=raw.get("confirmedBy"),
        clock_in=_event_time(raw.get("clockInEvent")),
        clock_out=_event_time(raw.get("clockOutEvent")),
        breaks=breaks,
        updated_at=parse_time(raw.get("lastModifiedDateTime")),
    )


def is_folder(raw: dict[str, Any], fields: Mapping[str, Any]) -> bool:
    """Graph marks a folder item by its content type (`contentType.name`, or the
    `ContentType` field) or by SharePoint's object type `FSObjType` 1; drives add `folder`."""
    content_type = (raw.get("contentType") or {}).get("name") or fields.get("ContentType")
    return (
        str(content_type or "").casefold() == "folder"
        or str(fields.get("FSObjType", "")) == "1"
        or "folder" in raw
    )


def list_item_from_json(list_id: str, raw: dict[str, Any]) -> ListItemRecord:
    fields = {k: v for k, v in (raw.get("fields") or {}).items() if not k.startswith("@")}
    return ListItemRecord(
        id=str(raw["id"]),
        list_id=list_id,
        fields=MappingProxyType(fields),
        created_at=parse_time(raw.get("createdDateTime")),
        updated_at=parse_time(raw.get("lastModifiedDateTime")),
        # Graph sends deletions as `@removed` (the delta-query convention) or, for list
        # items, as the `deleted` facet (`{"state": "deleted"}`)
        deleted="@removed" in raw or raw.get("deleted") is not None,
        folder=is_folder(raw, fields),
        web_url=raw.get("webUrl"),
    )


def site_user_from_json(raw: dict[str, Any]) -> SiteUser:
    """A "User Information List" item (read with `expand=fields`)."""
    fields = raw.get("fields") or {}
    login = fields.get("UserName") or fields.get("Name")
    return SiteUser(
        lookup_id=str(raw["id"]),
        title=fields.get("Title"),
        email=fields.get("EMail") or None,
        login=str(login) if login else None,
    )
