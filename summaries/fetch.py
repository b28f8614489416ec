"""A careful HTTP fetcher for feeds and article pages.

Only http and https; the host is resolved first and private, loopback, link-local, reserved, multicast and
unspecified addresses are refused (unless allowed), and the connection goes to the address that was checked,
so a second DNS answer cannot swap in an internal host. Redirects are followed by hand and every hop is
checked again. Bodies are streamed, and one larger than ``max_bytes`` is refused once the limit is passed (never
kept cut short); content that is neither a page nor a feed is refused with a reason.
"""

from __future__ import annotations

import asyncio
import base64
import codecs
import concurrent.futures
import contextlib
import http.cookiejar
import ipaddress
import logging
import re
import socket
import ssl
import time
import zlib
from collections.abc import Awaitable, Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC
from email.message import Message
from email.utils import parsedate_to_datetime
from html.parser import HTMLParser
from typing import Literal
from urllib.parse import unquote, urljoin, urlsplit, urlunsplit

import httpx

log = logging.getLogger(__name__)

Accept = Literal["page", "feed", "any"]
Resolver = Callable[[str, int], Awaitable[list[str]]]
IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

_HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
_XML_WORDS = """
    application/xml text/xml application/rss+xml application/atom+xml application/rdf+xml application/rss
    application/x-rss+xml application/x-atom+xml text/rss+xml text/atom+xml"""
_XML_TYPES = frozenset(_XML_WORDS.split())
_JSON_TYPES = frozenset({"application/feed+json", "application/json", "text/json", "application/x-json"})
_TEXT_TYPES = frozenset({"text/plain"})
_ACCEPTED: dict[str, frozenset[str]] = {
    # Feeds are often served as text/html or text/plain by misconfigured servers; the parser decides.
    "feed": _XML_TYPES | _JSON_TYPES | _HTML_TYPES | _TEXT_TYPES,
    # XML is allowed for pages because XHTML is sometimes served that way.
    "page": _HTML_TYPES | _TEXT_TYPES | _XML_TYPES,
    "any": _HTML_TYPES | _XML_TYPES | _JSON_TYPES | _TEXT_TYPES,
}
_ACCEPT_HEADER: dict[str, str] = {
    "feed": "application/rss+xml, application/atom+xml, application/feed+json, application/xml;q=0.9, "
    "text/xml;q=0.9, application/json;q=0.8, text/html;q=0.5, */*;q=0.1",
    "page": "text/html, application/xhtml+xml;q=0.9, text/plain;q=0.5, */*;q=0.1",
    "any": "text/html, application/xhtml+xml, application/rss+xml, application/atom+xml, "
    "application/feed+json, application/xml;q=0.9, text/plain;q=0.5, */*;q=0.1",
}
# Magic numbers of common binary formats a link may point at, with the words a user understands.
_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"%PDF", "a PDF document"),
    (b"\x89PNG", "an image"),
    (b"GIF8", "an image"),
    (b"\xff\xd8\xff", "an image"),
    (b"RIFF", "a media file"),
    (b"PK\x03\x04", "a ZIP archive or office document"),
    (b"\x1f\x8b", "a compressed archive"),
    (b"\x7fELF", "a program"),
    (b"MZ", "a program"),
    (b"ID3", "an audio file"),
    (b"OggS", "a media file"),
    (b"\x00\x00\x00", "a media file"),
)
_SNIFF_BYTES = 2048
# Magic numbers that also begin ordinary text ("MZ Motors said ...", "ID3 tags are ...", "GIF8 is ..."): such text
# was refused as "a program" or "an audio file". The files themselves have control bytes right after.
_WORD_MAGIC = frozenset({b"MZ", b"ID3", b"RIFF", b"OggS", b"GIF8"})
_CONTROL_BYTE = re.compile(rb"[\x00-\x08\x0b\x0e-\x1f\x7f]")
_GZIP_MAGIC = b"\x1f\x8b"
# The content codings IANA registers for HTTP (identity and x-gzip are handled before): any other word in a
# Content-Encoding header names no compression.
_CODING_WORDS = "gzip deflate br zstd compress x-compress aes128gcm dcb dcz exi pack200-gzip"
_CONTENT_CODINGS = frozenset(_CODING_WORDS.split())
_GZIP_TYPES = frozenset({"application/gzip", "application/x-gzip"})
# Host name lookups at once: well above what the bot fetches at once (16 links, 4 feeds and their pages), so
# lookups left hanging by fetches that gave up still leave threads for the rest.
LOOKUP_THREADS = 64
# Addresses tried per host name: a name with dozens of records must not stretch one fetch.
_MAX_ADDRESSES = 4
# UTF-32's little-endian mark begins with UTF-16's, so it is tried first.
_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_WIDE_BOMS = tuple(bom for bom, enc in _BOMS if enc != "utf-8-sig")
# Ranges Python 3.11's ipaddress still calls global. 6to4 addresses embed an IPv4 address that a relay
# connects to (2002:7f00:1:: is 127.0.0.1); site-local is a deprecated private range; 3fff::/20 is for
# documentation (RFC 9637).
_NOT_GLOBAL = tuple(ipaddress.ip_network(n) for n in ("2002::/16", "fec0::/10", "3fff::/20"))
# The well-known NAT64 prefix (RFC 6052): on an IPv6-only server, DNS64 answers every IPv4-only site with an
# address here, and the gateway connects to the IPv4 address in its last 32 bits. Refusing the range refused the
# whole IPv4 web there; the embedded address is judged instead.
_NAT64 = ipaddress.ip_network("64:ff9b::/96")


_BAD_REDIRECT = "The site redirected to an address newsbot cannot fetch."


# Said to chat users, who cannot change it; the command line adds the setting that allows it for its operator.
PRIVATE_ADDRESS_REASON = "That address points to a private network, which newsbot does not fetch."


class FetchError(Exception):
    """A fetch that failed; ``reason`` is a sentence a user can read."""

    def __init__(
        self, reason: str, *, url: str | None = None, retry_after: float | None = None, gone: bool = False
    ) -> None:
        super().__init__(reason)
        self.reason = reason
        self.url = url
        # The site answered 410 Gone: the address was removed on purpose and for good, not mislaid.
        self.gone = gone
        # Seconds the site asked us to wait (a 429 or 503 with Retry-After), else None.
        self.retry_after = retry_after


