"""Failures Telegram can answer with: retries with backoff, give-up after N, a 400 never loops; clean stop."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import re
import sqlite3
from collections import Counter
from collections.abc import AsyncIterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
from aiohttp import web

from bot.delivery import service as delivery_module
from bot.emulator import BotApiEmulator
from bot.scheduling import next_digest_at
from tests.delivery.support import LoopbackApi, Rig, add_chat, rig, store_article, wait_until, wait_until_sent
from tests.support.files import locked_by_another_program


class FlakyApi(LoopbackApi):
    """A tiny Bot API on 127.0.0.1 whose sendMessage answers are scripted per chat."""

    def __init__(self) -> None:
        super().__init__()
        self.script: dict[int, list[tuple[int, str]]] = {}
        self.calls: Counter[int] = Counter()
        self.delivered: dict[int, list[str]] = {}

    async def answer(self, request: web.Request) -> web.Response:
        # Like Telegram, accept a JSON body (the alert sender) as well as a form (PTB).
        form = await request.json() if request.content_type == "application/json" else await request.post()
        chat_id = int(str(form["chat_id"]))
        self.calls[chat_id] += 1
        steps = self.script.get(chat_id, [])
        status, description = steps.pop(0) if steps else (200, "")
        if status == 200:
            self.delivered.setdefault(chat_id, []).append(str(form["text"]))
            message = {
                "message_id": self.calls[chat_id],
                "date": 0,
                "chat": {"id": chat_id, "type": "private"},
            }
            return web.json_response({"ok": True, "result": message})
        if status >= 500:
            return web.Response(status=status, text="upstream trouble")
        body = {"ok": False, "error_code": status, "description": description}
        return web.Response(status=status, text=json.dumps(body), content_type="application/json")


@pytest_asyncio.fixture
async def api() -> AsyncIterator[FlakyApi]:
    server = FlakyApi()
    await server.start()
    yield server
    await server.stop()


async def test_network_errors_retry_wait_out_an_outage_then_give_up_and_bad_request_fails_once(
    tmp_path: Path, api: FlakyApi, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(delivery_module, "MAX_NETWORK_ATTEMPTS", 3)
    monkeypatch.setattr(delivery_module, "MAX_OUTAGE_ATTEMPTS", 6)
    async with BotApiEmulator() as emulator, rig(tmp_path, emulator, telegram_api_url=api.base_url) as r:
        # Backoff of 2, 4, 8 ... seconds is right for Telegram but too slow for a test.
        monkeypatch.setattr(r.delivery._pacer, "penalize", lambda chat_id, seconds: None)
        api.script = {
            1: [(502, ""), (502, "")],  # recovers on the third attempt
            2: [(502, "")] * 10,  # never recovers, while chat 5's gets through: failed, not kept for good
            3: [(400, "Bad Request: can't parse entities: unexpected end tag")],
            5: [(502, "")] * 4,  # an outage: recovers after the first wait
        }
        for chat in (1, 2, 3, 4, 5):
            await add_chat(r, chat, topics=("sport",), in_emulator=False)
        await r.delivery.start()
        await r.delivery.plan_alerts([await store_article(r, "Result", topics=("sport",))], r.clock.now())
        await wait_until(lambda: sum(api.calls.values()) >= 11)
        await wait_until(lambda: r.delivery._state.in_window == 0 and not r.delivery._tasks)
        assert api.calls == {1: 3, 2: 3, 3: 1, 4: 1, 5: 3}
        # Telegram unreachable for chats 2 and 5: their alerts wait in the outbox instead of being lost.
        assert await r.db.deliveries.counts_by_status() == {"sent": 2, "failed": 1, "pending": 2}

        r.clock.advance(delivery_module.OUTAGE_RETRY_SECONDS + 1)
        r.delivery.wake()
        await wait_until(lambda: api.calls[2] == 6 and api.calls[5] == 5)
        await wait_until(lambda: r.delivery._state.in_window == 0 and not r.delivery._tasks)
        await r.delivery.aclose()
        assert api.calls == {1: 3, 2: 6, 3: 1, 4: 1, 5: 5}
        assert await r.db.deliveries.counts_by_status() == {"sent": 3, "failed": 2}


@contextlib.asynccontextmanager
async def _an_alert_failing_six_times(
    tmp_path: Path, api: FlakyApi
) -> AsyncIterator[tuple[Rig, list[float]]]:
    """One alert for chat 1 (sport), sent through ``api``, which answers its first six tries with a 502.

    The pacer's clock (the list's one value) is moved by hand: real sleeps of a minute have no place in a test.
    """
    pace = [1000.0]
    async with (
        BotApiEmulator() as emulator,
        rig(tmp_path, emulator, pacing_clock=lambda: pace[0], telegram_api_url=api.base_url) as r,
    ):
        api.script = {1: [(502, "")] * 6}
        await add_chat(r, 1, topics=("sport",), in_emulator=False)
        await r.delivery.start()
        await r.delivery.plan_alerts([await store_article(r, "Result", topics=("sport",))], r.clock.now())
        yield r, pace


async def test_network_errors_retry_after_2_4_8_seconds_doubling_up_to_a_minute(
    tmp_path: Path, api: FlakyApi, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Telegram unreachable for a moment: each retry of an alert waits twice as long as the one before, capped
    # at a minute, so a short outage is ridden out without hammering the API (or the chat) every second.
    monkeypatch.setattr(delivery_module, "MAX_NETWORK_ATTEMPTS", 10)  # no parking in the outbox here
    async with _an_alert_failing_six_times(tmp_path, api) as (r, pace):
        await wait_until(lambda: api.calls[1] == 1)
        for attempt, wait in enumerate((2.0, 4.0, 8.0, 16.0, 32.0, 60.0), start=2):
            await wait_until(lambda: not r.delivery._tasks)  # the failure has been handled
            pace[0] += wait - 0.5
            await asyncio.sleep(0.3)
            assert api.calls[1] == attempt - 1, f"retry {attempt} came before its {wait:.0f} s wait"
            pace[0] += 0.5
            await wait_until(lambda: api.calls[1] == attempt)  # noqa: B023 - awaited before the loop moves on
        await wait_until(lambda: r.delivery._state.in_window == 0 and not r.delivery._tasks)
        await r.delivery.aclose()
        assert len(api.delivered[1]) == 1 and await r.db.deliveries.counts_by_status() == {"sent": 1}


async def test_after_an_outage_wait_an_alert_retries_after_2_4_8_seconds_again_not_a_minute_each(
    tmp_path: Path, api: FlakyApi
) -> None:
    # The backoff counted every attempt the row ever had: back from its first 30 s wait in the outbox, an
    # alert waited a full minute before each quick retry (the 6th attempt's 2**6 s, capped), so an outage of
    # 90 s delayed it by two minutes, and a long one failed it after about 7 hours instead of 4.
    async with _an_alert_failing_six_times(tmp_path, api) as (r, pace):
        for attempt in range(2, 6):  # the first round: 2, 4, 8 and 16 s between tries, then 30 s parked
            await wait_until(lambda: api.calls[1] == attempt - 1 and not r.delivery._tasks)  # noqa: B023
            pace[0] += 16.0
            await wait_until(lambda: api.calls[1] == attempt)  # noqa: B023 - awaited before the loop moves on
        await wait_until(lambda: r.delivery._state.in_window == 0 and not r.delivery._tasks)
        assert await r.db.deliveries.counts_by_status() == {"pending": 1}
        r.clock.advance(delivery_module.FIRST_PARK_SECONDS + 1)
        pace[0] += 1.0  # past the chat's one message a second
        r.delivery.wake()
        await wait_until(lambda: api.calls[1] == 6)  # back from the outbox: fails once more
        await wait_until(lambda: not r.delivery._tasks)
        pace[0] += 2.5
        await wait_until(lambda: api.calls[1] == 7, timeout=3)  # 2 s later, not a minute
        await wait_until(lambda: r.delivery._state.in_window == 0 and not r.delivery._tasks)
        await r.delivery.aclose()
        assert len(api.delivered[1]) == 1 and await r.db.deliveries.counts_by_status() == {"sent": 1}


async def test_clean_stop_requeues_and_restart_finishes_without_duplicates(tmp_path: Path) -> None:
    async with BotApiEmulator() as emulator, rig(tmp_path, emulator) as r:
        for chat in range(1, 81):
            await add_chat(r, chat, topics=("sport",))
        await r.delivery.plan_alerts([await store_article(r, "Result", topics=("sport",))], r.clock.now())
        await r.delivery.start()
        await wait_until(lambda: emulator.sent_count() >= 20)
        await r.delivery.aclose()
        counts = await r.db.deliveries.counts_by_status()
        assert "sending" not in counts
        assert counts["sent"] == emulator.sent_count() and counts["pending"] == 80 - counts["sent"]
        await r.delivery.start()
        await wait_until(lambda: emulator.sent_count() >= 80)
        await emulator.wait_for_idle(quiet=0.3)
        assert all(len(emulator.messages(chat)) == 1 for chat in range(1, 81))


class _HangingApi(FlakyApi):
    """FlakyApi whose sendMessage answers only once ``released`` is set (Telegram slow to answer at a stop)."""

    def __init__(self) -> None:
        super().__init__()
        self.released = asyncio.Event()
        self.waiting = 0

    async def answer(self, request: web.Request) -> web.Response:
        self.waiting += 1
        await self.released.wait()
        return await super().answer(request)


async def test_digests_waiting_their_turn_are_not_counted_as_on_their_way(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A second stop signal says how many messages on their way may come twice. Every digest task counted,
    # those waiting their turn too: four chats' digests due at once, one part on its way, said "at most 4".
    monkeypatch.setattr(delivery_module, "DIGEST_CONCURRENCY", 1)
    api = _HangingApi()
    await api.start()
    try:
        async with BotApiEmulator() as emulator, rig(tmp_path, emulator, telegram_api_url=api.base_url) as r:
            now = r.clock.now()
            for chat_id in (1, 2, 3, 4):
                await add_chat(r, chat_id, topics=("sport",), in_emulator=False, mode="digest")
                chat = await r.db.chats.get(chat_id)
                assert chat is not None
                await r.db.chats.save_settings(
                    replace(chat, digest_times=("07:30",), next_digest_at=now), now
                )
            await r.delivery.plan_alerts([await store_article(r, "Result", topics=("sport",))], now)
            sending = asyncio.create_task(r.delivery.send_due_digests(now))
            await wait_until(lambda: api.waiting == 1)
            await asyncio.sleep(0.1)  # the other three wait for the first
            assert api.waiting == 1
            assert r.delivery.unrecorded_sends() == 1
            api.released.set()
            assert await sending == 4
            assert r.delivery.unrecorded_sends() == 0
    finally:
        await api.stop()


async def test_a_digest_that_fails_unexpectedly_is_not_left_sending(tmp_path: Path, api: FlakyApi) -> None:
    # 409 is neither a retryable network error nor a refusal the digest sender knows: it used to escape with the
    # chat's rows left 'sending', so no later digest (only a restart) would ever include them.
    async with BotApiEmulator() as emulator, rig(tmp_path, emulator, telegram_api_url=api.base_url) as r:
        await add_chat(r, 5, topics=("sport",), in_emulator=False, mode="digest")
        await r.delivery.plan_alerts([await store_article(r, "Result", topics=("sport",))], r.clock.now())
        api.script = {5: [(409, "Conflict: terminated by other getUpdates request")]}
        with pytest.raises(Exception, match="Conflict"):
            await r.delivery.send_digest(5, r.clock.now(), on_demand=True)
        assert await r.db.deliveries.counts_by_status() == {"pending": 1}
        # The next digest carries the story.
        assert await r.delivery.send_digest(5, r.clock.now(), on_demand=True) == 1
        assert await r.db.deliveries.counts_by_status() == {"sent": 1}


@contextlib.asynccontextmanager
async def _outage_digest_rig(
    tmp_path: Path, api: FlakyApi, monkeypatch: pytest.MonkeyPatch, **settings: Any
) -> AsyncIterator[Rig]:
    """Digest chat 6 (sport) sending through ``api``: two network attempts a digest, no backoff waits."""
    monkeypatch.setattr(delivery_module, "MAX_NETWORK_ATTEMPTS", 2)
    async with (
        BotApiEmulator() as emulator,
        rig(tmp_path, emulator, telegram_api_url=api.base_url, **settings) as r,
    ):
        monkeypatch.setattr(r.delivery._pacer, "penalize", lambda chat_id, seconds: None)
        await add_chat(r, 6, topics=("sport",), in_emulator=False, mode="digest")
        yield r


async def test_a_digest_during_an_outage_waits_for_the_next_one(
    tmp_path: Path, api: FlakyApi, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with _outage_digest_rig(tmp_path, api, monkeypatch) as r:
        await r.delivery.plan_alerts([await store_article(r, "Result", topics=("sport",))], r.clock.now())
        api.script = {6: [(502, "")] * 2}
        assert await r.delivery.send_digest(6, r.clock.now(), on_demand=True) == 0
        assert await r.db.deliveries.counts_by_status() == {"pending": 1}  # not lost
        assert await r.delivery.send_digest(6, r.clock.now(), on_demand=True) == 1
        assert await r.db.deliveries.counts_by_status() == {"sent": 1}


async def test_a_digest_asked_for_during_an_outage_is_logged_as_waiting_for_the_next_digest_not_retried(
    tmp_path: Path, api: FlakyApi, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    # /digest in an outage: its stories wait for the chat's next digest (nothing tries /digest again), but the
    # log said "retrying in 30 s", and counted it among the parked alerts retried every 5 minutes.
    async with _outage_digest_rig(tmp_path, api, monkeypatch) as r:
        await r.delivery.plan_alerts([await store_article(r, "Result", topics=("sport",))], r.clock.now())
        api.script = {6: [(502, "")] * 2}
        with caplog.at_level(logging.INFO, logger="bot.delivery"):
            assert await r.delivery.send_digest(6, r.clock.now(), on_demand=True) == 0
        [line] = [rec.getMessage() for rec in caplog.records if rec.name == "bot.delivery"]
        assert "digest to chat 6 postponed to its next time" in line and "retrying" not in line
        assert await r.db.deliveries.counts_by_status() == {"pending": 1}


async def test_a_digest_postponed_by_an_outage_still_counts_the_stories_over_the_cap_later(
    tmp_path: Path, api: FlakyApi, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The stories over the per-topic cap were marked dropped when the digest was postponed, so the digest sent
    # after the outage said nothing of them: no "…and 3 more", though the reader never saw any sign of them.
    async with _outage_digest_rig(tmp_path, api, monkeypatch, digest_max_per_topic=2) as r:
        stories = [await store_article(r, f"Match {i}", topics=("sport",)) for i in range(5)]
        await r.delivery.plan_alerts(stories, r.clock.now())
        api.script = {6: [(502, "")] * 2}
        assert await r.delivery.send_digest(6, r.clock.now(), on_demand=True) == 0
        assert await r.db.deliveries.counts_by_status() == {"pending": 5}
        assert await r.delivery.send_digest(6, r.clock.now(), on_demand=True) == 2
        [digest] = api.delivered[6]
        assert "…and 3 more" in digest
        assert await r.db.deliveries.counts_by_status() == {"sent": 2, "dropped": 3}


async def test_a_digest_refused_for_itself_while_others_get_through_waits_for_the_next_digest_time(
    tmp_path: Path, api: FlakyApi, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    # A proxy refusing this one digest (its own error page, read as a network error) while Telegram takes the
    # other chats' messages: the digest was tried again every 5 minutes all day, every day, each try a warning
    # that Telegram was unreachable. As an alert is, it is retried for about 4 hours (here 3 rounds), and then
    # waits for the chat's next digest time; its stories stay queued.
    monkeypatch.setattr(delivery_module, "MAX_OUTAGE_ATTEMPTS", 6)
    async with _outage_digest_rig(tmp_path, api, monkeypatch, rate_chat_interval_seconds=0) as r:
        start = r.clock.now()
        await add_chat(r, 7, topics=("sport",), in_emulator=False, mode="digest")
        for chat_id in (6, 7):
            chat = await r.db.chats.get(chat_id)
            assert chat is not None
            await r.db.chats.save_settings(
                replace(chat, digest_times=("07:30",), next_digest_at=start), start
            )
        await r.delivery.plan_alerts([await store_article(r, "Result", topics=("sport",))], start)
        api.script = {6: [(502, "")] * 1000}
        with caplog.at_level(logging.INFO, logger="bot.delivery"):
            while r.clock.now() < start + 3 * 3600:
                await r.delivery.send_due_digests(r.clock.now())
                r.clock.advance(60)
        assert len(api.delivered[7]) == 1
        assert api.calls[6] == 3 * delivery_module.MAX_NETWORK_ATTEMPTS
        chat = await r.db.chats.get(6)
        assert chat is not None and chat.next_digest_at == next_digest_at(("07:30",), "UTC", start + 3 * 3600)
        assert await r.db.deliveries.counts_by_status() == {"sent": 1, "pending": 1}
        assert any("postponed" in rec.getMessage() for rec in caplog.records)


async def _plan_25_long_sport_stories(r: Rig) -> None:
    """Twenty-five stories for chat 6 whose digest needs more than one message."""
    summary = ("A long summary sentence that keeps going on and on about the match. " * 3,)
    stories = [
        await store_article(r, f"Story number {i} " + "x" * 150, topics=("sport",), summary=summary)
        for i in range(25)
    ]
    await r.delivery.plan_alerts(stories, r.clock.now())


async def test_a_long_digest_cut_by_an_outage_sends_only_the_rest_next_time(
    tmp_path: Path, api: FlakyApi, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with _outage_digest_rig(tmp_path, api, monkeypatch, digest_max_per_topic=50) as r:
        await _plan_25_long_sport_stories(r)
        # The first part goes out, then Telegram is unreachable.
        api.script = {6: [(200, ""), (502, ""), (502, "")]}
        first = await r.delivery.send_digest(6, r.clock.now(), on_demand=True)
        assert 0 < first < 25 and len(api.delivered[6]) == 1
        # The next digest holds only what the reader has not seen: every story arrives exactly once.
        assert await r.delivery.send_digest(6, r.clock.now(), on_demand=True) == 25 - first
        texts = api.delivered[6]
        assert all(len(t) <= 4096 for t in texts)
        assert sorted(n for t in texts for n in re.findall(r"Story number (\d+) ", t)) == sorted(
            str(i) for i in range(25)
        )
        assert await r.db.deliveries.counts_by_status() == {"sent": 25}


async def test_a_long_digest_cut_by_an_outage_tells_of_the_stories_over_the_cap_next_time(
    tmp_path: Path, api: FlakyApi, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The stories over the cap were marked dropped with the first part, while their "…and 5 more" line sat in
    # the part the outage stopped: the reader never saw any sign of five stories.
    async with _outage_digest_rig(tmp_path, api, monkeypatch, digest_max_per_topic=20) as r:
        await _plan_25_long_sport_stories(r)
        api.script = {6: [(200, ""), (502, ""), (502, "")]}
        await r.delivery.send_digest(6, r.clock.now(), on_demand=True)
        assert len(api.delivered[6]) == 1 and "more" not in api.delivered[6][0]
        await r.delivery.send_digest(6, r.clock.now(), on_demand=True)
        texts = api.delivered[6]
        shown = sum(len(re.findall(r"Story number \d+ ", t)) for t in texts)
        told = sum(int(n) for t in texts for n in re.findall(r"…and (\d+) more", t))
        assert shown + told == 25


async def test_a_database_that_refuses_writes_is_logged_once_a_minute_and_nothing_is_lost(
    tmp_path: Path, emulator: BotApiEmulator, caplog: pytest.LogCaptureFixture
) -> None:
    # A full disk: outcomes cannot be recorded, and the sender used to log a traceback every 0.1 s for as long
    # as it lasted (36,000 an hour). Once there is room, every alert is recorded sent, none sent twice.
    async with rig(tmp_path, emulator, rate_overall_per_second=20) as r:
        for chat_id in range(1, 31):
            await add_chat(r, chat_id, topics=("sport",))
        articles = [await store_article(r, f"Match {i}", "Body", ("sport",)) for i in range(2)]
        assert await r.delivery.plan_alerts(articles, r.clock.now()) == 60
        await r.delivery.start()
        await wait_until(lambda: sum(len(emulator.messages(c)) for c in range(1, 31)) >= 5)
        async with r.db.write() as conn:
            await conn.execute(
                "CREATE TEMP TRIGGER disk_full BEFORE UPDATE ON deliveries"
                " BEGIN SELECT RAISE(FAIL, 'database or disk is full'); END"
            )
        caplog.clear()
        # The first refused write is waited for (2 s could pass before it on a loaded machine), then more.
        await wait_until(lambda: any(r.levelno >= logging.WARNING for r in caplog.records))
        await asyncio.sleep(2.0)
        failures = [r for r in caplog.records if r.levelno >= logging.WARNING]
        assert 1 <= len(failures) <= 4, [r.getMessage() for r in failures]
        assert all("disk is full" in r.getMessage() or r.exc_info for r in failures)
        async with r.db.write() as conn:
            await conn.execute("DROP TRIGGER temp.disk_full")
        await wait_until(lambda: sum(len(emulator.messages(c)) for c in range(1, 31)) == 60, timeout=20)
        await emulator.wait_for_idle(quiet=0.5)
        assert all(len(emulator.messages(c)) == 2 for c in range(1, 31))
        await wait_until(lambda: "works again" in caplog.text)
        # The flusher records the last outcomes up to 0.1 s later (on a loaded machine, more): not stuck 'sending'.
        for chat_id in range(1, 31):
            await wait_until_sent(r, chat_id)
        rows = await r.db.reader.execute_fetchall("SELECT status, count(*) FROM deliveries GROUP BY status")
        assert [tuple(row) for row in rows] == [("sent", 60)]


async def test_a_blocked_chat_whose_queue_cannot_be_dropped_leaves_nothing_sending(
    tmp_path: Path, emulator: BotApiEmulator, caplog: pytest.LogCaptureFixture
) -> None:
    # A 403 while the database refuses to drop the chat's queue: the in-flight count went down twice for the
    # alert in hand and the chat's other claimed alerts stayed 'sending' until the next restart, holding
    # their articles from pruning. Now every alert ends dropped or failed, the count back at zero.
    async with rig(tmp_path, emulator) as r:
        await add_chat(r, 7, topics=("sport",))
        articles = [await store_article(r, f"Match {i}", "Body", ("sport",)) for i in range(3)]
        assert await r.delivery.plan_alerts(articles, r.clock.now()) == 3
        await emulator.block_chat(7, announce=False)
        async with r.db.write() as conn:
            await conn.execute(
                "CREATE TEMP TRIGGER cannot_drop BEFORE UPDATE ON deliveries"
                " WHEN new.status = 'dropped' AND new.error LIKE 'forbidden:%'"
                " BEGIN SELECT RAISE(FAIL, 'database is locked'); END"
            )
        caplog.clear()
        await r.delivery.start()

        async def settled() -> bool:
            counts = await r.db.deliveries.counts_by_status()
            return not counts.get("pending") and not counts.get("sending")

        for _ in range(250):
            if await settled():
                break
            await asyncio.sleep(0.02)
        counts = await r.db.deliveries.counts_by_status()
        assert counts == {"failed": 1, "dropped": 2}, counts
        assert r.delivery._state.in_window == 0
        assert emulator.messages(7) == []
        errors = [rec for rec in caplog.records if rec.levelno >= logging.WARNING]
        assert len(errors) == 1 and errors[0].exc_info, [rec.getMessage() for rec in errors]


async def test_an_outage_is_a_few_log_lines_not_one_per_waiting_alert(
    tmp_path: Path, api: FlakyApi, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    # Every alert parked by an outage logged its own warning: a bot with thousands of chats wrote thousands of
    # identical lines every 5 minutes for as long as Telegram was unreachable.
    monkeypatch.setattr(delivery_module, "MAX_NETWORK_ATTEMPTS", 1)
    async with BotApiEmulator() as emulator, rig(tmp_path, emulator, telegram_api_url=api.base_url) as r:
        monkeypatch.setattr(r.delivery._pacer, "penalize", lambda chat_id, seconds: None)
        api.script = {chat: [(502, "")] for chat in range(1, 41)}
        for chat in range(1, 41):
            await add_chat(r, chat, topics=("sport",), in_emulator=False)
        with caplog.at_level(logging.INFO, logger="bot.delivery"):
            await r.delivery.start()
            await r.delivery.plan_alerts([await store_article(r, "Result", topics=("sport",))], r.clock.now())
            await wait_until(lambda: sum(api.calls.values()) >= 40)
            await wait_until(lambda: r.delivery._state.in_window == 0 and not r.delivery._tasks)
            assert await r.db.deliveries.counts_by_status() == {"pending": 40}  # all wait for the retry
            r.clock.advance(delivery_module.PARKED_LOG_EVERY_SECONDS + 1)
            api.script = {chat: [(502, "")] for chat in range(1, 42)}  # still down: the 40 are parked again
            await add_chat(r, 41, topics=("sport",), in_emulator=False)
            await r.delivery.plan_alerts([await store_article(r, "Second", topics=("sport",))], r.clock.now())
            await wait_until(lambda: sum(api.calls.values()) >= 81)
            await wait_until(lambda: r.delivery._state.in_window == 0 and not r.delivery._tasks)
            await r.delivery.aclose()
    lines = [rec.getMessage() for rec in caplog.records if "Telegram unreachable" in rec.getMessage()]
    assert "retrying in 30 s" in lines[0]  # the first wait is short; later ones grow to 300 s
    # The 39 after the first and the new alert, in one line, or the new alert counted as the bot stops when it
    # was parked after the others' retries: a retry parked again is not one more.
    counts = [int(re.search(r": (\d+) more alerts? parked", line)[1]) for line in lines[1:]]  # type: ignore[index]
    assert counts in ([40], [39, 1]), lines


async def test_an_alert_kept_only_because_nothing_else_got_through_is_said_once_not_at_every_retry(
    tmp_path: Path, api: FlakyApi, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    # An idle bot with one chat, whose alert Telegram refuses for itself with a 502: past the 4 hours of
    # retries it is kept (nothing else got through to show Telegram is up), and every retry, 5 minutes apart for
    # good, logged "Telegram unreachable", which read as an outage. Now one line says it keeps failing.
    monkeypatch.setattr(delivery_module, "MAX_NETWORK_ATTEMPTS", 1)
    monkeypatch.setattr(delivery_module, "MAX_OUTAGE_ATTEMPTS", 3)
    async with BotApiEmulator() as emulator, rig(tmp_path, emulator, telegram_api_url=api.base_url) as r:
        monkeypatch.setattr(r.delivery._pacer, "penalize", lambda chat_id, seconds: None)
        api.script = {7: [(502, "")] * 100}
        await add_chat(r, 7, topics=("sport",), in_emulator=False)
        with caplog.at_level(logging.INFO, logger="bot.delivery"):
            await r.delivery.start()
            await r.delivery.plan_alerts([await store_article(r, "Result", topics=("sport",))], r.clock.now())
            for tries in range(1, 7):
                await wait_until(lambda: api.calls[7] == tries)  # noqa: B023 (awaited in the loop)
                await wait_until(lambda: r.delivery._state.in_window == 0 and not r.delivery._tasks)
                r.clock.advance(delivery_module.OUTAGE_RETRY_SECONDS + 1)
                r.delivery.wake()
            await r.delivery.aclose()
        assert await r.db.deliveries.counts_by_status() == {"pending": 1}  # the retry rule is unchanged: kept
    lines = [rec.getMessage() for rec in caplog.records if rec.levelno >= logging.WARNING]
    assert len(lines) == 2, lines  # a retry parked again is said no more
    assert "Telegram unreachable" in lines[0], lines
    assert "to chat 7: still not taken after 3 attempts" in lines[1], lines
    assert "not logged again" in lines[1]


async def test_catch_ups_tried_during_an_outage_are_counted_with_the_parked_alerts_not_logged_each(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    # Each chat's catch-up tried while Telegram was still down wrote an error and a warning ("digest to chat N
    # failed", "... postponed"): two lines per chat every 5 minutes, where its parked alerts wrote one a minute.
    monkeypatch.setattr(delivery_module, "MAX_NETWORK_ATTEMPTS", 1)
    async with BotApiEmulator() as emulator, rig(tmp_path, emulator, rate_chat_interval_seconds=0) as r:
        chats = range(1, 11)
        for chat in chats:
            await add_chat(r, chat, topics=("sport",))
        emulator.answer_as_proxy(502, "<html><body>502 Bad Gateway</body></html>", methods=("sendMessage",))
        with caplog.at_level(logging.INFO, logger="bot.delivery"):
            await r.delivery.start()
            articles = [await store_article(r, f"Result {n}", topics=("sport",)) for n in range(6)]
            await r.delivery.plan_alerts(articles, r.clock.now())
            await wait_until(lambda: emulator.requests["proxy"] >= 6 * len(chats), timeout=20)
            await wait_until(lambda: r.delivery._state.in_window == 0 and not r.delivery._tasks)
            r.clock.advance(2 * 3600)  # still down: each chat's six alerts are a catch-up now, tried once
            r.delivery.wake()
            await wait_until(lambda: emulator.requests["proxy"] >= 7 * len(chats), timeout=20)
            await wait_until(lambda: not r.delivery._roundup_chats and not r.delivery._digest_tasks)
            await r.delivery.aclose()
        assert await r.db.deliveries.counts_by_status() == {"pending": 6 * len(chats)}
        assert emulator.sent_count() == 0
    lines = [rec.getMessage() for rec in caplog.records if rec.levelno >= logging.WARNING]
    assert not [line for line in lines if "digest" in line], lines
    assert len(lines) <= 2, lines


async def test_alerts_parked_by_a_short_outage_go_out_a_minute_later_not_five(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # After Telegram was unreachable for 45 s, every alert parked in the meantime waited the full 5 minutes.
    # The first waits are short now (30 s, then 60 s, ... up to OUTAGE_RETRY_SECONDS).
    async with BotApiEmulator() as emulator, rig(tmp_path, emulator) as r:
        monkeypatch.setattr(r.delivery._pacer, "penalize", lambda chat_id, seconds: None)
        await add_chat(r, 1, topics=("sport",))

        async def parked_for() -> float:
            rows = await r.db.reader.execute_fetchall(
                "SELECT not_before FROM deliveries WHERE status = 'pending'"
            )
            return float(rows[0][0]) - r.clock.now()

        emulator.answer_as_proxy(502, "<html><body>502 Bad Gateway</body></html>")
        await r.delivery.start()
        await r.delivery.plan_alerts([await store_article(r, "Result", topics=("sport",))], r.clock.now())
        per_round = delivery_module.MAX_NETWORK_ATTEMPTS
        await wait_until(lambda: emulator.requests["proxy"] == per_round and r.delivery._state.in_window == 0)
        await wait_until(lambda: not r.delivery._tasks)
        assert await parked_for() == pytest.approx(30)

        r.clock.advance(31)  # still down: the next wait is longer
        r.delivery.wake()
        await wait_until(
            lambda: emulator.requests["proxy"] == 2 * per_round and r.delivery._state.in_window == 0
        )
        await wait_until(lambda: not r.delivery._tasks)
        assert await parked_for() == pytest.approx(60)

        emulator.answer_as_proxy(None)  # back after about 45 s
        r.clock.advance(61)
        r.delivery.wake()
        await wait_until(lambda: len(emulator.messages(1)) == 1)
        await r.delivery.aclose()
        assert await r.db.deliveries.counts_by_status() == {"sent": 1}


async def test_an_admin_notice_waits_out_an_outage_longer_than_four_hours(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A feed's "marked dead" notice queued as Telegram went down for 8 hours was failed after about 4 hours of
    # retries, and the admin never heard of it.
    monkeypatch.setattr(delivery_module, "MAX_NETWORK_ATTEMPTS", 1)  # a round of one try, no quick retries
    async with BotApiEmulator() as emulator, rig(tmp_path, emulator) as r:
        await add_chat(r, 1)
        async with r.db.write() as conn:
            await conn.execute(
                "INSERT INTO admin_notices (chat_id, key, text, created_at, attempts) VALUES (1, 'dead', ?, ?, ?)",
                ("A feed was marked dead.", r.clock.now(), delivery_module.MAX_NOTICE_ATTEMPTS - 1),
            )

        async def status() -> str:
            [[value]] = await r.db.reader.execute_fetchall("SELECT status FROM admin_notices")
            return str(value)

        emulator.answer_as_proxy(502, "<html><body>502 Bad Gateway</body></html>")
        await r.delivery.start()
        r.delivery.schedule_admin_notices()  # its last try within the 4 hours: refused
        await wait_until(lambda: emulator.requests["proxy"] == 1)
        await wait_until(lambda: r.delivery._notice_task is not None and r.delivery._notice_task.done())
        assert await status() == "pending"
        emulator.answer_as_proxy(None)
        r.clock.advance(delivery_module.OUTAGE_RETRY_SECONDS)
        r.delivery.schedule_admin_notices()
        await wait_until(lambda: bool(emulator.messages(1)))
        assert emulator.messages(1)[0].text == "A feed was marked dead."


async def _queue_notices(r: Rig, chat_id: int, texts: dict[str, str]) -> None:
    """Admin notices waiting for ``chat_id``, by key, as a dead feed queues them."""
    async with r.db.write() as conn:
        await conn.executemany(
            "INSERT INTO admin_notices (chat_id, key, text, created_at) VALUES (?, ?, ?, ?)",
            [(chat_id, key, text, r.clock.now()) for key, text in texts.items()],
        )


def _gate_answers(api: FlakyApi, monkeypatch: pytest.MonkeyPatch) -> tuple[asyncio.Event, asyncio.Event]:
    """Each request to ``api`` sets the first event and is answered only once the second is set."""
    asked, answer_now = asyncio.Event(), asyncio.Event()
    answer = api.answer

    async def gated(request: web.Request) -> web.Response:
        asked.set()
        await answer_now.wait()
        return await answer(request)

    monkeypatch.setattr(api, "answer", gated)
    return asked, answer_now


async def test_admin_notices_whose_outcome_a_locked_database_refused_are_recorded_once_the_lock_is_gone(
    tmp_path: Path, api: FlakyApi, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Another program held the write lock as a sent notice was to be recorded: it stayed 'sending', and so did the
    # next notice of the batch, never tried; the admin got that one only after the bot was restarted.
    asked, answer_now = _gate_answers(api, monkeypatch)
    async with BotApiEmulator() as emulator, rig(tmp_path, emulator, telegram_api_url=api.base_url) as r:
        await add_chat(r, 1, in_emulator=False)
        await _queue_notices(r, 1, {key: f"The {key} feed was marked dead." for key in ("first", "second")})

        async def statuses() -> list[tuple[str, str]]:
            return await r.db.notices.of_chat(1)

        await r.delivery.start()
        r.delivery.schedule_admin_notices()
        await asyncio.wait_for(asked.wait(), 10)
        async with locked_by_another_program(r.db):
            answer_now.set()  # the first notice is sent; its outcome is to be written while the lock is held
            await wait_until(lambda: r.delivery._notice_task is not None and r.delivery._notice_task.done())
        await wait_until(lambda: not r.delivery._unrecorded_notices)  # the flusher's turn
        assert await statuses() == [("first", "sent"), ("second", "pending")]
        r.delivery.schedule_admin_notices()
        await wait_until(lambda: len(api.delivered.get(1, [])) == 2)
        await wait_until(lambda: r.delivery._notice_task is not None and r.delivery._notice_task.done())
        await r.delivery.aclose()
        assert api.delivered[1] == ["The first feed was marked dead.", "The second feed was marked dead."]
        assert await statuses() == [("first", "sent"), ("second", "sent")]


async def test_a_second_stop_signal_counts_an_admin_notice_sent_but_not_yet_recorded(
    tmp_path: Path, api: FlakyApi, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A notice sent while another program held the write lock waits in memory for the flusher; a stop hanging on
    # that lock, and a second stop signal, said "no message was on its way" though the notice comes again after
    # the restart.
    asked, answer_now = _gate_answers(api, monkeypatch)
    async with BotApiEmulator() as emulator, rig(tmp_path, emulator, telegram_api_url=api.base_url) as r:
        await add_chat(r, 1, in_emulator=False)
        await _queue_notices(r, 1, {"dead": "A feed was marked dead."})
        await r.delivery.start()
        r.delivery.schedule_admin_notices()
        await asyncio.wait_for(asked.wait(), 10)
        async with locked_by_another_program(r.db):
            answer_now.set()
            await wait_until(lambda: r.delivery._notice_task is not None and r.delivery._notice_task.done())
            await asyncio.sleep(0.3)  # the flusher tries, and is refused too
            assert api.delivered[1] == ["A feed was marked dead."]
            assert r.delivery.unrecorded_sends() == 1
        await wait_until(lambda: r.delivery.unrecorded_sends() == 0)
        assert await r.db.notices.of_chat(1) == [("dead", "sent")]
        await r.delivery.aclose()


async def test_an_admin_notice_to_a_group_that_moved_while_the_database_was_locked_is_sent_after_the_lock(
    tmp_path: Path, api: FlakyApi, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The admins' group became a supergroup; Telegram said so as the notice was sent, while another program held
    # the write lock, so the move could not be recorded. The notice stayed 'sending' and never came (until a
    # restart).
    asked, answer_now = asyncio.Event(), asyncio.Event()
    answer = api.answer

    async def gated(request: web.Request) -> web.Response:
        form = await request.json() if request.content_type == "application/json" else await request.post()
        if int(str(form["chat_id"])) == -5:  # as Telegram does, to every message to the old group
            if not asked.is_set():
                asked.set()
                await answer_now.wait()
            body = {
                "ok": False,
                "error_code": 400,
                "description": "Bad Request: group chat was upgraded to a supergroup chat",
                "parameters": {"migrate_to_chat_id": -1005},
            }
            return web.Response(status=400, text=json.dumps(body), content_type="application/json")
        return await answer(request)

    monkeypatch.setattr(api, "answer", gated)
    async with BotApiEmulator() as emulator, rig(tmp_path, emulator, telegram_api_url=api.base_url) as r:
        await add_chat(r, -5, in_emulator=False)
        await _queue_notices(r, -5, {"dead": "A feed was marked dead."})
        await r.delivery.start()
        r.delivery.schedule_admin_notices()
        await asyncio.wait_for(asked.wait(), 10)
        async with locked_by_another_program(r.db):
            answer_now.set()
            await wait_until(lambda: r.delivery._notice_task is not None and r.delivery._notice_task.done())
        await wait_until(lambda: not r.delivery._unrecorded_notices)  # the flusher's turn
        # Not tried again at once (the failure may repeat): at the first tick 30 s on.
        r.delivery.schedule_admin_notices()
        await wait_until(lambda: r.delivery._notice_task is not None and r.delivery._notice_task.done())
        assert api.delivered == {}
        r.clock.advance(60)  # the next ticks
        r.delivery.schedule_admin_notices()
        await wait_until(lambda: r.delivery._notice_task is not None and r.delivery._notice_task.done())
        assert api.delivered == {-1005: ["A feed was marked dead."]}
        assert await r.db.notices.of_chat(-1005) == [("dead", "sent")]
        await r.delivery.aclose()


async def test_an_alert_whose_park_a_locked_database_refused_is_sent_once_the_lock_is_gone(
    tmp_path: Path, api: FlakyApi, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Telegram unreachable, and another program holding the database's write lock as the alert was to be parked:
    # the alert was recorded failed ("internal error") and never came, though nothing had reached the chat.
    monkeypatch.setattr(delivery_module, "MAX_NETWORK_ATTEMPTS", 1)
    asked, answer_now = _gate_answers(api, monkeypatch)
    async with BotApiEmulator() as emulator, rig(tmp_path, emulator, telegram_api_url=api.base_url) as r:
        await add_chat(r, 1, topics=("sport",), in_emulator=False)
        api.script = {1: [(502, "")]}
        await r.delivery.start()
        await r.delivery.plan_alerts([await store_article(r, "Result", topics=("sport",))], r.clock.now())
        await asyncio.wait_for(asked.wait(), 10)
        async with locked_by_another_program(r.db):
            answer_now.set()  # 502: the alert is to be parked while the lock is held
            await wait_until(lambda: api.calls[1] == 1 and r.delivery._state.in_window == 0)
            await wait_until(lambda: not r.delivery._tasks)
        await wait_until(lambda: not r.delivery._finished and not r.delivery._recording)  # the flusher's turn
        # Back in the queue (claimed again, waiting for its retry) saying why it waits: with no error, a parked alert looked held by quiet hours (and
        # joined a quiet night's round-up).
        check = sqlite3.connect(r.settings.db_path)
        try:
            [(error,)] = check.execute("SELECT error FROM deliveries").fetchall()
        finally:
            check.close()
        assert error.startswith("storage: "), error
        r.clock.advance(delivery_module.OUTAGE_RETRY_SECONDS)
        r.delivery.wake()
        await wait_until(lambda: api.delivered.get(1) is not None)
        await r.delivery.aclose()
        assert api.calls[1] == 2 and len(api.delivered[1]) == 1
        assert await r.db.deliveries.counts_by_status() == {"sent": 1}


async def test_a_digest_whose_stories_a_locked_database_kept_claimed_carries_them_once_the_lock_is_gone(
    tmp_path: Path, api: FlakyApi, monkeypatch: pytest.MonkeyPatch
) -> None:
    # /digest during an outage while another program held the write lock: neither the outcome nor the stories'
    # way back to the queue could be written, so they stayed 'sending' and every /digest after the lock was gone
    # answered "nothing new" until the bot was restarted.
    asked, answer_now = _gate_answers(api, monkeypatch)
    async with _outage_digest_rig(tmp_path, api, monkeypatch) as r:
        await r.delivery.start()
        await r.delivery.plan_alerts([await store_article(r, "Result", topics=("sport",))], r.clock.now())
        api.script = {6: [(502, ""), (502, "")]}
        digest = asyncio.create_task(r.delivery.send_digest(6, r.clock.now(), on_demand=True))
        await asyncio.wait_for(asked.wait(), 10)
        async with locked_by_another_program(r.db):
            answer_now.set()
            with pytest.raises(sqlite3.OperationalError, match="locked"):
                await digest
            await asyncio.sleep(0.5)  # the flusher's tries while the lock lasts fail too: kept for the next
        for _ in range(500):  # the flusher's turn: the stories back in the queue
            if not (await r.db.deliveries.counts_by_status()).get("sending"):
                break
            await asyncio.sleep(0.02)
        await asyncio.sleep(0.3)  # and past its write (an empty dict while it writes)
        # Written once, then forgotten: held again later, a row claimed meanwhile was taken from its sender.
        assert not r.delivery._unreleased
        assert await r.delivery.send_digest(6, r.clock.now(), on_demand=True) == 1
        assert len(api.delivered[6]) == 1 and "Result" in api.delivered[6][0]
        assert await r.db.deliveries.counts_by_status() == {"sent": 1}


@contextlib.asynccontextmanager
async def _a_result_for_three_chats_in_an_outage(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, chat_1_topics: tuple[str, ...] = ("sport",)
) -> AsyncIterator[tuple[BotApiEmulator, Rig]]:
    """Chats 1-3 follow sport (chat 1 ``chat_1_topics``); a proxy answers every send with a 502 page, and the
    sender has started on the alerts of one sport story, "Result": each try is one network attempt."""
    monkeypatch.setattr(delivery_module, "MAX_NETWORK_ATTEMPTS", 1)
    async with BotApiEmulator() as emulator, rig(tmp_path, emulator, rate_chat_interval_seconds=0) as r:
        monkeypatch.setattr(r.delivery._pacer, "penalize", lambda chat_id, seconds: None)
        for chat in (1, 2, 3):
            await add_chat(r, chat, topics=chat_1_topics if chat == 1 else ("sport",))
        emulator.answer_as_proxy(502, "<html><body>502 Bad Gateway</body></html>", methods=("sendMessage",))
        await r.delivery.start()
        await r.delivery.plan_alerts([await store_article(r, "Result", topics=("sport",))], r.clock.now())
        yield emulator, r


async def _until_tried(emulator: BotApiEmulator, r: Rig, requests: int) -> None:
    """Wait until the proxy has had ``requests`` sends and the sender has put every failed one back."""
    await wait_until(lambda: emulator.requests["proxy"] >= requests)
    await wait_until(lambda: r.delivery._state.in_window == 0 and not r.delivery._tasks)


async def test_the_end_of_a_telegram_outage_is_logged_with_how_many_stories_it_held_back(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    # An outage logged "Telegram unreachable (... b'<html>...' failed): N more alerts parked" with the proxy's
    # page, and then nothing: the operator could not tell from the log whether, or when, it ended.
    with caplog.at_level(logging.INFO, logger="bot.delivery"):
        async with _a_result_for_three_chats_in_an_outage(tmp_path, monkeypatch) as (emulator, r):
            await _until_tried(emulator, r, 3)
            r.clock.advance(600)
            emulator.answer_as_proxy(None)
            r.delivery.wake()
            await wait_until(lambda: emulator.sent_count() == 3)
            # Said once Telegram has taken messages for a minute with none parked (a flapping proxy's "outage"
            # ended at each send it let through).
            r.clock.advance(delivery_module.PARKED_LOG_EVERY_SECONDS + 1)
            await wait_until(lambda: "Telegram takes messages again" in caplog.text)
            await r.delivery.aclose()
    lines = [rec.getMessage() for rec in caplog.records if rec.levelno >= logging.WARNING]
    assert "Telegram unreachable (Bad Gateway (502))" in lines[0], lines
    assert not [line for line in lines if "<html>" in line], lines
    assert lines[-1] == (
        "Telegram takes messages again, 10 min after it was first found unreachable: 3 stories it held back "
        "(for their chats) go out as their retries fall due, within 300 s"
    ), lines


async def test_telegram_failing_again_within_a_minute_of_coming_back_is_the_same_outage_whose_end_a_stop_logs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    # Back for 10 s, then down again: the first send taken logged "Telegram takes messages again" and the next
    # park named a new outage. Now the end waits for a minute with no park, and a stop within it still says it.
    down = (502, "<html><body>502 Bad Gateway</body></html>")
    with caplog.at_level(logging.INFO, logger="bot.delivery"):
        async with _a_result_for_three_chats_in_an_outage(tmp_path, monkeypatch) as (emulator, r):
            await _until_tried(emulator, r, 3)
            emulator.answer_as_proxy(None)
            r.clock.advance(delivery_module.FIRST_PARK_SECONDS + 1)
            r.delivery.wake()
            await wait_until(lambda: emulator.sent_count() == 3)
            r.clock.advance(10)
            emulator.answer_as_proxy(*down, methods=("sendMessage",))
            await r.delivery.plan_alerts([await store_article(r, "Second", topics=("sport",))], r.clock.now())
            await _until_tried(emulator, r, 6)
            emulator.answer_as_proxy(None)
            r.clock.advance(delivery_module.FIRST_PARK_SECONDS + 1)
            r.delivery.wake()
            await wait_until(lambda: emulator.sent_count() == 6)
            await r.delivery.aclose()  # within the minute after Telegram came back
            assert await r.db.deliveries.counts_by_status() == {"sent": 6}
    lines = [rec.getMessage() for rec in caplog.records if rec.levelno >= logging.WARNING]
    assert len(lines) == 3, lines
    assert "Telegram unreachable (Bad Gateway (502)); retrying in 30 s" in lines[0], lines
    # The two parked after the first and the three of the second story, counted before the end (they were not).
    assert re.fullmatch(
        r"Telegram fails some requests \(Bad Gateway \(502\)\): in the last \d+ s \d messages went through and "
        r"5 more alerts parked, each retried within 300 s",
        lines[1],
    ), lines
    assert lines[2].startswith(
        "Telegram takes messages again, 72 s after it was first found unreachable: "
    ), lines


async def test_a_proxy_failing_every_other_send_is_a_few_log_lines_not_two_per_failed_send(
    tmp_path: Path, api: FlakyApi, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    # A proxy that fails only part of the requests: each send it let through ended the "outage", so each later
    # park was named again and followed by "Telegram takes messages again, 0 s after": two lines per failed send.
    monkeypatch.setattr(delivery_module, "MAX_NETWORK_ATTEMPTS", 1)
    chats = range(1, 51)
    async with (
        BotApiEmulator() as emulator,
        rig(
            tmp_path,
            emulator,
            telegram_api_url=api.base_url,
            rate_chat_interval_seconds=0,
            rate_overall_per_second=1000,
        ) as r,
    ):
        monkeypatch.setattr(r.delivery._pacer, "penalize", lambda chat_id, seconds: None)
        # Every other send fails, to each chat and overall: even chats' first try goes through, odd chats' fails.
        flap = [(200, ""), (502, "")] * 30
        api.script = {chat: list(flap[chat % 2 :]) for chat in chats}
        for chat in chats:
            await add_chat(r, chat, topics=("sport",), in_emulator=False)
        start = r.clock.now()
        with caplog.at_level(logging.INFO, logger="bot.delivery"):
            await r.delivery.start()
            for minute in range(10):  # ten minutes of a new story a minute, in steps of 20 s
                story = await store_article(r, f"Result {minute}", topics=("sport",))
                await r.delivery.plan_alerts([story], r.clock.now())
                for _third in range(3):
                    await _all_due_tried(r)
                    r.clock.advance(20)
                    r.delivery.wake()
            flapping = [rec.getMessage() for rec in caplog.records if rec.levelno >= logging.WARNING]
            api.script = {}  # the proxy is mended: every parked alert goes through at its retry
            for _step in range(12):
                await _all_due_tried(r)
                r.clock.advance(30)
                r.delivery.wake()
            await wait_until(lambda: "Telegram takes messages again" in caplog.text)
            await r.delivery.aclose()
        assert await r.db.deliveries.counts_by_status() == {"sent": 10 * len(chats)}
        assert sum(len(texts) for texts in api.delivered.values()) == 10 * len(chats)  # each once
    minutes = (r.clock.now() - start) / 60
    named = [line for line in flapping if "retrying in 30 s" in line]
    assert len(named) == 1 and "Telegram unreachable (Bad Gateway (502))" in named[0], flapping
    # Then a line a minute at most, saying Telegram takes some messages and fails others.
    assert len(flapping) <= 1 + 10, flapping
    took_some = r"Telegram fails some requests \(Bad Gateway \(502\)\): in the last \d+ s \d+ messages? went through and"
    assert any(re.match(took_some, line) for line in flapping), flapping
    assert not [line for line in flapping if "takes messages again" in line], flapping
    lines = [rec.getMessage() for rec in caplog.records if rec.levelno >= logging.WARNING]
    assert len(lines) <= 1 + minutes + 1, lines
    assert [line for line in lines if "takes messages again" in line] == [lines[-1]], lines
    assert re.match(
        r"Telegram takes messages again, \d+ min after it was first found unreachable: ", lines[-1]
    ), lines


async def _all_due_tried(r: Rig) -> None:
    """Wait until every message due has been tried and is recorded sent or waits again (parked)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + 20
    while True:
        sender = r.delivery
        if not sender._tasks and not sender._state.in_window and not sender._finished:
            [[due]] = await r.db.reader.execute_fetchall(
                "SELECT count(*) FROM deliveries WHERE status IN ('pending', 'sending') AND not_before <= ?",
                (r.clock.now(),),
            )
            if not due:
                return
        assert loop.time() < deadline, "messages still due"
        await asyncio.sleep(0.02)


