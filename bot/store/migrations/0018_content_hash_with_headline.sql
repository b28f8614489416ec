-- An article's content hash once left out the headline of a text of 50 words or more (and cut Hindi, Bengali...
-- words at their vowel signs); newsbot computes it otherwise since, but the hashes stored before stayed: an
-- article stored then that came back at another address (a site moving its pages, a copy in a second feed) was
-- no longer known by its text, so it was stored, listed twice and, once its story was over, alerted again.
-- Every stored hash is computed again here by the code that hashes new articles (content_fingerprint, which
-- Database.open lends to the migrations). OR IGNORE: where two stored articles now hash alike (their texts
-- differed only in what the old rule counted), one holds the new hash and the other keeps its old one.
UPDATE OR IGNORE articles SET content_hash = content_fingerprint(title, body)
WHERE content_hash != content_fingerprint(title, body);
