"""The bot token never reaches a log line, even through httpx's request URLs or tracebacks."""

from __future__ import annotations

import logging

import pytest

from bot.logs import RedactTokenFilter

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
