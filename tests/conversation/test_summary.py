"""/summary in every form, links sent as plain text, and pages that hold no article or never answer."""

from __future__ import annotations

import asyncio
import json
import random
import socket
import ssl
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from bot.clock import FakeClock
from bot.context import BotApplication
from bot.delivery.service import CATCHUP_GATHER_SECONDS
from bot.emulator import BotApiEmulator, SentMessage
from bot.errors import UserError
from bot.handlers.articles import SummaryRequest, parse_summary_request
from tests.conftest import USER_CHAT, MakeBot, make_settings, services_of
from tests.conversation.helpers import (
    ARTICLE_BODY,
    ARTICLE_TITLE,
    PARTIAL_NOTE,
    WALLED_LEAD,
    add_walled_page,
    digest_of_samples,
    press,
    press_forged,
    say,
    store_samples,
)
from tests.delivery.support import wait_until
from tests.support.files import locked_by_another_program
from tests.support.news_site import NewsSite


def summary_sentences(reply: SentMessage) -> list[str]:
    """The summary's sentences: one paragraph each, after the heading."""
    return [line for line in reply.text.split("\n\n")[1:] if line.strip()]


async def test_summary_of_a_stored_article_with_n_sentences(
    emulator: BotApiEmulator, running_bot: BotApplication
) -> None:
    articles = await store_samples(running_bot)
    target = articles[1]
    reply = await say(emulator, f"/summary {target.id}")
    assert target.title in reply.text and "Newsbot Samples" in reply.text
    assert len(summary_sentences(reply)) == 3  # the default length
    one = await say(emulator, f"/summary 1 {target.id}")
    assert len(summary_sentences(one)) == 1
    # The chat's own summary length is the default, for /summary and for the summary buttons.
    await say(emulator, "/settings length 2")
    assert len(summary_sentences(await say(emulator, f"/summary {target.id}"))) == 2
    listing = await say(emulator, "/latest")
    await press(emulator, listing, f"sum:{target.id}")
    assert len(summary_sentences(await emulator.next_message(USER_CHAT))) == 2
    assert "no article #999999" in (await say(emulator, "/summary 999999")).text
    assert "1 to 10 sentences" in (await say(emulator, f"/summary 11 {target.id}")).text


async def test_an_id_then_a_length_is_read_or_answered_with_the_documented_form(
    emulator: BotApiEmulator, running_bot: BotApplication
) -> None:
    # "/summary #1 2" and "/summary 1 2 3" were summarized as pasted text: "There is nothing to summarize".
    target = (await store_samples(running_bot))[1]
    marked = await say(emulator, f"/summary #{target.id} 2")
    assert target.title in marked.text and len(summary_sentences(marked)) == 2
    for typed in (f"1 {target.id} 3", f"#{target.id} #2", f"2 #{target.id} 4"):
        hint = await say(emulator, f"/summary {typed}")
        assert "nothing to summarize" not in hint.text, typed
        assert "/summary takes one article id, with the number of sentences first" in hint.text, typed
    # The hint shows the user's own numbers in the documented order, never digits summarized as text.
    hint = await say(emulator, "/summary 1 2 3")
    assert hint.text.endswith("/summary 2 1 gives 2 sentences of #1.")
    hint = await say(emulator, "/summary 3 #1 2")  # the "#" says which number is the id
    assert hint.text.endswith("/summary 3 1 gives 3 sentences of #1.")
    # The documented form keeps its meaning: length first, then the id.
    one = await say(emulator, f"/summary 1 {target.id}")
    assert target.title in one.text and len(summary_sentences(one)) == 1


async def test_a_marked_id_then_a_length_out_of_range_is_told_the_range(
    emulator: BotApiEmulator, running_bot: BotApplication
) -> None:
    # "/summary #1 11", the documented "#12 5" form with 11 sentences, was answered "/summary takes one article
    # id, with the number of sentences first: /summary 3 1 gives 3 sentences of #1.", as if the form were wrong.
    target = (await store_samples(running_bot))[0]
    for length in ("11", "0", "100"):
        reply = await say(emulator, f"/summary #{target.id} {length}")
        assert reply.text == "⚠️ A summary can have 1 to 10 sentences.", (length, reply.text)
    ten = await say(emulator, f"/summary #{target.id} 10")
    assert target.title in ten.text


async def test_an_unmarked_id_then_a_length_gets_the_documented_form(
    emulator: BotApiEmulator, running_bot: BotApplication
) -> None:
    # "/summary 123 5" (article #123, 5 sentences) was answered "A summary can have 1 to 10 sentences." alone,
    # to a person who asked for 5, while "/summary 1234 5" got the documented form with their numbers.
    await store_samples(running_bot)
    for typed, article in (("123 5", 123), ("1234 5", 1234), ("12 5", 12)):
        hint = await say(emulator, f"/summary {typed}")
        assert hint.text.endswith(f"/summary 5 {article} gives 5 sentences of #{article}."), hint.text
    # A number of sentences out of range is still named as such.
    assert "1 to 10 sentences" in (await say(emulator, "/summary 11 2")).text


async def test_zero_sentences_of_an_article_is_not_offered_as_article_zero(
    emulator: BotApiEmulator, running_bot: BotApplication
) -> None:
    # "/summary 0 1" (no sentences of #1) was read as article #0 then a length, and the hint offered
    # "/summary 1 0 gives 1 sentence of #0": no article has id 0, and sending it got "There is no article #0".
    await store_samples(running_bot)
    reply = await say(emulator, "/summary 0 1")
    assert "1 to 10 sentences" in reply.text
    assert "#0" not in reply.text, reply.text


async def test_a_second_marked_id_is_not_offered_as_the_length(
    emulator: BotApiEmulator, running_bot: BotApplication
) -> None:
    # "/summary #1 #2" asks for two articles; the hint offered "6 sentences of #5" for "#5 #6", as if "#6" were
    # a length.
    hint = await say(emulator, "/summary #5 #6")
    assert hint.text.endswith("/summary 3 5 gives 3 sentences of #5."), hint.text
    hint = await say(emulator, "/summary #5 #6 2")  # an unmarked number is still read as the length
    assert hint.text.endswith("/summary 2 5 gives 2 sentences of #5."), hint.text


def test_summary_arguments_are_read_as_the_help_and_readme_write_them() -> None:
    def read(text: str) -> SummaryRequest:
        return parse_summary_request(text, None, 3)

    # 10 is the longest summary there is, not a number out of range.
    assert read("10 12") == SummaryRequest(10, article_id=12)
    # An id in brackets marks it as the id as "#" does, so the number after it is the length.
    assert read("(12) 4") == SummaryRequest(4, article_id=12)
    assert read("[12] 4") == SummaryRequest(4, article_id=12)
    # An id ends a sentence or a question as people write it.
    assert read("12!") == SummaryRequest(3, article_id=12)
    assert read("#12?") == SummaryRequest(3, article_id=12)
    # A link in brackets loses the bracket; a link inside a long text is part of the text.
    assert read("(see https://news.example/a)") == SummaryRequest(3, url="https://news.example/a")
    long_text = "The minister said " + "more and more words " * 5 + "https://news.example/a today."
    assert read(long_text) == SummaryRequest(3, text=long_text)
    # A length after a link is the length, as after a marked id; other words around a link stay words.
    assert read("https://news.example/a 5") == SummaryRequest(5, url="https://news.example/a")
    assert read("www.news.example/a 10") == SummaryRequest(10, url="https://www.news.example/a")
    with pytest.raises(UserError, match="1 to 10 sentences"):
        read("https://news.example/a 11")
    assert read("https://news.example/a 2024") == SummaryRequest(3, url="https://news.example/a")
    assert read("look https://news.example/a 5") == SummaryRequest(3, url="https://news.example/a")
    # A length out of range before a link is refused, not silently dropped.
    with pytest.raises(UserError, match="1 to 10 sentences"):
        read("11 https://news.example/a")
    # The hint writes one sentence in the singular.
    with pytest.raises(UserError, match=r"/summary 1 12 gives 1 sentence of #12\.$"):
        read("12 1 30")


async def test_summary_of_pasted_and_replied_text(
    emulator: BotApiEmulator, running_bot: BotApplication
) -> None:
    text = ARTICLE_BODY.replace("\n\n", " ")
    pasted = reply = await say(emulator, f"/summary 2 {text}")
    assert reply.text.startswith("📝 Summary")
    assert len([s for s in reply.text.split("\n\n")[1:] if s.strip()]) == 2
    # Reply to a message of the bot with one article's summary button: that article is summarized.
    await store_samples(running_bot)
    found = await say(emulator, "/search glacier")
    reply = await say(emulator, "/summary", reply_to=found.message_id)
    assert "Solar-powered sensors track a melting glacier" in reply.text
    shorter = await say(emulator, "/summary 1", reply_to=found.message_id)
    assert len([s for s in shorter.text.split("\n\n")[1:] if s.strip()]) == 1
    # A list of several articles names none of them: the reader is told how to pick one.
    listing = await say(emulator, "/latest")
    several = await say(emulator, "/summary", reply_to=listing.message_id)
    assert "lists several articles" in several.text and "Northwind" not in several.text
    northwind = next(a for a in await store_samples(running_bot) if "Northwind" in a.title)
    chosen = await say(emulator, f"/summary {northwind.id}", reply_to=listing.message_id)
    assert "Northwind" in chosen.text
    # Replying to any other text summarizes that text.
    hint = await say(emulator, "/summary 1", reply_to=pasted.message_id)
    assert hint.text.startswith("📝 Summary") and summary_sentences(hint)[0] in summary_sentences(pasted)
    usage = await say(emulator, "/summary")
    assert "article id" in usage.text


async def test_pasted_text_with_markup_characters_comes_back_as_typed(
    emulator: BotApiEmulator, running_bot: BotApplication
) -> None:
    # Unescaped, "<b>" and "5 < 7" make the reply HTML Telegram refuses: the reader would get no summary.
    text = (
        "The council voted 5 < 7 to fund the <b>tram</b> line. "
        "Budget & planning teams start work in spring. "
        "The line should open within two years."
    )
    reply = await say(emulator, f"/summary 3 {text}")
    assert reply.text.startswith("📝 Summary")
    assert summary_sentences(reply) == [
        "The council voted 5 < 7 to fund the <b>tram</b> line.",
        "Budget & planning teams start work in spring.",
        "The line should open within two years.",
    ]


