"""Digests: at the chat's local time across a DST change, grouped, capped, nothing new -> nothing sent."""

from __future__ import annotations

import asyncio
import gc
import json
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio

from bot.clock import FakeClock
from bot.delivery import service as delivery_module
from bot.delivery.service import CATCHUP_GATHER_SECONDS
from bot.emulator import BotApiEmulator, RateLimits
from bot.emulator.html_check import parse_html
from bot.render.replies import render_stats
from bot.scheduling import utc
from bot.services.admin import Stats
from bot.services.chats import ChatService
from summaries.articles import Article
from tests.delivery.support import Rig, add_chat, rig, store_article, wait_until, wait_until_sent


@pytest_asyncio.fixture
async def emulator() -> AsyncIterator[BotApiEmulator]:
    async with BotApiEmulator() as emu:
        yield emu


async def digest_chat(r: Rig, chat_id: int, **settings: Any) -> None:
    await add_chat(r, chat_id, topics=("sport", "business"), keywords=("lagarde",), mode="digest", **settings)
    chat = await r.db.chats.get(chat_id)
    assert chat is not None
    await r.db.chats.save_settings(r.delivery.reschedule(chat, r.clock.now()), r.clock.now())


async def test_digest_at_eight_berlin_across_spring_forward(tmp_path: Path, emulator: BotApiEmulator) -> None:
    clock = FakeClock(utc(2026, 3, 28, 12))
    async with rig(tmp_path, emulator, clock, digest_max_per_topic=2) as r:
        await digest_chat(r, 7, timezone="Europe/Berlin", digest_times=("08:00",))
        await add_chat(r, 8, topics=("sport",))  # an instant chat for contrast
        chat = await r.db.chats.get(7)
        assert chat is not None and chat.next_digest_at == utc(2026, 3, 29, 6)  # 08:00 CEST
        arts = [
            await store_article(r, "Cup final", topics=("sport",)),
            await store_article(r, "Derby", topics=("sport",)),
            await store_article(r, "Relegation", topics=("sport",)),
            await store_article(r, "Rates", "Lagarde spoke.", ("business",)),
            await store_article(r, "Lagarde speech", "Lagarde said.", ()),
        ]
        await r.delivery.plan_alerts(arts, clock.now())
        assert await r.delivery.send_due_digests(clock.now()) == 0
        clock.set(utc(2026, 3, 29, 5, 59))
        assert await r.delivery.send_due_digests(clock.now()) == 0
        assert emulator.messages(7) == []
        clock.set(utc(2026, 3, 29, 6, 0))
        assert await r.delivery.send_due_digests(clock.now()) == 4  # 2 sport (capped) + business + keyword
        [digest] = emulator.messages(7)
        text = digest.text
        # Topics in catalogue order, keywords after them.
        assert text.index("Business") < text.index("Sport") < text.index("lagarde")
        assert "Cup final" in text and "Derby" in text and "Relegation" not in text
        # The story over the cap is not sent again: the line names the command that lists it.
        assert "…and 1 more: /latest sport" in text
        chat = await r.db.chats.get(7)
        assert chat is not None
        assert chat.last_digest_at == utc(2026, 3, 29, 6) and chat.next_digest_at == utc(2026, 3, 30, 6)
        # Nothing new by the next morning: nothing is sent, the schedule moves on.
        clock.set(utc(2026, 3, 30, 6))
        assert await r.delivery.send_due_digests(clock.now()) == 0
        assert len(emulator.messages(7)) == 1
        chat = await r.db.chats.get(7)
        assert chat is not None and chat.next_digest_at == utc(2026, 3, 31, 6)


async def test_stats_do_not_count_the_stories_a_digest_names_only_by_its_cap_as_dropped(
    tmp_path: Path, emulator: BotApiEmulator
) -> None:
    # Every digest over its per-topic cap added its "…and N more" stories to /stats' "dropped", meant for
    # paused, stopped and blocked chats: a healthy digest bot showed thousands dropped a day.
    async with rig(tmp_path, emulator, digest_max_per_topic=1) as r:
        await digest_chat(r, 7)
        arts = [
            await store_article(r, title, topics=("sport",)) for title in ("Cup final", "Derby", "Relegation")
        ]
        await r.delivery.plan_alerts(arts, r.clock.now())
        assert await r.delivery.send_digest(7, r.clock.now(), on_demand=True) == 1
        assert "…and 2 more: /latest sport" in emulator.messages(7)[0].text
        stats = await r.delivery.stats(r.clock.now() - 86400)
        line = render_stats(Stats({}, {}, 3, 0, 0, deliveries=stats)).html.splitlines()[-1]
        assert (
            line == "Last 24 h: 1 delivered, 0 failed, 0 dropped, 2 left out of digests by the per-topic cap"
        )


async def test_digest_on_demand_and_twice_a_day(tmp_path: Path, emulator: BotApiEmulator) -> None:
    clock = FakeClock(utc(2026, 1, 5, 9))
    async with rig(tmp_path, emulator, clock) as r:
        await digest_chat(r, 7, timezone="UTC", digest_times=("08:00", "18:00"))
        assert await r.delivery.send_digest(7, clock.now(), on_demand=True) == 0
        assert emulator.messages(7) == []
        await r.delivery.plan_alerts([await store_article(r, "Match report", topics=("sport",))], clock.now())
        assert await r.delivery.send_digest(7, clock.now(), on_demand=True) == 1
        assert "Match report" in emulator.messages(7)[0].text
        # The scheduled 18:00 digest has nothing new left.
        clock.set(utc(2026, 1, 5, 18))
        assert await r.delivery.send_due_digests(clock.now()) == 0
        assert len(emulator.messages(7)) == 1
        chat = await r.db.chats.get(7)
        assert chat is not None and chat.next_digest_at == utc(2026, 1, 6, 8)


