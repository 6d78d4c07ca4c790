"""The people of the demo organisation: where they work, how much, and under which addresses.

Roles decide where a person's hours show up, so that the sources never double-count one
person's day: `jira` people log Jira worklogs, `tech` people clock Teams Shifts time cards,
`consultant` people fill the SharePoint timesheet list; everyone may own Planner tasks.
"""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from sandbox.gen.catalog import SITE

DOMAIN = "example.com"
M365_DOMAIN = "contoso.onmicrosoft.com"

# display name, zone, role, weekly capacity, known in M365 under an alias
_ROSTER: list[tuple[str, str, str, float, bool]] = [
    ("Ana Lima", "America/Sao_Paulo", "jira", 40, True),
    ("Bruno Costa", "America/Sao_Paulo", "jira", 40, False),
    ("Carla Nunes", "America/Sao_Paulo", "jira", 32, False),
    ("Daniel Weber", "Europe/Berlin", "jira", 40, True),
    ("Eva Schmidt", "Europe/Berlin", "jira", 40, False),
    ("Felix Braun", "Europe/Berlin", "jira", 40, False),
    ("Greta Vogel", "Europe/Berlin", "jira", 32, False),
    ("Hannah Fischer", "Europe/Berlin", "jira", 40, False),
    ("Ian Murphy", "America/New_York", "jira", 40, False),
    ("Julia Chen", "America/New_York", "jira", 40, True),
    ("Kevin Brooks", "America/New_York", "jira", 40, False),
    ("Laura Diaz", "America/New_York", "jira", 40, False),
    ("Manoj Iyer", "Asia/Kolkata", "jira", 40, False),
    ("Neha Sharma", "Asia/Kolkata", "jira", 40, True),
    ("Omar Khan", "Asia/Kolkata", "jira", 40, False),
    ("Priya Nair", "Asia/Kolkata", "jira", 40, False),
    ("Quinn Taylor", "UTC", "jira", 40, False),
    ("Rosa Martin", "UTC", "jira", 40, False),
    ("Sven Larsen", "Europe/Berlin", "tech", 40, False),
    ("Tomas Novak", "Europe/Berlin", "tech", 40, True),
    ("Uma Reddy", "Asia/Kolkata", "tech", 40, False),
    ("Victor Alves", "America/Sao_Paulo", "tech", 40, False),
    ("Wendy Scott", "America/New_York", "tech", 40, False),
    ("Xavier Dubois", "UTC", "consultant", 40, True),
    ("Yara Haddad", "Europe/Berlin", "consultant", 40, False),
    ("Zoe Walsh", "America/New_York", "consultant", 32, False),
]


@dataclass
class Person:
    index: int
    display_name: str
    time_zone: str
    role: str
    weekly_capacity_hours: float
    account_id: str
    graph_user_id: str
    email: str
    aliases: list[str] = field(default_factory=list)

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.time_zone)

    @property
    def m365_mail(self) -> str:
        """The address Microsoft 365 knows the person by (an alias for some)."""
        return self.aliases[0] if self.aliases else self.email

    def jira_user(self) -> dict[str, Any]:
        """UserDetails as Jira embeds it in issues, changelogs and worklogs."""
        return {
            "self": f"{SITE}/rest/api/2/user?accountId={self.account_id}",
            "accountId": self.account_id,
            "emailAddress": self.email,
            "displayName": self.display_name,
            "active": True,
            "timeZone": self.time_zone,
            "accountType": "atlassian",
        }

    def as_tenant(self) -> dict[str, Any]:
        return {
            "account_id": self.account_id,
            "graph_user_id": self.graph_user_id,
            "email": self.email,
            "aliases": list(self.aliases),
            "display_name": self.display_name,
            "time_zone": self.time_zone,
            "weekly_capacity_hours": self.weekly_capacity_hours,
        }

    def graph_user(self) -> dict[str, Any]:
        given, _, surname = self.display_name.partition(" ")
        return {
            "id": self.graph_user_id,
            "displayName": self.display_name,
            "givenName": given,
            "surname": surname,
            "mail": self.m365_mail,
            "userPrincipalName": self.m365_mail,
        }


def new_uuid(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def make_people(rng: random.Random) -> list[Person]:
    people = []
    for index, (name, zone, role, capacity, aliased) in enumerate(_ROSTER):
        local = name.lower().replace(" ", ".")
        first, _, last = name.lower().partition(" ")
        aliases = [f"{first[0]}.{last}@{M365_DOMAIN}"] if aliased else []
        people.append(
            Person(
                index=index,
                display_name=name,
                time_zone=zone,
                role=role,
                weekly_capacity_hours=capacity,
                account_id=f"{rng.getrandbits(96):024x}",
                graph_user_id=new_uuid(rng),
                email=f"{local}@{DOMAIN}",
                aliases=aliases,
            )
        )
    return people


def by_role(people: list[Person], role: str) -> list[Person]:
    return [p for p in people if p.role == role]
