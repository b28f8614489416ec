"""Edges of the 2026-11-26 handler and settings fixes the first tests left open."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from pydantic import ValidationError

from bot.app import build_application, running_application
from bot.clock import FakeClock
from bot.context import BotApplication
from bot.emulator import BotApiEmulator, RateLimits
from tests.conftest import ADMIN_ID, USER_CHAT, MakeBot, make_settings, services_of
from tests.conversation.helpers import press, say
from tests.support.news_site import NewsSite


def _topics_file(tmp_path: Path, topic_id: str) -> Path:
    path = tmp_path / "topics.json"
    path.write_text(json.dumps({"topics": [{"id": topic_id, "title": "Harbour", "keywords": ["ferry"]}]}))
    return path


async def test_a_topic_id_of_exactly_62_bytes_starts_and_can_be_followed(
    emulator: BotApiEmulator, make_bot: MakeBot, tmp_path: Path
) -> None:
    # "t:" and 62 bytes are the 64 Telegram allows: start-up must not refuse an id that works.
    topic_id = "é" * 31  # 31 characters, 62 bytes
    settings = make_settings(tmp_path, emulator, topics_file=_topics_file(tmp_path, topic_id))
    async with make_bot(settings=settings) as bot:
        keyboard = await say(emulator, "/topics")
        toast = await press(emulator, keyboard, keyboard.button_data("Harbour"))
        assert toast is not None and toast.startswith("Following"), toast
        assert await services_of(bot).subscriptions.topic_ids(USER_CHAT) == {topic_id}


def test_a_topic_id_of_few_characters_but_too_many_bytes_stops_start_up(
    emulator: BotApiEmulator, tmp_path: Path
) -> None:
    # Telegram counts callback_data in bytes: 32 accented letters are 64 bytes, and "t:" passes the limit.
    topic_id = "é" * 32
    with pytest.raises(ValidationError, match="too long for a button"):
        make_settings(tmp_path, emulator, topics_file=_topics_file(tmp_path, topic_id))


async def test_addfeed_reviving_a_dead_feed_with_its_own_topics_adds_no_warning(
    emulator: BotApiEmulator, running_bot: BotApplication, news_site: NewsSite
) -> None:
    # The "its topics stay" note is for topics that were not taken: naming the feed's own topics again, or
    # none, took nothing away, and the note would send the admin to /removefeed for no reason.
    await news_site.publish("business", "Harbor Coffee grows", "Sales rose. Prices too. Investors were calm.")
    url = news_site.feed_url("business")
    await say(emulator, f"/addfeed {url} business", chat=ADMIN_ID)
    services = services_of(running_bot)
    for again in (f"/addfeed {url} business", f"/addfeed {url}"):
        news_site.remove(urlsplit(url).path)
        while not (feed := (await services.admin.feeds())[0]).dead:
            await services.ingest.poll_feed(feed, services.clock.now())
        await news_site.publish(
            "business", "Harbor Coffee grows", "Sales rose. Prices too. Investors were calm."
        )
        revived = await say(emulator, again, chat=ADMIN_ID)
        assert "works again" in revived.text and "topics stay" not in revived.text, (again, revived.text)


async def test_a_topic_tap_right_after_topics_waits_out_the_429_and_redraws_its_keyboard(
    tmp_path: Path,
) -> None:
    # One message a second: the keyboard's redraw right after /topics is told to wait a second. Not waited
    # out, the tap said "Following" while the button went on showing the topic as not followed.
    limits = RateLimits(per_chat_per_sec=1.0, per_chat_burst=1.0)
    async with BotApiEmulator(rate_limits=limits) as emulator:
        application = build_application(make_settings(tmp_path, emulator), clock=FakeClock())
        async with running_application(application, poll_timeout=1):
            keyboard = await say(emulator, "/topics")
            before = [text for text, data in keyboard.buttons if data == "t:science"]
            toast = await press(emulator, keyboard, "t:science")
            assert toast == "Following 🔬 Science"
            shown = emulator.current(USER_CHAT, keyboard.message_id)
            assert shown is not None
            after = [text for text, data in shown.buttons if data == "t:science"]
            assert len(after) == 1 and after != before, (before, after)


async def test_a_settings_tap_told_to_wait_long_says_what_changed(tmp_path: Path) -> None:
    # Telegram asks for 20 s before the panel may be redrawn: the pause is saved, and an apology ("Sorry,
    # something went wrong") would send the user to tap again, resuming what they had just paused.
    limits = RateLimits(per_chat_per_sec=0.05, per_chat_burst=1.0)
    async with BotApiEmulator(rate_limits=limits) as emulator:
        application = build_application(make_settings(tmp_path, emulator), clock=FakeClock())
        async with running_application(application, poll_timeout=1):
            panel = await say(emulator, "/settings")
            toast = await press(emulator, panel, "set:pause")
            chat = await services_of(application).chats.get(USER_CHAT)
            assert chat is not None and chat.paused
            assert toast is not None and "went wrong" not in toast and "ause" in toast, toast
