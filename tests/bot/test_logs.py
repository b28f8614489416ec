"""The bot token never reaches a log line, even through httpx's request URLs or tracebacks."""

from __future__ import annotations

import contextlib
import logging
import sys
import time
from collections.abc import Iterator
from types import SimpleNamespace

import pytest

import bot.logs
from bot.logs import FailureLog, RedactTokenFilter, configure_logging

TOKEN = "987654321:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw"


def test_request_urls_and_tracebacks_are_redacted(caplog: pytest.LogCaptureFixture) -> None:
    logger = logging.getLogger("test.redact")
    caplog.handler.addFilter(RedactTokenFilter((TOKEN,)))
    with caplog.at_level(logging.INFO, logger="test.redact"):
        logger.info('HTTP Request: POST %s "HTTP/1.1 200 OK"', f"https://api.telegram.org/bot{TOKEN}/getMe")
        try:
            raise RuntimeError(f"failed to call https://api.telegram.org/bot{TOKEN}/sendMessage")
        except RuntimeError:
            logger.exception("send failed")
    text = caplog.text
    assert TOKEN not in text
    assert "<redacted>" in text
    assert "send failed" in text


def test_unknown_token_shapes_are_caught_too() -> None:
    flt = RedactTokenFilter()
    assert "5555555:" not in flt.redact("url https://x/bot5555555:abcdefghijklmnopqrstuvwxyz_123/getMe")


def test_credentials_in_addresses_are_hidden_but_the_address_still_names_its_feed() -> None:
    redact = RedactTokenFilter().redact
    line = redact(
        "feed https://reader:pa:ss@feeds.example/rss?token=t1&page=2&X-Api-Key=k2&access_token=t3 failed"
    )
    assert (
        line
        == "feed https://reader:***@feeds.example/rss?token=***&page=2&X-Api-Key=***&access_token=*** failed"
    )
    # A user name alone is often a token ("https://ghp_xxx@host/"); "monkey" and "keyword" are not secrets.
    assert redact("https://ghp_abc@git.example/x") == "https://***@git.example/x"
    assert redact("https://a.example/s?monkey=1&keyword=cars") == "https://a.example/s?monkey=1&keyword=cars"
    assert redact("mail user@example.com about a=b") == "mail user@example.com about a=b"


@pytest.mark.parametrize(
    "address",
    [
        "https://feeds.example/" + "a-" * 100_000,  # every "-a" started a scheme scanned to the end
        "https://feeds.example/" + "1" * 200_000 + ":",  # every digit started a token scanned to the end
    ],
)
def test_a_hostile_feed_item_address_is_logged_at_once(
    caplog: pytest.LogCaptureFixture, address: str
) -> None:
    # A feed item's link has no length limit and is logged ("kept the teaser of ..." for an item);
    # logging runs in the event loop, and redacting such a line took minutes: the bot stood still meanwhile.
    logger = logging.getLogger("test.redact.hostile")
    caplog.handler.addFilter(RedactTokenFilter((TOKEN,)))
    started = time.process_time()
    with caplog.at_level(logging.INFO, logger="test.redact.hostile"):
        logger.info("stored %s without alerts: published before the retention window", address)
    assert time.process_time() - started < 1.0
    assert address in caplog.text  # nothing secret in it: the address is logged whole


def test_debug_level_leaves_out_aiosqlite_statement_echo() -> None:
    # aiosqlite logs every statement twice at DEBUG with its parameters: whole article bodies on one line, and
    # hundreds of lines a minute, burying the bot's own debug lines.
    root = logging.getLogger()
    saved = (list(root.handlers), root.level)
    names = ("aiosqlite", "httpx", "httpcore", "apscheduler")
    saved_levels = {name: logging.getLogger(name).level for name in names}
    try:
        configure_logging(logging.DEBUG)
        assert root.isEnabledFor(logging.DEBUG)
        assert not logging.getLogger("aiosqlite").isEnabledFor(logging.DEBUG)
        assert logging.getLogger("aiosqlite").isEnabledFor(logging.WARNING)
    finally:
        root.handlers[:] = saved[0]
        root.setLevel(saved[1])
        for name, level in saved_levels.items():
            logging.getLogger(name).setLevel(level)


@pytest.mark.parametrize(
    "name",
    [
        "token", "key", "apikey", "secret", "password", "passwd", "pwd", "pass", "auth", "authorization",
        "signature", "sig", "credential", "credentials", "session", "sessionid", "jwt", "bearer",
        "accesstoken", "authtoken", "apitoken", "privatetoken",
        "Api.Key", "x-api-key", "client_secret",  # a secret word as one part of a longer name
    ],
)  # fmt: skip
def test_every_secret_parameter_name_is_masked_in_a_logged_address(name: str) -> None:
    redact = RedactTokenFilter().redact
    assert redact(f"feed https://f.example/rss?page=2&{name}=s3cr3t failed") == (
        f"feed https://f.example/rss?page=2&{name}=*** failed"
    )


