"""What each chat follows: catalogue topics and keywords."""

from __future__ import annotations

import sqlite3
from typing import TYPE_CHECKING, Any, cast

from bot.store.db import fetch_all, run
from bot.store.models import Subscription, SubscriptionKind

if TYPE_CHECKING:
    from bot.store.db import Database

# Topics before keywords, then alphabetical: the order /list shows them in.
_ORDER = "CASE kind WHEN 'topic' THEN 0 ELSE 1 END, value"


def _subscription_from_row(row: sqlite3.Row | Any) -> Subscription:
    return Subscription(
        chat_id=int(row["chat_id"]), kind=cast(SubscriptionKind, row["kind"]), value=row["value"]
    )


class SubscriptionRepo:
    """Subscriptions of chats to topics and keywords."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def add(self, chat_id: int, kind: SubscriptionKind, value: str, now: float) -> bool:
        """Follow a topic or keyword; False if already followed; LookupError for an unknown chat."""
        try:
            async with self._db.write() as conn:
                changed = await run(
                    conn,
                    "INSERT OR IGNORE INTO subscriptions (chat_id, kind, value, created_at)"
                    " VALUES (?, ?, ?, ?)",
                    (chat_id, kind, value, now),
                )
        except sqlite3.IntegrityError as exc:
            # OR IGNORE does not cover foreign keys: the chat row is missing. (It does cover the CHECK on kind:
            # an invalid kind is skipped like a duplicate, so the type checker is what keeps it out.)
            if "FOREIGN KEY" in str(exc):
                raise LookupError(f"chat {chat_id} is not registered") from exc
            raise
        return changed == 1

    async def remove(self, chat_id: int, kind: SubscriptionKind, value: str) -> bool:
        """Unfollow; False if the chat did not follow it."""
        async with self._db.write() as conn:
            changed = await run(
                conn,
                "DELETE FROM subscriptions WHERE chat_id = ? AND kind = ? AND value = ?",
                (chat_id, kind, value),
            )
        return changed > 0

    async def remove_all(self, chat_id: int) -> int:
        """Unfollow everything; returns how many subscriptions went."""
        async with self._db.write() as conn:
            return await run(conn, "DELETE FROM subscriptions WHERE chat_id = ?", (chat_id,))

    async def for_chat(self, chat_id: int) -> list[Subscription]:
        """A chat's subscriptions: topics first, then keywords, alphabetical."""
        rows = await fetch_all(
            self._db.reader, f"SELECT * FROM subscriptions WHERE chat_id = ? ORDER BY {_ORDER}", (chat_id,)
        )
        return [_subscription_from_row(r) for r in rows]

    async def for_active_chats(self) -> list[Subscription]:
        """Subscriptions of active, unpaused chats: the input for planning deliveries."""
        rows = await fetch_all(
            self._db.reader,
            "SELECT s.chat_id, s.kind, s.value FROM subscriptions AS s JOIN chats AS c ON c.id = s.chat_id"
            f" WHERE c.active = 1 AND c.paused = 0 ORDER BY s.chat_id, {_ORDER}",
        )
        return [_subscription_from_row(r) for r in rows]

    async def count(self) -> dict[str, int]:
        """Topic and keyword subscriptions of active chats, and under "inactive" those of inactive chats (kept
        for when they come back, but nothing is delivered to them)."""
        counts = {"topic": 0, "keyword": 0, "inactive": 0}
        rows = await fetch_all(
            self._db.reader,
            "SELECT CASE WHEN c.active THEN s.kind ELSE 'inactive' END AS k, count(*) AS n"
            " FROM subscriptions AS s JOIN chats AS c ON c.id = s.chat_id GROUP BY k",
        )
        for row in rows:
            counts[row["k"]] = int(row["n"])
        return counts
