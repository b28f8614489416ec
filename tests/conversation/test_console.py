"""`newsbot console`: a person types, the real application answers via the emulator, buttons are numbers."""

from __future__ import annotations

import asyncio
import contextlib
import io
import os
import pty
import signal
import sys
import termios
import threading
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

import bot.app
from bot.config import Settings
from bot.console import IDLE_SECONDS, load_samples, run_console
from tests.conversation.helpers import ARTICLE_BODY, ARTICLE_TITLE
from tests.delivery.support import wait_until
from tests.support.news_site import NewsSite

ROOT = Path(__file__).resolve().parents[2]


def test_samples_are_short_articles_on_different_topics() -> None:
    samples = load_samples()
    assert 4 <= len(samples) <= 6
    assert len({s.categories[0] for s in samples}) == len(samples)
    assert all(s.body.count(". ") >= 5 for s in samples)


async def test_a_console_session(tmp_path: Path) -> None:
    settings = Settings(_env_file=None, db_path=tmp_path / "unused.sqlite3")  # type: ignore[call-arg]
    typed = io.StringIO("/start\n1\n/latest\n2\n/summary 1 3\nhello\n")  # ends without "quit": Ctrl-D
    out = io.StringIO()
    assert await run_console(settings, stdin=typed, stdout=out) == 0
    text = out.getvalue()
    assert "[1] 🚗 Automotive" in text
    assert "[1] ✅ 🚗 Automotive" in text  # typing 1 pressed the button and the keyboard was edited
    assert "(Following 🚗 Automotive)" in text
    assert "Harbor Coffee" in text and "#2" in text
    assert "<b>" not in text  # HTML is stripped for the terminal
    assert "Send me a link" in text
    assert text.rstrip().endswith("bye")
    assert not (tmp_path / "unused.sqlite3").exists()  # the console keeps its data in a throwaway database


@pytest.mark.parametrize("errors", ["strict", "surrogateescape"])  # a UTF-8 locale; the C.UTF-8 locale
async def test_a_line_that_is_not_utf8_gets_an_answer_and_the_session_goes_on(
    tmp_path: Path, errors: str
) -> None:
    # Text pasted from a Latin-1 file: under a UTF-8 locale the console left as if Ctrl-D had been pressed; under
    # C.UTF-8 the line reached the emulator with a lone surrogate, and from then on no getUpdates answer could be
    # sent: tracebacks, and the bot never answered again.
    settings = Settings(_env_file=None, db_path=tmp_path / "unused.sqlite3")  # type: ignore[call-arg]
    typed = io.TextIOWrapper(io.BytesIO(b"caf\xe9 prices\n/help\n"), encoding="utf-8", errors=errors)
    out = io.StringIO()
    assert await run_console(settings, stdin=typed, stdout=out) == 0
    text = out.getvalue()
    assert "Send me a link" in text  # the answer to "caf� prices"
    assert "/subscribe WORDS" in text  # and to /help after it
    assert text.rstrip().endswith("bye")


async def test_quit_as_a_command_leaves_too(tmp_path: Path) -> None:
    settings = Settings(_env_file=None, db_path=tmp_path / "unused.sqlite3")  # type: ignore[call-arg]
    out = io.StringIO()
    assert await run_console(settings, stdin=io.StringIO("/quit\n/help\n"), stdout=out) == 0
    text = out.getvalue()
    assert "I don't know /quit" not in text and "/subscribe" not in text  # left before /help
    assert text.rstrip().endswith("bye")


async def test_a_session_reads_as_a_chat_and_exit_leaves(tmp_path: Path) -> None:
    settings = Settings(_env_file=None, db_path=tmp_path / "unused.sqlite3")  # type: ignore[call-arg]
    out = io.StringIO()
    assert await run_console(settings, stdin=io.StringIO("/start\n1\nexit\n/help\n"), stdout=out) == 0
    text = out.getvalue()
    # A reply's later lines and its buttons are indented under it; a keyboard's buttons are spaced apart.
    assert "you> bot> 👋 Hello, User 1!\n     I read the news for you" in text
    assert "\n     [1] 🚗 Automotive   [2] 💼 Business\n" in text
    assert "you> bot (edited)> 👋 Hello, User 1!" in text  # the tap redrew the message: it says so
    assert "/subscribe WORDS" not in text  # "exit" left before /help
    assert text.rstrip().endswith("bye")


