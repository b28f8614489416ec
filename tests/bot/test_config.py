"""Settings: defaults, parsing of list settings, and errors that name the setting."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from bot.config import FeedSpec, Settings, describe_validation_error


def load(**env: str) -> Settings:
    return Settings(_env_file=None, **env)  # type: ignore[call-arg]


def error_line(monkeypatch: pytest.MonkeyPatch, name: str, value: str) -> str:
    monkeypatch.setenv(name, value)
    with pytest.raises(ValidationError) as info:
        Settings(_env_file=None)  # type: ignore[call-arg]
    return describe_validation_error(info.value)


def test_defaults_match_the_spec() -> None:
    settings = load()
    assert settings.bot_token is None
    assert settings.telegram_api_url == "https://api.telegram.org/bot"
    assert settings.db_path == Path("newsbot.sqlite3")
    assert settings.feeds == ()
    assert settings.feed_interval_seconds == 600
    assert settings.admin_ids == frozenset()
    assert settings.timezone == "UTC"
    assert settings.summary_sentences == 3
    assert settings.allow_private_urls is False
    assert settings.log_level == "INFO"


def test_feeds_with_topics_and_query_strings(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(
        "NEWSBOT_FEEDS",
        "https://a.example/rss=business, https://b.example/atom,https://c.example/feed?cat=cars+business,"
        "https://d.example/feed?id=42",
    )
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    assert settings.feeds == (
        FeedSpec("https://a.example/rss", ("business",)),
        FeedSpec("https://b.example/atom", ()),
        # "cars" is an alias of automotive: every word is a topic, so the tail counts as topics
        FeedSpec("https://c.example/feed?cat", ("automotive", "business")),
        # "42" is no topic: the query string survives intact
        FeedSpec("https://d.example/feed?id=42", ()),
    )


def test_admin_ids_and_token_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEWSBOT_ADMIN_IDS", "1, 22,333")
    monkeypatch.setenv("NEWSBOT_BOT_TOKEN", "123:abc")
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    assert settings.admin_ids == frozenset({1, 22, 333})
    assert settings.bot_token is not None and settings.bot_token.get_secret_value() == "123:abc"
    assert "123:abc" not in repr(settings)


def test_empty_values_in_env_file_mean_default(tmp_path: Path) -> None:
    env = tmp_path / ".env"
    env.write_text("NEWSBOT_BOT_TOKEN=\nNEWSBOT_TOPICS_FILE=\nNEWSBOT_SUMMARY_SENTENCES=5\n")
    settings = Settings(_env_file=env)  # type: ignore[call-arg]
    assert settings.bot_token is None
    assert settings.topics_file is None
    assert settings.summary_sentences == 5


@pytest.mark.parametrize(
    ("name", "value", "expected"),
    [
        (
            "NEWSBOT_TIMEZONE",
            "Mars/Olympus",
            "invalid setting NEWSBOT_TIMEZONE: 'Mars/Olympus' is not an IANA",
        ),
        ("NEWSBOT_TIMEZONE", "localtime", "invalid setting NEWSBOT_TIMEZONE: 'localtime' is not an IANA"),
        ("NEWSBOT_SUMMARY_SENTENCES", "11", "invalid setting NEWSBOT_SUMMARY_SENTENCES"),
        ("NEWSBOT_ADMIN_IDS", "alice", "invalid setting NEWSBOT_ADMIN_IDS: 'alice' is not a numeric"),
        ("NEWSBOT_FEEDS", "ftp://x/feed", "invalid setting NEWSBOT_FEEDS: 'ftp://x/feed' is not an http(s)"),
        ("NEWSBOT_LOG_LEVEL", "chatty", "invalid setting NEWSBOT_LOG_LEVEL: must be one of"),
        ("NEWSBOT_FEED_INTERVAL_SECONDS", "-5", "invalid setting NEWSBOT_FEED_INTERVAL_SECONDS"),
        ("NEWSBOT_TELEGRAM_API_URL", "localhost", "invalid setting NEWSBOT_TELEGRAM_API_URL"),
    ],
)
def test_invalid_values_name_the_setting(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str, expected: str
) -> None:
    line = error_line(monkeypatch, name, value)
    assert line.startswith(expected)
    assert "\n" not in line
