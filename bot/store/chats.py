"""Chats and their delivery settings."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from bot.scheduling import parse_time_of_day
from bot.store.articles import release_deliveries
from bot.store.db import fetch_all, run, stored_instant, unusable_value
from bot.store.models import Chat, ChatDefaults
from bot.timezones import is_iana_timezone

if TYPE_CHECKING:
    import aiosqlite

    from bot.store.db import Database

_SETTINGS_COLUMNS = (
    "mode, digest_times, timezone, summary_sentences, quiet_start, quiet_end, paused, next_digest_at"
)


def chat_from_row(row: sqlite3.Row | Any) -> Chat:
    """A Chat from a ``SELECT * FROM chats`` row (for other repos that join chats).

    A value the schema lets through but the bot cannot use (edited by hand in the sqlite3 shell: text in a time
    column, "99:99", an unknown timezone) is logged and read as unset, or as the schema's default: raised, it
    failed every command of the chat and, read in a batch, the alerts and digests of other chats too.
    """
    chat_id = int(row["id"])
    owner = f"chat {chat_id}"
    stored_times = (_time_of_day(owner, "digest_times", t) for t in str(row["digest_times"]).split(",") if t)
    times = tuple(t for t in stored_times if t)
    if not times:
        # The digest tick sends such a chat's digests at the schema's default time: say so too.
        unusable_value(owner, "digest_times", row["digest_times"], "08:00")
        times = ("08:00",)
    quiet_start = _time_of_day(owner, "quiet_start", row["quiet_start"])
    quiet_end = _time_of_day(owner, "quiet_end", row["quiet_end"])
    timezone = row["timezone"]
    if not is_iana_timezone(str(timezone)):
        unusable_value(owner, "timezone", timezone, "UTC")
        timezone = "UTC"
    thread_id = row["thread_id"]
    if thread_id is not None and not isinstance(thread_id, int):
        unusable_value(owner, "thread_id", thread_id, "General")
        thread_id = None
    return Chat(
        id=chat_id,
        type=row["type"],
        title=row["title"],
        active=bool(row["active"]),
        inactive_reason=row["inactive_reason"],
        mode=row["mode"],
        digest_times=times,
        timezone=timezone,
        summary_sentences=int(row["summary_sentences"]),
        # Quiet hours need both ends: one unusable end turns them off, as delivery already treated them.
        quiet_start=quiet_start if quiet_end else None,
        quiet_end=quiet_end if quiet_start else None,
        paused=bool(row["paused"]),
        created_at=stored_instant(owner, "created_at", row["created_at"]) or 0.0,
        last_digest_at=stored_instant(owner, "last_digest_at", row["last_digest_at"]),
        next_digest_at=stored_instant(owner, "next_digest_at", row["next_digest_at"]),
        thread_id=thread_id,
    )


def _time_of_day(owner: str, column: str, value: object) -> str | None:
    """A local "HH:MM" from the row, or None for NULL or an unusable one."""
    if value is None:
        return None
    try:
        return parse_time_of_day(str(value))
    except ValueError:
        unusable_value(owner, column, value, "unset")
        return None


# The outbox repo imported the private name first; keep it working.
_chat_from_row = chat_from_row


async def _chat_in(conn: aiosqlite.Connection, chat_id: int) -> Chat | None:
    """The chat as stored, read on ``conn``: under the write lock, no write since the caller's own can change it."""
    rows = await fetch_all(conn, "SELECT * FROM chats WHERE id = ?", (chat_id,))
    return chat_from_row(rows[0]) if rows else None


async def _digest_from_now(
    conn: aiosqlite.Connection, chat: Chat, next_digest: Callable[[Chat], float | None] | None
) -> Chat:
    """A digest chat back from inactive (registered again, or an inactive group merged into its supergroup) with
    its next digest from now (``next_digest``); the chat as it is otherwise.

    Digests go to active chats only, so its next digest stayed where it was when the chat went inactive, weeks ago
    perhaps: left so, /settings showed that date and a digest went out at once rather than at its chosen time.
    """
    if chat.mode != "digest" or next_digest is None:
        return chat
    rows = await fetch_all(
        conn, "UPDATE chats SET next_digest_at = ? WHERE id = ? RETURNING *", (next_digest(chat), chat.id)
    )
    return chat_from_row(rows[0])


def _digest_times_text(times: tuple[str, ...]) -> str:
    # Stored sorted and without duplicates, as the schema documents.
    return ",".join(sorted(set(times)))