async def test_alerts_parked_again_in_an_outage_are_not_counted_again_as_more_parked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    # Three alerts held by an outage logged "3 more alerts parked" a minute on, and again every 5 minutes: each
    # retry that failed counted its alert once more, so the lines added up to more stories than Telegram held back.
    with caplog.at_level(logging.INFO, logger="bot.delivery"):
        async with _a_result_for_three_chats_in_an_outage(tmp_path, monkeypatch) as (emulator, r):
            for tries in range(1, 4):
                await _until_tried(emulator, r, 3 * tries)
                r.clock.advance(delivery_module.OUTAGE_RETRY_SECONDS + 1)
                r.delivery.wake()
            await _until_tried(emulator, r, 12)
            await r.delivery.aclose()
            assert await r.db.deliveries.counts_by_status() == {"pending": 3}
    lines = [rec.getMessage() for rec in caplog.records if "Telegram unreachable" in rec.getMessage()]
    assert "retrying in 30 s" in lines[0], lines
    assert len(lines) == 2 and "2 more alerts parked" in lines[1], lines


async def test_alerts_still_parked_when_their_retries_run_out_are_not_counted_again_as_more_parked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    # Four hours into an outage every held alert reaches its last counted attempt: the first said it is kept,
    # and the others were counted again, so the next line said "3 more alerts parked" for one new story. Then
    # they were not counted at all: one alert said kept, the other two neither named nor counted. Now the others
    # are counted a minute on, on a line of their own, even when no other message comes to be logged.
    monkeypatch.setattr(delivery_module, "MAX_OUTAGE_ATTEMPTS", 3)
    with caplog.at_level(logging.INFO, logger="bot.delivery"):
        async with _a_result_for_three_chats_in_an_outage(
            tmp_path, monkeypatch, chat_1_topics=("sport", "business")
        ) as (emulator, r):
            for tries in range(1, 4):
                if tries > 1:
                    r.clock.advance(delivery_module.OUTAGE_RETRY_SECONDS + 1)
                    r.delivery.wake()
                await _until_tried(emulator, r, 3 * tries)
            r.clock.advance(delivery_module.PARKED_LOG_EVERY_SECONDS + 1)
            r.delivery.wake()
            await wait_until(lambda: "2 more alerts still not taken after 3 attempts" in caplog.text)
            await r.delivery.plan_alerts(
                [await store_article(r, "Merger", topics=("business",))], r.clock.now()
            )
            await _until_tried(emulator, r, 10)
            await r.delivery.aclose()
            assert await r.db.deliveries.counts_by_status() == {"pending": 4}
    lines = [rec.getMessage() for rec in caplog.records if rec.levelno >= logging.WARNING]
    assert "retrying in 30 s" in lines[0], lines
    assert "2 more alerts parked" in lines[1], lines
    assert "still not taken after 3 attempts" in lines[2], lines
    assert lines[3].startswith("2 more alerts still not taken after 3 attempts (Bad Gateway (502));"), lines
    assert "(not logged again)" in lines[3], lines
    # The new story is the only one parked since: named, not "3 more alerts parked".
    assert len(lines) == 5 and "to chat 1: Telegram unreachable" in lines[4], lines


