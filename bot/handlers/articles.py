"""/latest, /search, /summary (id, link, text, reply), /digest, summary buttons, links sent as text."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import re
from collections import OrderedDict
from dataclasses import dataclass
from typing import TYPE_CHECKING

from telegram import Chat as TgChat
from telegram import Message, MessageEntity, Update
from telegram.constants import ChatAction
from telegram.error import TelegramError

from bot.context import BotContext
from bot.errors import UserError
from bot.handlers.common import (
    argument_text,
    button,
    callback_parts,
    check_length,
    command,
    edit,
    ensure_chat,
    in_comments,
    is_bot_admin,
    may_manage,
    requester_id,
    send,
    send_to_chat,
)
from bot.render.delivery import SUMMARY_CALLBACK_PREFIX
from bot.render.replies import (
    Reply,
    render_article_summary,
    render_digest_empty,
    render_latest,
    render_plain_text_hint,
    render_search,
    render_text_summary,
    render_usage,
    suggest_wide_command,
)
from bot.render.text import MAX_MESSAGE_CHARS, quoted
from summaries.summarizer import MAX_SENTENCES, MIN_SENTENCES

if TYPE_CHECKING:
    from bot.services.articles import ArticleList

MAX_SEARCH_CHARS = 200
_URL = re.compile(r"(?<![\w@])(?:https?://|www\.)[^\s<>\"]+", re.IGNORECASE)
_WEB_LINK = re.compile(r"https?://\S", re.IGNORECASE)
# Links to Telegram itself (a channel's "Join us", a post) are no article to summarize.
_TELEGRAM_LINK = re.compile(
    r"https?://(?:www\.)?(?:t\.me|telegram\.me|telegram\.dog)(?:[/:?#]|$)", re.IGNORECASE
)
# A message of at most this many words around a link is that link; longer text is summarized as text.
_LINK_WORDS = 12
# A number is an id, even one too long to exist ("no article #..."); 30 digits keeps int() cheap and safe. People
# write it as a sentence or a reference too ("3.", "#3.", "(3)", "[#3]"): "3." was summarized as the text "3.".
_ARTICLE_ID = re.compile(
    r"^(?:\(#?(?P<paren>\d{1,30})\)|\[#?(?P<bracket>\d{1,30})\]|#?(?P<bare>\d{1,30}))[.,;:!?…]*$"
)
# A number that can name no article: signed, decimal, or too long for the id pattern ("-1", "3.5", "#" and 44
# digits). Each was told "too short to summarize", though the user asked for an article, not a summary of "-1".
_NO_ARTICLE_ID = re.compile(r"#?[-+−]?\d+(?:[.,]\d+)?[.,;:!?…]*")
# A link's scheme with no address after it ("https://"): the link pattern needs a character after the "//".
_BARE_SCHEME = re.compile(r"https?:/*", re.IGNORECASE)
# An article id as our lists and digests show it, after "source · age" or opening the line: "· #12".
_LISTED_ID = re.compile(r"(?:^|· )#(\d{1,12})\b", re.MULTILINE)
_SEVERAL_ARTICLES = (
    "That message lists several articles: send /summary with the id of the one you want (/summary 12), or press "
    "its 📄 button if the list has them."
)
_NO_TEXT_REPLIED = (
    "That message has no text I can summarize (photos, stickers and files carry none). Reply to a message "
    "with text, or send /summary with a link or some text."
)
_OTHER_CHAT_REPLIED = (
    "I can't see a message replied to from another chat or topic, only the part you quote. Quote the text to "
    "summarize, or forward the message here and reply /summary to it."
)
_SUMMARY_USAGE = (
    "Send /summary with an article id (/summary 12), a link, or some text; or reply /summary to a message. "
    "/summary 5 ... asks for 5 sentences."
)


@dataclass(frozen=True, slots=True)
class SummaryRequest:
    """What /summary was asked for: exactly one of article id, URL or text, and the number of sentences."""

    sentences: int
    article_id: int | None = None
    url: str | None = None
    text: str | None = None


def find_url(text: str) -> str | None:
    """The first http(s) or www. link in ``text`` (trailing punctuation dropped)."""
    match = _URL.search(text)
    if match is None:
        return None
    url = match.group(0).rstrip(".,;:!?)]}'\"»”")
    return url if url.lower().startswith(("http://", "https://")) else "https://" + url


def parse_summary_request(
    text: str,
    replied: str | None,
    default_sentences: int,
    *,
    replied_lists_several: bool = False,
    replied_without_text: bool = False,
    replied_elsewhere: bool = False,
) -> SummaryRequest:
    """Read "/summary [N] ID|URL|TEXT"; with nothing but N, the replied-to message is the text.

    ``replied_lists_several``: the replied-to message is a list of our articles (/latest, /search),
    so it names no single article to summarize. ``replied_without_text``: it is a photo, sticker or other
    message with no text. ``replied_elsewhere``: it is in another chat, and nothing of it was quoted.
    """
    sentences = default_sentences
    tokens = text.split(maxsplit=1)
    words = text.split()
    marked_id = len(words) == 2 and words[0][0] in "#([" and _ARTICLE_ID.match(words[0]) is not None
    if marked_id and words[1].isdecimal() and len(words[1]) <= 3:
        # "#12 3": the "#" marks 12 as the id, so 3 can only be the length, written after it. Out of range
        # ("#12 11") it is refused as after a link: the hint answered with "3 sentences of #12", as if the
        # documented form had been typed wrong and the 11 never asked for.
        if not _is_length(words[1]):
            raise UserError("A summary can have 1 to 10 sentences.")
        text, sentences = words[0], int(words[1])
        tokens = []
    elif len(words) == 2 and words[1].isdecimal() and len(words[1]) <= 3 and _is_link(words[0]):
        # "https://... 5" as "#12 5": the length after the link, where the link is pasted first; it was read as
        # a word around the link, and the summary had the chat's length. Out of range, it is refused as before
        # the link ("11 https://...").
        if not _is_length(words[1]):
            raise UserError("A summary can have 1 to 10 sentences.")
        text, sentences = words[0], int(words[1])
        tokens = []
    if tokens and tokens[0].isdecimal() and (len(tokens) == 2 or replied) and len(tokens[0]) <= 3:
        rest = tokens[1] if len(tokens) == 2 else ""
        n = int(tokens[0])
        if 1 <= n <= 10:
            sentences, text = n, rest
        elif n > 0 and rest[:1] not in "#([" and _is_length(rest):
            # "/summary 123 5": an id then a length (as "#123 5" is read). "A summary can have 1 to 10
            # sentences" alone answered a person who asked for 5; both readings get the documented form.
            # 0 is no id ("/summary 0 1" asks for no sentences of #1): the hint offered "#0".
            raise UserError(
                "A summary can have 1 to 10 sentences. " + _one_article_hint(words, default_sentences)
            )
        elif not rest or _ARTICLE_ID.match(rest) is not None or _is_link(rest):
            raise UserError("A summary can have 1 to 10 sentences.")
        # else: pasted text that happens to start with a number ("15 people ...")
    if len(left := text.split()) > 1 and all(_ARTICLE_ID.match(w) for w in left):
        # "1 2 3", "#1 #2": numbers only, so no text to summarize, and no one article named either.
        raise UserError(_one_article_hint(words, default_sentences))
    if not text:
        if replied_lists_several:
            raise UserError(_SEVERAL_ARTICLES)
        if replied_without_text:
            raise UserError(_NO_TEXT_REPLIED)
        if replied_elsewhere:
            raise UserError(_OTHER_CHAT_REPLIED)
        if not replied:
            raise UserError(_SUMMARY_USAGE)
        text = replied
    match = _ARTICLE_ID.match(text)
    if match:
        return SummaryRequest(sentences, article_id=int(next(n for n in match.groups() if n is not None)))
    if _is_link(text):
        url = find_url(text)
        assert url is not None
        return SummaryRequest(sentences, url=url)
    if _NO_ARTICLE_ID.fullmatch(text.strip()):
        raise UserError(
            f"There is no article {quoted(text.strip(), 24)}. /latest shows recent ones with their ids."
        )
    if _BARE_SCHEME.fullmatch(text.strip()):
        raise UserError(
            f"{quoted(text.strip(), 24)} is not a valid link: send the page's whole address, "
            "e.g. https://example.com/news/story."
        )
    return SummaryRequest(sentences, text=text)


def _is_length(word: str) -> bool:
    return word.isdecimal() and len(word) <= 2 and MIN_SENTENCES <= int(word) <= MAX_SENTENCES


def _one_article_hint(words: list[str], default_sentences: int) -> str:
    """The documented "/summary N ID" form in the user's numbers: the id the first "#" marks (else the first
    number), the length the next unmarked number that can be one."""
    numbers = [next(g for g in m.groups() if g is not None) for w in words if (m := _ARTICLE_ID.match(w))]
    marked = [n for w, n in zip(words, numbers, strict=True) if w[0] in "#(["]
    article = (marked or numbers)[0]
    # A marked number names an article ("#5 #6" asks for two), never a length.
    others = [n for w, n in zip(words, numbers, strict=True) if w[0] not in "#(["]
    if not marked:
        others.remove(article)
    length = next((int(n) for n in others if _is_length(n)), default_sentences)
    unit = "sentence" if length == 1 else "sentences"
    return (
        f"/summary takes one article id, with the number of sentences first: /summary {length} {article} "
        f"gives {length} {unit} of #{article}."
    )


def _is_link(text: str) -> bool:
    """A link alone, or a link with a few words around it ("look at this: https://...")."""
    url = find_url(text)
    return url is not None and len(text.split()) <= _LINK_WORDS


def hidden_link(message: Message) -> str | None:
    """The first web link hidden behind words (a text_link entity, "Read more"), in the text or the caption.

    Channel posts and formatted messages show words, not the address; links to people (tg://user) and to
    Telegram itself are no article.
    """
    entities = message.entities if message.text else message.caption_entities
    for entity in entities:
        url = entity.url if entity.type == MessageEntity.TEXT_LINK else None
        if url and _WEB_LINK.match(url) and not _TELEGRAM_LINK.match(url):
            return url
    return None


def replied_message(message: Message) -> Message | None:
    """The message ``message`` answers, if the user replied to one.

    In forum groups every message of a topic "replies" to the topic's creation notice; that is no reply.
    """
    replied = message.reply_to_message
    if replied is None or replied.forum_topic_created is not None:
        return None
    return replied


def _may_be_ours(message: Message, bot_id: int) -> bool:
    """Whether ``message`` may be one the bot sent: from the bot, or any post in a channel (or its copy).

    A channel signs every post with itself, the bot's as much as its admins', so a digest or summary the bot
    posted there has no ``from``; without this, "/summary" in reply to one summarized its lines as pasted text.
    The copy in the discussion group, which comments under the post answer, is "from" Telegram's service account.
    """
    if message.is_automatic_forward:
        return True
    if message.from_user is not None:
        return message.from_user.id == bot_id
    return message.chat.type == TgChat.CHANNEL


def _replied_target(message: Message, bot_id: int) -> tuple[str | None, bool]:
    """What a reply points at, and whether it lists several of our articles.

    An alert's summary button names its article, and a message of ours without buttons naming one "#12" (a
    digest of one story, a summary we sent) names that one; a list with a button per article, or a digest of
    several stories, names none of them; any other message is summarized as text.
    """
    replied = replied_message(message)
    if replied is None:
        # "Reply in another chat" (a channel's post answered here) or topic: Telegram sends only the part quoted.
        quoted = message.quote.text if message.external_reply is not None and message.quote else None
        return quoted, False
    if replied.reply_markup is None and _may_be_ours(replied, bot_id):
        listed = list(dict.fromkeys(_LISTED_ID.findall(replied.text or "")))
        if len(listed) > 1:
            return None, True
        if listed:
            # A digest of one story, or a summary we sent ("Source · 2 h ago · #12"), names its article: without
            # this its own lines were summarized as pasted text, so "/summary 7" in reply to a summary gave back
            # the same sentences under its title instead of seven of the article.
            return "#" + listed[0], False
        from_us = replied.from_user is not None and replied.from_user.id == bot_id
        if from_us and (link := hidden_link(replied)) is not None:
            # A link's summary shown unstored (the database refused writes) names no id, only the page its title
            # links: that page, or "/summary 5" to it gave back its own lines as "📝 Summary". Only a message the
            # bot sent as itself: a channel admin's post with a link in it is still its own text.
            return link, False
    articles: list[str] = []
    markup = replied.reply_markup
    if markup is not None:
        for row in markup.inline_keyboard:
            for btn in row:
                data = btn.callback_data
                if isinstance(data, str) and data.startswith(SUMMARY_CALLBACK_PREFIX):
                    # "sum:<id>" or, under an alert, "sum:<id>:<sentences>": the article is the id.
                    article = "#" + data.removeprefix(SUMMARY_CALLBACK_PREFIX).partition(":")[0]
                    if article not in articles:
                        articles.append(article)
    if len(articles) > 1:
        return None, True
    if articles:
        return articles[0], False
    text = replied.text or replied.caption or None
    if text is not None and find_url(text) is None and len(text.split()) <= _LINK_WORDS:
        # "Read more" in a few words: the link behind them is what the reader means, as a visible one would be.
        return hidden_link(replied) or text, False
    return text, False


async def _zone(context: BotContext, chat_id: int) -> str:
    """The chat's timezone, in which an article older than a week is dated; UTC for a chat not known yet."""
    chat = await context.services.chats.get(chat_id)
    return chat.timezone if chat is not None else "UTC"


