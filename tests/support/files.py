"""Files in the states an operator's mistakes leave them in."""

from __future__ import annotations

import asyncio
import contextlib
import os
import sqlite3
import subprocess
from collections.abc import AsyncIterator, Iterator, Sequence
from contextlib import asynccontextmanager, contextmanager
from pathlib import Path

import pytest

from bot.store import Database


@contextmanager
def read_only(path: Path) -> Iterator[None]:
    """``path`` may be read but not written while the block runs (skips where that cannot be arranged)."""
    if os.geteuid() != 0:
        path.chmod(0o444)
        try:
            yield
        finally:
            path.chmod(0o644)
        return
    # root writes whatever the mode bits say; an immutable file is one it cannot write either.
    try:
        made = subprocess.run(["chattr", "+i", str(path)], capture_output=True, check=False).returncode == 0
    except FileNotFoundError:
        made = False
    if not made:
        pytest.skip("running as root without chattr +i: no read-only file can be made")
    try:
        yield
    finally:
        subprocess.run(["chattr", "-i", str(path)], capture_output=True, check=True)


async def another_program(path: Path, sql: str, params: Sequence[object] = ()) -> None:
    """Run ``sql`` (with ``params``) on the database at ``path`` over a connection of its own, as another program
    (an operator in the sqlite3 shell) would.

    In a thread: a running bot's write transaction needs the event loop to finish, so waiting for its lock on the
    loop would wait out the whole busy timeout and fail with "database is locked".
    """

    def run() -> None:
        with contextlib.closing(sqlite3.connect(path)) as conn, conn:
            conn.execute(sql, params)

    await asyncio.to_thread(run)


@asynccontextmanager
async def locked_by_another_program(db: Database, how: str = "IMMEDIATE") -> AsyncIterator[None]:
    """Another program holds the write lock of the bot's database while the block runs (BEGIN ``how``).

    The bot waits 0.1 s for a lock, not 5 s a write; the lock is taken in a thread, as ``another_program`` runs.
    """
    async with db.write() as conn:
        await conn.execute("PRAGMA busy_timeout = 100")
    db.busy_timeout_ms = 100
    other = sqlite3.connect(db.path, isolation_level=None, check_same_thread=False)
    try:
        await asyncio.to_thread(other.execute, f"BEGIN {how}")
        yield
    finally:
        other.execute("ROLLBACK")
        other.close()
