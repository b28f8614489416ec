"""Alerts and digests as Telegram HTML: escaped, within limits, with a short "Full summary" button. Pure."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.render.replies import KEYWORD_CHARS, shared_kind
from bot.render.text import (
    FSI,
    MAX_MESSAGE_CHARS,
    MAX_MESSAGE_ENTITIES,
    PDI,
    body_excerpt,
    entity_count,
    esc,
    format_published,
    is_finished,
    ltr_name,
    mark_cut_end,
    starts_right_to_left,
    title_text,
    truncate,
    web_link,
)
from summaries.articles import Article
from summaries.sources.pages import PARTIAL_ARTICLE
from summaries.summarizer import MAX_SENTENCES
from summaries.text import CJK_CHARS
from summaries.topics import TopicCatalogue

SUMMARY_CALLBACK_PREFIX = "sum:"
# Every message of a digest opens with it (then the digest's name), so a reply to one can be recognised.
DIGEST_MARK = "🗞"
_LRM = "\u200e"
_RLM = "\u200f"
_FALLBACK_SUMMARY_CHARS = 300
# A Chinese or Japanese sentence end, perhaps inside closing quotes or brackets.
_WIDE_END = re.compile("[\u3002\uff01\uff1f\uff61][」』）》〉】〕｣”’]*$")
# A Chinese or Japanese sentence that ends without its stop (a standfirst, a heading), perhaps in closing quotes.
_WIDE_LAST = re.compile(f"[{CJK_CHARS}][」』）》〉】〕｣”’]*$")

_DIGEST_LINE_CHARS = 220
_DIGEST_TITLE_CHARS = 200
_DIGEST_URL_CHARS = 1000
# Far below 4,096, so a digest message always holds its header or heading and at least one whole item.
_MAX_DIGEST_ITEM_CHARS = 3000
# A keyword longer than this gets no /search hint (/search takes 200 characters; keywords are at most 50).
_MORE_SEARCH_CHARS = 100
_TITLE_CHARS = 300
_SOURCE_CHARS = 100
_URL_CHARS = 2000
# Title, link, source and "also" together stay this short, so an alert always has room for its summary.
_MAX_ALERT_HEAD_CHARS = 3500


@dataclass(frozen=True, slots=True)
class DigestItem:
    """One story in a digest: its article, the group it goes under (a topic id or a keyword) and its score."""

    article: Article
    group: str
    score: float
    also: tuple[str, ...] = ()
    key: int = 0  # the caller's handle (the outbox row id), returned for the items the digest shows


def summary_callback_data(article_id: int, sentences: int | None = None) -> str:
    """callback_data of a summary button, "sum:<id>" or "sum:<id>:<sentences>" (handled by the conversation
    layer; well under 64 bytes). Without ``sentences``, the summary comes at the chat's length."""
    length = f":{sentences}" if sentences is not None else ""
    return f"{SUMMARY_CALLBACK_PREFIX}{article_id}{length}"


def longer_length(sentences: int) -> int | None:
    """The length of the longer summary an alert of ``sentences`` sentences offers: twice as many, at least three
    more, at most MAX_SENTENCES; None when it shows that many already."""
    longer = min(MAX_SENTENCES, max(sentences + 3, 2 * sentences))
    return longer if longer > sentences else None


def _age(article: Article, now: float, zone: str) -> str | None:
    if article.published is None:
        return None
    return format_published(article.published, now, zone)


def _emoji(article: Article, catalogue: TopicCatalogue, matched: str) -> str:
    for topic_id in (matched, *article.topics):
        topic = catalogue.get(topic_id)
        if topic is not None and topic.emoji:
            return topic.emoji
    return "📰"


def _source_line(article: Article, now: float, zone: str) -> str:
    age = _age(article, now, zone)
    name = ltr_name(truncate(article.source, _SOURCE_CHARS))
    return esc(name) + (f" · {esc(age)}" if age else "")


def _other_sources(also: Sequence[str], source: str) -> str:
    """The other sources of a story, escaped and capped ("" when there are none)."""
    others = [ltr_name(s) for s in dict.fromkeys(also) if s and s != source]
    return esc(truncate(", ".join(others), _SOURCE_CHARS)) if others else ""


def _run_on(sentences: Sequence[str]) -> str:
    """Summary sentences as one paragraph; one without a final stop (a standfirst, a heading) gets one.

    Otherwise "... showed thinly disguised contempt" runs straight into "Donald Trump has promised ...".
    Chinese and Japanese put no space after a sentence's "。", "！" or "？", and a sentence of theirs gets "。".
    """
    text = ""
    for sentence in sentences:
        if not is_finished(sentence):
            sentence += "。" if _WIDE_LAST.search(sentence) else "."
        text += sentence if not text or _WIDE_END.search(text) else f" {sentence}"
    return text


