"""Periodic work: poll feeds, plan and send alerts and digests, prune. Scheduled from the database."""

from __future__ import annotations

from bot.context import BotApplication


def install_jobs(application: BotApplication) -> None:
    """Install the repeating tick job (stub; real body follows)."""
