"""Errors that carry a message meant for the person chatting with the bot."""

from __future__ import annotations

import warnings
from datetime import timedelta

from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError
from telegram.warnings import PTBDeprecationWarning


class UserError(Exception):
    """A problem the user can act on; ``message`` is plain text shown to them as is (escaped by the renderer)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


# Telegram's 400 answers for a chat the bot is still in but may not write to: muted by an admin (a restricted
# member), a channel where it is no admin, a chat Telegram itself restricted. Retrying cannot help.
_CANNOT_POST = (
    "not enough rights to send",
    "have no rights to send",
    "need administrator rights in the channel",
    "chat_write_forbidden",
    "chat_restricted",
)


def cannot_post(message: str) -> bool:
    """Whether a Bad Request answer means the bot may not post in the chat at all."""
    lowered = message.lower()
    return any(part in lowered for part in _CANNOT_POST)


def chat_gone(message: str) -> str | None:
    """Why a Bad Request answer means the chat itself is gone, or None: Telegram knows no such chat, or the group
    was deleted (a basic group's every message is then answered "group chat was deactivated")."""
    lowered = message.lower()
    for reason in ("chat not found", "group chat was deactivated"):
        if reason in lowered:
            return reason
    return None


def topic_gone(message: str) -> bool:
    """Whether a Bad Request answer means the forum topic written to was closed (to the bot) or deleted."""
    lowered = message.lower()
    return "thread not found" in lowered or "topic_closed" in lowered or "topic_deleted" in lowered


def not_telegrams_answer(exc: TelegramError) -> bool:
    """Whether a 403/400 came from something in front of Telegram (a proxy's page, a broken local Bot API).

    Telegram's 403 descriptions all start "Forbidden: " (blocked by the user, kicked, user deactivated, not a
    member of the channel); its 400s start "Bad Request: ", which PTB strips. A body that is not JSON, or JSON
    without a description, leaves PTB's own "Forbidden (403)" / "Bad Request (400)" instead: nothing then says
    the chat is gone, and believing it would deactivate every chat tried while a proxy misbehaves.
    """
    if isinstance(exc, Forbidden):
        return not exc.message.startswith("Forbidden: ")
    if isinstance(exc, BadRequest):
        return exc.message.startswith("Bad Request (400)")
    return False


def telegram_unreachable(exc: TelegramError) -> bool:
    """Whether an error says nothing from Telegram itself: a timeout, a 5xx, a proxy's page.

    PTB's BadRequest is a NetworkError too, but Telegram's own 400 is its answer (a malformed reply, a user it
    does not know): taken for an outage, it was logged as one and the user told to try again in a minute.
    """
    if isinstance(exc, BadRequest | Forbidden):
        return not_telegrams_answer(exc)
    return isinstance(exc, NetworkError)


def retry_after_seconds(exc: RetryAfter) -> float:
    """How many seconds a 429 answer asks to wait (PTB gives a number now and a timedelta in future)."""
    # PTB 22 warns on every read that retry_after becomes a timedelta; accept both and keep the log clean.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PTBDeprecationWarning)
        value: float | timedelta = exc.retry_after
    return value.total_seconds() if isinstance(value, timedelta) else float(value)
