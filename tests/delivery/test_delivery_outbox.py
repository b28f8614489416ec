"""Delivery through the real outbox, a real SQLite file and PTB talking HTTP to the emulator (limits on)."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio

from bot.clock import FakeClock
from bot.delivery import DeliveryService
from bot.delivery import service as delivery_module
from bot.delivery.service import CATCHUP_GATHER_SECONDS, ROUNDUP_MORE_THAN, STORY_CACHE_SECONDS
from bot.emulator import BotApiEmulator
from bot.emulator.limits import RateLimits
from bot.scheduling import utc
from bot.services.chats import ChatService
from bot.store.deliveries import Finished, PlannedDelivery
from summaries.summarizer import summarize
from summaries.topics import TopicCatalogue
from tests.delivery.support import Rig, add_chat, rig, store_article, texts, wait_until
from tests.support.files import another_program


@pytest_asyncio.fixture
async def emulator() -> AsyncIterator[BotApiEmulator]:
    async with BotApiEmulator() as emu:
        yield emu


async def test_instant_alert_reaches_subscribers_only(tmp_path: Path, emulator: BotApiEmulator) -> None:
    async with rig(tmp_path, emulator) as r:
        await add_chat(r, 7, topics=("automotive",))
        await add_chat(r, 8, topics=("sport",))
        await add_chat(r, 9, keywords=("volkswagen",), summary_sentences=1)
        art = await store_article(r, "Carmaker <plans> & more", "Volkswagen expands.", ("automotive",))
        await r.delivery.start()
        assert await r.delivery.plan_alerts([art], r.clock.now()) == 2
        await wait_until(lambda: bool(emulator.messages(7)) and bool(emulator.messages(9)))
        alert = emulator.messages(7)[0]
        assert "Carmaker <plans> & more" in alert.text
        assert f'href="{art.url}"' in alert.html
        assert "Wire A · 10 min ago" in alert.text
        assert "First sentence. Second sentence. Third sentence." in alert.text
        assert "Fourth." not in alert.text  # the chat's summary length is 3
        # The alert shows the summary at the chat's length: its button offers twice as many sentences.
        data = alert.button_data("Longer summary")
        assert data == f"sum:{art.id}:6" and len(data.encode()) <= 64
        short = emulator.messages(9)[0]  # this chat's summary length is 1
        assert "First sentence." in short.text and "Second sentence." not in short.text
        assert short.button_data("Longer summary") == f"sum:{art.id}:4"  # at least three more
        await emulator.wait_for_idle()
        assert emulator.messages(8) == []
        assert len(emulator.messages(7)) == 1


async def test_a_chat_row_edited_by_hand_does_not_stop_the_alerts_of_chats_sent_with_it(
    tmp_path: Path, emulator: BotApiEmulator
) -> None:
    # A created_at edited into text in the sqlite3 shell raised as the sender read the chats of a batch: no chat
    # of the batch got its alert, and the rows stayed 'sending' until the next restart.
    async with rig(tmp_path, emulator) as r:
        await add_chat(r, 7, topics=("automotive",))
        await add_chat(r, 8, topics=("automotive",))
        await another_program(r.settings.db_path, "UPDATE chats SET created_at = 'last spring' WHERE id = 7")
        art = await store_article(r, "Carmaker plans", "Volkswagen expands.", ("automotive",))
        await r.delivery.start()
        assert await r.delivery.plan_alerts([art], r.clock.now()) == 2
        await wait_until(lambda: bool(emulator.messages(7)) and bool(emulator.messages(8)))
        assert (
            "Carmaker plans" in emulator.messages(7)[0].text
            and "Carmaker plans" in emulator.messages(8)[0].text
        )


async def test_exactly_once_with_two_topics_a_keyword_and_replanning(
    tmp_path: Path, emulator: BotApiEmulator
) -> None:
    async with rig(tmp_path, emulator) as r:
        await add_chat(r, 7, topics=("automotive", "business"), keywords=("tesla",))
        art = await store_article(r, "Tesla's market plans", "Tesla sells cars.", ("automotive", "business"))
        await r.delivery.start()
        assert await r.delivery.plan_alerts([art], r.clock.now()) == 1
        assert await r.delivery.plan_alerts([art], r.clock.now()) == 0
        await wait_until(lambda: bool(emulator.messages(7)))
        await emulator.wait_for_idle(quiet=0.3)
        assert len(emulator.messages(7)) == 1


async def test_same_story_from_two_feeds_is_one_alert_with_also(
    tmp_path: Path, emulator: BotApiEmulator
) -> None:
    async with rig(tmp_path, emulator) as r:
        await add_chat(r, 7, topics=("business",))
        first = await store_article(r, "Bank raises rates", topics=("business",), source="Wire A")
        second = await store_article(
            r, "Rates up at the bank", topics=("business",), source="Wire B", story_id=first.story_id
        )
        await r.delivery.start()
        assert await r.delivery.plan_alerts([first, second], r.clock.now()) == 1
        await wait_until(lambda: bool(emulator.messages(7)))
        await emulator.wait_for_idle(quiet=0.3)
        [alert] = emulator.messages(7)
        assert "Bank raises rates" in alert.text
        assert "also: Wire B" in alert.text


async def test_a_story_two_sources_told_is_sent_as_the_first_one_stored_with_the_other_as_also(
    tmp_path: Path, emulator: BotApiEmulator
) -> None:
    # Feeds' new articles are planned as each feed's poll ends, so a batch can list a story's later report
    # first (its feed finished sooner). The chat got that later report, whichever was stored first.
    async with rig(tmp_path, emulator) as r:
        await add_chat(r, 7, topics=("business",))
        await add_chat(r, 8, keywords=("lenders",))  # only the second report says "lenders"
        first = await store_article(r, "Bank raises rates", "The bank raised rates.", ("business",))
        second = await store_article(
            r,
            "Rates up at the bank",
            "Lenders follow the bank.",
            ("business",),
            source="Wire B",
            story_id=first.story_id,
        )
        await r.delivery.start()
        assert await r.delivery.plan_alerts([second, first], r.clock.now()) == 2
        await wait_until(lambda: bool(emulator.messages(7)) and bool(emulator.messages(8)))
        await emulator.wait_for_idle(quiet=0.3)
        [alert] = emulator.messages(7)
        assert "Bank raises rates" in alert.text and "Rates up at the bank" not in alert.text
        assert "also: Wire B" in alert.text
        # A chat that only the second report matches gets that one, naming the first as "also".
        [keyword_alert] = emulator.messages(8)
        assert "Rates up at the bank" in keyword_alert.text and "also: Wire A" in keyword_alert.text


@pytest.mark.parametrize(
    ("planned", "held_seconds"),
    [(True, 10), (False, STORY_CACHE_SECONDS + 10)],
    ids=["report-with-alerts-planned", "report-joining-without-alerts"],
)
async def test_an_alert_sent_later_names_a_source_that_reported_the_story_meanwhile(
    tmp_path: Path, emulator: BotApiEmulator, planned: bool, held_seconds: float
) -> None:
    # The sender keeps each story's article and "also" sources once read, for a fan-out to many chats. A report
    # joining the story after the first chat's alert was missing from every later alert of it. Planning the
    # report's alerts drops the cached story at once; a report with no alerts of its own (a /summary link, a first
    # poll's backlog) shows once the cache is read again.
    clock = FakeClock(utc(2026, 1, 1, 23) - held_seconds)
    async with rig(tmp_path, emulator, clock) as r:
        await add_chat(r, 7, topics=("business",))
        await add_chat(r, 9, topics=("business",), quiet_start="22:00", quiet_end="23:00")
        first = await store_article(r, "Bank raises rates", topics=("business",))
        await r.delivery.start()
        await r.delivery.plan_alerts([first], clock.now())
        await wait_until(lambda: bool(emulator.messages(7)))
        assert "also:" not in emulator.messages(7)[0].text
        second = await store_article(
            r, "Rates up at the bank", topics=("business",), source="Wire B", story_id=first.story_id
        )
        if planned:
            assert await r.delivery.plan_alerts([second], clock.now()) == 0  # both chats have the story
        clock.set(utc(2026, 1, 1, 23))
        r.delivery.wake()
        await wait_until(lambda: bool(emulator.messages(9)))
        [held] = emulator.messages(9)
        assert "Bank raises rates" in held.text and "also: Wire B" in held.text, held.text
        assert len(emulator.messages(7)) == 1


async def test_quiet_hours_hold_then_release(tmp_path: Path, emulator: BotApiEmulator) -> None:
    clock = FakeClock(utc(2026, 1, 1, 23))
    async with rig(tmp_path, emulator, clock) as r:
        await add_chat(r, 7, topics=("sport",), quiet_start="22:00", quiet_end="07:00")
        await add_chat(r, 8, topics=("sport",))
        art = await store_article(r, "Late match result", topics=("sport",))
        await r.delivery.start()
        await r.delivery.plan_alerts([art], clock.now())
        await wait_until(lambda: bool(emulator.messages(8)))
        await emulator.wait_for_idle(quiet=0.3)
        assert emulator.messages(7) == []
        clock.set(utc(2026, 1, 2, 7, 0))
        r.delivery.wake()
        await wait_until(lambda: bool(emulator.messages(7)))
        assert "Late match result" in emulator.messages(7)[0].text


async def _a_quiet_night(r: Rig, stories: int) -> list[str]:
    """Chat 7 (instant, quiet 22:00-07:00, sport and business), set up before 23:00, with ``stories`` alerts
    planned and held at 23:00; returns their titles, in the order planned."""
    await add_chat(r, 7, topics=("sport", "business"), quiet_start="22:00", quiet_end="07:00")
    r.clock.set(utc(2026, 1, 1, 23))
    titles = [f"Night story {n:02d}" for n in range(stories)]
    articles = [
        await store_article(r, title, topics=("sport" if n % 2 else "business",))
        for n, title in enumerate(titles)
    ]
    await r.delivery.plan_alerts(articles, r.clock.now())
    return titles


def _each_once(received: list[str], titles: list[str]) -> dict[str, int]:
    """How often each title appears in what a chat received, where that is not exactly once."""
    joined = "\n".join(received)
    return {t: joined.count(t) for t in titles if joined.count(t) != 1}


async def test_a_quiet_night_of_many_alerts_comes_as_one_round_up_and_alerts_as_usual_after(
    tmp_path: Path, emulator: BotApiEmulator
) -> None:
    # 60 alerts held by quiet hours used to arrive as 60 messages, one a second from 07:00.
    clock = FakeClock(utc(2026, 1, 1, 21))
    async with rig(tmp_path, emulator, clock) as r:
        # A few held alerts still come one by one; a digest chat and a paused chat are as before.
        await add_chat(r, 8, keywords=("derby",), quiet_start="22:00", quiet_end="07:00")
        await add_chat(r, 9, topics=("sport",), mode="digest", digest_times=("12:00",))
        await add_chat(r, 10, topics=("sport",), paused=True)
        titles = await _a_quiet_night(r, 60)
        derbies = [f"Late derby {n}" for n in range(ROUNDUP_MORE_THAN - 2)]
        await r.delivery.plan_alerts([await store_article(r, t) for t in derbies], clock.now())
        await r.delivery.start()
        await emulator.wait_for_idle(quiet=0.3)
        assert emulator.messages(7) == emulator.messages(8) == []
        clock.set(utc(2026, 1, 2, 7))
        r.delivery.wake()
        await wait_until(lambda: not _each_once(texts(emulator, 7), titles), timeout=30)
        await wait_until(lambda: len(emulator.messages(8)) == len(derbies))
        received = texts(emulator, 7)
        parts = len(received)
        assert 1 < parts <= 4, received  # split only where 4,096 characters require it
        assert received[0].startswith(f"🌙 While quiet hours were on: 60 stories · part 1 of {parts}\n")
        for index, text in enumerate(received[1:], start=2):
            assert text.startswith(f"🌙 While quiet hours were on · part {index} of {parts}\n")
        joined = "\n".join(received)
        assert "more" not in joined  # no per-topic cap: every story is listed
        assert joined.index("Business") < joined.index("Sport")  # grouped by topic, as a digest
        # News after quiet hours: an alert, as usual, after the round-up.
        clock.set(utc(2026, 1, 2, 7, 5))
        await r.delivery.plan_alerts(
            [await store_article(r, "Morning result", topics=("sport",))], clock.now()
        )
        await wait_until(lambda: len(emulator.messages(7)) == parts + 1)
        assert texts(emulator, 7)[-1].startswith("⚽ Morning result")
        assert _each_once(texts(emulator, 8), derbies) == {}  # as alerts, one message each
        assert not any(t.startswith("🌙") for t in texts(emulator, 8))
        await emulator.wait_for_idle(quiet=0.3)
        assert len(emulator.messages(7)) == parts + 1
        assert emulator.messages(9) == emulator.messages(10) == []


async def _round_up_at_seven_refusing(r: Rig, when: str, error: str) -> None:
    """Start the sender at 07:00, as a quiet night ends, while the database fails every update of a delivery row
    ``when`` (SQL) with ``error``; return once the round-up has failed, the failure gone."""
    async with r.db.write() as conn:
        await conn.execute(
            f"CREATE TEMP TRIGGER refused BEFORE UPDATE ON deliveries WHEN {when}"
            f" BEGIN SELECT RAISE(FAIL, '{error}'); END"
        )
    await r.delivery.start()
    r.clock.set(utc(2026, 1, 2, 7))
    r.delivery.wake()
    await wait_until(lambda: r.delivery._digest_storage._since is not None)
    await wait_until(lambda: not r.delivery._digest_tasks)
    async with r.db.write() as conn:
        await conn.execute("DROP TRIGGER temp.refused")


async def test_a_round_up_the_database_refused_to_start_comes_once_it_takes_writes_again(
    tmp_path: Path, emulator: BotApiEmulator
) -> None:
    # Another program held the write lock as a quiet night's round-up was claimed: its held alerts, folded into
    # the round-up already, could not be put back either, and never came until the bot was restarted.
    async with rig(tmp_path, emulator) as r:
        titles = await _a_quiet_night(r, 10)
        # The lock comes right after the fold: the claim and the unfold refused.
        await _round_up_at_seven_refusing(r, "OLD.kind = 'digest'", "database is locked")
        r.clock.advance(delivery_module.FIRST_PARK_SECONDS)
        r.delivery.wake()
        await wait_until(lambda: not _each_once(texts(emulator, 7), titles), timeout=30)
        assert texts(emulator, 7)[0].startswith("🌙 While quiet hours were on: 10 stories")


async def test_a_round_up_whose_first_part_could_not_be_recorded_sends_the_rest_as_one_after_a_wait(
    tmp_path: Path, emulator: BotApiEmulator
) -> None:
    # The database refused to record a round-up's first part as sent: the stories of its other parts become
    # held alerts again, which come 30 s later as one round-up, not at once (one alert each, or a loop of
    # round-ups against a database that refuses them).
    async with rig(tmp_path, emulator) as r:
        titles = await _a_quiet_night(r, 60)
        await _round_up_at_seven_refusing(r, "NEW.status = 'sent'", "disk I/O error")
        await emulator.wait_for_idle(quiet=0.5)
        first = texts(emulator, 7)
        assert len(first) == 1 and first[0].startswith("🌙 While quiet hours were on: 60 stories · part 1 of")
        r.clock.advance(delivery_module.FIRST_PARK_SECONDS)
        r.delivery.wake()
        await wait_until(lambda: not _each_once(texts(emulator, 7), titles), timeout=30)
        rest = [t for t in titles if t not in first[0]]
        assert texts(emulator, 7)[1].startswith(f"🌙 While quiet hours were on: {len(rest)} stories")


async def test_a_round_up_whose_claim_failed_comes_as_one_after_a_wait_not_at_once(
    tmp_path: Path, emulator: BotApiEmulator
) -> None:
    # Claiming a quiet night's round-up failed but putting its stories back did not: they come 30 s later as
    # the round-up, not at once (a loop against a database that fails each claim, or a catch-up's heading).
    async with rig(tmp_path, emulator) as r:
        titles = await _a_quiet_night(r, 10)
        await _round_up_at_seven_refusing(
            r, "OLD.kind = 'digest' AND NEW.status = 'sending'", "disk I/O error"
        )
        r.delivery.wake()
        await emulator.wait_for_idle(quiet=0.5)
        assert emulator.messages(7) == []
        r.clock.advance(delivery_module.FIRST_PARK_SECONDS)
        r.delivery.wake()
        await wait_until(lambda: not _each_once(texts(emulator, 7), titles), timeout=30)
        assert texts(emulator, 7)[0].startswith("🌙 While quiet hours were on: 10 stories")


async def test_a_round_up_retried_once_new_quiet_hours_began_waits_for_their_end(
    tmp_path: Path, emulator: BotApiEmulator
) -> None:
    # The night's round-up failed at 07:00 and waits 30 s for its retry; meanwhile the chat chose quiet hours
    # 07:00-09:00. The retry comes in them: held to their end, as alerts are, not sent at once.
    async with rig(tmp_path, emulator) as r:
        chats = ChatService(db=r.db, settings=r.settings, clock=r.clock, delivery=r.delivery)
        titles = await _a_quiet_night(r, 10)
        await _round_up_at_seven_refusing(
            r, "OLD.kind = 'digest' AND NEW.status = 'sending'", "disk I/O error"
        )
        await chats.set_quiet_hours(7, "07:00-09:00")
        r.clock.advance(delivery_module.FIRST_PARK_SECONDS)
        r.delivery.wake()
        await emulator.wait_for_idle(quiet=0.5)
        assert emulator.messages(7) == []
        r.clock.set(utc(2026, 1, 2, 9))
        r.delivery.wake()
        await wait_until(lambda: not _each_once(texts(emulator, 7), titles), timeout=30)
        assert texts(emulator, 7)[0].startswith("🌙 While quiet hours were on: 10 stories")


async def test_a_round_up_cut_by_a_restart_sends_each_held_story_once(
    tmp_path: Path, emulator: BotApiEmulator
) -> None:
    clock = FakeClock(utc(2026, 1, 1, 21))
    async with rig(tmp_path, emulator, clock) as r:
        # Planned by one run of the bot, which stops before quiet hours end.
        await r.delivery.start()
        titles = await _a_quiet_night(r, 30)
        await r.delivery.aclose()
        # The next run is killed while its round-up goes out: its first part (stories 0-9) was read and
        # recorded, the second was in flight, so its rows are left 'sending'.
        clock.set(utc(2026, 1, 2, 7))
        assert await r.db.deliveries.fold_roundups(clock.now(), ROUNDUP_MORE_THAN) == [7]
        rows = await r.db.deliveries.claim_digest(7)
        first = {row.id for row in rows[:10]}
        await r.db.deliveries.finish([Finished(i, "sent", 1) for i in first], clock.now())
        # The run after it sends the rest as the round-up, once.
        again = DeliveryService(
            db=r.db, bot=r.bot, settings=r.settings, clock=clock, catalogue=TopicCatalogue.load(None)
        )
        try:
            await again.start()
            await wait_until(lambda: not _each_once(texts(emulator, 7), titles[10:]), timeout=30)
            await emulator.wait_for_idle(quiet=0.5)
        finally:
            await again.aclose()
        received = texts(emulator, 7)
        assert received[0].startswith("🌙 While quiet hours were on: 20 stories")
        assert _each_once(received, titles[:10]) == {t: 0 for t in titles[:10]}
        assert _each_once(received, titles[10:]) == {}
        assert await r.db.deliveries.counts_by_status() == {"sent": 30}


async def test_a_pause_while_a_round_up_goes_out_drops_the_rest_as_it_drops_held_alerts(
    tmp_path: Path, emulator: BotApiEmulator
) -> None:
    # A pause drops the alerts quiet hours held. The round-up parts not sent when the user paused were kept
    # as held alerts instead: resuming a minute later brought the night's news the pause had stopped.
    clock = FakeClock(utc(2026, 1, 1, 21))
    async with rig(tmp_path, emulator, clock) as r:
        chats = ChatService(db=r.db, settings=r.settings, clock=clock, delivery=r.delivery)
        await _a_quiet_night(r, 60)
        await r.delivery.start()
        clock.set(utc(2026, 1, 2, 7))
        emulator.hold_answers(7)
        r.delivery.wake()
        await wait_until(lambda: len(emulator.messages(7)) == 1)
        # Part 1 is on its way; the user pauses before part 2's turn.
        await chats.set_paused(7, True)
        emulator.release_answers(7)
        await wait_until(lambda: not r.delivery._roundup_chats and not r.delivery._digest_tasks)
        clock.set(utc(2026, 1, 2, 7, 1))
        await chats.set_paused(7, False)
        clock.set(utc(2026, 1, 2, 7, 10))
        r.delivery.wake()
        # Settled one way or the other (the rest would be sent now, as alerts or a round-up), not a nap.
        for _ in range(200):
            counts = await r.db.deliveries.counts_by_status()
            if not {"pending", "sending"} & set(counts):
                break
            await asyncio.sleep(0.05)
        await emulator.wait_for_idle(quiet=0.3)
        assert len(emulator.messages(7)) == 1, texts(emulator, 7)
        assert set(counts) == {"sent", "dropped"} and sum(counts.values()) == 60


async def test_alerts_parked_by_a_429_are_not_folded_into_a_round_up(
    tmp_path: Path, emulator: BotApiEmulator
) -> None:
    clock = FakeClock(utc(2026, 1, 1, 21))
    async with rig(tmp_path, emulator, clock) as r:
        titles = await _a_quiet_night(r, ROUNDUP_MORE_THAN + 1)
        # One of them waits because Telegram said "later", not for quiet hours: the others are a few.
        async with r.db.write() as conn:
            await conn.execute(
                "UPDATE deliveries SET error = 'rate limited' WHERE id = (SELECT min(id) FROM deliveries)"
            )
        clock.set(utc(2026, 1, 2, 7))
        assert await r.db.deliveries.fold_roundups(clock.now(), ROUNDUP_MORE_THAN) == []
        await r.delivery.start()
        await wait_until(lambda: len(emulator.messages(7)) == len(titles), timeout=20)
        assert not any(t.startswith("🌙") for t in texts(emulator, 7))
        assert _each_once(texts(emulator, 7), titles) == {}


async def test_alerts_parked_by_an_outage_then_held_by_quiet_hours_join_the_nights_round_up(
    tmp_path: Path, emulator: BotApiEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Telegram was down in the evening: 3 alerts parked, then held by quiet hours on their next try, kept the
    # park's error, so the night counted only its 3 other held alerts: 6 alerts at 07:00, not one round-up.
    monkeypatch.setattr("bot.delivery.service.MAX_NETWORK_ATTEMPTS", 1)  # parked at the first failure
    clock = FakeClock(utc(2026, 1, 1, 21))
    async with rig(tmp_path, emulator, clock) as r:
        await add_chat(r, 7, topics=("sport",), quiet_start="22:00", quiet_end="07:00")
        evening = [f"Evening story {n}" for n in range(3)]
        night = [f"Night story {n}" for n in range(ROUNDUP_MORE_THAN + 1 - len(evening))]
        emulator.answer_as_proxy(502, "<html><body>502 Bad Gateway</body></html>", methods=("sendMessage",))
        await r.delivery.start()
        articles = [await store_article(r, title, topics=("sport",), age=300) for title in evening]
        await r.delivery.plan_alerts(articles, clock.now())
        await wait_until(lambda: emulator.requests["proxy"] >= len(evening), timeout=20)
        emulator.answer_as_proxy(None)
        clock.set(utc(2026, 1, 1, 23))  # the parks end inside quiet hours: the sender holds them to 07:00
        r.delivery.wake()
        held = "SELECT count(*) FROM deliveries WHERE status = 'pending' AND not_before = ?"
        for _ in range(500):
            if (await r.db.reader.execute_fetchall(held, (utc(2026, 1, 2, 7),)))[0][0] == len(evening):
                break
            await asyncio.sleep(0.02)
        else:
            raise AssertionError("the parked alerts were not held by quiet hours")
        articles = [await store_article(r, title, topics=("sport",), age=300) for title in night]
        await r.delivery.plan_alerts(articles, clock.now())
        await emulator.wait_for_idle(quiet=0.3)
        assert emulator.messages(7) == []
        clock.set(utc(2026, 1, 2, 7))
        r.delivery.wake()
        await wait_until(lambda: not _each_once(texts(emulator, 7), evening + night), timeout=20)
        await emulator.wait_for_idle(quiet=0.3)
        [roundup] = texts(emulator, 7)
        assert roundup.startswith(f"🌙 While quiet hours were on: {ROUNDUP_MORE_THAN + 1} stories\n"), roundup


async def test_a_round_up_told_to_wait_after_its_group_became_a_supergroup_sends_the_rest_there(
    tmp_path: Path, emulator: BotApiEmulator
) -> None:
    # The rest of a round-up told to wait became held alerts again for the chat's old id: the group's rows
    # had moved to the supergroup's, so they stayed round-up rows of an instant chat, which nothing sends.
    clock = FakeClock(utc(2026, 1, 1, 21))
    async with rig(tmp_path, emulator, clock) as r:
        chats = ChatService(db=r.db, settings=r.settings, clock=clock, delivery=r.delivery)
        await add_chat(r, -100, topics=("sport",), quiet_start="22:00", quiet_end="07:00")
        clock.set(utc(2026, 1, 1, 23))
        titles = [f"Night story {n:02d}" for n in range(60)]
        articles = [await store_article(r, title, topics=("sport",)) for title in titles]
        await r.delivery.plan_alerts(articles, clock.now())
        await r.delivery.start()
        clock.set(utc(2026, 1, 2, 7))
        emulator.hold_answers(-100)
        r.delivery.wake()
        await wait_until(lambda: len(emulator.messages(-100)) == 1)
        # While part 1 is in flight the group becomes a supergroup, and Telegram then asks for an hour's wait.
        await emulator.migrate_chat(-100, -1001234, announce=False)
        await chats.migrate(-100, -1001234)
        flood = '{"ok":false,"error_code":429,"description":"Too Many Requests: retry after 3600",'
        flood += '"parameters":{"retry_after":3600}}'
        emulator.answer_as_proxy(429, flood, "application/json", methods=("sendMessage",))
        emulator.release_answers(-100)
        await wait_until(lambda: not r.delivery._roundup_chats and not r.delivery._digest_tasks)
        emulator.answer_as_proxy(None)
        clock.set(utc(2026, 1, 2, 8, 1))
        r.delivery.wake()
        await wait_until(lambda: not _each_once(texts(emulator, -100) + texts(emulator, -1001234), titles))
        assert len(emulator.messages(-100)) == 1, texts(emulator, -100)
        assert texts(emulator, -1001234)[0].startswith("🌙 While quiet hours were on")


@pytest.mark.parametrize("stories", [ROUNDUP_MORE_THAN + 3, ROUNDUP_MORE_THAN - 2])
async def test_alerts_held_by_quiet_hours_switched_off_come_as_when_quiet_hours_end(
    tmp_path: Path, emulator: BotApiEmulator, stories: int
) -> None:
    # /settings quiet off released 8 held alerts as 8 messages, one a second, where the end of quiet hours
    # sends them as one round-up.
    clock = FakeClock(utc(2026, 1, 1, 21))
    async with rig(tmp_path, emulator, clock) as r:
        chats = ChatService(db=r.db, settings=r.settings, clock=clock, delivery=r.delivery)
        titles = await _a_quiet_night(r, stories)
        await r.delivery.start()
        await emulator.wait_for_idle(quiet=0.3)
        assert emulator.messages(7) == []
        clock.set(utc(2026, 1, 1, 23, 30))
        await chats.set_quiet_hours(7, "off")
        r.delivery.wake()  # as the next tick does
        await wait_until(lambda: not _each_once(texts(emulator, 7), titles), timeout=20)
        await emulator.wait_for_idle(quiet=0.3)
        received = texts(emulator, 7)
        if stories > ROUNDUP_MORE_THAN:
            assert len(received) == 1, received
            [roundup] = received
            assert roundup.startswith(f"🌙 While quiet hours were on: {stories} stories\n")
        else:
            assert len(received) == stories
            assert not any(t.startswith("🌙") for t in received)


async def _found_late(r: Rig, chat_id: int, stories: int, *, prefix: str = "Missed story") -> list[str]:
    """``stories`` stories (sport and business) published over the last two days, which a feed back after an
    outage brings at once, planned for ``chat_id`` (registered here, instant); returns their titles."""
    await add_chat(r, chat_id, topics=("sport", "business"))
    titles = [f"{prefix} {n:02d}" for n in range(stories)]
    articles = [
        await store_article(r, title, topics=("sport" if n % 2 else "business",), age=2 * 86400 - n * 3600)
        for n, title in enumerate(titles)
    ]
    await r.delivery.plan_alerts(articles, r.clock.now())
    return titles


async def test_stories_a_poll_found_hours_late_come_as_one_catch_up_and_fresh_news_as_alerts(
    tmp_path: Path, emulator: BotApiEmulator
) -> None:
    # A feed back after two days (or a bot started again after two days) brought 40 stories of those days at
    # once: 40 alerts, one a second, the oldest two days old. The fresh ones still come as alerts, at once.
    clock = FakeClock(utc(2026, 1, 3, 12))
    async with rig(tmp_path, emulator, clock) as r:
        await add_chat(r, 7, topics=("sport", "business"))
        await add_chat(r, 8, keywords=("derby",))  # a few late stories: alerts, as a quiet night's few
        await add_chat(r, 9, topics=("sport",), mode="digest", digest_times=("18:00",))
        late = [f"Missed story {n:02d}" for n in range(40)]
        derbies = [f"Missed derby {n}" for n in range(ROUNDUP_MORE_THAN - 2)]
        fresh = ["Fresh result 1", "Fresh result 2"]
        articles = [
            await store_article(
                r, title, topics=("sport" if n % 2 else "business",), age=2 * 86400 - n * 3600
            )
            for n, title in enumerate(late)
        ]
        articles += [await store_article(r, title, age=5 * 3600) for title in derbies]
        articles += [await store_article(r, title, topics=("sport",), age=300) for title in fresh]
        await r.delivery.start()
        await r.delivery.plan_alerts(articles, clock.now())
        await wait_until(lambda: len(emulator.messages(7)) == len(fresh))
        await emulator.wait_for_idle(quiet=0.3)
        assert [t.split("\n")[0] for t in texts(emulator, 7)] == [f"⚽ {t}" for t in fresh]
        assert emulator.messages(8) == []
        # The late ones wait a minute for the other feeds of the round, then come as one catch-up.
        clock.advance(CATCHUP_GATHER_SECONDS)
        r.delivery.wake()
        await wait_until(lambda: not _each_once(texts(emulator, 7), late + fresh), timeout=30)
        await wait_until(lambda: len(emulator.messages(8)) == len(derbies))
        await emulator.wait_for_idle(quiet=0.3)
        received = texts(emulator, 7)[len(fresh) :]
        assert 1 <= len(received) <= 2, received  # split only where 4,096 characters require it
        assert received[0].startswith("🕰 Catching up on earlier news: 40 stories"), received[0]
        joined = "\n".join(received)
        assert "more" not in joined and "quiet hours" not in joined
        assert joined.index("Business") < joined.index("Sport")  # grouped by topic, as a round-up
        assert _each_once(texts(emulator, 8), derbies) == {}
        assert not any(t.startswith("🕰") for t in texts(emulator, 8))
        assert emulator.messages(9) == []  # a digest chat's stories wait for its digest, as before
        await r.delivery.aclose()
        assert (await r.db.deliveries.counts_by_status()).get("sent") == 40 + 2 + len(derbies)


@pytest.mark.parametrize(("interval", "age"), [(600, 540), (3600, 5400)])
async def test_a_busy_feeds_fresh_stories_still_come_as_alerts_at_once(
    tmp_path: Path, emulator: BotApiEmulator, interval: int, age: int
) -> None:
    # A poll every 10 minutes finding 8 stories of those 10 minutes (or, polled hourly, of the last 90) is news.
    clock = FakeClock(utc(2026, 1, 3, 12))
    async with rig(tmp_path, emulator, clock, feed_interval_seconds=interval) as r:
        await add_chat(r, 7, topics=("sport",))
        titles = [f"Busy story {n}" for n in range(8)]
        articles = [
            await store_article(r, title, topics=("sport",), age=age - n * 60)
            for n, title in enumerate(titles)
        ]
        await r.delivery.start()
        await r.delivery.plan_alerts(articles, clock.now())
        await wait_until(lambda: len(emulator.messages(7)) == len(titles), timeout=20)
        assert [t.split("\n")[0] for t in texts(emulator, 7)] == [f"⚽ {t}" for t in titles]


async def test_alerts_an_outage_held_back_over_an_hour_come_as_one_catch_up_and_newer_ones_as_alerts(
    tmp_path: Path, emulator: BotApiEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Telegram unreachable for two hours: each parked alert came back on its own once it was over, 36 alerts
    # one a second and out of order, the oldest two hours old, where stories found as late by a feed come as
    # one catch-up round-up.
    monkeypatch.setattr("bot.delivery.service.MAX_NETWORK_ATTEMPTS", 1)  # parked at the first failure
    clock = FakeClock(utc(2026, 1, 3, 12))
    async with rig(tmp_path, emulator, clock) as r:
        await add_chat(r, 7, topics=("sport",))
        await add_chat(r, 8, topics=("business",))  # only a few held back: alerts, as a catch-up's few
        await add_chat(r, 9, topics=("science",))  # found as Telegram comes back: alerts
        sport = [f"Outage sport {n}" for n in range(ROUNDUP_MORE_THAN + 2)]
        business = [f"Outage business {n}" for n in range(ROUNDUP_MORE_THAN)]
        science = [f"Outage science {n}" for n in range(ROUNDUP_MORE_THAN + 1)]

        async def plan(sender: DeliveryService, titles: list[str], topic: str) -> None:
            articles = [await store_article(r, title, topics=(topic,), age=300) for title in titles]
            await sender.plan_alerts(articles, clock.now())

        async def settled(sender: DeliveryService, pending: int) -> None:
            await wait_until(
                lambda: not sender._tasks and not sender._digest_tasks and not sender._state.in_window
            )
            assert await r.db.deliveries.counts_by_status() == {"pending": pending}

        emulator.answer_as_proxy(502, "<html><body>502 Bad Gateway</body></html>", methods=("sendMessage",))
        await r.delivery.start()
        await plan(r.delivery, sport[:4], "sport")
        await plan(r.delivery, business, "business")
        await wait_until(lambda: emulator.requests["proxy"] >= 4 + len(business), timeout=20)
        await settled(r.delivery, 4 + len(business))
        await r.delivery.aclose()  # a restart during the outage: the parks are in the database
        again = DeliveryService(
            db=r.db, bot=r.bot, settings=r.settings, clock=clock, catalogue=TopicCatalogue.load(None)
        )
        try:
            await plan(again, sport[4:], "sport")  # found while the sender was stopped: never tried
            clock.advance(100 * 60)
            await plan(again, science, "science")
            emulator.answer_as_proxy(None)  # back after 1 h 40 min, as the bot starts again
            await again.start()
            received = {7: sport, 8: business, 9: science}
            await wait_until(
                lambda: all(not _each_once(texts(emulator, c), t) for c, t in received.items()), timeout=30
            )
            await emulator.wait_for_idle(quiet=0.3)
        finally:
            await again.aclose()
        [catchup] = texts(emulator, 7)
        assert catchup.startswith(f"🕰 Catching up on earlier news: {len(sport)} stories\n"), catchup
        assert len(emulator.messages(8)) == len(business) and len(emulator.messages(9)) == len(science)
        assert not any(t.startswith(("🕰", "🌙")) for t in texts(emulator, 8) + texts(emulator, 9))
        total = len(sport) + len(business) + len(science)
        assert await r.db.deliveries.counts_by_status() == {"sent": total}


async def test_alerts_the_sender_holds_when_an_outage_is_folded_join_the_catch_up(
    tmp_path: Path, emulator: BotApiEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The two alerts the sender had claimed (waiting out a quick retry) when the chat's outage was folded missed
    # the catch-up: a catch-up of 6 stories, then 2 alerts from before it, one and a half hours old.
    monkeypatch.setattr("bot.delivery.service.MAX_NETWORK_ATTEMPTS", 2)  # one quick retry, then parked
    clock = FakeClock(utc(2026, 1, 3, 12))
    pace = [0.0]

    async def run_pacer_until(done: Any) -> None:
        for _ in range(1000):
            if done():
                return
            pace[0] += 10.0
            r.delivery.wake()
            await asyncio.sleep(0.02)
        raise AssertionError("condition not met in time")

    async with rig(tmp_path, emulator, clock, pacing_clock=lambda: pace[0]) as r:
        titles = [f"Outage story {n}" for n in range(ROUNDUP_MORE_THAN + 3)]
        emulator.answer_as_proxy(502, "<html><body>502 Bad Gateway</body></html>", methods=("sendMessage",))
        await r.delivery.start()
        await add_chat(r, 7, topics=("sport",))
        articles = [await store_article(r, title, topics=("sport",), age=300) for title in titles]
        await r.delivery.plan_alerts(articles, clock.now())
        await run_pacer_until(lambda: emulator.requests["proxy"] >= 2 * len(titles))
        await wait_until(lambda: not r.delivery._tasks and not r.delivery._state.in_window)
        clock.set(utc(2026, 1, 3, 12, 50))  # the parks are over, not an hour old: retried as alerts
        pace[0] += 10.0
        r.delivery.wake()
        await wait_until(lambda: emulator.requests["proxy"] > 2 * len(titles))
        # Two of them wait in the sender for their quick retry as Telegram comes back, an hour and a half on.
        assert r.delivery._state.in_window == 2
        emulator.answer_as_proxy(None)
        clock.set(utc(2026, 1, 3, 13, 30))
        await run_pacer_until(lambda: not _each_once(texts(emulator, 7), titles))
        await emulator.wait_for_idle(quiet=0.3)
        assert len(texts(emulator, 7)) == 1, [t.split("\n")[0] for t in texts(emulator, 7)]
        [catchup] = texts(emulator, 7)
        assert catchup.startswith(f"🕰 Catching up on earlier news: {len(titles)} stories\n"), catchup
        # The joined alerts left the sender's window: counted in it still, outages filled it until no alert was
        # claimed any more.
        assert r.delivery._state.in_window == 0
        await r.delivery.aclose()
        assert await r.db.deliveries.counts_by_status() == {"sent": len(titles)}


async def test_alerts_claimed_as_the_database_refused_their_catch_up_come_in_it_once_it_takes_writes(
    tmp_path: Path, emulator: BotApiEmulator
) -> None:
    # A full disk as the sender made alerts kept back over an hour a catch-up: the alerts it had just claimed
    # stayed 'sending' until the next restart, and the catch-up that came once there was room lacked them.
    clock = FakeClock(utc(2026, 1, 3, 12))
    async with rig(tmp_path, emulator, clock) as r:
        titles = [f"Late story {n}" for n in range(ROUNDUP_MORE_THAN + 2)]
        await add_chat(r, 7, topics=("sport",))
        articles = [await store_article(r, title, topics=("sport",), age=300) for title in titles]
        await r.delivery.plan_alerts(articles, clock.now())
        clock.set(utc(2026, 1, 3, 13, 40))  # the sender was stopped meanwhile: never tried, an hour late
        async with r.db.write() as conn:
            await conn.execute(  # the catch-up's write alone is refused
                "CREATE TEMP TRIGGER disk_full BEFORE UPDATE OF catchup ON deliveries"
                " BEGIN SELECT RAISE(FAIL, 'database or disk is full'); END"
            )
        await r.delivery.start()
        await asyncio.sleep(1.5)  # two claims refused
        async with r.db.write() as conn:
            await conn.execute("DROP TRIGGER temp.disk_full")
        await wait_until(lambda: bool(texts(emulator, 7)), timeout=20)
        await emulator.wait_for_idle(quiet=0.5)
        [catchup] = texts(emulator, 7)
        assert catchup.startswith(f"🕰 Catching up on earlier news: {len(titles)} stories\n"), catchup
        await r.delivery.aclose()
        assert await r.db.deliveries.counts_by_status() == {"sent": len(titles)}


async def test_an_eight_hour_outage_loses_no_alert_of_a_chat_with_five_or_fewer_held_back(
    tmp_path: Path, emulator: BotApiEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Telegram answered nobody for 8 hours: a chat with 6 alerts held back got them as one catch-up, but a chat
    # with 3 had each failed after about 4 hours of retries (MAX_OUTAGE_ATTEMPTS) and never got them.
    monkeypatch.setattr(delivery_module, "MAX_NETWORK_ATTEMPTS", 1)  # parked at the first failure
    monkeypatch.setattr(delivery_module, "MAX_OUTAGE_ATTEMPTS", 3)  # 4 hours' retries, in 2-hour steps
    clock = FakeClock(utc(2026, 1, 3, 12))
    async with rig(tmp_path, emulator, clock) as r:
        await add_chat(r, 7, topics=("sport",))
        await add_chat(r, 8, topics=("business",))
        few = [f"Outage sport {n}" for n in range(3)]
        many = [f"Outage business {n}" for n in range(ROUNDUP_MORE_THAN + 1)]
        emulator.answer_as_proxy(502, "<html><body>502 Bad Gateway</body></html>", methods=("sendMessage",))
        await r.delivery.start()
        for titles, topic in ((few, "sport"), (many, "business")):
            articles = [await store_article(r, title, topics=(topic,), age=300) for title in titles]
            await r.delivery.plan_alerts(articles, clock.now())
        for _hours in range(4):  # every try in 8 hours is refused
            r.delivery.wake()
            await _parked_again(r)
            clock.advance(2 * 3600)
        assert await r.db.deliveries.counts_by_status() == {"pending": len(few) + len(many)}
        emulator.answer_as_proxy(None)
        r.delivery.wake()
        await wait_until(
            lambda: not _each_once(texts(emulator, 7) + texts(emulator, 8), few + many), timeout=20
        )
        await emulator.wait_for_idle(quiet=0.3)
        # 5 or fewer held back come as alerts, in order; more as one catch-up.
        assert [t.split("\n")[0] for t in texts(emulator, 7)] == [f"⚽ {t}" for t in few]
        [catchup] = texts(emulator, 8)
        assert catchup.startswith(f"🕰 Catching up on earlier news: {len(many)} stories\n"), catchup
        await r.delivery.aclose()
        assert await r.db.deliveries.counts_by_status() == {"sent": len(few) + len(many)}


async def test_alerts_of_a_chat_never_tried_in_an_outage_come_as_one_catch_up_when_telegram_is_back(
    tmp_path: Path, emulator: BotApiEmulator
) -> None:
    # A chat the sender never reached while Telegram was down (30 messages a second do not reach every chat of
    # a big bot within an outage; here its alerts were planned while the sender was stopped) had none of its
    # alerts parked, so nothing folded them: 8 alerts, two hours old, one a second, where a chat whose alerts
    # had been tried got one catch-up.
    clock = FakeClock(utc(2026, 1, 3, 12))
    async with rig(tmp_path, emulator, clock) as r:
        await add_chat(r, 7, topics=("sport",))
        await add_chat(r, 8, topics=("business",))
        titles = [f"Never tried {n}" for n in range(ROUNDUP_MORE_THAN + 3)]
        few = [f"Never tried business {n}" for n in range(ROUNDUP_MORE_THAN)]
        for chosen, topic in ((titles, "sport"), (few, "business")):
            articles = [await store_article(r, title, topics=(topic,), age=300) for title in chosen]
            await r.delivery.plan_alerts(articles, clock.now())
        clock.advance(2 * 3600)
        await r.delivery.start()
        await wait_until(
            lambda: not _each_once(texts(emulator, 7) + texts(emulator, 8), titles + few), timeout=20
        )
        await emulator.wait_for_idle(quiet=0.3)
        [catchup] = texts(emulator, 7)
        assert catchup.startswith(f"🕰 Catching up on earlier news: {len(titles)} stories\n"), catchup
        # 5 or fewer: alerts, in order.
        assert [t.split("\n")[0] for t in texts(emulator, 8)] == [f"💼 {t}" for t in few]
        await r.delivery.aclose()
        assert await r.db.deliveries.counts_by_status() == {"sent": len(titles) + len(few)}


async def test_an_alert_found_late_in_an_outage_does_not_overtake_the_chats_older_parked_one(
    tmp_path: Path, emulator: BotApiEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    # An alert parked since the outage began retries every 5 minutes; one found in its last minute waits 30 s at
    # first. Telegram back, the new one came first and the chat's older story minutes later, out of order.
    monkeypatch.setattr(delivery_module, "MAX_NETWORK_ATTEMPTS", 1)  # parked at the first failure
    clock = FakeClock(utc(2026, 1, 3, 12))
    async with rig(tmp_path, emulator, clock) as r:
        await add_chat(r, 7, topics=("sport",))
        emulator.answer_as_proxy(502, "<html><body>502 Bad Gateway</body></html>", methods=("sendMessage",))
        await r.delivery.start()
        first = await store_article(r, "Before the outage", topics=("sport",), age=300)
        await r.delivery.plan_alerts([first], clock.now())
        for _round in range(6):  # parked 30 s, 1, 2, 4 and then 5 minutes
            await _parked_again(r)
            clock.advance(delivery_module.OUTAGE_RETRY_SECONDS)
            r.delivery.wake()
        await _parked_again(r)
        clock.advance(60)
        await r.delivery.plan_alerts(
            [await store_article(r, "During the outage", topics=("sport",))], clock.now()
        )
        await _parked_again(r)
        emulator.answer_as_proxy(None)
        clock.advance(delivery_module.FIRST_PARK_SECONDS)  # the new one's park is over, not the old one's
        r.delivery.wake()
        await _parked_again(r)
        clock.advance(delivery_module.OUTAGE_RETRY_SECONDS)
        r.delivery.wake()
        await wait_until(lambda: len(emulator.messages(7)) == 2)
        assert [t.split("\n")[0] for t in texts(emulator, 7)] == [
            "⚽ Before the outage",
            "⚽ During the outage",
        ]


async def _parked_again(r: Rig) -> None:
    """Wait until every alert due has been tried and waits again (parked, or failed)."""
    for _ in range(500):
        sender = r.delivery
        if not sender._tasks and not sender._roundup_chats and not sender._state.in_window:
            [[due]] = await r.db.reader.execute_fetchall(
                "SELECT count(*) FROM deliveries WHERE status IN ('pending', 'sending') AND not_before <= ?",
                (r.clock.now(),),
            )
            if not due:
                return
        await asyncio.sleep(0.02)
    raise AssertionError("alerts still due")


async def test_a_catch_up_of_parked_alerts_that_fails_in_the_outage_comes_once_when_telegram_is_back(
    tmp_path: Path, emulator: BotApiEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("bot.delivery.service.MAX_NETWORK_ATTEMPTS", 1)
    clock = FakeClock(utc(2026, 1, 3, 12))
    async with rig(tmp_path, emulator, clock) as r:
        titles = [f"Outage story {n}" for n in range(ROUNDUP_MORE_THAN + 1)]
        emulator.answer_as_proxy(502, "<html><body>502 Bad Gateway</body></html>", methods=("sendMessage",))
        await r.delivery.start()
        await add_chat(r, 7, topics=("sport",))
        articles = [await store_article(r, title, topics=("sport",), age=300) for title in titles]
        await r.delivery.plan_alerts(articles, clock.now())
        await wait_until(lambda: emulator.requests["proxy"] >= len(titles), timeout=20)
        clock.advance(2 * 3600)  # still down: the catch-up is tried, and waits like an alert
        r.delivery.wake()
        await wait_until(lambda: emulator.requests["proxy"] >= len(titles) + 1, timeout=20)
        await wait_until(lambda: not r.delivery._roundup_chats and not r.delivery._state.in_window)
        assert await r.db.deliveries.counts_by_status() == {"pending": len(titles)}
        emulator.answer_as_proxy(None)
        clock.advance(delivery_module.OUTAGE_RETRY_SECONDS)
        r.delivery.wake()
        await wait_until(lambda: not _each_once(texts(emulator, 7), titles), timeout=20)
        await emulator.wait_for_idle(quiet=0.3)
        [catchup] = texts(emulator, 7)
        assert catchup.startswith(f"🕰 Catching up on earlier news: {len(titles)} stories\n"), catchup
        await r.delivery.aclose()
        assert await r.db.deliveries.counts_by_status() == {"sent": len(titles)}


async def test_digest_asked_in_an_instant_chat_while_its_catch_up_waits_its_turn_leaves_the_catch_up_whole(
    tmp_path: Path, emulator: BotApiEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    # After an outage every chat's catch-up waits its turn (DIGEST_CONCURRENCY at a time). /digest meanwhile, in
    # a chat on instant alerts, took the catch-up's stories as "Your news digest", 5 a topic and the rest only
    # counted, and the catch-up never came.
    monkeypatch.setattr(delivery_module, "DIGEST_CONCURRENCY", 1)
    clock = FakeClock(utc(2026, 1, 3, 12))
    async with rig(tmp_path, emulator, clock) as r:
        titles = [f"Outage story {n:02d}" for n in range(12)]
        for chat in (5, 7):
            await add_chat(r, chat, topics=("sport",))
        articles = [await store_article(r, title, topics=("sport",)) for title in titles]
        await r.delivery.plan_alerts(articles, clock.now())
        async with r.db.write() as conn:  # parked by the outage
            await conn.execute(
                "UPDATE deliveries SET error = 'network: down', attempts = 10, not_before = ?",
                (clock.now() + 300,),
            )
        clock.advance(2 * 3600)  # Telegram is back
        emulator.hold_answers(5)  # chat 5's catch-up is on its way: chat 7's waits its turn
        await r.delivery.start()
        await wait_until(lambda: len(emulator.messages(5)) == 1)
        assert await r.delivery.send_digest(7, clock.now(), on_demand=True) == 0
        assert emulator.messages(7) == []
        emulator.release_answers(5)
        await wait_until(lambda: not _each_once(texts(emulator, 7), titles), timeout=20)
        [catchup] = texts(emulator, 7)
        assert catchup.startswith(f"🕰 Catching up on earlier news: {len(titles)} stories\n"), catchup


async def test_a_catch_up_planned_before_a_restart_comes_once_after_it(
    tmp_path: Path, emulator: BotApiEmulator
) -> None:
    clock = FakeClock(utc(2026, 1, 3, 12))
    async with rig(tmp_path, emulator, clock) as r:
        await r.delivery.start()
        titles = await _found_late(r, 7, 12)
        await r.delivery.aclose()  # stopped within the minute the late stories wait
        clock.advance(CATCHUP_GATHER_SECONDS + 600)
        again = DeliveryService(
            db=r.db, bot=r.bot, settings=r.settings, clock=clock, catalogue=TopicCatalogue.load(None)
        )
        try:
            await again.start()
            await wait_until(lambda: not _each_once(texts(emulator, 7), titles), timeout=20)
            await emulator.wait_for_idle(quiet=0.5)
        finally:
            await again.aclose()
        [catchup] = texts(emulator, 7)
        assert catchup.startswith("🕰 Catching up on earlier news: 12 stories\n")
        assert await r.db.deliveries.counts_by_status() == {"sent": 12}


async def test_a_chat_paused_while_its_catch_up_waits_gets_none_of_it(
    tmp_path: Path, emulator: BotApiEmulator
) -> None:
    clock = FakeClock(utc(2026, 1, 3, 12))
    async with rig(tmp_path, emulator, clock) as r:
        chats = ChatService(db=r.db, settings=r.settings, clock=clock, delivery=r.delivery)
        await r.delivery.start()
        await _found_late(r, 7, 12)
        await chats.set_paused(7, True)
        clock.advance(CATCHUP_GATHER_SECONDS)
        await chats.set_paused(7, False)
        r.delivery.wake()
        await emulator.wait_for_idle(quiet=0.5)
        assert emulator.messages(7) == []
        assert await r.db.deliveries.counts_by_status() == {"dropped": 12}


async def test_stories_found_late_during_quiet_hours_join_the_quiet_nights_round_up(
    tmp_path: Path, emulator: BotApiEmulator
) -> None:
    clock = FakeClock(utc(2026, 1, 1, 21))
    async with rig(tmp_path, emulator, clock) as r:
        await r.delivery.start()
        night = await _a_quiet_night(r, 3)  # chat 7, quiet 22:00-07:00, at 23:00
        clock.set(utc(2026, 1, 2, 3))
        late = [f"Missed story {n:02d}" for n in range(10)]
        articles = [
            await store_article(r, title, topics=("sport",), age=86400 - n * 3600)
            for n, title in enumerate(late)
        ]
        await r.delivery.plan_alerts(articles, clock.now())
        clock.advance(CATCHUP_GATHER_SECONDS)
        r.delivery.wake()
        await emulator.wait_for_idle(quiet=0.5)
        assert emulator.messages(7) == []  # still quiet hours
        clock.set(utc(2026, 1, 2, 7))
        r.delivery.wake()
        await wait_until(lambda: not _each_once(texts(emulator, 7), night + late), timeout=20)
        await emulator.wait_for_idle(quiet=0.3)
        [roundup] = texts(emulator, 7)
        assert roundup.startswith("🌙 While quiet hours were on: 13 stories\n")


async def test_quiet_hours_holds_set_while_the_clock_ran_ahead_end_when_it_is_put_back(
    tmp_path: Path, emulator: BotApiEmulator
) -> None:
    # The clock runs 11 hours ahead: at a true 12:00 the bot thinks it is 23:00.
    clock = FakeClock(utc(2026, 1, 1, 23))
    async with rig(tmp_path, emulator, clock) as r:
        for chat_id, quiet in ((7, ("22:00", "07:00")), (8, ("20:00", "13:00")), (9, ("10:00", "07:00"))):
            await add_chat(r, chat_id, topics=("sport",), quiet_start=quiet[0], quiet_end=quiet[1])
        await r.delivery.start()
        assert await r.delivery.release_stale_holds(clock.now()) == 0  # the first tick: nothing held yet
        await r.delivery.plan_alerts([await store_article(r, "Noon result", topics=("sport",))], clock.now())
        await emulator.wait_for_idle(quiet=0.3)
        assert await _held_until(r) == {7: utc(2026, 1, 2, 7), 8: utc(2026, 1, 2, 13), 9: utc(2026, 1, 2, 7)}
        # Put right, back to 12:00; the next tick sees the clock went back.
        clock.set(utc(2026, 1, 1, 12))
        assert await r.delivery.release_stale_holds(clock.now()) == 2
        # Chat 7 is not quiet at 12:00: its alert goes now, not 19 hours later.
        await wait_until(lambda: bool(emulator.messages(7)))
        assert "Noon result" in emulator.messages(7)[0].text
        await wait_until(lambda: r.delivery._state.in_window == 0)
        # Chat 8 is quiet until 13:00 by the corrected clock, not the next day; chat 9's hold was right.
        assert await _held_until(r) == {8: utc(2026, 1, 1, 13), 9: utc(2026, 1, 2, 7)}
        assert emulator.messages(8) == emulator.messages(9) == []


async def _held_until(r: Rig) -> dict[int, float]:
    rows = await r.db.reader.execute_fetchall(
        "SELECT chat_id, not_before FROM deliveries WHERE status = 'pending' ORDER BY chat_id"
    )
    return {int(row[0]): float(row[1]) for row in rows}


async def test_alerts_queued_before_an_outage_longer_than_the_retention_window_are_sent_after_it(
    tmp_path: Path, emulator: BotApiEmulator
) -> None:
    async with rig(tmp_path, emulator, retention_days=30) as r:
        await add_chat(r, 7, topics=("sport",))
        art = await store_article(r, "Result before the outage", topics=("sport",))
        assert await r.delivery.plan_alerts([art], r.clock.now()) == 1
        # The bot is down for 31 days; the first tick after the restart prunes before the sender gets going.
        r.clock.advance(31 * 86400)
        older_than = r.clock.now() - r.settings.retention_days * 86400.0
        assert await r.db.articles.prune(older_than, r.clock.now()) == 0
        assert await r.db.articles.held_from_pruning(older_than) == 1
        await r.delivery.start()
        await wait_until(lambda: bool(emulator.messages(7)))
        assert "Result before the outage" in emulator.messages(7)[0].text
        await r.delivery.aclose()
        assert await r.db.deliveries.counts_by_status() == {"sent": 1}
        # Settled now: the next prune takes it, with its "sent once" record.
        assert await r.db.articles.prune(older_than, r.clock.now()) == 1


async def test_paused_chat_gets_nothing(tmp_path: Path, emulator: BotApiEmulator) -> None:
    async with rig(tmp_path, emulator) as r:
        await add_chat(r, 7, topics=("sport",), paused=True)
        await add_chat(r, 8, topics=("sport",))
        await r.delivery.start()
        art = await store_article(r, "Cup final", topics=("sport",))
        assert await r.delivery.plan_alerts([art], r.clock.now()) == 1
        await wait_until(lambda: bool(emulator.messages(8)))
        await emulator.wait_for_idle(quiet=0.3)
        assert emulator.messages(7) == []


async def test_blocked_and_unknown_chats_are_deactivated(tmp_path: Path, emulator: BotApiEmulator) -> None:
    async with rig(tmp_path, emulator) as r:
        await add_chat(r, 7, topics=("sport",))
        await add_chat(r, 8, topics=("sport",))
        await add_chat(r, 9, topics=("sport",), in_emulator=False)  # Telegram: chat not found
        await emulator.block_chat(8)
        arts = [await store_article(r, f"Result {i}", topics=("sport",)) for i in range(3)]
        await r.delivery.start()
        assert await r.delivery.plan_alerts(arts, r.clock.now()) == 9
        await wait_until(lambda: len(emulator.messages(7)) == 3, timeout=15)
        await wait_until(lambda: r.delivery._state.in_window == 0)
        blocked, missing = await r.db.chats.get(8), await r.db.chats.get(9)
        assert blocked is not None and not blocked.active and "blocked" in (blocked.inactive_reason or "")
        assert missing is not None and not missing.active and missing.inactive_reason == "chat not found"
        await r.delivery.aclose()
        counts = await r.db.deliveries.counts_by_status()
        assert counts == {"sent": 3, "dropped": 6}
        # Telegram was asked once per gone chat, not once per alert.
        assert emulator.requests["sendMessage"] == 5


async def test_a_deleted_group_is_deactivated_instead_of_failing_every_alert(
    tmp_path: Path, emulator: BotApiEmulator, caplog: pytest.LogCaptureFixture
) -> None:
    # Its creator deleted the basic group: Telegram answers every message to it "group chat was deactivated".
    # Each alert was recorded failed with an ERROR line, and the dead group stayed active for good.
    deleted = {"ok": False, "error_code": 400, "description": "Bad Request: group chat was deactivated"}
    async with rig(tmp_path, emulator) as r:
        await add_chat(r, -100, topics=("sport",))
        emulator.answer_as_proxy(400, json.dumps(deleted), "application/json", methods=("sendMessage",))
        arts = [await store_article(r, f"Result {i}", topics=("sport",)) for i in range(3)]
        await r.delivery.start()
        assert await r.delivery.plan_alerts(arts, r.clock.now()) == 3
        await wait_until(lambda: emulator.requests["proxy"] >= 1)
        await wait_until(lambda: r.delivery._state.in_window == 0)
        await r.delivery.aclose()
        chat = await r.db.chats.get(-100)
        assert chat is not None and not chat.active
        assert chat.inactive_reason == "group chat was deactivated"
        assert await r.db.deliveries.counts_by_status() == {"dropped": 3}
        assert emulator.requests["proxy"] == 1
    assert not [rec for rec in caplog.records if rec.levelno >= logging.ERROR]


async def test_fanout_keeps_limits_and_one_429_chat_does_not_block_others(
    tmp_path: Path,
) -> None:
    # The emulator is stricter per chat than Telegram's published limit, so every chat gets a 429 once.
    strict = RateLimits(per_chat_per_sec=0.5, per_chat_burst=1)
    async with BotApiEmulator(rate_limits=strict) as emulator, rig(tmp_path, emulator) as r:
        for chat in range(1, 21):
            await add_chat(r, chat, topics=("sport",))
        arts = [await store_article(r, f"Result {i}", topics=("sport",)) for i in range(2)]
        await r.delivery.start()
        assert await r.delivery.plan_alerts(arts, r.clock.now()) == 40
        await wait_until(lambda: emulator.sent_count() == 40, timeout=30)
        for chat in range(1, 21):
            assert [t.splitlines()[0][2:] for t in texts(emulator, chat)] == ["Result 0", "Result 1"]
        # Only per-chat 429s happened, and each was obeyed: one refusal per chat, not a storm.
        assert emulator.violations
        assert all(v.scope == "chat" for v in emulator.violations)
        assert len(emulator.violations) <= len({v.chat_id for v in emulator.violations})


async def test_fanout_within_telegram_limits_has_no_violations(
    tmp_path: Path, emulator: BotApiEmulator
) -> None:
    async with rig(tmp_path, emulator) as r:
        for chat in range(1, 41):
            await add_chat(r, chat, topics=("sport",))
        for chat in range(-1, -3, -1):
            await add_chat(r, chat, topics=("sport",))
        arts = [await store_article(r, f"Result {i}", topics=("sport",)) for i in range(2)]
        await r.delivery.start()
        assert await r.delivery.plan_alerts(arts, r.clock.now()) == 84
        await wait_until(lambda: emulator.sent_count() == 84, timeout=30)
        assert emulator.violations == []
        for chat in (1, 40, -1):
            assert [m.text.splitlines()[0][2:] for m in emulator.messages(chat)] == ["Result 0", "Result 1"]


async def test_a_group_gets_alerts_no_faster_than_its_own_limit(tmp_path: Path) -> None:
    # Telegram lets a group have 20 messages a minute, far fewer than a private chat's one a second; the
    # fan-out above sends each group two alerts, which no limit notices. Scaled down here to keep the test
    # short: a group may have 600 a minute (one each 0.1 s), a private chat 100 a second.
    limits = RateLimits(per_chat_per_sec=100, per_chat_burst=2, group_per_min=600, group_burst=2)
    async with (
        BotApiEmulator(rate_limits=limits) as emulator,
        rig(tmp_path, emulator, rate_chat_interval_seconds=0.01, rate_group_per_minute=600) as r,
    ):
        await add_chat(r, -5, topics=("sport",))
        await add_chat(r, 5, topics=("sport",))
        arts = [await store_article(r, f"Result {i}", topics=("sport",)) for i in range(8)]
        await r.delivery.start()
        assert await r.delivery.plan_alerts(arts, r.clock.now()) == 16
        await wait_until(lambda: emulator.sent_count() == 16, timeout=15)
        assert emulator.violations == []
        for chat in (-5, 5):
            assert [t.splitlines()[0][2:] for t in texts(emulator, chat)] == [f"Result {i}" for i in range(8)]


async def test_migrated_group_keeps_subscriptions_and_gets_the_alert(
    tmp_path: Path, emulator: BotApiEmulator
) -> None:
    async with rig(tmp_path, emulator) as r:
        await add_chat(r, -100, topics=("sport",))
        await emulator.migrate_chat(-100, -1001234, announce=False)
        art = await store_article(r, "Derby tonight", topics=("sport",))
        await r.delivery.start()
        await r.delivery.plan_alerts([art], r.clock.now())
        await wait_until(lambda: bool(emulator.messages(-1001234)))
        assert "Derby tonight" in emulator.messages(-1001234)[0].text
        assert await r.db.chats.get(-100) is None
        moved = await r.db.chats.get(-1001234)
        assert moved is not None and moved.active
        assert [s.value for s in await r.db.subscriptions.for_chat(-1001234)] == ["sport"]


async def test_migration_onto_a_supergroup_that_already_has_the_alert_sends_it_once(
    tmp_path: Path, emulator: BotApiEmulator
) -> None:
    async with rig(tmp_path, emulator) as r:
        # The supergroup talked to the bot before the group's migration was processed: both are registered
        # and both are owed the same alert.
        await add_chat(r, -100, topics=("sport",))
        await emulator.migrate_chat(-100, -1001234, announce=False)
        await add_chat(r, -1001234, topics=("sport",), type="supergroup", in_emulator=False)
        art = await store_article(r, "Derby tonight", topics=("sport",))
        assert await r.delivery.plan_alerts([art], r.clock.now()) == 2
        await r.delivery.start()
        await wait_until(lambda: bool(emulator.messages(-1001234)))
        # The group's copy is re-addressed to the supergroup, which may be sent to again only after 3 s.
        state = r.delivery._state
        await wait_until(lambda: state.in_window == 0 and not state.queues and not r.delivery._tasks)
        await emulator.wait_for_idle(quiet=0.3)
        assert [m.text.splitlines()[0][2:] for m in emulator.messages(-1001234)] == ["Derby tonight"]
        assert await r.db.chats.get(-100) is None


async def test_crash_leftovers_are_requeued_on_start(
    tmp_path: Path, emulator: BotApiEmulator, caplog: pytest.LogCaptureFixture
) -> None:
    async with rig(tmp_path, emulator) as r:
        await add_chat(r, 7, topics=("sport",))
        art = await store_article(r, "Left in flight", topics=("sport",))
        await r.delivery.plan_alerts([art], r.clock.now())
        # A previous process claimed the row and died before sending.
        assert len(await r.db.deliveries.claim_alerts(r.clock.now(), 10)) == 1
        with caplog.at_level(logging.WARNING, logger="bot.delivery.service"):
            await r.delivery.start()
        # The operator read "re-queued 1 deliveries".
        assert "re-queued 1 delivery left in flight by the last run" in caplog.messages
        await wait_until(lambda: bool(emulator.messages(7)))
        assert "Left in flight" in emulator.messages(7)[0].text
        await wait_until(lambda: r.delivery._state.in_window == 0)
        await r.delivery.aclose()
        stats = await r.delivery.stats(0)
        assert stats["sent"] == 1 and stats["queued"] == 0


async def test_a_large_batch_is_planned_in_chunks_that_never_split_a_story(
    tmp_path: Path, emulator: BotApiEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    # 200 articles for 10,000 chats is a million rows: planned in one piece it kept millions of objects alive
    # (seconds-long garbage collections on the event loop) and held the write lock for a minute.
    import bot.delivery.service

    monkeypatch.setattr(bot.delivery.service, "PLAN_CHUNK_ARTICLES", 2)
    async with rig(tmp_path, emulator) as r:
        await add_chat(r, 7, topics=("business",))
        await add_chat(r, 8, topics=("business",))
        first = await store_article(r, "Bank raises rates", topics=("business",), source="Wire A")
        arts = [first]
        arts.append(
            await store_article(r, "Rates up", topics=("business",), source="Wire B", story_id=first.story_id)
        )
        arts += [await store_article(r, f"Story {i}", topics=("business",)) for i in range(3)]
        transactions: list[list[int]] = []
        real_plan = r.db.deliveries.plan

        async def recording_plan(rows, now, planned_articles=()):  # type: ignore[no-untyped-def]
            transactions.append(sorted({PlannedDelivery(*row).story_id for row in rows}))
            return await real_plan(rows, now, planned_articles)

        monkeypatch.setattr(r.db.deliveries, "plan", recording_plan)
        assert await r.delivery.plan_alerts(arts, r.clock.now()) == 2 * 4
        s = [a.story_id for a in arts]
        assert transactions == [[s[0]], [s[2], s[3]], [s[4]]]
        assert await r.db.articles.alert_pending() == []


async def test_a_chat_that_asked_for_longer_summaries_gets_them_in_its_alerts(
    tmp_path: Path, emulator: BotApiEmulator
) -> None:
    # Articles are stored with a summary of the default length (3); the settings button offers 5.
    body = " ".join(
        f"The harbour council approved plan number {n} for the ferry terminal on Monday." for n in range(1, 9)
    )
    async with rig(tmp_path, emulator) as r:
        await add_chat(r, 7, topics=("automotive",), summary_sentences=5)
        await add_chat(r, 8, topics=("automotive",))
        stored = summarize(body, 3, title="Ferry terminal plans approved")
        art = await store_article(
            r, "Ferry terminal plans approved", body, ("automotive",), summary=tuple(stored)
        )
        await r.delivery.start()
        assert await r.delivery.plan_alerts([art], r.clock.now()) == 2
        await wait_until(lambda: bool(emulator.messages(7)) and bool(emulator.messages(8)))
        plans = {chat: emulator.messages(chat)[0].text.count("plan number") for chat in (7, 8)}
        # It used to be 3 for both: the stored summary, whatever the chat had asked for.
        assert plans == {7: 5, 8: 3}


async def test_an_alert_that_shows_every_sentence_of_its_article_offers_no_longer_summary(
    tmp_path: Path, emulator: BotApiEmulator
) -> None:
    # A teaser of exactly three sentences, stored with its three-sentence summary: the alert at the default
    # length offered "Longer summary", and the tap answered with the same three sentences again.
    teaser = "The harbour council met on Monday. It approved the new ferry terminal. Work starts in spring."
    body = " ".join(
        f"The harbour council approved plan number {n} for the ferry terminal on Monday." for n in range(1, 9)
    )
    async with rig(tmp_path, emulator) as r:
        await add_chat(r, 7, topics=("automotive",))  # the default length, 3
        await add_chat(r, 8, topics=("automotive",), summary_sentences=1)
        short = await store_article(
            r, "Ferry terminal approved", teaser, ("automotive",), summary=tuple(summarize(teaser, 3))
        )
        long = await store_article(
            r, "Ferry terminal plans", body, ("automotive",), summary=tuple(summarize(body, 3))
        )
        await r.delivery.start()
        assert await r.delivery.plan_alerts([short, long], r.clock.now()) == 4
        await wait_until(lambda: len(emulator.messages(7)) == 2 and len(emulator.messages(8)) == 2)
        whole, more = emulator.messages(7)
        assert "Work starts in spring." in whole.text and whole.buttons == []
        assert more.button_data("Longer summary") == f"sum:{long.id}:6"
        # A shorter alert of the teaser still offers the rest of it.
        assert emulator.messages(8)[0].button_data("Longer summary") == f"sum:{short.id}:4"


async def test_a_fan_out_works_out_whether_a_story_has_more_sentences_once_not_per_chat(
    tmp_path: Path, emulator: BotApiEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Whether to offer "Longer summary" takes the longer summary: the chats of a fan-out, sent concurrently,
    # each summarized the article again (11 times for 300 chats) instead of waiting for the one in progress.
    calls: list[int] = []

    def counting(text: str, sentences: int = 3, **kwargs: Any) -> list[str]:
        calls.append(sentences)
        return summarize(text, sentences, **kwargs)

    monkeypatch.setattr("bot.services.summaries.summarize", counting)
    body = " ".join(
        f"The harbour council approved plan number {n} for the ferry terminal on Monday."
        for n in range(1, 60)
    )
    async with rig(tmp_path, emulator, rate_chat_interval_seconds=0) as r:
        for chat in range(1, 31):
            await add_chat(r, chat, topics=("automotive",))
        art = await store_article(
            r, "Ferry terminal plans", body, ("automotive",), summary=tuple(summarize(body, 3))
        )
        await r.delivery.start()
        assert await r.delivery.plan_alerts([art], r.clock.now()) == 30
        await wait_until(lambda: all(emulator.messages(chat) for chat in range(1, 31)))
        assert {emulator.messages(c)[0].button_data("Longer summary") for c in range(1, 31)} == {
            f"sum:{art.id}:6"
        }
        assert calls == [6]
