"""ChatRepo: registration, settings, deactivation, migration to a supergroup, deletion, digest schedule."""

from __future__ import annotations

import sys
from dataclasses import replace

import pytest

from bot.store import ChatDefaults, Database, DeliveryMode
from bot.store.deliveries import PlannedDelivery
from tests.store.samples import NOW, add_chat, make_article


async def _plan_delivery(db: Database, chat_id: int, story_id: int, status: str = "sent") -> None:
    async with db.write() as conn:
        await conn.execute(
            "INSERT INTO deliveries (chat_id, story_id, article_id, kind, status, planned_at)"
            " VALUES (?, ?, ?, 'alert', ?, ?)",
            (chat_id, story_id, story_id, status, NOW),
        )


async def _deliveries(db: Database) -> list[tuple[int, int, str]]:
    rows = await db.reader.execute_fetchall("SELECT chat_id, story_id, status FROM deliveries ORDER BY id")
    return [(r[0], r[1], r[2]) for r in rows]


async def test_register_creates_then_returns_the_existing_chat(db: Database) -> None:
    defaults = ChatDefaults(timezone="Europe/Berlin", summary_sentences=5)
    chat, created = await db.chats.register(-100, "group", "Readers", defaults, NOW)
    assert created
    assert (chat.id, chat.type, chat.title, chat.timezone, chat.summary_sentences) == (
        -100,
        "group",
        "Readers",
        "Europe/Berlin",
        5,
    )
    assert chat.is_group and chat.active and chat.mode == "instant" and chat.created_at == NOW

    again, created = await db.chats.register(-100, "group", "Readers renamed", ChatDefaults(), NOW + 5)
    assert not created
    assert again.title == "Readers renamed"
    assert again.timezone == "Europe/Berlin"  # defaults apply to new chats only
    assert again.created_at == NOW


async def test_register_reactivates_a_chat_that_blocked_us(db: Database) -> None:
    await add_chat(db, 1)
    await db.chats.deactivate(1, "Forbidden: bot was blocked by the user", NOW)
    gone = await db.chats.get(1)
    assert gone is not None and not gone.active
    assert gone.inactive_reason == "Forbidden: bot was blocked by the user"
    assert await db.chats.active() == []

    back, created = await db.chats.register(1, "private", None, ChatDefaults(), NOW + 60)
    assert not created
    assert back.active and back.inactive_reason is None
    assert [c.id for c in await db.chats.active()] == [1]


async def test_a_renamed_digest_chat_keeps_the_next_digest_it_has(db: Database) -> None:
    # Only a chat back from inactive gets its next digest from now: an active one's may be a digest's retry
    # after an outage, which a rename (or /start) must not push to the next scheduled time.
    chat, _ = await db.chats.register(-100, "group", "Readers", ChatDefaults(), NOW)
    await db.chats.save_settings(replace(chat, mode="digest", next_digest_at=NOW + 300), NOW)
    renamed, _ = await db.chats.register(
        -100, "group", "Readers renamed", ChatDefaults(), NOW + 5, lambda c: NOW + 86400
    )
    assert renamed.next_digest_at == NOW + 300
    stored = await db.chats.get(-100)
    assert stored is not None and stored.next_digest_at == NOW + 300


async def test_settings_round_trip(db: Database) -> None:
    chat, _ = await db.chats.register(7, "private", None, ChatDefaults(), NOW)
    wanted = replace(
        chat,
        mode="digest",
        digest_times=("18:30", "07:00", "18:30"),
        timezone="Asia/Tokyo",
        summary_sentences=2,
        quiet_start="22:00",
        quiet_end="07:00",
        paused=True,
        next_digest_at=NOW + 100,
    )
    saved = await db.chats.save_settings(wanted, NOW + 1)
    assert saved.digest_times == ("07:00", "18:30")  # sorted, no duplicates
    assert saved == await db.chats.get(7)
    assert (saved.mode, saved.timezone, saved.summary_sentences) == ("digest", "Asia/Tokyo", 2)
    assert (saved.quiet_start, saved.quiet_end, saved.paused, saved.next_digest_at) == (
        "22:00",
        "07:00",
        True,
        NOW + 100,
    )


