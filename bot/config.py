"""Settings: the one place that reads the environment (prefix NEWSBOT_, also from .env)."""

from __future__ import annotations

import contextlib
import difflib
import logging
import os
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, cast
from urllib.parse import urlsplit

from dotenv import dotenv_values
from dotenv.parser import parse_stream
from pydantic import Field, SecretStr, ValidationError, ValidationInfo, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from bot.logs import hide_url_secrets
from bot.timezones import TimezoneError, resolve_timezone
from summaries.topics import TopicCatalogue
from summaries.urls import address_problem


@dataclass(frozen=True, slots=True)
class FeedSpec:
    """A feed from NEWSBOT_FEEDS: its URL and the catalogue topics every item of it carries."""

    url: str
    topics: tuple[str, ...] = ()


class Settings(BaseSettings):
    """Everything an operator can configure. See .env.example for one line on each."""

    # allow_inf_nan=False: "nan" or "1e309" for a float setting is refused as "not a finite number" instead of
    # slipping past (nan) or failing a bound with a confusing message (inf).
    model_config = SettingsConfigDict(
        env_prefix="NEWSBOT_", env_file=".env", extra="ignore", env_ignore_empty=True, allow_inf_nan=False
    )

    bot_token: SecretStr | None = None
    telegram_api_url: str = "https://api.telegram.org/bot"
    db_path: Path = Path("newsbot.sqlite3")
    topics_file: Path | None = None
    feeds: Annotated[tuple[FeedSpec, ...], NoDecode] = ()
    feed_interval_seconds: int = Field(600, ge=1, le=7 * 24 * 3600)
    admin_ids: Annotated[frozenset[int], NoDecode] = frozenset()
    timezone: str = "UTC"
    summary_sentences: int = Field(3, ge=1, le=10)
    allow_private_urls: bool = False
    log_level: str = "INFO"
    # Operators' extras: retention, fetch limits and Telegram pacing.
    retention_days: int = Field(30, ge=1, le=3650)
    fetch_timeout_seconds: float = Field(15.0, gt=0, le=300)
    fetch_max_bytes: int = Field(5_000_000, ge=10_000, le=200_000_000)
    rate_overall_per_second: float = Field(30.0, gt=0, le=1000)
    rate_chat_interval_seconds: float = Field(1.0, ge=0, le=60)
    rate_group_per_minute: int = Field(20, ge=1, le=1000)
    digest_max_per_topic: int = Field(5, ge=1, le=50)
    # Below 0.05 s the scheduler would spin a CPU asking the database what is due; tests tick at 0.05.
    tick_seconds: float = Field(5.0, ge=0.05, le=600)

    @field_validator("bot_token", mode="before")
    @classmethod
    def _check_token(cls, value: Any) -> Any:
        # The message never repeats the value: it is a secret.
        if isinstance(value, SecretStr):
            value = value.get_secret_value()
        if not isinstance(value, str):
            return value
        value = value.strip()
        if not _TOKEN_SHAPE.fullmatch(value):
            raise ValueError(
                "does not look like a bot token (digits, a colon, then letters, digits, '_' or '-', "
                "as @BotFather gives it)"
            )
        return value

    @field_validator("telegram_api_url")
    @classmethod
    def _check_api_url(cls, value: str) -> str:
        value = value.strip()
        if any(ch.isspace() for ch in value):
            raise ValueError("must not contain spaces or line breaks")
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ValueError("must be an http(s) URL such as https://api.telegram.org/bot")
        if re.search(r"/bot" + _TOKEN_SHAPE.pattern, parts.path):
            # A URL pasted with the token: PTB appends it again (every server answers 404), and every error line
            # naming the Bot API's address printed the token to stderr, the service's log.
            raise ValueError(
                "holds a bot token; give the address without it, such as https://api.telegram.org/bot "
                "(newsbot appends NEWSBOT_BOT_TOKEN)"
            )
        if problem := address_problem(value):
            # Else `newsbot run` fails at its first request, reported as a Bot API that cannot be reached.
            raise ValueError(f"the address has {problem}")
        # PTB appends the token (or fills in {token}) and then "/<method>": a trailing slash would make
        # ".../bot/123:ABC/getMe", which every server answers with 404, reported as an invalid token.
        value = value.rstrip("/")
        if "{token}" not in value and not urlsplit(value).path:
            raise ValueError(
                "needs a path that the token is appended to, such as https://api.telegram.org/bot "
                "(without one the token would be glued to the host name)"
            )
        return value

    @field_validator("db_path", "topics_file", mode="before")
    @classmethod
    def _expand_home(cls, value: Any) -> Any:
        # .env files and systemd's EnvironmentFile leave "~" as it is: without this the bot would create a
        # folder literally named "~" in its working directory.
        if isinstance(value, str) and value.strip().startswith("~"):
            return Path(value.strip()).expanduser()
        return value

    @field_validator("db_path", mode="before")
    @classmethod
    def _check_db_path_is_no_folder_name(cls, value: Any) -> Any:
        # Path() drops a trailing "/": "/var/lib/newsbot/", a folder not made yet, became a database file named
        # "newsbot" in /var/lib (an existing folder is refused below).
        if isinstance(value, str) and value.strip().endswith(("/", os.sep)) and value.strip() != "/":
            folder = value.strip()
            raise ValueError(
                f"{folder} names a folder; name a file inside it, such as {folder}newsbot.sqlite3"
            )
        return value

    @field_validator("db_path")
    @classmethod
    def _check_db_path(cls, value: Path) -> Path:
        if not str(value).strip():
            raise ValueError("must name a file, such as newsbot.sqlite3")
        if str(value).strip() == ":memory:":
            # SQLite's in-memory name: each of the two connections would get a database of its own.
            raise ValueError(
                "must name a file, such as newsbot.sqlite3 (an in-memory database would keep nothing)"
            )
        with _looking_at(value):
            if value.is_dir():
                raise ValueError(
                    f"{value} is a directory; name a file inside it, such as {value / 'newsbot.sqlite3'}"
                )
            # Its folder is created at start-up; a file in the way would fail there with a bare "File exists".
            for folder in value.parents:
                if folder.exists():
                    if not folder.is_dir():
                        raise ValueError(f"{folder} is a file, not a folder")
                    break
        return value

    @field_validator("topics_file")
    @classmethod
    def _check_topics_file(cls, value: Path | None) -> Path | None:
        if value is None:
            return value
        with _looking_at(value):
            if not value.is_file():
                what = "is a directory, not a file" if value.is_dir() else "does not exist"
                raise ValueError(f"{value} {what}")
        # Read it now, so a typo in it stops start-up here rather than as a traceback later.
        try:
            catalogue = TopicCatalogue.load(value)
        except OSError as exc:
            raise ValueError(f"{value} cannot be read: {exc.strerror or exc}") from None
        for topic in catalogue.all():
            # A topic's /topics button carries "t:<id>": past Telegram's limit, every /topics would fail.
            if len(topic.id.encode("utf-8")) > MAX_TOPIC_ID_BYTES:
                raise ValueError(
                    f"topic id {topic.id!r} is too long for a button "
                    f"(at most {MAX_TOPIC_ID_BYTES} bytes); give it a shorter id"
                )
        return value

    @field_validator("feeds", mode="before")
    @classmethod
    def _parse_feeds(cls, value: Any, info: ValidationInfo) -> Any:
        if not isinstance(value, str):
            return value
        catalogue = TopicCatalogue.load(info.data.get("topics_file"))
        # A URL listed twice is one feed carrying the topics of every listing, in order.
        merged: dict[str, tuple[str, ...]] = {}
        for item in value.split(","):
            if item.strip():
                spec = parse_feed_spec(item, catalogue)
                merged[spec.url] = tuple(dict.fromkeys(merged.get(spec.url, ()) + spec.topics))
        return tuple(FeedSpec(url, topics) for url, topics in merged.items())

    @field_validator("admin_ids", mode="before")
    @classmethod
    def _parse_admin_ids(cls, value: Any) -> Any:
        if isinstance(value, int):
            return frozenset({value})
        if not isinstance(value, str):
            return value
        ids: set[int] = set()
        for part in re.split(r"[,\s]+", value):
            if not part:
                continue
            # int() also takes "+5", "1_000" and non-ASCII digits ("١٢"): a user id is plain ASCII digits.
            if not (part.isascii() and part.isdigit()) or not 0 < int(part) <= _MAX_USER_ID:
                raise ValueError(f"{part!r} is not a numeric Telegram user id (a positive whole number)")
            ids.add(int(part))
        return frozenset(ids)

    @field_validator("timezone")
    @classmethod
    def _check_timezone(cls, value: str) -> str:
        # What /settings timezone takes ("Berlin", "europe/berlin", "UTC+2"), stored as the same IANA name. Not in
        # quotes, which the lookup would drop as punctuation: every other setting refuses them, with the hint.
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
            raise ValueError(f"{value!r} is quoted")
        try:
            return resolve_timezone(value)
        except TimezoneError:
            raise ValueError(
                f"{value!r} is not an IANA timezone name such as Europe/Berlin, nor a city of the tz database "
                "(Berlin, New York) or a whole-hour UTC offset (UTC+2)"
            ) from None

    @field_validator("log_level")
    @classmethod
    def _check_log_level(cls, value: str) -> str:
        level = value.strip().upper()
        if level not in ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"):
            raise ValueError("must be one of DEBUG, INFO, WARNING, ERROR, CRITICAL")
        return level

    @property
    def log_level_number(self) -> int:
        """The log level as the logging module's number."""
        return int(logging.getLevelName(self.log_level))


