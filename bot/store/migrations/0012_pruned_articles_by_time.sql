-- Once a day the bot forgets pruned articles no feed has listed for 90 days. The table holds two keys per
-- article pruned in that time (1.2 million at 6,700 articles a day) and the delete read all of them inside the
-- write lock: 0.6 s in which no delivery could be recorded, growing with the feeds' volume. By this index it
-- reads only the rows it deletes.
CREATE INDEX pruned_articles_by_time ON pruned_articles (pruned_at);
