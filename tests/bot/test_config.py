"""Settings: defaults, parsing of list settings, and errors that name the setting."""

from __future__ import annotations

import json
import logging
import re
from pathlib import Path

import pytest
from pydantic import ValidationError

from bot.config import FeedSpec, Settings, describe_validation_error, feed_spec_warnings
from bot.emulator import BotApiEmulator
from tests.conftest import MakeBot, make_settings


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


async def test_a_feed_read_as_a_query_key_with_topics_is_told_once_at_start_up_with_how_to_keep_it(
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    emulator: BotApiEmulator,
    make_bot: MakeBot,
    caplog: pytest.LogCaptureFixture,
) -> None:
    # "https://c.example/feed?cat=business" is the feed "...?cat" with topic business (SPEC's rule): a site that
    # needed "cat=business" answered with another feed, or none, and nothing said why.
    feeds = (
        "https://c.example/feed?cat=business,https://e.example/rss?lang=en&section=cars+science,"
        "https://a.example/rss=business,https://d.example/feed?id=42"
    )
    monkeypatch.setenv("NEWSBOT_FEEDS", feeds)
    warnings = feed_spec_warnings(Settings(_env_file=None).feeds)  # type: ignore[call-arg]
    assert warnings == [
        "NEWSBOT_FEEDS: 'https://c.example/feed?cat' is polled with topics business, read from what followed"
        " its last '='; if that was the value of 'cat', write the whole address, then '=' and its topics"
        " ('...?cat=VALUE=TOPICS'), or end it with '&' for no topics ('...?cat=VALUE&')",
        "NEWSBOT_FEEDS: 'https://e.example/rss?lang=en&section' is polled with topics automotive, science, read"
        " from what followed its last '='; if that was the value of 'section', write the whole address, then"
        " '=' and its topics ('...&section=VALUE=TOPICS'), or end it with '&' for no topics"
        " ('...&section=VALUE&')",
    ]
    # Both ways out read as the warning says, and warn no more.
    monkeypatch.setenv(
        "NEWSBOT_FEEDS", "https://c.example/feed?cat=business=business,https://f.example/feed?cat=business&"
    )
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    assert settings.feeds == (
        FeedSpec("https://c.example/feed?cat=business", ("business",)),
        FeedSpec("https://f.example/feed?cat=business&", ()),
    )
    assert feed_spec_warnings(settings.feeds) == []
    # At start-up, once (a closed loopback port: the test touches no other machine).
    local = "http://127.0.0.1:9/feed?cat=business,http://127.0.0.1:9/rss=business"
    with caplog.at_level(logging.WARNING, logger="bot"):
        async with make_bot(settings=make_settings(tmp_path, emulator, feeds=local)):
            pass
    told = [r.getMessage() for r in caplog.records if "NEWSBOT_FEEDS" in r.getMessage()]
    assert len(told) == 1 and told[0].startswith(
        "NEWSBOT_FEEDS: 'http://127.0.0.1:9/feed?cat' is polled with topics business,"
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


@pytest.mark.parametrize(
    ("name", "value", "expected"),
    [
        (
            "NEWSBOT_BOT_TOKEN",
            "4242:AAFsecret\nX-Injected: 1",
            "invalid setting NEWSBOT_BOT_TOKEN: does not look",
        ),
        ("NEWSBOT_BOT_TOKEN", "paste-your-token-here", "invalid setting NEWSBOT_BOT_TOKEN: does not look"),
        (
            "NEWSBOT_TELEGRAM_API_URL",
            "https://api.telegram.org/bot x",
            "invalid setting NEWSBOT_TELEGRAM_API_URL",
        ),
        (
            "NEWSBOT_TELEGRAM_API_URL",
            "http://localhost:8081/",
            "invalid setting NEWSBOT_TELEGRAM_API_URL: needs a",
        ),
        (
            "NEWSBOT_TICK_SECONDS",
            "nan",
            "invalid setting NEWSBOT_TICK_SECONDS: Input should be a finite number",
        ),
        (
            "NEWSBOT_TICK_SECONDS",
            "0.0001",
            "invalid setting NEWSBOT_TICK_SECONDS: Input should be greater than or equal to 0.05",
        ),
        (
            "NEWSBOT_FETCH_TIMEOUT_SECONDS",
            "1e309",
            "invalid setting NEWSBOT_FETCH_TIMEOUT_SECONDS: Input should be a",
        ),
        ("NEWSBOT_RATE_CHAT_INTERVAL_SECONDS", "-inf", "invalid setting NEWSBOT_RATE_CHAT_INTERVAL_SECONDS"),
        (
            "NEWSBOT_ADMIN_IDS",
            "١٢",
            "invalid setting NEWSBOT_ADMIN_IDS: '١٢' is not a numeric Telegram user id",
        ),
        (
            "NEWSBOT_ADMIN_IDS",
            "-100123",
            "invalid setting NEWSBOT_ADMIN_IDS: '-100123' is not a numeric Telegram user id",
        ),
        ("NEWSBOT_ADMIN_IDS", "0", "invalid setting NEWSBOT_ADMIN_IDS: '0' is not"),
        ("NEWSBOT_ADMIN_IDS", "9" * 30, "invalid setting NEWSBOT_ADMIN_IDS"),
        (
            "NEWSBOT_FEEDS",
            "https://a.example/ rss",
            "invalid setting NEWSBOT_FEEDS: 'https://a.example/ rss' contains",
        ),
        (
            "NEWSBOT_FEEDS",
            "https://a.example/rss=busines",
            "invalid setting NEWSBOT_FEEDS: 'https://a.example/rss': 'busines' is not a catalogue topic",
        ),
        (
            "NEWSBOT_FEEDS",
            "https://a.example:99999/rss",
            "invalid setting NEWSBOT_FEEDS: 'https://a.example:99999/rss' has a port that is not a number from"
            " 1 to 65535",
        ),
        (
            "NEWSBOT_FEEDS",
            "https://reader:pw@/rss",
            "invalid setting NEWSBOT_FEEDS: 'https://reader:***@/rss' has no host name",
        ),
        (  # one typo among good topics is an error too, not silently dropped
            "NEWSBOT_FEEDS",
            "https://a.example/rss=business+busines",
            "invalid setting NEWSBOT_FEEDS: 'https://a.example/rss': 'busines' is not a catalogue topic",
        ),
        (  # a typo is named with the topic meant, as /addfeed names it; a word near none with the topics
            "NEWSBOT_FEEDS",
            "https://a.example/rss=scince+busines",
            "invalid setting NEWSBOT_FEEDS: 'https://a.example/rss': 'scince', 'busines' is not a catalogue topic"
            " (did you mean science, business? topics: automotive, business,",
        ),
        (
            "NEWSBOT_FEEDS",
            "https://a.example/rss=harbour",
            "invalid setting NEWSBOT_FEEDS: 'https://a.example/rss': 'harbour' is not a catalogue topic"
            " (topics: automotive, business,",
        ),
        ("NEWSBOT_DB_PATH", " ", "invalid setting NEWSBOT_DB_PATH: must name a file"),
        # A space after the slash (left at a .env line's end) still names a folder, not a file " " inside it.
        ("NEWSBOT_DB_PATH", "data/ ", "invalid setting NEWSBOT_DB_PATH: data/ names a folder"),
        # The token pasted with a slash after it, as copied from a browser's address bar.
        (
            "NEWSBOT_TELEGRAM_API_URL",
            "https://api.telegram.org/bot4242:AAFsecret/",
            "invalid setting NEWSBOT_TELEGRAM_API_URL: holds a bot token",
        ),
    ],
)
def test_impossible_values_name_the_setting(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str, expected: str
) -> None:
    line = error_line(monkeypatch, name, value)
    assert line.startswith(expected), line
    assert "\n" not in line
    assert "AAFsecret" not in line  # a token is never repeated back


@pytest.mark.parametrize(
    "value",
    [
        "https://reader:s3cr/et@a.example/rss",  # "/" in the password: urlsplit ends the host there
        "https://reader:s3cr#et@a.example/rss",
        "https://reader:s3cr?et@a.example/rss",
        "https://reader:s3cr et@a.example/rss",  # a space: refused before the address is read
        "https://reader:s3cr/et@a.example/rss=busines",  # a topic typo quotes the address too
    ],
)
def test_a_feed_password_the_url_cannot_hold_is_not_printed(
    monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    # The line goes to stderr, the service's log: a password with a character that must be %-escaped used to
    # be printed whole (the log's masking needs a well-formed address), and was called "a port".
    line = error_line(monkeypatch, "NEWSBOT_FEEDS", value)
    assert line.startswith("invalid setting NEWSBOT_FEEDS: 'https://reader:***@a.example/rss"), line
    assert "s3cr" not in line and "et@" not in line
    assert "a port" not in line


def test_a_user_name_or_password_with_slash_is_named_as_such(monkeypatch: pytest.MonkeyPatch) -> None:
    line = error_line(monkeypatch, "NEWSBOT_FEEDS", "https://reader:s3cr/et@a.example/rss")
    assert "a user name or password with" in line and "%2F" in line, line


def test_db_path_that_is_a_directory_is_refused(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    line = error_line(monkeypatch, "NEWSBOT_DB_PATH", str(tmp_path))
    assert line.startswith(f"invalid setting NEWSBOT_DB_PATH: {tmp_path} is a directory")


def test_db_path_ending_in_a_slash_is_refused_not_made_a_file(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # "data/" for a folder not made yet became a database file named "data".
    line = error_line(monkeypatch, "NEWSBOT_DB_PATH", f"{tmp_path}/data/")
    assert line == (
        f"invalid setting NEWSBOT_DB_PATH: {tmp_path}/data/ names a folder; name a file inside it, such as "
        f"{tmp_path}/data/newsbot.sqlite3"
    )
    assert not (tmp_path / "data").exists()


def test_values_are_tidied_not_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEWSBOT_BOT_TOKEN", " 123456:ABC-def_0 ")
    monkeypatch.setenv("NEWSBOT_TELEGRAM_API_URL", " http://127.0.0.1:8081/bot/ ")
    monkeypatch.setenv("NEWSBOT_ADMIN_IDS", "1\t22 ,333")
    monkeypatch.setenv(
        "NEWSBOT_FEEDS",
        "https://a.example/rss=business,https://b.example/atom, https://a.example/rss=world+business+,"
        "https://c.example/feed?q=,https://d.example/feed?format=rss",
    )
    monkeypatch.setenv("NEWSBOT_LOG_LEVEL", "debug")
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    assert settings.bot_token is not None and settings.bot_token.get_secret_value() == "123456:ABC-def_0"
    # PTB appends the token to this: a trailing slash would give .../bot/123:ABC/getMe, a 404
    assert settings.telegram_api_url == "http://127.0.0.1:8081/bot"
    assert settings.admin_ids == frozenset({1, 22, 333})
    assert settings.feeds == (
        FeedSpec("https://a.example/rss", ("business", "world")),
        FeedSpec("https://b.example/atom", ()),
        FeedSpec("https://c.example/feed?q=", ()),
        FeedSpec("https://d.example/feed?format=rss", ()),  # a query value is no topic typo
    )
    assert settings.log_level == "DEBUG"


def test_log_level_with_spaces_around_it_is_tidied_too(monkeypatch: pytest.MonkeyPatch) -> None:
    # Every other setting forgives spaces around its value; this one answered " info " with "must be one of
    # DEBUG, INFO, ..." and `newsbot run` did not start.
    monkeypatch.setenv("NEWSBOT_LOG_LEVEL", " info\t")
    assert Settings(_env_file=None).log_level == "INFO"  # type: ignore[call-arg]


def test_five_hundred_feeds(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEWSBOT_FEEDS", ",".join(f"https://n{i}.example/rss=sport" for i in range(500)))
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    assert len(settings.feeds) == 500 and all(f.topics == ("sport",) for f in settings.feeds)


def _env_example() -> dict[str, str]:
    root = Path(__file__).resolve().parents[2]
    values: dict[str, str] = {}
    for line in (root / ".env.example").read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            name, _, value = line.partition("=")
            values[name.strip()] = value.strip()
    return values


def test_env_example_lists_every_setting_with_its_true_default() -> None:
    example = _env_example()
    fields = {"NEWSBOT_" + name.upper(): name for name in Settings.model_fields}
    assert sorted(example) == sorted(fields)
    # Loading the example file as it stands must give exactly the defaults.
    defaults = Settings(_env_file=None)  # type: ignore[call-arg]
    from_example = Settings(**{fields[k]: v for k, v in example.items() if v})  # type: ignore[arg-type]
    for name in Settings.model_fields:
        assert getattr(from_example, name) == getattr(defaults, name), name


def test_readme_settings_table_matches_env_example() -> None:
    """The README's settings table names every setting once, with the default that .env.example shows."""
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    section = readme.split("\n## Settings\n", 1)[1].split("\n## ", 1)[0]
    rows = re.findall(r"^\| `(NEWSBOT_[A-Z_]+)` \| ([^|]+) \|", section, flags=re.MULTILINE)
    documented = {name: default.strip().strip("`") for name, default in rows}
    assert len(rows) == len(documented), "a setting is listed twice"
    example = _env_example()
    assert sorted(documented) == sorted(example)
    for name, default in documented.items():
        assert (default if default not in ("none", "empty") else "") == example[name], name


def test_readme_settings_table_gives_every_numeric_settings_range() -> None:
    """Each number setting's row says what it takes: an operator otherwise learned FETCH_MAX_BYTES' 10000 or
    FETCH_TIMEOUT_SECONDS' 300 only from the error that stopped start-up."""
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    section = readme.split("\n## Settings\n", 1)[1].split("\n## ", 1)[0]
    rows = dict(re.findall(r"^\| `(NEWSBOT_[A-Z_]+)` \| [^|]+ \| (.+) \|$", section, flags=re.MULTILINE))
    for name, field in Settings.model_fields.items():
        bounds = {
            kind: float(getattr(rule, kind))
            for rule in field.metadata
            for kind in ("ge", "gt", "le")
            if getattr(rule, kind, None) is not None
        }
        if not bounds:
            continue
        row = rows["NEWSBOT_" + name.upper()].replace(",", "")
        numbers = {float(n) for n in re.findall(r"\d+(?:\.\d+)?", row)}
        for kind, bound in bounds.items():
            assert bound in numbers, f"NEWSBOT_{name.upper()}: its README row does not say {kind} {bound:g}"
        if "gt" in bounds:
            assert f"more than {bounds['gt']:g}" in row, name


def test_home_directory_in_paths_is_expanded(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    # .env files and systemd's EnvironmentFile do not expand "~": the bot must, or it creates a folder named
    # "~" in its working directory (which an operator may then "rm -rf ~" to clean up).
    (tmp_path / "topics.json").write_text('{"topics": []}', encoding="utf-8")
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("NEWSBOT_DB_PATH", "~/data/news.sqlite3")
    monkeypatch.setenv("NEWSBOT_TOPICS_FILE", "~/topics.json")
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    assert settings.db_path == tmp_path / "data" / "news.sqlite3"
    assert settings.topics_file == tmp_path / "topics.json"


def test_a_yes_no_setting_that_is_neither_says_which_values_it_takes(monkeypatch: pytest.MonkeyPatch) -> None:
    # "Input should be a valid boolean, unable to interpret input" named no value that works.
    line = error_line(monkeypatch, "NEWSBOT_ALLOW_PRIVATE_URLS", "enabled")
    assert line == "invalid setting NEWSBOT_ALLOW_PRIVATE_URLS: must be true or false"


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("NEWSBOT_SUMMARY_SENTENCES", '"4"'),
        ("NEWSBOT_TIMEZONE", "'Europe/Berlin'"),
        ("NEWSBOT_BOT_TOKEN", '"123456:ABC-def_0"'),
        ("NEWSBOT_ALLOW_PRIVATE_URLS", '"true"'),
    ],
)
def test_quoted_values_from_the_environment_say_to_remove_the_quotes(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str
) -> None:
    # `docker run --env-file` and shells' single quotes inside double quotes pass the quotes on as part of the
    # value (.env files drop them): "unable to parse string as an integer" for "4" left operators puzzled.
    line = error_line(monkeypatch, name, value)
    assert line.startswith(f"invalid setting {name}: ")
    assert "remove the quotes" in line
    assert "ABC-def_0" not in line


def test_a_topic_id_too_long_for_a_button_stops_start_up(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # Its /topics button would pass Telegram's 64-byte callback_data: every /start and /topics failed with
    # "Sorry, something went wrong" instead of start-up saying which topic to rename.
    long_id = "regional-and-municipal-infrastructure-planning-and-public-transport"
    path = tmp_path / "topics.json"
    path.write_text(json.dumps({"topics": [{"id": long_id, "keywords": ["tram"]}]}), encoding="utf-8")
    line = error_line(monkeypatch, "NEWSBOT_TOPICS_FILE", str(path))
    assert "NEWSBOT_TOPICS_FILE" in line and long_id in line and "too long" in line, line
    # Telegram counts bytes: 32 accented letters are 64 bytes, and "t:" passes the limit.
    path.write_text(json.dumps({"topics": [{"id": "é" * 32, "keywords": ["tram"]}]}), encoding="utf-8")
    assert "too long" in error_line(monkeypatch, "NEWSBOT_TOPICS_FILE", str(path))
    ok = tmp_path / "ok.json"
    ok.write_text(json.dumps({"topics": [{"id": long_id[:60], "keywords": ["tram"]}]}), encoding="utf-8")
    monkeypatch.setenv("NEWSBOT_TOPICS_FILE", str(ok))
    assert load().topics_file == ok
