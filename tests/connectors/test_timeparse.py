"""Every timestamp form Jira and Graph send (API-FACTS 1.6 and the Graph table), read by the
one parser in `connectors.timeparse`."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from connectors.timeparse import MappingError, parse_date, parse_time, to_ms

PLUS_TEN = timezone(timedelta(hours=10))
MINUS_530 = timezone(-timedelta(hours=5, minutes=30))


@pytest.mark.parametrize(
    ("sent", "expected"),
    [
        # Jira platform: millis and +hhmm with no colon
        ("2021-01-17T12:34:00.000+0000", datetime(2021, 1, 17, 12, 34, tzinfo=UTC)),
        ("2021-01-17T12:34:00.000-0530", datetime(2021, 1, 17, 18, 4, tzinfo=UTC)),
        # Jira agile (sprints): colon offsets or Z
        ("2015-04-11T15:22:00.000+10:00", datetime(2015, 4, 11, 5, 22, tzinfo=UTC)),
        ("2015-04-11T05:22:00.000Z", datetime(2015, 4, 11, 5, 22, tzinfo=UTC)),
        # Graph DateTimeOffset: Z, offsets, 7 fractional digits (kept to microseconds)
        ("2026-11-20T08:00:00Z", datetime(2026, 11, 20, 8, tzinfo=UTC)),
        ("2026-11-20T09:00:00+01:00", datetime(2026, 11, 20, 8, tzinfo=UTC)),
        ("2026-11-20T08:00:00.1234567Z", datetime(2026, 11, 20, 8, 0, 0, 123456, tzinfo=UTC)),
        ("2026-11-20T09:00:00.1234567+01:00", datetime(2026, 11, 20, 8, 0, 0, 123456, tzinfo=UTC)),
        ("2026-11-20T08:00:00.5Z", datetime(2026, 11, 20, 8, 0, 0, 500000, tzinfo=UTC)),
        # Graph dateTimeTimeZone text carries no offset: UTC by convention
        ("2026-11-20T08:00:00.0000000", datetime(2026, 11, 20, 8, tzinfo=UTC)),
        # the SDK's own serialisation, surrounding blanks, a plain date
        ("2024-01-05T00:00:00+00:00", datetime(2024, 1, 5, tzinfo=UTC)),
        (" 2024-01-05T00:00:00Z ", datetime(2024, 1, 5, tzinfo=UTC)),
        ("2024-01-05", datetime(2024, 1, 5, tzinfo=UTC)),
        # epoch milliseconds (worklog/updated, some spec examples)
        (1438013671562, datetime(2015, 7, 27, 16, 14, 31, 562000, tzinfo=UTC)),
        # already parsed (a reader that got a datetime from the SDK)
        (
            datetime(2026, 11, 20, 9, tzinfo=timezone(timedelta(hours=1))),
            datetime(2026, 11, 20, 8, tzinfo=UTC),
        ),
        (datetime(2026, 11, 20, 8), datetime(2026, 11, 20, 8, tzinfo=UTC)),
        # absent
        (None, None),
        ("", None),
    ],
)
def test_parse_time_reads_every_vendor_form_as_utc(sent, expected):
    got = parse_time(sent)
    assert got == expected
    assert got is None or got.utcoffset() == timedelta(0)


@pytest.mark.parametrize(
    ("sent", "offset"),
    [
        ("2021-01-17T12:34:00.000-0530", MINUS_530),
        ("2015-04-11T15:22:00.000+10:00", PLUS_TEN),
        ("2021-01-17T12:34:00.000+0000", UTC),
        ("2021-01-17T12:34:00", UTC),  # naive: UTC, not the machine's zone
    ],
)
def test_parse_time_keeps_the_senders_offset_when_asked(sent, offset):
    got = parse_time(sent, keep_offset=True)
    assert got is not None and got.utcoffset() == offset.utcoffset(None)
    assert got == parse_time(sent)  # the same instant either way


@pytest.mark.parametrize("sent", ["yesterday", "2021-13-01T00:00:00Z", "17/01/2021 12:34"])
def test_parse_time_rejects_non_timestamps_with_a_quarantine_reason(sent):
    with pytest.raises(MappingError, match="not a timestamp"):
        parse_time(sent)


@pytest.mark.parametrize(
    ("sent", "expected"),
    [
        ("2026-11-20", date(2026, 11, 20)),
        ("2026-11-20T23:00:00.000+0000", date(2026, 11, 20)),  # the written day
        (None, None),
        ("", None),
    ],
)
def test_parse_date(sent, expected):
    assert parse_date(sent) == expected


def test_parse_date_rejects_non_dates():
    with pytest.raises(MappingError, match="not a date"):
        parse_date("20.11.2026")


def test_to_ms_is_the_inverse_of_reading_epoch_ms():
    assert to_ms(parse_time(1438013671562)) == 1438013671562
