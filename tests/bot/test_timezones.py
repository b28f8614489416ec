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