async def test_settings_edited_by_hand_into_unusable_values_are_read_as_unset_and_logged_once(
    db: Database, caplog: pytest.LogCaptureFixture
) -> None:
    # Read as they were, they raised (text in a time column) or were taken for settings the delivery ignored.
    await add_chat(db, 5)
    async with db.write() as conn:
        await conn.execute(
            "UPDATE chats SET mode = 'digest', digest_times = '7:30,noon', timezone = 'Mars/Olympus',"
            " quiet_start = '99:99', quiet_end = '07:00', created_at = 'last spring',"
            " last_digest_at = 'yesterday', next_digest_at = 1e20, thread_id = 'news' WHERE id = 5"
        )
    for _ in range(3):
        chat = await db.chats.get(5)
        assert chat is not None
        assert (chat.digest_times, chat.timezone, chat.quiet_start, chat.quiet_end) == (
            ("07:30",),
            "UTC",
            None,
            None,
        )
        assert (chat.created_at, chat.last_digest_at, chat.next_digest_at, chat.thread_id) == (
            0.0,
            None,
            None,
            None,
        )
    warnings = sorted(r.getMessage() for r in caplog.records if "unusable" in r.getMessage())
    assert len(warnings) == 7  # each value once, however often the row is read
    assert "chat 5 has an unusable timezone 'Mars/Olympus' in the database: read as UTC" in warnings


async def test_digest_times_all_unusable_read_as_the_default_time_and_one_unusable_quiet_end_turns_both_off(
    db: Database, caplog: pytest.LogCaptureFixture
) -> None:
    # The digest tick sends such a chat's digests at the schema's 08:00: /settings must say that time, not none.
    await add_chat(db, 6)
    async with db.write() as conn:
        await conn.execute(
            "UPDATE chats SET mode = 'digest', digest_times = 'noon', quiet_start = '22:00', quiet_end = '7pm'"
            " WHERE id = 6"
        )
    chat = await db.chats.get(6)
    assert chat is not None
    assert (chat.digest_times, chat.quiet_start, chat.quiet_end) == (("08:00",), None, None)
    warnings = [r.getMessage() for r in caplog.records if "unusable" in r.getMessage()]
    assert "chat 6 has an unusable digest_times 'noon' in the database: read as 08:00" in warnings


async def test_chats_in_many_timezones_are_read_without_opening_zone_files_again(db: Database) -> None:
    # ZoneInfo keeps only its last 8 zones: with chats in more, every row read (each batch of alerts, each digest
    # tick) opened its zone's file again, on the event loop: 10,000 chats took 0.3-1 s to read rather than 0.04 s.
    zones = [
        *("Europe/Berlin", "America/New_York", "Asia/Tokyo", "Etc/GMT-2", "Australia/Sydney", "Europe/Kyiv"),
        *("Asia/Kolkata", "America/Sao_Paulo", "Africa/Lagos", "Pacific/Auckland", "Europe/London", "UTC"),
    ]
    for chat_id, zone in enumerate(zones, start=1):
        await add_chat(db, chat_id)
        async with db.write() as conn:
            await conn.execute("UPDATE chats SET timezone = ? WHERE id = ?", (zone, chat_id))
    opened: list[str] = []
    watching = False

    def record_open(event: str, args: tuple[object, ...]) -> None:
        if watching and event == "open":
            opened.append(str(args[0]))

    sys.addaudithook(record_open)  # hooks stay for the process: this one records only below
    await db.chats.active()
    watching = True
    try:
        assert [c.timezone for c in await db.chats.active()] == zones
    finally:
        watching = False
    assert opened == []


async def test_saving_settings_of_an_unknown_chat_is_an_error(db: Database) -> None:
    from bot.store import Chat

    with pytest.raises(LookupError, match="chat 404"):
        await db.chats.save_settings(Chat(id=404), NOW)


async def test_group_migration_keeps_subscriptions_and_delivery_history(db: Database) -> None:
    chat, _ = await db.chats.register(-1, "group", "Club", ChatDefaults(), NOW)
    await db.chats.save_settings(replace(chat, mode="digest", digest_times=("09:00",)), NOW)
    await db.subscriptions.add(-1, "topic", "science", NOW)
    await db.subscriptions.add(-1, "keyword", "electric cars", NOW)
    await _plan_delivery(db, -1, story_id=1)

    await db.chats.migrate(-1, -1001, NOW + 1)

    assert await db.chats.get(-1) is None
    moved = await db.chats.get(-1001)
    assert moved is not None
    assert (moved.type, moved.title, moved.mode, moved.digest_times) == (
        "supergroup",
        "Club",
        "digest",
        ("09:00",),
    )
    assert [s.value for s in await db.subscriptions.for_chat(-1001)] == ["science", "electric cars"]
    assert await _deliveries(db) == [(-1001, 1, "sent")]