@pytest.mark.parametrize("first", [True, False])
async def test_digest_asked_while_the_scheduled_digest_is_on_its_way_is_that_digest(
    tmp_path: Path, emulator: BotApiEmulator, first: bool
) -> None:
    # The user sends /digest at 08:00 while the 08:00 digest is being sent: /digest found nothing left to
    # claim, and its handler answered "Nothing new since your last digest" (or, before a first digest, "Nothing
    # you follow came in the last 24 hours") next to the digest arriving.
    clock = FakeClock(utc(2026, 1, 5, 7))
    async with rig(tmp_path, emulator, clock) as r:
        await digest_chat(r, 7, timezone="UTC", digest_times=("08:00",))
        if not first:
            await r.db.chats.record_digest(
                7, last_digest_at=utc(2026, 1, 4, 8), next_digest_at=utc(2026, 1, 5, 8), scheduled=None
            )
        await r.delivery.plan_alerts([await store_article(r, "Match report", topics=("sport",))], clock.now())
        clock.set(utc(2026, 1, 5, 8))
        emulator.hold_answers(7)  # the digest reaches the chat; the bot does not know yet
        scheduled = asyncio.create_task(r.delivery.send_due_digests(clock.now()))
        await wait_until(lambda: len(emulator.messages(7)) == 1)
        # What the handler gets: more than 0, so it adds no "nothing" reply; no second digest either.
        assert await r.delivery.send_digest(7, clock.now(), on_demand=True) == 1
        emulator.release_answers(7)
        assert await scheduled == 1
        await emulator.wait_for_idle(quiet=0.2)
        [digest] = emulator.messages(7)
        assert "Match report" in digest.text
        assert await r.db.deliveries.counts_by_status() == {"sent": 1}


async def test_digest_asked_while_paused_during_the_scheduled_digest_sends_all_of_it(
    tmp_path: Path, emulator: BotApiEmulator
) -> None:
    # A pause cuts the scheduled digest short; /digest asked right after (a paused chat may ask for its digest)
    # was told "that digest is your answer" while the rest of it waited for the chat to resume: the user got
    # part of the digest and no answer at all.
    clock = FakeClock(utc(2026, 1, 5, 7))
    async with rig(tmp_path, emulator, clock, digest_max_per_topic=50) as r:
        chats = ChatService(db=r.db, settings=r.settings, clock=clock, delivery=r.delivery)
        await digest_chat(r, 7, timezone="UTC", digest_times=("08:00",))
        long_sentence = "A very long summary sentence that keeps going " * 4
        arts = [
            await store_article(
                r, f"Story number {i} " + "x" * 150, topics=("sport",), summary=(long_sentence,)
            )
            for i in range(25)
        ]
        await r.delivery.plan_alerts(arts, clock.now())
        clock.set(utc(2026, 1, 5, 8))
        emulator.hold_answers(7)
        scheduled = asyncio.create_task(r.delivery.send_due_digests(clock.now()))
        await wait_until(lambda: len(emulator.messages(7)) == 1)
        await chats.set_paused(7, True)
        assert await r.delivery.send_digest(7, clock.now(), on_demand=True) > 0  # the handler adds no reply
        emulator.release_answers(7)
        await scheduled
        await emulator.wait_for_idle(quiet=0.3)
        shown = "\n".join(m.text for m in emulator.messages(7))
        assert all(f"Story number {i} " in shown for i in range(25))
        assert await r.db.deliveries.counts_by_status() == {"sent": 25}


async def test_many_digests_due_at_once_keep_the_overall_rate(tmp_path: Path) -> None:
    # 40 chats with the same digest time: the digests go out at once (32 at a time), paced by the one overall
    # limit. Each part's last check (was /stop or pause said meanwhile?) reads the database between the pacer's
    # "go" and taking the slot: every digest waiting for the slot passed the pacer during those reads, and 32
    # digests reached Telegram in the same instant, a burst it answers with 429s.
    clock = FakeClock(utc(2026, 1, 5, 7))
    limits = RateLimits(overall_per_sec=30, overall_burst=3)
    async with BotApiEmulator(rate_limits=limits) as emulator, rig(tmp_path, emulator, clock) as r:
        for chat_id in range(1, 41):
            await digest_chat(r, chat_id, timezone="UTC", digest_times=("08:00",))
        await r.delivery.plan_alerts([await store_article(r, "Match report", topics=("sport",))], clock.now())
        clock.set(utc(2026, 1, 5, 8))
        assert await r.delivery.send_due_digests(clock.now()) == 40
        assert emulator.violations == []
        assert all(len(emulator.messages(chat_id)) == 1 for chat_id in range(1, 41))


async def test_a_first_digest_on_demand_holds_the_last_days_stories_and_none_twice(
    tmp_path: Path, emulator: BotApiEmulator
) -> None:
    # A chat that never had a digest got none from /digest: only stories planned since it subscribed counted.
    clock = FakeClock(utc(2026, 1, 4, 8))
    async with rig(tmp_path, emulator, clock) as r:
        await r.delivery.start()
        await add_chat(r, 7, topics=("sport",))  # instant alerts first
        await store_article(r, "Old derby", topics=("sport",))  # over a day before the /digest
        clock.set(utc(2026, 1, 5, 9))
        alerted = await store_article(r, "Cup final", topics=("sport",))
        await r.delivery.plan_alerts([alerted], clock.now())
        await wait_until(lambda: len(emulator.messages(7)) == 1)
        relegation = await store_article(r, "Relegation", topics=("sport",))
        await store_article(r, "Rates", topics=("business",))  # not followed
        # A link another chat sent for its summary stays that chat's.
        await add_chat(r, 9)
        await r.db.articles.add(
            Article("https://news.example/private", "Private match", "A body.", "Wire B", topics=("sport",)),
            content_hash="private-match",
            story_signature=None,
            story_id=None,
            feed_id=None,
            now=clock.now(),
            reader=9,
        )
        chat = await r.db.chats.get(7)
        assert chat is not None
        digest_mode = replace(chat, mode="digest", digest_times=("18:00",))
        await r.db.chats.save_settings(r.delivery.reschedule(digest_mode, clock.now()), clock.now())
        assert await r.delivery.send_digest(7, clock.now(), on_demand=True) == 1
        text = emulator.messages(7)[-1].text
        assert "Relegation" in text
        for other in ("Cup final", "Old derby", "Rates", "Private match"):
            assert other not in text
        # A feed poll planning it afterwards, the 18:00 digest and a later /digest send it no more.
        await r.delivery.plan_alerts([relegation], clock.now())
        clock.set(utc(2026, 1, 5, 18))
        assert await r.delivery.send_due_digests(clock.now()) == 0
        assert await r.delivery.send_digest(7, clock.now(), on_demand=True) == 0
        assert len(emulator.messages(7)) == 2