class ChatRepo:
    """Chats: registration, settings, deactivation, group -> supergroup migration, digest schedule."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def register(
        self,
        chat_id: int,
        type: str,
        title: str | None,
        defaults: ChatDefaults,
        now: float,
        next_digest: Callable[[Chat], float | None] | None = None,
    ) -> tuple[Chat, bool]:
        """Insert a chat or refresh the existing one (reactivating it); True when it is new.

        ``next_digest``: for a digest chat coming back from inactive, its next digest time from now.
        """
        async with self._db.write() as conn:
            was = await fetch_all(conn, "SELECT active FROM chats WHERE id = ?", (chat_id,))
            rows = await fetch_all(
                conn,
                "UPDATE chats SET type = ?, title = ?, active = 1, inactive_reason = NULL, updated_at = ?"
                " WHERE id = ? RETURNING *",
                (type, title, now, chat_id),
            )
            created = not rows
            if created:
                rows = await fetch_all(
                    conn,
                    "INSERT INTO chats (id, type, title, timezone, summary_sentences, created_at, updated_at)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING *",
                    (chat_id, type, title, defaults.timezone, defaults.summary_sentences, now, now),
                )
            chat = chat_from_row(rows[0])
            if was and not was[0][0]:
                chat = await _digest_from_now(conn, chat, next_digest)
            return chat, created

    async def get(self, chat_id: int) -> Chat | None:
        """The chat with this id, or None."""
        rows = list(await fetch_all(self._db.reader, "SELECT * FROM chats WHERE id = ?", (chat_id,)))
        return chat_from_row(rows[0]) if rows else None

    async def set_thread(self, chat_id: int, thread_id: int | None, now: float) -> None:
        """The forum topic where the chat's alerts and digests go (None: "General")."""
        async with self._db.write() as conn:
            await run(
                conn,
                "UPDATE chats SET thread_id = ?, updated_at = ? WHERE id = ?",
                (thread_id, now, chat_id),
            )

    async def save_settings(
        self,
        chat: Chat,
        now: float,
        *,
        keep_timezone: bool = False,
        next_digest: Callable[[Chat], float | None] | None = None,
    ) -> Chat:
        """Store the chat's delivery settings; raises LookupError for an unknown chat.

        ``keep_timezone``: leave the stored timezone as it is, which ``chat`` may show as UTC (chat_from_row).
        ``next_digest``: the next digest time as a function of the chat as stored when the settings are written,
        instead of ``chat.next_digest_at``: a digest recorded since ``chat`` was read has moved the schedule on,
        and the time read before it, written back, made that digest due again.
        """
        async with self._db.write() as conn:
            if next_digest is not None:
                # Read under the write lock, as record_digest does: the sender may have recorded a digest since.
                stored = await _chat_in(conn, chat.id)
                if stored is None:
                    raise LookupError(f"chat {chat.id} is not registered")
                chat = replace(chat, next_digest_at=next_digest(stored))
            rows = await fetch_all(
                conn,
                f"UPDATE chats SET ({_SETTINGS_COLUMNS}, updated_at) ="
                " (?, ?, coalesce(?, timezone), ?, ?, ?, ?, ?, ?) WHERE id = ? RETURNING *",
                (
                    chat.mode,
                    _digest_times_text(chat.digest_times),
                    None if keep_timezone else chat.timezone,
                    chat.summary_sentences,
                    chat.quiet_start,
                    chat.quiet_end,
                    int(chat.paused),
                    chat.next_digest_at,
                    now,
                    chat.id,
                ),
            )
            if rows and chat.mode == "instant":
                # Stories held for a digest that will never come now (only digest chats get digests) would
                # stay 'pending' forever: they go out as alerts instead. So do those of a digest being sent
                # right now: if it fails, they come back 'pending' and must not wait for a digest either.
                # Planned as alerts now: left as planned for the digest, hours ago, the sender took them for
                # alerts an outage kept from the chat and sent them as a catch-up. A catch-up's stories stay late.
                await run(
                    conn,
                    "UPDATE deliveries SET kind = 'alert', not_before = 0,"
                    " planned_at = CASE WHEN catchup THEN planned_at ELSE ? END"
                    " WHERE chat_id = ? AND kind = 'digest' AND status IN ('pending', 'sending')",
                    (now, chat.id),
                )
                # Alerts held until quiet hours ended were timed by the old settings (quiet hours, timezone):
                # release them; the sender checks the new quiet hours and holds them again if still quiet.
                # Due now rather than at 0, they are still held alerts whose hold ended, so more than a few go
                # as one round-up (DeliveryRepo.fold_roundups), as when quiet hours end on their own.
                await run(
                    conn,
                    "UPDATE deliveries SET not_before = ?1"
                    " WHERE chat_id = ?2 AND kind = 'alert' AND status = 'pending' AND not_before > ?1",
                    (now, chat.id),
                )
            if rows and chat.mode == "digest" and not chat.paused:
                # Alerts still queued (held by quiet hours, say) belong in the next digest now; left as alerts
                # they would turn into digest rows only when their hold ended, after that digest was sent.
                await run(
                    conn,
                    "UPDATE deliveries SET kind = 'digest', not_before = 0"
                    " WHERE chat_id = ? AND kind = 'alert' AND status = 'pending'",
                    (chat.id,),
                )
            if rows and chat.paused:
                # Pause stops everything: alerts still queued (held by quiet hours, say) are dropped, so
                # resuming does not bring a flood of stale news.
                await run(
                    conn,
                    "UPDATE deliveries SET status = 'dropped', error = 'chat paused', finished_at = ?"
                    " WHERE chat_id = ? AND kind = 'alert' AND status = 'pending'",
                    (now, chat.id),
                )
        if not rows:
            raise LookupError(f"chat {chat.id} is not registered")
        return chat_from_row(rows[0])

    async def deactivate(self, chat_id: int, reason: str, now: float) -> None:
        """Stop delivering to a chat Telegram refuses (blocked, kicked, not found); it keeps its settings."""
        async with self._db.write() as conn:
            await run(
                conn,
                "UPDATE chats SET active = 0, inactive_reason = ?, updated_at = ? WHERE id = ?",
                (reason, now, chat_id),
            )

    async def migrate(
        self, old_id: int, new_id: int, now: float, next_digest: Callable[[Chat], float | None] | None = None
    ) -> None:
        """Group -> supergroup: move the chat, its subscriptions and deliveries to ``new_id``.

        ``next_digest``: for an inactive group's digest settings merged into an active supergroup, its next
        digest time from now (as ``register`` gives a chat coming back).
        """
        if old_id == new_id:
            return
        async with self._db.write() as conn:
            was = await fetch_all(conn, "SELECT active FROM chats WHERE id = ?", (old_id,))
            if not was:
                return
            if not await fetch_all(conn, "SELECT 1 FROM chats WHERE id = ?", (new_id,)):
                # ON UPDATE CASCADE carries subscriptions and deliveries along.
                await run(
                    conn,
                    "UPDATE chats SET id = ?, type = 'supergroup', updated_at = ? WHERE id = ?",
                    (new_id, now, old_id),
                )
                return
            # The supergroup already talked to us: merge into it. The settings of the chat known longer win:
            # the other row was registered just now with defaults, the supergroup's in a race with the
            # migration message, or the old group's anew when a button on one of its messages from before the
            # upgrade was tapped (the supergroup's own settings must not be reset to defaults then).
            merged = await fetch_all(
                conn,
                f"UPDATE chats SET ({_SETTINGS_COLUMNS}, last_digest_at) ="
                f" (SELECT {_SETTINGS_COLUMNS}, last_digest_at FROM chats WHERE id = ?1),"
                " type = 'supergroup', active = 1, inactive_reason = NULL, updated_at = ?2 WHERE id = ?3"
                " AND (SELECT created_at FROM chats WHERE id = ?1) <= created_at RETURNING *",
                (old_id, now, new_id),
            )
            if merged and not was[0][0]:
                await _digest_from_now(conn, chat_from_row(merged[0]), next_digest)
            await run(
                conn,
                "INSERT OR IGNORE INTO subscriptions (chat_id, kind, value, created_at)"
                " SELECT ?, kind, value, created_at FROM subscriptions WHERE chat_id = ?",
                (new_id, old_id),
            )
            # Keep the delivery history so stories sent to the old group are not sent again. Where both have a
            # story, the supergroup's copy wins, but not one still waiting while the group's was sent or is on its
            # way: the members read the group's history in the supergroup, and would get the story twice.
            await run(
                conn,
                "DELETE FROM deliveries WHERE chat_id = ?1 AND status = 'pending' AND story_id IN"
                " (SELECT story_id FROM deliveries WHERE chat_id = ?2 AND status IN ('sent', 'sending'))",
                (new_id, old_id),
            )
            await run(conn, "UPDATE OR IGNORE deliveries SET chat_id = ? WHERE chat_id = ?", (new_id, old_id))
            await run(
                conn,
                "INSERT OR IGNORE INTO article_readers (chat_id, article_id)"
                " SELECT ?, article_id FROM article_readers WHERE chat_id = ?",
                (new_id, old_id),
            )
            await run(conn, "DELETE FROM chats WHERE id = ?", (old_id,))

    async def delete(self, chat_id: int) -> bool:
        """/stop: delete the chat with its subscriptions, deliveries and the links only it sent for a summary;
        False if it was not there."""
        async with self._db.write() as conn:
            # A link only this chat sent may be private (a shared document, a token in its address): it is the
            # chat's data, so it goes too, out of the search index with it (the articles_fts trigger).
            rows = await fetch_all(
                conn,
                "SELECT json_group_array(id) FROM articles WHERE private = 1"
                " AND id IN (SELECT article_id FROM article_readers WHERE chat_id = ?1)"
                " AND NOT EXISTS (SELECT 1 FROM article_readers AS r"
                " WHERE r.article_id = articles.id AND r.chat_id != ?1)",
                (chat_id,),
            )
            own = str(rows[0][0])
            # Such a link may have joined a feed's story and become its record of what other chats were sent.
            await release_deliveries(conn, own)
            await run(conn, "DELETE FROM articles WHERE id IN (SELECT value FROM json_each(?))", (own,))
            return await run(conn, "DELETE FROM chats WHERE id = ?", (chat_id,)) > 0

    async def due_digests(self, now: float) -> list[Chat]:
        """Active digest-mode chats whose next digest is due, earliest first."""
        rows = await fetch_all(
            self._db.reader,
            # mode/active literals match the partial index chats_next_digest.
            "SELECT * FROM chats WHERE mode = 'digest' AND active = 1 AND next_digest_at <= ?"
            " ORDER BY next_digest_at, id",
            (now,),
        )
        return [chat_from_row(r) for r in rows]

    async def set_digest_times(
        self, chat_id: int, *, last_digest_at: float | None, next_digest_at: float | None
    ) -> None:
        """Record when the last digest went out and when the next one is due."""
        async with self._db.write() as conn:
            await run(
                conn,
                "UPDATE chats SET last_digest_at = ?, next_digest_at = ? WHERE id = ?",
                (last_digest_at, next_digest_at, chat_id),
            )

    async def record_digest(
        self,
        chat_id: int,
        *,
        last_digest_at: float | None,
        next_digest_at: float | Callable[[Chat], float | None] | None,
        scheduled: float | None,
    ) -> None:
        """Record a digest (``last_digest_at`` None: nothing was sent) and move its schedule on from
        ``scheduled``, the next_digest_at it was sent for.

        A schedule the chat changed meanwhile (new times, timezone or mode while the digest was being sent) is
        the user's latest word and is kept. ``next_digest_at`` may be a function of the chat as stored when the
        record is written: a /settings saved while the digest was still due (so it kept it due) then counts.
        """
        async with self._db.write() as conn:
            await run(
                conn,
                "UPDATE chats SET last_digest_at = coalesce(?, last_digest_at) WHERE id = ?",
                (last_digest_at, chat_id),
            )
            if callable(next_digest_at):
                # Read under the write lock: settings read before it may have changed since.
                current = await _chat_in(conn, chat_id)
                if current is None:
                    return
                next_digest_at = next_digest_at(current)
            await run(
                conn,
                "UPDATE chats SET next_digest_at = ? WHERE id = ? AND next_digest_at IS ?",
                (next_digest_at, chat_id, scheduled),
            )

    async def active(self) -> list[Chat]:
        """All active chats, by id."""
        rows = await fetch_all(self._db.reader, "SELECT * FROM chats WHERE active = 1 ORDER BY id")
        return [chat_from_row(r) for r in rows]

    async def count(self) -> dict[str, int]:
        """Chat totals; instant/digest/paused count active chats only."""
        rows = list(
            await fetch_all(
                self._db.reader,
                "SELECT count(*) AS total,"
                " coalesce(sum(active), 0) AS active,"
                " coalesce(sum(active AND mode = 'instant'), 0) AS instant,"
                " coalesce(sum(active AND mode = 'digest'), 0) AS digest,"
                " coalesce(sum(active AND paused), 0) AS paused"
                " FROM chats",
            )
        )
        row = rows[0]
        return {key: int(row[key]) for key in ("total", "active", "instant", "digest", "paused")}
