"""The Bot API emulator driven by the real python-telegram-bot ``Bot`` and by raw HTTP."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator

import httpx
import pytest
import pytest_asyncio
from telegram import (
    Bot,
    BotCommand,
    BotCommandScopeChat,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    LinkPreviewOptions,
)
from telegram.constants import ParseMode
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Conflict,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
)

from bot.emulator import BotApiEmulator, RateLimits
from bot.errors import retry_after_seconds

TOKEN = "123456:TEST-token_for-tests"
USER = 42
GROUP = -100


@pytest_asyncio.fixture
async def emu() -> AsyncIterator[BotApiEmulator]:
    """An emulator with rate limits off (the rate-limit tests build their own)."""
    async with BotApiEmulator(rate_limits=RateLimits(enabled=False)) as emulator:
        await emulator.add_chat(USER)
        await emulator.add_chat(GROUP, "group", title="Test group")
        yield emulator


@pytest_asyncio.fixture
async def bot(emu: BotApiEmulator) -> AsyncIterator[Bot]:
    """A real PTB Bot talking HTTP to the emulator."""
    async with Bot(TOKEN, base_url=emu.base_url) as ptb_bot:
        yield ptb_bot


async def test_get_me_identifies_the_bot(bot: Bot, emu: BotApiEmulator) -> None:
    me = await bot.get_me()
    assert me.id == 123456
    assert me.is_bot
    assert me.username == emu.bot_username
    assert emu.requests["getMe"] >= 1


async def test_send_valid_html_records_visible_text(bot: Bot, emu: BotApiEmulator) -> None:
    keyboard = InlineKeyboardMarkup(
        [
            [InlineKeyboardButton("Business ✅", callback_data="t:business")],
            [InlineKeyboardButton("Site", url="https://e.x")],
        ]
    )
    sent = await bot.send_message(
        USER,
        "<b>Hello</b> &lt;world&gt; &amp; <a href='https://e.x'>link</a>",
        parse_mode=ParseMode.HTML,
        reply_markup=keyboard,
        link_preview_options=LinkPreviewOptions(is_disabled=True),
    )
    assert sent.text == "Hello <world> & link"
    assert sent.chat.id == USER
    assert sent.reply_markup is not None
    assert sent.reply_markup.inline_keyboard[0][0].callback_data == "t:business"
    got = await emu.next_message(USER, timeout=1)
    assert got.text == "Hello <world> & link"
    assert got.html.startswith("<b>Hello</b>")
    assert got.reply_markup == [[("Business ✅", "t:business")], [("Site", "https://e.x")]]
    assert got.button_data("Business") == "t:business"
    assert not got.edited
    assert emu.sent_count() == 1


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("<p>unknown tag</p>", 'Unsupported start tag "p"'),
        ("<b>unclosed", "Can't find end tag"),
        ("1 < 2", "Unsupported start tag"),
        ("Q&A", 'Unescaped "&"'),
    ],
)
async def test_invalid_html_is_a_bad_request(bot: Bot, emu: BotApiEmulator, text: str, reason: str) -> None:
    with pytest.raises(BadRequest, match="Can't parse entities") as err:
        await bot.send_message(USER, text, parse_mode=ParseMode.HTML)
    assert reason.lower() in str(err.value).lower()  # PTB capitalises the first letter only
    assert emu.messages(USER) == []


async def test_length_is_counted_after_entity_parsing(bot: Bot, emu: BotApiEmulator) -> None:
    sent = await bot.send_message(USER, "&lt;" * 4096, parse_mode=ParseMode.HTML)
    assert sent.text == "<" * 4096
    await bot.send_message(USER, "<b>" + "x" * 4096 + "</b>", parse_mode=ParseMode.HTML)
    with pytest.raises(BadRequest, match="Message is too long"):
        await bot.send_message(USER, "&lt;" * 4097, parse_mode=ParseMode.HTML)
    with pytest.raises(BadRequest, match="Message is too long"):
        await bot.send_message(USER, "y" * 4097)


async def test_length_counts_characters_not_utf16_units(bot: Bot) -> None:
    # TDLib compares utf8_length (code points) with 4096: an emoji beyond the first plane counts once, though
    # it is two UTF-16 units in entity offsets.
    sent = await bot.send_message(USER, "😀" * 4096)
    assert sent.text == "😀" * 4096
    with pytest.raises(BadRequest, match="Message is too long"):
        await bot.send_message(USER, "😀" * 4097)


async def test_a_keyboard_without_buttons_is_no_keyboard(bot: Bot, emu: BotApiEmulator) -> None:
    # Telegram keeps no empty inline keyboard: the message has none, and "removing" it changes nothing.
    sent = await bot.send_message(USER, "v1", reply_markup=InlineKeyboardMarkup([]))
    assert sent.reply_markup is None
    with pytest.raises(BadRequest, match="not modified"):
        await bot.edit_message_text("v1", USER, sent.message_id, reply_markup=InlineKeyboardMarkup([[]]))
    with pytest.raises(BadRequest, match="not modified"):
        await bot.edit_message_reply_markup(USER, sent.message_id, reply_markup=InlineKeyboardMarkup([]))
    kb = InlineKeyboardMarkup([[InlineKeyboardButton("On", callback_data="on")], []])
    shown = await bot.send_message(USER, "v2", reply_markup=kb)
    assert shown.reply_markup == InlineKeyboardMarkup([[InlineKeyboardButton("On", callback_data="on")]])
    await bot.edit_message_reply_markup(USER, shown.message_id, reply_markup=InlineKeyboardMarkup([]))
    current = emu.current(USER, shown.message_id)
    assert current is not None and current.reply_markup == []


async def test_empty_text_is_refused(bot: Bot) -> None:
    with pytest.raises(BadRequest, match="Message text is empty"):
        await bot.send_message(USER, "<b>  </b>", parse_mode=ParseMode.HTML)


async def test_callback_data_is_limited_to_64_bytes(bot: Bot) -> None:
    ok = "é" * 32  # 64 bytes in UTF-8
    await bot.send_message(
        USER, "ok", reply_markup=InlineKeyboardMarkup([[InlineKeyboardButton("b", callback_data=ok)]])
    )
    too_long = "é" * 32 + "x"  # 33 characters, 65 bytes
    with pytest.raises(BadRequest, match="Button_data_invalid"):
        await bot.send_message(
            USER,
            "no",
            reply_markup=InlineKeyboardMarkup([[InlineKeyboardButton("b", callback_data=too_long)]]),
        )


async def test_an_inline_keyboard_of_more_than_100_buttons_is_refused(bot: Bot) -> None:
    # Telegram refuses the whole message; a bot whose keyboard grows with data must stop at 100 buttons.
    def keyboard(count: int) -> InlineKeyboardMarkup:
        buttons = [InlineKeyboardButton(f"b{i}", callback_data=f"d{i}") for i in range(count)]
        return InlineKeyboardMarkup([buttons[i : i + 2] for i in range(0, count, 2)])

    await bot.send_message(USER, "ok", reply_markup=keyboard(100))
    with pytest.raises(BadRequest, match="Reply markup is too long"):
        await bot.send_message(USER, "no", reply_markup=keyboard(101))


async def test_an_unknown_chat_action_is_refused(bot: Bot, emu: BotApiEmulator) -> None:
    assert await bot.send_chat_action(USER, "typing")
    with pytest.raises(BadRequest, match="Wrong parameter action in request"):
        await bot.send_chat_action(USER, "thinking")
    assert [action for _, action, _ in emu.chat_actions] == ["typing"]


async def test_unknown_chat_is_not_found(bot: Bot) -> None:
    with pytest.raises(BadRequest, match="Chat not found"):
        await bot.send_message(999, "hi")


async def test_blocked_chat_is_forbidden(bot: Bot, emu: BotApiEmulator) -> None:
    await emu.block_chat(USER)
    with pytest.raises(Forbidden, match="bot was blocked by the user"):
        await bot.send_message(USER, "hi")
    await emu.block_chat(GROUP)
    with pytest.raises(Forbidden, match="bot was kicked from the group chat"):
        await bot.send_message(GROUP, "hi")


async def test_answering_as_proxy_answers_normally_again_after_its_block_also_when_the_block_raises(
    bot: Bot, emu: BotApiEmulator
) -> None:
    # A test failing inside its outage must not leave the emulator down for the rest of it (the bot's stop).
    down = emu.answering_as_proxy(502, "<html><body>502 Bad Gateway</body></html>", methods=("sendMessage",))
    with pytest.raises(RuntimeError, match="failed inside"), down:
        with pytest.raises(NetworkError, match="Bad Gateway"):
            await bot.send_message(USER, "during")
        assert (await bot.get_me()).id == 123456  # only the methods named
        raise RuntimeError("failed inside")
    assert (await bot.send_message(USER, "after")).text == "after"
    assert [m.text for m in emu.messages(USER)] == ["after"]
    assert emu.requests["proxy"] == 1


async def test_migrated_group_points_to_the_supergroup(bot: Bot, emu: BotApiEmulator) -> None:
    await emu.migrate_chat(GROUP, -1001234)
    with pytest.raises(ChatMigrated) as err:
        await bot.send_message(GROUP, "hi")
    assert err.value.new_chat_id == -1001234
    sent = await bot.send_message(-1001234, "hi again")
    assert sent.chat.type == "supergroup"
    assert sent.chat.title == "Test group"
    updates = await bot.get_updates(timeout=0)
    assert next(u.message.migrate_to_chat_id for u in updates if u.message) == -1001234


async def test_sending_too_fast_gets_retry_after() -> None:
    async with BotApiEmulator() as emu:
        await emu.add_chat(USER)
        async with Bot(TOKEN, base_url=emu.base_url) as bot:
            for i in range(3):  # the burst allowance
                await bot.send_message(USER, f"m{i}")
            with pytest.raises(RetryAfter) as err:
                await bot.send_message(USER, "one too many")
    assert retry_after_seconds(err.value) == 1
    assert [(v.method, v.chat_id, v.scope) for v in emu.violations] == [("sendMessage", USER, "chat")]
    assert emu.sent_count() == 3


async def test_group_limit_is_twenty_a_minute() -> None:
    limits = RateLimits(per_chat_burst=100, group_burst=20)
    async with BotApiEmulator(rate_limits=limits) as emu:
        await emu.add_chat(GROUP, "group")
        async with Bot(TOKEN, base_url=emu.base_url) as bot:
            for i in range(20):
                await bot.send_message(GROUP, f"m{i}")
            with pytest.raises(RetryAfter) as err:
                await bot.send_message(GROUP, "21st")
    assert retry_after_seconds(err.value) == 3  # one token every 3 s
    assert emu.violations[0].scope == "group"


def test_paced_sender_never_hits_the_limits() -> None:
    """Simulated clock: 1 msg/s to each of 40 chats, 30/s overall in aiolimiter-style bursts of 30."""
    from bot.emulator.limits import RateLimiter

    now = [0.0]
    limiter = RateLimiter(RateLimits(), clock=lambda: now[0])
    refused = 0
    for second in range(20):
        # aiolimiter lets 30 go at the start of each second; chats rotate so each gets <= 1/s.
        for k in range(30):
            now[0] = second + k * 1e-4
            chat = 1 + (second * 30 + k) % 40
            refused += limiter.acquire(chat) is not None
    assert refused == 0
    now[0] = 100.0
    assert all(limiter.acquire(7) is None for _ in range(3))
    assert limiter.acquire(7) is not None


async def test_edits_are_recorded_and_drop_the_keyboard_unless_repeated(
    bot: Bot, emu: BotApiEmulator
) -> None:
    kb = InlineKeyboardMarkup([[InlineKeyboardButton("On", callback_data="on")]])
    sent = await bot.send_message(USER, "v1", reply_markup=kb)
    await bot.edit_message_reply_markup(
        USER,
        sent.message_id,
        reply_markup=InlineKeyboardMarkup([[InlineKeyboardButton("Off", callback_data="off")]]),
    )
    with pytest.raises(BadRequest, match="not modified"):
        await bot.edit_message_reply_markup(
            USER,
            sent.message_id,
            reply_markup=InlineKeyboardMarkup([[InlineKeyboardButton("Off", callback_data="off")]]),
        )
    await bot.edit_message_text("<i>v2</i>", USER, sent.message_id, parse_mode=ParseMode.HTML)
    records = emu.messages(USER)
    assert [(r.text, r.edited, r.reply_markup) for r in records] == [
        ("v1", False, [[("On", "on")]]),
        ("v1", True, [[("Off", "off")]]),
        ("v2", True, []),
    ]
    current = emu.current(USER, sent.message_id)
    assert current is not None and current.text == "v2"
    with pytest.raises(BadRequest, match="Message to edit not found"):
        await bot.edit_message_text("x", USER, 999)


async def test_commands_are_validated_and_stored(bot: Bot, emu: BotApiEmulator) -> None:
    await bot.set_my_commands([BotCommand("start", "Start"), BotCommand("help", "Every command")])
    assert emu.commands == [("start", "Start"), ("help", "Every command")]
    assert [c.command for c in await bot.get_my_commands()] == ["start", "help"]
    with pytest.raises(BadRequest, match="Bot_command_invalid"):
        await bot.set_my_commands([BotCommand("Bad-Name", "x")])
    with pytest.raises(BadRequest, match="Bot_commands_too_much"):
        await bot.set_my_commands([BotCommand(f"c{i}", "x") for i in range(101)])
    with pytest.raises(BadRequest, match="Bot_command_description_invalid"):
        await bot.set_my_commands([BotCommand("long", "d" * 257)])
    await bot.delete_my_commands()
    assert emu.commands == []
    with pytest.raises(BadRequest, match="Chat not found"):
        await bot.set_my_commands([BotCommand("stats", "x")], scope=BotCommandScopeChat(777))
    await bot.set_my_commands([BotCommand("stats", "x")], scope=BotCommandScopeChat(USER))
    assert emu.commands_for("chat", USER) == [("stats", "x")]
    with pytest.raises(BadRequest, match="Chat not found"):
        await bot.delete_my_commands(scope=BotCommandScopeChat(777))
    await bot.delete_my_commands(scope=BotCommandScopeChat(USER))
    assert emu.commands_for("chat", USER) == []


async def test_descriptions_are_validated_and_stored(bot: Bot, emu: BotApiEmulator) -> None:
    assert (await bot.get_my_description()).description == ""
    assert (await bot.get_my_short_description()).short_description == ""
    await bot.set_my_description("d" * 512)
    await bot.set_my_short_description("s" * 120)
    assert emu.description() == "d" * 512 and emu.short_description() == "s" * 120
    assert (await bot.get_my_description()).description == "d" * 512
    assert (await bot.get_my_short_description()).short_description == "s" * 120
    with pytest.raises(BadRequest, match="too long"):
        await bot.set_my_description("d" * 513)
    with pytest.raises(BadRequest, match="too long"):
        await bot.set_my_short_description("s" * 121)
    with pytest.raises(BadRequest, match="Lang_code_invalid"):
        await bot.set_my_description("Hallo", language_code="deu")
    await bot.set_my_description("Hallo", language_code="de")  # one language's own, beside the default
    assert emu.description("de") == "Hallo" and emu.description() == "d" * 512
    assert (await bot.get_my_description(language_code="de")).description == "Hallo"
    await bot.set_my_description("")  # empty removes it
    await bot.set_my_short_description()  # so does no description at all
    assert emu.description() == "" and emu.short_description() == ""


async def test_chat_members_and_admins(bot: Bot, emu: BotApiEmulator) -> None:
    await emu.set_member_status(GROUP, 7, "administrator")
    await emu.set_member_status(GROUP, 8, "creator")
    assert (await bot.get_chat_member(GROUP, 7)).status == "administrator"
    assert (await bot.get_chat_member(GROUP, 8)).status == "creator"
    assert (await bot.get_chat_member(GROUP, 9)).status == "member"
    admins = await bot.get_chat_administrators(GROUP)
    assert sorted(a.user.id for a in admins) == [7, 8]
    chat = await bot.get_chat(GROUP)
    assert chat.title == "Test group"


async def test_user_message_carries_command_entities(bot: Bot, emu: BotApiEmulator) -> None:
    await emu.send_user_message(
        GROUP, f"/summary@{emu.bot_username} https://example.com/a, thanks", user_id=5
    )
    [update] = await bot.get_updates(timeout=0)
    assert update.message is not None
    entities = update.message.parse_entities()
    assert list(entities.values()) == [f"/summary@{emu.bot_username}", "https://example.com/a"]
    assert update.effective_user is not None and update.effective_user.id == 5
    # A later offset confirms the update: it is not delivered again.
    assert await bot.get_updates(offset=update.update_id + 1, timeout=0) == ()


async def test_button_press_and_callback_answer(bot: Bot, emu: BotApiEmulator) -> None:
    sent = await bot.send_message(
        USER, "pick", reply_markup=InlineKeyboardMarkup([[InlineKeyboardButton("A", callback_data="a")]])
    )
    query_id = await emu.press_button(USER, sent.message_id, "a")
    [update] = await bot.get_updates(timeout=0)
    assert update.callback_query is not None
    assert update.callback_query.data == "a"
    assert update.callback_query.message is not None
    assert update.callback_query.message.message_id == sent.message_id
    await update.callback_query.answer("Done")
    answer = await emu.wait_callback_answer(query_id, timeout=1)
    assert answer.text == "Done"
    with pytest.raises(BadRequest, match="Query is too old"):
        await update.callback_query.answer("again")
    with pytest.raises(ValueError, match="no button"):
        await emu.press_button(USER, sent.message_id, "zzz")


async def _poll_waiting(emu: BotApiEmulator) -> None:
    """Until a getUpdates waits in the emulator (a fixed 0.1 s could end before it arrived on a loaded machine)."""
    for _ in range(500):
        if emu._poller is not None:
            return
        await asyncio.sleep(0.02)
    raise AssertionError("no getUpdates waiting")


async def test_long_poll_returns_when_an_update_arrives(bot: Bot, emu: BotApiEmulator) -> None:
    poll = asyncio.create_task(bot.get_updates(timeout=5))
    await _poll_waiting(emu)
    await emu.send_user_message(USER, "hello")
    updates = await asyncio.wait_for(poll, 2)
    assert [u.message.text for u in updates if u.message] == ["hello"]


async def test_raw_http_forms_json_and_errors(emu: BotApiEmulator) -> None:
    base = emu.base_url + TOKEN
    async with httpx.AsyncClient() as client:
        r = await client.post(f"{base}/sendMessage", json={"chat_id": USER, "text": "json body"})
        assert r.json()["ok"] is True and r.json()["result"]["text"] == "json body"
        r = await client.post(
            f"{base}/sendMessage",
            data={
                "chat_id": str(USER),
                "text": "42",
                "reply_markup": '{"inline_keyboard":[[{"text":"t","callback_data":"d"}]]}',
            },
        )
        assert r.json()["result"]["text"] == "42"
        assert r.json()["result"]["reply_markup"]["inline_keyboard"][0][0]["callback_data"] == "d"
        r = await client.post(
            f"{base}/sendMessage", files={"chat_id": (None, str(USER)), "text": (None, "multipart")}
        )
        assert r.json()["result"]["text"] == "multipart"
        r = await client.post(f"{base}/noSuchMethod")
        assert r.status_code == 404
        assert r.json() == {"ok": False, "error_code": 404, "description": "Not Found"}
        r = await client.post(f"{emu.base_url}not-a-token/getMe")
        assert r.status_code == 401 and r.json()["description"] == "Unauthorized"
        r = await client.post(f"{base}/sendMessage", json={"chat_id": 555, "text": "x"})
        assert r.status_code == 400
        assert r.json() == {"ok": False, "error_code": 400, "description": "Bad Request: chat not found"}
    assert emu.requests["noSuchMethod"] == 1


async def test_a_client_that_hangs_up_mid_request_logs_no_error(
    emu: BotApiEmulator, caplog: pytest.LogCaptureFixture
) -> None:
    # The console's Ctrl-C now and then cut off a request PTB was sending: aiohttp printed "Error handling
    # request" with a ConnectionResetError traceback over the console's "bye". A client gone is no error.
    host, port = emu.base_url.split("//", 1)[1].split("/", 1)[0].rsplit(":", 1)
    _, writer = await asyncio.open_connection(host, int(port))
    writer.write(
        f"POST /bot{TOKEN}/sendMessage HTTP/1.1\r\nHost: {host}\r\n"
        "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 100\r\n\r\nchat_id=".encode()
    )
    await writer.drain()
    await asyncio.sleep(0.2)  # the emulator is reading the body when the client leaves
    writer.close()
    await writer.wait_closed()
    await asyncio.sleep(0.2)
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR], caplog.text
    assert emu.sent_count() == 0


async def test_malformed_token_is_invalid_token_for_ptb(emu: BotApiEmulator) -> None:
    bot = Bot("123456:TEST", base_url=emu.base_url + "x")  # "x123456:TEST" is no token
    with pytest.raises(InvalidToken):
        await bot.initialize()


async def test_listeners_see_every_send(bot: Bot, emu: BotApiEmulator) -> None:
    queue = emu.subscribe()
    await bot.send_message(USER, "one")
    await bot.send_message(GROUP, "two")
    assert [(await queue.get()).text, (await queue.get()).text] == ["one", "two"]


async def test_counts_only_without_recording() -> None:
    async with BotApiEmulator(record_messages=False, rate_limits=RateLimits(enabled=False)) as emu:
        await emu.add_chat(USER)
        async with Bot(TOKEN, base_url=emu.base_url) as bot:
            sent = await bot.send_message(USER, "<b>x</b>", parse_mode=ParseMode.HTML)
            await bot.edit_message_text("y", USER, sent.message_id)
        assert emu.sent_count() == 1
        assert emu.sent_count(include_edits=True) == 2
        assert emu.messages(USER) == []


async def test_allowed_updates_and_raw_updates(bot: Bot, emu: BotApiEmulator) -> None:
    await emu.block_chat(USER)  # announces a my_chat_member update
    await emu.send_user_message(GROUP, "hi")
    await emu.inject_raw_update({"weird_kind": {"x": 1}})
    updates = await bot.get_updates(timeout=0, allowed_updates=["message"])
    assert [bool(u.message) for u in updates] == [True, False]  # my_chat_member dropped, raw kept
    assert updates[1].api_kwargs == {"weird_kind": {"x": 1}}


async def test_user_reply_carries_the_replied_message(bot: Bot, emu: BotApiEmulator) -> None:
    sent = await bot.send_message(USER, "<b>An article</b> text", parse_mode=ParseMode.HTML)
    await emu.send_user_message(USER, "/summary", reply_to_message_id=sent.message_id)
    [update] = await bot.get_updates(timeout=0)
    assert update.message is not None and update.message.reply_to_message is not None
    assert update.message.reply_to_message.text == "An article text"
    reply = await bot.send_message(USER, "ok", reply_to_message_id=update.message.message_id)
    assert reply.reply_to_message is not None
    assert (await emu.next_message(USER, timeout=1)).text == "An article text"
    assert (await emu.next_message(USER, timeout=1)).reply_to_message_id == update.message.message_id
    with pytest.raises(BadRequest, match="Message to be replied not found"):
        await bot.send_message(USER, "x", reply_to_message_id=999)


async def test_a_reply_in_a_supergroup_belongs_to_a_reply_thread_that_is_no_forum_topic(
    bot: Bot, emu: BotApiEmulator
) -> None:
    # Telegram marks every supergroup reply with the thread of the message it answers, in forums' "General" too;
    # only is_topic_message says a forum topic. A bot answering into message_thread_id alone gets a 400 there.
    await emu.add_chat(-100900, "supergroup", "Forum")
    await emu.create_topic(-100900, "News")
    await emu.send_user_message(-100900, "a question in General")
    await emu.send_user_message(-100900, "/summary", reply_to_message_id=2)
    *_, asked, replied = (u.message for u in await bot.get_updates())
    assert asked is not None and asked.message_thread_id is None
    assert replied is not None and replied.message_thread_id == 2 and not replied.is_topic_message
    with pytest.raises(BadRequest, match="thread not found"):
        await bot.send_message(-100900, "answer", message_thread_id=replied.message_thread_id)
    await emu.send_user_message(-100900, "a reply to the reply", reply_to_message_id=replied.message_id)
    *_, again = (u.message for u in await bot.get_updates())
    assert again is not None and again.message_thread_id == 2  # the thread's root, not the message answered


async def test_comments_under_a_channel_post_are_the_thread_of_its_copy_in_the_discussion_group(
    bot: Bot, emu: BotApiEmulator
) -> None:
    await emu.add_chat(-100910, "channel", "News")
    await emu.add_chat(-100911, "supergroup", "News chat")
    await emu.link_discussion_group(-100910, -100911)
    await emu.send_channel_post(-100910, "A post")
    [(_, forward, _)] = emu.automatic_forwards
    await emu.send_user_message(-100911, "/latest", reply_to_message_id=forward)
    *_, comment = (u.message for u in await bot.get_updates())
    assert comment is not None and comment.message_thread_id == forward and not comment.is_topic_message
    assert comment.reply_to_message is not None and comment.reply_to_message.is_automatic_forward
    # The bot's reply to a comment is a comment under the post too; naming the thread is no way there (the
    # Bot API's message_thread_id is for forum topics only, and Telegram refuses a reply thread's id).
    replied = await bot.send_message(-100911, "answer", reply_to_message_id=comment.message_id)
    main = await bot.send_message(-100911, "in the main chat")
    assert replied.message_thread_id == forward and not replied.is_topic_message
    assert main.message_thread_id is None
    assert [m.message_thread_id for m in emu.messages(-100911)] == [forward, None]
    for thread in (forward, 999):
        with pytest.raises(BadRequest, match="thread not found"):
            await bot.send_message(-100911, "named", message_thread_id=thread)


async def test_second_poller_terminates_the_first(bot: Bot, emu: BotApiEmulator) -> None:
    first = asyncio.create_task(bot.get_updates(timeout=5))
    await _poll_waiting(emu)
    # PTB's own getUpdates connection pool holds one request, so the second poller is plain HTTP.
    async with httpx.AsyncClient() as client:
        second = await client.post(f"{emu.base_url}{TOKEN}/getUpdates", data={"timeout": "0"})
    assert second.json() == {"ok": True, "result": []}
    with pytest.raises(Conflict, match="terminated by other getUpdates request"):
        await asyncio.wait_for(first, 2)


async def test_delete_webhook_can_drop_pending_updates(bot: Bot, emu: BotApiEmulator) -> None:
    await emu.send_user_message(USER, "old")
    assert (await bot.get_webhook_info()).pending_update_count == 1
    await bot.delete_webhook(drop_pending_updates=True)
    assert await bot.get_updates(timeout=0) == ()


async def test_next_message_times_out_with_a_clear_error(emu: BotApiEmulator) -> None:
    with pytest.raises(TimeoutError, match="no new bot message in chat 42"):
        await emu.next_message(USER, timeout=0.05)


async def test_forum_topics_place_messages_like_telegram(bot: Bot, emu: BotApiEmulator) -> None:
    await emu.add_chat(-100900, "supergroup", "Forum")
    news = await emu.create_topic(-100900, "News")
    await emu.send_user_message(-100900, "/latest", thread_id=news)
    updates = await bot.get_updates()
    created, asked = (u.message for u in updates)
    assert created is not None and created.forum_topic_created is not None and created.chat.is_forum
    assert asked is not None and asked.is_topic_message and asked.message_thread_id == news
    assert asked.reply_to_message is not None and asked.reply_to_message.message_id == news
    # A reply goes to the topic of the message it answers; a plain send goes to "General".
    replied = await bot.send_message(-100900, "in the topic", reply_to_message_id=asked.message_id)
    general = await bot.send_message(-100900, "in General")
    named = await bot.send_message(-100900, "named", message_thread_id=news)
    assert replied.message_thread_id == news and named.message_thread_id == news
    assert general.message_thread_id is None
    assert [m.message_thread_id for m in emu.messages(-100900)] == [news, None, news]
    with pytest.raises(BadRequest, match="thread not found"):
        await bot.send_message(-100900, "nowhere", message_thread_id=999)


async def test_wait_for_idle_gives_the_bot_time_to_answer_an_update_it_just_fetched() -> None:
    # wait_for_idle called the bot idle the moment it fetched the update, before its answer: `newsbot console`
    # then printed the next "you>" and the answer after it. The emulator's clock is driven here: real sleeps for
    # the pauses went red on a loaded machine.
    now, reads = [0.0], [0]

    def clock() -> float:
        reads[0] += 1
        return now[0]

    async with (
        BotApiEmulator(rate_limits=RateLimits(enabled=False), clock=clock) as emu,
        Bot(TOKEN, base_url=emu.base_url) as bot,
    ):
        await emu.add_chat(USER)
        now[0] += 0.25  # nothing happened for a while, like a person reading the last reply
        await emu.send_user_message(USER, "/help")
        assert len(await bot.get_updates(timeout=0)) == 1
        idle = asyncio.create_task(emu.wait_for_idle(quiet=0.2, timeout=30))
        now[0] += 0.1  # the bot is still thinking about its answer
        looked = reads[0]
        for _ in range(500):  # until wait_for_idle has looked at the clock twice since
            if reads[0] >= looked + 2:
                break
            await asyncio.sleep(0.02)
        assert not idle.done()
        await bot.send_message(USER, "here is the help")
        now[0] += 0.2
        await asyncio.wait_for(idle, 10)
        assert emu.sent_count() == 1
