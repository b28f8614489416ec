"""`newsbot console`: a person types, the real application answers via the emulator, buttons are numbers."""

from __future__ import annotations

import io
from pathlib import Path

from bot.config import Settings
from bot.console import load_samples, run_console


def test_samples_are_short_articles_on_different_topics() -> None:
    samples = load_samples()
    assert 4 <= len(samples) <= 6
    assert len({s.categories[0] for s in samples}) == len(samples)
    assert all(s.body.count(". ") >= 5 for s in samples)


async def test_a_console_session(tmp_path: Path) -> None:
    settings = Settings(_env_file=None, db_path=tmp_path / "unused.sqlite3")  # type: ignore[call-arg]
    typed = io.StringIO("/start\n1\n/latest\n2\n/summary 1 3\nhello\n")  # ends without "quit": Ctrl-D
    out = io.StringIO()
    assert await run_console(settings, stdin=typed, stdout=out) == 0
    text = out.getvalue()
    assert "[1] 🚗 Automotive" in text
    assert "[1] ✅ 🚗 Automotive" in text  # typing 1 pressed the button and the keyboard was edited
    assert "(Following 🚗 Automotive)" in text
    assert "Harbor Coffee" in text and "#2" in text
    assert "<b>" not in text  # HTML is stripped for the terminal
    assert "Send me a link" in text
    assert text.rstrip().endswith("bye")
    assert not (tmp_path / "unused.sqlite3").exists()  # the console keeps its data in a throwaway database


async def test_quit_as_a_command_leaves_too(tmp_path: Path) -> None:
    settings = Settings(_env_file=None, db_path=tmp_path / "unused.sqlite3")  # type: ignore[call-arg]
    out = io.StringIO()
    assert await run_console(settings, stdin=io.StringIO("/quit\n/help\n"), stdout=out) == 0
    text = out.getvalue()
    assert "I don't know /quit" not in text and "/subscribe" not in text  # left before /help
    assert text.rstrip().endswith("bye")
