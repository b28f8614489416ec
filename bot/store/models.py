"""Records the storage layer hands out. Plain frozen dataclasses: no SQL, no Telegram."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

DeliveryMode = Literal["instant", "digest"]
SubscriptionKind = Literal["topic", "keyword"]


@dataclass(frozen=True, slots=True)
class ChatDefaults:
    """Settings a newly registered chat starts with (from NEWSBOT_* settings)."""

    timezone: str = "UTC"
    summary_sentences: int = 3


@dataclass(frozen=True, slots=True)
class Chat:
    """A chat and its delivery settings. Times of day are local "HH:MM" strings in ``timezone``."""

    id: int
    type: str = "private"
    title: str | None = None
    active: bool = True
    inactive_reason: str | None = None
    mode: DeliveryMode = "instant"
    digest_times: tuple[str, ...] = ("08:00",)
    timezone: str = "UTC"
    summary_sentences: int = 3
    quiet_start: str | None = None
    quiet_end: str | None = None
    paused: bool = False
    created_at: float = 0.0
    last_digest_at: float | None = None
    next_digest_at: float | None = None
    thread_id: int | None = None  # forum topic for alerts and digests; None: "General" (or not a forum)

    @property
    def is_group(self) -> bool:
        """Whether Telegram's group limits (20 messages a minute) and admin checks apply: groups and channels."""
        return self.type in ("group", "supergroup", "channel")


@dataclass(frozen=True, slots=True)
class Subscription:
    """One thing a chat follows: a catalogue topic id or a lower-case keyword/phrase."""

    chat_id: int
    kind: SubscriptionKind
    value: str


@dataclass(frozen=True, slots=True)
class Feed:
    """A polled feed and its polling state."""

    id: int
    url: str
    topics: tuple[str, ...] = ()
    origin: Literal["settings", "admin"] = "admin"
    title: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    added_by: int | None = None
    created_at: float = 0.0
    last_polled_at: float | None = None
    last_success_at: float | None = None
    next_poll_at: float = 0.0
    failures: int = 0
    last_error: str | None = None
    dead: bool = False
    items_left: bool = False  # the last read left items for the next polls
    link: str | None = None  # the site the feed named as its own at its last read
