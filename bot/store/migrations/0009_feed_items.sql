-- The guid each feed gave its items, with the item's address up to its path and its title: an item whose link
-- changes at every fetch (a session id in the query string) but keeps its guid, path and title is the same
-- item, not news. The title, because some sites reuse guids (numbering items by position) and the query string
-- left out of the page may name the article (article.php?id=N listed alone).
-- seen_at (UTC epoch seconds) is refreshed while the feed lists the item; rows go with their feed.
CREATE TABLE feed_items (
    feed_id  INTEGER NOT NULL REFERENCES feeds (id) ON DELETE CASCADE,
    guid     TEXT    NOT NULL,
    page     TEXT    NOT NULL,
    title    TEXT    NOT NULL,
    seen_at  REAL    NOT NULL,
    PRIMARY KEY (feed_id, guid)
) WITHOUT ROWID;
