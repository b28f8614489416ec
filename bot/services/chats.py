"""Chats: registration, delivery settings with validation, pause/resume, /stop, group migration."""

from __future__ import annotations

import asyncio
import re
import sqlite3
import unicodedata
from collections.abc import Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Literal

from bot import timezones
from bot.errors import UserError
from bot.render.text import quoted, unquoted
from bot.scheduling import next_digest_at, parse_time_of_day, quiet_hours_end
from bot.store.db import write_refused
from bot.store.models import Chat, ChatDefaults

if TYPE_CHECKING:
    from bot.clock import Clock
    from bot.config import Settings
    from bot.delivery import DeliveryService
    from bot.store import Database

SettingName = Literal["mode", "digest", "timezone", "quiet", "length", "pause", "resume"]

MAX_DIGEST_TIMES = 6
_TIME_LIST_SPLIT = re.compile(r"[,\s;]+")
# "22:00-07:00", with any dash, "to", or the tilde or wave dash a Japanese or Chinese keyboard types ("～" is "~"
# once full-width forms are read as ASCII).
_QUIET_SPLIT = re.compile(r"\s*(?:-|–|—|~|〜|to|\s)\s*")
_OFF_WORDS = frozenset({"off", "none", "no", "disable", "disabled", "0"})
# "0" is no off word for digests: "/settings digest 0" is a digest at midnight. The others are ("digest no" was
# "not a time of day", though "quiet no" turned quiet hours off).
_DIGEST_OFF_WORDS = (_OFF_WORDS - {"0"}) | {"stop"}
# What people type for a time of day: "8", "8am", "8:30 p.m.", "20.30", "08h00", "0800", "20h".
_LOOSE_TIME = re.compile(r"^(\d{1,2})(?:[:.h]?(\d{2}))?h?\s*(?:([ap])\.?m\.?)?$", re.IGNORECASE)
# "8:00 PM" must stay one time when a list is split at spaces.
_MERIDIEM_GAP = re.compile(r"(?<=\d)\s+(?=[ap]\.?m\b)", re.IGNORECASE)
_NAMED_TIMES = {"noon": "12:00", "midday": "12:00", "midnight": "00:00"}
# A number that is no summary length ("-1", "+4", "3.5"): the user typed a number, just not a whole one from 1 up.
_SIGNED_OR_DECIMAL = re.compile(r"[-+−]?\d+(?:[.,]\d+)?")

SETTINGS_USAGE = (
    "Try one of: /settings instant, /settings digest 08:00,18:00, /settings timezone Europe/Berlin, "
    "/settings quiet 22:00-07:00, /settings quiet off, /settings length 4, /settings pause, /settings resume."
)


