"""The real application against the emulator: a feed poll leads to an alert; a digest arrives on time."""

from __future__ import annotations

import asyncio
import contextlib
import random
import time
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import UTC, datetime
from email.utils import format_datetime
from pathlib import Path

import pytest

from bot.clock import FakeClock
from bot.context import BotApplication
from bot.delivery.service import CATCHUP_GATHER_SECONDS
from bot.emulator import BotApiEmulator
from bot.scheduling import utc
from bot.store import ChatDefaults, Database, NewArticle
from summaries.articles import Article
from tests.conftest import MakeBot, make_settings, services_of
from tests.conversation.helpers import PARTIAL_NOTE, WALLED_LEAD, WALLED_TITLE, add_walled_page, press, say
from tests.delivery.support import wait_until
from tests.support.news_site import NewsSite


async def subscribe(app: BotApplication, emulator: BotApiEmulator, chat_id: int, topic: str) -> None:
    services = services_of(app)
    await emulator.add_chat(chat_id)
    await services.db.chats.register(chat_id, "private", None, ChatDefaults(), services.clock.now())
    await services.db.subscriptions.add(chat_id, "topic", topic, services.clock.now())


@contextlib.asynccontextmanager
async def _business_feed_polled_for_chat_42(
    tmp_path: Path, emulator: BotApiEmulator, news_site: NewsSite, clock: FakeClock, make_bot: MakeBot
) -> AsyncIterator[BotApplication]:
    """The bot polling the site's business feed every minute, chat 42 following business, the first poll done."""
    feed = news_site.feed_url("business")
    settings = make_settings(tmp_path, emulator, feeds=f"{feed}=business", feed_interval_seconds=60)
    async with make_bot(settings=settings, clock=clock) as app:
        await subscribe(app, emulator, 42, "business")
        await wait_until(lambda: news_site.hits(feed.removeprefix(news_site.base_url)) >= 1)
        yield app


async def _following(emulator: BotApiEmulator, keywords: tuple[tuple[int, str], ...]) -> None:
    """Each chat of ``keywords`` (chat id, what it follows) sends /subscribe with its keyword."""
    for chat, keyword in keywords:
        await emulator.add_chat(chat)
        await say(emulator, f"/subscribe {keyword}", chat=chat)


async def _publish_a_minute_apart(
    news_site: NewsSite, clock: FakeClock, stories: list[tuple[str, str]]
) -> None:
    """Publish each (title, sentence) in the business feed a minute after the last (its text the sentence five
    times), then move the clock past the polls that read them all."""
    for minutes, (title, body) in enumerate(stories, start=1):
        published = datetime.fromtimestamp(clock.now() + 60 * minutes, UTC)
        await news_site.publish("business", title, body * 5, published=published)
    clock.advance(60 * (len(stories) + 1))


async def test_feed_poll_to_instant_alert(
    tmp_path: Path, emulator: BotApiEmulator, news_site: NewsSite, clock: FakeClock, make_bot: MakeBot
) -> None:
    async with _business_feed_polled_for_chat_42(tmp_path, emulator, news_site, clock, make_bot) as app:
        await subscribe(app, emulator, 43, "sport")
        await news_site.publish(
            "business",
            "Carmaker reports record profit",
            " ".join(
                f"The carmaker said profit rose in region {n} of its {n + 1} markets." for n in range(8)
            ),
            published=datetime.fromtimestamp(clock.now() + 30, UTC),  # after the feed was added
        )
        clock.advance(61)
        alert = await emulator.next_message(chat_id=42, timeout=10)
        assert "Carmaker reports record profit" in alert.text
        assert "Only the start" not in alert.text  # a whole article's alert says nothing of the kind
        # The alert shows three sentences; its button offers more of them, not the same three again.
        assert alert.button_data("Longer summary").startswith("sum:") and alert.button_data(
            "Longer"
        ).endswith(":6")
        await emulator.wait_for_idle(quiet=0.3)
        assert emulator.messages(43) == []
        # The tap brings six sentences, the three of the alert among them, in a reply under the alert.
        await press(emulator, alert, alert.button_data("Longer summary"))
        longer = await emulator.next_message(chat_id=42, timeout=10)
        assert longer.text.count("The carmaker said profit rose") == 6
        assert alert.text.split("\n")[-1].split(". ")[0] in longer.text
        # A /summary in reply to the alert summarizes its article, whatever the button asks for.
        reply = await say(emulator, "/summary 2", chat=42, reply_to=alert.message_id)
        assert reply.text.count("The carmaker said profit rose") == 2 and "Carmaker reports" in reply.text


async def test_an_alert_of_a_teaser_whose_page_is_walled_says_only_the_start_could_be_read(
    tmp_path: Path, emulator: BotApiEmulator, news_site: NewsSite, clock: FakeClock, make_bot: MakeBot
) -> None:
    # A feed item with only "Read more..." whose page shows two paragraphs and then a sign-in wall: the alert
    # summarized those two as if they were the story, with no word that the rest was hidden.
    channel = (
        "<?xml version='1.0'?><rss version='2.0'><channel><title>Harbour Post</title><link>http://x/</link>"
    )
    feed = news_site.add("/teasers.xml", f"{channel}</channel></rss>", content_type="application/rss+xml")
    settings = make_settings(tmp_path, emulator, feeds=f"{feed}=politics", feed_interval_seconds=60)
    async with make_bot(settings=settings, clock=clock) as app:
        await subscribe(app, emulator, 42, "politics")
        db = services_of(app).db
        chat = await db.chats.get(42)
        assert chat is not None
        # One sentence a summary, so the alert offers a longer one.
        await db.chats.save_settings(replace(chat, summary_sentences=1), clock.now())
        await wait_until(lambda: news_site.hits("/teasers.xml") >= 1)
        page = add_walled_page(news_site, "/bridge.html")
        published = format_datetime(datetime.fromtimestamp(clock.now() + 30, UTC), usegmt=True)
        news_site.add(
            "/teasers.xml",
            f"{channel}<item><title>{WALLED_TITLE}</title><link>{page}</link><description>Read more...</description>"
            f"<pubDate>{published}</pubDate></item></channel></rss>",
            content_type="application/rss+xml",
        )
        clock.advance(61)
        alert = await emulator.next_message(chat_id=42, timeout=10)
        assert WALLED_LEAD[0] in alert.text and alert.text.rstrip().endswith(PARTIAL_NOTE), alert.text
        # The longer summary the alert offers is of the same start.
        await press(emulator, alert, alert.button_data("Longer summary"))
        longer = await emulator.next_message(chat_id=42, timeout=10)
        assert WALLED_LEAD[1] in longer.text and longer.text.rstrip().endswith(PARTIAL_NOTE), longer.text
        # So is the summary behind its button in /latest and in /search.
        stored = await db.articles.get_by_url(page)
        assert stored is not None and stored.partial
        for command in ("/latest", "/search harbour bridge"):
            listed = await say(emulator, command, chat=42)
            await press(emulator, listed, listed.button_data(f"#{stored.id} "))
            summary = await emulator.next_message(chat_id=42, timeout=10)
            assert WALLED_TITLE in summary.text and summary.text.rstrip().endswith(PARTIAL_NOTE), command