async def test_pasted_french_and_spanish_keep_their_titles_before_names(
    emulator: BotApiEmulator, running_bot: BotApplication
) -> None:
    # Short French and Spanish texts counted more of sumy's Italian stop words than their own, were split by
    # Italian rules, and "M. Dupont" and "La Sra. García" came back as "Dupont, ..." and "García, ...".
    french = [
        "Le constructeur a vendu un million de voitures.",
        "M. Dupont, le patron du groupe, a confirmé le chiffre.",
        "La demande a augmenté en Europe.",
    ]
    spanish = [
        "Un incendio destruyó una fábrica de Valencia durante la noche.",
        "La Sra. García, directora de la planta, dijo que no hubo heridos.",
        "La producción se reanudará en un mes.",
    ]
    for sentences in (french, spanish):
        reply = await say(emulator, "/summary 3 " + " ".join(sentences))
        assert summary_sentences(reply) == sentences


async def test_summary_of_one_word_or_an_overlong_id_says_what_to_send(
    emulator: BotApiEmulator, running_bot: BotApplication
) -> None:
    # One word came back as its own "summary"; a link of another scheme or a bare "https://" too.
    reply = await say(emulator, "/summary hello")
    assert "too short to summarize" in reply.text and "/summary 12" in reply.text
    assert not reply.text.startswith("📝 Summary")
    # A link of a scheme the bot never fetches is told so, not called too short.
    for link in ("ftp://example.com/a", "FILE:///etc/hostname", "gopher://x/1"):
        reply = await say(emulator, f"/summary {link}")
        assert (
            reply.text
            == "⚠️ I can only fetch http:// and https:// links. Send a web link, or the text itself."
        ), link
    # Text that only starts with such a link is text to summarize.
    pasted = (
        "ftp://files.example/tram.pdf holds the council's report. The council approved the new tram line on "
        "Monday after a long debate. Work on the line starts in spring and should end within two years."
    )
    reply = await say(emulator, f"/summary {pasted}")
    assert "I can only fetch" not in reply.text and "approved the new tram line" in reply.text
    # Chinese has no spaces between words: one run of it is text to summarize, not one word.
    reply = await say(emulator, "/summary 东京今天发生地震。当地没有人员伤亡的报告。")
    assert "too short" not in reply.text and "没有人员伤亡" in reply.text
    # An id too long to exist is no article, not "nothing to summarize in that text".
    reply = await say(emulator, "/summary 99999999999999999999")
    assert "There is no article #99999999999999999999" in reply.text


async def test_summary_of_a_link_and_of_a_link_sent_as_text(
    emulator: BotApiEmulator, running_bot: BotApplication, news_site: NewsSite
) -> None:
    page = await news_site.publish("world", ARTICLE_TITLE, ARTICLE_BODY)
    reply = await say(emulator, f"/summary {page.url}")
    assert ARTICLE_TITLE in reply.text and "tram" in reply.text
    assert emulator.requests["sendChatAction"] >= 1  # "typing..." while the page is fetched
    again = await say(emulator, f"have a look at this {page.url} please")
    assert ARTICLE_TITLE in again.text
    stored = await say(emulator, "/latest")
    assert ARTICLE_TITLE in stored.text  # a summarized link is stored like any article


async def test_a_link_summarized_while_the_database_refuses_writes_is_shown_though_not_stored(
    emulator: BotApiEmulator, running_bot: BotApplication, news_site: NewsSite
) -> None:
    # The page was fetched and summarized, but another program held the database's write lock (a full disk is
    # refused the same way) when it was to be stored: the reader got only "I could not save that just now",
    # though all they asked for was the summary.
    db = services_of(running_bot).db
    page = await news_site.publish("world", ARTICLE_TITLE, ARTICLE_BODY)
    async with locked_by_another_program(db):
        reply = await say(emulator, f"/summary {page.url}")
    assert ARTICLE_TITLE in reply.text and "tram" in reply.text
    assert await db.articles.get_by_url(page.url) is None
    # Sent again once the lock is gone, the link is stored as usual.
    assert ARTICLE_TITLE in (await say(emulator, f"/summary {page.url}")).text
    assert await db.articles.get_by_url(page.url) is not None


async def test_a_newcomers_link_summarized_as_another_programs_lock_ends_is_shown_not_an_internal_error(
    emulator: BotApiEmulator, running_bot: BotApplication, news_site: NewsSite
) -> None:
    # A first message with a link while another program held the write lock: the chat could not be registered,
    # the lock was gone by the time the page was fetched, and storing the article for a chat with no row broke
    # a foreign key: the newcomer got "Something went wrong" instead of the summary.
    db = services_of(running_bot).db
    page = await news_site.publish("world", ARTICLE_TITLE, ARTICLE_BODY)
    path = urlsplit(page.url).path
    newcomer = USER_CHAT + 7
    await emulator.add_chat(newcomer, "private")
    news_site.hold(path)
    async with locked_by_another_program(db):
        await emulator.send_user_message(newcomer, f"/summary {page.url}")
        await wait_until(lambda: news_site.hits(path) == 1)  # registration refused; the page is being fetched
    news_site.release(path)
    reply = await emulator.next_message(newcomer, timeout=10)
    assert ARTICLE_TITLE in reply.text and "tram" in reply.text
    # The chat is saved by its next message, and the link is stored for it then.
    assert ARTICLE_TITLE in (await say(emulator, f"/summary {page.url}", chat=newcomer)).text
    assert await db.chats.get(newcomer) is not None
    stored = await db.articles.get_by_url(page.url)
    assert stored is not None and stored.id is not None
    assert await db.articles.get(stored.id, reader=newcomer) is not None


async def test_a_link_stored_already_summarized_while_the_database_refuses_writes_is_shown(
    emulator: BotApiEmulator, running_bot: BotApplication, news_site: NewsSite
) -> None:
    # A link another chat had sent, sent by a newcomer while another program held the write lock: sharing the
    # stored article with the chat was refused, and the reader got "I could not save that just now".
    db = services_of(running_bot).db
    page = await news_site.publish("world", ARTICLE_TITLE, ARTICLE_BODY)
    await say(emulator, f"/summary {page.url}")
    newcomer = USER_CHAT + 7
    await emulator.add_chat(newcomer, "private")
    async with locked_by_another_program(db):
        reply = await say(emulator, f"/summary 4 {page.url}", chat=newcomer)
    assert ARTICLE_TITLE in reply.text and len(summary_sentences(reply)) == 4
    assert "#" not in reply.text.split("\n")[1]  # no id the newcomer could not open yet
    # Sent again once the lock is gone, the stored article is the newcomer's too.
    again = await say(emulator, f"/summary {page.url}", chat=newcomer)
    stored = await db.articles.get_by_url(page.url)
    assert stored is not None and stored.id is not None and f"#{stored.id}" in again.text
    assert await db.articles.get(stored.id, reader=newcomer) is not None


async def test_a_reply_to_a_link_summary_that_was_not_stored_gives_the_link_at_that_length(
    emulator: BotApiEmulator, running_bot: BotApplication, news_site: NewsSite
) -> None:
    # A link's summary shown unstored (the database refused writes) names no "#id": "/summary 5" in reply to it
    # came back as "📝 Summary" of the message itself, its title as a sentence and the same sentences again.
    db = services_of(running_bot).db
    page = await news_site.publish("world", ARTICLE_TITLE, ARTICLE_BODY)
    async with locked_by_another_program(db):
        short = await say(emulator, f"/summary 2 {page.url}")
    assert "#" not in short.text.split("\n")[1] and len(summary_sentences(short)) == 2
    longer = await say(emulator, "/summary 5", reply_to=short.message_id)
    assert not longer.text.startswith("📝"), longer.text
    assert longer.text.split("\n")[0].endswith(ARTICLE_TITLE)
    assert len(summary_sentences(longer)) == 5
    assert await db.articles.get_by_url(page.url) is not None  # the page again, stored this time


async def test_a_returning_chat_reading_while_the_database_refuses_writes_keeps_its_summary_length(
    emulator: BotApiEmulator, running_bot: BotApplication
) -> None:
    # Back after blocking the bot, its registration is a write: refused, the chat is read as stored, not as a
    # newcomer with the default length.
    db = services_of(running_bot).db
    [article, *_] = await store_samples(running_bot)
    await say(emulator, "/settings length 2")
    await db.chats.deactivate(USER_CHAT, "Forbidden: bot was blocked by the user", time.time())
    async with locked_by_another_program(db):
        reply = await say(emulator, f"/summary {article.id}")
    assert article.title in reply.text and len(summary_sentences(reply)) == 2


async def test_a_link_one_chat_summarized_stays_that_chats_own(
    emulator: BotApiEmulator, running_bot: BotApplication, news_site: NewsSite
) -> None:
    # A link may be private (a shared document, an intranet page, a token in the query). It used to be listed
    # by every chat's /latest and /search, and any chat could open it by guessing its id.
    page = await news_site.publish("world", ARTICLE_TITLE, ARTICLE_BODY)
    reply = await say(emulator, f"/summary {page.url}")
    assert ARTICLE_TITLE in reply.text
    stored = await services_of(running_bot).db.articles.get_by_url(page.url)
    assert stored is not None
    other = USER_CHAT + 1
    assert ARTICLE_TITLE not in (await say(emulator, "/latest", chat=other)).text
    assert "Nothing found" in (await say(emulator, "/search tram", chat=other)).text
    assert "no article" in (await say(emulator, f"/summary {stored.id}", chat=other)).text
    panel = await say(emulator, "/settings", chat=other)
    toast = await press_forged(emulator, f"sum:{stored.id}", chat=other, message_id=panel.message_id)
    assert toast is not None and "no article" in toast
    # The chat that asked still finds it; another chat that sends the same link gets it too.
    assert ARTICLE_TITLE in (await say(emulator, "/latest")).text
    assert ARTICLE_TITLE in (await say(emulator, "/search tram")).text
    assert ARTICLE_TITLE in (await say(emulator, f"/summary {page.url}", chat=other)).text
    assert ARTICLE_TITLE in (await say(emulator, f"/summary {stored.id}", chat=other)).text


