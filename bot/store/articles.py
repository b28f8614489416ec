"""Stored articles: deduplication, stories, feed edits, full-text search, pruning."""

from __future__ import annotations

import itertools
import json
import re
import sqlite3
import unicodedata
from collections.abc import Collection, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Literal, NamedTuple

import aiosqlite

from bot.store.db import fetch_all, run
from bot.store.db import storable_text as _storable
from summaries.articles import Article
from summaries.text import HANGUL_CHARS, WORD_CHARS, is_unspaced, strip_edges, without_tag_sign

if TYPE_CHECKING:
    from bot.store.db import Database

AddStatus = Literal["added", "duplicate_url", "duplicate_content", "pruned"]

# A feed that dates its items in the future (a clock running ahead, local time written as UTC) must not pin
# them to the top of /latest nor have them read "just now" for days, so no article counts as newer than the
# moment we fetched it: an article reads as published then at the latest. (min() of NULL is NULL: undated.)
_COLUMNS = (
    "id, url, title, source, min(published_at, fetched_at) AS published_at, language, body, topics,"
    " categories, summary, story_id, partial"
)
# Newest first by publication time, else fetch time; the id breaks ties, so pages of a list never skip or
# repeat one of two articles published the same second.
_NEWEST_KEY = "min(coalesce(published_at, fetched_at), fetched_at)"
_NEWEST_FIRST = f"{_NEWEST_KEY} DESC, id DESC"
# Below an article in that order (NULL, so nothing, when it is gone): the next page of a list after it.
_OLDER_THAN = f"({_NEWEST_KEY}, id) < (SELECT {_NEWEST_KEY}, id FROM articles WHERE id = ?)"
# Search input comes from users: bound the work one query can cause.
_MAX_SEARCH_CHARS = 1000
_MAX_SEARCH_TERMS = 16
_MAX_SPELLINGS = 7  # other spellings tried per word ("ß" for "ss", "ё" for "е", a Greek accent)
# Lists show one article per story: read this many times the ids asked for, so a story told by several
# sources does not leave the list short.
_STORY_OVERFETCH = 4
# Punctuation glued to a word typed in Chinese or Japanese ("東京、" or "「東京」").
_SEARCH_EDGE_PUNCT = "、。，．！？「」『』（）()[]\"'"
# A quoted phrase ("...", typographic “...” as phones type them, «...») or a run of non-space characters. An
# unclosed quote is part of a word, as before.
_SEARCH_CHUNK = re.compile(r'"([^"]+)"|“([^”]+)”|«([^»]+)»|(\S+)')
# "Coffee's", also typed before a comma or a question mark ("Coffee's, tea"): FTS5 drops the punctuation anyway.
_POSSESSIVE = re.compile(f"(?<=[{WORD_CHARS}])['’]s(?=[^{WORD_CHARS}'’]*$)", re.IGNORECASE)
# A Korean word is looked for as the start of a word, as keyword subscriptions match it (bot/delivery/planning.py).
_HANGUL = re.compile(f"[{HANGUL_CHARS}]")
# Full-width Latin letters and digits ("ｉＰｈｏｎｅ", "ＮＨＫ", "２０２４"), as Japanese and Chinese keyboards and news
# type them, and back: the index keeps the two widths apart, keyword subscriptions do not (bot/delivery/planning.py).
_NARROW = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F) if chr(code - 0xFEE0).isalnum()}
_WIDE = {narrow: wide for wide, narrow in _NARROW.items()}
# GLOB: no letter or digit of either width.
_NOT_WIDE_ALNUM = "[^A-Za-z0-9\uff21-\uff3a\uff41-\uff5a\uff10-\uff19]"
# A Greek letter and its accents (text in NFD), and the vowels that take the monotonic accent.
_GREEK_ACCENT = re.compile("([\u0370-\u03ff\u1f00-\u1fff])[\u0300-\u036f]+")
_GREEK_VOWELS = "αεηιουω"
# Letters unicode61 keeps though English wires print them plain ("Łódź" as "Lodz", "Ørsted" as "Orsted"), as
# keyword subscriptions take them (bot/delivery/planning.py). The index reads them plain (migration 0025), so a
# word typed with them is looked for plain.
PLAIN_LETTERS = {ord("ł"): "l", ord("Ł"): "L", ord("ø"): "o", ord("Ø"): "O"}
# A word typed in capitals, 2 to 5 letters ("US", "UN", "NHS", "NATO"), is an acronym: the English stemmer makes
# "US" the same word as "us", "used" and "using", so it must also appear as typed, in capitals (of 4 or 5
# letters, or capitalised: British style prints "Nato", "Covid"). Not when the whole search is in capitals.
_ACRONYM = re.compile(f"(?<![{WORD_CHARS}])[A-Z]{{2,5}}(?![{WORD_CHARS}])")
# A word with a symbol the index drops ("c++", "at&t", ".net") must also appear with it, as keyword subscriptions
# match it (bot/delivery/planning.py): FTS5 alone read "c++" as "c", "at&t" as "at t", ".net" as "net". Such a
# word is stripped of the punctuation around it as a keyword is (summaries.text.strip_edges), and of the sign
# of a hashtag, cashtag or handle ("#tesla", "$TSLA", "@name"), which keywords drop.
_PLAIN_SEARCH_WORD = re.compile(f"[{WORD_CHARS}'’-]+")
# German typed without umlaut keys ("koeln", "mueller"), as keyword subscriptions take it (bot/delivery/planning.py):
# the letter pairs an umlaut is typed as, and the (case-folded) umlauts written as them.
_UMLAUT_PAIR = re.compile("[aou]e")
UMLAUT_AS_PAIR = {ord("ä"): "ae", ord("ö"): "oe", ord("ü"): "ue"}
# The words of an umlaut spelling, and the umlauts (case-folded) a word of it may hold.
_SEARCH_WORD = re.compile(f"[{WORD_CHARS}]+")
_UMLAUT = re.compile("[äöü]")
# GLOB: text then no Latin letter or digit before what follows.
_NOT_LETTER = "*[^A-Za-z0-9\u00c0-\u024f]"
# An umlaut guessed for "ae", "oe" or "ue" is checked in the text of each article the index matches only by it;
# past this many such articles (a common word without its umlaut: "toe" as "tö" is "to"), it is not guessed:
# reading them all took 0.7 s at 50,000 articles.
_MAX_UMLAUT_CHECKS = 2000
# What separates the words of a search that _dotted_spellings looks at one by one (kept by re.split).
_WORD_APART = re.compile(r"([\s-]+)")
# The operators other search engines take, at a word's edge ("electric*", "^rocket"): ignored, as before.
_SEARCH_OPERATORS = "*^"
# Prune in batches so the delivery loop's writes get the lock between them.
_PRUNE_BATCH = 500
# An old article may go once nothing is queued for it: neither alerts still to plan nor a delivery waiting to
# be sent (the partial index deliveries_queued_article answers the second per article).
_PRUNABLE = (
    "alert_pending = 0 AND NOT EXISTS (SELECT 1 FROM deliveries AS q"
    " WHERE q.article_id = articles.id AND q.status IN ('pending', 'sending'))"
)
# SQLite integers are signed 64-bit; binding anything wider raises OverflowError.
_MAX_ROWID = (1 << 63) - 1
_MIN_ROWID = -(1 << 63)


