"""The outbox queue at scale: claiming walks the pending rows in order and stops, whatever the backlog."""

from __future__ import annotations

from bot.store import ChatDefaults, Database
from bot.store.deliveries import OVER_DIGEST_CAP, RATE_LIMITED, PlannedDelivery
from tests.store.samples import NOW, make_article


async def _queue(db: Database, rows: list[tuple[int, int, float]]) -> None:
    async with db.write() as conn:
        await conn.executemany(
            "INSERT INTO deliveries (chat_id, story_id, article_id, kind, status, planned_at, not_before)"
            " VALUES (?, ?, ?, 'alert', 'pending', ?, ?)",
            [(chat, story, story, NOW, not_before) for chat, story, not_before in rows],
        )


async def test_claim_takes_the_oldest_due_rows_at_most_two_per_chat(db: Database) -> None:
    for chat_id in (1, 2, 3):
        await db.chats.register(chat_id, "private", None, ChatDefaults(), NOW)
    # Chat 1 has a backlog; chat 3's first rows are held by quiet hours (not due), its later one is due.
    await _queue(
        db,
        [(1, s, 0.0) for s in range(1, 6)]
        + [(3, 10, NOW + 3600), (3, 11, NOW + 3600), (2, 20, 0.0), (3, 12, 0.0), (2, 21, 0.0), (2, 22, 0.0)],
    )
    async with db.write() as conn:
        await conn.execute("ANALYZE")  # statistics once led the planner to sort the whole queue

    claimed = await db.deliveries.claim_alerts(NOW, 100)
    assert [(d.chat_id, d.story_id) for d in claimed] == [(1, 1), (1, 2), (2, 20), (3, 12), (2, 21)]
    claimed = await db.deliveries.claim_alerts(NOW, 2)
    assert [(d.chat_id, d.story_id) for d in claimed] == [(1, 3), (1, 4)]


async def test_an_alert_held_until_exactly_now_is_claimed_now(db: Database) -> None:
    # Quiet hours ending at 07:00 hold their alerts until 07:00 to the second: at 07:00 they are due, not a
    # sender tick later.
    await db.chats.register(1, "private", None, ChatDefaults(), NOW)
    await _queue(db, [(1, 1, NOW), (1, 2, NOW + 1)])
    claimed = await db.deliveries.claim_alerts(NOW, 10)
    assert [d.story_id for d in claimed] == [1]


async def test_a_digest_claims_only_digest_rows_and_leaves_held_alerts_queued(db: Database) -> None:
    # A chat that switched to instant alerts keeps its digest rows for /digest; alerts held by quiet hours
    # must still come as alerts in the morning, not vanish into a digest asked for at night.
    await db.chats.register(1, "private", None, ChatDefaults(), NOW)
    await _queue(db, [(1, 1, NOW + 3600)])
    async with db.write() as conn:
        await conn.execute(
            "INSERT INTO deliveries (chat_id, story_id, article_id, kind, status, planned_at, not_before)"
            " VALUES (1, 2, 2, 'digest', 'pending', ?, 0)",
            (NOW,),
        )
    assert [d.story_id for d in await db.deliveries.claim_digest(1)] == [2]
    assert [d.story_id for d in await db.deliveries.claim_alerts(NOW + 3600, 10)] == [1]


async def test_parking_an_alert_dropped_meanwhile_does_not_bring_it_back(db: Database) -> None:
    # The chat paused (its rows dropped) while its alert was in flight and Telegram unreachable: parking that
    # alert for a retry must not queue it again, or the paused chat gets it after the outage.
    await db.chats.register(1, "private", None, ChatDefaults(), NOW)
    await _queue(db, [(1, 1, 0.0)])
    [claimed] = await db.deliveries.claim_alerts(NOW, 10)
    await db.deliveries.drop_chat(1, "chat paused", NOW)
    await db.deliveries.park(claimed.id, NOW + 60, 1, "network: timed out")
    assert await db.deliveries.claim_alerts(NOW + 120, 10) == []
    assert await db.deliveries.counts_by_status() == {"dropped": 1}


async def test_a_chats_alerts_wait_for_its_alert_parked_after_a_storm_of_429s(db: Database) -> None:
    # Parked for 5 minutes, the chat's later alerts (the one claimed behind it, those queued, those planned
    # meanwhile, and after a restart) went out first: Telegram takes the chat's messages again long before.
    for chat_id in (1, 2):
        await db.chats.register(chat_id, "private", None, ChatDefaults(), NOW)
    await _queue(db, [(1, 1, 0.0), (1, 2, 0.0), (1, 3, 0.0), (2, 20, 0.0)])
    first, second = await db.deliveries.claim_alerts(NOW, 2)
    await db.deliveries.park(first.id, NOW + 300, 0, RATE_LIMITED, behind=[second.id])
    await _queue(db, [(1, 4, 0.0)])
    claimed = await db.deliveries.claim_alerts(NOW + 60, 10)
    assert [(d.chat_id, d.story_id) for d in claimed] == [(2, 20)]
    claimed = await db.deliveries.claim_alerts(NOW + 300, 10)
    assert [d.story_id for d in claimed] == [1, 2]
    # A park of Telegram being unreachable keeps nothing back: its later alerts are parked in turn if it still is.
    await db.deliveries.park(claimed[0].id, NOW + 600, 5, "network: timed out", behind=[claimed[1].id])
    assert [d.story_id for d in await db.deliveries.claim_alerts(NOW + 300, 10)] == [2, 3]


