"""Private-chat commands as a user meets them: /start, /help, /topics, subscriptions, /latest, /settings."""

from __future__ import annotations

import json
import random
import re
import zoneinfo
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from importlib.resources import files
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from telegram import Bot

from bot import timezones
from bot.clock import FakeClock
from bot.context import BotApplication
from bot.emulator import BotApiEmulator
from summaries.articles import Article
from tests.conftest import ADMIN_ID, TOKEN, USER_CHAT, MakeBot, make_settings, services_of
from tests.conversation.helpers import digest_of_samples, press, press_forged, say, store_news, store_samples
from tests.support.files import another_program


async def test_start_greets_and_shows_the_topic_keyboard(
    emulator: BotApiEmulator, running_bot: BotApplication
) -> None:
    reply = await say(emulator, "/start")
    assert "Hello" in reply.text and "/help" in reply.text
    labels = [label for label, _ in reply.buttons]
    assert "🚗 Automotive" in labels and "💼 Business" in labels
    assert {
        "start",
        "help",
        "topics",
        "subscribe",
        "unsubscribe",
        "mysubs",
        "latest",
        "summary",
        "search",
        "digest",
        "settings",
        "stop",
    } <= {name for name, _ in emulator.commands}


async def test_start_after_another_command_is_no_welcome_back_until_the_chat_follows_something(
    emulator: BotApiEmulator, running_bot: BotApplication
) -> None:
    # A newcomer who typed /mysubs first (which registers the chat) was greeted "Welcome back." at their
    # first /start, as if they had been here before.
    await say(emulator, "/mysubs")
    first = await say(emulator, "/start")
    assert "Hello" in first.text and "Welcome back" not in first.text
    await say(emulator, "/subscribe sport")
    again = await say(emulator, "/start")
    assert "Welcome back" in again.text


async def test_help_lists_the_commands(emulator: BotApiEmulator, running_bot: BotApplication) -> None:
    reply = await say(emulator, "/help")
    for command in ("/subscribe", "/unsubscribe", "/latest", "/summary", "/settings", "/stop"):
        assert command in reply.text
    assert "/stats" not in reply.text
    admin = await say(emulator, "/help", chat=ADMIN_ID)  # admins also see the admin commands
    for command in ("/subscribe", "/stats", "/feeds", "/addfeed", "/removefeed"):
        assert command in admin.text


async def test_topic_buttons_toggle_in_place(emulator: BotApiEmulator, running_bot: BotApplication) -> None:
    topics = await say(emulator, "/topics")
    toast = await press(emulator, topics, "t:automotive")
    assert toast == "Following 🚗 Automotive"
    edited = await emulator.next_message(USER_CHAT)
    assert edited.edited and edited.message_id == topics.message_id
    assert "✅ 🚗 Automotive" in [label for label, _ in edited.buttons]
    assert "💼 Business" in [label for label, _ in edited.buttons]
    assert "Automotive" in (await say(emulator, "/mysubs")).text
    toast = await press(emulator, edited, "t:automotive")
    assert toast == "Stopped following 🚗 Automotive"
    edited = await emulator.next_message(USER_CHAT)
    assert "🚗 Automotive" in [label for label, _ in edited.buttons]


async def test_subscribe_says_which_words_are_topics_and_which_keywords(
    emulator: BotApiEmulator, running_bot: BotApplication
) -> None:
    reply = await say(emulator, '/subscribe Autos busines tesla "electric cars"')
    assert "Topics: 🚗 Automotive" in reply.text
    assert "Keywords: “tesla”, “electric cars”" in reply.text
    assert "Did you mean 💼 Business?" in reply.text
    mysubs = await say(emulator, "/mysubs")
    assert "Topics: 🚗 Automotive" in mysubs.text and "“electric cars”" in mysubs.text
    assert "instant alerts" in mysubs.text
    assert "Business" not in mysubs.text  # a near miss is suggested, never guessed


async def test_arabic_and_hebrew_keywords_are_listed_each_in_its_own_quotes(
    emulator: BotApiEmulator, running_bot: BotApplication
) -> None:
    # Side by side, two right-to-left keywords and the quotes and comma between them were one right-to-left run:
    # a reader saw “بيروت“ ,”القاهرة”, the order reversed and the quotes crossed. Marks keep each apart.
    lrm = "\u200e"
    listed = f"“{lrm}القاهرة{lrm}”, “{lrm}بيروت{lrm}”, “{lrm}ירושלים{lrm}”"
    reply = await say(emulator, "/subscribe القاهرة بيروت ירושלים")
    assert f"Keywords: {listed}\n" in reply.text, reply.text
    mysubs = await say(emulator, "/mysubs")
    assert f"Keywords: “{lrm}ירושלים{lrm}”, “{lrm}القاهرة{lrm}”, “{lrm}بيروت{lrm}”\n" in mysubs.text, (
        mysubs.text
    )
    dropped = await say(emulator, "/unsubscribe القاهرة بيروت ירושלים")
    assert listed in dropped.text, dropped.text


async def test_subscribe_says_when_the_news_will_come_and_that_a_paused_chat_gets_none(
    emulator: BotApiEmulator, running_bot: BotApplication
) -> None:
    # Every /subscribe ended "New matching articles will reach you as set in /settings": a newcomer did not
    # learn whether an alert or a digest comes, nor when, and a paused chat was promised news it never got.
    first = await say(emulator, "/subscribe business")
    assert first.text.endswith(
        "\nYou'll get an alert for each new matching article. /latest shows the newest now; /mysubs all you follow."
    ), first.text
    await say(emulator, "/settings digest 08:00,18:00")
    digest = await say(emulator, "/subscribe tesla")
    assert "\nYou'll get a digest at 08:00, 18:00 (UTC). /latest shows" in digest.text, digest.text
    await say(emulator, "/settings pause")
    paused = await say(emulator, "/subscribe science")
    assert "\nYou'll get a digest at 08:00, 18:00 (UTC) once you resume (/settings resume)." in paused.text
    assert "as set in /settings" not in paused.text


async def test_subscribe_with_a_keyword_twice_follows_it_once_without_saying_already(
    emulator: BotApiEmulator, running_bot: BotApplication
) -> None:
    # "Tesla tesla" used to answer "Keywords: “tesla”" and, in the same reply, "Already following: “tesla”".
    reply = await say(emulator, '/subscribe Tesla tesla "TESLA" sport Sport')
    assert "Keywords: “tesla”" in reply.text and "Topics: ⚽ Sport" in reply.text
    assert "Already" not in reply.text, reply.text
    again = await say(emulator, "/subscribe tesla TESLA")
    assert again.text.count("“tesla”") == 1 and "Already following: “tesla”" in again.text


async def test_subscribe_with_words_joined_by_semicolons_follows_each(
    emulator: BotApiEmulator, running_bot: BotApplication
) -> None:
    # "/subscribe science;health" followed one keyword "science;health", which no article prints; a comma
    # already separated. A quoted phrase keeps its semicolon.
    reply = await say(emulator, '/subscribe science;health;tesla "a;b"')
    assert "Topics: 🔬 Science, 🩺 Health" in reply.text and "Keywords: “tesla”, “a;b”" in reply.text, (
        reply.text
    )
    assert "science;health" not in reply.text
    dropped = await say(emulator, "/unsubscribe health;tesla")
    assert "Health" in dropped.text and "tesla" in dropped.text, dropped.text
    subs = await services_of(running_bot).subscriptions.for_chat(USER_CHAT)
    assert {(s.kind, s.value) for s in subs} == {("topic", "science"), ("keyword", "a;b")}
    # Chinese, Japanese and Arabic keyboards type their own commas.
    other = await say(emulator, "/subscribe 电池，芯片、ロボット،نفط")
    assert "Keywords: “电池”, “芯片”, “ロボット”, “\u200eنفط\u200e”" in other.text, other.text


async def test_subscribe_all_is_no_keyword_that_matches_nearly_every_article(
    emulator: BotApiEmulator, running_bot: BotApplication
) -> None:
    # "/subscribe all" (the mirror of /unsubscribe all) followed the keyword "all": an alert for every article
    # with "all" in it, which is most of them, and nothing like every topic.
    reply = await say(emulator, "/subscribe all")
    assert "Not followed “all”" in reply.text and "/topics" in reply.text
    assert "Keywords: none" in (await say(emulator, "/mysubs")).text
    quoted = await say(emulator, '/subscribe "all" Everything')
    assert "Keywords: “all”" in quoted.text and "Not followed “Everything”" in quoted.text


async def test_subscribe_to_a_word_nearly_every_article_holds_is_refused_with_the_way_out(
    emulator: BotApiEmulator, running_bot: BotApplication
) -> None:
    # "/subscribe the" or "/subscribe US" followed a keyword that is in almost every article (the pronoun
    # "us"): an alert for nearly all the news. A phrase holding such a word is fine.
    reply = await say(emulator, '/subscribe the US "of the" tesla')
    assert "Keywords: “tesla”" in reply.text
    for word in ("the", "US", "of the"):
        assert f"Not followed “{word}”: nearly every article has it" in reply.text, word
    assert "in quotes" in reply.text
    phrase = await say(emulator, '/subscribe "us election"')
    assert "Keywords: “us election”" in phrase.text
    mysubs = await say(emulator, "/mysubs")
    assert "Keywords: “tesla”, “us election”" in mysubs.text


async def test_a_turkish_capital_i_keyword_is_shown_with_a_plain_i_and_still_dropped_as_shown(
    emulator: BotApiEmulator, running_bot: BotApplication
) -> None:
    # "İstanbul" lowered to "i" + a combining dot: the reply and /mysubs showed a doubly dotted "i̇stanbul".
    reply = await say(emulator, "/subscribe İzmir")
    assert "Keywords: “izmir”" in reply.text and "\u0307" not in reply.text
    db = services_of(running_bot).db
    await db.subscriptions.add(USER_CHAT, "keyword", "i\u0307stanbul", 0.0)  # as stored before the change
    dropped = await say(emulator, "/unsubscribe İstanbul izmir")
    assert "Stopped following keywords: “istanbul”, “izmir”" in dropped.text
    assert "Keywords: none" in (await say(emulator, "/mysubs")).text


async def test_subscribing_istanbul_again_is_already_followed_where_the_dotted_form_was_stored(
    emulator: BotApiEmulator, running_bot: BotApplication
) -> None:
    # A chat that followed "i̇stanbul" (stored so before "İ" lowered to a plain "i") and typed /subscribe İstanbul
    # again followed it twice: /mysubs listed "i̇stanbul" and "istanbul", two of its subscriptions spent.
    await say(emulator, "/start")
    db = services_of(running_bot).db
    await db.subscriptions.add(USER_CHAT, "keyword", "i\u0307stanbul", 0.0)  # as stored before the change
    again = await say(emulator, "/subscribe İstanbul")
    assert "Already following: “istanbul”" in again.text
    assert len(await db.subscriptions.for_chat(USER_CHAT)) == 1


