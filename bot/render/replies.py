"""Conversation replies: domain objects -> (HTML, keyboard). Pure: no I/O, everything external escaped."""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, NamedTuple
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.logs import hide_url_secrets
from bot.render.text import (
    MAX_MESSAGE_CHARS,
    body_excerpt,
    esc,
    format_age,
    format_published,
    ltr_name,
    mark_cut_end,
    split_message,
    title_text,
    truncate,
    web_link,
)
from bot.render.text import counted as _count
from bot.scheduling import is_quiet_time, moved_before_quiet_hours, quiet_hours_end
from bot.store.models import Chat, Feed, Subscription
from summaries.sources.pages import PARTIAL_ARTICLE

if TYPE_CHECKING:
    from bot.services.admin import FeedAdded, Stats
    from bot.services.subscriptions import FollowResult, TopicToggle, UnfollowResult
    from summaries.articles import Article
    from summaries.topics import Topic

CALLBACK_MAX_BYTES = 64
MAX_KEYBOARD_BUTTONS = 100  # Telegram refuses an inline keyboard with more (REPLY_MARKUP_TOO_LONG)
DEFAULT_EMOJI = "📰"
BUTTON_TITLE_CHARS = 40
SOURCE_CHARS = 100
PROBLEM_CHARS = 600
URL_CHARS = 200
LIST_URL_CHARS = 1000
OTHER_FEEDS_SHOWN = 3


class Reply(NamedTuple):
    """One message to send: HTML text and an optional inline keyboard."""

    html: str
    keyboard: InlineKeyboardMarkup | None = None


# -- callback data


def callback(*parts: object) -> str:
    """Join parts into callback_data ("t:business", "sum:123"); refuses anything over Telegram's 64 bytes."""
    data = ":".join(str(p) for p in parts)
    if not fits_callback(data):
        raise ValueError(f"callback_data over {CALLBACK_MAX_BYTES} bytes: {data[:20]!r}...")
    return data


def fits_callback(*parts: object) -> bool:
    """Whether these parts make callback_data Telegram accepts (an operator's topic id may be long)."""
    return len(":".join(str(p) for p in parts).encode("utf-8")) <= CALLBACK_MAX_BYTES


def _button(text: str, *parts: object) -> InlineKeyboardButton:
    return InlineKeyboardButton(text, callback_data=callback(*parts))


# -- pieces


def topic_label(topic: Topic) -> str:
    """ "🚗 Automotive" (plain text)."""
    return f"{topic.emoji} {topic.title}" if topic.emoji else topic.title


def article_emoji(article: Article, topics: Callable[[str], Topic | None]) -> str:
    """The emoji of the article's first known topic, else a newspaper."""
    for topic_id in article.topics:
        topic = topics(topic_id)
        if topic is not None and topic.emoji:
            return topic.emoji
    return DEFAULT_EMOJI


def source_line(article: Article, now: float, zone: str = "UTC") -> str:
    """ "Source · 2 h ago · #123" (HTML); an article older than a week has its date in ``zone``."""
    # The source is a feed's title or a page's site name: any length, line breaks included.
    source = truncate(article.source, SOURCE_CHARS)
    # An Arabic or Hebrew name took the age after it into its run ("2 · الجزيرة h ago") and, opening the line,
    # laid it out right to left as a whole: the id at the far end.
    parts = [esc(ltr_name(source))] if source else []
    if article.published is not None:
        parts.append(esc(format_published(article.published, now, zone)))
    if article.id is not None:
        parts.append(f"#{article.id}")
    return " · ".join(parts)


def topics_keyboard(topics: Iterable[Topic], on: set[str]) -> InlineKeyboardMarkup:
    """The topic catalogue as toggle buttons, two a row; followed topics carry a ✅.

    At most MAX_KEYBOARD_BUTTONS, in catalogue order: the followed topics first claim their places (so they
    can always be unfollowed by a tap), the others fill the rest; the ones left out take /subscribe.
    """
    usable = [t for t in topics if fits_callback("t", t.id)]
    # Telegram refuses a message whose keyboard has more buttons, so an operator's big catalogue
    # would otherwise make /start and /topics fail outright.
    room = max(0, MAX_KEYBOARD_BUTTONS - sum(t.id in on for t in usable))
    shown: list[Topic] = []
    for t in usable:
        if t.id in on:
            shown.append(t)
        elif room > 0:
            shown.append(t)
            room -= 1
    shown = shown[:MAX_KEYBOARD_BUTTONS]
    buttons = [_button(("✅ " if t.id in on else "") + topic_label(t), "t", t.id) for t in shown]
    rows = [buttons[i : i + 2] for i in range(0, len(buttons), 2)]
    return InlineKeyboardMarkup(rows)


# -- /start, /help, /topics


def render_welcome(name: str | None, topics: Sequence[Topic], on: set[str], *, new: bool) -> Reply:
    """/start: greeting, a few lines of what the bot does, and the topic keyboard."""
    hello = f"Hello, {esc(truncate(name, 40))}!" if name else "Hello!"
    lines = [
        f"👋 <b>{hello}</b>" + ("" if new else " Welcome back."),
        "I read the news for you and send short summaries.",
        "",
        "• Tap topics below to follow them, or /subscribe to any word, e.g. <code>/subscribe tesla</code>",
        "• /latest shows the newest articles, /search finds older ones",
        "• Send me a link (or <code>/summary</code> with pasted text) and I'll summarize it",
        "• /settings: instant alerts or a daily digest, timezone, quiet hours",
        "",
        "All commands: /help",
    ]
    return Reply("\n".join(lines), topics_keyboard(topics, on))


def render_group_intro(bot_username: str) -> Reply:
    """Said once when the bot is added to a group it does not know: what it does and who sets it up."""
    at = f"@{esc(bot_username)}" if bot_username else ""
    lines = [
        "👋 <b>Hello, everyone!</b> I read the news and post short summaries here.",
        f"Admins: /topics{at} picks what this group follows, /settings{at} chooses instant alerts or a digest.",
        f"Anyone: /latest{at} for the newest articles, /summary{at} in reply to a message with a link.",
        f"All commands: /help{at}",
    ]
    return Reply("\n".join(lines))


def render_group_welcome(topics: Sequence[Topic], on: set[str], *, set_up: bool) -> Reply:
    """/start in a group: for everyone there; only admins can use the topic keyboard, and links are not
    answered unasked (people talk to each other), so it says so rather than "send me a link".

    ``set_up``: the group follows something (a group known from a member's /mysubs may follow nothing)."""
    lines = [
        "👋 <b>News summaries for this group</b>" + (" (set up already)" if set_up else ""),
        "Admins: tap topics below, or /subscribe any word; /settings picks instant alerts or a digest.",
        "Anyone: /latest for the newest articles, /summary in reply to a message with a link.",
        "All commands: /help",
    ]
    return Reply("\n".join(lines), topics_keyboard(topics, on))


