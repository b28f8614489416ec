"""Summaries at another length than the stored one, shared by /summary, buttons and alerts; and the page
``newsbot summarize URL`` reads."""

from __future__ import annotations

import asyncio
from collections import OrderedDict

from bot.config import Settings
from summaries import summarize
from summaries.articles import Article
from summaries.fetch import FetchError
from summaries.sources.feeds import advertised_feeds, looks_like_feed
from summaries.sources.files import (
    SourceFileError,
    SourceText,
    UnreadableSource,
    read_source_bytes,
    source_text,
)
from summaries.sources.pages import PARTIAL_ARTICLE, ExtractionError, extract_page
from summaries.summarizer import MAX_SENTENCES, MIN_SENTENCES


class SummaryCache:
    """Computes a summary once per article and length (in a thread) and keeps the most recent ones.

    Articles are stored with a summary of the default length; a chat that asks for more or fewer sentences,
    whether by ``/summary``, a button or its alert length, gets them from here, so one chat using all three
    costs one summarize call per article, not one per path.
    """

    def __init__(self, capacity: int = 2048) -> None:
        self._capacity = capacity
        self._entries: OrderedDict[tuple[int, int], list[str]] = OrderedDict()

    async def summary_for(self, article: Article, sentences: int) -> list[str]:
        """The article's summary at ``sentences`` length: the stored one when it fits, else computed once."""
        sentences = max(MIN_SENTENCES, min(MAX_SENTENCES, sentences))
        if article.summary and len(article.summary) == sentences:
            return list(article.summary)
        if article.id is None:  # not stored, so nothing to key a cache on; a shorter summary is all it has
            if article.summary and len(article.summary) < sentences:
                return list(article.summary)
            return await self._summarize(article, sentences)
        key = (article.id, sentences)
        cached = self._entries.get(key)
        if cached is not None:
            self._entries.move_to_end(key)
            return list(cached)
        result = await self._summarize(article, sentences)
        self._entries[key] = result
        while len(self._entries) > self._capacity:
            self._entries.popitem(last=False)
        return list(result)

    def forget(self, article_id: int) -> None:
        """Drop the article's summaries: its text changed (a feed's edit of it)."""
        for sentences in range(MIN_SENTENCES, MAX_SENTENCES + 1):
            self._entries.pop((article_id, sentences), None)

    def __len__(self) -> int:
        return len(self._entries)

    @staticmethod
    async def _summarize(article: Article, sentences: int) -> list[str]:
        result = await asyncio.to_thread(
            summarize, article.body, sentences, title=article.title, language=article.language
        )
        return result or list(article.summary)


async def fetch_source_text(settings: Settings, url: str) -> SourceText:
    """The text to summarize at ``url``, a page or a feed; UnreadableSource says why there is none."""
    from bot.services.ingest import fetcher_for  # imported here: that module imports this one

    async with fetcher_for(settings) as fetcher:
        try:
            fetched = await fetcher.fetch(url, accept="any")
            if looks_like_feed(fetched.body, fetched.charset):
                # A feed's items carry escaped HTML: read them as a feed file is read, not as a page.
                return source_text(
                    read_source_bytes(fetched.body, name=url, url=fetched.url, charset=fetched.charset), url
                )
            page = extract_page(fetched.body, fetched.url, fetched.charset)
        except (FetchError, ExtractionError, SourceFileError) as exc:
            # A fetch error names the host; what was fetched and then refused is named here.
            where = f"{url}: " if isinstance(exc, SourceFileError) else ""
            reason = exc.reason
            if isinstance(exc, ExtractionError):
                # A home page or section front: its feed is where the news is, as /summary says of such a page.
                feeds = advertised_feeds(fetched.body, fetched.url, fetched.charset)
                if feeds:
                    reason += f" Its news feed is {feeds[0]} (newsbot summarize and newsbot ingest read it)."
            raise UnreadableSource(reason, where) from None
    return SourceText(page.text, page.title, page.language, PARTIAL_ARTICLE if page.partial else None)