async def test_a_console_started_with_standard_input_closed_leaves_at_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # `newsbot console <&-`: Python's sys.stdin is None; nothing can ever be typed, so it is the end of input.
    monkeypatch.setattr(sys, "stdin", None)
    settings = Settings(_env_file=None, db_path=tmp_path / "unused.sqlite3")  # type: ignore[call-arg]
    out = io.StringIO()
    assert await asyncio.wait_for(run_console(settings, stdout=out), 30) == 0
    assert out.getvalue().rstrip().endswith("bye")


async def test_the_console_user_may_use_admin_commands(tmp_path: Path) -> None:
    # The console is the operator's own: /stats answered "only for the bot's administrators" would be a dead end.
    settings = Settings(_env_file=None, db_path=tmp_path / "unused.sqlite3")  # type: ignore[call-arg]
    out = io.StringIO()
    assert await run_console(settings, stdin=io.StringIO("/stats\n"), stdout=out) == 0
    assert "you> bot> Stats\n" in out.getvalue()


async def test_quit_typed_in_capitals_leaves_too(tmp_path: Path) -> None:
    # Caps Lock on: "QUIT" went to the bot as a message and the console stayed open.
    settings = Settings(_env_file=None, db_path=tmp_path / "unused.sqlite3")  # type: ignore[call-arg]
    out = io.StringIO()
    assert await run_console(settings, stdin=io.StringIO("  QUIT \n/help\n"), stdout=out) == 0
    text = out.getvalue()
    assert "/subscribe" not in text  # left before /help
    assert text.rstrip().endswith("bye")


async def test_lines_pasted_into_a_terminal_are_one_message(tmp_path: Path) -> None:
    settings = Settings(_env_file=None, db_path=tmp_path / "unused.sqlite3")  # type: ignore[call-arg]
    controller, terminal = pty.openpty()
    attrs = termios.tcgetattr(terminal)
    attrs[3] &= ~termios.ECHO  # the test reads the console's output, not the terminal's echo of the paste
    termios.tcsetattr(terminal, termios.TCSANOW, attrs)
    out = io.StringIO()
    with os.fdopen(terminal, encoding="utf-8") as stdin:
        session = asyncio.create_task(run_console(settings, stdin=stdin, stdout=out))
        os.write(
            controller,
            b"/summary The council approved a new tram line on Tuesday after two years of debate.\n"
            b"The line will connect the old port with the university campus in the north.\n"
            b"Construction is expected to start next spring and to last three years.\n",
        )
        for _ in range(100):
            if "Summary" in out.getvalue():
                break
            await asyncio.sleep(0.1)
        await asyncio.sleep(IDLE_SECONDS * 2)  # time for replies to the other lines, were they sent apart
        os.write(controller, b"\x04")  # Ctrl-D
        assert await asyncio.wait_for(session, 20) == 0
    os.close(controller)
    text = out.getvalue()
    assert "Summary" in text and "tram line" in text and "university campus" in text and "next spring" in text
    assert "Send me a link" not in text  # no line went on its own, as plain text


async def test_ctrl_d_right_after_a_line_answers_it_and_leaves(tmp_path: Path) -> None:
    # Ctrl-D within the paste window of the line before it ended that "paste" and was lost: a terminal reports
    # the end of input once, so the console sat waiting at "you>" instead of leaving.
    settings = Settings(_env_file=None, db_path=tmp_path / "unused.sqlite3")  # type: ignore[call-arg]
    controller, terminal = pty.openpty()
    attrs = termios.tcgetattr(terminal)
    attrs[3] &= ~termios.ECHO
    termios.tcsetattr(terminal, termios.TCSANOW, attrs)
    out = io.StringIO()
    with os.fdopen(terminal, encoding="utf-8") as stdin:
        session = asyncio.create_task(run_console(settings, stdin=stdin, stdout=out))
        os.write(controller, b"/help\n\x04")  # Ctrl-D typed at once after Enter
        try:
            assert await asyncio.wait_for(asyncio.shield(session), 15) == 0
        finally:
            if not session.done():
                os.write(controller, b"\x04")  # let the stuck session end so the test can report
                await asyncio.wait_for(session, 15)
    os.close(controller)
    text = out.getvalue()
    assert "/subscribe WORDS" in text  # /help was answered before leaving
    assert text.rstrip().endswith("bye")