async def test_planning_an_article_takes_it_off_the_to_plan_list_in_the_same_write(db: Database) -> None:
    # Left on the list, every restart plans it again: a chat that subscribed since gets an old story as
    # news, and the article is never pruned.
    await db.chats.register(1, "private", None, ChatDefaults(), NOW)
    article, _ = await db.articles.add(
        make_article(1),
        content_hash="h1",
        story_signature=None,
        story_id=None,
        feed_id=None,
        now=NOW,
        alert=True,
    )
    assert article.id is not None and article.story_id is not None
    assert [a.id for a in await db.articles.alert_pending()] == [article.id]
    row = PlannedDelivery(1, article.story_id, article.id, "alert", "sport", 1.0, 0.0)
    assert await db.deliveries.plan([row], NOW, planned_articles=[article.id]) == 1
    assert await db.articles.alert_pending() == []


async def test_the_claim_reads_the_pending_rows_through_their_partial_index(db: Database) -> None:
    # Ranking every pending row per chat took 0.85 s a claim, inside the write lock, with 900,000 rows queued;
    # the partial indexes hold only queued rows and let the claim stop after ``limit`` rows.
    rows = await db.reader.execute_fetchall(
        "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND name LIKE 'deliveries_pending%'"
    )
    found = {str(r[0]): str(r[1]) for r in rows}
    assert set(found) == {"deliveries_pending", "deliveries_pending_chat"}
    assert all("WHERE status = 'pending'" in sql for sql in found.values())
    traced: list[str] = []
    async with db.write() as conn:
        await conn.set_trace_callback(traced.append)
    try:
        await db.deliveries.claim_alerts(NOW, 10)
    finally:
        async with db.write() as conn:
            await conn.set_trace_callback(None)
    [claim] = [sql for sql in traced if sql.startswith("UPDATE deliveries SET status = 'sending'")]
    assert "row_number()" not in claim
    plan = await db.reader.execute_fetchall("EXPLAIN QUERY PLAN " + claim.replace("RETURNING", "--"))
    details = " | ".join(str(r[3]) for r in plan)
    assert "INDEX deliveries_pending " in details + " " and "TEMP B-TREE" not in details, details


async def test_send_holds_keep_the_later_wait_and_forget_those_over(db: Database) -> None:
    await db.deliveries.save_send_holds({7: (NOW + 60, 60.0), 0: (NOW + 5, 5.0)}, NOW)
    # An earlier end does not shorten a hold; a later one extends it.
    await db.deliveries.save_send_holds({7: (NOW + 30, 30.0), 8: (NOW + 90, 90.0)}, NOW + 1)
    assert await db.deliveries.send_holds(NOW + 1) == {
        7: (NOW + 60, 60.0),
        8: (NOW + 90, 90.0),
        0: (NOW + 5, 5.0),
    }
    await db.deliveries.save_send_holds({}, NOW + 70)
    assert await db.deliveries.send_holds(NOW) == {8: (NOW + 90, 90.0)}


async def test_stats_count_the_queue_and_the_period_from_indexes_not_the_whole_history(db: Database) -> None:
    # /stats counted the last day over every delivery ever planned: 0.8 s with 2.4 million rows of history.
    await db.chats.register(1, "private", None, ChatDefaults(), NOW)
    async with db.write() as conn:
        await conn.executemany(
            "INSERT INTO deliveries (chat_id, story_id, article_id, kind, status, planned_at, finished_at)"
            " VALUES (1, ?, ?, 'alert', ?, ?, ?)",
            [
                (1, 1, "pending", NOW, None),
                (2, 2, "sending", NOW, None),
                (3, 3, "sent", NOW - 7200, NOW - 7200),
                (4, 4, "sent", NOW - 90000, NOW - 90000),  # before the period
                (5, 5, "failed", NOW - 60, NOW - 60),
                (6, 6, "dropped", NOW - 60, NOW - 60),
                (7, 7, "dropped", NOW - 60, NOW - 60),
                (8, 8, "dropped", NOW - 60, NOW - 60),
            ],
        )
        await conn.execute("UPDATE deliveries SET error = ? WHERE id = 8", (OVER_DIGEST_CAP,))
    traced: list[str] = []
    await db.reader.set_trace_callback(traced.append)
    try:
        stats = await db.deliveries.stats(NOW - 86400)
    finally:
        await db.reader.set_trace_callback(None)
    assert stats == {"queued": 2, "sent": 1, "failed": 1, "dropped": 2, "capped": 1}
    [count] = [sql for sql in traced if "FROM deliveries" in sql]
    plan = await db.reader.execute_fetchall("EXPLAIN QUERY PLAN " + count)
    details = " | ".join(str(r[3]) for r in plan)
    assert (
        "SCAN deliveries" not in details and "INDEX deliveries_finished_status (finished_at>?)" in details
    ), details