async def _summary_behind_a_login(emulator: BotApiEmulator, news_site: NewsSite) -> tuple[str, SentMessage]:
    """The article page behind the login reader:s3cret, asked for with the login in its link: its address
    (without the login) and the summary the chat got."""
    page = NewsSite._page("world", ARTICLE_TITLE, ARTICLE_BODY)
    url = news_site.add("/members/tram.html", page, login="reader:s3cret")
    reply = await say(emulator, f"/summary {url.replace('http://', 'http://reader:s3cret@')}")
    assert ARTICLE_TITLE in reply.text and "The line will connect" in reply.text, reply.text
    return url, reply


async def test_the_password_in_a_links_address_is_never_shown_as_the_articles_source(
    emulator: BotApiEmulator, running_bot: BotApplication, news_site: NewsSite
) -> None:
    # A page that names no site of its own was given the address's authority as its source, login included:
    # "reader:s3cret@host" stood under the title, in this reply and in every list the article was in.
    _, reply = await _summary_behind_a_login(emulator, news_site)
    assert "s3cret" not in reply.text and "reader" not in reply.text, reply.text
    assert "s3cret" not in (await say(emulator, "/latest")).text


async def test_a_page_read_with_one_chats_password_is_never_shown_to_another_chat(
    emulator: BotApiEmulator, running_bot: BotApplication, news_site: NewsSite
) -> None:
    # A link with a login in it (http://user:pw@host/page) is fetched with that login. Its article was stored
    # under the address without the login, so another chat sending the bare address was given the page that the
    # password had opened, and could open it by id and find it with /search.
    url, reply = await _summary_behind_a_login(emulator, news_site)
    other = USER_CHAT + 1
    reply = await say(emulator, f"/summary {url}", chat=other)
    assert "refused access (401" in reply.text and ARTICLE_TITLE not in reply.text, reply.text
    assert await services_of(running_bot).db.articles.get_by_url(url) is None


async def test_stop_deletes_the_links_only_that_chat_sent_for_a_summary(
    emulator: BotApiEmulator, running_bot: BotApplication, news_site: NewsSite
) -> None:
    # "Yes, delete everything" left the text of the links the chat alone had sent (a shared document, a page
    # behind a token) in the database and its search index until the retention pruned them, a month later.
    mine = await news_site.publish("world", ARTICLE_TITLE, ARTICLE_BODY)
    body = (
        "The harbour office opened a new ferry pier for commuters on Friday morning.\n\n"
        "The pier doubles the number of boats that can stop at the old quay each hour.\n\n"
        "Ferry captains said the wider berth makes docking in strong wind far easier."
    )
    shared = await news_site.publish("world", "Harbour opens a second ferry pier", body)
    other = USER_CHAT + 1
    for chat, url in ((USER_CHAT, mine.url), (USER_CHAT, shared.url), (other, shared.url)):
        assert "⚠️" not in (await say(emulator, f"/summary {url}", chat=chat)).text
    confirm = await say(emulator, "/stop")
    await press(emulator, confirm, "stop:yes")
    assert "deleted" in (await emulator.next_message(USER_CHAT)).text
    db = services_of(running_bot).db
    assert await db.articles.get_by_url(mine.url) is None
    assert (
        await db.reader.execute_fetchall("SELECT rowid FROM articles_fts WHERE articles_fts MATCH 'tram'")
        == []
    )
    # The link another chat sent too stays that chat's.
    assert "Nothing found" not in (await say(emulator, "/search ferry pier", chat=other)).text
    assert await db.articles.get_by_url(shared.url) is not None


