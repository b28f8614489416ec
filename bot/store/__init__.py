"""newsbot's storage layer: SQLite through aiosqlite, one repository per aggregate. All SQL lives here."""

from bot.store.articles import AddStatus, ArticleRepo, NewArticle
from bot.store.chats import ChatRepo
from bot.store.db import (
    Database,
    DatabaseNotWritable,
    DatabaseUnavailable,
    Migration,
    SchemaError,
    instance_lock,
    load_migrations,
    write_refused,
)
from bot.store.deliveries import DeliveryRepo
from bot.store.feeds import FeedRepo
from bot.store.models import Chat, ChatDefaults, DeliveryMode, Feed, Subscription, SubscriptionKind
from bot.store.subscriptions import SubscriptionRepo

__all__ = [
    "AddStatus",
    "ArticleRepo",
    "Chat",
    "ChatDefaults",
    "ChatRepo",
    "Database",
    "DatabaseNotWritable",
    "DatabaseUnavailable",
    "DeliveryMode",
    "DeliveryRepo",
    "Feed",
    "FeedRepo",
    "Migration",
    "NewArticle",
    "SchemaError",
    "Subscription",
    "SubscriptionKind",
    "SubscriptionRepo",
    "instance_lock",
    "load_migrations",
    "write_refused",
]
