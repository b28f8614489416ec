"""Timezone names as people write them -> IANA zones; pure, shared by Settings and /settings timezone."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from bot.render.text import quoted

MAX_TIMEZONE_CHARS = 64
TIMEZONE_HINT = "Name a big city in your timezone (Berlin, New York), an IANA zone (Europe/Berlin) or UTC."


class TimezoneError(ValueError):
    """A timezone name that resolves to no zone; the message is plain text a user or operator can act on."""


def is_iana_timezone(name: str) -> bool:
    """Whether ``name`` is a real IANA zone; the tz database's server-local aliases and variants are not."""
    if name.lower() in ("localtime", "factory") or name.startswith(("posix/", "right/", "/")):
        return False
    try:
        return _loads(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        return False


@lru_cache(maxsize=1024)
def _loads(name: str) -> bool:
    # Asked at every chat row read (each batch of alerts, each digest tick): ZoneInfo keeps only its last 8 zones,
    # so with chats in more zones each row opened its zone's file again, on the event loop. A name that does not
    # load raises, which is not cached: it is tried again, so a tz database put right is seen.
    ZoneInfo(name)
    return True


def resolve_timezone(name: str) -> str:
    """The IANA zone for what a person typed; TimezoneError otherwise.

    Takes IANA names in any case ("europe/berlin"), a city of the tz database ("Berlin", "new york") or a big city
    it files under another ("Beijing", "Mumbai"), and whole-hour UTC offsets ("UTC+2", "GMT-5", "+02:00"), which
    become fixed Etc/GMT zones.
    """
    name = name.strip()
    if not name or len(name) > MAX_TIMEZONE_CHARS or "\x00" in name:
        raise TimezoneError(f"That is not a timezone I know. {TIMEZONE_HINT}")
    key = "_".join(name.split()).lower()  # "New York" is spelled New_York in the tz database
    # "St. John's", "Washington, D.C.": the tz database and the table below spell cities without punctuation.
    city = _PUNCTUATION.sub("", _ascii(key))
    found = (
        _timezone_names().get(key)
        # "America/São Paulo": IANA names are spelled without accents or punctuation, as their cities are.
        or _timezone_names().get(city)
        or _city_zones().get(city)
        or _BIG_CITIES.get(city.replace("_", " "))
        or _offset_zone(name)
    )
    if found is None:
        raise TimezoneError(f"{quoted(name)} is not a timezone I know. {TIMEZONE_HINT}")
    return found


@lru_cache(maxsize=1)
def _timezone_names() -> dict[str, str]:
    # Read once: available_timezones() walks the tz database on disk.
    return {n.lower(): n for n in available_timezones() if is_iana_timezone(n)}


@lru_cache(maxsize=1)
def _city_zones() -> dict[str, str]:
    # "berlin" -> Europe/Berlin. Only the geographic areas: "Eastern" or "West" alone (US/, Canada/, Brazil/,
    # Australia/) would be guesses. A city in two areas (Istanbul, Nicosia) is one zone under two names.
    cities: dict[str, str] = {}
    for zone in sorted(_timezone_names().values(), key=lambda n: (len(n), n)):
        area, _, city = zone.rpartition("/")
        if area.split("/")[0] in _GEOGRAPHIC_AREAS and city.lower() not in _COMPASS:
            cities.setdefault(city.lower(), zone)
    return cities


# Big cities the tz database names no zone after, because another city of the same clock does (it names one city
# per region of a clock history). Asked for "a big city in your timezone", people type these.
_BIG_CITIES = {
    **dict.fromkeys(("beijing", "guangzhou", "shenzhen", "chongqing", "wuhan"), "Asia/Shanghai"),
    **dict.fromkeys(
        ("mumbai", "delhi", "new delhi", "bangalore", "bengaluru", "chennai", "hyderabad", "pune"),
        "Asia/Kolkata",
    ),
    **dict.fromkeys(
        ("washington dc", "boston", "philadelphia", "atlanta", "miami", "baltimore"),
        "America/New_York",
    ),
    **dict.fromkeys(("houston", "dallas", "austin", "san antonio", "new orleans"), "America/Chicago"),
    **dict.fromkeys(("san francisco", "seattle", "san diego", "las vegas"), "America/Los_Angeles"),
    **dict.fromkeys(("munich", "frankfurt", "hamburg", "cologne"), "Europe/Berlin"),
    "milan": "Europe/Rome",
    "barcelona": "Europe/Madrid",
    "geneva": "Europe/Zurich",
    "saint petersburg": "Europe/Moscow",
    "st petersburg": "Europe/Moscow",
    "osaka": "Asia/Tokyo",
    "hanoi": "Asia/Ho_Chi_Minh",
    "abu dhabi": "Asia/Dubai",
    "tel aviv": "Asia/Jerusalem",
    "rio de janeiro": "America/Sao_Paulo",
    "rio": "America/Sao_Paulo",
}
# A city for each offset in use that is not a whole hour, so "UTC+05:45" is answered with a name that works.
_CITY_OF_OFFSET = {
    (-1, 9, 30): "Marquesas",
    (-1, 3, 30): "St Johns",
    (-1, 2, 30): "St Johns",
    (1, 3, 30): "Tehran",
    (1, 4, 30): "Kabul",
    (1, 5, 30): "Kolkata",
    (1, 5, 45): "Kathmandu",
    (1, 6, 30): "Yangon",
    (1, 8, 45): "Eucla",
    (1, 9, 30): "Darwin",
    (1, 10, 30): "Adelaide",
    (1, 12, 45): "Chatham",
    (1, 13, 45): "Chatham",
}

_GEOGRAPHIC_AREAS = frozenset(
    {"Africa", "America", "Antarctica", "Asia", "Atlantic", "Australia", "Europe", "Indian", "Pacific"}
)
_COMPASS = frozenset({"north", "south", "east", "west"})  # Australia/West and friends
_PUNCTUATION = re.compile(r"[.,'’]")
_UTC_OFFSET = re.compile(r"^(?:utc|gmt)?([+\-\u2212])(\d{1,2})(?::?(\d{2}))?$")


def _ascii(text: str) -> str:
    """ "são_paulo" -> "sao_paulo": the tz database spells cities without accents."""
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")


def _offset_zone(text: str) -> str | None:
    """ "UTC+2" -> "Etc/GMT-2" (the tz database's POSIX-style names invert the sign); None if no offset."""
    match = _UTC_OFFSET.match("".join(text.split()).lower())
    if match is None:
        return None
    east, hours, minutes = match.group(1) == "+", int(match.group(2)), int(match.group(3) or 0)
    if minutes:
        city = _CITY_OF_OFFSET.get((1 if east else -1, hours, minutes))
        example = f"e.g. {city}" if city else "e.g. Kolkata for UTC+05:30"
        raise TimezoneError(
            f"{quoted(text)} has no timezone name of its own; name a big city in your timezone instead, {example}."
        )
    if hours > (14 if east else 12):
        raise TimezoneError(f"{quoted(text)} is not a UTC offset: they go from UTC-12 to UTC+14.")
    if hours == 0:
        return "UTC"
    return f"Etc/GMT{'-' if east else '+'}{hours}"
