"""Logging set-up that never lets the bot token reach a log line."""

from __future__ import annotations

import logging
import re
import time
from dataclasses import dataclass
from urllib.parse import quote

# Request URLs look like https://api.telegram.org/bot123456:ABC-DEF/sendMessage; hide anything token-shaped.
# Each match starts where its run of digits or scheme letters does: tried from every character of a long run
# (a hostile feed item's link is logged), each try rescanned the rest of it, minutes for one line.
_TOKEN = re.compile(r"(?<!\d)\d{5,}:[A-Za-z0-9_-]{20,}|bot\d+:[A-Za-z0-9_-]+")
# Feed addresses may carry the operator's credentials: "https://user:password@host/rss" or "...?apikey=...".
_USERINFO = re.compile(
    r"(?P<scheme>(?<![A-Za-z0-9+.-])[A-Za-z][A-Za-z0-9+.-]*://)(?P<userinfo>[^\s/?#@]*(?:@[^\s/?#@]*)*)@"
)
_PARAM = re.compile(r"(?P<name>(?<=[?&;#])[^\s=&;#?]+)=(?P<value>[^\s&;#\"'<>]*)")
# Query parameters whose value is a secret: these names, or a name with one of them as a part ("x-api-key").
_SECRET_NAMES = """
    token key apikey secret password passwd pwd pass auth authorization signature sig credential credentials
    session sessionid jwt bearer accesstoken authtoken apitoken privatetoken"""
_SECRET_WORDS = frozenset(_SECRET_NAMES.split())
_WORD_SPLIT = re.compile(r"[-_.]")
# Line breaks and other control characters in a message come from outside (a feed item's link is logged): left
# as they are, the text after a line break stood in the log as a line of its own, one that could pass for the
# bot's ("... ERROR ..."), and terminal escapes acted on the operator's screen. Tabs stay.
_CONTROLS = re.compile("[\x00-\x08\x0a-\x1f\x7f\x85\u2028\u2029]")


def _escaped(match: re.Match[str]) -> str:
    return match[0].encode("unicode_escape").decode("ascii")


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


def hide_url_secrets(text: str) -> str:
    """``text`` with the password of every address (or a user name alone, often a token) and the values of
    secret-looking query parameters (token, key, apikey, access_token, signature...) shown as ``***``.

    The rest of the address stays, so a log line still says which feed failed.
    """
    if "://" not in text and "=" not in text:
        return text

    def userinfo(match: re.Match[str]) -> str:
        user, colon, _ = match["userinfo"].partition(":")
        return f"{match['scheme']}{user}:***@" if colon else f"{match['scheme']}***@"

    def param(match: re.Match[str]) -> str:
        name = match["name"].lower()
        words = {name, *_WORD_SPLIT.split(name)}
        if not (words & _SECRET_WORDS and match["value"]):
            return match[0]
        # The sentence's own punctuation after the address ("feed URL: reason") is kept, not hidden with it.
        value = match["value"]
        return f"{match['name']}=***{value[len(value.rstrip(':,.)')) :]}"

    return _PARAM.sub(param, _USERINFO.sub(userinfo, text))


class RedactTokenFilter(logging.Filter):
    """Replace bot tokens and the credentials in addresses (``hide_url_secrets``) in a record's message."""

    def __init__(self, secrets: tuple[str, ...] = ()) -> None:
        super().__init__()
        self._secrets = tuple(s for s in secrets if s)

    def redact(self, text: str) -> str:
        """The text with every known secret, every token-shaped string and credentials in addresses hidden."""
        for secret in self._secrets:
            text = text.replace(secret, "<redacted>")
        return hide_url_secrets(_TOKEN.sub("<redacted>", text))

    def filter(self, record: logging.LogRecord) -> bool:
        """Render the message once, redacted, so formatters cannot reintroduce the token."""
        try:
            message = record.getMessage()
        except Exception:  # a broken format string must not kill logging
            message = str(record.msg)
        record.msg = _CONTROLS.sub(_escaped, self.redact(message))
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = self.redact(logging.Formatter().formatException(record.exc_info))
        elif record.exc_text:
            record.exc_text = self.redact(record.exc_text)
        return True


class _QuietInvalidJsonFilter(logging.Filter):
    """Drop PTB's log of a non-JSON answer (a proxy's error page): a traceback plus the whole page, at each retry.

    PTB raises the error right after logging it, and the bot reports that in one line (a failed poll, a failed
    send, or ``newsbot run`` stopping); at DEBUG the page is kept, without the traceback, cut short.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        if not str(record.msg).startswith("Can not load invalid JSON data"):
            return True  # anything else PTB may log there one day is not this page dump
        if not logging.getLogger().isEnabledFor(logging.DEBUG):
            return False
        record.exc_info = None
        record.exc_text = None
        record.levelno, record.levelname = logging.DEBUG, "DEBUG"
        record.msg, record.args = record.getMessage()[:500], None
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
    # trafilatura logs three ERROR and WARNING lines for every link it cannot read as HTML (plain text, JSON), which
    # newsbot itself reports in one line ("That page has no article text"): a failed source is no error of the bot.
    logging.getLogger("trafilatura").setLevel(logging.CRITICAL)
    # A tick still running when the next is due is skipped on purpose; APScheduler would warn about it each time.
    logging.getLogger("apscheduler").setLevel(logging.ERROR)
    ptb_request = logging.getLogger("telegram.request.BaseRequest")
    if not any(isinstance(f, _QuietInvalidJsonFilter) for f in ptb_request.filters):
        ptb_request.addFilter(_QuietInvalidJsonFilter())


@dataclass(slots=True)
class CountedLines:
    """One kind of event logged at most one line every ``every`` seconds: how many happened since the last line
    (``unlogged``) and when that line was written (``logged_at``; None: none yet, or a new run of them begins)."""

    every: float
    unlogged: int = 0
    logged_at: float | None = None

    def due(self, now: float) -> bool:
        """A line may be written now."""
        return self.logged_at is None or now - self.logged_at >= self.every

    def tail_due(self, now: float, *, stopping: bool = False) -> bool:
        """Events wait to be counted and their minute is over (or the bot stops): said now, or they waited for the
        next such event, days later or never."""
        return bool(self.unlogged) and (stopping or self.due(now))

    def said(self, now: float) -> None:
        """A line was written now, counting every event so far."""
        self.logged_at, self.unlogged = now, 0


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
                "%s works again after %d %s in %.0f s",
                self._what,
                self._count,
                "failure" if self._count == 1 else "failures",
                time.monotonic() - self._since,
            )
            self._since = None
            self._count = 0
