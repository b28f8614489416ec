"""``newsbot console``: talk to the real application in a terminal, offline, through the Bot API emulator."""

from __future__ import annotations

import asyncio
import contextlib
import errno
import io
import json
import logging
import select
import signal
import sys
import tempfile
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from importlib.resources import files
from pathlib import Path
from typing import TextIO

from pydantic import SecretStr

from bot.app import build_application, running_application
from bot.cli import OutputFailed, discard_output
from bot.config import Settings
from bot.context import Services
from bot.emulator import BotApiEmulator, CallbackAnswer, RateLimits, SentMessage
from bot.updates import PerChatUpdateProcessor
from summaries.articles import Article

CONSOLE_USER = 1
CONSOLE_TOKEN = "1:CONSOLE"
QUIT_WORDS = frozenset({"quit", "exit", ":q", "/quit", "/exit"})
IDLE_SECONDS = 0.3
# Lines that reach a terminal this close together were pasted together, not typed.
PASTE_SECONDS = 0.05

# A write that fails with one of these found no one left to read (a reader gone, a terminal hung up or closed):
# the session ends quietly, as a hang-up does. Any other (a full disk, a quota, a file-size limit) is said.
_TERMINAL_GONE = frozenset({errno.EPIPE, errno.ECONNRESET, errno.EIO, errno.ENXIO, errno.EBADF})

# Ctrl-C, a closed terminal window and `kill` all leave as "quit" does: by default the last two would end the
# process at once and leave the session's throwaway database in the temporary folder. (No SIGHUP on Windows.)
_LEAVE_SIGNALS = tuple(
    getattr(signal, name) for name in ("SIGINT", "SIGTERM", "SIGHUP") if hasattr(signal, name)
)

BANNER = """\
newsbot console: you are the only person in a private chat with the bot (offline, sample articles loaded).
Type commands such as /start, /latest, /summary 1, /help. Type a number to press a button [1].
quit, Ctrl-D or Ctrl-C leaves."""


def load_samples(now: datetime | None = None) -> list[Article]:
    """The sample articles shipped in bot/samples/articles.json, published a few hours before ``now``."""
    now = now or datetime.now(UTC)
    data = json.loads((files("bot.samples") / "articles.json").read_text(encoding="utf-8"))
    return [
        Article(
            url=item["url"],
            title=item["title"],
            body=item["body"],
            source=item["source"],
            published=now - timedelta(hours=float(item.get("hours_ago", 1))),
            language="en",
            categories=tuple(item.get("categories", ())),
        )
        for item in data["articles"]
    ]


# What console_settings replaces: invalid, these would stop `newsbot run`, not the console that never reads them.
IGNORED_SETTINGS = frozenset({"bot_token", "telegram_api_url", "db_path", "feeds"})


def console_settings(settings: Settings, emulator_url: str, db_path: Path) -> Settings:
    """The operator's settings, pointed at the emulator and a throwaway database, with no feeds (offline)."""
    return settings.model_copy(
        update={
            "bot_token": SecretStr(CONSOLE_TOKEN),
            "telegram_api_url": emulator_url,
            "db_path": db_path,
            "feeds": (),
            "admin_ids": settings.admin_ids | {CONSOLE_USER},
        }
    )


def format_message(message: SentMessage, first_number: int) -> tuple[str, list[tuple[int, str]]]:
    """A bot message as terminal text; buttons become "[n] label". Returns the text and (n, data) pairs."""
    lines = [("bot (edited)> " if message.edited else "bot> ") + message.text.replace("\n", "\n     ")]
    numbered: list[tuple[int, str]] = []
    number = first_number
    for row in message.reply_markup:
        cells = []
        for label, data in row:
            cells.append(f"[{number}] {label}")
            numbered.append((number, data))
            number += 1
        lines.append("     " + "   ".join(cells))
    return "\n".join(lines), numbered


