"""Digest times and quiet hours in local time, across daylight-saving changes."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.scheduling import (
    in_quiet_hours,
    moved_before_quiet_hours,
    next_digest_at,
    parse_time_of_day,
    quiet_hours_end,
    utc,
)


def iso(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%d %H:%M")


@pytest.mark.parametrize(("given", "expected"), [("8:00", "08:00"), ("08:00", "08:00"), (" 23:59 ", "23:59")])
def test_parse_time_of_day_normalises(given: str, expected: str) -> None:
    assert parse_time_of_day(given) == expected


@pytest.mark.parametrize("bad", ["25:99", "24:00", "8", "noon", "", "12:60"])
def test_parse_time_of_day_rejects_with_a_readable_message(bad: str) -> None:
    with pytest.raises(ValueError, match="time of day"):
        parse_time_of_day(bad)


def test_next_digest_is_strictly_after_now_in_local_time() -> None:
    # 08:00 in Berlin is 07:00 UTC in winter.
    assert iso(next_digest_at(["08:00"], "Europe/Berlin", utc(2026, 1, 10, 6))) == "2026-01-10 07:00"
    assert iso(next_digest_at(["08:00"], "Europe/Berlin", utc(2026, 1, 10, 7))) == "2026-01-11 07:00"
    assert iso(next_digest_at(["18:00", "08:00"], "Europe/Berlin", utc(2026, 1, 10, 8))) == "2026-01-10 17:00"


def test_digest_keeps_local_time_across_spring_and_autumn_changes() -> None:
    # Berlin switches to summer time on 2026-03-29: 08:00 local moves from 07:00 to 06:00 UTC.
    assert iso(next_digest_at(["08:00"], "Europe/Berlin", utc(2026, 3, 28, 8))) == "2026-03-29 06:00"
    # ... and back on 2026-10-25.
    assert iso(next_digest_at(["08:00"], "Europe/Berlin", utc(2026, 10, 24, 8))) == "2026-10-25 07:00"


def test_time_skipped_by_spring_forward_fires_at_first_valid_instant() -> None:
    # 02:30 does not exist in Berlin on 2026-03-29 (02:00 -> 03:00 at 01:00 UTC).
    assert iso(next_digest_at(["02:30"], "Europe/Berlin", utc(2026, 3, 28, 12))) == "2026-03-29 01:00"


def test_ambiguous_autumn_time_fires_once() -> None:
    # 02:30 happens twice in Berlin on 2026-10-25 (00:30 and 01:30 UTC).
    first = next_digest_at(["02:30"], "Europe/Berlin", utc(2026, 10, 24, 12))
    assert iso(first) == "2026-10-25 00:30"
    assert iso(next_digest_at(["02:30"], "Europe/Berlin", first)) == "2026-10-26 01:30"


def test_quiet_hours_over_midnight() -> None:
    assert in_quiet_hours("22:00", "07:00", "UTC", utc(2026, 1, 1, 23))
    assert in_quiet_hours("22:00", "07:00", "UTC", utc(2026, 1, 2, 3))
    assert not in_quiet_hours("22:00", "07:00", "UTC", utc(2026, 1, 2, 7))
    assert not in_quiet_hours("22:00", "07:00", "UTC", utc(2026, 1, 2, 12))
    assert not in_quiet_hours(None, None, "UTC", utc(2026, 1, 2, 3))
    assert iso(quiet_hours_end("22:00", "07:00", "UTC", utc(2026, 1, 1, 23))) == "2026-01-02 07:00"
    assert iso(quiet_hours_end("22:00", "07:00", "UTC", utc(2026, 1, 2, 3))) == "2026-01-02 07:00"


def test_quiet_hours_in_local_time() -> None:
    # 13:00-14:00 in Tokyo is 04:00-05:00 UTC.
    assert in_quiet_hours("13:00", "14:00", "Asia/Tokyo", utc(2026, 1, 2, 4, 30))
    assert iso(quiet_hours_end("13:00", "14:00", "Asia/Tokyo", utc(2026, 1, 2, 4, 30))) == "2026-01-02 05:00"
    now = utc(2026, 1, 2, 6)
    assert quiet_hours_end("13:00", "14:00", "Asia/Tokyo", now) == now


def test_quiet_hours_ending_in_the_repeated_autumn_hour_end_that_night() -> None:
    # New York falls back at 02:00 EDT on 2026-11-01, so 01:00-02:00 happens twice. At 01:15 EST (the second
    # time round) quiet hours 22:00-01:30 still hold and end at 01:30 EST, not at 01:30 the next night.
    now = utc(2026, 11, 1, 6, 15)
    assert in_quiet_hours("22:00", "01:30", "America/New_York", now)
    assert quiet_hours_end("22:00", "01:30", "America/New_York", now) == utc(2026, 11, 1, 6, 30)
    # During the first 01:15 (EDT) the first 01:30 is the end.
    assert quiet_hours_end("22:00", "01:30", "America/New_York", utc(2026, 11, 1, 5, 15)) == utc(
        2026, 11, 1, 5, 30
    )


@pytest.mark.parametrize(
    ("start", "end", "hour", "minute", "quiet"),
    [
        ("22:00", "07:00", 22, 0, True),  # the first quiet minute of a range over midnight
        ("22:00", "07:00", 21, 59, False),
        ("01:00", "06:00", 1, 0, True),
        ("01:00", "06:00", 5, 59, True),
        ("01:00", "06:00", 6, 0, False),  # alerts flow again at the end time, not a minute later
        ("08:00", "08:00", 8, 0, False),  # an empty range (an old row) never silences a chat all day
        ("08:00", "08:00", 3, 0, False),
    ],
)
def test_quiet_hours_start_at_their_first_minute_and_end_at_their_last(
    start: str, end: str, hour: int, minute: int, quiet: bool
) -> None:
    assert in_quiet_hours(start, end, "UTC", utc(2026, 3, 4, hour, minute)) is quiet


@pytest.mark.parametrize(
    ("zone", "time", "start", "end", "moved"),
    [
        (
            "Europe/Berlin",
            "02:30",
            "03:00",
            "07:00",
            True,
        ),  # skipped 02:00-03:00: at 03:00, before quiet hours
        ("Europe/Berlin", "02:30", "02:45", "07:00", True),  # quiet hours that start in the skipped hour too
        ("Europe/Berlin", "02:30", "02:15", "07:00", False),  # a time inside quiet hours is held by them
        ("Australia/Lord_Howe", "02:15", "02:30", "07:00", True),  # skips 02:00-02:30 on 4 October
    ],
)
def test_a_digest_time_a_spring_gap_moves_to_the_start_of_quiet_hours_is_before_them(
    zone: str, time: str, start: str, end: str, moved: bool
) -> None:
    at = next_digest_at(
        [time], zone, utc(2026, 3, 28, 12) if zone == "Europe/Berlin" else utc(2026, 10, 3, 0)
    )
    assert in_quiet_hours(start, end, zone, at)
    assert moved_before_quiet_hours([time], start, end, zone, at) is moved
    # Any other day the time is what it says: nothing was moved.
    assert not moved_before_quiet_hours([time], start, end, zone, at + 86_400)


def test_a_digest_a_spring_gap_moved_and_reached_as_late_as_quiet_hours_would_hold_it_any_night_is_held() -> (
    None
):
    # 02:30 with quiet hours from 03:00 goes out up to 30 minutes late on any night; at 03:00 after the skip too.
    at = utc(2026, 3, 29, 1)  # 03:00 in Berlin, where the skipped 02:30 comes
    assert moved_before_quiet_hours(["02:30"], "03:00", "07:00", "Europe/Berlin", at, at + 29 * 60)
    assert not moved_before_quiet_hours(["02:30"], "03:00", "07:00", "Europe/Berlin", at, at + 30 * 60)
    assert not moved_before_quiet_hours(["02:30"], "02:45", "07:00", "Europe/Berlin", at, at + 15 * 60)