async def _summarize(
    context: BotContext, request: SummaryRequest, message: Message, requester: int | None, zone: str
) -> list[Reply]:
    """The reply to a summary request; ``zone``: the chat's timezone, in which an old article is dated."""
    services = context.services
    now = services.clock.now()
    if request.article_id is not None:
        article, sentences = await services.ingest.summarize_article(
            request.article_id, request.sentences, chat_id=message.chat_id
        )
        return render_article_summary(article, sentences, now, services.catalogue.get, zone=zone)
    if request.url is not None:
        await _typing(context, message)
        # The fetcher has its own timeouts; this outer bound only guards against anything that forgets them.
        limit = services.settings.fetch_timeout_seconds * 2 + 10
        try:
            article, sentences = await asyncio.wait_for(
                services.ingest.summarize_url(
                    request.url, request.sentences, chat_id=message.chat_id, requester=requester
                ),
                limit,
            )
        except TimeoutError:
            raise UserError("That page took too long to answer, so I gave up.") from None
        return render_article_summary(
            article, sentences, services.clock.now(), services.catalogue.get, zone=zone
        )
    assert request.text is not None
    sentences = await services.ingest.summarize_text(request.text, request.sentences)
    return render_text_summary(sentences)


async def _typing(context: BotContext, message: Message) -> None:
    # In a forum, shown in the topic asked in (else it shows in "General", where nobody asked).
    thread = message.message_thread_id if message.is_topic_message else None
    with contextlib.suppress(TelegramError):  # only a courtesy
        await context.bot.send_chat_action(message.chat_id, ChatAction.TYPING, message_thread_id=thread)


