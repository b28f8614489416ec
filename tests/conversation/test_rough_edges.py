"""Rough edges a walkthrough found: what a user or operator types that the bot used to take the wrong way."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from bot.config import Settings, describe_validation_error
from bot.context import BotApplication
from bot.emulator import BotApiEmulator
from tests.conftest import USER_CHAT, MakeBot, make_settings, services_of
from tests.conversation.helpers import say, store_samples
from tests.support.news_site import NewsSite


@pytest.mark.parametrize(("typed", "zone"), [("Berlin", "Europe/Berlin"), ("new york", "America/New_York")])
async def test_timezone_setting_takes_what_the_settings_command_takes(
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    emulator: BotApiEmulator,
    make_bot: MakeBot,
    typed: str,
    zone: str,
) -> None:
    # NEWSBOT_TIMEZONE=Berlin stopped start-up while "/settings timezone Berlin" was accepted.
    monkeypatch.setenv("NEWSBOT_TIMEZONE", typed)
    settings = make_settings(tmp_path, emulator)  # the timezone comes from the environment, as at start-up
    assert settings.timezone == zone
    async with make_bot(settings=settings) as application:
        await say(emulator, "/start")
        assert zone in (await say(emulator, "/mysubs")).text
        chat = await services_of(application).chats.get(USER_CHAT)
        assert chat is not None and chat.timezone == zone


def test_timezone_setting_still_refuses_nonsense_naming_the_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEWSBOT_TIMEZONE", "Mars/Olympus")
    with pytest.raises(ValidationError) as info:
        Settings(_env_file=None)  # type: ignore[call-arg]
    line = describe_validation_error(info.value)
    assert line.startswith("invalid setting NEWSBOT_TIMEZONE: 'Mars/Olympus' is not an IANA timezone name")
    assert "Berlin" in line and "\n" not in line


async def test_latest_with_a_number_says_what_latest_takes(
    emulator: BotApiEmulator, running_bot: BotApplication
) -> None:
    # "/latest 5" answered "“5” is not a topic": a number there means "how many" (or article 5), not a topic.
    await store_samples(running_bot)
    reply = await say(emulator, "/latest 5")
    assert "not a topic" not in reply.text
    assert "/latest shows the 8 newest articles" in reply.text
    assert "/latest sport shows one topic's" in reply.text and "/summary 5" in reply.text
    assert "/latest sport shows one topic's. Topics:" in (await say(emulator, "/latest sport 3")).text
    # A near miss is still suggested, a nonsense word is still no topic.
    assert "Did you mean" in (await say(emulator, "/latest busines")).text
    assert "“marsbars” is not a topic" in (await say(emulator, "/latest marsbars")).text


async def test_latest_of_a_word_that_is_no_topic_points_to_search(
    emulator: BotApiEmulator, running_bot: BotApplication
) -> None:
    # "/latest battery" (or a keyword the chat follows) ended at the list of topics, with no way on to the
    # articles that mention the word.
    await store_samples(running_bot)
    reply = await say(emulator, "/latest battery")
    assert reply.text.startswith("⚠️ “battery” is not a topic. Topics: automotive,"), reply.text
    assert reply.text.endswith(", e-commerce. /search battery finds the articles that mention it."), (
        reply.text
    )
    assert "Northwind Motors" in (await say(emulator, "/search battery")).text
    # A near miss gets its topic instead.
    near = await say(emulator, "/latest busines")
    assert "Did you mean 💼 Business?" in near.text and "/search" not in near.text


@pytest.mark.parametrize("written", ["{id}.", "#{id}.", "({id})", "(#{id})", "[#{id}]", "{id}!", "{id}..."])
async def test_summary_of_an_id_written_with_punctuation(
    emulator: BotApiEmulator, running_bot: BotApplication, written: str
) -> None:
    # "/summary 3." was summarized as the pasted text "3." ("too short to summarize") instead of article 3.
    target = (await store_samples(running_bot))[1]
    reply = await say(emulator, "/summary " + written.format(id=target.id))
    assert target.title in reply.text and "Newsbot Samples" in reply.text
    # "/summary N ID" still asks for N sentences of the article.
    one = await say(emulator, f"/summary 1 {written.format(id=target.id)}")
    assert target.title in one.text and len([p for p in one.text.split("\n\n")[1:] if p.strip()]) == 1


async def test_summary_of_a_decimal_number_is_no_article(
    emulator: BotApiEmulator, running_bot: BotApplication
) -> None:
    target = (await store_samples(running_bot))[1]
    assert target.title not in (await say(emulator, f"/summary {target.id}.5")).text


async def test_markup_is_no_keyword(emulator: BotApiEmulator, running_bot: BotApplication) -> None:
    # '/subscribe "<b>x</b>"' followed the keyword "b>x</b".
    reply = await say(emulator, '/subscribe "<b>tesla</b>" <i>rivian</i> b>lucid "at&t" "c++" node.js')
    assert reply.text.count("keywords are plain words, not markup: leave out < and >") == 3
    keywords = {s.value for s in await services_of(running_bot).subscriptions.for_chat(USER_CHAT)}
    assert keywords == {"at&t", "c++", "node.js"}  # punctuation inside a word is still a keyword


async def test_markup_refusal_quotes_the_keyword_as_typed(
    emulator: BotApiEmulator, running_bot: BotApplication
) -> None:
    # The refusal quoted “b>tesla</b”: the outer "<" and ">" were trimmed as edge punctuation before it was made.
    reply = await say(emulator, '/subscribe "<b>tesla</b>" <i>rivian</i>')
    assert "Not followed “<b>tesla</b>”: keywords are plain words" in reply.text
    assert "Not followed “<i>rivian</i>”: keywords are plain words" in reply.text
    assert await services_of(running_bot).subscriptions.for_chat(USER_CHAT) == []


async def test_a_lone_tag_is_refused_as_markup(emulator: BotApiEmulator, running_bot: BotApplication) -> None:
    # "/subscribe <br>" followed the keyword "br", and "<p>" was refused for having under 2 characters: the "<" and
    # ">" at the edges were trimmed as punctuation before the markup check.
    reply = await say(emulator, "/subscribe <br> <p> </div> tesla>")
    assert reply.text.count("keywords are plain words, not markup: leave out < and >") == 4
    assert "Not followed “<p>”: keywords are plain words" in reply.text
    assert "at least 2 characters" not in reply.text
    assert await services_of(running_bot).subscriptions.for_chat(USER_CHAT) == []


async def test_a_keyword_of_only_punctuation_is_refused_with_the_reason(
    emulator: BotApiEmulator, running_bot: BotApplication
) -> None:
    # "/subscribe tesla !!!" dropped the "!!!" without a word, and '/subscribe "..."' answered "Tell me what to
    # follow", while "***" was refused for having no letters or digits.
    reply = await say(emulator, '/subscribe tesla !!! "..." ***')
    assert "“tesla”" in reply.text
    for typed in ("!!!", "...", "***"):
        assert f"Not followed “{typed}”: it has no letters or digits" in reply.text
    reply = await say(emulator, '/subscribe "?!"')
    assert reply.text == "⚠️ Not followed “?!”: it has no letters or digits."
    keywords = {s.value for s in await services_of(running_bot).subscriptions.for_chat(USER_CHAT)}
    assert keywords == {"tesla"}


async def test_latest_all_lists_every_topic(emulator: BotApiEmulator, running_bot: BotApplication) -> None:
    # "/latest all" answered "“all” is not a topic ... /search all finds the articles that mention it", as if
    # "all" were a word to look for; /subscribe and /unsubscribe read it as every topic.
    await store_samples(running_bot)
    every = await say(emulator, "/latest")
    for typed in ("all", "All", "everything", "*"):
        reply = await say(emulator, f"/latest {typed}")
        assert (reply.text, reply.buttons) == (every.text, every.buttons), typed


@pytest.mark.parametrize("typed", ["-1", "3.5", "+4"])
async def test_a_summary_length_typed_as_a_number_is_not_called_no_number(
    emulator: BotApiEmulator, running_bot: BotApplication, typed: str
) -> None:
    # "/settings length -1" answered "“-1” is not a number": the user typed one, just not a whole one from 1 to 10.
    await say(emulator, "/start")
    reply = await say(emulator, f"/settings length {typed}")
    assert reply.text == (
        f"⚠️ A summary length is a whole number of sentences from 1 to 10, not “{typed}”; e.g. /settings length 4."
    )
    assert "“four” is not a number" in (await say(emulator, "/settings length four")).text
    chat = await services_of(running_bot).chats.get(USER_CHAT)
    assert chat is not None and chat.summary_sentences == 3


@pytest.mark.parametrize("typed", ["4.", "4 sentences.", "4,", "4!"])
async def test_a_summary_length_ending_a_sentence_with_a_full_stop_is_taken(
    emulator: BotApiEmulator, running_bot: BotApplication, typed: str
) -> None:
    # "/settings length 4." answered "“4.” is not a number": the full stop ends the sentence, as people type it.
    await say(emulator, "/start")
    reply = await say(emulator, f"/settings length {typed}")
    assert "4 sentences" in reply.text and "⚠️" not in reply.text, reply.text
    chat = await services_of(running_bot).chats.get(USER_CHAT)
    assert chat is not None and chat.summary_sentences == 4


async def test_quiet_hours_off_with_a_word_more_says_what_is_wrong(
    emulator: BotApiEmulator, running_bot: BotApplication
) -> None:
    # "/settings quiet off now" answered "“off” is not a time of day", though "off" alone turns them off.
    await say(emulator, "/start")
    await say(emulator, "/settings quiet 22-7")
    reply = await say(emulator, "/settings quiet off now")
    assert reply.text == "⚠️ To turn quiet hours off, send /settings quiet off alone, without “now”."
    assert "Quiet hours are off." in (await say(emulator, "/settings quiet off")).text
    # "0" is an off word, but "0 7" is quiet hours from midnight to 07:00.
    assert "Quiet hours 00:00–07:00" in (await say(emulator, "/settings quiet 0 7")).text


@pytest.mark.parametrize(
    ("typed", "shown"),
    [
        ("-1", "“-1”"),
        ("#-1", "“#-1”"),
        ("+12", "“+12”"),
        ("3.5", "“3.5”"),
        ("#" + "1" * 44, "“#" + "1" * 22 + "…”"),
        ("1" * 44, "“" + "1" * 23 + "…”"),
    ],
)
async def test_summary_of_a_number_that_is_no_id_says_there_is_no_such_article(
    emulator: BotApiEmulator, running_bot: BotApplication, typed: str, shown: str
) -> None:
    # "/summary -1" and "/summary #" with 44 digits answered "That is too short to summarize", while 20 digits
    # said "There is no article #...": the user asked for an article either way.
    await store_samples(running_bot)
    reply = await say(emulator, f"/summary {typed}")
    assert reply.text == f"⚠️ There is no article {shown}. /latest shows recent ones with their ids."


@pytest.mark.parametrize("typed", ["https://", "http://", "HTTPS://"])
async def test_summary_of_a_link_with_no_address_says_it_is_no_valid_link(
    emulator: BotApiEmulator, running_bot: BotApplication, typed: str
) -> None:
    # "/summary https://" answered "That is too short to summarize".
    reply = await say(emulator, f"/summary {typed}")
    assert reply.text == (
        f"⚠️ “{typed}” is not a valid link: send the page's whole address, e.g. https://example.com/news/story."
    )
    # Pasted text with a number in it is still text; a word is still too short.
    assert "too short to summarize" in (await say(emulator, "/summary hello")).text
    assert (await say(emulator, "/summary 15 people were hurt. The road is closed.")).text.startswith(
        "📝 Summary"
    )


async def test_a_link_that_redirects_to_ftp_or_a_file_says_the_site_redirected(
    emulator: BotApiEmulator, running_bot: BotApplication, news_site: NewsSite
) -> None:
    # "/summary https://..." whose page redirects to ftp:// answered "Only http and https links can be fetched.",
    # though the user had sent an https link.
    for name, target in (("ftp", "ftp://files.example/story.txt"), ("file", "file:///etc/hostname")):
        url = news_site.add_redirect(f"/moved-{name}", target)
        reply = await say(emulator, f"/summary {url}")
        assert "The site redirected to an address newsbot cannot fetch." in reply.text, reply.text
        assert "Only http and https" not in reply.text


async def test_a_link_that_redirects_to_an_invalid_address_says_the_site_redirected(
    emulator: BotApiEmulator, running_bot: BotApplication, news_site: NewsSite
) -> None:
    # A redirect to port 0, a port past 65535 or no host at all answered "That is not a valid web address.": the
    # user checked the link they had sent, which was fine.
    for name, target in (
        ("zero", "http://127.0.0.1:0/x"),
        ("big", "http://127.0.0.1:99999/x"),
        ("no", "https://:80/x"),
    ):
        url = news_site.add_redirect(f"/moved-{name}", target)
        reply = await say(emulator, f"/summary {url}")
        assert reply.text == "⚠️ The site redirected to an address newsbot cannot fetch.", reply.text
    # A link that is itself invalid still says so.
    reply = await say(emulator, "/summary http://127.0.0.1:0/x")
    assert "not a valid web address" in reply.text, reply.text


async def test_quiet_hours_that_hold_a_digest_time_say_so(
    emulator: BotApiEmulator, running_bot: BotApplication
) -> None:
    # "/settings quiet 7-22" with a digest at 08:00 said only "alerts and digests wait until they end", while
    # "/settings digest" said when that digest would come.
    await say(emulator, "/start")
    await say(emulator, "/settings digest 08:00")
    reply = await say(emulator, "/settings quiet 7-22")
    assert reply.text.startswith(
        "✅ Quiet hours 07:00–22:00 (UTC): alerts and digests wait until they end. 08:00 falls in your quiet "
        "hours: that digest comes when they end at 22:00.\n"
    ), reply.text
    assert "08:00 falls" not in (await say(emulator, "/settings quiet 9-17")).text
    await say(emulator, "/settings instant")
    assert "falls in" not in (await say(emulator, "/settings quiet 7-22")).text  # no digests: nothing held


async def test_two_digest_times_in_one_quiet_night_are_said_to_make_one_digest(
    emulator: BotApiEmulator, running_bot: BotApplication
) -> None:
    # "06:00 and 23:00 fall in your quiet hours: those digests come when they end at 07:00" promised two digests
    # at 07:00; the delivery sends one with the stories of both (as the README says).
    await say(emulator, "/start")
    await say(emulator, "/settings digest 06:00,23:00")
    reply = await say(emulator, "/settings quiet 22-7")
    assert reply.text.startswith(
        "✅ Quiet hours 22:00–07:00 (UTC): alerts and digests wait until they end. 06:00 and 23:00 fall in your "
        "quiet hours: they make one digest when they end at 07:00.\n"
    ), reply.text
    again = await say(emulator, "/settings digest 06:00,23:00")
    assert (
        "06:00 and 23:00 fall in your quiet hours: they make one digest when they end at 07:00." in again.text
    )
    assert "those digests come" not in again.text


async def test_digest_off_with_a_word_more_says_what_is_wrong(
    emulator: BotApiEmulator, running_bot: BotApplication
) -> None:
    # "/settings digest off now" answered "“off” is not a time of day", as "quiet off now" did.
    await say(emulator, "/start")
    await say(emulator, "/settings digest 08:00")
    reply = await say(emulator, "/settings digest off now")
    assert reply.text == "⚠️ To turn digests off, send /settings digest off alone, without “now”."
    assert "⚠️ To turn digests off" in (await say(emulator, "/settings digest stop please")).text
    chat = await services_of(running_bot).chats.get(USER_CHAT)
    assert chat is not None and chat.mode == "digest"
    assert "an alert for each new matching article" in (await say(emulator, "/settings digest off")).text
    # The words that turn quiet hours off turn digests off too.
    for word in ("no", "disable"):
        await say(emulator, "/settings digest 08:00")
        assert (
            "an alert for each new matching article" in (await say(emulator, f"/settings digest {word}")).text
        )
    # "0" is midnight for a digest, not an off word.
    assert "digest at 00:00, 08:00" in (await say(emulator, "/settings digest 0 8")).text


@pytest.mark.parametrize(
    "typed", ["https:// foo", "hello world", "Quake hits Chile", "www. foo", "ok thanks 👍"]
)
async def test_a_few_words_are_too_short_not_their_own_summary(
    emulator: BotApiEmulator, running_bot: BotApplication, typed: str
) -> None:
    # "/summary https:// foo" answered "📝 Summary\n\nhttps:// foo": two words passed the one-word check and came
    # back as their own summary.
    reply = await say(emulator, f"/summary {typed}")
    assert reply.text.startswith("⚠️ That is too short to summarize."), reply.text


async def test_a_two_sentence_wire_brief_is_still_summarized(
    emulator: BotApiEmulator, running_bot: BotApplication
) -> None:
    reply = await say(emulator, "/summary Fire in Rome. Two hurt.")
    assert reply.text == "📝 Summary\n\nFire in Rome.\n\nTwo hurt."


@pytest.mark.parametrize(
    ("typed", "meant"),
    [("／help", "/help"), ("/ｈｅｌｐ", "/help"), ("／ｓｕｍｍａｒｙ 1", "/summary"), ("／Lates", "/latest")],
)
async def test_a_command_typed_full_width_is_pointed_to_the_command_meant(
    emulator: BotApiEmulator, running_bot: BotApplication, typed: str, meant: str
) -> None:
    # A Chinese or Japanese keyboard types "／summary 1": Telegram makes no command of it, and the bot answered
    # "use /summary followed by text", which is what the user had typed.
    reply = await say(emulator, typed)
    assert reply.text == (
        f"Commands are typed with a plain / and Latin letters: did you mean {meant}? /help lists what I can do."
    )
    # Other text, full-width or not, gets the usual hint.
    for text in ("／ニュース", "ｈｅｌｌｏ", "hello /help"):
        assert (await say(emulator, text)).text.startswith("Send me a link and I'll summarize it"), text


@pytest.mark.parametrize("typed", ["“busines”", '"busines"', "«busines»", "„busines“"])
async def test_a_word_typed_in_quotes_is_not_quoted_twice_in_the_answer(
    emulator: BotApiEmulator, running_bot: BotApplication, typed: str
) -> None:
    # "/latest “busines”" answered "““busines”” is not a topic": the user's quotes inside the bot's own.
    reply = await say(emulator, f"/latest {typed}")
    assert reply.text.startswith("⚠️ “busines” is not a topic. Did you mean 💼 Business? Topics: "), reply.text


@pytest.mark.parametrize(
    ("typed", "said"),
    [
        ("length “4”", "Summaries will have 4 sentences."),
        ("digest «8am»", "You'll get a digest at 08:00 (UTC)"),
        ('quiet "22:00-07:00"', "22:00–07:00"),
        ("timezone „New York“", "Timezone set to America/New_York."),
    ],
)
async def test_a_setting_typed_in_quotes_is_taken(
    emulator: BotApiEmulator, running_bot: BotApplication, typed: str, said: str
) -> None:
    # "/settings length “4”" answered "“4” is not a number", and "/settings digest «8am»" that 8am was no time of
    # day "(8am works too)": the quotes were read as part of the value.
    reply = await say(emulator, f"/settings {typed}")
    assert said in reply.text and "⚠️" not in reply.text, reply.text
