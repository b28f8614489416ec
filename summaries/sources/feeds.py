"""Feeds: RSS 0.9x/1.0/2.0 and Atom (through feedparser) and JSON Feed (parsed here), pure functions on bytes.

Fetching is someone else's job (:mod:`summaries.fetch`); this module turns the bytes of a feed into
:class:`ParsedFeed` and its items into :class:`~summaries.articles.Article` values.
"""

from __future__ import annotations

import calendar
import codecs
import hashlib
import html.entities
import itertools
import json
import logging
import re
import time
from collections import Counter, deque
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from typing import Any
from urllib.parse import parse_qsl, urljoin, urlsplit
from xml.parsers.expat import errors as expat_errors

import feedparser
import feedparser.encodings
import lxml.etree
import lxml.html
import lxml.html.defs

from summaries.articles import Article
from summaries.fetch import (
    decode_bytes,
    has_wide_bom,
    readable_codec,
    utf8_with_strays,
    wide_charset,
    wide_text,
)
from summaries.sources.pages import MAX_TAG_ATTRIBUTES, more_than, tame_markup
from summaries.topics import default_catalogue
from summaries.urls import canonical_url, site_host

log = logging.getLogger(__name__)

# A teaser is what a feed gives instead of the article: fewer words than this, or a "read more" stub.
TEASER_WORDS = 120
_TEASER_TAIL = re.compile(
    r"(\.\.\.|…|\[\s*(?:…|\.\.\.)\s*\]|\b(?:read|continue reading|read more|more)\s*(?:»|›|→|>>)?)\s*$", re.I
)
_BLOCK_TAGS = frozenset(
    {
        "p",
        "div",
        "br",
        "li",
        "ul",
        "ol",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "blockquote",
        "pre",
        "tr",
        "table",
        "section",
        "article",
        "header",
        "footer",
        "figure",
        "figcaption",
        "hr",
        "dd",
        "dt",
    }
)
_DROP_TAGS = ("script", "style", "noscript", "iframe", "object", "embed", "template", "svg", "form")
_FEED_ROOT = re.compile(rb"<(?:[A-Za-z0-9_-]+:)?(rss|feed|RDF)[\s>/]")
_MAX_ITEMS = 1000  # a hostile feed with a million items must not stall ingestion
# The scheme feedparser gives an item's itunes:keywords (and the channel-level itunes:category).
_ITUNES_KEYWORDS = "http://www.itunes.com/"
# What a feed's title says about the page it came from rather than who publishes it: "BBC News - Home",
# "Harbour Daily | RSS Feed", "Harbour Daily RSS". As an alert's source it read "TrotterCashion - Home".
_FEED_TITLE_FURNITURE = re.compile(
    r"(?:\s+[-–—|:»]|\s*::)\s+(?:home(?:\s?page)?|front\s?page|all (?:posts|stories|articles)"
    r"|(?:rss|atom)(?:\s+feeds?)?|feeds?)\s*$"
    # Without a separator only "RSS": "The Atom" and "Feed the World" are names.
    r"|\s+rss(?:\s+feeds?)?\s*$",
    re.IGNORECASE,
)
# Characters that must not reach storage or Telegram: C0 controls but tab and line breaks, DEL, and lone
# surrogates (from JSON escapes such as "\ud800"; they cannot be encoded to UTF-8 at all).
_CONTROLS = re.compile("[\x00-\x08\x0e-\x1f\x7f]")
_SURROGATES = re.compile("[\ud800-\udfff]")
# Numeric character references; feedparser's fallback parser raises on a surrogate or one beyond U+10FFFF.
_CHAR_REF = re.compile(rb"&#(?:[xX]([0-9a-fA-F]+)|([0-9]+));?")
# Python's punycode codec decodes in quadratic time (a 200 kB feed declared in it took 3 s, 5 MB would take half
# an hour), and feedparser decodes by the declared encoding. So does the idna codec, on a long "xn--" label (a
# 100 kB feed: 3 s), and a UTF-8 byte order mark before the declaration hid it from this check. No feed is
# written in either.
_SLOW_CODEC_DECLARED = re.compile(
    rb"^(?:\xef\xbb\xbf)?<\?xml[^>]{0,200}?encoding\s*=\s*[\"']\s*(punycode|idna)", re.IGNORECASE
)
_DECLARED_ENCODING = re.compile(
    rb"^<\?xml[^>]{0,200}?encoding\s*=\s*[\"']\s*([^\"'\s>]{1,40})", re.IGNORECASE
)
# feedparser's strict parser looks each attribute up by a linear scan of the tag's attributes: an item tag
# with 40,000 of them took 18 s, a 5 MB feed would take hours. XML is strict, so its tokens are plain to see.
_XML_TOKEN = re.compile(
    rb"<!--.*?(?:-->|\Z)|<!\[CDATA\[.*?(?:\]\]>|\Z)|<\?.*?(?:\?>|\Z)"
    rb"|</?[^\s/>!?]+(?P<attrs>(?:\s+|[^\s/>=]+\s*=\s*(?:\"[^\"]*\"|'[^']*'))*)",
    re.DOTALL,
)
_XML_ATTRIBUTE = re.compile(rb"[^\s/>=]+\s*=\s*(?:\"[^\"]*\"|'[^']*')")
# Markup left as text once the feed's HTML is parsed: it was escaped twice. Embeds only count with attributes
# (a slide or video player pasted into a post), so prose about "the <object> element" stays.
_ESCAPED_MARKUP = re.compile(
    r"<(?:p|br|div|a|img|span)\b|<(?:object|embed|iframe|video|audio|param|source)\s[^<>]*=", re.I
)
_JSON_FEED_MARK = re.compile(rb"jsonfeed\.org\\?/version")
_SUBSET_END = re.compile(rb"\]\s*>")
# Feed autodiscovery: the types a page's <link rel="alternate"> names for its RSS, Atom or JSON Feed.
_FEED_LINK_TYPES = frozenset({"application/rss+xml", "application/atom+xml", "application/feed+json"})
_ADVERTISED_SCAN_BYTES = 1_000_000
_MAX_ADVERTISED = 20
_MAX_ADVERTISED_URL_CHARS = 2000
# A DOCTYPE up to the "[" of its internal subset; a quoted system or public id may hold a ">" or a "[".
_SUBSET_START = re.compile(rb"""<!DOCTYPE(?:[^"'\[>]++|"[^"]*+"|'[^']*+')*+\[""")
# What may come before a DOCTYPE, of any length: a byte order mark, white space, the XML declaration, comments
# and processing instructions. Possessive, so nothing is scanned twice.
_PROLOG = re.compile(rb"(?:\xef\xbb\xbf)?(?:\s++|<\?.*?\?>|<!--.*?-->)*+", re.DOTALL)