async def test_group_migration_merges_into_an_existing_supergroup(db: Database) -> None:
    old, _ = await db.chats.register(-1, "group", "Club", ChatDefaults(), NOW)
    await db.chats.save_settings(replace(old, summary_sentences=6), NOW)
    await db.subscriptions.add(-1, "topic", "science", NOW)
    await db.subscriptions.add(-1, "keyword", "fusion", NOW)
    await _plan_delivery(db, -1, story_id=1)
    await _plan_delivery(db, -1, story_id=2)
    # The supergroup spoke first (a race): it is registered with defaults and one subscription.
    await db.chats.register(-1001, "supergroup", "Club", ChatDefaults(), NOW + 1)
    await db.subscriptions.add(-1001, "topic", "science", NOW + 1)
    await db.subscriptions.add(-1001, "topic", "health", NOW + 1)
    await _plan_delivery(db, -1001, story_id=2, status="pending")

    await db.chats.migrate(-1, -1001, NOW + 2)

    assert await db.chats.get(-1) is None
    merged = await db.chats.get(-1001)
    assert merged is not None and merged.summary_sentences == 6 and merged.active
    assert [(s.kind, s.value) for s in await db.subscriptions.for_chat(-1001)] == [
        ("topic", "health"),
        ("topic", "science"),
        ("keyword", "fusion"),
    ]
    # Each story still reaches the chat at most once: the supergroup's waiting copy of story 2 is dropped, as the
    # group was sent it (kept, it was sent again where the members read the group's history).
    assert sorted(await _deliveries(db)) == [(-1001, 1, "sent"), (-1001, 2, "sent")]


async def test_a_merge_keeps_the_supergroups_waiting_copy_only_of_stories_the_group_did_not_get(
    db: Database,
) -> None:
    await db.chats.register(-1, "group", "Club", ChatDefaults(), NOW)
    await db.chats.register(-1001, "supergroup", "Club", ChatDefaults(), NOW + 1)
    # The group's copies: on its way (story 1), failed (2), waiting (3); the supergroup's all wait.
    for story_id, status in ((1, "sending"), (2, "failed"), (3, "pending")):
        await _plan_delivery(db, -1, story_id=story_id, status=status)
        await _plan_delivery(db, -1001, story_id=story_id, status="pending")

    await db.chats.migrate(-1, -1001, NOW + 2)

    assert sorted(await _deliveries(db)) == [
        (-1001, 1, "sending"),
        (-1001, 2, "pending"),
        (-1001, 3, "pending"),
    ]


async def test_an_inactive_groups_digest_merged_into_its_supergroup_comes_at_its_next_time(
    db: Database,
) -> None:
    old, _ = await db.chats.register(-1, "group", "Club", ChatDefaults(), NOW)
    await db.chats.save_settings(
        replace(old, mode="digest", digest_times=("09:00",), next_digest_at=NOW + 60), NOW
    )
    await db.chats.deactivate(-1, "Forbidden: bot was kicked from the group chat", NOW)
    month = NOW + 30 * 86_400
    # A month on, the bot is added back after the group became a supergroup; the supergroup spoke first.
    await db.chats.register(-1001, "supergroup", "Club", ChatDefaults(), month)

    await db.chats.migrate(-1, -1001, month + 1, lambda chat: month + 3_600)

    merged = await db.chats.get(-1001)
    assert merged is not None and merged.active and merged.mode == "digest"
    # Not the month-old time, which would have sent a digest at once.
    assert merged.next_digest_at == month + 3_600


async def test_an_active_groups_due_digest_merged_into_its_supergroup_keeps_its_time(db: Database) -> None:
    # Only an inactive group's stale time is replaced: an active group's digest, due and not yet sent, still goes.
    old, _ = await db.chats.register(-1, "group", "Club", ChatDefaults(), NOW)
    await db.chats.save_settings(
        replace(old, mode="digest", digest_times=("09:00",), next_digest_at=NOW - 60), NOW
    )
    await db.chats.register(-1001, "supergroup", "Club", ChatDefaults(), NOW + 1)

    await db.chats.migrate(-1, -1001, NOW + 2, lambda chat: NOW + 86_400)

    merged = await db.chats.get(-1001)
    assert merged is not None and merged.next_digest_at == NOW - 60