async def test_long_digest_is_split_under_the_limit(tmp_path: Path, emulator: BotApiEmulator) -> None:
    async with rig(tmp_path, emulator, digest_max_per_topic=50) as r:
        await digest_chat(r, 7)
        long_sentence = "A very long summary sentence that keeps going " * 4
        arts = [
            await store_article(
                r, f"Story number {i} " + "x" * 150, topics=("sport",), summary=(long_sentence,)
            )
            for i in range(25)
        ]
        await r.delivery.plan_alerts(arts, r.clock.now())
        assert await r.delivery.send_digest(7, r.clock.now(), on_demand=True) == 25
        messages = emulator.messages(7)
        assert len(messages) >= 2
        assert all(len(m.text) <= 4096 for m in messages)
        assert sum(m.text.count("Story number") for m in messages) == 25


async def test_every_storys_link_in_a_digest_of_200_stories_can_be_tapped(tmp_path: Path) -> None:
    # Telegram keeps a message's first 100 entities: a part with ~40 short stories (a link and two italics
    # each) reached 122, and the titles past the 100th entity came as plain text nobody could open.
    topics = ("sport", "business", "technology", "science")
    async with (
        BotApiEmulator(rate_limits=RateLimits(enabled=False)) as emulator,
        rig(tmp_path, emulator, digest_max_per_topic=50, rate_chat_interval_seconds=0) as r,
    ):
        await add_chat(r, 7, topics=topics, mode="digest")
        stories = []
        for i in range(200):
            story = await store_article(r, f"Story {i}", topics=(topics[i % 4],), summary=("Short.",))
            await store_article(
                r, f"Story {i} too", topics=(topics[i % 4],), source="Wire B", story_id=story.story_id
            )
            stories.append(story)
        await r.delivery.plan_alerts(stories, r.clock.now())
        assert await r.delivery.send_digest(7, r.clock.now(), on_demand=True) == 200
        messages = emulator.messages(7)
        links = [e["url"] for m in messages for e in m.entities if e["type"] == "text_link"]
        assert sorted(links) == sorted(story.url for story in stories)
        assert all(len(parse_html(m.html).entities) <= 100 for m in messages)
        assert sum(m.text.count("(also: Wire B)") for m in messages) == 200


async def test_digest_times_in_quiet_hours_bring_one_digest_when_they_end(
    tmp_path: Path, emulator: BotApiEmulator
) -> None:
    clock = FakeClock(utc(2026, 1, 5, 12))
    async with rig(tmp_path, emulator, clock) as r:
        await digest_chat(
            r,
            7,
            timezone="Europe/Berlin",
            digest_times=("23:00", "06:00"),
            quiet_start="22:00",
            quiet_end="07:00",
        )
        await r.delivery.plan_alerts([await store_article(r, "Cup final", topics=("sport",))], clock.now())
        clock.set(utc(2026, 1, 5, 22))  # 23:00 in Berlin: quiet
        assert await r.delivery.send_due_digests(clock.now()) == 0
        await r.delivery.plan_alerts([await store_article(r, "Derby", topics=("sport",))], clock.now())
        clock.set(utc(2026, 1, 6, 5))  # 06:00: still quiet
        assert await r.delivery.send_due_digests(clock.now()) == 0
        assert emulator.messages(7) == []
        clock.set(utc(2026, 1, 6, 6))  # 07:00: the quiet hours are over, the held digest goes out once
        assert await r.delivery.send_due_digests(clock.now()) == 2
        [digest] = emulator.messages(7)
        assert "Cup final" in digest.text and "Derby" in digest.text
        chat = await r.db.chats.get(7)
        assert chat is not None and chat.next_digest_at == utc(2026, 1, 6, 22)


async def test_a_digest_sent_while_its_outcome_cannot_be_recorded_is_not_sent_again(
    tmp_path: Path, emulator: BotApiEmulator
) -> None:
    # Recording the sent digest failed (the database locked past its busy timeout, or a full disk): the sent
    # stories used to go back to the queue with the unsent ones, and the next digest repeated them.
    clock = FakeClock(utc(2026, 3, 28, 12))
    async with rig(tmp_path, emulator, clock) as r:
        await digest_chat(r, 7, digest_times=("08:00",))
        await r.delivery.start()
        arts = [await store_article(r, "Cup final", topics=("sport",))]
        await r.delivery.plan_alerts(arts, clock.now())
        async with r.db.write() as conn:
            await conn.execute(
                "CREATE TEMP TRIGGER cannot_record BEFORE UPDATE OF status ON deliveries WHEN new.status = 'sent'"
                " BEGIN SELECT RAISE(FAIL, 'database is locked'); END"
            )
        clock.set(utc(2026, 3, 29, 8, 0))
        assert await r.delivery.send_due_digests(clock.now()) == 0
        assert len(emulator.messages(7)) == 1
        async with r.db.write() as conn:
            await conn.execute("DROP TRIGGER temp.cannot_record")
        await wait_until_sent(r, 7)  # the outcome is recorded as soon as the database takes it
        await store_article(r, "Rates", "Rates rose.", ("business",))
        await r.delivery.plan_alerts(await r.db.articles.latest(1), clock.now())
        clock.set(utc(2026, 3, 30, 8, 0))
        assert await r.delivery.send_due_digests(clock.now()) == 1
        second = emulator.messages(7)[1].text
        assert "Rates" in second and "Cup final" not in second


async def test_digests_on_a_full_disk_are_logged_once_a_minute_and_sent_once_there_is_room(
    tmp_path: Path, emulator: BotApiEmulator, caplog: pytest.LogCaptureFixture
) -> None:
    # A full disk at digest time: every due chat logged its trace at every tick (5 s), and, recording its
    # next digest failing too, its task died with an exception nobody retrieved (asyncio's own error lines).
    clock = FakeClock(utc(2026, 3, 28, 12))
    async with rig(tmp_path, emulator, clock) as r:
        for chat_id in range(1, 11):
            await digest_chat(r, chat_id, digest_times=("08:00",))
        await r.delivery.plan_alerts([await store_article(r, "Cup final", topics=("sport",))], clock.now())
        async with r.db.write() as conn:
            for table in ("deliveries", "chats"):
                await conn.execute(
                    f"CREATE TEMP TRIGGER full_{table} BEFORE UPDATE ON {table}"
                    " BEGIN SELECT RAISE(FAIL, 'database or disk is full'); END"
                )
        clock.set(utc(2026, 3, 29, 8, 0))
        caplog.clear()
        for _ in range(3):  # three ticks
            clock.advance(5)
            r.delivery.schedule_due_digests(clock.now())
            await wait_until(lambda: r.delivery._digest_task is not None and r.delivery._digest_task.done())
            await wait_until(lambda: not r.delivery._digest_chats)
            gc.collect()  # an exception never retrieved is reported when its task is collected
        errors = [rec for rec in caplog.records if rec.levelno >= logging.WARNING]
        assert len(errors) == 1, [rec.getMessage() for rec in errors]
        async with r.db.write() as conn:
            await conn.execute("DROP TRIGGER temp.full_deliveries")
            await conn.execute("DROP TRIGGER temp.full_chats")
        clock.advance(5)
        assert await r.delivery.send_due_digests(clock.now()) == 10  # one story for each of the 10 chats
        assert all(len(emulator.messages(chat_id)) == 1 for chat_id in range(1, 11))
        assert "works again" in caplog.text