@command
async def summary(update: Update, context: BotContext) -> None:
    """/summary ID | URL | TEXT, /summary N ..., or a reply /summary to a message."""
    message = update.effective_message
    assert message is not None
    text = argument_text(message)
    # For reading: a link's article is stored (the one write), and a refusal of it still shows the summary.
    chat = await ensure_chat(update, context, reading=True)
    replied, several = _replied_target(message, context.bot.id)
    if replied is not None:
        check_length(replied, MAX_MESSAGE_CHARS)  # any message Telegram delivered may be summarized
    request = parse_summary_request(
        text,
        replied,
        chat.summary_sentences,
        replied_lists_several=several,
        replied_without_text=replied is None and replied_message(message) is not None,
        replied_elsewhere=replied is None and message.external_reply is not None,
    )
    await send(message, await _summarize(context, request, message, requester_id(update), chat.timezone))


def _in_private(update: Update, context: BotContext) -> bool:
    """Whether plain text is answered: in groups people talk to each other, not to us."""
    return update.effective_chat is not None and update.effective_chat.type == TgChat.PRIVATE


@functools.partial(command, answers=_in_private)
async def plain_text(update: Update, context: BotContext) -> None:
    """Text that is no command: a link is summarized; anything else gets a hint (private chats only)."""
    message = update.effective_message
    assert message is not None and update.effective_chat is not None
    if not _in_private(update, context):
        return
    text = message.text or message.caption or ""
    url = find_url(text) or hidden_link(message)
    first_of_album = claim_album(context, message)
    if url is None:
        if first_of_album:
            wide = suggest_wide_command(text, admin=is_bot_admin(update, context))
            await send(message, render_plain_text_hint(wide))
        return
    check_length(url)
    chat = await ensure_chat(update, context, reading=True)
    request = SummaryRequest(chat.summary_sentences, url=url)
    await send(message, await _summarize(context, request, message, requester_id(update), chat.timezone))


