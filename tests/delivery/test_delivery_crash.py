"""Kill the bot with SIGKILL in the middle of a fan-out, restart it on the same database: every chat gets every
alert exactly once, except at most the few messages in flight at the instant of the crash."""

from __future__ import annotations

import asyncio
import os
import re
import signal
import sqlite3
import sys
from collections import Counter
from contextlib import closing
from pathlib import Path

import pytest

from bot.clock import FakeClock, SystemClock
from bot.config import Settings
from bot.delivery import DeliveryService
from bot.delivery.service import DIGEST_CONCURRENCY
from bot.emulator import BotApiEmulator
from bot.emulator.limits import RateLimits
from bot.scheduling import utc
from bot.services.chats import ChatService
from bot.store import ChatDefaults, Database
from summaries.topics import TopicCatalogue
from tests.delivery.support import TOKEN, Rig, add_chat, make_settings, rig, store_article, wait_until

CHATS = 300
RATE = 100  # emulator and bot both allow 100 messages/s overall, so the test takes seconds
ARTICLES = 2
ROOT = Path(__file__).resolve().parents[2]
# Deadlines for what waits on the bot's own process: generous, as a loaded 2-core machine runs it several times slower.
LOADED_DEADLINE = 120.0


async def seed(db: Database, emulator: BotApiEmulator, settings: Settings) -> int:
    """CHATS subscribed chats and ARTICLES new articles, planned into the outbox by the real planner."""
    from tests.delivery.support import Rig, store_article

    clock = SystemClock()
    now = clock.now()
    for chat_id in range(1, CHATS + 1):
        await emulator.add_chat(chat_id)
        await db.chats.register(chat_id, "private", None, ChatDefaults(), now)
        await db.subscriptions.add(chat_id, "topic", "sport", now)
    delivery = DeliveryService(
        db=db,
        bot=None,
        settings=settings,
        clock=clock,
        catalogue=TopicCatalogue.load(None),
    )
    r = Rig(db, emulator, clock, settings, delivery, None)  # type: ignore[arg-type]
    arts = [await store_article(r, f"Result {i}", topics=("sport",)) for i in range(ARTICLES)]
    return await delivery.plan_alerts(arts, now)


async def start_bot(env: dict[str, str], log: Path) -> asyncio.subprocess.Process:
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "tests.delivery.runner",
        cwd=ROOT,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=log.open("ab"),
    )
    assert proc.stdout is not None
    line = await asyncio.wait_for(proc.stdout.readline(), timeout=LOADED_DEADLINE)
    assert line.strip() == b"ready", f"the bot did not start; see {log}"
    return proc


def _rows(db_path: Path) -> dict[tuple[int, str], str]:
    """(chat, article title) -> status of every outbox row, read from the database file (the bot dead or alive)."""
    with closing(sqlite3.connect(f"file:{db_path}?mode=ro", uri=True, timeout=30)) as conn:
        rows = conn.execute(
            "SELECT d.chat_id, a.title, d.status FROM deliveries AS d JOIN articles AS a ON a.id = d.article_id"
        ).fetchall()
    return {(chat, title): status for chat, title, status in rows}


def _count(db_path: Path, status: str) -> int:
    return sum(s == status for s in _rows(db_path).values())


