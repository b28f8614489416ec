"""A chat changing its settings, pausing or leaving while its digest is due or its alerts are on the way."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import re
import time
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
from aiohttp import web

from bot.clock import FakeClock
from bot.delivery import DeliveryService, match_articles, plan_rows
from bot.delivery import service as delivery_module
from bot.emulator import BotApiEmulator
from bot.scheduling import utc
from bot.services.chats import ChatService
from bot.services.subscriptions import SubscriptionService
from bot.services.summaries import SummaryCache
from bot.store.deliveries import PlannedDelivery
from summaries.articles import Article
from summaries.topics import TopicCatalogue
from tests.conftest import MakeBot, make_settings, services_of
from tests.delivery.support import (
    LoopbackApi,
    Rig,
    add_chat,
    rig,
    store_article,
    texts,
    wait_until,
    wait_until_sent,
)


@pytest_asyncio.fixture
async def emulator() -> AsyncIterator[BotApiEmulator]:
    async with BotApiEmulator() as emu:
        yield emu


def chat_service(r: Rig) -> ChatService:
    return ChatService(db=r.db, settings=r.settings, clock=r.clock, delivery=r.delivery)


async def digest_chat_with_a_story(r: Rig, times: str = "08:00", *, quiet: str | None = None) -> ChatService:
    """Chat 7 following sport, with a digest at ``times`` (UTC; quiet hours ``quiet``) and a match report
    waiting for it; returns the ChatService its settings go through."""
    chats = chat_service(r)
    await add_chat(r, 7, topics=("sport",))
    await chats.set_digest_times(7, [times])
    if quiet is not None:
        await chats.apply(7, ["quiet", quiet])
    await r.delivery.plan_alerts([await store_article(r, "Match report", topics=("sport",))], r.clock.now())
    return chats


def apply_as_the_digest_is_recorded(
    r: Rig, monkeypatch: pytest.MonkeyPatch, chats: ChatService, change: list[str]
) -> asyncio.Event:
    """Make chat 7's /settings ``change`` land once, after the digest sender read the chat and before it records
    the digest; the event is set once it has."""
    record = r.db.chats.record_digest
    landed = asyncio.Event()

    async def change_then_record(chat_id: int, **kwargs: Any) -> None:
        if not landed.is_set():
            landed.set()
            await chats.apply(7, change)
        await record(chat_id, **kwargs)

    monkeypatch.setattr(r.db.chats, "record_digest", change_then_record)
    return landed


@pytest.mark.parametrize(
    ("change", "then"),
    [
        # Changes that leave the schedule as it was: tomorrow's 08:00 is next.
        *(
            (change, utc(2026, 1, 6, 8))
            for change in [
                ("length", "4"),
                ("quiet", "22:00-07:00"),
                ("digest", "08:00"),
                ("timezone", "UTC"),
                ("resume",),
            ]
        ),
        # Changes of the schedule: the new one counts from the digest due.
        (("timezone", "Europe/London"), utc(2026, 1, 6, 8)),  # 08:00 in London too: the same digest time
        (("digest", "08:00,20:00"), utc(2026, 1, 5, 20)),
        (("digest", "07:30,12:00"), utc(2026, 1, 5, 12)),
        (("timezone", "Asia/Tokyo"), utc(2026, 1, 5, 23)),  # then 08:00 in Tokyo
    ],
)
async def test_a_settings_change_just_after_digest_time_sends_the_digest_due(
    tmp_path: Path, emulator: BotApiEmulator, change: tuple[str, ...], then: float
) -> None:
    # 08:00:03: the digest is due, the next tick has not run yet, and the user changes a setting. A change of
    # the schedule computed it afresh from that moment: the 08:00 digest moved to the new schedule's next time
    # (tomorrow, for a timezone with the same clock), and the morning's news came that much later. It goes out
    # now, as a digest already being sent does, and the next is counted from it.
    clock = FakeClock(utc(2026, 1, 5, 7))
    async with rig(tmp_path, emulator, clock) as r:
        chats = await digest_chat_with_a_story(r)
        clock.set(utc(2026, 1, 5, 8) + 3)
        await chats.apply(7, list(change))
        assert await r.delivery.send_due_digests(clock.now()) == 1
        [digest] = emulator.messages(7)
        assert "Match report" in digest.text
        chat = await r.db.chats.get(7)
        assert chat is not None and chat.next_digest_at == then


@pytest.mark.parametrize(
    ("times", "change", "sent_at"),
    [
        ("08:00", ("timezone", "Europe/London"), utc(2026, 1, 5, 9)),
        ("08:00", ("digest", "08:00,20:00"), utc(2026, 1, 5, 9)),
        ("08:00,09:00", ("digest", "08:00,20:00"), utc(2026, 1, 5, 9)),
        ("08:00,09:00", ("quiet", "off"), utc(2026, 1, 5, 8, 30)),
    ],
)
async def test_a_change_while_quiet_hours_hold_a_digest_still_sends_it(
    tmp_path: Path, emulator: BotApiEmulator, times: str, change: tuple[str, ...], sent_at: float
) -> None:
    # Quiet hours 07:00-09:00 hold the 08:00 digest until 09:00. A new timezone (the same clock) or new times
    # chosen meanwhile moved it to the new schedule's next time, tomorrow's 08:00 (held again until 09:00) or
    # 20:00, and the morning's stories came that much later. With 09:00 a digest time too, the held digest was
    # taken for a scheduled one: new times moved it to 20:00, and quiet hours turned off left it waiting for 09:00
    # instead of sending it at once.
    clock = FakeClock(utc(2026, 1, 5, 6))
    async with rig(tmp_path, emulator, clock) as r:
        chats = await digest_chat_with_a_story(r, times, quiet="07:00-09:00")
        clock.set(utc(2026, 1, 5, 8))
        assert await r.delivery.send_due_digests(clock.now()) == 0  # held by quiet hours
        clock.set(utc(2026, 1, 5, 8, 30))
        await chats.apply(7, list(change))
        clock.set(sent_at + 5)
        assert await r.delivery.send_due_digests(clock.now()) == 1
        [digest] = emulator.messages(7)
        assert "Match report" in digest.text


async def test_digest_times_moved_later_before_the_digest_is_due_send_it_at_the_new_time_only(
    tmp_path: Path, emulator: BotApiEmulator
) -> None:
    # At 07:00 the chat moves its 08:00 digest to 18:00: nothing comes at 08:00, the stories come at 18:00.
    # (Only a digest already owed, due or waiting for a retry, keeps its old time.)
    clock = FakeClock(utc(2026, 1, 5, 6))
    async with rig(tmp_path, emulator, clock) as r:
        chats = await digest_chat_with_a_story(r)
        clock.set(utc(2026, 1, 5, 7))
        await chats.apply(7, ["digest", "18:00"])
        clock.set(utc(2026, 1, 5, 8) + 5)
        assert await r.delivery.send_due_digests(clock.now()) == 0
        assert emulator.messages(7) == []
        clock.set(utc(2026, 1, 5, 18) + 5)
        assert await r.delivery.send_due_digests(clock.now()) == 1
        [digest] = emulator.messages(7)
        assert "Match report" in digest.text


async def test_new_digest_times_chosen_while_a_digest_is_sent_are_kept(
    tmp_path: Path, emulator: BotApiEmulator
) -> None:
    clock = FakeClock(utc(2026, 1, 5, 7))
    async with rig(tmp_path, emulator, clock, digest_max_per_topic=50) as r:
        chats = chat_service(r)
        await add_chat(r, 7, topics=("sport",))
        await chats.set_digest_times(7, ["08:00"])
        summary = ("A long summary sentence that keeps going on and on about the match. " * 3,)
        stories = [
            await store_article(r, f"Story number {i} " + "x" * 150, topics=("sport",), summary=summary)
            for i in range(25)
        ]
        await r.delivery.plan_alerts(stories, clock.now())
        clock.set(utc(2026, 1, 5, 8))
        # A long digest goes out in parts a second apart; between them the user moves digests to 20:00.
        sending = asyncio.create_task(r.delivery.send_due_digests(clock.now()))
        await wait_until(lambda: len(emulator.messages(7)) >= 1)
        assert not sending.done()
        await chats.set_digest_times(7, ["20:00"])
        assert await sending == 25
        chat = await r.db.chats.get(7)
        assert chat is not None and chat.next_digest_at == utc(2026, 1, 5, 20)
        sent_before = len(emulator.messages(7))
        await r.delivery.plan_alerts([await store_article(r, "Evening news", topics=("sport",))], clock.now())
        clock.set(utc(2026, 1, 5, 20))
        assert await r.delivery.send_due_digests(clock.now()) == 1
        assert "Evening news" in emulator.messages(7)[sent_before].text


@pytest.mark.parametrize(
    ("change", "then"),
    [
        (("timezone", "Asia/Tokyo"), utc(2026, 1, 5, 23)),  # 08:00 in Tokyo, tonight in UTC
        (("digest", "08:00,20:00"), utc(2026, 1, 5, 20)),
        (("instant",), None),
    ],
)
async def test_a_settings_change_landing_as_a_sent_digest_is_recorded_sets_the_next_digest(
    tmp_path: Path,
    emulator: BotApiEmulator,
    monkeypatch: pytest.MonkeyPatch,
    change: tuple[str, ...],
    then: float | None,
) -> None:
    # The sender read the chat's schedule again after the digest went out, then recorded the next digest: a
    # /settings saved between the two (the digest still due, so it kept it due) was taken, but the next digest
    # followed the old one once (tomorrow's 08:00 UTC, not 08:00 in Tokyo tonight).
    clock = FakeClock(utc(2026, 1, 5, 7))
    async with rig(tmp_path, emulator, clock) as r:
        chats = await digest_chat_with_a_story(r)
        changed = apply_as_the_digest_is_recorded(r, monkeypatch, chats, list(change))
        clock.set(utc(2026, 1, 5, 8))
        assert await r.delivery.send_due_digests(clock.now()) == 1
        assert changed.is_set()
        chat = await r.db.chats.get(7)
        assert chat is not None and chat.next_digest_at == then


async def test_a_new_timezone_chosen_while_a_digest_fails_sets_the_next_digest(
    tmp_path: Path,
    emulator: BotApiEmulator,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    # A digest that failed unexpectedly (a garbled answer) was rescheduled by the chat as read when the tick found
    # it due: a timezone chosen while it was being sent was kept, but the next digest came at the old zone's time.
    clock = FakeClock(utc(2026, 1, 5, 7))
    async with rig(tmp_path, emulator, clock) as r:
        chats = await digest_chat_with_a_story(r)

        async def change_then_fail(*args: Any, **kwargs: Any) -> tuple[int, float | None]:
            await chats.apply(7, ["timezone", "Asia/Tokyo"])
            raise RuntimeError("a garbled answer")

        monkeypatch.setattr(r.delivery, "_send_digest_rows", change_then_fail)
        clock.set(utc(2026, 1, 5, 8))
        with caplog.at_level(logging.ERROR):
            assert await r.delivery.send_due_digests(clock.now()) == 0
        assert "digest for chat 7 failed" in caplog.text
        chat = await r.db.chats.get(7)
        assert chat is not None and chat.timezone == "Asia/Tokyo"
        assert chat.next_digest_at == utc(2026, 1, 5, 23)  # 08:00 in Tokyo
        assert await r.db.deliveries.counts_by_status() == {"pending": 1}  # for that digest


@pytest.mark.parametrize(
    ("quiet", "sent_at"), [("off", utc(2026, 1, 5, 8)), ("07:00-08:30", utc(2026, 1, 5, 8, 30))]
)
async def test_quiet_hours_changed_as_a_digest_is_held_by_them_hold_it_by_the_new_ones(
    tmp_path: Path, emulator: BotApiEmulator, monkeypatch: pytest.MonkeyPatch, quiet: str, sent_at: float
) -> None:
    # Quiet hours 07:00-09:00 hold the 08:00 digest until 09:00. Quiet hours changed just as the sender held it
    # (after it read the chat) held it until the old ones ended all the same: "quiet off" at 08:00 still
    # brought the digest at 09:00.
    clock = FakeClock(utc(2026, 1, 5, 6))
    async with rig(tmp_path, emulator, clock) as r:
        chats = await digest_chat_with_a_story(r, quiet="07:00-09:00")
        changed = apply_as_the_digest_is_recorded(r, monkeypatch, chats, ["quiet", quiet])
        clock.set(utc(2026, 1, 5, 8))
        assert await r.delivery.send_due_digests(clock.now()) == 0  # held
        assert changed.is_set()
        chat = await r.db.chats.get(7)
        assert chat is not None and chat.next_digest_at == sent_at
        clock.set(sent_at)
        assert await r.delivery.send_due_digests(clock.now()) == 1
        [digest] = emulator.messages(7)
        assert "Match report" in digest.text


@pytest.mark.parametrize(
    ("chosen_at", "then"),
    [
        (utc(2026, 10, 24, 23), utc(2026, 10, 25, 0, 30)),  # 01:00 CEST: the first 02:30 is next
        (utc(2026, 10, 25, 1, 15), utc(2026, 10, 25, 1, 30)),  # 02:15 CET, the second time round: 02:30 CET
        (utc(2026, 10, 25, 0, 45), utc(2026, 10, 26, 1, 30)),  # 02:45 CEST: 02:30 has passed, tomorrow's
    ],
)
async def test_a_digest_time_chosen_in_the_hour_autumn_repeats_comes_when_the_clock_shows_it_next(
    tmp_path: Path, emulator: BotApiEmulator, chosen_at: float, then: float
) -> None:
    # Berlin's clocks go back from 03:00 CEST to 02:00 CET on 2026-10-25. At 02:15 the second time round, a
    # digest at 02:30 was scheduled for the next night, though the clock showed 02:30 fifteen minutes later.
    clock = FakeClock(utc(2026, 10, 24, 12))
    async with rig(tmp_path, emulator, clock) as r:
        chats = chat_service(r)
        await add_chat(r, 7, topics=("sport",))
        await chats.apply(7, ["timezone", "Europe/Berlin"])
        await chats.set_digest_times(7, ["08:00"])
        await r.delivery.plan_alerts([await store_article(r, "Match report", topics=("sport",))], clock.now())
        clock.set(chosen_at)
        chat, _ = await chats.apply(7, ["digest", "02:30"])
        assert chat.next_digest_at == then
        clock.set(then)
        assert await r.delivery.send_due_digests(clock.now()) == 1
        [digest] = emulator.messages(7)
        assert "Match report" in digest.text
        # Once a night: the digest sent at the first 02:30 does not come again at the second.
        chat = await r.db.chats.get(7)
        assert chat is not None and chat.next_digest_at == max(then + 86_400, utc(2026, 10, 26, 1, 30))


class RateLimitedApi(LoopbackApi):
    """sendMessage answers 429 with a scripted retry_after for chosen chats (once each), 200 otherwise.

    ``storms`` makes a chat's next N sends answer 429 with a short retry_after.
    """

    def __init__(self) -> None:
        super().__init__()
        self.retry_after: dict[int, float] = {}
        self.storms: dict[int, int] = {}
        self.refused: dict[int, int] = {}
        self.delivered: dict[int, list[str]] = {}

    async def answer(self, request: web.Request) -> web.Response:
        form = await request.json() if request.content_type == "application/json" else await request.post()
        chat_id = int(str(form["chat_id"]))
        wait = self.retry_after.pop(chat_id, None)
        if self.storms.get(chat_id):
            self.storms[chat_id] -= 1
            wait = 0.01
        if wait is not None:
            self.refused[chat_id] = self.refused.get(chat_id, 0) + 1
            body = {
                "ok": False,
                "error_code": 429,
                "description": f"Too Many Requests: retry after {wait}",
                "parameters": {"retry_after": wait},
            }
            return web.Response(status=429, text=json.dumps(body), content_type="application/json")
        self.delivered.setdefault(chat_id, []).append(str(form["text"]))
        message = {"message_id": 1, "date": 0, "chat": {"id": chat_id, "type": "private"}}
        return web.json_response({"ok": True, "result": message})


@pytest_asyncio.fixture
async def api() -> AsyncIterator[RateLimitedApi]:
    server = RateLimitedApi()
    await server.start()
    yield server
    await server.stop()


async def test_an_hour_long_retry_after_on_one_digest_holds_no_other_digest(
    tmp_path: Path, emulator: BotApiEmulator, api: RateLimitedApi
) -> None:
    clock = FakeClock(utc(2026, 1, 5, 7))
    async with rig(tmp_path, emulator, clock, telegram_api_url=api.base_url) as r:
        chats = chat_service(r)
        for chat_id, at in ((7, "08:00"), (8, "08:00"), (9, "08:01")):
            await add_chat(r, chat_id, topics=("sport",), in_emulator=False)
            await chats.set_digest_times(chat_id, [at])
        await r.delivery.plan_alerts([await store_article(r, "Match report", topics=("sport",))], clock.now())
        api.retry_after = {7: 3600}
        clock.set(utc(2026, 1, 5, 8))
        r.delivery.schedule_due_digests(clock.now())
        await wait_until(lambda: 8 in api.delivered)
        clock.set(utc(2026, 1, 5, 8, 1))
        r.delivery.schedule_due_digests(clock.now())
        # Chat 9's digest is not held up by chat 7's hour-long wait.
        await wait_until(lambda: 9 in api.delivered, timeout=5)
        # Chat 7's story is kept, and its digest is tried again once the hour is over.
        await wait_until(lambda: r.delivery._digest_task is not None and r.delivery._digest_task.done())
        await wait_until(lambda: not r.delivery._digest_chats)
        assert await r.db.deliveries.counts_by_status() == {"sent": 2, "pending": 1}
        chat = await r.db.chats.get(7)
        assert chat is not None and chat.next_digest_at == utc(2026, 1, 5, 8) + 3600
        assert 7 not in api.delivered


async def test_a_digest_told_to_wait_after_its_first_part_sends_the_rest_after_the_wait_not_tomorrow(
    tmp_path: Path, emulator: BotApiEmulator, api: RateLimitedApi, monkeypatch: pytest.MonkeyPatch
) -> None:
    # "Part 1 of 3" arrived at 08:00, then Telegram asked for a long wait: parts 2 and 3 waited for the next
    # morning's digest, although a digest told to wait is tried again after the wait. (A wait over 30 s is
    # such a long one; over half a second here, to keep the test short.)
    monkeypatch.setattr(delivery_module, "DIGEST_MAX_RETRY_WAIT", 0.5)
    clock = FakeClock(utc(2026, 1, 5, 7))
    async with rig(tmp_path, emulator, clock, telegram_api_url=api.base_url, digest_max_per_topic=50) as r:
        await add_chat(r, 7, topics=("sport",), in_emulator=False)
        await chat_service(r).set_digest_times(7, ["08:00"])
        summary = ("A long summary sentence that keeps going on and on about the match. " * 3,)
        titles = [f"Story number {i} " + "x" * 150 for i in range(25)]
        stories = [await store_article(r, title, topics=("sport",), summary=summary) for title in titles]
        await r.delivery.plan_alerts(stories, clock.now())
        clock.set(utc(2026, 1, 5, 8))
        sending = asyncio.create_task(r.delivery.send_due_digests(clock.now()))
        await wait_until(lambda: 7 in api.delivered)
        api.retry_after = {7: 1.5}  # the answer to part 2
        shown = await sending
        assert 0 < shown < 25 and len(api.delivered[7]) == 1
        chat = await r.db.chats.get(7)
        assert chat is not None and chat.next_digest_at == utc(2026, 1, 5, 8) + 1.5
        # After the wait the rest goes out, each story once; the next digest is tomorrow's.
        clock.set(utc(2026, 1, 5, 8) + 2)
        assert await r.delivery.send_due_digests(clock.now()) == 25 - shown
        text = " ".join(api.delivered[7])
        assert all(text.count(title) == 1 for title in titles)
        chat = await r.db.chats.get(7)
        assert chat is not None and chat.next_digest_at == utc(2026, 1, 6, 8)


class ScriptedApi(LoopbackApi):
    """sendMessage answers each chat's scripted statuses in turn (429 with a short wait, or a proxy's 502), then 200."""

    def __init__(self) -> None:
        super().__init__()
        self.script: dict[int, list[int]] = {}
        self.delivered: dict[int, list[str]] = {}

    async def answer(self, request: web.Request) -> web.Response:
        form = await request.json() if request.content_type == "application/json" else await request.post()
        chat_id = int(str(form["chat_id"]))
        script = self.script.get(chat_id)
        status = script.pop(0) if script else 200
        if status == 429:
            body = {
                "ok": False,
                "error_code": 429,
                "description": "Too Many Requests: retry after 0.01",
                "parameters": {"retry_after": 0.01},
            }
            return web.Response(status=429, text=json.dumps(body), content_type="application/json")
        if status != 200:
            return web.Response(status=status, text="<html>Bad Gateway</html>", content_type="text/html")
        self.delivered.setdefault(chat_id, []).append(str(form["text"]))
        message = {"message_id": 1, "date": 0, "chat": {"id": chat_id, "type": "private"}}
        return web.json_response({"ok": True, "result": message})


async def test_one_network_error_after_a_few_429s_is_retried_not_a_digest_put_off_to_tomorrow(
    tmp_path: Path, emulator: BotApiEmulator
) -> None:
    # The digest's send counted 429s as network attempts: four short 429s and then one 502 from a proxy
    # were "5 network failures", and the 08:00 digest was put off to the next morning. The retry after the 502
    # waits 2 s, the backoff's first step: counted with the 429s before it, or at a flat minute, it came late.
    api = ScriptedApi()
    await api.start()
    try:
        clock = FakeClock(utc(2026, 1, 5, 7))
        async with rig(
            tmp_path, emulator, clock, telegram_api_url=api.base_url, rate_chat_interval_seconds=0.05
        ) as r:
            await add_chat(r, 8, topics=("sport",), in_emulator=False)
            await chat_service(r).set_digest_times(8, ["08:00"])
            await r.delivery.plan_alerts(
                [await store_article(r, "Match report", topics=("sport",))], clock.now()
            )
            api.script = {8: [429, 429, 429, 429, 502]}
            clock.set(utc(2026, 1, 5, 8))
            assert await asyncio.wait_for(r.delivery.send_due_digests(clock.now()), timeout=15.0) == 1
            assert ["Match report" in text for text in api.delivered[8]] == [True]
            assert await r.db.deliveries.counts_by_status() == {"sent": 1}
            chat = await r.db.chats.get(8)
            assert chat is not None and chat.next_digest_at == utc(2026, 1, 6, 8)
    finally:
        await api.stop()


async def test_an_alert_refused_with_429_is_retried_only_after_retry_after(
    tmp_path: Path, emulator: BotApiEmulator, api: RateLimitedApi
) -> None:
    # Telegram said "retry after 2": asking again sooner is refused again and, repeated, gets the bot limited
    # for longer. The per-chat interval (short here) must not stand in for Telegram's wait.
    async with rig(tmp_path, emulator, telegram_api_url=api.base_url, rate_chat_interval_seconds=0.05) as r:
        await add_chat(r, 7, topics=("sport",), in_emulator=False)
        api.retry_after = {7: 2}
        await r.delivery.start()
        await r.delivery.plan_alerts(
            [await store_article(r, "Match report", topics=("sport",))], r.clock.now()
        )
        await wait_until(lambda: api.refused.get(7) == 1)
        refused_at = time.monotonic()
        await wait_until(lambda: 7 in api.delivered, timeout=10)
        assert time.monotonic() - refused_at >= 1.8
        assert api.refused[7] == 1


class _RealTimeSkipping:
    """The pacer's clock: real time, plus the waits the test skips (a retry_after long enough that a loaded
    machine cannot outlast it before the test has checked the hold)."""

    def __init__(self) -> None:
        self._skipped = 0.0

    def __call__(self) -> float:
        return time.monotonic() + self._skipped

    def skip(self, seconds: float) -> None:
        self._skipped += seconds


async def test_a_chat_waiting_out_a_429_with_a_backlog_does_not_hold_up_other_chats_alerts(
    tmp_path: Path, emulator: BotApiEmulator, api: RateLimitedApi
) -> None:
    # A feed back after an outage brings one chat 40 alerts, and Telegram tells it to wait. The sender kept
    # claiming two more of that chat's alerts every pass until its window was full of them, so every other
    # chat's alert waited out the same retry_after.
    pace = _RealTimeSkipping()
    async with rig(
        tmp_path,
        emulator,
        pacing_clock=pace,
        telegram_api_url=api.base_url,
        rate_chat_interval_seconds=0.05,
    ) as r:
        await add_chat(r, 7, topics=("sport",), in_emulator=False)
        await add_chat(r, 8, topics=("business",), in_emulator=False)
        # Far longer than the test takes on a loaded machine (5 s ran out there): it ends when skipped below.
        api.retry_after = {7: 600}
        await r.delivery.start()
        backlog = [await store_article(r, f"Result {i}", topics=("sport",)) for i in range(40)]
        await r.delivery.plan_alerts(backlog, r.clock.now())
        await wait_until(lambda: api.refused.get(7) == 1)
        await asyncio.sleep(1.5)
        await r.delivery.plan_alerts(
            [await store_article(r, "Profit warning", topics=("business",))], r.clock.now()
        )
        await wait_until(lambda: 8 in api.delivered)
        assert 7 not in api.delivered  # still waiting out its 429
        pace.skip(600)
        # The backlog then arrives whole, in order, once each.
        # 15 s ran out on a loaded machine.
        await wait_until(lambda: len(api.delivered.get(7, [])) >= 40, timeout=60)
        await asyncio.sleep(0.3)
        titles = [text.split("</a>")[0].rsplit(">", 1)[-1] for text in api.delivered[7]]
        assert titles == [f"Result {i}" for i in range(40)]


async def test_429s_from_three_chats_at_once_hold_every_chat_for_the_wait(
    tmp_path: Path, emulator: BotApiEmulator, api: RateLimitedApi, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Three chats told to wait within a second means the bot as a whole is over Telegram's limit: sending on
    # to other chats meanwhile only earns longer waits.
    # "At once" on a loaded machine: its three sends took over a second there, and no chat was held.
    monkeypatch.setattr(delivery_module, "GLOBAL_429_WINDOW", 60.0)
    pace = _RealTimeSkipping()
    async with rig(
        tmp_path,
        emulator,
        pacing_clock=pace,
        telegram_api_url=api.base_url,
        rate_chat_interval_seconds=0.05,
    ) as r:
        for chat_id in (1, 2, 3):
            await add_chat(r, chat_id, topics=("sport",), in_emulator=False)
        await add_chat(r, 4, topics=("business",), in_emulator=False)
        # Far longer than the test takes on a loaded machine (2 s ran out there): it ends when skipped below.
        api.retry_after = {1: 600, 2: 600, 3: 600}
        await r.delivery.start()
        await r.delivery.plan_alerts(
            [await store_article(r, "Match report", topics=("sport",))], r.clock.now()
        )
        await wait_until(lambda: sum(api.refused.values()) == 3)
        await r.delivery.plan_alerts(
            [await store_article(r, "Profit warning", topics=("business",))], r.clock.now()
        )
        await asyncio.sleep(1.0)
        assert 4 not in api.delivered
        pace.skip(600)
        await wait_until(lambda: all(c in api.delivered for c in (1, 2, 3, 4)), timeout=10)


async def test_a_burst_of_429s_is_a_line_a_minute_naming_the_setting_to_lower(
    tmp_path: Path, emulator: BotApiEmulator, api: RateLimitedApi, caplog: pytest.LogCaptureFixture
) -> None:
    # Telegram allowing the bot less than NEWSBOT_RATE_OVERALL_PER_SECOND: every 429 of a fan-out logged a line
    # and every pause of all sends a warning, three lines a second, none saying what the operator could change.
    async with rig(tmp_path, emulator, telegram_api_url=api.base_url, rate_chat_interval_seconds=0.05) as r:
        for chat_id in range(1, 8):
            await add_chat(r, chat_id, topics=("sport",) if chat_id < 7 else ("business",), in_emulator=False)
        api.storms = {chat_id: 3 for chat_id in range(1, 7)}
        with caplog.at_level(logging.INFO, logger="bot.delivery"):
            await r.delivery.start()
            await r.delivery.plan_alerts(
                [await store_article(r, "Match report", topics=("sport",))], r.clock.now()
            )
            await wait_until(lambda: len(api.delivered) == 6, timeout=15)
            r.clock.advance(delivery_module.RATE_LIMITED_LOG_EVERY_SECONDS + 1)
            api.storms = {7: 1}
            await r.delivery.plan_alerts(
                [await store_article(r, "Profit warning", topics=("business",))], r.clock.now()
            )
            await wait_until(lambda: 7 in api.delivered, timeout=10)
            await r.delivery.aclose()
    told = [
        rec.getMessage()
        for rec in caplog.records
        if "429" in rec.getMessage() or "rate limited" in rec.getMessage()
    ]
    # The first 429 in full; the burst's first pause of all sends at once (held for a count until the next 429 a
    # minute later, a burst that ended was never told); the rest of the burst as one count a minute on; chat 7's,
    # within that minute, when the sender stops.
    assert len(told) == 4, told
    assert "pausing all sends" in told[1] and "lower NEWSBOT_RATE_OVERALL_PER_SECOND" in told[1], told
    assert "in 61 s" in told[2] and "lower NEWSBOT_RATE_OVERALL_PER_SECOND" in told[2], told
    assert told[3].startswith("Telegram answered 429 1 time in 0 s"), told
    # Every one of the 19 429s (6 chats 3 each, then chat 7's) is in a line: the first, then the counts.
    counts = [int(m) for line in told[1:] for m in re.findall(r"answered 429 (\d+) times?", line)]
    assert 1 + sum(counts) == 19, told


async def test_the_count_of_a_burst_of_429s_is_logged_once_its_minute_is_over(
    tmp_path: Path, emulator: BotApiEmulator, api: RateLimitedApi, caplog: pytest.LogCaptureFixture
) -> None:
    # "Telegram answered 429 N times" was written only when the next 429 came: the last burst's count never was.
    async with rig(tmp_path, emulator, telegram_api_url=api.base_url, rate_chat_interval_seconds=0.05) as r:
        for chat_id in range(1, 7):
            await add_chat(r, chat_id, topics=("sport",), in_emulator=False)
        api.storms = {chat_id: 3 for chat_id in range(1, 7)}
        with caplog.at_level(logging.INFO, logger="bot.delivery"):
            await r.delivery.start()
            await r.delivery.plan_alerts(
                [await store_article(r, "Match report", topics=("sport",))], r.clock.now()
            )
            await wait_until(lambda: len(api.delivered) == 6, timeout=15)

            def told() -> list[str]:
                return [rec.getMessage() for rec in caplog.records if "429" in rec.getMessage()]

            before = len(told())
            r.clock.advance(delivery_module.RATE_LIMITED_LOG_EVERY_SECONDS + 1)  # no 429 since
            await wait_until(lambda: len(told()) > before, timeout=5)
            await asyncio.sleep(0.5)  # and only once, not at every tick
            lines = told()
            await r.delivery.aclose()
    assert len(lines) == before + 1, lines
    assert lines[-1].startswith("Telegram answered 429 ") and " in 61 s" in lines[-1], lines
    counts = [int(m) for line in lines for m in re.findall(r"answered 429 (\d+) times?", line)]
    assert 1 + sum(counts) == 18, lines  # the first 429 in full, every other one in a count


async def test_a_digest_refused_with_429_is_sent_again_only_after_retry_after(
    tmp_path: Path, emulator: BotApiEmulator, api: RateLimitedApi
) -> None:
    # A short wait is waited out in line, but all of it: asking sooner is refused again by Telegram.
    async with rig(tmp_path, emulator, telegram_api_url=api.base_url, rate_chat_interval_seconds=0.05) as r:
        await add_chat(r, 7, topics=("sport",), in_emulator=False, mode="digest")
        await r.delivery.plan_alerts(
            [await store_article(r, "Match report", topics=("sport",))], r.clock.now()
        )
        api.retry_after = {7: 2}
        started = time.monotonic()
        assert await r.delivery.send_digest(7, r.clock.now(), on_demand=True) == 1
        assert time.monotonic() - started >= 1.8
        assert api.refused[7] == 1 and len(api.delivered[7]) == 1


async def test_a_restart_during_a_long_retry_after_waits_out_the_rest_of_it(
    tmp_path: Path, emulator: BotApiEmulator, api: RateLimitedApi
) -> None:
    clock = FakeClock(utc(2026, 1, 5, 12))
    async with rig(tmp_path, emulator, clock, telegram_api_url=api.base_url) as r:

        def restarted() -> DeliveryService:
            return DeliveryService(
                db=r.db, bot=r.bot, settings=r.settings, clock=clock, catalogue=TopicCatalogue.load(None)
            )

        await add_chat(r, 7, topics=("sport",), in_emulator=False)
        await add_chat(r, 8, topics=("sport",), in_emulator=False)
        api.retry_after = {7: 3600}
        await r.delivery.start()
        await r.delivery.plan_alerts([await store_article(r, "Match report", topics=("sport",))], clock.now())
        await wait_until(lambda: api.refused.get(7) == 1 and 8 in api.delivered)
        # Ten minutes into the hour Telegram asked chat 7 to wait, the bot restarts.
        clock.advance(600)
        await r.delivery.aclose()
        second = restarted()
        await second.start()
        try:
            await asyncio.sleep(0.5)  # many claims: the alert is due as far as its row goes
            assert 7 not in api.delivered and api.refused[7] == 1  # neither sent nor refused again
        finally:
            await second.aclose()
        assert await r.db.deliveries.counts_by_status() == {"sent": 1, "pending": 1}
        # The hour is over: the next start sends it at once.
        clock.advance(3000 + 1)
        third = restarted()
        await third.start()
        try:
            await wait_until(lambda: 7 in api.delivered, timeout=5)
        finally:
            await third.aclose()
        assert api.refused[7] == 1


async def test_a_storm_of_429s_parks_an_alert_and_postpones_a_digest_without_losing_either(
    tmp_path: Path, emulator: BotApiEmulator, api: RateLimitedApi, monkeypatch: pytest.MonkeyPatch
) -> None:
    # After 20 429s in a row (3 here, to keep the test short) the alert was marked failed and the digest's
    # stories too: lost, although Telegram had only said "later".
    monkeypatch.setattr(delivery_module, "MAX_RATE_LIMITED", 3)
    clock = FakeClock(utc(2026, 1, 5, 7))
    async with rig(tmp_path, emulator, clock, telegram_api_url=api.base_url) as r:
        chats = chat_service(r)
        await add_chat(r, 7, topics=("sport",), in_emulator=False)
        await add_chat(r, 8, topics=("sport",), in_emulator=False)
        await chats.set_digest_times(8, ["08:00"])
        api.storms = {7: 100, 8: 100}
        await r.delivery.start()
        await r.delivery.plan_alerts([await store_article(r, "Match report", topics=("sport",))], clock.now())
        await wait_until(lambda: api.refused.get(7, 0) >= 3)
        await wait_until(lambda: r.delivery._state.in_window == 0)
        assert await r.db.deliveries.counts_by_status() == {"pending": 2}
        clock.set(utc(2026, 1, 5, 8))
        assert await r.delivery.send_due_digests(clock.now()) == 0
        # (the parked alert is due again by now and back in the storm: "sending")
        assert set(await r.db.deliveries.counts_by_status()) <= {"pending", "sending"}
        chat = await r.db.chats.get(8)
        assert chat is not None and chat.next_digest_at is not None
        assert chat.next_digest_at >= utc(2026, 1, 5, 8) + delivery_module.OUTAGE_RETRY_SECONDS
        # The storm passes: both go out once they are due again.
        api.storms = {}
        clock.set(utc(2026, 1, 5, 9))
        r.delivery.wake()
        await wait_until(lambda: 7 in api.delivered)
        assert await r.delivery.send_due_digests(clock.now()) == 1
        assert [len(api.delivered[c]) for c in (7, 8)] == [1, 1]
        for _ in range(100):  # the sender writes its outcomes in batches
            if await r.db.deliveries.counts_by_status() == {"sent": 2}:
                break
            await asyncio.sleep(0.05)
        assert await r.db.deliveries.counts_by_status() == {"sent": 2}


@contextlib.asynccontextmanager
async def storm_on_chat_7(
    tmp_path: Path,
    emulator: BotApiEmulator,
    api: RateLimitedApi,
    monkeypatch: pytest.MonkeyPatch,
    refusals: int,
) -> AsyncIterator[Rig]:
    """A rig whose chat 7, following sport, is answered 429 ``refusals`` times in a row; an alert is parked at
    the third (MAX_RATE_LIMITED lowered to 3)."""
    monkeypatch.setattr(delivery_module, "MAX_RATE_LIMITED", 3)
    async with rig(tmp_path, emulator, telegram_api_url=api.base_url, rate_chat_interval_seconds=0.05) as r:
        await add_chat(r, 7, topics=("sport",), in_emulator=False)
        api.storms = {7: refusals}
        yield r


async def test_an_alert_is_parked_at_its_max_rate_limited_th_429_in_a_row_as_a_digest_is_postponed(
    tmp_path: Path, emulator: BotApiEmulator, api: RateLimitedApi, monkeypatch: pytest.MonkeyPatch
) -> None:
    # "20 429s in a row park an alert": the alert took one more (the 21st parked it), the digest 20.
    async with storm_on_chat_7(tmp_path, emulator, api, monkeypatch, refusals=100) as r:
        await r.delivery.start()
        await r.delivery.plan_alerts(
            [await store_article(r, "Match report", topics=("sport",))], r.clock.now()
        )
        await wait_until(lambda: api.refused.get(7, 0) >= 3)
        await wait_until(lambda: r.delivery._state.in_window == 0)
        assert api.refused[7] == 3
        assert await r.db.deliveries.counts_by_status() == {"pending": 1}


async def test_an_alert_parked_by_a_storm_of_429s_still_comes_before_the_chats_later_alerts(
    tmp_path: Path, emulator: BotApiEmulator, api: RateLimitedApi, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The alert parked at its MAX_RATE_LIMITED-th 429 waited 5 minutes while the chat's later alerts, the one
    # queued behind it and those still in the outbox, went out at once: the chat read them 1, 2, 0.
    async with storm_on_chat_7(tmp_path, emulator, api, monkeypatch, refusals=3) as r:
        arts = [await store_article(r, f"Result {i}", topics=("sport",), age=600.0 - i) for i in range(3)]
        await r.delivery.start()
        await r.delivery.plan_alerts(arts, r.clock.now())
        await wait_until(lambda: api.refused.get(7, 0) == 3)
        await wait_until(lambda: r.delivery._state.in_window == 0 and not r.delivery._tasks)
        # Planned while the first waits: it comes after it too.
        late = await store_article(r, "Result 3", topics=("sport",), age=0.0)
        await r.delivery.plan_alerts([late], r.clock.now())
        r.clock.advance(delivery_module.OUTAGE_RETRY_SECONDS + 100)
        r.delivery.wake()
        await wait_until(lambda: len(api.delivered.get(7, [])) == 4)
        order = [next(f"Result {i}" for i in range(4) if f"Result {i}" in text) for text in api.delivered[7]]
        assert order == ["Result 0", "Result 1", "Result 2", "Result 3"]
        await r.delivery.aclose()
        assert await r.db.deliveries.counts_by_status() == {"sent": 4}


async def test_an_alert_claimed_while_the_one_before_it_is_parked_after_429s_waits_for_it(
    tmp_path: Path, emulator: BotApiEmulator, api: RateLimitedApi, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The sender claims the chat's next alert while the park of the one before it is being written (the
    # database busy): it must not go out first.
    async with storm_on_chat_7(tmp_path, emulator, api, monkeypatch, refusals=3) as r:
        parking, gate = asyncio.Event(), asyncio.Event()
        park = r.db.deliveries.park

        async def slow_park(*args: object, **kwargs: object) -> None:
            parking.set()
            await gate.wait()
            await park(*args, **kwargs)  # type: ignore[arg-type]

        claimed = asyncio.Event()
        chats_by_ids = r.db.deliveries.chats_by_ids

        async def read_chats(chat_ids: list[int]) -> object:
            found = await chats_by_ids(chat_ids)
            if parking.is_set():  # the claim of Result 1: the sender takes it in hand right after this read
                claimed.set()
            return found

        monkeypatch.setattr(r.db.deliveries, "park", slow_park)
        monkeypatch.setattr(r.db.deliveries, "chats_by_ids", read_chats)
        await r.delivery.start()
        await r.delivery.plan_alerts([await store_article(r, "Result 0", topics=("sport",))], r.clock.now())
        await asyncio.wait_for(parking.wait(), 10)
        await r.delivery.plan_alerts([await store_article(r, "Result 1", topics=("sport",))], r.clock.now())
        r.delivery.wake()
        await asyncio.wait_for(claimed.wait(), 10)
        gate.set()
        await wait_until(lambda: r.delivery._state.in_window == 0 and not r.delivery._tasks)
        r.clock.advance(delivery_module.OUTAGE_RETRY_SECONDS + 100)
        r.delivery.wake()
        await wait_until(lambda: len(api.delivered.get(7, [])) == 2)
        assert ["Result 0" in api.delivered[7][0], "Result 1" in api.delivered[7][1]] == [True, True]


@pytest.mark.parametrize("leave", ["stop", "pause"])
async def test_stop_or_pause_ends_alerts_already_on_their_way(
    tmp_path: Path, emulator: BotApiEmulator, leave: str
) -> None:
    async with rig(tmp_path, emulator) as r:
        chats = chat_service(r)
        await add_chat(r, 7, topics=("sport",))
        arts = [await store_article(r, f"Result {i}", topics=("sport",)) for i in range(2)]
        await r.delivery.start()
        await r.delivery.plan_alerts(arts, r.clock.now())
        # The second alert waits a second behind the first (one message a second per chat).
        await wait_until(lambda: len(emulator.messages(7)) == 1)
        if leave == "stop":
            assert await chats.stop(7)
        else:
            await chats.set_paused(7, True)
        # The sender settles the second alert (sent or dropped) instead of the test sleeping past its slot.
        await wait_until(lambda: r.delivery._state.in_window == 0 and not r.delivery._tasks)
        await r.delivery.aclose()  # records the outcome now
        await emulator.wait_for_idle(quiet=0.3)
        assert len(emulator.messages(7)) == 1
        expected = {} if leave == "stop" else {"sent": 1, "dropped": 1}  # /stop deletes the chat's rows too
        assert await r.db.deliveries.counts_by_status() == expected


@pytest.mark.parametrize("leave", ["stop", "pause"])
async def test_a_stop_or_pause_landing_while_the_sender_reads_the_chat_ends_its_alert(
    tmp_path: Path, emulator: BotApiEmulator, monkeypatch: pytest.MonkeyPatch, leave: str
) -> None:
    async with rig(tmp_path, emulator) as r:
        chats = chat_service(r)
        await add_chat(r, 7, topics=("sport",))
        read_chats = r.db.deliveries.chats_by_ids
        left = False

        async def read_then_leave(chat_ids: list[int]) -> object:
            nonlocal left
            found = await read_chats(chat_ids)
            if not left:
                # The read is done (the chat not paused yet) and the user's /stop or pause is saved before the
                # sender takes the answer in: a loop busy with a fan-out makes that window real.
                left = True
                if leave == "stop":
                    assert await chats.stop(7)
                else:
                    await chats.set_paused(7, True)
            return found

        monkeypatch.setattr(r.db.deliveries, "chats_by_ids", read_then_leave)
        await r.delivery.start()
        await r.delivery.plan_alerts(
            [await store_article(r, "Late winner", topics=("sport",))], r.clock.now()
        )
        await wait_until(lambda: left)
        await wait_until(lambda: r.delivery._state.in_window == 0 and not r.delivery._tasks)
        await r.delivery.aclose()
        await emulator.wait_for_idle(quiet=0.3)
        # Told "your data is deleted" (or "paused"): the alert read as for the chat before must not follow.
        assert emulator.messages(7) == []
        expected = {} if leave == "stop" else {"dropped": 1}
        assert await r.db.deliveries.counts_by_status() == expected


@pytest.mark.parametrize("leave", ["stop", "pause"])
async def test_a_stop_or_pause_landing_while_the_sender_checks_the_rows_owner_ends_its_alert(
    tmp_path: Path, emulator: BotApiEmulator, monkeypatch: pytest.MonkeyPatch, leave: str
) -> None:
    async with rig(tmp_path, emulator) as r:
        chats = chat_service(r)
        await add_chat(r, 7, topics=("sport",))
        owner_of = r.db.deliveries.chat_of
        left = False

        async def read_then_leave(delivery_id: int) -> int | None:
            nonlocal left
            owner = await owner_of(delivery_id)
            if not left:
                # The sender re-read the chat (after a settings change) and then the row's owner: the user's
                # /stop or pause is saved between the two reads.
                left = True
                if leave == "stop":
                    assert await chats.stop(7)
                else:
                    await chats.set_paused(7, True)
            return owner

        monkeypatch.setattr(r.db.deliveries, "chat_of", read_then_leave)
        arts = [await store_article(r, f"Result {i}", topics=("sport",)) for i in range(2)]
        await r.delivery.start()
        await r.delivery.plan_alerts(arts, r.clock.now())
        # The second alert waits a second behind the first; a new summary length makes the sender read the chat
        # again before sending it.
        await wait_until(lambda: len(emulator.messages(7)) == 1)
        await chats.set_length(7, 4)
        await wait_until(lambda: left)
        await wait_until(lambda: r.delivery._state.in_window == 0 and not r.delivery._tasks)
        await r.delivery.aclose()
        await emulator.wait_for_idle(quiet=0.3)
        # Told "your data is deleted" (or "paused"): the second alert must not follow.
        assert len(emulator.messages(7)) == 1
        expected = {} if leave == "stop" else {"sent": 1, "dropped": 1}
        assert await r.db.deliveries.counts_by_status() == expected


async def test_back_to_instant_while_the_sender_moves_an_alert_into_the_digest_still_sends_it(
    tmp_path: Path, emulator: BotApiEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with rig(tmp_path, emulator) as r:
        chats = chat_service(r)
        await add_chat(r, 7, topics=("sport",))
        hold = r.db.deliveries.hold
        switched_back = False

        async def back_to_instant_first(
            ids: list[int], not_before: float, kind: str | None = None, *, status_from: str | None = None
        ) -> None:
            nonlocal switched_back
            if kind == "digest" and not switched_back:
                # The user taps "instant" again before the sender's write lands (behind a planning write, say).
                switched_back = True
                await chats.set_mode(7, "instant")
            await hold(ids, not_before, kind, status_from=status_from)  # type: ignore[arg-type]

        monkeypatch.setattr(r.db.deliveries, "hold", back_to_instant_first)
        arts = [await store_article(r, f"Result {i}", topics=("sport",)) for i in range(2)]
        await r.delivery.start()
        await r.delivery.plan_alerts(arts, r.clock.now())
        # The second alert waits a second behind the first; the chat switches to digests meanwhile, and back.
        await wait_until(lambda: len(emulator.messages(7)) == 1)
        await chats.set_digest_times(7, ["08:00"])
        # An instant chat gets no digest: a story moved into one at that moment used to wait for good.
        await wait_until(lambda: len(emulator.messages(7)) == 2)
        assert switched_back and "Result 1" in emulator.messages(7)[1].text
        await r.delivery.aclose()
        assert await r.db.deliveries.counts_by_status() == {"sent": 2}


async def test_stop_then_start_at_once_ends_the_alerts_on_their_way_to_the_old_chat(
    tmp_path: Path, emulator: BotApiEmulator
) -> None:
    async with rig(tmp_path, emulator) as r:
        chats = chat_service(r)
        await add_chat(r, 7, topics=("sport",))
        arts = [await store_article(r, f"Result {i}", topics=("sport",)) for i in range(2)]
        await r.delivery.start()
        await r.delivery.plan_alerts(arts, r.clock.now())
        # The second alert waits a second behind the first: the user confirms /stop, then sends /start.
        await wait_until(lambda: len(emulator.messages(7)) == 1)
        assert await chats.stop(7)
        await chats.register(7, "private", None)
        await wait_until(lambda: r.delivery._state.in_window == 0 and not r.delivery._tasks)
        await r.delivery.aclose()
        await emulator.wait_for_idle(quiet=0.3)
        # The new chat follows nothing yet: an alert of what the deleted one followed must not come.
        assert len(emulator.messages(7)) == 1
        assert await r.db.deliveries.counts_by_status() == {}


async def _an_alert_held_by_quiet_hours(r: Rig) -> ChatService:
    """Chat 7, quiet 22:00-07:00, with a "Late result" alert planned at night (held until 07:00)."""
    await add_chat(r, 7, topics=("sport",), quiet_start="22:00", quiet_end="07:00")
    await r.delivery.plan_alerts([await store_article(r, "Late result", topics=("sport",))], r.clock.now())
    return chat_service(r)


async def test_alerts_held_by_quiet_hours_are_dropped_by_pause_not_sent_after_resume(
    tmp_path: Path, emulator: BotApiEmulator
) -> None:
    clock = FakeClock(utc(2026, 1, 1, 23))
    async with rig(tmp_path, emulator, clock) as r:
        chats = await _an_alert_held_by_quiet_hours(r)
        await chats.set_paused(7, True)
        clock.set(utc(2026, 1, 2, 6))
        await chats.set_paused(7, False)
        # The sender starts only now: the pause itself must drop the held alert. (With the sender running, a
        # race with it decided whether a pause that forgot the held alert was caught.)
        clock.set(utc(2026, 1, 2, 7, 1))
        await r.delivery.start()
        r.delivery.wake()
        # Wait for the alert to be settled one way or the other (a held alert would be sent now), not a nap.
        for _ in range(200):
            counts = await r.db.deliveries.counts_by_status()
            if not {"pending", "sending"} & set(counts):
                break
            await asyncio.sleep(0.05)
        await emulator.wait_for_idle(quiet=0.3)
        assert emulator.messages(7) == []
        assert await r.db.deliveries.counts_by_status() == {"dropped": 1}


async def test_a_clock_put_right_backwards_does_not_stop_digests(
    tmp_path: Path, emulator: BotApiEmulator
) -> None:
    # The machine's clock ran a week ahead and was then corrected.
    clock = FakeClock(utc(2026, 1, 10, 7))
    async with rig(tmp_path, emulator, clock) as r:
        await digest_chat_with_a_story(r)
        clock.set(utc(2026, 1, 10, 8))
        assert await r.delivery.send_due_digests(clock.now()) == 1
        clock.set(utc(2026, 1, 3, 9))
        assert await r.delivery.send_due_digests(clock.now()) == 0
        await r.delivery.plan_alerts([await store_article(r, "Cup draw", topics=("sport",))], clock.now())
        clock.set(utc(2026, 1, 4, 8))
        assert await r.delivery.send_due_digests(clock.now()) == 1
        assert "Cup draw" in emulator.messages(7)[-1].text
        chat = await r.db.chats.get(7)
        assert chat is not None and chat.next_digest_at == utc(2026, 1, 5, 8)
        assert chat.last_digest_at == utc(2026, 1, 4, 8)


class StalledApi(LoopbackApi):
    """The first sendMessage hangs until released, then fails with 502; later ones succeed."""

    def __init__(self) -> None:
        super().__init__()
        self.arrived = asyncio.Event()
        self.release = asyncio.Event()
        self.delivered: list[str] = []

    async def answer(self, request: web.Request) -> web.Response:
        form = await request.json() if request.content_type == "application/json" else await request.post()
        if not self.arrived.is_set():
            self.arrived.set()
            await self.release.wait()
            return web.Response(status=502, text="upstream trouble")
        self.delivered.append(str(form["text"]))
        message = {"message_id": 1, "date": 0, "chat": {"id": int(str(form["chat_id"])), "type": "private"}}
        return web.json_response({"ok": True, "result": message})


async def test_switching_to_instant_while_a_failing_digest_is_sent_still_delivers_its_stories(
    tmp_path: Path, emulator: BotApiEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    from bot.delivery import service as delivery_module

    monkeypatch.setattr(delivery_module, "MAX_NETWORK_ATTEMPTS", 1)
    api = StalledApi()
    await api.start()
    try:
        async with rig(tmp_path, emulator, telegram_api_url=api.base_url) as r:
            chats = chat_service(r)
            await add_chat(r, 7, topics=("sport",), in_emulator=False)
            await chats.set_digest_times(7, ["08:00"])
            await r.delivery.plan_alerts(
                [await store_article(r, "Match report", topics=("sport",))], r.clock.now()
            )
            sending = asyncio.create_task(r.delivery.send_digest(7, r.clock.now(), on_demand=True))
            await asyncio.wait_for(api.arrived.wait(), 5)
            await chats.set_mode(7, "instant")  # while the digest is on its way
            api.release.set()
            assert await sending == 0  # Telegram was unreachable
            # The chat gets no digests any more: the story must come as an alert.
            await r.delivery.start()
            await wait_until(lambda: len(api.delivered) == 1)
            assert "Match report" in api.delivered[0]
            await r.delivery.aclose()  # records the outcome now rather than within the next 0.1 s
            assert await r.db.deliveries.counts_by_status() == {"sent": 1}
    finally:
        await api.stop()


async def test_stories_waiting_hours_for_a_digest_come_as_alerts_after_switching_to_instant(
    tmp_path: Path, emulator: BotApiEmulator
) -> None:
    # A morning digest chat switching to alerts at noon got its 8 stories waiting since the morning as one
    # "Catching up on earlier news" round-up, as if an outage had kept them: they were planned hours ago, and
    # the catch-up took every alert planned that long ago for one the sender never reached.
    clock = FakeClock(utc(2026, 1, 3, 9))
    async with rig(tmp_path, emulator, clock) as r:
        chats = chat_service(r)
        await add_chat(r, 7, topics=("sport",))
        await chats.set_digest_times(7, ["18:00"])
        titles = [f"Morning result {n}" for n in range(8)]
        articles = [await store_article(r, title, topics=("sport",), age=300) for title in titles]
        await r.delivery.plan_alerts(articles, clock.now())
        clock.set(utc(2026, 1, 3, 12))
        await chats.set_mode(7, "instant")
        await r.delivery.start()
        await wait_until(lambda: len(emulator.messages(7)) == len(titles), timeout=20)
        await emulator.wait_for_idle(quiet=0.3)
        assert [t.split("\n")[0] for t in texts(emulator, 7)] == [f"⚽ {t}" for t in titles]
        await r.delivery.aclose()
        assert await r.db.deliveries.counts_by_status() == {"sent": len(titles)}


class RevokedTokenApi(LoopbackApi):
    """sendMessage answers 401 Unauthorized (a token revoked in @BotFather) while ``revoked``, else 200."""

    def __init__(self) -> None:
        super().__init__()
        self.revoked = True
        self.refused = 0
        self.delivered: list[str] = []

    async def answer(self, request: web.Request) -> web.Response:
        form = await request.json() if request.content_type == "application/json" else await request.post()
        if self.revoked:
            self.refused += 1
            body = {"ok": False, "error_code": 401, "description": "Unauthorized"}
            return web.Response(status=401, text=json.dumps(body), content_type="application/json")
        self.delivered.append(str(form["text"]))
        message = {"message_id": 1, "date": 0, "chat": {"id": int(str(form["chat_id"])), "type": "private"}}
        return web.json_response({"ok": True, "result": message})


async def test_alerts_refused_for_a_revoked_token_stay_queued_for_the_next_start(
    tmp_path: Path, emulator: BotApiEmulator
) -> None:
    api = RevokedTokenApi()
    await api.start()
    try:
        async with rig(tmp_path, emulator, telegram_api_url=api.base_url) as r:
            for chat_id in (7, 8):
                await add_chat(r, chat_id, topics=("sport",), in_emulator=False)
            await r.delivery.start()
            await r.delivery.plan_alerts(
                [await store_article(r, "Match report", topics=("sport",))], r.clock.now()
            )
            await wait_until(lambda: api.refused >= 1)
            await asyncio.sleep(0.3)  # the other chat's alert, and a flush, had their chance
            # `newsbot run` stops on a refused token: nothing was delivered, so nothing may count as failed.
            await r.delivery.aclose()
            assert await r.db.deliveries.counts_by_status() == {"pending": 2}
            # The operator sets a valid token and starts again: both alerts go out.
            api.revoked = False
            restarted = DeliveryService(
                db=r.db, bot=r.bot, settings=r.settings, clock=r.clock, catalogue=TopicCatalogue.load(None)
            )
            await restarted.start()
            try:
                await wait_until(lambda: len(api.delivered) == 2)
            finally:
                await restarted.aclose()
            assert await r.db.deliveries.counts_by_status() == {"sent": 2}
    finally:
        await api.stop()


async def test_alerts_held_by_quiet_hours_go_into_the_first_digest_after_switching_to_digests(
    tmp_path: Path, emulator: BotApiEmulator
) -> None:
    clock = FakeClock(utc(2026, 1, 1, 23))
    async with rig(tmp_path, emulator, clock) as r:
        chats = await _an_alert_held_by_quiet_hours(r)
        # Held until 07:00; the user switches to a morning digest at 07:30 meanwhile.
        await chats.set_digest_times(7, ["07:30"])
        await r.delivery.plan_alerts(
            [await store_article(r, "Night transfer", topics=("sport",))], clock.now()
        )
        clock.set(utc(2026, 1, 2, 7, 30))
        assert await r.delivery.send_due_digests(clock.now()) == 2
        [digest] = emulator.messages(7)
        assert "Late result" in digest.text and "Night transfer" in digest.text
        # Nothing is left over for the sender to send as an alert, or to keep for tomorrow's digest.
        await r.delivery.start()
        r.delivery.wake()
        await asyncio.sleep(0.3)
        await emulator.wait_for_idle(quiet=0.3)
        assert len(emulator.messages(7)) == 1
        assert await r.db.deliveries.counts_by_status() == {"sent": 2}


@pytest.mark.parametrize("leave", ["stop", "pause"])
async def test_stop_or_pause_while_a_long_digest_is_sent_ends_it_after_the_part_in_flight(
    tmp_path: Path, emulator: BotApiEmulator, leave: str
) -> None:
    clock = FakeClock(utc(2026, 1, 5, 7))
    async with rig(tmp_path, emulator, clock, digest_max_per_topic=50) as r:
        chats = chat_service(r)
        await add_chat(r, 7, topics=("sport",))
        await chats.set_digest_times(7, ["08:00"])
        long_sentence = "A very long summary sentence that keeps going " * 4
        arts = [
            await store_article(r, f"Story {i} " + "x" * 150, topics=("sport",), summary=(long_sentence,))
            for i in range(25)
        ]
        await r.delivery.plan_alerts(arts, clock.now())
        clock.set(utc(2026, 1, 5, 8))
        # The first part reaches the chat and is still in flight when the user confirms /stop (or pauses).
        emulator.hold_answers(7)
        digest = asyncio.create_task(r.delivery.send_due_digests(clock.now()))
        await wait_until(lambda: len(emulator.messages(7)) == 1)
        if leave == "stop":
            assert await chats.stop(7)
        else:
            await chats.set_paused(7, True)
        emulator.release_answers(7)
        await digest
        await emulator.wait_for_idle(quiet=0.3)
        # Told "your data is deleted" (or "paused"): not one more part of that digest.
        assert len(emulator.messages(7)) == 1
        if leave == "stop":
            assert await r.db.chats.get(7) is None
            assert await r.db.deliveries.counts_by_status() == {}
        else:
            # What the paused digest did not show waits for the first digest after resuming.
            counts = await r.db.deliveries.counts_by_status()
            assert counts["pending"] > 0 and "sending" not in counts


@pytest.mark.parametrize("leave", ["stop", "pause"])
async def test_stop_or_pause_while_a_digest_waits_out_a_429_sends_none_of_it(
    tmp_path: Path, emulator: BotApiEmulator, api: RateLimitedApi, leave: str
) -> None:
    clock = FakeClock(utc(2026, 1, 5, 7))
    async with rig(tmp_path, emulator, clock, telegram_api_url=api.base_url) as r:
        chats = chat_service(r)
        await add_chat(r, 7, topics=("sport",), in_emulator=False)
        await chats.set_digest_times(7, ["08:00"])
        await r.delivery.plan_alerts([await store_article(r, "Match report", topics=("sport",))], clock.now())
        clock.set(utc(2026, 1, 5, 8))
        # The digest's first (and only) part is told to wait 2 s; the user confirms /stop (or pauses) meanwhile.
        api.retry_after = {7: 2}
        digest = asyncio.create_task(r.delivery.send_due_digests(clock.now()))
        await wait_until(lambda: api.refused.get(7) == 1)
        if leave == "stop":
            assert await chats.stop(7)
        else:
            await chats.set_paused(7, True)
        assert await digest == 0
        # Told "your data is deleted" (or "paused"): the digest must not arrive after that.
        assert 7 not in api.delivered
        counts = await r.db.deliveries.counts_by_status()
        assert counts == ({} if leave == "stop" else {"pending": 1})


async def test_a_group_migrated_while_its_long_digest_is_sent_gets_the_rest_in_the_supergroup(
    tmp_path: Path, emulator: BotApiEmulator
) -> None:
    clock = FakeClock(utc(2026, 1, 5, 7))
    async with rig(tmp_path, emulator, clock, digest_max_per_topic=50) as r:
        chats = chat_service(r)
        await add_chat(r, -100, topics=("sport",))
        await chats.set_digest_times(-100, ["08:00"])
        long_sentence = "A very long summary sentence that keeps going " * 4
        arts = [
            await store_article(r, f"Story {i} " + "x" * 150, topics=("sport",), summary=(long_sentence,))
            for i in range(25)
        ]
        await r.delivery.plan_alerts(arts, clock.now())
        clock.set(utc(2026, 1, 5, 8))
        emulator.hold_answers(-100)
        digest = asyncio.create_task(r.delivery.send_due_digests(clock.now()))
        await wait_until(lambda: len(emulator.messages(-100)) == 1)
        # The group becomes a supergroup and the bot handles the migration message before the next part.
        await emulator.migrate_chat(-100, -1001234, announce=False)
        await chats.migrate(-100, -1001234)
        emulator.release_answers(-100)
        assert await digest == 25
        shown = [m.text for m in emulator.messages(-100) + emulator.messages(-1001234)]
        assert sum(text.count("Story ") for text in shown) == 25
        assert len(emulator.messages(-1001234)) >= 1
        assert await r.db.deliveries.counts_by_status() == {"sent": 25}


async def test_a_digest_to_a_group_that_became_a_supergroup_with_its_own_copy_sends_each_story_there_once(
    tmp_path: Path, emulator: BotApiEmulator
) -> None:
    clock = FakeClock(utc(2026, 1, 5, 7))
    async with rig(tmp_path, emulator, clock) as r:
        chats = chat_service(r)
        await add_chat(r, -100, topics=("sport",))
        await chats.set_digest_times(-100, ["08:00"])
        cup = await store_article(r, "Cup final", topics=("sport",))
        assert await r.delivery.plan_alerts([cup], clock.now()) == 1
        # The group became a supergroup, which talked to the bot before the upgrade was known: it is
        # registered apart, follows sport too, and gets its own alert of the derby.
        await emulator.migrate_chat(-100, -1001234, announce=False)
        await add_chat(r, -1001234, topics=("sport",), type="supergroup", in_emulator=False)
        derby = await store_article(r, "Derby tonight", topics=("sport",))
        assert await r.delivery.plan_alerts([derby], clock.now()) == 2
        await r.delivery.start()
        await wait_until(lambda: bool(emulator.messages(-1001234)))
        clock.set(utc(2026, 1, 5, 8))
        # The group's digest learns of the upgrade from Telegram's answer and goes to the supergroup.
        assert await r.delivery.send_due_digests(clock.now()) == 1
        await emulator.wait_for_idle(quiet=0.3)
        shown = texts(emulator, -1001234)
        assert sum(text.count("Derby tonight") for text in shown) == 1
        assert sum(text.count("Cup final") for text in shown) == 1
        assert await r.db.deliveries.counts_by_status() == {"sent": 2}


async def test_a_group_merged_into_its_supergroup_mid_digest_still_gets_the_stories_only_the_group_had(
    tmp_path: Path, emulator: BotApiEmulator
) -> None:
    clock = FakeClock(utc(2026, 1, 5, 7))
    async with rig(tmp_path, emulator, clock) as r:
        chats = chat_service(r)
        await add_chat(r, -100, topics=("sport",))
        await chats.set_digest_times(-100, ["08:00"])
        # Escaped, each story fills a message of its own: part 1 story 1, part 2 story 2, part 3 story 3.
        signs = "&" * 300

        async def story(n: int) -> Article:
            title = f"Story {n} " + "&" * 192
            return await store_article(r, title, topics=("sport",), summary=(signs,), age=100.0 * n)

        first, third = await story(1), await story(3)
        assert await r.delivery.plan_alerts([first, third], clock.now()) == 2
        # The supergroup talked to the bot before the upgrade was known, and got the second story as an alert.
        # (Had its copy still waited, it would have gone in the merge, the group's copy being on its way.)
        await emulator.add_chat(-1001234, "supergroup")
        await add_chat(r, -1001234, topics=("sport",), type="supergroup", in_emulator=False)
        second = await story(2)
        assert await r.delivery.plan_alerts([second], clock.now()) == 2
        await r.delivery.start()
        await wait_until_sent(r, -1001234)
        clock.set(utc(2026, 1, 5, 8))
        emulator.hold_answers(-100)
        digest = asyncio.create_task(r.delivery.send_due_digests(clock.now()))
        await wait_until(lambda: len(emulator.messages(-100)) == 1)
        # The migration message is handled before the next part: the group's copy of story 2 goes in the merge.
        await emulator.migrate_chat(-100, -1001234, announce=False)
        await chats.migrate(-100, -1001234)
        emulator.release_answers(-100)
        await digest
        shown = [m.text for m in emulator.messages(-100) + emulator.messages(-1001234)]
        assert [sum(f"Story {i}" in text for text in shown) for i in (1, 2, 3)] == [1, 1, 1]
        # The group's copy of story 2 went in the merge: the supergroup's alert is its record.
        counts = await r.db.deliveries.counts_by_status()
        assert counts == {"sent": 3}


async def test_a_group_merged_into_its_supergroup_does_not_get_a_story_it_was_sent_again(
    tmp_path: Path, emulator: BotApiEmulator
) -> None:
    clock = FakeClock(utc(2026, 1, 5, 7))
    async with rig(tmp_path, emulator, clock) as r:
        chats = chat_service(r)
        await add_chat(r, -100, topics=("sport",))
        # The supergroup talked to the bot before the upgrade was known, and an admin set quiet hours there:
        # its copy of the story is held until 08:00, while the group gets the story at once.
        clock.advance(1)
        await emulator.add_chat(-1001234, "supergroup")
        await add_chat(
            r,
            -1001234,
            topics=("sport",),
            type="supergroup",
            in_emulator=False,
            quiet_start="06:00",
            quiet_end="08:00",
        )
        cup = await store_article(r, "Cup final", topics=("sport",))
        assert await r.delivery.plan_alerts([cup], clock.now()) == 2
        await r.delivery.start()
        await wait_until(lambda: len(emulator.messages(-100)) == 1)
        # The bot handles the migration message: the group's settings (known longer) win, without quiet hours.
        await emulator.migrate_chat(-100, -1001234, announce=False)
        await chats.migrate(-100, -1001234)
        clock.set(utc(2026, 1, 5, 8))
        r.delivery.wake()
        await wait_until_sent(r, -1001234)
        # The members read the group's history in the supergroup: the story was there once already.
        shown = texts(emulator, -100) + texts(emulator, -1001234)
        assert sum(text.count("Cup final") for text in shown) == 1, shown
        await r.delivery.aclose()
        assert await r.db.deliveries.counts_by_status() == {"sent": 1}


async def test_a_group_migrated_after_a_settings_change_gets_its_queued_alerts_in_the_supergroup(
    tmp_path: Path, emulator: BotApiEmulator
) -> None:
    async with rig(tmp_path, emulator) as r:
        await add_chat(r, -100, topics=("sport",))
        arts = [await store_article(r, f"Match report {i}", topics=("sport",)) for i in range(3)]
        await r.delivery.start()
        await r.delivery.plan_alerts(arts, r.clock.now())
        await wait_until(lambda: bool(emulator.messages(-100)))
        # While the other two wait for the group's pace (3 s each), an admin changes a setting, and then the
        # group becomes a supergroup and the bot handles its migration message. The two were dropped as
        # "chat inactive": the group's row was gone, and the sender never looked for where it went.
        await chat_service(r).set_length(-100, "2")
        await emulator.migrate_chat(-100, -1001234, announce=False)
        await chat_service(r).migrate(-100, -1001234)
        await wait_until(lambda: len(emulator.messages(-1001234)) == 2, timeout=15)
        state = r.delivery._state
        await wait_until(lambda: state.in_window == 0 and not r.delivery._tasks)
        await r.delivery.aclose()  # writes the last outcomes
        assert await r.db.deliveries.counts_by_status() == {"sent": 3}


class _GatedSummaries(SummaryCache):
    """The real cache; a longer summary is finished only once the test opens the gate (a slow summarize)."""

    def __init__(self) -> None:
        super().__init__()
        self.started = asyncio.Event()
        self.gate = asyncio.Event()

    async def summary_for(self, article: Article, sentences: int) -> list[str]:
        self.started.set()
        await self.gate.wait()
        return await super().summary_for(article, sentences)


@pytest.mark.parametrize("leave", ["stop", "pause", "digest"])
async def test_stop_pause_or_digest_mode_while_an_alerts_longer_summary_is_made_is_honoured(
    tmp_path: Path, emulator: BotApiEmulator, leave: str
) -> None:
    async with rig(tmp_path, emulator) as r:
        summaries = _GatedSummaries()
        delivery = DeliveryService(
            db=r.db,
            bot=r.bot,
            settings=r.settings,
            clock=r.clock,
            catalogue=TopicCatalogue.load(None),
            summaries=summaries,
        )
        chats = ChatService(db=r.db, settings=r.settings, clock=r.clock, delivery=delivery)
        body = " ".join(f"Sentence number {i} of the match report says something new." for i in range(12))
        await add_chat(r, 7, topics=("sport",), summary_sentences=6)
        art = await store_article(r, "Late winner", body, topics=("sport",))
        await delivery.start()
        try:
            await delivery.plan_alerts([art], r.clock.now())
            # The sender has read the chat and is making the 6-sentence summary when the user answers.
            await asyncio.wait_for(summaries.started.wait(), 10)
            if leave == "stop":
                assert await chats.stop(7)
            elif leave == "pause":
                await chats.set_paused(7, True)
            else:
                await chats.set_mode(7, "digest")
            summaries.gate.set()
            await wait_until(lambda: delivery._state.in_window == 0 and not delivery._tasks)
        finally:
            await delivery.aclose()
        await emulator.wait_for_idle(quiet=0.3)
        assert emulator.messages(7) == []
        expected = {"stop": {}, "pause": {"dropped": 1}, "digest": {"pending": 1}}[leave]
        assert await r.db.deliveries.counts_by_status() == expected


async def _plan_read(r: Rig, art: Article) -> list[PlannedDelivery]:
    """plan_alerts' first steps: the rows it would store, read from the chats as they are now."""
    subscriptions, targets = await r.db.deliveries.planning_targets()
    return plan_rows(match_articles([art], subscriptions), targets, r.clock.now())