def render_channel_welcome(topics: Sequence[Topic], on: set[str], *, set_up: bool) -> Reply:
    """/start in a channel: every subscriber reads it, so three lines for the admins and the topic keyboard
    (``set_up``: the channel follows something)."""
    lines = [
        "📰 <b>News summaries for this channel</b>" + (" (set up already)" if set_up else ""),
        "Admins: tap topics below, or /subscribe any word; /settings picks instant alerts or a digest.",
        "All commands: /help",
    ]
    return Reply("\n".join(lines), topics_keyboard(topics, on))


# (command, arguments, what it does)
_HELP: tuple[tuple[str, str, str], ...] = (
    ("start", "", "welcome and topic buttons"),
    ("help", "", "every command, one line each"),  # the menu shows it too: "this list" there is the menu
    ("topics", "", "follow topics by tapping them"),
    ("subscribe", "WORDS", 'follow topics or keywords (quote phrases: "electric cars")'),
    ("unsubscribe", "WORDS", "stop following them; /unsubscribe all drops everything"),
    ("mysubs", "", "what this chat follows and how it is delivered"),
    ("latest", "[TOPIC]", "the newest articles"),
    ("summary", "ID|LINK|TEXT", "a summary (or reply to a message); /summary 5 ... for 5 sentences"),
    ("search", "WORDS", "search stored articles"),
    ("digest", "", "this chat's digest now"),
    ("settings", "", "alerts or digest, timezone, quiet hours, summary length, pause"),
    ("stop", "", "unsubscribe from everything and delete this chat's data"),
)
_ADMIN_HELP: tuple[tuple[str, str, str], ...] = (
    ("stats", "", "chats, subscriptions, articles, feeds, deliveries"),
    ("feeds", "", "the feeds being polled"),
    ("addfeed", "URL [TOPIC...]", "poll another feed (a feed URL, or a page that names its feed)"),
    ("removefeed", "URL", "stop polling a feed"),
)


# Commands that only a group's administrators can use there: a member tapping one in the menu is refused.
_MANAGER_COMMANDS = frozenset({"subscribe", "unsubscribe", "stop"})


def command_descriptions(*, admin: bool = False, group_member: bool = False) -> list[tuple[str, str]]:
    """(command, description) pairs for setMyCommands; ``group_member``: the menu of a group's members, without
    the commands only its administrators can use."""
    return [
        (name, f"{args} — {text}" if args else text[:1].upper() + text[1:])
        for name, args, text in _HELP + (_ADMIN_HELP if admin else ())
        if not (group_member and name in _MANAGER_COMMANDS)
    ]


# Plain text (Telegram shows them as they are). The description fills the empty chat's "What can this bot do?"
# screen (at most 512 characters); the short one, the bot's profile and a shared link to it (at most 120).
BOT_DESCRIPTION = (
    "I read the news for you: I gather articles from news feeds and condense each into a short summary.\n\n"
    "Follow topics (business, technology, science, sport...) or your own keywords, and get an alert for each "
    "new story or a digest at the times you choose.\n\n"
    "Send me any link and I'll summarize the article. I work in groups and channels too.\n\n"
    "Press Start to pick your topics."
)
BOT_SHORT_DESCRIPTION = (
    "News summaries: follow topics or keywords, get alerts or a digest, "
    "and send any link to have it summarized."
)


def _help_line(name: str, args: str, text: str) -> str:
    return f"/{name}" + (f" <code>{esc(args)}</code>" if args else "") + f" — {esc(text)}"


def render_help(*, admin: bool, channel: bool = False, group: bool = False) -> Reply:
    """/help: every command with one line each (in a channel, where links posted are news, without the tip)."""
    lines = ["<b>What I can do</b>", ""]
    lines += [_help_line(*item) for item in _HELP]
    if admin:
        lines += ["", "<b>Admin</b>"] + [_help_line(*item) for item in _ADMIN_HELP]
    if group:
        # A link posted in a group is people talking, not a request: only /summary in reply summarizes it.
        lines += ["", "Tip: reply /summary to a message with a link and I'll summarize it."]
    elif not channel:
        lines += ["", "Tip: send me any link and I'll summarize it."]
    return Reply("\n".join(lines))


def render_subscribe_usage(
    topics: Sequence[Topic], on: set[str], *, chat_type: str = "private"
) -> list[Reply]:
    """/subscribe alone: how to use it, and the topic keyboard; in a group or channel, only its administrators
    can do either, so it says so rather than inviting every member to try."""
    kind = shared_kind(chat_type)
    how = 'Follow topics or keywords: /subscribe business tesla "electric cars". Or tap a topic:'
    if kind:
        how = (
            f"Only this {kind}'s administrators change what it follows: "
            '/subscribe business tesla "electric cars", or the topic buttons below.'
        )
    return [Reply(esc(how)), render_topics(topics, on)]


def render_unsubscribe_usage(*, chat_type: str = "private") -> Reply:
    """/unsubscribe alone: how to use it; in a group or channel, that only its administrators can (as
    /subscribe alone says), rather than sending every member to a refusal."""
    kind = shared_kind(chat_type)
    who = f"Only this {kind}'s administrators change what it follows" if kind else "Say what to drop"
    return Reply(esc(f"{who}: /unsubscribe business, or /unsubscribe all."))


def render_topics(topics: Sequence[Topic], on: set[str]) -> Reply:
    """/topics: the catalogue as a toggling keyboard."""
    text = "<b>Topics</b>\nTap a topic to follow it, tap again to stop. ✅ = following."
    return Reply(text, topics_keyboard(topics, on))


# -- subscriptions


def _join(items: Iterable[str]) -> str:
    return ", ".join(items)


# Keywords are at most 50 characters; older rules, or an operator in the sqlite3 shell, may have stored longer
# ones: a 10 KB keyword made /mysubs longer than Telegram takes, and it failed.
KEYWORD_CHARS = 60


def _kw(keyword: str) -> str:
    # Two Arabic or Hebrew keywords side by side were one right-to-left run, quotes and comma with them: the
    # list read “بيروت“ ,”القاهرة” (see ltr_name).
    return f"“{esc(ltr_name(truncate(keyword, KEYWORD_CHARS)))}”"


def shared_kind(chat_type: str) -> str | None:
    """ "group" or "channel" for a chat everyone there reads, whose settings are the chat's; None for a private
    chat, where "you" is the reader."""
    if chat_type == "channel":
        return "channel"
    return "group" if chat_type in ("group", "supergroup") else None


def describe_subscription_limit(limit: int, *, chat_type: str = "private") -> str:
    """A topic tapped on at the subscription cap (plain text, for a toast); in a group or channel, about that
    chat, as /subscribe's "This group reached the limit" is."""
    kind = shared_kind(chat_type)
    who = f"This {kind} follows" if kind else "You follow"
    return f"{who} {limit} things already; drop some with /unsubscribe first."


def _fit_lines(lines: Sequence[str], footer: Sequence[str] = (), limit: int = MAX_MESSAGE_CHARS) -> str:
    """Lines (each with balanced tags) and a footer as one message; lines that do not fit are counted instead.

    One line per word a user typed can add up to far more than one message holds (4,000 characters of
    two-letter words), so the tail is replaced by "…and N more" rather than the reply failing to send.
    """
    tail = "\n".join(footer)
    text = "\n".join(lines)
    if len(text) + len(tail) + 1 <= limit:
        return "\n".join([*lines, *footer])
    room = limit - len(tail) - 1 - len("<i>…and 100000 more</i>") - 1
    kept: list[str] = []
    used = 0
    for line in lines:
        if used + len(line) + 1 > room:
            break
        kept.append(line)
        used += len(line) + 1
    kept.append(f"<i>…and {len(lines) - len(kept)} more</i>")
    return "\n".join([*kept, *footer])