async def test_a_link_whose_only_sender_stops_meanwhile_is_fetched_again_for_another_chat(
    emulator: BotApiEmulator,
    running_bot: BotApplication,
    news_site: NewsSite,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Another chat sent the same link just as the only chat that had sent it confirmed /stop, which deleted the
    # article between finding it and sharing it: the reader row broke its foreign key, and that chat was told
    # "Sorry, something went wrong".
    page = await news_site.publish("world", ARTICLE_TITLE, ARTICLE_BODY)
    assert ARTICLE_TITLE in (await say(emulator, f"/summary {page.url}")).text
    services = services_of(running_bot)
    articles = services.db.articles
    find = articles.get_by_url

    async def stopped_meanwhile(url: str) -> Any:
        found = await find(url)
        monkeypatch.setattr(articles, "get_by_url", find)
        await services.chats.stop(USER_CHAT)
        return found

    monkeypatch.setattr(articles, "get_by_url", stopped_meanwhile)
    other = USER_CHAT + 1
    reply = await say(emulator, f"/summary {page.url}", chat=other)
    assert ARTICLE_TITLE in reply.text and "went wrong" not in reply.text
    assert news_site.hits(urlsplit(page.url).path) == 2  # fetched again: the stored copy was deleted
    # Stored anew for the chat that asked, and opened by the id its reply shows.
    stored = await articles.get_by_url(page.url)
    assert stored is not None and f"#{stored.id}" in reply.text
    assert ARTICLE_TITLE in (await say(emulator, f"/summary {stored.id}", chat=other)).text


async def test_pages_without_an_article_get_a_clear_reason_fast(
    tmp_path: Path, emulator: BotApiEmulator, news_site: NewsSite, make_bot: MakeBot
) -> None:
    settings = make_settings(tmp_path, emulator, fetch_timeout_seconds=2.0)
    empty = news_site.add("/empty.html", "<html><body><nav>Home</nav></body></html>")
    binary = news_site.add("/file.bin", b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 40, content_type=None)
    huge = news_site.add_huge("/huge.html", 20_000_000)
    never = news_site.add_never_answering("/never.html")
    async with make_bot(settings=settings):
        # Each reply names the reason, so the user knows whether to try another link or give up on this one.
        for url, reason in (
            (empty, "That page has no article text"),
            (binary, "That link leads to an image, not a web page."),
            (huge, "That page is larger than"),
            (never, "127.0.0.1 did not answer"),
        ):
            started = time.monotonic()
            reply = await say(emulator, f"/summary {url}", timeout=20)
            assert time.monotonic() - started < 20
            assert reply.text.startswith("⚠️ " + reason), reply.text
            assert "\n" not in reply.text.strip(), reply.text  # one line


# A page of one short story, for the tests of how its bytes are read (binary data after it, UTF-16 and UTF-32).
_FERRY_FARES = (
    "<html><head><title>Ferry fares</title></head><body><article><h1>Ferry fares</h1>"
    + "<p>The harbour board raised ferry fares on Monday for the first time in six years, it said.</p>" * 25
    + "</article></body></html>"
)


async def test_a_link_to_html_that_turns_into_binary_data_is_refused_not_stored(
    emulator: BotApiEmulator, running_bot: BotApplication, news_site: NewsSite
) -> None:
    # Only its first 2 kB were sniffed: the "summary" was mojibake, and the stored article held about 260 kB of it.
    start = _FERRY_FARES.removesuffix("</article></body></html>").encode()
    url = news_site.add(
        "/fares.html", start + random.Random(3).randbytes(300_000) + b"</article></body></html>"
    )
    reply = await say(emulator, f"/summary {url}")
    assert reply.text == "⚠️ That link leads to binary data (only part of it looks like text), not a web page."
    assert await services_of(running_bot).db.articles.get_by_url(url) is None


@pytest.mark.parametrize("encoding", ["utf-16", "utf-32"])
async def test_a_link_to_random_bytes_after_a_utf16_or_utf32_byte_order_mark_is_refused(
    emulator: BotApiEmulator, running_bot: BotApplication, news_site: NewsSite, encoding: str
) -> None:
    # UTF-16 and UTF-32 text holds NULs, so the check for binary data let anything after such a byte order mark
    # through: the "summary" was stray Chinese and private-use characters, and the article was stored.
    page = _FERRY_FARES.encode(encoding)
    junk = news_site.add("/junk.html", page[:2048] + random.Random(5).randbytes(300_000), content_type=None)
    reply = await say(emulator, f"/summary {junk}")
    assert reply.text == "⚠️ That link leads to binary data (only part of it looks like text), not a web page."
    assert await services_of(running_bot).db.articles.get_by_url(junk) is None
    # The whole page in that encoding is still a page.
    whole = news_site.add("/whole.html", page, content_type=None)
    assert (await say(emulator, f"/summary {whole}")).text.startswith("📰 Ferry fares\n")


@pytest.mark.parametrize("content_type", ["text/html", "text/html; charset=utf-8"])
async def test_a_utf8_page_with_a_small_binary_blob_keeps_its_accents(
    emulator: BotApiEmulator, running_bot: BotApplication, news_site: NewsSite, content_type: str
) -> None:
    # A 1.2 kB blob is too little to refuse the page as binary data, but its bytes that are no UTF-8 outweighed the
    # page's accents: the page was guessed Windows-1252 and the summary read "Le cafÃ© du marchÃ©".
    para = (
        "<p>Le café du marché a rouvert lundi après trois mois de travaux, a déclaré la mairie. "
        "Les habitués ont salué la nouvelle terrasse, plus grande qu'avant l'été.</p>\n"
    ).encode()
    head = b"<html><head><title>Le caf\xc3\xa9 rouvre</title></head><body><article>" + para * 18
    # Across a 4 kB boundary, as a blob in a page lies where it may: neither 4 kB block is binary data by itself.
    assert len(head) < 4096 - 600
    head += b" " * (4096 - 600 - len(head))
    blob = random.Random(11).randbytes(1200)
    body = head + blob + para * 24 + b"</article></body></html>"
    url = news_site.add("/cafe.html", body, content_type=content_type)
    reply = await say(emulator, f"/summary {url}")
    assert reply.text.startswith("📰 Le café rouvre\n"), reply.text
    assert "Le café du marché a rouvert" in reply.text and "Ã" not in reply.text, reply.text


async def test_a_cookie_wall_or_a_bot_check_gets_its_reason_not_a_summary(
    emulator: BotApiEmulator, running_bot: BotApplication, news_site: NewsSite
) -> None:
    # The reply was a "summary" of "We value your privacy. We and our 842 partners ..." or of "Checking your
    # browser before accessing ...", under the page's title, as if it were the article.
    consent = news_site.add(
        "/consent.html",
        "<html><head><title>Before you continue</title></head><body><div class='modal'>"
        "<h2>We value your privacy</h2><p>We and our 842 partners store and access information on your device, "
        "such as cookies, and process personal data for personalised advertising and content, measurement and "
        "audience research. You may consent or refuse, or change your preferences.</p>"
        "<button>Accept all</button><button>Reject all</button></div></body></html>",
    )
    check = news_site.add(
        "/check.html",
        "<html><head><title>Just a moment...</title></head><body><h2>Checking your browser before accessing "
        "news.example.</h2><p>This process is automatic. Your browser will redirect to your requested content "
        "shortly.</p></body></html>",
    )
    for url, reason in (
        (consent, "That page shows only a cookie-consent notice"),
        (check, "That page is the site's check for robots"),
    ):
        reply = await say(emulator, f"/summary {url}")
        assert reply.text.startswith("⚠️ " + reason), reply.text
        assert "privacy" not in reply.text and "automatic" not in reply.text


# A local story for the tests of page layouts around an article (tables, related boxes, lines of links).
_HARBOUR_STORY = (
    "The harbour council of Brackwater voted on Tuesday to open the floating solar farm after a long debate.",
    "Fishermen had warned that the panels would narrow the channel used by trawlers in winter.",
    "The council said the farm would supply a third of the town's electricity by next spring.",
    "Ferry traffic across the bay rose sharply in March, the port authority said.",
    "Officials expect the numbers to climb again once the summer timetable begins.",
)
# Its first two sentences, then a paragraph of twelve related links.
_TWO_SENTENCES_AND_A_LINE_OF_LINKS = (
    "<html><head><title>Solar farm opens</title></head><body><article><h1>Solar farm opens</h1>"
    f"<p>{_HARBOUR_STORY[0]}</p><p>{_HARBOUR_STORY[1]}</p><p>"
    + " ".join(f"<a href='/local/{i}'>Harbour story number {i}</a>" for i in range(12))
    + "</p></article></body></html>"
)


async def test_a_long_summary_of_an_article_with_a_table_shows_no_table_rows(
    emulator: BotApiEmulator, running_bot: BotApplication, news_site: NewsSite
) -> None:
    # Extraction writes a table as Markdown rows: a 7-sentence summary picked "| Brackwater to Saltmouth
    # crossing | 12,400 passengers in March |" as two of its sentences.
    story = list(_HARBOUR_STORY)
    rows = "".join(
        f"<tr><td>{a} to {b} crossing</td><td>{n} passengers in March</td></tr>"
        for a, b, n in (("Brackwater", "Saltmouth", "12,400"), ("Saltmouth", "Brackwater", "11,900"))
    )
    url = news_site.add(
        "/ferry-numbers.html",
        "<html><head><title>Ferry numbers</title></head><body><article><h1>Ferry numbers</h1>"
        + "".join(f"<p>{s}</p>" for s in story[:4])
        + f"<table><tr><th>Route</th><th>Passengers</th></tr>{rows}</table><p>{story[4]}</p>"
        + "</article></body></html>",
    )
    reply = await say(emulator, f"/summary 7 {url}")
    assert summary_sentences(reply) == story, reply.text
    stored = await services_of(running_bot).db.articles.get_by_url(url)
    assert stored is not None and "12,400 passengers in March" in stored.body  # the table is kept, not shown


async def test_a_sign_in_page_with_a_paragraph_of_help_gets_its_reason_not_a_summary(
    emulator: BotApiEmulator, running_bot: BotApplication, news_site: NewsSite
) -> None:
    # Its help text, some fifty words beside the password field, passes for a short article without the form.
    help_text = (
        "Members of the Harbourton Rowing Club can read the race reports, the training plans and the minutes of "
        "every committee meeting here. Use the address and the password you gave when you joined the club. If "
        "you joined before last spring, ask the secretary for a new one at the boathouse."
    )
    url = news_site.add(
        "/members/login",
        "<html><head><title>Members Area</title></head><body><form action='/session' method='post'>"
        f"<h1>Members Area</h1><p>{help_text}</p><label>Email <input type='email' name='email'></label>"
        "<label>Password <input type='password' name='password'></label><button>Continue</button></form>"
        "</body></html>",
    )
    reply = await say(emulator, f"/summary {url}")
    assert reply.text == "⚠️ That page has no article text (it looks like a login page).", reply.text
    assert await services_of(running_bot).db.articles.get_by_url(url) is None


async def test_a_paywalled_teaser_is_summarized_without_the_paywalls_prompt(
    emulator: BotApiEmulator, running_bot: BotApplication, news_site: NewsSite
) -> None:
    # The teaser's summary read "Subscribe to continue reading." and "Already a subscriber?" as two of its
    # three sentences: the paywall's buttons, not the article.
    teaser = news_site.add(
        "/merger.html",
        "<html><head><title>Merger talks between two carmakers collapse</title></head><body><article>"
        "<h1>Merger talks between two carmakers collapse</h1>"
        "<p>Talks between the two largest carmakers in the region collapsed on Friday after weeks of "
        "negotiation over the value of their factories.</p>"
        "<p>Both companies said they would keep working together on batteries.</p>"
        "<div class='paywall'><p>Subscribe to continue reading. Already a subscriber? Log in.</p></div>"
        "</article></body></html>",
    )
    reply = await say(emulator, f"/summary {teaser}")
    assert "Merger talks between two carmakers collapse" in reply.text
    assert summary_sentences(reply) == [
        "Talks between the two largest carmakers in the region collapsed on Friday after weeks of negotiation "
        "over the value of their factories.",
        "Both companies said they would keep working together on batteries.",
        # ... and says that it is the summary of the start only.
        "Only the start of the article could be read: the rest is behind a paywall or a sign-in.",
    ], reply.text


async def test_a_paywalled_teasers_summary_says_only_the_start_could_be_read(
    emulator: BotApiEmulator, running_bot: BotApplication, news_site: NewsSite
) -> None:
    # The summary of a registration wall's two visible paragraphs read as the article's summary, with no word
    # that the rest of the article was hidden: the reader took the teaser for the story.
    note, lead = PARTIAL_NOTE, WALLED_LEAD
    walled = add_walled_page(news_site, "/bridge.html")
    reply = await say(emulator, f"/summary {walled}")
    assert summary_sentences(reply)[:2] == list(lead), reply.text  # the same sentences as before
    assert reply.text.rstrip().endswith(note), reply.text
    # Opened again by its id, or by its button, the stored article is still only its start.
    stored = await services_of(running_bot).db.articles.get_by_url(walled)
    assert stored is not None and stored.partial
    assert (await say(emulator, f"/summary {stored.id}")).text.rstrip().endswith(note)
    # A whole article says nothing of the kind.
    whole = news_site.add(
        "/bridge-full.html",
        "<html><head><title>Harbour bridge reopens</title></head><body><article><h1>Harbour bridge reopens</h1>"
        + "".join(f"<p>{sentence}</p>" for sentence in lead)
        + "</article><p>Already a subscriber? Log in.</p></body></html>",
    )
    assert "Only the start" not in (await say(emulator, f"/summary {whole}")).text


async def test_a_page_that_shows_only_its_wall_gets_the_reason_not_the_wall_as_a_summary(
    emulator: BotApiEmulator, running_bot: BotApplication, news_site: NewsSite
) -> None:
    # Under its headline the page showed only the wall: "This article is only available to subscribers." was
    # given as the article's summary.
    walled = news_site.add(
        "/bridge-walled.html",
        "<html><head><title>Council closes the harbour bridge</title></head><body><article>"
        "<h1>Council closes the harbour bridge</h1><div class='paywall'><p>This article is only available to "
        "subscribers. Subscribe to continue reading.</p></div></article></body></html>",
    )
    reply = await say(emulator, f"/summary {walled}")
    assert "That page has no article text (the article seems to be behind a paywall)." in reply.text, (
        reply.text
    )
    assert "only available to subscribers" not in reply.text


async def test_a_section_front_gets_told_apart_with_its_feed(
    emulator: BotApiEmulator, running_bot: BotApplication, news_site: NewsSite
) -> None:
    # A home page's teasers came back as a "summary" of unrelated sentences from unrelated stories.
    front = (Path(__file__).parents[1] / "summaries" / "fixtures" / "section_front.html").read_bytes()
    url = news_site.add("/local", front)
    reply = await say(emulator, f"/summary {url}")
    assert reply.text.startswith("⚠️ That page is a list of headlines, not an article"), reply.text
    assert news_site.url("/feeds/all.xml") in reply.text  # the feed the page names, to follow instead
    assert "/addfeed" in reply.text
    plain = news_site.add("/plain", front.replace(b'<link rel="alternate"', b'<link rel="x"'))
    reply = await say(emulator, f"/summary {plain}")
    assert reply.text.startswith("⚠️ That page is a list of headlines"), reply.text
    assert "feed" not in reply.text


@pytest.mark.parametrize(
    "related_box",
    [
        "<aside class='related'>{}</aside>",
        # The same box as a <div> with a label: refused as "a list of headlines" after the <aside> form was fixed.
        "<div class='related'><h4>Read more</h4>{}</div>",
        "<section>{}</section>",
    ],
)
async def test_an_article_with_a_related_story_box_after_each_paragraph_is_summarized_not_refused(
    emulator: BotApiEmulator, running_bot: BotApplication, news_site: NewsSite, related_box: str
) -> None:
    # Five inline boxes (<aside><h3><a>) between short paragraphs: each paragraph after a box was taken for the
    # related story's teaser, and the article was refused as "a list of headlines".
    story = list(_HARBOUR_STORY)
    related = [
        "Why the sea wall matters now",
        "What the whole plan will cost",
        "Who pays for the new sea wall",
        "When the building work starts",
        "What changes for the ferry",
    ]
    body = "".join(
        f"<p>{story[i]} {story[(i + 1) % 5]}</p>"
        + related_box.format(f"<h3><a href='/local/{i}'>{related[i]}</a></h3>")
        for i in range(5)
    )
    url = news_site.add(
        "/local/solar-farm",
        "<html><head><title>Solar farm opens</title></head><body><article><h1>Solar farm opens</h1>"
        f"{body}<p>{story[0]}</p></article></body></html>",
    )
    reply = await say(emulator, f"/summary {url}")
    assert not reply.text.startswith("⚠️"), reply.text
    assert story[0] in summary_sentences(reply), reply.text
    # The same boxes, each beside its story's teaser in a card of its own, make a section front still.
    front = news_site.add(
        "/local/",
        "<html><head><title>Local</title></head><body><main>"
        + "".join(
            "<div class='card'>"
            + related_box.format(f"<h3><a href='/local/{i}'>{related[i]}</a></h3>")
            + f"<p>{story[i]}</p></div>"
            for i in range(5)
        )
        + "</main></body></html>",
    )
    reply = await say(emulator, f"/summary {front}")
    assert reply.text.startswith("⚠️ That page is a list of headlines, not an article"), reply.text


async def test_a_page_that_is_one_line_of_links_is_refused_but_a_short_story_ending_in_links_is_not(
    emulator: BotApiEmulator, running_bot: BotApplication, news_site: NewsSite
) -> None:
    # A bar of forty sections, all the page held, was summarized as an article: "Section 0 Section 1 ...".
    sections = " · ".join(f"<a href='/section/{i}'>Section {i}</a>" for i in range(40))
    bar = news_site.add(
        "/sections", f"<html><head><title>Sections</title></head><body><nav>{sections}</nav></body></html>"
    )
    reply = await say(emulator, f"/summary {bar}")
    assert reply.text == "⚠️ That page has no article text (it looks like a list of links, not an article).", (
        reply.text
    )
    assert await services_of(running_bot).db.articles.get_by_url(bar) is None
    # Two paragraphs of story and a longer line of related links after them: an article still.
    story = list(_HARBOUR_STORY[:2])
    short = news_site.add("/local/solar", _TWO_SENTENCES_AND_A_LINE_OF_LINKS)
    reply = await say(emulator, f"/summary 3 {short}")
    assert not reply.text.startswith("⚠️") and set(story) <= set(summary_sentences(reply)), reply.text


async def test_a_summary_of_a_story_ending_in_a_line_of_related_links_shows_no_link_line(
    emulator: BotApiEmulator, running_bot: BotApplication, news_site: NewsSite
) -> None:
    # Two paragraphs of story and a paragraph of twelve related links: the 2-sentence summary was the first
    # sentence and "Harbour story number 0 Harbour story number 1 ...".
    story = list(_HARBOUR_STORY[:2])
    url = news_site.add("/local/solar-links", _TWO_SENTENCES_AND_A_LINE_OF_LINKS)
    reply = await say(emulator, f"/summary 2 {url}")
    assert summary_sentences(reply) == list(story), reply.text
    # Stored without it too: a later /summary of the stored article at another length cannot show it either.
    stored = await services_of(running_bot).db.articles.get_by_url(url)
    assert stored is not None and "Harbour story number" not in stored.body


async def test_private_addresses_are_refused_unless_allowed(
    tmp_path: Path, emulator: BotApiEmulator, news_site: NewsSite, make_bot: MakeBot
) -> None:
    settings = make_settings(tmp_path, emulator, allow_private_urls=False)
    page = await news_site.publish("world", ARTICLE_TITLE, ARTICLE_BODY)
    async with make_bot(settings=settings):
        reply = await say(emulator, f"/summary {page.url}")
    assert reply.text.startswith("⚠️")
    assert "private" in reply.text.lower() or "local" in reply.text.lower()
    assert news_site.hits("/articles/1.html") == 0


async def test_summary_replied_to_a_photo_or_sticker_says_there_is_no_text(
    emulator: BotApiEmulator, running_bot: BotApplication
) -> None:
    for kind in ("photo", "sticker"):
        media = await emulator.send_user_media(USER_CHAT, kind)
        reply = await say(emulator, "/summary", reply_to=media)
        while reply.text.startswith("Send me a link"):  # the hint for the media itself
            reply = await emulator.next_message(USER_CHAT)
        # It used to answer "... or reply /summary to a message", which is what the user had just done.
        assert reply.text.startswith("⚠️ That message has no text I can summarize"), reply.text
    captioned = await emulator.send_user_media(
        USER_CHAT, caption="The council met today. It approved the budget. Everyone went home after it."
    )
    reply = await say(emulator, "/summary", reply_to=captioned)
    while reply.text.startswith("Send me a link"):
        reply = await emulator.next_message(USER_CHAT)
    assert reply.text.startswith("📝 Summary") and "approved the budget" in reply.text


async def test_summary_replied_to_a_post_of_another_chat_uses_the_quote_or_says_what_to_do(
    emulator: BotApiEmulator, running_bot: BotApplication
) -> None:
    # "Reply in another chat": a news channel's post answered with /summary here. Telegram sends the bot no
    # reply_to_message, only where the post is and the part quoted; the answer was the usage text "... or reply
    # /summary to a message", which is what the user had just done, and a quote was ignored.
    await emulator.add_chat(USER_CHAT, "private")
    channel = {"id": -100555, "type": "channel", "title": "Daily Harbour"}
    elsewhere = {"origin": {"type": "channel", "chat": channel, "message_id": 7, "date": 1}, "chat": channel}
    message = {
        "date": int(time.time()),
        "chat": {"id": USER_CHAT, "type": "private", "first_name": "Ann"},
        "from": {"id": USER_CHAT, "is_bot": False, "first_name": "Ann"},
        "text": "/summary",
        "entities": [{"type": "bot_command", "offset": 0, "length": 8}],
        "external_reply": {**elsewhere, "message_id": 7},
    }
    await emulator.inject_raw_update({"message": {**message, "message_id": 900}})
    reply = await emulator.next_message(USER_CHAT)
    assert reply.text.startswith("⚠️ I can't see a message replied to from another chat"), reply.text
    quote = {
        "text": "The council met today. It approved the budget. Everyone went home after it.",
        "position": 0,
    }
    await emulator.inject_raw_update({"message": {**message, "message_id": 901, "quote": quote}})
    reply = await emulator.next_message(USER_CHAT)
    assert reply.text.startswith("📝 Summary") and "approved the budget" in reply.text, reply.text


async def test_summary_in_a_forum_topic_is_no_reply_to_the_topic_notice(
    emulator: BotApiEmulator, running_bot: BotApplication
) -> None:
    forum = {"id": -100777, "type": "supergroup", "title": "Forum", "is_forum": True}
    await emulator.add_chat(-100777, "supergroup", "Forum")
    now = int(time.time())
    notice = {
        "message_id": 10,
        "date": now,
        "chat": forum,
        "from": {"id": 5, "is_bot": False, "first_name": "Ann"},
        "message_thread_id": 10,
        "forum_topic_created": {"name": "News", "icon_color": 7322096},
    }
    await emulator.inject_raw_update(
        {
            "message": {
                "message_id": 11,
                "date": now,
                "chat": forum,
                "from": {"id": 5, "is_bot": False, "first_name": "Ann"},
                "message_thread_id": 10,
                "is_topic_message": True,
                "reply_to_message": notice,
                "text": "/summary",
                "entities": [{"type": "bot_command", "offset": 0, "length": 8}],
            }
        }
    )
    reply = await emulator.next_message(-100777)
    assert reply.text.startswith("⚠️ Send /summary with an article id"), reply.text


async def test_summary_replied_to_a_digest_asks_which_story(
    emulator: BotApiEmulator, running_bot: BotApplication
) -> None:
    # A digest has no buttons: replying /summary to it used to summarize the digest's own text as if it were
    # an article ("📝 Summary: Your news digest — 2 stories ...").
    digest, articles = await digest_of_samples(emulator, running_bot, "science health")
    glacier = next(a for a in articles if "glacier" in a.title)
    assert f"#{glacier.id}" in digest.text  # the id to ask for, as /latest shows it
    several = await say(emulator, "/summary", reply_to=digest.message_id)
    assert "lists several articles" in several.text and not several.text.startswith("📝")
    chosen = await say(emulator, f"/summary {glacier.id}", reply_to=digest.message_id)
    assert glacier.title in chosen.text


async def test_summary_replied_to_a_digest_of_one_story_summarizes_that_story(
    emulator: BotApiEmulator, running_bot: BotApplication
) -> None:
    # With one story the digest names it: its summary is meant, not a "📝 Summary" of the digest's own lines.
    digest, articles = await digest_of_samples(emulator, running_bot, "glacier")
    glacier = next(a for a in articles if "glacier" in a.title)
    assert "1 story" in digest.text and f"#{glacier.id}" in digest.text
    reply = await say(emulator, "/summary", reply_to=digest.message_id)
    assert not reply.text.startswith("📝") and "digest" not in reply.text
    assert reply.text.split("\n")[0].endswith(glacier.title) and f"#{glacier.id}" in reply.text


async def test_summary_replied_to_a_summary_of_the_bot_gives_its_article_at_that_length(
    emulator: BotApiEmulator, running_bot: BotApplication, news_site: NewsSite
) -> None:
    # "/summary 5" in reply to the bot's 2-sentence summary of a link came back as "📝 Summary" of that message:
    # its title as a sentence and the same two sentences, never the five of the article the reader asked for.
    page = await news_site.publish("world", ARTICLE_TITLE, ARTICLE_BODY)
    short = await say(emulator, f"/summary 2 {page.url}")
    assert len(summary_sentences(short)) == 2
    longer = await say(emulator, "/summary 5", reply_to=short.message_id)
    assert not longer.text.startswith("📝"), longer.text
    assert longer.text.split("\n")[0].endswith(ARTICLE_TITLE)
    assert len(summary_sentences(longer)) == 5
    assert "The mayor promised monthly reports" in longer.text  # a sentence the short summary did not have
    assert news_site.hits(urlsplit(page.url).path) == 1  # the stored article, not the page again


FERRY_BODY = (
    "The harbor ferry will run every hour through the night from next month, the port authority said.\n\n"
    "Night workers at the hospital and the docks had asked for the service for years.\n\n"
    "The authority will test the timetable for six months before deciding whether to keep it."
)


async def test_one_person_fetches_at_most_two_links_at_once_across_groups(
    emulator: BotApiEmulator, news_site: NewsSite, make_bot: MakeBot
) -> None:
    # The slow page answers only when the test releases it: the refusal below must come while both fetches
    # are still waiting, or it would never come (no wall-clock bound that a busy machine could miss).
    slow_page = await news_site.publish("world", "Harbor ferry gets a night timetable", FERRY_BODY)
    slow_path = urlsplit(slow_page.url).path
    news_site.hold(slow_path)
    page = await news_site.publish("world", ARTICLE_TITLE, ARTICLE_BODY)
    abuser, other = 7, 8
    groups = (-301, -302, -303, -304)
    for group in groups:
        await emulator.add_chat(group, "group")
    async with make_bot():
        for group in groups[:2]:
            await emulator.send_user_message(group, f"/summary {slow_page.url}?n={group}", user_id=abuser)
        await wait_until(lambda: news_site.hits(slow_path) == 2, timeout=4)
        # A third link from the same person, in yet another group, is refused at once and never fetched ...
        busy = await say(emulator, f"/summary {page.url}", chat=groups[2], user_id=abuser, timeout=10)
        assert busy.text == "⚠️ I'm still fetching your other links; try again in a moment.", busy.text
        assert news_site.hits(urlsplit(page.url).path) == 0
        # ... while someone else's link goes through as usual.
        theirs = await say(emulator, f"/summary {page.url}", chat=groups[3], user_id=other, timeout=10)
        assert ARTICLE_TITLE in theirs.text
        # Once the slow fetches are answered, the person may send links again.
        news_site.release(slow_path)
        for group in groups[:2]:
            assert "Harbor ferry" in (await emulator.next_message(group, timeout=15)).text
        later = await news_site.publish("world", "Night ferry timetable extended", FERRY_BODY)
        again = await say(emulator, f"/summary {later.url}", chat=groups[2], user_id=abuser, timeout=10)
        assert "Night ferry" in again.text


async def _as_anonymous_admin(emulator: BotApiEmulator, group: int, message_id: int, text: str) -> None:
    """An anonymous administrator of supergroup ``group`` writes ``text`` (Telegram's placeholder sender)."""
    chat = {"id": group, "type": "supergroup", "title": "Readers"}
    anonymous = {"id": 1087968824, "is_bot": True, "first_name": "Group", "username": "GroupAnonymousBot"}
    message = {"message_id": message_id, "date": int(time.time()), "chat": chat, "from": anonymous}
    entities = [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}]
    await emulator.inject_raw_update(
        {"message": message | {"sender_chat": chat, "text": text, "entities": entities}}
    )