def _not_connected(host: str | None, url: str, exc: Exception) -> FetchError:
    """Why no connection was made, in words a reader of the reply understands; the exception goes to the log."""
    log.info("connecting to %s failed: %s: %s", host, type(exc).__name__, exc)
    cause: BaseException | None = exc
    for _ in range(10):  # a bounded walk: an exception chain can loop
        if cause is None or isinstance(cause, ssl.SSLError):
            break
        cause = cause.__cause__ or cause.__context__
    if isinstance(cause, ssl.SSLError):
        return FetchError(
            f"Could not connect to {host}: its secure connection could not be verified.", url=url
        )
    return FetchError(f"Could not connect to {host}.", url=url)


@dataclass
class Fetched:
    """The response to one fetch: final URL after redirects, status, media type and raw body bytes."""

    url: str
    status: int
    content_type: str
    body: bytes
    etag: str | None = None
    last_modified: str | None = None
    not_modified: bool = False
    # Where the address asked for moved for good: the target of its leading run of permanent redirects (301,
    # 308), every hop checked like any; None when it did not move or the first redirect was temporary.
    moved_to: str | None = None

    @property
    def media_type(self) -> str:
        """The content type without parameters, lower-cased ("text/html")."""
        return self.content_type.split(";", 1)[0].strip().lower()

    @property
    def charset(self) -> str | None:
        """The charset named by the Content-Type header, if it names a known codec."""
        return charset_of(self.content_type)

    def text(self) -> str:
        """The body decoded by the declared charset, else UTF-8, else a detected one; never raises."""
        return decode_bytes(self.body, self.charset)


def charset_of(content_type: str) -> str | None:
    """The known codec named by a Content-Type value's charset parameter, or None."""
    if not content_type:
        return None
    msg = Message()
    msg["content-type"] = content_type
    try:
        name = msg.get_param("charset")
    except UnicodeError:  # a lone surrogate in the value; no HTTP header holds one, a caller's string may
        return None
    if not isinstance(name, str):
        return None
    try:
        codec = codecs.lookup(name.strip().strip('"')).name
    except (LookupError, ValueError):  # ValueError: a NUL in the name
        return None
    # Python decodes punycode in quadratic time (a 5 MB page: about half an hour), and idna too, on a long "xn--"
    # label (100 kB: over a second); no page is written in either.
    return None if codec in ("punycode", "idna") else codec


def retry_after_seconds(value: str | None, now: float | None = None) -> float | None:
    """Seconds a Retry-After value (delta-seconds or an HTTP date) asks to wait; None for anything else."""
    if not value or not value.strip():
        return None
    value = value.strip()
    if value.isascii() and value.isdigit():
        return float(min(int(value[:12]), 10**9))
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return max(0.0, moment.timestamp() - (time.time() if now is None else now))


def decode_bytes(data: bytes, charset: str | None = None) -> str:
    """Decode bytes by BOM, then the given charset, then UTF-8, then a detected charset; never raises."""
    for bom, enc in _BOMS:
        if data.startswith(bom):
            return data.decode(enc, errors="replace")
    named = decode_named(data, charset)
    if named is not None:
        return named
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    mixed = utf8_with_strays(data)
    if mixed is not None:
        return mixed
    if not data.translate(None, _ASCII_AND_WINDOWS_PUNCTUATION):
        # A few quotes and dashes are too little to guess by ("The “yes” side" came out "The ďyesĒ side"), and
        # every Windows code page reads them alike.
        return data.decode("cp1252")
    guess = _detected_charset(data[:200_000])
    if guess:
        try:
            text = data.decode(guess, errors="replace")
        except LookupError:  # a name the detector knows and Python does not
            pass
        else:
            if not _only_stray_letters(text):
                return text
    return data.decode("cp1252", errors="replace")


def decode_named(data: bytes, charset: str | None) -> str | None:
    """``data`` decoded by a named charset, as browsers read it; None when it names none or cannot read them."""
    return next(_decodings(data, charset), (None, None))[1]


def readable_codec(data: bytes, charset: str | None) -> str | None:
    """The codec that reads ``data`` as browsers read a named charset (decode_named); None if none does."""
    return next(_decodings(data, charset), (None, None))[0]


def _decodings(data: bytes, charset: str | None) -> Iterator[tuple[str, str]]:
    for codec in _as_browsers_read(charset):
        try:
            text = data.decode(codec)
        except (UnicodeError, LookupError):  # UnicodeError: a server may name the "undefined" codec
            continue
        yield codec, text


def _as_browsers_read(charset: str | None) -> tuple[str, ...]:
    """The codecs to read a named charset by, as browsers read it (the WHATWG Encoding Standard), first to last."""
    if not charset:
        return ()
    try:
        name = codecs.lookup(charset).name
    except (LookupError, ValueError):
        return (charset,)
    if name in _READ_AS:
        # Latin-1 never fails, and puts control codes where Windows-1252 has its quotes and dashes: a page served
        # as ISO-8859-1 lost them ("El niño dijo “sí” — al fin" came out "El niño dijo sí al fin").
        return (_READ_AS[name], charset)
    return (charset,)


# Labels browsers read as a larger code page in their place. Sites label GBK, Windows-31J and UHC text with the
# older names: read strictly by those, a title with one letter outside them ("髙橋") came out as a guess, mojibake.
_READ_AS = {
    "iso8859-1": "cp1252",
    "ascii": "cp1252",
    "iso8859-9": "cp1254",
    "tis-620": "cp874",
    "iso8859-11": "cp874",
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "shift_jis": "cp932",
    "euc_kr": "cp949",
}


