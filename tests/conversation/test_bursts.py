"""Fast bursts: one chat flooding the bot must neither reorder its own answers nor hold up other chats."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
from telegram.error import RetryAfter

import bot.app
from bot.app import build_application, running_application
from bot.clock import FakeClock
from bot.context import BotApplication
from bot.delivery import Pacer, SharedPacing
from bot.emulator import BotApiEmulator, RateLimits
from bot.store import NewArticle
from summaries.articles import Article
from tests.conftest import USER_CHAT, MakeBot, make_settings, services_of
from tests.conversation.helpers import say, store_news, store_samples
from tests.support.news_site import NewsSite

FLOODER = 4242


@pytest_asyncio.fixture
async def emulator() -> AsyncIterator[BotApiEmulator]:
    """Telegram's real per-chat limit (about 1 message a second): a flood's replies take a while to go out."""
    async with BotApiEmulator() as emu:
        yield emu


async def test_a_flood_in_one_chat_does_not_hold_up_the_others(
    emulator: BotApiEmulator, running_bot: BotApplication
) -> None:
    for _ in range(100):  # far more updates than the bot works on at once
        await emulator.send_user_message(FLOODER, "/help")
    await emulator.next_message(FLOODER)  # the flood is being answered, at Telegram's pace
    started = time.monotonic()
    reply = await say(emulator, "/help", chat=USER_CHAT, timeout=20)
    waited = time.monotonic() - started
    await emulator.block_chat(FLOODER, announce=False)  # the rest of the flood now fails fast
    assert "What I can do" in reply.text
    assert waited < 3, f"another chat waited {waited:.1f}s behind the flood"


async def test_a_slow_search_in_one_chat_does_not_hold_up_another_chats_latest(
    emulator: BotApiEmulator, running_bot: BotApplication
) -> None:
    # A search's work depends on the words typed: a word with a symbol whose letters most articles hold reads
    # each of their bodies (0.6 s at 200,000 articles). Here 40 long bodies, every word of them starting like
    # the one looked for, make such a search take about a second. It read on the one connection every other
    # read used, so another chat's /latest waited until it was done.
    services = services_of(running_bot)
    word = "a" * 50
    published = datetime.fromtimestamp(services.clock.now(), UTC)
    await services.db.articles.add_many(
        [
            NewArticle(
                Article(
                    f"https://news.example/long-{n}",
                    f"Long read number {n}",
                    f"{word} " * 20_000 + f"part{n}",
                    "Example News",
                    published,
                ),
                f"long{n}",
            )
            for n in range(40)
        ],
        services.clock.now(),
    )
    # The search's statement is held, on whichever connection it reads, until /latest is answered: a /latest
    # waiting behind it gets no answer. (Comparing the two's wall-clock times went red on a loaded machine.)
    reading, release = threading.Event(), threading.Event()
    statement = threading.local()  # each connection runs its statements on a thread of its own

    def note(sql: str) -> None:
        statement.searching = "GLOB" in sql  # only a search's statements use GLOB

    def hold_a_search() -> int:
        if getattr(statement, "searching", False):
            reading.set()
            release.wait(60)  # longer than /latest is given: a /latest held behind the search times out first
        return 0  # go on

    for conn in (services.db.reader, services.db.searcher):
        await conn.set_trace_callback(note)
        await conn.set_progress_handler(hold_a_search, 1)
    searcher = USER_CHAT + 1
    try:
        await emulator.send_user_message(searcher, f"/search {word}+")
        await _until(reading.is_set, timeout=30)  # the search is reading
        latest = await say(emulator, "/latest", chat=USER_CHAT, timeout=30)
        assert emulator.messages(searcher) == []  # answered while the search was still reading
    finally:
        release.set()
    found = await emulator.next_message(searcher, timeout=30)
    assert "Long read number 39" in latest.text
    assert "Nothing found" in found.text


async def test_a_burst_in_one_chat_is_answered_in_order(
    emulator: BotApiEmulator, running_bot: BotApplication
) -> None:
    # Each command's answer depends on the one before: any reordering shows in the replies.
    for n in range(1, 6):
        await emulator.send_user_message(USER_CHAT, f"/settings length {n}")
    replies = [await emulator.next_message(USER_CHAT, timeout=15) for _ in range(5)]
    assert [r.text.split("\n")[0] for r in replies] == [
        f"✅ Summaries will have {n} sentence{'s' if n > 1 else ''}." for n in range(1, 6)
    ]


async def test_a_button_tapped_as_the_bot_stops_is_answered_to_tap_it_again(
    emulator: BotApiEmulator, make_bot: MakeBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A stop cancels what is still being answered after a grace. A command is told so; a tap was not answered at
    # all: its spinner turned until Telegram gave up, and the user could not tell whether it had worked.
    monkeypatch.setattr(bot.app, "UPDATE_GRACE_SECONDS", 0.2)
    entered = asyncio.Event()

    async def stuck(*args: object, **kwargs: object) -> None:
        entered.set()
        await asyncio.Event().wait()  # a summary that takes longer than the grace

    async with make_bot() as application:
        await store_samples(application)
        listing = await say(emulator, "/latest")
        monkeypatch.setattr(services_of(application).ingest, "summarize_article", stuck)
        data = next(data for _, data in listing.buttons if data and data.startswith("sum:"))
        query_id = await emulator.press_button(USER_CHAT, listing.message_id, data)
        await asyncio.wait_for(entered.wait(), 10)
    answer = await emulator.wait_callback_answer(query_id, timeout=5)
    assert answer.text == (
        "The bot is stopping (to restart, usually) and could not finish this: tap it again in a minute."
    )
    assert answer.show_alert


async def test_group_talk_waiting_when_the_bot_stops_is_not_told_to_send_it_again(
    emulator: BotApiEmulator, make_bot: MakeBot, news_site: NewsSite, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Messages waiting behind a slow /summary when the bot stops are answered "send it again". That went to every
    # message waiting, also those the bot never answers: members talking to each other, a command for another bot.
    monkeypatch.setattr(bot.app, "UPDATE_GRACE_SECONDS", 0.2)
    group = -100777
    await emulator.add_chat(group, "supergroup", "Readers")
    slow = news_site.add_never_answering("/slow.html")
    async with make_bot():
        await emulator.send_user_message(group, f"/summary {slow}", user_id=8)
        await _until(lambda: news_site.hits("/slow.html") >= 1)
        polls = emulator.requests["getUpdates"]
        for text in ("Good morning, everyone", "/start@OtherNewsBot", "/weather"):
            await emulator.send_user_message(group, text, user_id=9)
        await _until(lambda: emulator.requests["getUpdates"] > polls + 1)  # the bot has them, waiting
    stopping = (
        "⚠️ The bot is stopping (to restart, usually) and could not finish this: send it again in a minute."
    )
    assert [m.text for m in emulator.messages(group)] == [stopping]


async def test_each_command_cut_short_by_a_stop_is_told_to_send_it_again_in_reply_to_it(
    emulator: BotApiEmulator, make_bot: MakeBot, news_site: NewsSite, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A /summary of a slow page and the /latest waiting behind it each got the same "send it again", unquoted:
    # nothing said which message to send again (in a group, whose).
    monkeypatch.setattr(bot.app, "UPDATE_GRACE_SECONDS", 0.2)
    slow = news_site.add_never_answering("/slow.html")
    async with make_bot():
        await emulator.send_user_message(USER_CHAT, f"/summary {slow}")
        await _until(lambda: news_site.hits("/slow.html") >= 1)
        polls = emulator.requests["getUpdates"]
        await emulator.send_user_message(USER_CHAT, "/latest")
        await _until(lambda: emulator.requests["getUpdates"] > polls + 1)  # the bot has it, waiting
    sent = emulator.messages(USER_CHAT)
    assert [m.text for m in sent] == [
        "⚠️ The bot is stopping (to restart, usually) and could not finish this: send it again in a minute."
    ] * 2
    quoted = [m.reply_to_message_id for m in sent]
    assert None not in quoted and len(set(quoted)) == 2, quoted


async def test_a_button_tapped_just_before_the_bot_stops_is_answered_within_the_grace(
    emulator: BotApiEmulator, make_bot: MakeBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A summary a moment slow when the stop comes is finished, not cut short with "tap it again".
    entered = asyncio.Event()

    async with make_bot() as application:
        await store_samples(application)
        listing = await say(emulator, "/latest")
        ingest = services_of(application).ingest
        summarize = ingest.summarize_article

        async def slow(*args: Any, **kwargs: Any) -> Any:
            entered.set()
            await asyncio.sleep(0.5)
            return await summarize(*args, **kwargs)

        monkeypatch.setattr(ingest, "summarize_article", slow)
        data = next(data for _, data in listing.buttons if data and data.startswith("sum:"))
        query_id = await emulator.press_button(USER_CHAT, listing.message_id, data)
        await asyncio.wait_for(entered.wait(), 10)
    answer = await emulator.wait_callback_answer(query_id, timeout=5)
    assert "stopping" not in (answer.text or ""), answer.text
    assert emulator.messages(USER_CHAT)[-1].message_id != listing.message_id  # the summary was posted


@pytest.mark.parametrize(
    ("endpoint", "chat_id", "ready_at"),
    [
        # Held for the wait, and then for the reply's own retry (a group's interval: 3 s here): the alert sender
        # took the first slot after the wait, and the retried reply was refused again.
        ("sendMessage", -100555, 100 + 5 + 3.0),
        ("sendMessage", 7, 100 + 5 + 1.0),
        # A page turn's edit spends the chat's budget as a message does.
        ("editMessageText", 7, 100 + 5 + 1.0),
        # A tap's toast is no message in the chat.
        ("answerCallbackQuery", 7, 0.0),
    ],
)
async def test_a_429_to_a_reply_holds_the_chats_alerts_past_the_replys_retry(
    endpoint: str, chat_id: int, ready_at: float
) -> None:
    pacer = Pacer(overall_per_second=30, chat_interval=1.0, group_per_minute=20, clock=lambda: 100.0)
    pacing = SharedPacing()
    pacing.share(pacer)

    async def refused() -> bool:
        raise RetryAfter(timedelta(seconds=5))

    with pytest.raises(RetryAfter):
        await pacing.process_request(refused, (), {}, endpoint, {"chat_id": chat_id}, None)
    assert pacer.chat_ready_at(chat_id) == ready_at


async def _until(condition: Callable[[], bool], timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        await asyncio.sleep(0.05)


async def test_commands_in_a_group_busy_with_alerts_are_all_answered(tmp_path: Path) -> None:
    # A group's budget (here a message every 0.48 s, no burst) is spent by its alerts, paced a little slower
    # (0.5 s). The replies, sent apart from that pace, were refused (429, retry after 1 s) and the alert sender
    # took each freed slot again: three refusals in a row and "/help" got no answer at all.
    group = -100555
    limits = RateLimits(per_chat_per_sec=100, per_chat_burst=100, group_per_min=125, group_burst=1)
    async with BotApiEmulator(rate_limits=limits) as emulator:
        await emulator.add_chat(group, "supergroup", "Readers")
        settings = make_settings(
            tmp_path, emulator, rate_group_per_minute=120, rate_chat_interval_seconds=0.5
        )
        application = build_application(settings, clock=FakeClock())
        async with running_application(application, poll_timeout=1):
            services = services_of(application)
            await services.chats.ensure(group, "supergroup", "Readers")
            await services.db.subscriptions.add(group, "keyword", "tram", services.clock.now())
            articles = []
            places = "harbour museum airport stadium library market bridge castle forest valley island garden"
            for n, place in enumerate(places.split()):
                title = f"Tram line {n} to the {place}"
                articles += await store_news(
                    application, place, title, f"A tram to the {place} runs {{k}} times."
                )
            await services.delivery.plan_alerts(articles, services.clock.now())
            await emulator.next_message(group)  # the first alert: the group's budget is being spent
            for user in (8, 9):
                await emulator.send_user_message(group, "/help", user_id=user)
            received = [(await emulator.next_message(group, timeout=15)).text for _ in range(13)]
    assert sum("What I can do" in text for text in received) == 2, received
    assert sum("Tram line" in text for text in received) == 11, received
