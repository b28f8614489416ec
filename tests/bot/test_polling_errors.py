"""A Bot API that goes away while the bot runs: one log line per failed poll, not a traceback each time."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

import pytest

from bot.app import build_application, running_application
from bot.clock import FakeClock
from bot.config import Settings
from bot.emulator import BotApiEmulator
from tests.conftest import make_settings


async def test_lost_bot_api_is_one_warning_line_per_failed_poll(
    settings: Settings, emulator: BotApiEmulator, clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    application = build_application(settings, clock=clock)
    with caplog.at_level(logging.INFO):
        async with running_application(application, poll_timeout=1):
            await emulator.stop()  # the network goes down under a running bot
            for _ in range(100):
                if any(
                    r.name.startswith(("telegram", "bot")) and r.levelno >= logging.WARNING
                    for r in caplog.records
                ):
                    break
                await asyncio.sleep(0.05)
            polling = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert polling, "no log line about the lost Bot API"
    first = polling[0]
    # PTB's default logs ~100 lines of traceback at every retry (every 1-30 s, for as long as the outage lasts).
    assert first.exc_info is None and "\n" not in first.getMessage()
    assert first.levelno == logging.WARNING
    assert "Bot API" in first.getMessage() and "retrying" in first.getMessage()


async def test_a_second_bot_polling_the_same_token_is_named_in_one_line(
    tmp_path: Path, emulator: BotApiEmulator, clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    # The same token run on another server (another database, so the instance lock cannot see it): 409s.
    first = build_application(make_settings(tmp_path, emulator, db_path=tmp_path / "a.sqlite3"), clock=clock)
    second = build_application(make_settings(tmp_path, emulator, db_path=tmp_path / "b.sqlite3"), clock=clock)
    with caplog.at_level(logging.INFO):
        async with running_application(first, poll_timeout=1), running_application(second, poll_timeout=1):
            for _ in range(100):
                if any("another program is polling" in r.getMessage() for r in caplog.records):
                    break
                await asyncio.sleep(0.05)
    conflicts = [r for r in caplog.records if "another program is polling" in r.getMessage()]
    assert conflicts and all(r.exc_info is None for r in conflicts)
    assert not [r for r in caplog.records if r.name == "telegram.ext.Updater" and r.exc_info]