def render_follow_result(result: FollowResult, chat: Chat) -> Reply:
    """/subscribe: which words became topics, which keywords, which were near misses or refused (in a group
    or channel, about that chat: its news reach it, not the admin who typed the command), and how and when
    the news will come."""
    kind = shared_kind(chat.type)
    lines: list[str] = []
    if result.topics:
        lines.append("✅ Topics: " + _join(f"<b>{esc(topic_label(t))}</b>" for t in result.topics))
    if result.keywords:
        lines.append("🔑 Keywords: " + _join(_kw(k) for k in result.keywords))
    already = [esc(topic_label(t)) for t in result.topics_already] + [_kw(k) for k in result.keywords_already]
    if already:
        lines.append("Already following: " + _join(already))
    if result.signs_dropped:
        # The keyword shown is not what was typed: say why, or "#tesla" seems to have been misread.
        renamed = _join(f"{esc(truncate(typed, 50))} → {_kw(k)}" for typed, k in result.signs_dropped)
        lines.append(
            f"ℹ️ {renamed}: a #hashtag, $cashtag or @handle is followed as its word, found with or without the sign."
        )
    for word, topic in dict(result.suggestions).items():
        lines.append(
            f"❓ “{esc(truncate(word, 50))}” is not a topic. Did you mean <b>{esc(topic_label(topic))}</b>? "
            f"Send <code>/subscribe {esc(topic.id)}</code>, or quote the word to follow it as a keyword."
        )
    for word, why in dict(result.rejected).items():
        lines.append(f"⚠️ Not followed “{esc(truncate(word, 60))}”: {esc(why)}.")
    if result.limit_reached:
        lines.append(
            f"⚠️ {f'This {kind}' if kind else 'You'} reached the limit of subscriptions, so these were not added: "
            + _join(f"“{esc(ltr_name(truncate(w, 50)))}”" for w in result.limit_reached)
            + ". Drop some with /unsubscribe."
        )
    footer: list[str] = []
    if result.changed:
        # "As set in /settings" left a newcomer guessing whether, and when, anything comes (nothing, if paused).
        when = esc(describe_change(chat, "mode"))
        follows = "it follows" if kind else "you follow"
        footer = ["", f"{when} /latest shows the newest now; /mysubs all {follows}."]
    if not lines:
        lines.append("Nothing changed.")
    return Reply(_fit_lines(lines, footer))


def render_unfollow_result(
    result: UnfollowResult, *, chat_type: str = "private", mode: str = "instant"
) -> Reply:
    """/unsubscribe: what was dropped (queued stories too), and words the chat did not follow (in a group or
    channel, about it). ``mode``: the chat's delivery mode, which says what its queued stories were waiting for."""
    kind = shared_kind(chat_type)
    queue = _dropped_queue_lines(result.dropped_queued, kind, mode)
    if result.removed_all is not None:
        if result.removed_all == 0:
            who = f"This {kind} was" if kind else "You were"
            return Reply("\n".join([f"{who} not following anything. /topics to start.", *queue]))
        whose = f"this {kind}'s" if kind else "your"
        dropped = (
            f"{whose} one subscription"
            if result.removed_all == 1
            else f"all {result.removed_all} subscriptions"
        )
        return Reply("\n".join([f"🗑 Dropped {dropped}. /topics to follow something again.", *queue]))
    lines: list[str] = []
    if result.topics:
        lines.append(
            "🗑 Stopped following topics: " + _join(f"<b>{esc(topic_label(t))}</b>" for t in result.topics)
        )
    if result.keywords:
        lines.append("🗑 Stopped following keywords: " + _join(_kw(k) for k in result.keywords))
    lines += queue
    suggestions = dict(result.suggestions)
    who = f"This {kind} doesn't" if kind else "You don't"
    for word in dict.fromkeys(result.not_followed):
        line = f"❓ {who} follow “{esc(truncate(word, 50))}”."
        if word in suggestions:
            # As /subscribe's near misses do: the exact command, not only the name.
            topic = suggestions[word]
            line += (
                f" Did you mean <b>{esc(topic_label(topic))}</b>? "
                f"Send <code>/unsubscribe {esc(topic.id)}</code>."
            )
        lines.append(line)
    follows = f"this {kind} follows" if kind else "you follow"
    footer = [f"/mysubs shows what {follows}."] if result.not_followed else []
    return Reply(_fit_lines(lines, footer) or "Nothing changed.")


def render_topic_toggled(
    name: str, toggle: TopicToggle, *, chat_type: str = "private", mode: str = "instant"
) -> str:
    """The toast after a tap on a /topics button (plain text): what changed, and, as /unsubscribe says, how many
    queued stories turning the topic off dropped, or a shorter digest looks like a fault."""
    if toggle.on:
        return f"Following {name}"
    queue = _dropped_queue_lines(toggle.dropped_queued, shared_kind(chat_type), mode)
    return " ".join([f"Stopped following {name}.", *queue]) if queue else f"Stopped following {name}"


def _dropped_queue_lines(dropped: int, kind: str | None, mode: str) -> list[str]:
    """The line saying how many queued stories an unfollow dropped (none when it dropped none)."""
    if not dropped:
        return []
    # A digest chat's queue is its next digest; an instant chat's holds alerts (quiet hours, an outage).
    whose = f"this {kind}'s" if kind else "your"
    waiting = f"for {whose} digest" if mode == "digest" else "to be sent"
    verb = "was" if dropped == 1 else "were"
    return [f"{_count(dropped, 'story', 'stories')} waiting {waiting} {verb} dropped."]


_ETC_OFFSET = re.compile(r"^Etc/GMT([+-])(\d{1,2})$")
# The tz database's names for offset zero ("Etc/GMT+0", "GMT-0", "GMT0"): all of them are plain UTC.
_ZERO_OFFSET = re.compile(r"^(?:Etc/)?GMT[+-]?0+$")


def timezone_label(name: str) -> str:
    """ "Europe/Berlin" as is; "Etc/GMT-2" as "UTC+02:00" (the tz database's name inverts the sign); "UTC"
    for a zero offset, which read "UTC-00:00" as "Etc/GMT+0"."""
    if _ZERO_OFFSET.match(name):
        return "UTC"
    match = _ETC_OFFSET.match(name)
    if match is None:
        return name
    return f"UTC{'+' if match.group(1) == '-' else '-'}{int(match.group(2)):02d}:00"


def _next_digest_line(chat: Chat) -> list[str]:
    when = _next_digest_time(chat)
    return [f"⏰ Next digest: {when}"] if when else []