@dataclass(frozen=True, slots=True)
class NewArticle:
    """One article to store with its deduplication and story data (the batch form of ArticleRepo.add)."""

    article: Article
    content_hash: str
    story_signature: str | None = None
    story_id: int | None = None
    feed_id: int | None = None
    alert: bool = False  # its alerts are still to be planned (see ArticleRepo.alert_pending)
    reader: int | None = None  # stored because this chat asked for a link's summary: private to the askers
    backlog: bool = (
        False  # listed already when its feed was first read: never news (see ArticleRepo.revisable)
    )


class RevisableArticle(NamedTuple):
    """A stored article its feed may still edit (see ArticleRepo.revisable)."""

    id: int
    title: str
    content_hash: str
    fetched_at: float  # when it was first stored
    alert_pending: bool  # its alerts are not planned yet
    backlog: bool  # its feed's first poll found it listed already


# Articles a chat may see: public ones, and private ones it asked for (the parameter is the chat id).
_VISIBLE = "(private = 0 OR id IN (SELECT article_id FROM article_readers WHERE chat_id = ?))"


async def _share(conn: aiosqlite.Connection, article_id: int, reader: int | None) -> None:
    """A private article is read by one more chat; an article from a feed or a file makes it public."""
    if reader is None:
        await run(conn, "UPDATE articles SET private = 0 WHERE id = ? AND private = 1", (article_id,))
    else:
        await run(
            conn,
            "INSERT OR IGNORE INTO article_readers (chat_id, article_id) VALUES (?, ?)",
            (reader, article_id),
        )


def _epoch(moment: datetime | None) -> float | None:
    if moment is None:
        return None
    if moment.tzinfo is None:
        # Sources hand out UTC; a naive datetime is taken as UTC rather than the server's local time.
        moment = moment.replace(tzinfo=UTC)
    return moment.timestamp()


def _json_tuple(text: str | None) -> tuple[str, ...]:
    try:
        value = json.loads(text or "[]")
    except ValueError:
        return ()
    return tuple(str(v) for v in value) if isinstance(value, list) else ()


def _article_from_row(row: sqlite3.Row | Any) -> Article:
    published = row["published_at"]
    return Article(
        url=row["url"],
        title=row["title"],
        body=row["body"],
        source=row["source"],
        published=datetime.fromtimestamp(published, tz=UTC) if published is not None else None,
        language=row["language"],
        topics=tuple(str(row["topics"]).split()),
        categories=_json_tuple(row["categories"]),
        summary=_json_tuple(row["summary"]),
        id=int(row["id"]),
        story_id=int(row["story_id"]),
        partial=bool(row["partial"]),
    )


def _json_text(values: Sequence[str]) -> str:
    return _storable(json.dumps(list(values), ensure_ascii=False))


def search_terms(
    words: str, common: Collection[str] = ()
) -> tuple[str | None, list[str], list[tuple[str, str, str, list[str]]]]:
    """User text as (a safe FTS5 query or None, substrings to look for in title and body, umlaut checks).

    The FTS5 query has each word, and each quoted phrase, as a quoted string, all ANDed, so no user text is
    ever FTS5 syntax.

    FTS5's tokenizer takes a run of Chinese or Japanese characters for one token, so "東京" would never
    match "東京で地震"; words in scripts written without spaces are looked for as substrings instead.

    A word typed with "ae", "oe" or "ue" is also looked for with an umlaut ("koeln" as "köln"), which the index
    keeps as the plain letter: "joe" would find "Jo". Each such word comes with a check, (the word case-folded,
    an FTS5 query of its other spellings, one of the umlaut spellings, the umlaut spellings): an article must
    match the first query or print one of those. No umlaut is guessed for the words in ``common``.
    """
    checks: list[tuple[str, str, str, list[str]]] = []
    terms: dict[str, None] = {}
    substrings: dict[str, None] = {}
    for match in _SEARCH_CHUNK.finditer(words[:_MAX_SEARCH_CHARS]):
        phrase = next((g for g in match.groups()[:3] if g is not None), None)
        # A quoted phrase stays one FTS5 string, which FTS5 reads as a phrase: its words in that order.
        chunk = " ".join(phrase.split()) if phrase is not None else match.group(4)
        if phrase is None:
            # "Coffee's" is the words "coffee" and "s" to FTS5, a phrase no text about coffee holds.
            chunk = _POSSESSIVE.sub("", chunk)
        # Control characters (NUL ends an FTS5 string early) and lone surrogates (not encodable) go.
        categories = [(ch, unicodedata.category(ch)) for ch in chunk]
        cleaned = "".join(ch for ch, cat in categories if cat[0] != "C")
        # The index splits a stored word at a format character (the zero-width non-joiner inside Persian
        # words; not the soft hyphen, word joiner or U+FEFF, which it drops: migration 0025): such a word is
        # also looked for as its parts in a row.
        parts = "".join(" " if cat == "Cf" else ch for ch, cat in categories if cat[0] != "C" or cat == "Cf")
        parts = " ".join(parts.lower().split())
        # A chunk without letters or digits would be an empty phrase, and an empty phrase matches nothing.
        if not any(ch.isalnum() for ch in cleaned):
            continue
        if is_unspaced(cleaned):
            substrings.setdefault(cleaned.strip(_SEARCH_EDGE_PUNCT) or cleaned)
            if len(terms) + len(substrings) == _MAX_SEARCH_TERMS:
                break
            continue
        # Inside an FTS5 string only '"' is special; FTS5 tokenizes the string as it tokenized the text,
        # so "don't" or "U.S." become the phrase of their words. unicode61 folds simple case only, so a word
        # that full case folding changes ("Straße" -> "strasse") is looked up in both spellings, and a word
        # with "ss" also with "ß" ("strasse" -> "straße"), and a word of Latin letters and digits in either
        # width ("ｉＰｈｏｎｅ", "iphone"). Accents need nothing: the index drops them.
        folded = cleaned.casefold()
        narrow = folded.translate(_NARROW)
        wide = [narrow.translate(_WIDE)] if narrow.isascii() else []
        bases = dict.fromkeys((cleaned.lower(), folded, *_sharp_s_spellings(folded), parts, narrow, *wide))
        # Keyword subscriptions take "е" for "ё" and Greek letters without their accents, and let a Korean
        # word carry its particle: the "/search WORD" a digest offers for a keyword must find what it matched.
        spellings = dict.fromkeys(s for base in bases for s in (base, *_letter_spellings(base)))
        # "köln" also as "koeln", and "koeln" as "köln" (which needs a check: see the docstring).
        spellings[folded.translate(UMLAUT_AS_PAIR)] = None
        # "U.S." and "U.N." are their letters as words to the index, one word to keyword subscriptions: "us election"
        # and "un" find them (bot/delivery/planning.py), so a short word is also looked for with its letters apart.
        spellings.update(dict.fromkeys(_dotted_spellings(folded)))
        umlauts = [] if folded in common else [u for u in _umlaut_spellings(folded) if u not in spellings]
        # An FTS5 prefix query when the last word is Korean: it may go on ("서울"* finds "서울에서").
        last = next((ch for ch in reversed(cleaned) if ch.isalnum()), "")
        prefix = "*" if _HANGUL.match(last) else ""
        forms = [_fts_string(form, prefix) for form in spellings]
        if umlauts:
            guessed = [_fts_string(form, prefix) for form in umlauts]
            checks.append((folded, " OR ".join(forms), " OR ".join(guessed), umlauts))
            forms += guessed
        terms.setdefault(forms[0] if len(forms) == 1 else "(" + " OR ".join(forms) + ")")
        if len(terms) + len(substrings) == _MAX_SEARCH_TERMS:
            break
    return " AND ".join(terms) or None, list(substrings), checks


