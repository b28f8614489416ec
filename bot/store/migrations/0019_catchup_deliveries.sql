-- An alert of a story that was hours old when a poll found it (a feed back after an outage, a bot restarted after
-- days): held a moment with the others found then, so more than a few come as one catch-up round-up, under its
-- own heading rather than the quiet-hours one.
ALTER TABLE deliveries ADD COLUMN catchup INTEGER NOT NULL DEFAULT 0;
