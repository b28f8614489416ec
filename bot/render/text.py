"""Building blocks of every reply: escaping, ages, and splitting long output under Telegram's limit."""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from summaries.text import SENTENCE_CLOSING, SENTENCE_FINAL, clean_text

MAX_MESSAGE_CHARS = 4096
# Telegram keeps a message's first 100 formatting entities (bold, italic, links, code) and shows the rest as
# plain text: a digest's 101st link could not be tapped.
MAX_MESSAGE_ENTITIES = 100
UNTITLED = "(untitled)"
_ZWJ = "\u200d"
_TAG = re.compile(r"<[^>]*>")
_TAG_NAME = re.compile(r"<(/?)([A-Za-z][\w-]*)[^>]*>")
_OPENING_TAG = re.compile(r"<[A-Za-z]")
_WEB_URL = re.compile(r"https?://[^\s/?#]", re.IGNORECASE)
# Explicit direction controls (embeddings, overrides, isolates): one left open in a title, source or summary
# mirrors the rest of its line. Right-to-left letters need none of them; the implicit marks (U+200E, U+200F,
# U+061C) cannot reorder letters and stay. With them go the invisible format characters that only hide text
# or make it blank (zero-width space, word joiner, BOM, invisible operators, the deprecated U+206A-U+206F
# shaping controls, interlinear annotations); ZWJ and ZWNJ stay: emoji sequences and Persian need them.
_HIDDEN_CONTROLS = re.compile(
    "[\u202a-\u202e\u2066-\u2069\u200b\u2060-\u2064\u206a-\u206f\ufeff\ufff9-\ufffb]"
)
# Generic combining diacritics stacked past any language's needs ("Zalgo" text) spill over the lines around.
_MARKS = "[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]"
_MARK_PILE = re.compile(f"({_MARKS}{{4}}){_MARKS}+")
_SENTENCE_END = re.compile(r"(?<=[.!?…])\s+")
# Ends like a sentence in any script newsbot reads, perhaps inside quotes or brackets; a colon too (a lead-in
# to a quote reads as whole, and takes no full stop after it).
_FINISHED = re.compile(f"[{SENTENCE_FINAL}:\uff1a][{SENTENCE_CLOSING}]*$")


def esc(text: object) -> str:
    """Escape anything that came from outside for Telegram's HTML parse mode, without its hidden controls."""
    return html.escape(visible_text(str(text)), quote=True)


def visible_text(text: str) -> str:
    """``text`` without direction overrides and invisible format characters, and with mark piles cut to 4.

    HTML escaping does nothing against these: Telegram shows plain Unicode as it is.
    """
    return _MARK_PILE.sub(r"\1", _HIDDEN_CONTROLS.sub("", text))


def web_link(url: str) -> str | None:
    """``url`` escaped for an href when it is an http(s) address; None for anything else.

    Feeds may give items any link: ``tg://`` (proxy settings, joining chats), ``javascript:``, file paths or
    opaque ids. Only web addresses are worth a tap; the rest are shown as plain titles.
    """
    if not _WEB_URL.match(url):
        return None
    return esc(url)


def visible_length(markup: str) -> int:
    """Characters Telegram counts: the text once tags are stripped and entities decoded."""
    return len(html.unescape(_TAG.sub("", markup)))


def counted(n: int, noun: str, plural: str | None = None) -> str:
    """A count with its noun: "1 sentence", "3 sentences" (``plural`` when it is not the noun and an s)."""
    return f"{n} {noun if n == 1 else plural or noun + 's'}"


def format_age(seconds: float) -> str:
    """A short human age such as "just now", "5 min ago", "3 h ago", "2 d ago"."""
    seconds = max(0.0, seconds)
    if seconds < 60:
        return "just now"
    if seconds < 3600:
        return f"{int(seconds // 60)} min ago"
    if seconds < 86400:
        return f"{int(seconds // 3600)} h ago"
    return f"{int(seconds // 86400)} d ago"


# Past a week an age says less than a date: "2984 d ago" is a story from September 2018.
_AGE_DAYS = 7


def format_published(published: datetime, now: float, zone: str = "UTC") -> str:
    """When an article came out: "3 h ago" within a week, else its date in the chat's timezone ("24 Sep",
    with the year when it is not this year's: "24 Sep 2018")."""
    seconds = now - published.timestamp()
    if seconds < _AGE_DAYS * 86400:
        return format_age(seconds)
    tz = _zone(zone)
    try:
        local = published.astimezone(tz)
    except (OverflowError, ValueError):  # 1 Jan 0001 west of UTC is before the first date there is
        tz, local = UTC, published.astimezone(UTC)
    year = "" if local.year == datetime.fromtimestamp(now, tz).year else f" {local.year}"
    return f"{local.day} {local:%b}{year}"


