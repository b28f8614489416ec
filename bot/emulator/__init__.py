"""A loopback Telegram Bot API emulator for tests, benchmarks and ``newsbot console``."""

from bot.emulator.html_check import EntityParseError, ParsedHtml, parse_html
from bot.emulator.limits import RateLimits
from bot.emulator.server import ApiError, BotApiEmulator, CallbackAnswer, SentMessage, Violation

__all__ = [
    "ApiError",
    "BotApiEmulator",
    "CallbackAnswer",
    "EntityParseError",
    "ParsedHtml",
    "RateLimits",
    "SentMessage",
    "Violation",
    "parse_html",
]