async def test_an_unreadable_schedule_is_logged_once_not_at_every_tick_and_its_recovery_too(
    tmp_path: Path, emulator: BotApiEmulator, caplog: pytest.LogCaptureFixture
) -> None:
    # The read of which digests are due failing (a damaged or unreadable database): the operator's log got a
    # full traceback at every scheduler tick, a few seconds apart, for as long as it lasted.
    clock = FakeClock(utc(2026, 3, 28, 12))
    async with rig(tmp_path, emulator, clock) as r:
        await digest_chat(r, 7, digest_times=("08:00",))
        await r.delivery.plan_alerts([await store_article(r, "Cup final", topics=("sport",))], clock.now())
        # A temporary table shadows ``chats`` for the reader connection only: every read of it fails.
        await r.db.reader.execute("CREATE TEMP TABLE chats (unrelated INTEGER)")
        clock.set(utc(2026, 3, 29, 8, 0))
        caplog.clear()

        async def tick() -> None:
            clock.advance(5)
            r.delivery.schedule_due_digests(clock.now())
            await wait_until(lambda: r.delivery._digest_task is not None and r.delivery._digest_task.done())

        for _ in range(6):
            await tick()
        errors = [rec for rec in caplog.records if rec.levelno >= logging.WARNING]
        assert len(errors) == 1, [rec.getMessage() for rec in errors]
        assert "finding due digests" in errors[0].getMessage() and errors[0].exc_info
        await r.db.reader.execute("DROP TABLE temp.chats")
        await tick()  # notes the last failure (within the minute: no new line) and reads the schedule again
        await wait_until(lambda: not r.delivery._digest_chats)
        await tick()  # notes the read that worked
        assert "finding due digests works again" in caplog.text
        assert len(emulator.messages(7)) == 1


async def test_a_digest_part_whose_outcome_waits_for_the_flusher_is_not_claimed_again(
    tmp_path: Path, emulator: BotApiEmulator
) -> None:
    # The 'sent' outcome of a digest part waits for the flusher while the database refuses it; its rows must
    # stay 'sending' meanwhile, or a /digest (or the next digest) claims and sends them a second time.
    clock = FakeClock(utc(2026, 3, 28, 12))
    async with rig(tmp_path, emulator, clock) as r:
        await digest_chat(r, 7, digest_times=("08:00",))
        await r.delivery.start()
        await r.delivery.plan_alerts([await store_article(r, "Cup final", topics=("sport",))], clock.now())
        async with r.db.write() as conn:
            await conn.execute(
                "CREATE TEMP TRIGGER cannot_record BEFORE UPDATE OF status ON deliveries WHEN new.status = 'sent'"
                " BEGIN SELECT RAISE(FAIL, 'database is locked'); END"
            )
        clock.set(utc(2026, 3, 29, 8, 0))
        assert await r.delivery.send_due_digests(clock.now()) == 0
        assert len(emulator.messages(7)) == 1
        # Still refused: /digest now finds nothing to send.
        assert await r.delivery.send_digest(7, clock.now(), on_demand=True) == 0
        assert len(emulator.messages(7)) == 1
        async with r.db.write() as conn:
            await conn.execute("DROP TRIGGER temp.cannot_record")
        await wait_until_sent(r, 7)
        rows = await r.db.reader.execute_fetchall("SELECT status FROM deliveries WHERE chat_id = 7")
        assert [tuple(row) for row in rows] == [("sent",)]


async def test_a_digest_held_by_quiet_hours_follows_new_quiet_hours(
    tmp_path: Path, emulator: BotApiEmulator
) -> None:
    # The held digest kept the end of the old quiet hours: turned off at 23:30, they still held it until 07:00.
    clock = FakeClock(utc(2026, 1, 5, 12))
    async with rig(tmp_path, emulator, clock) as r:
        chats = ChatService(db=r.db, settings=r.settings, clock=clock, delivery=r.delivery)
        await digest_chat(r, 7, digest_times=("23:00",), quiet_start="22:00", quiet_end="07:00")
        await r.delivery.plan_alerts([await store_article(r, "Cup final", topics=("sport",))], clock.now())
        clock.set(utc(2026, 1, 5, 23))
        assert await r.delivery.send_due_digests(clock.now()) == 0
        clock.set(utc(2026, 1, 5, 23, 30))
        await chats.set_quiet_hours(7, "22:00-05:00")
        assert await r.delivery.send_due_digests(clock.now()) == 0  # still quiet: held until the new end
        chat = await r.db.chats.get(7)
        assert chat is not None and chat.next_digest_at == utc(2026, 1, 6, 5)
        await chats.set_quiet_hours(7, "off")
        assert await r.delivery.send_due_digests(clock.now()) == 1
        assert "Cup final" in emulator.messages(7)[0].text
        await chats.set_length(7, 4)  # a regular schedule is kept when quiet hours are not what changed
        chat = await r.db.chats.get(7)
        assert chat is not None and chat.next_digest_at == utc(2026, 1, 6, 23)


