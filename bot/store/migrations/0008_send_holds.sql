-- A 429's retry_after outlives a restart: the sender records when Telegram said it may send again, per chat
-- (or for the whole bot, chat_id 0: Telegram chat ids are never 0), and a restarted sender waits out the rest
-- instead of sending at once and being refused again. Times are UTC epoch seconds; retry_after is the wait
-- Telegram asked for, so a clock put back never makes the wait after a restart longer than that.
CREATE TABLE send_holds (
    chat_id     INTEGER PRIMARY KEY,
    not_before  REAL    NOT NULL,
    retry_after REAL    NOT NULL
);
