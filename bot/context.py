"""The services a handler or job can reach, and the CallbackContext that carries them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from telegram.ext import Application, CallbackContext, ExtBot

if TYPE_CHECKING:
    from bot.clock import Clock
    from bot.config import Settings
    from bot.delivery import DeliveryService
    from bot.services.admin import AdminService
    from bot.services.articles import ArticleService
    from bot.services.chats import ChatService
    from bot.services.ingest import IngestService
    from bot.services.subscriptions import SubscriptionService
    from bot.store import Database
    from summaries.fetch import Fetcher
    from summaries.topics import TopicCatalogue


@dataclass(slots=True)
class Services:
    """Everything the application needs at run time, built once at start-up (see ``bot.app``)."""

    settings: Settings
    clock: Clock
    db: Database
    catalogue: TopicCatalogue
    fetcher: Fetcher
    ingest: IngestService
    delivery: DeliveryService
    chats: ChatService
    subscriptions: SubscriptionService
    admin: AdminService
    articles: ArticleService


class BotContext(CallbackContext[ExtBot[None], dict[Any, Any], dict[Any, Any], dict[Any, Any]]):
    """PTB's context with typed access to our services."""

    @property
    def services(self) -> Services:
        """The application's services (set up in post_init)."""
        services: Services = self.application.bot_data["services"]
        return services


BotApplication = Application[ExtBot[None], BotContext, dict[Any, Any], dict[Any, Any], dict[Any, Any], Any]