async def test_ctrl_c_leaves_at_once_while_a_link_is_being_fetched(
    tmp_path: Path, news_site: NewsSite
) -> None:
    url = news_site.add_never_answering("/slow.html")
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEWSBOT_")}
    env.update(PYTHONPATH=str(ROOT), NEWSBOT_ALLOW_PRIVATE_URLS="true", NEWSBOT_FETCH_TIMEOUT_SECONDS="60")
    async with _console_process(
        sys.executable, "-m", "bot", "console", cwd=tmp_path, env=env,
        stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    ) as console:  # fmt: skip
        assert console.stdin is not None and console.stdout is not None
        await asyncio.wait_for(console.stdout.readuntil(b"you> "), 30)
        console.stdin.write(f"/summary {url}\n".encode())
        await console.stdin.drain()
        # The bot is waiting for the site (when 10 s were not enough, the Ctrl-C came before the fetch, unchecked).
        await wait_until(lambda: news_site.hits("/slow.html") > 0, timeout=60)
        console.send_signal(signal.SIGINT)
        stdout, stderr = await asyncio.wait_for(console.communicate(), 10)  # not the 60 s fetch timeout
        assert console.returncode == 0, stderr
        assert stdout.decode().rstrip().endswith("bye")


async def test_ctrl_d_while_a_link_is_being_fetched_shows_its_summary_before_leaving(
    tmp_path: Path, news_site: NewsSite, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Leaving the console stops the bot, and a stop cuts a command off after a grace: the answer to a link
    # still being fetched (a site slower than the grace, here made short) was "The bot is stopping (to restart,
    # usually) ... send it again in a minute" instead of the summary it used to wait for.
    monkeypatch.setattr(bot.app, "UPDATE_GRACE_SECONDS", 0.2)
    page = await news_site.publish("world", ARTICLE_TITLE, ARTICLE_BODY)
    path = page.url.removeprefix(news_site.base_url)
    news_site.hold(path)

    async def answer_late() -> None:
        await wait_until(lambda: news_site.hits(path) > 0, timeout=30)
        await asyncio.sleep(IDLE_SECONDS + 1.5)  # past the console's wait for the reply, and past the grace
        news_site.release(path)

    answering = asyncio.create_task(answer_late())
    settings = Settings(_env_file=None, db_path=tmp_path / "unused.sqlite3", allow_private_urls=True)  # type: ignore[call-arg]
    out = io.StringIO()
    assert await run_console(settings, stdin=io.StringIO(f"/summary {page.url}\n"), stdout=out) == 0
    await answering
    text = out.getvalue()
    assert "The line will connect the central station" in text and "stopping" not in text, text[-500:]
    assert text.rstrip().endswith("bye")


async def test_a_number_after_its_keyboard_was_edited_away_is_a_message_not_a_crash(tmp_path: Path) -> None:
    settings = Settings(_env_file=None, db_path=tmp_path / "unused.sqlite3")  # type: ignore[call-arg]
    out = io.StringIO()
    # "1" confirms /stop, whose reply then has no buttons: the second "1" presses nothing, and says so.
    assert await run_console(settings, stdin=io.StringIO("/stop\n1\n1\n/help\n"), stdout=out) == 0
    text = out.getvalue()
    assert "subscriptions and settings are deleted" in text
    assert "(there is no button 1: no message shows buttons now)" in text
    assert "/subscribe" in text  # /help still answered after the stale number
    assert text.rstrip().endswith("bye")


async def test_a_superscript_or_circled_digit_is_a_message_not_a_crash(tmp_path: Path) -> None:
    # "²" and "①" are digits to str.isdigit() but not to int(), nor is a pasted run of 5,000 digits: each ended
    # the console with a ValueError traceback. A full-width "１" is a number and presses button 1.
    settings = Settings(_env_file=None, db_path=tmp_path / "unused.sqlite3")  # type: ignore[call-arg]
    out = io.StringIO()
    typed = io.StringIO(f"/start\n²\n①\n{'7' * 5000}\n１\n/help\n")
    assert await run_console(settings, stdin=typed, stdout=out) == 0
    text = out.getvalue()
    assert text.count("Send me a link and I'll summarize it, or") == 3  # "²", "①", the digits: plain text
    assert "(Following 🚗 Automotive)" in text
    assert "/subscribe" in text  # /help still answered
    assert text.rstrip().endswith("bye")


async def test_a_number_with_no_such_button_says_so(tmp_path: Path) -> None:
    # "11" under /start's ten topic buttons, or "0", went to the bot as text and got "Send me a link...".
    settings = Settings(_env_file=None, db_path=tmp_path / "unused.sqlite3")  # type: ignore[call-arg]
    out = io.StringIO()
    assert await run_console(settings, stdin=io.StringIO("/start\n11\n0\n2\n"), stdout=out) == 0
    text = out.getvalue()
    assert "[10] " in text and "[11] " not in text
    assert "(there is no button 11: type 1 to 10)" in text and "(there is no button 0: type 1 to 10)" in text
    assert "Send me a link and I'll summarize it, or" not in text  # the plain-text hint
    assert "(Following 💼 Business)" in text  # "2" still pressed its button


class _Person:
    """A person at the console: reads each prompt, thinks a moment, then types the next line."""

    def __init__(self, lines: list[str]) -> None:
        self.lines = lines
        self.shown = ""
        self._prompted = threading.Semaphore(0)

    def isatty(self) -> bool:
        return False

    def write(self, text: str) -> int:
        self.shown += text
        if text.endswith("you> "):
            self._prompted.release()
        return len(text)

    def flush(self) -> None:
        pass

    def readline(self) -> str:
        if not self.lines or not self._prompted.acquire(timeout=10):
            return ""
        time.sleep(0.5)  # longer than the console's idle wait: the last reply is old news by now
        return self.lines.pop(0) + "\n"


async def test_each_reply_is_shown_before_the_next_prompt(tmp_path: Path) -> None:
    # The console took the bot for idle as soon as the bot fetched the message, before it answered: a reply
    # that took a moment (summarizing pasted text) came after the next "you>", which stood there empty.
    settings = Settings(_env_file=None, db_path=tmp_path / "unused.sqlite3")  # type: ignore[call-arg]
    words = [
        "tram",
        "port",
        "campus",
        "council",
        "budget",
        "region",
        "shops",
        "mayor",
        "fund",
        "buses",
        "route",
        "works",
    ]
    text = " ".join(
        f"The {words[i % 12]} plan number {i} was discussed with the {words[(i * 5) % 12]} group on day {i}."
        for i in range(45)
    )
    # A race, so several turns: each one lost it about half the time.
    person = _Person(["/help", *(f"/summary {n} {text}" for n in range(1, 7)), "quit"])
    assert await run_console(settings, stdin=person, stdout=person) == 0  # type: ignore[arg-type]
    assert person.shown.count("📝 Summary") == 6
    assert "you> \nbot>" not in person.shown, person.shown


def _person_s_terminal_env(tmp_path: Path) -> tuple[dict[str, str], Path]:
    """The environment of a person's terminal, with its own empty temporary folder (returned): no
    PYTHONUNBUFFERED, which test runners set and which hid output left buffered when the terminal went away."""
    temp = tmp_path / "tmp"
    temp.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEWSBOT_") and k != "PYTHONUNBUFFERED"}
    env.update(PYTHONPATH=str(ROOT), TMPDIR=str(temp))
    return env, temp


@contextlib.asynccontextmanager
async def _console_process(*argv: Any, **options: Any) -> AsyncIterator[asyncio.subprocess.Process]:
    """``asyncio.create_subprocess_exec(*argv, **options)``, killed at the end if a failed check left it running."""
    console = await asyncio.create_subprocess_exec(*argv, **options)
    try:
        yield console
    finally:
        if console.returncode is None:
            console.kill()
            await console.wait()


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGHUP])
async def test_closing_the_terminal_or_sigterm_leaves_no_database_behind(
    tmp_path: Path, sig: signal.Signals
) -> None:
    # Only Ctrl-C was handled: a closed terminal window (SIGHUP) or a `kill` (SIGTERM) ended the process at once,
    # and each session's throwaway database stayed in the temporary folder for good.
    env, temp = _person_s_terminal_env(tmp_path)
    async with _console_process(
        sys.executable, "-m", "bot", "console", cwd=tmp_path, env=env,
        stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    ) as console:  # fmt: skip
        assert console.stdout is not None
        await asyncio.wait_for(console.stdout.readuntil(b"you> "), 30)
        assert [p.name for p in temp.glob("newsbot-console-*/*.sqlite3")] == ["console.sqlite3"]
        console.send_signal(sig)
        _, stderr = await asyncio.wait_for(console.communicate(), 10)
        assert console.returncode == 0, stderr
        assert list(temp.iterdir()) == []


