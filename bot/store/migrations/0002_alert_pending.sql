-- Articles a feed poll found new whose alerts are not planned yet. Set when the article is stored, cleared in
-- the transaction that plans its deliveries: articles stored just before a crash are planned after it.
ALTER TABLE articles ADD COLUMN alert_pending INTEGER NOT NULL DEFAULT 0;
CREATE INDEX articles_alert_pending ON articles (id) WHERE alert_pending = 1;
