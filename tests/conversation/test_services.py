"""ChatService, SubscriptionService, AdminService and ArticleService against a real SQLite file."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.clock import FakeClock
from bot.config import Settings
from bot.errors import UserError
from bot.services.admin import normal_feed_url
from bot.services.articles import LATEST_LIMIT, SEARCH_LIMIT, ArticleService
from bot.services.chats import ChatService
from bot.services.subscriptions import (
    MAX_SUBSCRIPTIONS,
    MAX_WORDS_PER_REQUEST,
    SubscriptionService,
    parse_words,
)
from bot.store import Database
from summaries.topics import TopicCatalogue
from tests.conftest import USER_CHAT
from tests.store.samples import NOW, make_article

CHAT = 7


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    database = await Database.open(tmp_path / "newsbot.sqlite3")
    try:
        yield database
    finally:
        await database.close()


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(  # type: ignore[call-arg]
        _env_file=None, db_path=tmp_path / "x.sqlite3", timezone="Europe/Berlin", summary_sentences=5
    )


@pytest.fixture
async def chats(db: Database, settings: Settings) -> ChatService:
    service = ChatService(db=db, settings=settings, clock=FakeClock())
    await service.register(CHAT, "private", "Ann")
    return service


@pytest.fixture
def subs(db: Database, chats: ChatService) -> SubscriptionService:
    return SubscriptionService(db=db, catalogue=TopicCatalogue.load(), clock=FakeClock())


# -- parsing words -------------------------------------------------------------------------------------------


def test_words_and_quoted_phrases_are_told_apart() -> None:
    words = parse_words('business, Tesla "electric cars" “self driving”  ')
    assert [(w.text, w.quoted) for w in words] == [
        ("business", False),
        ("Tesla", False),
        ("electric cars", True),
        ("self driving", True),
    ]


def test_words_joined_by_a_comma_without_a_space_are_two_words() -> None:
    assert [w.text for w in parse_words("business,tesla")] == ["business", "tesla"]


def test_phrases_in_the_quotes_each_keyboard_types_are_phrases() -> None:
    # German „…“, Swedish ”…”, single ‘…’ and '…' were no quotes: „Elektroauto“ followed "„elektroauto" and
    # ‘solid state’ followed "solid" and "state" apart. An apostrophe inside a word opens nothing.
    text = "„E-Auto“ ”elbil test” ‘solid state’ 'heat pump' «voiture électrique» 「東京 電力」 O’Brien's rock 'n' roll"
    assert [(w.text, w.quoted) for w in parse_words(text)] == [
        ("E-Auto", True),
        ("elbil test", True),
        ("solid state", True),
        ("heat pump", True),
        ("voiture électrique", True),
        ("東京 電力", True),
        ("O’Brien's", False),
        ("rock", False),
        ("n", True),
        ("roll", False),
    ]
    assert [w.text for w in parse_words("‘90s music, „Tesla")] == ["90s", "music", "Tesla"]


def test_an_unclosed_quote_still_makes_a_phrase() -> None:
    assert [w.text for w in parse_words('"battery recycling')] == ["battery recycling"]


# -- subscriptions -------------------------------------------------------------------------------------------


async def test_topics_by_alias_and_keywords_by_everything_else(subs: SubscriptionService) -> None:
    result = await subs.follow(CHAT, 'Autos busines tesla "Electric  Cars"')
    assert [t.id for t in result.topics] == ["automotive"]
    assert result.keywords == ["tesla", "electric cars"]
    assert [(w, t.id) for w, t in result.suggestions] == [("busines", "business")]
    followed = {(s.kind, s.value) for s in await subs.for_chat(CHAT)}
    assert followed == {("topic", "automotive"), ("keyword", "tesla"), ("keyword", "electric cars")}


async def test_topics_by_their_emoji_as_shown_on_the_keyboard(subs: SubscriptionService) -> None:
    # "⚽\ufe0f" is how some keyboards send the football; the catalogue stores it without the selector.
    result = await subs.follow(CHAT, "🚗 ⚽\ufe0f 🚗 Automotive")
    assert [t.id for t in result.topics] == ["automotive", "sport"] and not result.keywords
    assert not result.rejected
    dropped = await subs.unfollow(CHAT, "🚗")
    assert await subs.topic_ids(CHAT) == {"sport"}, dropped


async def test_a_keyword_is_one_keyword_however_its_accents_are_encoded(subs: SubscriptionService) -> None:
    await subs.follow(CHAT, "cafe\u0301")  # "e" + combining acute, as some keyboards send it
    again = await subs.follow(CHAT, "caf\u00e9")
    assert again.keywords_already == ["caf\u00e9"] and not again.keywords
    await subs.unfollow(CHAT, "CAF\u00c9")
    assert await subs.for_chat(CHAT) == []


async def test_following_twice_says_already(subs: SubscriptionService) -> None:
    await subs.follow(CHAT, "cars tesla")
    again = await subs.follow(CHAT, "automotive TESLA")
    assert not again.changed
    assert [t.id for t in again.topics_already] == ["automotive"]
    assert again.keywords_already == ["tesla"]


async def test_a_quoted_near_miss_is_taken_as_a_keyword(subs: SubscriptionService) -> None:
    result = await subs.follow(CHAT, '"busines"')
    assert result.keywords == ["busines"] and not result.suggestions


async def test_a_news_word_close_to_a_topic_name_is_followed_as_a_keyword(subs: SubscriptionService) -> None:
    # "/subscribe police" answered "did you mean Politics?" and followed nothing.
    result = await subs.follow(CHAT, "police spacex")
    assert result.keywords == ["police", "spacex"] and not result.suggestions


async def test_keyword_limits(subs: SubscriptionService) -> None:
    result = await subs.follow(CHAT, "x " + "a" * 51 + " ??? ok")
    reasons = dict(result.rejected)
    assert set(reasons) == {"x", "a" * 51, "???"}
    assert "50" in reasons["a" * 51]
    assert reasons["???"] == "it has no letters or digits"  # all punctuation: refused, not dropped unsaid
    assert result.keywords == ["ok"]


async def test_markup_typed_as_a_keyword_is_refused_quoted_as_typed(subs: SubscriptionService) -> None:
    result = await subs.follow(CHAT, '<b>tesla</b> "<i>electric\n  cars</i>"')
    why = "keywords are plain words, not markup: leave out < and >"
    assert result.rejected == [("<b>tesla</b>", why), ("<i>electric cars</i>", why)]
    assert await subs.for_chat(CHAT) == []


async def test_one_keyword_typed_twice_in_a_request_is_followed_and_listed_once(
    subs: SubscriptionService,
) -> None:
    result = await subs.follow(CHAT, "café cafe Tesla tesla")
    assert result.keywords == ["café", "tesla"] and not result.keywords_already
    assert [s.value for s in await subs.for_chat(CHAT)] == ["café", "tesla"]


async def test_subscription_count_is_capped(subs: SubscriptionService) -> None:
    for start in range(0, MAX_SUBSCRIPTIONS, 25):
        await subs.follow(CHAT, " ".join(f"zq{i}xk" for i in range(start, start + 25)))
    result = await subs.follow(CHAT, "business lastword")
    assert result.limit_reached == ["business", "lastword"]
    assert len(await subs.for_chat(CHAT)) == MAX_SUBSCRIPTIONS


async def test_unfollow_words_and_all(subs: SubscriptionService) -> None:
    await subs.follow(CHAT, 'business tesla "electric cars"')
    result = await subs.unfollow(CHAT, 'Business "Electric cars" sport')
    assert [t.id for t in result.topics] == ["business"]
    assert result.keywords == ["electric cars"]
    assert result.not_followed == ["sport"]
    everything = await subs.unfollow(CHAT, "all")
    assert everything.removed_all == 1
    assert await subs.for_chat(CHAT) == []


async def test_every_stored_spelling_of_a_keyword_goes_with_one_unsubscribe(
    db: Database, subs: SubscriptionService
) -> None:
    # Stored under older rules ("i̇stanbul", before "İ" lowered to a plain "i") next to today's spelling: /mysubs
    # lists both as "istanbul", and one "/unsubscribe İstanbul" must drop both, or it is still listed.
    await db.subscriptions.add(CHAT, "keyword", "i\u0307stanbul", NOW)
    await db.subscriptions.add(CHAT, "keyword", "istanbul", NOW)
    result = await subs.unfollow(CHAT, "İstanbul")
    assert result.keywords == ["istanbul"] and not result.not_followed
    assert await subs.for_chat(CHAT) == []


async def test_all_drops_everything_only_when_it_is_the_one_word(subs: SubscriptionService) -> None:
    # "all" among other words, or quoted, is a word like any other: the chat keeps what it did not name.
    await subs.follow(CHAT, 'business tesla "all"')
    result = await subs.unfollow(CHAT, "all business")
    assert result.removed_all is None and [t.id for t in result.topics] == ["business"]
    assert result.keywords == ["all"]
    assert [s.value for s in await subs.for_chat(CHAT)] == ["tesla"]
    await subs.follow(CHAT, '"all"')
    quoted = await subs.unfollow(CHAT, '"all"')
    assert quoted.removed_all is None and quoted.keywords == ["all"]
    assert [s.value for s in await subs.for_chat(CHAT)] == ["tesla"]


async def test_toggle_topic(subs: SubscriptionService) -> None:
    assert (await subs.toggle_topic(CHAT, "science")).on
    assert await subs.topic_ids(CHAT) == {"science"}
    assert not (await subs.toggle_topic(CHAT, "science")).on
    with pytest.raises(UserError):
        await subs.toggle_topic(CHAT, "no-such-topic")


async def test_a_topic_button_keeps_to_the_subscription_cap(subs: SubscriptionService) -> None:
    await subs.follow(CHAT, "science")
    for start in range(1, MAX_SUBSCRIPTIONS, 25):
        await subs.follow(
            CHAT, " ".join(f"zq{i}xk" for i in range(start, min(start + 25, MAX_SUBSCRIPTIONS)))
        )
    with pytest.raises(UserError, match="/unsubscribe"):
        await subs.toggle_topic(CHAT, "business")
    assert await subs.topic_ids(CHAT) == {"science"}
    # At the cap, a tap still turns a topic off.
    assert not (await subs.toggle_topic(CHAT, "science")).on
    assert len(await subs.for_chat(CHAT)) == MAX_SUBSCRIPTIONS - 1


async def test_unfollowing_a_typo_suggests_only_a_topic_the_chat_follows(subs: SubscriptionService) -> None:
    await subs.follow(CHAT, "business")
    result = await subs.unfollow(CHAT, "busines sciense")
    assert result.not_followed == ["busines", "sciense"]
    assert [(word, topic.id) for word, topic in result.suggestions] == [("busines", "business")]


async def test_a_topic_taking_the_last_free_place_leaves_none_for_a_keyword_after_it(
    subs: SubscriptionService,
) -> None:
    # A topic followed earlier in the same /subscribe counts towards the cap: the keyword after it is refused.
    await subs.follow(CHAT, " ".join(f"zq{i}xk" for i in range(25)))
    await subs.follow(CHAT, " ".join(f"zq{i}xk" for i in range(25, MAX_SUBSCRIPTIONS - 1)))
    result = await subs.follow(CHAT, "business lastword")
    assert [t.id for t in result.topics] == ["business"] and result.keywords == []
    assert result.limit_reached == ["lastword"]
    assert len(await subs.for_chat(CHAT)) == MAX_SUBSCRIPTIONS


async def test_subscribe_takes_thirty_words_at_once_and_refuses_thirty_one(subs: SubscriptionService) -> None:
    words = [f"zq{i}xk" for i in range(MAX_WORDS_PER_REQUEST + 1)]
    with pytest.raises(UserError, match=f"send at most {MAX_WORDS_PER_REQUEST} words per /subscribe"):
        await subs.follow(CHAT, " ".join(words))
    assert await subs.for_chat(CHAT) == []
    result = await subs.follow(CHAT, " ".join(words[:MAX_WORDS_PER_REQUEST]))
    assert len(result.keywords) == MAX_WORDS_PER_REQUEST == 30


async def test_empty_subscribe_explains(subs: SubscriptionService) -> None:
    with pytest.raises(UserError, match="/subscribe"):
        await subs.follow(CHAT, '  "" ,, ')


@pytest.mark.parametrize(
    ("written", "normal"),
    [
        ("HTTPS://Example.com:443/rss?utm_source=x", "https://example.com/rss"),
        # An IPv6 host holds colons of its own: only the port goes.
        ("https://[2001:db8::1]:443/rss", "https://[2001:db8::1]/rss"),
        # A tracking parameter written percent-encoded is one too; the others stay as written.
        ("http://feeds.test:80/a?utm%5Fsource=x&b=1", "http://feeds.test/a?b=1"),
    ],
)
def test_feed_addresses_are_compared_in_their_normal_spelling(written: str, normal: str) -> None:
    # /addfeed and /removefeed find a polled feed however its address was spelt.
    assert normal_feed_url(written) == normal


# -- chat settings -------------------------------------------------------------------------------------------


async def test_new_chats_get_the_configured_defaults(chats: ChatService) -> None:
    chat = await chats.get(CHAT)
    assert chat is not None and chat.timezone == "Europe/Berlin" and chat.mode == "instant"
    assert chat.summary_sentences == 5  # NEWSBOT_SUMMARY_SENTENCES


async def test_digest_times_switch_to_digest_and_schedule_the_next(chats: ChatService) -> None:
    chat, what = await chats.apply(CHAT, ["digest", "18:00,8:00"])
    assert what == "digest" and chat.mode == "digest" and chat.digest_times == ("08:00", "18:00")
    # FakeClock starts at 2026-01-01 00:00 UTC = 01:00 in Berlin: the next digest is 08:00 Berlin = 07:00 UTC.
    assert chat.next_digest_at == datetime(2026, 1, 1, 7, 0, tzinfo=UTC).timestamp()
    chat, _ = await chats.apply(CHAT, ["instant"])
    assert chat.mode == "instant" and chat.next_digest_at is None
    # "/settings digest" alone switches back to digests at the times already chosen.
    chat, _ = await chats.apply(CHAT, ["digest"])
    assert chat.mode == "digest" and chat.digest_times == ("08:00", "18:00")
    assert chat.next_digest_at == datetime(2026, 1, 1, 7, 0, tzinfo=UTC).timestamp()
    assert await chats.get(CHAT) == chat


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["timezone", "Mars/Olympus"], "timezone"),
        (["timezone", "../../etc/passwd"], "timezone"),
        (["digest", "25:99"], "25:99"),
        (["digest", "eight"], "HH:MM"),
        (["quiet", "22:00"], "START-END"),
        (["quiet", "22:00-22:00"], "different"),
        (["length", "11"], "1 to 10"),
        (["length", "0"], "1 to 10"),  # a summary of no sentences would be an empty message
        (["length", "4", "5"], "one number of sentences"),  # two numbers: neither is taken silently
        (["pause", "2h"], "until /settings resume"),  # a pause has no duration: not ignored either
        (["length", "many"], "not a number"),
        (["colour", "blue"], "don't know"),
    ],
)
async def test_bad_settings_say_what_is_wrong(chats: ChatService, args: list[str], says: str) -> None:
    with pytest.raises(UserError, match=says):
        await chats.apply(CHAT, args)
    chat = await chats.get(CHAT)
    assert chat is not None and chat.mode == "instant" and chat.timezone == "Europe/Berlin"


async def test_timezone_quiet_length_pause(chats: ChatService) -> None:
    # Setting names are case-insensitive, as phone keyboards capitalise the first word.
    chat, _ = await chats.apply(CHAT, ["Timezone", "america/new_york"])
    assert chat.timezone == "America/New_York"
    chat, _ = await chats.apply(CHAT, ["quiet", "22:00-07:00"])
    assert (chat.quiet_start, chat.quiet_end) == ("22:00", "07:00")
    chat, _ = await chats.apply(CHAT, ["quiet", "off"])
    assert chat.quiet_start is None
    chat, _ = await chats.apply(CHAT, ["length", "4"])
    assert chat.summary_sentences == 4
    chat, _ = await chats.apply(CHAT, ["pause"])
    assert chat.paused
    chat, _ = await chats.apply(CHAT, ["resume"])
    assert not chat.paused


async def test_stop_deletes_the_chat_and_its_subscriptions(
    chats: ChatService, subs: SubscriptionService
) -> None:
    await subs.follow(CHAT, "business tesla")
    assert await chats.stop(CHAT) is True
    assert await chats.get(CHAT) is None
    assert await subs.for_chat(CHAT) == []


async def test_migration_keeps_subscriptions(chats: ChatService, subs: SubscriptionService) -> None:
    await chats.register(-5, "group", "Team")
    await subs.follow(-5, "science")
    await chats.migrate(-5, -1005)
    assert await chats.get(-5) is None
    assert await subs.topic_ids(-1005) == {"science"}


async def test_a_kicked_groups_digest_merged_into_its_supergroup_comes_at_its_time_not_at_once(
    db: Database, settings: Settings
) -> None:
    # The group was kicked weeks ago, its next digest left at that time; the supergroup spoke first. Merged as it
    # was, the stale time sent a digest at once rather than at the group's 09:00.
    clock = FakeClock()
    chats = ChatService(db=db, settings=settings, clock=clock)
    await chats.register(-5, "group", "Team")
    await chats.set_digest_times(-5, ["09:00"])
    await db.chats.deactivate(-5, "Forbidden: bot was kicked from the group chat", clock.now())
    clock.advance(30 * 86_400 + 3_600)  # 31 Jan, 01:00 UTC: 02:00 in Berlin
    await chats.register(-1005, "supergroup", "Team")
    await chats.migrate(-5, -1005)
    merged = await chats.get(-1005)
    assert merged is not None and merged.mode == "digest"
    assert merged.next_digest_at == datetime(2026, 1, 31, 8, tzinfo=UTC).timestamp()  # 09:00 in Berlin


# -- reading articles ----------------------------------------------------------------------------------------


async def test_latest_names_near_misses_and_search_says_when_more_match(db: Database) -> None:
    articles = ArticleService(db=db, catalogue=TopicCatalogue.load())
    for n in range(SEARCH_LIMIT + 2):
        await db.articles.add(
            make_article(n, title=f"Harbour crane number {n}"),
            content_hash=f"hash-{n}",
            story_signature=None,
            story_id=None,
            feed_id=None,
            now=NOW,
        )
    with pytest.raises(UserError, match=r"“busines” is not a topic\. Did you mean 💼 Business\?"):
        await articles.latest("busines", chat_id=USER_CHAT)
    newest = await articles.latest(chat_id=USER_CHAT)
    assert newest.topic is None and len(newest.articles) == LATEST_LIMIT
    found = await articles.search("crane", chat_id=USER_CHAT)
    assert len(found.articles) == SEARCH_LIMIT and found.more
    assert not (await articles.search("crane 3", chat_id=USER_CHAT)).more