class ChatService:
    """Everything about a chat itself (not what it follows)."""

    def __init__(
        self, *, db: Database, settings: Settings, clock: Clock, delivery: DeliveryService | None = None
    ) -> None:
        self._db = db
        self._settings = settings
        self._clock = clock
        # Told about every change, so alerts already on their way honour a pause or /stop at once.
        self._delivery = delivery

    @property
    def defaults(self) -> ChatDefaults:
        """What a new chat starts with."""
        return ChatDefaults(
            timezone=self._settings.timezone, summary_sentences=self._settings.summary_sentences
        )

    async def register(self, chat_id: int, type: str, title: str | None) -> tuple[Chat, bool]:
        """Create or refresh (and reactivate) the chat; True when it is new."""
        now = self._clock.now()

        registered = await self._db.chats.register(
            chat_id, type, title, self.defaults, now, lambda chat: _next_digest(chat, now)
        )
        if self._delivery is not None:
            # The sender noted a chat Telegram refused as inactive: back now, its next alert must not be dropped.
            self._delivery.chat_changed(chat_id)
        return registered

    async def ensure(self, chat_id: int, type: str, title: str | None) -> Chat:
        """The chat, registered only when missing, inactive or renamed (just a read in the common case)."""
        chat = await self._db.chats.get(chat_id)
        if chat is not None and chat.active and chat.type == type and chat.title == title:
            return chat
        chat, _ = await self.register(chat_id, type, title)
        return chat

    async def ensure_for_reading(self, chat_id: int, type: str, title: str | None) -> Chat:
        """As ``ensure``, for a command that only reads (/mysubs, /summary ID): when the database refuses the write
        (a full disk, another program's lock), the chat as stored, or unsaved as a new one starts; saved next time.

        The registration was the only write such a command made, and its failure answered "I could not save that".
        """
        try:
            return await self.ensure(chat_id, type, title)
        except sqlite3.OperationalError as exc:
            if not write_refused(exc):
                raise
        stored = await self._db.chats.get(chat_id)
        if stored is not None:
            return stored
        defaults = self.defaults
        return Chat(
            chat_id, type, title, timezone=defaults.timezone, summary_sentences=defaults.summary_sentences
        )

    async def get(self, chat_id: int) -> Chat | None:
        """The chat, or None when it never talked to us (or /stop deleted it)."""
        return await self._db.chats.get(chat_id)

    async def apply(self, chat_id: int, args: Sequence[str]) -> tuple[Chat, SettingName]:
        """Apply a /settings line such as ``["digest", "08:00,18:00"]``; UserError when it is wrong."""
        if not args:
            raise UserError(SETTINGS_USAGE)
        # "/settings length “4”" was told "“4” is not a number": the value may come in quotes of its own.
        name, rest = args[0].lower(), unquoted(" ".join(args[1:])).split()
        if name in ("instant", "alerts", "alert"):
            # "/settings instant off" turned alerts on, as if "off" had not been typed.
            _alone(name, rest, hint="for digests instead, /settings digest 08:00")
            return await self.set_mode(chat_id, "instant"), "mode"
        if name in ("digest", "digests"):
            if _turns_off(" ".join(rest), _DIGEST_OFF_WORDS, what="digests", setting="digest"):
                # "No more digests" can only mean alerts; the times stay for a later "/settings digest".
                return await self.set_mode(chat_id, "instant"), "mode"
            if rest:
                return await self.set_digest_times(chat_id, rest), "digest"
            return await self.set_mode(chat_id, "digest"), "mode"
        if name in ("timezone", "tz", "zone"):
            if not rest:
                raise UserError("Name your timezone, e.g. /settings timezone Europe/Berlin.")
            return await self.set_timezone(chat_id, " ".join(rest)), "timezone"
        if name in ("quiet", "quiethours"):
            return await self.set_quiet_hours(chat_id, " ".join(rest)), "quiet"
        if name in ("length", "sentences", "len"):
            if len(rest) == 2 and rest[1].lower().rstrip(".,!;") in ("sentence", "sentences"):
                # "/settings length 4 sentences" was told "Say how many sentences", which it had.
                rest = rest[:1]
            if not rest:
                raise UserError("Say how many sentences a summary should have, e.g. /settings length 4.")
            if len(rest) != 1:
                # "/settings length 4 5" was told "Say how many sentences", as if no number had been typed.
                raise UserError(
                    f"Give one number of sentences, not {quoted(' '.join(rest), 20)}; e.g. /settings length 4."
                )
            return await self.set_length(chat_id, rest[0]), "length"
        if name in ("pause", "mute"):
            # "/settings pause 2h" paused until a resume, the "2h" silently ignored; "pause off" paused too.
            _alone(name, rest, hint="a pause lasts until /settings resume")
            return await self.set_paused(chat_id, True), "pause"
        if name in ("resume", "unpause", "unmute"):
            _alone(name, rest)
            return await self.set_paused(chat_id, False), "resume"
        raise UserError(_unknown_setting(args))

    async def set_mode(self, chat_id: int, mode: Literal["instant", "digest"]) -> Chat:
        """Instant alerts, or digests at the chat's digest times."""
        chat = await self._require(chat_id)
        return await self._save(chat, replace(chat, mode=mode))

    async def set_digest_times(self, chat_id: int, words: Sequence[str]) -> Chat:
        """Digest mode at these local times ("08:00,18:00" or "08:00 18:00")."""
        times = parse_digest_times(" ".join(words))
        chat = await self._require(chat_id)
        return await self._save(chat, replace(chat, mode="digest", digest_times=times))

    async def set_timezone(self, chat_id: int, name: str) -> Chat:
        """The chat's IANA timezone ("europe/berlin", "Berlin", "New York" and "UTC+2" work too)."""
        # The first lookup reads the whole tz database from disk: keep that off the event loop.
        zone = await asyncio.to_thread(resolve_timezone, name)
        chat = await self._require(chat_id)
        return await self._save(chat, replace(chat, timezone=zone), timezone_chosen=True)

    async def set_quiet_hours(self, chat_id: int, text: str) -> Chat:
        """Quiet hours "22:00-07:00" (local), or "off"."""
        start, end = parse_quiet_hours(text)
        chat = await self._require(chat_id)
        return await self._save(chat, replace(chat, quiet_start=start, quiet_end=end))

    async def set_length(self, chat_id: int, value: str | int) -> Chat:
        """Summary length in sentences, 1-10."""
        chat = await self._require(chat_id)
        return await self._save(chat, replace(chat, summary_sentences=parse_length(value)))

    async def set_paused(self, chat_id: int, paused: bool) -> Chat:
        """Pause (nothing is delivered) or resume."""
        chat = await self._require(chat_id)
        return await self._save(chat, replace(chat, paused=paused))

    async def set_news_topic(self, chat_id: int, thread_id: int | None) -> None:
        """Send the chat's alerts and digests to this forum topic from now on (None: "General")."""
        await self._db.chats.set_thread(chat_id, thread_id, self._clock.now())
        if self._delivery is not None:
            self._delivery.chat_changed(chat_id)

    async def stop(self, chat_id: int) -> bool:
        """/stop confirmed: delete the chat with its subscriptions and deliveries."""
        deleted = await self._db.chats.delete(chat_id)
        if self._delivery is not None:
            self._delivery.chat_changed(chat_id)
        return deleted

    async def gone(self, chat_id: int, reason: str) -> None:
        """Telegram refuses this chat (the bot was blocked or removed): deliver nothing until it comes back.

        Its queue is dropped too, as the sender drops it on a 403: a digest row left pending for an inactive
        chat is never sent, and it would keep its article from being pruned for good.
        """
        now = self._clock.now()
        await self._db.chats.deactivate(chat_id, reason[:200], now)
        await self._db.deliveries.drop_chat(chat_id, reason[:200], now)
        if self._delivery is not None:
            self._delivery.chat_changed(chat_id)

    async def migrate(self, old_id: int, new_id: int) -> None:
        """A group became a supergroup: keep its settings and subscriptions under the new id."""
        now = self._clock.now()
        await self._db.chats.migrate(old_id, new_id, now, lambda chat: _next_digest(chat, now))
        if self._delivery is not None:
            self._delivery.chat_moved(old_id, new_id)

    async def _require(self, chat_id: int) -> Chat:
        chat = await self._db.chats.get(chat_id)
        if chat is None:
            raise UserError("This chat is not set up yet; send /start first.")
        return chat

    async def _save(self, old: Chat, chat: Chat, *, timezone_chosen: bool = False) -> Chat:
        now = self._clock.now()

        def due(stored: Chat) -> float | None:
            # From the next digest as stored when the settings are written: the digest sender may have sent and
            # recorded the digest due when ``old`` was read, and that time written back made it due again (a
            # second digest moments after the first, of what came in meanwhile).
            return _digest_due(replace(old, next_digest_at=stored.next_digest_at), chat, now)

        # Only /settings timezone stores a timezone: a zone this machine could not load (newer than its tz
        # database) is read as UTC, and any other change saved UTC over it for good.
        saved = await self._db.chats.save_settings(
            chat, now, keep_timezone=not timezone_chosen, next_digest=due
        )
        if self._delivery is not None:
            self._delivery.chat_changed(chat.id)
        return saved


