-- newsbot schema, version 1. Times are UTC epoch seconds (REAL); the caller passes "now" so tests can inject time.

CREATE TABLE chats (
    id                INTEGER PRIMARY KEY,              -- Telegram chat id
    type              TEXT    NOT NULL DEFAULT 'private',
    title             TEXT,
    active            INTEGER NOT NULL DEFAULT 1,       -- 0 once Telegram said blocked / not found
    inactive_reason   TEXT,
    mode              TEXT    NOT NULL DEFAULT 'instant' CHECK (mode IN ('instant', 'digest')),
    digest_times      TEXT    NOT NULL DEFAULT '08:00', -- comma-separated local HH:MM, sorted
    timezone          TEXT    NOT NULL DEFAULT 'UTC',   -- IANA name
    summary_sentences INTEGER NOT NULL DEFAULT 3 CHECK (summary_sentences BETWEEN 1 AND 10),
    quiet_start       TEXT,                             -- local HH:MM, NULL = no quiet hours
    quiet_end         TEXT,
    paused            INTEGER NOT NULL DEFAULT 0,
    created_at        REAL    NOT NULL,
    updated_at        REAL    NOT NULL,
    last_digest_at    REAL,                             -- when the last digest was sent
    next_digest_at    REAL                              -- when the next digest is due (digest mode only)
);
CREATE INDEX chats_next_digest ON chats (next_digest_at) WHERE mode = 'digest' AND active = 1;

CREATE TABLE subscriptions (
    chat_id    INTEGER NOT NULL REFERENCES chats (id) ON DELETE CASCADE ON UPDATE CASCADE,
    kind       TEXT    NOT NULL CHECK (kind IN ('topic', 'keyword')),
    value      TEXT    NOT NULL,                        -- topic id, or keyword/phrase in lower case
    created_at REAL    NOT NULL,
    PRIMARY KEY (chat_id, kind, value)
);
CREATE INDEX subscriptions_by_value ON subscriptions (kind, value);

CREATE TABLE feeds (
    id              INTEGER PRIMARY KEY,
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
    dead            INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE articles (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,  -- never reused: users see these ids
    url             TEXT    NOT NULL UNIQUE,            -- canonical URL
    title           TEXT    NOT NULL,
    source          TEXT    NOT NULL,
    published_at    REAL,
    fetched_at      REAL    NOT NULL,
    language        TEXT,
    body            TEXT    NOT NULL,
    topics          TEXT    NOT NULL DEFAULT '',        -- space-separated catalogue topic ids
    categories      TEXT    NOT NULL DEFAULT '[]',      -- JSON list, as declared by the feed
    summary         TEXT    NOT NULL DEFAULT '[]',      -- JSON list of summary sentences
    content_hash    TEXT    NOT NULL,
    story_signature TEXT,
    story_id        INTEGER NOT NULL,                   -- id of the first article of the same story
    feed_id         INTEGER REFERENCES feeds (id) ON DELETE SET NULL
);
CREATE UNIQUE INDEX articles_content_hash ON articles (content_hash);
CREATE INDEX articles_story ON articles (story_id);
CREATE INDEX articles_fetched ON articles (fetched_at);
-- /latest orders by this expression: future publication dates count as the fetch time.
CREATE INDEX articles_newest ON articles (min(coalesce(published_at, fetched_at), fetched_at), id);

-- What was stored once and pruned since, so a feed that still lists it does not bring it back as new.
CREATE TABLE pruned_articles (
    key       TEXT PRIMARY KEY,                         -- canonical URL or content hash
    pruned_at REAL NOT NULL
);

CREATE VIRTUAL TABLE articles_fts USING fts5 (
    title, body, content = 'articles', content_rowid = 'id', tokenize = 'unicode61 remove_diacritics 2'
);
CREATE TRIGGER articles_fts_insert AFTER INSERT ON articles BEGIN
    INSERT INTO articles_fts (rowid, title, body) VALUES (new.id, new.title, new.body);
END;
CREATE TRIGGER articles_fts_delete AFTER DELETE ON articles BEGIN
    INSERT INTO articles_fts (articles_fts, rowid, title, body) VALUES ('delete', old.id, old.title, old.body);
END;
CREATE TRIGGER articles_fts_update AFTER UPDATE OF title, body ON articles BEGIN
    INSERT INTO articles_fts (articles_fts, rowid, title, body) VALUES ('delete', old.id, old.title, old.body);
    INSERT INTO articles_fts (rowid, title, body) VALUES (new.id, new.title, new.body);
END;

-- The outbox: one row per (chat, story), planned once; the unique constraint is the exactly-once guarantee.
CREATE TABLE deliveries (
    id          INTEGER PRIMARY KEY,
    chat_id     INTEGER NOT NULL REFERENCES chats (id) ON DELETE CASCADE ON UPDATE CASCADE,
    story_id    INTEGER NOT NULL,
    article_id  INTEGER NOT NULL,                       -- the article that represents the story for this chat
    kind        TEXT    NOT NULL CHECK (kind IN ('alert', 'digest')),
    status      TEXT    NOT NULL DEFAULT 'pending'
                CHECK (status IN ('pending', 'sending', 'sent', 'failed', 'dropped')),
    matched     TEXT    NOT NULL DEFAULT '',            -- topic id or keyword that matched, for grouping
    score       REAL    NOT NULL DEFAULT 0,             -- for "best first" in digests
    planned_at  REAL    NOT NULL,
    not_before  REAL    NOT NULL DEFAULT 0,             -- quiet hours, retry_after
    attempts    INTEGER NOT NULL DEFAULT 0,
    finished_at REAL,                                   -- sent, failed or dropped at
    error       TEXT,
    UNIQUE (chat_id, story_id)
);
CREATE INDEX deliveries_queue ON deliveries (status, kind, not_before);
CREATE INDEX deliveries_finished ON deliveries (finished_at);
CREATE INDEX deliveries_article ON deliveries (article_id);  -- pruning deletes by article
