"""A short soak: days of simulated news through the real application, nothing lost or repeated, storage flat."""

from __future__ import annotations

from pathlib import Path

from benchmarks.soak import START, TOPICS, WORDS, SoakChat, _kinds, run
from summaries.topics import default_catalogue


async def test_soak_delivers_each_story_once_and_storage_stops_growing(tmp_path: Path) -> None:
    figures = await run(
        days=3,
        chats=12,
        retention_days=1,
        every_429=40,
        seed=7,
        workdir=tmp_path,
        trace=False,
        new_users_per_day=1,
        blocks_per_day=1,
        feed_items=8,
        step_seconds=3600.0,
        # The science feed answers 503 from hour 14 to 18: the backoff reads it again at hour 22, when 6 of its
        # 8 listed items are more than two feed intervals old (late: a catch-up), 2 fresh (alerts).
        outage=(14, 4),
        unfollows_per_day=1,  # a chat following two topics drops one at midday
        # sendMessage answers 502 from hour 35 to 41, day 1's midday /unsubscribe and new user inside it: back at
        # hour 42, what was held back from before hour 40 comes as a catch-up to chats with more than 5 such.
        telegram_outage=(35, 6),
    )
    summary = figures.summary
    assert summary["stories_delivered"] > 200
    assert summary["429s_answered"] > 0
    assert summary["duplicates"] == 0
    assert summary["lost"] == 0
    # What a chat unfollowed never reaches it afterwards, not even what was queued for it.
    assert summary["unfollowed_topics"] > 0
    assert summary["stories_after_unfollow"] == 0
    # Quiet hours hold alerts: a night's held stories come once each, in its round-up, and no alert inside them.
    assert summary["held_stories_received_in_roundups"] > 0
    assert summary["stories_in_wrong_kind_of_message"] == 0
    assert summary["alerts_inside_quiet_hours"] == 0
    # The outage's late stories came in a catch-up round-up, once each; no fresh story came in one (wrong kind).
    assert summary["late_stories_due"] > 0
    assert summary["stories_received_in_catchups"] > 0
    # What the Telegram outage held back came once Telegram was back: a catch-up of the oldest, the rest alerts.
    came_as = summary["telegram_held_stories_came_as"]
    assert came_as["missing"] == 0
    assert came_as["catchup"] > 0 and came_as["alert"] > 0
    assert summary["telegram_late_stories_due"] > 0
    assert summary["messages_over_100_entities"] == 0
    assert summary["stuck_in_outbox"] == 0
    assert summary["steps_not_settled"] == 0
    # Retention (1 day) prunes daily from day 2 on: a day's worth of articles stays, not all of them.
    by_day = {row["day"]: row for row in figures.days}
    assert by_day[3]["articles"] <= by_day[2]["articles"] * 1.1
    assert by_day[3]["deliveries"] <= by_day[2]["deliveries"] * 1.1
    assert by_day[3]["db_used_mb"] <= by_day[2]["db_used_mb"] * 1.1


def test_soak_words_tag_no_topic() -> None:
    # The oracle takes an item's topic to be its feed's: a word a topic lexicon knows (the science lexicon's
    # "glacier*" matched "glaciermoss") tagged items of every feed science too, so science chats got them.
    catalogue = default_catalogue()
    tagged = [word for word in WORDS if catalogue.tag(f"{word.capitalize()} report", f"{word}.")]
    assert tagged == []


def test_soak_oracle_counts_in_a_catchup_the_stories_a_chat_missed_before_it_started() -> None:
    # The science feed was down from hour 30 to 38; a chat that started at hour 36 gets everything the bot
    # finds at hour 38 (new to the bot then), seven stories published from hour 30 in one catch-up. The oracle
    # counted only the one published after the chat started, expected it as an alert and reported the bot wrong.
    hour = 3600.0
    chat = SoakChat(5, ("science",), START + 36 * hour, "instant")
    history = [(key, "science", START + (30 + key) * hour + 1) for key in range(7)]
    read = {"science": [START + 29 * hour, START + 38 * hour], "business": [], "technology": [], "sport": []}
    received = {"5": [[key, 3, START + 38.5 * hour] for key in range(7)]}
    kinds = _kinds({5: chat}, history, read, received, 1800.0)
    assert kinds["stories_in_wrong_kind_of_message"] == 0
    assert kinds["stories_received_in_catchups"] == 7


def test_soak_oracle_counts_in_a_roundup_what_a_chat_unfollowed_after_it() -> None:
    # Four business and four science stories held by a night's quiet hours came in one round-up at 07:00; the
    # chat dropped science at midday. The oracle left the science stories out of that night and, counting four
    # held, expected the business ones as alerts: the bot reported wrong for a round-up it got right.
    hour = 3600.0
    chat = SoakChat(30, ("business",), START, "instant", quiet=("22:00", "07:00"))
    chat.unfollowed["science"] = START + 36 * hour
    history = [(n, ("business", "science")[n % 2], START + (23 + n // 2) * hour + 1) for n in range(8)]
    read = {
        topic: [START + h * hour for h in range(40)]
        for topic in ("business", "science", "technology", "sport")
    }
    received = {"30": [[key, 2, START + 31 * hour] for key in range(8)]}
    kinds = _kinds({30: chat}, history, read, received, 3600.0)
    assert kinds["stories_in_wrong_kind_of_message"] == 0
    assert kinds["held_stories_received_in_roundups"] == 8


def test_soak_oracle_expects_what_telegram_held_in_the_round_up_when_it_is_back_inside_quiet_hours() -> None:
    # sendMessage answered 502 from 10:00 to 22:00 UTC; Telegram was back at 22:30, inside the chat's quiet hours
    # (22:00-07:00), so the twelve stories it held back, fresh ones too, came in the round-up at 07:00. The
    # oracle expected the fresh one as an alert at 22:30 and reported the bot wrong for keeping quiet hours.
    hour = 3600.0
    chat = SoakChat(31, ("sport",), START, "instant", quiet=("22:00", "07:00"))
    history = [(key, "sport", START + (10 + key) * hour + 1) for key in range(12)]
    read = {topic: [START + n * hour / 2 for n in range(80)] for topic in TOPICS}
    telegram = (START + 10 * hour, START + 22 * hour)
    in_roundup = {"31": [[key, 2, START + 31 * hour] for key in range(12)]}
    kinds = _kinds({31: chat}, history, read, in_roundup, 1800.0, telegram)
    assert kinds["stories_in_wrong_kind_of_message"] == 0
    assert kinds["telegram_held_stories_came_as"] == {"alert": 0, "catchup": 0, "roundup": 12, "missing": 0}
    # Sent as alerts the moment Telegram was back, they would have woken the chat: that the oracle reports.
    as_alerts = {"31": [[key, 0, START + 22.5 * hour] for key in range(12)]}
    assert _kinds({31: chat}, history, read, as_alerts, 1800.0, telegram)["alerts_inside_quiet_hours"] == 12