async def test_a_dot_net_keyword_followed_before_the_dot_was_kept_is_dropped_by_unsubscribe_dot_net(
    emulator: BotApiEmulator, running_bot: BotApplication
) -> None:
    # "/subscribe .NET" stored "net" until the dot was kept: "/unsubscribe .NET", the words the chat subscribed
    # with, answered "You don't follow .NET" and every "net profit" kept coming.
    await say(emulator, "/start")
    db = services_of(running_bot).db
    await db.subscriptions.add(USER_CHAT, "keyword", "net", 0.0)  # as stored before the change
    dropped = await say(emulator, "/unsubscribe .NET")
    assert "Stopped following keywords: “.net”" in dropped.text
    assert "Keywords: none" in (await say(emulator, "/mysubs")).text
    # A chat that follows both keeps the one it did not name.
    await say(emulator, "/subscribe .NET net")
    await say(emulator, "/unsubscribe .NET")
    assert "Keywords: “net”" in (await say(emulator, "/mysubs")).text


async def test_subscribe_to_a_hashtag_cashtag_or_handle_follows_the_word_and_says_so(
    emulator: BotApiEmulator, running_bot: BotApplication
) -> None:
    # "/subscribe #tesla" followed the literal "#tesla", which articles almost never print: no alert ever came,
    # and the reply gave no hint. A keyword stored so before must still be the word ("/subscribe spacex" is it).
    reply = await say(emulator, "/subscribe #tesla $TSLA @elonmusk #business $5")
    assert "Topics: 💼 Business" in reply.text
    assert "Keywords: “tesla”, “tsla”, “elonmusk”, “$5”" in reply.text, reply.text
    assert "#tesla → “tesla”, $TSLA → “tsla”, @elonmusk → “elonmusk”: a #hashtag" in reply.text
    assert "Keywords: “$5”, “elonmusk”, “tesla”, “tsla”" in (await say(emulator, "/mysubs")).text
    db = services_of(running_bot).db
    await db.subscriptions.add(USER_CHAT, "keyword", "#spacex", 0.0)  # as stored before the change
    again = await say(emulator, "/subscribe spacex #tesla")
    assert "Already following: “spacex”, “tesla”" in again.text and "Keywords:" not in again.text
    dropped = await say(emulator, "/unsubscribe #spacex tesla")
    assert "Stopped following keywords: “spacex”, “tesla”" in dropped.text


async def test_a_keyword_typed_with_other_accents_is_the_keyword_already_followed(
    emulator: BotApiEmulator, running_bot: BotApplication
) -> None:
    # "sao paulo" matches what "São Paulo" matches, yet "/unsubscribe sao paulo" answered "You don't follow" while
    # the São Paulo alerts kept coming, and "/subscribe sao paulo" spent a second subscription on the same news.
    reply = await say(emulator, '/subscribe "São Paulo" café')
    assert "Keywords: “são paulo”, “café”" in reply.text
    again = await say(emulator, '/subscribe "sao paulo" Cafe')
    assert "Already following: “sao paulo”, “cafe”" in again.text and "Keywords:" not in again.text
    dropped = await say(emulator, '/unsubscribe "SAO PAULO" cafe')
    assert "Stopped following keywords: “sao paulo”, “cafe”" in dropped.text
    assert "don't follow" not in dropped.text
    assert "Keywords: none" in (await say(emulator, "/mysubs")).text


async def test_unsubscribe_drops_a_phrase_typed_without_quotes_or_with_the_other_apostrophe(
    emulator: BotApiEmulator, running_bot: BotApplication
) -> None:
    # "/unsubscribe electric cars" answered "You don't follow “electric”" and "“cars”" while /mysubs listed
    # “electric cars”; "/unsubscribe O'Brien" (a desktop's apostrophe) did not drop the O’Brien a phone typed.
    await say(emulator, '/subscribe "electric cars" O’Brien cars')
    dropped = await say(emulator, "/unsubscribe Electric  Cars")
    assert dropped.text == "🗑 Stopped following keywords: “electric cars”", dropped.text
    assert "Keywords: “o’brien”" in (await say(emulator, "/mysubs")).text
    again = await say(emulator, "/unsubscribe O'Brien")
    assert "Stopped following keywords: “o'brien”" in again.text, again.text
    mysubs = await say(emulator, "/mysubs")
    assert "Keywords: none" in mysubs.text and "Topics: 🚗 Automotive" in mysubs.text


async def test_unsubscribe_words_unknown_words_and_all(
    emulator: BotApiEmulator, running_bot: BotApplication
) -> None:
    await say(emulator, "/subscribe science tesla")
    reply = await say(emulator, "/unsubscribe Science spaceships")
    assert "Stopped following topics: 🔬 Science" in reply.text
    assert "You don't follow “spaceships”" in reply.text
    reply = await say(emulator, "/unsubscribe all")
    assert "Dropped your one subscription." in reply.text  # it read "Dropped all 1 subscriptions"
    await say(emulator, "/subscribe science tesla")
    assert "Dropped all 2 subscriptions." in (await say(emulator, "/unsubscribe all")).text
    assert "Topics: none" in (await say(emulator, "/mysubs")).text


async def test_latest_lists_articles_with_summary_buttons(
    emulator: BotApiEmulator, running_bot: BotApplication
) -> None:
    articles = await store_samples(running_bot)
    reply = await say(emulator, "/latest")
    newest = articles[0]
    assert newest.title in reply.text
    assert f"Newsbot Samples · 2 h ago · #{newest.id}" in reply.text
    assert f"sum:{newest.id}" in [data for _, data in reply.buttons]
    await press(emulator, reply, f"sum:{newest.id}")
    summary = await emulator.next_message(USER_CHAT)
    assert newest.title in summary.text and "Northwind" in summary.text
    sport = await say(emulator, "/latest sports")
    assert "Lakeside Rovers" in sport.text and "Northwind" not in sport.text
    assert "not a topic" in (await say(emulator, "/latest marsbars")).text


async def test_latest_names_a_topic_in_the_quotes_a_phone_types(
    emulator: BotApiEmulator, running_bot: BotApplication
) -> None:
    # "/latest “sport”" (a phone's keyboard curls quotes) answered "““sport”” is not a topic. Topics: ..., sport".
    await store_samples(running_bot)
    for typed in ("“sport”", "«sport»", "‘sports’"):
        reply = await say(emulator, f"/latest {typed}")
        assert reply.text.startswith("Latest in ⚽ Sport"), reply.text
        assert "Lakeside Rovers" in reply.text and "Northwind" not in reply.text


def _distinct_words(seed: int) -> str:
    """A few sentences of made-up words that no other seed shares much of."""
    rng = random.Random(seed)
    syllables = ["ka", "lo", "mi", "ne", "ru", "sa", "ti", "vo", "ze", "pu", "ga", "he"]
    words = ["".join(rng.choice(syllables) for _ in range(3)) for _ in range(24)]
    return " ".join(w + ("." if i % 8 == 7 else "") for i, w in enumerate(words))


async def test_latest_shows_the_eight_newest_and_search_the_ten_newest(
    emulator: BotApiEmulator, running_bot: BotApplication
) -> None:
    await _harbour_bulletins(running_bot, 12)
    reply = await say(emulator, "/latest")
    shown = [int(n) for n in re.findall(r"Harbour bulletin number (\d+)", reply.text)]
    assert shown == list(range(12, 4, -1))
    assert len(reply.buttons) == 9 and reply.buttons[-1][0] == "Older ›"  # a summary button each, and more
    found = await say(emulator, "/search harbour bulletin")
    assert [int(n) for n in re.findall(r"Harbour bulletin number (\d+)", found.text)] == list(
        range(12, 2, -1)
    )
    assert len(found.buttons) == 11 and found.buttons[-1][0] == "Older ›"  # a summary button each, and more