async def test_closing_the_terminal_window_exits_quietly(tmp_path: Path) -> None:
    # After the hang-up the terminal is gone: saying "bye" to it failed with a traceback and exit 1; then the
    # failed "bye", still buffered, failed again in Python's flush at exit: a traceback and exit 120. Only
    # PYTHONUNBUFFERED (set by some test runners, not in a user's terminal) hid that.
    env, temp = _person_s_terminal_env(tmp_path)
    controller, terminal = pty.openpty()
    async with _console_process(
        sys.executable, "-m", "bot", "console", cwd=tmp_path, env=env,
        stdin=terminal, stdout=terminal, stderr=asyncio.subprocess.PIPE,
    ) as console:  # fmt: skip
        os.close(terminal)
        shown = b""
        while b"you> " not in shown:
            shown += await asyncio.wait_for(asyncio.to_thread(os.read, controller, 4096), 30)
        os.close(controller)
        console.send_signal(signal.SIGHUP)
        _, stderr = await asyncio.wait_for(console.communicate(), 10)
        assert (console.returncode, stderr.decode()) == (0, "")
        assert list(temp.iterdir()) == []


async def test_a_terminal_gone_before_its_hang_up_ends_the_session_quietly(tmp_path: Path) -> None:
    # The window closed, the hang-up signal not there yet (or never: input comes from elsewhere): the next reply
    # shown to the gone terminal raised up through the conversation, a traceback and exit 120.
    env, temp = _person_s_terminal_env(tmp_path)
    controller, terminal = pty.openpty()
    async with _console_process(
        sys.executable, "-m", "bot", "console", cwd=tmp_path, env=env,
        stdin=asyncio.subprocess.PIPE, stdout=terminal, stderr=asyncio.subprocess.PIPE,
    ) as console:  # fmt: skip
        os.close(terminal)
        assert console.stdin is not None and console.stderr is not None
        shown = b""
        while b"you> " not in shown:
            shown += await asyncio.wait_for(asyncio.to_thread(os.read, controller, 4096), 30)
        os.close(controller)
        console.stdin.write(b"/help\n")  # stays open: only the gone terminal can end the session
        await console.stdin.drain()
        stderr = await asyncio.wait_for(console.stderr.read(), 30)
        await asyncio.wait_for(console.wait(), 10)
        assert (console.returncode, stderr.decode()) == (0, "")
        assert list(temp.iterdir()) == []


