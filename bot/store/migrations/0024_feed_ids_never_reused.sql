-- newsbot: foreign keys off
-- A feed's id was reused: after /removefeed of the newest feed, the next /addfeed got its id, and a poll of the
-- removed feed still running stored its title, site, items and articles as the new feed's, whose first poll
-- then looked like a domain that changed hands. AUTOINCREMENT never gives an id twice. SQLite cannot add it to
-- a table, so the table is rebuilt with every row and id as they were (articles and feed_items point at them;
-- with foreign keys off, the mark above, dropping the old table leaves their rows alone). It holds a row per
-- feed: a few milliseconds even for thousands of feeds.
CREATE TABLE feeds_new (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,  -- never reused: a poll running may still hold an id
    url             TEXT    NOT NULL UNIQUE,
    topics          TEXT    NOT NULL DEFAULT '',        -- space-separated catalogue topic ids
    origin          TEXT    NOT NULL DEFAULT 'admin' CHECK (origin IN ('settings', 'admin')),
    title           TEXT,
    etag            TEXT,
    last_modified   TEXT,
    added_by        INTEGER,
    created_at      REAL    NOT NULL,
    last_polled_at  REAL,
    last_success_at REAL,
    next_poll_at    REAL    NOT NULL DEFAULT 0,
    failures        INTEGER NOT NULL DEFAULT 0,         -- consecutive failures, for backoff
    last_error      TEXT,
    dead            INTEGER NOT NULL DEFAULT 0,
    items_left      INTEGER NOT NULL DEFAULT 0,
    link            TEXT
);
INSERT INTO feeds_new (
    id, url, topics, origin, title, etag, last_modified, added_by, created_at, last_polled_at, last_success_at,
    next_poll_at, failures, last_error, dead, items_left, link
)
SELECT
    id, url, topics, origin, title, etag, last_modified, added_by, created_at, last_polled_at, last_success_at,
    next_poll_at, failures, last_error, dead, items_left, link
FROM feeds;
DROP TABLE feeds;
ALTER TABLE feeds_new RENAME TO feeds;