@pytest.mark.parametrize("switch", ["instant", "digest"])
async def test_a_mode_switch_while_alerts_are_planned_neither_loses_nor_doubles_the_story(
    tmp_path: Path, emulator: BotApiEmulator, switch: str
) -> None:
    clock = FakeClock(utc(2026, 1, 5, 7))
    async with rig(tmp_path, emulator, clock) as r:
        chats = chat_service(r)
        await add_chat(r, 7, topics=("sport",))
        if switch == "instant":
            await chats.set_digest_times(7, ["08:00"])
        art = await store_article(r, "Late winner", topics=("sport",))
        # plan_alerts' steps, with the user's /settings landing between reading the plan and storing it (the
        # matching runs in a thread and takes seconds for many chats).
        rows = await _plan_read(r, art)
        await chats.set_mode(7, switch)  # type: ignore[arg-type]
        assert await r.db.deliveries.plan(rows, clock.now(), [art.id or 0]) == 1
        await r.delivery.start()
        if switch == "instant":
            # Planned as a digest row for a chat that now gets alerts only: it used to wait for a digest that
            # never comes.
            await wait_until(lambda: len(emulator.messages(7)) == 1)
            assert "Late winner" in emulator.messages(7)[0].text
        else:
            r.delivery.wake()
            clock.set(utc(2026, 1, 5, 8))
            assert await r.delivery.send_due_digests(clock.now()) == 1
            [digest] = emulator.messages(7)
            assert "Late winner" in digest.text and "digest" in digest.text.lower()
        await r.delivery.aclose()
        assert await r.db.deliveries.counts_by_status() == {"sent": 1}


