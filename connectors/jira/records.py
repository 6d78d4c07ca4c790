"""Typed context the pure mapping needs: resolved fields, people, statuses, type rules.

Built once per sync from metadata streams; the mapping functions read nothing else.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from config.settings import DEFAULT_DEPENDENCY_LINK_TYPES, DEFAULT_IGNORED_LINK_TYPES
from connectors.timeparse import MappingError as MappingError  # the quarantine reason

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


def link_type_map(configured: Mapping[str, str]) -> dict[str, str]:
    """Configured dependency link types, by lower-case name."""
    return {name.strip().lower(): side for name, side in configured.items()}


ACCOUNT_PREFIX = "jira:user:"


@dataclass(frozen=True)
class Person:
    """A Jira user. Jira Cloud hides most users' e-mail, so a person is kept whether or not
    an e-mail is visible: the person id is the canonical e-mail when one is known (the
    configured alias of the account or of the visible address, else the visible address),
    otherwise the source account id (``jira:user:<accountId>``)."""

    account_id: str
    email: str | None
    display_name: str | None = None
    time_zone: str | None = None
    alias: str | None = None  # canonical e-mail from config, overrides the visible one

    @property
    def person_id(self) -> str:
        if self.alias:
            return self.alias.strip().lower()
        if self.email:
            return self.email.strip().lower()
        return f"{ACCOUNT_PREFIX}{self.account_id}"


def fold_alias(address: str | None, aliases: Mapping[str, str]) -> str | None:
    """The canonical address of an alias (chains followed, cycle-safe); None if not an alias."""
    if not address:
        return None
    current, seen = address.strip().lower(), set()
    while current in aliases and current not in seen:
        seen.add(current)
        current = aliases[current]
    return current if seen else None


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
    # lower-case link type name -> the side that is the predecessor ("outward"/"inward")
    dependency_link_types: Mapping[str, str] = field(
        default_factory=lambda: link_type_map(DEFAULT_DEPENDENCY_LINK_TYPES)
    )
    ignored_link_types: frozenset[str] = frozenset(t.lower() for t in DEFAULT_IGNORED_LINK_TYPES)
    # link types seen that are neither dependencies nor ignored: name -> link ids
    unknown_link_types: dict[str, set[str]] = field(default_factory=dict)
    people_written: dict[str, Person] = field(
        default_factory=dict
    )  # rows already upserted this run
    # accountId -> canonical e-mail (config `jira.account_aliases`): how a person whose
    # e-mail Jira hides is matched with other sources
    account_aliases: Mapping[str, str] = field(default_factory=dict)
    email_aliases: Mapping[str, str] = field(default_factory=dict)  # lower alias -> canonical
    max_worklog_hours_per_day: float = 24.0  # physical bound (config jira.max_worklog_...)

    def task_type(self, issuetype: Mapping[str, Any]) -> str:
        """The canonical kind of an issue type: configured by name, else a sub-task type
        (``subtask: true``, e.g. "Technical task") is a sub-task, else a task."""
        name = str(issuetype.get("name"))
        if name in self.type_map:
            return self.type_map[name]
        return "subtask" if issuetype.get("subtask") is True else "task"

    def person(self, user: Mapping[str, Any] | None) -> Person | None:
        """A user object as a Person: the directory first, then what the object carries;
        the configured aliases decide the person id."""
        if not user or not user.get("accountId"):
            return None
        account = str(user["accountId"])
        known = self.people.get(account)
        if known is None:
            known = Person(
                account, user.get("emailAddress"), user.get("displayName"), user.get("timeZone")
            )
        alias = self.account_aliases.get(account)
        alias = fold_alias(alias, self.email_aliases) or alias
        alias = alias or fold_alias(known.email, self.email_aliases)
        if alias and alias != known.alias:
            known = replace(known, alias=alias.strip().lower())
        return known

    def person_id(self, user: Mapping[str, Any] | None) -> str | None:
        found = self.person(user)
        return found.person_id if found else None

    def learn_statuses(self, statuses: Iterable[Mapping[str, Any]]) -> None:
        """Load Jira's status list (`GET status`); never individual issues' statuses, which
        would make a category depend on what the run happened to read first."""
        self.status_categories.update(categories_of(statuses))

    def category(self, *idents: Any) -> str | None:
        """The category of the first of `idents` (a status id or name) the list knows."""
        for ident in idents:
            if ident is not None and str(ident).lower() in self.status_categories:
                return self.status_categories[str(ident).lower()]
        return None


def categories_of(statuses: Iterable[Mapping[str, Any]]) -> dict[str, str]:
    """Status id and name (lower case) -> canonical category, from Jira's status list."""
    out: dict[str, str] = {}
    for status in statuses:
        category = STATUS_CATEGORY.get(str((status.get("statusCategory") or {}).get("key")))
        if category is None:
            continue
        for ident in (status.get("id"), status.get("name")):
            if ident is not None:
                out.setdefault(str(ident).lower(), category)
    return out