@command
async def latest(update: Update, context: BotContext) -> None:
    """/latest [TOPIC]: the newest articles, of all topics or one."""
    message = update.effective_message
    assert message is not None
    services = context.services
    found = await services.articles.latest(argument_text(message), chat_id=message.chat_id)
    await send(message, await _latest_replies(context, found, message.chat))


async def _latest_replies(
    context: BotContext, found: ArticleList, chat: TgChat, *, start: int = 0, in_place: bool = False
) -> list[Reply]:
    """A page of /latest for ``chat`` (see render_latest for ``start`` and ``in_place``)."""
    services = context.services
    return render_latest(
        found.articles,
        services.clock.now(),
        services.catalogue.get,
        found.topic,
        also=found.also,
        zone=await _zone(context, chat.id),
        shared=chat.type != TgChat.PRIVATE,
        more=found.more,
        start=start,
        in_place=in_place,
    )


@button
async def latest_page_button(update: Update, context: BotContext) -> str | None:
    """/latest's "Older ›" and "« Newest" ("lat:<after id, 0: newest>:<shown>:<topic id>"): that page, in place."""
    query = update.callback_query
    chat = update.effective_chat
    assert query is not None and chat is not None
    page = _page(update)  # an operator's topic id may hold a ':' itself
    if page is None:
        return "This button no longer works."
    after, start, topic = page
    if not await _may_turn_page(update, context):
        command_text = f"/latest {topic}".strip()
        return f"Send {command_text} to @{context.bot.username} to see older articles."
    # A chat Telegram had refused (blocked, removed) that turns a page is back, as with any command.
    await ensure_chat(update, context, reading=True)
    found = await context.services.articles.latest_page(topic, after, chat_id=chat.id)
    if found is None:
        return "This button no longer works."
    if after is not None and not found.articles:
        # The article the page would start below is gone (pruned as old), or nothing is older any more.
        return "No older articles now: send /latest again for the newest."
    replies = await _latest_replies(context, found, chat, start=start, in_place=True)
    await edit(query, replies[0], saved=False)
    return None


