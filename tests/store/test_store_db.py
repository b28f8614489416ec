"""The database itself: migrations, WAL, the write transaction, concurrency, crash recovery."""

from __future__ import annotations

import asyncio
import hashlib
import logging
import os
import re
import sqlite3
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest

import bot.store.articles
from bot.store import ChatDefaults, Database, DatabaseUnavailable, NewArticle, SchemaError, load_migrations
from bot.store.db import _describe_open_error, split_statements, write_refused
from summaries.dedup import content_fingerprint
from tests.store.samples import NOW, add_chat, make_article
from tests.support.files import read_only

REPO_ROOT = Path(__file__).resolve().parents[2]


def _migrations_dir(tmp_path: Path, *extra: tuple[str, str]) -> Path:
    """A migrations folder holding the real 0001 plus ``extra`` (name, sql) files."""
    # Named by its files' numbers: their whole names outgrow a file name's 255 bytes as migrations are added.
    folder = tmp_path / f"migrations-{len(extra)}-{'-'.join(name[:4] for name, _ in extra)}"
    folder.mkdir(exist_ok=True)
    first = load_migrations()[0]
    (folder / first.name).write_text(first.sql, encoding="utf-8")
    for name, sql in extra:
        (folder / name).write_text(sql, encoding="utf-8")
    return folder


async def _database_at(tmp_path: Path, version: int) -> Path:
    """A database file migrated only up to schema ``version``, as an older newsbot left it."""
    path = tmp_path / "db.sqlite3"
    before = _migrations_dir(tmp_path, *((m.name, m.sql) for m in load_migrations()[1:version]))
    async with await Database.open(path, migrations=before) as db:
        assert db.schema_version == version
    return path


async def _v1_with_chat(tmp_path: Path, path: Path, chat_id: int) -> None:
    """A database as version 1 of the schema left it, holding one chat (written by hand: that code is gone)."""
    async with await Database.open(path, migrations=_migrations_dir(tmp_path)) as db:
        assert db.schema_version == 1
    conn = sqlite3.connect(path)
    with conn:
        conn.execute("INSERT INTO chats (id, created_at, updated_at) VALUES (?, ?, ?)", (chat_id, NOW, NOW))
    conn.close()


def _raw(path: Path, sql: str) -> list[tuple[object, ...]]:
    conn = sqlite3.connect(path)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


def _write(path: Path, sql: str, rows: list[tuple[object, ...]]) -> None:
    """Rows written by hand, as an older newsbot stored them (its code is gone)."""
    conn = sqlite3.connect(path)
    with conn:
        conn.executemany(sql, rows)
    conn.close()


def _write_articles(path: Path, rows: list[tuple[object, ...]]) -> None:
    """Articles (id, n, title, fetched_at, body, n, story_id) stored by hand as an older newsbot stored them."""
    _write(
        path,
        "INSERT INTO articles (id, url, title, source, fetched_at, body, content_hash, story_id)"
        " VALUES (?, 'https://news.example/' || ?, ?, 'Example News', ?, ?, 'h' || ?, ?)",
        rows,
    )


async def test_empty_file_is_created_and_migrated(tmp_path: Path) -> None:
    path = tmp_path / "sub" / "dir" / "newsbot.sqlite3"
    async with await Database.open(path) as db:
        assert db.schema_version == len(load_migrations()) >= 1
        tables = {r[0] for r in await db.reader.execute_fetchall("SELECT name FROM sqlite_master")}
        assert {"chats", "subscriptions", "feeds", "articles", "articles_fts", "deliveries"} <= tables
        mode = next(iter(await db.reader.execute_fetchall("PRAGMA journal_mode")))[0]
        assert mode == "wal"
        assert next(iter(await db.reader.execute_fetchall("PRAGMA foreign_keys")))[0] == 1
    assert _raw(path, "PRAGMA user_version") == [(db.schema_version,)]


async def test_reopening_a_current_database_changes_nothing(tmp_path: Path) -> None:
    path = tmp_path / "db.sqlite3"
    async with await Database.open(path) as db:
        await add_chat(db, 1)
    async with await Database.open(path) as db:
        assert await db.chats.get(1) is not None
        assert db.schema_version == len(load_migrations())


