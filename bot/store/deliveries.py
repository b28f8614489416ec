"""The outbox: one row per (chat, story), planned once; claimed, sent and finished in batches."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal, NamedTuple

from bot.store.articles import clear_alert_pending
from bot.store.chats import _chat_from_row
from bot.store.db import fetch_all, fetch_tuples, run
from bot.store.models import Chat

if TYPE_CHECKING:
    from bot.store.db import Database

DeliveryKind = Literal["alert", "digest"]
FinalStatus = Literal["sent", "failed", "dropped"]
# The error of a dropped story a digest named only in its "…and N more" line: normal work, not a lost delivery.
OVER_DIGEST_CAP = "over the digest's per-topic cap"
# The error of an alert parked after a storm of 429s: the chat's later alerts wait for it (see claim_alerts).
RATE_LIMITED = "rate limited"


# How long a chat's quiet hours last, in seconds, from its normalised "HH:MM" times (0 without quiet hours).
_QUIET_WINDOW_SECONDS = (
    "CASE WHEN c.quiet_start IS NULL OR c.quiet_end IS NULL THEN 0 ELSE"
    " ((CAST(substr(c.quiet_end, 1, 2) AS INTEGER) * 60 + CAST(substr(c.quiet_end, 4, 2) AS INTEGER)"
    " - CAST(substr(c.quiet_start, 1, 2) AS INTEGER) * 60 - CAST(substr(c.quiet_start, 4, 2) AS INTEGER)"
    " + 1440) % 1440) * 60 END"
)


class PlannedDelivery(NamedTuple):
    """A row to insert: the story ``story_id`` (represented by ``article_id``) for ``chat_id``.

    ``catchup_until``: a late story's alert (see DeliveryService.plan_alerts) is held until then, quiet hours or
    not, so that more than a few of them come as one catch-up round-up; 0 for any other row.
    """

    chat_id: int
    story_id: int
    article_id: int
    kind: DeliveryKind
    matched: str
    score: float
    not_before: float
    catchup_until: float = 0.0


# A PlannedDelivery as a plain tuple, as planning makes 100,000s of them (see bot.delivery.planning.MatchTuple).
PlannedRow = tuple[int, int, int, DeliveryKind, str, float, float, float]


@dataclass(frozen=True, slots=True)
class Delivery:
    """A claimed outbox row."""

    id: int
    chat_id: int
    story_id: int
    article_id: int
    kind: DeliveryKind
    matched: str
    score: float
    attempts: int
    catchup: bool = False  # a late story's alert: a round-up of only these is a catch-up, not a quiet night's
    planned_at: float = 0.0


@dataclass(frozen=True, slots=True)
class PlanningTarget:
    """A chat that can receive deliveries now, with what planning needs to know about it."""

    chat_id: int
    mode: str
    timezone: str
    quiet_start: str | None
    quiet_end: str | None


@dataclass(frozen=True, slots=True)
class Finished:
    """The outcome of one delivery attempt, written back in a batch."""

    id: int
    status: FinalStatus | Literal["pending"]
    attempts: int
    error: str | None = None


# What _delivery reads: every query that returns Delivery rows selects these (a column left out of one raised).
_DELIVERY_COLUMNS = "id, chat_id, story_id, article_id, kind, matched, score, attempts, catchup, planned_at"


def _delivery(row: sqlite3.Row | Any) -> Delivery:
    return Delivery(
        id=int(row["id"]),
        chat_id=int(row["chat_id"]),
        story_id=int(row["story_id"]),
        article_id=int(row["article_id"]),
        kind=row["kind"],
        matched=row["matched"],
        score=float(row["score"]),
        attempts=int(row["attempts"]),
        catchup=bool(row["catchup"]),
        planned_at=float(row["planned_at"]),
    )


# An alert quiet hours (or a late story's catch-up) held, whose hold is over at ?1 ({t}: the table's alias). These
# are the holds with no error: an outage's or a 429's park records why it waits.
_HELD_DUE = (
    "{t}.status = 'pending' AND {t}.kind = 'alert' AND {t}.not_before > 0 AND {t}.not_before <= ?1"
    " AND {t}.error IS NULL"
)
# An alert planned before {late} (a parameter), parked by an outage or a 429 (due or not), or not tried yet (an
# outage's retries of the chat's other alerts kept it back): late news by now, as a story a poll found hours late.
# Not one held by quiet hours (no error, not_before set).
_KEPT_BACK = (
    "{t}.kind = 'alert' AND {t}.planned_at < {late} AND ({t}.not_before = 0 OR {t}.error IS NOT NULL)"
)
# Such an alert still waiting in the queue, planned before ?4. ?4 NULL: none is.
_OUTAGE_LATE = "{t}.status = 'pending' AND " + _KEPT_BACK.format(t="{t}", late="?4")
# A chat whose held alerts come as a quiet night's round-up: reachable, not paused, on instant alerts.
_ROUNDUP_CHAT = "{t}.active = 1 AND {t}.paused = 0 AND {t}.mode = 'instant'"


class DeliveryRepo:
    """Planned, sent and failed deliveries."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def planning_targets(self) -> tuple[list[tuple[int, str, str]], dict[int, PlanningTarget]]:
        """Subscriptions (chat_id, kind, value) of active, unpaused chats, and those chats' settings."""
        # 100,000s of rows at 20,000 chats: read as plain tuples, made in the reader's thread. As sqlite3.Row
        # objects converted here, they held the event loop 0.1-0.2 s a plan and set off full garbage collections.
        subs = await fetch_tuples(
            self._db.reader,
            "SELECT s.chat_id, s.kind, s.value FROM subscriptions AS s JOIN chats AS c ON c.id = s.chat_id"
            " WHERE c.active = 1 AND c.paused = 0",
        )
        chats = await fetch_tuples(
            self._db.reader,
            "SELECT id, mode, timezone, quiet_start, quiet_end FROM chats WHERE active = 1 AND paused = 0"
            " AND id IN (SELECT chat_id FROM subscriptions)",
        )
        return subs, {r[0]: PlanningTarget(*r) for r in chats}

    async def plan(self, rows: Sequence[PlannedRow], now: float, planned_articles: Sequence[int] = ()) -> int:
        """Insert rows in one transaction (a pair planned before, or a chat gone since, is skipped); rows added.

        ``planned_articles`` leave ArticleRepo.alert_pending in the same transaction, so a crash either plans
        them again after the restart or finds their rows in place: never neither, never both.
        """
        if not rows and not planned_articles:
            return 0
        async with self._db.write() as conn:
            await clear_alert_pending(conn, planned_articles)
            before = conn.total_changes
            await conn.executemany(
                "INSERT OR IGNORE INTO deliveries"
                " (chat_id, story_id, article_id, kind, matched, score, planned_at, not_before, catchup)"
                # A chat deleted (/stop) or moved (group -> supergroup) since the plan was made is skipped:
                # OR IGNORE does not cover the foreign key, which would fail every other chat's rows too.
                # The kind follows the chat's mode now, not when the plan was read: /settings instant or
                # digest meanwhile already moved the chat's queued rows, and a row of the old kind would
                # never be sent (a digest row of an instant chat) or skip the digest. not_before: as that move.
                " SELECT ?1, ?2, ?3, CASE c.mode WHEN 'digest' THEN 'digest' ELSE 'alert' END, ?5, ?6, ?7,"
                "  CASE WHEN c.mode = 'digest' OR ?4 = 'digest' THEN 0"
                # Settings saved since the plan was read (quiet hours switched off or moved): the hold was timed
                # by the old ones and saving released the chat's other held alerts, so this one goes too. The
                # sender checks the chat's quiet hours when it sends and holds it again if they still apply.
                # A late story's alert keeps its catch-up hold, which no setting timed.
                "  WHEN c.updated_at >= ?7 THEN ?9 ELSE ?8 END, c.mode != 'digest' AND ?9 > 0"
                # Paused or deactivated (blocked) meanwhile: nothing, as if planned a moment later (a digest
                # row left pending there would never be sent and would keep its article from being pruned).
                " FROM chats AS c WHERE c.id = ?1 AND c.active = 1 AND c.paused = 0",
                # A generator: aiosqlite's thread builds the parameters, not the event loop (100,000s of rows).
                (
                    (chat_id, story_id, article_id, kind, matched, score, now, not_before, catchup_until)
                    for chat_id, story_id, article_id, kind, matched, score, not_before, catchup_until in rows
                ),
            )
            return conn.total_changes - before

    async def requeue_sending(self) -> int:
        """After a crash or stop: rows left 'sending' go back to 'pending'."""
        async with self._db.write() as conn:
            return await run(conn, "UPDATE deliveries SET status = 'pending' WHERE status = 'sending'")

    async def claim_alerts(
        self,
        now: float,
        limit: int,
        per_chat: int = 2,
        *,
        skip_chats: Collection[int] = (),
        roundup_more_than: int | None = None,
    ) -> list[Delivery]:
        """Mark up to ``limit`` due alerts 'sending' and return them, oldest first, ``per_chat`` per chat.

        The per-chat cap keeps one chat with a long backlog from filling the sender's window (head-of-line).
        ``skip_chats``: chats whose claimed alerts still wait in the sender; none more for them this time, or
        one held back by a 429 would fill the window ``per_chat`` rows a claim and stall every other chat.
        ``roundup_more_than``: the held alerts fold_roundups would fold are left for it (held alerts released
        by /settings after it looked, which would otherwise go two by two ahead of their round-up).
        """
        async with self._db.write() as conn:
            rows = await fetch_all(
                conn,
                # Walks the due rows in id order (index deliveries_pending) and stops after ``limit``; a row
                # is taken when its chat has fewer than ``per_chat`` due rows before it (a bounded count on
                # deliveries_pending_chat). Ranking every pending row per chat instead cost 0.85 s a claim
                # with 900,000 rows queued.
                "UPDATE deliveries SET status = 'sending' WHERE id IN ("
                # INDEXED BY: with statistics, the planner would rather range-scan deliveries_queue on
                # not_before and sort every due row (2.2 s at 900,000 rows) than walk in id order and stop.
                " SELECT d.id FROM deliveries AS d INDEXED BY deliveries_pending"
                " WHERE d.status = 'pending' AND d.kind = 'alert' AND d.not_before <= ?1"
                "  AND (SELECT count(*) FROM (SELECT 1 FROM deliveries AS e"
                "   WHERE e.chat_id = d.chat_id AND e.status = 'pending' AND e.kind = 'alert'"
                "   AND e.id < d.id AND e.not_before <= ?1 LIMIT ?2)) < ?2"
                "  AND d.chat_id NOT IN (SELECT value FROM json_each(?4))"
                # Only a held alert (quiet hours: no error) pays for this count, bounded as the one above.
                f"  AND NOT (?5 IS NOT NULL AND {_HELD_DUE.format(t='d')}"
                "   AND (SELECT count(*) FROM (SELECT 1 FROM deliveries AS e"
                f"    WHERE e.chat_id = d.chat_id AND {_HELD_DUE.format(t='e')} LIMIT ?5 + 1)) > ?5"
                f"   AND d.chat_id IN (SELECT id FROM chats WHERE {_ROUNDUP_CHAT.format(t='chats')}))"
                # Not while the chat's nearest waiting alert before it is parked after a storm of 429s: Telegram
                # takes the chat's messages again before that park is over, and its later alerts came first.
                # After the count above (subqueries are tested in the order written), so it reads fewer than
                # ``per_chat`` due rows back to that alert, and one row.
                "  AND (SELECT e.error FROM deliveries AS e WHERE e.chat_id = d.chat_id AND e.status = 'pending'"
                "   AND e.kind = 'alert' AND e.id < d.id AND e.not_before > ?1 ORDER BY e.id DESC LIMIT 1)"
                "   IS NOT ?6"
                " ORDER BY d.id LIMIT ?3)"
                f" RETURNING {_DELIVERY_COLUMNS}",
                (now, per_chat, limit, json.dumps(sorted(skip_chats)), roundup_more_than, RATE_LIMITED),
            )
        return sorted((_delivery(r) for r in rows), key=lambda d: d.id)

    async def claim_digest(self, chat_id: int) -> list[Delivery]:
        """Mark every pending digest row of a chat 'sending' and return them."""
        async with self._db.write() as conn:
            rows = await fetch_all(
                conn,
                "UPDATE deliveries SET status = 'sending'"
                " WHERE chat_id = ? AND status = 'pending' AND kind = 'digest'"
                f" RETURNING {_DELIVERY_COLUMNS}",
                (chat_id,),
            )
        return sorted((_delivery(r) for r in rows), key=lambda d: d.id)

    async def queued(self, chat_id: int) -> list[Delivery]:
        """A chat's rows waiting to be sent, of every kind (held alerts, digest and round-up rows), oldest first;
        not those claimed and on their way."""
        rows = await fetch_all(
            self._db.reader,
            f"SELECT {_DELIVERY_COLUMNS} FROM deliveries WHERE chat_id = ? AND status = 'pending' ORDER BY id",
            (chat_id,),
        )
        return [_delivery(r) for r in rows]

    async def rematch(
        self, kept: Sequence[tuple[int, int, str, float]], dropped: Sequence[int], reason: str, now: float
    ) -> int:
        """Rows still waiting get what matches them now: ``kept`` (id, article_id, matched, score) another
        article or match, ``dropped`` are dropped with ``reason``; returns how many were dropped. Rows claimed
        since they were read (on their way) are left as they are."""
        async with self._db.write() as conn:
            await conn.executemany(
                "UPDATE deliveries SET article_id = ?, matched = ?, score = ? WHERE id = ? AND status = 'pending'",
                [(article_id, matched, score, row_id) for row_id, article_id, matched, score in kept],
            )
            before = conn.total_changes
            await conn.executemany(
                "UPDATE deliveries SET status = 'dropped', error = ?, finished_at = ?"
                " WHERE id = ? AND status = 'pending'",
                [(reason, now, row_id) for row_id in dropped],
            )
            return conn.total_changes - before

    async def finish(self, outcomes: Iterable[Finished], now: float) -> None:
        """Write back a batch of outcomes in one transaction ('pending' puts a row back in the queue)."""
        batch = [
            (o.status, o.attempts, o.error, None if o.status == "pending" else now, o.id) for o in outcomes
        ]
        if not batch:
            return
        async with self._db.write() as conn:
            await conn.executemany(
                "UPDATE deliveries SET status = ?, attempts = ?, error = ?, finished_at = ? WHERE id = ?",
                batch,
            )

    async def existing(self, ids: Sequence[int]) -> set[int]:
        """Which of these rows still exist (merging a migrated group drops its copies of stories it shares)."""
        if not ids:
            return set()
        marks = ",".join("?" * len(ids))
        rows = await fetch_all(
            self._db.reader, f"SELECT id FROM deliveries WHERE id IN ({marks})", tuple(ids)
        )
        return {int(r["id"]) for r in rows}

    async def chat_of(self, delivery_id: int) -> int | None:
        """The chat this row belongs to now (a group's rows move to its supergroup); None when it is gone."""
        rows = await fetch_all(self._db.reader, "SELECT chat_id FROM deliveries WHERE id = ?", (delivery_id,))
        return int(rows[0]["chat_id"]) if rows else None

    async def park(
        self, delivery_id: int, not_before: float, attempts: int, error: str, behind: Sequence[int] = ()
    ) -> None:
        """Put a row that could not be sent (Telegram unreachable) back in the queue until ``not_before``, or until
        the chat's parked alert before it is tried again, if later: a story found late in an outage waits 30 s at
        first, and came before the chat's older one, parked for 5 minutes, once Telegram was back.

        ``behind``: the chat's claimed alerts after it, which go back to the queue as they were (a 429 park: they
        wait there for it, see claim_alerts)."""
        async with self._db.write() as conn:
            await conn.execute(
                "UPDATE deliveries SET status = 'pending' WHERE id IN (SELECT value FROM json_each(?))"
                " AND status = 'sending'",
                (json.dumps(sorted(behind)),),
            )
            await conn.execute(
                "UPDATE deliveries SET status = 'pending', attempts = ?2, error = ?3, not_before = max(?1, coalesce(("
                # The nearest parked one before it (on deliveries_pending_chat, one row): a chat's alerts are tried,
                # and parked, in id order, so it is about the last of them to be tried again.
                "  SELECT e.not_before FROM deliveries AS e WHERE e.chat_id = deliveries.chat_id"
                "  AND e.status = 'pending' AND e.kind = 'alert' AND e.id < deliveries.id AND e.error IS NOT NULL"
                "  ORDER BY e.id DESC LIMIT 1), 0))"
                " WHERE id = ?4 AND status = 'sending'",
                (not_before, attempts, error[:500], delivery_id),
            )

    async def hold(
        self,
        ids: Sequence[int],
        not_before: float,
        kind: DeliveryKind | None = None,
        *,
        status_from: str | None = None,
    ) -> None:
        """Put rows back to 'pending' until ``not_before`` (quiet hours), optionally as another kind.

        With ``status_from``, only rows in that status move (so rows already finished stay finished). A row made
        a digest row stays an alert if its chat is back on alerts by now (only digest chats get digests).
        """
        if not ids:
            return
        async with self._db.write() as conn:
            await conn.executemany(
                # error = NULL: an outage's park is over once the row is held (see _HELD_DUE); kept, a parked
                # alert held by quiet hours did not count toward the night's round-up.
                "UPDATE deliveries SET status = 'pending', not_before = ?1, error = NULL,"
                " kind = CASE WHEN ?2 = 'digest'"
                " AND NOT EXISTS (SELECT 1 FROM chats WHERE id = deliveries.chat_id AND mode = 'digest')"
                " THEN kind ELSE coalesce(?2, kind) END"
                " WHERE id = ?3 AND status = coalesce(?4, status)",
                [(not_before, kind, i, status_from) for i in ids],
            )

    async def fold_roundups(
        self,
        now: float,
        more_than: int,
        *,
        skip_chats: Collection[int] = (),
        late_before: float | None = None,
    ) -> list[int]:
        """Turn the due alerts quiet hours (or a catch-up) held for an instant chat into that chat's round-up (its
        digest rows), where more than ``more_than`` of them wait; returns those chats.

        Alerts parked by an outage or a 429 (see _HELD_DUE) stay alerts, unless more than ``more_than`` of the
        chat's alerts planned before ``late_before`` wait (see _OUTAGE_LATE): once one of its parks is over,
        those all join its round-up as a catch-up (what the outage held back, together, not one a second as each
        park ends). The round-up is sent as a digest (DeliveryService._send_roundup); ``skip_chats``: those whose
        round-up is on its way.
        """
        # On deliveries_queue: only the held and parked alerts now due are read. Run before every claim, so it is a
        # read first; the write (a transaction of its own) only when a chat's quiet hours or a park just ended.
        held = _HELD_DUE.format(t="e")
        chats = (
            "SELECT e.chat_id FROM deliveries AS e JOIN chats AS c ON c.id = e.chat_id"
            " WHERE e.status = 'pending' AND e.kind = 'alert' AND e.not_before > 0 AND e.not_before <= ?1"
            f" AND {_ROUNDUP_CHAT.format(t='c')} AND e.chat_id NOT IN (SELECT value FROM json_each(?3))"
            f" GROUP BY e.chat_id HAVING count(*) FILTER (WHERE {held}) > ?2"
            # A park ended (Telegram is asked again): counted on deliveries_pending_chat, bounded as a claim's.
            " OR (?4 IS NOT NULL AND count(*) FILTER (WHERE e.error IS NOT NULL) > 0"
            "  AND (SELECT count(*) FROM (SELECT 1 FROM deliveries AS f"
            f"   WHERE f.chat_id = e.chat_id AND {_OUTAGE_LATE.format(t='f')} LIMIT ?2 + 1)) > ?2)"
        )
        params = (now, more_than, json.dumps(sorted(skip_chats)), late_before)
        if not await fetch_all(self._db.reader, chats, params):
            return []
        async with self._db.write() as conn:
            rows = await fetch_all(
                conn,
                # By chat (INDEXED BY): the outage's rows are not all due, and walking every queued alert for them
                # cost 0.3 s at 200,000 rows. An alert the outage held back joins as a catch-up: a round-up of
                # only those is headed as one.
                "UPDATE deliveries INDEXED BY deliveries_pending_chat SET kind = 'digest', not_before = 0,"
                f" catchup = CASE WHEN {_OUTAGE_LATE.format(t='deliveries')} THEN 1 ELSE catchup END"
                f" WHERE status = 'pending' AND kind = 'alert' AND chat_id IN ({chats})"
                f" AND ({_HELD_DUE.format(t='deliveries')} OR {_OUTAGE_LATE.format(t='deliveries')})"
                " RETURNING chat_id",
                params,
            )
        return sorted({int(r[0]) for r in rows})

    async def join_roundups(self, ids: Collection[int], late_before: float) -> list[int]:
        """Claimed alerts (``ids``, waiting in the sender) of chats fold_roundups just folded join their round-up
        as its fold_roundups would have them, had they been pending: those planned before ``late_before`` that
        an outage or a 429 held back (see _OUTAGE_LATE). Returns the ids that joined."""
        async with self._db.write() as conn:
            rows = await fetch_all(
                conn,
                "UPDATE deliveries SET status = 'pending', kind = 'digest', not_before = 0, catchup = 1"
                " WHERE id IN (SELECT value FROM json_each(?1)) AND status = 'sending'"
                f" AND {_KEPT_BACK.format(t='deliveries', late='?2')}"
                " RETURNING id",
                (json.dumps(sorted(ids)), late_before),
            )
        return [int(r[0]) for r in rows]

    async def fold_late_claims(
        self, ids: Collection[int], late_before: float, more_than: int
    ) -> tuple[list[int], list[int]]:
        """Claimed alerts (``ids``, not yet in the sender's hands) planned before ``late_before`` join their chat's
        catch-up round-up, with the chat's other alerts kept back as long (see _OUTAGE_LATE), where more than
        ``more_than`` of them wait: a chat the sender never reached in an outage has no park to end, so
        fold_roundups never sees it. The other claimed alerts of those chats go back to the queue, to come after
        the catch-up. Returns (the ids of ``ids`` taken back, joined or queued again; the chats folded)."""
        late = _KEPT_BACK.format(t="deliveries", late="?2")
        claimed = "(SELECT value FROM json_each(?1))"
        params = (json.dumps(sorted(ids)), late_before, more_than)
        async with self._db.write() as conn:
            chats = [
                int(r[0])
                for r in await fetch_all(
                    conn,
                    f"SELECT c.id FROM chats AS c WHERE {_ROUNDUP_CHAT.format(t='c')}"
                    f" AND c.id IN (SELECT chat_id FROM deliveries WHERE id IN {claimed} AND {late})"
                    # Counted as a claim counts (bounded, on deliveries_pending_chat), the claimed rows apart.
                    " AND (SELECT count(*) FROM (SELECT 1 FROM deliveries AS f WHERE f.chat_id = c.id"
                    f"  AND f.status = 'pending' AND {_KEPT_BACK.format(t='f', late='?2')} LIMIT ?3 + 1))"
                    f" + (SELECT count(*) FROM deliveries WHERE id IN {claimed} AND chat_id = c.id AND {late}) > ?3",
                    params,
                )
            ]
            if not chats:
                return [], []
            folded = json.dumps(chats)
            await run(
                conn,
                "UPDATE deliveries INDEXED BY deliveries_pending_chat SET kind = 'digest', not_before = 0, catchup = 1"
                f" WHERE status = 'pending' AND chat_id IN (SELECT value FROM json_each(?4)) AND {late}",
                (*params, folded),
            )
            taken = await fetch_all(
                conn,
                "UPDATE deliveries SET status = 'pending',"
                f" catchup = CASE WHEN {late} THEN 1 ELSE catchup END,"
                f" not_before = CASE WHEN {late} THEN 0 ELSE not_before END,"
                f" kind = CASE WHEN {late} THEN 'digest' ELSE kind END"
                f" WHERE id IN {claimed} AND status = 'sending' AND chat_id IN (SELECT value FROM json_each(?4))"
                " RETURNING id",
                (*params, folded),
            )
        return [int(r[0]) for r in taken], chats

    async def unfold_roundups(
        self, not_before: float, chat_id: int | None = None, *, ids: Collection[int] = ()
    ) -> int:
        """A round-up not (wholly) sent: its unsent rows become held alerts again, due at ``not_before``, when
        fold_roundups makes them a round-up again if more than a few are left (all instant chats' without
        ``chat_id``: after a restart). ``ids``: the round-up's rows, to find the chat where they are now (a group
        that became a supergroup meanwhile took them to its new id). Returns how many."""
        async with self._db.write() as conn:
            return await run(
                conn,
                "UPDATE deliveries SET kind = 'alert', not_before = ?1, error = NULL"
                " WHERE status = 'pending' AND kind = 'digest'"
                " AND chat_id IN (SELECT id FROM chats WHERE mode = 'instant' AND (?2 IS NULL OR id = ?2"
                "  OR id IN (SELECT chat_id FROM deliveries WHERE id IN (SELECT value FROM json_each(?3)))))",
                (not_before, chat_id, json.dumps(sorted(ids))),
            )

    async def save_send_holds(self, holds: Mapping[int, tuple[float, float]], now: float) -> None:
        """Record Telegram's "retry after" by chat (0: the whole bot) as (not_before, retry_after); the later
        of an old and a new hold wins, and holds already over are forgotten."""
        async with self._db.write() as conn:
            await run(conn, "DELETE FROM send_holds WHERE not_before <= ?", (now,))
            if holds:
                await conn.executemany(
                    "INSERT INTO send_holds (chat_id, not_before, retry_after) VALUES (?, ?, ?)"
                    " ON CONFLICT (chat_id) DO UPDATE SET not_before = excluded.not_before,"
                    " retry_after = excluded.retry_after WHERE excluded.not_before > send_holds.not_before",
                    [(chat_id, nb, ra) for chat_id, (nb, ra) in holds.items()],
                )

    async def send_holds(self, now: float) -> dict[int, tuple[float, float]]:
        """Holds not over at ``now``: chat id (0: the whole bot) -> (not_before, retry_after)."""
        rows = await fetch_all(
            self._db.reader,
            "SELECT chat_id, not_before, retry_after FROM send_holds WHERE not_before > ?",
            (now,),
        )
        return {int(r[0]): (float(r[1]), float(r[2])) for r in rows}

    async def release_far_holds(self, now: float, slack: float) -> int:
        """Pending alerts held later than ``now`` + their chat's quiet window + ``slack`` become due; how many.

        No hold is set further ahead than that (quiet hours end within their window, parks are minutes): such a
        row was held while the clock ran ahead, and is due again so the sender holds it afresh if need be.
        """
        async with self._db.write() as conn:
            return await run(
                conn,
                "UPDATE deliveries SET not_before = 0"
                " WHERE status = 'pending' AND kind = 'alert' AND not_before > ?1 + ?2"
                f" AND not_before > ?1 + ?2 + coalesce((SELECT {_QUIET_WINDOW_SECONDS} FROM chats AS c"
                " WHERE c.id = deliveries.chat_id), 0)",
                (now, slack),
            )

    async def drop_chat(self, chat_id: int, reason: str, now: float) -> int:
        """Drop every unsent row of a chat (blocked, not found, paused); returns how many."""
        async with self._db.write() as conn:
            return await run(
                conn,
                "UPDATE deliveries SET status = 'dropped', error = ?, finished_at = ?"
                " WHERE chat_id = ? AND status IN ('pending', 'sending')",
                (reason, now, chat_id),
            )

    async def drop_paused_digest(self, chat_id: int, now: float) -> int:
        """Drop the stories waiting for a paused chat's digest (not those of a digest being sent); how many."""
        async with self._db.write() as conn:
            return await run(
                conn,
                "UPDATE deliveries SET status = 'dropped', error = 'chat paused', finished_at = ?1"
                " WHERE chat_id = ?2 AND kind = 'digest' AND status = 'pending'"
                # Resumed since the caller read the chat: the stories wait for the next digest.
                " AND EXISTS (SELECT 1 FROM chats WHERE id = ?2 AND paused = 1)",
                (now, chat_id),
            )

    async def chats_by_ids(self, chat_ids: Sequence[int]) -> list[Chat]:
        """The chats with these ids (missing ones are left out)."""
        found: list[Chat] = []
        for start in range(0, len(chat_ids), 500):
            chunk = list(chat_ids[start : start + 500])
            marks = ",".join("?" * len(chunk))
            rows = await fetch_all(self._db.reader, f"SELECT * FROM chats WHERE id IN ({marks})", chunk)
            found.extend(_chat_from_row(r) for r in rows)
        return found

    async def fix_digest_schedule(self, later_than: float | None = None) -> list[tuple[Chat, Any]]:
        """Active digest chats with no next digest time, or one after ``later_than`` (set while the clock was
        wrong): (chat, next_digest_at as stored, which may be text edited in by hand)."""
        rows = await fetch_all(
            self._db.reader,
            "SELECT * FROM chats WHERE mode = 'digest' AND active = 1"
            " AND (next_digest_at IS NULL OR next_digest_at > ?)",
            (float("inf") if later_than is None else later_than,),
        )
        # Read as every chat is, so the schedule is computed from the times and timezone the chat is shown.
        return [(_chat_from_row(r), r["next_digest_at"]) for r in rows]

    async def stats(self, since: float) -> dict[str, int]:
        """Queue depth now; sent, failed and dropped since ``since``, and apart from dropped, ``capped``: the
        stories digests named only by their per-topic cap."""
        # Each count on an index (deliveries_queue, deliveries_finished_status): only the queue and the
        # period's rows are read, never the months of history (0.8 s at 2.4 million rows); the capped count
        # reads the period's dropped rows only.
        rows = await fetch_all(
            self._db.reader,
            "SELECT 'queued' AS status, count(*) FROM deliveries WHERE status IN ('pending', 'sending')"
            # INDEXED BY: for GROUP BY status the planner would rather walk deliveries_queue, all of it.
            " UNION ALL SELECT status, count(*) FROM deliveries INDEXED BY deliveries_finished_status"
            " WHERE finished_at >= ?1 GROUP BY status"
            " UNION ALL SELECT 'capped', count(*) FROM deliveries INDEXED BY deliveries_finished_status"
            " WHERE finished_at >= ?1 AND status = 'dropped' AND error = ?2",
            (since, OVER_DIGEST_CAP),
        )
        found = {str(r[0]): int(r[1]) for r in rows}
        found["dropped"] = found.get("dropped", 0) - found.get("capped", 0)
        return {key: found.get(key, 0) for key in ("queued", "sent", "failed", "dropped", "capped")}

    async def parked_count(self) -> int:
        """Rows Telegram was unreachable for at their last try, waiting for their retry or on their way again."""
        rows = await fetch_all(
            self._db.reader,
            "SELECT count(*) FROM deliveries WHERE status IN ('pending', 'sending') AND error LIKE 'network:%'",
        )
        return int(rows[0][0])

    async def counts_by_status(self) -> dict[str, int]:
        """How many rows are in each status (tests and benchmarks; /stats reads ``stats``)."""
        rows = await fetch_all(self._db.reader, "SELECT status, count(*) FROM deliveries GROUP BY status")
        return {str(r[0]): int(r[1]) for r in rows}
