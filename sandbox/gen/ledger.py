"""Hours per person and local day, so generated work never exceeds a person's capacity.

Every source (worklogs, time cards, timesheet rows) books through one ledger: the healthy
portfolio then has no long days and no over-allocation by construction, and planted
problems are the only place where those appear.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, time, timedelta

from sandbox.gen.people import Person

DAY_START = time(
    9, 0
)  # work starts at 09:00 local; with <= 7 h a day no entry crosses UTC midnight


class HoursLedger:
    def __init__(self, share_of_capacity: float = 0.85) -> None:
        self.share = share_of_capacity
        self.booked: dict[tuple[int, date], float] = defaultdict(float)

    def daily_cap(self, person: Person) -> float:
        return person.weekly_capacity_hours / 5 * self.share

    def free(self, person: Person, day: date) -> float:
        return max(0.0, self.daily_cap(person) - self.booked[(person.index, day)])

    def book(self, person: Person, day: date, hours: float) -> datetime:
        """Book hours (already checked against `free`); returns the local start time."""
        used = self.booked[(person.index, day)]
        self.booked[(person.index, day)] = used + hours
        start = datetime.combine(day, DAY_START, tzinfo=person.zone)
        return start + timedelta(hours=used)

    def weekly_hours(self, person: Person) -> dict[date, float]:
        """Hours per ISO week (keyed by the week's Monday) for one person."""
        weeks: dict[date, float] = defaultdict(float)
        for (index, day), hours in self.booked.items():
            if index == person.index:
                weeks[day - timedelta(days=day.weekday())] += hours
        return dict(weeks)


def working_days(first: date, last: date) -> list[date]:
    """Mondays to Fridays from first to last inclusive."""
    days = []
    day = first
    while day <= last:
        if day.weekday() < 5:
            days.append(day)
        day += timedelta(days=1)
    return days