async def test_anonymous_admins_of_different_groups_do_not_share_one_link_allowance(
    emulator: BotApiEmulator, running_bot: BotApplication, news_site: NewsSite
) -> None:
    # Anonymous administrators all write as one placeholder user. Counted as that user, two groups' links being
    # fetched would tell every other group's anonymous admins "I'm still fetching your other links".
    busy, other = (-1001311, -1001312), -1001313
    for group in (*busy, other):
        await emulator.add_chat(group, "supergroup", "Readers")
    held = await news_site.publish("world", ARTICLE_TITLE, ARTICLE_BODY)
    path = urlsplit(held.url).path
    news_site.hold(path)
    try:
        for n, group in enumerate(busy):
            await _as_anonymous_admin(emulator, group, 500, f"/summary {held.url}?n={n}")
        await wait_until(lambda: news_site.hits(path) == 2)
        page = await news_site.publish("world", "Harbor ferry gets a night timetable", FERRY_BODY)
        await _as_anonymous_admin(emulator, other, 500, f"/summary {page.url}")
        theirs = await emulator.next_message(other)
        assert "Harbor ferry" in theirs.text, theirs.text
    finally:
        news_site.release(path)
    for group in busy:
        assert ARTICLE_TITLE in (await emulator.next_message(group)).text


