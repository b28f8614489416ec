-- A search for words in Chinese, Japanese, Thai, Lao, Burmese or Khmer looks for them inside title and body (the
-- index holds a run of such characters as one token), and one that found nothing read every article: 0.28 s
-- at 50,000. Only an article with a character of these scripts can hold such a word, so the search walks just
-- those, newest first, through this partial index. New articles get the mark when stored (summaries.text
-- .is_unspaced); articles stored before are marked here, by the same characters: those of summaries.text
-- ._UNSPACED (Thai/Lao, Myanmar, Khmer, kana, CJK ideographs and their extensions).
ALTER TABLE articles ADD COLUMN unspaced INTEGER NOT NULL DEFAULT 0;
-- The length test skips pure-ASCII articles cheaply; GLOB reads the rest (~0.4 ms for 3 KB).
UPDATE articles SET unspaced = 1
WHERE length(CAST(title || body AS BLOB)) > length(title || body)
  AND (title GLOB '*[฀-໿က-႟ក-៿぀-ヿㇰ-ㇿ㐀-䶿一-鿿豈-﫿𠀀-𱍏]*' OR body GLOB '*[฀-໿က-႟ក-៿぀-ヿㇰ-ㇿ㐀-䶿一-鿿豈-﫿𠀀-𱍏]*');
CREATE INDEX articles_unspaced ON articles (min(coalesce(published_at, fetched_at), fetched_at), id)
WHERE unspaced = 1;
