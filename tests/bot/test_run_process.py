"""`newsbot run` as an operator runs it: a real process against the emulator, stopped with SIGTERM."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path

from bot.emulator import BotApiEmulator

ROOT = Path(__file__).resolve().parents[2]
TOKEN = "4242424242:AAFsecretTOKENthatMustNeverBeLogged_x"


async def test_run_answers_and_stops_cleanly_without_leaking_the_token(tmp_path: Path) -> None:
    async with BotApiEmulator() as emulator:
        env = {k: v for k, v in os.environ.items() if not k.startswith("NEWSBOT_")}
        env.update(
            PYTHONPATH=str(ROOT),
            NEWSBOT_BOT_TOKEN=TOKEN,
            NEWSBOT_TELEGRAM_API_URL=emulator.base_url,
            NEWSBOT_DB_PATH=str(tmp_path / "bot.sqlite3"),
            NEWSBOT_LOG_LEVEL="DEBUG",
            NEWSBOT_TICK_SECONDS="0.2",
        )
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "run",
            cwd=tmp_path, env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
        )  # fmt: skip
        try:
            await emulator.send_user_message(7, "/start")
            greeting = await emulator.next_message(7, timeout=60)
            assert "/help" in greeting.text
            assert {"start", "help", "summary", "settings"} <= {name for name, _ in emulator.commands}
        finally:
            process.send_signal(signal.SIGTERM)
            stdout, stderr = await asyncio.wait_for(process.communicate(), timeout=30)
    log = stderr.decode()
    assert process.returncode == 0, log[-2000:]
    assert "newsbot started" in log
    assert TOKEN not in log and TOKEN not in stdout.decode()
    assert TOKEN.split(":")[1] not in log
    assert (tmp_path / "bot.sqlite3").exists()