async def test_a_console_started_with_standard_output_closed_exits_quietly(tmp_path: Path) -> None:
    # `newsbot console >&-`: with no standard output to show the chat on, the first line shown raised an
    # AttributeError on None: a traceback and exit 1 instead of ending as a terminal gone does.
    env, temp = _person_s_terminal_env(tmp_path)
    async with _console_process(
        "/bin/sh", "-c", 'exec "$0" -m bot console >&-', sys.executable, cwd=tmp_path, env=env,
        stdin=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    ) as console:  # fmt: skip
        assert console.stderr is not None
        stderr = await asyncio.wait_for(console.stderr.read(), 30)  # standard input stays open: no Ctrl-D
        await asyncio.wait_for(console.wait(), 10)
        assert (console.returncode, stderr.decode()) == (0, "")
        assert list(temp.iterdir()) == []


async def test_a_console_whose_temporary_database_fails_names_it_not_newsbot_db_path(tmp_path: Path) -> None:
    # A temporary folder with no room (here a 64 KiB file-size limit): the console's throwaway database failed
    # its first migration and the console said "NEWSBOT_DB_PATH: migration ... failed", a configuration error
    # (exit 2) naming a setting the console ignores.
    env, temp = _person_s_terminal_env(tmp_path)
    async with _console_process(
        "/bin/sh", "-c", 'ulimit -f 128; exec "$0" -m bot console', sys.executable, cwd=tmp_path, env=env,
        stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    ) as console:  # fmt: skip
        _, stderr = await asyncio.wait_for(console.communicate(), 30)
        message = stderr.decode()
        assert console.returncode == 1, message
        assert "NEWSBOT_DB_PATH" not in message
        assert f"cannot set up the console's temporary database in {temp}: " in message
        assert list(temp.iterdir()) == []


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
@pytest.mark.parametrize(
    ("output", "expected"),
    [
        ("full disk", (1, "newsbot: cannot write to standard output: No space left on device\n")),
        ("closed pipe", (0, "")),  # a reader gone, as a terminal closed: it leaves quietly
    ],
)
async def test_a_console_whose_output_is_on_a_full_disk_says_so(
    tmp_path: Path, output: str, expected: tuple[int, str]
) -> None:
    # `newsbot console > chat.txt` on a full disk: every failed write was taken for a terminal gone, so the session
    # ended in silence with exit 0, as if the chat had been written.
    env, temp = _person_s_terminal_env(tmp_path)
    if output == "full disk":
        write_end = os.open("/dev/full", os.O_WRONLY)
    else:
        read_end, write_end = os.pipe()
        os.close(read_end)
    async with _console_process(
        sys.executable, "-m", "bot", "console", cwd=tmp_path, env=env,
        stdin=asyncio.subprocess.PIPE, stdout=write_end, stderr=asyncio.subprocess.PIPE,
    ) as console:  # fmt: skip
        os.close(write_end)  # the console's copy is the only one left
        _, stderr = await asyncio.wait_for(console.communicate(b"/help\n"), 30)
        assert (console.returncode, stderr.decode()) == expected
        assert list(temp.iterdir()) == []