async def test_an_old_story_is_dated_in_each_chats_own_timezone(
    tmp_path: Path, emulator: BotApiEmulator
) -> None:
    clock = FakeClock(utc(2026, 3, 1, 23))
    async with rig(tmp_path, emulator, clock) as r:
        await digest_chat(r, 7, timezone="Asia/Tokyo", digest_times=("08:00",))
        await add_chat(r, 8, topics=("sport",), timezone="Asia/Tokyo")
        await add_chat(r, 9, topics=("sport",), timezone="UTC")
        story = await store_article(r, "Cup final", topics=("sport",))  # 22:50 UTC, 07:50 in Tokyo
        clock.set(utc(2026, 3, 10, 12))
        await r.delivery.start()
        assert await r.delivery.plan_alerts([story], clock.now()) == 3
        clock.advance(CATCHUP_GATHER_SECONDS)  # found nine days late: its alerts wait for the catch-up minute
        r.delivery.wake()
        await wait_until(lambda: bool(emulator.messages(8)) and bool(emulator.messages(9)))
        # The same story rendered for two chats: each reads the date of its own calendar.
        assert "Wire A · 2 Mar" in emulator.messages(8)[0].text
        assert "Wire A · 1 Mar" in emulator.messages(9)[0].text
        assert await r.delivery.send_digest(7, clock.now(), on_demand=True) == 1
        [digest] = emulator.messages(7)
        assert f"Cup final — Wire A · 2 Mar · #{story.id}" in digest.text  # it read "8 d ago"


async def test_a_digest_to_a_blocked_or_unknown_chat_deactivates_it_and_drops_its_queue(
    tmp_path: Path, emulator: BotApiEmulator
) -> None:
    # Kept active, the chat's digest is tried (and refused) at every digest time forever, and its stories
    # stay queued, holding their articles from pruning.
    clock = FakeClock(utc(2026, 1, 5, 9))
    async with rig(tmp_path, emulator, clock) as r:
        await digest_chat(r, 7, timezone="UTC", digest_times=("08:00",))
        await digest_chat(r, 8, timezone="UTC", digest_times=("08:00",))
        await emulator.block_chat(7, announce=False)
        await emulator.delete_chat(8)
        await r.delivery.plan_alerts([await store_article(r, "Match report", topics=("sport",))], clock.now())
        for chat_id, reason in ((7, "blocked"), (8, "chat not found")):
            assert await r.delivery.send_digest(chat_id, clock.now()) == 0
            chat = await r.db.chats.get(chat_id)
            assert chat is not None and not chat.active and reason in (chat.inactive_reason or "")
        assert await r.db.deliveries.counts_by_status() == {"dropped": 2}


async def test_a_digest_to_a_deleted_group_deactivates_it_and_drops_its_queue(
    tmp_path: Path, emulator: BotApiEmulator
) -> None:
    # A deleted basic group answers every message "group chat was deactivated": as an unknown chat, not a
    # failure at each digest time for good.
    deleted = {"ok": False, "error_code": 400, "description": "Bad Request: group chat was deactivated"}
    clock = FakeClock(utc(2026, 1, 5, 9))
    async with rig(tmp_path, emulator, clock) as r:
        await digest_chat(r, -100, timezone="UTC", digest_times=("08:00",))
        await r.delivery.plan_alerts([await store_article(r, "Match report", topics=("sport",))], clock.now())
        emulator.answer_as_proxy(400, json.dumps(deleted), "application/json", methods=("sendMessage",))
        assert await r.delivery.send_digest(-100, clock.now()) == 0
        chat = await r.db.chats.get(-100)
        assert chat is not None and not chat.active
        assert chat.inactive_reason == "group chat was deactivated"
        assert await r.db.deliveries.counts_by_status() == {"dropped": 1}


async def test_a_paused_digest_chat_gets_no_digest_at_its_time(
    tmp_path: Path, emulator: BotApiEmulator
) -> None:
    # "A paused chat gets nothing until resumed" (SPEC 6): its digest time passes without a message, and the
    # schedule moves on to the next day rather than trying again at every tick.
    clock = FakeClock(utc(2026, 1, 5, 12))
    async with rig(tmp_path, emulator, clock) as r:
        await digest_chat(r, 7, timezone="UTC", digest_times=("18:00",))
        await r.delivery.plan_alerts([await store_article(r, "Cup final", topics=("sport",))], clock.now())
        chat = await r.db.chats.get(7)
        assert chat is not None
        await r.db.chats.save_settings(replace(chat, paused=True), clock.now())
        clock.set(utc(2026, 1, 5, 18))
        assert await r.delivery.send_due_digests(clock.now()) == 0
        assert emulator.messages(7) == []
        chat = await r.db.chats.get(7)
        assert chat is not None and chat.next_digest_at == utc(2026, 1, 6, 18)


async def test_a_digest_rescheduled_for_a_timezone_edited_by_hand_comes_at_its_time_as_settings_show(
    tmp_path: Path, emulator: BotApiEmulator
) -> None:
    # An unknown timezone edited in by hand, with the next digest cleared: /settings read it as UTC and showed
    # "digest at 18:00 (UTC)", but the tick rescheduled it at 08:00 UTC, a fallback meant for no usable time.
    clock = FakeClock(utc(2026, 1, 5, 12))
    async with rig(tmp_path, emulator, clock) as r:
        await digest_chat(r, 7, timezone="UTC", digest_times=("18:00",))
        async with r.db.write() as conn:
            await conn.execute(
                "UPDATE chats SET timezone = 'Mars/Olympus', next_digest_at = NULL WHERE id = 7"
            )
        assert await r.delivery.send_due_digests(clock.now()) == 0
        chat = await r.db.chats.get(7)
        assert chat is not None and chat.next_digest_at == utc(2026, 1, 5, 18)


async def test_the_search_a_digest_offers_for_a_keyword_finds_the_stories_over_its_cap(
    tmp_path: Path, emulator: BotApiEmulator
) -> None:
    # Keywords match "서울" in "서울에서" (with its particle), "Королев" for "королёв" and "ΑΘΗΝΑ" for "αθήνα";
    # /search did not, so "…and 2 more: /search 서울" led to none of the two stories it promised.
    spellings = {
        "서울": ("서울에서 큰 불", "서울시는 새 정책", "서울의 날씨"),
        "королёв": ("Королев выступил", "Королёв сказал", "Город Королев растёт"),
        "αθήνα": ("ΑΘΗΝΑ: μεγάλη διαδήλωση", "Στην Αθηνα σήμερα", "Η Αθήνα βράζει"),
    }
    await _assert_digest_search_finds_each_keywords_three_stories(tmp_path, emulator, spellings)