def _digest_due(old: Chat, chat: Chat, now: float) -> float | None:
    """The next digest of ``chat``, the settings of ``old`` changed to its own at ``now``."""
    # The digest schedule depends on mode, times and timezone: recompute it when one of them changes. Any
    # other change keeps it, or a digest due but not yet sent (the tick runs every few seconds, and a batch
    # of thousands takes minutes) would be skipped to the next day.
    due = _next_digest(chat, now, chosen_now=True) if chat.mode == "digest" else None
    unchanged = (chat.mode, chat.digest_times, chat.timezone) == (
        old.mode,
        old.digest_times,
        old.timezone,
    )
    if unchanged and chat.mode == "digest" and old.next_digest_at is not None:
        due = old.next_digest_at
        quiet_changed = (chat.quiet_start, chat.quiet_end) != (old.quiet_start, old.quiet_end)
        if quiet_changed and _held_by_quiet_hours(old, now):
            # A digest held until the old quiet hours end: due now, so the next tick sends it, or holds it
            # until the new quiet hours end.
            due = now
    elif chat.mode == old.mode == "digest" and old.next_digest_at is not None:
        # New times or timezone while a digest is due (not yet picked up by a tick), being sent, or held by
        # quiet hours: that digest still goes out (a held one when the quiet hours end), and the new
        # schedule counts from it (the sender reads it when recording the digest). Counted from now, it
        # would move the digest owed to the new schedule's next time, tomorrow's perhaps.
        if old.next_digest_at <= now:
            due = old.next_digest_at
        elif _held_by_quiet_hours(old, now):
            due = now
        elif old.digest_times and old.next_digest_at < (_next_digest(old, now) or 0.0):
            # Sooner than its schedule's next time: a digest Telegram could not take yet (an outage, a 429),
            # waiting for its retry. It still goes then, or at the new schedule's first time if sooner.
            due = old.next_digest_at if due is None else min(due, old.next_digest_at)
    return due


