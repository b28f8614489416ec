-- Pruning keeps an article while any of its deliveries is still queued (after an outage longer than the
-- retention window, those are the alerts and digests the restart must still send). The check runs for every
-- old article; this index holds only queued rows, so it stays as small as the queue and never walks the
-- thousands of finished rows a widely sent article has.
CREATE INDEX deliveries_queued_article ON deliveries (article_id) WHERE status IN ('pending', 'sending');
