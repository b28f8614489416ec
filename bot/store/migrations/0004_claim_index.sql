-- The sender claims due alerts oldest first, at most two per chat. Ranking every pending row per chat took
-- 0.85 s inside the write lock with 900,000 rows queued (one poll for 10,000 chats plans that many), at every
-- claim, about once a second. These partial indexes hold only queued rows, so the claim walks them in id order
-- and stops once it has enough; rows leave them when claimed, so they stay as small as the queue.
CREATE INDEX deliveries_pending ON deliveries (kind, id, not_before, chat_id) WHERE status = 'pending';
CREATE INDEX deliveries_pending_chat ON deliveries (chat_id, kind, id, not_before) WHERE status = 'pending';
