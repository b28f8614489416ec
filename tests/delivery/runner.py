"""Run the real newsbot application from NEWSBOT_* environment settings until killed (crash tests).

``python -m tests.delivery.runner`` prints "ready" once started; the test kills it with SIGKILL mid-fan-out.
"""

from __future__ import annotations

import asyncio
import logging
import sys

from bot.app import build_application, running_application
from bot.config import Settings


async def main() -> None:
    """Build the application from the environment and run it with long polling forever."""
    settings = Settings(_env_file=None)
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
    application = build_application(settings)
    async with running_application(application, poll_timeout=1):
        print("ready", flush=True)
        await asyncio.Event().wait()


if __name__ == "__main__":
    asyncio.run(main())
