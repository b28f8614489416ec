"""Alerts and digests as Telegram HTML: escaped, within limits, with a short "Full summary" button. Pure."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.render.text import MAX_MESSAGE_CHARS, esc, format_age, split_message, truncate
from summaries.articles import Article
from summaries.topics import TopicCatalogue

SUMMARY_CALLBACK_PREFIX = "sum:"
_FALLBACK_SUMMARY_CHARS = 300

_DIGEST_LINE_CHARS = 220
_TITLE_CHARS = 300
_SOURCE_CHARS = 100
_URL_CHARS = 2000


@dataclass(frozen=True, slots=True)
class DigestItem:
    """One story in a digest: its article, the group it goes under (a topic id or a keyword) and its score."""

    article: Article
    group: str
    score: float
    also: tuple[str, ...] = ()
    key: int = 0  # the caller's handle (the outbox row id), returned for the items the digest shows


def summary_callback_data(article_id: int) -> str:
    """callback_data of the "Full summary" button (handled by the conversation layer; well under 64 bytes)."""
    return f"{SUMMARY_CALLBACK_PREFIX}{article_id}"


def _age(article: Article, now: float) -> str | None:
    if article.published is None:
        return None
    return format_age(now - article.published.timestamp())


def _emoji(article: Article, catalogue: TopicCatalogue, matched: str) -> str:
    for topic_id in (matched, *article.topics):
        topic = catalogue.get(topic_id)
        if topic is not None and topic.emoji:
            return topic.emoji
    return "📰"


def _source_line(article: Article, now: float) -> str:
    age = _age(article, now)
    return esc(truncate(article.source, _SOURCE_CHARS)) + (f" · {esc(age)}" if age else "")


def render_alert(
    article: Article,
    *,
    sentences: int,
    now: float,
    catalogue: TopicCatalogue,
    matched: str = "",
    also: Sequence[str] = (),
) -> tuple[str, InlineKeyboardMarkup | None]:
    """One alert: emoji + linked title, "source · age", up to ``sentences`` summary sentences, "also: ..."."""
    # Titles, sources and links come from feeds and may be any length: cap them so the head always fits.
    title = esc(truncate(article.title, _TITLE_CHARS))
    if len(article.url) <= _URL_CHARS:
        title = f'<a href="{esc(article.url)}">{title}</a>'
    head = f"{_emoji(article, catalogue, matched)} <b>{title}</b>"
    lines = [head, f"<i>{_source_line(article, now)}</i>"]
    summary = list(article.summary[: max(1, sentences)])
    body = " ".join(summary) if summary else truncate(article.body, _FALLBACK_SUMMARY_CHARS)
    others = [s for s in dict.fromkeys(also) if s and s != article.source]
    tail = f"\n<i>also: {esc(', '.join(others))}</i>" if others else ""
    fixed = len("\n".join(lines)) + len(tail) + 2
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
    message = "\n".join(lines) + tail
    keyboard = None
    if article.id is not None:
        keyboard = InlineKeyboardMarkup(
            [[InlineKeyboardButton("📄 Full summary", callback_data=summary_callback_data(article.id))]]
        )
    return message, keyboard


def render_digest(
    items: Sequence[DigestItem],
    *,
    now: float,
    catalogue: TopicCatalogue,
    max_per_group: int,
    title: str = "Your news digest",
) -> tuple[list[str], list[int]]:
    """The digest as one or more messages (split only if needed) and the keys of the items it shows.

    Grouped by topic (keywords after topics), best first inside a group, at most ``max_per_group`` each.
    """
    groups: dict[str, list[DigestItem]] = {}
    for item in items:
        groups.setdefault(item.group, []).append(item)
    topic_order = {t.id: i for i, t in enumerate(catalogue.all())}

    def group_key(group: str) -> tuple[int, int, str]:
        if group in topic_order:
            return (0, topic_order[group], group)
        return (1, 0, group)

    blocks: list[str] = []
    shown: list[int] = []
    for group in sorted(groups, key=group_key):
        members = sorted(
            groups[group],
            key=lambda it: (-it.score, -(it.article.published.timestamp() if it.article.published else 0)),
        )
        kept = members[:max_per_group]
        topic = catalogue.get(group)
        heading = f"{topic.emoji} <b>{esc(topic.title)}</b>" if topic else f"🔎 <b>{esc(group)}</b>"
        lines = [heading]
        for item in kept:
            art = item.article
            line = f'• <a href="{esc(art.url)}">{esc(art.title)}</a> — <i>{_source_line(art, now)}</i>'
            if art.id is not None:
                line += f" [{art.id}]"
            others = [s for s in dict.fromkeys(item.also) if s and s != art.source]
            if others:
                line += f" <i>(also: {esc(', '.join(others))})</i>"
            if art.summary:
                line += "\n  " + esc(truncate(art.summary[0], _DIGEST_LINE_CHARS))
            lines.append(line)
        if len(members) > len(kept):
            lines.append(f"<i>…and {len(members) - len(kept)} more</i>")
        blocks.append("\n".join(lines))
        shown.extend(item.key for item in kept)
    if not blocks:
        return [], []
    count = len(shown)
    header = f"🗞 <b>{esc(title)}</b> — {count} {'story' if count == 1 else 'stories'}"
    return split_message([header, *blocks]), shown
