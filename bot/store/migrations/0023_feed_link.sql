-- The site a feed names as its own (RSS <link>, Atom alternate, JSON Feed home_page_url), kept from its last
-- successful read: a poll finding another site's host there (and none of the feed's items) found a domain that
-- changed hands. Feeds read before are not known to name one until their next read.
ALTER TABLE feeds ADD COLUMN link TEXT;