def _zone(name: str) -> tzinfo:
    """The chat's timezone; UTC for a name the tz database does not know (any more)."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return UTC


def truncate(text: str, limit: int) -> str:
    """One line of plain text cut at a word boundary to at most ``limit`` characters, with "…" when cut.

    Hidden controls are dropped (``visible_text``): an override or isolate left open in a title or source name
    would mirror everything after it on the line (the source, age and id of a digest item).
    """
    text = " ".join(visible_text(text).split())
    if len(text) <= limit:
        return text
    end = max(1, limit - 1)
    at_word = " " in text[limit // 2 : end]
    end = text.rindex(" ", 0, end) if at_word else _cluster_boundary(text, end)
    return text[:end].rstrip(" ,;:") + "…"


def quoted(text: str, limit: int = 50) -> str:
    """What a user typed, shortened and in “curly quotes” as every reply quotes it (plain text, not HTML).

    Not repr(), which showed users Python's quoting: a backslash doubled, and "don't" in other quotes. Text the
    user put in quotes of their own ("/latest “busines”") is shown in ours alone, not as ““busines””.
    """
    return f"“{truncate(unquoted(text), limit)}”"


def unquoted(text: str) -> str:
    """``text`` stripped, without the pair of quote marks around all of it ("“busines”" -> "busines")."""
    text = text.strip()
    inner = text[1:-1]
    if len(text) > 2 and text[-1] in _QUOTE_CLOSERS.get(text[0], "") and not {text[0], text[-1]} & set(inner):
        return inner.strip()
    return text


# Opening quote marks and the marks that close them, as keyboards type them (English, German, French, ...).
_QUOTE_CLOSERS = {'"': '"', "'": "'", "“": "”“", "”": "”", "„": "“”", "«": "»", "»": "«", "‘": "’", "‚": "‘’"}


def _cluster_boundary(text: str, end: int) -> int:
    """``end`` moved back so that ``text[:end]`` does not split an emoji sequence or strip a mark off its letter."""
    start = end
    while end > 1 and (_extends(text[end]) or text[end - 1] == _ZWJ):
        end -= 1
    pairs = end
    while pairs > 0 and _is_regional(text[pairs - 1]):
        pairs -= 1
    if (end - pairs) % 2:  # flags are pairs of regional indicators: never keep half of one
        end -= 1
    return end if end > 0 else start


def _extends(char: str) -> bool:
    """Whether ``char`` belongs to the character before it (combining mark, joiner, variation, skin tone, tag)."""
    code = ord(char)
    return (
        unicodedata.category(char) in ("Mn", "Me", "Mc")
        or char == _ZWJ
        or 0xFE00 <= code <= 0xFE0F
        or 0x1F3FB <= code <= 0x1F3FF
        or 0xE0020 <= code <= 0xE007F
    )


def _is_regional(char: str) -> bool:
    return 0x1F1E6 <= ord(char) <= 0x1F1FF


def title_text(title: str, limit: int) -> str:
    """An article title as one line of at most ``limit`` characters; "(untitled)" when nothing is left.

    A feed item may have a link but no title: an empty title would leave an alert's link with nothing
    to tap and a digest line starting with a bare dash.
    """
    return truncate(title, limit) or UNTITLED


def body_excerpt(body: str, title: str, limit: int) -> str:
    """The start of an article's text for one without a summary, cleaned as summaries are.

    A body with no summary is usually all furniture ("Comments", "Continue reading..."): shown raw, it would
    be exactly what the summarizer threw away. Only the start is cleaned: a page may be 100,000 characters.
    """
    return truncate(clean_text(body[: limit * 20], title), limit)


_LRM = "\u200e"
# First-strong isolate and its end: text between them is laid out in its own direction and moves nothing
# around it. Added after escaping (esc drops isolates that came from outside).
FSI = "\u2068"
PDI = "\u2069"


def has_right_to_left(text: str) -> bool:
    """Whether ``text`` holds a right-to-left letter (Arabic, Hebrew, ...)."""
    return any(unicodedata.bidirectional(ch) in ("R", "AL") for ch in text)


def ltr_name(name: str) -> str:
    """A name from outside (source, keyword, search words) for a left-to-right line: an Arabic or Hebrew one
    between left-to-right marks; any other as it is.

    Without them "الجزيرة · 3 h ago" takes the age into the name's right-to-left run, and a reader sees
    "3 · الجزيرة h ago"; a line that opens with the name would be laid out right to left as a whole.
    """
    return f"{_LRM}{name}{_LRM}" if has_right_to_left(name) else name


def starts_right_to_left(text: str) -> bool:
    """Whether the first letter with a direction in ``text`` is right-to-left (Arabic, Hebrew, ...)."""
    for char in text:
        direction = unicodedata.bidirectional(char)
        if direction == "L":
            return False
        if direction in ("R", "AL"):
            return True
    return False


def is_finished(sentence: str) -> bool:
    """Whether ``sentence`` ends like a sentence (a stop, perhaps inside quotes or brackets)."""
    return bool(_FINISHED.search(sentence))


def mark_cut_end(sentences: Sequence[str], body: str) -> list[str]:
    """``sentences`` with "…" after the last one when the article's text stops there without a final stop.

    Feeds cut teasers at a fixed length, often mid-word ("... and get in the mud at the demoli"); shown bare,
    or given a full stop, the cut would pass for the end of the story.
    """
    out = list(sentences)
    if not out or is_finished(out[-1]):
        return out
    last = " ".join(out[-1].split())
    # Only the end of the body matters; a page may be 100,000 characters.
    tail = " ".join(body[-(len(out[-1]) * 2 + 200) :].split())
    if last and tail.endswith(last):
        out[-1] = out[-1].rstrip() + "…"
    return out


def entity_count(markup: str) -> int:
    """Formatting entities ``markup`` makes at most: one per opening tag (escaped text holds no bare "<")."""
    return len(_OPENING_TAG.findall(markup))


def split_message(
    blocks: Iterable[str], limit: int = MAX_MESSAGE_CHARS, entities: int = MAX_MESSAGE_ENTITIES
) -> list[str]:
    """Pack HTML blocks (each with balanced tags) into as few messages as fit ``limit`` characters and
    ``entities`` formatting entities.

    Raw length is counted, not visible length, so a message never exceeds Telegram's limit whatever the
    entities. A block too long on its own is split at line, then sentence, then word boundaries.
    """
    pieces = [piece for block in blocks for piece in _fit_block(block, limit, entities)]
    return _pack(pieces, limit, "\n\n", entities)


def _fit_block(block: str, limit: int, entities: int) -> list[str]:
    if len(block) <= limit and entity_count(block) <= entities:
        return [block]
    pieces: list[str] = []
    for line in block.split("\n"):
        if len(line) <= limit and _balanced(line) and entity_count(line) <= entities:
            pieces.append(line)
            continue
        if _TAG.search(line):
            # A tag could straddle a cut, or open on one line and close on another that lands in the next
            # message; fall back to the escaped plain text of the line.
            line = esc(html.unescape(_TAG.sub("", line)))
            if len(line) <= limit:
                pieces.append(line)
                continue
        for sentence in _SENTENCE_END.split(line):
            pieces.extend(_cut_words(sentence, limit))
    return _pack(pieces, limit, "\n", entities)


def _balanced(markup: str) -> bool:
    """Whether every tag opened in ``markup`` is closed in it, in order (so it can go into a message alone)."""
    open_tags: list[str] = []
    for match in _TAG_NAME.finditer(markup):
        closing, name = match.group(1), match.group(2).lower()
        if not closing:
            open_tags.append(name)
        elif not open_tags or open_tags.pop() != name:
            return False
    return not open_tags


def _cut_words(text: str, limit: int) -> list[str]:
    out: list[str] = []
    while len(text) > limit:
        cut = text.rfind(" ", 0, limit)
        if cut <= 0:
            cut = limit
            while (
                cut > 0
                and "&" in text[max(0, cut - 8) : cut]
                and ";" not in text[text.rfind("&", 0, cut) : cut]
            ):
                cut -= 1  # never split inside an HTML entity such as &amp;
            cut = cut or limit
        out.append(text[:cut].rstrip())
        text = text[cut:].lstrip()
    if text:
        out.append(text)
    return out


def _pack(pieces: list[str], limit: int, separator: str, entities: int) -> list[str]:
    """Join pieces with ``separator`` into as few strings of at most ``limit`` characters and ``entities``
    formatting entities as the order allows."""
    out: list[str] = []
    current = ""
    count = 0
    for piece in pieces:
        candidate = f"{current}{separator}{piece}" if current else piece
        piece_count = entity_count(piece)
        if len(candidate) <= limit and count + piece_count <= entities:
            current = candidate
            count += piece_count
        else:
            if current:
                out.append(current)
            current = piece
            count = piece_count
    if current:
        out.append(current)
    return out
