"""Edges of the 2026-11-26 delivery fixes the first tests left open."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest_asyncio

from bot.clock import FakeClock
from bot.emulator import BotApiEmulator
from bot.scheduling import utc
from tests.delivery.support import add_chat, rig, store_article, wait_until
from tests.delivery.test_delivery_changes import ScriptedApi, chat_service


@pytest_asyncio.fixture
async def emulator() -> AsyncIterator[BotApiEmulator]:
    async with BotApiEmulator() as emu:
        yield emu


async def test_a_digest_after_a_few_429s_and_one_network_error_goes_out_within_seconds(
    tmp_path: Path, emulator: BotApiEmulator
) -> None:
    # The retry after one 502 waits 2 s, the first step of the backoff: counted with the 429s before it, or
    # at a flat minute, the 08:00 digest came a minute late (and the scheduler's slot stayed taken meanwhile).
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
    finally:
        await api.stop()


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
