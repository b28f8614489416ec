"""The Article model shared by sources, the summarizer's callers and the bot."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True, slots=True)
class Article:
    """One news article, as read from a feed, a page or a file.

    ``url`` is the canonical URL (see :func:`summaries.urls.canonical_url`); ``id`` and ``story_id`` are set only
    once the article is stored. ``summary`` holds the summary sentences in article order.
    """

    url: str
    title: str
    body: str
    source: str
    published: datetime | None = None
    language: str | None = None
    topics: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    summary: tuple[str, ...] = ()
    id: int | None = None
    story_id: int | None = None
    # The publisher's site when it is not the link's: an aggregator's item names its outlet (RSS <source>).
    source_url: str | None = None
    # Only the start of the article could be read (a paywall or sign-in wall hides the rest): summaries say so.
    partial: bool = False