async def _assert_digest_search_finds_each_keywords_three_stories(
    tmp_path: Path, emulator: BotApiEmulator, spellings: dict[str, tuple[str, str, str]]
) -> None:
    """A digest chat follows each keyword of ``spellings``, each matching its three titles: the digest shows one
    story of each and offers "/search KEYWORD" for the other two, which must find all three."""
    async with rig(tmp_path, emulator, digest_max_per_topic=1) as r:
        await add_chat(r, 7, keywords=tuple(spellings), mode="digest")
        stored = {
            keyword: [await store_article(r, title, f"{title}.") for title in titles]
            for keyword, titles in spellings.items()
        }
        await r.delivery.plan_alerts([a for arts in stored.values() for a in arts], r.clock.now())
        assert await r.delivery.send_digest(7, r.clock.now(), on_demand=True) == 3
        [digest] = emulator.messages(7)
        for keyword, arts in stored.items():
            assert f"…and 2 more: /search {keyword}" in digest.text
            found = {a.id for a in await r.db.articles.search(keyword, reader=7)}
            assert found == {a.id for a in arts}, keyword


async def test_a_french_keyword_typed_without_its_ligature_finds_the_stories_printed_with_it(
    tmp_path: Path, emulator: BotApiEmulator
) -> None:
    # Keyboards type "coeur" and "oeuvre", French news print "cœur" and "œuvre" (and the reverse happens): the
    # keyword followed only the spelling typed, and "/search coeur" found none of the "cœur" stories.
    spellings = {
        "coeur": (
            "Le cœur de Lyon se transforme",
            "Au coeur du débat budgétaire",
            "CŒUR DE VILLE : les travaux",
        ),
        "œuvre": ("Une œuvre volée retrouvée", "Oeuvre de Monet vendue", "Le musée prête l’œuvre"),
        "aeble": ("Æble-prisen stiger", "Aeble og pærer", "ÆBLE-høsten er god"),
    }
    await _assert_digest_search_finds_each_keywords_three_stories(tmp_path, emulator, spellings)


async def test_the_search_a_digest_offers_for_a_keyword_with_symbols_finds_what_the_keyword_matched(
    tmp_path: Path, emulator: BotApiEmulator
) -> None:
    # "…and 2 more: /search c++" also listed every story about C, "/search at&t" one saying "At T minus ten"
    # and "/search .net" every "Net profit": the index drops the symbols that the keyword matches.
    spellings = {
        "c++": (
            ("C++ 26 is out", "Why C++ still rules", "Coders love C++"),
            ("New C compiler", "C++20 lands"),
        ),
        "at&t": (("AT&T cuts prices", "AT&T's results", "Verizon and AT&T"), ("At T minus ten", "AT and T")),
        ".net": ((".NET 9 ships", "Microsoft .NET update", "Old .NET apps"), ("Net profit rises", "ASP.NET")),
        "5g": (("5G rollout begins", "5G-ready phones", "Cheaper 5G plans"), ("4G is fine", "5 g weights")),
        "covid-19": (("Covid-19 cases rise", "COVID-19 vaccine", "Covid 19 ward"), ("Covid rules end",)),
    }
    async with rig(tmp_path, emulator, digest_max_per_topic=1) as r:
        await add_chat(r, 7, keywords=tuple(spellings), mode="digest")
        stored = {
            keyword: [await store_article(r, title, f"{title}.") for title in titles]
            for keyword, (titles, _) in spellings.items()
        }
        decoys = [await store_article(r, t, f"{t}.") for _, others in spellings.values() for t in others]
        await r.delivery.plan_alerts([*[a for arts in stored.values() for a in arts], *decoys], r.clock.now())
        assert await r.delivery.send_digest(7, r.clock.now(), on_demand=True) == len(spellings)
        [digest] = emulator.messages(7)
        for keyword, arts in stored.items():
            assert f"…and 2 more: /search {keyword}" in digest.text
            found = {a.id for a in await r.db.articles.search(keyword, reader=7)}
            assert found == {a.id for a in arts}, keyword


async def test_a_story_other_feeds_also_carried_comes_first_in_its_topic(
    tmp_path: Path, emulator: BotApiEmulator
) -> None:
    # "Best first" counts more sources, but a second source is read by another feed's poll, after the story's
    # row was planned: the story three wires carried sat below a newer one only one wire had.
    async with rig(tmp_path, emulator) as r:
        await add_chat(r, 7, topics=("business",), mode="digest")
        big = await store_article(r, "Central bank raises rates", topics=("business",))
        await r.delivery.plan_alerts([big], r.clock.now())
        r.clock.advance(300)
        small = await store_article(r, "Local bakery opens a shop", topics=("business",))
        await r.delivery.plan_alerts([small], r.clock.now())
        for wire in ("Wire B", "Wire C"):  # each from its own feed, in its own poll
            later = await store_article(
                r, "Rates raised by the bank", topics=("business",), source=wire, story_id=big.story_id
            )
            await r.delivery.plan_alerts([later], r.clock.now())
        assert await r.delivery.send_digest(7, r.clock.now(), on_demand=True) == 2
        text = emulator.messages(7)[0].text
        assert "(also: Wire B, Wire C)" in text
        assert text.index("Central bank raises rates") < text.index("Local bakery")


async def test_the_search_a_digest_offers_finds_a_latin_keyword_inside_japanese_text(
    tmp_path: Path, emulator: BotApiEmulator
) -> None:
    # The keyword "iphone" matches "新型iPhoneを発表" (a word ends where the script changes), but the search
    # index holds that run as one token: "…and 2 more: /search iphone" found neither of the two stories.
    titles = ("新型iPhoneを発表", "アップルがiPhoneの販売を開始", "iPhone新机型发布")
    async with rig(tmp_path, emulator, digest_max_per_topic=1) as r:
        await add_chat(r, 7, keywords=("iphone",), mode="digest")
        arts = [await store_article(r, title, f"{title}。") for title in titles]
        decoys = [
            await store_article(r, title, f"{title}。")
            for title in ("新型iPhone16を発表", "スマートphoneの時代")
        ]
        await r.delivery.plan_alerts([*arts, *decoys], r.clock.now())
        assert await r.delivery.send_digest(7, r.clock.now(), on_demand=True) == 1
        assert "…and 2 more: /search iphone" in emulator.messages(7)[0].text
        found = await r.db.articles.search("iphone", reader=7)
        assert {a.id for a in found} == {a.id for a in arts}
        assert [a.id for a in await r.db.articles.search("iPhone 発表", reader=7)] == [arts[0].id]