def _next_digest_time(chat: Chat) -> str | None:
    # In the chat's own time, so a wrong timezone shows at once ("Wed 31 Dec, 20:00" was meant for Thursday).
    if chat.mode != "digest" or chat.paused or chat.next_digest_at is None:
        return None
    try:
        # A digest time inside quiet hours is sent when they end: show when it will really come (one before
        # them that a spring-forward gap moved to their start still comes then).
        at = chat.next_digest_at
        if not moved_before_quiet_hours(
            chat.digest_times, chat.quiet_start, chat.quiet_end, chat.timezone, at
        ):
            at = quiet_hours_end(chat.quiet_start, chat.quiet_end, chat.timezone, at)
        local = datetime.fromtimestamp(at, ZoneInfo(chat.timezone))
    except (ZoneInfoNotFoundError, ValueError):
        return None
    return f"{local:%a} {local.day} {local:%b}, {local:%H:%M}"


def describe_delivery(chat: Chat) -> list[str]:
    """Lines (HTML) describing how and when the chat gets news."""
    mode = f"digest at {esc(', '.join(chat.digest_times))}" if chat.mode == "digest" else "instant alerts"
    lines = [
        f"📬 Delivery: <b>{mode}</b>" + (" — ⏸ <b>paused</b>" if chat.paused else ""),
        *_next_digest_line(chat),
        f"🌍 Timezone: {esc(timezone_label(chat.timezone))}",
        f"🔕 Quiet hours: {esc(chat.quiet_start)}–{esc(chat.quiet_end)}"
        if chat.quiet_start and chat.quiet_end
        else "🔕 Quiet hours: off",
        f"📝 Summary length: {_count(chat.summary_sentences, 'sentence')}",
    ]
    return lines


def render_mysubs(
    chat: Chat, subscriptions: Sequence[Subscription], topics: Callable[[str], Topic | None]
) -> Reply:
    """/mysubs: topics, keywords and delivery settings."""
    topic_names = []
    for sub in subscriptions:
        if sub.kind == "topic":
            topic = topics(sub.value)
            # Taken out of the catalogue by the operator since: no article is tagged with it any more.
            retired = f"{esc(sub.value)} (no longer offered: <code>/unsubscribe {esc(sub.value)}</code>)"
            topic_names.append(esc(topic_label(topic)) if topic else retired)
    keywords = [_kw(s.value) for s in subscriptions if s.kind == "keyword"]
    # In a group or channel everyone reads it, and the subscriptions are the chat's, not the reader's.
    kind = shared_kind(chat.type)
    lines = [f"<b>This {kind}'s subscriptions</b>" if kind else "<b>Your subscriptions</b>"]
    lines.append("Topics: " + (_join(topic_names) if topic_names else "none (/topics)"))
    lines.append("Keywords: " + (_join(keywords) if keywords else "none (/subscribe WORD)"))
    lines.append("")
    lines += describe_delivery(chat)
    lines.append("")
    lines.append("Change with /subscribe, /unsubscribe and /settings.")
    return Reply("\n".join(lines))


# -- articles


def _one_line(article: Article) -> str:
    if article.summary:
        return truncate(mark_cut_end(article.summary[:1], article.body)[0], 200)
    return body_excerpt(article.body, article.title, 200)


def render_article_list(
    heading: str,
    articles: Sequence[Article],
    now: float,
    topics: Callable[[str], Topic | None],
    *,
    empty: str,
    also: Mapping[int, Sequence[str]] | None = None,
    zone: str = "UTC",
    nav: Sequence[InlineKeyboardButton] = (),
) -> list[Reply]:
    """/latest and /search: title, source, age, id and one line each; a summary button per article.

    ``heading`` and ``empty`` are HTML the caller built from escaped parts. ``also``: by article id, the other
    sources that reported the same story. ``zone``: the chat's timezone, for the dates of old articles.
    ``nav``: a last row of buttons (to other pages of the list).
    """
    if not articles:
        return [Reply(empty)]
    blocks = [heading]
    buttons: list[list[InlineKeyboardButton]] = []
    for article in articles:
        emoji = article_emoji(article, topics)
        others = (also or {}).get(article.id or 0, ())
        # Each name on its own: two Arabic names made one run, and were read in the opposite order.
        names = ", ".join(ltr_name(name) for name in others)
        more = f" · also: {esc(truncate(names, SOURCE_CHARS))}" if others else ""
        line = _one_line(article)  # "" for an article with no text (a picture post, a bare link)
        title = esc(title_text(article.title, 200))
        link = web_link(article.url)
        # The headline opens the story, as in alerts and digests; a very long address is not worth the room.
        if link is not None and len(link) <= LIST_URL_CHARS:
            title = f'<a href="{link}">{title}</a>'
        blocks.append(
            f"{emoji} <b>{title}</b>\n"
            f"<i>{source_line(article, now, zone)}{more}</i>" + (f"\n{esc(line)}" if line else "")
        )
        if article.id is not None:
            label = f"📄 #{article.id} {title_text(article.title, BUTTON_TITLE_CHARS)}"
            buttons.append([_button(label, "sum", article.id)])
    if nav:
        buttons.append(list(nav))
    messages = split_message(blocks)
    keyboard = InlineKeyboardMarkup(buttons) if buttons else None
    # Buttons go under the last part, where the reader ends up.
    return [Reply(m) for m in messages[:-1]] + [Reply(messages[-1], keyboard)]


def render_latest(
    articles: Sequence[Article],
    now: float,
    topics: Callable[[str], Topic | None],
    topic: Topic | None = None,
    *,
    also: Mapping[int, Sequence[str]] | None = None,
    zone: str = "UTC",
    shared: bool = False,
    more: bool = False,
    start: int = 0,
    in_place: bool = False,
) -> list[Reply]:
    """/latest [TOPIC]; ``shared``: a group or channel, where a link posted is not answered unasked.

    ``more``: older articles than these exist; ``start``: how many the pages before this one showed.
    ``in_place``: one message, to edit a page into (articles are left for the next page until it fits).
    """
    what = f" in {esc(topic_label(topic))}" if topic else ""
    if not articles:
        meanwhile = "/summary with a link summarizes it" if shared else "send me a link to summarize"
        return [Reply(f"No articles{what} yet. New ones arrive as feeds are polled; meanwhile {meanwhile}.")]
    shown = list(articles)
    while True:
        replies = _latest_page(
            shown, now, topics, topic, also, zone, more or len(shown) < len(articles), start
        )
        if not in_place or len(replies) == 1:
            return replies
        if len(shown) == 1:
            # One article longer than a message (it cannot be, with titles and lines capped): its start.
            return [Reply(replies[0].html, replies[-1].keyboard)]
        shown.pop()