async def test_v1_database_migrates_forward_keeping_data(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "db.sqlite3"
    await _v1_with_chat(tmp_path, path, 5)
    # An article as version 1 stored it (that code is gone, so the row is written by hand).
    conn = sqlite3.connect(path)
    with conn:
        conn.execute(
            "INSERT INTO articles (url, title, source, fetched_at, body, content_hash, story_id)"
            " VALUES ('https://news.example/1', 'Invented headline', 'Example News', ?, 'Body text.', 'h1', 1)",
            (NOW,),
        )
    conn.close()
    with caplog.at_level(logging.INFO, logger="bot.store.db"):
        async with await Database.open(path) as db:
            assert db.schema_version == len(load_migrations()) >= 2
    # An operator watching the log knows why start-up waits (rewriting every article can take a minute).
    assert f"upgrading the database from schema version 1 to {len(load_migrations())}" in caplog.text
    async with await Database.open(path) as db:
        chat = await db.chats.get(5)
        assert chat is not None and chat.thread_id is None
        assert [a.id for a in await db.articles.search("headline")] == [1]
        # Upgrading alerts nobody about what was stored before it.
        assert await db.articles.alert_pending() == []
    # ... and a migration still to come applies on top of them.
    later = (
        f"{len(load_migrations()) + 1:04d}_chat_language.sql",
        "ALTER TABLE chats ADD COLUMN language TEXT NOT NULL DEFAULT 'en';",
    )
    folder = _migrations_dir(tmp_path, *((m.name, m.sql) for m in load_migrations()[1:]), later)
    async with await Database.open(path, migrations=folder) as db:
        rows = list(await db.reader.execute_fetchall("SELECT id, language FROM chats"))
        assert [tuple(r) for r in rows] == [(5, "en")]
    assert _raw(path, "PRAGMA user_version") == [(len(load_migrations()) + 1,)]


async def test_articles_stored_before_the_unspaced_mark_are_still_found_by_words_inside_the_text(
    tmp_path: Path,
) -> None:
    # Search looks for Chinese, Japanese or Thai words only in articles marked as holding such characters
    # (migration 0006): the migration marks the articles stored before it, or they would never be found.
    path = await _database_at(tmp_path, 5)
    rows = [
        (1, "東京で地震", "東京で震度4の揺れ。"),
        (2, "Markets rally", "Investors in 東京 cheered."),
        (3, "ข่าวกรุงเทพ", "ฝนตกหนัก"),
        (4, "Café “news” — plain", "No such characters here."),
    ]
    _write_articles(
        path,
        [(n, n, title, NOW + n, body, n, n) for n, title, body in rows],
    )
    async with await Database.open(path) as db:
        assert [a.id for a in await db.articles.search("東京")] == [2, 1]
        assert [a.id for a in await db.articles.search("กรุงเทพ")] == [3]
    assert _raw(path, "SELECT id FROM articles WHERE unspaced = 1 ORDER BY id") == [(1,), (2,), (3,)]


async def test_articles_stored_before_the_topic_lists_are_listed_by_topic(tmp_path: Path) -> None:
    # /latest TOPIC reads the article_topics list (migration 0013), which the migration fills for the articles
    # stored before it, or they would never be listed by topic.
    path = await _database_at(tmp_path, 12)
    _write(
        path,
        "INSERT INTO articles (id, url, title, source, fetched_at, body, content_hash, story_id, topics)"
        " VALUES (?, 'https://news.example/' || ?, 'Title', 'Example News', ?, 'Body.', 'h' || ?, ?, ?)",
        [(n, n, NOW + n, n, n, topics) for n, topics in ((1, "sport"), (2, "sport health"), (3, ""))],
    )
    async with await Database.open(path) as db:
        assert [a.id for a in await db.articles.latest(topic="sport")] == [2, 1]
        assert [a.id for a in await db.articles.latest(topic="health")] == [2]
    assert _raw(path, "SELECT topic, article_id FROM article_topics ORDER BY 1, 2") == [
        ("health", 2),
        ("sport", 1),
        ("sport", 2),
    ]


async def test_articles_stored_before_the_stemmed_index_are_found_by_other_forms_of_a_word(
    tmp_path: Path,
) -> None:
    # Migration 0014 rebuilds the search index with the porter stemmer: articles stored before it must be in
    # the new index (or /search would miss them all), under their stems.
    path = await _database_at(tmp_path, 13)
    _write_articles(
        path,
        [
            (1, 1, "Elections called", NOW + 1, "Voters queue.", 1, 1),
            (2, 2, "Café", NOW + 2, "Beans.", 2, 2),
        ],
    )
    async with await Database.open(path) as db:
        assert [a.id for a in await db.articles.search("election")] == [1]
        assert [a.id for a in await db.articles.search("cafe bean")] == [2]
        await db.articles.prune(NOW + 100, NOW + 100)  # the delete trigger still writes to the new index
        assert await db.articles.search("election") == []


async def test_articles_stored_before_words_kept_their_vowel_signs_are_found_by_whole_words(
    tmp_path: Path,
) -> None:
    # Migration 0016 rebuilds the search index with combining marks as parts of words: the index held Hindi
    # "भारत" as "भ" + "रत", so a search for it also found "भारती". Articles stored before must be re-indexed.
    path = await _database_at(tmp_path, 15)
    _write_articles(
        path,
        [
            (1, 1, "भारत का निर्यात बढ़ा", NOW + 1, "निर्यात बढ़ा।", 1, 1),
            (2, 2, "भारती एयरटेल के नतीजे", NOW + 2, "नतीजे जारी।", 2, 2),
            (3, 3, "Café", NOW + 3, "Beans.", 3, 3),
        ],
    )
    async with await Database.open(path) as db:
        assert [a.id for a in await db.articles.search("भारत")] == [1]
        assert [a.id for a in await db.articles.search("भारती")] == [2]
        assert [a.id for a in await db.articles.search("cafe bean")] == [3]  # Latin accents still dropped


async def test_articles_stored_before_the_index_read_soft_hyphens_and_plain_letters_are_found_as_keywords_find_them(
    tmp_path: Path,
) -> None:
    # Migration 0025 indexes title and body without soft hyphens, word joiners and zero-width no-break spaces,
    # and with "ł" and "ø" as "l" and "o", as keyword subscriptions read them: articles stored before must be
    # re-indexed so, and the triggers must keep the index in step when an article is edited or deleted.
    path = await _database_at(tmp_path, 24)
    _write_articles(
        path,
        [
            (1, 1, "Bundes\u00adregierung plant", NOW + 1, "Die Bundes\ufeffregierung tagt.", 1, 1),
            (2, 2, "Łódź hosts a fair", NOW + 2, "Ørsted opens an office in Łódź.", 2, 2),
            (3, 3, "Elections called", NOW + 3, "Voters queue.", 3, 3),
        ],
    )
    async with await Database.open(path) as db:
        assert [a.id for a in await db.articles.search("bundesregierung")] == [1]
        assert [a.id for a in await db.articles.search("lodz orsted")] == [2]
        assert [a.id for a in await db.articles.search("Łódź")] == [2]
        assert [a.id for a in await db.articles.search("election")] == [3]
        assert await db.articles.search("regierung") == []
        edit = make_article(1, title="Bundes\u2060kanzler spricht", body="Der Bundes\u00adkanzler sprach.")
        assert await db.articles.revise(1, edit, content_hash="edited")
        assert [a.id for a in await db.articles.search("bundeskanzler")] == [1]
        assert await db.articles.search("bundesregierung") == []
        await db.articles.prune(NOW + 2.5, NOW + 100)  # the delete trigger takes them out of the index
        assert await db.articles.search("bundeskanzler") == [] == await db.articles.search("lodz")
        assert [a.id for a in await db.articles.search("election")] == [3]
    # A delete by hand in the sqlite3 shell (no newsbot functions) keeps the index whole too.
    conn = sqlite3.connect(path)
    with conn:
        conn.execute("DELETE FROM articles WHERE id = 3")
        conn.execute("INSERT INTO articles_fts (articles_fts) VALUES ('integrity-check')")
        assert conn.execute(
            "SELECT count(*) FROM articles_fts WHERE articles_fts MATCH 'election'"
        ).fetchall() == [(0,)]
    conn.close()


async def test_articles_stored_before_the_index_read_ligatures_as_letters_are_found_as_keywords_find_them(
    tmp_path: Path,
) -> None:
    # Migration 0026 indexes the ligatures U+FB00-U+FB06 ("ﬁ", "ﬂ", "ﬃ", ...) as their letters, as keyword
    # subscriptions read them: a chat following "finance" was alerted on "ﬁnance" that /search finance missed.
    # Only the articles that hold one are indexed again; the rest, and the triggers, must stay in step.
    path = await _database_at(tmp_path, 25)
    _write_articles(
        path,
        [
            (1, 1, "Small \ufb01rms lack \ufb01nance", NOW + 1, "Banks cut \ufb02oor rates.", 1, 1),
            (2, 2, "Bundes\u00adregierung plant", NOW + 2, "Ørsted opens an office in Łódź.", 2, 2),
            (3, 3, "Finance ministers meet", NOW + 3, "Voters queue.", 3, 3),
        ],
    )
    async with await Database.open(path) as db:
        assert [a.id for a in await db.articles.search("finance")] == [3, 1]
        assert [a.id for a in await db.articles.search("firms floor")] == [1]
        # Typed with one, as keywords take it.
        assert [a.id for a in await db.articles.search("\ufb01rms")] == [1]
        assert [a.id for a in await db.articles.search("bundesregierung orsted lodz office")] == [2]
        edit = make_article(1, title="E\ufb00ort to \ufb01x the \ufb02eet", body="A new plan.")
        assert await db.articles.revise(1, edit, content_hash="edited")
        assert [a.id for a in await db.articles.search("effort fix fleet")] == [1]
        assert [a.id for a in await db.articles.search("finance")] == [3]
        await db.articles.prune(NOW + 1.5, NOW + 100)  # the delete trigger takes it out of the index
        assert await db.articles.search("fleet") == []
        stored = make_article(4, title="Sta\ufb00 shortages", body="Hospitals hire.")
        await db.articles.add(
            stored, content_hash="h4", story_signature=None, story_id=None, feed_id=None, now=NOW + 4
        )
        assert [a.url for a in await db.articles.search("staff")] == [stored.url]
    conn = sqlite3.connect(path)
    with conn:
        # A delete by hand in the sqlite3 shell (no newsbot functions) keeps the index whole too; rank 1 checks
        # the index against the text it was made from (what the view gives), not only against itself.
        conn.execute("DELETE FROM articles WHERE id = 4")
        conn.execute("INSERT INTO articles_fts (articles_fts, rank) VALUES ('integrity-check', 1)")
        assert conn.execute(
            "SELECT count(*) FROM articles_fts WHERE articles_fts MATCH 'staff'"
        ).fetchall() == [(0,)]
    conn.close()


async def test_articles_stored_before_fingerprints_held_the_headline_are_still_known_by_their_text(
    tmp_path: Path,
) -> None:
    # Until 2026-11-27 a text of 50 words or more was fingerprinted without its headline, and the stored
    # fingerprints stayed so: after an upgrade, an article that came back at another address (a site moving its
    # pages, a copy in a second feed) was stored again, listed twice and, days later, alerted again.
    path = await _database_at(tmp_path, 17)
    body = " ".join(f"the council met in district {n} and voted for the new tram line" for n in range(6))
    legacy = "sha1:" + hashlib.sha1(body.encode("utf-8")).hexdigest()  # the body alone, as newsbot hashed it
    _write(
        path,
        "INSERT INTO articles (id, url, title, source, fetched_at, body, content_hash, story_id)"
        " VALUES (1, 'https://news.example/2026/tram', 'Council backs the tram', 'Example News', ?, ?, ?, 1)",
        [(NOW, body, legacy)],
    )
    # Two articles that hash alike now (they differed only in what the old rule counted) do not stop the upgrade.
    _write_articles(path, [(n, n, "Brief", NOW - n, "Short text.", n, n) for n in (4, 5)])
    async with await Database.open(path) as db:
        later = NOW + 5 * 86400
        moved = make_article(
            2, url="https://news.example/news/tram", title="Council backs the tram", body=body
        )
        stored, status = await db.articles.add(
            moved,
            content_hash=content_fingerprint(moved.title, moved.body),
            story_signature=None,
            story_id=None,
            feed_id=None,
            now=later,
        )
        assert (stored.id, status) == (1, "duplicate_content")
        # The headline still counts: another item sharing that text under a headline of its own is news.
        other = make_article(3, title="Depot site chosen for the tram", body=body)
        _, status = await db.articles.add(
            other,
            content_hash=content_fingerprint(other.title, other.body),
            story_signature=None,
            story_id=None,
            feed_id=None,
            now=later,
        )
        assert status == "added"
        assert [a.title for a in await db.articles.latest()] == [
            "Council backs the tram",
            "Brief",
            "Brief",
            "Depot site chosen for the tram",
        ]


async def test_an_upgrade_hashes_each_article_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Migration 0018 asks content_fingerprint in its WHERE and again in its SET: every article of an old
    # database was hashed twice, and the start-up of an upgrade (minutes at 200,000 articles, the bot silent
    # meanwhile) took twice as long as it needs.
    path = await _database_at(tmp_path, 17)
    _write_articles(
        path, [(n, n, f"Story {n}", NOW - n, f"The text of story {n}.", n, n) for n in range(1, 6)]
    )
    hashed: list[str] = []

    def counting(title: str, body: str) -> str:
        hashed.append(title)
        return content_fingerprint(title, body)

    monkeypatch.setattr("bot.store.db.content_fingerprint", counting)
    async with await Database.open(path) as db:
        rows = await db.reader.execute_fetchall("SELECT title, body, content_hash FROM articles ORDER BY id")
    assert [r[2] for r in rows] == [content_fingerprint(r[0], r[1]) for r in rows]
    assert sorted(hashed) == [f"Story {n}" for n in range(1, 6)]


async def test_an_upgrade_keeps_every_feed_and_its_id_and_never_gives_a_removed_feeds_id_again(
    tmp_path: Path,
) -> None:
    # Feed ids were reused: the next /addfeed after /removefeed of the newest feed got its id, and a poll of the
    # removed feed still running wrote its state onto the new one. The table is rebuilt to stop that; what points
    # at its ids (articles, the items each feed listed) must come through untouched.
    path = await _database_at(tmp_path, 23)
    _write(
        path,
        "INSERT INTO feeds (id, url, topics, origin, title, created_at, last_success_at, failures, dead,"
        " items_left, link) VALUES (?, ?, 'business', 'admin', ?, ?, ?, ?, ?, ?, ?)",
        [
            (1, "https://one.example/rss", "One", NOW, NOW, 0, 0, 1, "https://one.example/"),
            (3, "https://three.example/rss", "Three", NOW, None, 10, 1, 0, None),
        ],
    )
    _write(
        path,
        "INSERT INTO feed_items (feed_id, guid, page, title, seen_at) VALUES (?, ?, 'page', 'title', ?)",
        [(1, "g1", NOW), (3, "g3", NOW)],
    )
    _write_articles(path, [(n, n, f"Story {n}", NOW, "Text.", n, n) for n in (1, 2)])
    _write(path, "UPDATE articles SET feed_id = ? WHERE id = ?", [(1, 1), (3, 2)])
    async with await Database.open(path) as db:
        feeds = await db.feeds.list()
        assert [(f.id, f.url, f.title, f.failures, f.dead, f.items_left, f.link) for f in feeds] == [
            (1, "https://one.example/rss", "One", 0, False, True, "https://one.example/"),
            (3, "https://three.example/rss", "Three", 10, True, False, None),
        ]
        assert await db.feeds.known_items(3, ["g3"], NOW) == {"g3": ("page", "title", NOW)}
        assert await db.feeds.remove("https://three.example/rss")
        added, created = await db.feeds.add("https://four.example/rss", (), None, NOW)
        assert created and added.id == 4
    # The writer checks foreign keys again: removing feed 3 took its items and left its article without a feed.
    assert _raw(path, "SELECT id, feed_id FROM articles ORDER BY id") == [(1, 1), (2, None)]
    assert _raw(path, "SELECT feed_id, guid FROM feed_items") == [(1, "g1")]


def _two_feeds_one_deleted_by_hand(path: Path) -> None:
    """Feeds 1 and 2, an item each; feed 2 deleted as the sqlite3 shell does, its item left pointing at nothing."""
    _write(
        path,
        "INSERT INTO feeds (id, url, created_at) VALUES (?, ?, ?)",
        [(1, "https://one.example/rss", NOW), (2, "https://two.example/rss", NOW)],
    )
    _write(
        path,
        "INSERT INTO feed_items (feed_id, guid, page, title, seen_at) VALUES (?, ?, 'page', 'title', ?)",
        [(1, "g1", NOW), (2, "g2", NOW)],
    )
    _write(path, "DELETE FROM feeds WHERE id = ?", [(2,)])


async def test_an_upgrade_starts_though_old_rows_already_pointed_at_nothing(tmp_path: Path) -> None:
    # A row left pointing at no row by hand (the sqlite3 shell keeps foreign keys off) or a restored backup
    # failed the rebuild's foreign key check, which only asks what the rebuild broke: the bot did not start.
    path = await _database_at(tmp_path, 23)
    _write(
        path,
        "INSERT INTO feeds (id, url, origin, created_at) VALUES (?, ?, 'admin', ?)",
        [(1, "https://one.example/rss", NOW)],
    )
    _write(
        path,
        "INSERT INTO feed_items (feed_id, guid, page, title, seen_at) VALUES (?, ?, 'page', 'title', ?)",
        [(1, "g1", NOW), (7, "g7", NOW)],
    )
    _write_articles(path, [(1, 1, "Story 1", NOW, "Text.", 1, 1)])
    _write(path, "UPDATE articles SET feed_id = ? WHERE id = ?", [(7, 1)])
    async with await Database.open(path) as db:
        assert db.schema_version >= 24
        assert [f.id for f in await db.feeds.list()] == [1]
    assert _raw(path, "SELECT feed_id, guid FROM feed_items ORDER BY guid") == [(1, "g1"), (7, "g7")]


async def test_newer_database_is_refused_with_a_clear_message(tmp_path: Path) -> None:
    path = tmp_path / "db.sqlite3"
    async with await Database.open(path):
        pass
    known = len(load_migrations())
    _raw(path, f"PRAGMA user_version = {known + 1}")
    with pytest.raises(SchemaError) as info:
        await Database.open(path)
    assert (
        str(info.value)
        == f"database schema version {known + 1} is newer than this newsbot ({known}); upgrade newsbot"
    )


async def test_failed_migration_rolls_back_and_says_which(tmp_path: Path) -> None:
    path = tmp_path / "db.sqlite3"
    await _v1_with_chat(tmp_path, path, 1)
    broken = (
        "0002_broken.sql",
        "CREATE TABLE half_done (a INTEGER);\n"
        "CREATE TRIGGER t AFTER INSERT ON half_done BEGIN SELECT 1; END;\n"
        "INSERT INTO no_such_table VALUES (1);",
    )
    with pytest.raises(SchemaError, match=r"0002_broken\.sql failed and was rolled back.*no_such_table"):
        await Database.open(path, migrations=_migrations_dir(tmp_path, broken))
    assert _raw(path, "PRAGMA user_version") == [(1,)]
    assert _raw(path, "SELECT name FROM sqlite_master WHERE name IN ('half_done', 't')") == []
    # Nothing was lost, and the real migrations still bring it up to date.
    async with await Database.open(path) as db:
        assert await db.chats.get(1) is not None


async def test_a_table_rebuild_that_leaves_rows_pointing_at_nothing_is_rolled_back(tmp_path: Path) -> None:
    # Foreign keys are off while such a migration runs: nothing else would notice a row it lost.
    path = tmp_path / "db.sqlite3"
    await _v1_with_chat(tmp_path, path, 1)
    _write(
        path,
        "INSERT INTO subscriptions (chat_id, kind, value, created_at) VALUES (1, 'topic', 'sport', ?)",
        [(NOW,)],
    )
    lossy = (
        "0002_lossy.sql",
        "-- newsbot: foreign keys off\n"
        "DELETE FROM chats WHERE id = 1;",  # a rebuild copying all but one row comes to the same
    )
    with pytest.raises(
        SchemaError, match=r"0002_lossy\.sql failed and was rolled back.*1 rows pointing at no row"
    ):
        await Database.open(path, migrations=_migrations_dir(tmp_path, lossy))
    assert _raw(path, "PRAGMA user_version") == [(1,)]
    async with await Database.open(path) as db:
        assert await db.chats.get(1) is not None


async def test_rows_that_pointed_at_nothing_before_an_upgrade_do_not_lock_the_bot_out(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    # A chat deleted by hand in the sqlite3 shell (foreign keys off there) left its subscription behind, and an
    # item of a feed deleted the same way: harmless before, they made the feeds rebuild refuse every start.
    path = await _database_at(tmp_path, 23)
    _write(path, "INSERT INTO chats (id, created_at, updated_at) VALUES (?, ?, ?)", [(5, NOW, NOW)])
    _write(
        path,
        "INSERT INTO subscriptions (chat_id, kind, value, created_at) VALUES (5, 'topic', 'sport', ?)",
        [(NOW,)],
    )
    _write(path, "DELETE FROM chats WHERE id = ?", [(5,)])
    _two_feeds_one_deleted_by_hand(path)
    with caplog.at_level(logging.WARNING, logger="bot.store.db"):
        async with await Database.open(path) as db:
            assert db.schema_version == len(load_migrations())
            assert [(f.id, f.url) for f in await db.feeds.list()] == [(1, "https://one.example/rss")]
    # The operator still hears of them, once, at the upgrade.
    assert (
        "0024_feed_ids_never_reused.sql: 1 feed_items rows (to feeds), 1 subscriptions rows (to chats) "
        "already pointed at no row; left as they were"
    ) in caplog.text


async def test_a_rebuild_losing_a_row_is_caught_beside_rows_that_pointed_at_nothing_before(
    tmp_path: Path,
) -> None:
    # feed_items has no rowids: the check counts such rows per table, so one more of them is still seen.
    path = await _database_at(tmp_path, 23)
    _two_feeds_one_deleted_by_hand(path)
    lossy = (
        "0024_lossy.sql",
        "-- newsbot: foreign keys off\nDELETE FROM feeds WHERE id = 1;",
    )
    folder = _migrations_dir(tmp_path, *((m.name, m.sql) for m in load_migrations()[1:23]), lossy)
    with pytest.raises(
        SchemaError, match=r"0024_lossy\.sql failed and was rolled back.*1 rows pointing at no row"
    ):
        await Database.open(path, migrations=folder)
    assert _raw(path, "SELECT id FROM feeds") == [(1,)]


def test_migration_numbering_gaps_are_refused(tmp_path: Path) -> None:
    folder = _migrations_dir(tmp_path, ("0003_skipped_two.sql", "SELECT 1;"))
    with pytest.raises(SchemaError, match="without gaps"):
        load_migrations(folder)


async def test_write_rolls_back_on_error_and_releases_the_lock(db: Database) -> None:
    with pytest.raises(ValueError, match="boom"):
        async with db.write() as conn:
            await conn.execute(
                "INSERT INTO chats (id, created_at, updated_at) VALUES (?, ?, ?)", (9, NOW, NOW)
            )
            raise ValueError("boom")
    assert await db.chats.get(9) is None
    await add_chat(db, 10)  # the lock was released
    assert await db.chats.get(10) is not None


async def test_nested_write_fails_instead_of_hanging(db: Database) -> None:
    async with db.write():
        with pytest.raises(RuntimeError, match="not re-entrant"):
            async with db.write():
                pass


async def test_cancelled_writer_leaves_no_open_transaction(db: Database) -> None:
    started = asyncio.Event()

    async def slow_write() -> None:
        async with db.write() as conn:
            await conn.execute("INSERT INTO chats (id, created_at, updated_at) VALUES (1, 0, 0)")
            started.set()
            await asyncio.sleep(10)

    task = asyncio.create_task(slow_write())
    await started.wait()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert await db.chats.get(1) is None
    await add_chat(db, 2)
    assert await db.chats.get(2) is not None


async def test_closing_while_a_batch_is_being_stored_keeps_the_batch(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Shutdown used to close the connections under a running write: the batch was rolled back and lost, and
    # the writer failed with "Cannot operate on a closed database".
    path = tmp_path / "db.sqlite3"
    db = await Database.open(path)
    batch = [NewArticle(make_article(i), f"h{i}") for i in range(500)]
    first_stored = asyncio.Event()
    add_one = bot.store.articles._add_one

    async def noting_add_one(*args: Any) -> Any:
        result = await add_one(*args)
        first_stored.set()
        return result

    monkeypatch.setattr(bot.store.articles, "_add_one", noting_add_one)
    storing = asyncio.create_task(db.articles.add_many(batch, NOW))
    # The transaction is open with one article in: 499 more, each a round trip to the writer's thread, remain
    # (a fixed sleep could outlast the whole batch on a fast machine).
    await asyncio.wait_for(first_stored.wait(), 30)
    assert not storing.done()
    await db.close()
    assert len(await storing) == 500
    async with await Database.open(path) as again:
        assert await again.articles.count() == 500


async def test_readers_see_committed_data_while_a_write_is_open(db: Database) -> None:
    await add_chat(db, 1)
    async with db.write() as conn:
        await conn.execute("INSERT INTO chats (id, created_at, updated_at) VALUES (2, 0, 0)")
        started = time.perf_counter()
        assert await db.chats.get(1) is not None
        assert await db.chats.get(2) is None  # not committed yet
        # A read made to wait for the writer would take the 5 s busy timeout; 4 s leaves a loaded machine room.
        assert time.perf_counter() - started < 4.0
    assert await db.chats.get(2) is not None


async def test_200_concurrent_writes_on_one_database(db: Database) -> None:
    async def one(i: int) -> None:
        await db.chats.register(i, "private", f"chat {i}", ChatDefaults(), NOW)
        await db.subscriptions.add(i, "keyword", f"word{i}", NOW)

    await asyncio.gather(*(one(i) for i in range(200)))
    assert (await db.chats.count())["total"] == 200
    assert (await db.subscriptions.count())["keyword"] == 200


async def test_two_databases_on_one_file_write_at_once_without_losing_rows(tmp_path: Path) -> None:
    path = tmp_path / "db.sqlite3"
    first = await Database.open(path)
    second = await Database.open(path)
    try:

        async def writes(db: Database, start: int) -> None:
            for i in range(start, start + 150):
                await add_chat(db, i)

        await asyncio.gather(
            writes(first, 0), writes(second, 1000), writes(first, 2000), writes(second, 3000)
        )
        assert (await first.chats.count())["total"] == 600
        assert (await second.chats.count())["total"] == 600
    finally:
        await first.close()
        await second.close()


_CRASHING_WRITER = """
import asyncio, os, sys
from bot.store import ChatDefaults, Database

async def main() -> None:
    db = await Database.open(sys.argv[1])
    for i in range(50):
        await db.chats.register(i, "private", None, ChatDefaults(), 1.0)
    await db.subscriptions.add(7, "topic", "science", 1.0)
    print("committed", flush=True)
    os._exit(0)  # no close, no checkpoint: the WAL is left behind

asyncio.run(main())
"""


async def test_reopen_after_unclean_exit_keeps_committed_data(tmp_path: Path) -> None:
    path = tmp_path / "db.sqlite3"
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-c", _CRASHING_WRITER, str(path), env=env, stdout=asyncio.subprocess.PIPE
    )
    out, _ = await asyncio.wait_for(proc.communicate(), timeout=60)
    assert proc.returncode == 0
    assert out.decode().strip() == "committed"
    wal = path.with_name(path.name + "-wal")
    assert wal.exists() and wal.stat().st_size > 0
    async with await Database.open(path) as db:
        assert (await db.chats.count())["total"] == 50
        assert [s.value for s in await db.subscriptions.for_chat(7)] == ["science"]
        assert next(iter(await db.reader.execute_fetchall("PRAGMA integrity_check")))[0] == "ok"
        await add_chat(db, 99)
    async with await Database.open(path) as db:
        assert (await db.chats.count())["total"] == 51


async def test_a_second_writer_waits_for_the_first_instead_of_failing(tmp_path: Path) -> None:
    path = tmp_path / "db.sqlite3"
    async with await Database.open(path) as first, await Database.open(path) as second:
        async with first.write() as conn:
            await conn.execute("INSERT INTO chats (id, created_at, updated_at) VALUES (1, 0, 0)")
            waiting = asyncio.create_task(add_chat(second, 2))
            await asyncio.sleep(0.3)
            assert not waiting.done()  # blocked on the file lock, within busy_timeout
        await asyncio.wait_for(waiting, timeout=5)
        assert (await second.chats.count())["total"] == 2


async def test_writer_cancelled_while_waiting_for_the_file_lock_recovers(tmp_path: Path) -> None:
    path = tmp_path / "db.sqlite3"
    async with await Database.open(path) as first, await Database.open(path) as second:
        async with first.write():
            waiting = asyncio.create_task(add_chat(second, 2))
            await asyncio.sleep(0.2)
            waiting.cancel()
            await asyncio.sleep(0.1)
        with pytest.raises(asyncio.CancelledError):
            await asyncio.wait_for(waiting, timeout=2)
        # The BEGIN that was still queued on second's connection must not leave a transaction open.
        await asyncio.wait_for(add_chat(second, 3), timeout=5)
        await add_chat(first, 4)
        assert await second.chats.get(2) is None
        assert (await first.chats.count())["total"] == 2


async def test_two_processes_starting_at_once_migrate_once(tmp_path: Path) -> None:
    path = tmp_path / "db.sqlite3"
    first, second = await asyncio.gather(Database.open(path), Database.open(path))
    try:
        assert first.schema_version == second.schema_version == len(load_migrations())
        await add_chat(first, 1)
        assert await second.chats.get(1) is not None
    finally:
        await first.close()
        await second.close()


async def test_a_file_that_is_not_a_database_is_refused_clearly(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_bytes(b"these are my notes, not a database\n" * 200)
    with pytest.raises(SchemaError, match="is not a newsbot database"):
        await Database.open(path)


async def test_a_damaged_database_is_refused_clearly(tmp_path: Path) -> None:
    # A database cut short (a copy that stopped half way, a full disk) used to escape as a bare
    # sqlite3.DatabaseError: the operator got a traceback instead of a one-line reason.
    path = tmp_path / "db.sqlite3"
    async with await Database.open(path) as db:
        await db.articles.add_many(
            [NewArticle(make_article(i, body="word " * 2000), f"h{i}") for i in range(50)], NOW
        )
    path.write_bytes(path.read_bytes()[:8192])
    with pytest.raises(SchemaError, match=f"{path.name} is damaged .*malformed.*restore it from a backup"):
        await Database.open(path)


def test_an_open_error_raised_by_python_itself_is_still_described(tmp_path: Path) -> None:
    # Errors the sqlite3 module raises itself carry no SQLite result code: reading one turned the one-line
    # reason into an AttributeError traceback at start-up.
    error = sqlite3.OperationalError("database is locked")
    assert not hasattr(error, "sqlite_errorcode")
    described = _describe_open_error(tmp_path / "news.sqlite3", error, 5000)
    assert described.startswith(f"{tmp_path / 'news.sqlite3'} is locked by another process (waited 5 s)")


def test_a_file_that_cannot_be_opened_is_not_blamed_on_its_folder(tmp_path: Path) -> None:
    # A database file newsbot may not read (mode 600, another owner) fails to open with SQLite's "unable to open
    # database file", which said "check that its folder exists and is writable" of a folder that was fine.
    # Simulated: root reads any file.
    path = tmp_path / "news.sqlite3"
    path.write_bytes(b"")
    error = sqlite3.OperationalError("unable to open database file")
    assert _describe_open_error(path, error, 5000) == (
        f"cannot open {path}: unable to open database file (check the permissions and owner of the file and its "
        "folder)"
    )
    missing = tmp_path / "gone" / "news.sqlite3"
    assert _describe_open_error(missing, error, 5000).endswith(
        "(check that its folder exists and is writable)"
    )


async def test_a_full_disk_is_named_and_told_from_a_bug_in_a_statement(tmp_path: Path) -> None:
    # "cannot use newsbot.sqlite3: database or disk is full" left the operator guessing which of the two; and a
    # command refused so must be told apart from a broken statement (a bug, with its trace).
    async with await Database.open(tmp_path / "news.sqlite3") as db:
        with pytest.raises(sqlite3.OperationalError) as bug:
            await db.reader.execute("SELECT nothing FROM nowhere")
        async with db.write() as conn:
            await conn.execute("PRAGMA max_page_count = 1")  # below the file's size: every new page refused
            with pytest.raises(sqlite3.OperationalError) as full:
                # More pages than a new file's free ones (migrations that rebuild a table leave some).
                await conn.execute("CREATE TABLE ballast AS SELECT zeroblob(100000) AS b")
    assert write_refused(full.value) and not write_refused(bug.value)
    assert db.refusal(full.value).args[0] == (
        f"the disk holding {tmp_path / 'news.sqlite3'} is full (database or disk is full): free some space on it"
    )


async def _used_for_statistics(db: Database) -> None:
    """Rows written and looked up on the writer, so that PRAGMA optimize at close has statistics to write."""
    async with db.write() as conn:
        for chat_id in range(1, 301):
            await conn.execute(
                "INSERT INTO chats (id, created_at, updated_at) VALUES (?, ?, ?)", (chat_id, NOW, NOW)
            )
        for chat_id in range(1, 51):
            await conn.execute("UPDATE chats SET updated_at = ? WHERE id = ?", (NOW + 1, chat_id))
            await conn.execute_fetchall(
                "SELECT id FROM deliveries WHERE chat_id = ? AND status = 'pending'", (chat_id,)
            )


@pytest.mark.parametrize("refusal", ["full disk", "another program writing"])
async def test_a_stop_on_a_full_or_busy_database_logs_no_warning_about_its_statistics(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, refusal: str
) -> None:
    # Closing refreshes the planner's statistics (PRAGMA optimize), a write: on a full disk, or while another
    # program (newsbot ingest, a backup) held the write lock, every stop ended with "PRAGMA optimize failed" and a
    # traceback, which read as damage to the database. Nothing is lost: the refresh waits for the next stop.
    path = tmp_path / "db.sqlite3"
    db = await Database.open(path)
    other = sqlite3.connect(path, isolation_level=None)
    try:
        await _used_for_statistics(db)
        if refusal == "full disk":
            async with db.write() as conn:
                # Below the file's size: every new page is refused.
                await conn.execute("PRAGMA max_page_count = 1")
        else:
            other.execute("BEGIN IMMEDIATE")
        with caplog.at_level(logging.DEBUG, logger="bot.store.db"):
            await db.close()
    finally:
        other.close()
    assert not [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    assert [r for r in caplog.records if "PRAGMA optimize skipped" in r.getMessage()]


async def test_a_read_only_database_is_refused_at_open_instead_of_failing_every_write(tmp_path: Path) -> None:
    # SQLite opens a file it may not write for reading, without a word: newsbot started, and then every write
    # failed (`newsbot ingest` printed a traceback for each article; `newsbot run` answered nobody).
    path = tmp_path / "db.sqlite3"
    async with await Database.open(path) as db:
        await add_chat(db, 1)
    refusal = ""
    with read_only(path):
        try:
            opened = await Database.open(path)
        except DatabaseUnavailable as exc:
            refusal = str(exc)
        else:
            await opened.close()
    assert re.search(r"db\.sqlite3 is read-only: .*permissions", refusal), refusal
    async with await Database.open(path) as db:  # writable again: nothing was lost or changed
        assert await db.chats.get(1) is not None


def test_split_statements_keeps_triggers_strings_and_comments_whole() -> None:
    sql = (
        "-- header; with a semicolon\n"
        "CREATE TABLE t (a TEXT DEFAULT ';');\n"
        "CREATE TRIGGER tr AFTER INSERT ON t BEGIN\n  INSERT INTO t VALUES ('x;y');\n  SELECT 1;\nEND;\n"
        "/* trailing; comment */\n"
    )
    statements = split_statements(sql)
    assert len(statements) == 2
    assert statements[0].endswith("CREATE TABLE t (a TEXT DEFAULT ';');")
    assert statements[1].startswith("CREATE TRIGGER tr") and statements[1].endswith("END;")
    with pytest.raises(SchemaError, match="unfinished statement"):
        split_statements("CREATE TABLE t (a);\nCREATE TABLE u (b")


@pytest.mark.skipif(not Path("/proc/self").is_dir(), reason="needs a folder where no file can be created")
async def test_a_database_that_cannot_be_opened_leaves_no_thread_behind() -> None:
    # aiosqlite queues the stop of its worker thread on a failed connect without waiting for it; a thread
    # still running when `newsbot ingest` closes its event loop printed a traceback after the one-line error.
    before = set(threading.enumerate())
    with pytest.raises(DatabaseUnavailable, match="cannot open"):
        await Database.open("/proc/newsbot-test.sqlite3")
    new = [t for t in threading.enumerate() if t not in before and not t.name.startswith("asyncio_")]
    assert [t for t in new if t.is_alive()] == []  # the event loop's own executor threads aside


async def test_another_programs_database_is_left_untouched(tmp_path: Path) -> None:
    # NEWSBOT_DB_PATH pointed at another program's SQLite file by mistake: newsbot used to switch it to WAL and
    # add its own tables beside the other program's (or fail half way with "table chats already exists").
    path = tmp_path / "other.sqlite3"
    with sqlite3.connect(path) as conn:
        conn.executescript("CREATE TABLE notes (body TEXT); INSERT INTO notes VALUES ('mine');")
    conn.close()
    before = path.read_bytes()
    with pytest.raises(SchemaError, match=r"other\.sqlite3 is not a newsbot database .*notes.*new file"):
        await Database.open(path)
    assert path.read_bytes() == before
    assert _raw(path, "PRAGMA journal_mode") == [("delete",)]


async def test_file_problem_of_a_relative_path_survives_a_change_of_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # SQLite opened the file its relative path named at start-up; a later chdir does not make it "deleted".
    (tmp_path / "data").mkdir()
    monkeypatch.chdir(tmp_path)
    async with await Database.open(Path("data/db.sqlite3")) as db:
        assert db.file_problem() is None
        monkeypatch.chdir(tmp_path / "data")
        assert db.file_problem() is None
        (tmp_path / "data" / "db.sqlite3").unlink()
        assert db.file_problem() is not None


async def test_the_wal_file_shrinks_back_after_one_big_transaction(tmp_path: Path) -> None:
    # One big transaction (a poll planning alerts for thousands of chats) grows the -wal file; a checkpoint
    # rewinds it but kept its size: tens of MB on the operator's disk for as long as the bot ran.
    path = tmp_path / "news.sqlite3"
    async with await Database.open(path) as db:
        body = "A sentence written for this test about nothing at all. " * 2000  # ~110 KB
        big = [NewArticle(make_article(n, body=f"{n} {body}"), f"hash {n}") for n in range(250)]
        await db.articles.add_many(big, NOW)
        assert _wal_size(path) > 24 * 1024 * 1024
        await add_chat(db, 1)
        await add_chat(db, 2)
        assert _wal_size(path) <= 17 * 1024 * 1024


def _wal_size(path: Path) -> int:
    return os.path.getsize(f"{path}-wal")
