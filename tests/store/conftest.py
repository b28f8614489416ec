"""Fixtures for the storage tests: a real SQLite file in tmp_path."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.store import Database


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    """A freshly migrated database file."""
    database = await Database.open(tmp_path / "newsbot.sqlite3")
    try:
        yield database
    finally:
        await database.close()
