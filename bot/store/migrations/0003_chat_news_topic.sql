-- In a forum supergroup, the topic (message_thread_id) where alerts and digests go: the one an administrator
-- last set the chat's subscriptions or settings up in. NULL: "General", or not a forum.
ALTER TABLE chats ADD COLUMN thread_id INTEGER;