def _latest_page(
    articles: Sequence[Article],
    now: float,
    topics: Callable[[str], Topic | None],
    topic: Topic | None,
    also: Mapping[int, Sequence[str]] | None,
    zone: str,
    more: bool,
    start: int,
) -> list[Reply]:
    """One page of /latest, with "Older ›" (after its last article) and "« Newest" buttons where they apply."""
    what = f" in {esc(topic_label(topic))}" if topic else ""
    topic_id = topic.id if topic else ""
    end = start + len(articles)
    older: InlineKeyboardButton | None = None
    last = articles[-1].id
    if more and last is not None and fits_callback("lat", last, end, topic_id):
        older = _button("Older ›", "lat", last, end, topic_id)
    nav = (
        [_button("« Newest", "lat", 0, 0, topic_id)] if start and fits_callback("lat", 0, 0, topic_id) else []
    )
    nav += [older] if older is not None else []
    # A reader following a digest's "…and N more" must learn that the list goes on, and how far it got.
    if not more and not start:
        heading = f"<b>Latest{what}</b>"
    else:
        span = f"the {end} newest" if not start else f"{start + 1}–{end}" if end > start + 1 else f"{end}"
        after = (
            ", the oldest I have"
            if not more
            else "; older ones under Older ›"
            if older
            else "; there are older ones"
        )
        heading = f"<b>Latest{what}</b>: {span}{after}"
    return render_article_list(heading, articles, now, topics, empty="", also=also, zone=zone, nav=nav)


def search_callback_words(words: str) -> str:
    """The words of a search as its page buttons carry them: single spaces (the search is the same)."""
    return " ".join(words.split())


def render_search(
    words: str,
    articles: Sequence[Article],
    now: float,
    topics: Callable[[str], Topic | None],
    *,
    also: Mapping[int, Sequence[str]] | None = None,
    more: bool = False,
    zone: str = "UTC",
    start: int = 0,
    in_place: bool = False,
) -> list[Reply]:
    """/search WORDS; ``more``: other articles match besides those shown.

    ``start`` and ``in_place`` as for render_latest: the "Older ›" and "« Newest" buttons carry the words
    ("sch:<after id, 0: newest>:<shown>:<words>"), so a page turns after a restart too; a search too long
    for a button's 64 bytes gets none, and the heading says to narrow it down.
    """
    shown = list(articles)
    while True:
        replies = _search_page(
            words, shown, now, topics, also, zone, more or len(shown) < len(articles), start
        )
        if not in_place or len(replies) == 1 or len(shown) == 1:
            return [Reply(replies[0].html, replies[-1].keyboard)] if in_place else replies
        shown.pop()


def _search_page(
    words: str,
    articles: Sequence[Article],
    now: float,
    topics: Callable[[str], Topic | None],
    also: Mapping[int, Sequence[str]] | None,
    zone: str,
    more: bool,
    start: int,
) -> list[Reply]:
    """One page of /search, with "Older ›" (after its last article) and "« Newest" buttons where they fit."""
    # Arabic or Hebrew words opening the heading laid it out right to left: "articles, newest first 2 : أبل 🔎".
    shown = esc(ltr_name(truncate(words, 80)))
    data = search_callback_words(words)
    n = len(articles)
    end = start + n
    last = articles[-1].id if articles else None
    older: InlineKeyboardButton | None = None
    if more and last is not None and fits_callback("sch", last, end, data):
        older = _button("Older ›", "sch", last, end, data)
    nav = [_button("« Newest", "sch", 0, 0, data)] if start and fits_callback("sch", 0, 0, data) else []
    nav += [older] if older is not None else []
    span = f"the {n} newest matches" if not start else f"{start + 1}–{end}" if n > 1 else f"{end}"
    if more and older is not None:
        found = f"{span}; older ones under Older ›"
    elif more:
        found = f"{span}; there are more (add words to narrow them down)"
    elif start:
        # A last page of one article read "11, the oldest matches".
        found = f"{span}, the oldest {'match' if n == 1 else 'matches'}"
    else:
        found = f"{_count(n, 'article')}, newest first"
    heading = f"🔎 <b>{shown}</b>: {found}"
    empty = f"🔎 Nothing found for <b>{shown}</b>. Try fewer or other words."
    return render_article_list(heading, articles, now, topics, empty=empty, also=also, zone=zone, nav=nav)


def render_article_summary(
    article: Article,
    sentences: Sequence[str],
    now: float,
    topics: Callable[[str], Topic | None],
    *,
    zone: str = "UTC",
) -> list[Reply]:
    """The summary of a stored article: title (linked), source line, sentences."""
    emoji = article_emoji(article, topics)
    title = esc(title_text(article.title, 300))
    link = web_link(article.url)
    if link is not None:
        title = f'<a href="{link}">{title}</a>'
    head = f"{emoji} <b>{title}</b>\n<i>{source_line(article, now, zone)}</i>"
    body = [esc(s) for s in mark_cut_end(sentences, article.body)] or [
        "(This article has no text I could summarize.)"
    ]
    # A teaser's summary would pass for the whole article's.
    note = [f"<i>{esc(PARTIAL_ARTICLE)}</i>"] if article.partial else []
    return [Reply(m) for m in split_message([head, "\n\n".join(body), *note])]


def render_text_summary(sentences: Sequence[str]) -> list[Reply]:
    """The summary of pasted or replied-to text."""
    return [Reply(m) for m in split_message(["📝 <b>Summary</b>", "\n\n".join(esc(s) for s in sentences)])]


# -- settings


def settings_keyboard(chat: Chat) -> InlineKeyboardMarkup:
    """Buttons for the common settings; the rest take arguments."""
    # The button switches to digests at the chat's own times: "Daily digest" misdescribed 08:00 and 18:00.
    times = len(chat.digest_times)
    digest = "Daily digest" if times <= 1 else f"{times} digests a day"
    mode_row = [
        _button(("🔘 " if chat.mode == "instant" else "") + "Instant alerts", "set", "mode", "instant"),
        _button(("🔘 " if chat.mode == "digest" else "") + digest, "set", "mode", "digest"),
    ]
    length_row = [
        _button(
            ("🔘 " if chat.summary_sentences == n else "") + _count(n, "sentence"),
            "set",
            "len",
            n,
        )
        for n in (1, 3, 5)
    ]
    other_row = [
        _button("▶️ Resume" if chat.paused else "⏸ Pause", "set", "resume" if chat.paused else "pause"),
    ]
    if chat.quiet_start:
        other_row.append(_button("🔔 Quiet hours off", "set", "quiet", "off"))
    return InlineKeyboardMarkup([mode_row, length_row, other_row])


def render_settings(chat: Chat, *, saved: str | None = None) -> Reply:
    """/settings: the current settings, buttons, and how to change the rest by arguments."""
    lines = [f"✅ {esc(saved)}", ""] if saved else []
    lines.append("<b>Settings</b>")
    lines += describe_delivery(chat)
    kind = shared_kind(chat.type)
    # Every member of a group may look at the panel; its buttons and commands work only for administrators.
    by_command = f"Also by command (this {kind}'s administrators):" if kind else "Also by command:"
    lines += [
        "",
        by_command,
        "<code>/settings digest 08:00,18:00</code>",
        "<code>/settings timezone Europe/Berlin</code>",
        "<code>/settings quiet 22:00-07:00</code> (or <code>quiet off</code>)",
        "<code>/settings length 4</code>",
        "<code>/settings pause</code> / <code>resume</code>",
    ]
    return Reply("\n".join(lines), settings_keyboard(chat))


_FIXED_ABBREVIATION_ZONES = frozenset({"EST", "MST", "HST", "GMT"})


