"""The outbox: what to send to whom, pacing, retries, exactly-once bookkeeping (SPEC §6)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from bot.scheduling import next_digest_at
from bot.store.models import Chat
from summaries.articles import Article

if TYPE_CHECKING:
    from bot.clock import Clock
    from bot.config import Settings
    from bot.store import Database
    from summaries.topics import TopicCatalogue


class DeliveryService:
    """Plans alerts and digests into the durable outbox and sends them within Telegram's limits."""

    def __init__(
        self, *, db: Database, bot: Any, settings: Settings, clock: Clock, catalogue: TopicCatalogue
    ) -> None:
        self._db = db
        self._bot = bot
        self._settings = settings
        self._clock = clock
        self._catalogue = catalogue

    async def plan_alerts(self, articles: Sequence[Article], now: float) -> int:
        """Persist outbox rows for every chat that matches one of ``articles``; returns rows planned."""
        return 0

    async def send_digest(self, chat_id: int, now: float, *, on_demand: bool = False) -> int:
        """Send the chat's digest of what is pending now; returns the number of articles in it (0: nothing)."""
        return 0

    async def stats(self, since: float) -> dict[str, int]:
        """Queue depth, and deliveries sent and failed since ``since``."""
        return {"queued": 0, "sent": 0, "failed": 0}

    def reschedule(self, chat: Chat, now: float) -> Chat:
        """The chat with next_digest_at recomputed from its digest times and timezone (None unless digest)."""
        from dataclasses import replace

        if chat.mode != "digest":
            return replace(chat, next_digest_at=None)
        return replace(chat, next_digest_at=next_digest_at(chat.digest_times, chat.timezone, now))

    async def start(self) -> None:
        """Recover rows a crash left 'sending' and start the sender."""

    async def aclose(self) -> None:
        """Stop the sender; in-flight work is finished or re-queued."""
