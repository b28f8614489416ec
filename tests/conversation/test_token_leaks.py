"""The bot token never reaches the database, whatever an HTTP server between the bot and Telegram answers."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator
from pathlib import Path
from urllib.parse import parse_qs, quote

import aiohttp
import pytest
import pytest_asyncio
from aiohttp import web

from bot.app import build_application, running_application
from bot.clock import FakeClock
from bot.emulator import BotApiEmulator
from tests.conftest import TOKEN, make_settings, services_of
from tests.support.news_site import NewsSite

WALLED_CHAT = 77


class EchoingProxy:
    """A reverse proxy in front of the emulator whose firewall refuses one chat with a page naming the URL.

    Apache's 404 page, nginx's and many firewalls' error pages echo the request path, which holds the token.
    """

    def __init__(self, upstream: str) -> None:
        self.upstream = upstream.removesuffix("/bot")
        self.base_url = ""
        self._runner: web.AppRunner | None = None
        self._session: aiohttp.ClientSession | None = None
        # Refuse as the Bot API would, in JSON (a local Bot API server's error), not with a page; and quote
        # the path percent-encoded (as Apache's pages do).
        self.as_json = False
        self.encoded = False
        self.refusing = True

    async def __aenter__(self) -> EchoingProxy:
        app = web.Application()
        app.router.add_route("*", "/{path:.*}", self._handle)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", 0).start()
        self.base_url = f"http://127.0.0.1:{self._runner.addresses[0][1]}/bot"
        self._session = aiohttp.ClientSession()
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self._session is not None and self._runner is not None
        await self._session.close()
        await self._runner.cleanup()

    async def _handle(self, request: web.Request) -> web.Response:
        body = await request.read()
        if (
            self.refusing
            and request.path.endswith("/sendMessage")
            and self._chat_of(request, body) == WALLED_CHAT
        ):
            path = quote(request.path) if self.encoded else request.path
            if self.as_json:
                refusal = {"ok": False, "error_code": 403, "description": f"Forbidden: no route {path}"}
                return web.json_response(refusal, status=403)
            page = f"<html><body><h1>403 Forbidden</h1><p>Access to {path} denied.</p></body></html>"
            return web.Response(status=403, text=page, content_type="text/html")
        assert self._session is not None
        async with self._session.request(
            request.method,
            self.upstream + request.path_qs,
            data=body,
            headers={"Content-Type": request.headers.get("Content-Type", "application/octet-stream")},
        ) as upstream:
            return web.Response(
                status=upstream.status, body=await upstream.read(), content_type="application/json"
            )

    @staticmethod
    def _chat_of(request: web.Request, body: bytes) -> int | None:
        if request.content_type == "application/json":
            value = json.loads(body).get("chat_id")
        else:
            value = parse_qs(body.decode()).get("chat_id", [None])[0]
        return int(value) if value is not None else None


@pytest_asyncio.fixture
async def proxy(emulator: BotApiEmulator) -> AsyncIterator[EchoingProxy]:
    async with EchoingProxy(emulator.base_url) as server:
        yield server


async def test_an_error_page_echoing_the_request_url_never_puts_the_token_in_the_database(
    tmp_path: Path, emulator: BotApiEmulator, proxy: EchoingProxy, clock: FakeClock
) -> None:
    # The refusal used to be stored as the chat's inactive_reason, page and token included. A proxy's page says
    # nothing of the chat, so the chat now stays active; nothing of the page, and so no token, is stored.
    settings = make_settings(tmp_path, emulator, telegram_api_url=proxy.base_url)
    application = build_application(settings, clock=clock)
    async with running_application(application, poll_timeout=1):
        await emulator.send_user_message(WALLED_CHAT, "/start")
        await emulator.send_user_message(42, "/help")
        await emulator.next_message(42)
        await emulator.wait_for_idle()
        chat = await services_of(application).chats.get(WALLED_CHAT)
        assert chat is not None and chat.active and chat.inactive_reason is None
    assert _files_holding(tmp_path, TOKEN.split(":", 1)[1]) == []


@pytest.mark.parametrize("encoded", [False, True])
@pytest.mark.parametrize("via", ["reply", "alert"])
async def test_a_refusal_quoting_the_request_url_is_stored_as_why_the_chat_left_without_the_token(
    tmp_path: Path,
    emulator: BotApiEmulator,
    proxy: EchoingProxy,
    clock: FakeClock,
    news_site: NewsSite,
    via: str,
    encoded: bool,
) -> None:
    # Telegram's refusal is kept as the reason a chat went away: one that quotes the request URL (a local Bot API
    # server's or a proxy's, in JSON) is kept with the token hidden, written as sent or percent-encoded, whether
    # it answered a reply (python-telegram-bot's transport) or an alert (the delivery's own).
    proxy.as_json, proxy.encoded, proxy.refusing = True, encoded, via == "reply"
    settings = make_settings(tmp_path, emulator, telegram_api_url=proxy.base_url)
    application = build_application(settings, clock=clock)
    async with running_application(application, poll_timeout=1):
        services = services_of(application)
        await emulator.send_user_message(WALLED_CHAT, "/subscribe business")
        await emulator.wait_for_idle()
        if via == "alert":
            proxy.refusing = True
            await services.db.feeds.add(news_site.feed_url("business"), ("business",), None, clock.now() - 60)
            await news_site.publish(
                "business", "Harbor Coffee grows", "Sales rose. Prices too. Investors calm."
            )
        deadline = time.monotonic() + 60  # a bound for a failing run, not a timing claim
        while (chat := await services.chats.get(WALLED_CHAT)) is None or chat.active:
            assert time.monotonic() < deadline, "the refusal never counted"
            await asyncio.sleep(0.05)
    assert chat.inactive_reason is not None and "route /bot<token>/" in chat.inactive_reason
    assert _files_holding(tmp_path, TOKEN.split(":", 1)[1]) == []


def _files_holding(folder: Path, secret: str) -> list[str]:
    """The names of the files in ``folder`` (the database, its WAL) that contain ``secret``."""
    return [f.name for f in folder.iterdir() if secret.encode() in f.read_bytes()]
