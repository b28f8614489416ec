-- Articles of which only the start could be read (a paywall or sign-in wall hides the rest): their summaries,
-- by /summary of the link, of the id or by a button, say so. Earlier articles are not known to be partial.
ALTER TABLE articles ADD COLUMN partial INTEGER NOT NULL DEFAULT 0;
