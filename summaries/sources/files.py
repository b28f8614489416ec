"""Local files as sources: plain text, HTML or a feed file (RSS/Atom/JSON Feed), told apart by content.

The extension is never trusted: ``notes.txt`` holding RSS is read as a feed, ``story.html`` holding plain text
as text. Binary and empty files raise :class:`SourceFileError` with a reason a person can act on. Standard input
is read as a file is; ``SourceText`` is what ``newsbot summarize`` makes a summary of.
"""

from __future__ import annotations

import errno
import json
import os
import re
import stat
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import BinaryIO

from summaries.articles import Article
from summaries.fetch import BINARY_PART, binary_kind, decode_bytes, has_binary_part, sniff_media_type
from summaries.sources.feeds import (
    FeedError,
    article_topics,
    item_to_article,
    looks_like_feed,
    parse_feed,
    scrub_text,
)
from summaries.sources.pages import (
    PARTIAL_ARTICLE,
    ExtractionError,
    extract_page,
    page_markup,
    page_to_article,
)

MAX_FILE_BYTES = 20_000_000
# A whole page, or a fragment of one as a feed item's content is saved ("<img ... /><p>Text ..."): a file that
# opens with an element of HTML's body is read as HTML, or its tags would be read as words of the text. An XHTML
# page opens with an XML declaration ("<?xml version=...?>") before its doctype. A comment ends at its first "-->"
# (atomic): read as ending at any later one, a file opening with n comments was tried 2**n ways.
_HTML_START = re.compile(
    r"^\s*(?:<\?xml\b[^<>]*\?>\s*)?(?:<!--(?>.*?-->)\s*)*<(?:!doctype\s+html|html|head|body|article|section|main|header|p|div|span|h[1-6]|"
    r"img|a|figure|table|ul|ol|blockquote|b|i|em|strong|br)\b",
    re.I | re.S,
)

# A full stop (not an ellipsis) at the end of a line, before any closing quotes or brackets.
_ENDS_SENTENCE = re.compile(r"(?<![.…])[.。][\"'”’»)\]]*$")
_URL_SCHEME = re.compile(r"([A-Za-z][A-Za-z0-9+.-]+):/")
NO_SUCH_FILE = "There is no such file."