async def test_an_item_whose_guid_is_no_address_is_shown_without_a_made_up_link_and_alerted_once(
    tmp_path: Path, emulator: BotApiEmulator, news_site: NewsSite, clock: FakeClock, make_bot: MakeBot
) -> None:
    # An item with no <link> and a guid such as "1042" (no isPermaLink="false"): feedparser makes the guid a
    # link against the feed's address, so the alert, /latest, /search and /summary linked the headline to
    # http://site/1042, a page that was never there (and the poll fetched it as the item's page).
    channel = "<?xml version='1.0'?><rss version='2.0'><channel><title>Harbour Notices</title>"
    channel += f"<link>{news_site.url('/')}</link>"
    feed = news_site.add("/notices.xml", f"{channel}</channel></rss>", content_type="application/rss+xml")
    published = format_datetime(datetime.fromtimestamp(clock.now() + 30, UTC), usegmt=True)

    def notice(title: str, text: str) -> str:
        item = f"<item><title>{title}</title><guid>1042</guid><description>{text}</description>"
        return f"{channel}{item}<pubDate>{published}</pubDate></item></channel></rss>"

    text = "The harbour council voted to close berth four. The mayor said repairs start in May."
    settings = make_settings(tmp_path, emulator, feeds=f"{feed}=politics", feed_interval_seconds=60)
    async with make_bot(settings=settings, clock=clock) as app:
        await subscribe(app, emulator, 42, "politics")
        await wait_until(lambda: news_site.hits("/notices.xml") >= 1)
        news_site.add(
            "/notices.xml", notice("Council closes berth four", text), content_type="application/rss+xml"
        )
        clock.advance(61)
        alert = await emulator.next_message(chat_id=42, timeout=10)
        assert "Council closes berth four" in alert.text and "href" not in alert.html, alert.html
        stored = await services_of(app).db.articles.search("berth")
        assert [a.title for a in stored] == ["Council closes berth four"]
        for command in ("/latest", "/search berth", f"/summary {stored[0].id}"):
            answer = await say(emulator, command, chat=42)
            assert "Council closes berth four" in answer.text and "/1042" not in answer.html, command
        sent = len(emulator.messages(42))
        # Polled again with its text and headline corrected: the same item (its guid), not news again.
        news_site.add(
            "/notices.xml",
            notice("Council closes berth four for repairs", text + " Ferries use berth two."),
            content_type="application/rss+xml",
        )
        clock.advance(61)
        await wait_until(lambda: news_site.hits("/notices.xml") >= 3)
        clock.advance(61)
        await wait_until(lambda: news_site.hits("/notices.xml") >= 4)
        await emulator.wait_for_idle(quiet=0.3)
        assert len(emulator.messages(42)) == sent
        assert news_site.hits("/1042") == 0
        # Its stored version is the corrected one, as for an item with a link.
        answer = await say(emulator, f"/summary {stored[0].id}", chat=42)
        assert (
            "Council closes berth four for repairs" in answer.text and "Ferries use berth two" in answer.text
        )


async def test_a_keyword_with_a_leading_dot_alerts_on_the_name_not_on_the_bare_word(
    tmp_path: Path, emulator: BotApiEmulator, news_site: NewsSite, clock: FakeClock, make_bot: MakeBot
) -> None:
    # "/subscribe .NET" followed "net": every "net profit" of the business news was an alert about .NET.
    async with _business_feed_polled_for_chat_42(tmp_path, emulator, news_site, clock, make_bot):
        await emulator.add_chat(77)
        reply = await say(emulator, "/subscribe .NET", chat=77)
        assert "Keywords: “.net”" in reply.text
        for minutes, (title, body) in enumerate(
            [
                ("Bank lifts its net profit", "The bank said net profit rose by a tenth. "),
                ("Runtime release for developers", "Microsoft shipped .NET 10 with faster start-up. "),
            ],
            start=1,
        ):
            published = datetime.fromtimestamp(clock.now() + 60 * minutes, UTC)
            await news_site.publish("business", title, body * 5, published=published)
        clock.advance(180)
        alert = await emulator.next_message(chat_id=77, timeout=10)
        assert "Runtime release for developers" in alert.text
        await emulator.wait_for_idle(quiet=0.3)
        # Alerts go oldest first: the net profit story, published first, would have come before this one.
        assert [m.text for m in emulator.messages(77)] == [reply.text, alert.text]


