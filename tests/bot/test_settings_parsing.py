"""Times of day and quiet hours as people type them into /settings."""

from __future__ import annotations

import pytest

from bot.errors import UserError
from bot.services.chats import parse_digest_times, parse_length, parse_quiet_hours


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("8", ("08:00",)),
        ("8am", ("08:00",)),
        ("8:00 PM", ("20:00",)),
        ("8 a.m., 6 p.m.", ("08:00", "18:00")),
        ("12am 12pm", ("00:00", "12:00")),
        ("0800, 2030", ("08:00", "20:30")),
        ("20.30", ("20:30",)),
        ("08h00", ("08:00",)),
        ("noon", ("12:00",)),
        ("24:00", ("00:00",)),
    ],
)
def test_digest_times_as_people_type_them(typed: str, expected: tuple[str, ...]) -> None:
    assert parse_digest_times(typed) == expected


def test_duplicates_do_not_count_against_the_daily_limit() -> None:
    assert parse_digest_times("8am, 08:00, 8, 0800, 8:00 am, 9, 10, 11, 12, 13") == (
        "08:00",
        "09:00",
        "10:00",
        "11:00",
        "12:00",
        "13:00",
    )


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("13pm", "1-12"),
        ("0am", "1-12"),
        ("25", "00-23"),
        ("8:60", "00-59"),
        ("soon", "write it as HH:MM"),
        ("8, 9, 10, 11, 12, 13, 14", "At most 6 digests a day"),  # the limit the test above stays under
    ],
)
def test_bad_times_say_what_is_wrong(typed: str, message: str) -> None:
    with pytest.raises(UserError, match=message):
        parse_digest_times(typed)


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("22-7", ("22:00", "07:00")),
        ("10pm-7am", ("22:00", "07:00")),
        ("10 pm - 6:30 am", ("22:00", "06:30")),
        ("23:00 to 24:00", ("23:00", "00:00")),
        ("22:00 - 07:00", ("22:00", "07:00")),
        ("OFF", (None, None)),
    ],
)
def test_quiet_hours_as_people_type_them(typed: str, expected: tuple[str | None, str | None]) -> None:
    assert parse_quiet_hours(typed) == expected


@pytest.mark.parametrize("typed", ["0-24", "00:00-24:00", "7-7"])
def test_quiet_hours_over_the_whole_day_point_to_pause(typed: str) -> None:
    # "0-24" was answered "Quiet hours need different start and end times", though the two differ as typed,
    # and what the user wanted (nothing delivered) was left unsaid.
    with pytest.raises(UserError) as refused:
        parse_quiet_hours(typed)
    assert "would last all day" in refused.value.message and "/settings pause" in refused.value.message


@pytest.mark.parametrize("typed", ["²", "1_0"])
def test_a_summary_length_that_is_not_plain_digits_is_refused_with_a_reason(typed: str) -> None:
    # "²" passes str.isdigit() but int() cannot read it: it would have been an unexpected error, not an answer.
    with pytest.raises(UserError, match="is not a number"):
        parse_length(typed)


@pytest.mark.parametrize("typed", ["+4", "4.0", "-1", "3.5", "2,5"])
def test_a_summary_length_that_is_a_number_but_no_whole_one_is_not_called_no_number(typed: str) -> None:
    # "-1" and "3.5" were told "is not a number": they are, just not a whole number of sentences from 1 to 10.
    with pytest.raises(UserError, match="whole number of sentences from 1 to 10") as refused:
        parse_length(typed)
    assert "not a number" not in refused.value.message