async def test_sigkill_mid_fanout_then_restart(tmp_path: Path) -> None:
    limits = RateLimits(overall_per_sec=RATE, overall_burst=RATE + 5)
    async with BotApiEmulator(rate_limits=limits) as emulator:
        settings = make_settings(tmp_path, emulator, rate_overall_per_second=RATE)
        async with await Database.open(settings.db_path) as db:
            assert await seed(db, emulator, settings) == CHATS * ARTICLES
        env = {
            **os.environ,
            "NEWSBOT_BOT_TOKEN": TOKEN,
            "NEWSBOT_TELEGRAM_API_URL": emulator.base_url,
            "NEWSBOT_DB_PATH": str(settings.db_path),
            "NEWSBOT_TICK_SECONDS": "0.2",
            "NEWSBOT_RATE_OVERALL_PER_SECOND": str(RATE),
            "PYTHONPATH": str(ROOT),
        }
        log = tmp_path / "bot.log"
        total = CHATS * ARTICLES

        proc = await start_bot(env, log)
        try:
            # Killed a third of the way, at whatever point of the 0.1 s between writes of outcomes, once the bot has
            # written some while running (not only at a stop).
            await wait_until(
                lambda: (
                    emulator.sent_count() >= total // 3 and _count(settings.db_path, "sent") >= total // 4
                ),
                timeout=LOADED_DEADLINE,
            )
            proc.send_signal(signal.SIGKILL)
        finally:
            await proc.wait()
        before_restart = emulator.sent_count()
        assert before_restart < total
        at_kill = _rows(settings.db_path)

        proc = await start_bot(env, log)
        try:
            # Done when the database holds every row sent: nothing is left for the bot to send (a quiet spell in
            # the emulator is no proof of that on a loaded machine, where one chat's second alert waits 1 s).
            await wait_until(lambda: _count(settings.db_path, "sent") == total, timeout=LOADED_DEADLINE)
        finally:
            proc.send_signal(signal.SIGTERM)
            await proc.wait()

        titles = {title for _chat, title in at_kill}
        received: Counter[tuple[int, str]] = Counter()
        for chat in range(1, CHATS + 1):
            for message in emulator.messages(chat):
                (title,) = [t for t in titles if t in message.text.splitlines()[0]]
                received[(chat, title)] += 1
        assert set(received) == set(at_kill)  # every chat got every alert
        twice = {key for key, n in received.items() if n > 1}
        print(f"sent before kill: {before_restart}; duplicates after restart: {len(twice)}")
        # Only what the bot had claimed at the kill (in flight, or sent and its outcome not yet written) can repeat,
        # and only once; an alert recorded as sent never goes again. (How many that is depends on the machine's load:
        # outcomes are written every 0.1 s of the bot's own time, which a loaded machine stretches.)
        assert max(received.values()) <= 2
        assert {key: at_kill[key] for key in twice} == dict.fromkeys(twice, "sending")
        assert emulator.violations == []


async def _restart_and_send_due_digests(r: Rig, emulator: BotApiEmulator, clock: FakeClock) -> None:
    """The bot started again on the same database: it sends the digests due, then stops."""
    restarted = DeliveryService(
        db=r.db, bot=r.bot, settings=r.settings, clock=clock, catalogue=TopicCatalogue.load(None)
    )
    await restarted.start()
    try:
        await restarted.send_due_digests(clock.now())
        await emulator.wait_for_idle(quiet=0.3)
    finally:
        await restarted.aclose()


@pytest.mark.parametrize("stories", [1, 25])
async def test_sigterm_while_a_digest_is_on_its_way_does_not_send_it_again_after_the_restart(
    tmp_path: Path, stories: int
) -> None:
    # Stopping cancelled a digest whose message had reached the chat but whose answer had not come back: its
    # stories went back to the queue and the restarted bot sent the same digest a second time. A longer digest
    # (25 stories: several messages) stops after that part, and the restart sends the rest.
    clock = FakeClock(utc(2026, 1, 5, 7))
    async with (
        BotApiEmulator() as emulator,
        rig(tmp_path, emulator, clock, digest_max_per_topic=50) as r,
    ):
        await add_chat(r, 7, topics=("sport",))
        chats = ChatService(db=r.db, settings=r.settings, clock=clock, delivery=r.delivery)
        await chats.set_digest_times(7, ["08:00"])
        long_sentence = "A very long summary sentence that keeps going " * 4
        arts = [
            await store_article(r, f"Story {i}; " + "x" * 150, topics=("sport",), summary=(long_sentence,))
            for i in range(stories)
        ]
        await r.delivery.plan_alerts(arts, clock.now())
        clock.set(utc(2026, 1, 5, 8))
        await r.delivery.start()
        emulator.hold_answers(7)  # the digest is in the chat; Telegram's answer is still on its way
        r.delivery.schedule_due_digests(clock.now())
        await wait_until(lambda: len(emulator.messages(7)) == 1)
        stopping = asyncio.create_task(r.delivery.aclose())  # SIGTERM
        await asyncio.sleep(0.2)
        emulator.release_answers(7)
        await stopping
        assert len(emulator.messages(7)) == 1  # no part after the one on its way
        await _restart_and_send_due_digests(r, emulator, clock)
        shown = Counter(re.findall(r"Story \d+;", "\n".join(m.text for m in emulator.messages(7))))
        assert shown == Counter({f"Story {i};": 1 for i in range(stories)})
        assert await r.db.deliveries.counts_by_status() == {"sent": stories}