async def test_a_keyword_in_german_or_single_quotes_alerts_on_its_words_and_says_why(
    tmp_path: Path, emulator: BotApiEmulator, news_site: NewsSite, clock: FakeClock, make_bot: MakeBot
) -> None:
    # A German keyboard's „Elektroauto“ followed the keyword "„elektroauto", quote and all, which no article
    # holds: no alert ever came. ‘solid state’ (a phone's single quotes) followed "solid" and "state" apart.
    async with _business_feed_polled_for_chat_42(tmp_path, emulator, news_site, clock, make_bot):
        await emulator.add_chat(77)
        reply = await say(emulator, "/subscribe „Elektroauto“ ‘solid state’", chat=77)
        assert "Keywords: “elektroauto”, “solid state”" in reply.text, reply.text
        stories = [
            ("State budget passes", "The state budget passed with solid support. "),
            ("Neues Elektroauto vorgestellt", "Der Hersteller zeigte ein günstiges Elektroauto. "),
            ("Solid state batteries near", "Solid state cells charge faster, the maker said. "),
        ]
        await _publish_a_minute_apart(news_site, clock, stories)
        first = await emulator.next_message(chat_id=77, timeout=10)
        second = await emulator.next_message(chat_id=77, timeout=10)
        assert "Neues Elektroauto vorgestellt" in first.text and "🔎 elektroauto" in first.text
        assert "Solid state batteries near" in second.text and "🔎 solid state" in second.text
        await emulator.wait_for_idle(quiet=0.3)
        assert [m.text for m in emulator.messages(77)] == [reply.text, first.text, second.text]


async def test_a_keyword_typed_without_umlauts_alerts_on_the_umlaut_and_back_but_joe_is_not_jo(
    tmp_path: Path, emulator: BotApiEmulator, news_site: NewsSite, clock: FakeClock, make_bot: MakeBot
) -> None:
    # "/subscribe mueller" (a German keyboard without umlaut keys) never alerted on "Thomas Müller", nor
    # "/subscribe Müller" on a wire's "Mueller".
    async with _business_feed_polled_for_chat_42(tmp_path, emulator, news_site, clock, make_bot):
        await _following(emulator, ((77, "mueller"), (78, "Müller"), (79, "Joe")))
        stories = [
            ("Thomas Müller verlängert beim Klub", "Der Stürmer bleibt ein weiteres Jahr. "),
            ("Jo Baker opens a bakery", "The baker said bread sold out by noon. "),
            ("Mueller signs a new deal", "The forward stays for another season. "),
        ]
        await _publish_a_minute_apart(news_site, clock, stories)
        for chat in (77, 78):
            first = await emulator.next_message(chat_id=chat, timeout=10)
            second = await emulator.next_message(chat_id=chat, timeout=10)
            assert "Thomas Müller verlängert beim Klub" in first.text, (chat, first.text)
            assert "Mueller signs a new deal" in second.text, (chat, second.text)
        await emulator.wait_for_idle(quiet=0.3)
        assert [len(emulator.messages(chat)) for chat in (77, 78, 79)] == [3, 3, 1]


async def test_a_keyword_typed_without_a_polish_l_or_danish_o_alerts_on_it_and_back(
    tmp_path: Path, emulator: BotApiEmulator, news_site: NewsSite, clock: FakeClock, make_bot: MakeBot
) -> None:
    # English wires print "Orsted" and "Lodz" for "Ørsted" and "Łódź", which have no accent to drop: a chat
    # following "orsted" never heard of a headline naming "Ørsted", and one following "łódź" of "Lodz".
    async with _business_feed_polled_for_chat_42(tmp_path, emulator, news_site, clock, make_bot):
        await _following(emulator, ((77, "orsted"), (78, "Łódź")))
        stories = [
            ("Ørsted wins an offshore wind auction", "The Danish group will build the farm by 2030. "),
            ("Lodz hosts a textile fair", "Exhibitors from twenty countries came to the city. "),
            ("Orsted shares rise", "Investors welcomed the auction result on Tuesday. "),
        ]
        await _publish_a_minute_apart(news_site, clock, stories)
        first = await emulator.next_message(chat_id=77, timeout=10)
        second = await emulator.next_message(chat_id=77, timeout=10)
        assert "Ørsted wins an offshore wind auction" in first.text, first.text
        assert "Orsted shares rise" in second.text, second.text
        alert = await emulator.next_message(chat_id=78, timeout=10)
        assert "Lodz hosts a textile fair" in alert.text and "🔎 łódź" in alert.text, alert.text
        await emulator.wait_for_idle(quiet=0.3)
        assert [len(emulator.messages(chat)) for chat in (77, 78)] == [3, 2]


async def test_a_keyword_alerts_on_the_abbreviation_printed_with_full_stops(
    tmp_path: Path, emulator: BotApiEmulator, news_site: NewsSite, clock: FakeClock, make_bot: MakeBot
) -> None:
    # Wire and American style print "U.S." and "U.N." where others print "US" and "UN": a chat following
    # "us election" (the phrase the bot suggests for "us") never heard of a "U.S. election" headline.
    async with _business_feed_polled_for_chat_42(tmp_path, emulator, news_site, clock, make_bot):
        await _following(emulator, ((77, '"us election"'), (78, "UN")))
        stories = [
            ("U.S. election turnout hits a record", "Polling stations stayed open late in many states. "),
            ("U.N. envoy visits the border", "The envoy met officials from both sides on Monday. "),
        ]
        await _publish_a_minute_apart(news_site, clock, stories)
        alert = await emulator.next_message(chat_id=77, timeout=10)
        assert "U.S. election turnout hits a record" in alert.text and "🔎 us election" in alert.text, (
            alert.text
        )
        alert = await emulator.next_message(chat_id=78, timeout=10)
        assert "U.N. envoy visits the border" in alert.text and "🔎 un" in alert.text, alert.text
        await emulator.wait_for_idle(quiet=0.3)
        assert [len(emulator.messages(chat)) for chat in (77, 78)] == [2, 2]