class FeedError(Exception):
    """The bytes are not a feed newsbot can read; ``reason`` says why in words a user understands."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass
class FeedItem:
    """One entry of a feed. ``summary`` and ``content`` are plain text (HTML stripped)."""

    url: str
    title: str
    summary: str
    content: str | None = None
    published: datetime | None = None
    categories: tuple[str, ...] = ()
    author: str | None = None
    guid: str | None = None
    # The outlet an aggregator's item names (RSS/Atom <source>): its name and its site.
    source: str | None = None
    source_url: str | None = None
    # The audio or video file of a podcast episode (RSS <enclosure>, JSON Feed attachment): absolute, or None.
    enclosure: str | None = None
    # The address feedparser made of a guid that is no address ("1042" read as http://site/1042), which older
    # newsbots linked the item to and stored it under: only to recognise what they stored.
    guid_address: str | None = None

    @property
    def text(self) -> str:
        """The fullest text the feed gave: the content when present and longer, else the summary."""
        if self.content and len(self.content) >= len(self.summary):
            return self.content
        return self.summary


@dataclass
class ParsedFeed:
    """A parsed feed: title, home link, items, kind ("rss", "atom", "rdf", "json") and any parse warning."""

    title: str
    link: str | None
    items: list[FeedItem] = field(default_factory=list)
    kind: str = "rss"
    bozo_reason: str | None = None
    language: str | None = None
    version: str = ""
    # The document ends inside itself (a download cut short): the items after the cut were never seen, and the
    # one it fell in is left out.
    truncated: bool = False


# ----------------------------------------------------------------------------------------------------
# HTML to text


def scrub_text(text: str) -> str:
    """``text`` without control characters (tab and line breaks stay) and with lone surrogates as U+FFFD."""
    text = _SURROGATES.sub("\ufffd", text)
    return _CONTROLS.sub("", text.replace("\x0b", " ").replace("\x0c", " "))


def html_to_text(markup: str, *, _unescape_again: bool = True) -> str:
    """Plain text of an HTML fragment: tags dropped, entities decoded, paragraphs as blank-line breaks."""
    if not markup:
        return ""
    markup = scrub_text(markup)
    if "<" not in markup and "&" not in markup:
        return _tidy(markup)
    try:
        root = lxml.html.fragment_fromstring(tame_markup(markup), create_parent="div")
    except (lxml.etree.ParserError, ValueError, AssertionError, IndexError):
        # A whole document with a head but no body ("<html><head><title>x") trips an assert in lxml (an
        # IndexError under ``python -O``); the tags are dropped by hand instead. No "<" inside a tag: with
        # "<[^>]*>" every "<" of a run without ">" scanned to the end (200,000 of them: half a minute).
        return _tidy(re.sub(r"<[^<>]*>", " ", markup))
    for bad in root.xpath("|".join(f".//{t}" for t in _DROP_TAGS)):
        bad.drop_tree()
    _drop_link_lists(root)
    for el in root.iter():
        tag = el.tag if isinstance(el.tag, str) else ""
        if tag.lower() in _BLOCK_TAGS:
            # A break before the block too: "Teaser<p>First paragraph</p>" is two paragraphs, not "TeaserFirst".
            el.text = "\n\n" + (el.text or "")
            el.tail = "\n\n" + (el.tail or "")
    text = scrub_text(root.text_content())
    # Feeds sometimes escape their HTML twice; one more round turns "&lt;p&gt;" remnants into text. Only one:
    # a hostile feed escaping a thousand times would otherwise cost a parse per level and a RecursionError.
    if _unescape_again and _ESCAPED_MARKUP.search(text):
        return html_to_text(text, _unescape_again=False)
    return _tidy(text)


def _drop_link_lists(root: Any) -> None:
    """Drop the list items that are nothing but a link, unless they are all the fragment has to say.

    Such items are a related-stories list ("Trump State of the Union address promised unity ..." under a video's
    caption), show notes' links ("WP: Zuse Z3") or a story's company tags ("GOOGLE"): no sentence of the item,
    yet their headlines were picked for its summary.
    """
    # Innermost items only: they never hold one another, and each is read once (a list nested hundreds deep
    # read whole at every level was quadratic).
    dropped = [item for item in root.iter("li") if item.find(".//li") is None and _only_links(item)]
    if not dropped:
        return
    letters = sum(_letter_count(item.text_content()) for item in dropped)
    if _letter_count(root.text_content()) > letters:
        for item in dropped:
            item.drop_tree()


def _only_links(element: Any) -> bool:
    links = element.xpath(".//a[@href]")
    # Counted, not cut out of the item's text one by one: that was quadratic in an item of thousands of links.
    # Links never nest (the parser closes one before the next opens), so their letters are counted once each.
    return bool(links) and _letter_count(element.text_content()) == sum(
        _letter_count(link.text_content()) for link in links
    )


def _letter_count(text: str) -> int:
    return sum(ch.isalnum() for ch in text)


_CLOSING_TAG_OR_REFERENCE = re.compile(r"</\w+>|&#?\w+;")
_TAG_NAME = re.compile(r"</?(\w+)")
_ENTITY_NAME = re.compile(r"&(\w+);")
_ENTITY_NAMES = frozenset(html.entities.entitydefs) | {"apos"}


def _looks_like_html(text: str) -> bool:
    """True when a field declared plain text holds markup after all (feedparser's guess for RSS titles).

    Markup has a closing tag or a character reference, and only HTML's tag and entity names ("Vec<T>" has
    none of those), or a paragraph, break or link tag (see ``_ESCAPED_MARKUP``).
    """
    if _ESCAPED_MARKUP.search(text):
        return True
    if not _CLOSING_TAG_OR_REFERENCE.search(text):
        return False
    if any(name.lower() not in lxml.html.defs.tags for name in _TAG_NAME.findall(text)):
        return False
    # HTML 4's names lack XML's "&apos;": a feed that double-escaped it showed "Don&apos;t" as written.
    return all(name in _ENTITY_NAMES for name in _ENTITY_NAME.findall(text))


def _text_field(value: str, media_type: str | None = "text/plain") -> str:
    """Plain text of a feed field of ``media_type``: HTML is parsed, plain text kept as written.

    Atom's text constructs (the default for titles, summaries and content) and JSON Feed's titles and
    summaries are plain text: read as HTML, "Why Vec<T> beats a<b" lost everything from its first "<".
    Plain text that plainly holds markup (escaped HTML, "&rsquo;") is still read as HTML, as feeds write it.
    """
    if media_type == "text/plain" and not _looks_like_html(value):
        return _tidy(scrub_text(value))
    return html_to_text(value)


def _tidy(text: str) -> str:
    lines = [re.sub(r"[ \t\r\f\v\u00a0]+", " ", line).strip() for line in text.split("\n")]
    paragraphs: list[str] = []
    current: list[str] = []
    for line in lines:
        if line:
            current.append(line)
        elif current:
            paragraphs.append(" ".join(current))
            current = []
    if current:
        paragraphs.append(" ".join(current))
    return "\n\n".join(paragraphs)


# ----------------------------------------------------------------------------------------------------
# Detection


def looks_like_feed(data: bytes, charset: str | None = None) -> bool:
    """True when the bytes start like an RSS, RDF, Atom or JSON Feed document.

    ``charset`` is the one a server named: UTF-16 or UTF-32 text without a byte order mark or an XML declaration
    is read by it, as the feed poller reads it (unread, such a feed was summarized or stored as a page).
    """
    head = data[:4096].lstrip(b"\xef\xbb\xbf \t\r\n")
    wide = wide_text(data[:8192], charset)
    if wide is not None:
        head = wide.lstrip("\ufeff \t\r\n").encode("utf-8")[:4096]
    if head.startswith(b"{"):
        # JSON has no key order: "version" may come after every item, so the whole document is searched.
        whole = data if wide is None else (wide_text(data, charset) or "").encode("utf-8")
        return _JSON_FEED_MARK.search(whole) is not None
    match = _FEED_ROOT.search(head)
    if match is None:
        return False
    before = head[: match.start()].lower()
    return b"<html" not in before and b"<body" not in before


def advertised_feeds(page: bytes, page_url: str, charset: str | None = None) -> list[str]:
    """The feed URLs an HTML page advertises in its head (``<link rel="alternate" type=...>``), in page order.

    Relative hrefs are resolved against the page's ``<base href>`` (if any) and ``page_url``; only http and
    https URLs are returned, each once, at most ``_MAX_ADVERTISED``. Pure: the caller fetches them, through
    the same checked fetcher as any other URL.
    """
    if not page or not page.strip():
        return []
    # Only the head counts, and it comes first: a hostile page must not make the parser read megabytes.
    head = page[:_ADVERTISED_SCAN_BYTES]
    wide = wide_text(head, charset)
    if wide is not None:
        text = wide
    else:
        # "replace", not detection: the cut may split a character, and feed URLs are nearly always ASCII.
        try:
            text = head.decode(charset or "utf-8", errors="replace")
        except LookupError:
            text = head.decode("utf-8", errors="replace")
    try:
        # Bytes with a declared encoding: lxml refuses a str holding an XML declaration ("<?xml ... ?>").
        parser = lxml.html.HTMLParser(encoding="utf-8", no_network=True, remove_comments=True)
        root = lxml.html.document_fromstring(
            tame_markup(scrub_text(text)).encode("utf-8", "replace"), parser=parser
        )
    except (lxml.etree.ParserError, ValueError):
        return []
    head_el = root.find("head")
    if head_el is None:
        return []
    base = page_url
    for el in head_el.iter("base"):
        href = (el.get("href") or "").strip()
        if href:
            base = _absolute(page_url, href) or page_url
        break
    found: list[str] = []
    for el in head_el.iter("link"):
        rel = (el.get("rel") or "").lower().split()
        media_type = (el.get("type") or "").split(";", 1)[0].strip().lower()
        href = (el.get("href") or "").strip()
        if "alternate" not in rel or media_type not in _FEED_LINK_TYPES or not href:
            continue
        if len(href) > _MAX_ADVERTISED_URL_CHARS:
            continue
        url = _absolute(base, href)
        if url.lower().startswith(("http://", "https://")) and urlsplit(url).hostname and url not in found:
            found.append(url)
            if len(found) >= _MAX_ADVERTISED:
                break
    return found


# ----------------------------------------------------------------------------------------------------
# Parsing


def parse_feed(
    data: bytes, url: str = "", *, max_items: int | None = _MAX_ITEMS, charset: str | None = None
) -> ParsedFeed:
    """Parse RSS, RDF, Atom or JSON Feed bytes (the first ``max_items`` items); FeedError when they hold no feed.

    ``charset`` is the one the server named (Content-Type), used for bytes that are not in the encoding their
    XML declaration names (UTF-8 when it names none).
    """
    if not data or not data.strip():
        raise FeedError("The feed is empty.")
    wide_json = wide_text(data, charset)
    if wide_json is not None and wide_json.lstrip("\ufeff \t\r\n").startswith("{"):
        # JSON saved as UTF-16 or UTF-32 (as Windows tools save it): its bytes do not start with "{", or start
        # with "{" and a NUL, and it was refused as no feed or as invalid JSON.
        return _parse_json_feed(wide_json.encode("utf-8"), url, max_items)
    stripped = data.lstrip(b"\xef\xbb\xbf \t\r\n")
    if stripped.startswith(b"{"):
        return _parse_json_feed(data, url, max_items, charset)
    wide = wide_charset(data, charset)
    if wide:
        # UTF-16 or UTF-32 with no byte order mark: read by the codec its declaration or its server names, and
        # given a byte order mark, by which feedparser reads it (as UTF-8 with NULs, it was refused as binary).
        # The same byte order, which a declaration may name ("UTF-16BE"): feedparser reads by that too.
        text = data.decode(wide, errors="replace")
        data = _WIDE_BOM_OF.get(wide, b"") + text.encode(wide)  # "utf-16" and "utf-32" write their own
    if b"\x00" in data[:1024] and not has_wide_bom(data):
        raise FeedError("That is binary data, not a news feed.")
    return _parse_xml_feed(data, url, max_items, charset)


_WIDE_BOM_OF = {
    "utf-16-le": codecs.BOM_UTF16_LE,
    "utf-16-be": codecs.BOM_UTF16_BE,
    "utf-32-le": codecs.BOM_UTF32_LE,
    "utf-32-be": codecs.BOM_UTF32_BE,
}


def _undeclared_encoding(data: bytes, charset: str | None) -> tuple[bytes, str | None]:
    """Bytes feedparser can read by their XML declaration, else the charset to read them by instead.

    feedparser tries the declared encoding (UTF-8 when none is declared), then guesses for the whole document:
    a UTF-8 feed with one stray Latin-1 byte came out with every accent garbled ("ZÃŒrich"), and a short
    feed in ISO-8859-2 named only by its Content-Type was guessed Windows-1252 ("Wa³êsa" for "Wałęsa").
    """
    if has_wide_bom(data):
        return data, None  # feedparser decodes by the byte order mark
    declared = _DECLARED_ENCODING.match(data[:300])
    encoding = declared[1].decode("ascii", "replace") if declared else "utf-8"
    try:
        data.decode(encoding)
        return data, None
    except (UnicodeError, LookupError, ValueError):  # LookupError: an unknown or non-text codec
        pass
    try:
        utf8 = codecs.lookup(encoding).name == "utf-8"
    except (LookupError, ValueError):
        utf8 = False
    repaired = utf8_with_strays(data) if utf8 else None
    if repaired is not None:
        return repaired.encode("utf-8"), None
    # The server's charset, else the declared one, read as browsers read them: a feed labelled Shift_JIS with one
    # Windows-31J letter ("髙橋") failed both and was guessed, its headline mojibake ("îà‹´Ž").
    for label in (charset, encoding):
        if codec := readable_codec(data, label):
            return data, codec
    return data, charset


def _parse_xml_feed(data: bytes, url: str, max_items: int | None, charset: str | None = None) -> ParsedFeed:
    stripped = data.lstrip(b" \t\r\n")
    if stripped.startswith(b"<"):
        # Whitespace before the XML declaration makes strict parsers give up; many real feeds have it.
        data = stripped
    # A neutral content type: the XML declaration then decides the encoding, and feedparser does not flag the
    # missing header as a problem.
    headers = {"content-type": "application/xml"}
    if url:
        headers["content-location"] = url
    # The guards below read bytes as ASCII, but feedparser decodes by BOM and declared encoding first: in UTF-16,
    # EBCDIC or UTF-7 ("+ADw-item") they saw no tag at all. They get the UTF-8 that feedparser will parse.
    if slow := _SLOW_CODEC_DECLARED.match(data[:300]):
        raise FeedError(f"The feed could not be read (it declares the {slow[1].decode().lower()} encoding).")
    data, named = _undeclared_encoding(data, charset)
    # Only for decoding: the UTF-8 that comes out must not be read by the server's charset a second time.
    decode_headers = {**headers, "content-type": f"application/xml; charset={named}"} if named else headers
    decoding: dict[str, Any] = {}
    try:
        data = feedparser.encodings.convert_to_utf8(decode_headers, data, decoding)
    except Exception as exc:  # a declared "idna" may raise a bare UnicodeError, which feedparser lets through
        raise FeedError(f"The feed could not be read ({type(exc).__name__}).") from exc
    data = _tame_xml(_without_entity_declarations(_CHAR_REF.sub(_safe_char_ref, data)))
    if max_items is not None:
        data = _without_items_after(data, max_items)
    try:
        parsed = feedparser.parse(
            data, response_headers=headers, sanitize_html=True, resolve_relative_uris=True
        )
    except Exception as exc:  # feedparser's contract is "never raises"; keep that promise if it breaks
        raise FeedError(f"The feed could not be read ({type(exc).__name__}).") from exc
    if decoding.get("bozo") and not parsed.get("bozo"):  # "declared as X, but parsed as Y" was found above
        parsed.update(bozo=True, bozo_exception=decoding.get("bozo_exception"))
    version = str(parsed.get("version") or "")
    feed = parsed.get("feed", {})
    entries = parsed.get("entries", [])
    if not version and not entries:
        if not looks_like_feed(data):
            if b"<html" in data[:4096].lower():
                raise FeedError("That is a web page, not a news feed.")
            raise FeedError("That is not a news feed (no RSS, Atom or JSON Feed found).")
        raise FeedError(f"The feed could not be read ({_bozo_text(parsed) or 'unknown format'}).")
    kind = "atom" if version.startswith("atom") else "rdf" if version in ("rss090", "rss10") else "rss"
    base = str(feed.get("link") or url or "")
    truncated = _cut_short(parsed, data)
    if truncated and _cut_in_an_item(data):
        # Its text, link or headline are a part of theirs (a headline alone, stored under a made-up address,
        # came again as another story once the feed was read whole): it waits for that read.
        entries = entries[:-1]
    written = _guids_as_written(data, entries)
    items = _items(
        entries[:max_items], lambda entry, base: _xml_item(entry, base, written.get(id(entry))), base
    )
    return ParsedFeed(
        title=_plain(feed.get("title")) or site_host(url) or "Untitled feed",
        link=str(feed.get("link")) if feed.get("link") else None,
        items=items,
        kind=kind,
        bozo_reason=_bozo_text(parsed),
        language=_language(feed.get("language")),
        version=version,
        truncated=truncated,
    )


# What expat says when the bytes end before the document does.
_CUT_SHORT = frozenset(
    {
        expat_errors.XML_ERROR_NO_ELEMENTS,
        expat_errors.XML_ERROR_UNCLOSED_TOKEN,
        expat_errors.XML_ERROR_PARTIAL_CHAR,
        expat_errors.XML_ERROR_UNCLOSED_CDATA_SECTION,
    }
)


# A document that stops after a whole item, or after its channel, lost at most its closing tags: some feeds
# never write them, and their items are all there.
_WHOLE_ITEM_END = re.compile(rb"</(?:[\w.-]+:)?(?:item|entry|channel|feed|rss|RDF)\s*>\s*\Z")


def _cut_short(parsed: Mapping[str, Any], data: bytes) -> bool:
    """True when the bytes end inside the document, in the middle of an item (a download cut short)."""
    exc = parsed.get("bozo_exception") if parsed.get("bozo") else None
    get_message = getattr(exc, "getMessage", None)
    if not callable(get_message) or str(get_message()) not in _CUT_SHORT:
        return False
    return _WHOLE_ITEM_END.search(data[-200:]) is None


_ITEM_OPEN = re.compile(rb"<(?:[\w.-]+:)?(?:item|entry)[\s/>]")
_ITEM_CLOSE = re.compile(rb"</(?:[\w.-]+:)?(?:item|entry)\s*>")


def _cut_in_an_item(data: bytes) -> bool:
    """True when a document cut short ends inside an item it opened (not between two items)."""
    last_close = 0
    for match in _ITEM_CLOSE.finditer(data):
        last_close = match.end()
    return _ITEM_OPEN.search(data, last_close) is not None


# The start of an RSS or RDF item, and of an Atom entry, with the item's name.
_FIRST_ITEM = (re.compile(rb"<((?:[\w.-]+:)?item)[\s/>]"), re.compile(rb"<((?:[\w.-]+:)?entry)[\s/>]"))


def _without_items_after(data: bytes, max_items: int) -> bytes:
    """``data`` without the items after the first ``max_items`` (from the end of the last one kept to the end
    of the last one there is): feedparser builds every item it reads, and all but the first ones were dropped
    afterwards, so a 5 MB feed of 70,000 small items cost 9 s of parsing and over 100 MB at every poll.
    """
    root = _FEED_ROOT.search(data, 0, 4096)
    if root is None:
        return data
    # Only the feed's own items count, by the name its first one has: an RSS item may hold an extension's
    # <x:item> or <x:entry>, an Atom entry an <x:entry>.
    first = _FIRST_ITEM[root[1] == b"feed"].search(data, root.end())
    if first is None:
        return data
    closes = re.finditer(rb"</" + re.escape(first[1]) + rb"\s*>", data)
    kept = next(itertools.islice(closes, max(max_items, 1) - 1, None), None)
    rest = deque(closes, maxlen=1)  # the last item's end, if any item follows the ones kept
    if kept is None or not rest:
        return data
    return data[: kept.end()] + data[rest[0].end() :]


def _tame_xml(data: bytes) -> bytes:
    """``data`` with the attributes of any tag that has more than MAX_TAG_ATTRIBUTES dropped (see tame_markup)."""
    pieces: list[bytes] = []
    kept = 0
    for match in _XML_TOKEN.finditer(data):
        attrs = match["attrs"]
        if attrs is None or len(attrs) <= 4 * MAX_TAG_ATTRIBUTES:  # each one takes at least a=""
            continue
        if more_than(_XML_ATTRIBUTE, attrs, MAX_TAG_ATTRIBUTES):
            pieces.append(data[kept : match.start("attrs")])
            kept = match.end("attrs")
    return b"".join([*pieces, data[kept:]]) if pieces else data


def _without_entity_declarations(data: bytes) -> bytes:
    """The feed without the DOCTYPE's internal subset when that declares entities.

    Nested entities ("billion laughs") let a 700-byte feed expand to megabytes: expat only stops them past
    8 MB, after over a second of feedparser's work. Without the declarations expat refuses the references and
    feedparser's lenient parser reads the items and leaves the references unexpanded.
    """
    # The DOCTYPE expat reads is the one right after the prolog: a search of the first 4 kB missed one behind a
    # longer comment (a 4 MB feed then cost 8 s and 700 MB) and took a "<!DOCTYPE" inside a comment for it.
    prolog = _PROLOG.match(data)
    subset = _SUBSET_START.match(data, prolog.end()) if prolog else None
    if subset is None:
        return data  # no internal subset: "<!DOCTYPE rss PUBLIC ... >"
    bracket = subset.end() - 1
    # Declarations after the first "]>" count too: a comment or processing instruction in the subset may hold
    # one. Cut there, the rest of the subset is no DTD but stray text, which expat refuses before expanding.
    end = _SUBSET_END.search(data, bracket)
    if end is None or data.find(b"<!ENTITY", bracket) < 0:
        return data
    return data[:bracket] + b">" + data[end.end() :]


def _safe_char_ref(match: re.Match[bytes]) -> bytes:
    """A character reference feedparser can decode: one to an impossible character becomes U+FFFD."""
    hex_digits, digits = match.group(1), match.group(2)
    number = hex_digits or digits
    if len(number.lstrip(b"0")) > 8:
        return b"&#xFFFD;"
    code = int(number, 16) if hex_digits else int(number)
    if code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
        return b"&#xFFFD;"
    return match.group(0)


def _bozo_text(parsed: Mapping[str, Any]) -> str | None:
    if not parsed.get("bozo"):
        return None
    exc = parsed.get("bozo_exception")
    text = str(getattr(exc, "getMessage", lambda: exc)()) if exc is not None else "malformed feed"
    return text[:200]


def _items(
    entries: Sequence[Mapping[str, Any]],
    convert: Callable[[Mapping[str, Any], str], FeedItem | None],
    base: str,
) -> list[FeedItem]:
    """Each entry as an item; one that fails unexpectedly is skipped with a log line, not the whole feed.

    Feeds are hostile input: an item no rule foresaw (a date at the calendar's edge once was one) must not
    cost every other item of the feed, poll after poll.
    """
    items: list[FeedItem] = []
    for number, entry in enumerate(entries, 1):
        try:
            item = convert(entry, base)
        except Exception as exc:  # any bug in one item's conversion: skip that item
            log.warning(
                "feed item %d of %s skipped: %s: %s", number, base or "a feed", type(exc).__name__, exc
            )
            continue
        if item is not None:
            items.append(item)
    _drop_shared_links(items, base)
    _drop_shared_edges(items)
    return items


# A paragraph found in at least this many items of a listing, and in half of them, is the feed's, not the story's,
# where it opens or closes an item.
_SHARED_EDGE_ITEMS = 3


def _drop_shared_edges(items: Sequence[FeedItem]) -> None:
    """Paragraphs that open or close most items of the listing (a blog's "Thank you for reading via RSS ...",
    "If you'd like to support my efforts ..." under every post) are dropped from each item's text.

    They were the words most items shared, so the summarizer picked them: alerts of every post of such a feed
    ended in the same sign-off, and a short post's summary was little else.
    """
    if len(items) < _SHARED_EDGE_ITEMS:
        return
    counts = Counter(
        para for item in items for para in {*_paragraphs(item.summary), *_paragraphs(item.content or "")}
    )
    needed = max(_SHARED_EDGE_ITEMS, (len(items) + 1) // 2)
    # A "Continue reading..." under every item stays: it is how is_teaser knows to fetch the page.
    shared = {para for para, count in counts.items() if count >= needed and not _TEASER_TAIL.search(para)}
    if not shared:
        return
    for item in items:
        item.summary = _without_shared_edges(item.summary, shared)
        if item.content:
            item.content = _without_shared_edges(item.content, shared) or None


def _paragraphs(text: str) -> list[str]:
    return [para for para in text.split("\n\n") if para]


def _without_shared_edges(text: str, shared: set[str]) -> str:
    paras = _paragraphs(text)
    start, end = 0, len(paras)
    while start < end and paras[start] in shared:
        start += 1
    while end > start and paras[end - 1] in shared:
        end -= 1
    return "\n\n".join(paras[start:end])


def _drop_shared_links(items: Sequence[FeedItem], home: str) -> None:
    """Items whose link is not their own page (the feed's home page, or one link for several items) lose it.

    A podcast that links every episode to the show's site gave all of them one address, the key an article is
    stored under: the first episode was stored and every later one skipped as its duplicate, for good. Such an
    item is read as one without a link: its permalink guid is its address, else it gets a made-up identity.
    Items that share a link and a title are one story listed twice (under two categories, say): they keep it.
    """
    links = [canonical_url(item.url) if item.url else "" for item in items]
    titles: dict[str, set[str]] = {}
    for item, link in zip(items, links, strict=True):
        if link:
            titles.setdefault(link, set()).add(item.title)
    guids = Counter(item.guid for item in items if item.guid)
    home_page = canonical_url(home) if home else ""
    for item, link in zip(items, links, strict=True):
        if not link or (len(titles[link]) == 1 and link != home_page):
            continue
        guid = item.guid or ""
        own = (
            guid.startswith(("http://", "https://"))
            and guids[guid] == 1
            and canonical_url(guid) not in titles
        )
        item.url = guid if own and canonical_url(guid) != home_page else ""


def _guids_as_written(data: bytes, entries: Sequence[Mapping[str, Any]]) -> dict[int, str]:
    """The guids feedparser resolved against the feed's address, as the feed wrote them (by ``id()`` of entry).

    feedparser reads a guid not marked isPermaLink="false" as an address: "1042" became
    http://site/feeds/1042. The feed is parsed a second time, without its address, only when some guid may
    have been resolved so (an address not written as such in the feed).
    """
    if not any(
        isinstance(guid := entry.get("id"), str)
        and guid.startswith(("http://", "https://"))
        and guid.encode("utf-8", "replace") not in data
        for entry in entries
    ):
        return {}
    try:
        plain = feedparser.parse(data, response_headers={"content-type": "application/xml"})
    except Exception:  # read as before: feedparser's contract is "never raises"
        return {}
    again = plain.get("entries", [])
    if len(again) != len(entries):
        return {}
    return {
        id(entry): str(other.get("id"))
        for entry, other in zip(entries, again, strict=True)
        if other.get("id") and other.get("id") != entry.get("id")
    }


def _xml_item(entry: Mapping[str, Any], base: str, guid_as_written: str | None = None) -> FeedItem | None:
    link = _entry_link(entry, base)
    guid = scrub_text(str(entry.get("id"))) if entry.get("id") else None
    guid_address = None
    written = scrub_text(guid_as_written) if guid_as_written else guid
    if guid and written and "/" not in written:
        # An id ("1042", "g0"), not an address: the item's identity, never its link (a page never there).
        if written != guid:
            guid_address = guid
        written_links = [each for each in entry.get("links") or [] if each.get("rel") != "enclosure"]
        if link and link == _absolute(base, guid) and not written_links:
            guid_address, link = link, ""
        guid = written
    if not link and guid and guid.startswith(("http://", "https://")):
        link = guid
    summary = _text_field(str(entry.get("summary") or ""), _media_type(entry.get("summary_detail")))
    content: str | None = None
    for part in entry.get("content") or []:
        value = _text_field(str(part.get("value") or ""), _media_type(part))
        if value and (content is None or len(value) > len(content)):
            content = value
    if content == summary:
        content = None
    title = _plain(entry.get("title"), _media_type(entry.get("title_detail")))
    if not title:
        title = _title_from_text(content or summary)
    if not title and not link:
        return None
    # feedparser lists free keywords among the tags: a comedy podcast's itunes:keywords "politics" made it
    # politics. Only what an editor filed the item under (category, Atom category, dc:subject, media:category)
    # is a category; a word that is both a category and a media keyword reads as a keyword (feedparser keeps one).
    media_keywords = {k.strip() for k in str(entry.get("media_keywords") or "").split(",")}
    categories = tuple(
        dict.fromkeys(
            _plain(t.get("term") or t.get("label"))
            for t in entry.get("tags") or []
            if (t.get("term") or t.get("label"))
            and t.get("scheme") != _ITUNES_KEYWORDS
            and not (t.get("scheme") is None and not t.get("label") and t.get("term") in media_keywords)
        )
    )
    return FeedItem(
        url=link,
        title=title,
        summary=summary,
        content=content,
        published=_news_date(_item_date(entry)),
        categories=tuple(c for c in categories if c),
        author=_plain(entry.get("author")) or None,
        guid=guid,
        **_entry_source(entry.get("source"), base),
        enclosure=_entry_enclosure(entry, base),
        guid_address=guid_address,
    )


def _entry_enclosure(entry: Mapping[str, Any], base: str) -> str | None:
    for link in entry.get("links") or []:
        href = link.get("href")
        if href and link.get("rel") == "enclosure":
            absolute = _absolute(base, str(href).strip())
            if absolute.startswith(("http://", "https://")):
                return absolute
    return None


def _item_date(entry: Mapping[str, Any]) -> datetime | None:
    """When the item was published (else updated): the dates feedparser misreads from the string, else its own."""
    written = entry.get("published") or _own(entry, "updated")
    return (
        _zoned_date(written)
        or _written_date(written)
        or _iso_offset_date(written)
        or _unix_date(written)
        or _struct_time_to_datetime(entry.get("published_parsed") or _own(entry, "updated_parsed"))
    )


def _media_type(detail: Any) -> str | None:
    """The media type feedparser gives a field ("text/plain", "text/html"); None (read as HTML) when unknown."""
    return str(detail.get("type")) if isinstance(detail, Mapping) and detail.get("type") else None


def _own(entry: Mapping[str, Any], key: str) -> Any:
    """``entry[key]`` if the feed gave it: feedparser maps a missing "updated..." to "published..." with a
    DeprecationWarning, which a feed whose dates it cannot read would trigger at every item."""
    return dict.get(entry, key) if isinstance(entry, dict) else entry.get(key)


def _entry_source(source: Any, base: str) -> dict[str, str | None]:
    """The outlet an item names (``<source url="https://outlet">Outlet</source>``, Atom's ``<source>``): its
    name and http(s) site, each None when absent; an aggregator's links all point at the aggregator."""
    if not isinstance(source, Mapping):
        return {"source": None, "source_url": None}
    name = " ".join(_plain(source.get("title")).split())[:200] or None
    href = source.get("href") or source.get("link")
    site = _absolute(base, href.strip()) if isinstance(href, str) and href.strip() else ""
    return {"source": name, "source_url": site if site_host(site) else None}


def _entry_link(entry: Mapping[str, Any], base: str) -> str:
    candidates: list[str] = []
    for link in entry.get("links") or []:
        href = link.get("href")
        if href and link.get("rel", "alternate") == "alternate":
            candidates.append(str(href))
    if entry.get("link"):
        candidates.insert(0, str(entry.get("link")))
    # FeedBurner links every item through its own redirect (feeds.feedburner.com/~r/..., feedproxy.google.com)
    # and keeps the publisher's address as feedburner:origLink: that is the article, the address the site's
    # other feeds give it, and the one that still opens where the redirect service is gone.
    original = entry.get("feedburner_origlink")
    if isinstance(original, str) and original.strip():
        candidates.insert(0, original)
    for href in candidates:
        absolute = _absolute(base, _redirect_target(href.strip()))
        if absolute.startswith(("http://", "https://")):
            return absolute
    return ""


def _redirect_target(href: str) -> str:
    """The page a Google redirect ("https://www.google.com/url?...&url=https://site/story") leads to, else ``href``.

    Google Alerts feeds link every item through one: stored as it is, every alert's link named google.com and
    the story was not recognised when a feed of its own site brought it too.
    """
    try:
        parts = urlsplit(href)
        host = parts.hostname or ""
    except ValueError:
        return href
    if host not in ("google.com", "www.google.com") or parts.path != "/url":
        return href
    for name, value in parse_qsl(parts.query):
        if name in ("url", "q") and value.startswith(("http://", "https://")):
            return value
    return href


def _absolute(base: str, href: str) -> str:
    """``href`` resolved against ``base``; "" when either is no valid URL (a broken IPv6 literal)."""
    if not base:
        return href
    try:
        absolute = urljoin(base, href)
        _ = urlsplit(absolute).hostname  # raises ValueError for a malformed host
    except ValueError:
        return ""
    return absolute


# Month names feeds write in RFC 822 dates in their own language ("Seg, 24 Set 2018 19:20:00 -0300"), which
# feedparser does not read: Portuguese, Spanish, French, German and Italian, by their first letters.
_MONTHS = {
    **dict.fromkeys(("jan", "ene", "janv", "gen", "jän"), 1),
    **dict.fromkeys(("fev", "fév", "feb", "févr"), 2),
    **dict.fromkeys(("mar", "mär", "mrz", "mars"), 3),
    **dict.fromkeys(("abr", "avr", "apr"), 4),
    **dict.fromkeys(("mai", "may", "mag"), 5),
    **dict.fromkeys(("jun", "juin", "giu"), 6),
    **dict.fromkeys(("jul", "juil", "juillet", "lug"), 7),  # "juillet" whole: its first three are June's too
    **dict.fromkeys(("ago", "aug", "août", "aou"), 8),
    **dict.fromkeys(("set", "sep", "sept"), 9),
    **dict.fromkeys(("out", "oct", "okt", "ott"), 10),
    **dict.fromkeys(("nov",), 11),
    **dict.fromkeys(("dez", "dic", "déc", "dec"), 12),
}
# feedparser also misreads English dates a person would read at once: a 12-hour time ("10:00 PM EST" came out
# 10:00, twelve hours early), the month first ("Tuesday, March 5, 2024 10:00 AM": no date), and an offset after
# GMT or UTC ("UTC+2" was read as UTC, "GMT-5" as no date). All are read here, before feedparser; the dates it
# reads right come out the same (all 1,691 item dates of the 74 sample feeds did).
_WRITTEN_DATE = re.compile(
    r"^\s*(?:[^\W\d_]+\.?,?\s+)?"  # the day of the week
    r"(?:(\d{1,2})\.?\s+([^\W\d_]+)\.?,?|([^\W\d_]+)\.?\s+(\d{1,2}),?)\s+(\d{4}),?\s+"  # 5 March or March 5
    r"(\d{1,2}):(\d{2})(?::(\d{2}))?(?:\s*([ap])\.?m\.?)?"
    r"\s*(?:([+-])(\d{2}):?(\d{2})|(?:gmt|utc|ut|z)(?:\s*([+-])(\d{1,2})(?::?(\d{2}))?)?)?\s*$",
    re.IGNORECASE,
)


# Zone abbreviations feeds write after an RFC 822 time that feedparser does not know: it reads the time as UTC,
# so a Berlin item at 20:00 CET came out an hour in the future, a São Paulo one at 20:00 BRT three hours old.
# Only unambiguous ones (IST is India, Israel or Ireland). The zones feedparser knows (the US and Atlantic ones,
# with US news's two-letter "ET" and "PT", and MET) are read as it reads them; they are here for the dates it
# misreads ("10:00 PM ET" came out 10:00 UTC, "March 5, 2024 10:00 AM PT" no date).
_ZONE_OFFSETS = {
    "AT": "-0400",
    "AST": "-0400",
    "ADT": "-0300",
    "ET": "-0500",
    "EST": "-0500",
    "EDT": "-0400",
    "CT": "-0600",
    "CST": "-0600",
    "CDT": "-0500",
    "MT": "-0700",
    "MST": "-0700",
    "MDT": "-0600",
    "PT": "-0800",
    "PST": "-0800",
    "PDT": "-0700",
    "MET": "+0100",
    "MEST": "+0200",
    "WET": "+0000",
    "WEST": "+0100",
    "BST": "+0100",
    "CET": "+0100",
    "MEZ": "+0100",
    "CEST": "+0200",
    "MESZ": "+0200",
    "EET": "+0200",
    "EEST": "+0300",
    "MSK": "+0300",
    "PKT": "+0500",
    "NPT": "+0545",
    "WIB": "+0700",
    "HKT": "+0800",
    "SGT": "+0800",
    "PHT": "+0800",
    "AWST": "+0800",
    "JST": "+0900",
    "KST": "+0900",
    "ACST": "+0930",
    "AEST": "+1000",
    "ACDT": "+1030",
    "AEDT": "+1100",
    "NZST": "+1200",
    "NZDT": "+1300",
    "BRT": "-0300",
    "ART": "-0300",
    "AKDT": "-0800",
    "AKST": "-0900",
    "HST": "-1000",
}
_ZONE_ABBREVIATION = re.compile(r"(?<=\s)([A-Za-z]{2,4})\s*$")


def _zoned_date(value: Any) -> datetime | None:
    """An RFC 822 date ending in a zone abbreviation of ``_ZONE_OFFSETS`` ("... 20:00:00 CET"), or None."""
    if not isinstance(value, str):
        return None
    match = _ZONE_ABBREVIATION.search(value[:80])
    offset = _ZONE_OFFSETS.get(match.group(1).upper()) if match else None
    if match is None or offset is None:
        return None
    return _written_date(value[: match.start()] + offset)


def _written_date(value: Any) -> datetime | None:
    """A date written as in RFC 822, in English or with day and month names of another language, the month
    perhaps first, the time perhaps in 12 hours, the zone an offset, perhaps after GMT or UTC; or None."""
    if not isinstance(value, str):
        return None
    match = _WRITTEN_DATE.match(value[:80])
    if match is None:
        return None
    day_first, month_second, month_first, day_second, year, hour, minute, second, half = match.groups()[:9]
    sign, zone_h, zone_m = match.groups()[9:12] if match[10] else match.groups()[12:]
    month_name, day = (month_second, day_first) if day_first else (month_first, day_second)
    month = _MONTHS.get(month_name.casefold()) or _MONTHS.get(month_name.casefold()[:3])
    if month is None:
        return None
    hours = int(hour)
    if half:
        if not 1 <= hours <= 12:
            return None
        hours = hours % 12 + (12 if half.lower() == "p" else 0)
    offset = timedelta(hours=int(zone_h), minutes=int(zone_m or 0)) if sign else timedelta(0)
    try:
        zone = timezone(-offset if sign == "-" else offset)
        moment = datetime(int(year), month, int(day), hours, int(minute), int(second or 0), tzinfo=zone)
        # 31 Dec 9999 in a zone west of UTC is past year 9999 in UTC: OverflowError, not a date.
        return moment.astimezone(UTC)
    except (ValueError, OverflowError):
        return None


# An ISO 8601 time with its offset written without a colon ("+0530"): feedparser drops the offset's minutes, so
# an Indian item came out 30 minutes old (a Newfoundland one, "-0330", 30 minutes in the future).
_ISO_OFFSET_NO_COLON = re.compile(r"^\s*\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?[+-]\d{4}\s*$")


def _iso_offset_date(value: Any) -> datetime | None:
    """An ISO 8601 date and time whose offset has no colon ("2024-03-05T10:00:00+0530"), or None."""
    if not isinstance(value, str) or not _ISO_OFFSET_NO_COLON.match(value[:80]):
        return None
    return _iso_datetime(value)


# Seconds (or milliseconds) since 1970, as some feeds write dc:date: feedparser read "1709632800" (5 March 2024)
# as 6 April 2017, so the story was stored as years old and never alerted.
# Only those starting with 1 (September 2001 to May 2033): "2024030510" is a date and hour written as digits,
# which feedparser reads right, and read as a Unix time it was February 2034.
_UNIX_TIME = re.compile(r"^\s*(1\d{9})(\d{3})?\s*$")


def _unix_date(value: Any) -> datetime | None:
    """A date written as a Unix time, in seconds or milliseconds, or None."""
    match = _UNIX_TIME.match(value[:80]) if isinstance(value, str) else None
    return datetime.fromtimestamp(int(match[1]), tz=UTC) if match else None


# Feeds that have no date for an item often write a placeholder instead: the Unix epoch (1 Jan 1970), .NET's
# first day (1 Jan 0001), SQL Server's 1900. No news on the web is older than the web, so such a date is none.
_EARLIEST_NEWS = datetime(1990, 1, 1, tzinfo=UTC)


def _news_date(value: datetime | None) -> datetime | None:
    """``value``, or None for a date before any news on the web (a feed's placeholder for "no date")."""
    return value if value is not None and value >= _EARLIEST_NEWS else None


def _struct_time_to_datetime(value: Any) -> datetime | None:
    if not isinstance(value, time.struct_time):
        return None
    try:
        return datetime.fromtimestamp(calendar.timegm(value), tz=UTC)
    except (OverflowError, ValueError, OSError):
        return None


def _json_text(data: bytes, charset: str | None) -> str:
    """A JSON Feed's text: UTF-8 (the JSON Feed standard's), else UTF-8 with a stray byte, else the server's charset.

    Guessed, a short feed in ISO-8859-2 said only by its Content-Type came out "Wa³êsa", as an RSS feed did.
    """
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    mixed = None if has_wide_bom(data) else utf8_with_strays(data)
    return mixed if mixed is not None else decode_bytes(data, charset)


def _parse_json_feed(data: bytes, url: str, max_items: int | None, charset: str | None = None) -> ParsedFeed:
    try:
        # Integers beyond Python's 4,300-digit limit raise ValueError; no field needs them as numbers.
        doc = json.loads(_json_text(data, charset), parse_int=_json_int)
    except (ValueError, RecursionError):
        raise FeedError("That is JSON, but not valid JSON.") from None
    if not isinstance(doc, dict) or "jsonfeed.org/version" not in str(doc.get("version", "")):
        raise FeedError("That is JSON data, not a JSON Feed.")
    home = _str_or_none(doc.get("home_page_url"))
    base = home or _str_or_none(doc.get("feed_url")) or url
    raw_items = doc.get("items")
    entries = (
        [raw for raw in raw_items[:max_items] if isinstance(raw, dict)] if isinstance(raw_items, list) else []
    )
    items = _items(entries, _json_item, base)
    return ParsedFeed(
        title=_plain(doc.get("title")) or site_host(url) or "Untitled feed",
        link=home,
        items=items,
        kind="json",
        bozo_reason=None if isinstance(raw_items, list) else "no items list",
        language=_language(doc.get("language")),
        version=str(doc.get("version")),
    )


def _json_item(raw: Mapping[str, Any], base: str) -> FeedItem | None:
    link = ""
    for key in ("url", "external_url"):
        href = _str_or_none(raw.get(key))
        if href:
            absolute = _absolute(base, href)
            if absolute.startswith(("http://", "https://")):
                link = absolute
                break
    raw_id = raw.get("id")
    # The spec has readers take a numeric id as a string: ignored, an item's identity rested on its title and
    # text, so a link-less item whose title was edited came again as a new story.
    guid = _str_or_none(
        str(raw_id) if isinstance(raw_id, int | float) and not isinstance(raw_id, bool) else raw_id
    )
    # Ideally the id is the item's address, the spec says: a feed that gives no url links it as RSS and Atom do.
    if not link and guid and guid.startswith(("http://", "https://")):
        link = _absolute(base, guid)
    html_content = _str_or_none(raw.get("content_html"))
    content = html_to_text(html_content) if html_content else (_str_or_none(raw.get("content_text")) or None)
    summary = _text_field(_str_or_none(raw.get("summary")) or "")
    if not summary and content:
        summary, content = content, None
    title = _plain(raw.get("title"), "text/plain") or _title_from_text(content or summary)
    if not title and not link:
        return None
    tags = raw.get("tags")
    categories = (
        tuple(_plain(t) for t in tags if isinstance(t, str) and t.strip()) if isinstance(tags, list) else ()
    )
    author = None
    raw_authors = raw.get("authors")
    authors: list[Any] = raw_authors if isinstance(raw_authors, list) else [raw.get("author")]
    for a in authors:
        if isinstance(a, dict) and _str_or_none(a.get("name")):
            author = _plain(a.get("name"))
            break
    enclosure = None
    attachments = raw.get("attachments")
    for attachment in attachments if isinstance(attachments, list) else []:
        href = _str_or_none(attachment.get("url")) if isinstance(attachment, dict) else None
        if href and _absolute(base, href).startswith(("http://", "https://")):
            enclosure = _absolute(base, href)
            break
    return FeedItem(
        url=link,
        title=title,
        summary=summary,
        content=content if content and content != summary else None,
        published=_news_date(_iso_datetime(raw.get("date_published") or raw.get("date_modified"))),
        categories=categories,
        author=author,
        guid=guid,
        enclosure=enclosure,
    )


def _iso_datetime(value: Any) -> datetime | None:
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        parsed = datetime.fromisoformat(value.strip().replace("z", "Z"))
        # Year 9999 with a negative offset overflows on conversion to UTC.
        return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)
    except (ValueError, OverflowError):
        return None


def _json_int(digits: str) -> int | str:
    return int(digits) if len(digits) <= 1000 else digits


def _str_or_none(value: Any) -> str | None:
    text = scrub_text(value).strip() if isinstance(value, str) else ""
    return text or None


def _plain(value: Any, media_type: str | None = None) -> str:
    """A one-line plain-text string from a feed field that may hold HTML or entities (see ``_text_field``)."""
    if not isinstance(value, str):
        return ""
    return " ".join(_text_field(value, media_type).split())


def _title_from_text(text: str, limit: int = 80) -> str:
    """A title for an untitled item: its first sentence, cut at a word boundary."""
    first = " ".join(text.split())
    if not first:
        return ""
    sentence = re.split(r"(?<=[.!?])\s", first, maxsplit=1)[0]
    if len(sentence) <= limit:
        return sentence
    return sentence[:limit].rsplit(" ", 1)[0] + "…"


def _language(value: Any) -> str | None:
    if not isinstance(value, str) or not value.strip():
        return None
    return scrub_text(value).strip().split("-")[0].split("_")[0].lower()[:8] or None


# ----------------------------------------------------------------------------------------------------
# Teasers and articles


def is_teaser(item: FeedItem) -> bool:
    """True when the feed gives only a teaser, so the page should be fetched for the full text."""
    if not item.url:
        return False  # nothing to fetch
    text = item.text
    words = len(text.split())
    if words < TEASER_WORDS:
        return True
    return words < 3 * TEASER_WORDS and bool(_TEASER_TAIL.search(text))


def item_to_article(item: FeedItem, feed: ParsedFeed, feed_topics: Sequence[str] = ()) -> Article:
    """An Article from a feed item: canonical URL, plain text, topics from feed, categories and text."""
    body = item.text
    return Article(
        url=_article_url(item, feed),
        title=item.title,
        body=body,
        source=source_name(item.source or feed.title),
        source_url=item.source_url,
        published=item.published,
        language=feed.language,
        topics=article_topics(
            item.title, body, declared=feed_topics, categories=item.categories, language=feed.language
        ),
        categories=item.categories,
    )


def source_name(title: str) -> str:
    """A feed's title as the name of a source: without a trailing "- Home" or "RSS Feed" (see
    _FEED_TITLE_FURNITURE), unless nothing else is left."""
    for _ in range(3):  # "X - Home - RSS"; a few at most: a hostile title may repeat it thousands of times
        furniture = _FEED_TITLE_FURNITURE.search(title)
        if furniture is None or furniture.start() == 0:
            break
        title = title[: furniture.start()]
    return title


def article_topics(
    title: str,
    body: str,
    *,
    declared: Iterable[str] = (),
    categories: Iterable[str] = (),
    language: str | None = None,
) -> tuple[str, ...]:
    """Topic ids for an article: declared feed topics, categories mapped through aliases, then tagged text."""
    catalogue = default_catalogue()
    return tuple(catalogue.tag(title, body, declared=(*declared, *categories), language=language))


def article_url(item: FeedItem, feed: ParsedFeed) -> str:
    """The address ``item`` is stored under, as item_to_article gives it, without tagging its text."""
    return _article_url(item, feed)


def _article_url(item: FeedItem, feed: ParsedFeed) -> str:
    if item.url:
        return canonical_url(item.url)
    # No link at all: a stable made-up identity, so the same item is still recognised on the next poll. The
    # feed is part of it even with an id: ids are only unique within a feed ("1", "2", ... on small sites).
    site = feed.link or feed.title
    if item.guid:
        key = f"{site}\n{item.guid}"
    elif item.enclosure:
        # A podcast episode with neither: its audio file and title. Its show notes were part of it, so an
        # edited description (a sponsor line added) made the episode news again for every follower. The file's
        # query string is left out: audio hosts sign each download address anew; the title keeps two episodes
        # served from one address ("/play?ep=3", "/play?ep=4") apart.
        key = f"{site}\n{item.title}\nenclosure {_enclosure_file(item.enclosure)}"
    else:
        return _text_identity(item, site)
    return "urn:newsbot:" + hashlib.sha1(key.encode("utf-8")).hexdigest()[:20]


def former_article_url(item: FeedItem, feed: ParsedFeed) -> str | None:
    """The identity ``item`` had before its audio file was part of it (its title and text), or before a guid
    that is no address stopped being its link, when it has another now: an item stored under it is still the
    one stored, not news again."""
    if item.url:
        return None
    if item.guid_address:
        return canonical_url(item.guid_address)
    if item.guid or not item.enclosure:
        return None
    return _text_identity(item, feed.link or feed.title)


def _text_identity(item: FeedItem, site: str) -> str:
    key = f"{site}\n{item.title}\n{item.summary[:200]}"
    return "urn:newsbot:" + hashlib.sha1(key.encode("utf-8")).hexdigest()[:20]


def _enclosure_file(url: str) -> str:
    """An enclosure's host and path, without the scheme, query string or fragment."""
    try:
        parts = urlsplit(url)
        return f"{(parts.hostname or '').lower()}{parts.path}"
    except ValueError:
        return url