def test_secrets_after_semicolons_fragments_and_in_relative_addresses_are_masked() -> None:
    redact = RedactTokenFilter().redact
    assert (
        redact("https://f.example/rss;jsessionid=1;session=s1")
        == "https://f.example/rss;jsessionid=1;session=***"
    )
    assert redact("https://f.example/cb#access_token=t1&x=2") == "https://f.example/cb#access_token=***&x=2"
    assert redact("GET /rss?token=t1 failed") == "GET /rss?token=*** failed"
    # An empty value hides nothing: showing "***" would tell the operator a token was set.
    assert redact("https://f.example/rss?token=&page=2") == "https://f.example/rss?token=&page=2"


def test_the_punctuation_after_a_masked_address_stays_in_the_line() -> None:
    # "feed URL?apikey=***: reason" lost its colon (and "(URL?token=...)" its parenthesis) with the secret:
    # "feed http://h/rss?apikey=*** stored 10 items", "could not read ... of feed http://h/rss?apikey=*** database
    # is locked" ran the address into the message.
    redact = RedactTokenFilter().redact
    assert redact("feed https://f.example/rss?apikey=k1: stored 10 items") == (
        "feed https://f.example/rss?apikey=***: stored 10 items"
    )
    assert (
        redact("(https://f.example/rss?token=t1), retrying") == "(https://f.example/rss?token=***), retrying"
    )
    # a secret may hold colons: only the ones that end the value are the sentence's
    assert (
        redact("feed https://f.example/rss?token=a:b: failed")
        == "feed https://f.example/rss?token=***: failed"
    )


@pytest.mark.parametrize(
    "line",
    [
        "https://api.telegram.org/bot12345:AAHdqTcvCH1vGWJxfSeofSAs0K5/getMe",  # a short bot id
        "https://x.example/12345:AAHdqTcvCH1vGWJxfSeofSAs0K5/getMe",  # a short bot id, no 'bot' before it
        "https://x.example/666666:AAH-dqTcvCH1v-GWJxfSeo/getMe",  # '-' is part of a token
        "https://api.telegram.org/bot42:short-token/getMe",  # any 'bot<id>:' path segment
    ],
)
def test_token_shaped_strings_are_hidden_whole(line: str) -> None:
    redacted = RedactTokenFilter().redact(line)
    assert "<redacted>/getMe" in redacted
    assert ":" not in redacted.removeprefix("https:")


def test_configured_secrets_of_any_shape_are_hidden(caplog: pytest.LogCaptureFixture) -> None:
    logger = logging.getLogger("test.redact.configured")
    caplog.handler.addFilter(RedactTokenFilter(("hunter2-not-token-shaped", "")))
    with caplog.at_level(logging.INFO, logger="test.redact.configured"):
        logger.info("proxy said: bad credentials hunter2-not-token-shaped")
    assert "hunter2" not in caplog.text
    assert "proxy said: bad credentials <redacted>" in caplog.text


def test_a_redacted_traceback_is_still_logged(caplog: pytest.LogCaptureFixture) -> None:
    logger = logging.getLogger("test.redact.trace")
    caplog.handler.addFilter(RedactTokenFilter((TOKEN,)))
    with caplog.at_level(logging.INFO, logger="test.redact.trace"):
        try:
            raise RuntimeError(f"failed to call https://api.telegram.org/bot{TOKEN}/sendMessage")
        except RuntimeError:
            logger.exception("send failed")
    assert "Traceback (most recent call last)" in caplog.text
    # "bot<redacted>" by this filter, "<redacted>" when a handler an earlier test left on the root logger (the
    # bot's own) formatted the traceback first: either way the token is gone and the line is there.
    assert TOKEN not in caplog.text
    assert "RuntimeError: failed to call https://api.telegram.org/" in caplog.text
    assert "<redacted>/sendMessage" in caplog.text


def test_a_broken_format_string_is_still_redacted() -> None:
    # A wrong number of arguments must neither kill logging nor let the raw message through unredacted.
    record = logging.LogRecord("x", logging.INFO, __file__, 1, f"bot{TOKEN} %s %s", ("one",), None)
    assert RedactTokenFilter().filter(record)
    assert TOKEN not in record.getMessage()


def test_a_traceback_formatted_first_by_the_bots_own_handler_is_redacted() -> None:
    # Under pytest another handler formats the record first; in `newsbot run` ours is the only one.
    try:
        raise RuntimeError(f"failed to call https://api.telegram.org/bot{TOKEN}/sendMessage")
    except RuntimeError:
        exc_info = sys.exc_info()
    record = logging.LogRecord("x", logging.ERROR, __file__, 1, "send failed", None, exc_info)
    assert RedactTokenFilter((TOKEN,)).filter(record)
    line = logging.Formatter().format(record)
    assert "RuntimeError: failed to call https://api.telegram.org/bot<redacted>/sendMessage" in line
    assert TOKEN not in line