async def test_a_keyword_is_found_in_a_word_a_feed_prints_with_a_soft_hyphen(
    tmp_path: Path, emulator: BotApiEmulator, news_site: NewsSite, clock: FakeClock, make_bot: MakeBot
) -> None:
    # German sites put soft hyphens (&shy;) into long words of their headlines so that they break on phones:
    # "/subscribe bundesregierung" never alerted on "Bundes&shy;regierung", while "/subscribe regierung",
    # a word the headline does not hold, did. A word joiner or a zero-width no-break space hides the same way.
    async with _business_feed_polled_for_chat_42(tmp_path, emulator, news_site, clock, make_bot):
        await _following(emulator, ((77, "bundesregierung"), (78, "regierung"), (79, "Strompreise")))
        stories = [
            ("Bundes\u00adregierung senkt die Strom\u2060preise", "Die Senkung gilt ab dem Sommer. "),
            ("Neue Strom\ufeffpreise ab Juli", "Die Versorger passen ihre Tarife an. "),
        ]
        await _publish_a_minute_apart(news_site, clock, stories)
        alert = await emulator.next_message(chat_id=77, timeout=10)
        assert "senkt die" in alert.text and "🔎 bundesregierung" in alert.text, alert.text
        for title, _body in stories:
            alert = await emulator.next_message(chat_id=79, timeout=10)
            assert title.split()[-1][-5:] in alert.text and "🔎 strompreise" in alert.text, alert.text
        await emulator.wait_for_idle(quiet=0.3)
        assert [len(emulator.messages(chat)) for chat in (77, 78, 79)] == [2, 1, 3]


async def test_a_chinese_alerts_sentence_without_its_stop_gets_a_chinese_one(
    tmp_path: Path, emulator: BotApiEmulator, news_site: NewsSite, clock: FakeClock, make_bot: MakeBot
) -> None:
    # A standfirst without "。" got a Western full stop and a space: "特斯拉上海工厂将扩建. 特斯拉周二表示…".
    async with _business_feed_polled_for_chat_42(tmp_path, emulator, news_site, clock, make_bot):
        await emulator.add_chat(77)
        await say(emulator, "/subscribe 特斯拉", chat=77)
        body = "特斯拉上海工厂将扩建\n\n特斯拉周二表示，上海工厂将新建两个车间。新车间明年投产，将生产电池。"
        published = datetime.fromtimestamp(clock.now() + 60, UTC)
        await news_site.publish("business", "特斯拉扩建上海工厂", body, published=published)
        clock.advance(120)
        alert = await emulator.next_message(chat_id=77, timeout=10)
        assert "\n特斯拉上海工厂将扩建。特斯拉周二表示，上海工厂将新建两个车间。" in alert.text, alert.text


async def test_a_hindi_or_bengali_keyword_alerts_on_its_word_not_on_words_sharing_its_letters(
    tmp_path: Path, emulator: BotApiEmulator, news_site: NewsSite, clock: FakeClock, make_bot: MakeBot
) -> None:
    # Words were cut at every vowel sign: "/subscribe भारत" (India) alerted on a story about Bharti ("भारती"),
    # and "ঢাকা" (Dhaka) on one about a drum ("ঢাক").
    async with _business_feed_polled_for_chat_42(tmp_path, emulator, news_site, clock, make_bot):
        await emulator.add_chat(77)
        reply = await say(emulator, "/subscribe भारत ঢাকা", chat=77)
        assert "“भारत”" in reply.text and "“ঢাকা”" in reply.text
        stories = [
            ("भारती एयरटेल का मुनाफ़ा बढ़ा", "भारती एयरटेल ने तिमाही नतीजे जारी किए। "),
            ("भरत की नई दुकान खुली", "व्यापारी भरत ने बाज़ार में दुकान खोली। "),
            ("ঢাক বাজিয়ে মেলা শুরু", "গ্রামের মেলায় ঢাক বাজল। "),
            ("भारत का निर्यात रिकॉर्ड स्तर पर", "भारत से निर्यात इस साल तेज़ी से बढ़ा। "),
            ("ঢাকা শেয়ারবাজারে উত্থান", "ঢাকা স্টক এক্সচেঞ্জে সূচক বেড়েছে। "),
        ]
        await _publish_a_minute_apart(news_site, clock, stories)
        first = await emulator.next_message(chat_id=77, timeout=10)
        second = await emulator.next_message(chat_id=77, timeout=10)
        assert "भारत का निर्यात रिकॉर्ड स्तर पर" in first.text and "ঢাকা শেয়ারবাজারে উত্থান" in second.text
        await emulator.wait_for_idle(quiet=0.3)
        assert [m.text for m in emulator.messages(77)] == [reply.text, first.text, second.text]


async def test_a_polls_new_items_reach_the_chat_oldest_first_so_it_reads_as_a_timeline(
    tmp_path: Path, emulator: BotApiEmulator, news_site: NewsSite, clock: FakeClock, make_bot: MakeBot
) -> None:
    # A feed lists its newest item first; alerts planned in that order put the newest at the top of the
    # chat, above older news, where Telegram shows the latest message at the bottom.
    async with _business_feed_polled_for_chat_42(tmp_path, emulator, news_site, clock, make_bot):
        titles = ("Bank opens its doors", "Shares rise at noon", "Rates hold in the evening")
        for minutes, title in enumerate(titles, start=1):
            await news_site.publish(
                "business",
                title,
                f"{title} as the market watched closely. " * 5,
                published=datetime.fromtimestamp(clock.now() + 60 * minutes, UTC),
            )
        clock.advance(240)
        texts = [(await emulator.next_message(chat_id=42, timeout=10)).text for _ in titles]
        assert [title for text in texts for title in titles if title in text.split("\n")[0]] == list(titles)


async def test_a_feeds_edit_of_an_item_reaches_a_digest_still_to_come_and_alerts_nobody_again(
    tmp_path: Path, emulator: BotApiEmulator, news_site: NewsSite, clock: FakeClock, make_bot: MakeBot
) -> None:
    # The site corrected its headline after the alert went out: the digest still to come showed the first,
    # wrong headline. The correction is not news: the chat that had the alert gets nothing more.
    async with _business_feed_polled_for_chat_42(tmp_path, emulator, news_site, clock, make_bot) as app:
        services = services_of(app)
        await subscribe(app, emulator, 43, "business")
        chat = await services.db.chats.get(43)
        assert chat is not None
        chat = replace(chat, mode="digest", digest_times=("08:00",))
        await services.db.chats.save_settings(services.delivery.reschedule(chat, clock.now()), clock.now())
        body = " ".join(f"The carmaker said profit rose in region {n} of its markets." for n in range(8))
        published = await news_site.publish(
            "business",
            "Carmaker reports record profit",
            body,
            published=datetime.fromtimestamp(clock.now() + 30, UTC),
        )
        clock.advance(61)
        alert = await emulator.next_message(chat_id=42, timeout=10)
        assert "Carmaker reports record profit" in alert.text
        news_site.revise(published, title="Carmaker reports record loss", body=body.replace("rose", "fell"))
        clock.advance(61)
        await wait_until(lambda: news_site.hits("/feeds/business.xml") >= 3)
        for _ in range(200):
            if await services.db.articles.search("loss"):
                break
            await asyncio.sleep(0.05)
        await emulator.wait_for_idle(quiet=0.5)
        assert len(emulator.messages(42)) == 1
        digest = await say(emulator, "/digest", chat=43)
        assert "Carmaker reports record loss" in digest.text and "record profit" not in digest.text
        assert "profit fell" in digest.text