def render_alert(
    article: Article,
    *,
    sentences: int,
    now: float,
    catalogue: TopicCatalogue,
    matched: str = "",
    also: Sequence[str] = (),
    zone: str = "UTC",
    more: bool = True,
) -> tuple[str, InlineKeyboardMarkup | None]:
    """One alert: emoji + linked title, "source · age", up to ``sentences`` summary sentences, "also: ...".

    ``zone``: the chat's timezone, for the date of an article older than a week. ``more``: the article has more
    sentences than its summary shows, so the alert offers a longer summary.
    """
    # Titles, sources and links come from feeds and may be any length: cap them so the head always fits.
    title = esc(title_text(article.title, _TITLE_CHARS))
    others = _other_sources(also, article.source)
    tail = f"\n<i>also: {others}</i>" if others else ""
    source = _source_line(article, now, zone)
    if matched and catalogue.get(matched) is None:
        # A keyword brought it (a topic shows as the emoji): with several keywords followed, the reader sees
        # which one, as a digest heads its keyword groups.
        source += f" · 🔎 {esc(ltr_name(truncate(matched, KEYWORD_CHARS)))}"
    source = f"<i>{source}</i>"
    link = web_link(article.url)
    # Escaping can grow every piece several times over: the link is the one part an alert can do without.
    if (
        link is not None
        and len(link) <= _URL_CHARS
        and len(title) + len(link) + len(source) + len(tail) < _MAX_ALERT_HEAD_CHARS
    ):
        title = f'<a href="{link}">{title}</a>'
    lines = [f"{_emoji(article, catalogue, matched)} <b>{title}</b>", source]
    summary = list(article.summary[: max(1, sentences)])
    body = (
        _run_on(mark_cut_end(summary, article.body))
        if summary
        else body_excerpt(article.body, article.title, _FALLBACK_SUMMARY_CHARS)
    )
    # A walled page's summary would pass for the whole story's, as /summary of it says.
    note = f"\n<i>{esc(PARTIAL_ARTICLE)}</i>" if article.partial and body else ""
    fixed = len("\n".join(lines)) + len(note) + len(tail) + 2
    # Escaping can grow the text; cut the plain text until its escaped form fits what is left of 4,096.
    budget = MAX_MESSAGE_CHARS - fixed
    text = body
    while text and len(esc(text)) > budget:
        shorter = truncate(text, max(1, len(text) - max(16, len(esc(text)) - budget)))
        # truncate() cannot go below "…": without this the loop would spin forever on a tiny budget.
        text = shorter if len(shorter) < len(text) else ""
    if text:
        lines.append("")
        lines.append(esc(text))
    message = "\n".join(lines) + (note if text else "") + tail
    button: InlineKeyboardButton | None = None
    longer = longer_length(sentences)
    # An article with no text (a title and a link) has no summary to give: the button would only answer so.
    if article.id is None or not body:
        pass
    elif not summary:
        # The start of the text stands in for a summary not computed: the summary is more than that.
        button = InlineKeyboardButton("📄 Summary", callback_data=summary_callback_data(article.id))
    elif more and longer is not None and len(summary) >= sentences:
        # The alert shows the summary at the chat's length: a button for the same sentences again would only
        # repeat it, so it offers more of them.
        data = summary_callback_data(article.id, longer)
        button = InlineKeyboardButton("📄 Longer summary", callback_data=data)
    return message, InlineKeyboardMarkup([[button]]) if button is not None else None


@dataclass(frozen=True, slots=True)
class DigestPart:
    """One message of a digest and the keys of the items it shows (so each part can be marked sent alone)."""

    text: str
    keys: tuple[int, ...]
    # The items over the cap whose "…and N more" line this message carries: they are told of with it.
    over: tuple[int, ...] = ()


def digest_title(chat_type: str) -> str:
    """ "Your news digest"; in a group or channel, where every member reads it, "This group's news digest"."""
    kind = shared_kind(chat_type)
    return f"This {kind}'s news digest" if kind else "Your news digest"


