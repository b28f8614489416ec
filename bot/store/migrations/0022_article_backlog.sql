-- Articles a feed's first poll found already listed (its backlog: pushed to nobody). A later edit of one by its
-- feed is no news either, whatever its date says (undated, or a feed dating every item with the request time).
ALTER TABLE articles ADD COLUMN backlog INTEGER NOT NULL DEFAULT 0;
-- Older newsbots kept no such mark: a feed's article that was pushed to nobody (no alert or digest planned, none
-- still to plan) counts as backlog, or an edit of an undated first poll's item brought that old news as an alert.
-- An article that merely matched nobody is taken along: its edit alerts nobody, as it did before this version.
UPDATE articles SET backlog = 1 WHERE feed_id IS NOT NULL AND alert_pending = 0
    AND NOT EXISTS (SELECT 1 FROM deliveries WHERE deliveries.article_id = articles.id);
