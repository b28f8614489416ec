"""Local times of day -> UTC instants: digest times and quiet hours, correct across DST. Pure functions."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

_TIME_OF_DAY = re.compile(r"^\s*(\d{1,2})[:.h](\d{2})\s*$")


def parse_time_of_day(s: str) -> str:
    """Normalise "8:00" / "08:00" to "08:00"; ValueError with a readable message otherwise."""
    match = _TIME_OF_DAY.match(s)
    if match is None:
        raise ValueError(f"{s!r} is not a time of day; write it as HH:MM, e.g. 08:00")
    hour, minute = int(match.group(1)), int(match.group(2))
    if hour > 23 or minute > 59:
        raise ValueError(f"{s!r} is not a valid time of day: hours go 00-23 and minutes 00-59")
    return f"{hour:02d}:{minute:02d}"


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"{name!r} is not an IANA timezone name such as Europe/Berlin") from None


def _minutes(hhmm: str) -> int:
    norm = parse_time_of_day(hhmm)
    return int(norm[:2]) * 60 + int(norm[3:])


def local_instant(day: date, hhmm: str, zone: ZoneInfo) -> float:
    """The UTC epoch of local ``hhmm`` on ``day``.

    A time skipped by a spring-forward gap maps to the first valid instant after the gap; an ambiguous autumn
    time maps to its first occurrence (fold=0), so it fires once.
    """
    minutes = _minutes(hhmm)
    naive = datetime(day.year, day.month, day.day, minutes // 60, minutes % 60)
    aware = naive.replace(tzinfo=zone, fold=0)
    epoch = aware.timestamp()
    # A round trip that does not give back the wall time means it fell into a gap. zoneinfo with fold=0 then
    # uses the offset from before the gap, which lands after the gap in UTC; the first valid local instant
    # at or after the wanted wall time is the end of the gap, i.e. the transition instant.
    back = datetime.fromtimestamp(epoch, zone).replace(tzinfo=None)
    if back != naive:
        before = naive.replace(tzinfo=zone, fold=1).timestamp()  # offset after the gap: earlier UTC instant
        lo, hi = int(min(before, epoch)), int(max(before, epoch))
        # The transition lies in (lo, hi]; find the first whole second whose local time reaches the wall time.
        while hi - lo > 1:
            mid = (lo + hi) // 2
            if datetime.fromtimestamp(mid, zone).replace(tzinfo=None) >= naive:
                hi = mid
            else:
                lo = mid
        epoch = float(hi)
    return epoch


def next_digest_at(
    digest_times: Sequence[str], timezone: str, now: float, *, chosen_now: bool = False
) -> float:
    """The next of the chat's local digest times strictly after ``now`` (UTC epoch).

    ``chosen_now``: times the user has just chosen. Chosen in the hour an autumn change repeats, the second time
    round (02:15 for the second time), a time later in that hour (02:30) is the one the clock shows next, not
    tomorrow's; a schedule that ran through the first 02:30 fires once, so otherwise only the first counts.
    """
    if not digest_times:
        raise ValueError("a digest needs at least one time of day")
    zone = _zone(timezone)
    local_now = datetime.fromtimestamp(now, zone)
    today = local_now.date()
    wall_now = local_now.replace(tzinfo=None)
    best: float | None = None
    # Two days ahead always suffices; start a day early because a local date and UTC can disagree.
    for offset in range(-1, 3):
        day = today + timedelta(days=offset)
        for hhmm in digest_times:
            at = local_instant(day, hhmm, zone)
            if chosen_now and at <= now:
                minutes = _minutes(hhmm)
                naive = datetime(day.year, day.month, day.day, minutes // 60, minutes % 60)
                again = naive.replace(tzinfo=zone, fold=1).timestamp()
                if wall_now < naive and datetime.fromtimestamp(again, zone).replace(tzinfo=None) == naive:
                    at = again
            if at > now and (best is None or at < best):
                best = at
    assert best is not None  # a time of day recurs every day, so some candidate is in the future
    return best


def in_quiet_hours(quiet_start: str | None, quiet_end: str | None, timezone: str, now: float) -> bool:
    """Whether ``now`` falls within the chat's local quiet hours (a range may wrap past midnight)."""
    if not quiet_start or not quiet_end:
        return False
    local = datetime.fromtimestamp(now, _zone(timezone))
    return is_quiet_time(quiet_start, quiet_end, f"{local.hour:02d}:{local.minute:02d}")


def is_quiet_time(quiet_start: str | None, quiet_end: str | None, hhmm: str) -> bool:
    """Whether the local time of day ``hhmm`` falls within quiet hours (a range may wrap past midnight)."""
    if not quiet_start or not quiet_end:
        return False
    start, end, current = _minutes(quiet_start), _minutes(quiet_end), _minutes(hhmm)
    if start == end:
        return False
    if start < end:
        return start <= current < end
    return current >= start or current < end


def moved_before_quiet_hours(
    digest_times: Sequence[str],
    quiet_start: str | None,
    quiet_end: str | None,
    timezone: str,
    at: float,
    now: float | None = None,
) -> bool:
    """Whether ``at`` is where a spring-forward gap moved one of the digest times that lie outside quiet hours,
    and ``now`` (default ``at``) is no later after it than that time's digest could be on any other night.

    With quiet hours 03:00-07:00, a 02:30 digest comes at 03:00 on the night the clocks skip 02:00-03:00: it is
    a digest time before the quiet hours, not one inside them, so they do not hold it until 07:00. Reached 30
    minutes late or more (a bot started again at 03:30), it is held, as a 02:30 digest reached at 03:00 is.
    """
    zone = _zone(timezone)
    local = datetime.fromtimestamp(at, zone)
    wall = f"{local.hour:02d}:{local.minute:02d}"
    late = 0.0 if now is None else now - at
    start = _minutes(quiet_start) if quiet_start else None
    return any(
        parse_time_of_day(hhmm) != wall
        and not is_quiet_time(quiet_start, quiet_end, hhmm)
        and (start is None or late < ((start - _minutes(hhmm)) % 1440) * 60)
        and local_instant(local.date(), hhmm, zone) == at
        for hhmm in digest_times
    )


def quiet_hours_end(quiet_start: str | None, quiet_end: str | None, timezone: str, now: float) -> float:
    """When the quiet hours around ``now`` end (UTC epoch); ``now`` itself when not in quiet hours."""
    if not quiet_end or not in_quiet_hours(quiet_start, quiet_end, timezone, now):
        return now
    zone = _zone(timezone)
    today = datetime.fromtimestamp(now, zone).date()
    for offset in range(0, 3):
        day = today + timedelta(days=offset)
        at = local_instant(day, quiet_end, zone)
        if at > now:
            return at
        # In the hour repeated by an autumn change, "now" can lie between the end time's first occurrence
        # (already past) and its second one: the quiet hours end at the second, not a day later.
        minutes = _minutes(quiet_end)
        naive = datetime(day.year, day.month, day.day, minutes // 60, minutes % 60)
        again = naive.replace(tzinfo=zone, fold=1).timestamp()
        if again > now and datetime.fromtimestamp(again, zone).replace(tzinfo=None) == naive:
            return again
    return now  # unreachable for valid input


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> float:
    """Epoch seconds of a UTC wall time; a small convenience for callers and tests."""
    return datetime(year, month, day, hour, minute, tzinfo=UTC).timestamp()
