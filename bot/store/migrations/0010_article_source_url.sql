-- The outlet's site an aggregator's feed item names (RSS/Atom <source>), when its link is the aggregator's:
-- story grouping after a restart tells the outlets apart by it, as it did before.
ALTER TABLE articles ADD COLUMN source_url TEXT;
