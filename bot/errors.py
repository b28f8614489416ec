"""Errors that carry a message meant for the person chatting with the bot."""

from __future__ import annotations


class UserError(Exception):
    """A problem the user can act on; ``message`` is plain text shown to them as is (escaped by the renderer)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message
