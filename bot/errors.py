"""Errors that carry a message meant for the person chatting with the bot."""

from __future__ import annotations


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