def _fts_string(text: str, prefix: str = "") -> str:
    """``text`` as an FTS5 string (a phrase of its words), ``prefix`` "*" to let its last word go on."""
    return '"' + text.replace('"', '""') + '"' + prefix


def glued_words(words: str) -> list[str]:
    """The words of a search to look for also where Chinese or Japanese text is glued to them, lowercased.

    Keyword subscriptions find "iphone" in "新型iPhoneを発表" (a word ends where the script changes), where the
    index holds the whole run as one token. Only for a search of plain ASCII words (and unspaced ones): [] else.
    """
    found: list[str] = []
    for chunk in words[:_MAX_SEARCH_CHARS].split()[:_MAX_SEARCH_TERMS]:
        if is_unspaced(chunk):
            continue
        chunk = chunk.translate(_NARROW)
        if not (chunk.isascii() and chunk.isalnum()):
            return []
        found.append(chunk.lower())
    return list(dict.fromkeys(found))


def symbol_words(words: str) -> list[str]:
    """The words of a search that hold a symbol the index drops ("c++", "AT&T's", ".NET"), lowercased and
    without the punctuation around them, to be found with it; only words of ASCII characters: [] for none."""
    found: list[str] = []
    for chunk in words[:_MAX_SEARCH_CHARS].split()[:_MAX_SEARCH_TERMS]:
        chunk = _POSSESSIVE.sub("", chunk)
        word = without_tag_sign(strip_edges(chunk, _SEARCH_OPERATORS)).lower()
        if word.isascii() and any(ch.isalnum() for ch in word) and not _PLAIN_SEARCH_WORD.fullmatch(word):
            found.append(word)
    return list(dict.fromkeys(found))


def acronyms(words: str) -> list[str]:
    """The words of a search typed as acronyms ("US", "NHS"), which must appear in capitals; [] when every
    letter of a search of several words is a capital (typed with caps lock on: "OIL PRICES" means oil)."""
    words = words[:_MAX_SEARCH_CHARS]
    if words == words.upper() and len(words.split()) > 1:
        return []
    return list(dict.fromkeys(_ACRONYM.findall(words)))[:_MAX_SEARCH_TERMS]


def _either_width(char: str) -> str:
    """A GLOB pattern for the full-width form of an ASCII letter or digit, in either case ("n" -> "[Ｎｎ]")."""
    if not char.isalpha():
        return chr(_WIDE[ord(char)])
    return f"[{chr(_WIDE[ord(char.upper())])}{chr(_WIDE[ord(char.lower())])}]"


def _letter_spellings(word: str) -> list[str]:
    """Other spellings of ``word`` that the index keeps apart: "ё" as "е" and back, Greek with(out) accents,
    "œ" and "æ" as two letters and back, "ł" and "ø" as "l" and "o" (not back: any "o" may be one).

    Russian news print "Королев" for "Королёв", and Greek capitals drop their accents ("ΑΘΗΝΑ" for "Αθήνα");
    unicode61 folds neither, nor "cœur" to the "coeur" keyboards type. A word typed without them may have one:
    at most _MAX_SPELLINGS tries.
    """
    spellings: list[str] = []
    if word.translate(PLAIN_LETTERS) != word:
        spellings.append(word.translate(PLAIN_LETTERS))
    for joined, apart in (("œ", "oe"), ("æ", "ae")):
        if joined in word:
            spellings.append(word.replace(joined, apart))
        elif apart in word:
            spellings.append(word.replace(apart, joined))
    if "ё" in word:
        spellings.append(word.replace("ё", "е"))
    else:
        spellings += [word[:at] + "ё" + word[at + 1 :] for at, ch in enumerate(word) if ch == "е"][
            :_MAX_SPELLINGS
        ]
    plain = unicodedata.normalize("NFC", _GREEK_ACCENT.sub(r"\1", unicodedata.normalize("NFD", word)))
    if plain != word:
        spellings.append(plain)
    else:
        # Monotonic Greek accents one vowel of a word (of two syllables or more).
        spellings += [
            word[:at] + unicodedata.normalize("NFC", ch + "\u0301") + word[at + 1 :]
            for at, ch in enumerate(word)
            if ch in _GREEK_VOWELS
        ][:_MAX_SPELLINGS]
    return spellings


def _umlaut_spellings(word: str) -> list[str]:
    """``word`` (case-folded) with some of its "ae", "oe" and "ue" written as umlauts, all of them first
    ("muenchen" -> "münchen"; "bauernhoefe" -> "baürnhöfe", "bauernhöfe", ...): at most _MAX_SPELLINGS."""
    pairs = [match.start() for match in _UMLAUT_PAIR.finditer(word)][:_MAX_SPELLINGS]
    spellings: list[str] = []
    for count in range(len(pairs), 0, -1):
        for chosen in itertools.combinations(pairs, count):
            spelled = word
            for at in reversed(chosen):
                spelled = spelled[:at] + {"a": "ä", "o": "ö", "u": "ü"}[word[at]] + spelled[at + 2 :]
            spellings.append(spelled)
            if len(spellings) == _MAX_SPELLINGS:
                return spellings
    return spellings