async def test_an_admin_notice_whose_send_raised_unexpectedly_is_tried_again_not_left_claimed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    # A bug (no storage error) raised while a claimed notice was being sent: it must go back to the queue, and
    # the rest of its batch with it, not stay 'sending' until a restart.
    async with BotApiEmulator() as emulator, rig(tmp_path, emulator) as r:
        await add_chat(r, 1)
        await _queue_notices(r, 1, {"dead-a": "Feed A was marked dead.", "dead-b": "Feed B was marked dead."})
        send_paced = r.delivery._send_paced
        calls = 0

        async def broken_once(*args: Any, **kwargs: Any) -> Any:
            nonlocal calls
            calls += 1
            if calls == 1:
                raise RuntimeError("a bug")
            return await send_paced(*args, **kwargs)

        monkeypatch.setattr(r.delivery, "_send_paced", broken_once)
        with caplog.at_level(logging.ERROR, logger="bot.delivery"):
            await r.delivery.start()
            r.delivery.schedule_admin_notices()
            await wait_until(lambda: r.delivery._notice_task is not None and r.delivery._notice_task.done())
            assert "sending admin notices failed" in caplog.text
        r.delivery.wake()  # the flusher puts both back in the queue
        await wait_until(lambda: not r.delivery._unrecorded_notices)
        r.clock.advance(delivery_module.FIRST_PARK_SECONDS + 1)
        r.delivery.schedule_admin_notices()
        await wait_until(lambda: len(emulator.messages(1)) == 2)
        await wait_until(lambda: r.delivery._notice_task is not None and r.delivery._notice_task.done())
        assert sorted(m.text for m in emulator.messages(1)) == [
            "Feed A was marked dead.",
            "Feed B was marked dead.",
        ]
        assert await r.db.notices.of_chat(1) == [("dead-a", "sent"), ("dead-b", "sent")]


