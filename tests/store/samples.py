"""Small invented records for the storage tests (no third-party text)."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.store import ChatDefaults, Database
from summaries.articles import Article

NOW = 1_800_000_000.0


def make_article(n: int, *, title: str | None = None, body: str | None = None, **fields: object) -> Article:
    """A small invented article number ``n`` (text written for these tests)."""
    values: dict[str, object] = {
        "url": f"https://news.example/{n}",
        "title": title if title is not None else f"Invented headline number {n}",
        "body": body
        if body is not None
        else f"Paragraph {n} about nothing in particular. It has two sentences.",
        "source": "Example News",
        "published": datetime.fromtimestamp(NOW - 3600 + n, tz=UTC),
    }
    values.update(fields)
    return Article(**values)  # type: ignore[arg-type]


async def add_chat(db: Database, chat_id: int, *, type: str = "private") -> None:
    """Register a chat with default settings."""
    await db.chats.register(chat_id, type, None, ChatDefaults(), NOW)