async def _harbour_bulletins(
    application: BotApplication, count: int, topics: tuple[str, ...] = ()
) -> list[int]:
    """``count`` distinct stories stored as a feed poll stores them, newest last, every two published the same
    second (so paging must break ties by id); returns their ids. Each is about something else, or the grouping
    of reports of one story would make them one."""
    services = services_of(application)
    start = datetime.fromtimestamp(services.clock.now(), UTC)
    stored = await services.ingest.ingest_articles(
        [
            Article(
                url=f"https://news.example/latest/{n}",
                title=f"Harbour bulletin number {n}",
                body=f"Bulletin {n} of the harbour office: " + _distinct_words(n),
                source="Harbour Office",
                published=start - timedelta(hours=count - n // 2),
                topics=topics,
            )
            for n in range(1, count + 1)
        ]
    )
    assert len(stored) == count and all(status == "added" for _, status in stored)
    return [article.id for article, _ in stored if article.id is not None]


async def _private_memo(running_bot: BotApplication, title: str, text: str, *, age: float) -> Article:
    """An article private to chat 77 (it sent the link), ``age`` seconds old."""
    services = services_of(running_bot)
    stored, _ = await services.db.articles.add(
        Article(
            url="https://memo.example/" + "-".join(title.lower().split()),
            title=title,
            source="Memo Desk",
            body=f"{text} " + _distinct_words(99),
            published=datetime.fromtimestamp(services.clock.now() - age, UTC),
        ),
        content_hash="memo",
        story_signature=None,
        story_id=None,
        feed_id=None,
        now=services.clock.now(),
        reader=77,
    )
    return stored


def _listed_ids(text: str) -> list[int]:
    return [int(n) for n in re.findall(r"· #(\d+)", text)]


async def test_latest_says_older_articles_exist_and_older_pages_through_all_of_them_in_place(
    emulator: BotApiEmulator, running_bot: BotApplication
) -> None:
    # /latest showed the 8 newest and never said there were more: the other articles could not be reached.
    ids = await _harbour_bulletins(running_bot, 20)
    first = await say(emulator, "/latest")
    assert "<b>Latest</b>: the 8 newest; older ones under Older ›" in first.html
    assert [label for label, _ in first.buttons][-1] == "Older ›"
    seen = _listed_ids(first.text)
    page = first
    for expected in ("9–16; older ones under Older ›", "17–20, the oldest I have"):
        assert await press(emulator, page, page.button_data("Older ›")) is None
        page = await emulator.next_message(USER_CHAT)
        assert page.edited and page.message_id == first.message_id
        assert expected in page.text, page.text
        seen += _listed_ids(page.text)
        # Each page keeps a summary button per article.
        assert {f"sum:{n}" for n in _listed_ids(page.text)} <= {data for _, data in page.buttons}
    assert "Older ›" not in [label for label, _ in page.buttons]
    assert seen == sorted(ids, reverse=True)  # every one, once, newest first
    await press(emulator, page, page.button_data("« Newest"))
    again = await emulator.next_message(USER_CHAT)
    assert again.message_id == first.message_id and _listed_ids(again.text) == _listed_ids(first.text)


async def test_a_page_turned_by_a_chat_telegram_had_refused_brings_its_alerts_back(
    emulator: BotApiEmulator, running_bot: BotApplication
) -> None:
    # A user who had blocked the bot (deactivated at the alert's 403) and unblocked it while Telegram's
    # my_chat_member update was lost taps "Older ›" on an old /latest: the page turned, yet the chat stayed
    # inactive and never got an alert again, while any command would have brought it back.
    services = services_of(running_bot)
    await say(emulator, "/subscribe business")
    await _harbour_bulletins(running_bot, 10)
    first = await say(emulator, "/latest")
    await services.chats.gone(USER_CHAT, "Forbidden: bot was blocked by the user")
    assert await press(emulator, first, first.button_data("Older ›")) is None
    assert "9–10, the oldest I have" in (await emulator.next_message(USER_CHAT)).text
    news = await store_news(running_bot, "b1", "Business one grows", "Business {k} one market grows revenue.")
    await services.delivery.plan_alerts(news, services.clock.now())
    alert = await emulator.next_message(USER_CHAT)
    assert alert.text.startswith("💼 Business one grows")


async def test_older_from_latest_topic_reaches_every_story_a_digest_named_only_by_its_more_line(
    tmp_path: Path, emulator: BotApiEmulator, make_bot: MakeBot
) -> None:
    # A digest over its per-topic cap ends the topic with "…and 10 more: /latest sport", but /latest sport
    # showed the 8 newest (some of them ones the digest had shown) and no way to the others.
    async with make_bot(settings=make_settings(tmp_path, emulator, digest_max_per_topic=2)) as app:
        await say(emulator, "/settings digest 08:00")
        await say(emulator, "/subscribe sport")
        ids = await _harbour_bulletins(app, 12, topics=("sport",))
        services = services_of(app)
        stored = [await services.db.articles.get(n) for n in ids]
        await services.delivery.plan_alerts([a for a in stored if a is not None], services.clock.now())
        digest = await say(emulator, "/digest")
        assert "…and 10 more: /latest sport" in digest.text
        named_by_more = set(ids) - set(_listed_ids(digest.text))
        assert len(named_by_more) == 10
        page = await say(emulator, "/latest sport")
        reached = _listed_ids(page.text)
        while "Older ›" in [label for label, _ in page.buttons]:
            await press(emulator, page, page.button_data("Older ›"))
            page = await emulator.next_message(USER_CHAT)
            reached += _listed_ids(page.text)
        assert named_by_more <= set(reached) and len(reached) == len(set(reached)) == 12


async def test_stale_forged_and_private_older_buttons_get_a_short_answer(
    emulator: BotApiEmulator, running_bot: BotApplication
) -> None:
    ids = await _harbour_bulletins(running_bot, 10)
    await say(emulator, "/start", chat=77)
    private = await _private_memo(running_bot, "Private memo", "Memo text.", age=10 * 86400)
    latest = await say(emulator, "/latest")
    for data in ("lat:x:8:", "lat:5:8:marsbars", "lat:1:2:3:4", "lat:"):
        assert (
            await press_forged(emulator, data, message_id=latest.message_id) == "This button no longer works."
        )
    assert await press_forged(emulator, "lat:999999:8:", message_id=latest.message_id) == (
        "No older articles now: send /latest again for the newest."
    )
    # A page turned after any article, even one private to another chat, lists only what this chat may see.
    await press_forged(emulator, f"lat:{ids[-1]}:1:", message_id=latest.message_id)
    page = await emulator.next_message(USER_CHAT)
    assert "Private memo" not in page.text and _listed_ids(page.text) == sorted(ids, reverse=True)[1:9]
    assert await press_forged(emulator, f"lat:{private.id}:8:", message_id=latest.message_id) == (
        "No older articles now: send /latest again for the newest."
    )
    other = await say(emulator, "/latest", chat=77)
    await press(emulator, other, other.button_data("Older ›"))
    assert "Private memo" in (await emulator.next_message(77)).text


async def test_a_search_over_200_characters_is_answered_with_the_limit(
    emulator: BotApiEmulator, running_bot: BotApplication
) -> None:
    reply = await say(emulator, "/search " + "harbour " * 30)
    assert reply.text == "⚠️ That is too long (239 characters); please send at most 200.", reply.text


async def test_search_finds_stored_articles(emulator: BotApiEmulator, running_bot: BotApplication) -> None:
    await store_samples(running_bot)
    reply = await say(emulator, "/search glacier sensors")
    assert "Solar-powered sensors" in reply.text and "1 article" in reply.text
    # Another form of each word, and a possessive, find it too.
    reply = await say(emulator, "/search glacier's sensor")
    assert "Solar-powered sensors" in reply.text and "1 article" in reply.text
    assert "Nothing found" in (await say(emulator, '/search "zebra" OR *')).text
    assert "What should I look for" in (await say(emulator, "/search")).text
    assert "What should I look for" in (await say(emulator, '/search "')).text
    assert "What should I look for" in (await say(emulator, "/search *** --")).text


async def test_search_finds_a_korean_word_with_its_particle_as_the_keyword_does(
    emulator: BotApiEmulator, running_bot: BotApplication
) -> None:
    # A chat following 서울 got the alert for "서울에서 ..." ("in Seoul"), but /search 서울, the command a digest
    # names for that keyword's stories over its cap, answered "Nothing found".
    await store_news(
        running_bot, "seoul", "서울에서 큰 축제가 열렸다", "서울에서 {k}번째 행사에 많은 사람들이 모였다."
    )
    await store_news(running_bot, "busan", "부산서울 노선 개통", "부산서울 {k}번 노선이 오늘 개통했다.")
    reply = await say(emulator, "/search 서울")
    assert "서울에서 큰 축제가 열렸다" in reply.text and "1 article" in reply.text
    assert "서울에서 큰 축제가 열렸다" in (await say(emulator, '/search "큰 축제"')).text


async def test_search_for_german_typed_without_umlauts_finds_them_and_joe_is_not_jo(
    emulator: BotApiEmulator, running_bot: BotApplication
) -> None:
    # /search koeln (a keyboard without umlaut keys) answered "Nothing found" with Köln's news stored, and
    # /search Köln missed the wire's "Koeln", though keyword subscriptions take both spellings.
    await store_news(
        running_bot, "koln", "Köln feiert den Karneval", "In Köln zogen {k} Wagen durch die Stadt."
    )
    await store_news(running_bot, "koeln", "Koeln marks carnival", "Crowds lined {k} streets in Koeln.")
    await store_news(running_bot, "jo", "Jo Baker opens a bakery", "Jo Baker sold {k} loaves by noon.")
    reply = await say(emulator, "/search koeln")
    assert "Köln feiert den Karneval" in reply.text and "Koeln marks carnival" in reply.text, reply.text
    assert "2 articles" in reply.text, reply.text
    reply = await say(emulator, "/search Köln")
    assert "Köln feiert den Karneval" in reply.text and "Koeln marks carnival" in reply.text, reply.text
    assert "Nothing found" in (await say(emulator, "/search joe")).text


async def test_search_for_a_phrase_typed_without_umlauts_finds_it_printed_in_mixed_case(
    emulator: BotApiEmulator, running_bot: BotApplication
) -> None:
    # A chat following "bayern muenchen", "fc koeln" or "baden-wuerttemberg" was alerted on "Bayern München",
    # "FC Köln" and "Baden-Württemberg", but the /search its digest names answered "Nothing found": the umlaut was
    # looked for in the whole phrase, in one case for all its words ("Bayern münchen", "Fc köln").
    await store_news(running_bot, "fcb", "Bayern München wins the cup", "Fans filled {k} squares.")
    await store_news(running_bot, "fck", "1. FC Köln signs a keeper", "The keeper played {k} games.")
    await store_news(running_bot, "bw", "Baden-Württemberg votes", "Polls closed in {k} towns.")
    await store_news(running_bot, "jo", "Jo Biden opens a bakery", "Jo Biden sold {k} loaves.")
    for words, title in (
        ('"bayern muenchen"', "Bayern München wins"),
        ('"fc koeln"', "1. FC Köln signs"),
        ("baden-wuerttemberg", "Baden-Württemberg votes"),
        ('"baden wuerttemberg"', "Baden-Württemberg votes"),
    ):
        reply = await say(emulator, f"/search {words}")
        assert title in reply.text and "1 article" in reply.text, (words, reply.text)
    # A phrase still finds the umlaut only where an article prints it.
    assert "Nothing found" in (await say(emulator, '/search "joe biden"')).text


async def test_search_for_a_word_with_a_polish_l_or_danish_o_finds_it_printed_plain(
    emulator: BotApiEmulator, running_bot: BotApplication
) -> None:
    # /search Ørsted missed the wires' "Orsted", which a chat following "ørsted" is alerted on: a digest names
    # that search for the keyword's stories over its cap.
    await store_news(running_bot, "dk", "Ørsted wins an auction", "Ørsted bid for {k} turbines.")
    await store_news(running_bot, "wire", "Orsted shares rise", "Orsted gained {k} percent.")
    await store_news(running_bot, "pl", "Lodz hosts a fair", "Lodz welcomed {k} exhibitors.")
    reply = await say(emulator, "/search Ørsted")
    assert "Ørsted wins an auction" in reply.text and "Orsted shares rise" in reply.text, reply.text
    assert "2 articles" in reply.text, reply.text
    reply = await say(emulator, "/search łódź")
    assert "Lodz hosts a fair" in reply.text and "1 article" in reply.text, reply.text


async def test_search_finds_a_soft_hyphenated_word_and_lodz_or_orsted_typed_plain_as_keywords_do(
    emulator: BotApiEmulator, running_bot: BotApplication
) -> None:
    # A chat following "bundesregierung", "lodz" or "orsted" was alerted on these, but the /search a digest names
    # for the keyword's stories over its cap answered "Nothing found": the index split the word at the soft
    # hyphen (word joiner, zero-width no-break space) and kept "ł" and "ø" apart from "l" and "o".
    await store_news(
        running_bot,
        "berlin",
        "Die Bundes\u00adregierung plant ein Gesetz",
        "Die Bundes\u2060regierung legte {k} Entwürfe vor.",
    )
    await store_news(running_bot, "pl", "Łódź hosts a fair", "Łódź welcomed {k} exhibitors.")
    await store_news(running_bot, "dk", "Ørsted wins an auction", "ØRSTED bid for {k} turbines.")
    await store_news(running_bot, "wire", "Orsted shares rise", "Orsted gained {k} percent.")
    for words in ("bundesregierung", "Bundesregierung gesetz", '"die bundesregierung plant"'):
        reply = await say(emulator, f"/search {words}")
        assert "Bundes\u00adregierung plant" in reply.text and "1 article" in reply.text, reply.text
    # The word's halves are no words of their own, as for keywords.
    assert "Nothing found" in (await say(emulator, "/search regierung")).text
    reply = await say(emulator, "/search lodz")
    assert "Łódź hosts a fair" in reply.text and "1 article" in reply.text, reply.text
    reply = await say(emulator, "/search łódź")
    assert "Łódź hosts a fair" in reply.text and "1 article" in reply.text, reply.text
    for words in ("orsted", "Ørsted", "ØRSTED"):
        reply = await say(emulator, f"/search {words}")
        assert "Ørsted wins an auction" in reply.text and "Orsted shares rise" in reply.text, reply.text
        assert "2 articles" in reply.text, reply.text


async def test_search_finds_a_word_printed_with_a_ligature_as_keywords_do(
    emulator: BotApiEmulator, running_bot: BotApplication
) -> None:
    # Text copied from a PDF or typeset by some sites prints "ﬁ", "ﬂ" and "ﬃ" as one character each: a chat
    # following "finance" was alerted on "ﬁnance", but the /search its digest names answered "Nothing found".
    await store_news(
        running_bot,
        "firms",
        "Small \ufb01rms lack \ufb01nance",
        "Banks cut \ufb02oor rates in {k} o\ufb03ces.",
    )
    for words in ("finance", "Firms", "floor offices", "\ufb01nance"):
        reply = await say(emulator, f"/search {words}")
        assert "Small \ufb01rms lack" in reply.text and "1 article" in reply.text, (words, reply.text)


async def test_search_finds_an_abbreviation_printed_with_full_stops_as_keywords_do(
    emulator: BotApiEmulator, running_bot: BotApplication
) -> None:
    # A chat following "us election" was alerted on "U.S. election" stories, but the `/search "us election"` its
    # digest names for the stories over its cap answered "Nothing found": the index holds "U.S." as "u" and "s".
    await store_news(
        running_bot, "vote", "U.S. election enters its last week", "Polls in {k} U.S. states tightened."
    )
    await store_news(running_bot, "un", "U.N. report on water", "The U.N. counted {k} dry rivers.")
    await store_news(running_bot, "usa", "Tell us about the election", "Readers sent {k} letters about it.")
    for words in ('"us election"', "us election", '"US election"', "US election", "U.S. election"):
        reply = await say(emulator, f"/search {words}")
        assert "U.S. election enters" in reply.text, (words, reply.text)
        # "US" typed in capitals is still not "tell us", nor is the phrase.
        assert ("Tell us" in reply.text) == (words == "us election"), (words, reply.text)
    for words in ("un", "UN", "u.n."):
        reply = await say(emulator, f"/search {words} water")
        assert "U.N. report" in reply.text and "1 article" in reply.text, (words, reply.text)


async def test_search_finds_an_abbreviation_with_full_stops_inside_a_hyphenated_word_as_keywords_do(
    emulator: BotApiEmulator, running_bot: BotApplication
) -> None:
    # A chat following "us-led" was alerted on "U.S.-led" stories, but the /search its digest names answered
    # "Nothing found": the abbreviation was looked for with its letters apart only in a word of its own.
    await store_news(
        running_bot, "strikes", "U.S.-led coalition widens strikes", "Jets flew {k} sorties from the carrier."
    )
    await store_news(running_bot, "talks", "Pro-E.U. parties gain seats", "Turnout rose in {k} regions.")
    for words in ("us-led", "US-led", '"us-led coalition"', "u.s.-led"):
        reply = await say(emulator, f"/search {words}")
        assert "U.S.-led coalition" in reply.text and "1 article" in reply.text, (words, reply.text)
    reply = await say(emulator, "/search pro-eu")
    assert "Pro-E.U. parties" in reply.text and "1 article" in reply.text, reply.text


async def test_search_finds_a_hindi_thai_or_bengali_word_as_a_whole_word(
    emulator: BotApiEmulator, running_bot: BotApplication
) -> None:
    # The index cut Hindi and Bengali words at every vowel sign: /search भारत (India) also listed the story about
    # Bharti ("भारती"), and /search ঢাকা (Dhaka) the one about a drum ("ঢাক").
    await store_news(running_bot, "india", "भारत का निर्यात बढ़ा", "भारत से निर्यात {k} महीने में बढ़ा।")
    await store_news(running_bot, "bharti", "भारती एयरटेल के नतीजे", "भारती एयरटेल ने {k} नतीजे जारी किए।")
    await store_news(running_bot, "dhaka", "ঢাকায় নতুন সেতু", "ঢাকা শহরে {k} নম্বর সেতু খুলেছে।")
    await store_news(running_bot, "drum", "মেলায় ঢাক বাজল", "গ্রামের মেলায় {k} বার ঢাক বাজল।")
    await store_news(running_bot, "bangkok", "ฝนตกหนักในกรุงเทพ", "ฝนตกหนักในกรุงเทพ วันที่ {k} ของเดือน")
    reply = await say(emulator, "/search भारत")
    assert "भारत का निर्यात बढ़ा" in reply.text and "1 article" in reply.text
    reply = await say(emulator, "/search ঢাকা")
    assert "ঢাকায় নতুন সেতু" in reply.text and "1 article" in reply.text
    reply = await say(emulator, "/search กรุงเทพ")
    assert "ฝนตกหนักในกรุงเทพ" in reply.text and "1 article" in reply.text


async def test_latest_and_search_show_a_story_from_two_sources_once(
    emulator: BotApiEmulator, running_bot: BotApplication
) -> None:
    # The same story from a second source used to be listed twice, one under the other, in /latest and /search.
    articles = await store_samples(running_bot)
    northwind = next(a for a in articles if "Northwind" in a.title)
    assert northwind.published is not None
    retold = replace(
        northwind,
        url="https://wire.example/northwind-battery",
        source="Harbour & Wire",
        title="Northwind Motors chooses Ellery Falls for battery plant",
        body=northwind.body + "\n\nShares in the carmaker rose slightly after the news.",
        published=northwind.published + timedelta(minutes=30),
        id=None,
        story_id=None,
        summary=(),
    )
    [(stored, status)] = await services_of(running_bot).ingest.ingest_articles([retold])
    assert status == "added" and stored.story_id == northwind.story_id
    for command in ("/latest", "/search battery plant"):
        reply = await say(emulator, command)
        # The newest telling is listed once, and the other source is named.
        assert "Northwind Motors picks" not in reply.text
        assert reply.text.count("Northwind Motors chooses Ellery Falls") == 1
        assert "Harbour & Wire" in reply.text
        assert "also: Newsbot Samples" in reply.text
        assert [data for _, data in reply.buttons].count(f"sum:{northwind.id}") == 0


async def test_search_with_more_results_than_shown_does_not_claim_that_is_all(
    emulator: BotApiEmulator, running_bot: BotApplication
) -> None:
    # Twelve articles match, ten are shown: the heading used to say "10 articles", as if that were all.
    articles = [
        Article(
            url=f"https://coast.example/{i}",
            title=f"Lighthouse keepers report {i}",
            body=_distinct_words(i) + " The lighthouse stayed lit.",
            source="Coast News",
            published=datetime.fromtimestamp(services_of(running_bot).clock.now() - 60 * i, UTC),
        )
        for i in range(12)
    ]
    results = await services_of(running_bot).ingest.ingest_articles(articles)
    assert [status for _, status in results] == ["added"] * 12
    reply = await say(emulator, "/search lighthouse")
    assert "the 10 newest" in reply.text.split("\n")[0]
    assert "Lighthouse keepers report 0" in reply.text and "report 11" not in reply.text
    few = await say(emulator, "/search lighthouse keepers report 3")
    assert "1 article, newest first" in few.text


async def test_search_older_pages_through_every_match_in_place_and_never_shows_anothers_private_article(
    emulator: BotApiEmulator, running_bot: BotApplication
) -> None:
    # A digest's "…and 12 more: /search harbour" led to the 10 newest matches and "there are more", with no way
    # to see the others.
    ids = await _harbour_bulletins(running_bot, 23)
    await say(emulator, "/start", chat=77)
    await _private_memo(
        running_bot, "Private harbour bulletin memo", "Memo about the harbour bulletin.", age=3 * 3600
    )
    first = await say(emulator, "/search  harbour   bulletin")
    assert "harbour bulletin: the 10 newest matches; older ones under Older ›" in first.text
    seen = _listed_ids(first.text)
    page = first
    for expected in ("11–20; older ones under Older ›", "21–23, the oldest matches"):
        assert await press(emulator, page, page.button_data("Older ›")) is None
        page = await emulator.next_message(USER_CHAT)
        assert page.edited and page.message_id == first.message_id
        assert expected in page.text, page.text
        assert {f"sum:{n}" for n in _listed_ids(page.text)} <= {data for _, data in page.buttons}
        seen += _listed_ids(page.text)
    assert "Older ›" not in [label for label, _ in page.buttons]
    assert seen == sorted(ids, reverse=True)  # every one, once, newest first; not the private memo
    await press(emulator, page, page.button_data("« Newest"))
    again = await emulator.next_message(USER_CHAT)
    assert again.message_id == first.message_id and _listed_ids(again.text) == _listed_ids(first.text)
    # The button carries the search itself, so nothing is lost when the bot restarts between taps; a tap past
    # the last match, or with no words, gets a short answer.
    assert await press_forged(emulator, f"sch:{ids[0]}:23:harbour bulletin", message_id=first.message_id) == (
        "No older matches now: send /search harbour bulletin again for the newest."
    )
    for data in ("sch:x:10:harbour", "sch:5:10:", "sch:5:10:***", "sch:"):
        assert (
            await press_forged(emulator, data, message_id=first.message_id) == "This button no longer works."
        )
    # The chat that asked for the memo finds it, and pages on from it.
    other = await say(emulator, "/search harbour bulletin", chat=77)
    await press(emulator, other, other.button_data("Older ›"))
    assert "Private harbour bulletin memo" in other.text + (await emulator.next_message(77)).text


async def test_a_search_whose_last_page_holds_one_article_says_match(
    emulator: BotApiEmulator, running_bot: BotApplication
) -> None:
    # The last page of 11 matches read "🔎 harbour: 11, the oldest matches", of one article.
    await _harbour_bulletins(running_bot, 11)
    first = await say(emulator, "/search harbour")
    assert await press(emulator, first, first.button_data("Older ›")) is None
    page = await emulator.next_message(USER_CHAT)
    assert page.text.splitlines()[0] == "🔎 harbour: 11, the oldest match", page.text


async def test_settings_by_arguments_and_buttons(
    emulator: BotApiEmulator, running_bot: BotApplication
) -> None:
    panel = await say(emulator, "/settings")
    assert "instant alerts" in panel.text and "UTC" in panel.text
    reply = await say(emulator, "/settings digest 08:00,18:00")
    assert "You'll get a digest at 08:00, 18:00 (UTC)" in reply.text
    chat = await services_of(running_bot).chats.get(USER_CHAT)
    assert chat is not None and chat.next_digest_at is not None
    assert "Europe/Berlin" in (await say(emulator, "/settings timezone europe/berlin")).text
    assert "22:00–07:00" in (await say(emulator, "/settings quiet 22:00-07:00")).text
    assert "4 sentences" in (await say(emulator, "/settings length 4")).text
    assert "“1_0” is not a number" in (await say(emulator, "/settings length 1_0")).text
    assert "Paused" in (await say(emulator, "/settings pause")).text
    assert "Resumed" in (await say(emulator, "/settings resume")).text
    bad = await say(emulator, "/settings timezone Mars/Olympus")
    assert "“Mars/Olympus” is not a timezone I know" in bad.text
    bad = await say(emulator, "/settings digest 25:99")
    assert "25:99" in bad.text and "00-23" in bad.text
    panel = await say(emulator, "/settings")
    toast = await press(emulator, panel, "set:mode:instant")
    assert toast == "You'll get an alert for each new matching article."
    edited = await emulator.next_message(USER_CHAT)
    assert edited.edited and "🔘 Instant alerts" in [label for label, _ in edited.buttons]
    chat = await services_of(running_bot).chats.get(USER_CHAT)
    assert chat is not None and chat.mode == "instant" and chat.timezone == "Europe/Berlin"


async def test_settings_resume_of_a_chat_not_paused_says_it_was_not(
    emulator: BotApiEmulator, running_bot: BotApplication
) -> None:
    # "/settings resume" of a chat never paused answered "Resumed: deliveries continue.", as if they had been
    # stopped; a second "/settings pause" said "Paused" again. A stale panel's button is the same case.
    await say(emulator, "/start")
    reply = await say(emulator, "/settings resume")
    assert reply.text.startswith("✅ Not paused: deliveries continue."), reply.text
    panel = await say(emulator, "/settings pause")
    assert panel.text.startswith("✅ Paused: nothing will be delivered until you resume"), panel.text
    again = await say(emulator, "/settings pause")
    assert again.text.startswith("✅ Already paused: nothing will be delivered until you resume"), again.text
    assert await press(emulator, panel, "set:resume") == "Resumed: deliveries continue."
    # The panel of the second pause still shows ▶️ Resume.
    assert await press(emulator, again, "set:resume") == "Not paused: deliveries continue."
    chat = await services_of(running_bot).chats.get(USER_CHAT)
    assert chat is not None and not chat.paused


async def test_settings_length_with_its_unit_sets_the_length(
    emulator: BotApiEmulator, running_bot: BotApplication
) -> None:
    # "/settings length 4 sentences" was answered "Say how many sentences a summary should have", which it had.
    reply = await say(emulator, "/settings length 4 sentences")
    assert reply.text.startswith("✅ Summaries will have 4 sentences."), reply.text
    assert (await say(emulator, "/settings length 1 Sentence")).text.startswith(
        "✅ Summaries will have 1 sentence."
    )
    chat = await services_of(running_bot).chats.get(USER_CHAT)
    assert chat is not None and chat.summary_sentences == 1
    # Two numbers are still neither taken, and the answer says so: it was "Say how many sentences", as if none
    # had been typed.
    two = await say(emulator, "/settings length 4 5")
    assert two.text == "⚠️ Give one number of sentences, not “4 5”; e.g. /settings length 4.", two.text
    assert "how many sentences" in (await say(emulator, "/settings length")).text
    chat = await services_of(running_bot).chats.get(USER_CHAT)
    assert chat is not None and chat.summary_sentences == 1


async def test_settings_that_take_no_value_refuse_one_instead_of_ignoring_it(
    emulator: BotApiEmulator, running_bot: BotApplication
) -> None:
    # "/settings pause 2h" paused until a resume, "/settings instant off" turned alerts on and "/settings pause
    # off" paused: the words after them were silently ignored.
    await say(emulator, "/settings digest 08:00")
    reply = await say(emulator, "/settings pause 2h")
    assert reply.text == (
        "⚠️ Send /settings pause alone, without “2h”; a pause lasts until /settings resume."
    ), reply.text
    off = await say(emulator, "/settings instant off")
    assert off.text.startswith("⚠️ Send /settings instant alone, without “off”"), off.text
    assert (
        await say(emulator, "/settings resume now")
    ).text == "⚠️ Send /settings resume alone, without “now”."
    chat = await services_of(running_bot).chats.get(USER_CHAT)
    assert chat is not None and not chat.paused and chat.mode == "digest"
    # Alone, they work as before.
    assert "Paused" in (await say(emulator, "/settings mute")).text
    assert "Resumed" in (await say(emulator, "/settings resume")).text
    assert "alert for each new matching article" in (await say(emulator, "/settings instant")).text


async def test_settings_digest_off_switches_to_alerts_and_keeps_the_times(
    emulator: BotApiEmulator, running_bot: BotApplication
) -> None:
    # "/settings digest off" was answered "“off” is not a time of day", leaving the digest on.
    await say(emulator, "/settings digest 07:30,19:00")
    reply = await say(emulator, "/settings digest off")
    assert "You'll get an alert for each new matching article." in reply.text
    chat = await services_of(running_bot).chats.get(USER_CHAT)
    assert chat is not None and chat.mode == "instant"
    # Digests come back at the times the chat had chosen.
    back = await say(emulator, "/settings digest")
    assert "You'll get a digest at 07:30, 19:00 (UTC)" in back.text


@pytest.mark.parametrize("stored", ["25:99", ""])
async def test_digest_times_edited_by_hand_into_nonsense_are_put_right_by_settings(
    emulator: BotApiEmulator, running_bot: BotApplication, stored: str
) -> None:
    # Digest times an operator edited into something unusable in the sqlite3 shell failed every /settings
    # change with "Sorry, something went wrong", the one that would put them right included.
    services = services_of(running_bot)
    await say(emulator, "/settings digest 08:00")
    await another_program(
        services.db.path, "UPDATE chats SET digest_times = ? WHERE id = ?", (stored, USER_CHAT)
    )
    reply = await say(emulator, "/settings digest 09:00")
    assert "You'll get a digest at 09:00 (UTC)" in reply.text
    chat = await services.chats.get(USER_CHAT)
    assert chat is not None and chat.digest_times == ("09:00",)
    assert chat.next_digest_at == services.clock.now() + 9 * 3_600  # the clock stands at midnight UTC


@pytest.mark.parametrize(
    ("column", "stored", "shown"),
    [
        # Quiet hours that are no times of day: off, as delivery took them (the reply crashed after the save).
        ("quiet_start", "99:99", "🔕 Quiet hours: off"),
        # A date written as text, and one past the calendar's end or before its start: the next digest is
        # unknown, then recomputed.
        ("next_digest_at", "2026-01-02 08:00", "⏰ Next digest: Thu 1 Jan, 09:00"),
        ("next_digest_at", 1e20, "⏰ Next digest: Thu 1 Jan, 09:00"),
        ("next_digest_at", -1e20, "⏰ Next digest: Thu 1 Jan, 09:00"),
        ("created_at", "yesterday", "⏰ Next digest: Thu 1 Jan, 09:00"),
        # Shown as the zone it was and promised at its times there, the digest came at 08:00 UTC.
        ("timezone", "Mars/Olympus", "You'll get a digest at 09:00 (UTC)"),
    ],
)
async def test_chat_settings_edited_by_hand_into_values_the_bot_cannot_use_are_read_as_unset(
    emulator: BotApiEmulator, running_bot: BotApplication, column: str, stored: object, shown: str
) -> None:
    # Each of these failed every /settings and /mysubs of the chat with "Sorry, something went wrong" (the
    # created_at one every command, and the alerts of other chats sent with it), or told what did not happen.
    services = services_of(running_bot)
    await say(emulator, "/settings digest 08:00")
    await say(emulator, "/settings quiet 22:00-07:00")
    await another_program(
        services.db.path, f"UPDATE chats SET {column} = ? WHERE id = ?", (stored, USER_CHAT)
    )
    assert "Your subscriptions" in (await say(emulator, "/mysubs")).text
    reply = await say(emulator, "/settings digest 09:00")
    assert "You'll get a digest at 09:00" in reply.text and shown in reply.text


async def test_a_timezone_this_machine_cannot_load_survives_a_change_of_other_settings(
    emulator: BotApiEmulator, running_bot: BotApplication, tmp_path: Path
) -> None:
    # A zone newer than this machine's tz database (America/Coyhaique came in 2025b) is read as UTC. Any other
    # change (/settings length 4) saved UTC over it: once the tz database was updated, the chat stayed on UTC.
    services = services_of(running_bot)
    await say(emulator, "/settings digest 08:00")
    async with services.db.write() as conn:
        await conn.execute("UPDATE chats SET timezone = 'Atlantis/Poseidonia' WHERE id = ?", (USER_CHAT,))
    assert "Summaries will have 4 sentences" in (await say(emulator, "/settings length 4")).text
    # The tz database gains the zone (a copy of Berlin's rules under the new name).
    tzdir = tmp_path / "zoneinfo"
    (tzdir / "Atlantis").mkdir(parents=True)
    (tzdir / "Atlantis" / "Poseidonia").write_bytes(
        files("tzdata.zoneinfo").joinpath("Europe/Berlin").read_bytes()
    )
    zoneinfo.reset_tzpath(to=[str(tzdir)])
    try:
        assert "Timezone: Atlantis/Poseidonia" in (await say(emulator, "/settings")).text
    finally:
        zoneinfo.reset_tzpath()
        ZoneInfo.clear_cache()
        timezones._loads.cache_clear()  # the zone loaded once: other tests know no such zone
    # Chosen, UTC is stored, though the zone it replaces reads as UTC too.
    await say(emulator, "/settings timezone UTC")
    async with services.db.write() as conn:
        stored = await (
            await conn.execute("SELECT timezone FROM chats WHERE id = ?", (USER_CHAT,))
        ).fetchone()
    assert stored is not None and stored[0] == "UTC"


async def test_the_digest_button_says_how_many_digests_a_day_it_turns_on(
    emulator: BotApiEmulator, running_bot: BotApplication
) -> None:
    # A chat with digests at 08:00 and 18:00 saw "Daily digest" on the button that turns both back on.
    panel = await say(emulator, "/settings")
    assert "Daily digest" in [label for label, _ in panel.buttons]  # the one default time
    await say(emulator, "/settings digest 08:00,18:00")
    await say(emulator, "/settings digest off")
    panel = await say(emulator, "/settings")
    assert [label for label, _ in panel.buttons][:2] == ["🔘 Instant alerts", "2 digests a day"]
    toast = await press(emulator, panel, panel.button_data("2 digests a day"))
    assert toast is not None and "08:00, 18:00" in toast
    edited = await emulator.next_message(USER_CHAT)
    assert "🔘 2 digests a day" in [label for label, _ in edited.buttons]


async def test_a_digest_time_in_quiet_hours_is_said_to_come_when_they_end(
    emulator: BotApiEmulator, running_bot: BotApplication
) -> None:
    # The reply promised "a digest at 06:00" while quiet hours held it to 07:00, so it seemed to come late.
    await say(emulator, "/settings quiet 22:00-07:00")
    one = await say(emulator, "/settings digest 06:00,18:00")
    assert (
        "You'll get a digest at 06:00, 18:00 (UTC). 06:00 falls in your quiet hours: that digest comes when"
        in (one.text)
    )
    assert "when they end at 07:00." in one.text
    two = await say(emulator, "/settings digest 23:00,06:30,12:00")
    assert (
        "06:30 and 23:00 fall in your quiet hours: they make one digest when they end at 07:00." in two.text
    )
    assert (
        "quiet hours" not in (await say(emulator, "/settings digest 07:00,21:59")).text.split("Settings")[0]
    )


async def test_digest_with_nothing_new(emulator: BotApiEmulator, running_bot: BotApplication) -> None:
    assert "don't follow anything" in (await say(emulator, "/digest")).text
    await say(emulator, "/subscribe business")
    instant = (await say(emulator, "/digest")).text
    assert instant.startswith("You get instant alerts, so nothing waits for a digest")
    await say(emulator, "/settings digest 08:00")
    # It said "Nothing new since your last digest." to a chat that never had one.
    assert (await say(emulator, "/digest")).text == (
        "Nothing you follow came in the last 24 hours, so there is no digest yet. Your first digest comes"
        " Thu 1 Jan, 08:00 (UTC) with what arrives until then. /latest shows the newest articles."
    )


async def test_a_first_digest_shows_the_matching_stories_of_the_last_day_once(
    emulator: BotApiEmulator, running_bot: BotApplication
) -> None:
    # A newcomer (as in the console) following topics whose articles came in hours before was answered
    # "Nothing new since your last digest.": only stories planned since it subscribed counted.
    await say(emulator, "/settings digest 08:00")
    await say(emulator, "/subscribe automotive business sport")
    await store_samples(running_bot)  # 2 h (automotive), 5 h (business) and 30 h (sport) old, among others
    digest = (await say(emulator, "/digest")).text
    assert digest.startswith("🗞 Your news digest — 2 stories")
    assert "Northwind Motors" in digest and "Harbor Coffee" in digest
    assert "Lakeside Rovers" not in digest  # over a day old
    assert "Solar-powered sensors" not in digest  # science: not followed
    assert (await say(emulator, "/digest")).text.startswith("Nothing new since your last digest.")
    # The scheduled digest does not bring them again.
    services = services_of(running_bot)
    assert await services.delivery.send_digest(USER_CHAT, services.clock.now()) == 0
    await emulator.wait_for_idle()
    assert sum("Northwind Motors" in m.text for m in emulator.messages(USER_CHAT)) == 1


async def test_digest_while_paused_says_the_chat_is_paused(
    emulator: BotApiEmulator, running_bot: BotApplication
) -> None:
    # Paused, /digest said "You get instant alerts ... matching articles come as they arrive" (none came), or in
    # digest mode "Nothing new since your last digest" however much news there was: the pause was the reason.
    await say(emulator, "/subscribe business")
    await say(emulator, "/settings pause")
    paused = (
        "Paused: nothing is collected for a digest until you resume (/settings resume). /latest shows the newest "
        "articles."
    )
    assert (await say(emulator, "/digest")).text == paused
    await say(emulator, "/settings digest 08:00")
    assert (await say(emulator, "/digest")).text == paused
    await say(emulator, "/settings resume")
    # Resumed, the pause is no longer the reason; this chat never had a digest, so there is no "last" one.
    assert (await say(emulator, "/digest")).text.startswith("Nothing you follow came in the last 24 hours")


async def test_stop_asks_then_deletes_everything(
    emulator: BotApiEmulator, running_bot: BotApplication
) -> None:
    await say(emulator, "/subscribe business tesla")
    confirm = await say(emulator, "/stop")
    assert "Are you sure?" in confirm.text
    await press(emulator, confirm, "stop:no")
    assert "nothing was deleted" in (await emulator.next_message(USER_CHAT)).text
    assert await services_of(running_bot).subscriptions.for_chat(USER_CHAT)
    confirm = await say(emulator, "/stop")
    await press(emulator, confirm, "stop:yes")
    assert "subscriptions and settings are deleted" in (await emulator.next_message(USER_CHAT)).text
    services = services_of(running_bot)
    assert await services.chats.get(USER_CHAT) is None
    assert await services.subscriptions.for_chat(USER_CHAT) == []


async def test_digest_on_demand_sends_what_is_new(
    emulator: BotApiEmulator, running_bot: BotApplication
) -> None:
    digest, _ = await digest_of_samples(emulator, running_bot, "science")
    assert "Solar-powered sensors" in digest.text and "Harbor Coffee" not in digest.text
    assert (await say(emulator, "/digest")).text.startswith("Nothing new since your last digest.")


async def test_stop_pressed_twice_still_says_done(
    emulator: BotApiEmulator, running_bot: BotApplication
) -> None:
    await say(emulator, "/subscribe business")
    confirm = await say(emulator, "/stop")
    # Two quick taps reach the bot before the first edit removes the buttons.
    first = await emulator.press_button(USER_CHAT, confirm.message_id, "stop:yes")
    second = await emulator.press_button(USER_CHAT, confirm.message_id, "stop:yes")
    assert (await emulator.wait_callback_answer(first)).text == "Deleted."
    assert (await emulator.wait_callback_answer(second)).text == "There was nothing to delete."
    await emulator.wait_for_idle()
    shown = emulator.current(USER_CHAT, confirm.message_id)
    assert shown is not None and "subscriptions and settings are deleted" in shown.text
    assert not shown.buttons


async def test_settings_take_times_as_people_write_them(
    emulator: BotApiEmulator, running_bot: BotApplication
) -> None:
    await say(emulator, "/start")
    reply = await say(emulator, "/settings digest 8am, 6:30 PM")
    assert "You'll get a digest at 08:00, 18:30" in reply.text
    reply = await say(emulator, "/settings quiet 22-7")
    assert "Quiet hours 22:00–07:00" in reply.text


async def test_settings_times_a_person_would_not_write_are_refused_saying_why(
    emulator: BotApiEmulator, running_bot: BotApplication
) -> None:
    await say(emulator, "/start")
    for command in ("/settings digest {}", "/settings quiet {}-07:00"):
        for odd in ("008:00", "8:0"):
            reply = await say(emulator, command.format(odd))
            assert f"“{odd}” is not a time of day; write it as HH:MM" in reply.text, reply.text
        reply = await say(emulator, command.format("08:60"))
        assert "“08:60” is not a valid time of day: hours go 00-23 and minutes 00-59" in reply.text
    # Midnight at the end of the day is midnight: "24:00" is how people close quiet hours.
    assert "digest at 00:00" in (await say(emulator, "/settings digest 24:00")).text
    assert "Quiet hours 22:00–00:00" in (await say(emulator, "/settings quiet 22:00-24:00")).text
    assert "digest at 08:00 " in (await say(emulator, "/settings digest 8:00")).text
    # A Japanese or Chinese keyboard types digits and colons full-width: "８：００" was "not a time of day"
    # while "８:00" worked.
    assert "digest at 08:00 " in (await say(emulator, "/settings digest ８:00")).text
    reply = await say(emulator, "/settings digest ８：００，１８：００")
    assert "digest at 08:00, 18:00" in reply.text, reply.text
    reply = await say(emulator, "/settings quiet ２２：００-０７：００")
    assert "Quiet hours 22:00–07:00" in reply.text, reply.text
    # ... and write a range with a tilde or a wave dash.
    for quiet in ("２２：００～０７：００", "22:00〜07:00", "22:00~07:00"):
        reply = await say(emulator, f"/settings quiet {quiet}")
        assert "Quiet hours 22:00–07:00" in reply.text, (quiet, reply.text)


async def test_settings_take_a_city_or_an_offset_as_timezone(
    emulator: BotApiEmulator, running_bot: BotApplication
) -> None:
    await say(emulator, "/start")
    reply = await say(emulator, "/settings timezone New York")
    assert "Timezone set to America/New_York." in reply.text
    reply = await say(emulator, "/settings timezone UTC+2")
    assert "Timezone set to UTC+02:00, all year round" in reply.text
    assert "🌍 Timezone: UTC+02:00" in reply.text
    # The tz database's names for offset zero read as UTC; "Etc/GMT+0" was shown as "UTC-00:00".
    for zero in ("Etc/GMT+0", "Etc/GMT-0", "GMT0", "GMT-0"):
        reply = await say(emulator, f"/settings timezone {zero}")
        assert "Timezone set to UTC," in reply.text and "🌍 Timezone: UTC\n" in reply.text, (zero, reply.text)
    # The tz database's EST, MST and HST never change clocks; in New York "EST" left digests an hour late all
    # summer without a word, while PST or EDT are refused. CET does follow summer time.
    reply = await say(emulator, "/settings timezone EST")
    assert "Timezone set to EST, all year round (name your city" in reply.text
    # In Britain "GMT" is the clock's name, but the tz database's GMT never goes to summer time: a London chat
    # typing it got every digest an hour late from March to October, told only "Timezone set to GMT."
    reply = await say(emulator, "/settings timezone GMT")
    assert "Timezone set to GMT, all year round (name your city" in reply.text
    reply = await say(emulator, "/settings timezone CET")
    assert "Timezone set to CET." in reply.text


async def test_settings_tell_the_next_digest_in_the_chats_own_time(
    emulator: BotApiEmulator, running_bot: BotApplication
) -> None:
    await say(emulator, "/start")
    await say(emulator, "/settings timezone America/New_York")
    # The clock starts at Thu 1 Jan 2026 00:00 UTC, which is still Wednesday 19:00 in New York.
    reply = await say(emulator, "/settings digest 20:00")
    assert "⏰ Next digest: Wed 31 Dec, 20:00" in reply.text
    assert "Next digest" not in (await say(emulator, "/settings pause")).text
    panel = await say(emulator, "/settings resume")
    assert "⏰ Next digest: Wed 31 Dec, 20:00" in panel.text
    await press(emulator, panel, "set:mode:instant")
    edited = emulator.current(panel.chat_id, panel.message_id)
    assert edited is not None and "Next digest" not in edited.text


async def test_a_digest_time_the_clocks_skip_comes_before_quiet_hours_that_start_at_the_skip(
    emulator: BotApiEmulator, running_bot: BotApplication, clock: FakeClock
) -> None:
    # Berlin skips 02:00-03:00 on 29 March 2026: the 02:30 digest comes at 03:00, where the quiet hours start.
    # It was held with them until 07:00, though the settings said 02:30 lies outside the quiet hours.
    clock.set(datetime(2026, 3, 28, 12, tzinfo=UTC).timestamp())
    await say(emulator, "/start")
    await say(emulator, "/subscribe science")
    await say(emulator, "/settings timezone Europe/Berlin")
    await say(emulator, "/settings digest 02:30")
    reply = await say(emulator, "/settings quiet 03:00-07:00")
    assert "falls in your quiet hours" not in reply.text
    assert "⏰ Next digest: Sun 29 Mar, 03:00" in reply.text
    services = services_of(running_bot)
    articles = await store_news(
        running_bot, "comet", "Astronomers spot a new comet", "The astronomers {k} saw a comet in the sky."
    )
    assert await services.delivery.plan_alerts(articles, clock.now()) == 1
    clock.set(datetime(2026, 3, 29, 1, tzinfo=UTC).timestamp())  # 03:00 in Berlin, an hour after 01:59
    digest = await emulator.next_message(USER_CHAT, timeout=10)
    assert "Astronomers spot a new comet" in digest.text


async def test_settings_with_only_a_value_suggest_the_setting(
    emulator: BotApiEmulator, running_bot: BotApplication
) -> None:
    await say(emulator, "/start")
    assert "Did you mean /settings timezone Europe/Berlin?" in (await say(emulator, "/settings Berlin")).text
    assert "Did you mean /settings digest 08:00,18:00?" in (await say(emulator, "/settings 8am 6pm")).text
    assert "I don't know the setting “Colour”" in (await say(emulator, "/settings Colour blue")).text
    assert "Did you mean /settings length 4?" in (await say(emulator, "/settings 4")).text


async def test_digest_names_the_command_that_lists_the_stories_over_its_cap(
    emulator: BotApiEmulator, running_bot: BotApplication
) -> None:
    # A digest used to end a capped group with "…and 2 more", and those stories were never sent again: the
    # reader had no way to see them. The line now names a command, and that command lists them.
    await say(emulator, "/settings digest 08:00")
    await say(emulator, '/subscribe "night trains"')
    services = services_of(running_bot)
    # Each story in its own words, so the grouping of reports into stories keeps them apart.
    stories = {
        "Vienna sleeper cabins return": "Renovated night trains with showers roll out in {k} cities",
        "Lisbon operators blame track fees": "Infrastructure charges for night trains rose {k} percent",
        "Oslo timetable adds a northern stop": "Reindeer herders welcome {k} new platforms for night trains",
        "Prague students pay less": "University cards unlock night trains discounts from {k} March",
        "Dublin ferry links Ireland with Paris": "Coach transfers to night trains close {k} timetable gaps",
        "Athens museum volunteers polish mahogany": "Restored night trains carriages shown over {k} weekends",
        "Budapest bakery supplies breakfast": "Croissants baked at {k} o'clock travel on night trains",
        "Zurich engineers test quieter brakes": "Night trains pass villages {k} decibels softer",
    }
    articles = []
    for n, (title, words) in enumerate(stories.items()):
        articles += await store_news(running_bot, f"night-{n}", title, f"{words}.")
    await services.delivery.plan_alerts(articles, services.clock.now())
    digest = await say(emulator, "/digest")
    # Reports of one story are one item, of one title: the stories left out are those whose title is missing.
    hidden = [a.title for a in articles if a.story_id == a.id and a.title not in digest.text]
    assert hidden and f"…and {len(hidden)} more:" in digest.text
    hint = next(e for e in digest.entities if e["type"] == "code")  # the last is the /summary one
    utf16 = digest.text.encode("utf-16-le")  # entity offsets count UTF-16 units (the emoji take two)
    command = utf16[2 * hint["offset"] : 2 * (hint["offset"] + hint["length"])].decode("utf-16-le")
    assert command == '/search "night trains"'
    listed = await say(emulator, command)
    assert all(title in listed.text for title in hidden)


async def test_latest_search_and_summary_date_an_old_article_in_the_chats_timezone(
    emulator: BotApiEmulator, running_bot: BotApplication
) -> None:
    services = services_of(running_bot)
    now = datetime.fromtimestamp(services.clock.now(), UTC)
    # Late evening in UTC two years ago: the next day already in Auckland.
    published = (now - timedelta(days=730)).replace(hour=22, minute=0)
    [(old, _)] = await services.ingest.ingest_articles(
        [
            Article(
                url="https://news.example/archive/1",
                title="Harbour archive opens to the public",
                body="The harbour archive opened its doors. " + _distinct_words(99),
                source="Harbour Office",
                published=published,
            )
        ]
    )
    await say(emulator, "/settings timezone Pacific/Auckland")
    local = published.astimezone(ZoneInfo("Pacific/Auckland"))
    when = f"{local.day} {local:%b} {local.year}"
    reply = await say(emulator, "/latest")
    assert f"Harbour Office · {when} · #{old.id}" in reply.text
    assert " d ago" not in reply.text  # it read "730 d ago"
    assert f"Harbour Office · {when}" in (await say(emulator, "/search harbour archive")).text
    await press(emulator, reply, f"sum:{old.id}")
    assert f"Harbour Office · {when}" in (await emulator.next_message(USER_CHAT)).text


async def test_an_article_dated_in_the_future_ages_from_when_it_was_read(
    emulator: BotApiEmulator, running_bot: BotApplication, clock: FakeClock
) -> None:
    # A feed whose clock runs ahead (or that writes local time as UTC) dates its items hours or days ahead:
    # such an article read two days ago still said "just now", and after a week its made-up date.
    services = services_of(running_bot)
    read_at = clock.now()
    [(ahead, _)] = await services.ingest.ingest_articles(
        [
            Article(
                url="https://news.example/ahead/1",
                title="Harbour ferry timetable changes",
                body="The harbour ferry timetable changes next month. " + _distinct_words(99),
                source="Harbour Office",
                published=datetime.fromtimestamp(read_at + 5 * 86400, UTC),
            )
        ]
    )
    clock.set(read_at + 2 * 86400 + 60)
    assert f"Harbour Office · 2 d ago · #{ahead.id}" in (await say(emulator, "/latest")).text
    clock.set(read_at + 9 * 86400)
    read_on = datetime.fromtimestamp(read_at, UTC)
    latest = await say(emulator, "/latest")
    assert f"Harbour Office · {read_on.day} {read_on:%b} · #{ahead.id}" in latest.text


async def test_words_a_user_typed_are_quoted_as_typed_not_as_python_shows_them(
    emulator: BotApiEmulator, running_bot: BotApplication
) -> None:
    # Replies quoted with repr(): "'Europe\\\\Berlin' is not a timezone", "\"don't\" is not a topic", while
    # /subscribe quoted “like this” and said "is no topic".
    tz = await say(emulator, "/settings timezone Europe\\Berlin")
    assert tz.text.startswith("⚠️ “Europe\\Berlin” is not a timezone I know."), tz.text
    assert (await say(emulator, "/latest don't")).text.startswith("⚠️ “don't” is not a topic.")
    assert (await say(emulator, "/settings quiet 9pm-25")).text.startswith(
        "⚠️ “25” is not a valid time of day"
    )
    near = await say(emulator, "/subscribe busines")
    assert near.text.startswith("❓ “busines” is not a topic. Did you mean 💼 Business?"), near.text


async def test_search_pause_and_stop_replies_are_plain_english(
    emulator: BotApiEmulator, running_bot: BotApplication
) -> None:
    # They read "the 10 newest of more matches", "until you /settings resume" (a command used as a verb) and
    # "everything of this chat is deleted".
    words = [
        "amber",
        "basalt",
        "cobalt",
        "dune",
        "ember",
        "fjord",
        "garnet",
        "heath",
        "indigo",
        "jasper",
        "kelp",
    ]
    for word in words:
        await store_news(
            running_bot, word, f"Zephyr {word} report", f"The zephyr {word} survey {word}{{k}} ends."
        )
    found = await say(emulator, "/search zephyr")
    assert found.text.startswith("🔎 zephyr: the 10 newest matches; older ones under Older ›")
    paused = await say(emulator, "/settings pause")
    assert paused.text.startswith("✅ Paused: nothing will be delivered until you resume (/settings resume).")
    confirm = await say(emulator, "/stop")
    await press(emulator, confirm, "stop:yes")
    done = await emulator.next_message(USER_CHAT)
    assert done.text == (
        "Done: this chat's subscriptions and settings are deleted and nothing more will be sent. /start to come "
        "back."
    )


async def test_the_command_menu_describes_help_and_digest_as_they_work(
    emulator: BotApiEmulator, running_bot: BotApplication
) -> None:
    # The menu said "/help — This list" (the menu is a list /help is not) and "/digest — Your digest now" in
    # groups too, where the digest is the group's.
    await emulator.wait_for_idle()
    menu = dict(emulator.commands)
    assert menu["help"] == "Every command, one line each"
    assert menu["digest"] == "This chat's digest now"
    help_text = (await say(emulator, "/help")).text
    assert "/help — every command, one line each" in help_text
    assert "/digest — this chat's digest now" in help_text


async def test_a_person_opening_the_bot_reads_what_it_does(
    emulator: BotApiEmulator, running_bot: BotApplication
) -> None:
    # The bot set no description: its empty chat showed a blank "What can this bot do?" screen, and a link to
    # the bot shared in a chat said nothing about it.
    description = emulator.description()
    assert description.startswith("I read the news for you")
    assert "link" in description and description.endswith("Press Start to pick your topics.")
    assert len(description) <= 512
    short = emulator.short_description()
    assert short.startswith("News summaries") and len(short) <= 120


async def test_the_operators_own_description_is_kept(emulator: BotApiEmulator, make_bot: MakeBot) -> None:
    # What the operator wrote in @BotFather is theirs: only what is still empty gets newsbot's words.
    async with Bot(TOKEN, base_url=emulator.base_url) as botfather:
        await botfather.set_my_description("Harbor Daily's own news bot.")
    async with make_bot():
        assert emulator.description() == "Harbor Daily's own news bot."
        assert emulator.short_description().startswith("News summaries")
    async with Bot(TOKEN, base_url=emulator.base_url) as botfather:
        await botfather.set_my_short_description("Harbor Daily, short.")
    async with make_bot():  # a restart changes neither
        assert emulator.description() == "Harbor Daily's own news bot."
        assert emulator.short_description() == "Harbor Daily, short."


@pytest.mark.parametrize("method", ["getMyDescription", "setMyDescription", "setMyShortDescription"])
async def test_the_bot_starts_when_it_cannot_describe_itself(
    emulator: BotApiEmulator, make_bot: MakeBot, method: str
) -> None:
    refusal = '{"ok":false,"error_code":400,"description":"Bad Request: method is not available"}'
    emulator.answer_as_proxy(400, refusal, "application/json", methods=(method,))
    async with make_bot():
        assert "Hello" in (await say(emulator, "/start")).text
        # One refused call does not keep the other description from being set.
        short_refused = method == "setMyShortDescription"
        assert (emulator.description() != "") == short_refused
        assert (emulator.short_description() != "") == (not short_refused)


async def test_choosing_a_delivery_mode_while_paused_says_nothing_comes_until_resumed(
    emulator: BotApiEmulator, running_bot: BotApplication
) -> None:
    # "You'll get an alert for each new matching article." while paused promised alerts that never came.
    await say(emulator, "/settings pause")
    digest = await say(emulator, "/settings digest 08:00")
    assert digest.text.startswith("✅ You'll get a digest at 08:00 (UTC) once you resume (/settings resume).")
    toast = await press(emulator, digest, "set:mode:instant")  # the button says the same
    assert toast == "You'll get an alert for each new matching article once you resume (/settings resume)."
    assert (await emulator.next_message(USER_CHAT)).edited  # the panel, redrawn
    await say(emulator, "/settings resume")
    assert (await say(emulator, "/settings instant")).text.startswith(
        "✅ You'll get an alert for each new matching article.\n"
    )


async def test_a_settings_confirmation_too_long_for_a_toast_is_shown_whole_in_the_panel(
    emulator: BotApiEmulator, running_bot: BotApplication
) -> None:
    # Tapping "Daily digest" while paused, with three early digests held by quiet hours, toasted the first 190
    # characters: "...those digests come when th", never saying when they come.
    await say(emulator, "/settings timezone America/Argentina/Buenos_Aires")
    await say(emulator, "/settings quiet 22:00-07:30")
    await say(emulator, "/settings digest 06:00,06:30,07:00")
    await say(emulator, "/settings pause")
    panel = await say(emulator, "/settings instant")
    toast = await press(emulator, panel, "set:mode:digest")
    edited = await emulator.next_message(USER_CHAT)
    assert edited.edited and "🔘 3 digests a day" in [label for label, _ in edited.buttons]
    assert toast == "Saved: see the settings message."
    assert edited.text.startswith(
        "✅ You'll get a digest at 06:00, 06:30, 07:00 (America/Argentina/Buenos_Aires) once you resume "
        "(/settings resume). 06:00, 06:30 and 07:00 fall in your quiet hours: they make one digest when they "
        "end at 07:30.\n"
    )


async def test_unsubscribe_near_miss_gives_the_command_as_subscribe_does(
    emulator: BotApiEmulator, running_bot: BotApplication
) -> None:
    # /subscribe busines said "Send /subscribe business"; /unsubscribe busines only "Did you mean Business?".
    await say(emulator, "/subscribe business")
    reply = await say(emulator, "/unsubscribe busines")
    assert reply.text.startswith(
        "❓ You don't follow “busines”. Did you mean 💼 Business? Send /unsubscribe business.\n"
    ), reply.text


async def test_an_operator_catalogue_of_more_than_100_topics_still_shows_start_and_topics(
    emulator: BotApiEmulator, make_bot: MakeBot, tmp_path: Path
) -> None:
    # With 130 topics the keyboard had 130 buttons: Telegram refuses such a message, so /start and /topics
    # answered nothing at all. Now 100 buttons, and a followed topic beyond them keeps its ✅ button.
    topics_file = tmp_path / "topics.json"
    extra = [
        {"id": f"region{i:03d}", "title": f"Region {i}", "keywords": [f"placename{i}"]} for i in range(120)
    ]
    topics_file.write_text(json.dumps({"topics": extra}))
    async with make_bot(settings=make_settings(tmp_path, emulator, topics_file=topics_file)):
        assert "Region 119" in (await say(emulator, "/subscribe region119")).text
        for command in ("/start", "/topics"):
            reply = await say(emulator, command)
            assert len(reply.buttons) == 100, command
            assert "✅ 🏷️ Region 119" in [label for label, _ in reply.buttons]
        toast = await press(emulator, reply, "t:region119")
        assert toast is not None and toast.startswith("Stopped following"), toast


async def test_a_topic_the_operator_removed_is_marked_in_mysubs_and_can_be_unsubscribed(
    emulator: BotApiEmulator, make_bot: MakeBot, tmp_path: Path
) -> None:
    # The operator took "harbour" out of the topics file and restarted: /mysubs still listed "harbour" with no
    # word that nothing would come of it, and "/unsubscribe harbour" answered "You don't follow “harbour”",
    # so only "/unsubscribe all" could drop it.
    topics_file = tmp_path / "topics.json"
    topics_file.write_text(
        json.dumps({"topics": [{"id": "harbour", "title": "Harbour", "keywords": ["ferry"]}]})
    )
    async with make_bot(settings=make_settings(tmp_path, emulator, topics_file=topics_file)):
        assert "Harbour" in (await say(emulator, "/subscribe harbour tesla")).text
    topics_file.write_text(json.dumps({"topics": []}))
    async with make_bot(settings=make_settings(tmp_path, emulator, topics_file=topics_file)) as bot:
        mysubs = await say(emulator, "/mysubs")
        assert "Topics: harbour (no longer offered: /unsubscribe harbour)" in mysubs.text, mysubs.text
        reply = await say(emulator, "/unsubscribe Harbour")
        assert reply.text == "🗑 Stopped following topics: harbour", reply.text
        assert await services_of(bot).subscriptions.topic_ids(USER_CHAT) == set()
        assert "Keywords: “tesla”" in (await say(emulator, "/mysubs")).text


async def test_a_keyword_far_longer_than_subscribe_allows_still_lets_mysubs_answer(
    emulator: BotApiEmulator, running_bot: BotApplication
) -> None:
    # A 10 KB keyword put in by hand in the sqlite3 shell (or by an older rule) made /mysubs longer than
    # Telegram takes: "Sorry, something went wrong", every time. It is shown cut, as alerts show it.
    services = services_of(running_bot)
    await say(emulator, "/subscribe tesla")
    await another_program(
        services.db.path,
        "INSERT INTO subscriptions (chat_id, kind, value, created_at) VALUES (?, 'keyword', ?, 0)",
        (USER_CHAT, "harbour ferry " * 770),
    )
    mysubs = await say(emulator, "/mysubs")
    assert "Keywords: “harbour ferry harbour ferry" in mysubs.text and "…”, “tesla”" in mysubs.text
    assert len(mysubs.text) < 1_000


async def test_a_digest_chat_that_unsubscribes_gets_no_digest_of_what_it_dropped(
    emulator: BotApiEmulator, running_bot: BotApplication
) -> None:
    # /unsubscribe harbour: the harbour stories already waiting for the digest came in it all the same.
    await say(emulator, "/settings digest 08:00")
    await say(emulator, '/subscribe harbour "tram line"')
    services = services_of(running_bot)
    news = await store_news(
        running_bot,
        "ferry",
        "Ferry timetable changes",
        "The harbour ferry {k} leaves later from the north pier.",
    )
    news += await store_news(
        running_bot,
        "tram",
        "Council approves the tram",
        "The tram line {k} will link the station with the campus.",
    )
    await services.delivery.plan_alerts(news, services.clock.now())  # what a feed poll does
    await say(emulator, "/unsubscribe harbour")
    digest = await say(emulator, "/digest")
    assert "Council approves the tram" in digest.text and "Ferry timetable" not in digest.text, digest.text


async def test_unsubscribe_tells_how_many_stories_waiting_for_the_digest_it_dropped(
    emulator: BotApiEmulator, running_bot: BotApplication
) -> None:
    # A digest chat that unsubscribed at noon was told only "Stopped following", so its shorter evening digest
    # (the stories waiting for it were dropped) looked like the bot had lost them.
    await say(emulator, "/settings digest 08:00")
    await say(emulator, '/subscribe harbour "tram line"')
    services = services_of(running_bot)
    news = await store_news(
        running_bot, "ferry", "Ferry timetable changes", "The harbour ferry {k} leaves later from the pier."
    )
    news += await store_news(
        running_bot, "crane", "New cranes at the docks", "The harbour cranes {k} lift twice the containers."
    )
    news += await store_news(
        running_bot,
        "tram",
        "Council approves the tram",
        "The tram line {k} will link the station and campus.",
    )
    await services.delivery.plan_alerts(news, services.clock.now())  # what a feed poll does
    reply = await say(emulator, "/unsubscribe harbour")
    assert reply.text == (
        "🗑 Stopped following keywords: “harbour”\n2 stories waiting for your digest were dropped."
    ), reply.text
    everything = await say(emulator, "/unsubscribe all")
    assert everything.text == (
        "🗑 Dropped your one subscription. /topics to follow something again.\n"
        "1 story waiting for your digest was dropped."
    ), everything.text
    # Nothing queued, nothing said about it.
    await say(emulator, "/subscribe harbour")
    assert (await say(emulator, "/unsubscribe harbour")).text == "🗑 Stopped following keywords: “harbour”"


async def test_a_topic_button_tapped_off_tells_how_many_stories_waiting_for_the_digest_it_dropped(
    emulator: BotApiEmulator, running_bot: BotApplication
) -> None:
    # /unsubscribe said how many queued stories it dropped, but tapping the same topic off in /topics only
    # toasted "Stopped following", and the shorter digest that followed looked like lost news.
    await say(emulator, "/settings digest 08:00")
    await say(emulator, '/subscribe "tram line"')
    topics = await say(emulator, "/topics")
    assert await press(emulator, topics, "t:science") == "Following 🔬 Science"
    keyboard = await emulator.next_message(USER_CHAT)
    news = await store_news(
        running_bot,
        "comet",
        "Astronomers track a new comet",
        "Astronomers at the observatory {k} measured the comet's orbit with a new telescope.",
    )
    assert "science" in news[0].topics, news[0].topics
    services = services_of(running_bot)
    await services.delivery.plan_alerts(news, services.clock.now())  # what a feed poll does
    toast = await press(emulator, keyboard, "t:science")
    assert toast == "Stopped following 🔬 Science. 1 story waiting for your digest was dropped.", toast
    assert "✅ 🔬 Science" not in [label for label, _ in (await emulator.next_message(USER_CHAT)).buttons]
    assert "Nothing you follow came" in (await say(emulator, "/digest")).text


async def test_a_group_unsubscribe_tells_how_many_held_stories_it_dropped(
    emulator: BotApiEmulator, running_bot: BotApplication
) -> None:
    # A group with quiet hours had alerts held until morning; /unsubscribe dropped them without a word.
    group, admin = -700, 701
    await emulator.add_chat(group, "group", "Readers")
    await emulator.set_member_status(group, admin, "administrator")
    await say(emulator, "/settings quiet 22:00-07:00", chat=group, user_id=admin)  # the clock is at 00:00
    await say(emulator, '/subscribe harbour "tram line"', chat=group, user_id=admin)
    services = services_of(running_bot)
    # The poll comes after the settings were saved, as it would on a real clock: planned at their very second,
    # the alert is taken for one planned before the quiet hours were set and goes to the sender, which holds it
    # a moment later, so /unsubscribe could come while it was on its way and count nothing.
    services.clock.advance(1)
    news = await store_news(
        running_bot, "ferry", "Ferry timetable changes", "The harbour ferry {k} leaves later from the pier."
    )
    await services.delivery.plan_alerts(news, services.clock.now())
    reply = await say(emulator, "/unsubscribe harbour", chat=group, user_id=admin)
    assert reply.text == (
        "🗑 Stopped following keywords: “harbour”\n1 story waiting to be sent was dropped."
    ), reply.text
    await say(emulator, "/settings digest 08:00", chat=group, user_id=admin)
    news = await store_news(
        running_bot,
        "tram",
        "Council approves the tram",
        "The tram line {k} will link the station and campus.",
    )
    await services.delivery.plan_alerts(news, services.clock.now())
    everything = await say(emulator, "/unsubscribe all", chat=group, user_id=admin)
    assert everything.text == (
        "🗑 Dropped this group's one subscription. /topics to follow something again.\n"
        "1 story waiting for this group's digest was dropped."
    ), everything.text
