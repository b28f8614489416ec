"""The outbox (placeholder created by the storage engineer; the delivery engineer owns and extends it)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.store.db import Database


class DeliveryRepo:
    """Planned, sent and failed deliveries."""

    def __init__(self, db: Database) -> None:
        self._db = db