def test_a_step_that_failed_once_works_again_after_1_failure(caplog: pytest.LogCaptureFixture) -> None:
    # A feed poll or prune that failed once logged "works again after 1 failures".
    failures = FailureLog(logging.getLogger("newsbot.test"), "polling feeds")
    with caplog.at_level(logging.WARNING, logger="newsbot.test"):
        failures.failed(OSError("disk full"))
        failures.succeeded()
    assert "polling feeds works again after 1 failure in 0 s" in caplog.text


def test_a_step_failing_for_minutes_is_one_line_a_minute_and_a_new_run_of_failures_starts_afresh(
    caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A full disk fails a tick step every few seconds for hours: its first failure with the trace, then at most
    # one line a minute, one when it works again, and nothing at each tick that simply works.
    now = [1000.0]
    monkeypatch.setattr(bot.logs, "time", SimpleNamespace(monotonic=lambda: now[0]))
    failures = FailureLog(logging.getLogger("newsbot.test"), "polling feeds")
    with caplog.at_level(logging.INFO, logger="newsbot.test"):
        for at in (0, 30, 61, 62, 100, 122):
            now[0] = 1000.0 + at
            failures.failed(OSError("disk full"))
        failures.succeeded()
        now[0] = 1200.0
        failures.succeeded()  # the next tick works too
        failures.failed(OSError("disk full again"))
        failures.succeeded()
    assert [(r.getMessage(), r.exc_info is not None) for r in caplog.records] == [
        ("polling feeds failed; retrying", True),
        ("polling feeds still failing (3 times in 61 s): disk full", False),
        ("polling feeds still failing (6 times in 122 s): disk full", False),
        ("polling feeds works again after 6 failures in 122 s", False),
        ("polling feeds failed; retrying", True),
        ("polling feeds works again after 1 failure in 0 s", False),
    ]


@contextlib.contextmanager
def _logging_restored() -> Iterator[None]:
    """Inside, a test may call configure_logging; the test run's handlers and levels come back after it."""
    root = logging.getLogger()
    saved = (list(root.handlers), root.level)
    names = ("aiosqlite", "httpx", "httpcore", "apscheduler", "trafilatura")
    saved_levels = {name: logging.getLogger(name).level for name in names}
    try:
        yield
    finally:
        root.handlers[:] = saved[0]
        root.setLevel(saved[1])
        for name, level in saved_levels.items():
            logging.getLogger(name).setLevel(level)


def _log_a_proxy_page(page: str) -> None:
    """What python-telegram-bot logs when an answer is no JSON (it raises the error right after)."""
    try:
        raise ValueError("Expecting value: line 1 column 1 (char 0)")
    except ValueError:
        logging.getLogger("telegram.request.BaseRequest").exception(
            'Can not load invalid JSON data: "%s"', page
        )


def test_a_proxy_page_python_telegram_bot_logs_is_left_out_and_cut_short_at_debug(
    capsys: pytest.CaptureFixture[str],
) -> None:
    page = "<html><body>" + "Bad Gateway " * 200 + "</body></html>"
    with _logging_restored():
        configure_logging(logging.INFO)
        _log_a_proxy_page(page)
        logging.getLogger("telegram.request.BaseRequest").warning("another request warning")
        lines = capsys.readouterr().err.splitlines()
        assert len(lines) == 1 and lines[0].endswith("another request warning"), lines
        configure_logging(logging.DEBUG)
        _log_a_proxy_page(page)
        lines = capsys.readouterr().err.splitlines()
    assert len(lines) == 1, lines  # no traceback
    assert " DEBUG telegram.request.BaseRequest: Can not load invalid JSON data" in lines[0]
    assert len(lines[0].partition(": ")[2]) == 500


def test_the_libraries_request_lines_and_page_complaints_stay_out_of_the_log(
    capsys: pytest.CaptureFixture[str],
) -> None:
    # httpx logs every request (a line per getUpdates and per message sent), trafilatura three lines for every
    # link that is no HTML page, APScheduler a warning at every tick skipped on purpose.
    with _logging_restored():
        configure_logging(logging.INFO)
        logging.getLogger("httpx").info(
            'HTTP Request: POST https://api.telegram.org/bot<redacted>/getUpdates "200 OK"'
        )
        logging.getLogger("httpcore").info("connection closed")
        logging.getLogger("trafilatura").error(
            "not a 200 response: 200 for URL https://example.org/data.json"
        )
        logging.getLogger("apscheduler").warning("Execution of job newsbot-tick skipped")
        logging.getLogger("bot.test").info("the bot's own line")
        lines = capsys.readouterr().err.splitlines()
    assert len(lines) == 1 and lines[0].endswith("the bot's own line"), lines