async def test_a_feeds_edit_that_adds_a_topic_alerts_that_topics_followers_once_and_nobody_else(
    tmp_path: Path, emulator: BotApiEmulator, news_site: NewsSite, clock: FakeClock, make_bot: MakeBot
) -> None:
    # The site's correction made a bank story a football story too: /latest sport listed it, but chat 44,
    # following sport, never heard of it. It gets it once now; chat 42 had it already and gets nothing more.
    async with _business_feed_polled_for_chat_42(tmp_path, emulator, news_site, clock, make_bot) as app:
        services = services_of(app)
        await subscribe(app, emulator, 44, "sport")
        body = " ".join(f"The bank said its lending rose in region {n} of its markets." for n in range(8))
        published = await news_site.publish(
            "business",
            "Bank raises its lending rates",
            body,
            published=datetime.fromtimestamp(clock.now() + 30, UTC),
        )
        clock.advance(61)
        alert = await emulator.next_message(chat_id=42, timeout=10)
        assert "Bank raises its lending rates" in alert.text
        # Following business since the alert: the story matched it before the edit, which is no news to it.
        await subscribe(app, emulator, 45, "business")
        football = (
            " The bank also bought Harbour FC, whose striker scored twice in the cup final at the stadium."
        )
        news_site.revise(published, title="Bank buys Harbour FC football club", body=body + football)
        clock.advance(61)

        sport = await emulator.next_message(chat_id=44, timeout=10)

        assert "Bank buys Harbour FC football club" in sport.text
        # A second edit of the story is no news for anyone: both chats had it.
        news_site.revise(
            published,
            title="Bank buys Harbour FC football club for a record sum",
            body=body + football.replace("twice", "three times"),
        )
        clock.advance(61)
        await wait_until(lambda: news_site.hits("/feeds/business.xml") >= 4)
        for _ in range(200):
            if await services.db.articles.search("Harbour three"):
                break
            await asyncio.sleep(0.05)
        else:
            raise AssertionError("edit not stored")
        await emulator.wait_for_idle(quiet=0.5)
        assert [m.text for m in emulator.messages(44)] == [sport.text]
        assert [m.text for m in emulator.messages(42)] == [alert.text]
        assert emulator.messages(45) == []


_GOODS = [
    "copper",
    "lumber",
    "wheat",
    "cobalt",
    "nickel",
    "cotton",
    "sugar",
    "coffee",
    "cocoa",
    "rubber",
    "zinc",
    "lithium",
    "salmon",
    "barley",
    "oats",
    "rice",
    "soybean",
    "walnut",
    "almond",
    "pepper",
    "ginger",
    "saffron",
    "vanilla",
    "cinnamon",
    "tea",
    "hops",
    "olive",
    "lemon",
    "mango",
    "banana",
    "cherry",
]


def _market_story(n: int) -> tuple[str, str]:
    """A headline and body of their own for story ``n`` (same-story grouping must not join two of them)."""
    rnd = random.Random(n)
    lines = [f"{' '.join(rnd.sample(_GOODS, 9)).capitalize()} traders said on day {n}." for _ in range(5)]
    return f"Market report {n:02d} on {_GOODS[n % len(_GOODS)]}", " ".join(lines)


async def test_a_bot_started_again_after_two_days_sends_one_catch_up_not_an_alert_a_story(
    tmp_path: Path, emulator: BotApiEmulator, news_site: NewsSite, clock: FakeClock, make_bot: MakeBot
) -> None:
    # Measured before the fix: 64 stories published while the bot was stopped for two days came as 64
    # alerts, one a second for 64 s, the oldest 47 hours old.
    feed = news_site.feed_url("business")
    settings = make_settings(tmp_path, emulator, feeds=f"{feed}=business", feed_interval_seconds=600)
    await news_site.publish(
        "business", *_market_story(99), published=datetime.fromtimestamp(clock.now(), UTC)
    )
    async with make_bot(settings=settings, clock=clock) as app:
        await subscribe(app, emulator, 42, "business")
        db = services_of(app).db
        for _ in range(200):  # the first poll: its backlog alerts nobody
            if (await db.feeds.list())[0].last_success_at:
                break
            await asyncio.sleep(0.05)
    stopped = clock.now()
    late = []
    for n in range(24):  # a story every two hours while the bot was stopped
        title, body = _market_story(n)
        late.append(title)
        await news_site.publish(
            "business", title, body, published=datetime.fromtimestamp(stopped + 60 + n * 7200, UTC)
        )
    clock.set(stopped + 2 * 86400)
    fresh, body = _market_story(50)
    await news_site.publish("business", fresh, body, published=datetime.fromtimestamp(clock.now() - 600, UTC))
    async with make_bot(settings=settings, clock=clock):
        alert = await emulator.next_message(chat_id=42, timeout=10)  # the fresh story, at once
        assert alert.text.startswith(f"💼 {fresh}\n")
        clock.advance(CATCHUP_GATHER_SECONDS)
        await emulator.next_message(chat_id=42, timeout=10)
        await emulator.wait_for_idle(quiet=1.0)
    parts = [m.text for m in emulator.messages(42)[1:]]
    assert 1 <= len(parts) <= 2, parts  # split only where 4,096 characters require it
    assert parts[0].startswith("🕰 Catching up on earlier news: 24 stories"), parts[0]
    assert all("\n".join(parts).count(title) == 1 for title in late)