async def test_pages_stuck_in_parsing_hold_up_no_summary_or_alert(
    emulator: BotApiEmulator,
    running_bot: BotApplication,
    news_site: NewsSite,
    clock: FakeClock,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Hostile pages take seconds each to extract, and a parse goes on after its caller gave up. Parsing used
    # to share the event loop's default executor (6 threads here) with alert planning and summaries, so a
    # handful of such links stalled alerts and /summary for every chat.
    import bot.services.ingest

    released = threading.Event()
    entered: list[str] = []
    real = bot.services.ingest.extract_page

    def stuck(body: bytes, url: str, charset: str | None = None) -> Any:
        entered.append(url)
        released.wait(60)  # released when the test ends: far longer than any of its waits below
        return real(body, url, charset)

    services = services_of(running_bot)
    # The bot gives a link up after twice the fetch timeout and 10 s (20 s in tests), which the stuck links'
    # wait outlasted on a loaded machine: they were told "took too long" instead of getting their summary.
    monkeypatch.setattr(services.settings, "fetch_timeout_seconds", 30.0)
    articles = await store_samples(running_bot)  # stored (and prepared) before the parsing pool fills
    glacier = next(a for a in articles if "glacier" in a.title)
    reader = USER_CHAT + 1
    await say(emulator, "/subscribe science", chat=reader)
    monkeypatch.setattr(bot.services.ingest, "extract_page", stuck)
    senders = range(2001, 2009)  # more links than the default executor has threads, one per person and chat
    try:
        for n, sender in enumerate(senders):
            page = await news_site.publish("world", f"Hostile page {n}", ARTICLE_BODY)
            await emulator.send_user_message(sender, f"/summary {page.url}")
        await wait_until(
            lambda: len(entered) >= 4 and all(news_site.hits(f"/articles/{n}.html") for n in range(1, 9)),
            timeout=20,
        )
        await asyncio.sleep(0.2)  # the links past the parsing pool's threads are queued by now
        assert len(entered) >= 4
        started = time.monotonic()
        # A length other than the stored one, so the summary is computed in a thread.
        reply = await say(emulator, f"/summary 1 {glacier.id}", timeout=20)
        assert glacier.title in reply.text and len(summary_sentences(reply)) == 1
        await services.delivery.plan_alerts(articles, services.clock.now())
        clock.advance(CATCHUP_GATHER_SECONDS)  # the samples are hours old: their alerts wait for the catch-up
        alert = await emulator.next_message(reader, timeout=20)
        assert "glacier" in alert.text
        # Held up, they would come once the pages are released (60 s); 3 s ran out on a loaded machine.
        assert time.monotonic() - started < 20
    finally:
        released.set()
    for sender in senders:  # the same text in each: all but one are answered with the first one stored
        assert "Hostile page" in (await emulator.next_message(sender, timeout=20)).text


async def test_the_bot_fetches_at_most_sixteen_links_at_once(
    emulator: BotApiEmulator, news_site: NewsSite, make_bot: MakeBot
) -> None:
    # Each slow link holds one of the 64 shared update slots: many people sending slow links together must
    # leave room for everyone else's commands, so the bot as a whole fetches at most 16 at a time.
    # The slow page answers only when the test releases it (see the per-person test above).
    slow_page = await news_site.publish("world", "Harbor ferry gets a night timetable", FERRY_BODY)
    slow_path = urlsplit(slow_page.url).path
    news_site.hold(slow_path)
    page = await news_site.publish("world", ARTICLE_TITLE, ARTICLE_BODY)
    senders = range(3001, 3017)  # one link each: the per-person limit of two never binds
    async with make_bot():
        for sender in senders:
            await emulator.send_user_message(sender, f"/summary {slow_page.url}?n={sender}")
        await wait_until(lambda: news_site.hits(slow_path) == 16, timeout=5)
        busy = await say(emulator, f"/summary {page.url}", chat=3100, timeout=10)
        assert busy.text == "⚠️ I'm fetching many links right now; try again in a minute.", busy.text
        assert news_site.hits(urlsplit(page.url).path) == 0
        # Commands that fetch nothing are answered as usual meanwhile.
        assert "article id" in (await say(emulator, "/summary", chat=3101, timeout=10)).text
        # Once the slow fetches are answered, links are fetched again.
        news_site.release(slow_path)
        for sender in senders:
            assert "Harbor ferry" in (await emulator.next_message(sender, timeout=15)).text
        again = await say(emulator, f"/summary {page.url}", chat=3100, timeout=10)
        assert ARTICLE_TITLE in again.text


async def test_a_link_already_being_fetched_joins_that_fetch_when_sixteen_links_are_fetched(
    tmp_path: Path, emulator: BotApiEmulator, news_site: NewsSite, make_bot: MakeBot
) -> None:
    # A link pasted in many chats at once is fetched once and answers them all. With sixteen links in flight,
    # another chat sending one of those sixteen was told "I'm fetching many links", though its answer was
    # already on the way and waiting for it opens no connection.
    settings = make_settings(tmp_path, emulator, fetch_timeout_seconds=2.0)
    slow = news_site.add_never_answering("/slow.html")
    senders = range(3201, 3217)
    async with make_bot(settings=settings):
        for sender in senders:
            await emulator.send_user_message(sender, f"/summary {slow}?n={sender}")
        await wait_until(lambda: news_site.hits("/slow.html") == 16, timeout=5)
        await emulator.send_user_message(3300, f"/summary {slow}?n=3201")
        # The joining chat gets the same answer as the chat whose fetch it joined, not "fetching many links".
        joined = await emulator.next_message(3300, timeout=15)
        assert "did not answer" in joined.text, joined.text
        assert "fetching many links" not in joined.text
        for sender in senders:
            assert "did not answer" in (await emulator.next_message(sender, timeout=15)).text
        assert news_site.hits("/slow.html") == 16  # joined, not fetched a seventeenth time


async def test_an_alert_and_a_summary_at_the_chats_length_cost_one_summarize_call(
    emulator: BotApiEmulator, running_bot: BotApplication, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Articles are stored with 3 sentences. A chat set to 5 gets 5 in its alert and in /summary: the two
    # paths share one cache, so the longer summary is made once, not once per path.
    import bot.services.summaries

    calls: list[tuple[str, int]] = []
    real = bot.services.summaries.summarize

    def counting(text: str, sentences: int = 3, **kwargs: Any) -> list[str]:
        calls.append((kwargs["title"], sentences))
        return real(text, sentences, **kwargs)

    monkeypatch.setattr(bot.services.summaries, "summarize", counting)
    await say(emulator, "/settings length 5")
    await say(emulator, "/subscribe science")
    services = services_of(running_bot)
    articles = await store_samples(running_bot)
    glacier = next(a for a in articles if "glacier" in a.title)
    await services.delivery.plan_alerts(articles, services.clock.now())
    clock.advance(CATCHUP_GATHER_SECONDS)  # the samples are hours old: their alerts wait for the catch-up
    alert = await emulator.next_message(USER_CHAT)
    assert "glacier" in alert.text
    reply = await say(emulator, f"/summary {glacier.id}")
    assert calls.count((glacier.title, 5)) == 1
    assert reply.text.count("\n\n") >= 5  # a heading and five sentences, a blank line between each


async def test_a_link_hidden_behind_words_is_summarized(
    emulator: BotApiEmulator, running_bot: BotApplication, news_site: NewsSite
) -> None:
    # Channel posts and formatted messages hide their link behind words ("Read more"); a user who forwarded
    # one got "Send me a link", and /summary in reply to it "nothing to summarize in that text".
    page = await news_site.publish("world", ARTICLE_TITLE, ARTICLE_BODY)
    chat = {"id": USER_CHAT, "type": "private", "first_name": "Ann"}
    user = {"id": USER_CHAT, "is_bot": False, "first_name": "Ann"}
    post = {
        "message_id": 500,
        "date": int(time.time()),
        "chat": chat,
        "from": user,
        "text": "Trams are coming. Read more",
        "entities": [
            {"type": "text_mention", "offset": 0, "length": 5, "user": user},
            {"type": "text_link", "offset": 18, "length": 9, "url": page.url},
        ],
        "forward_origin": {
            "type": "channel",
            "chat": {"id": -1001, "type": "channel", "title": "City News"},
            "message_id": 3,
            "date": int(time.time()),
        },
    }
    await emulator.inject_raw_update({"message": post})
    forwarded = await emulator.next_message(USER_CHAT)
    assert ARTICLE_TITLE in forwarded.text, forwarded.text
    command = {"type": "bot_command", "offset": 0, "length": 8}
    reply = {**post, "message_id": 501, "text": "/summary", "entities": [command], "reply_to_message": post}
    del reply["forward_origin"]
    await emulator.inject_raw_update({"message": reply})
    replied = await emulator.next_message(USER_CHAT)
    assert ARTICLE_TITLE in replied.text, replied.text
    # A link to a person (tg://user) is no page: the hint as before.
    mention = {**post, "message_id": 502, "text": "Ask Ann", "entities": []}
    mention["entities"] = [{"type": "text_link", "offset": 4, "length": 3, "url": "tg://user?id=5"}]
    await emulator.inject_raw_update({"message": mention})
    assert (await emulator.next_message(USER_CHAT)).text.startswith("Send me a link")
    # Channels put their own Telegram link first ("Join us"): that is no article, the next link is.
    promo = {**post, "message_id": 503, "text": "Join us. Trams are coming. Read more"}
    promo["entities"] = [
        {"type": "text_link", "offset": 0, "length": 7, "url": "https://t.me/citynews"},
        {"type": "text_link", "offset": 27, "length": 9, "url": page.url},
    ]
    await emulator.inject_raw_update({"message": promo})
    promoted = await emulator.next_message(USER_CHAT)
    assert ARTICLE_TITLE in promoted.text, promoted.text


async def test_a_channels_post_with_a_link_replied_to_in_its_discussion_group_is_summarized_as_its_text(
    emulator: BotApiEmulator, running_bot: BotApplication, news_site: NewsSite
) -> None:
    # Only the bot's own unstored link summary stands for the page its title links: a channel's post, copied
    # into its discussion group, is the channel's own text, whatever it links to.
    page = await news_site.publish("world", ARTICLE_TITLE, ARTICLE_BODY)
    group = {"id": -1002, "type": "supergroup", "title": "City News chat"}
    channel = {"id": -1001, "type": "channel", "title": "City News"}
    await emulator.add_chat(-1002, "supergroup", "City News chat")
    text = (
        "The harbour council voted on Tuesday to rebuild the old ferry pier before the winter storms arrive. "
        "Work starts in March and the pier reopens in the autumn, the council said. Read more"
    )
    post = {
        "message_id": 600,
        "date": int(time.time()),
        "chat": group,
        "from": {"id": 777000, "is_bot": False, "first_name": "Telegram"},
        "sender_chat": channel,
        "text": text,
        "entities": [{"type": "text_link", "offset": len(text) - 9, "length": 9, "url": page.url}],
        "is_automatic_forward": True,
        "forward_origin": {"type": "channel", "chat": channel, "message_id": 4, "date": int(time.time())},
    }
    command = {"type": "bot_command", "offset": 0, "length": 8}
    reply = {
        "message_id": 601,
        "date": int(time.time()),
        "chat": group,
        "from": {"id": USER_CHAT, "is_bot": False, "first_name": "Ann"},
        "text": "/summary",
        "entities": [command],
        "reply_to_message": post,
    }
    await emulator.inject_raw_update({"message": reply})
    replied = await emulator.next_message(-1002)
    assert replied.text.startswith("📝") and "ferry pier" in replied.text, replied.text
    assert ARTICLE_TITLE not in replied.text


async def test_an_article_with_a_broken_link_under_a_heading_is_summarized(
    emulator: BotApiEmulator, running_bot: BotApplication, news_site: NewsSite
) -> None:
    # A heading linking to "http://[::1/x" (a typo'd address) made the list-of-headlines check raise
    # ValueError: /summary answered with an internal error, and a feed item's page was skipped.
    paragraphs = "".join(
        f"<p>The harbour council opened floating solar farm number {i} on Tuesday after two years of work,"
        " officials said.</p>"
        for i in range(7)
    )
    url = news_site.add(
        "/solar",
        "<html><head><title>Solar farm opens</title></head><body><article><h1>Solar farm opens</h1>"
        f"<h2><a href='http://[::1/report'>Read the council report here</a></h2>{paragraphs}</article></body>"
        "</html>",
    )
    reply = await say(emulator, f"/summary {url}")
    assert "solar farm" in reply.text and "⚠️" not in reply.text, reply.text


async def test_the_command_a_digest_ends_with_sends_a_storys_summary(
    emulator: BotApiEmulator, running_bot: BotApplication
) -> None:
    digest, articles = await digest_of_samples(emulator, running_bot, "science health")
    footer = digest.text.split("\n")[-1]
    assert footer.startswith("📄 A story's full summary: /summary ")
    command = footer.removeprefix("📄 A story's full summary: ").removesuffix(" (its #number)")
    story = next(a for a in articles if f"#{a.id}" in digest.text and command == f"/summary {a.id}")
    assert story.title in (await say(emulator, command)).text


async def test_one_link_sent_by_many_chats_at_once_is_fetched_once_and_every_chat_gets_it(
    emulator: BotApiEmulator, running_bot: BotApplication, news_site: NewsSite
) -> None:
    # A link pasted in many chats at the same moment was fetched, parsed and summarized once per chat (and
    # the site hit as often); now the first fetch serves them all.
    page = await news_site.publish("world", ARTICLE_TITLE, ARTICLE_BODY)
    path = page.url.split(str(news_site.port), 1)[1]
    news_site.hold(path)
    chats = [USER_CHAT + i for i in range(12)]
    for chat in chats:
        await emulator.send_user_message(chat, f"/summary {page.url}")
    # Every request holds its link slot (fetching, or waiting for the fetch) while the page is held.
    ingest = services_of(running_bot).ingest
    await wait_until(lambda: ingest._link_fetches_total == len(chats))
    news_site.release(path)
    replies = [await emulator.next_message(chat, timeout=10) for chat in chats]
    assert all(ARTICLE_TITLE in reply.text for reply in replies), [r.text[:60] for r in replies]
    assert news_site.hits(path) == 1
    stored = await services_of(running_bot).db.articles.get_by_url(page.url)
    assert stored is not None and stored.id is not None
    # Stored once, and each chat may open it again by its id.
    for chat in chats[:3]:
        again = await say(emulator, f"/summary {stored.id}", chat=chat)
        assert ARTICLE_TITLE in again.text


async def test_links_to_names_whose_dns_never_answers_do_not_hold_up_other_summaries(
    emulator: BotApiEmulator,
    running_bot: BotApplication,
    news_site: NewsSite,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Host name lookups ran in asyncio's default thread pool (6 threads on a 2-core server), which also
    # summarizes stored articles, and outlived the fetch that timed out on them: eight people sending links to
    # names whose DNS server never answers made every link "did not answer within 5 seconds" and every summary
    # of a stored article wait, for everyone, until the system resolver gave up.
    articles = await store_samples(running_bot)
    page = await news_site.publish("world", ARTICLE_TITLE, ARTICLE_BODY)
    release = threading.Event()
    hanging: list[str] = []
    system_getaddrinfo = socket.getaddrinfo

    def getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
        if isinstance(host, str) and host.endswith(".dead-dns.test"):
            hanging.append(host)
            release.wait(60)
            raise socket.gaierror(socket.EAI_AGAIN, "Temporary failure in name resolution")
        return system_getaddrinfo("127.0.0.1" if host == "news.example" else host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    asyncio.get_running_loop().set_default_executor(ThreadPoolExecutor(6))  # as on a 2-core server
    try:
        for chat in range(USER_CHAT + 100, USER_CHAT + 108):
            await emulator.send_user_message(chat, f"/summary http://news.p{chat}.dead-dns.test/a")
        ingest = services_of(running_bot).ingest
        await wait_until(lambda: ingest._link_fetches_total == 8 and len(hanging) >= 6)
        # Those lookups hang until the end of the test.
        link = page.url.replace("127.0.0.1", "news.example")
        reply = await say(emulator, f"/summary {link}", timeout=30)
        assert ARTICLE_TITLE in reply.text and len(summary_sentences(reply)) == 3, reply.text
        stored = await say(emulator, f"/summary 5 {articles[0].id}", timeout=30)
        assert articles[0].title in stored.text and len(summary_sentences(stored)) == 5, stored.text
    finally:
        release.set()


async def test_a_dead_link_sent_by_several_chats_at_once_gives_each_the_reason_after_one_fetch(
    emulator: BotApiEmulator, running_bot: BotApplication, news_site: NewsSite
) -> None:
    url = news_site.url("/gone.html")  # answers 404
    news_site.hold("/gone.html")
    chats = [USER_CHAT + i for i in range(3)]
    for chat in chats:
        await emulator.send_user_message(chat, f"/summary {url}")
    ingest = services_of(running_bot).ingest
    await wait_until(lambda: ingest._link_fetches_total == len(chats))
    news_site.release("/gone.html")
    replies = [(await emulator.next_message(chat, timeout=10)).text for chat in chats]
    assert len(set(replies)) == 1 and "404" in replies[0], replies
    assert news_site.hits("/gone.html") == 1


async def test_a_link_that_cannot_be_connected_to_says_why_without_exception_names(
    emulator: BotApiEmulator, running_bot: BotApplication
) -> None:
    # The reply read "Could not connect to 127.0.0.1 (ConnectError)." - a Python class name in a chat.
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed = probe.getsockname()[1]  # nobody listens once the socket is closed
    reply = await say(emulator, f"/summary http://127.0.0.1:{closed}/news.html", timeout=20)
    assert reply.text == "⚠️ Could not connect to 127.0.0.1."
    tls = Path(__file__).parents[1] / "support" / "tls"
    served = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    served.load_cert_chain(tls / "a.test.pem", tls / "a.test.key")
    async with NewsSite(ssl_context=served) as site:  # a certificate no public authority signed
        site.add("/a.html", "<html><body><p>Text.</p></body></html>")
        reply = await say(emulator, f"/summary https://127.0.0.1:{site.port}/a.html", timeout=20)
    assert reply.text == "⚠️ Could not connect to 127.0.0.1: its secure connection could not be verified."


async def test_a_summary_button_whose_article_was_pruned_says_why_it_is_gone(
    emulator: BotApiEmulator, running_bot: BotApplication
) -> None:
    # The button under an old list answered "There is no article #1", as if the reader had asked for a wrong one.
    articles = await store_samples(running_bot)
    listing = await say(emulator, "/latest")
    services = services_of(running_bot)
    now = services.clock.now()
    assert await services.db.articles.prune(now + 1, now) == len(articles)  # past the retention days
    toast = await press(emulator, listing, f"sum:{articles[0].id}")
    assert toast == (
        f"There is no article #{articles[0].id}; it may be older than the 30 days articles are kept. "
        "/latest shows recent ones."
    )


async def test_summary_of_an_id_never_given_does_not_say_it_may_have_been_pruned(
    emulator: BotApiEmulator, running_bot: BotApplication
) -> None:
    # "/summary 12", as the usage examples write it, with six articles stored answered "it may be older than
    # the 30 days articles are kept": the reader went looking for an article that never was.
    articles = await store_samples(running_bot)
    newest = max(a.id for a in articles if a.id is not None)
    reply = await say(emulator, f"/summary {newest + 6}")
    assert reply.text == f"⚠️ There is no article #{newest + 6}. /latest shows recent ones with their ids."
    assert (
        await say(emulator, "/summary 0")
    ).text == "⚠️ There is no article #0. /latest shows recent ones with their ids."
    # An id given once and pruned since still says why it is gone.
    services = services_of(running_bot)
    now = services.clock.now()
    await services.db.articles.prune(now + 1, now)
    gone = await say(emulator, f"/summary {newest}")
    assert "it may be older than the 30 days articles are kept" in gone.text


async def test_a_feed_link_names_who_can_add_it_without_sending_group_admins_to_a_refusal(
    emulator: BotApiEmulator, running_bot: BotApplication, news_site: NewsSite
) -> None:
    # "An admin can add it with /addfeed": in a group that reads as the group's admins, whom /addfeed refuses
    # ("only for the bot's administrators").
    feed = news_site.add(
        "/rss.xml",
        '<?xml version="1.0"?><rss version="2.0"><channel><title>T</title>'
        "<item><title>A</title><link>https://news.example/a</link></item></channel></rss>",
        content_type="application/rss+xml",
    )
    reply = await say(emulator, f"/summary {feed}")
    assert reply.text == (
        "⚠️ That link is a news feed, not an article. The bot's administrators can add it with /addfeed."
    )


@pytest.mark.parametrize(("encoding", "charset"), [("utf-16-le", "utf-16le"), ("utf-16-be", "utf-16be")])
async def test_a_utf16_feed_link_without_a_byte_order_mark_is_told_as_a_feed(
    emulator: BotApiEmulator, running_bot: BotApplication, news_site: NewsSite, encoding: str, charset: str
) -> None:
    # No byte order mark and no XML declaration, its charset named by its server, as the poller reads it: /summary
    # took it for a page and answered with its items' text as one "article" (or found no article text).
    body = " ".join(["The harbour board raised ferry fares on Monday, the first rise in six years."] * 3)
    feed = (
        '<rss version="2.0"><channel><title>Harbour news</title>'
        f"<item><title>Ferry fares rise</title><link>https://news.example/a</link><description>{body}"
        "</description></item></channel></rss>"
    )
    url = news_site.add(
        "/wide.xml", feed.encode(encoding), content_type=f"application/rss+xml; charset={charset}"
    )
    reply = await say(emulator, f"/summary {url}")
    assert reply.text == (
        "⚠️ That link is a news feed, not an article. The bot's administrators can add it with /addfeed."
    )
    assert await services_of(running_bot).db.articles.get_by_url(url) is None


@pytest.mark.parametrize(
    ("encoding", "charset"), [("utf-16", None), ("utf-32", None), ("utf-16-le", "utf-16le")]
)
async def test_a_utf16_json_feed_link_is_told_as_a_feed(
    emulator: BotApiEmulator,
    running_bot: BotApplication,
    news_site: NewsSite,
    encoding: str,
    charset: str | None,
) -> None:
    # A JSON Feed saved as UTF-16 (with a byte order mark, or without one and named by its server) and served as
    # text, as servers serve a file they do not know, was not known as a feed: its JSON was summarized as text.
    body = " ".join(["The harbour board raised ferry fares on Monday, the first rise in six years."] * 3)
    item = {"id": "1", "url": "https://news.example/a", "title": "Ferry fares rise", "content_text": body}
    doc = json.dumps(
        {"version": "https://jsonfeed.org/version/1.1", "title": "Harbour news", "items": [item]}
    )
    content_type = "text/plain" + (f"; charset={charset}" if charset else "")
    url = news_site.add("/wide.json", doc.encode(encoding), content_type=content_type)
    reply = await say(emulator, f"/summary {url}")
    assert reply.text == (
        "⚠️ That link is a news feed, not an article. The bot's administrators can add it with /addfeed."
    )
    assert await services_of(running_bot).db.articles.get_by_url(url) is None


@pytest.mark.parametrize(("encoding", "charset"), [("utf-16-le", "utf-16le"), ("utf-16-be", "utf-16be")])
async def test_a_utf16_page_without_a_byte_order_mark_is_read_by_the_charset_its_server_names(
    emulator: BotApiEmulator, running_bot: BotApplication, news_site: NewsSite, encoding: str, charset: str
) -> None:
    # Its NUL bytes made the sniffer refuse it as binary data, though the server had named its charset.
    page = _FERRY_FARES.encode(encoding)
    content_type = f"text/html; charset={charset}"
    url = news_site.add("/wide.html", page, content_type=content_type)
    reply = await say(emulator, f"/summary {url}")
    assert reply.text.startswith("📰 Ferry fares\n"), reply.text
    assert "The harbour board raised ferry fares on Monday" in reply.text, reply.text
    # Random bytes under that header are still binary data, also after a page's worth of text.
    noise = news_site.add("/noise.html", random.Random(7).randbytes(300_000), content_type=content_type)
    junk = news_site.add(
        "/junk.html", page[:2048] + random.Random(5).randbytes(300_000), content_type=content_type
    )
    for bad in (noise, junk):
        reply = await say(emulator, f"/summary {bad}")
        assert reply.text.startswith("⚠️ That link leads to"), reply.text
        assert "binary data" in reply.text, reply.text
        assert await services_of(running_bot).db.articles.get_by_url(bad) is None


@pytest.mark.parametrize("labelled", ["header", "meta"])
async def test_a_page_labelled_iso_8859_1_keeps_its_windows_quotes_and_letters(
    emulator: BotApiEmulator, running_bot: BotApplication, news_site: NewsSite, labelled: str
) -> None:
    # Browsers read ISO-8859-1 as Windows-1252. Named by the server, its quotes and dashes were read as control
    # codes and vanished ("dijo sí en España al fin"); named only by the page's <meta>, the page was guessed in
    # a Central European code page ("El nińo", "Espańa").
    sentence = "El niño dijo “sí” en España — al fin."
    meta = '<meta charset="iso-8859-1">' if labelled == "meta" else ""
    page = (
        f"<html><head>{meta}<title>Tranvía</title></head><body><article><h1>Tranvía</h1>"
        + f"<p>{sentence}</p>" * 6
        + "</article></body></html>"
    )
    content_type = "text/html; charset=ISO-8859-1" if labelled == "header" else "text/html"
    url = news_site.add(f"/tram-{labelled}.html", page.encode("cp1252"), content_type=content_type)
    reply = await say(emulator, f"/summary 1 {url}")
    assert sentence in reply.text, reply.text


async def test_a_page_with_only_its_headline_and_a_caption_has_no_article_text(
    emulator: BotApiEmulator, running_bot: BotApplication, news_site: NewsSite
) -> None:
    # The headline repeated as the page's first paragraph counted towards the 15 words an article needs, though
    # it is then dropped from the article: a video page's long headline let its caption through as the "summary"
    # ("Video, 2 minutes."), and a page with no text but its headline was an article with an empty summary.
    headline = (
        "Watch: the council votes on the new harbour plan after a long and heated debate on Monday night"
    )
    for name, body in (("caption", "<p>Video, 2 minutes.</p>"), ("bare", "")):
        url = news_site.add(
            f"/{name}.html",
            f"<html><head><title>{headline}</title></head><body><article><h1>{headline}</h1>{body}"
            "<video src='clip.mp4'></video></article></body></html>",
        )
        reply = await say(emulator, f"/summary {url}")
        assert reply.text == "⚠️ That page has no article text.", reply.text
        assert await services_of(running_bot).db.articles.get_by_url(url) is None
    # An article of 15 words under its headline is still one.
    brief = news_site.add(
        "/brief.html",
        f"<html><head><title>{headline}</title></head><body><article><h1>{headline}</h1>"
        "<p>The council will vote on the new harbour plan at its next meeting, on Monday night.</p>"
        "</article></body></html>",
    )
    reply = await say(emulator, f"/summary {brief}")
    assert "The council will vote on the new harbour plan" in reply.text, reply.text


async def test_a_utf16_login_page_without_a_byte_order_mark_is_told_as_a_login_page(
    emulator: BotApiEmulator, running_bot: BotApplication, news_site: NewsSite
) -> None:
    # Its ASCII letters made valid UTF-8 with a NUL between each: read that way, its password field was not found,
    # and the sign-in prompt was summarized as an article.
    prompt = " ".join(
        ["Members sign in here to read the latest harbour news and council reports every day."] * 3
    )
    page = (
        f"<html><head><title>Sign in</title></head><body><form><p>{prompt}</p>"
        "<input type='password' name='pw'></form></body></html>"
    )
    url = news_site.add("/signin.html", page.encode("utf-16-le"), content_type="text/html; charset=utf-16le")
    reply = await say(emulator, f"/summary {url}")
    assert reply.text == "⚠️ That page has no article text (it looks like a login page).", reply.text
