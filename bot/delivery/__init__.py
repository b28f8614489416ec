"""The outbox: what to send to whom, pacing, retries, exactly-once bookkeeping (SPEC §6).

Planning is pure (``match_articles`` -> ``plan_rows``) and persisted with INSERT OR IGNORE under
UNIQUE(chat_id, story_id), so a story reaches a chat at most once however often it is planned. The sender
claims due rows in pages (status 'sending'), paces them with ``Pacer`` (overall, per chat, per group; keyed by
monotonic time, so one slow or 429'd chat never holds up the others) and writes outcomes back in batches. On
start, rows a crash left 'sending' go back to 'pending': at most the messages in flight at a crash go twice.

Modules: ``planning`` (pure matching and outbox rows), ``pacing`` (``Pacer``; ``SharedPacing`` tells it of 429s answered to replies), ``transport`` (``LeanSender``,
``api_error``), ``render_cache`` (rendered alerts shared by a fan-out) and ``service`` (``DeliveryService``,
which owns the tunable constants: patch them there).
"""

from bot.delivery.pacing import Pacer, SharedPacing
from bot.delivery.planning import StoryMatch, keyword_matcher, match_articles, plan_rows
from bot.delivery.service import DeliveryService
from bot.delivery.transport import LeanSender, api_error

__all__ = [
    "DeliveryService",
    "LeanSender",
    "Pacer",
    "SharedPacing",
    "StoryMatch",
    "api_error",
    "keyword_matcher",
    "match_articles",
    "plan_rows",
]