async def test_a_feed_dating_its_news_hours_back_still_gets_alerts_not_a_catch_up(
    tmp_path: Path, emulator: BotApiEmulator, news_site: NewsSite, clock: FakeClock, make_bot: MakeBot
) -> None:
    # Measured before the fix: a feed read every 10 minutes writing local time as GMT (5 h behind) had its 8
    # stories of those minutes held a minute and folded into "🕰 Catching up on earlier news" with "5 h ago".
    feed = news_site.feed_url("business")
    settings = make_settings(tmp_path, emulator, feeds=f"{feed}=business", feed_interval_seconds=600)
    skew = 5 * 3600
    await news_site.publish(
        "business", *_market_story(99), published=datetime.fromtimestamp(clock.now() - skew, UTC)
    )
    async with make_bot(settings=settings, clock=clock) as app:
        await subscribe(app, emulator, 42, "business")
        db = services_of(app).db
        for _ in range(200):  # the first poll: its backlog alerts nobody
            if first := (await db.feeds.list())[0].last_success_at:
                break
            await asyncio.sleep(0.05)
        titles = []
        for n in range(8):  # the next 10 minutes' stories, each dated 5 h behind
            title, body = _market_story(n)
            titles.append(title)
            await news_site.publish(
                "business", title, body, published=datetime.fromtimestamp(clock.now() + n * 60 - skew, UTC)
            )
        clock.advance(600)  # the next poll, 10 minutes later
        for _ in range(200):
            if (await db.feeds.list())[0].last_success_at != first:
                break
            await asyncio.sleep(0.05)
        # At once, not after the catch-up minute (the clock stands still).
        await wait_until(lambda: len(emulator.messages(42)) >= len(titles), timeout=15)
        await emulator.wait_for_idle(quiet=0.5)
    assert [m.text.split("\n")[0] for m in emulator.messages(42)] == [f"💼 {title}" for title in titles]


async def test_digest_job_sends_at_local_time_after_dst_change(
    tmp_path: Path, emulator: BotApiEmulator, make_bot: MakeBot
) -> None:
    clock = FakeClock(utc(2026, 10, 24, 12))  # Berlin leaves summer time on 2026-10-25
    settings = make_settings(tmp_path, emulator)
    async with make_bot(settings=settings, clock=clock) as app:
        services = services_of(app)
        await subscribe(app, emulator, 42, "sport")
        chat = await services.db.chats.get(42)
        assert chat is not None
        chat = replace(chat, mode="digest", timezone="Europe/Berlin", digest_times=("08:00",))
        await services.db.chats.save_settings(services.delivery.reschedule(chat, clock.now()), clock.now())
        stored = await services.ingest.ingest_articles(
            [
                Article(
                    url="https://news.example/opener",
                    title="Season opener",
                    body="The season opened. " * 5,
                    source="Sport Wire",
                    topics=("sport",),
                )
            ]
        )
        assert await services.delivery.plan_alerts([a for a, _status in stored], clock.now()) == 1
        clock.set(utc(2026, 10, 25, 6, 59))  # 07:59 CET
        await emulator.wait_for_idle(quiet=0.3)
        assert emulator.messages(42) == []
        clock.set(utc(2026, 10, 25, 7, 0))  # 08:00 CET
        digest = await emulator.next_message(chat_id=42, timeout=10)
        assert "Season opener" in digest.text
        for _ in range(100):  # the schedule is written right after the send
            chat = await services.db.chats.get(42)
            if chat is not None and chat.next_digest_at == utc(2026, 10, 26, 7):
                break
            await asyncio.sleep(0.05)
        else:
            raise AssertionError(f"next digest not rescheduled: {chat}")
        assert chat.last_digest_at == utc(2026, 10, 25, 7)
        await emulator.wait_for_idle(quiet=0.3)
        assert len(emulator.messages(42)) == 1


async def test_articles_older_than_the_retention_days_are_pruned_by_the_running_bot(
    tmp_path: Path, emulator: BotApiEmulator, clock: FakeClock, make_bot: MakeBot
) -> None:
    # NEWSBOT_RETENTION_DAYS: what was stored longer ago than that leaves /latest and /search.
    settings = make_settings(tmp_path, emulator, retention_days=7)
    day = 86400.0
    async with await Database.open(settings.db_path) as db:
        for age_days, title in ((8, "Eight days old"), (6, "Six days old")):
            article = Article(
                url=f"https://news.example/{age_days}",
                title=title,
                body=f"{title}: the ferry timetable changed. Nobody noticed at first.",
                source="Harbour Wire",
            )
            await db.articles.add_many([NewArticle(article, title)], clock.now() - age_days * day)
    async with make_bot(settings=settings, clock=clock) as app:
        services = services_of(app)
        for _ in range(200):  # the bot's first tick prunes
            if await services.db.articles.count() == 1:
                break
            await asyncio.sleep(0.05)
        assert [a.title for a in await services.db.articles.latest(10)] == ["Six days old"]


async def test_a_slow_feed_does_not_hold_up_the_alerts_of_a_fast_one(
    tmp_path: Path, emulator: BotApiEmulator, news_site: NewsSite, clock: FakeClock, make_bot: MakeBot
) -> None:
    feed = news_site.feed_url("business")
    settings = make_settings(
        tmp_path, emulator, feeds=f"{feed}=business", feed_interval_seconds=60, fetch_timeout_seconds=20.0
    )
    async with make_bot(settings=settings, clock=clock) as app:
        services = services_of(app)
        await subscribe(app, emulator, 42, "business")
        await wait_until(lambda: news_site.hits(feed.removeprefix(news_site.base_url)) >= 1)
        # A second feed that takes the whole fetch timeout to fail, polled in the same round as the first.
        await services.db.feeds.add(news_site.add_never_answering("/slow.xml"), (), None, clock.now())
        await news_site.publish(
            "business",
            "Carmaker reports record profit",
            "The carmaker said profit rose. " * 5,
            published=datetime.fromtimestamp(clock.now() + 30, UTC),
        )
        clock.advance(61)
        started = time.monotonic()
        alert = await emulator.next_message(chat_id=42, timeout=10)
        # It used to wait for the round's slowest feed: here the 20 s the other feed takes to time out (about 1 s
        # on a loaded machine without that wait).
        assert "Carmaker reports record profit" in alert.text
        assert time.monotonic() - started < 10.0


