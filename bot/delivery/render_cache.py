"""Rendered alerts shared by the chats of a fan-out (``RenderCache``)."""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from telegram import InlineKeyboardMarkup

from bot.render.delivery import render_alert
from summaries.articles import Article

if TYPE_CHECKING:
    from summaries.topics import TopicCatalogue


RENDER_CACHE_SIZE = 4096


@dataclass(frozen=True, slots=True)
class Rendered:
    article: Article  # the object rendered: a hit must be for the same (possibly re-summarised) article
    text: str
    keyboard: InlineKeyboardMarkup | None
    markup_json: dict[str, Any] | None


class RenderCache:
    """Rendered alerts by (article, sentences, matched, also, age in minutes); LRU, bounded.

    A fan-out sends the same story to thousands of chats that differ only in these, and rendering it again
    for each chat was 6% of the event loop at 1,000 messages/s.
    """

    def __init__(self, catalogue: TopicCatalogue, size: int = RENDER_CACHE_SIZE) -> None:
        self._catalogue = catalogue
        self._size = size
        self._entries: OrderedDict[tuple[Any, ...], Rendered] = OrderedDict()

    def render(
        self,
        article: Article,
        also: tuple[str, ...],
        *,
        sentences: int,
        matched: str,
        now: float,
        zone: str = "UTC",
        more: bool = True,
    ) -> Rendered:
        """``render_alert``'s output for a story told by ``article`` (and by ``also``), once per distinct key."""
        # format_age only changes at whole minutes, so the minute is all of "now" the text depends on.
        age = None if article.published is None else (now - article.published.timestamp()) // 60
        # Only a story over a week old shows a date, the one thing that depends on the chat's timezone: keyed
        # by zone only then, so a fresh story is still rendered once for chats all over the world.
        dated = age is not None and age >= 7 * 24 * 60
        key = (article.id, sentences, matched, also, age, zone if dated else None, more)
        hit = self._entries.get(key)
        if hit is not None and hit.article is article:
            self._entries.move_to_end(key)
            return hit
        text, keyboard = render_alert(
            article,
            sentences=sentences,
            now=now,
            catalogue=self._catalogue,
            matched=matched,
            also=also,
            zone=zone,
            more=more,
        )
        rendered = Rendered(article, text, keyboard, keyboard.to_dict() if keyboard is not None else None)
        self._entries[key] = rendered
        self._entries.move_to_end(key)
        if len(self._entries) > self._size:
            self._entries.popitem(last=False)
        return rendered