def _page(update: Update) -> tuple[int | None, int, str] | None:
    """An "Older ›" / "« Newest" button's "<prefix>:<after id, 0: newest>:<shown>:<what>": (the id the page starts
    below, None for the newest; how many articles the pages before showed; what is listed), None if malformed."""
    parts = callback_parts(update, maxsplit=3)  # what is listed may hold a ':' itself
    if len(parts) != 4 or not all(p.isdecimal() and len(p) <= 12 for p in parts[1:3]):
        return None
    after = int(parts[1]) or None
    return after, int(parts[2]) if after is not None else 0, parts[3]


async def _may_turn_page(update: Update, context: BotContext) -> bool:
    """Whether this tap may turn a listing's page: in a channel only admins may, as every subscriber sees the post
    and a tap would turn the page for all of them."""
    chat = update.effective_chat
    return chat is None or chat.type != TgChat.CHANNEL or await may_manage(update, context)


@command
async def search(update: Update, context: BotContext) -> None:
    """/search WORDS: full-text search, newest first."""
    message = update.effective_message
    assert message is not None
    text = argument_text(message)
    if not any(ch.isalnum() for ch in text):
        # Only punctuation ('/search "', '/search ***') holds no word to look for.
        await send(message, render_usage("What should I look for? e.g. /search electric cars"))
        return
    check_length(text, MAX_SEARCH_CHARS)
    found = await context.services.articles.search(text, chat_id=message.chat_id)
    await send(message, await _search_replies(context, text, found, message.chat_id))


