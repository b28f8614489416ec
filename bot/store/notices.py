"""Messages to the bot's admins that no command asked for (a feed that stopped working): queued, claimed,
finished, and pruned after the retention days."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

import aiosqlite

from bot.store.db import fetch_all, run, storable_text

if TYPE_CHECKING:
    from bot.store.db import Database

NoticeStatus = Literal["pending", "sent", "failed", "dropped"]


@dataclass(frozen=True, slots=True)
class NoticeDraft:
    """A message for the admins ``chat_ids`` (those without an active private chat are skipped), once per key."""

    key: str
    text: str
    chat_ids: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class Notice:
    """A claimed notice."""

    id: int
    chat_id: int
    key: str
    text: str
    attempts: int


def _notice(row: sqlite3.Row | Any) -> Notice:
    return Notice(int(row["id"]), int(row["chat_id"]), row["key"], row["text"], int(row["attempts"]))


# The chats a notice can reach, of those listed in a JSON array parameter: active private chats with the bot.
_REACHABLE = "id IN (SELECT value FROM json_each(?)) AND type = 'private' AND active = 1"


async def queue_notice(conn: aiosqlite.Connection, draft: NoticeDraft, now: float) -> int:
    """Inside a write transaction: queue ``draft`` for each of its chats that is an active private chat."""
    async with conn.execute(
        f"INSERT OR IGNORE INTO admin_notices (chat_id, key, text, created_at) SELECT id, ?, ?, ? FROM chats"
        f" WHERE {_REACHABLE}",
        (draft.key, storable_text(draft.text), now, json.dumps(sorted(draft.chat_ids))),
    ) as cur:
        return cur.rowcount


class NoticeRepo:
    """The admins' own small outbox (table admin_notices)."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def recipients(self, chat_ids: Sequence[int]) -> set[int]:
        """Which of ``chat_ids`` are active private chats with the bot: the ones a notice can reach."""
        if not chat_ids:
            return set()
        rows = await fetch_all(
            self._db.reader,
            f"SELECT id FROM chats WHERE {_REACHABLE}",
            (json.dumps(sorted(chat_ids)),),
        )
        return {int(r["id"]) for r in rows}

    async def claim(self, now: float, limit: int) -> list[Notice]:
        """Mark up to ``limit`` due notices 'sending' and return them, oldest first."""
        async with self._db.write() as conn:
            rows = await fetch_all(
                conn,
                "UPDATE admin_notices SET status = 'sending' WHERE id IN ("
                " SELECT id FROM admin_notices WHERE status = 'pending' AND not_before <= ? ORDER BY id LIMIT ?)"
                " RETURNING id, chat_id, key, text, attempts",
                (now, limit),
            )
        return sorted((_notice(r) for r in rows), key=lambda n: n.id)

    async def finish(
        self,
        notice_id: int,
        status: NoticeStatus,
        attempts: int,
        now: float,
        *,
        error: str | None = None,
        not_before: float = 0.0,
    ) -> None:
        """Record a send's outcome ('pending' with ``not_before``: try again then)."""
        async with self._db.write() as conn:
            await run(
                conn,
                "UPDATE admin_notices SET status = ?, attempts = ?, error = ?, not_before = ?, finished_at = ?"
                " WHERE id = ?",
                (
                    status,
                    attempts,
                    None if error is None else storable_text(error[:500]),
                    not_before,
                    None if status == "pending" else now,
                    notice_id,
                ),
            )

    async def requeue_sending(self) -> int:
        """After a crash or stop: notices left 'sending' go back to 'pending'."""
        async with self._db.write() as conn:
            return await run(conn, "UPDATE admin_notices SET status = 'pending' WHERE status = 'sending'")

    async def forget_finished(self, before: float) -> int:
        """Drop the notices sent, failed or dropped before ``before``; how many went (the pending ones stay)."""
        async with self._db.write() as conn:
            return await run(
                conn,
                "DELETE FROM admin_notices WHERE status IN ('sent', 'failed', 'dropped') AND finished_at < ?",
                (before,),
            )

    async def of_chat(self, chat_id: int) -> list[tuple[str, str]]:
        """(key, status) of every notice queued for a chat, oldest first."""
        rows = await fetch_all(
            self._db.reader, "SELECT key, status FROM admin_notices WHERE chat_id = ? ORDER BY id", (chat_id,)
        )
        return [(r["key"], r["status"]) for r in rows]
