"""Reading stored articles: /latest (all or one topic) and /search."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from bot.errors import UserError
from bot.render.replies import topic_label
from bot.render.text import quoted
from summaries.articles import Article
from summaries.topics import EVERY_TOPIC_WORDS

if TYPE_CHECKING:
    from bot.store import Database
    from summaries.topics import Topic, TopicCatalogue

LATEST_LIMIT = 8
SEARCH_LIMIT = 10


@dataclass(frozen=True, slots=True)
class ArticleList:
    """Articles to show, the other sources of their stories, and whether more matched than are shown."""

    articles: list[Article]
    also: dict[int, tuple[str, ...]] = field(default_factory=dict)
    more: bool = False
    topic: Topic | None = None


class ArticleService:
    """The newest stored articles and full-text search over them."""

    def __init__(self, *, db: Database, catalogue: TopicCatalogue) -> None:
        self._db = db
        self._catalogue = catalogue

    async def latest(self, topic_text: str = "", *, chat_id: int) -> ArticleList:
        """The newest articles chat ``chat_id`` may see, of every topic or of the one ``topic_text`` names.

        UserError when ``topic_text`` names no topic.
        """
        # "/latest all" is every topic, as /subscribe and /unsubscribe read it, not a word to /search for.
        every = topic_text.strip().lower() in EVERY_TOPIC_WORDS
        return await self._latest(
            self._topic(topic_text) if topic_text and not every else None, chat_id, None
        )

    async def latest_page(self, topic_id: str, after: int | None, *, chat_id: int) -> ArticleList | None:
        """The page of /latest [TOPIC] below article ``after`` (None: the newest); ``topic_id`` "" for all.

        None when ``topic_id`` is no topic (a button from before the catalogue changed, or a forged one).
        """
        topic = self._catalogue.get(topic_id) if topic_id else None
        if topic_id and topic is None:
            return None
        return await self._latest(topic, chat_id, after)

    async def _latest(self, topic: Topic | None, chat_id: int, after: int | None) -> ArticleList:
        # One more than is shown tells whether there are older ones, to offer them rather than hide them.
        found = await self._db.articles.latest(
            LATEST_LIMIT + 1, topic.id if topic else None, reader=chat_id, after=after
        )
        articles = found[:LATEST_LIMIT]
        also = await self._db.articles.other_sources(articles)
        return ArticleList(articles, also, more=len(found) > len(articles), topic=topic)

    async def search(self, words: str, *, chat_id: int, after: int | None = None) -> ArticleList:
        """Articles chat ``chat_id`` may see containing all ``words``, newest first, at most SEARCH_LIMIT;
        ``after``: those below that article (the next page)."""
        # One more than is shown tells whether there are more, so the reply does not pass ten off as all.
        found = await self._db.articles.search(words, SEARCH_LIMIT + 1, reader=chat_id, after=after)
        articles = found[:SEARCH_LIMIT]
        also = await self._db.articles.other_sources(articles)
        return ArticleList(articles, also, more=len(found) > len(articles))

    def _topic(self, text: str) -> Topic:
        topic = self._catalogue.resolve(text)
        if topic is not None:
            return topic
        names = ", ".join(t.id for t in self._catalogue.all())
        words = text.split()
        if any(word.isdecimal() for word in words):
            # "/latest 5" most likely means "the 5 newest" (or article 5): "5 is not a topic" told neither.
            example = "sport" if self._catalogue.get("sport") else self._catalogue.all()[0].id
            read = f"; to read article {words[0]}, /summary {words[0]}" if len(words) == 1 else ""
            raise UserError(
                f"/latest shows the {LATEST_LIMIT} newest articles and takes no number; "
                f"/latest {example} shows one topic's{read}. Topics: {names}."
            )
        near = self._catalogue.suggest(text) if len(text) >= 3 else None
        hint = f" Did you mean {topic_label(near)}?" if near else ""
        # "/latest tesla" (a keyword the chat follows, say) ended at the topic list: /search is what finds a word.
        typed = " ".join(text.split())
        search = (
            f" /search {typed} finds the articles that mention it." if not near and len(typed) <= 50 else ""
        )
        raise UserError(f"{quoted(text)} is not a topic.{hint} Topics: {names}.{search}")