async def _search_replies(
    context: BotContext,
    words: str,
    found: ArticleList,
    chat_id: int,
    *,
    start: int = 0,
    in_place: bool = False,
) -> list[Reply]:
    """A page of /search WORDS for chat ``chat_id`` (see render_search for ``start`` and ``in_place``)."""
    services = context.services
    return render_search(
        words,
        found.articles,
        services.clock.now(),
        services.catalogue.get,
        also=found.also,
        more=found.more,
        zone=await _zone(context, chat_id),
        start=start,
        in_place=in_place,
    )


@button
async def search_page_button(update: Update, context: BotContext) -> str | None:
    """/search's "Older ›" and "« Newest" ("sch:<after id, 0: newest>:<shown>:<words>"): that page, in place."""
    query = update.callback_query
    chat = update.effective_chat
    assert query is not None and chat is not None
    page = _page(update)
    if page is None or not any(ch.isalnum() for ch in page[2]) or len(page[2]) > MAX_SEARCH_CHARS:
        return "This button no longer works."
    after, start, words = page
    if not await _may_turn_page(update, context):
        return f"Send /search {words} to @{context.bot.username} to see older matches."
    # A chat Telegram had refused (blocked, removed) that turns a page is back, as with any command.
    await ensure_chat(update, context, reading=True)
    found = await context.services.articles.search(words, chat_id=chat.id, after=after)
    if after is not None and not found.articles:
        # The article the page would start below is gone (pruned as old), or nothing is older any more.
        return f"No older matches now: send /search {words} again for the newest."
    replies = await _search_replies(context, words, found, chat.id, start=start, in_place=True)
    await edit(query, replies[0], saved=False)
    return None


@command
async def digest(update: Update, context: BotContext) -> None:
    """/digest: this chat's digest now, or why there is none."""
    message = update.effective_message
    assert message is not None
    chat = await ensure_chat(update, context)
    services = context.services
    # In a forum the digest goes to the topic it was asked in (outside topics a thread id is only a reply chain).
    thread_id = message.message_thread_id if message.is_topic_message else None
    # Among a channel post's comments only a reply is seen there: each part of the digest answers the command.
    reply_to = message.message_id if await in_comments(message) else None
    sent = await services.delivery.send_digest(
        chat.id, services.clock.now(), on_demand=True, thread_id=thread_id, reply_to=reply_to
    )
    if sent == 0:
        has_subs = bool(await services.subscriptions.for_chat(chat.id))
        await send(
            message,
            render_digest_empty(
                has_subs, instant=chat.mode == "instant", paused=chat.paused, chat_type=chat.type, chat=chat
            ),
        )