def _held_digests(chat: Chat, your: str) -> str:
    """The sentence naming the chat's digest times that its quiet hours hold to their end ("06:00 falls in your
    quiet hours: ..."), with a space before it; "" when none. The times of one quiet night make one digest."""
    held = [t for t in chat.digest_times if is_quiet_time(chat.quiet_start, chat.quiet_end, t)]
    if not held:
        return ""
    if len(held) == 1:
        return f" {held[0]} falls in {your} quiet hours: that digest comes when they end at {chat.quiet_end}."
    # "those digests come when they end" promised two digests at 07:00; one comes, with the stories of both.
    listed = f"{', '.join(held[:-1])} and {held[-1]}"
    return f" {listed} fall in {your} quiet hours: they make one digest when they end at {chat.quiet_end}."


def describe_change(chat: Chat, setting: str, before: Chat | None = None) -> str:
    """Plain-text confirmation of one settings change (in a group or channel, about that chat, which every
    member reads: "You'll get a digest" there promised each reader one of their own); ``before``: the chat as it
    was, so that a pause or resume that changed nothing is not told as one."""
    kind = shared_kind(chat.type)
    who = f"This {kind} will get" if kind else "You'll get"
    your = "its" if kind else "your"
    if setting in ("mode", "digest"):
        # A paused chat gets nothing in either mode: "You'll get ..." alone would promise what will not come.
        resume = ""
        if chat.paused:
            resume = (" once resumed" if kind else " once you resume") + " (/settings resume)"
        if chat.mode == "digest":
            times = f"{', '.join(chat.digest_times)} ({timezone_label(chat.timezone)})"
            return f"{who} a digest at {times}{resume}.{_held_digests(chat, your)}"
        return f"{who} an alert for each new matching article{resume}."
    if setting == "timezone":
        label = timezone_label(chat.timezone)
        # "UTC+2" keeps that offset all year, and so do the tz database's EST, MST, HST and GMT (people typing them
        # mostly mean New York, Denver or London, which change clocks); a city follows its clock changes.
        if label != chat.timezone or chat.timezone in _FIXED_ABBREVIATION_ZONES:
            return f"Timezone set to {label}, all year round (name your city to follow daylight saving time)."
        return f"Timezone set to {label}."
    if setting == "quiet":
        if chat.quiet_start and chat.quiet_end:
            span = f"{chat.quiet_start}–{chat.quiet_end} ({timezone_label(chat.timezone)})"
            # A digest time inside them was said only by /settings digest: the 08:00 digest then seemed late.
            held = _held_digests(chat, your) if chat.mode == "digest" else ""
            return f"Quiet hours {span}: alerts and digests wait until they end.{held}"
        return "Quiet hours are off."
    if setting == "length":
        n = chat.summary_sentences
        return f"Summaries will have {_count(n, 'sentence')}."
    unchanged = before is not None and before.paused == chat.paused
    if setting == "pause":
        until = "it is resumed" if kind else "you resume"
        state = "Already paused" if unchanged else "Paused"
        return f"{state}: nothing will be delivered until {until} (/settings resume)."
    if setting == "resume":
        # "Resumed" of a chat that was never paused read as if deliveries had been stopped until then.
        return "Not paused: deliveries continue." if unchanged else "Resumed: deliveries continue."
    return "Saved."


# -- /digest, /stop


def render_digest_empty(
    has_subscriptions: bool,
    instant: bool,
    *,
    paused: bool = False,
    chat_type: str = "private",
    chat: Chat | None = None,
) -> Reply:
    """/digest with nothing to send; in a group or channel, about that chat (any member may ask, only its
    administrators change what it follows). ``chat``: to tell one that never had a digest when its first comes."""
    kind = shared_kind(chat_type)
    shared = kind is not None
    if not has_subscriptions:
        if shared:
            return Reply(
                f"This {kind} follows nothing yet, so there is no digest. Its administrators pick topics with "
                "/topics."
            )
        return Reply("You don't follow anything yet, so there is no digest. /topics to pick some.")
    if paused:
        # Nothing is planned for a paused chat: "Nothing new" or "articles come as they arrive" was untrue.
        until = (
            f"This {kind} is paused: nothing is collected for its digest until it is resumed"
            if shared
            else "Paused: nothing is collected for a digest until you resume"
        )
        return Reply(f"{until} (/settings resume). /latest shows the newest articles.")
    if instant:
        who = f"This {kind} gets" if shared else "You get"
        # "<code>/settings digest 08:00</code> an administrator can switch to ..." read as a broken sentence.
        switch = (
            "an administrator can switch to a daily digest with <code>/settings digest 08:00</code>"
            if shared
            else "<code>/settings digest 08:00</code> switches to a daily digest"
        )
        return Reply(
            f"{who} instant alerts, so nothing waits for a digest: matching articles come as they arrive. "
            f"/latest shows the newest ones; {switch}."
        )
    whose = f"this {kind}'s" if shared else "your"
    if chat is not None and chat.last_digest_at is None:
        # There is no last digest to be new since: a first /digest looks back a day (FIRST_DIGEST_WINDOW_SECONDS).
        who = f"this {kind}" if shared else "you"
        when = _next_digest_time(chat)
        zone = timezone_label(chat.timezone)
        first = f" {whose.capitalize()} first digest comes {when} ({zone}) with what arrives until then."
        return Reply(
            f"Nothing {who} {'follows' if shared else 'follow'} came in the last 24 hours, so there is no "
            f"digest yet.{first if when else ''} /latest shows the newest articles."
        )
    return Reply(f"Nothing new since {whose} last digest. /latest shows the newest articles.")


def render_stop_confirm() -> Reply:
    """/stop asks before deleting anything."""
    keyboard = InlineKeyboardMarkup(
        [[_button("🗑 Yes, delete everything", "stop", "yes"), _button("Cancel", "stop", "no")]]
    )
    return Reply(
        "This unsubscribes this chat from everything and deletes its settings. Are you sure?", keyboard
    )


def render_stopped() -> Reply:
    """/stop confirmed; the same text whether or not anything was stored, so a second tap changes nothing."""
    return Reply(
        "Done: this chat's subscriptions and settings are deleted and nothing more will be sent. /start to "
        "come back."
    )


def render_stop_cancelled() -> Reply:
    """/stop cancelled."""
    return Reply("Cancelled: nothing was deleted.")


# -- admin


def render_stats(stats: Stats) -> Reply:
    """/stats."""
    c, s, d = stats.chats, stats.subscriptions, stats.deliveries
    lines = [
        "<b>Stats</b>",
        f"Chats: {c.get('total', 0)} ({c.get('active', 0)} active: {c.get('instant', 0)} instant, "
        # Paused chats are instant or digest chats too: "…, 2 paused" read as a third kind that did not add up.
        f"{c.get('digest', 0)} digest; {c.get('paused', 0)} of them paused)",
        f"Subscriptions: {_count(s.get('topic', 0), 'topic')}, {_count(s.get('keyword', 0), 'keyword')}"
        # Blocked or kicked chats keep what they followed, for their return: counted with the rest, they read
        # as news still delivered.
        + (f" ({s['inactive']} more kept for inactive chats)" if s.get("inactive") else ""),
        f"Articles: {stats.articles}",
        f"Feeds: {stats.feeds}" + (f" ({stats.feeds_dead} dead)" if stats.feeds_dead else ""),
        f"Queue: {d.get('queued', 0)} waiting",
        f"Last 24 h: {d.get('sent', 0)} delivered, {d.get('failed', 0)} failed, {d.get('dropped', 0)} dropped"
        + (f", {d['capped']} left out of digests by the per-topic cap" if d.get("capped") else ""),
    ]
    return Reply("\n".join(lines))


