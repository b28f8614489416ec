-- The title each remembered feed item had: a guid and a page alone do not tell a new item from a known one when
-- the site reuses guids (numbering items by position) and the query string left out of the page names the
-- article (article.php?id=N listed alone). NULL for items remembered before: they count as unknown once.
ALTER TABLE feed_items ADD COLUMN title TEXT;
