-- /search matched only the exact word typed: "election" missed "elections", "hired" missed "hiring". The
-- index is rebuilt with FTS5's porter stemmer over the same unicode61 tokens, so a word finds its English
-- forms. Other languages keep matching exactly: the stemmer only strips English endings, the same way in the
-- text and in the query. The triggers on articles name the table and keep working with the new one.
DROP TABLE articles_fts;
CREATE VIRTUAL TABLE articles_fts USING fts5 (
    title, body, content = 'articles', content_rowid = 'id', tokenize = 'porter unicode61 remove_diacritics 2'
);
INSERT INTO articles_fts (articles_fts) VALUES ('rebuild');