def render_feeds(feeds: Sequence[Feed], now: float, *, hide_secrets: bool = False) -> list[Reply]:
    """/feeds: every polled feed with its state; ``hide_secrets`` (outside a private chat) masks the logins and
    keys in addresses, which every member of a group would otherwise read."""
    if not feeds:
        return [Reply("No feeds yet. Add one with <code>/addfeed URL [TOPIC...]</code>.")]
    blocks = [f"<b>Feeds ({len(feeds)})</b>"]
    shown: Callable[[str], str] = hide_url_secrets if hide_secrets else str
    for feed in feeds:
        state = "💀 dead" if feed.dead else ("⚠️ failing" if feed.failures else "✅ ok")
        if state == "✅ ok" and not feed.last_success_at:
            state = "⏳ new"  # nothing read yet: it is not known to work
        # Until the first poll stores its title, the address is the feed's only name: show it once.
        lines = [f"{state} <b>{esc(truncate(feed.title or shown(feed.url), 80))}</b>"]
        if feed.title:
            lines.append(esc(shown(feed.url)))
        details = [f"from {'settings' if feed.origin == 'settings' else 'admin'}"]
        if feed.topics:
            details.append("topics: " + ", ".join(esc(t) for t in feed.topics))
        details.append(
            "last read " + format_age(now - feed.last_success_at) if feed.last_success_at else "never read"
        )
        lines.append("<i>" + " · ".join(details) + "</i>")
        if feed.last_error and feed.failures:
            tried = f", last {format_age(now - feed.last_polled_at)}" if feed.last_polled_at else ""
            times = f"{_count(feed.failures, 'time')} in a row{tried}"
            lines.append(f"Failed {esc(times)}: {esc(truncate(shown(feed.last_error), 200))}")
            # Each failure doubles the wait, up to a day: without this the admin cannot tell when it is over.
            lines.append(f"Next try {_wait(feed.next_poll_at - now)}.")
        if feed.dead:
            lines.append(
                "Tried once a day until it works again; /addfeed with its address tries it now, /removefeed drops it."
            )
        blocks.append("\n".join(lines))
    return [Reply(m) for m in split_message(blocks)]


def _wait(seconds: float) -> str:
    """How long until something: "in under a minute", "in 5 min", "in 3 h", "in 2 d"."""
    age = format_age(seconds)
    return "in under a minute" if age == "just now" else "in " + age.removesuffix(" ago")


def render_feed_added(added: FeedAdded) -> Reply:
    """/addfeed; a feed found on the page given says so, and names the page's other feeds."""
    title = esc(truncate(added.title, 200))
    found = ""
    if added.found_on is not None:
        found = f" (found on that page: {esc(truncate(added.feed.url, URL_CHARS))})"
    if added.revived:
        text = f"♻️ Feed <b>{title}</b>{found} works again and will be polled."
        if added.topics_not_applied:
            kept = ", ".join(esc(t) for t in added.feed.topics) or "none"
            text += f" Its topics stay {kept}: to change them, /removefeed it and /addfeed it again."
    elif not added.created:
        text = f"Already polling <b>{title}</b>{found}."
    else:
        topics = f" with topics {', '.join(esc(t) for t in added.feed.topics)}" if added.feed.topics else ""
        text = f"➕ Added feed <b>{title}</b>{found}{topics}. It will be polled shortly."
    others = added.other_feeds
    if others:
        shown = ", ".join(esc(truncate(url, URL_CHARS)) for url in others[:OTHER_FEEDS_SHOWN])
        more = f" and {len(others) - OTHER_FEEDS_SHOWN} more" if len(others) > OTHER_FEEDS_SHOWN else ""
        feeds = "another feed" if len(others) == 1 else f"{len(others)} other feeds"
        text += f"\nThe page also names {feeds}: {shown}{more}. To poll one too, /addfeed its address."
    return Reply(text)


def _feed_address(url: str) -> str:
    """A feed's address, escaped, on a line of its own (shortened only when it is a page long)."""
    shown = esc(url)
    return shown if len(shown) <= LIST_URL_CHARS else esc(truncate(url, URL_CHARS))


def _with_commands(lines: list[str], commands: str, named: str) -> str:
    """An admin notice: ``lines``, then ``commands`` written out with the feed's address; ``named`` instead, which
    names them without it, when an address too long to repeat would take the message past Telegram's limit (it
    is on a line above)."""
    text = "\n".join([*lines, commands])
    return text if len(text) <= MAX_MESSAGE_CHARS else "\n".join([*lines, named])


def render_feed_dead(feed: Feed, error: str, failures: int, *, gone: bool = False) -> str:
    """The message each admin gets once when a feed is marked dead after ``failures`` failed polls in a row
    (``gone``: the site answered 410)."""
    why = "The site says it is gone (410)" if gone else f"It failed {_count(failures, 'time')} in a row"
    lines = [
        f"💀 Feed <b>{esc(truncate(feed.title or feed.url, 200))}</b> stopped working.",
        _feed_address(feed.url),
        f"Last error: {esc(truncate(error, 200))}",
        f"{why}, so from now on it is tried once a day; it comes back by itself when it works again.",
    ]
    address = esc(feed.url)
    return _with_commands(
        lines,
        f"/feeds lists every feed; <code>/removefeed {address}</code> drops it; "
        f"<code>/addfeed {address}</code> tries it now.",
        "/feeds lists every feed; /removefeed with its address drops it; /addfeed with it tries it now.",
    )


def render_feed_works_again(feed: Feed) -> str:
    """The message each admin gets when a dead feed works again without anybody's /addfeed."""
    return "\n".join(
        [
            f"♻️ Feed <b>{esc(truncate(feed.title or feed.url, 200))}</b> works again and is polled as usual.",
            _feed_address(feed.url),
        ]
    )


def render_feed_swapped(feed: Feed, title: str, host: str, items: int) -> str:
    """The message each admin gets when a poll of ``feed`` finds another site's feed at its address (titled
    ``title``, of site ``host``, listing ``items`` items and none of those it listed before)."""
    was = esc(truncate(feed.title or feed.url, 200))
    now = esc(truncate(title, 200))
    if host:
        now += f" ({esc(truncate(host, 200))})"
    lines = [
        f"⚠️ Feed <b>{was}</b> now looks like a different site: it is called <b>{now}</b> and lists none of "
        "the items it listed before (its domain may have changed hands).",
        _feed_address(feed.url),
        f"The {_count(items, 'item')} it lists now {'was' if items == 1 else 'were'} stored but not sent to anyone.",
    ]
    rest = " drops it; if the change is legitimate, do nothing: later polls alert its new items as usual."
    return _with_commands(
        lines, f"<code>/removefeed {esc(feed.url)}</code>{rest}", f"/removefeed with its address{rest}"
    )