def render_digest(
    items: Sequence[DigestItem],
    *,
    now: float,
    catalogue: TopicCatalogue,
    max_per_group: int,
    title: str = "Your news digest",
    zone: str = "UTC",
    mark: str = DIGEST_MARK,
    count_separator: str = " — ",
) -> list[DigestPart]:
    """The digest as one or more messages (split only if needed, never inside an item); [] when empty.

    Grouped by topic (keywords after topics), best first inside a group, at most ``max_per_group`` each. A
    group that runs on into the next message repeats its heading there. ``mark`` and ``count_separator``
    shape the heading ("🌙 While quiet hours were on: 23 stories" for a quiet night's round-up).
    """
    groups: dict[str, list[DigestItem]] = {}
    for item in items:
        groups.setdefault(item.group, []).append(item)
    topic_order = {t.id: i for i, t in enumerate(catalogue.all())}

    def group_key(group: str) -> tuple[int, int, str]:
        if group in topic_order:
            return (0, topic_order[group], group)
        return (1, 0, group)

    # (heading, line, key, keys over the cap): one story each, the units a message is packed from; a heading is
    # repeated in a new message.
    units: list[_Unit] = []
    ids: list[int] = []  # of the stories shown, in the order shown
    for group in sorted(groups, key=group_key):
        members = sorted(
            groups[group],
            key=lambda it: (-it.score, -(it.article.published.timestamp() if it.article.published else 0)),
        )
        kept = members[:max_per_group]
        topic = catalogue.get(group)
        heading = (
            f"{topic.emoji} <b>{esc(topic.title)}</b>"
            if topic
            else f"🔎 <b>{esc(truncate(group, _SOURCE_CHARS))}</b>"
        )
        over = tuple(item.key for item in members[len(kept) :])
        more = _more_line(len(over), group, topic is not None) if over else ""
        for item in kept:
            if item is not kept[-1] or not more:
                units.append((heading, _digest_line(item, now, zone), item.key, ()))
                continue
            # "…and N more" goes with the group's last story: on its own it could miss the room left in a
            # message and open the next one, a message that shows no story (or starts with a group's tail).
            line = _digest_line(item, now, zone, _MAX_DIGEST_ITEM_CHARS - len(more) - 1)
            units.append((heading, f"{line}\n{more}", item.key, over))
        ids.extend(item.article.id for item in kept if item.article.id is not None)
    if not units:
        return []
    count = len(units)
    name = f"{mark} <b>{esc(title)}</b>"
    # A digest has no buttons: the last message says what its "#12" ids are for, with one to copy.
    example = next(iter(ids), None)
    footer = (
        f"\n\n📄 <i>A story's full summary:</i> <code>/summary {example}</code> <i>(its #number)</i>"
        if example is not None
        else ""
    )
    # Room for the "· part 2 of 3" line each message gets once there are several (known only after
    # packing), and for the footer (the last message is only known then too).
    limit = MAX_MESSAGE_CHARS - len(f"{name}{_part_label(999, 999)}\n\n") - len(footer)
    header = f"{name}{count_separator}{count} {'story' if count == 1 else 'stories'}"
    # The footer's entities are kept free in every message, as its characters are.
    entities = MAX_MESSAGE_ENTITIES - entity_count(footer)
    packed = _pack_units(units, header, limit, entities, whole_groups=False)
    if len(packed) > 1:
        # Splitting anyway: where the same number of messages allows, a topic is not cut in two.
        whole = _pack_units(units, header, limit, entities, whole_groups=True)
        packed = whole if len(whole) == len(packed) else packed
    texts = [text for text, _, _ in packed]
    keyed = [(keys, over) for _, keys, over in packed]
    if len(texts) > 1:
        # Each message says what it is: a reader may open the chat at the third one.
        first, _, rest = texts[0].partition("\n")
        texts[0] = f"{first}{_part_label(1, len(texts))}\n{rest}"
        for index in range(1, len(texts)):
            texts[index] = f"{name}{_part_label(index + 1, len(texts))}\n\n{texts[index]}"
    texts[-1] += footer
    return [DigestPart(t, k, o) for t, (k, o) in zip(texts, keyed, strict=True)]


_Unit = tuple[str, str, int, tuple[int, ...]]


