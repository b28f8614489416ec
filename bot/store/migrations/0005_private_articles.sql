-- An article stored only because a chat asked for the summary of a link belongs to the chats that asked: the
-- link may be private (a shared document, an intranet page, a token in its query). Other chats neither list,
-- search nor open it. A feed or `newsbot ingest` bringing the same article makes it public.
ALTER TABLE articles ADD COLUMN private INTEGER NOT NULL DEFAULT 0;
CREATE TABLE article_readers (
    article_id INTEGER NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    chat_id    INTEGER NOT NULL REFERENCES chats (id) ON DELETE CASCADE ON UPDATE CASCADE,
    PRIMARY KEY (chat_id, article_id)
) WITHOUT ROWID;
CREATE INDEX article_readers_by_article ON article_readers (article_id);
