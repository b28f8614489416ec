"""Planning, pure: which stories a chat gets (keyword and topic matching) and the outbox rows for them."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Collection, Mapping, Sequence
from typing import NamedTuple

from bot.scheduling import quiet_hours_end
from bot.store.articles import PLAIN_LETTERS, UMLAUT_AS_PAIR
from bot.store.deliveries import DeliveryKind, PlannedDelivery, PlannedRow, PlanningTarget
from summaries.articles import Article
from summaries.text import (
    HANGUL_CHARS,
    UNSPACED_CHARS,
    UNSPACED_RUN,
    WORD,
    WORD_CHARS,
    is_unspaced,
    without_tag_sign,
)

# A story published more than this (or two feed intervals, when longer) before the poll that found it may be late
# news (see late_articles).
CATCHUP_AGE_SECONDS = 3600.0

# Words as the summarizer finds them: "भारत" is one word, not "भ" + "रत" (see summaries.text.WORD).
_WORD = re.compile(WORD)
# A word character of a spaced script: only such a neighbour makes "c++" part of a longer word.
_SPACED_WORD_CHAR = f"(?![{UNSPACED_CHARS}])[{WORD_CHARS}]"
_PLAIN_KEYWORD = re.compile(f"[{WORD_CHARS}\\s'’-]+")
# An abbreviation written with a full stop after each letter ("U.S.", "U.N.", "E.U."), as American and wire
# style prints what others print "US", "UN", "EU": in a text's words it is the letters as one word, so "us election"
# and "un" find "U.S. election" and "U.N.". Keywords typed so ("u.s.") keep their stops and match only them.
_DOTTED_ABBREVIATION = re.compile(r"(?<![\w.])(?:[^\W\d_]\.){2,}")
# Korean is written with spaces, but a noun carries its particle ("서울에서" is "in Seoul").
_ATTACHES_PARTICLES = re.compile(f"[{HANGUL_CHARS}]").search
# One spelling per letter, in keyword and text alike:
# - full-width ASCII forms (U+FF01-U+FF5E) -> ASCII; NFKC would also turn "Tesla™" into the word "teslatm";
# - Russian "ё" -> "е": most Russian news print "Королев" for "Королёв", and a reader may type either;
# - Greek letters lose their accents: capitals drop them ("ΟΔΟΣ" for "οδός"), and so do many readers typing;
# - the typographic apostrophe is the typed one: phones write "O’Brien", keyboards and many feeds "O'Brien";
# - the ligatures French and Danish print are the two letters keyboards type: "cœur" is "coeur", "Æble" "aeble";
# - Polish "ł" and Danish and Norwegian "ø" are the plain letters English wires print for them ("Lodz", "Orsted",
#   "Moller-Maersk"): Unicode gives them no accent to drop, so "orsted" missed "Ørsted" and "łódź" "Lodz";
# - invisible characters that sit inside a word and never end it go: the soft hyphen German sites put into long
#   words of headlines ("Bundes&shy;regierung"), the word joiner and the zero-width no-break space. Split there,
#   "bundesregierung" missed the headline and "regierung" matched it.
_SAME_LETTER: dict[int, int | str | None] = (
    {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)}
    | {0x00AD: None, 0x2060: None, 0xFEFF: None}
    | {ord("’"): "'"}
    | {ord("œ"): "oe", ord("Œ"): "OE", ord("æ"): "ae", ord("Æ"): "AE"}
    | PLAIN_LETTERS
    | {ord("ё"): "е", ord("Ё"): "Е"}
    | {
        code: unicodedata.normalize("NFD", chr(code))[0]
        for code in [*range(0x0386, 0x03D0), *range(0x1F00, 0x2000)]
        if len(unicodedata.normalize("NFD", chr(code))) > 1
        and "\u0391" <= unicodedata.normalize("NFD", chr(code))[0] <= "\u03c9"
    }
)
# A Latin letter followed by its combining accents (text in NFD).
_LATIN_ACCENT = re.compile(r"([A-Za-z\u00c0-\u024f])[\u0300-\u036f]+")
# A text that may read differently the German way: an umlaut, composed, decomposed or in capitals.
_HAS_UMLAUT = re.compile("[äöüÄÖÜ\u0308]").search
# A keyword that may: an umlaut, or a letter pair an umlaut is typed as.
_MAY_BE_GERMAN = re.compile("[äöü]|ae|oe|ue").search


class StoryMatch(NamedTuple):
    """A story a chat should get: the article representing it, what matched, and a score for "best first"."""

    story_id: int
    article_id: int
    matched: str
    score: float
    order: int  # position of the article in the batch, so rows are planned in the order articles arrived


# A StoryMatch as a plain tuple (story_id, article_id, matched, score, order). A big plan holds 100,000s of
# matches and rows at once: as objects, the garbage collector walked them all again in every full collection
# (0.1-0.5 s each, many a plan, holding the GIL: the event loop stopped as long), while a plain tuple of numbers
# and strings leaves its tracking at the first collection it sees.
MatchTuple = tuple[int, int, str, float, int]


def _fold(text: str, *, german: bool = False) -> str:
    """``text`` for comparison: composed, one spelling per letter, case-folded, "İ" as "i", no Latin accents;
    ``german``: "ä", "ö" and "ü" as "ae", "oe" and "ue" (German typed without umlaut keys: "Müller" is "Mueller" on
    keyboards, in URLs and in many feeds), not "a", "o", "u"; "ß" is "ss" either way."""
    # Composed first: a decomposed "é" ("e" + U+0301) would split the word at the accent. Case folding turns
    # "İ" into "i" + U+0307 (a combining dot, no word character), which would split "İstanbul" the same way.
    # Japanese and Chinese keyboards and news type Latin letters full-width ("ｉＰｈｏｎｅ"): the same word.
    # Accents count neither way, as in /search: English wires print "Sao Paulo" and "Muller", and French
    # headlines in capitals drop them ("L'ELECTION"), so "são paulo" and "élection" must find those too.
    folded = unicodedata.normalize("NFC", text).translate(_SAME_LETTER).casefold().replace("i\u0307", "i")
    return _without_accents(folded.translate(UMLAUT_AS_PAIR) if german else folded)


def _may_be_german(keyword: str) -> bool:
    """Whether ``keyword`` can match a text the German way that it does not match otherwise: only a keyword
    holding an umlaut or "ae", "oe" or "ue" (German folding changes nothing else, and keywords match whole
    words)."""
    folded = unicodedata.normalize("NFC", keyword).translate(_SAME_LETTER).casefold()
    return _MAY_BE_GERMAN(folded) is not None


def keyword_key(keyword: str) -> str:
    """What two keywords share when they match the same texts ("São Paulo", "sao paulo", "#tesla", "tesla"):
    one keyword."""
    return without_tag_sign(_fold(keyword))


def _keyword_folded(keyword: str, *, german: bool) -> str:
    return without_tag_sign(_fold(keyword, german=german))


def _normalized_words(text: str) -> str:
    # "新型iPhoneを発表" is one \w+ run: where Chinese, Japanese or Thai meets another script, a word ends.
    text = _DOTTED_ABBREVIATION.sub(_without_stops, text)
    return " " + " ".join(_WORD.findall(UNSPACED_RUN.sub(r" \g<0> ", _fold(text)))) + " "


def _without_stops(abbreviation: re.Match[str]) -> str:
    return abbreviation.group().replace(".", "")


def _without_accents(text: str) -> str:
    """``text`` with the accents of Latin letters dropped ("são paulo" -> "sao paulo"); other scripts kept."""
    # Only marks on a Latin letter go: a Devanagari vowel sign or a Japanese dakuten is part of its letter.
    decomposed = unicodedata.normalize("NFD", text)
    return unicodedata.normalize("NFC", _LATIN_ACCENT.sub(r"\1", decomposed))


class _TextView:
    """Articles' texts folded for keyword tests, and word -> indexes of the articles that contain it.

    Tens of thousands of distinct keywords against 200 5 KB articles would otherwise scan every text once per
    keyword (40 s at 10,000 chats x 20 keywords); a plain keyword is only tested on the articles that hold
    all its words.
    """

    def __init__(self, texts: Sequence[str], plain: _TextView | None = None) -> None:
        # With ``plain`` (the view of the same texts), the view folded the German way (see _fold), which
        # differs only in texts with an umlaut: the others are shared.
        if plain is None:
            self.raw = [_fold(t) for t in texts]
            self.norm = [_normalized_words(t) for t in self.raw]
        else:
            self.raw, self.norm = list(plain.raw), list(plain.norm)
            for i, text in enumerate(texts):
                if _HAS_UMLAUT(text):
                    self.raw[i] = _fold(text, german=True)
                    self.norm[i] = _normalized_words(self.raw[i])
        self.articles_with_word: dict[str, list[int]] = {}
        for index, norm in enumerate(self.norm):
            for word in set(norm.split()):
                self.articles_with_word.setdefault(word, []).append(index)


def keyword_matcher(keyword: str, *, german: bool = False) -> Callable[[str, str], bool]:
    """A test ``(folded_text, normalized_words) -> bool`` for a whole word/phrase, case-insensitive.

    The user's keyword is never used as a regular expression: plain words compare against the text's word
    sequence (a Korean one may be followed by a particle, so it only has to start a word); a keyword with
    symbols ("c++", "c#") becomes an escaped pattern with word boundaries; one in Chinese, Japanese or Thai is
    a substring. Keyword and text are compared without the accents of Latin letters (see :func:`_fold`), and a
    hashtag, cashtag or handle as its word (see :func:`without_tag_sign`). ``german``: keyword and text are
    both folded the German way instead (see :func:`_fold`; the text by the caller).
    """
    # "#tesla" stored before /subscribe dropped the sign matched only the rare "#tesla" printed in an article.
    folded = _keyword_folded(keyword, german=german)
    words = _WORD.findall(folded)
    if not words:
        return lambda raw, norm: False
    if is_unspaced(folded):
        # "東京" is never a word of its own in "東京で地震": without spaces, a word is found as a substring.
        return lambda raw, norm: folded in raw
    if _PLAIN_KEYWORD.fullmatch(folded):
        needle = " " + " ".join(words) + " "
        if _ATTACHES_PARTICLES(folded):
            # Korean writes its particles onto the word ("서울에서", "삼성전자는"): the keyword starts a word.
            needle = needle[:-1]
        return lambda raw, norm: needle in norm
    pattern = re.compile(
        f"(?<!{_SPACED_WORD_CHAR})"
        + r"\s+".join(re.escape(part) for part in folded.split())
        + f"(?!{_SPACED_WORD_CHAR})",
        re.IGNORECASE,
    )
    return lambda raw, norm: pattern.search(raw) is not None


def match_articles(
    articles: Sequence[Article], subscriptions: Sequence[tuple[int, str, str]]
) -> dict[int, list[StoryMatch]]:
    """Pure: which stories each chat should get. ``subscriptions`` are (chat_id, kind, value) triples.

    :func:`match_pairs` (which says how) as StoryMatch objects by chat, each chat's in the order of the batch.
    """
    result: dict[int, list[StoryMatch]] = {}
    for chat_id, match in match_pairs(articles, subscriptions):
        result.setdefault(chat_id, []).append(StoryMatch(*match))
    for matches in result.values():
        matches.sort(key=lambda m: m.order)
    return result


def match_pairs(
    articles: Sequence[Article], subscriptions: Sequence[tuple[int, str, str]]
) -> list[tuple[int, MatchTuple]]:
    """Pure: which stories each chat should get, as (chat_id, match) plain tuples (see MatchTuple).

    A chat gets a story once, however many of its topics and keywords match it (and whichever of the story's
    articles matched); the representative is the first stored of its articles that match; "matched" prefers a
    topic.
    Score = number of the chat's subscriptions that matched. The story's other sources count when a digest
    is sent (+0.5 each): most of them are read by later polls of other feeds, after the row is planned.
    """
    stored = [a for a in articles if a.id is not None]
    by_topic: dict[str, list[int]] = {}
    for index, article in enumerate(stored):
        for topic in article.topics:
            by_topic.setdefault(topic, []).append(index)
    # The folded texts, built when a keyword first needs them.
    views: list[_TextView] = []
    keyword_hits: dict[str, list[int]] = {}

    def hits_for_keyword(value: str) -> list[int]:
        found = keyword_hits.get(value)
        if found is None:
            if not views:
                views.append(_TextView([f"{a.title}\n{a.body}" for a in stored]))
            found = hits_in(views[0], value, german=False)
            if _may_be_german(value):
                # "mueller" finds "Müller" and "müller" "Mueller": umlauts as German typists write them
                # without the key, on both sides; "Joe" still never finds "Jo".
                if len(views) == 1:
                    views.append(_TextView([f"{a.title}\n{a.body}" for a in stored], plain=views[0]))
                german_hits = hits_in(views[1], value, german=True)
                if german_hits:
                    found = sorted({*found, *german_hits})
            keyword_hits[value] = found
        return found

    def hits_in(view: _TextView, value: str, *, german: bool) -> list[int]:
        test = keyword_matcher(value, german=german)
        candidates: Sequence[int] = range(len(stored))
        folded = _keyword_folded(value, german=german)
        if not is_unspaced(folded) and not _ATTACHES_PARTICLES(folded) and _PLAIN_KEYWORD.fullmatch(folded):
            # Such a keyword matches only as a run of whole words of the text (see keyword_matcher).
            postings = sorted(
                (view.articles_with_word.get(w, []) for w in set(_WORD.findall(folded))), key=len
            )
            candidates = postings[0] if postings else []
            for other in postings[1:]:
                keep = set(other)
                candidates = [i for i in candidates if i in keep]
        return [i for i in candidates if test(view.raw[i], view.norm[i])]

    # (chat, story) -> (article index, matched value, matched is a topic, hits): one dict of plain tuples, not
    # a dict and a list per chat (see MatchTuple).
    found: dict[tuple[int, int], tuple[int, str, bool, int]] = {}
    for chat_id, kind, value in subscriptions:
        is_topic = kind == "topic"
        indexes = by_topic.get(value, ()) if is_topic else hits_for_keyword(value)
        if not indexes:
            continue
        seen: set[int] = set()
        for index in indexes:
            story = story_of(stored[index])
            key = (chat_id, story)
            entry = found.get(key)
            if entry is None:
                found[key] = (index, value, is_topic, 1)
                seen.add(story)
                continue
            first, matched, by_topic_already, hits = entry
            if story not in seen:
                hits += 1  # one more subscription matched this story
                seen.add(story)
            # The story's first report stored is the one sent, "also" naming the others; a batch can list a
            # later report first (feeds' articles are planned in the order their polls end).
            if int(stored[index].id or 0) < int(stored[first].id or 0):
                first = index
            if is_topic and not by_topic_already:
                matched, by_topic_already = value, True
            found[key] = (first, matched, by_topic_already, hits)
    return [
        (chat_id, (story, int(stored[index].id or 0), matched, float(hits), index))
        for (chat_id, story), (index, matched, _topic, hits) in found.items()
    ]


def story_of(article: Article) -> int:
    """The story an article belongs to: its story id, or its own id when it is a story of its own."""
    return int(article.story_id if article.story_id is not None else article.id)  # type: ignore[arg-type]


def in_time_order(articles: Sequence[Article]) -> list[Article]:
    """``articles`` oldest published first; undated ones after them, in the order they came.

    A feed lists its newest item first, and alerts go out in the order they are planned: a chat would read
    three new items of one poll with the newest at the top, above the older ones. In publication order, the
    chat reads as a timeline, the newest at the bottom where Telegram shows the latest message.
    """
    return sorted(
        articles,
        key=lambda a: (0, a.published.timestamp()) if a.published is not None else (1, 0.0),
    )


def story_chunks(articles: Sequence[Article], size: int) -> list[list[Article]]:
    """``articles`` in arrival order, cut into chunks of about ``size`` that never split a story."""
    stories: dict[int, list[Article]] = {}
    for article in articles:
        stories.setdefault(story_of(article), []).append(article)
    chunks: list[list[Article]] = []
    current: list[Article] = []
    for group in stories.values():  # dicts keep insertion order: stories by their first article
        if current and len(current) + len(group) > size:
            chunks.append(current)
            current = []
        current.extend(group)
    if current:
        chunks.append(current)
    return chunks


def plan_rows(
    matches: Mapping[int, Sequence[StoryMatch]],
    targets: dict[int, PlanningTarget],
    now: float,
    *,
    late: Collection[int] = (),
    catchup_until: float = 0.0,
) -> list[PlannedDelivery]:
    """Pure: outbox rows for the matches; digest chats get digest rows, quiet hours set ``not_before``.

    An alert of an article in ``late`` (found hours after it was published) is held until ``catchup_until`` at
    least, with the chat's other late ones, so that more than a few come as one catch-up round-up.

    :func:`plan_row_tuples` as PlannedDelivery objects.
    """
    pairs = [(chat_id, match) for chat_id, stories in matches.items() for match in stories]
    rows = plan_row_tuples(pairs, targets, now, late=late, catchup_until=catchup_until)
    return [PlannedDelivery(*row) for row in rows]


def plan_row_tuples(
    matches: Sequence[tuple[int, MatchTuple]],
    targets: dict[int, PlanningTarget],
    now: float,
    *,
    late: Collection[int] = (),
    catchup_until: float = 0.0,
) -> list[PlannedRow]:
    """Pure: outbox rows for (chat_id, match) pairs, as plain tuples (see MatchTuple), in article-major order."""
    # chat -> (kind, not_before), or None: inactive or paused (a paused chat gets nothing, not a backlog on resume)
    how: dict[int, tuple[DeliveryKind, float] | None] = {}
    # Article-major order: the first article reaches every chat before the second one starts. One list per
    # article, each sorted by chat: a sort of all the rows at once is one call that holds the GIL for seconds.
    by_article: dict[int, list[PlannedRow]] = {}
    for chat_id, (story_id, article_id, matched, score, order) in matches:
        if chat_id not in how:
            how[chat_id] = _delivery_of(targets.get(chat_id), now)
        delivery = how[chat_id]
        if delivery is not None:
            kind, not_before = delivery
            catchup = catchup_until if kind == "alert" and article_id in late else 0.0
            row = (chat_id, story_id, article_id, kind, matched, score, max(not_before, catchup), catchup)
            by_article.setdefault(order, []).append(row)
    rows: list[PlannedRow] = []
    for order in sorted(by_article):
        rows += sorted(by_article[order], key=_chat_of_row)
    return rows


def _chat_of_row(row: PlannedRow) -> int:
    return row[0]


def _delivery_of(target: PlanningTarget | None, now: float) -> tuple[DeliveryKind, float] | None:
    """How a chat gets what is planned now: (kind, not_before); None when it gets nothing."""
    if target is None:
        return None
    kind: DeliveryKind = "digest" if target.mode == "digest" else "alert"
    not_before = 0.0
    if kind == "alert" and target.quiet_start and target.quiet_end:
        try:
            not_before = quiet_hours_end(target.quiet_start, target.quiet_end, target.timezone, now)
        except ValueError:
            not_before = 0.0
        if not_before <= now:
            not_before = 0.0
    return kind, not_before


def plan_outbox_rows(
    articles: Sequence[Article],
    subscriptions: Sequence[tuple[int, str, str]],
    targets: dict[int, PlanningTarget],
    now: float,
    *,
    late: Collection[int] = (),
    catchup_until: float = 0.0,
    before: Sequence[Article] = (),
) -> list[PlannedRow]:
    """Pure: the outbox rows of ``articles`` for these subscriptions (what DeliveryRepo.plan stores).

    ``before``: earlier versions of some of ``articles`` (a feed's edit): the chats a story matched then get
    no row now; an edit is news only to the chats it makes the story match.
    """
    pairs = match_pairs(articles, subscriptions)
    if before:
        matched_before = {(chat_id, match[0]) for chat_id, match in match_pairs(before, subscriptions)}
        pairs = [pair for pair in pairs if (pair[0], pair[1][0]) not in matched_before]
    return plan_row_tuples(pairs, targets, now, late=late, catchup_until=catchup_until)


def catchup_window(feed_interval_seconds: float) -> float:
    """How long before the poll that found it a story must have been published to count as late news."""
    return max(CATCHUP_AGE_SECONDS, 2.0 * feed_interval_seconds)


def late_articles(articles: Sequence[Article], now: float, feed_interval_seconds: float) -> frozenset[int]:
    """Ids of the dated ``articles`` published longer than the catch-up window before ``now``."""
    before = now - catchup_window(feed_interval_seconds)
    return frozenset(
        a.id
        for a in articles
        if a.id is not None and a.published is not None and a.published.timestamp() < before
    )