def _held_by_quiet_hours(chat: Chat, now: float) -> bool:
    """The chat's next digest is one already owed, held until its quiet hours end: a digest time passed since
    the day before it fell in quiet hours that end then.

    Whether ``due`` is itself a digest time says nothing: quiet hours 07:00-09:00 hold the 08:00 digest until
    09:00, which may be a digest time too.
    """
    due = chat.next_digest_at
    if due is None or due <= now or not chat.digest_times:
        return False
    try:
        at = next_digest_at(chat.digest_times, chat.timezone, due - 86_400)
        while at <= now:
            if quiet_hours_end(chat.quiet_start, chat.quiet_end, chat.timezone, at) == due != at:
                return True
            at = next_digest_at(chat.digest_times, chat.timezone, at)
    except ValueError:
        pass  # times, timezone or quiet hours edited by hand into something unusable: nothing was held by them
    return False


def _next_digest(chat: Chat, now: float, *, chosen_now: bool = False) -> float | None:
    """The chat's next digest time, or None when its times or timezone are unusable (edited by hand in the
    database): the digest tick then schedules it at a fallback time and logs why, as for a chat with none.

    Raised instead, it failed every /settings change, the one that would have put them right too.
    """
    try:
        return next_digest_at(chat.digest_times, chat.timezone, now, chosen_now=chosen_now)
    except ValueError:
        return None


def _unknown_setting(args: Sequence[str]) -> str:
    """What to say to "/settings Europe/Berlin" or "/settings 8am": the setting that value belongs to."""
    value = " ".join(args)
    for guess in (
        lambda: f"/settings timezone {resolve_timezone(value)}",
        lambda: f"/settings length {parse_length(value)}",  # "/settings 4" more likely means this than 04:00
        lambda: f"/settings digest {','.join(parse_digest_times(value))}",
    ):
        try:
            return f"Did you mean {guess()}?"
        except UserError:
            pass
    return f"I don't know the setting {quoted(args[0], 40)}. {SETTINGS_USAGE}"


def parse_digest_times(text: str) -> tuple[str, ...]:
    """ "08:00,18:00" -> ("08:00", "18:00"); UserError naming the first bad time."""
    text = _halfwidth(text)
    parts = [p for p in _TIME_LIST_SPLIT.split(_MERIDIEM_GAP.sub("", text.strip())) if p]
    if not parts:
        raise UserError("Give at least one time of day, e.g. /settings digest 08:00,18:00.")
    if len(parts) > 4 * MAX_DIGEST_TIMES:
        raise UserError(f"At most {MAX_DIGEST_TIMES} digests a day, please.")
    # Counted after removing duplicates: "8am, 08:00" is one digest.
    times = sorted({_time_of_day(part) for part in parts})
    if len(times) > MAX_DIGEST_TIMES:
        raise UserError(f"At most {MAX_DIGEST_TIMES} digests a day, please.")
    return tuple(times)


def parse_quiet_hours(text: str) -> tuple[str | None, str | None]:
    """ "22:00-07:00" -> ("22:00", "07:00"); "off" -> (None, None)."""
    text = _halfwidth(text).strip().lower()
    if not text:
        raise UserError("Give quiet hours like /settings quiet 22:00-07:00, or /settings quiet off.")
    if _turns_off(text, _OFF_WORDS, what="quiet hours", setting="quiet"):
        return None, None
    parts = [p for p in _QUIET_SPLIT.split(_MERIDIEM_GAP.sub("", text)) if p]
    if len(parts) != 2:
        raise UserError("Write quiet hours as START-END, e.g. /settings quiet 22:00-07:00.")
    start, end = _time_of_day(parts[0]), _time_of_day(parts[1])
    if start == end:
        # "0-24" means all day, and was told "need different start and end times" though they differ as typed.
        raise UserError(
            f"Quiet hours from {start} to {end} would last all day: give two different times, e.g. "
            "/settings quiet 22:00-07:00. To get nothing for a while, use /settings pause."
        )
    return start, end


