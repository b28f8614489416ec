"""Polled feeds and their polling state (conditional GET validators, failures, backoff)."""

from __future__ import annotations

import builtins
import json
import sqlite3
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import aiosqlite

from bot.store.db import fetch_all, run, storable_text, stored_instant, unusable_value
from bot.store.models import Feed
from bot.store.notices import NoticeDraft, queue_notice

if TYPE_CHECKING:
    from bot.store.db import Database

# Error texts come from the network and from feeds; keep the row small whatever they hold.
_MAX_ERROR_CHARS = 1000
# A feed's own link is kept for its host only; a hostile feed may send a huge one.
_MAX_LINK_CHARS = 2000
# A listed item's seen_at is refreshed at most this often: not a write per item at every poll.
_SEEN_REFRESH_SECONDS = 86400.0
# A feed last polled further ahead of now than this was polled before the clock was put back.
_CLOCK_BACK_TOLERANCE = 60.0


def _feed_from_row(row: sqlite3.Row | Any) -> Feed:
    # A value edited by hand into text (a date, "soon") is logged and read as unset: raised, it stopped the
    # polling of every feed and /feeds, which read them all together.
    owner = f"feed {int(row['id'])}"
    failures = row["failures"]
    if not isinstance(failures, int | float):
        unusable_value(owner, "failures", failures, "0")
        failures = 0
    return Feed(
        id=int(row["id"]),
        url=row["url"],
        topics=tuple(str(row["topics"]).split()),
        origin=row["origin"],
        title=row["title"],
        etag=row["etag"],
        last_modified=row["last_modified"],
        added_by=row["added_by"],
        created_at=stored_instant(owner, "created_at", row["created_at"]) or 0.0,
        last_polled_at=stored_instant(owner, "last_polled_at", row["last_polled_at"]),
        last_success_at=stored_instant(owner, "last_success_at", row["last_success_at"]),
        next_poll_at=stored_instant(owner, "next_poll_at", row["next_poll_at"]) or 0.0,  # unset: due
        failures=int(failures),
        last_error=row["last_error"],
        dead=bool(row["dead"]),
        items_left=bool(row["items_left"]),
        link=row["link"],
    )


async def _is_dead(conn: aiosqlite.Connection, feed_id: int) -> bool:
    """Whether the feed is marked dead now, read inside the write transaction that may change that."""
    rows = await fetch_all(conn, "SELECT dead FROM feeds WHERE id = ?", (feed_id,))
    return bool(rows and rows[0]["dead"])


def _topics_text(topics: Sequence[str]) -> str:
    return " ".join(dict.fromkeys(topics))