async def test_a_second_ctrl_c_while_the_console_shuts_down_still_exits_0(tmp_path: Path) -> None:
    # Once the console had put its signal handlers away, a second Ctrl-C (a person pressing it twice) ended the
    # process by SIGINT (130), or printed "Exception ignored ... KeyboardInterrupt", most of the time. Here the
    # second one comes after "bye", when the handlers are surely gone, and again until the process has ended.
    env, temp = _person_s_terminal_env(tmp_path)
    async with _console_process(
        sys.executable, "-m", "bot", "console", cwd=tmp_path, env=env,
        stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    ) as console:  # fmt: skip
        assert console.stdout is not None and console.stderr is not None
        await asyncio.wait_for(console.stdout.readuntil(b"you> "), 30)
        console.send_signal(signal.SIGINT)
        await asyncio.wait_for(console.stdout.readuntil(b"bye\n"), 10)
        reading = asyncio.ensure_future(asyncio.gather(console.stdout.read(), console.stderr.read()))
        exited = asyncio.ensure_future(console.wait())
        for _ in range(3000):  # up to 30 s
            # os.kill, not send_signal: its poll() could reap the process before asyncio's watcher, which then
            # reports exit code 255.
            with contextlib.suppress(ProcessLookupError):
                os.kill(console.pid, signal.SIGINT)
            if (await asyncio.wait({exited}, timeout=0.01))[0]:
                break
        _, stderr = await asyncio.wait_for(reading, 10)
        assert (console.returncode, stderr.decode()) == (0, "")
        assert list(temp.iterdir()) == []
