"""Typed context the pure mapping needs: resolved fields, people, statuses, type rules.

Built once per sync from metadata streams; the mapping functions read nothing else.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

CUSTOM_FIELD_ROLES = (
    "story_points",
    "start_date",
    "sprint",
    "risk_probability",
    "risk_impact",
    "mitigation",
    "mitigation_due",
    "severity",
)
STATUS_CATEGORY = {
    "new": "todo",
    "undefined": "todo",
    "indeterminate": "in_progress",
    "done": "done",
}


class MappingError(ValueError):
    """A record that can't be mapped; the message is the quarantine reason."""


@dataclass(frozen=True)
class Person:
    account_id: str
    email: str | None
    display_name: str | None = None
    time_zone: str | None = None

    @property
    def person_id(self) -> str | None:
        return self.email.strip().lower() if self.email else None


@dataclass(frozen=True)
class FieldIds:
    """Custom field ids per role, resolved by name; `missing` lists roles not found."""

    ids: Mapping[str, str] = field(default_factory=dict)
    missing: tuple[str, ...] = ()

    def get(self, role: str) -> str | None:
        return self.ids.get(role)


def resolve_fields(
    fields: Sequence[Mapping[str, Any]], names: Mapping[str, Sequence[str]]
) -> FieldIds:
    """Map each role to the id of the first field whose name matches one of its names
    (case-insensitive), in the order the names are configured."""
    by_name: dict[str, str] = {}
    for item in fields:
        name = str(item.get("name") or "").strip().lower()
        if name and item.get("id") and name not in by_name:
            by_name[name] = str(item["id"])
    ids, missing = {}, []
    for role in CUSTOM_FIELD_ROLES:
        found = next(
            (by_name[n.lower()] for n in names.get(role, ()) if n.lower() in by_name), None
        )
        if found:
            ids[role] = found
        else:
            missing.append(role)
    return FieldIds(ids, tuple(missing))


@dataclass
class MappingContext:
    fields: FieldIds
    type_map: Mapping[str, str]
    risk_types: frozenset[str]
    people: dict[str, Person] = field(default_factory=dict)  # accountId -> Person
    status_categories: dict[str, str] = field(default_factory=dict)  # status name/id (lower) -> cat
    blocking_link_types: frozenset[str] = frozenset({"blocks"})
    people_written: dict[str, Person] = field(
        default_factory=dict
    )  # rows already upserted this run

    def person(self, user: Mapping[str, Any] | None) -> Person | None:
        """A user object as a Person: the directory first, then what the object carries."""
        if not user or not user.get("accountId"):
            return None
        known = self.people.get(str(user["accountId"]))
        if known is not None:
            return known
        return Person(
            str(user["accountId"]),
            user.get("emailAddress"),
            user.get("displayName"),
            user.get("timeZone"),
        )

    def person_id(self, user: Mapping[str, Any] | None) -> str | None:
        found = self.person(user)
        return found.person_id if found else None

    def learn_statuses(self, statuses: Iterable[Mapping[str, Any]]) -> None:
        for status in statuses:
            category = STATUS_CATEGORY.get(str((status.get("statusCategory") or {}).get("key")))
            if category is None:
                continue
            for ident in (status.get("name"), status.get("id")):
                if ident is not None:
                    self.status_categories[str(ident).lower()] = category

    def category(self, status: str | None) -> str | None:
        return self.status_categories.get(str(status).lower()) if status is not None else None