async def test_sigterm_at_digest_time_leaves_each_due_digest_to_the_restart_once(tmp_path: Path) -> None:
    # More chats due than digests are sent at once: SIGTERM with the first ones on their way and the others
    # waiting their turn. Each chat gets its digest once: those on their way finish, the others after the restart.
    clock = FakeClock(utc(2026, 1, 5, 7))
    chat_ids = range(1, DIGEST_CONCURRENCY + 9)
    async with BotApiEmulator() as emulator, rig(tmp_path, emulator, clock) as r:
        chats = ChatService(db=r.db, settings=r.settings, clock=clock, delivery=r.delivery)
        for chat_id in chat_ids:
            await add_chat(r, chat_id, topics=("sport",))
            await chats.set_digest_times(chat_id, ["08:00"])
            emulator.hold_answers(chat_id)
        await r.delivery.plan_alerts([await store_article(r, "Cup final", topics=("sport",))], clock.now())
        clock.set(utc(2026, 1, 5, 8))
        await r.delivery.start()
        r.delivery.schedule_due_digests(clock.now())
        await wait_until(lambda: emulator.sent_count() == DIGEST_CONCURRENCY)
        stopping = asyncio.create_task(r.delivery.aclose())  # SIGTERM
        await asyncio.sleep(0.2)
        for chat_id in chat_ids:
            emulator.release_answers(chat_id)
        await stopping
        assert emulator.sent_count() == DIGEST_CONCURRENCY
        await _restart_and_send_due_digests(r, emulator, clock)
        assert {chat_id: len(emulator.messages(chat_id)) for chat_id in chat_ids} == dict.fromkeys(
            chat_ids, 1
        )


async def test_digest_command_cancelled_by_a_stop_mid_send_does_not_repeat_that_part(tmp_path: Path) -> None:
    # /digest is sent in its command's task, which a stopping bot cancels after a grace of 5 s. Cancelled while
    # a part was on its way (in the chat, Telegram's answer not back yet), its stories went back to the queue
    # and the next digest showed them a second time.
    clock = FakeClock(utc(2026, 1, 5, 7))
    async with (
        BotApiEmulator() as emulator,
        rig(tmp_path, emulator, clock, digest_max_per_topic=50) as r,
    ):
        await add_chat(r, 7, topics=("sport",))
        chats = ChatService(db=r.db, settings=r.settings, clock=clock, delivery=r.delivery)
        await chats.set_digest_times(7, ["08:00"])
        long_sentence = "A very long summary sentence that keeps going " * 4
        arts = [
            await store_article(r, f"Story {i}; " + "x" * 150, topics=("sport",), summary=(long_sentence,))
            for i in range(25)
        ]
        await r.delivery.plan_alerts(arts, clock.now())
        await r.delivery.start()
        emulator.hold_answers(7)
        asked = asyncio.create_task(r.delivery.send_digest(7, clock.now(), on_demand=True))
        await wait_until(lambda: len(emulator.messages(7)) == 1)
        asked.cancel()  # the bot stopping: the /digest command is cancelled
        await asyncio.sleep(0.2)
        emulator.release_answers(7)
        with pytest.raises(asyncio.CancelledError):
            await asked
        assert len(emulator.messages(7)) == 1  # no part after the one on its way
        await r.delivery.aclose()
        clock.set(utc(2026, 1, 5, 8))
        await _restart_and_send_due_digests(r, emulator, clock)
        shown = Counter(re.findall(r"Story \d+;", "\n".join(m.text for m in emulator.messages(7))))
        assert shown == Counter({f"Story {i};": 1 for i in range(25)})
