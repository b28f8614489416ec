"""``newsbot run``: the bot against the Telegram Bot API, until SIGINT, SIGTERM or SIGHUP stops it."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import sys
from typing import NoReturn, cast

from telegram.error import InvalidToken, NetworkError, RetryAfter, TelegramError

from bot.app import build_application, running_application
from bot.config import Settings
from bot.context import BotApplication, Services
from bot.errors import retry_after_seconds
from bot.logs import hide_url_secrets
from bot.render.text import counted
from bot.store import instance_lock

log = logging.getLogger(__name__)

# A second stop signal gives closing the database this long before the process exits anyway.
FORCED_CLOSE_SECONDS = 1.0


class TokenRejected(Exception):
    """The Bot API refused NEWSBOT_BOT_TOKEN: a setting to fix; the message says so in one line."""


class BotApiUnavailable(Exception):
    """The Bot API cannot be reached, is no Bot API, or asks to wait; the message says so in one line."""


def run_bot(settings: Settings) -> bool:
    """Run the bot (one instance per database) until stopped; False when a signal stopped it during start-up."""
    with instance_lock(settings.db_path):
        return asyncio.run(serve(settings))


async def serve(settings: Settings) -> bool:
    """Start the bot, run it until SIGINT/SIGTERM, stop it; a signal during start-up stops it cleanly too.

    Returns False when the signal came during start-up. Not ``Application.run_polling``: a stop signal there
    raises SystemExit out of whatever start-up step is running (a database open waiting on a lock, say),
    which is then never finished nor closed, and the process hangs at exit on the database's worker thread.
    Here start-up is a task that a signal cancels.
    """
    assert settings.bot_token is not None
    # Named in the errors below, which go to stderr (the service's log): a proxy's login in it stays hidden.
    api_url = hide_url_secrets(settings.telegram_api_url)
    application = build_application(settings)
    stop = asyncio.Event()
    started = False

    async def run_until_stopped() -> None:
        nonlocal started
        async with running_application(application, poll_timeout=10) as polling:
            started = True
            stopping: asyncio.Task[object] = asyncio.create_task(stop.wait())
            watched = {stopping} if polling is None else {stopping, polling}
            await asyncio.wait(watched, return_when=asyncio.FIRST_COMPLETED)
            stopping.cancel()
            # Polling ends on its own only when it gave up (a token revoked while running): stop, saying why,
            # rather than run on deaf to every user.
            if polling is not None and polling.done() and not polling.cancelled() and polling.exception():
                raise cast(BaseException, polling.exception())

    task = asyncio.create_task(run_until_stopped())

    def on_signal(sig: signal.Signals) -> None:
        if stop.is_set():
            # The stop itself hangs (Telegram unreachable, say): a second Ctrl-C or SIGTERM is the operator saying
            # not to wait. Safe: rows left 'sending' go back to the queue at the next start.
            _stop_now(application, sig)
        else:
            stop.set()
            if not started:
                task.cancel()

    loop = asyncio.get_running_loop()
    signals = _stop_signals()
    for sig in signals:
        loop.add_signal_handler(sig, on_signal, sig)
    try:
        await task
    except asyncio.CancelledError:
        if not stop.is_set():
            raise
        return False
    except InvalidToken:
        raise TokenRejected(
            f"the Bot API at {api_url} rejected NEWSBOT_BOT_TOKEN; check the token "
            "@BotFather gave you (and NEWSBOT_TELEGRAM_API_URL if you changed it)"
        ) from None
    except NetworkError as exc:
        reason = str(exc).replace(settings.bot_token.get_secret_value(), "<token>")
        # An error status with a page instead of the Bot API's JSON: PTB quotes the whole page (kilobytes of HTML
        # in the one line); the status says enough. A gateway status is a proxy whose Bot API is down; any other
        # means NEWSBOT_TELEGRAM_API_URL leads to something else, as a 200 with a page does (below).
        status, page, _ = reason.partition(". Parsing the server response ")
        if page and not status.endswith(("(502)", "(503)", "(504)")):
            raise _not_a_bot_api(api_url, status) from None
        raise BotApiUnavailable(f"cannot reach the Bot API at {api_url}: {status}") from None
    except RetryAfter as exc:
        # Telegram limits how often setMyCommands may be called; a bot restarted again and again meets it.
        raise BotApiUnavailable(
            f"the Bot API at {api_url} asks to wait {retry_after_seconds(exc):.0f} s (flood control, after "
            "frequent restarts); start newsbot again after that"
        ) from None
    except TelegramError as exc:
        # "Invalid server response": something answered, but not in JSON (a web server or a proxy's page).
        reason = str(exc).replace(settings.bot_token.get_secret_value(), "<token>")
        raise _not_a_bot_api(api_url, reason) from None
    finally:
        for sig in signals:
            loop.remove_signal_handler(sig)
    return True


def _stop_now(application: BotApplication, sig: signal.Signals) -> None:
    """A second stop signal while stopping: say what may come twice, close the database if quick, exit 128 + sig."""
    services: Services | None = application.bot_data.get("services")
    unrecorded = services.delivery.unrecorded_sends() if services is not None else 0
    log.warning(
        "stopping now (a second stop signal): %s",
        f"at most {counted(unrecorded, 'message')} on its way may come twice after the restart"
        if unrecorded
        else "no message was on its way",
    )
    asyncio.get_running_loop().create_task(_exit_now(services, 128 + sig))


async def _exit_now(services: Services | None, code: int) -> NoReturn:
    """Exit at once with ``code``, the database closed first if that takes under FORCED_CLOSE_SECONDS."""
    # The "stopping now" line is the last: a task still running (a tick's write, say) that fails as the database
    # closes under it logged an ERROR with a trace ("pruning old articles failed; retrying") on the way out.
    logging.disable(logging.CRITICAL)
    if services is not None:
        # Closing waits for a write under way (else it would roll it back); one that hangs is not waited out:
        # what it had not committed is lost as in a crash, which the outbox is built to survive.
        with contextlib.suppress(Exception):
            await asyncio.wait_for(services.db.close(), FORCED_CLOSE_SECONDS)
    logging.shutdown()
    sys.stderr.flush()
    # Not SystemExit: the stop under way would go on awaiting Telegram, and unclosed database threads hang exit.
    os._exit(code)


def _stop_signals() -> list[signal.Signals]:
    """The signals that stop the bot cleanly: SIGINT, SIGTERM, and SIGHUP unless it is ignored.

    Left to its default, SIGHUP (the terminal or SSH session the bot was started from closing) killed the process
    as a crash would: no in-flight send recorded, so those messages could come twice. Under ``nohup``, which
    ignores SIGHUP so that the bot outlives the session, it stays ignored.
    """
    signals = [signal.SIGINT, signal.SIGTERM]
    hangup = getattr(signal, "SIGHUP", None)  # none on Windows
    if hangup is not None and signal.getsignal(hangup) is not signal.SIG_IGN:
        signals.append(hangup)
    return signals


def _not_a_bot_api(api_url: str, answer: str) -> BotApiUnavailable:
    """The error for an address where something answers, but not a Bot API (a web server, a proxy's page)."""
    return BotApiUnavailable(
        f"cannot reach the Bot API at {api_url}: what answers there is not a Bot API "
        f"({answer}); check NEWSBOT_TELEGRAM_API_URL"
    )