# Telegram's 64 bytes of callback_data, less the "t:" of a /topics button.
MAX_TOPIC_ID_BYTES = 62
# What BotFather hands out: the bot's numeric id, a colon, then the secret (35 characters today).
_TOKEN_SHAPE = re.compile(r"[0-9]+:[A-Za-z0-9_-]+")
# Telegram user ids fit in 52 bits; anything past SQLite's 64-bit integers is certainly a typo.
_MAX_USER_ID = 2**63 - 1


@contextlib.contextmanager
def _looking_at(path: Path) -> Iterator[None]:
    """Turn an OSError from looking at ``path`` (a folder newsbot may not enter) into a ValueError naming it.

    pydantic passes any other exception through, and ``load_settings`` took it for a .env it could not read.
    """
    try:
        yield
    except OSError as exc:
        raise ValueError(f"{path} cannot be looked at: {exc.strerror or exc}") from None


# NEWSBOT_ names that are no setting of the bot's but are used beside it: the scripts' virtualenv folder.
_OTHER_NAMES = frozenset({"NEWSBOT_VENV"})


def unknown_settings(environ: Mapping[str, str] | None = None, env_file: Path | str = ".env") -> list[str]:
    """One line for each NEWSBOT_ name in the environment or .env that is no setting: "NEWSBOT_ADMIN_ID" is
    ignored like any unknown name, so a typo would leave the bot without admins and nothing would say why."""
    known = {f"NEWSBOT_{name.upper()}" for name in Settings.model_fields} | _OTHER_NAMES
    names = [*(os.environ if environ is None else environ)]
    in_file: list[str] = []
    with contextlib.suppress(OSError, UnicodeDecodeError):  # Settings() has said what is wrong with the file
        in_file = [name for name in dotenv_values(env_file) if name]
    names += in_file
    lines = []
    # A .env written without the prefix ("BOT_TOKEN=", "FEEDS=") was ignored without a word: the bot ran with no
    # feeds, or said the token was not set. Only .env: the environment holds other programs' names too.
    for name in dict.fromkeys(n.upper() for n in in_file):
        if f"NEWSBOT_{name}" in known - _OTHER_NAMES:
            lines.append(
                f"{name} in {env_file} is not a setting (did you mean NEWSBOT_{name}?); it is ignored (see .env.example)"
            )
    for name in dict.fromkeys(n.upper() for n in names):
        if name.startswith("NEWSBOT_") and name not in known:
            near = difflib.get_close_matches(name, sorted(known - _OTHER_NAMES), n=1, cutoff=0.75)
            hint = f" (did you mean {near[0]}?)" if near else ""
            lines.append(f"{name} is not a setting{hint}; it is ignored (see .env.example)")
    return lines