def meta_charset(html: bytes) -> str | None:
    """The charset a page's ``<meta charset>`` or ``<meta http-equiv="Content-Type">`` names in its first 1,024
    bytes (where browsers look for it), if it names a known codec that is not UTF-16 or UTF-32 (ASCII bytes
    read as UTF-16 are a page of Chinese-looking letters; browsers read such a page as UTF-8).

    As browsers' prescan reads it (the HTML standard's "prescan a byte stream"): a meta's ``charset`` attribute,
    or the charset in its ``content`` only beside ``http-equiv="content-type"``; not inside comments or other
    tags; a meta naming no known charset is passed over for the next. Any "charset=" was taken before: a
    description ("Tips on charset=koi8-r") above the real ``<meta charset>`` had the page read as Russian.
    """
    # Latin-1 maps every byte to one character: the tags read alike whatever the page's charset.
    finder = _MetaCharsetFinder()
    with contextlib.suppress(_Found):
        finder.feed(html[:1024].decode("latin-1"))
    codec = finder.codec
    return None if codec is None or codec in _WIDE_CODECS else codec


class _Found(Exception):
    """The first meta that names a known charset was read: the rest of the head is not."""


class _MetaCharsetFinder(HTMLParser):
    """html.parser reading a page's head for the first meta that names a known charset (meta_charset)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=False)
        self.codec: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag != "meta":
            return
        first = dict(reversed(attrs))  # the first of each name, as browsers take it, in order
        for name, value in first.items():
            if name == "charset":
                label = value or ""
                break
            if name == "content" and (named := _META_CHARSET.search(value or "")) is not None:
                if (first.get("http-equiv") or "").strip().lower() != "content-type":
                    return
                label = named[1]
                break
        else:
            return
        self.codec = charset_of("text/html; charset=" + label.strip())
        if self.codec is not None:
            raise _Found


_META_CHARSET = re.compile(r"charset\s*=\s*[\"']?([A-Za-z0-9_.:-]{1,40})", re.IGNORECASE)


def _only_stray_letters(text: str) -> bool:
    """True when the text's Greek, Cyrillic, Hebrew or Arabic letters stand alone or inside Latin words.

    On short text with one or two accented letters chardet guessed Greek or Cyrillic ("Cafι owners",
    "italiano и caduto"). Text really written in these scripts has a word of two or more of their letters, whatever
    Latin names it holds ("Apple выпустила iPhone"). Scripts written without spaces (Chinese, Japanese, Thai) glue
    Latin names to their words ("iPhone16発売"), so they are left to the guess.
    """
    if _SPACED_SCRIPT.search(text) is None:
        return False
    stray = False
    for word in text.split():
        if _SPACED_SCRIPT.search(word) is None:
            continue
        letters = [c for c in word if c.isalpha()]
        foreign = sum(1 for c in letters if _SPACED_SCRIPT.match(c))
        if foreign >= 2 and foreign == len(letters):
            return False
        stray = stray or foreign > 0
    return stray


# Greek, Cyrillic, Armenian, Hebrew and Arabic: the scripts written with spaces that one-byte charsets hold.
_SPACED_SCRIPT = re.compile("[\u0370-\u06ff]")


def _detected_charset(data: bytes) -> str | None:
    """The charset chardet guesses, as feedparser guesses a feed's; charset_normalizer's without chardet.

    charset_normalizer took short Latin-1 and Windows-1252 text for old DOS or Central European code pages
    ("Z³rich" for "Zürich", "El nińo", "Săo Paulo"); chardet reads them right.
    """
    try:
        import chardet  # comes with sumy (through breadability), and feedparser uses it
    except ImportError:  # pragma: no cover
        try:
            from charset_normalizer import from_bytes
        except ImportError:  # pragma: no cover - charset_normalizer comes with trafilatura
            return None
        best = from_bytes(data).best()
        return best.encoding if best is not None else None
    # Only the charsets of the web and ISO-8859: among old DOS, Mac and mainframe code pages, chardet found one
    # that fits most short text ("no ·ltimo trimestre" in cp437, "It cost μ5" in cp737, "Straşe" in MacTurkish).
    era = chardet.EncodingEra.MODERN_WEB
    if _C1_BYTE.search(data) is None:
        # ISO-8859 has control codes at 0x80-0x9f, which no text holds: guessed anyway, "Škoda" came out "\x8akoda".
        era |= chardet.EncodingEra.LEGACY_ISO
    encoding = chardet.detect(data, encoding_era=era).get("encoding")
    return encoding if isinstance(encoding, str) else None


# ASCII, and the punctuation that every Windows code page puts at these bytes (… ‘ ’ “ ” • – —), which are unused
# control characters in ISO-8859: text whose only other bytes these are is written in a Windows code page.
_ASCII_AND_WINDOWS_PUNCTUATION = bytes(range(128)) + b"\x85\x91\x92\x93\x94\x95\x96\x97"
_C1_BYTE = re.compile(b"[\x80-\x9f]")
# Bytes that are no UTF-8, as the "surrogateescape" error handler keeps them.
_STRAY_BYTES = re.compile("[\udc80-\udcff]+")
# The control characters binary data holds and text does not (_BLOCK_CONTROLS below as bytes): not tabs,
# line and page breaks, Word's line break (\v) or ESC (which ISO-2022-JP opens each switch of script with).
_BINARY_CONTROLS = "\x00-\x08\x0e-\x1a\x1c-\x1f\x7f"
# A stretch of this many characters holding this many control characters is binary data, not text: random bytes
# hold about one in ten, text next to none.
_JUNK_SPAN = 256
_JUNK_CONTROLS = 3
_CONTROL_CHAR = re.compile(f"[{_BINARY_CONTROLS}]")


def utf8_with_strays(data: bytes) -> str | None:
    """UTF-8 text holding a few Windows-1252 bytes (a line pasted from an old editor); None unless mostly UTF-8.

    Guessed as a whole, such text got one charset for all of it, and every letter of the UTF-8 part was garbled
    ("Café" came out "CafÃ©" or in Thai letters). In text of a legacy charset, valid UTF-8 is the rare chance.
    Bytes in stretches of binary data (a blob too small to refuse the whole as binary) are not counted, and come
    out as U+FFFD: counted, a 1 kB blob outweighed a page's accents and the page was guessed Windows-1252.
    """
    text = data.decode("utf-8", errors="surrogateescape")
    spans = [text[i : i + _JUNK_SPAN] for i in range(0, len(text), _JUNK_SPAN)]
    junk = [len(_CONTROL_CHAR.findall(span)) >= _JUNK_CONTROLS for span in spans]
    strays = letters = 0
    for span, is_junk in zip(spans, junk, strict=True):
        if not is_junk:
            span_strays = sum(map(len, _STRAY_BYTES.findall(span)))
            strays += span_strays
            letters += len(span) - len(span.encode("ascii", errors="ignore")) - span_strays
    if strays and letters <= strays:
        return None
    return "".join(
        _STRAY_BYTES.sub("\ufffd" if is_junk else _windows_1252, span)
        for span, is_junk in zip(spans, junk, strict=True)
    )


def _windows_1252(match: re.Match[str]) -> str:
    return match[0].encode("utf-8", errors="surrogateescape").decode("cp1252", errors="replace")


def has_wide_bom(data: bytes) -> bool:
    """True when the bytes start with a UTF-16 or UTF-32 byte order mark (text whose bytes hold NULs)."""
    return data.startswith(_WIDE_BOMS)


_WIDE_CODECS = frozenset(("utf-16", "utf-16-le", "utf-16-be", "utf-32", "utf-32-le", "utf-32-be"))


def _xml_declaration_start(codec: str) -> re.Pattern[bytes]:
    spaces = b"|".join(re.escape(space.encode(codec)) for space in " \t\r\n")
    return re.compile(b"(?:" + spaces + b")*" + re.escape("<?xml".encode(codec)))


# An XML declaration in UTF-16 or UTF-32 with no byte order mark, which XML itself reads by where its NULs fall
# (Appendix F of the XML 1.0 standard: "<?xml" in UTF-16LE is 3C 00 3F 00 ...). The longer units come first.
_WIDE_XML_DECLARATIONS = tuple(
    (_xml_declaration_start(codec), codec) for codec in ("utf-32-le", "utf-32-be", "utf-16-le", "utf-16-be")
)


def wide_charset(data: bytes, charset: str | None) -> str | None:
    """The UTF-16 or UTF-32 codec of ``data`` with no byte order mark: the one its XML declaration is written in,
    else the one a server named, when its start holds the NUL bytes such text holds; else None.

    UTF-8 bytes a server mislabels as UTF-16 hold no NULs, and stay read as UTF-8.
    """
    if has_wide_bom(data):
        return None
    head = data[:_SNIFF_BYTES]
    for declaration, codec in _WIDE_XML_DECLARATIONS:
        if declaration.match(head):
            return codec
    if charset in _WIDE_CODECS and b"\x00" in head:
        return charset
    return None


def wide_text(data: bytes, charset: str | None) -> str | None:
    """``data`` decoded when it is UTF-16 or UTF-32 text (by its byte order mark, else its XML declaration or its
    named charset); None for any other bytes. Every reader of fetched bytes tells such text by this one test."""
    if has_wide_bom(data):
        return decode_bytes(data)
    wide = wide_charset(data, charset)
    return data.decode(wide, errors="replace") if wide else None


def sniff_media_type(head: bytes, charset: str | None = None) -> str | None:
    """Guess a media type from the first bytes; None means binary data that is no page or feed.

    ``charset`` is the one the server named: UTF-16 or UTF-32 text without a byte order mark is read by it.
    """
    wide = wide_text(head[:_SNIFF_BYTES], charset)
    for magic, _ in _MAGIC:
        # UTF-32BE text starts with three NULs, as an MP4 does: its XML declaration (or charset) tells it apart.
        if (
            wide is None
            and head.startswith(magic)
            and (magic not in _WORD_MAGIC or _CONTROL_BYTE.search(head, 0, _SNIFF_BYTES))
        ):
            return None
    if b"\x00" in head[:_SNIFF_BYTES] and wide is None:
        return None
    text = (decode_bytes(head[:_SNIFF_BYTES]) if wide is None else wide).lstrip("\ufeff \t\r\n").lower()
    if text.startswith("<?xml"):
        return "text/html" if "<html" in text[:1000] else "application/xml"
    if text.startswith(("<rss", "<feed", "<rdf:rdf")):
        return "application/xml"
    if text.startswith("<"):
        return "text/html"
    if text.startswith("{"):
        return "application/json"
    if not text:
        return "text/plain"
    controls = sum(1 for ch in text if ord(ch) < 32 and ch not in "\t\r\n\f")
    return "text/plain" if controls <= len(text) // 100 + 1 else None


# Only the first 2 kB are sniffed: 2 kB of HTML before 3 MB of random bytes was taken for a page, and its "article"
# was 260 kB of mojibake. Binary data further on is told by its control bytes, as the sniffer tells it at the
# start: random or compressed bytes hold about one in ten, text next to none (none in any of the 2,529 real
# pages, feeds and articles of ../shared/data). Tabs, line and page breaks and Word's line break (\v) are text,
# and so is ESC, which opens every switch of script in ISO-2022-JP (a Japanese page: one in thirteen bytes).
_BINARY_BLOCK = 4096
_BLOCK_CONTROLS = bytes(code for code in range(0x80) if _CONTROL_CHAR.match(chr(code)))
BINARY_PART = "binary data (only part of it looks like text)"


# What random bytes after a UTF-16 or UTF-32 byte order mark read as: control characters, private-use characters
# (one in ten 16-bit units) and the U+FFFD of units that are no character (a lone surrogate, past U+10FFFF).
_WIDE_JUNK = re.compile(f"[{_BINARY_CONTROLS}\ue000-\uf8ff\ufffd]")


def has_binary_part(data: bytes, charset: str | None = None) -> bool:
    """True when a 4 kB block of ``data`` holds more control bytes than text does: binary data after its start.

    ``charset`` is the one the server named: UTF-16 or UTF-32 text without a byte order mark is read by it.
    """
    slack = 8  # a few stray control bytes are text with a typo, not binary data
    text = wide_text(data, charset)
    if text is not None:
        # UTF-16 and UTF-32 text holds NULs: its characters are counted instead. Unchecked, a byte order mark
        # followed by random bytes was taken for text, a page of stray Chinese and private-use characters.
        for start in range(0, len(text), _BINARY_BLOCK // 2):
            chars = text[start : start + _BINARY_BLOCK // 2]
            if len(_WIDE_JUNK.findall(chars)) > len(chars) // 32 + slack:
                return True
        return False
    if len(data) - len(data.translate(None, _BLOCK_CONTROLS)) <= slack:
        return False
    for start in range(0, len(data), _BINARY_BLOCK):
        block = data[start : start + _BINARY_BLOCK]
        if len(block) - len(block.translate(None, _BLOCK_CONTROLS)) > len(block) // 32 + slack:
            return True
    return False


def binary_kind(head: bytes) -> str:
    """Words for what a binary body probably is ("a PDF document"), for error messages."""
    for magic, words in _MAGIC:
        if head.startswith(magic):
            return words
    return "binary data"


def _describe_type(media_type: str) -> str:
    if media_type.startswith("image/"):
        return "an image"
    if media_type.startswith(("audio/", "video/")):
        return "an audio or video file"
    if media_type == "application/pdf":
        return "a PDF document"
    if media_type in ("application/zip", "application/gzip", "application/x-tar", "application/x-7z"):
        return "an archive"
    if media_type in _JSON_TYPES:
        return "JSON data"
    if media_type in _XML_TYPES:
        return "XML data"
    return f"a file of type {media_type}" if media_type else "binary data"


def _connection_order(addresses: list[IPAddress]) -> list[IPAddress]:
    """The resolver's order (RFC 6724 preference), with the first address of the other family moved second.

    Should the preferred family be broken on this machine, the second attempt is already the other one.
    """
    unique = list(dict.fromkeys(addresses))
    if not unique:
        return unique
    other = next((ip for ip in unique if ip.version != unique[0].version), None)
    if other is None:
        return unique
    return [unique[0], other, *(ip for ip in unique[1:] if ip != other)]


def _is_public(ip: IPAddress) -> bool:
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        return _is_public(ip.ipv4_mapped)
    if ip in _NAT64:
        return _is_public(ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF))
    blocked = ip.is_loopback or ip.is_private or ip.is_link_local or ip.is_reserved or ip.is_multicast
    blocked = blocked or any(ip in net for net in _NOT_GLOBAL)
    # is_global also catches shared (100.64/10), benchmarking and documentation ranges.
    return not (blocked or ip.is_unspecified or not ip.is_global)


def _lookup(host: str, port: int) -> list[str]:
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


class SystemResolver:
    """The system's getaddrinfo, in threads of its own; lookups of one name at the same time share one thread.

    getaddrinfo cannot be cancelled: a name whose DNS server never answers holds its thread until the system
    resolver gives up, well after the fetch that asked has timed out. In asyncio's default pool (6 threads on a
    2-core server) a few such names held up every fetch, every summary and the bot's own lookups of Telegram's
    address; here they hold only lookup threads, of which there are more than the bot fetches at once.
    """

    def __init__(self, threads: int = LOOKUP_THREADS) -> None:
        self._pool = ThreadPoolExecutor(threads, thread_name_prefix="newsbot-lookup")
        self._lookups: dict[str, concurrent.futures.Future[list[str]]] = {}
        self._waiters: dict[str, int] = {}

    async def __call__(self, host: str, port: int) -> list[str]:
        """The addresses of ``host``; waiting ends with the caller's deadline, the lookup may go on."""
        for finished in [key for key, lookup in self._lookups.items() if lookup.done()]:
            del self._lookups[finished]
        key = host.lower()  # the port only goes into the answers' socket addresses, which are not kept
        lookup = self._lookups.get(key)
        if lookup is None:
            # A name still being looked up for a fetch that gave up is not looked up again beside it.
            lookup = self._lookups[key] = self._pool.submit(_lookup, host, port)
        self._waiters[key] = self._waiters.get(key, 0) + 1
        try:
            waiting = asyncio.wrap_future(lookup)
            # A caller that gave up never reads the failure of a lookup that ends later: asyncio would log it.
            waiting.add_done_callback(lambda done: done.cancelled() or done.exception())
            # shield: one caller's timeout must not cancel the lookup another caller still waits for.
            return await asyncio.shield(waiting)
        finally:
            self._waiters[key] -= 1
            if not self._waiters[key]:
                del self._waiters[key]
                lookup.cancel()  # nobody waits: dropped if still queued (a running one cannot be stopped)

    def close(self) -> None:
        """Stop the lookup threads without waiting for a lookup that hangs."""
        self._pool.shutdown(wait=False, cancel_futures=True)


