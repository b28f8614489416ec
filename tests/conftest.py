"""Shared fixtures: a loopback Bot API emulator, a news site on 127.0.0.1, settings, a fake clock, the running bot."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio

from bot.app import build_application, running_application
from bot.clock import FakeClock
from bot.config import Settings
from bot.context import BotApplication, Services
from bot.emulator import BotApiEmulator

pytest_plugins = ["tests.support.news_site"]

ADMIN_ID = 1000
USER_CHAT = 42
TOKEN = "123456:TEST-token_for-tests"


@pytest.fixture
def clock() -> FakeClock:
    """A clock that moves only when the test says so (2026-01-01 00:00 UTC)."""
    return FakeClock()


@pytest_asyncio.fixture
async def emulator() -> AsyncIterator[BotApiEmulator]:
    """A running Bot API emulator on 127.0.0.1 with Telegram's rate limits enforced."""
    async with BotApiEmulator() as emu:
        yield emu


def make_settings(tmp_path: Path, emulator: BotApiEmulator, **overrides: Any) -> Settings:
    """Settings for a bot that talks to ``emulator`` and keeps its database in ``tmp_path``."""
    values: dict[str, Any] = {
        "bot_token": TOKEN,
        "telegram_api_url": emulator.base_url,
        "db_path": tmp_path / "newsbot.sqlite3",
        "allow_private_urls": True,
        "tick_seconds": 0.05,
        "admin_ids": frozenset({ADMIN_ID}),
        "fetch_timeout_seconds": 5.0,
    }
    values.update(overrides)
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


@pytest.fixture
def settings(tmp_path: Path, emulator: BotApiEmulator) -> Settings:
    """Default test settings (see ``make_settings``)."""
    return make_settings(tmp_path, emulator)


MakeBot = Callable[..., contextlib.AbstractAsyncContextManager[BotApplication]]


@pytest.fixture
def make_bot(settings: Settings, clock: FakeClock) -> MakeBot:
    """``async with make_bot(settings=..., clock=...) as app:`` runs the real application against the emulator."""

    @contextlib.asynccontextmanager
    async def factory(
        settings: Settings = settings, clock: FakeClock = clock
    ) -> AsyncIterator[BotApplication]:
        application = build_application(settings, clock=clock)
        async with running_application(application, poll_timeout=1):
            yield application

    return factory


@pytest_asyncio.fixture
async def running_bot(make_bot: MakeBot) -> AsyncIterator[BotApplication]:
    """The real application, running with long polling against the emulator."""
    async with make_bot() as application:
        yield application


def services_of(application: BotApplication) -> Services:
    """The services of a running application."""
    services: Services = application.bot_data["services"]
    return services