def _dotted_spellings(text: str) -> list[str]:
    """``text`` with some of its words of 2 or 3 ASCII letters written a letter at a time, as the index holds an
    abbreviation printed with a full stop after each letter ("us election" -> "u s election"): at most
    _MAX_SPELLINGS, of its first three such words. (Longer ones are hardly printed so, and a phrase of single
    letters that most English texts hold, "a", "s" from "'s", "i", "t" from "n't", costs a read of them all.)"""
    # Words and what is between them: a word of a hyphenated one counts too ("us-led" finds "U.S.-led", as
    # keywords find it).
    words = _WORD_APART.split(text)
    short = [
        at
        for at, word in enumerate(words)
        if at % 2 == 0 and 2 <= len(word) <= 3 and word.isascii() and word.isalpha()
    ]
    spellings: list[str] = []
    for count in range(len(short[:3]), 0, -1):
        for chosen in itertools.combinations(short[:3], count):
            spellings.append("".join(" ".join(w) if at in chosen else w for at, w in enumerate(words)))
    return spellings[:_MAX_SPELLINGS]


def _sharp_s_spellings(word: str) -> list[str]:
    """``word`` with one or more of its "ss" written "ß" ("schlossstrasse" -> "schloßstrasse", ...).

    German writes "Straße" and, in capitals or in Switzerland, "Strasse"; the index keeps "ß" as a letter of
    its own. At most _MAX_SPELLINGS, so a word of many "s" cannot make a huge query.
    """
    spellings: list[str] = []
    pending = [(word, 0)]
    while pending and len(spellings) < _MAX_SPELLINGS:
        text, start = pending.pop(0)
        at = text.find("ss", start)
        while at >= 0 and len(spellings) < _MAX_SPELLINGS:
            spelled = text[:at] + "ß" + text[at + 2 :]
            spellings.append(spelled)
            pending.append((spelled, at + 1))
            at = text.find("ss", at + 1)
    return spellings


async def _add_one(conn: aiosqlite.Connection, item: NewArticle, now: float) -> tuple[Article, AddStatus]:
    original = item.article
    article = replace(
        original,
        url=_storable(original.url),
        title=_storable(original.title),
        body=_storable(original.body),
        source=_storable(original.source),
    )
    rows = await fetch_all(conn, f"SELECT {_COLUMNS} FROM articles WHERE url = ?", (article.url,))
    if rows:
        await _share(conn, int(rows[0]["id"]), item.reader)
        return _article_from_row(rows[0]), "duplicate_url"
    rows = await fetch_all(
        conn, f"SELECT {_COLUMNS} FROM articles WHERE content_hash = ?", (item.content_hash,)
    )
    if rows:
        await _share(conn, int(rows[0]["id"]), item.reader)
        return _article_from_row(rows[0]), "duplicate_content"
    rows = await fetch_all(
        conn, "SELECT 1 FROM pruned_articles WHERE key IN (?, ?)", (article.url, item.content_hash)
    )
    if rows:
        # Seen again: remember it for longer (see ArticleRepo.forget_pruned).
        await run(
            conn,
            "UPDATE pruned_articles SET pruned_at = ? WHERE key IN (?, ?)",
            (now, article.url, item.content_hash),
        )
        return original, "pruned"
    rows = await fetch_all(
        conn,
        "INSERT INTO articles (url, title, source, published_at, fetched_at, language, body, topics,"
        " categories, summary, content_hash, story_signature, story_id, feed_id, alert_pending, private,"
        " unspaced, source_url, partial, backlog)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, coalesce(?, 0), ?, ?, ?, ?, ?, ?, ?)"
        " RETURNING id",
        (
            article.url,
            article.title,
            article.source,
            _epoch(article.published),
            now,
            article.language,
            article.body,
            " ".join(dict.fromkeys(article.topics)),
            _json_text(article.categories),
            _json_text(article.summary),
            item.content_hash,
            item.story_signature,
            item.story_id,
            item.feed_id,
            int(item.alert),
            int(item.reader is not None),
            # Only such articles can hold a word search looks for inside the text (see search()).
            int(is_unspaced(article.title) or is_unspaced(article.body)),
            None if article.source_url is None else _storable(article.source_url),
            int(article.partial),
            int(item.backlog),
        ),
    )
    article_id = int(rows[0]["id"])
    topics = list(dict.fromkeys(article.topics))
    if topics:
        # /latest TOPIC reads this list rather than each article's topics (see migration 0013).
        await run(
            conn,
            "INSERT OR IGNORE INTO article_topics (topic, article_id) SELECT value, ? FROM json_each(?)",
            (article_id, json.dumps(topics)),
        )
    if item.reader is not None:
        await _share(conn, article_id, item.reader)
    story_id = item.story_id
    if story_id is None:
        # A new story is named after its first article.
        story_id = article_id
        await run(conn, "UPDATE articles SET story_id = ? WHERE id = ?", (story_id, article_id))
    return replace(article, id=article_id, story_id=story_id), "added"


async def release_deliveries(conn: aiosqlite.Connection, article_ids_json: str) -> None:
    """Inside a write transaction, before the articles in the JSON array ``article_ids_json`` are deleted:
    their delivery rows move to another article of the same story, or go with the story's last article.

    A story outlives its first article: its delivery rows are the "sent once" record, so while any article of
    the story stays they move to one of those (else a later report of the same story would be delivered
    again). Rows left pointing at a deleted article would never be pruned (pruning finds rows by article).
    """
    in_batch = "IN (SELECT value FROM json_each(?))"
    survivor = (
        f"SELECT min(a.id) FROM articles AS a WHERE a.story_id = deliveries.story_id AND a.id NOT {in_batch}"
    )
    await run(
        conn,
        f"UPDATE deliveries SET article_id = ({survivor}) WHERE article_id {in_batch} AND ({survivor}) IS NOT NULL",
        (article_ids_json, article_ids_json, article_ids_json),
    )
    await run(conn, f"DELETE FROM deliveries WHERE article_id {in_batch}", (article_ids_json,))


async def clear_alert_pending(conn: aiosqlite.Connection, article_ids: Sequence[int]) -> None:
    """Clear the articles' "alerts to plan" mark inside the caller's transaction."""
    await conn.executemany(
        "UPDATE articles SET alert_pending = 0 WHERE id = ? AND alert_pending = 1",
        [(article_id,) for article_id in article_ids],
    )


