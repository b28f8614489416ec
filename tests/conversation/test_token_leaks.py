"""The bot token never reaches the database, whatever an HTTP server between the bot and Telegram answers."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path
from urllib.parse import parse_qs

import aiohttp
import pytest_asyncio
from aiohttp import web

from bot.app import build_application, running_application
from bot.clock import FakeClock
from bot.emulator import BotApiEmulator
from tests.conftest import TOKEN, make_settings, services_of

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
        if request.path.endswith("/sendMessage") and self._chat_of(request, body) == WALLED_CHAT:
            page = f"<html><body><h1>403 Forbidden</h1><p>Access to {request.path} denied.</p></body></html>"
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


def _files_holding(folder: Path, secret: str) -> list[str]:
    """The names of the files in ``folder`` (the database, its WAL) that contain ``secret``."""
    return [f.name for f in folder.iterdir() if secret.encode() in f.read_bytes()]