async def test_migrating_an_unknown_chat_does_nothing(db: Database) -> None:
    await add_chat(db, -1001)
    await db.chats.migrate(-5, -1001, NOW)
    assert [c.id for c in await db.chats.active()] == [-1001]


async def test_delete_removes_the_chat_and_everything_of_it(db: Database) -> None:
    await add_chat(db, 1)
    await add_chat(db, 2)
    for chat_id in (1, 2):
        await db.subscriptions.add(chat_id, "topic", "sport", NOW)
        await _plan_delivery(db, chat_id, story_id=10)

    assert await db.chats.delete(1)
    assert not await db.chats.delete(1)
    assert await db.chats.get(1) is None
    assert await db.subscriptions.for_chat(1) == []
    assert await _deliveries(db) == [(2, 10, "sent")]
    assert len(await db.subscriptions.for_chat(2)) == 1


async def test_a_chat_gone_while_planning_does_not_cost_the_others_their_alerts(db: Database) -> None:
    # Planning reads the subscribers, matches for a while, then inserts. A /stop (or a group migrating to a
    # new id) in between used to fail the whole insert on the foreign key: no chat got that poll's alerts.
    for chat_id in (1, 2, 3):
        await add_chat(db, chat_id)
    planned = [PlannedDelivery(chat_id, 10, 10, "alert", "sport", 1.0, 0.0) for chat_id in (1, 2, 3)]
    assert await db.chats.delete(2)
    await db.chats.migrate(3, -1003, NOW)

    assert await db.deliveries.plan(planned, NOW) == 1

    assert await _deliveries(db) == [(1, 10, "pending")]


async def test_due_digests_are_active_digest_chats_whose_time_has_come(db: Database) -> None:
    cases: list[tuple[int, DeliveryMode, float | None, bool]] = [
        (1, "digest", NOW - 10, True),  # due
        (2, "digest", NOW, True),  # due exactly now
        (3, "digest", NOW + 10, True),  # later
        (4, "digest", None, True),  # not scheduled
        (5, "instant", NOW - 10, True),  # not a digest chat
        (6, "digest", NOW - 20, False),  # blocked us
    ]
    for chat_id, mode, next_at, active in cases:
        chat, _ = await db.chats.register(chat_id, "private", None, ChatDefaults(), NOW)
        await db.chats.save_settings(replace(chat, mode=mode, next_digest_at=next_at), NOW)
        if not active:
            await db.chats.deactivate(chat_id, "blocked", NOW)
    assert [c.id for c in await db.chats.due_digests(NOW)] == [1, 2]

    await db.chats.set_digest_times(1, last_digest_at=NOW, next_digest_at=NOW + 86400)
    sent = await db.chats.get(1)
    assert sent is not None and (sent.last_digest_at, sent.next_digest_at) == (NOW, NOW + 86400)
    assert [c.id for c in await db.chats.due_digests(NOW)] == [2]
    assert [c.id for c in await db.chats.due_digests(NOW + 86400)] == [2, 3, 1]


async def test_count(db: Database) -> None:
    assert await db.chats.count() == {"total": 0, "active": 0, "instant": 0, "digest": 0, "paused": 0}
    for chat_id in range(1, 5):
        await add_chat(db, chat_id)
    chat = await db.chats.get(2)
    assert chat is not None
    await db.chats.save_settings(replace(chat, mode="digest", paused=True), NOW)
    await db.chats.deactivate(4, "chat not found", NOW)
    assert await db.chats.count() == {"total": 4, "active": 3, "instant": 2, "digest": 1, "paused": 1}


async def test_switching_from_digest_to_instant_sends_what_waited_for_the_digest(db: Database) -> None:
    # Digest rows of an instant chat were claimed by nobody (no digest is due, alerts skip them): stuck for ever.
    chat, _ = await db.chats.register(7, "private", None, ChatDefaults(), NOW)
    chat = await db.chats.save_settings(replace(chat, mode="digest", digest_times=("09:00",)), NOW)
    async with db.write() as conn:
        await conn.execute(
            "INSERT INTO deliveries (chat_id, story_id, article_id, kind, status, planned_at)"
            " VALUES (7, 1, 1, 'digest', 'pending', ?), (7, 2, 2, 'digest', 'sent', ?)",
            (NOW, NOW),
        )
    assert await db.deliveries.claim_alerts(NOW, 10) == []

    await db.chats.save_settings(replace(chat, mode="instant"), NOW + 1)

    claimed = await db.deliveries.claim_alerts(NOW + 1, 10)
    assert [(d.chat_id, d.story_id, d.kind) for d in claimed] == [(7, 1, "alert")]
    assert await _deliveries(db) == [(7, 1, "sending"), (7, 2, "sent")]


