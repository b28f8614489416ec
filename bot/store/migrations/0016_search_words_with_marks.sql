-- The index cut words of scripts written with combining marks at each vowel sign: unicode61 counts only
-- letters, digits and private-use characters (categories L*, N*, Co) as parts of a token, so Hindi "भारत" was
-- stored as "भ" + "रत", and a /search for it found "भारती" too (the same two pieces in a row). Marks (M*) are
-- token characters now, as in summaries.text.WORD_CHARS: Hindi, Bengali, Tamil... words are whole. Accents
-- on Latin letters are still dropped (remove_diacritics), so "café" still finds "cafe".
DROP TABLE articles_fts;
CREATE VIRTUAL TABLE articles_fts USING fts5 (
    title, body, content = 'articles', content_rowid = 'id',
    tokenize = "porter unicode61 remove_diacritics 2 categories 'L* N* Co M*'"
);
INSERT INTO articles_fts (articles_fts) VALUES ('rebuild');
