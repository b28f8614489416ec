"""The bot token never reaches a log line, even through httpx's request URLs or tracebacks."""

from __future__ import annotations

import logging
import time

import pytest

from bot.logs import RedactTokenFilter, configure_logging

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
    # A feed item's link has no length limit and is logged ("stored ... without alerts" for an old item);
    # logging runs in the event loop, and redacting such a line took minutes: the bot stood still meanwhile.
    logger = logging.getLogger("test.redact.hostile")
    caplog.handler.addFilter(RedactTokenFilter((TOKEN,)))
    started = time.perf_counter()
    with caplog.at_level(logging.INFO, logger="test.redact.hostile"):
        logger.info("stored %s without alerts: published before the retention window", address)
    assert time.perf_counter() - started < 1.0
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
