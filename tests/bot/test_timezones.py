"""Timezone names users type: IANA zones in any case; the server's own local-time aliases are not zones."""

from __future__ import annotations

import pytest

from bot.errors import UserError
from bot.services.chats import resolve_timezone


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("Europe/Berlin", "Europe/Berlin"),
        ("europe/berlin", "Europe/Berlin"),
        ("UTC", "UTC"),
        ("asia/tokyo", "Asia/Tokyo"),
    ],
)
def test_iana_names_in_any_case(typed: str, expected: str) -> None:
    assert resolve_timezone(typed) == expected


@pytest.mark.parametrize(
    "typed", ["localtime", "Factory", "posix/Europe/Berlin", "right/UTC", "Mars/Olympus", "../../etc/passwd"]
)
def test_server_aliases_and_nonsense_are_refused(typed: str) -> None:
    with pytest.raises(UserError, match="not a timezone I know"):
        resolve_timezone(typed)