class FeedRepo:
    """Feeds from settings (NEWSBOT_FEEDS) and feeds admins added."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def sync_from_settings(self, feeds: Sequence[tuple[str, tuple[str, ...]]], now: float) -> None:
        """Make origin='settings' feeds match ``feeds`` (url, topics); admin feeds are left alone."""
        wanted = {url: _topics_text(topics) for url, topics in feeds}
        async with self._db.write() as conn:
            await conn.executemany(
                "INSERT INTO feeds (url, topics, origin, created_at) VALUES (?, ?, 'settings', ?)"
                " ON CONFLICT (url) DO UPDATE SET topics = excluded.topics WHERE origin = 'settings'",
                [(url, topics, now) for url, topics in wanted.items()],
            )
            rows = await fetch_all(conn, "SELECT id, url FROM feeds WHERE origin = 'settings'")
            gone = [(row["id"],) for row in rows if row["url"] not in wanted]
            await conn.executemany("DELETE FROM feeds WHERE id = ?", gone)

    async def add(
        self, url: str, topics: tuple[str, ...], added_by: int | None, now: float
    ) -> tuple[Feed, bool]:
        """Add an admin feed; returns the stored feed and False if the URL was already there."""
        async with self._db.write() as conn:
            rows = await fetch_all(
                conn,
                "INSERT INTO feeds (url, topics, origin, added_by, created_at) VALUES (?, ?, 'admin', ?, ?)"
                " ON CONFLICT (url) DO NOTHING RETURNING *",
                (url, _topics_text(topics), added_by, now),
            )
            if rows:
                return _feed_from_row(rows[0]), True
            rows = await fetch_all(conn, "SELECT * FROM feeds WHERE url = ?", (url,))
            return _feed_from_row(rows[0]), False

    async def move(self, feed_id: int, url: str) -> bool:
        """Poll a feed at a new address from now on; False when another feed has that address already."""
        async with self._db.write() as conn:
            try:
                return (
                    await run(conn, "UPDATE feeds SET url = ? WHERE id = ?", (storable_text(url), feed_id))
                    > 0
                )
            except sqlite3.IntegrityError:
                return False

    async def remove(self, url: str) -> bool:
        """Stop polling a feed; its articles stay. False if there was no such feed."""
        async with self._db.write() as conn:
            return await run(conn, "DELETE FROM feeds WHERE url = ?", (url,)) > 0

    async def get(self, feed_id: int) -> Feed | None:
        """The feed with this id, or None."""
        rows = await fetch_all(self._db.reader, "SELECT * FROM feeds WHERE id = ?", (feed_id,))
        return _feed_from_row(rows[0]) if rows else None

    async def get_by_url(self, url: str) -> Feed | None:
        """The feed with this URL, or None."""
        rows = await fetch_all(self._db.reader, "SELECT * FROM feeds WHERE url = ?", (url,))
        return _feed_from_row(rows[0]) if rows else None

    async def list(self) -> builtins.list[Feed]:
        """All feeds, dead ones included, by id."""
        rows = await fetch_all(self._db.reader, "SELECT * FROM feeds ORDER BY id")
        return [_feed_from_row(r) for r in rows]

    async def due(self, now: float, longest_wait: float | None = None) -> builtins.list[Feed]:
        """Feeds whose next poll is due, most overdue first (a dead feed's comes once a day).

        With ``longest_wait``, a poll set further ahead than that is due too: it was set by a clock that ran
        ahead and was put right since, and would otherwise wait for as long as the clock was ahead. So is a
        feed last polled after ``now``: the clock went back since (an NTP step, an hour), which would otherwise
        be added to its wait.
        """
        rows = await fetch_all(
            self._db.reader,
            "SELECT * FROM feeds WHERE next_poll_at <= ?1 OR next_poll_at > ?1 + ?2 OR last_polled_at > ?1 + ?3"
            " ORDER BY next_poll_at, id",
            (now, float("inf") if longest_wait is None else longest_wait, _CLOCK_BACK_TOLERANCE),
        )
        return [_feed_from_row(r) for r in rows]

    async def record_success(
        self,
        feed_id: int,
        *,
        title: str | None,
        etag: str | None,
        last_modified: str | None,
        next_poll_at: float,
        now: float,
        revived_notice: NoticeDraft | None = None,
        items_left: bool = False,
        link: str | None = None,
        notice: NoticeDraft | None = None,
    ) -> None:
        """A poll worked (200 or 304): store the validators, reset failures (a dead feed lives again), schedule the
        next poll. ``revived_notice`` is queued for the admins when this poll brings a dead feed back, ``notice``
        in any case. ``items_left``: the poll left items of the feed for the next polls. ``link``: the site the
        feed names (None keeps the one it had)."""
        async with self._db.write() as conn:
            if revived_notice is not None and await _is_dead(conn, feed_id):
                await queue_notice(conn, revived_notice, now)
            if notice is not None:
                await queue_notice(conn, notice, now)
            await run(
                conn,
                # A feed without a title keeps the one it had.
                "UPDATE feeds SET title = coalesce(?, title), link = coalesce(?, link), etag = ?, last_modified = ?,"
                " last_polled_at = ?, last_success_at = ?, next_poll_at = ?, failures = 0, last_error = NULL, dead = 0,"
                " items_left = ? WHERE id = ?",
                # Title, link and validators come from the feed's server, which may send anything.
                (
                    None if title is None else storable_text(title),
                    None if link is None else storable_text(link[:_MAX_LINK_CHARS]),
                    None if etag is None else storable_text(etag),
                    None if last_modified is None else storable_text(last_modified),
                    now,
                    now,
                    next_poll_at,
                    items_left,
                    feed_id,
                ),
            )

    async def postpone(self, feed_id: int, next_poll_at: float) -> None:
        """Poll again at ``next_poll_at``, keeping validators and counts: a poll whose items could not be stored."""
        async with self._db.write() as conn:
            await run(conn, "UPDATE feeds SET next_poll_at = ? WHERE id = ?", (next_poll_at, feed_id))

    async def record_failure(
        self,
        feed_id: int,
        *,
        error: str,
        next_poll_at: float,
        dead: bool,
        now: float,
        dead_notice: NoticeDraft | None = None,
    ) -> Feed:
        """A poll failed: count it, keep the error, schedule the retry (or mark dead); returns the feed.

        ``dead_notice`` is queued for the admins when this failure is the one that marks the feed dead: in the
        same transaction, so each death is told once, not at every daily retry, and a crash cannot lose it.
        """
        async with self._db.write() as conn:
            if dead and dead_notice is not None and not await _is_dead(conn, feed_id):
                await queue_notice(conn, dead_notice, now)
            rows = await fetch_all(
                conn,
                "UPDATE feeds SET failures = failures + 1, last_error = ?, last_polled_at = ?,"
                " next_poll_at = ?, dead = ? WHERE id = ? RETURNING *",
                (storable_text(error[:_MAX_ERROR_CHARS]), now, next_poll_at, int(dead), feed_id),
            )
        if not rows:
            raise LookupError(f"feed {feed_id} does not exist")
        return _feed_from_row(rows[0])

    async def revive(self, url: str, now: float) -> bool:
        """Poll a dead or failing feed again from now on; False if no such feed has this URL."""
        async with self._db.write() as conn:
            changed = await run(
                conn,
                "UPDATE feeds SET dead = 0, failures = 0, last_error = NULL, next_poll_at = ?"
                " WHERE url = ? AND (dead = 1 OR failures > 0)",
                (now, url),
            )
        return changed > 0

    async def known_items(
        self, feed_id: int, guids: Sequence[str], now: float
    ) -> dict[str, tuple[str, str, float]]:
        """The guids of ``guids`` this feed gave before, each with its item's page, title and when the feed was
        last seen listing it (before this call); they count as seen now."""
        if not guids:
            return {}
        batch = json.dumps(list(guids))
        rows = await fetch_all(
            self._db.reader,
            "SELECT guid, page, title, seen_at FROM feed_items"
            " WHERE feed_id = ? AND guid IN (SELECT value FROM json_each(?))",
            (feed_id, batch),
        )
        if rows:
            async with self._db.write() as conn:
                await run(
                    conn,
                    "UPDATE feed_items SET seen_at = ? WHERE feed_id = ? AND seen_at < ?"
                    " AND guid IN (SELECT value FROM json_each(?))",
                    (now, feed_id, now - _SEEN_REFRESH_SECONDS, batch),
                )
        return {row["guid"]: (row["page"], row["title"], float(row["seen_at"])) for row in rows}

    async def remembers_items(self, feed_id: int) -> bool:
        """Whether any item this feed listed is remembered (``remember_items``, until ``forget_items``)."""
        rows = await fetch_all(
            self._db.reader, "SELECT 1 FROM feed_items WHERE feed_id = ? LIMIT 1", (feed_id,)
        )
        return bool(rows)

    async def remember_items(self, feed_id: int, items: Mapping[str, tuple[str, str]], now: float) -> None:
        """Remember the guids this feed gave its items (guid -> the item's page and title)."""
        if not items:
            return
        async with self._db.write() as conn:
            await conn.executemany(
                "INSERT INTO feed_items (feed_id, guid, page, title, seen_at) VALUES (?, ?, ?, ?, ?)"
                " ON CONFLICT (feed_id, guid) DO UPDATE SET page = excluded.page, title = excluded.title,"
                " seen_at = excluded.seen_at",
                [
                    (feed_id, storable_text(guid), storable_text(page), storable_text(title), now)
                    for guid, (page, title) in items.items()
                ],
            )

    async def forget_items(self, not_seen_since: float) -> int:
        """Drop the guids of items no feed has listed since ``not_seen_since``; how many went.

        A feed's last listing stays until it lists another: a feed that answers "not modified" lists it still, and
        a dead feed's domain, lapsed for months, may come back serving another site's feed, which only the
        memory of what the feed listed tells apart (IngestService's swap check needs some of it)."""
        async with self._db.write() as conn:
            return await run(
                conn,
                "DELETE FROM feed_items WHERE seen_at < ?"
                # Each feed's rows of its last read (remember_items gives them all that read's time) stay. Its
                # time is found once for every feed and looked up by feed (an automatic index): a row-value
                # NOT IN list was read through for each row, 8.5 s for 2,000 feeds of 250 items.
                " AND seen_at < (SELECT last.seen_at FROM"
                "  (SELECT feed_id, max(seen_at) AS seen_at FROM feed_items GROUP BY feed_id) AS last"
                "  WHERE last.feed_id = feed_items.feed_id)",
                (not_seen_since,),
            )