# What a .env line with no "=" may hold: a variable's name (python-dotenv reads it as the name, without a value).
_ENV_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def env_file_problem(env_file: Path | str = ".env") -> str | None:
    """One line on the first line of .env that is no ``NAME=value``, or None (also when there is no .env).

    python-dotenv skips such a line (an unclosed quote, "NEWSBOT_BOT_TOKEN 123:abc" without "="), so the setting on
    it was left at its default, with a bare "python-dotenv could not parse statement" and then, for a token,
    "NEWSBOT_BOT_TOKEN is not set". OSError and UnicodeDecodeError are left to the caller, as Settings() raises them.
    """
    path = Path(env_file)
    if not path.is_file():
        return None
    with path.open(encoding="utf-8") as stream:  # as pydantic-settings reads it
        for binding in parse_stream(stream):
            # A line with no "=" is a name without a value to python-dotenv; but "NEWSBOT_BOT_TOKEN:123:abc" (a
            # colon for "=") or "NEWSBOT_BOT_TOKEN123:abc" (the "=" forgotten) is no name: it was warned about as
            # an unknown setting, token and all, and the token read as not set.
            no_name = (
                binding.value is None and binding.key is not None and not _ENV_NAME.fullmatch(binding.key)
            )
            if binding.error or no_name:
                # Not the line itself: it may hold the token.
                return (
                    f"{env_file} line {binding.original.line} is not NAME=value (a comment starts with '#', "
                    "a quoted value needs its closing quote): fix or remove that line"
                )
    return None


def env_folder_warning(env_file: Path | str = ".env") -> str | None:
    """One line when .env is a folder that is no virtualenv, or a link to nothing; else None.

    pydantic-settings skips a .env that is no file without a word, and Docker creates an empty folder where a
    bind-mounted .env does not exist, as a deploy's link to a shared .env may point at none: the bot ran with
    defaults (or scripts/run.sh opened the console). A virtualenv named .env (it holds pyvenv.cfg) is common and
    meant, so it goes unmentioned.
    """
    path = Path(env_file)
    with contextlib.suppress(OSError):
        if path.is_symlink() and not path.exists():
            return f"{path.absolute()} links to {path.readlink()}, which does not exist: no settings are read from it"
        if path.is_dir() and not (path / "pyvenv.cfg").exists():
            return f"{path.absolute()} is a folder, not a file: no settings are read from it"
    return None