async def test_an_outage_whose_first_line_was_a_stuck_alert_ends_and_is_not_carried_into_the_next(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    # Restarted late in an outage, an idle bot's alert reached its last counted attempt first: its "still not
    # taken" line used the outage's once-a-minute line without starting the outage, so an alert parked in the
    # same minute was not said, nor Telegram taking messages again, and the next outage, hours later, began
    # "2 more alerts parked" (this outage's alerts) instead of naming its first.
    monkeypatch.setattr(delivery_module, "MAX_NETWORK_ATTEMPTS", 1)
    monkeypatch.setattr(delivery_module, "MAX_OUTAGE_ATTEMPTS", 3)
    down = (502, "<html><body>502 Bad Gateway</body></html>")
    async with BotApiEmulator() as emulator, rig(tmp_path, emulator, rate_chat_interval_seconds=0) as r:
        monkeypatch.setattr(r.delivery._pacer, "penalize", lambda chat_id, seconds: None)
        await add_chat(r, 1, topics=("sport",))
        await add_chat(r, 2, topics=("business",))
        await add_chat(r, 3, topics=("science",))
        await r.delivery.plan_alerts([await store_article(r, "Result", topics=("sport",))], r.clock.now())
        async with r.db.write() as conn:  # the last run parked it twice: its next try is its last counted one
            await conn.execute("UPDATE deliveries SET error = 'network: down', attempts = 2")
        emulator.answer_as_proxy(*down, methods=("sendMessage",))
        with caplog.at_level(logging.INFO, logger="bot.delivery"):
            await r.delivery.start()
            await _until_tried(emulator, r, 1)
            await r.delivery.plan_alerts(
                [await store_article(r, "Merger", topics=("business",))], r.clock.now()
            )
            await _until_tried(emulator, r, 2)
            emulator.answer_as_proxy(None)  # back 30 s on
            r.clock.advance(delivery_module.FIRST_PARK_SECONDS + 1)
            r.delivery.wake()
            await wait_until(lambda: len(emulator.messages(2)) == 1)
            r.clock.advance(delivery_module.OUTAGE_RETRY_SECONDS + 1)
            r.delivery.wake()
            await wait_until(lambda: len(emulator.messages(1)) == 1)
            await wait_until(lambda: r.delivery._state.in_window == 0 and not r.delivery._tasks)
            r.clock.advance(3 * 3600)  # hours later, another outage
            emulator.answer_as_proxy(*down, methods=("sendMessage",))
            await r.delivery.plan_alerts(
                [await store_article(r, "Comet", topics=("science",))], r.clock.now()
            )
            await _until_tried(emulator, r, 3)
            await r.delivery.aclose()
    lines = [rec.getMessage() for rec in caplog.records if rec.levelno >= logging.WARNING]
    assert "to chat 1: still not taken after 3 attempts" in lines[0], lines
    assert "to chat 2: Telegram unreachable (Bad Gateway (502)); retrying in 30 s" in lines[1], lines
    assert lines[2].startswith("Telegram takes messages again, 31 s after it was first found unreachable"), (
        lines
    )
    assert (
        len(lines) == 4
        and "to chat 3: Telegram unreachable (Bad Gateway (502)); retrying in 30 s" in lines[3]
    ), lines


async def test_alerts_stuck_in_the_minute_before_a_stop_are_counted_as_it_stops(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    # Three alerts reached their last counted attempt together (restarted late in an outage): one was said kept,
    # and a stop within the minute left the other two neither named nor counted, as no later line came.
    monkeypatch.setattr(delivery_module, "MAX_NETWORK_ATTEMPTS", 1)
    monkeypatch.setattr(delivery_module, "MAX_OUTAGE_ATTEMPTS", 3)
    async with BotApiEmulator() as emulator, rig(tmp_path, emulator, rate_chat_interval_seconds=0) as r:
        monkeypatch.setattr(r.delivery._pacer, "penalize", lambda chat_id, seconds: None)
        for chat in (1, 2, 3):
            await add_chat(r, chat, topics=("sport",))
        await r.delivery.plan_alerts([await store_article(r, "Result", topics=("sport",))], r.clock.now())
        async with r.db.write() as conn:  # the last run parked them twice: their next try is the last counted
            await conn.execute("UPDATE deliveries SET error = 'network: down', attempts = 2")
        emulator.answer_as_proxy(502, "<html><body>502 Bad Gateway</body></html>", methods=("sendMessage",))
        with caplog.at_level(logging.INFO, logger="bot.delivery"):
            await r.delivery.start()
            await _until_tried(emulator, r, 3)
            await r.delivery.aclose()
        assert await r.db.deliveries.counts_by_status() == {"pending": 3}
    lines = [rec.getMessage() for rec in caplog.records if rec.levelno >= logging.WARNING]
    assert len(lines) == 2, lines
    assert "still not taken after 3 attempts (Bad Gateway (502))" in lines[0], lines
    assert lines[1].startswith("2 more alerts still not taken after 3 attempts (Bad Gateway (502));"), lines


def _assert_named_then_counted(lines: list[str], *, retry_in: int, more: int) -> None:
    """An outage's first parked alert named (retried in ``retry_in`` s), then the ``more`` after it counted."""
    assert f"Telegram unreachable (Bad Gateway (502)); retrying in {retry_in} s" in lines[0], lines
    assert lines[1] == (
        f"Telegram unreachable (Bad Gateway (502)): {more} more alerts parked, each retried within 300 s"
    ), lines


async def test_alerts_parked_in_an_outage_are_counted_a_minute_on_not_at_the_next_retry_five_minutes_later(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    # The first alert of an outage was named and the others counted only when a later park came to be logged: in
    # an outage that parks nothing new, at their retry 5 minutes on, not a minute on as the 429 and stuck counts.
    monkeypatch.setattr(delivery_module, "MAX_NETWORK_ATTEMPTS", 1)
    async with BotApiEmulator() as emulator, rig(tmp_path, emulator, rate_chat_interval_seconds=0) as r:
        monkeypatch.setattr(r.delivery._pacer, "penalize", lambda chat_id, seconds: None)
        for chat in (1, 2, 3):
            await add_chat(r, chat, topics=("sport",))
        await r.delivery.plan_alerts([await store_article(r, "Result", topics=("sport",))], r.clock.now())
        async with r.db.write() as conn:  # restarted in a long outage: each retry waits 300 s from now on
            await conn.execute("UPDATE deliveries SET error = 'network: down', attempts = 4")
        emulator.answer_as_proxy(502, "<html><body>502 Bad Gateway</body></html>", methods=("sendMessage",))
        with caplog.at_level(logging.INFO, logger="bot.delivery"):
            await r.delivery.start()
            await _until_tried(emulator, r, 3)
            r.clock.advance(delivery_module.PARKED_LOG_EVERY_SECONDS + 1)
            await wait_until(lambda: "2 more alerts parked" in caplog.text)
            assert emulator.requests["proxy"] == 3  # no retry was due: said by the minute's end alone
            await r.delivery.aclose()
        assert await r.db.deliveries.counts_by_status() == {"pending": 3}
    lines = [rec.getMessage() for rec in caplog.records if rec.levelno >= logging.WARNING]
    assert len(lines) == 2, lines
    _assert_named_then_counted(lines, retry_in=300, more=2)


async def test_alerts_parked_in_the_minute_before_a_stop_are_counted_as_it_stops(
    tmp_path: Path, api: FlakyApi, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    # Forty chats, Telegram unreachable, and the bot stopped within the minute: only the first alert was named,
    # the other 39 the outage held back were never counted, as no later park came to say them.
    monkeypatch.setattr(delivery_module, "MAX_NETWORK_ATTEMPTS", 1)
    async with (
        BotApiEmulator() as emulator,
        rig(tmp_path, emulator, telegram_api_url=api.base_url, rate_chat_interval_seconds=0) as r,
    ):
        monkeypatch.setattr(r.delivery._pacer, "penalize", lambda chat_id, seconds: None)
        chats = range(1, 41)
        api.script = {chat: [(502, "")] for chat in chats}
        for chat in chats:
            await add_chat(r, chat, topics=("sport",), in_emulator=False)
        with caplog.at_level(logging.INFO, logger="bot.delivery"):
            await r.delivery.start()
            await r.delivery.plan_alerts([await store_article(r, "Result", topics=("sport",))], r.clock.now())
            await wait_until(lambda: sum(api.calls.values()) >= 40)
            await wait_until(lambda: r.delivery._state.in_window == 0 and not r.delivery._tasks)
            await r.delivery.aclose()
        assert await r.db.deliveries.counts_by_status() == {"pending": 40}
    lines = [rec.getMessage() for rec in caplog.records if rec.levelno >= logging.WARNING]
    assert len(lines) == 2, lines
    _assert_named_then_counted(lines, retry_in=30, more=39)


async def test_alerts_parked_before_telegram_came_back_are_counted_before_the_outage_end_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    # Two of three alerts parked after the named first, then Telegram took a message and nothing more was
    # parked: a minute on the end line was written, and the two were never counted (the end forgot them).
    with caplog.at_level(logging.INFO, logger="bot.delivery"):
        async with _a_result_for_three_chats_in_an_outage(
            tmp_path, monkeypatch, chat_1_topics=("sport", "business")
        ) as (emulator, r):
            await _until_tried(emulator, r, 3)
            emulator.answer_as_proxy(None)
            await r.delivery.plan_alerts(
                [await store_article(r, "Merger", topics=("business",))], r.clock.now()
            )
            await wait_until(lambda: len(emulator.messages(1)) == 1)
            # A minute on (the parked ones' retries due too: the sender may have taken some as the lines are said).
            r.clock.advance(delivery_module.PARKED_LOG_EVERY_SECONDS + 1)
            await wait_until(lambda: "Telegram takes messages again" in caplog.text)
            await r.delivery.aclose()
    lines = [rec.getMessage() for rec in caplog.records if rec.levelno >= logging.WARNING]
    assert len(lines) == 3, lines
    # Parked before Telegram took one again, not between messages it took: no "fails some requests".
    _assert_named_then_counted(lines, retry_in=30, more=2)
    assert lines[2].startswith("Telegram takes messages again, 0 s after it was first found unreachable: "), (
        lines
    )