async def test_alerts_held_for_quiet_hours_are_released_when_the_settings_change(db: Database) -> None:
    chat, _ = await db.chats.register(8, "private", None, ChatDefaults(), NOW)
    chat = await db.chats.save_settings(replace(chat, quiet_start="22:00", quiet_end="07:00"), NOW)
    async with db.write() as conn:
        await conn.execute(
            "INSERT INTO deliveries (chat_id, story_id, article_id, kind, status, planned_at, not_before)"
            " VALUES (8, 1, 1, 'alert', 'pending', ?, ?)",
            (NOW, NOW + 8 * 3600),  # held until the old quiet hours end
        )
    assert await db.deliveries.claim_alerts(NOW + 1, 10) == []

    await db.chats.save_settings(replace(chat, quiet_start=None, quiet_end=None), NOW + 1)

    claimed = await db.deliveries.claim_alerts(NOW + 1, 10)
    assert [(d.chat_id, d.story_id) for d in claimed] == [(8, 1)]


async def test_quiet_hours_switched_off_while_a_poll_is_planned_do_not_hold_its_alerts(db: Database) -> None:
    """The plan read the chat's quiet hours; /settings quiet off came before its rows were written."""
    chat, _ = await db.chats.register(8, "private", None, ChatDefaults(), NOW)
    chat = await db.chats.save_settings(replace(chat, quiet_start="22:00", quiet_end="07:00"), NOW - 60)
    await db.subscriptions.add(8, "topic", "sport", NOW - 60)
    _, targets = await db.deliveries.planning_targets()
    assert targets[8].quiet_start == "22:00"  # what the plan will go by

    await db.chats.save_settings(replace(chat, quiet_start=None, quiet_end=None), NOW + 1)
    held_until = NOW + 8 * 3600  # the end of the quiet hours the plan read
    await db.deliveries.plan([PlannedDelivery(8, 1, 1, "alert", "sport", 1.0, held_until)], NOW)

    claimed = await db.deliveries.claim_alerts(NOW + 2, 10)
    assert [(d.chat_id, d.story_id) for d in claimed] == [(8, 1)]


async def test_alerts_planned_in_quiet_hours_nobody_changed_stay_held(db: Database) -> None:
    chat, _ = await db.chats.register(8, "private", None, ChatDefaults(), NOW - 120)
    await db.chats.save_settings(replace(chat, quiet_start="22:00", quiet_end="07:00"), NOW - 60)
    await db.deliveries.plan([PlannedDelivery(8, 1, 1, "alert", "sport", 1.0, NOW + 8 * 3600)], NOW)

    assert await db.deliveries.claim_alerts(NOW + 2, 10) == []
    assert [d.story_id for d in await db.deliveries.claim_alerts(NOW + 8 * 3600, 10)] == [1]


async def test_stop_keeps_no_delivery_rows_of_the_private_links_it_deletes(db: Database) -> None:
    # Chat 1 got story 1 from a feed; chat 2 then sent a link to another outlet's report of it (private, same
    # story). Pruning the feed's article moved chat 1's "sent once" record onto that report, the story's last
    # article. /stop in chat 2 deleted the report but not the rows pointing at it: no prune ever found them again,
    # and a story fanned out to thousands of chats left thousands of rows behind for good.
    await add_chat(db, 1)
    await add_chat(db, 2)
    feed, _ = await db.articles.add(
        make_article(1), content_hash="h1", story_signature=None, story_id=None, feed_id=None, now=NOW - 86400
    )
    assert feed.id is not None
    await _plan_delivery(db, 1, story_id=feed.id)
    linked, _ = await db.articles.add(
        make_article(2),
        content_hash="h2",
        story_signature=None,
        story_id=feed.id,
        feed_id=None,
        now=NOW,
        reader=2,
    )
    assert linked.id is not None
    assert await db.articles.prune(older_than=NOW - 3600, now=NOW) == 1
    rows = await db.reader.execute_fetchall("SELECT article_id FROM deliveries")
    assert [r[0] for r in rows] == [linked.id]

    assert await db.chats.delete(2)

    assert await db.articles.count() == 0
    assert list(await db.reader.execute_fetchall("SELECT * FROM deliveries")) == []
