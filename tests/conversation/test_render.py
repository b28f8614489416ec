"""The pure renderer: valid Telegram HTML, escaped input, short callback data, messages under 4,096 chars."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, datetime

import pytest

from bot.emulator.html_check import parse_html
from bot.render.replies import (
    Reply,
    callback,
    render_article_summary,
    render_digest_empty,
    render_feed_added,
    render_feed_swapped,
    render_feeds,
    render_follow_result,
    render_help,
    render_latest,
    render_mysubs,
    render_problem,
    render_search,
    render_settings,
    render_stats,
    render_stop_confirm,
    render_topics,
    render_unfollow_result,
    render_unknown_command,
    render_welcome,
    suggest_command,
)
from bot.services.admin import FeedAdded, Stats
from bot.services.subscriptions import FollowResult, UnfollowResult
from bot.store.models import Chat, Feed, Subscription
from summaries.articles import Article
from summaries.topics import Topic, TopicCatalogue

CATALOGUE = TopicCatalogue.load()
NOW = datetime(2026, 1, 1, 12, tzinfo=UTC).timestamp()
HOSTILE = '<b>Bold</b> & "quotes" <script>alert(1)</script> &amp;'


def article(
    i: int,
    title: str = "Carmaker plans",
    body: str = "Body. " * 10,
    source: str = "Example News",
    summary: tuple[str, ...] = ("The first sentence.", "The second one."),
) -> Article:
    return Article(
        url=f"https://news.example/{i}",
        title=title,
        body=body,
        source=source,
        published=datetime(2026, 1, 1, 10, tzinfo=UTC),
        topics=("automotive", "business"),
        summary=summary,
        id=i,
    )


def visible(reply: Reply) -> str:
    """What the user reads; raises if Telegram would refuse the markup."""
    assert len(reply.html) <= 4096
    return parse_html(reply.html).text


def all_callback_data(reply: Reply) -> list[str]:
    if reply.keyboard is None:
        return []
    return [str(b.callback_data) for row in reply.keyboard.inline_keyboard for b in row]


def test_topics_keyboard_ticks_followed_topics() -> None:
    reply = render_topics(CATALOGUE.all(), {"automotive"})
    assert reply.keyboard is not None
    labels = [b.text for row in reply.keyboard.inline_keyboard for b in row]
    assert "✅ 🚗 Automotive" in labels
    assert "💼 Business" in labels
    assert "t:automotive" in all_callback_data(reply)


def test_callback_data_never_exceeds_64_bytes() -> None:
    with pytest.raises(ValueError):
        callback("t", "é" * 40)
    # Exactly 64 bytes is what Telegram still accepts; one more and it refuses the whole message.
    assert callback("t", "é" * 31) == "t:" + "é" * 31
    with pytest.raises(ValueError):
        callback("t", "é" * 31 + "x")
    replies = [
        render_welcome("Ann", CATALOGUE.all(), set(), new=True),
        render_settings(Chat(id=1, quiet_start="22:00", quiet_end="07:00", paused=True)),
        render_stop_confirm(),
        *render_latest([article(10**11 + i, "x" * 300) for i in range(8)], NOW, CATALOGUE.get),
    ]
    for reply in replies:
        for data in all_callback_data(reply):
            assert 0 < len(data.encode()) <= 64


def test_hostile_titles_and_user_input_are_escaped() -> None:
    hostile = article(1, title=HOSTILE, body=HOSTILE, source=HOSTILE)
    for reply in [
        *render_latest([hostile], NOW, CATALOGUE.get),
        *render_article_summary(hostile, [HOSTILE], NOW, CATALOGUE.get),
        *render_search(HOSTILE, [hostile], NOW, CATALOGUE.get),
        render_welcome(HOSTILE, CATALOGUE.all(), set(), new=False),
        render_mysubs(Chat(id=1), [Subscription(1, "keyword", HOSTILE)], CATALOGUE.get),
        render_follow_result(FollowResult(keywords=[HOSTILE], rejected=[(HOSTILE, "too long")]), Chat(id=1)),
    ]:
        assert "<b>Bold</b> &" in visible(reply)  # shown as typed, not as markup


def test_words_echoed_back_by_subscribe_unsubscribe_and_feeds_are_escaped() -> None:
    # Each of these quotes what someone typed (a word, a command), a feed's address ("?a=1&b=2" is common) or
    # another source's name ("Wire & Co"): unescaped, one "&" or "<" makes the reply HTML Telegram refuses, and
    # the user gets no answer to it.
    business = CATALOGUE.get("business")
    assert business is not None
    for reply in [
        render_follow_result(FollowResult(signs_dropped=[(HOSTILE, "bold")]), Chat(id=1)),
        render_follow_result(FollowResult(suggestions=[(HOSTILE, business)]), Chat(id=1)),
        render_follow_result(FollowResult(limit_reached=[HOSTILE]), Chat(id=1)),
        render_unfollow_result(UnfollowResult(not_followed=[HOSTILE])),
        render_unknown_command(HOSTILE),
        *render_latest([article(1)], NOW, CATALOGUE.get, also={1: (HOSTILE,)}),
        *render_feeds([Feed(id=1, url=f"https://feeds.test/rss?q={HOSTILE}", title="News")], NOW),
        render_feed_added(
            FeedAdded(
                Feed(id=1, url="https://feeds.test/rss"),
                "News",
                True,
                other_feeds=(f"https://feeds.test/atom?q={HOSTILE}",),
            )
        ),
    ]:
        assert "<b>Bold</b> &" in visible(reply)  # shown as typed, not as markup


def test_latest_shows_title_source_age_id_and_a_button_each() -> None:
    [reply] = render_latest([article(12), article(13, "Second")], NOW, CATALOGUE.get)
    text = visible(reply)
    assert "🚗 Carmaker plans" in text
    assert "Example News · 2 h ago · #12" in text
    assert "The first sentence." in text
    assert all_callback_data(reply) == ["sum:12", "sum:13"]


def test_a_latest_page_turned_in_place_is_one_message_and_goes_on_after_its_last_article() -> None:
    # An edit holds one message: articles that do not fit it are left for the next page, not left out.
    long = [article(20 - i, title="R&D <" * 40, summary=("Q&A & more & " * 15,)) for i in range(8)]
    assert len(render_latest(long, NOW, CATALOGUE.get, more=True)) == 2  # a new reply may take two
    [page] = render_latest(long, NOW, CATALOGUE.get, more=True, start=8, in_place=True)
    n = len(re.findall(r"· #\d+", visible(page)))
    assert 1 <= n < 8 and f"9–{8 + n}; older ones under Older ›" in visible(page)
    assert all_callback_data(page)[-2:] == ["lat:0:0:", f"lat:{20 - n + 1}:{8 + n}:"]
    # The last page says so, and offers only the way back.
    [last] = render_latest(long[:1], NOW, CATALOGUE.get, start=16, in_place=True)
    assert "Latest: 17, the oldest I have" in visible(last)
    assert all_callback_data(last) == ["sum:20", "lat:0:0:"]


def test_a_search_page_turned_in_place_is_one_message_and_a_search_too_long_for_a_button_says_so() -> None:
    long = [article(20 - i, title="R&D <" * 40, summary=("Q&A & more & " * 15,)) for i in range(10)]
    [page] = render_search("r&d", long, NOW, CATALOGUE.get, more=True, start=10, in_place=True)
    n = len(re.findall(r"· #\d+", visible(page)))
    assert 1 <= n < 10 and f"r&d: 11–{10 + n}; older ones under Older ›" in visible(page)
    assert all_callback_data(page)[-2:] == ["sch:0:0:r&d", f"sch:{20 - n + 1}:{10 + n}:r&d"]
    # Words that do not fit in a button's 64 bytes get no button, and the heading says how to see others.
    words = "harbour cranes repainted before the autumn storms arrive"
    [reply] = render_search(words, [article(12)], NOW, CATALOGUE.get, more=True)
    assert "there are more (add words to narrow them down)" in visible(reply)
    assert all_callback_data(reply) == ["sum:12"]


def test_latest_line_of_an_article_without_summary_is_not_its_comments_link() -> None:
    [reply] = render_latest([article(12, body="Comments", summary=())], NOW, CATALOGUE.get)
    assert "Comments" not in visible(reply)


def test_long_lists_and_summaries_are_split_under_the_limit() -> None:
    long_body = ("A sentence that goes on and on. " * 400).strip()
    replies = render_article_summary(article(1), [long_body, long_body], NOW, CATALOGUE.get)
    assert len(replies) > 1
    for reply in replies:
        visible(reply)
    many = render_search(
        "cars", [article(i, "T" * 200, summary=("S " * 150,)) for i in range(30)], NOW, CATALOGUE.get
    )
    for reply in many:
        visible(reply)
    assert many[-1].keyboard is not None  # buttons stay with the last part


def test_help_lists_every_command_and_admin_ones_only_for_admins() -> None:
    user = visible(render_help(admin=False))
    admin = visible(render_help(admin=True))
    for name in (
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
    ):
        assert f"/{name}" in user
    assert "/stats" not in user and "/addfeed" in admin


def test_settings_panel_reflects_the_chat() -> None:
    chat = Chat(
        id=1,
        mode="digest",
        digest_times=("08:00", "18:00"),
        timezone="Europe/Berlin",
        quiet_start="22:00",
        quiet_end="07:00",
        summary_sentences=5,
    )
    reply = render_settings(chat)
    text = visible(reply)
    assert "digest at 08:00, 18:00" in text and "Europe/Berlin" in text and "22:00–07:00" in text
    assert "set:mode:instant" in all_callback_data(reply)
    assert "set:quiet:off" in all_callback_data(reply)


def test_alert_for_a_hostile_feed_item_fits_and_terminates() -> None:
    # A feed item whose title and source alone exceed 4,096 characters used to spin render_alert forever.
    from bot.render.delivery import render_alert
    from bot.render.text import visible_length

    hostile = Article(
        url="https://news.test/" + "p" * 5000,
        title="Huge <title> & " * 400,
        body="A sentence of the body. " * 50,
        source="Wire & Co " * 400,
        id=7,
    )
    text, keyboard = render_alert(hostile, sentences=3, now=NOW, catalogue=CATALOGUE)
    assert len(text) <= 4096 and visible_length(text) <= 4096
    parse_html(text)
    assert "&lt;title&gt;" in text and keyboard is not None


def test_feed_replies_cap_a_hostile_feed_title() -> None:
    # /addfeed and /removefeed echo the feed's own title, which the feed controls.
    from bot.render.replies import render_feed_added, render_feed_removed
    from bot.services.admin import FeedAdded
    from bot.store.models import Feed

    feed = Feed(id=1, url="https://feeds.test/rss", title="Breaking <news> " * 500)
    for reply in (
        render_feed_added(FeedAdded(feed, feed.title or "", created=True)),
        render_feed_added(FeedAdded(feed, feed.title or "", created=False)),
        render_feed_removed(feed),
    ):
        assert len(reply.html) <= 4096
        parse_html(reply.html)


def test_a_feed_found_on_a_page_names_a_few_of_the_pages_other_feeds_escaped() -> None:
    from bot.render.replies import render_feed_added
    from bot.services.admin import FeedAdded
    from bot.store.models import Feed

    url = "https://news.test/rss?a=1&b=<2>"
    feed = Feed(id=1, url=url, title=None)
    others = tuple(f"https://news.test/{n}/{'x' * 3000}&<" for n in range(20))
    for revived, created in ((False, True), (False, False), (True, False)):
        added = FeedAdded(feed, "News", created, revived, found_on="https://news.test/", other_feeds=others)
        reply = render_feed_added(added)
        assert "(found on that page: https://news.test/rss?a=1&amp;b=&lt;2&gt;)" in reply.html
        assert "The page also names 20 other feeds: https://news.test/0/" in reply.html
        assert "https://news.test/2/" in reply.html and "https://news.test/3/" not in reply.html
        assert " and 17 more." in reply.html and len(reply.html) <= 4096
        parse_html(reply.html)
    plain = render_feed_added(FeedAdded(feed, "News", created=True)).html
    assert plain == "➕ Added feed <b>News</b>. It will be polled shortly."


def test_a_dead_feed_notice_is_escaped_and_fits_one_message_whatever_the_feed_sends() -> None:
    # The admins' notice of a dead feed quotes the feed's title, its address and the error, all from outside.
    from bot.render.replies import render_feed_dead, render_feed_works_again

    feed = Feed(id=1, url="https://feeds.test/rss?a=1&b=<2>", title=HOSTILE)
    text = render_feed_dead(feed, "The site answered <html> & more", 10)
    assert "<code>/removefeed https://feeds.test/rss?a=1&amp;b=&lt;2&gt;</code>" in text
    assert "Last error: The site answered &lt;html&gt; &amp; more\nIt failed 10 times in a row" in text
    gone = render_feed_dead(feed, "gone", 1, gone=True)
    assert "The site says it is gone (410), so from now on it is tried once a day" in gone
    huge = Feed(id=1, url="https://feeds.test/" + "&<" * 999, title="<b>" * 1000)
    for html in (
        text,
        gone,
        render_feed_dead(huge, "<&>" * 1000, 10),
        render_feed_works_again(feed),
        render_feed_works_again(huge),
    ):
        assert len(html) <= 4096
        parse_html(html)
    assert "/removefeed with its address drops it" in render_feed_dead(huge, "x", 10)


def test_a_feed_not_read_yet_is_named_by_its_address_once() -> None:
    [reply] = render_feeds([Feed(id=1, url="https://example.com/rss")], NOW)
    assert reply.html.count("https://example.com/rss") == 1 and "never read" in reply.html
    assert "⏳ new" in reply.html and "✅" not in reply.html


def test_a_list_of_300_feeds_keeps_every_message_within_100_entities() -> None:
    # Telegram keeps a message's first 100 entities: the first /feeds message of 300 titled feeds held 101, so
    # the last feed's state ("last read ...") lost its italics, and longer lists lose more.
    feeds = [
        Feed(id=i, url=f"https://f{i}.example/rss", title=f"F{i}", last_success_at=NOW - 60)
        for i in range(300)
    ]
    replies = render_feeds(feeds, NOW)
    assert all(len(parse_html(r.html).entities) <= 100 for r in replies)
    assert sum(len(re.findall(r"<b>F\d+</b>", r.html)) for r in replies) == 300


def test_feeds_escape_a_failing_feeds_last_error() -> None:
    # The error quotes the site (its status line, its page): unescaped, "<html>" would make the whole /feeds
    # reply HTML Telegram refuses, and the admin would see no list at all.
    feed = Feed(
        id=1,
        url="https://feeds.test/rss",
        title="News",
        failures=3,
        last_polled_at=NOW - 60,
        next_poll_at=NOW + 600,
        last_error="The site answered <html> & more",
    )
    [reply] = render_feeds([feed], NOW)
    assert (
        "Failed 3 times in a row, last 1 min ago: The site answered <html> & more"
        in parse_html(reply.html).text
    )


def test_stats_shows_the_last_days_dropped_alerts() -> None:
    """Alerts dropped for paused, stopped or blocked chats are counted beside those sent and failed."""
    stats = Stats(
        chats={"total": 2, "active": 1},
        subscriptions={"topic": 1},
        articles=5,
        feeds=1,
        feeds_dead=0,
        deliveries={"queued": 3, "sent": 7, "failed": 1, "dropped": 2},
    )
    lines = render_stats(stats).html.splitlines()
    assert "Queue: 3 waiting" in lines
    assert "Last 24 h: 7 delivered, 1 failed, 2 dropped" in lines


def test_summary_and_latest_mark_a_teaser_the_feed_cut_mid_word() -> None:
    cut = "We ponder buffalo sauce and the fantasy show everyone's ta"
    teaser = article(30, body=f"A short intro.\n\n{cut}", summary=(cut,))
    [reply] = render_article_summary(teaser, ["A short intro.", cut], NOW, CATALOGUE.get)
    assert visible(reply).endswith("A short intro.\n\n" + cut + "…")
    [listing] = render_latest([teaser], NOW, CATALOGUE.get)
    assert cut + "…" in visible(listing)
    # A sentence that ends the text with its own stop is left alone.
    whole = article(31, body="All done here.", summary=("All done here.",))
    assert visible(render_article_summary(whole, ["All done here."], NOW, CATALOGUE.get)[0]).endswith("here.")


def test_next_digest_inside_quiet_hours_shows_when_they_end() -> None:
    # 06:00 in Berlin is within quiet hours 22:00-07:00: the digest comes at 07:00, and the panel says so.
    six = datetime(2026, 1, 6, 5, tzinfo=UTC).timestamp()
    chat = Chat(
        id=1,
        mode="digest",
        digest_times=("06:00",),
        timezone="Europe/Berlin",
        quiet_start="22:00",
        quiet_end="07:00",
        next_digest_at=six,
    )
    assert "⏰ Next digest: Tue 6 Jan, 07:00" in render_settings(chat).html
    assert "⏰ Next digest: Tue 6 Jan, 06:00" in render_settings(replace(chat, quiet_start=None)).html


def test_hostile_unicode_from_a_feed_cannot_reverse_hide_or_pile_up_in_any_reply() -> None:
    # HTML escaping does nothing against plain Unicode: a right-to-left override (U+202E) or an open isolate
    # in a summary mirrored the rest of its paragraph in alerts and /summary; a title of zero-width spaces
    # was an invisible link; and hundreds of stacked accents ("Zalgo") spilled over the lines around them.
    from bot.render.delivery import render_alert

    hostile = article(
        40,
        title="\u200b\u2060\ufeff",
        summary=("Shares \u202erose\u2067 today.", "Z" + "\u0301" * 200 + "algo wins.", "Ends here."),
        source="Wire\u206e\u202d A",
    )
    alert, _ = render_alert(hostile, sentences=3, now=NOW, catalogue=CATALOGUE)
    texts = [
        parse_html(alert).text,
        *(visible(r) for r in render_article_summary(hostile, hostile.summary, NOW, CATALOGUE.get)),
        *(visible(r) for r in render_latest([hostile], NOW, CATALOGUE.get)),
        *(visible(r) for r in render_search("rose\u202e", [hostile], NOW, CATALOGUE.get)),
    ]
    for text in texts:
        assert not re.search("[\u202a-\u202e\u2066-\u2069\u200b\u2060\ufeff\u206a-\u206f]", text), repr(text)
        assert "\u0301" * 5 not in text
        assert "(untitled)" in text and "Wire A" in text
    assert "Shares rose today. Z" in texts[0] and "Shares rose today." in texts[1]
    # Right-to-left letters, the implicit marks, ZWNJ (Persian) and ZWJ (emoji sequences) are text: kept.
    rtl = article(41, title="שלום עולם \u200fخبر\u200cها 👩\u200d💻", summary=("سلام دنیا.",))
    alert, _ = render_alert(rtl, sentences=1, now=NOW, catalogue=CATALOGUE)
    assert "שלום עולם \u200fخبر\u200cها 👩\u200d💻" in parse_html(alert).text and "سلام دنیا." in alert


def test_an_arabic_or_hebrew_source_name_in_latest_search_and_summary_keeps_the_line_left_to_right() -> None:
    # "الجزيرة · 2 h ago · #12" opened with a right-to-left letter, so clients laid the line out right to
    # left and read it "h ago · #12 2 · الجزيرة"; two Arabic names under "also:" made one run, read in the
    # opposite order; Arabic search words laid the heading out as "articles, newest first 2 : أبل 🔎".
    lrm = "\u200e"
    story = article(
        12, title="آبل تطلق هاتفا جديدا في 2025", source="الجزيرة", summary=("ارتفعت الأسهم 3.5%.",)
    )
    hebrew = article(14, title="עלייה של 3.5% במניות Apple", source="הארץ", summary=("המניות עלו.",))
    also = {12: ["سكاي نيوز", "العربية"]}
    [latest] = render_latest([story, hebrew], NOW, CATALOGUE.get, also=also)
    [found] = render_search("أبل 2025", [story], NOW, CATALOGUE.get)
    [summary] = render_article_summary(story, story.summary, NOW, CATALOGUE.get)
    text = visible(latest)
    assert f"{lrm}الجزيرة{lrm} · 2 h ago · #12 · also: {lrm}سكاي نيوز{lrm}, {lrm}العربية{lrm}\n" in text
    assert f"{lrm}הארץ{lrm} · 2 h ago · #14\n" in text
    assert visible(found).startswith(f"🔎 {lrm}أبل 2025{lrm}: 1 article, newest first\n")
    assert f"\n{lrm}الجزيرة{lrm} · 2 h ago · #12\n" in visible(summary)
    # The buttons, wholly the title's direction, and their callback data are as they were.
    assert [[(b.text, b.callback_data) for b in row] for row in latest.keyboard.inline_keyboard] == [  # type: ignore[union-attr]
        [("📄 #12 آبل تطلق هاتفا جديدا في 2025", "sum:12")],
        [("📄 #14 עלייה של 3.5% במניות Apple", "sum:14")],
    ]
    # English readers see what they saw: no marks at all.
    english = article(1, source="Example News")
    for reply in (
        *render_latest([english], NOW, CATALOGUE.get, also={1: ["Other Wire"]}),
        *render_search("carmaker", [english], NOW, CATALOGUE.get),
        *render_article_summary(english, english.summary, NOW, CATALOGUE.get),
    ):
        assert lrm not in reply.html
        assert "Example News · 2 h ago · #1" in visible(reply)


def test_latest_and_search_date_an_old_article_in_the_chats_timezone() -> None:
    old = replace(article(1), published=datetime(2023, 3, 4, 22, 0, tzinfo=UTC))
    fresh = replace(article(2), published=datetime(2026, 1, 1, 9, 0, tzinfo=UTC))
    [reply] = render_latest([old, fresh], NOW, CATALOGUE.get, zone="Pacific/Auckland")
    text = visible(reply)
    assert "Example News · 5 Mar 2023 · #1" in text  # already the 5th in New Zealand
    assert "Example News · 3 h ago · #2" in text
    [reply] = render_search("carmaker", [old], NOW, CATALOGUE.get, zone="UTC")
    assert "Example News · 4 Mar 2023 · #1" in visible(reply)
    [reply] = render_article_summary(old, ["One."], NOW, CATALOGUE.get, zone="UTC")
    assert "Example News · 4 Mar 2023 · #1" in visible(reply)


def test_an_article_with_no_text_leaves_no_blank_line_in_a_list() -> None:
    bare = article(12, title="Gwen Stefani (1980)", body="", summary=())
    [reply] = render_latest([bare, article(13)], NOW, CATALOGUE.get)
    # One blank line between entries, as between any two; not an empty line where the summary would be.
    assert "Example News · 2 h ago · #12\n\n" in visible(reply)
    assert "\n\n\n" not in visible(reply)


def test_latest_and_search_titles_open_the_article_as_in_alerts_and_digests() -> None:
    odd = replace(article(13, "Proxy settings"), url="tg://proxy?server=x")
    for reply in (
        render_latest([article(12), odd], NOW, CATALOGUE.get)[0],
        render_search("carmaker", [article(12), odd], NOW, CATALOGUE.get)[0],
    ):
        links = [e for e in parse_html(reply.html).entities if e["type"] == "text_link"]
        # A tap on the headline opens the story; only web addresses are links (tg:// changes settings).
        assert [e["url"] for e in links] == ["https://news.example/12"]
        assert '<b><a href="https://news.example/12">Carmaker plans</a></b>' in reply.html


@pytest.mark.parametrize("instant", [True, False])
def test_a_paused_groups_empty_digest_says_the_group_is_paused(instant: bool) -> None:
    # A member asking /digest in a paused group was told news "come as they arrive", or "Nothing new".
    reply = render_digest_empty(True, instant, paused=True, chat_type="supergroup")
    assert reply.html == (
        "This group is paused: nothing is collected for its digest until it is resumed (/settings resume). "
        "/latest shows the newest articles."
    )


def test_small_replies_say_what_happened_in_words_a_user_reads() -> None:
    assert visible(render_follow_result(FollowResult(), Chat(id=1))) == "Nothing changed."
    assert "Tap a topic to follow it, tap again to stop. ✅ = following." in visible(render_topics([], set()))
    assert visible(render_welcome("Ann " * 16, [], set(), new=True)).startswith(
        "👋 Hello, " + "Ann " * 8 + "Ann…!\n"
    )
    assert "📬 Delivery: instant alerts — ⏸ paused" in visible(
        render_mysubs(Chat(id=1, paused=True), [], CATALOGUE.get)
    )
    failing = Feed(
        id=1, url="https://f.example/rss", title="F", failures=2, last_error="timeout", next_poll_at=NOW + 30
    )
    assert "Next try in under a minute." in visible(render_feeds([failing], NOW)[0])
    assert len(visible(render_problem("word " * 1000))) <= 610
    # In a group a posted link is talk, so the tip says to reply /summary; a channel's posts are the news.
    assert "Tip: reply /summary to a message with a link" in visible(render_help(admin=False, group=True))
    assert "Tip" not in visible(render_help(admin=False, channel=True))
    three = FeedAdded(Feed(id=1, url="https://f.example/rss"), "F", True, other_feeds=("a", "b", "c"))
    assert "The page also names 3 other feeds: a, b, c. To poll" in visible(render_feed_added(three))


def test_a_latest_list_too_long_for_one_message_has_its_buttons_under_the_last_and_short_lines() -> None:
    long_first = ("Word " * 100 + "end.",)
    replies = render_latest(
        [article(i, "Title " * 30, summary=long_first) for i in range(1, 41)], NOW, CATALOGUE.get
    )
    assert len(replies) > 1
    assert all(r.keyboard is None for r in replies[:-1]) and replies[-1].keyboard is not None
    lines = [line for r in replies for line in visible(r).split("\n") if line.startswith("Word")]
    assert lines and all(len(line) <= 200 for line in lines)


def test_a_catalogue_over_100_topics_keeps_a_followed_late_topic_on_the_keyboard() -> None:
    topics = [Topic(id=f"t{i}", title=f"Topic {i}", emoji="") for i in range(120)]
    reply = render_topics(topics, {"t119"})
    assert reply.keyboard is not None
    rows = reply.keyboard.inline_keyboard
    labels = [b.text for row in rows for b in row]
    # Telegram refuses more than 100 buttons; the followed topic must stay to be unfollowed by a tap.
    assert len(labels) == 100 and "✅ Topic 119" in labels
    assert all(len(row) <= 2 for row in rows)


def test_a_subscribe_reply_to_hundreds_of_words_fits_one_message_and_counts_the_rest() -> None:
    rejected = [(f"word{i:03d}", "it is too short") for i in range(300)]
    reply = render_follow_result(FollowResult(rejected=rejected), Chat(id=1))
    text = visible(reply)
    shown = text.count("⚠️ Not followed")
    assert 0 < shown < 300
    assert text.endswith(f"…and {300 - shown} more")


def test_a_page_long_address_is_not_made_a_link_in_latest() -> None:
    long_url = replace(article(1), url="https://news.example/" + "a" * 1000)
    [reply] = render_latest([long_url, article(2)], NOW, CATALOGUE.get)
    assert "a" * 1000 not in reply.html and '<a href="https://news.example/2">' in reply.html


def test_an_unknown_command_is_matched_only_to_a_near_miss() -> None:
    assert suggest_command("/lates") == "latest" and suggest_command("/sarch") == "search"
    # A word of its own is not a typo: "/hello" is not "/help".
    assert suggest_command("/hello") is None and suggest_command("/weather") is None


def test_an_unknown_command_a_message_long_is_quoted_short() -> None:
    text = visible(render_unknown_command("/" + "x" * 4095, "latest"))
    assert text.startswith("I don't know /xxx") and "…. Did you mean /latest?" in text and len(text) < 200


def test_a_search_typed_with_extra_spaces_still_gets_its_page_buttons() -> None:
    # A phone keyboard's double space or a line break is no part of the search: the button carries the words.
    words = "harbour  cranes\nrepainted   before storms"
    [reply] = render_search(words, [article(12)], NOW, CATALOGUE.get, more=True)
    assert all_callback_data(reply) == ["sum:12", "sch:12:1:harbour cranes repainted before storms"]


def test_a_word_unsubscribed_twice_is_named_once() -> None:
    text = visible(render_unfollow_result(UnfollowResult(not_followed=["harbour", "harbour"])))
    assert text == "❓ You don't follow “harbour”.\n/mysubs shows what you follow."


def test_a_swapped_feed_listing_one_item_says_it_was_stored() -> None:
    text = render_feed_swapped(Feed(id=1, url="https://f.example/rss", title="Old"), "New", "new.example", 1)
    assert "\nThe 1 item it lists now was stored but not sent to anyone.\n" in parse_html(text).text
