"""The lean alert sender: same request as PTB's, same exceptions for every Telegram error, no token leaks."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import pytest
import pytest_asyncio
from aiohttp import web
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, ReplyParameters
from telegram.constants import ParseMode
from telegram.error import TelegramError

from bot.delivery import LeanSender
from bot.delivery.render_cache import RenderCache
from bot.delivery.transport import NO_PREVIEW
from bot.render.delivery import render_alert
from summaries.articles import Article
from summaries.topics import TopicCatalogue
from tests.delivery.support import LoopbackApi

TOKEN = "123456:LEAN-secret-token"


class CannedApi(LoopbackApi):
    """A Bot API on 127.0.0.1 that records sendMessage parameters and answers with a canned response."""

    def __init__(self) -> None:
        super().__init__()
        self.answer_with: tuple[int, bytes] = (200, b"")
        self.received: list[dict[str, Any]] = []

    async def answer(self, request: web.Request) -> web.Response:
        if request.content_type == "application/json":
            self.received.append(await request.json())
        else:
            form = await request.post()
            params: dict[str, Any] = {}
            for key, value in form.items():
                text = str(value)
                try:
                    params[key] = json.loads(text) if key != "text" else text
                except ValueError:
                    params[key] = text
            self.received.append(params)
        status, body = self.answer_with
        return web.Response(status=status, body=body, content_type="application/json")


@pytest_asyncio.fixture
async def api() -> AsyncIterator[CannedApi]:
    server = CannedApi()
    await server.start()
    yield server
    await server.stop()


def _ok_message(chat_id: int) -> bytes:
    message = {"message_id": 7, "date": 0, "chat": {"id": chat_id, "type": "private"}, "text": "x"}
    return json.dumps({"ok": True, "result": message}).encode()


def _error(code: int, description: str, parameters: dict[str, Any] | None = None) -> bytes:
    body: dict[str, Any] = {"ok": False, "error_code": code, "description": description}
    if parameters is not None:
        body["parameters"] = parameters
    return json.dumps(body).encode()


ANSWERS = [
    (429, _error(429, "Too Many Requests: retry after 7", {"retry_after": 7})),
    (400, _error(400, "Bad Request: group chat was upgraded", {"migrate_to_chat_id": -100123})),
    (403, _error(403, "Forbidden: bot was blocked by the user")),
    (400, _error(400, "Bad Request: chat not found")),
    (400, _error(400, "Bad Request: can't parse entities: unexpected end tag")),
    (401, _error(401, "Unauthorized")),
    (404, _error(404, "Not Found")),
    (409, _error(409, "Conflict: terminated by other getUpdates request")),
    (502, b"<html>Bad Gateway</html>"),
    (500, _error(500, "Internal Server Error")),
    (400, _error(400, "Bad Request: odd", {"something": 1})),
]


async def _outcome(send: Any) -> tuple[type[TelegramError] | None, str]:
    try:
        await send()
    except TelegramError as exc:
        return type(exc), str(exc)
    return None, ""


@pytest.mark.parametrize(("status", "body"), ANSWERS)
async def test_errors_raise_what_ptb_raises(api: CannedApi, status: int, body: bytes) -> None:
    api.answer_with = (status, body)
    lean = LeanSender(TOKEN, api.base_url)
    await lean.initialize()
    try:
        async with Bot(TOKEN, base_url=api.base_url) as bot:
            ptb = await _outcome(lambda: bot.send_message(chat_id=5, text="hi"))
        mine = await _outcome(lambda: lean.send_message(chat_id=5, text="hi"))
    finally:
        await lean.shutdown()
    assert ptb[0] is not None
    assert mine == ptb


async def test_sends_the_same_parameters_as_ptb(api: CannedApi) -> None:
    api.answer_with = (200, _ok_message(42))
    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("📄 Full summary", callback_data="sum:9")]])
    text = '📰 <b><a href="https://x.example/?a=1&amp;b=2">Ünïcode &amp; more</a></b>'
    # A /digest commented under a channel post: each part answers the command, or it is not among the comments.
    quoted = ReplyParameters(77, allow_sending_without_reply=True)
    lean = LeanSender(TOKEN, api.base_url)
    await lean.initialize()
    try:
        async with Bot(TOKEN, base_url=api.base_url) as bot:
            await bot.send_message(
                chat_id=42,
                text=text,
                parse_mode=ParseMode.HTML,
                reply_markup=keyboard,
                link_preview_options=NO_PREVIEW,
                reply_parameters=quoted,
            )
        await lean.send_message(
            chat_id=42,
            text=text,
            parse_mode=ParseMode.HTML,
            reply_markup=keyboard.to_dict(),
            link_preview_options=NO_PREVIEW,
            reply_parameters=quoted,
        )
    finally:
        await lean.shutdown()
    ptb_params, lean_params = api.received
    assert lean_params == ptb_params
    assert lean_params["reply_markup"]["inline_keyboard"][0][0]["callback_data"] == "sum:9"
    assert lean_params["reply_parameters"] == {"message_id": 77, "allow_sending_without_reply": True}


async def test_network_failure_is_network_error_without_the_token() -> None:
    lean = LeanSender(TOKEN, "http://127.0.0.1:9/bot", timeout_seconds=2.0)
    await lean.initialize()
    try:
        kind, message = await _outcome(lambda: lean.send_message(chat_id=1, text="hi"))
    finally:
        await lean.shutdown()
    assert kind is not None and issubclass(kind, TelegramError)
    assert kind.__name__ in ("NetworkError", "TimedOut")
    assert TOKEN not in message and "LEAN-secret" not in message


@pytest.mark.parametrize("status", [403, 404, 502])
async def test_an_error_page_echoing_the_url_raises_without_the_token(api: CannedApi, status: int) -> None:
    # Apache's 404 page and many proxies' error pages name the request path; the refusal's text is stored
    # in the database (a failed delivery, the reason a chat went away).
    for path in (f"/bot{TOKEN}/sendMessage", f"/bot{TOKEN.replace(':', '%3A')}/sendMessage"):
        api.answer_with = (status, f"<html><p>The requested URL {path} was not found.</p></html>".encode())
        lean = LeanSender(TOKEN, api.base_url)
        await lean.initialize()
        try:
            kind, message = await _outcome(lambda: lean.send_message(chat_id=1, text="hi"))  # noqa: B023
        finally:
            await lean.shutdown()
        assert kind is not None and issubclass(kind, TelegramError)
        assert "LEAN-secret" not in message, message


def test_cached_alerts_match_a_fresh_rendering_at_every_age() -> None:
    catalogue = TopicCatalogue.load(None)
    published = datetime(2026, 1, 1, tzinfo=UTC)
    article = Article(
        url="https://news.example/1",
        title="Title",
        body="Body.",
        source="Wire A",
        published=published,
        topics=("sport",),
        summary=("One.", "Two.", "Three."),
        id=9,
    )
    cache = RenderCache(catalogue, size=8)
    start = published.timestamp()
    for offset in (0, 59.9, 60, 61, 3599, 3600, 7200.5, 86400, 90000, 90030):
        for sentences in (1, 3):
            got = cache.render(article, ("Wire B",), sentences=sentences, matched="sport", now=start + offset)
            text, keyboard = render_alert(
                article,
                sentences=sentences,
                now=start + offset,
                catalogue=catalogue,
                matched="sport",
                also=("Wire B",),
            )
            assert got.text == text
            assert got.markup_json == (keyboard.to_dict() if keyboard else None)
    # A re-summarised article (a new object for the same id) is rendered afresh, not served stale.
    resummarised = replace(article, summary=("New.",))
    assert "New." in cache.render(resummarised, ("Wire B",), sentences=1, matched="sport", now=start).text
    assert len(cache._entries) <= 8