@button
async def summary_button(update: Update, context: BotContext) -> str | None:
    """A "sum:<id>" button (lists) or "sum:<id>:<sentences>" (an alert's longer summary): send that summary."""
    query = update.callback_query
    assert query is not None and update.effective_chat is not None
    parts = callback_parts(update)
    if (
        len(parts) not in (2, 3)
        or not all(p.isdecimal() for p in parts[1:])
        or (len(parts) == 3 and not MIN_SENTENCES <= int(parts[2]) <= MAX_SENTENCES)
    ):
        return "This button no longer works."
    length = int(parts[2]) if len(parts) == 3 else None
    if update.effective_chat.type == TgChat.CHANNEL and not await may_manage(update, context):
        # Every subscriber sees the button, but the summary would be a post that all of them get.
        if length is not None:
            return f"Send /summary {length} {parts[1]} to @{context.bot.username} for the longer summary."
        return f"Send /summary {parts[1]} to @{context.bot.username} for the full summary."
    reply_to = query.message.message_id if query.message is not None else None
    # In a group every member sees the summary posted under the message: a second tap (by anyone) would only
    # post it again, spamming the group and spending its 20 messages a minute.
    posted = _posted_summaries(context) if update.effective_chat.type != TgChat.PRIVATE else None
    key = (update.effective_chat.id, reply_to, int(parts[1]), length)
    if posted is not None:
        if key in posted:
            return "The summary is already in the chat, in reply to this message."
        posted[key] = None  # claimed before sending, so two taps at once post it once
        while len(posted) > _POSTED_SUMMARIES_KEPT:
            posted.popitem(last=False)
    # A summary in several messages cut short (a long flood wait on part 2): the next tap posts only the rest.
    partly = _partly_posted(context)
    done = partly.pop(key, 0)
    try:
        chat = await ensure_chat(update, context, reading=True)
        services = context.services
        article, sentences = await services.ingest.summarize_article(
            int(parts[1]), length or chat.summary_sentences, chat_id=chat.id
        )
        replies = render_article_summary(
            article, sentences, services.clock.now(), services.catalogue.get, zone=chat.timezone
        )
        for reply in replies[done:]:
            await send_to_chat(context, update.effective_chat.id, reply, reply_to=reply_to)
            done += 1
    except BaseException:
        if posted is not None:
            posted.pop(key, None)  # not all of it was posted: the next tap tries again
        if done:
            partly[key] = done  # and does not post again the parts that are in the chat already
            while len(partly) > _POSTED_SUMMARIES_KEPT:
                partly.popitem(last=False)
        raise
    return None


_ALBUMS_KEY = "answered_albums"
_ALBUMS_KEPT = 1000


def claim_album(context: BotContext, message: Message) -> bool:
    """False when another message of ``message``'s album was answered already; the album counts as answered now.

    Telegram sends each photo of an album as a message of its own: ten photos under one caption got the caption's
    answer and then nine hints. A message outside any album is always its own first. Memory only and bounded.
    """
    if message.media_group_id is None:
        return True
    albums: OrderedDict[tuple[int, str], None] = context.bot_data.setdefault(_ALBUMS_KEY, OrderedDict())
    key = (message.chat_id, message.media_group_id)
    if key in albums:
        return False
    albums[key] = None
    while len(albums) > _ALBUMS_KEPT:
        albums.popitem(last=False)
    return True


_POSTED_SUMMARIES_KEY = "posted_summaries"
_POSTED_SUMMARIES_KEPT = 1000


def _posted_summaries(context: BotContext) -> OrderedDict[tuple[int, int | None, int, int | None], None]:
    """(chat, message, article, length) of summaries posted in groups by a button, newest last; memory only and
    bounded: after a restart or long after, a tap posts the summary once more, which is harmless."""
    posted: OrderedDict[tuple[int, int | None, int, int | None], None] = context.bot_data.setdefault(
        _POSTED_SUMMARIES_KEY, OrderedDict()
    )
    return posted


_PARTLY_POSTED_KEY = "partly_posted_summaries"


def _partly_posted(context: BotContext) -> OrderedDict[tuple[int, int | None, int, int | None], int]:
    """How many messages of a summary (keyed as in ``_posted_summaries``, in any chat) were posted before an
    error stopped the rest; memory only and bounded."""
    partly: OrderedDict[tuple[int, int | None, int, int | None], int] = context.bot_data.setdefault(
        _PARTLY_POSTED_KEY, OrderedDict()
    )
    return partly
