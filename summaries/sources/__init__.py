"""Article sources: feeds, pages and local files. Pure parsing here; fetching is :mod:`summaries.fetch`."""

from summaries.sources.feeds import (
    FeedError,
    FeedItem,
    ParsedFeed,
    is_teaser,
    item_to_article,
    looks_like_feed,
    parse_feed,
)
from summaries.sources.files import SourceFileError, read_source_file
from summaries.sources.pages import ExtractedPage, ExtractionError, extract_page, page_to_article

__all__ = [
    "ExtractedPage",
    "ExtractionError",
    "FeedError",
    "FeedItem",
    "ParsedFeed",
    "SourceFileError",
    "extract_page",
    "is_teaser",
    "item_to_article",
    "looks_like_feed",
    "page_to_article",
    "parse_feed",
    "read_source_file",
]