def _pack_units(
    units: Sequence[_Unit], header: str, limit: int, entities: int, *, whole_groups: bool
) -> list[tuple[str, tuple[int, ...], tuple[int, ...]]]:
    """(heading, line, key) units packed into messages of at most ``limit`` characters and ``entities``
    formatting entities, in order.

    A group that runs on into the next message repeats its heading there. ``whole_groups``: a group that
    does not fit in what is left of a message, but fits in a message of its own, starts the next message.
    Every message counts the header's entities: the first shows it, the others the digest's name (as many).
    """
    sizes: dict[str, int] = {}
    counts: dict[str, int] = {}
    for heading, line, _, _ in units:
        sizes[heading] = sizes.get(heading, len(heading)) + 1 + len(line)
        counts[heading] = counts.get(heading, entity_count(heading)) + entity_count(line)
    entities -= entity_count(header)
    packed: list[tuple[str, tuple[int, ...], tuple[int, ...]]] = []
    text, keys, over = header, list[int](), list[int]()
    used = 0
    current_heading: str | None = None
    for heading, line, key, named in units:
        starts = heading != current_heading
        addition = f"\n\n{heading}\n{line}" if starts else f"\n{line}"
        added = entity_count(addition)
        # Never leaves a message with the digest's header alone.
        moves = (
            whole_groups
            and starts
            and keys
            and sizes[heading] <= limit
            and counts[heading] <= entities
            and (limit < len(text) + 2 + sizes[heading] or entities < used + counts[heading])
        )
        if len(text) + len(addition) > limit or used + added > entities or moves:
            packed.append((text, tuple(keys), tuple(over)))
            text, keys, over = f"{heading}\n{line}", [], []
            used = entity_count(text)
        else:
            text += addition
            used += added
        current_heading = heading
        keys.append(key)
        over.extend(named)
    packed.append((text, tuple(keys), tuple(over)))
    return packed


def _part_label(index: int, total: int) -> str:
    return f" · part {index} of {total}"


def _more_line(count: int, group: str, is_topic: bool) -> str:
    """ "…and N more" and the command that lists them: stories over the cap are not sent again in any digest.

    A topic's newest are ``/latest TOPIC``; a keyword's are ``/search`` for it, quoted when it is a phrase (as
    keyword subscriptions match it). In <code> because Telegram links only the bare command in "/latest sport":
    a tap would drop the topic, while a tap on code copies all of it.
    """
    more = f"<i>…and {count} more:</i>"
    if is_topic:
        return f"{more} <code>/latest {esc(group)}</code>"
    words = " ".join(group.split())
    if not words or len(words) > _MORE_SEARCH_CHARS:
        return f"<i>…and {count} more</i>"
    if " " in words and '"' not in words:
        words = f'"{words}"'
    return f"{more} <code>/search {esc(words)}</code>"


def _digest_line(item: DigestItem, now: float, zone: str, room: int = _MAX_DIGEST_ITEM_CHARS) -> str:
    """One story of a digest: linked title, source and age, id, other sources, first summary sentence.

    Longer than ``room`` characters, only its title and id.
    """
    art = item.article
    title = esc(title_text(art.title, _DIGEST_TITLE_CHARS))
    if starts_right_to_left(art.title):
        # Isolated, the title is laid out in its own direction: "עלייה במניות Apple" kept "Apple" at its
        # left end instead of putting it after the Hebrew words, on the far side of the title.
        title = f"{FSI}{title}{PDI}"
    link = web_link(art.url)
    line = (
        f'• <a href="{link}">{title}</a>'
        if link is not None and len(link) <= _DIGEST_URL_CHARS
        else f"• {title}"
    )
    if starts_right_to_left(art.title):
        # A line takes the direction of its first letter: an Arabic or Hebrew title would lay the whole line
        # out right to left, source first and "(also: X)" with its bracket thrown to the far end. A left-to-
        # right mark keeps the line in the digest's direction; a right-to-left mark after the title keeps
        # its own trailing emoji, digits and punctuation with it (where a client ignores isolates).
        line = f"{_LRM}{line}{_RLM}"
    # "#12" as /latest and /search show it: a digest has no buttons, so the id is how to ask for a summary.
    line += f" — <i>{_source_line(art, now, zone)}" + (f" · #{art.id}" if art.id is not None else "") + "</i>"
    others = _other_sources(item.also, art.source)
    if others:
        line += f" <i>(also: {others})</i>"
    # Without a stored summary, the start of the text, cleaned as alerts and /latest show it.
    first = (
        truncate(mark_cut_end(art.summary[:1], art.body)[0], _DIGEST_LINE_CHARS)
        if art.summary
        else body_excerpt(art.body, art.title, _DIGEST_LINE_CHARS)
    )
    if first:
        line += "\n  " + esc(first)
    # Escaping can grow each piece several times over; whatever a feed sends, a line must fit a message.
    if len(line) > room:
        line = f"• {esc(title_text(art.title, 60))}" + (f" · #{art.id}" if art.id is not None else "")
    return line