@dataclass
class _Terminal:
    """What the terminal shows and which buttons the numbers press (those of the latest keyboard)."""

    out: TextIO
    chat_id: int
    on_gone: Callable[[], None] = lambda: None
    buttons: dict[int, tuple[int, str]] = field(default_factory=dict)
    at_prompt: bool = False
    # The first write that failed for another reason than a terminal gone (a full disk): said once the bot stopped.
    failure: OSError | None = None

    def write(self, text: str) -> None:
        """Show ``text`` now; output that takes no more text ends the session rather than raise through the
        conversation (a traceback, exit 120): quietly for a terminal gone (its window closed, the hang-up not come
        yet), as a hang-up does; any other failure is kept in ``failure``, for ``run_console`` to say."""
        try:
            self.out.write(text)
            self.out.flush()
        except OSError as exc:
            # What is still buffered for it (and anything written later) goes to the null device.
            discard_output(self.out)
            if exc.errno not in _TERMINAL_GONE and self.failure is None:
                self.failure = exc
            self.on_gone()

    def prompt(self) -> None:
        self.write("you> ")
        self.at_prompt = True

    def show(self, message: SentMessage) -> None:
        if message.chat_id != self.chat_id:
            return
        text, numbered = format_message(message, 1)
        if numbered:
            self.buttons = {n: (message.message_id, data) for n, data in numbered}
        elif any(shown == message.message_id for shown, _ in self.buttons.values()):
            # The keyboard the numbers pressed was edited away (/stop's confirmation, say): its numbers are gone.
            self.buttons = {}
        self._print(text)

    def show_answer(self, answer: CallbackAnswer) -> None:
        if answer.text:
            self._print(f"     ({answer.text})")

    def _print(self, text: str) -> None:
        self.write(("\n" if self.at_prompt else "") + text + "\n")
        if self.at_prompt:
            self.prompt()


def _start_reader(loop: asyncio.AbstractEventLoop, stdin: TextIO | None) -> asyncio.Queue[str | None]:
    """Read messages in a daemon thread (it never keeps the process alive); None means end of input.

    A message is a line, or the lines of a paste: a terminal hands pasted lines over at once, typed ones an Enter
    apart, and a person pasting an article after /summary means one message, as in Telegram.
    """
    queue: asyncio.Queue[str | None] = asyncio.Queue()
    if stdin is None:  # started with standard input closed: the end of input, as Ctrl-D is
        queue.put_nowait(None)
        return queue
    if isinstance(stdin, io.TextIOWrapper):
        # A byte that is no UTF-8 (text pasted from a Latin-1 file) ended the session as Ctrl-D does, or, read as a
        # lone surrogate, made every later getUpdates answer fail: the bot never answered again. It reads as "�".
        stdin.reconfigure(errors="replace")
    pasted = _more_input_waiting(stdin)

    def readline() -> str:
        try:
            return stdin.readline()
        except (OSError, ValueError):
            return ""

    def read() -> None:
        while True:
            line = readline()
            if not line:
                loop.call_soon_threadsafe(queue.put_nowait, None)
                return
            lines = [line.rstrip("\r\n")]
            ended = False
            while pasted is not None and line.endswith("\n") and pasted():
                line = readline()
                if not line:
                    ended = True
                    break
                lines.append(line.rstrip("\r\n"))
            loop.call_soon_threadsafe(queue.put_nowait, "\n".join(lines))
            if ended:
                # A terminal reports Ctrl-D once: read again, it waits for more, and the console never left.
                loop.call_soon_threadsafe(queue.put_nowait, None)
                return

    threading.Thread(target=read, name="console-stdin", daemon=True).start()
    return queue


def _more_input_waiting(stdin: TextIO) -> Callable[[], bool] | None:
    """For a terminal, a check whether more typed input is already waiting; None for pipes and files.

    Piped input is a script, one message a line. A terminal in line mode hands over one line per read, so
    nothing stays buffered in ``stdin`` that select() would miss.
    """
    try:
        if not stdin.isatty():
            return None
        fd = stdin.fileno()
    except (OSError, ValueError):
        return None
    return lambda: bool(select.select([fd], [], [], PASTE_SECONDS)[0])