def _alone(name: str, rest: Sequence[str], *, hint: str = "") -> None:
    """UserError when a setting that takes no value got one ("/settings pause 2h"), rather than ignoring it."""
    if rest:
        extra = quoted(" ".join(rest), 20)
        raise UserError(f"Send /settings {name} alone, without {extra}" + (f"; {hint}." if hint else "."))


def _turns_off(text: str, off_words: frozenset[str], *, what: str, setting: str) -> bool:
    """True when ``text`` is an off word alone ("off"); UserError when more follows one ("off now")."""
    text = _halfwidth(text).strip().lower()
    if text in off_words:
        return True
    first, *extra = text.split(maxsplit=1) or [""]
    if first in off_words and not first.isdecimal() and extra:
        # "off now" was told "“off” is not a time of day", as if the times had been typed wrong.
        raise UserError(
            f"To turn {what} off, send /settings {setting} off alone, without {quoted(extra[0], 20)}."
        )
    return False


def _halfwidth(text: str) -> str:
    """Full-width digits and punctuation as ASCII: "８：００，１８：００" -> "8:00,18:00".

    A Japanese or Chinese keyboard types times that way. The time pattern's \\d already took full-width digits, so
    "８:00" worked while "８：００", as those keyboards type it, was "not a time of day".
    """
    return unicodedata.normalize("NFKC", text)


def parse_length(value: str | int) -> int:
    """Summary length 1-10; UserError otherwise."""
    if isinstance(value, int):
        n = value
    else:
        text = value.strip()
        if text[-1:] in (".", ",", "!", ";") and text[:-1].isdecimal():
            text = text[:-1]  # "/settings length 4." ends a sentence: it was told "“4.” is not a number"
        # int() would also take "1_0" and "+4"; a length is digits and nothing else.
        if not text.isdecimal():
            if _SIGNED_OR_DECIMAL.fullmatch(text):
                # "-1", "3.5" were told "is not a number", which they are.
                raise UserError(
                    f"A summary length is a whole number of sentences from 1 to 10, not {quoted(text, 20)}; "
                    "e.g. /settings length 4."
                )
            raise UserError(f"{quoted(text, 20)} is not a number; use 1 to 10, e.g. /settings length 4.")
        n = int(text)
    if not 1 <= n <= 10:
        raise UserError("A summary can have 1 to 10 sentences.")
    return n


def resolve_timezone(name: str) -> str:
    """The IANA zone for what a user typed ("europe/berlin", "Berlin", "UTC+2"); UserError otherwise."""
    try:
        return timezones.resolve_timezone(name)
    except timezones.TimezoneError as error:
        raise UserError(str(error)) from None


def _time_of_day(text: str) -> str:
    """A time of day as people type it ("8", "8pm", "0800", "20.30", "24:00") -> "HH:MM"; UserError otherwise."""
    shown = quoted(text, 20)
    if text.strip().lower() in _NAMED_TIMES:
        return _NAMED_TIMES[text.strip().lower()]
    match = _LOOSE_TIME.match(text.strip())
    if match is None:
        raise UserError(
            f"{shown} is not a time of day; write it as HH:MM, e.g. 08:00 or 20:30 (8am works too)."
        )
    hour, minute, meridiem = int(match.group(1)), int(match.group(2) or 0), (match.group(3) or "").lower()
    if meridiem:
        if not 1 <= hour <= 12:
            raise UserError(f"{shown} is not a valid time of day: with am/pm, hours go 1-12.")
        hour = hour % 12 + (12 if meridiem == "p" else 0)
    elif (hour, minute) == (24, 0):
        hour = 0  # "22:00-24:00": midnight at the end of the day is the same time of day
    try:
        return parse_time_of_day(f"{hour}:{minute:02d}")
    except ValueError:
        raise UserError(f"{shown} is not a valid time of day: hours go 00-23 and minutes 00-59.") from None