def _human_size(n: int) -> str:
    return f"{n / 1_000_000:g} MB" if n >= 1_000_000 else f"{n / 1000:g} kB"


def _origin(url: str) -> tuple[str, str, int | None]:
    """Scheme, host and port of an address: what a login given for it applies to."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    try:
        port = parts.port
    except ValueError:
        port = None
    return scheme, (parts.hostname or "").lower(), port or {"http": 80, "https": 443}.get(scheme)


def _same_site(login: tuple[str, str, int | None], hop: tuple[str, str, int | None]) -> bool:
    """Whether a login given for one origin may go to ``hop``: the same one, or its https upgrade."""
    return login == hop or (login == ("http", hop[1], 80) and hop == ("https", hop[1], 443))


def _keep_cookies(jar: httpx.Cookies, response: httpx.Response, url: str) -> None:
    """Keep the cookies ``response`` sets, for the host ``url`` names (the request itself went to an IP)."""
    try:
        named = httpx.Response(
            response.status_code, headers=response.headers, request=httpx.Request("GET", url)
        )
    except (httpx.InvalidURL, ValueError):
        # ValueError: a host name the idna package refuses ("xn--zz.example"), which the resolver may still know.
        return
    jar.extract_cookies(named)


def _cookie_header(jar: httpx.Cookies, url: str) -> str | None:
    """The Cookie header ``jar`` holds for ``url``, or None."""
    if not jar:
        return None
    try:
        request = httpx.Request("GET", url)
    except (httpx.InvalidURL, ValueError):
        return None
    jar.set_cookie_header(request)
    return request.headers.get("cookie")


def _basic_auth(url: str) -> str | None:
    """The Authorization header for the user name and password in an address, or None when it has none."""
    parts = urlsplit(url)
    if parts.username is None:
        return None
    pair = f"{unquote(parts.username)}:{unquote(parts.password or '')}"
    return "Basic " + base64.b64encode(pair.encode("utf-8")).decode("ascii")


class Fetcher:
    """Fetches pages and feeds safely; one instance per application, closed with :meth:`aclose`."""

    def __init__(
        self,
        *,
        allow_private: bool = False,
        timeout: float = 10.0,
        max_bytes: int = 5_000_000,
        user_agent: str = "newsbot/0.1",
        client: httpx.AsyncClient | None = None,
        max_redirects: int = 5,
        allowed_networks: Sequence[str] = (),
        resolver: Resolver | None = None,
    ) -> None:
        self.allow_private = allow_private
        self.timeout = timeout
        self.max_bytes = max_bytes
        self.user_agent = user_agent
        self.max_redirects = max_redirects
        # Specific internal networks an operator trusts (e.g. "10.0.0.5/32") while the rest stay refused.
        self._allowed_networks = tuple(ipaddress.ip_network(n, strict=False) for n in allowed_networks)
        self._own_resolver: SystemResolver | None = None
        if resolver is None:
            resolver = self._own_resolver = SystemResolver()
        self._resolve = resolver
        self._own_client = client is None
        self._client = client or httpx.AsyncClient(
            follow_redirects=False,
            timeout=httpx.Timeout(timeout, connect=min(timeout, 10.0)),
            limits=httpx.Limits(max_connections=20, max_keepalive_connections=10),
            trust_env=False,
            # The client's own jar would key cookies by the checked IP the request goes to, so one site's cookies
            # went to every site sharing its address (a CDN's), for as long as the bot ran: each fetch keeps its own.
            cookies=http.cookiejar.CookieJar(http.cookiejar.DefaultCookiePolicy(allowed_domains=[])),
        )

    async def __aenter__(self) -> Fetcher:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Close the HTTP client and lookup threads if this fetcher created them."""
        if self._own_resolver is not None:
            self._own_resolver.close()
        if self._own_client:
            await self._client.aclose()

    async def fetch(
        self,
        url: str,
        *,
        accept: Accept = "any",
        etag: str | None = None,
        last_modified: str | None = None,
    ) -> Fetched:
        """Fetch one URL within ``timeout`` seconds overall; raises FetchError with a readable reason."""
        try:
            async with asyncio.timeout(self.timeout):
                return await self._fetch(url, accept, etag, last_modified)
        except TimeoutError:
            host = urlsplit(url).hostname or url
            unit = "second" if self.timeout == 1 else "seconds"
            raise FetchError(f"{host} did not answer within {self.timeout:g} {unit}.", url=url) from None

    async def _fetch(self, url: str, accept: Accept, etag: str | None, last_modified: str | None) -> Fetched:
        current = url.strip()
        # The login in the address ("https://user:pw@host/rss") is sent as Basic auth: the request goes to the
        # pinned IP, which carries no user info. It holds for that origin only, never for a redirect elsewhere.
        login: str | None = None
        login_origin: tuple[str, str, int | None] = ("", "", None)
        moved_to: str | None = None
        permanent = True
        # Cookies a site sets on the way (a redirect that checks for one) hold for this fetch only.
        cookies = httpx.Cookies()
        for _hop in range(self.max_redirects + 1):
            candidates, host_header, sni = await self._check_url(current, redirected=_hop > 0)
            headers = {
                "User-Agent": self.user_agent,
                "Accept": _ACCEPT_HEADER[accept],
                "Accept-Encoding": "gzip, deflate",
                "Host": host_header,
            }
            if etag:
                headers["If-None-Match"] = etag
            if last_modified:
                headers["If-Modified-Since"] = last_modified
            if (own := _basic_auth(current)) is not None:
                login, login_origin = own, _origin(current)  # the first address's, or a redirect's own
            if login is not None and _same_site(login_origin, _origin(current)):
                headers["Authorization"] = login
            if cookie := _cookie_header(cookies, current):
                headers["Cookie"] = cookie
            extensions = {"sni_hostname": sni} if sni else {}
            if sni:
                # The pool keys connections by the pinned IP, not the name: a kept-alive connection whose
                # certificate was checked for one host would carry the next host's request unchecked.
                headers["Connection"] = "close"
            response = await self._connect(candidates, headers, extensions, current)
            _keep_cookies(cookies, response, current)
            try:
                if response.status_code in (301, 302, 303, 307, 308):
                    location = response.headers.get("location")
                    if not location:
                        raise FetchError("The site sent a redirect without a target.", url=current)
                    try:
                        current = urljoin(current, location.strip())
                    except ValueError:  # "http://[bad": a broken IPv6 literal
                        raise FetchError(_BAD_REDIRECT, url=current) from None
                    if urlsplit(current).scheme.lower() not in ("http", "https"):
                        # "ftp://...", "file://...": _check_url's "Only http and https links can be fetched"
                        # answered a user who had sent an https link.
                        raise FetchError(_BAD_REDIRECT, url=current)
                    permanent = permanent and response.status_code in (301, 308)
                    if permanent:
                        moved_to = current
                    continue
                fetched = await self._read(response, current, accept)
                if fetched.not_modified and not (etag or last_modified):
                    # A 304 answers only a conditional request: to one that asked for the whole body it is a
                    # broken server or cache. Taken as "unchanged", a feed's first poll counted as read with
                    # nothing in it, and its whole list was alerted as news when the site next answered.
                    raise FetchError(
                        "The site answered with an unexpected status (304 Not Modified).", url=current
                    )
                fetched.moved_to = moved_to
                return fetched
            finally:
                await response.aclose()
        raise FetchError(f"That address redirects more than {self.max_redirects} times.", url=url)

    async def _connect(
        self, candidates: list[str], headers: dict[str, str], extensions: dict[str, str], url: str
    ) -> httpx.Response:
        """Send the request to the first address that takes a connection (streamed response).

        A host with a dead IPv6 (or one dead server of several) still answers on its other addresses, as
        browsers find (RFC 8305); each address gets a share of the connect time so the last one is still tried.
        """
        host = urlsplit(url).hostname
        tried = candidates[:_MAX_ADDRESSES]
        connect = min(self.timeout, 10.0) / len(tried) if len(tried) > 1 else min(self.timeout, 10.0)
        timeout = httpx.Timeout(self.timeout, connect=max(connect, 1.0))
        for index, pinned in enumerate(tried):
            last = index == len(tried) - 1
            try:
                request = self._client.build_request(
                    "GET", pinned, headers=headers, extensions=extensions, timeout=timeout
                )
            except httpx.InvalidURL:  # a control character, or longer than httpx takes (64 kB)
                raise FetchError("That is not a valid web address.", url=url) from None
            try:
                # follow_redirects=False even on an injected client: every hop must pass _check_url.
                return await self._client.send(request, stream=True, follow_redirects=False)
            except httpx.InvalidURL:
                # httpx reads a redirect's Location even when not following it, and raises (no HTTPError) on
                # one without a host such as "mailto:..." or "data:...".
                raise FetchError(_BAD_REDIRECT, url=url) from None
            except (httpx.ConnectError, httpx.ConnectTimeout) as exc:
                if not last:
                    continue  # no connection was made, so nothing was sent: the next address is safe to try
                if isinstance(exc, httpx.ConnectTimeout):
                    raise FetchError(f"{host} did not answer in time.", url=url) from None
                raise _not_connected(host, url, exc) from None
            except httpx.TimeoutException:
                raise FetchError(f"{host} did not answer in time.", url=url) from None
            except httpx.RemoteProtocolError as exc:
                # Connected, and the request sent: the server hung up without answering, or its answer was no
                # HTTP (a garbled status line, headers past 100 kB). "Could not connect" pointed at the network.
                log.info("the answer of %s could not be read: %s", host, exc)
                raise FetchError(f"{host} did not send a valid answer.", url=url) from None
            except httpx.HTTPError as exc:
                raise _not_connected(host, url, exc) from None
        raise FetchError(f"The address {host} could not be found.", url=url)  # no candidates: unreachable

    async def _check_url(self, url: str, *, redirected: bool = False) -> tuple[list[str], str, str | None]:
        """Check scheme and host; return the URLs to try (each pinned to a checked IP), Host header and SNI."""
        # A redirect's target is the site's doing: "That is not a valid web address" sent the user to check the
        # link they had sent, which was fine.
        invalid = _BAD_REDIRECT if redirected else "That is not a valid web address."
        try:
            parts = urlsplit(url)
            port = parts.port
        except ValueError:
            raise FetchError(invalid, url=url) from None
        scheme = parts.scheme.lower()
        if scheme not in ("http", "https"):
            raise FetchError("Only http and https links can be fetched.", url=url)
        if port == 0:
            # No server listens on port 0; read as "no port", "host:0" fetched the host's port 80 or 443 instead.
            raise FetchError(invalid, url=url)
        host = parts.hostname
        if not host:
            raise FetchError(_BAD_REDIRECT if redirected else "That web address has no host name.", url=url)
        if not host.isascii():
            # The Host header must be ASCII (httpx raises UnicodeEncodeError otherwise), and the IDNA spelling
            # also turns "127。0。0。1" into the literal it is before the address check below.
            try:
                host = host.encode("idna").decode("ascii")
            except UnicodeError:
                raise FetchError(invalid, url=url) from None
        port = port or (443 if scheme == "https" else 80)
        try:
            literal: IPAddress | None = ipaddress.ip_address(host)
        except ValueError:
            literal = None
        if literal is not None:
            addresses: list[IPAddress] = [literal]
        else:
            try:
                answers = await self._resolve(host, port)
            except (OSError, UnicodeError):
                raise FetchError(f"The address {host} could not be found.", url=url) from None
            addresses = []
            for a in answers:
                try:
                    addresses.append(ipaddress.ip_address(a.split("%", 1)[0]))
                except ValueError:
                    continue
            if not addresses:
                raise FetchError(f"The address {host} could not be found.", url=url)
        for ip in addresses:
            if not self._permitted(ip):
                raise FetchError(PRIVATE_ADDRESS_REASON, url=url)
        default_port = 443 if scheme == "https" else 80
        pinned = []
        for ip in _connection_order(addresses):
            ip_host = f"[{ip}]" if ip.version == 6 else str(ip)
            netloc = ip_host if port == default_port else f"{ip_host}:{port}"
            pinned.append(urlunsplit((scheme, netloc, parts.path or "/", parts.query, "")))
        host_header = host if port == default_port else f"{host}:{port}"
        if ":" in host and literal is not None and literal.version == 6:
            host_header = f"[{host}]" if port == default_port else f"[{host}]:{port}"
        sni = host if scheme == "https" and literal is None else None
        return pinned, host_header, sni

    def _permitted(self, ip: IPAddress) -> bool:
        if self.allow_private or _is_public(ip):
            return True
        return any(ip in net for net in self._allowed_networks)

    async def _read(self, response: httpx.Response, url: str, accept: Accept) -> Fetched:
        status = response.status_code
        etag = response.headers.get("etag")
        last_modified = response.headers.get("last-modified")
        content_type = response.headers.get("content-type", "").strip()
        if status == 304:
            return Fetched(url, status, content_type, b"", etag, last_modified, not_modified=True)
        if status >= 400:
            phrase = response.reason_phrase or ""
            if status in (401, 403):
                raise FetchError(f"The site refused access ({status} {phrase}).".replace(" )", ")"), url=url)
            if status == 410:
                raise FetchError("The site says that address is gone for good (410).", url=url, gone=True)
            if status == 404:
                raise FetchError(f"The site says that page does not exist ({status}).", url=url)
            reason = f"The site answered with an error ({status} {phrase}).".replace(" )", ")")
            retry_after = (
                retry_after_seconds(response.headers.get("retry-after")) if status in (429, 503) else None
            )
            raise FetchError(reason, url=url, retry_after=retry_after)
        if status >= 300 or status < 200:
            raise FetchError(f"The site answered with an unexpected status ({status}).", url=url)
        media_type = content_type.split(";", 1)[0].strip().lower()
        # Untyped bytes are sniffed; so are "gzip" ones: a pre-compressed feed.xml.gz served as itself.
        sniff = not media_type or media_type == "application/octet-stream" or media_type in _GZIP_TYPES
        if not sniff and media_type not in _ACCEPTED[accept]:
            raise FetchError(self._refusal(_describe_type(media_type), accept), url=url)
        length = response.headers.get("content-length")
        if length and length.isdigit() and int(length) > self.max_bytes:
            raise FetchError(self._too_big(), url=url)
        body = await self._read_capped(response, url)
        if body.startswith(_GZIP_MAGIC):
            body = self._unwrap_gzip(body, url)
        charset = charset_of(content_type)
        if sniff:
            sniffed = sniff_media_type(body[:_SNIFF_BYTES], charset)
            if sniffed is None or sniffed not in _ACCEPTED[accept]:
                raise FetchError(
                    self._refusal(
                        binary_kind(body[:16]) if sniffed is None else _describe_type(sniffed), accept
                    ),
                    url=url,
                )
            params = content_type.split(";", 1)[1].strip() if ";" in content_type else ""
            content_type = f"{sniffed}; {params}" if params else sniffed
        elif sniff_media_type(body[:_SNIFF_BYTES], charset) is None and body:
            # Declared as text but the bytes are an image, PDF or other binary: trust the bytes.
            raise FetchError(self._refusal(binary_kind(body[:16]), accept), url=url)
        if has_binary_part(body, charset):
            raise FetchError(self._refusal(BINARY_PART, accept), url=url)
        return Fetched(url, status, content_type, body, etag, last_modified, not_modified=False)

    def _unwrap_gzip(self, body: bytes, url: str) -> bytes:
        """The text inside gzip bytes no Content-Encoding announced (or compressed twice); else ``body``.

        Static hosts serve pre-compressed files that way. One layer, refused past ``max_bytes`` like any body; an
        archive of binary files stays as it is, to be refused as "a compressed archive".
        """
        inflater = zlib.decompressobj(zlib.MAX_WBITS | 16)
        try:
            inner = inflater.decompress(body, self.max_bytes + 1)
        except zlib.error:
            return body
        if sniff_media_type(inner[:_SNIFF_BYTES]) is None:
            return body
        if len(inner) > self.max_bytes or inflater.unconsumed_tail:
            raise FetchError(self._too_big(), url=url)
        return inner

    async def _read_capped(self, response: httpx.Response, url: str) -> bytes:
        # Raw bytes, decompressed here with an output bound: httpx inflates each network chunk whole, so a
        # gzip bomb (1,000x per layer, and "gzip, gzip" stacks layers) would fill memory before any cap.
        decoder = _BoundedDecoder.for_encoding(response.headers.get("content-encoding", ""), url)
        chunks: list[bytes] = []
        size = received = 0
        try:
            async for raw in response.aiter_raw():
                # Bytes on the wire count too: zlib keeps whatever follows the end of a gzip stream in
                # unused_data, so a small page trailed by endless bytes would fill memory and never reach the cap.
                received += len(raw)
                chunk = decoder.decode(raw, self.max_bytes - size + 1)
                size += len(chunk)
                if size > self.max_bytes or received > self.max_bytes:
                    raise FetchError(self._too_big(), url=url)
                chunks.append(chunk)
        except httpx.TimeoutException:
            raise FetchError(f"{urlsplit(url).hostname} stopped sending data.", url=url) from None
        except (httpx.DecodingError, zlib.error):
            raise FetchError("The site sent a body that could not be decompressed.", url=url) from None
        except httpx.HTTPError as exc:
            # The reason is read by people asking for a summary: the exception's name goes to the log only.
            host = urlsplit(url).hostname
            log.info("reading from %s failed: %s: %s", host, type(exc).__name__, exc)
            raise FetchError(
                f"The connection to {host} broke while the page was being read.", url=url
            ) from None
        return b"".join(chunks)

    def _too_big(self) -> str:
        return f"That page is larger than {_human_size(self.max_bytes)}, which is more than newsbot reads."

    @staticmethod
    def _refusal(what: str, accept: Accept) -> str:
        wanted = {"page": "a web page", "feed": "a news feed", "any": "a web page or news feed"}[accept]
        return f"That link leads to {what}, not {wanted}."