async def run_console(
    settings: Settings, *, stdin: TextIO | None = None, stdout: TextIO | None = None
) -> int:
    """Let a person talk to the bot in the terminal; returns the exit code."""
    out = stdout or sys.stdout
    # Started with standard output closed (`>&-`): no one can read the chat, so leave as a gone terminal does.
    if out is None:
        return 0
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    terminal = _Terminal(out, CONSOLE_USER, on_gone=stop.set)
    previous = {sig: signal.getsignal(sig) for sig in _LEAVE_SIGNALS}
    for sig in _LEAVE_SIGNALS:
        with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
            loop.add_signal_handler(sig, stop.set)
    # The console is a conversation: INFO logs from polling and HTTP would drown it.
    quiet_loggers = _quiet_logging()
    try:
        with tempfile.TemporaryDirectory(prefix="newsbot-console-") as tmp:
            async with BotApiEmulator(rate_limits=RateLimits(enabled=False)) as emulator:
                conf = console_settings(settings, emulator.base_url, Path(tmp) / "console.sqlite3")
                await emulator.add_chat(CONSOLE_USER, "private")
                application = build_application(conf)
                async with running_application(application, poll_timeout=1):
                    services: Services = application.bot_data["services"]
                    await services.ingest.ingest_articles(load_samples())
                    await _converse(emulator, _start_reader(loop, stdin or sys.stdin), terminal, stop)
                    processor = application.update_processor
                    if isinstance(processor, PerChatUpdateProcessor):
                        if not stop.is_set():
                            # quit or Ctrl-D: the answer to a slow link is shown before leaving. Left to the
                            # stop's 5 s grace, it was cut off with "The bot is stopping (to restart, usually)
                            # ... send it again in a minute": no console restarts, and this one keeps nothing.
                            waits = {
                                asyncio.create_task(processor.wait_running()),
                                asyncio.create_task(stop.wait()),
                            }
                            await asyncio.wait(waits, return_when=asyncio.FIRST_COMPLETED)
                            for wait in waits:
                                wait.cancel()
                        if stop.is_set():
                            # Ctrl-C (or a hang-up, a kill) leaves now: a fetch still waiting for a slow site
                            # would hold the exit for up to NEWSBOT_FETCH_TIMEOUT_SECONDS; the console keeps
                            # nothing.
                            processor.cancel_running()
    finally:
        for sig in _LEAVE_SIGNALS:
            with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
                loop.remove_signal_handler(sig)
                # What was there before (newsbot console: SIG_IGN for Ctrl-C, see cli._console), not asyncio's
                # Python default that remove_signal_handler puts back.
                if previous[sig] is not None:
                    signal.signal(sig, previous[sig])
        quiet_loggers()
    if terminal.failure is None:
        terminal.write("\nbye\n")  # to the null device when the terminal window was closed: no one is left
    if terminal.failure is not None:
        # A full disk under `newsbot console > chat.txt`: one line and exit 1, as every command says it (cli.main);
        # it ended the session in silence with exit 0, as if the chat had been written.
        raise OutputFailed(terminal.failure.strerror or str(terminal.failure)) from terminal.failure
    return 0


async def _converse(
    emulator: BotApiEmulator, lines: asyncio.Queue[str | None], terminal: _Terminal, stop: asyncio.Event
) -> None:
    emulator.add_listener(terminal.show)
    emulator.add_answer_listener(terminal.show_answer)
    terminal.write(BANNER + "\n")
    stopped = asyncio.create_task(stop.wait())
    try:
        while True:
            terminal.prompt()
            next_line = asyncio.create_task(lines.get())
            done, _ = await asyncio.wait({next_line, stopped}, return_when=asyncio.FIRST_COMPLETED)
            if stopped in done:
                next_line.cancel()
                return
            line = next_line.result()
            terminal.at_prompt = False
            if line is None or line.strip().lower() in QUIT_WORDS:
                return
            text = line.strip()
            if not text:
                continue
            # isdecimal, not isdigit: "²" and "①" are digits that int() refuses, and so is a pasted run of over
            # 4,300 digits. A keyboard has at most 100 buttons.
            if text.isdecimal() and len(text) <= 3:
                if int(text) not in terminal.buttons:
                    # "7" under six buttons, or "0", went to the bot as text and got "Send me a link...".
                    hint = (
                        f"type 1 to {max(terminal.buttons)}"
                        if terminal.buttons
                        else "no message shows buttons now"
                    )
                    terminal.write(f"     (there is no button {int(text)}: {hint})\n")
                    continue
                message_id, data = terminal.buttons[int(text)]
                if data.startswith(("http://", "https://")):
                    terminal.write(f"     (link: {data})\n")
                    continue
                await emulator.press_button(CONSOLE_USER, message_id, data)
            else:
                await emulator.send_user_message(CONSOLE_USER, text)
            # Let the reply arrive before the next prompt; slow answers (fetching a link) print when ready.
            # Ctrl-C meanwhile leaves at once.
            idle = asyncio.create_task(emulator.wait_for_idle(quiet=IDLE_SECONDS, timeout=5.0))
            await asyncio.wait({idle, stopped}, return_when=asyncio.FIRST_COMPLETED)
            idle.cancel()
            with contextlib.suppress(TimeoutError, asyncio.CancelledError):
                await idle
    finally:
        stopped.cancel()


def _quiet_logging() -> Callable[[], None]:
    """Raise noisy loggers to WARNING for the console's lifetime; returns the undo."""
    saved: list[tuple[logging.Logger, int]] = []
    for name in ("", "httpx", "telegram", "apscheduler", "bot", "summaries", "aiohttp"):
        logger = logging.getLogger(name)
        saved.append((logger, logger.level))
        if logger.getEffectiveLevel() < logging.WARNING:
            logger.setLevel(logging.WARNING)

    def undo() -> None:
        for logger, level in saved:
            logger.setLevel(level)

    return undo