async def test_stopping_the_bot_does_not_wait_for_a_feed_that_never_answers(
    tmp_path: Path, emulator: BotApiEmulator, news_site: NewsSite, clock: FakeClock, make_bot: MakeBot
) -> None:
    # systemd kills a service that takes 90 s to stop; a fetch may take the whole fetch timeout.
    slow = news_site.add_never_answering("/slow.xml")
    settings = make_settings(tmp_path, emulator, feeds=slow, fetch_timeout_seconds=30.0)
    async with make_bot(settings=settings, clock=clock):
        await wait_until(lambda: news_site.hits("/slow.xml") >= 1)
        started = time.monotonic()
    assert time.monotonic() - started < 10.0


async def test_a_feed_read_after_the_first_plan_of_a_round_is_alerted_before_the_slowest_feed_ends(
    tmp_path: Path, emulator: BotApiEmulator, news_site: NewsSite, clock: FakeClock, make_bot: MakeBot
) -> None:
    # Business is read and planned first; sport comes a moment later, when that plan is done: its alert must not
    # wait for the round's slowest feed either.
    business, sport = news_site.feed_url("business"), news_site.feed_url("sport")
    settings = make_settings(
        tmp_path,
        emulator,
        feeds=f"{business}=business,{sport}=sport",
        feed_interval_seconds=60,
        fetch_timeout_seconds=20.0,
    )
    async with make_bot(settings=settings, clock=clock) as app:
        services = services_of(app)
        await subscribe(app, emulator, 42, "business")
        await subscribe(app, emulator, 42, "sport")
        for feed in (business, sport):
            await wait_until(lambda feed=feed: news_site.hits(feed.removeprefix(news_site.base_url)) >= 1)
        await services.db.feeds.add(news_site.add_never_answering("/slow.xml"), (), None, clock.now())
        for topic, title in (
            ("business", "Carmaker reports record profit"),
            ("sport", "Harbour FC win the cup"),
        ):
            await news_site.publish(
                topic,
                title,
                f"{title}, the club said. " * 5,
                published=datetime.fromtimestamp(clock.now() + 30, UTC),
            )
        news_site.hold(sport.removeprefix(news_site.base_url))
        clock.advance(61)
        first = await emulator.next_message(chat_id=42, timeout=10)
        assert "Carmaker reports record profit" in first.text
        started = time.monotonic()
        news_site.release(sport.removeprefix(news_site.base_url))
        second = await emulator.next_message(chat_id=42, timeout=10)
        assert "Harbour FC win the cup" in second.text
        assert time.monotonic() - started < 10.0  # the slowest feed takes 20 s to time out


async def test_pruning_goes_on_after_a_clock_that_ran_fast_is_put_right(
    tmp_path: Path, emulator: BotApiEmulator, make_bot: MakeBot
) -> None:
    # The bot ran with a clock a year ahead and pruned then; once NTP put the clock right, old articles must
    # still leave /latest within a day, not a year later.
    right = utc(2026, 11, 26, 12)
    clock = FakeClock(right + 365 * 86400.0)
    settings = make_settings(tmp_path, emulator, retention_days=7)

    def old(title: str) -> NewArticle:
        article = Article(
            url=f"https://news.example/{len(title)}",
            title=title,
            body=f"{title}: the ferry timetable changed. Nobody noticed at first.",
            source="Harbour Wire",
        )
        return NewArticle(article, title)

    async def pruned(db: Database) -> bool:
        for _ in range(200):
            if await db.articles.count() == 0:
                return True
            await asyncio.sleep(0.05)
        return False

    async with await Database.open(settings.db_path) as db:
        await db.articles.add_many([old("Old while the clock ran fast")], clock.now() - 8 * 86400.0)
    async with make_bot(settings=settings, clock=clock) as app:
        services = services_of(app)
        assert await pruned(services.db)  # the first tick pruned, at the fast clock
        clock.set(right)
        await services.db.articles.add_many([old("Eight days old")], right - 8 * 86400.0)
        clock.advance(86400.0)
        assert await pruned(services.db)
        assert await services.db.articles.latest(10) == []


async def test_a_command_is_answered_while_a_big_poll_is_planned(
    tmp_path: Path, emulator: BotApiEmulator, clock: FakeClock, make_bot: MakeBot
) -> None:
    # SPEC §5: matching 100 new articles against 400 chats is CPU work (40,000 outbox rows); another chat's
    # command must be answered meanwhile, and every chat still gets every story once.
    settings = make_settings(tmp_path, emulator)
    chats, count = range(1, 401), 100
    async with await Database.open(settings.db_path) as db:
        for chat_id in chats:
            chat, _ = await db.chats.register(chat_id, "private", None, ChatDefaults(), clock.now())
            await db.chats.save_settings(replace(chat, mode="digest"), clock.now())  # nothing sent meanwhile
            await db.subscriptions.add(chat_id, "topic", "business", clock.now())
        await db.articles.add_many(
            [
                NewArticle(
                    Article(
                        url=f"https://news.example/{i}",
                        title=f"Market report {i}",
                        body=f"Shares rose in market {i}. Traders expect more.",
                        source="Wire",
                        topics=("business",),
                    ),
                    f"hash{i}",
                )
                for i in range(count)
            ],
            clock.now(),
        )
    async with make_bot(settings=settings, clock=clock) as app:
        services = services_of(app)
        articles = await services.db.articles.latest(count)
        plan = asyncio.create_task(services.delivery.plan_alerts(articles, clock.now()))
        reply = await say(emulator, "/help", chat=5000)
        assert "/subscribe" in reply.text
        assert not plan.done(), "the plan ended before the command was answered: make it bigger"
        assert await plan == len(chats) * count
        assert await services.db.deliveries.counts_by_status() == {"pending": len(chats) * count}


