"""Generated people: Jira accounts and Graph users with time zones and weekly capacity."""

from __future__ import annotations

import random
import uuid
from typing import Any

FIRST = [
    "Ana",
    "Ben",
    "Chen",
    "Dara",
    "Elif",
    "Femi",
    "Greta",
    "Hugo",
    "Ines",
    "Jonas",
    "Kiri",
    "Lena",
    "Mateo",
    "Nora",
    "Omar",
    "Priya",
    "Quinn",
    "Rosa",
    "Sven",
    "Tariq",
    "Uma",
    "Vera",
]
LAST = [
    "Lima",
    "Okafor",
    "Wang",
    "Novak",
    "Yilmaz",
    "Adeyemi",
    "Berg",
    "Martin",
    "Costa",
    "Weber",
    "Ngata",
    "Fischer",
    "Ruiz",
    "Haddad",
    "Iyer",
    "Kowalski",
    "Silva",
    "Lund",
    "Aziz",
    "Moreau",
]
ZONES = [
    "Europe/Berlin",
    "Europe/London",
    "America/Sao_Paulo",
    "America/New_York",
    "Asia/Kolkata",
    "Pacific/Auckland",
    "America/Los_Angeles",
    "Europe/Warsaw",
]


def make_people(rng: random.Random, count: int) -> list[dict[str, Any]]:
    people, used = [], set()
    for index in range(count):
        first, last = rng.choice(FIRST), rng.choice(LAST)
        while (first, last) in used:
            first, last = rng.choice(FIRST), rng.choice(LAST)
        used.add((first, last))
        email = f"{first}.{last}@example.com".lower()
        people.append(
            {
                "account_id": f"5b10ac8d82e05b22cc7d{index:04x}",
                "graph_user_id": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
                "email": email,
                "aliases": [f"{first[0]}.{last}@example.onmicrosoft.com".lower()],
                "display_name": f"{first} {last}",
                "time_zone": ZONES[index % len(ZONES)],
                "weekly_capacity_hours": rng.choice([40, 40, 40, 32, 20]),
            }
        )
    return people


def graph_users(people: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [
        {
            "id": p["graph_user_id"],
            "mail": p["email"],
            "displayName": p["display_name"],
            "userPrincipalName": p["aliases"][0],
        }
        for p in people
    ]


def ref(person: dict[str, Any] | None) -> dict[str, Any] | None:
    return {"accountId": person["account_id"]} if person else None
