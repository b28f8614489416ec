-- Articles a feed's first poll found already listed (its backlog: pushed to nobody). A later edit of one by its
-- feed is no news either, whatever its date says (undated, or a feed dating every item with the request time).
ALTER TABLE articles ADD COLUMN backlog INTEGER NOT NULL DEFAULT 0;
