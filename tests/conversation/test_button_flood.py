"""Buttons that edit their own message while Telegram asks the bot to slow down (429 on the edit)."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
import pytest_asyncio

from bot.app import build_application, running_application
from bot.clock import FakeClock
from bot.context import BotApplication
from bot.emulator import BotApiEmulator, RateLimits
from summaries.articles import Article
from tests.conftest import USER_CHAT, make_settings, services_of
from tests.conversation.helpers import press, say, store_news, store_samples


@contextlib.asynccontextmanager
async def _emulator_allowing(per_chat_per_sec: float) -> AsyncIterator[BotApiEmulator]:
    async with BotApiEmulator(
        rate_limits=RateLimits(per_chat_per_sec=per_chat_per_sec, per_chat_burst=1.0)
    ) as emu:
        yield emu


@contextlib.asynccontextmanager
async def _bot_on(emulator: BotApiEmulator, tmp_path: Path) -> AsyncIterator[BotApplication]:
    application = build_application(make_settings(tmp_path, emulator), clock=FakeClock())
    async with running_application(application, poll_timeout=1):
        yield application


@pytest_asyncio.fixture
async def strict_emulator() -> AsyncIterator[BotApiEmulator]:
    """One message a second per chat, no burst: an edit right after a reply is answered with 429."""
    async with _emulator_allowing(1.0) as emu:
        yield emu


@pytest_asyncio.fixture
async def slow_emulator() -> AsyncIterator[BotApiEmulator]:
    """One message per 20 s per chat (a busy group's budget spent): an edit is told to wait longer than the bot waits."""
    async with _emulator_allowing(0.05) as emu:
        yield emu


@pytest_asyncio.fixture
async def strict_bot(strict_emulator: BotApiEmulator, tmp_path: Path) -> AsyncIterator[BotApplication]:
    async with _bot_on(strict_emulator, tmp_path) as application:
        yield application


@pytest_asyncio.fixture
async def slow_bot(slow_emulator: BotApiEmulator, tmp_path: Path) -> AsyncIterator[BotApplication]:
    async with _bot_on(slow_emulator, tmp_path) as application:
        yield application


async def test_settings_button_waits_out_a_429_on_its_edit(
    strict_emulator: BotApiEmulator, strict_bot: BotApplication
) -> None:
    panel = await say(strict_emulator, "/settings")
    toast = await press(strict_emulator, panel, "set:pause")
    # The pause is saved either way; the user must be told so, and the panel must offer "Resume".
    chat = await services_of(strict_bot).chats.get(USER_CHAT)
    assert chat is not None and chat.paused
    assert toast is not None and "went wrong" not in toast and "ause" in toast
    shown = strict_emulator.current(USER_CHAT, panel.message_id)
    assert shown is not None and any("Resume" in text for text, _ in shown.buttons)


async def test_a_topic_tap_right_after_topics_waits_out_the_429_and_redraws_its_keyboard(
    strict_emulator: BotApiEmulator, strict_bot: BotApplication
) -> None:
    # The keyboard's redraw right after /topics is told to wait a second. Not waited out, the tap said
    # "Following" while the button went on showing the topic as not followed.
    keyboard = await say(strict_emulator, "/topics")
    before = [text for text, data in keyboard.buttons if data == "t:science"]
    assert await press(strict_emulator, keyboard, "t:science") == "Following 🔬 Science"
    shown = strict_emulator.current(USER_CHAT, keyboard.message_id)
    assert shown is not None
    after = [text for text, data in shown.buttons if data == "t:science"]
    assert len(after) == 1 and after != before, (before, after)


async def test_a_topic_tap_told_to_wait_long_still_says_it_was_followed(
    slow_emulator: BotApiEmulator, slow_bot: BotApplication
) -> None:
    # Telegram asks for 20 s before the keyboard may be redrawn. The toggle was saved, yet the tap answered
    # "Sorry, something went wrong. Please try again.", and trying again undid it.
    keyboard = await say(slow_emulator, "/topics")
    toast = await press(slow_emulator, keyboard, "t:science")
    assert await services_of(slow_bot).subscriptions.topic_ids(USER_CHAT) == {"science"}
    assert toast == "Following 🔬 Science"


async def test_a_settings_tap_told_to_wait_long_says_what_changed(
    slow_emulator: BotApiEmulator, slow_bot: BotApplication
) -> None:
    # The pause is saved, and an apology ("Sorry, something went wrong") would send the user to tap again,
    # resuming what they had just paused.
    panel = await say(slow_emulator, "/settings")
    toast = await press(slow_emulator, panel, "set:pause")
    chat = await services_of(slow_bot).chats.get(USER_CHAT)
    assert chat is not None and chat.paused
    assert toast is not None and "went wrong" not in toast and "ause" in toast, toast


async def test_a_summary_tap_in_a_group_told_to_wait_long_says_so(
    slow_emulator: BotApiEmulator, slow_bot: BotApplication, caplog: pytest.LogCaptureFixture
) -> None:
    # The group's budget is spent (Telegram asks for 20 s before the next post): the tap was answered "Sorry,
    # something went wrong. Please try again." and the log got an ERROR traceback for a flood limit.
    group = -100321
    await slow_emulator.add_chat(group, "supergroup", "Readers")
    await store_samples(slow_bot)
    latest = await say(slow_emulator, "/latest", chat=group, user_id=8)
    caplog.set_level(logging.INFO)
    toast = await press(slow_emulator, latest, latest.button_data("📄"), user_id=8)
    assert toast is not None and "went wrong" not in toast
    assert "20 s" in toast and "again" in toast, toast
    assert slow_emulator.callback_answers[-1].show_alert  # a dialog to dismiss, not a toast that fades unread
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
    # Nothing was posted: another tap is not told the summary is "already in the chat".
    again = await press(slow_emulator, latest, latest.button_data("📄"), user_id=9)
    assert again is not None and "already" not in again, again


async def test_an_older_tap_told_to_wait_long_says_so(
    slow_emulator: BotApiEmulator, slow_bot: BotApplication
) -> None:
    # Telegram asks for 20 s before the list may be redrawn. The tap got no answer at all and the page stayed
    # as it was: "Older ›" looked broken, and nothing said to tap again later.
    for n, place in enumerate(("harbour", "museum", "airport", "stadium", "library", "market", "bridge")):
        sentence = f"The {place} reopened {{k}} times after {n} repairs."
        await store_news(slow_bot, place, f"The {place} reopens", sentence)
    await store_samples(slow_bot)
    latest = await say(slow_emulator, "/latest")
    toast = await press(slow_emulator, latest, latest.button_data("Older ›"))
    assert toast is not None and "20 s" in toast and "again" in toast, toast
    shown = slow_emulator.current(USER_CHAT, latest.message_id)
    assert shown is not None and shown.text == latest.text


_PLACES = (
    "harbour",
    "museum",
    "airport",
    "stadium",
    "library",
    "market",
    "bridge",
    "station",
    "tunnel",
    "park",
)


async def test_a_two_part_summary_cut_short_by_a_flood_limit_posts_only_the_rest_next_time(
    tmp_path: Path,
) -> None:
    # A summary too long for one message, tapped in a group: part 1 was posted, part 2 was told to wait 20 s,
    # and the tap was rightly told to try again then. The next tap posted part 1 a second time.
    now = [0.0]
    limits = RateLimits(per_chat_per_sec=0.05, per_chat_burst=3.0)  # 3 messages, then one per 20 s
    async with (
        BotApiEmulator(rate_limits=limits, clock=lambda: now[0]) as emulator,
        _bot_on(emulator, tmp_path) as application,
    ):
        group, admin = -100321, 7
        await emulator.add_chat(group, "supergroup", "Readers")
        await emulator.set_member_status(group, admin, "administrator")
        await say(emulator, "/settings length 10", chat=group, user_id=admin)
        body = " ".join(
            f"The {place} near the river was rebuilt over {n + 2} long years by a crew of {n + 30} workers, who "
            f"replaced the old {place} roof, the {place} walls and the {place} floors one by one while the city "
            f"argued about the cost, the {place} timetable and the noise that the {place} works made each night "
            f"for the {n + 40} families living on the streets around the {place} and its busy square, until the "
            f"{place} opened again."
            for n, place in enumerate(_PLACES)
        )
        published = datetime.fromtimestamp(services_of(application).clock.now(), UTC)
        title = "Ten places rebuilt: " + ", ".join(f"the {place} by the river" for place in _PLACES)
        article = Article("https://news.example/rebuilt", title, body, "Example News", published)
        await services_of(application).ingest.ingest_articles([article])
        latest = await say(emulator, "/latest", chat=group, user_id=8)

        def summary_parts() -> list[str]:
            return [m.text for m in emulator.messages(group) if m.reply_to_message_id == latest.message_id]

        toast = await press(emulator, latest, latest.button_data("📄"), user_id=8)
        assert toast is not None and "20 s" in toast and "again" in toast, toast
        [first] = summary_parts()
        assert "Ten places rebuilt" in first
        now[0] += 60  # the wait is over
        assert await press(emulator, latest, latest.button_data("📄"), user_id=8) is None
        parts = summary_parts()
        assert len(parts) == 2 and parts[0] == first and "Ten places rebuilt" not in parts[1], parts
        again = await press(emulator, latest, latest.button_data("📄"), user_id=9)
        assert again is not None and "already" in again, again
        assert len(summary_parts()) == 2
