"""Matching Microsoft 365 people to the warehouse's person ids (lower-case e-mail).

One person often appears under several addresses (``a.lima@example.onmicrosoft.com`` in
Graph, ``ana.lima@example.com`` in Jira). Folding order, so that one person's hours from
every source line up: the configured aliases first; then, of the addresses a Graph user has,
the first one the warehouse already knows; else the user's primary address.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from connectors.graph.records import GraphUser


def normalise_email(value: str) -> str:
    return value.strip().lower()


@dataclass(frozen=True)
class PersonDirectory:
    """Who is who: Graph users, configured aliases, known people and their time zones."""

    users: Mapping[str, GraphUser] = field(default_factory=dict)
    aliases: Mapping[str, str] = field(default_factory=dict)  # alias -> canonical e-mail
    known_zones: Mapping[str, str | None] = field(default_factory=dict)  # person id -> IANA zone
    default_zone: str = "UTC"

    @classmethod
    def build(
        cls,
        users: Iterable[GraphUser] = (),
        aliases: Mapping[str, str] | None = None,
        known_zones: Mapping[str, str | None] | None = None,
        default_zone: str = "UTC",
    ) -> PersonDirectory:
        folded = {normalise_email(k): normalise_email(v) for k, v in (aliases or {}).items()}
        return cls(
            users={u.id: u for u in users},
            aliases=folded,
            known_zones={normalise_email(k): v for k, v in (known_zones or {}).items()},
            default_zone=default_zone,
        )

    def canonical(self, email: str | None) -> str | None:
        """The person id for an address: aliases folded, lower-cased; None for no address."""
        if not email or "@" not in email:
            return None
        address = normalise_email(email)
        seen: set[str] = set()
        while address in self.aliases and address not in seen:  # alias chains, cycle-safe
            seen.add(address)
            address = self.aliases[address]
        return address

    def person_for_user(self, user_id: str | None) -> str | None:
        """The person id of a Graph user id, or None when the directory does not know it."""
        user = self.users.get(user_id or "")
        if user is None:
            return None
        candidates = [self.canonical(a) for a in user.addresses()]
        candidates = [c for c in candidates if c]
        for candidate in candidates:
            if candidate in self.known_zones:
                return candidate
        return candidates[0] if candidates else None

    def zone_for(self, person_id: str | None) -> ZoneInfo:
        """The person's own time zone (from the warehouse), else the configured default."""
        name = self.known_zones.get(person_id or "") or self.default_zone
        try:
            return ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            return ZoneInfo(self.default_zone)
