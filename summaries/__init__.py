"""newsbot's news library: articles, sources, extraction, topics and the summarizer.

Nothing here knows about Telegram or the database. The stable API for scripts and evaluation is
``summarize`` and ``tag_topics``.
"""

from summaries.articles import Article
from summaries.summarizer import summarize
from summaries.topics import tag_topics

__all__ = ["Article", "summarize", "tag_topics"]