async def _alert_held_for_quiet_hours(
    app: BotApplication, emulator: BotApiEmulator, clock: FakeClock
) -> None:
    """Chat 7 follows sport with quiet hours 22:00-07:00 (UTC); it is night by ``clock``: its alert is held."""
    services = services_of(app)
    await emulator.add_chat(7)
    chat, _ = await services.db.chats.register(7, "private", None, ChatDefaults(), clock.now())
    await services.db.chats.save_settings(replace(chat, quiet_start="22:00", quiet_end="07:00"), clock.now())
    await services.db.subscriptions.add(7, "topic", "sport", clock.now())
    article = Article(
        url="https://news.example/noon",
        title="Noon result",
        body="The home side won 2-1 at noon. The coach was pleased with the defence.",
        source="Wire",
        published=datetime.fromtimestamp(clock.now() - 600, UTC),
        topics=("sport",),
    )
    [(stored, _)] = await services.db.articles.add_many([NewArticle(article, "noon")], clock.now())
    await services.delivery.plan_alerts([stored], clock.now())
    await emulator.wait_for_idle(quiet=0.5)
    assert emulator.messages(7) == []


async def test_an_alert_held_for_quiet_hours_by_a_clock_that_ran_ahead_comes_once_the_clock_is_put_back(
    tmp_path: Path, emulator: BotApiEmulator, make_bot: MakeBot
) -> None:
    # The clock runs 11 hours ahead: at a true 12:00 the bot thinks it is 23:00, in the chat's quiet hours.
    # Once NTP puts it right, the ticks must let the alert go, not keep it until 07:00 tomorrow.
    clock = FakeClock(utc(2026, 1, 1, 23))
    async with make_bot(settings=make_settings(tmp_path, emulator), clock=clock) as app:
        await _alert_held_for_quiet_hours(app, emulator, clock)
        clock.set(utc(2026, 1, 1, 12))
        alert = await emulator.next_message(chat_id=7, timeout=10)
        assert "Noon result" in alert.text


async def test_an_alert_held_for_quiet_hours_comes_when_they_end(
    tmp_path: Path, emulator: BotApiEmulator, make_bot: MakeBot
) -> None:
    # The ticks wake the sender: the held alert's time has come, and nothing else would tell it so.
    clock = FakeClock(utc(2026, 1, 1, 23))
    async with make_bot(settings=make_settings(tmp_path, emulator), clock=clock) as app:
        await _alert_held_for_quiet_hours(app, emulator, clock)
        clock.set(utc(2026, 1, 2, 6, 59))
        await emulator.wait_for_idle(quiet=0.5)
        assert emulator.messages(7) == []
        clock.set(utc(2026, 1, 2, 7, 1))
        alert = await emulator.next_message(chat_id=7, timeout=10)
        assert "Noon result" in alert.text


async def test_a_story_stored_before_a_crash_and_never_planned_is_alerted_after_the_restart(
    tmp_path: Path, emulator: BotApiEmulator, clock: FakeClock, make_bot: MakeBot
) -> None:
    # The poll stored it, then the bot died before planning its alerts: the restarted bot's ticks plan it.
    settings = make_settings(tmp_path, emulator)
    await emulator.add_chat(7)
    article = Article(
        url="https://news.example/before-the-crash",
        title="Result before the crash",
        body="The home side won 2-1. The coach was pleased with the defence.",
        source="Wire",
        published=datetime.fromtimestamp(clock.now() - 600, UTC),
        topics=("sport",),
    )
    async with await Database.open(settings.db_path) as db:
        await db.chats.register(7, "private", None, ChatDefaults(), clock.now())
        await db.subscriptions.add(7, "topic", "sport", clock.now())
        await db.articles.add_many([NewArticle(article, "crash", alert=True)], clock.now())
    async with make_bot(settings=settings, clock=clock):
        alert = await emulator.next_message(chat_id=7, timeout=10)
        assert "Result before the crash" in alert.text


@pytest.mark.parametrize(
    ("topic", "other_sense", "the_topic"),
    [
        # "Apple" alone made a story technology: a local feed's orchard story was an alert to every chat following
        # technology.
        (
            "technology",
            (
                "Apple picking season opens early in Kent orchards",
                "Growers say the warm spring means picking has started two weeks early. Pickers filled crates of "
                "Bramley and Gala apples on Monday, and the farm expects its best crop in years.",
            ),
            (
                "Apple unveils a new iPhone",
                "Apple showed its latest iPhone at an event in California, with a faster processor and a brighter "
                "screen. The phone goes on sale next month.",
            ),
        ),
        # "river bank" kept only "river" from counting for business, so "bank" still did: a riverside path giving
        # way was an alert to every chat following business.
        (
            "business",
            (
                "River bank collapses after heavy rain",
                "Part of the river bank gave way overnight after heavy rain, and the footpath along the bank has "
                "been closed. Residents said the bank had been wearing away for years.",
            ),
            (
                "Bank profits soar",
                "The bank made a record profit as interest rates rose, and will pay shareholders a bigger dividend.",
            ),
        ),
    ],
)
async def test_a_story_using_a_topics_word_in_another_sense_is_not_alerted_to_a_chat_following_it(
    tmp_path: Path,
    emulator: BotApiEmulator,
    news_site: NewsSite,
    clock: FakeClock,
    make_bot: MakeBot,
    topic: str,
    other_sense: tuple[str, str],
    the_topic: tuple[str, str],
) -> None:
    # A feed that declares no topic is tagged by its text alone.
    feed = news_site.feed_url("local")
    # No pause between two messages to one chat: a second alert would come at once.
    settings = make_settings(
        tmp_path, emulator, feeds=feed, feed_interval_seconds=60, rate_chat_interval_seconds=0
    )
    async with make_bot(settings=settings, clock=clock) as app:
        await subscribe(app, emulator, 42, topic)
        await wait_until(lambda: news_site.hits(feed.removeprefix(news_site.base_url)) >= 1)
        published = datetime.fromtimestamp(clock.now() + 30, UTC)
        for title, body in (other_sense, the_topic):
            await news_site.publish("local", title, body, published=published)
        clock.advance(61)

        alert = await emulator.next_message(chat_id=42, timeout=10)

        assert the_topic[0] in alert.text
        await emulator.wait_for_idle(quiet=0.3)
        assert [m.text for m in emulator.messages(42)] == [alert.text]