async def test_a_group_migrated_while_alerts_are_planned_gets_them_in_the_supergroup(
    tmp_path: Path, emulator: BotApiEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with rig(tmp_path, emulator) as r:
        chats = chat_service(r)
        await add_chat(r, -100, topics=("sport",))
        art = await store_article(r, "Late winner", topics=("sport",))
        read_plan = r.db.deliveries.planning_targets

        async def read_then_migrate() -> object:
            found = await read_plan()
            # The group becomes a supergroup (the bot handles the service message) while the plan is matched,
            # in a thread that takes seconds for many chats.
            await emulator.migrate_chat(-100, -1001234, announce=False)
            await chats.migrate(-100, -1001234)
            return found

        monkeypatch.setattr(r.db.deliveries, "planning_targets", read_then_migrate)
        assert await r.delivery.plan_alerts([art], r.clock.now()) == 1
        await r.delivery.start()
        # The group was planned under its old id: the story used to be skipped, and never planned again.
        await wait_until(lambda: len(emulator.messages(-1001234)) == 1)
        assert "Late winner" in emulator.messages(-1001234)[0].text
        await r.delivery.aclose()
        assert await r.db.deliveries.counts_by_status() == {"sent": 1}


async def test_alerts_planned_after_a_group_became_a_supergroup_do_not_stall_the_bot(
    tmp_path: Path, emulator: BotApiEmulator
) -> None:
    # Once one group had become a supergroup, every plan the process wrote after it copied each of its rows
    # on the event loop to rename that group's (a chunk of 20 articles for 10,000 chats: up to 200,000 rows,
    # half a second with no update handled, chunk after chunk of a big poll).
    async with rig(tmp_path, emulator) as r:
        r.delivery.chat_moved(-100, -1001234)
        rows = [PlannedDelivery(chat_id, 1, 1, "alert", "sport", 1.0, 0.0) for chat_id in range(1, 200_001)]
        longest = 0.0
        planning = True

        async def tick() -> None:
            # The event loop thread's own CPU time between two ticks: the work done on the loop. Wall time
            # also counted the waits for a CPU other programs hold (over 1 s on a loaded machine).
            nonlocal longest
            last = time.thread_time()
            while planning:
                await asyncio.sleep(0.005)
                longest = max(longest, time.thread_time() - last)
                last = time.thread_time()

        ticker = asyncio.create_task(tick())
        await asyncio.sleep(0.05)
        await r.delivery._store_plan(rows, r.clock.now(), ())  # chats the database does not know: none stored
        planning = False
        await ticker
        assert longest < 0.15, longest


@pytest.mark.parametrize("leave", ["pause", "blocked"])
async def test_a_digest_chat_paused_or_blocked_while_alerts_are_planned_gets_no_backlog(
    tmp_path: Path, emulator: BotApiEmulator, leave: str
) -> None:
    clock = FakeClock(utc(2026, 1, 5, 7))
    async with rig(tmp_path, emulator, clock) as r:
        chats = chat_service(r)
        await add_chat(r, 7, topics=("sport",))
        await chats.set_digest_times(7, ["08:00"])
        art = await store_article(r, "Late winner", topics=("sport",))
        rows = await _plan_read(r, art)
        if leave == "pause":
            await chats.set_paused(7, True)
        else:
            await chats.gone(7, "forbidden: bot was blocked by the user")
        # Planned a moment later, the chat would have had nothing: a row stored now used to wait in the queue
        # (paused: delivered as a backlog after resuming; blocked: pending for good, its article never pruned).
        assert await r.db.deliveries.plan(rows, clock.now(), [art.id or 0]) == 0
        assert await r.db.deliveries.counts_by_status() == {}


async def test_undated_items_of_a_poll_reach_the_chat_after_the_dated_ones(
    tmp_path: Path, emulator: BotApiEmulator
) -> None:
    # A timeline ends with the newest: an item without a date cannot be placed, so it comes last, after the
    # dated news, never above the oldest of them.
    async with rig(tmp_path, emulator) as r:
        await add_chat(r, 7, topics=("sport",))
        now = r.clock.now()
        undated = replace(
            await store_article(r, "Club news without a date", topics=("sport",)), published=None
        )
        newer = replace(
            await store_article(r, "Evening match report", topics=("sport",)),
            published=datetime.fromtimestamp(now - 60, UTC),
        )
        older = replace(
            await store_article(r, "Morning training notes", topics=("sport",)),
            published=datetime.fromtimestamp(now - 3600, UTC),
        )
        await r.delivery.start()
        assert await r.delivery.plan_alerts([undated, newer, older], now) == 3
        await wait_until(lambda: len(emulator.messages(7)) == 3)
        titles = ("Morning training notes", "Evening match report", "Club news without a date")
        texts = [m.text for m in emulator.messages(7)]
        assert [title for text in texts for title in titles if title in text] == list(titles)


async def test_a_digest_chat_paused_past_its_digest_time_gets_no_stale_stories_after_resuming(
    tmp_path: Path, emulator: BotApiEmulator
) -> None:
    # Pause dropped queued alerts but kept the stories waiting for a digest: a chat paused for months kept
    # their articles from ever being pruned (a warning every day), and after resuming its first digest
    # carried months-old news. The digest time that passes while paused drops them, as an alert due then is.
    clock = FakeClock(utc(2026, 1, 5, 12))
    async with rig(tmp_path, emulator, clock) as r:
        chats = chat_service(r)
        await add_chat(r, 7, topics=("sport",))
        await chats.set_digest_times(7, ["18:00"])
        await r.delivery.plan_alerts([await store_article(r, "Cup final", topics=("sport",))], clock.now())
        await chats.set_paused(7, True)
        clock.set(utc(2026, 1, 5, 18))
        assert await r.delivery.send_due_digests(clock.now()) == 0
        assert await r.db.deliveries.counts_by_status() == {"dropped": 1}
        clock.set(utc(2026, 4, 1, 12))  # months later, as the daily prune runs
        older_than = clock.now() - r.settings.retention_days * 86400.0
        assert await r.db.articles.prune(older_than, clock.now()) == 1
        assert await r.db.articles.held_from_pruning(older_than) == 0
        await chats.set_paused(7, False)
        await r.delivery.plan_alerts([await store_article(r, "Spring derby", topics=("sport",))], clock.now())
        clock.set(utc(2026, 4, 1, 18))
        assert await r.delivery.send_due_digests(clock.now()) == 1
        [digest] = emulator.messages(7)
        assert "Spring derby" in digest.text and "Cup final" not in digest.text


async def test_a_digest_chat_paused_and_resumed_before_its_digest_time_still_gets_its_stories(
    tmp_path: Path, emulator: BotApiEmulator
) -> None:
    # Nothing was due while it was paused, so nothing is lost: the stories wait for the digest as before.
    clock = FakeClock(utc(2026, 1, 5, 12))
    async with rig(tmp_path, emulator, clock) as r:
        chats = chat_service(r)
        await add_chat(r, 7, topics=("sport",))
        await chats.set_digest_times(7, ["18:00"])
        await r.delivery.plan_alerts([await store_article(r, "Cup final", topics=("sport",))], clock.now())
        await chats.set_paused(7, True)
        clock.set(utc(2026, 1, 5, 13))
        await chats.set_paused(7, False)
        clock.set(utc(2026, 1, 5, 18))
        assert await r.delivery.send_due_digests(clock.now()) == 1
        [digest] = emulator.messages(7)
        assert "Cup final" in digest.text


def subscription_service(r: Rig) -> SubscriptionService:
    return SubscriptionService(
        db=r.db, catalogue=TopicCatalogue.load(None), clock=r.clock, delivery=r.delivery
    )


async def _unfollow_sport(r: Rig, chat_id: int, how: str) -> None:
    """The chat stops following sport: by /unsubscribe or by tapping its button off in /topics."""
    subscriptions = subscription_service(r)
    if how == "button":
        toggle = await subscriptions.toggle_topic(
            chat_id, "sport", chat_type="private" if chat_id > 0 else "group"
        )
        assert not toggle.on
    else:
        assert [t.id for t in (await subscriptions.unfollow(chat_id, how)).topics] == ["sport"]


@pytest.mark.parametrize("how", ["sport", "button"])
@pytest.mark.parametrize("chat_id", [7, -100])
async def test_a_digest_after_unsubscribing_holds_no_story_of_what_was_dropped_and_the_rest_once(
    tmp_path: Path, emulator: BotApiEmulator, chat_id: int, how: str
) -> None:
    # /unsubscribe sport at noon: the 18:00 digest still brought the sport stories queued in the morning.
    # A story that also matches what the chat still follows comes once, under that.
    clock = FakeClock(utc(2026, 1, 5, 9))
    async with rig(tmp_path, emulator, clock) as r:
        await add_chat(r, chat_id, topics=("sport", "business"), keywords=("tesla",))
        await chat_service(r).set_digest_times(chat_id, ["18:00"])
        sponsor = "The league signs a sponsor deal with Tesla for the season."
        first = [
            await store_article(r, "Cup final tonight", topics=("sport",)),
            await store_article(r, "Club sold to investors", topics=("sport", "business")),
            await store_article(r, "League names its sponsor", sponsor, topics=("sport",)),
            await store_article(r, "Bank merger agreed", topics=("business",)),
            await store_article(r, "Derby moved to Sunday", topics=("sport",)),
        ]
        await r.delivery.plan_alerts(first, clock.now())
        # The derby's second report, from another source, names Tesla; its story was planned already.
        derby = first[-1]
        second = await store_article(
            r,
            "Derby moved for the Tesla launch",
            "Tesla books the stadium.",
            topics=("sport",),
            source="Wire B",
            story_id=derby.story_id,
        )
        await r.delivery.plan_alerts([second], clock.now())
        clock.set(utc(2026, 1, 5, 12))
        await _unfollow_sport(r, chat_id, how)
        clock.set(utc(2026, 1, 5, 18))
        assert await r.delivery.send_due_digests(clock.now()) == 4
        [digest] = emulator.messages(chat_id)
        text = digest.text
        assert "Cup final" not in text and "⚽ Sport" not in text
        for title in ("Club sold to investors", "League names its sponsor", "Bank merger agreed"):
            assert text.count(title) == 1, text
        assert text.count("Derby moved for the Tesla launch") == 1 and "Derby moved to Sunday" not in text
        assert (
            text.index("💼 Business")
            < text.index("Club sold")
            < text.index("🔎 tesla")
            < text.index("League")
        )
        assert await r.db.deliveries.counts_by_status() == {"sent": 4, "dropped": 1}


@pytest.mark.parametrize("chat_id", [7, -100])
async def test_a_digest_chat_that_unsubscribes_from_all_gets_no_digest_of_what_was_queued(
    tmp_path: Path, emulator: BotApiEmulator, chat_id: int
) -> None:
    clock = FakeClock(utc(2026, 1, 5, 9))
    async with rig(tmp_path, emulator, clock) as r:
        await add_chat(r, chat_id, topics=("sport",), keywords=("tesla",))
        await chat_service(r).set_digest_times(chat_id, ["18:00"])
        await r.delivery.plan_alerts(
            [
                await store_article(r, "Cup final tonight", topics=("sport",)),
                await store_article(r, "Tesla news", "Tesla."),
            ],
            clock.now(),
        )
        assert (await subscription_service(r).unfollow(chat_id, "all")).removed_all == 2
        clock.set(utc(2026, 1, 5, 18))
        assert await r.delivery.send_due_digests(clock.now()) == 0
        assert emulator.messages(chat_id) == []
        assert await r.db.deliveries.counts_by_status() == {"dropped": 2}


@pytest.mark.parametrize("chat_id", [7, -100])
async def test_alerts_held_by_quiet_hours_for_a_keyword_dropped_at_midnight_do_not_come_in_the_morning(
    tmp_path: Path, emulator: BotApiEmulator, chat_id: int
) -> None:
    clock = FakeClock(utc(2026, 1, 1, 21))
    async with rig(tmp_path, emulator, clock) as r:
        await add_chat(
            r, chat_id, topics=("business",), keywords=("tesla",), quiet_start="22:00", quiet_end="07:00"
        )
        clock.set(utc(2026, 1, 1, 23))
        await r.delivery.plan_alerts(
            [
                await store_article(r, "Tesla recalls cars", "Tesla recalls cars."),
                await store_article(r, "Bank merger agreed", topics=("business",)),
            ],
            clock.now(),
        )
        assert await _held_until_morning(r)
        clock.set(utc(2026, 1, 2, 0))
        assert (await subscription_service(r).unfollow(chat_id, "tesla")).keywords == ["tesla"]
        clock.set(utc(2026, 1, 2, 7, 1))
        await r.delivery.start()
        r.delivery.wake()
        await wait_until(lambda: len(emulator.messages(chat_id)) == 1)
        await emulator.wait_for_idle(quiet=0.3)
        [alert] = texts(emulator, chat_id)
        assert "Bank merger agreed" in alert
        await r.delivery.aclose()
        assert await r.db.deliveries.counts_by_status() == {"sent": 1, "dropped": 1}


@pytest.mark.parametrize("chat_id", [7, -100])
async def test_a_quiet_nights_round_up_leaves_out_the_topic_dropped_during_the_night(
    tmp_path: Path, emulator: BotApiEmulator, chat_id: int
) -> None:
    clock = FakeClock(utc(2026, 1, 1, 21))
    async with rig(tmp_path, emulator, clock) as r:
        await add_chat(r, chat_id, topics=("sport", "business"), quiet_start="22:00", quiet_end="07:00")
        clock.set(utc(2026, 1, 1, 23))
        sport = [f"Late result {n}" for n in range(7)]
        business = [f"Overnight market {n}" for n in range(6)]
        await r.delivery.plan_alerts(
            [await store_article(r, t, topics=("sport",)) for t in sport]
            + [await store_article(r, t, topics=("business",)) for t in business],
            clock.now(),
        )
        assert await _held_until_morning(r)
        clock.set(utc(2026, 1, 2, 0))
        await _unfollow_sport(r, chat_id, "sport")
        clock.set(utc(2026, 1, 2, 7, 1))
        await r.delivery.start()
        r.delivery.wake()
        await wait_until(lambda: len(emulator.messages(chat_id)) == 1)
        await emulator.wait_for_idle(quiet=0.3)
        [roundup] = texts(emulator, chat_id)
        assert roundup.startswith("🌙 While quiet hours were on: 6 stories\n"), roundup
        assert all(roundup.count(t) == 1 for t in business) and not any(t in roundup for t in sport)
        await r.delivery.aclose()
        assert await r.db.deliveries.counts_by_status() == {"sent": 6, "dropped": 7}


async def test_an_unsubscribe_while_alerts_are_planned_leaves_no_story_of_it_for_the_digest(
    tmp_path: Path, emulator: BotApiEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    clock = FakeClock(utc(2026, 1, 5, 9))
    async with rig(tmp_path, emulator, clock) as r:
        await add_chat(r, 7, topics=("sport", "business"))
        await chat_service(r).set_digest_times(7, ["18:00"])
        arts = [
            await store_article(r, "Cup final tonight", topics=("sport",)),
            await store_article(r, "Bank merger agreed", topics=("business",)),
        ]
        read_plan = r.db.deliveries.planning_targets

        async def read_then_unsubscribe() -> object:
            found = await read_plan()
            # /unsubscribe sport lands while the plan is matched (in a thread, seconds for many chats).
            await _unfollow_sport(r, 7, "sport")
            return found

        monkeypatch.setattr(r.db.deliveries, "planning_targets", read_then_unsubscribe)
        assert await r.delivery.plan_alerts(arts, clock.now()) == 2
        clock.set(utc(2026, 1, 5, 18))
        assert await r.delivery.send_due_digests(clock.now()) == 1
        [digest] = emulator.messages(7)
        assert "Bank merger agreed" in digest.text and "Cup final" not in digest.text


_DOWN = (502, "<html><body>502 Bad Gateway</body></html>")


async def test_an_alert_retried_in_an_outage_when_the_chat_unsubscribes_is_not_sent_once_telegram_is_back(
    tmp_path: Path, emulator: BotApiEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    # /unsubscribe sport while Telegram was down and the sport alert was being retried: the alert was parked
    # (back in the queue, after the unsubscribe had dropped what was queued) and came when Telegram was back.
    monkeypatch.setattr(delivery_module, "MAX_NETWORK_ATTEMPTS", 2)  # a quick retry, then parked
    clock = FakeClock(utc(2026, 1, 5, 9))
    async with rig(tmp_path, emulator, clock) as r:
        await add_chat(r, 7, topics=("sport", "business"))
        emulator.answer_as_proxy(*_DOWN, methods=("sendMessage",))
        await r.delivery.start()
        await r.delivery.plan_alerts(
            [await store_article(r, "Cup final tonight", topics=("sport",))], clock.now()
        )
        await wait_until(lambda: emulator.requests["proxy"] >= 1)  # tried once; retried in 2 s
        await _unfollow_sport(r, 7, "sport")
        await wait_until(lambda: emulator.requests["proxy"] >= 2)
        await wait_until(lambda: r.delivery._state.in_window == 0)
        emulator.answer_as_proxy(None)
        clock.advance(600)
        await r.delivery.plan_alerts(
            [await store_article(r, "Bank merger agreed", topics=("business",))], clock.now()
        )
        await wait_until(lambda: bool(emulator.messages(7)))
        await emulator.wait_for_idle(quiet=0.3)
        assert [t.split("\n")[0] for t in texts(emulator, 7)] == ["💼 Bank merger agreed"]


async def test_an_alert_held_by_429s_when_the_chat_unsubscribes_is_not_sent_later(
    tmp_path: Path, emulator: BotApiEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The same, the alert told again and again to wait (429) and put back in the queue for later.
    monkeypatch.setattr(delivery_module, "MAX_RATE_LIMITED", 2)  # a retry after the wait, then put back
    # A wait far longer than the unfollow takes on a loaded machine (1 s could end before it), skipped below.
    flood = {"ok": False, "error_code": 429, "description": "Too Many Requests: retry after 200"}
    flood["parameters"] = {"retry_after": 200}  # under the 300 s the alert is then put back for
    clock = FakeClock(utc(2026, 1, 5, 9))
    pace = _RealTimeSkipping()
    async with rig(tmp_path, emulator, clock, pacing_clock=pace) as r:
        await add_chat(r, 7, topics=("sport", "business"))
        emulator.answer_as_proxy(429, json.dumps(flood), "application/json", methods=("sendMessage",))
        await r.delivery.start()
        await r.delivery.plan_alerts(
            [await store_article(r, "Cup final tonight", topics=("sport",))], clock.now()
        )
        await wait_until(lambda: emulator.requests["proxy"] >= 1)  # told to wait
        await _unfollow_sport(r, 7, "sport")
        pace.skip(200)
        await wait_until(lambda: emulator.requests["proxy"] >= 2)
        await wait_until(lambda: r.delivery._state.in_window == 0)
        emulator.answer_as_proxy(None)
        clock.advance(600)
        await r.delivery.plan_alerts(
            [await store_article(r, "Bank merger agreed", topics=("business",))], clock.now()
        )
        await wait_until(lambda: bool(emulator.messages(7)))
        await emulator.wait_for_idle(quiet=0.3)
        assert [t.split("\n")[0] for t in texts(emulator, 7)] == ["💼 Bank merger agreed"]


@pytest.mark.parametrize("then", ["digest", "quiet"])
async def test_an_alert_retried_when_the_chat_unsubscribes_is_not_held_for_its_new_digest_or_quiet_hours(
    tmp_path: Path, emulator: BotApiEmulator, then: str
) -> None:
    # /unsubscribe sport while the sport alert was being retried (Telegram down), then /settings digest (or quiet
    # hours that had begun): back from its retry, the alert was held for the digest (or until quiet hours ended)
    # without being matched again, and came there, though the chat no longer followed sport.
    clock = FakeClock(utc(2026, 1, 5, 9))
    async with rig(tmp_path, emulator, clock) as r:
        chats = chat_service(r)
        await add_chat(r, 7, topics=("sport", "business"))
        emulator.answer_as_proxy(*_DOWN, methods=("sendMessage",))
        await r.delivery.start()
        await r.delivery.plan_alerts(
            [await store_article(r, "Cup final tonight", topics=("sport",))], clock.now()
        )
        await wait_until(lambda: emulator.requests["proxy"] >= 1)  # tried once; retried in 2 s
        await _unfollow_sport(r, 7, "sport")
        if then == "digest":
            await chats.set_mode(7, "digest")
        else:
            await chats.set_quiet_hours(7, "08:00-18:00")
        emulator.answer_as_proxy(None)
        await wait_until(lambda: r.delivery._state.in_window == 0)
        # The sender lets the alert go from its window as it holds it, and only then matches the queue again (a
        # database write): the queue itself is waited for, or a loaded machine caught it between the two.
        loop = asyncio.get_running_loop()
        deadline = loop.time() + 10
        while queued := await r.db.deliveries.queued(7):
            assert loop.time() < deadline, queued
            await asyncio.sleep(0.02)
        clock.set(utc(2026, 1, 5, 18, 30))
        await r.delivery.send_due_digests(clock.now())
        r.delivery.wake()
        await emulator.wait_for_idle(quiet=0.5)
        assert emulator.messages(7) == []
        assert await r.db.deliveries.counts_by_status() == {"dropped": 1}


async def test_a_catch_up_that_fails_while_the_chat_unsubscribes_holds_nothing_of_it_once_telegram_is_back(
    tmp_path: Path, emulator: BotApiEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The alerts an outage held back for hours were being tried as one catch-up when /unsubscribe sport came:
    # Telegram still down, they went back to the queue and came as a sport catch-up once it was back.
    monkeypatch.setattr(delivery_module, "MAX_NETWORK_ATTEMPTS", 2)
    clock = FakeClock(utc(2026, 1, 5, 9))
    async with rig(tmp_path, emulator, clock) as r:
        await add_chat(r, 7, topics=("sport", "business"))
        titles = [f"Match report {n}" for n in range(7)]
        arts = [await store_article(r, title, topics=("sport",)) for title in titles]
        await r.delivery.plan_alerts(arts, clock.now())
        async with r.db.write() as conn:  # parked by the outage, which lasts
            await conn.execute(
                "UPDATE deliveries SET error = 'network: down', attempts = 10, not_before = ?",
                (clock.now() + 300,),
            )
        clock.advance(2 * 3600)
        emulator.answer_as_proxy(*_DOWN, methods=("sendMessage",))
        await r.delivery.start()
        await wait_until(lambda: emulator.requests["proxy"] >= 1)  # the catch-up, tried once; again in 2 s
        await _unfollow_sport(r, 7, "sport")
        await wait_until(lambda: not r.delivery._roundup_chats)
        emulator.answer_as_proxy(None)
        clock.advance(600)
        await r.delivery.plan_alerts(
            [await store_article(r, "Bank merger agreed", topics=("business",))], clock.now()
        )
        await wait_until(lambda: bool(emulator.messages(7)))
        await emulator.wait_for_idle(quiet=0.3)
        assert [t.split("\n")[0] for t in texts(emulator, 7)] == ["💼 Bank merger agreed"]
        assert (await r.db.deliveries.counts_by_status()) == {"sent": 1, "dropped": len(titles)}


async def _held_until_morning(r: Rig) -> bool:
    """Whether every outbox row is an alert held by quiet hours until 07:00."""
    rows = await r.db.reader.execute_fetchall("SELECT kind, status, not_before FROM deliveries")
    return {tuple(row) for row in rows} == {("alert", "pending", utc(2026, 1, 2, 7))}


async def test_a_chat_back_after_blocking_the_bot_gets_its_next_alert_while_another_chat_changes(
    tmp_path: Path, emulator: BotApiEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with rig(tmp_path, emulator) as r:
        chats = chat_service(r)
        await add_chat(r, 7, topics=("sport",))
        await add_chat(r, 8, topics=("science",))
        await r.delivery.start()
        await emulator.block_chat(7, announce=False)
        early = await store_article(r, "Early goal", topics=("sport",))
        assert await r.delivery.plan_alerts([early], r.clock.now()) == 1
        for _ in range(500):  # the alert's 403
            if (await r.db.deliveries.counts_by_status()).get("dropped") == 1:
                break
            await asyncio.sleep(0.02)
        blocked = await r.db.chats.get(7)
        assert blocked is not None and not blocked.active
        # The user unblocks the bot and sends /start: the chat is active again, with what it followed.
        await emulator.unblock_chat(7)
        await chats.register(7, "private", None)
        read_chats = r.db.deliveries.chats_by_ids

        async def read_while_another_chat_changes(chat_ids: list[int]) -> object:
            found = await read_chats(chat_ids)
            await chats.set_length(8, "4")  # another user's /settings at the same moment
            return found

        monkeypatch.setattr(r.db.deliveries, "chats_by_ids", read_while_another_chat_changes)
        art = await store_article(r, "Late winner", topics=("sport",))
        assert await r.delivery.plan_alerts([art], r.clock.now()) == 1
        # The sender kept its own note of the 403 (the chat inactive) and, its fresh read of the chat set aside
        # for the other chat's change, dropped the returning user's alert as "chat inactive".
        await wait_until(lambda: len(emulator.messages(7)) == 1)
        assert "Late winner" in emulator.messages(7)[0].text
        await r.delivery.aclose()
        assert (await r.db.deliveries.counts_by_status()).get("sent") == 1


@pytest.mark.parametrize(
    ("change", "then"),
    [
        (("timezone", "Asia/Tokyo"), utc(2026, 1, 5, 23)),  # a new schedule: 08:00 in Tokyo
        (("length", "4"), utc(2026, 1, 6, 8)),  # the same schedule: tomorrow's 08:00
    ],
)
async def test_a_settings_change_read_before_the_digest_went_out_does_not_send_a_second_digest(
    tmp_path: Path,
    emulator: BotApiEmulator,
    make_bot: MakeBot,
    monkeypatch: pytest.MonkeyPatch,
    change: tuple[str, ...],
    then: float,
) -> None:
    # /settings read the chat while its 08:00 digest was due; the digest went out and was recorded before the
    # change was written, which wrote the 08:00 it had read back. Due again, the next tick sent a second digest
    # moments after the first, of the story that came in meanwhile.
    clock = FakeClock(utc(2026, 1, 5, 7))
    async with make_bot(settings=make_settings(tmp_path, emulator), clock=clock) as app:
        services = services_of(app)
        await emulator.add_chat(42)
        await services.chats.register(42, "private", None)
        await services.db.subscriptions.add(42, "topic", "sport", clock.now())
        await services.chats.apply(42, ["digest", "08:00"])

        async def sport_story(slug: str, title: str, sentence: str) -> None:
            published = datetime.fromtimestamp(clock.now() - 60, UTC)
            article = Article(f"https://news.example/{slug}", title, sentence * 5, "Sport Wire", published)
            stored = [
                a for a, _ in await services.ingest.ingest_articles([replace(article, topics=("sport",))])
            ]
            await services.delivery.plan_alerts(stored, clock.now())

        await sport_story("final", "Cup final report", "The home side won the cup final on penalties. ")
        require = services.chats._require
        raced = False

        async def read_then_digest(chat_id: int) -> Any:
            nonlocal raced
            chat = await require(chat_id)
            if not raced:
                raced = True
                # The chat is read as its digest falls due; the tick sends and records it before the write.
                clock.set(utc(2026, 1, 5, 8) + 3)
                for _ in range(500):
                    current = await services.db.chats.get(42)
                    if current is not None and current.last_digest_at is not None:
                        break
                    await asyncio.sleep(0.02)
                else:
                    raise AssertionError("the digest was not recorded")
                await sport_story(
                    "transfer", "Striker signs", "The striker signed a four year contract today. "
                )
            return chat

        monkeypatch.setattr(services.chats, "_require", read_then_digest)
        await emulator.send_user_message(42, "/settings " + " ".join(change))
        await wait_until(lambda: len(emulator.messages(42)) >= 2)  # the digest and the /settings answer
        assert raced
        # Every digest a tick finds due now is sent before looking.
        await services.delivery.send_due_digests(clock.now())
        await asyncio.gather(*services.delivery._digest_tasks)
        digests = [
            m.text for m in emulator.messages(42) if "Cup final report" in m.text or "Striker" in m.text
        ]
        assert len(digests) == 1 and "Cup final report" in digests[0] and "Striker" not in digests[0]
        chat = await services.db.chats.get(42)
        assert chat is not None and chat.next_digest_at == then
        # The story that came in meanwhile waits for the next digest.
        clock.set(then)
        await wait_until(lambda: any("Striker signs" in m.text for m in emulator.messages(42)))


async def test_a_tick_that_found_a_digest_due_as_it_was_recorded_sends_no_second_digest(
    tmp_path: Path, emulator: BotApiEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A tick read the due digests while the previous tick's digest for the chat was being recorded, and started
    # it again once that one was done: the digest, read again, was no longer due, but what came in meanwhile went
    # out at once as a second digest.
    clock = FakeClock(utc(2026, 1, 5, 7))
    async with rig(tmp_path, emulator, clock) as r:
        await digest_chat_with_a_story(r)
        due_digests = r.db.chats.due_digests
        overlapped = False

        async def read_as_the_last_tick_finishes(now: float) -> Any:
            nonlocal overlapped
            found = await due_digests(now)
            if not overlapped:
                overlapped = True
                assert await r.delivery.send_due_digests(now) == 1  # the previous tick's digest
                late = await store_article(r, "Late winner", topics=("sport",))
                await r.delivery.plan_alerts([late], clock.now())
            return found

        monkeypatch.setattr(r.db.chats, "due_digests", read_as_the_last_tick_finishes)
        clock.set(utc(2026, 1, 5, 8))
        await r.delivery.send_due_digests(clock.now())
        assert overlapped
        [digest] = texts(emulator, 7)
        assert "Match report" in digest and "Late winner" not in digest
        chat = await r.db.chats.get(7)
        assert chat is not None and chat.next_digest_at == utc(2026, 1, 6, 8)
        clock.set(utc(2026, 1, 6, 8))
        assert await r.delivery.send_due_digests(clock.now()) == 1
        assert "Late winner" in emulator.messages(7)[1].text
