-- A poll that left items of the feed for its next polls (more than a poll reads): those items may be hours old
-- when read, and are late news then (a catch-up), however recent that next poll is.
ALTER TABLE feeds ADD COLUMN items_left INTEGER NOT NULL DEFAULT 0;
