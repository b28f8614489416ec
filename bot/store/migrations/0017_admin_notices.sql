-- Messages the bot sends its admins on its own (a feed that stopped working, or works again): an outbox of their
-- own, as they belong to no article. A row is written in the transaction that changes the feed, so a restart
-- neither loses the message nor writes it again; UNIQUE (chat_id, key) keeps one per admin and event.
CREATE TABLE admin_notices (
    id          INTEGER PRIMARY KEY,
    chat_id     INTEGER NOT NULL REFERENCES chats (id) ON DELETE CASCADE ON UPDATE CASCADE,
    key         TEXT    NOT NULL,                          -- what it tells, e.g. 'feed-dead:12:1767225600.0'
    text        TEXT    NOT NULL,                          -- the rendered HTML message
    status      TEXT    NOT NULL DEFAULT 'pending'
                CHECK (status IN ('pending', 'sending', 'sent', 'failed', 'dropped')),
    created_at  REAL    NOT NULL,
    not_before  REAL    NOT NULL DEFAULT 0,                -- Telegram unreachable or a 429: tried again then
    attempts    INTEGER NOT NULL DEFAULT 0,
    finished_at REAL,
    error       TEXT,
    UNIQUE (chat_id, key)
);
CREATE INDEX admin_notices_queue ON admin_notices (not_before) WHERE status = 'pending';