class _BoundedDecoder:
    """Undoes one gzip or deflate Content-Encoding, never producing more than asked for per call."""

    def __init__(self, encoding: str) -> None:
        self._encoding = encoding
        self._zlib: zlib._Decompress | None = None
        if encoding == "gzip":
            self._zlib = zlib.decompressobj(zlib.MAX_WBITS | 16)
        elif encoding == "deflate":
            self._zlib = zlib.decompressobj(zlib.MAX_WBITS)
        self._started = False

    @classmethod
    def for_encoding(cls, header: str, url: str) -> _BoundedDecoder:
        """The decoder for a Content-Encoding header; FetchError for codings newsbot does not read."""
        codings = [c.strip().lower() for c in header.split(",") if c.strip().lower() not in ("", "identity")]
        codings = ["gzip" if c == "x-gzip" else c for c in codings]
        # A word that names no compression ("Content-Encoding: utf-8", a charset in the wrong header) leaves the
        # bytes as they are, as browsers and httpx read them; refused, such a site could never be read.
        codings = [c for c in codings if c in _CONTENT_CODINGS]
        # We ask for gzip or deflate only; servers do not stack codings, so two layers are a bomb or a bug.
        if len(codings) > 1 or (codings and codings[0] not in ("gzip", "deflate")):
            raise FetchError("The site sent the page in a compression newsbot does not read.", url=url)
        return cls(codings[0] if codings else "identity")

    def decode(self, data: bytes, max_length: int) -> bytes:
        """Decompress ``data``; output is cut at ``max_length`` bytes (the caller then refuses the body)."""
        if self._zlib is None:
            return data
        if not self._started and self._encoding == "deflate":
            self._started = True
            try:
                probe = zlib.decompressobj(zlib.MAX_WBITS)
                out = probe.decompress(data, max(1, max_length))
                self._zlib = probe
                return out
            except zlib.error:
                # "deflate" is raw DEFLATE on some servers, not the zlib format the RFC names.
                self._zlib = zlib.decompressobj(-zlib.MAX_WBITS)
        self._started = True
        return self._zlib.decompress(data, max(1, max_length))