def parse_feed_spec(item: str, catalogue: TopicCatalogue) -> FeedSpec:
    """Parse one NEWSBOT_FEEDS entry: ``URL`` or ``URL=topic1+topic2``.

    The part after the last ``=`` counts as topics only when every word of it names a catalogue topic, so a URL
    whose query string ends in ``=value`` survives intact.
    """
    item = item.strip()
    if any(ch.isspace() for ch in item):
        raise ValueError(
            f"{_shown(item)} contains a space; separate feeds with commas, spaces in URLs as %20"
        )
    url, topics = item, cast(tuple[str, ...], ())
    if "=" in item:
        head, _, tail = item.rpartition("=")
        words = [word for word in tail.split("+") if word]
        found = [catalogue.resolve(word) for word in words]
        if found and all(found):
            url, topics = head, tuple(dict.fromkeys(t.id for t in found if t is not None))
        elif not urlsplit(item).query and re.fullmatch(r"[A-Za-z][A-Za-z+-]*", tail):
            # Outside a query string "=words" can only be meant as topics: a typo must not become part of
            # the URL (which would then fail at every poll).
            missing = [w for w, t in zip(words, found, strict=True) if t is None]
            # A typo is answered with the topic meant, as /addfeed URL=busines is.
            near = dict.fromkeys(t.id for w in missing if (t := catalogue.suggest(w)) is not None)
            hint = f"did you mean {', '.join(near)}? " if near else ""
            raise ValueError(
                f"{_shown(head)}: {', '.join(map(repr, missing))} is not a catalogue topic ({hint}topics: "
                + ", ".join(t.id for t in catalogue.all())
                + ")"
            )
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError(f"{_shown(url)} is not an http(s) feed URL")
    if problem := address_problem(url):
        raise ValueError(f"{_shown(url)} has {problem}")
    return FeedSpec(url=url, topics=topics)


# A query key with no value ending an address: what "?cat=business" leaves once "=business" is read as topics.
_BARE_QUERY_KEY = re.compile(r"([?&])([^=&#]+)$")


def feed_spec_warnings(feeds: Sequence[FeedSpec]) -> list[str]:
    """One line for each NEWSBOT_FEEDS feed whose topics may have been meant as the value of its last query key.

    SPEC's rule reads "https://site/feed?cat=business" as the feed "https://site/feed?cat" with topic business;
    a site needing "cat=business" would answer with another feed, or none, and nothing would say why.
    """
    lines = []
    for feed in feeds:
        bare = _BARE_QUERY_KEY.search(feed.url)
        if feed.topics and bare is not None:
            sep, key = bare.groups()
            lines.append(
                f"NEWSBOT_FEEDS: {_shown(feed.url)} is polled with topics {', '.join(feed.topics)}, read from"
                f" what followed its last '='; if that was the value of {key!r}, write the whole address, then '='"
                f" and its topics ('...{sep}{key}=VALUE=TOPICS'), or end it with '&' for no topics"
                f" ('...{sep}{key}=VALUE&')"
            )
    return lines


def _shown(url: str) -> str:
    """``url`` quoted for an error line, with what lies between the first ":" after "://" and the last "@" as ***:
    a password with "/", "?", "#" or a space leaves an address the log's masking (hide_url_secrets) cannot
    read, and the line goes to stderr, the service's log."""
    scheme, sep, rest = url.partition("://")
    userinfo, at, host = rest.rpartition("@")
    user, colon, _ = userinfo.partition(":")
    return repr(f"{scheme}{sep}{user}:***@{host}" if sep and at and colon else url)


def describe_validation_error(error: ValidationError) -> str:
    """One line naming the first bad setting and what is wrong with it."""
    first = error.errors()[0]
    name = "NEWSBOT_" + str(first["loc"][0]).upper() if first.get("loc") else "a setting"
    message = str(first.get("msg", "invalid value")).removeprefix("Value error, ")
    if first.get("type") == "bool_parsing":
        # pydantic's "Input should be a valid boolean, unable to interpret input" named no value it takes.
        message = "must be true or false"
    value = first.get("input")
    if isinstance(value, str) and len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
        # .env files drop the quotes around a value; `docker run --env-file` and the environment keep them.
        message += "; remove the quotes around the value"
    # The message may quote the value: a feed address with its password goes to stderr, the service's log.
    return f"invalid setting {name}: {hide_url_secrets(message)}"