class ArticleRepo:
    """Articles: add with deduplication, read, search, prune."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def add(
        self,
        article: Article,
        *,
        content_hash: str,
        story_signature: str | None,
        story_id: int | None,
        feed_id: int | None,
        now: float,
        alert: bool = False,
        reader: int | None = None,
        backlog: bool = False,
    ) -> tuple[Article, AddStatus]:
        """Store an article unless known; returns (article, status), the stored one for duplicates.

        ``alert``: subscribers are to be alerted; the article stays in :meth:`alert_pending` until planned.
        ``reader``: the chat that asked for this link's summary; the article is private to the chats that
        asked, until a feed or a file brings it (then it is public).
        """
        item = NewArticle(article, content_hash, story_signature, story_id, feed_id, alert, reader, backlog)
        async with self._db.write() as conn:
            return await _add_one(conn, item, now)

    async def add_many(self, items: Sequence[NewArticle], now: float) -> list[tuple[Article, AddStatus]]:
        """Store a batch in one transaction (much faster than one add() each); results in input order."""
        results: list[tuple[Article, AddStatus]] = []
        if not items:
            return results
        async with self._db.write() as conn:
            for item in items:
                results.append(await _add_one(conn, item, now))
        return results

    async def get(self, article_id: int, *, reader: int | None = None) -> Article | None:
        """The article with this id, or None (also for ids SQLite cannot hold, as forged buttons carry).

        With ``reader`` (a chat id), None also for an article private to other chats.
        """
        if not _MIN_ROWID <= article_id <= _MAX_ROWID:
            return None
        where, params = (
            ("id = ?", (article_id,)) if reader is None else (f"id = ? AND {_VISIBLE}", (article_id, reader))
        )
        rows = await fetch_all(self._db.reader, f"SELECT {_COLUMNS} FROM articles WHERE {where}", params)
        return _article_from_row(rows[0]) if rows else None

    async def ever_stored(self, article_id: int) -> bool:
        """Whether an article ever had this id (ids are never reused, so one above the last given never did)."""
        rows = await fetch_all(self._db.reader, "SELECT seq FROM sqlite_sequence WHERE name = 'articles'", ())
        return bool(rows) and 1 <= article_id <= rows[0]["seq"]

    async def get_by_url(self, url: str) -> Article | None:
        """The article with this canonical URL, or None."""
        found = await self.lookup_url(url)
        return found[0] if found else None

    async def rename_url(self, old: str, new: str) -> bool:
        """Store the article at ``old`` under ``new`` (a feed item's identity that changed with a newer
        newsbot), unless ``new`` is taken; whether there was one at ``old``."""
        rows = await fetch_all(self._db.reader, "SELECT 1 FROM articles WHERE url = ?", (old,))
        if not rows:  # a new item: no write (a first poll asks it of up to 1,000)
            return False
        async with self._db.write() as conn:
            await run(
                conn,
                "UPDATE articles SET url = ? WHERE url = ? AND NOT EXISTS (SELECT 1 FROM articles WHERE url = ?)",
                (new, old, new),
            )
        return True

    async def rename_feed_item(self, feed_id: int, title: str, published: datetime, new: str) -> bool:
        """Store under ``new`` the one article of feed ``feed_id`` without a link of its own (a made-up
        "urn:newsbot:" address) under this title and date, if there is exactly one and ``new`` is not taken;
        whether it was found."""
        rows = await fetch_all(
            self._db.reader,
            "SELECT id FROM articles WHERE feed_id = ? AND title = ? AND published_at = ?"
            " AND substr(url, 1, 12) = 'urn:newsbot:' LIMIT 2",
            (feed_id, _storable(title), _epoch(published)),
        )
        if len(rows) != 1:
            return False
        async with self._db.write() as conn:
            await run(
                conn,
                "UPDATE articles SET url = ? WHERE id = ? AND NOT EXISTS (SELECT 1 FROM articles WHERE url = ?)",
                (new, int(rows[0]["id"]), new),
            )
        return True

    async def lookup_url(self, url: str) -> tuple[Article, bool] | None:
        """The article with this canonical URL and whether it is private to the chats that sent it, or None."""
        rows = await fetch_all(
            self._db.reader, f"SELECT {_COLUMNS}, private FROM articles WHERE url = ?", (url,)
        )
        return (_article_from_row(rows[0]), bool(rows[0]["private"])) if rows else None

    async def share(self, article_id: int, reader: int | None) -> bool:
        """Let chat ``reader`` see a private article (it sent its link too); None: make it public (a feed has it).

        False when the article is gone: the /stop of the only chat that had sent its link deleted it after the
        caller found it, and a reader row for it would break its foreign key.
        """
        async with self._db.write() as conn:
            if not await fetch_all(conn, "SELECT 1 FROM articles WHERE id = ?", (article_id,)):
                return False
            await _share(conn, article_id, reader)
        return True

    async def publish(self, article_id: int, *, alert: bool) -> bool:
        """Make a private article public (a feed lists it); ``alert``: plan its alerts, as for a new item.

        False when it was public already.
        """
        async with self._db.write() as conn:
            cur = await conn.execute(
                "UPDATE articles SET private = 0, alert_pending = CASE WHEN ? THEN 1 ELSE alert_pending END"
                " WHERE id = ? AND private = 1",
                (int(alert), article_id),
            )
            return cur.rowcount == 1

    async def latest(
        self, limit: int = 10, topic: str | None = None, *, reader: int = 0, after: int | None = None
    ) -> list[Article]:
        """The newest articles (published time, else fetch time), optionally of one topic.

        Public articles and those private to chat ``reader`` (see :meth:`add`). ``after``: the last article of
        the page before; only older articles, of stories that page and those before it did not show ([] when
        that article is gone).
        """
        if topic is None:
            return await self._newest(_VISIBLE, (reader,), limit, after=after)
        # Walk the articles newest first, testing ids against the topic's list, and stop at ``limit``: reading
        # each article's topics instead took 0.38 s at 200,000 articles for a topic few of them have.
        return await self._newest(
            f"id IN (SELECT article_id FROM article_topics WHERE topic = ?) AND {_VISIBLE}",
            (topic, reader),
            limit,
            indexed_by="articles_newest",
            after=after,
        )

    async def search(
        self, words: str, limit: int = 10, *, reader: int = 0, after: int | None = None
    ) -> list[Article]:
        """Articles whose title or body contain all the words, newest first; [] for no words.

        Public articles and those private to chat ``reader`` (see :meth:`add`). ``after``: the last article of
        the page before, as for :meth:`latest`.
        """
        query, substrings, umlaut_checks = search_terms(words)
        common = [
            folded
            for folded, others, guessed, _ in umlaut_checks
            if await self._too_many_to_check(f"({guessed}) NOT ({others})")
        ]
        if common:
            query, substrings, umlaut_checks = search_terms(words, common)
        clauses: list[str] = []
        params: list[object] = []
        if query is not None:
            found = "id IN (SELECT rowid FROM articles_fts WHERE articles_fts MATCH ?)"
            params.append(query)
            for _, others, _, umlauts in umlaut_checks:
                # The index matched "koeln" typed as "köln" also in "Koln", and "joe" in "Jo": such an article
                # counts only when it prints the umlaut, in any case ("Köln", "KÖLN").
                # As the start of a word: "joe" must not find "Jo" beside "Björn" (the stemmer lets a word go on:
                # "Götzes" is "götze"). instr (no copy of the text) picks the texts GLOB then checks. Stored text
                # may be decomposed ("u" + U+0308), as the index and keyword subscriptions read it too.
                # Each word with a guessed umlaut, not the whole of a phrase or hyphenated word: that is printed
                # in other cases than one for all its words ("Bayern München", "FC Köln", "Baden-Württemberg").
                umlaut_words = dict.fromkeys(
                    w for u in umlauts for w in _SEARCH_WORD.findall(u) if _UMLAUT.search(w)
                )
                cases = [f(w) for w in umlaut_words for f in (str.lower, str.capitalize, str.upper)]
                printed = dict.fromkeys(unicodedata.normalize(n, c) for c in cases for n in ("NFC", "NFD"))
                starts = "(instr({0}, ?) > 0 AND (' ' || {0} || ' ') GLOB ?)"
                found += " AND (id IN (SELECT rowid FROM articles_fts WHERE articles_fts MATCH ?)"
                found += f" OR {starts.format('title')} OR {starts.format('body')}" * len(printed) + ")"
                params.append(others)
                for spelled in printed:
                    glob = _NOT_LETTER + "".join(f"[{ch}]" if ch in "*?[" else ch for ch in spelled) + "*"
                    params += [spelled, glob] * 2
            glued = glued_words(words)
            if glued:
                # Or, in an article with Chinese or Japanese text, each word with no letter or digit beside it.
                # (Only such articles are read: the others are wholly in the index.)
                # LIKE (ASCII case-insensitive, no copy of the text) picks the few candidates GLOB then checks.
                near = "({0} LIKE ? AND (' ' || lower({0}) || ' ') GLOB ?)"
                # Japanese news also write such words full-width ("ＮＨＫの調査"), which LIKE and lower() do not
                # fold: instr picks the few texts with its first letter full-width, and GLOB checks them, case by
                # case ("[Ｎｎ]"), and the letters beside them.
                wide = "((instr({0}, ?) > 0 OR instr({0}, ?) > 0) AND (' ' || {0} || ' ') GLOB ?)"
                each = " OR ".join(
                    form.format(column) for form in (near, wide) for column in ("title", "body")
                )
                # unspaced as ids from its partial index: read from each row, it made the walk below load every
                # article the index did not match (0.23 s for a word in no article of 200,000, 0.44 s for a rare one).
                unspaced = "id IN (SELECT id FROM articles WHERE unspaced = 1)"
                found = f"({found} OR ({unspaced} AND {' AND '.join([f'({each})'] * len(glued))}))"
                for word in glued:
                    params += [f"%{word}%", f"*[^a-z0-9]{word}[^a-z0-9]*"] * 2
                    first = [chr(_WIDE[ord(word[0].upper())]), chr(_WIDE[ord(word[0])])]
                    letters = "".join(_either_width(ch) for ch in word)
                    params += [*first, f"*{_NOT_WIDE_ALNUM}{letters}{_NOT_WIDE_ALNUM}*"] * 2
            clauses.append(found)
        for word in symbol_words(words) if query is not None else ():
            # LIKE (ASCII case-insensitive, no copy of the text) picks the few texts GLOB then checks, with no
            # letter or digit beside the word ("c++" is not in "c++20", ".net" not in "asp.net").
            symbol = "({0} LIKE ? ESCAPE '\\' AND (' ' || lower({0}) || ' ') GLOB ?)"
            clauses.append("(" + " OR ".join(symbol.format(c) for c in ("title", "body")) + ")")
            like = word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            glob = "".join(f"[{ch}]" if ch in "*?[" else ch for ch in word)
            params += [f"%{like}%", f"*[^a-z0-9_]{glob}[^a-z0-9_]*"] * 2
        exact: list[str] = []
        exact_params: list[object] = []
        for word in acronyms(words) if query is not None else ():
            # The index matched its stem; only texts holding it in capitals as a word of its own count.
            # instr (case-sensitive, no copy of the text) picks the few texts GLOB then checks.
            typed = "(instr({0}, ?) > 0 AND (' ' || {0} || ' ') GLOB ?)"
            spellings = [word, word.capitalize()] if len(word) > 3 else [word]
            # Japanese news print it full-width ("ＮＨＫの調査"): looked for only in such articles.
            full_width = [spelled.translate(_WIDE) for spelled in spellings]
            # American and wire style print it with full stops ("U.S.", "U.N."), as keywords find it.
            spellings += [".".join(word) + "."] if len(word) < 4 else []
            checks = [typed.format(c) for _ in spellings for c in ("title", "body")]
            checks += [f"(unspaced = 1 AND {typed.format(c)})" for _ in full_width for c in ("title", "body")]
            exact.append("(" + " OR ".join(checks) + ")")
            for spelled in (*spellings, *full_width):
                exact_params += [spelled, f"*{_NOT_WIDE_ALNUM}{spelled}{_NOT_WIDE_ALNUM}*"] * 2
        if substrings:
            # Each substring has a character of these scripts (search_terms), so only articles marked as
            # having one can match; their partial index spares reading every other body (0.28 s at 50,000).
            clauses.append("unspaced = 1")
        for text in substrings:
            clauses.append("(instr(title, ?) > 0 OR instr(body, ?) > 0)")
            params += [text, text]
        if not clauses:
            return []
        # Visibility last: it reads the row, which the tests before it mostly spare (ids alone answer them).
        clauses.append(_VISIBLE)
        params.append(reader)
        # Words alone: walk the articles newest first and stop at ``limit`` matches, testing each id against
        # the index's matches. The planner would rather read every matching row and sort them all: 0.33 s
        # for a word in nearly every one of 200,000 articles, against 0.04 s (and 2 ms for rarer words).
        newest = "articles_newest" if query is not None and not substrings else None
        if exact:
            where, values = " AND ".join([*clauses, *exact]), (*params, *exact_params)
            found_exact = await self._newest(
                where, values, limit, indexed_by=newest, after=after, search=True
            )
            if found_exact or (
                after is not None and await self._newest(where, values, 1, indexed_by=newest, search=True)
            ):
                return found_exact
            # No article prints it in capitals: typed with caps lock on ("OIL"), it means the word.
        return await self._newest(
            " AND ".join(clauses), tuple(params), limit, indexed_by=newest, after=after, search=True
        )

    async def _too_many_to_check(self, query: str) -> bool:
        """Whether more than _MAX_UMLAUT_CHECKS articles match FTS5 ``query``."""
        rows = await fetch_all(
            self._db.searcher,
            "SELECT count(*) FROM (SELECT 1 FROM articles_fts WHERE articles_fts MATCH ? LIMIT ?)",
            (query, _MAX_UMLAUT_CHECKS + 1),
        )
        return int(rows[0][0]) > _MAX_UMLAUT_CHECKS

    async def _newest(
        self,
        where: str,
        params: tuple[object, ...],
        limit: int,
        *,
        indexed_by: str | None = None,
        after: int | None = None,
        search: bool = False,
    ) -> list[Article]:
        # A search reads on a connection of its own (see Database.searcher).
        conn = self._db.searcher if search else self._db.reader
        # Pick the ids first and fetch whole rows only for those: sorting full rows drags every body
        # through the sorter (8x slower at 5,000 articles). One article per story, its newest telling that
        # matches: the same story from two sources is listed once (other_sources names the rest).
        hint = f" INDEXED BY {indexed_by}" if indexed_by else ""
        older = f" AND {_OLDER_THAN}" if after is not None else ""
        candidates = await fetch_all(
            conn,
            f"SELECT id, story_id FROM articles{hint} WHERE {where}{older} ORDER BY {_NEWEST_FIRST} LIMIT ?",
            # SQLite reads a negative LIMIT as "no limit"; a slip in the caller must not fetch everything.
            (*params, *((after,) if after is not None else ()), max(0, limit) * _STORY_OVERFETCH),
        )
        ids: list[int] = []
        stories: set[int] = set()
        if after is not None and candidates:
            # A story an earlier page showed (by a newer telling) is not listed again by an older one.
            listed = {int(row["story_id"]) for row in candidates}
            shown = await fetch_all(
                conn,
                f"SELECT DISTINCT story_id FROM articles WHERE story_id IN ({', '.join('?' * len(listed))})"
                f" AND {where} AND NOT {_OLDER_THAN}",
                (*listed, *params, after),
            )
            stories = {int(row["story_id"]) for row in shown}
        for row in candidates:
            if len(ids) >= limit:
                break
            if row["story_id"] not in stories:
                stories.add(row["story_id"])
                ids.append(int(row["id"]))
        if not ids:
            return []
        rows = await fetch_all(
            conn,
            f"SELECT {_COLUMNS} FROM articles WHERE id IN ({', '.join('?' * len(ids))}) ORDER BY {_NEWEST_FIRST}",
            tuple(ids),
        )
        return [_article_from_row(r) for r in rows]

    async def other_sources(self, articles: Sequence[Article]) -> dict[int, tuple[str, ...]]:
        """For each article (by id), the other sources that reported its story, first one first."""
        by_story = {a.story_id: a for a in articles if a.id is not None and a.story_id is not None}
        if not by_story:
            return {}
        rows = await fetch_all(
            self._db.reader,
            f"SELECT story_id, source FROM articles WHERE story_id IN ({', '.join('?' * len(by_story))})"
            " AND private = 0 ORDER BY id",
            tuple(by_story),
        )
        found: dict[int, dict[str, None]] = {}
        for row in rows:
            article = by_story[int(row["story_id"])]
            if row["source"] and row["source"] != article.source and article.id is not None:
                found.setdefault(article.id, {})[str(row["source"])] = None
        return {article_id: tuple(sources) for article_id, sources in found.items()}

    async def revisable(self, feed_id: int, since: float) -> dict[str, RevisableArticle]:
        """url -> the public articles feed ``feed_id`` brought since ``since``: those whose later edits in that
        feed replace them (see :meth:`revise`)."""
        rows = await fetch_all(
            self._db.reader,
            "SELECT id, url, title, content_hash, fetched_at, alert_pending, backlog FROM articles"
            " WHERE feed_id = ? AND fetched_at >= ? AND private = 0",
            (feed_id, since),
        )
        return {
            str(r["url"]): RevisableArticle(
                int(r["id"]),
                str(r["title"]),
                str(r["content_hash"]),
                float(r["fetched_at"]),
                bool(r["alert_pending"]),
                bool(r["backlog"]),
            )
            for r in rows
        }

    async def revise(
        self, article_id: int, article: Article, *, content_hash: str, alert: bool = False
    ) -> bool:
        """Replace a stored article's title, text, categories, topics and summary by its feed's edit of them; its
        id, address, dates and story stay. False when it is gone, or another article holds that text already.

        ``alert``: the chats the edit makes it match are to be alerted; it stays in :meth:`alert_pending` until
        planned (a mark not planned yet stays either way)."""
        topics = list(dict.fromkeys(article.topics))
        async with self._db.write() as conn:
            cur = await conn.execute(
                "UPDATE articles SET title = ?, body = ?, categories = ?, topics = ?, summary = ?,"
                " content_hash = ?, unspaced = ?, partial = ?, alert_pending = max(alert_pending, ?)"
                " WHERE id = ? AND NOT EXISTS (SELECT 1 FROM articles WHERE content_hash = ? AND id != ?)",
                (
                    _storable(article.title),
                    _storable(article.body),
                    _json_text(article.categories),
                    " ".join(topics),
                    _json_text(article.summary),
                    content_hash,
                    int(is_unspaced(article.title) or is_unspaced(article.body)),
                    int(article.partial),
                    int(alert),
                    article_id,
                    content_hash,
                    article_id,
                ),
            )
            if cur.rowcount != 1:
                return False
            # A corrected headline can change what the story is about: /latest TOPIC reads this list.
            await run(conn, "DELETE FROM article_topics WHERE article_id = ?", (article_id,))
            await run(
                conn,
                "INSERT OR IGNORE INTO article_topics (topic, article_id) SELECT value, ? FROM json_each(?)",
                (article_id, json.dumps(topics)),
            )
            return True

    async def set_summary(self, article_id: int, sentences: Sequence[str]) -> None:
        """Store the article's summary sentences (computed once, shown many times)."""
        async with self._db.write() as conn:
            await run(
                conn,
                "UPDATE articles SET summary = ? WHERE id = ?",
                (_json_text(sentences), article_id),
            )

    async def recent_signatures(self, since: float) -> list[tuple[int, str, str, str, str]]:
        """(story_id, story_signature, url, source, title) of articles fetched since ``since``, to group new ones;
        the url is the outlet's site for an aggregator's item (``Article.source_url``)."""
        rows = await fetch_all(
            self._db.reader,
            "SELECT story_id, story_signature, coalesce(source_url, url) AS url, source, title FROM articles"
            # Ordered by the indexed column so the planner reads only the recent rows.
            " WHERE fetched_at >= ? AND story_signature IS NOT NULL ORDER BY fetched_at, id",
            (since,),
        )
        return [
            (
                int(r["story_id"]),
                str(r["story_signature"]),
                str(r["url"] or ""),
                str(r["source"] or ""),
                str(r["title"] or ""),
            )
            for r in rows
        ]

    async def story_articles(self, story_id: int) -> list[Article]:
        """All stored public articles of one story, first one first (private ones name no other chat's links)."""
        rows = await fetch_all(
            self._db.reader,
            f"SELECT {_COLUMNS} FROM articles WHERE story_id = ? AND private = 0 ORDER BY id",
            (story_id,),
        )
        return [_article_from_row(r) for r in rows]

    async def alert_pending(self, limit: int = 1000) -> list[Article]:
        """Articles whose alerts are still to be planned, oldest first (DeliveryRepo.plan clears the mark)."""
        rows = await fetch_all(
            self._db.reader,
            f"SELECT {_COLUMNS} FROM articles WHERE alert_pending = 1 ORDER BY id LIMIT ?",
            (max(0, limit),),
        )
        return [_article_from_row(r) for r in rows]

    async def mark_alert_pending(self, article_ids: Sequence[int]) -> None:
        """Their alerts are to be planned after all (a feed's first poll marks the few it alerts at its end)."""
        if not article_ids:
            return
        async with self._db.write() as conn:
            await conn.executemany(
                "UPDATE articles SET alert_pending = 1 WHERE id = ?",
                [(article_id,) for article_id in article_ids],
            )

    async def clear_alert_pending(self, article_ids: Sequence[int]) -> None:
        """No alerts for these articles after all (stored, but held back)."""
        async with self._db.write() as conn:
            await clear_alert_pending(conn, article_ids)

    async def since_id(self, after_id: int, limit: int = 1000) -> list[Article]:
        """Articles stored after ``after_id``, ascending by id."""
        rows = await fetch_all(
            self._db.reader,
            f"SELECT {_COLUMNS} FROM articles WHERE id > ? ORDER BY id LIMIT ?",
            (after_id, max(0, limit)),
        )
        return [_article_from_row(r) for r in rows]

    async def public_since(self, since: float, limit: int = 1000) -> list[Article]:
        """Public articles published (else fetched) at ``since`` or later, newest first, up to ``limit``."""
        rows = await fetch_all(
            self._db.reader,
            f"SELECT {_COLUMNS} FROM articles INDEXED BY articles_newest"
            f" WHERE {_NEWEST_KEY} >= ? AND private = 0 ORDER BY {_NEWEST_FIRST} LIMIT ?",
            (since, max(0, limit)),
        )
        return [_article_from_row(r) for r in rows]

    async def prune(self, older_than: float, now: float, limit: int | None = None) -> int:
        """Delete articles fetched before ``older_than``, at most ``limit`` of them; remember the URL and hash of
        those a feed or a file brought (not of links only chats sent).

        Their deliveries go with them, except where an article of the same story stays: there they move to it,
        the story's "sent once" record.

        An article whose alerts are still to be planned, or with a delivery still queued, stays until that
        work is settled (sent, failed or dropped): after an outage longer than the retention window, those are
        what the restart must still send. See :meth:`held_from_pruning`.
        """
        total = 0
        # A (fetched_at, id) cursor on articles_fetched reads only the old rows. An id cursor walked on through
        # every newer article after the last old one, inside the write lock: 0.15-3.7 s at 200,000 articles,
        # every day, with nothing to prune.
        after: tuple[float, int] = (float("-inf"), _MIN_ROWID)
        while limit is None or total < limit:
            batch_size = _PRUNE_BATCH if limit is None else min(_PRUNE_BATCH, limit - total)
            async with self._db.write() as conn:
                rows = await fetch_all(
                    conn,
                    "SELECT id, fetched_at FROM articles WHERE fetched_at < ? AND (fetched_at, id) > (?, ?)"
                    f" AND {_PRUNABLE} ORDER BY fetched_at, id LIMIT ?",
                    (older_than, *after, batch_size),
                )
                if not rows:
                    return total
                ids = [int(r["id"]) for r in rows]
                # Kept articles are skipped by the cursor, so a batch of them never stalls the loop.
                after = (float(rows[-1]["fetched_at"]), ids[-1])
                batch = json.dumps(ids)
                in_batch = "IN (SELECT value FROM json_each(?))"
                for key in ("url", "content_hash"):
                    # Not a link only chats sent (private): no feed listed it, so there is nothing to keep out,
                    # and its address may hold a secret token that /stop could no longer find to delete.
                    await run(
                        conn,
                        f"INSERT OR REPLACE INTO pruned_articles (key, pruned_at)"
                        f" SELECT {key}, ? FROM articles WHERE id {in_batch} AND private = 0",
                        (now, batch),
                    )
                await release_deliveries(conn, batch)
                total += await run(conn, f"DELETE FROM articles WHERE id {in_batch}", (batch,))
        return total

    async def held_from_pruning(self, older_than: float) -> int:
        """How many articles fetched before ``older_than`` stay because their alerts or digests are queued."""
        rows = await fetch_all(
            self._db.reader,
            f"SELECT count(*) FROM articles WHERE fetched_at < ? AND NOT ({_PRUNABLE})",
            (older_than,),
        )
        return int(rows[0][0])

    async def remembers_pruned(self, url: str, now: float) -> bool:
        """Whether an article at ``url`` was stored once and pruned since; if so, it counts as seen now."""
        rows = await fetch_all(self._db.reader, "SELECT 1 FROM pruned_articles WHERE key = ?", (url,))
        if not rows:
            return False
        async with self._db.write() as conn:
            await run(conn, "UPDATE pruned_articles SET pruned_at = ? WHERE key = ?", (now, url))
        return True

    async def forget_pruned(self, not_seen_since: float) -> int:
        """Drop the memory of pruned articles no feed has listed since ``not_seen_since``; how many went."""
        async with self._db.write() as conn:
            return await run(conn, "DELETE FROM pruned_articles WHERE pruned_at < ?", (not_seen_since,))

    async def count(self) -> int:
        """How many articles are stored."""
        rows = await fetch_all(self._db.reader, "SELECT count(*) FROM articles")
        return int(rows[0][0])