class SourceFileError(ValueError):
    """A file that cannot be read as articles; ``reason`` says why, without naming it (callers do)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True, slots=True)
class SourceText:
    """The text a summary is made of, read from a file, a page or standard input.

    ``title``: None when there is none worth giving the summarizer; ``notice``: a line naming the article chosen
    when the source holds several, or saying that only the start of the article could be read.
    """

    text: str
    title: str | None = None
    language: str | None = None
    notice: str | None = None


class UnreadableSource(Exception):
    """A source with nothing to summarize: ``where`` names it ("" when ``reason`` does) and ``reason`` says why."""

    def __init__(self, reason: str, where: str = "") -> None:
        super().__init__(f"{where}{reason}")
        self.reason = reason
        self.where = where


def read_source_file(path: Path | str) -> list[Article]:
    """Articles from a local file: plain text (first line is the title), HTML, or a feed file."""
    path = Path(path)
    try:
        # stat, not open, first: opening a named pipe blocks until someone writes to it.
        if path.is_dir():
            raise SourceFileError("It is a folder, not a file.")
        if not stat.S_ISREG(path.stat().st_mode):
            raise SourceFileError("It is not a regular file (a device, pipe or socket); newsbot reads files.")
        data = _read_capped(path)
    except FileNotFoundError:
        # "ftp://host/x" arrives here as the path "ftp:/host/x": say what is wrong, not that no such file exists.
        if scheme := _URL_SCHEME.match(str(path)):
            raise SourceFileError(
                f"{scheme[1]}: addresses are not supported; newsbot fetches http:// and https:// URLs "
                "and reads local files by their path."
            ) from None
        raise SourceFileError(NO_SUCH_FILE) from None
    except PermissionError:
        raise SourceFileError("It cannot be read (permission denied).") from None
    except IsADirectoryError:
        raise SourceFileError("It is a folder, not a file.") from None
    except OSError as exc:
        # A symbolic link loop, a name too long, a disk error: the bare error repeated the path and an errno.
        if exc.errno == errno.ELOOP:
            raise SourceFileError("It is a symbolic link that leads round in a loop, to no file.") from None
        raise SourceFileError(f"It cannot be read ({exc.strerror or exc}).") from None
    return read_source_bytes(data, name=path.name, url=path.resolve().as_uri())


def _read_capped(path: Path) -> bytes:
    """The file's bytes; SourceFileError beyond MAX_FILE_BYTES, however the file's reported size changes."""
    # O_NONBLOCK: should the path have been swapped for a pipe since the check, open() still returns.
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    with os.fdopen(fd, "rb") as f:
        if not stat.S_ISREG(os.fstat(f.fileno()).st_mode):
            raise SourceFileError("It is not a regular file (a device, pipe or socket); newsbot reads files.")
        if os.fstat(f.fileno()).st_size > MAX_FILE_BYTES:
            raise SourceFileError(_TOO_BIG)
        data = f.read(MAX_FILE_BYTES + 1)
    if len(data) > MAX_FILE_BYTES:
        raise SourceFileError(_TOO_BIG)
    return data


_TOO_BIG = f"It is larger than {MAX_FILE_BYTES // 1_000_000} MB; newsbot reads less."


def read_source_bytes(data: bytes, *, name: str, url: str, charset: str | None = None) -> list[Article]:
    """Articles from file contents; ``name`` is used as the source, ``url`` identifies the file.

    ``charset`` is the one a server named for fetched bytes, used for a feed not in its declared encoding.
    """
    if not data.strip():
        raise SourceFileError("It is empty.")
    kind = sniff_media_type(data[:2048], charset)
    if kind is None:
        raise SourceFileError(f"It is {binary_kind(data[:16])}, not text, HTML or a news feed.")
    if has_binary_part(data, charset):
        raise SourceFileError(f"It is {BINARY_PART}, not text, HTML or a news feed.")
    if looks_like_feed(data, charset):
        try:
            # Every item: the file size cap bounds the work, and items past the poll cap would vanish unreported.
            feed = parse_feed(data, url="", max_items=None, charset=charset)
        except FeedError as exc:
            raise SourceFileError(exc.reason) from None
        if not feed.items:
            raise SourceFileError("It is a feed without items.")
        return [item_to_article(item, feed) for item in feed.items]
    # Read as a fetched page is read (its <meta> charset too): a saved ISO-8859-1 page came out "El nińo".
    text = scrub_text(page_markup(data, charset))
    if _is_json(text):
        # Data, not prose: stored as text it would be an "article" titled with braces.
        raise SourceFileError("It is JSON, but not a JSON Feed.")
    if _HTML_START.match(text):
        try:
            page = extract_page(text, url)
        except ExtractionError as exc:
            raise SourceFileError(exc.reason) from None
        article = page_to_article(page, url)
        return [_with_source(article, page.site_name or name)]
    return [_text_article(text, name=name, url=url)]


def _is_json(text: str) -> bool:
    stripped = text.strip()
    if not stripped.startswith(("{", "[")):
        return False
    try:
        json.loads(stripped)
    except (ValueError, RecursionError):  # prose that happens to open with a brace, or nesting too deep
        return False
    return True


def _text_article(text: str, *, name: str, url: str) -> Article:
    lines = text.replace("\r\n", "\n").replace("\r", "\n").lstrip("\ufeff").strip().split("\n")
    title = " ".join(lines[0].split())
    body = "\n".join(lines[1:]).strip()
    # Text wrapped at 72 or 80 columns has no title line: its first line, half a sentence, was taken for one.
    wrapped = bool(body) and lines[1].lstrip()[:1].islower()
    # Nor has text that opens with a paragraph on one line (as editors save it): a line ending in a full stop is
    # a sentence, not a headline; taken for the title, the whole lead paragraph was missing from the body.
    untitled = wrapped or (bool(body) and _ENDS_SENTENCE.search(title) is not None)
    if not body or untitled:
        # One paragraph only, or untitled text: it is the body, and its first sentence stands in as the title.
        if untitled:
            body = "\n".join(lines)
            title = " ".join(re.split(r"\n\s*\n", body, maxsplit=1)[0].split())
        else:
            body = title
        title = re.split(r"(?<=[.!?])\s", title, maxsplit=1)[0]
        if len(title) > 120:
            title = title[:120].rsplit(" ", 1)[0] + "…"
    body = re.sub(r"\n{3,}", "\n\n", body)
    return Article(url=url, title=title, body=body, source=name, topics=article_topics(title, body))


def _with_source(article: Article, source: str) -> Article:
    return replace(article, source=source)


def source_text(articles: Sequence[Article], name: str) -> SourceText:
    """The first of ``articles`` (the source ``name`` holds) as text to summarize; the notice names it among several."""
    article = articles[0]
    notice = PARTIAL_ARTICLE if article.partial else None
    if len(articles) > 1:
        notice = f"{name} is a feed of {len(articles)} articles; summarizing the first, “{article.title}”"
    return SourceText(article.body, headline(article), article.language, notice)


def headline(article: Article) -> str | None:
    """The title to summarize ``article`` with: None when the title is only the text's own first sentence.

    A text file of one paragraph, or a feed item without a title, is titled so. The summarizer drops a title
    repeated in the text, and the printed summary, which shows no title, lost its lead sentence.
    """
    text, title = " ".join(article.body.split()), article.title
    own_sentence = title.endswith((".", "!", "?")) and text.startswith(title + " ")
    return None if own_sentence or text == title else title


def read_file_text(path: str) -> SourceText:
    """The text to summarize in the file at ``path``; UnreadableSource says why there is none."""
    try:
        articles = read_source_file(Path(path))
    except (OSError, ValueError) as exc:
        raise UnreadableSource(str(getattr(exc, "reason", None) or exc), f"cannot read {path}: ") from None
    if not articles:
        raise UnreadableSource(f"{path} holds no article")
    return source_text(articles, path)


def read_standard_input(stream: BinaryIO) -> SourceText:
    """Standard input's text, read as a file is (empty: the text as it is); UnreadableSource says why there is none."""
    # Bytes, not a text stream's read(): that fails on a stray byte under a UTF-8 locale and lets binary data
    # through as garbage "sentences" under others.
    data = stream.read(MAX_FILE_BYTES + 1)
    if len(data) > MAX_FILE_BYTES:
        raise UnreadableSource(f"standard input is larger than {MAX_FILE_BYTES // 1_000_000} MB")
    kind = sniff_media_type(data[:2048])
    if data.strip() and kind is None:
        raise UnreadableSource(f"standard input is {binary_kind(data[:16])}, not text")
    if has_binary_part(data):
        raise UnreadableSource(f"standard input is {BINARY_PART}, not text")
    if not data.strip():
        return SourceText(decode_bytes(data))
    # Read like a file: `curl URL | newsbot summarize` pipes markup, whose tags would become "sentences"; and a
    # text's title line, unused, gave `newsbot summarize < story.txt` other sentences than `summarize story.txt`.
    try:
        articles = read_source_bytes(data, name="standard input", url="")
    except SourceFileError as exc:
        raise UnreadableSource(exc.reason, "standard input: ") from None
    return source_text(articles, "standard input")
