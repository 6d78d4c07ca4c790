"""Teams Shifts time cards: day and night shifts with breaks, confirmations, one still open."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sandbox.gen.graph_gen import GraphWorld
from sandbox.gen.ledger import HoursLedger, working_days
from sandbox.gen.people import Person, new_uuid
from sandbox.timefmt import graph_ts

DAY_SHIFT = (time(7, 0), 8.5)  # starts 07:00 local, 8.5 h on site incl. a 30-minute break
NIGHT_SHIFT = (time(22, 0), 8.5)  # 22:00 to 06:30 local: spans midnight


def _event(moment: datetime, note: str | None = None) -> dict[str, Any]:
    return {
        "dateTime": graph_ts(moment),
        "isAtApprovedLocation": True,
        "notes": {"contentType": "text", "content": note} if note else None,
    }


def time_card(
    world: GraphWorld,
    person: Person,
    clock_in: datetime,
    clock_out: datetime | None,
    break_at: datetime | None = None,
) -> dict[str, Any]:
    """A timeCard; `clock_out` None means still clocked in."""
    rng, now = world.rng, world.now
    breaks = []
    if break_at is not None:
        breaks.append(
            {
                "breakId": f"BRK_{new_uuid(rng)}",
                "start": _event(break_at),
                "end": _event(break_at + timedelta(minutes=30)),
                "notes": None,
            }
        )
    age = now - (clock_out or clock_in)
    confirmed = (
        "manager" if age > timedelta(days=7) else "user" if age > timedelta(days=2) else "none"
    )
    clock_in_event, clock_out_event = _event(clock_in), _event(clock_out) if clock_out else None
    return {
        "id": f"TCK_{new_uuid(rng)}",
        "userId": person.graph_user_id,
        "state": "clockedOut" if clock_out else "clockedIn",
        "confirmedBy": confirmed if clock_out else "none",
        "notes": None,
        "createdDateTime": graph_ts(clock_in),
        "lastModifiedDateTime": graph_ts(clock_out or clock_in),
        "createdBy": world.identity(person),
        "lastModifiedBy": world.identity(person),
        "clockInEvent": clock_in_event,
        "clockOutEvent": clock_out_event,
        "breaks": breaks,
        "originalEntry": {
            "clockInEvent": clock_in_event,
            "clockOutEvent": clock_out_event,
            "breaks": breaks,
        },
    }


def worked_hours(card: dict[str, Any]) -> float | None:
    """Hours on the card minus breaks (None while clocked in)."""
    if not card["clockOutEvent"]:
        return None
    start = _parse(card["clockInEvent"]["dateTime"])
    end = _parse(card["clockOutEvent"]["dateTime"])
    breaks = sum(
        (_parse(b["end"]["dateTime"]) - _parse(b["start"]["dateTime"])).total_seconds()
        for b in card["breaks"]
    )
    return ((end - start).total_seconds() - breaks) / 3600


def _parse(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def add_time_cards(
    world: GraphWorld,
    ledger: HoursLedger,
    team_id: str,
    crew: list[Person],
    night_crew: set[int],
    weeks: int = 4,
) -> list[dict[str, Any]]:
    cards = world.data["time_cards"][team_id]
    first = world.now.date() - timedelta(weeks=weeks)
    for person in crew:
        start_time, length = NIGHT_SHIFT if person.index in night_crew else DAY_SHIFT
        for day in working_days(first, world.now.date()):
            card = _shift(world, person, day, start_time, length)
            if card is not None:
                ledger.book(person, day, length - 0.5)
                cards.append(card)
    cards.sort(key=lambda c: c["clockInEvent"]["dateTime"])
    return cards


def _shift(
    world: GraphWorld, person: Person, day: date, start_time: time, length: float
) -> dict[str, Any] | None:
    clock_in = datetime.combine(day, start_time, tzinfo=person.zone).astimezone(UTC)
    clock_in += timedelta(minutes=world.rng.randint(-10, 10))
    clock_out = clock_in + timedelta(hours=length, minutes=world.rng.randint(-5, 15))
    if clock_out > world.now:
        return None
    return time_card(world, person, clock_in, clock_out, clock_in + timedelta(hours=4))


def clock_in_now(world: GraphWorld, team_id: str, person: Person) -> dict[str, Any]:
    """The one card still open: clocked in three hours before the tenant's now."""
    card = time_card(world, person, world.now - timedelta(hours=3), None)
    world.data["time_cards"][team_id].append(card)
    return card