@asynccontextmanager
async def _quick_retries(
    tmp_path: Path, emulator: BotApiEmulator, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[tuple[Rig, FakeClock]]:
    """A rig at 06:00 on Monday 5 January 2026 whose quick retries take no time: each try of a send is two
    attempts at once, with no sleeps between them."""
    monkeypatch.setattr(delivery_module, "MAX_NETWORK_ATTEMPTS", 2)
    clock = FakeClock(utc(2026, 1, 5, 6))
    async with rig(tmp_path, emulator, clock, rate_chat_interval_seconds=0) as r:
        monkeypatch.setattr(r.delivery._pacer, "penalize", lambda chat_id, seconds: None)
        yield r, clock


def _telegram_down(emulator: BotApiEmulator) -> None:
    """sendMessage answered by a proxy's 502 page, as in a Telegram outage."""
    emulator.answer_as_proxy(502, "<html><body>502 Bad Gateway</body></html>", methods=("sendMessage",))


async def test_a_digest_refused_by_an_outage_arrives_once_telegram_is_back_the_same_morning(
    tmp_path: Path,
    emulator: BotApiEmulator,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    # Telegram answered 502 at 07:30 for 20 minutes: the digest waited for the next morning's, which then held
    # two days of stories (some cut to "…and N more"). Now it is tried again as a parked alert is, and arrives
    # when Telegram is back, once and whole; the next morning's holds only the next day's stories.
    async with _quick_retries(tmp_path, emulator, monkeypatch) as (r, clock):
        chats = (7, 8, 9)
        for chat_id in chats:
            await digest_chat(r, chat_id, timezone="UTC", digest_times=("07:30",))
        monday = ["Cup final", "Derby"]
        await r.delivery.plan_alerts(
            [await store_article(r, title, topics=("sport",)) for title in monday], clock.now()
        )
        _telegram_down(emulator)
        clock.set(utc(2026, 1, 5, 7, 30))
        with caplog.at_level(logging.INFO, logger="bot.delivery"):
            assert await r.delivery.send_due_digests(clock.now()) == 0
            # One line says the digests wait for Telegram; the other chats' are counted, not logged each.
            waiting = [
                rec for rec in caplog.records if rec.name == "bot.delivery" and rec.levelno >= logging.WARNING
            ]
            assert len(waiting) == 1 and "Telegram unreachable" in waiting[0].getMessage(), waiting
            chat = await r.db.chats.get(7)
            assert chat is not None and chat.next_digest_at == utc(2026, 1, 5, 7, 30) + 30  # not tomorrow
            arrived: dict[int, float] = {}
            while clock.now() < utc(2026, 1, 5, 8):  # the scheduler's ticks
                if clock.now() >= utc(2026, 1, 5, 7, 50):
                    emulator.answer_as_proxy(None)
                await r.delivery.send_due_digests(clock.now())
                arrived.update({c: clock.now() for c in chats if c not in arrived and emulator.messages(c)})
                clock.advance(10)
        assert not [rec for rec in caplog.records if "postponed" in rec.getMessage()]
        for chat_id in chats:
            [digest] = emulator.messages(chat_id)
            assert all(title in digest.text for title in monday)
            assert utc(2026, 1, 5, 7, 50) <= arrived[chat_id] <= utc(2026, 1, 5, 7, 55)
        assert await r.db.deliveries.counts_by_status() == {"sent": 6}
        chat = await r.db.chats.get(7)
        assert chat is not None and chat.next_digest_at == utc(2026, 1, 6, 7, 30)
        await r.delivery.plan_alerts([await store_article(r, "Relegation", topics=("sport",))], clock.now())
        clock.set(utc(2026, 1, 6, 7, 30))
        assert await r.delivery.send_due_digests(clock.now()) == 3
        for chat_id in chats:
            tuesday = emulator.messages(chat_id)[1].text
            assert "Relegation" in tuesday and not any(title in tuesday for title in monday)


async def test_a_digest_waiting_for_telegram_is_tried_again_no_later_than_the_chats_next_digest_time(
    tmp_path: Path, emulator: BotApiEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The waits grow as a parked alert's (30 s, 60 s, 120 s ...), but a retry that would come after the chat's
    # next digest time is that digest: the stories are never held past it.
    async with _quick_retries(tmp_path, emulator, monkeypatch) as (r, clock):
        await digest_chat(r, 7, timezone="UTC", digest_times=("07:30", "07:33"))
        await r.delivery.plan_alerts([await store_article(r, "Cup final", topics=("sport",))], clock.now())
        _telegram_down(emulator)
        clock.set(utc(2026, 1, 5, 7, 30))
        tries: list[float | None] = []
        while clock.now() < utc(2026, 1, 5, 7, 34):
            await r.delivery.send_due_digests(clock.now())
            chat = await r.db.chats.get(7)
            assert chat is not None
            if not tries or tries[-1] != chat.next_digest_at:
                tries.append(chat.next_digest_at)
            clock.advance(10)
        start = utc(2026, 1, 5, 7, 30)
        assert tries == [start + 30, start + 90, utc(2026, 1, 5, 7, 33), utc(2026, 1, 5, 7, 37)]
        emulator.answer_as_proxy(None)
        clock.set(utc(2026, 1, 5, 7, 37))
        assert await r.delivery.send_due_digests(clock.now()) == 1
        [digest] = emulator.messages(7)
        assert "Cup final" in digest.text
        chat = await r.db.chats.get(7)
        assert chat is not None and chat.next_digest_at == utc(2026, 1, 6, 7, 30)


async def test_a_digest_waiting_for_telegram_still_comes_after_the_chat_changes_its_timezone(
    tmp_path: Path, emulator: BotApiEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Telegram took no messages at 07:30 but the bot still got updates: the user set another timezone while the
    # digest waited for its retry, and the retry was dropped for the new schedule's next time, tomorrow morning,
    # which then held two days of stories. The digest owed comes when Telegram is back; the new schedule after.
    async with _quick_retries(tmp_path, emulator, monkeypatch) as (r, clock):
        chats = ChatService(db=r.db, settings=r.settings, clock=clock, delivery=r.delivery)
        await digest_chat(r, 7, timezone="UTC", digest_times=("07:30",))
        await r.delivery.plan_alerts([await store_article(r, "Cup final", topics=("sport",))], clock.now())
        _telegram_down(emulator)
        clock.set(utc(2026, 1, 5, 7, 30))
        assert await r.delivery.send_due_digests(clock.now()) == 0
        clock.advance(10)
        await chats.set_timezone(7, "Europe/Berlin")  # 07:30 there is 06:30 UTC: tomorrow's is the next
        emulator.answer_as_proxy(None)
        while clock.now() < utc(2026, 1, 5, 8):
            await r.delivery.send_due_digests(clock.now())
            clock.advance(10)
        [digest] = emulator.messages(7)
        assert "Cup final" in digest.text
        chat = await r.db.chats.get(7)
        assert chat is not None and chat.next_digest_at == utc(2026, 1, 6, 6, 30)


async def test_a_digest_kept_only_because_nothing_else_got_through_is_said_once_not_at_every_retry(
    tmp_path: Path,
    emulator: BotApiEmulator,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    # An idle bot whose one digest Telegram refuses with a 502: past the 4 hours of retries it is kept (nothing
    # else got through to show Telegram is up), and every retry, 5 minutes apart for good, logged "Telegram
    # unreachable", which read as an outage. As for an alert, one line now says it keeps failing.
    monkeypatch.setattr(delivery_module, "MAX_OUTAGE_ATTEMPTS", 6)  # 3 tries of a digest's 2 attempts
    async with _quick_retries(tmp_path, emulator, monkeypatch) as (r, clock):
        await digest_chat(r, 7, timezone="UTC", digest_times=("07:30",))
        await r.delivery.plan_alerts([await store_article(r, "Cup final", topics=("sport",))], clock.now())
        _telegram_down(emulator)
        clock.set(utc(2026, 1, 5, 7, 30))
        with caplog.at_level(logging.INFO, logger="bot.delivery"):
            for _ in range(6):
                await r.delivery.send_due_digests(clock.now())
                clock.advance(delivery_module.OUTAGE_RETRY_SECONDS + 1)
        assert emulator.requests["proxy"] == 12  # tried each time, and kept
        assert await r.db.deliveries.counts_by_status() == {"pending": 1}
    lines = [
        rec.getMessage()
        for rec in caplog.records
        if rec.name == "bot.delivery" and rec.levelno >= logging.WARNING
    ]
    assert len(lines) == 2, lines  # a retry parked again is said no more
    assert "digest to chat 7: Telegram unreachable" in lines[0], lines
    assert "digest to chat 7: still not taken after 6 attempts" in lines[1], lines


async def _digests_sent_between(r: Rig, start: float, end: float) -> list[float]:
    """Tick every 15 minutes from ``start`` to ``end``, a new story each hour; the instants a digest went out."""
    sent: list[float] = []
    n = 0
    for at in range(int(start), int(end) + 1, 900):
        r.clock.set(at)
        if at % 3600 == 0:
            n += 1
            await r.delivery.plan_alerts([await store_article(r, f"Match {n} report", topics=("sport",))], at)
        if await r.delivery.send_due_digests(at):
            sent.append(at)
    return sent


@pytest.mark.parametrize(
    ("zone", "time", "start", "expected"),
    [
        # 02:30 is skipped when the clocks go forward: that day's digest comes at 03:00, the next at 02:30.
        ("Europe/Berlin", "02:30", utc(2026, 3, 28, 12), [utc(2026, 3, 29, 1), utc(2026, 3, 30, 0, 30)]),
        ("America/New_York", "02:30", utc(2026, 3, 7, 12), [utc(2026, 3, 8, 7), utc(2026, 3, 9, 6, 30)]),
        # 01:30 comes twice when the clocks go back: one digest, at the first.
        (
            "America/New_York",
            "01:30",
            utc(2026, 10, 31, 12),
            [utc(2026, 11, 1, 5, 30), utc(2026, 11, 2, 6, 30)],
        ),
        (
            "Europe/Berlin",
            "02:30",
            utc(2026, 10, 24, 12),
            [utc(2026, 10, 25, 0, 30), utc(2026, 10, 26, 1, 30)],
        ),
        # Offsets at the ends of the range, and one a quarter-hour off the hour.
        ("Etc/GMT-14", "08:00", utc(2026, 1, 1, 12), [utc(2026, 1, 1, 18), utc(2026, 1, 2, 18)]),
        ("Etc/GMT+12", "08:00", utc(2026, 1, 1, 12), [utc(2026, 1, 1, 20), utc(2026, 1, 2, 20)]),
        ("Asia/Kathmandu", "08:00", utc(2026, 1, 1, 12), [utc(2026, 1, 2, 2, 15), utc(2026, 1, 3, 2, 15)]),
    ],
)
async def test_a_digest_on_a_clock_change_day_or_at_an_odd_offset_comes_once_a_day(
    tmp_path: Path, emulator: BotApiEmulator, zone: str, time: str, start: float, expected: list[float]
) -> None:
    async with rig(tmp_path, emulator, FakeClock(start)) as r:
        await digest_chat(r, 7, timezone=zone, digest_times=(time,))
        assert await _digests_sent_between(r, start, start + 2 * 86400) == expected


async def test_changing_timezone_between_two_digests_neither_repeats_nor_skips_one(
    tmp_path: Path, emulator: BotApiEmulator
) -> None:
    start = utc(2026, 1, 5, 6)
    async with rig(tmp_path, emulator, FakeClock(start)) as r:
        chats = ChatService(db=r.db, settings=r.settings, clock=r.clock, delivery=r.delivery)
        await digest_chat(r, 7, timezone="Europe/Berlin", digest_times=("08:00", "20:00"))
        assert await _digests_sent_between(r, start, utc(2026, 1, 5, 8)) == [utc(2026, 1, 5, 7)]
        # 09:00 in Berlin is 17:00 in Tokyo: its 20:00 is the next digest, then its 08:00.
        await chats.set_timezone(7, "Asia/Tokyo")
        sent = await _digests_sent_between(r, utc(2026, 1, 5, 8, 15), utc(2026, 1, 6, 12))
        assert sent == [utc(2026, 1, 5, 11), utc(2026, 1, 5, 23), utc(2026, 1, 6, 11)]
        # 21:15 in Tokyo is 07:15 in New York: its 08:00 comes 45 minutes later.
        await chats.set_timezone(7, "America/New_York")
        sent = await _digests_sent_between(r, utc(2026, 1, 6, 12, 15), utc(2026, 1, 7, 14))
        assert sent == [utc(2026, 1, 6, 13), utc(2026, 1, 7, 1), utc(2026, 1, 7, 13)]
        assert len(emulator.messages(7)) == 7
