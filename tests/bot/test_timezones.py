"""Timezone names users type: IANA zones in any case; the server's own local-time aliases are not zones."""

from __future__ import annotations

import re

import pytest

from bot.errors import UserError
from bot.services.chats import resolve_timezone


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("Europe/Berlin", "Europe/Berlin"),
        ("europe/berlin", "Europe/Berlin"),
        ("UTC", "UTC"),
        ("utc", "UTC"),
        ("asia/tokyo", "Asia/Tokyo"),
        # Written with the city's own accents or punctuation, as "São Paulo" alone already was read.
        ("America/São Paulo", "America/Sao_Paulo"),
        ("america/bogotá", "America/Bogota"),
        ("America/St. John's", "America/St_Johns"),
    ],
)
def test_iana_names_in_any_case(typed: str, expected: str) -> None:
    assert resolve_timezone(typed) == expected


@pytest.mark.parametrize(
    "typed",
    [
        "localtime",
        "Factory",
        "posix/Europe/Berlin",
        "right/UTC",
        "Mars/Olympus",
        "../../etc/passwd",
        "x" * 500,
        # A compass point or a region alone would be a guess: Australia/West, US/Eastern.
        "West",
        "south",
        "Eastern",
    ],
)
def test_server_aliases_and_nonsense_are_refused(typed: str) -> None:
    with pytest.raises(UserError, match="not a timezone I know"):
        resolve_timezone(typed)


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("Berlin", "Europe/Berlin"),
        ("new york", "America/New_York"),
        ("America/New York", "America/New_York"),
        ("Kyiv", "Europe/Kyiv"),
        ("São Paulo", "America/Sao_Paulo"),
        ("UTC+2", "Etc/GMT-2"),
        ("GMT -5", "Etc/GMT+5"),
        ("+02:00", "Etc/GMT-2"),
        ("UTC+0", "UTC"),
        ("UTC+14", "Etc/GMT-14"),  # Kiribati: east of UTC the offsets reach +14, west only -12
        ("UTC-12", "Etc/GMT+12"),
        ("UTC\u22125", "Etc/GMT+5"),  # the minus sign proper, as some keyboards and pasted text have it
        ("+0200", "Etc/GMT-2"),
    ],
)
def test_cities_and_whole_hour_offsets(typed: str, expected: str) -> None:
    assert resolve_timezone(typed) == expected


@pytest.mark.parametrize(
    ("typed", "says"),
    [
        ("UTC+05:30", "Kolkata"),
        ("UTC+0530", "Kolkata"),
        ("UTC+15", "UTC-12 to UTC+14"),
        ("UTC-13", "UTC-12 to UTC+14"),
    ],
)
def test_offsets_without_a_zone_say_what_to_do(typed: str, says: str) -> None:
    with pytest.raises(UserError, match=re.escape(says)):
        resolve_timezone(typed)


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("Beijing", "Asia/Shanghai"),
        ("Mumbai", "Asia/Kolkata"),
        ("New Delhi", "Asia/Kolkata"),
        ("Washington, D.C.", "America/New_York"),
        ("San Francisco", "America/Los_Angeles"),
        ("Munich", "Europe/Berlin"),
        ("St. Petersburg", "Europe/Moscow"),
        ("St. John's", "America/St_Johns"),
    ],
)
def test_big_cities_the_tz_database_files_under_another_city_are_read(typed: str, expected: str) -> None:
    # Told to "name a big city in your timezone", people in China and India named Beijing, Mumbai or Delhi and
    # were told it "is not a timezone I know": the tz database names one city per clock (Shanghai, Kolkata).
    assert resolve_timezone(typed) == expected


@pytest.mark.parametrize(
    ("typed", "city"),
    [("UTC+05:45", "Kathmandu"), ("UTC+3:30", "Tehran"), ("UTC-03:30", "St Johns"), ("UTC+9:30", "Darwin")],
)
def test_an_offset_that_is_no_whole_hour_names_a_city_on_that_offset(typed: str, city: str) -> None:
    # Every such offset was answered "e.g. Kolkata for UTC+05:30": someone in Nepal or Iran was shown India.
    with pytest.raises(UserError, match=re.escape(f"e.g. {city}.")):
        resolve_timezone(typed)
    assert resolve_timezone(city)
