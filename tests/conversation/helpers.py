"""Helpers for conversation tests: talk to the running bot through the emulator like a user would."""

from __future__ import annotations

import asyncio
import itertools
from datetime import UTC, datetime

from bot.console import load_samples
from bot.context import BotApplication
from bot.emulator import BotApiEmulator, SentMessage
from bot.store.models import Chat
from summaries.articles import Article
from tests.conftest import USER_CHAT, services_of
from tests.support.news_site import NewsSite

_forged_ids = itertools.count(1)

ARTICLE_TITLE = "City council approves a new tram line"
ARTICLE_BODY = (
    "The city council approved a new tram line on Monday after a long debate about costs.\n\n"
    "The line will connect the central station with the university and the new hospital in the north.\n\n"
    "Construction is expected to take three years and will close several streets for months at a time.\n\n"
    "Supporters said the tram will cut car traffic and give students a faster trip to their lectures.\n\n"
    "Opponents warned that the budget has already grown twice and may grow again before work begins.\n\n"
    "The mayor promised monthly reports on spending so that residents can follow the project closely."
)


# A registration wall's page: two paragraphs visible, the rest hidden behind "Create a free account".
WALLED_TITLE = "Council closes the harbour bridge to cars"
WALLED_LEAD = (
    "The city council voted on Tuesday to close the old harbour bridge to cars from next spring.",
    "Buses and bicycles will still be allowed to cross while the engineers repair the deck.",
)
PARTIAL_NOTE = "Only the start of the article could be read: the rest is behind a paywall or a sign-in."


def add_walled_page(news_site: NewsSite, path: str) -> str:
    """Serve the walled page at ``path``; returns its URL."""
    return news_site.add(
        path,
        f"<html><head><title>{WALLED_TITLE}</title></head><body><article><h1>{WALLED_TITLE}</h1>"
        + "".join(f"<p>{sentence}</p>" for sentence in WALLED_LEAD)
        + "<div class='overlay'><p>Create a free account to keep reading.</p></div></article></body></html>",
    )


async def say(
    emulator: BotApiEmulator,
    text: str,
    *,
    chat: int = USER_CHAT,
    user_id: int | None = None,
    timeout: float = 10.0,
    reply_to: int | None = None,
) -> SentMessage:
    """Send ``text`` as the user and return the bot's next message in that chat."""
    await emulator.send_user_message(chat, text, user_id=user_id, reply_to_message_id=reply_to)
    return await emulator.next_message(chat, timeout=timeout)


async def press(
    emulator: BotApiEmulator, message: SentMessage, data: str, *, user_id: int | None = None
) -> str | None:
    """Tap a button of ``message``; returns the toast text the bot answered the tap with."""
    query_id = await emulator.press_button(message.chat_id, message.message_id, data, user_id=user_id)
    answer = await emulator.wait_callback_answer(query_id, timeout=10)
    return answer.text


async def store_samples(application: BotApplication) -> list[Article]:
    """Store the console's sample articles; returns them with their ids."""
    services = services_of(application)
    now = datetime.fromtimestamp(services.clock.now(), UTC)
    results = await services.ingest.ingest_articles(load_samples(now))
    return [article for article, _ in results]


async def digest_of_samples(
    emulator: BotApiEmulator, application: BotApplication, topics: str
) -> tuple[SentMessage, list[Article]]:
    """A digest chat following ``topics`` asks /digest after the sample articles came in; the digest and them."""
    await say(emulator, "/settings digest 08:00")
    await say(emulator, f"/subscribe {topics}")
    services = services_of(application)
    articles = await store_samples(application)
    await services.delivery.plan_alerts(articles, services.clock.now())  # what a feed poll does
    return await say(emulator, "/digest"), articles


async def store_news(application: BotApplication, slug: str, title: str, sentence: str) -> list[Article]:
    """A new article published now, stored as a feed poll stores it; returns it with its id.

    The body is ``sentence`` six times, each with ``{k}`` filled in: give each article its own words (``slug``
    in them, say), or the grouping of reports of one story would make two articles one story.
    """
    services = services_of(application)
    body = " ".join(sentence.format(k=k) for k in range(6))
    published = datetime.fromtimestamp(services.clock.now(), UTC)
    article = Article(f"https://news.example/{slug}", title, body, "Example News", published)
    return [a for a, _ in await services.ingest.ingest_articles([article])]


async def press_forged(
    emulator: BotApiEmulator,
    data: str,
    *,
    chat: int = USER_CHAT,
    message_id: int | None = None,
    user_id: int | None = None,
) -> str | None:
    """Send a tap Telegram would deliver but the bot never offered (a modified client, an old keyboard).

    With ``message_id`` the tap comes from that bot message; without, from a message sent via inline mode
    (no chat at all). Returns the toast the bot answered with.
    """
    user = user_id if user_id is not None else chat
    query: dict[str, object] = {
        "id": f"forged-{next(_forged_ids)}",
        "from": {"id": user, "is_bot": False, "first_name": f"User {user}"},
        "chat_instance": str(chat),
        "data": data,
    }
    if message_id is None:
        query["inline_message_id"] = "inline-1"
    else:
        stored = emulator.current(chat, message_id)
        query["message"] = {
            "message_id": message_id,
            "date": stored.date if stored else 0,
            "chat": {"id": chat, "type": "private", "first_name": f"User {chat}"}
            if chat > 0
            else {"id": chat, "type": "group", "title": f"Group {chat}"},
            "from": {"id": 123456, "is_bot": True, "first_name": "NewsBot"},
            "text": stored.text if stored else "",
        }
    await emulator.inject_raw_update({"callback_query": query})
    answer = await emulator.wait_callback_answer(str(query["id"]), timeout=10)
    return answer.text


async def chat_once(application: BotApplication, chat_id: int, *, active: bool) -> Chat:
    """The chat's row once the bot has recorded it ``active`` (or not); fails after 60 s (a loaded CI machine).

    The bot records a refused answer after Telegram's answer, and a my_chat_member update (blocked, removed,
    muted, demoted, added back) without sending anything: a quiet emulator does not mean it has written either
    (on a loaded machine it had not).
    """
    loop = asyncio.get_running_loop()
    deadline = loop.time() + 60
    while (chat := await services_of(application).chats.get(chat_id)) is None or chat.active != active:
        assert loop.time() < deadline, chat
        await asyncio.sleep(0.02)
    return chat