def render_feed_removed(feed: Feed) -> Reply:
    """/removefeed."""
    return Reply(
        f"➖ Stopped polling <b>{esc(truncate(feed.title or feed.url, 200))}</b>. Its articles stay."
    )


# -- errors and fallbacks


def render_problem(message: str) -> Reply:
    """A UserError's plain-text message."""
    # Messages may quote outside text (a site's HTTP reason phrase, a feed parser's complaint) of any length.
    if len(message) > PROBLEM_CHARS:
        message = truncate(message, PROBLEM_CHARS)
    return Reply("⚠️ " + esc(message))


# Names people bring from other bots, and what we call the same thing.
_COMMAND_SYNONYMS = {
    "follow": "subscribe",
    "track": "subscribe",
    "sub": "subscribe",
    "add": "subscribe",
    "unfollow": "unsubscribe",
    "untrack": "unsubscribe",
    "unsub": "unsubscribe",
    "remove": "unsubscribe",
    "subscriptions": "mysubs",
    "following": "mysubs",
    "list": "mysubs",
    "news": "latest",
    "recent": "latest",
    "headlines": "latest",
    "find": "search",
    "summarize": "summary",
    "summarise": "summary",
    "tldr": "summary",
    "config": "settings",
    "preferences": "settings",
    "options": "settings",
    "commands": "help",
}


# "/summary12" or "/summary_12": an id typed against the command (Telegram makes "/summary_12" a link).
_NUMBER_GLUED = re.compile(r"([a-z]+)_?(\d{1,10})")
# Commands whose words may be a number, suggested with it: "/summary12" was pointed to a bare /summary.
_TAKE_A_NUMBER = frozenset({"summary", "search"})
# "/latest_business", "/subscribe_tesla": a word typed against a command, as other bots' tappable commands read.
_WORD_GLUED = re.compile(r"([a-z]+)_([a-z][a-z0-9]*)")
# Commands whose words may be that word, suggested with it; the others are suggested alone ("/help_me": /help).
_TAKE_A_WORD = frozenset({"subscribe", "unsubscribe", "latest", "search", "settings"})


def suggest_command(command: str, *, admin: bool = False) -> str | None:
    """The command meant by an unknown one: a known synonym ("/follow"), a near miss ("/lates"), or a command
    with its number glued on ("/summary12" -> "summary 12")."""
    name = command.lstrip("/").lower()
    glued = _NUMBER_GLUED.fullmatch(name)
    if glued:
        meant = _suggest_name(glued[1], admin=admin)
        if meant in _TAKE_A_NUMBER:
            return f"{meant} {glued[2]}"
    worded = _WORD_GLUED.fullmatch(name)
    if worded and worded[1] in (item[0] for item in _HELP + (_ADMIN_HELP if admin else ())):
        # "I don't know /latest_business" named no command, though the user had typed one exactly.
        return f"{worded[1]} {worded[2]}" if worded[1] in _TAKE_A_WORD else worded[1]
    return _suggest_name(name, admin=admin)


def _suggest_name(name: str, *, admin: bool) -> str | None:
    if name in _COMMAND_SYNONYMS:
        return _COMMAND_SYNONYMS[name]
    names = [item[0] for item in _HELP + (_ADMIN_HELP if admin else ())]
    # A command cut short names it ("/top", "/set"): by letters alone "/top" is nearest to /stop. An admin
    # command cut short is no typo of another either: "/stat" from a non-admin was answered "Did you mean /start?".
    every = [item[0] for item in _HELP + _ADMIN_HELP]
    starting = [n for n in every if n.startswith(name)] if len(name) >= 3 else []
    if len(starting) == 1:
        return starting[0] if starting[0] in names else None
    close = difflib.get_close_matches(name, names, n=1, cutoff=0.75)
    return close[0] if close else None


def render_unknown_command(command: str, suggestion: str | None = None) -> Reply:
    """A command we don't have, with the one probably meant."""
    hint = f" Did you mean /{suggestion}?" if suggestion else ""
    return Reply(f"I don't know {esc(truncate(command, 40))}.{hint} /help lists what I can do.")


# A command once its full-width characters are plain ("／help", "/ｈｅｌｐ" from a Chinese or Japanese keyboard).
_WIDE_COMMAND = re.compile(r"/([A-Za-z0-9_]{1,32})(?=\s|$)")


def suggest_wide_command(text: str, *, admin: bool = False) -> str | None:
    """The command meant by text that Telegram made no command of as it was typed with full-width characters;
    None for any other text."""
    typed = text.strip()
    plain = unicodedata.normalize("NFKC", typed)
    if plain.split(maxsplit=1)[:1] == typed.split(maxsplit=1)[:1]:
        return None  # nothing full-width in its first word: no command mistyped
    match = _WIDE_COMMAND.match(plain)
    if match is None:
        return None
    name = match[1].lower()
    known = [item[0] for item in _HELP + (_ADMIN_HELP if admin else ())]
    return name if name in known else suggest_command(name, admin=admin)


def render_plain_text_hint(wide_command: str | None = None) -> Reply:
    """Plain text without a link; ``wide_command``: the command it is, typed full-width (suggest_wide_command)."""
    if wide_command is not None:
        # "／summary 12" was told to use /summary followed by text, which it had typed.
        return Reply(
            f"Commands are typed with a plain / and Latin letters: did you mean /{esc(wide_command)}? "
            "/help lists what I can do."
        )
    return Reply(
        "Send me a link and I'll summarize it, or use <code>/summary</code> followed by text. "
        "/help lists everything else."
    )


def render_stopped_early() -> Reply:
    """A command the bot was stopped in the middle of (a /summary of a slow page at a restart): Telegram will
    not hand it over again, so the sender is asked to."""
    return render_problem(
        "The bot is stopping (to restart, usually) and could not finish this: send it again in a minute."
    )


def render_stopped_early_toast() -> str:
    """A button tap the bot was stopped in the middle of (plain text, for a toast): as ``render_stopped_early``."""
    return "The bot is stopping (to restart, usually) and could not finish this: tap it again in a minute."


def render_admin_only() -> Reply:
    """An admin command from someone else."""
    return Reply("Sorry, that command is only for the bot's administrators.")


def render_group_admin_only() -> Reply:
    """A group member who is not an admin tried to change the group's subscriptions or settings."""
    return Reply("Sorry, only this group's administrators can change its subscriptions and settings.")


def render_not_saved() -> Reply:
    """A command whose change the database refused (a full disk, a lock held too long): no bug, and it passes."""
    return render_problem(
        "I could not save that just now: my storage is full or busy. Please try again later."
    )


def render_not_saved_toast() -> str:
    """``render_not_saved`` for a button tap (plain text, for a toast)."""
    return "I could not save that just now: my storage is full or busy. Please tap again later."


def render_internal_error() -> Reply:
    """The error handler's apology."""
    return Reply("Sorry, something went wrong on my side. Please try again in a moment.")


def render_usage(text: str) -> Reply:
    """How to use a command (plain text)."""
    return Reply(esc(text))
