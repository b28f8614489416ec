"""Logging set-up that never lets the bot token reach a log line."""

from __future__ import annotations

import logging
import re
import time
from urllib.parse import quote

# Request URLs look like https://api.telegram.org/bot123456:ABC-DEF/sendMessage; hide anything token-shaped.
_TOKEN = re.compile(r"\d{5,}:[A-Za-z0-9_-]{20,}|bot\d+:[A-Za-z0-9_-]+")


def hide_token(payload: bytes, token: str) -> bytes:
    """``payload`` with ``token`` (as written or percent-encoded) replaced by a placeholder.

    An HTTP server between the bot and Telegram (a reverse proxy, a firewall, a misconfigured local Bot API
    server) may answer with an error page that echoes the request URL; PTB puts such a page into the
    exception's message, which ends up in the database (why a chat or a delivery failed) and in replies.
    """
    if not token:
        return payload
    for form in dict.fromkeys((token, quote(token, safe=""))):
        payload = payload.replace(form.encode(), b"<token>")
    return payload


class RedactTokenFilter(logging.Filter):
    """Replace bot tokens in a record's message and arguments with a placeholder."""

    def __init__(self, secrets: tuple[str, ...] = ()) -> None:
        super().__init__()
        self._secrets = tuple(s for s in secrets if s)

    def redact(self, text: str) -> str:
        """The text with every known secret and every token-shaped string hidden."""
        for secret in self._secrets:
            text = text.replace(secret, "<redacted>")
        return _TOKEN.sub("<redacted>", text)

    def filter(self, record: logging.LogRecord) -> bool:
        """Render the message once, redacted, so formatters cannot reintroduce the token."""
        try:
            message = record.getMessage()
        except Exception:  # a broken format string must not kill logging
            message = str(record.msg)
        record.msg = self.redact(message)
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = self.redact(logging.Formatter().formatException(record.exc_info))
        elif record.exc_text:
            record.exc_text = self.redact(record.exc_text)
        return True


def configure_logging(level: int | str = logging.INFO, *, secrets: tuple[str, ...] = ()) -> None:
    """Log to stderr at ``level``, with tokens redacted and httpx's per-request lines kept quiet."""
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(RedactTokenFilter(secrets))
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
    # httpx logs every request URL at INFO and the URL holds the token; the filter hides it, but the lines are noise.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("httpcore").setLevel(logging.WARNING)
    # aiosqlite echoes every statement with its parameters at DEBUG (article bodies included): noise, not help.
    logging.getLogger("aiosqlite").setLevel(logging.INFO)
    # A tick still running when the next is due is skipped on purpose; APScheduler would warn about it each time.
    logging.getLogger("apscheduler").setLevel(logging.ERROR)


class FailureLog:
    """Logs a step that keeps failing (a full disk fails every write for hours) without flooding the log.

    The first failure is logged with its trace, repeats at most once a minute in one line, and the recovery once.
    """

    def __init__(self, logger: logging.Logger, what: str, every: float = 60.0) -> None:
        self._log = logger
        self._what = what
        self._every = every
        self._since: float | None = None
        self._logged_at = 0.0
        self._count = 0

    def failed(self, exc: BaseException) -> None:
        """One more failure."""
        now = time.monotonic()
        self._count += 1
        if self._since is None:
            self._since = self._logged_at = now
            self._log.error("%s failed; retrying", self._what, exc_info=exc)
        elif now - self._logged_at >= self._every:
            self._logged_at = now
            self._log.error(
                "%s still failing (%d times in %.0f s): %s", self._what, self._count, now - self._since, exc
            )

    def succeeded(self) -> None:
        """The step worked: note the end of a run of failures."""
        if self._since is not None:
            self._log.warning(
                "%s works again after %d failures in %.0f s",
                self._what,
                self._count,
                time.monotonic() - self._since,
            )
            self._since = None
            self._count = 0
